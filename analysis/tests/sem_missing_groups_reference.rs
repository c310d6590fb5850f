//! Multi-group full-information ML with missing data (`--group … --missing
//! ml`, ML and MLR) against lavaan 0.6 fixtures
//! (tests/reference/sem_missing_groups.R: the skewed two- and three-group
//! data of sem_groups.R, with a non-invariant loading and intercept, values
//! deleted MCAR (two records empty) and MAR; configural, metric and scalar
//! models).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all, each
//! group's χ² and every fit measure the engine reports, with an absolute
//! floor of 1e-2 (i.e. 1e-5 absolute) for values near 0: |ours − lavaan| ≤
//! 1e-3 · max(|lavaan|, 1e-2); p-values with a floor of 1e-3.

use analysis::sem::groups::GroupEqual;
use analysis::sem::missing_groups::{self, IncompleteGroups};
use analysis::sem::{ModelSpec, Options};
use analysis::Dataset;
use serde_json::Value;

mod common;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_missing/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Compares a value; returns the relative difference.
fn close(
    failures: &mut Vec<String>,
    what: String,
    ours: Option<f64>,
    theirs: Option<f64>,
    floor: f64,
) -> f64 {
    match (ours, theirs) {
        (Some(a), Some(b)) => {
            let rel = (a - b).abs() / b.abs().max(floor);
            if rel.is_nan() || rel > 1e-3 {
                failures.push(format!("{what}: ours {a} lavaan {b} (rel {rel:.2e})"));
            }
            rel
        }
        (None, None) => 0.0,
        (a, b) => {
            failures.push(format!("{what}: ours {a:?} lavaan {b:?}"));
            0.0
        }
    }
}

fn check(name: &str, at_least: usize) {
    let fx = fixture(name);
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
    let grouped = IncompleteGroups::from_dataset(&data, "grp", &columns).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let words: Vec<&str> = fx["group_equal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let equal: GroupEqual = words.join(",").parse().unwrap();
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
        ..Options::default()
    };
    let fit = missing_groups::fit(&spec, &grouped, &equal, &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(fit.converged, "{name}");
    common::assert_same_groups(name, &fit.group_labels, &fit.nobs, &fx);
    let mut failures = Vec::new();
    let (mut compared, mut worst, mut worst_what) = (0usize, 0.0f64, String::new());
    let mut record =
        |failures: &mut Vec<String>, what: String, a: Option<f64>, b: Option<f64>, floor: f64| {
            let rel = close(failures, what.clone(), a, b, floor);
            if a.is_some() && b.is_some() {
                compared += 1;
            }
            if rel > worst {
                worst = rel;
                worst_what = what;
            }
        };
    let rows = fx["estimates"].as_array().unwrap();
    let ours_rows: usize = fit.tables.iter().map(|t| t.params.len()).sum();
    assert_eq!(ours_rows, rows.len(), "{name}: number of rows");
    for r in rows {
        let (l, op, rh) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let g = r["group"].as_u64().unwrap() as usize;
        let e = fit
            .find(g, l, op.parse().unwrap(), rh)
            .unwrap_or_else(|| panic!("{name}: missing {l} {op} {rh} in group {g}"));
        let id = format!("group {g} {l} {op} {rh}");
        record(
            &mut failures,
            format!("{id} est"),
            Some(e.value),
            r["est"].as_f64(),
            1e-2,
        );
        record(
            &mut failures,
            format!("{id} se"),
            e.se,
            r["se"].as_f64(),
            1e-2,
        );
        record(
            &mut failures,
            format!("{id} std_lv"),
            e.std_lv,
            r["std_lv"].as_f64(),
            1e-2,
        );
        record(
            &mut failures,
            format!("{id} std_all"),
            e.std_all,
            r["std_all"].as_f64(),
            1e-2,
        );
    }
    for (g, (a, b)) in fit
        .chisq_group
        .iter()
        .zip(fx["chisq_group"].as_array().unwrap())
        .enumerate()
    {
        record(
            &mut failures,
            format!("chisq group {}", g + 1),
            Some(*a),
            b.as_f64(),
            1e-2,
        );
    }
    let ours = serde_json::to_value(&fit).unwrap();
    let theirs = fx["fit"].as_object().unwrap();
    for (key, value) in ours["fit"].as_object().unwrap() {
        if key == "chisq_group" || key == "chisq_scaled_group" {
            continue;
        }
        let Some(reference) = theirs.get(key) else {
            failures.push(format!("{key} is not one of lavaan's fit measures"));
            continue;
        };
        let floor = if key.contains("pvalue") { 1e-3 } else { 1e-2 };
        record(
            &mut failures,
            key.clone(),
            value.as_f64(),
            reference.as_f64(),
            floor,
        );
    }
    eprintln!("{name}: {compared} values, worst relative difference {worst:.1e} ({worst_what})");
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    assert!(compared >= at_least, "{name}: only {compared} compared");
}

#[test]
fn two_groups_mcar_ml_configural() {
    check("groups2_mcar_ml_configural", 150);
}

#[test]
fn two_groups_mcar_ml_metric() {
    check("groups2_mcar_ml_metric", 150);
}

#[test]
fn two_groups_mcar_ml_scalar() {
    check("groups2_mcar_ml_scalar", 150);
}

#[test]
fn two_groups_mcar_mlr_configural() {
    check("groups2_mcar_mlr_configural", 150);
}

#[test]
fn two_groups_mcar_mlr_metric() {
    check("groups2_mcar_mlr_metric", 150);
}

#[test]
fn two_groups_mcar_mlr_scalar() {
    check("groups2_mcar_mlr_scalar", 150);
}

#[test]
fn three_groups_mar_ml_configural() {
    check("groups3_mar_ml_configural", 200);
}

#[test]
fn three_groups_mar_ml_metric() {
    check("groups3_mar_ml_metric", 200);
}

#[test]
fn three_groups_mar_ml_scalar() {
    check("groups3_mar_ml_scalar", 200);
}

#[test]
fn three_groups_mar_mlr_configural() {
    check("groups3_mar_mlr_configural", 200);
}

#[test]
fn three_groups_mar_mlr_metric() {
    check("groups3_mar_mlr_metric", 200);
}

#[test]
fn three_groups_mar_mlr_scalar() {
    check("groups3_mar_mlr_scalar", 200);
}

/// `invariance --missing ml`: each level against the previous one as
/// lavTestLRT (χ² difference for ML, Satorra–Bentler 2001 for MLR) and the
/// differences of CFI and RMSEA (robust: FIML-corrected), 1e-3 relative
/// (floor 1e-2; p-values floor 1e-3).
fn check_invariance(name: &str) {
    use analysis::sem::invariance;
    let fx = fixture(name);
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
    let grouped = IncompleteGroups::from_dataset(&data, "grp", &columns).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let estimator = fx["estimator"].as_str().unwrap();
    let options = Options {
        estimator: estimator.parse().unwrap(),
        meanstructure: true,
        ..Options::default()
    };
    let result = invariance::test_missing(&spec, &grouped, &options).unwrap();
    let tests = fx["tests"].as_array().unwrap();
    assert_eq!(result.tests.len(), tests.len(), "{name}");
    let mut failures = Vec::new();
    let mut compared = 0;
    for (ours, theirs) in result.tests.iter().zip(tests) {
        assert_eq!(ours.from, theirs["from"].as_str().unwrap());
        assert_eq!(ours.to, theirs["to"].as_str().unwrap());
        let id = format!("{name}: {} → {}", ours.from, ours.to);
        let robust = estimator == "MLR";
        for (key, value, floor) in [
            ("chisq_diff", Some(ours.chisq_diff), 1e-2),
            ("df_diff", Some(ours.df_diff), 1e-2),
            ("pvalue", Some(ours.pvalue), 1e-3),
            ("delta_cfi", Some(ours.delta_cfi), 1e-2),
            ("delta_rmsea", Some(ours.delta_rmsea), 1e-2),
            (
                "delta_cfi_robust",
                ours.delta_cfi_robust.filter(|_| robust),
                1e-2,
            ),
            (
                "delta_rmsea_robust",
                ours.delta_rmsea_robust.filter(|_| robust),
                1e-2,
            ),
        ] {
            let theirs = if value.is_none() {
                None
            } else {
                theirs[key].as_f64()
            };
            close(&mut failures, format!("{id} {key}"), value, theirs, floor);
            compared += usize::from(value.is_some());
        }
        let method = if robust {
            "satorra.bentler.2001"
        } else {
            "standard"
        };
        assert_eq!(ours.method, method, "{id}");
    }
    eprintln!("{name}: {compared} values");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= 15, "{name}: only {compared}");
}

#[test]
fn invariance_two_groups_mcar_ml() {
    check_invariance("groups2_mcar_ml_invariance");
}

#[test]
fn invariance_two_groups_mcar_mlr() {
    check_invariance("groups2_mcar_mlr_invariance");
}

#[test]
fn invariance_three_groups_mar_ml() {
    check_invariance("groups3_mar_ml_invariance");
}

#[test]
fn invariance_three_groups_mar_mlr() {
    check_invariance("groups3_mar_mlr_invariance");
}
