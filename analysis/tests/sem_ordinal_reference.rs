//! Ordered indicators (WLSMV, DWLS, ULS) and least squares on continuous
//! data (GLS, ULS, DWLS) against lavaan 0.6.14 fixtures
//! (tests/reference/sem_ordinal.R: simulated 5- and 7-point items with
//! misfit; tests/data/sem/skewed.csv for the continuous fits).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all and every
//! fit measure the engine reports, with an absolute floor of 1e-2 (i.e.
//! 1e-5 absolute) for values near 0: |ours − lavaan| ≤ 1e-3 · max(|lavaan|,
//! 1e-2); p-values with a floor of 1e-3.

use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
use serde_json::Value;

mod common;
use common::Comparison;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fit_fixture(name: &str) -> (Value, sem::SemFit) {
    let path = format!("{ROOT}/tests/fixtures/sem_ordinal/{name}.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let ordered = if fx["ordered"].as_bool().unwrap() {
        // Every observed variable of the model (lavaan's ordered = TRUE).
        let core: Vec<String> = data
            .names()
            .iter()
            .filter(|n| {
                spec.statements
                    .iter()
                    .any(|s| s.rhs.iter().any(|t| &t.name == *n) || &s.lhs == *n)
            })
            .cloned()
            .collect();
        core
    } else {
        Vec::new()
    };
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
        ordered,
        meanstructure: fx["meanstructure"].as_bool().unwrap(),
        ..Options::default()
    };
    let fit = sem::fit(&spec, &sample, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    (fx, fit)
}

/// Compares every estimate row and every fit measure that our JSON has
/// under lavaan's name.
fn assert_fixture(name: &str, at_least: usize) {
    let (fx, fit) = fit_fixture(name);
    assert!(fit.converged, "{name}");
    let mut c = Comparison::new(name);
    c.estimates(&fit.table, fx["estimates"].as_array().unwrap());
    c.fit_measures(
        &serde_json::to_value(&fit.fit).unwrap(),
        &fx["fit"],
        |key| {
            // lavaan lists ntotal with the log-likelihood, which least squares
            // lack; it is the number of cases.
            (key == "ntotal").then(|| fx["nobs"].clone())
        },
    );
    c.assert_done(at_least);
}

#[test]
fn wlsmv_cfa_of_five_point_items() {
    assert_fixture("wlsmv_cfa5", 200);
}

#[test]
fn wlsmv_cfa_of_seven_and_five_point_items() {
    assert_fixture("wlsmv_cfa7", 150);
}

#[test]
fn wlsmv_structural_model() {
    assert_fixture("wlsmv_sem", 250);
}

#[test]
fn wlsmv_with_thresholds_in_the_model_syntax() {
    assert_fixture("wlsmv_thresholds", 80);
}

#[test]
fn dwls_cfa_of_ordered_items() {
    assert_fixture("dwls_cfa5", 200);
}

#[test]
fn uls_structural_model_of_ordered_items() {
    assert_fixture("uls_sem", 250);
}

#[test]
fn gls_cfa_of_continuous_data() {
    assert_fixture("gls_cont_cfa", 80);
}

#[test]
fn gls_structural_model_of_continuous_data() {
    assert_fixture("gls_cont_sem", 80);
}

#[test]
fn uls_cfa_of_continuous_data() {
    assert_fixture("uls_cont_cfa", 80);
}

#[test]
fn dwls_structural_model_of_continuous_data() {
    assert_fixture("dwls_cont_sem", 80);
}

#[test]
fn wlsmv_cfa_of_continuous_data() {
    assert_fixture("wlsmv_cont_cfa", 100);
}

#[test]
fn uls_with_a_mean_structure() {
    assert_fixture("uls_cont_means", 100);
}

#[test]
fn gls_with_a_mean_structure() {
    assert_fixture("gls_cont_means", 100);
}
