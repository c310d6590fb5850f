//! Full-information ML with missing data (`--missing ml`) against lavaan 0.6
//! fixtures (tests/reference/sem_missing.R: normal data with an omitted
//! cross-loading, ~12 % MCAR with three empty records, and MAR).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all and every
//! fit measure the engine reports, with an absolute floor of 1e-2 (i.e.
//! 1e-5 absolute) for values near 0: |ours − lavaan| ≤ 1e-3 · max(|lavaan|,
//! 1e-2); p-values with a floor of 1e-3. The EM moments of the unrestricted
//! model: 1e-5 absolute. The worst differences (~1e-4) are the FIML-corrected
//! robust RMSEA p-values, whose χ² is computed at the EM moments, which lavaan
//! stops iterating earlier (~1e-6) than we do.

use analysis::sem::{self, IncompleteData, ModelSpec, Options};
use analysis::Dataset;
use serde_json::Value;

mod common;
use common::Comparison;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// lavaan's fit measures with missing data that the engine does not report:
/// the unstandardized and "corrected" residual summaries (RMR, CRMR) and
/// Mplus's SRMR, which weigh the residuals of the EM moments differently
/// from lavaan's `srmr` (reported, with `srmr_bentler`).
const NOT_COMPUTED: [&str; 6] = [
    "rmr",
    "rmr_nomean",
    "crmr",
    "crmr_nomean",
    "srmr_mplus",
    "srmr_mplus_nomean",
];

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_missing/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn fit_fixture(name: &str) -> (Value, sem::SemFit) {
    let fx = fixture(name);
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let incomplete = IncompleteData::from_dataset(&data, data.names()).unwrap();
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
        ..Options::default()
    };
    let fit =
        sem::fit_missing(&spec, &incomplete, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    (fx, fit)
}

/// Compares every estimate row and every fit measure that our JSON has
/// under lavaan's name.
fn assert_fixture(name: &str, at_least: usize) {
    let (fx, fit) = fit_fixture(name);
    assert!(fit.converged, "{name}");
    let mut c = Comparison::new(name);
    c.estimates(&fit.table, fx["estimates"].as_array().unwrap());
    let ours = serde_json::to_value(&fit.fit).unwrap();
    c.fit_measures(&ours, &fx["fit"], |_| None);
    // Every numeric measure lavaan reports is ours too, except the
    // residual-based variants listed in NOT_COMPUTED.
    for (key, value) in fx["fit"].as_object().unwrap() {
        if value.is_number() && ours.get(key).is_none() && !NOT_COMPUTED.contains(&key.as_str()) {
            c.failures
                .push(format!("{name}: lavaan's {key} = {value} is not reported"));
        }
    }
    let missing = fit.missing.as_ref().expect("a FIML fit says so");
    if missing.npatterns as u64 != fx["npatterns"].as_u64().unwrap() {
        c.failures.push(format!(
            "{name}: {} missing patterns, lavaan {}",
            missing.npatterns, fx["npatterns"]
        ));
    }
    if fit.nobs as u64 != fx["nobs"].as_u64().unwrap() {
        c.failures
            .push(format!("{name}: N = {}, lavaan {}", fit.nobs, fx["nobs"]));
    }
    c.assert_done(at_least);
}

#[test]
fn cfa_with_mcar_missingness_and_empty_cases() {
    assert_fixture("ml_cfa_mcar", 100);
}

#[test]
fn cfa_with_mar_missingness() {
    assert_fixture("ml_cfa_mar", 100);
}

#[test]
fn constrained_intercepts_and_a_latent_mean_with_mcar_missingness() {
    assert_fixture("ml_means_mcar", 100);
}

#[test]
fn structural_model_with_mar_missingness() {
    assert_fixture("ml_sem_mar", 100);
}

#[test]
fn structural_model_with_mcar_missingness() {
    assert_fixture("ml_sem_mcar", 100);
}

#[test]
fn mlr_cfa_with_mar_missingness() {
    assert_fixture("mlr_cfa_mar", 150);
}

#[test]
fn mlr_structural_model_with_mcar_missingness() {
    assert_fixture("mlr_sem_mcar", 150);
}

#[test]
fn mlr_structural_model_with_mar_missingness() {
    assert_fixture("mlr_sem_mar", 150);
}

#[test]
fn mlr_constrained_intercepts_and_a_latent_mean_with_mcar_missingness() {
    assert_fixture("mlr_means_mcar", 150);
}

#[test]
fn em_moments_of_the_unrestricted_model_match_lavaans_sampstat_h1() {
    use analysis::mvnorm_missing::MissingPatterns;
    for name in ["ml_sem_mar", "ml_sem_mcar"] {
        let fx = fixture(name);
        let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
        let names: Vec<String> = fx["observed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let h1 = MissingPatterns::from_dataset(&data, &names)
            .unwrap()
            .em()
            .unwrap();
        assert!(h1.converged, "{name}");
        let cov = fx["h1_cov"].as_array().unwrap();
        let mean = fx["h1_mean"].as_array().unwrap();
        for i in 0..names.len() {
            let m = mean[i].as_f64().unwrap();
            assert!(
                (h1.mean[i] - m).abs() < 1e-5,
                "{name} mean {i}: {} vs {m}",
                h1.mean[i]
            );
            for (j, c) in cov[i].as_array().unwrap().iter().enumerate() {
                let c = c.as_f64().unwrap();
                assert!(
                    (h1.cov[(i, j)] - c).abs() < 1e-5,
                    "{name} cov {i},{j}: {} vs {c}",
                    h1.cov[(i, j)]
                );
            }
        }
    }
}
