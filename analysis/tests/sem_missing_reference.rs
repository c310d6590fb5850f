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
/// under lavaan's name; returns the failures, the number compared and the
/// worst relative difference.
fn compare(name: &str) -> (Vec<String>, usize, f64) {
    let (fx, fit) = fit_fixture(name);
    assert!(fit.converged, "{name}");
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut worst = 0.0f64;
    let mut close =
        |what: String, ours: Option<f64>, theirs: Option<f64>, floor: f64| match (ours, theirs) {
            (Some(a), Some(b)) => {
                let rel = (a - b).abs() / b.abs().max(floor);
                compared += 1;
                worst = worst.max(rel);
                if rel.is_nan() || rel > 1e-3 {
                    failures.push(format!(
                        "{name}: {what}: ours {a} lavaan {b} (rel {rel:.2e})"
                    ));
                }
            }
            (None, None) => {}
            (a, b) => failures.push(format!("{name}: {what}: ours {a:?} lavaan {b:?}")),
        };
    let rows = fx["estimates"].as_array().unwrap();
    assert_eq!(fit.table.params.len(), rows.len(), "{name}: number of rows");
    for r in rows {
        let (l, op, rh) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let e = fit
            .table
            .find(l, op.parse().unwrap(), rh)
            .unwrap_or_else(|| panic!("{name}: missing {l} {op} {rh}"));
        let id = format!("{l} {op} {rh}");
        close(format!("{id} est"), Some(e.value), r["est"].as_f64(), 1e-2);
        close(format!("{id} se"), e.se, r["se"].as_f64(), 1e-2);
        close(format!("{id} std_lv"), e.std_lv, r["std_lv"].as_f64(), 1e-2);
        close(
            format!("{id} std_all"),
            e.std_all,
            r["std_all"].as_f64(),
            1e-2,
        );
    }
    let ours = serde_json::to_value(&fit.fit).unwrap();
    let theirs = fx["fit"].as_object().unwrap();
    let mut unknown = Vec::new();
    for (key, value) in ours.as_object().unwrap() {
        let Some(reference) = theirs.get(key) else {
            unknown.push(format!("{name}: {key} is not one of lavaan's fit measures"));
            continue;
        };
        let floor = if key.contains("pvalue") { 1e-3 } else { 1e-2 };
        close(key.clone(), value.as_f64(), reference.as_f64(), floor);
    }
    failures.extend(unknown);
    // Every numeric measure lavaan reports is ours too, except the
    // residual-based variants listed in NOT_COMPUTED.
    for (key, value) in theirs {
        if value.is_number() && ours.get(key).is_none() && !NOT_COMPUTED.contains(&key.as_str()) {
            failures.push(format!("{name}: lavaan's {key} = {value} is not reported"));
        }
    }
    let missing = fit.missing.as_ref().expect("a FIML fit says so");
    if missing.npatterns as u64 != fx["npatterns"].as_u64().unwrap() {
        failures.push(format!(
            "{name}: {} missing patterns, lavaan {}",
            missing.npatterns, fx["npatterns"]
        ));
    }
    if fit.nobs as u64 != fx["nobs"].as_u64().unwrap() {
        failures.push(format!("{name}: N = {}, lavaan {}", fit.nobs, fx["nobs"]));
    }
    (failures, compared, worst)
}

fn assert_fixture(name: &str, at_least: usize) {
    let (failures, compared, worst) = compare(name);
    eprintln!("{name}: {compared} values, worst relative difference {worst:.1e}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= at_least, "{name}: only {compared} compared");
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
