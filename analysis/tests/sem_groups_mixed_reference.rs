//! Multi-group least squares on partly ordered, partly continuous items
//! (WLSMV, DWLS, ULS; delta parameterization) against lavaan 0.6.14
//! fixtures (tests/reference/sem_groups_mixed.R: two groups, three
//! five-point items and three continuous ones, a non-invariant loading,
//! threshold and intercept, latent mean differences), at no, loading and
//! threshold-loading, loading-intercept and threshold-loading-intercept
//! equality, and equal loadings with std.lv.
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
        std_lv: fx["std_lv"].as_bool().unwrap(),
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
    c.groups(
        &fit.tables,
        &fx,
        &fit.chisq_group,
        fit.chisq_scaled_group.as_deref(),
    );
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
    for level in [
        "none",
        "loadings",
        "thresholds_loadings",
        "loadings_intercepts",
        "thresholds_loadings_intercepts",
        "loadings_stdlv",
    ] {
        check("WLSMV", level);
    }
}

#[test]
fn dwls_and_uls_with_thresholds_loadings_and_intercepts_equal() {
    check("DWLS", "thresholds_loadings_intercepts");
    check("ULS", "thresholds_loadings_intercepts");
}

fn sample_and_spec(fx: &Value) -> (GroupedSample, Vec<String>) {
    let items: Vec<String> = ["o1", "o2", "o3", "c1", "c2", "c3"]
        .map(String::from)
        .to_vec();
    let dataset = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let sample = GroupedSample::from_dataset(&dataset, "grp", &items).unwrap();
    (sample, ["o1", "o2", "o3"].map(String::from).to_vec())
}

/// The mixed invariance sequence (configural, metric, scalar) is lavaan's
/// three models, each level tested against the previous one as lavTestLRT
/// does (satorra.2000 for WLSMV).
#[test]
fn invariance_sequence_is_lavtestlrts() {
    use analysis::sem::invariance;
    let lrt = fixture("sem_groups_mixed", "groups2_mixed_WLSMV_invariance");
    let (sample, ordered) = sample_and_spec(&lrt);
    let levels = ["none", "loadings", "thresholds_loadings_intercepts"]
        .map(|level| fixture("sem_groups_mixed", &format!("groups2_mixed_WLSMV_{level}")));
    let spec = ModelSpec::parse(levels[0]["model"].as_str().unwrap()).unwrap();
    let options = Options {
        estimator: "WLSMV".parse().unwrap(),
        ordered,
        ..Options::default()
    };
    let result = invariance::test(&spec, &sample, &options).unwrap();
    let names: Vec<&str> = result.models.iter().map(|m| m.name).collect();
    assert_eq!(names, ["configural", "metric", "scalar"]);
    let mut c = Comparison::new("groups2_mixed invariance");
    for (m, fx) in result.models.iter().zip(&levels) {
        let ours = serde_json::to_value(&m.fit).unwrap();
        for key in ["chisq", "df", "cfi", "rmsea", "chisq_scaled", "cfi_scaled"] {
            c.close(
                &format!("{}: {key}", m.name),
                ours["fit"][key].as_f64(),
                fx["fit"][key].as_f64(),
                1e-2,
            );
        }
    }
    let tests = lrt["tests"].as_array().unwrap();
    assert_eq!(result.tests.len(), tests.len());
    for (t, fx) in result.tests.iter().zip(tests) {
        assert_eq!(t.from, fx["from"].as_str().unwrap());
        assert_eq!(t.to, fx["to"].as_str().unwrap());
        assert_eq!(t.method, "satorra.2000");
        let id = format!("{} → {}", t.from, t.to);
        for (key, ours, floor) in [
            ("chisq_diff", t.chisq_diff, 1e-2),
            ("df_diff", t.df_diff, 1e-2),
            ("pvalue", t.pvalue, 1e-3),
        ] {
            c.close(&format!("{id} {key}"), Some(ours), fx[key].as_f64(), floor);
        }
    }
    c.assert_done(24);
}

/// A nested pair of mixed multi-group WLSMV fits (free against orthogonal
/// factors) through `sem-compare`'s difference test: lavTestLRT's
/// satorra.2000 Δχ², p, scale and shift.
#[test]
fn nested_pair_is_lavtestlrts_satorra_2000() {
    use analysis::sem::compare::{difference_test, ComparedModel};
    let lrt = fixture("sem_groups_mixed", "groups2_mixed_WLSMV_invariance");
    let (sample, ordered) = sample_and_spec(&lrt);
    let options = Options {
        estimator: "WLSMV".parse().unwrap(),
        ordered,
        ..Options::default()
    };
    let configural = fixture("sem_groups_mixed", "groups2_mixed_WLSMV_none");
    let free = ModelSpec::parse(configural["model"].as_str().unwrap()).unwrap();
    let orthogonal = ModelSpec::parse(lrt["orthogonal_model"].as_str().unwrap()).unwrap();
    let none = GroupEqual::default();
    let free_fit = groups::fit(&free, &sample, &none, &options).unwrap();
    let orthogonal_fit = groups::fit(&orthogonal, &sample, &none, &options).unwrap();
    let fx = &lrt["orthogonal"];
    let mut c = Comparison::new("groups2_mixed free → orthogonal");
    c.close(
        "chisq",
        Some(orthogonal_fit.fit.chisq),
        fx["chisq"].as_f64(),
        1e-2,
    );
    c.close("df", Some(orthogonal_fit.fit.df), fx["df"].as_f64(), 1e-2);
    let ours = difference_test(
        &ComparedModel::of_groups("model", &free_fit),
        &ComparedModel::of_groups("orthogonal", &orthogonal_fit),
    )
    .unwrap();
    assert_eq!(ours.method, "satorra.2000");
    let json = serde_json::to_value(&ours).unwrap();
    for (key, floor) in [
        ("chisq_diff", 1e-2),
        ("df_diff", 1e-2),
        ("pvalue", 1e-3),
        ("scale", 1e-2),
        ("shift", 1e-2),
    ] {
        c.close(key, json[key].as_f64(), fx[key].as_f64(), floor);
    }
    c.assert_done(7);
}
