//! Multi-group least squares on partly ordered, partly continuous items
//! (WLSMV, DWLS, ULS; delta parameterization) against lavaan 0.6.14
//! fixtures (tests/reference/sem_groups_mixed.R: two groups, three
//! five-point items and three continuous ones, a non-invariant loading,
//! threshold and intercept, latent mean differences), at no, loading and
//! threshold-loading-intercept equality.
//!
//! Tolerance (analysis/tests/common): 1e-3 relative for estimates, SEs,
//! std.lv, std.all, every fit measure we report and each group's χ² (and
//! scaled χ²), with a floor of 1e-2 under |lavaan| (1e-3 for p-values).

mod common;

use analysis::sem::groups::{self, GroupEqual, GroupedSample};
use analysis::sem::{ModelSpec, Options};
use analysis::Dataset;
use common::{fixture, Comparison};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn check(estimator: &str, level: &str) {
    let name = format!("groups2_mixed_{estimator}_{level}");
    let fx = fixture("sem_groups_mixed", &name);
    let strings = |key: &str| -> Vec<String> {
        fx[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect()
    };
    let items: Vec<String> = ["o1", "o2", "o3", "c1", "c2", "c3"]
        .map(String::from)
        .to_vec();
    let dataset = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let sample =
        GroupedSample::from_dataset(&dataset, fx["group"].as_str().unwrap(), &items).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let equal: GroupEqual = strings("group_equal").join(",").parse().unwrap();
    let ordered = strings("ordered");
    assert_eq!(ordered, ["o1", "o2", "o3"]);
    let options = Options {
        estimator: estimator.parse().unwrap(),
        ordered,
        ..Options::default()
    };
    let fit =
        groups::fit(&spec, &sample, &equal, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(fit.converged, "{name}");
    assert_eq!(
        fit.group_labels,
        strings("group_labels"),
        "{name}: group order"
    );
    let mut c = Comparison::new(&name);
    let rows = fx["estimates"].as_array().unwrap();
    for (g, table) in fit.tables.iter().enumerate() {
        let own: Vec<Value> = rows
            .iter()
            .filter(|r| r["group"].as_u64() == Some(g as u64 + 1))
            .cloned()
            .collect();
        c.estimates(table, &own);
    }
    for (g, (ours, theirs)) in fit
        .chisq_group
        .iter()
        .zip(fx["chisq_group"].as_array().unwrap())
        .enumerate()
    {
        c.close(
            &format!("chisq group {}", g + 1),
            Some(*ours),
            theirs.as_f64(),
            1e-2,
        );
    }
    match (&fit.chisq_scaled_group, fx["chisq_scaled_group"].as_array()) {
        (Some(ours), Some(theirs)) => {
            for (g, (a, b)) in ours.iter().zip(theirs).enumerate() {
                c.close(
                    &format!("scaled chisq group {}", g + 1),
                    Some(*a),
                    b.as_f64(),
                    1e-2,
                );
            }
        }
        (None, None) => {}
        (a, b) => panic!("{name}: scaled χ² per group: ours {a:?}, lavaan {b:?}"),
    }
    let json = serde_json::to_value(&fit).unwrap();
    let mut ours = json["fit"].clone();
    // lavaan lists ntotal with the log-likelihood, which least squares
    // lack; the groups' χ² were compared above.
    for key in ["ntotal", "chisq_group", "chisq_scaled_group"] {
        ours.as_object_mut().unwrap().remove(key);
    }
    c.fit_measures(&ours, &fx["fit"], |_| None);
    c.assert_done(100);
}

#[test]
fn wlsmv_at_each_level() {
    for level in ["none", "loadings", "thresholds_loadings_intercepts"] {
        check("WLSMV", level);
    }
}

#[test]
fn dwls_and_uls_with_thresholds_loadings_and_intercepts_equal() {
    check("DWLS", "thresholds_loadings_intercepts");
    check("ULS", "thresholds_loadings_intercepts");
}
