//! Mean structures and robust ML (MLM, MLR) against lavaan 0.6 fixtures
//! (tests/reference/sem_robust.R, skewed simulated data with misfit).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all and every
//! fit measure the engine reports, with an absolute floor of 1e-2 (i.e.
//! 1e-5 absolute) for values near 0: |ours − lavaan| ≤ 1e-3 · max(|lavaan|,
//! 1e-2); p-values with a floor of 1e-3.

use analysis::sem::{self, Estimator, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
use serde_json::Value;

mod common;
use common::Comparison;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fit_fixture(name: &str) -> (Value, sem::SemFit) {
    let path = format!("{ROOT}/tests/fixtures/sem_robust/{name}.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
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
    c.fit_measures(&serde_json::to_value(&fit.fit).unwrap(), &fx["fit"], |_| {
        None
    });
    c.assert_done(at_least);
}

#[test]
fn ml_with_meanstructure() {
    assert_fixture("ml_meanstructure", 100);
}

#[test]
fn ml_with_constrained_intercepts_and_a_latent_mean() {
    assert_fixture("ml_means", 100);
}

#[test]
fn ml_with_meanstructure_and_a_fixed_covariate() {
    assert_fixture("ml_meanstructure_fixed_x", 100);
}

#[test]
fn mlm_cfa() {
    assert_fixture("mlm_cfa", 100);
}

#[test]
fn mlm_with_constrained_means() {
    assert_fixture("mlm_means", 100);
}

#[test]
fn mlm_structural_model_with_meanstructure() {
    assert_fixture("mlm_sem_meanstructure", 100);
}

#[test]
fn mlr_cfa() {
    assert_fixture("mlr_cfa", 100);
}

#[test]
fn mlr_with_constrained_means() {
    assert_fixture("mlr_means", 100);
}

#[test]
fn mlr_structural_model() {
    assert_fixture("mlr_sem", 100);
}

#[test]
fn the_robust_keys_are_lavaans_and_absent_under_ml() {
    let (_, fit) = fit_fixture("mlm_cfa");
    let json = serde_json::to_value(&fit).unwrap();
    for key in [
        "chisq_scaled",
        "df_scaled",
        "pvalue_scaled",
        "chisq_scaling_factor",
        "cfi_scaled",
        "tli_scaled",
        "rmsea_scaled",
        "cfi_robust",
        "tli_robust",
        "rmsea_robust",
    ] {
        assert!(json["fit"][key].is_number(), "{key}");
    }
    assert_eq!(json["estimator"], "MLM");
    let (_, fit) = fit_fixture("ml_meanstructure");
    let json = serde_json::to_value(&fit).unwrap();
    assert!(json["fit"].get("chisq_scaled").is_none());
    assert!(json.get("estimator").is_none());
    let intercept = json["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["lhs"] == "y3" && r["op"] == "~1")
        .unwrap();
    assert_eq!(intercept["rhs"], "");
}

#[test]
fn bad_input_gets_clear_errors() {
    // lavaan's variants that are not implemented are named as such.
    let e = "WLSM".parse::<Estimator>().unwrap_err().to_string();
    assert!(
        e.contains("not supported") && e.contains("ML, MLM, MLR, WLSMV, DWLS, ULS or GLS"),
        "{e}"
    );
    let e = "MLX".parse::<Estimator>().unwrap_err().to_string();
    assert!(e.contains("one of ML, MLM, MLR"), "{e}");
    // A covariance matrix has no cases (robust) and no means (~ 1).
    let cov =
        nalgebra::DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.4, 0.5, 1.0, 0.3, 0.4, 0.3, 1.0]);
    let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    let sample = SampleMoments::from_covariance("cov.csv", cov, names, 100).unwrap();
    let spec = ModelSpec::parse("f =~ x1 + x2 + x3").unwrap();
    let robust = Options {
        estimator: Estimator::MLR,
        ..Options::default()
    };
    let e = sem::fit(&spec, &sample, &robust).unwrap_err().to_string();
    assert!(e.contains("MLR needs raw data"), "{e}");
    let means = ModelSpec::parse("f =~ x1 + x2 + x3\nx1 ~ 1").unwrap();
    let e = sem::fit(&means, &sample, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("mean structure") && e.contains("raw data"),
        "{e}"
    );
    // Raw data: the Wishart likelihood and modification indices are not
    // combined with robust estimators or means.
    let data = Dataset::from_path(format!("{ROOT}/tests/data/sem/skewed.csv")).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let spec = ModelSpec::parse("f =~ y1 + y2 + y3 + y4").unwrap();
    let wishart = Options {
        estimator: Estimator::MLM,
        likelihood: sem::Likelihood::Wishart,
        ..Options::default()
    };
    let e = sem::fit(&spec, &sample, &wishart).unwrap_err().to_string();
    assert!(e.contains("MLM uses the normal likelihood"), "{e}");
    let wishart_means = Options {
        meanstructure: true,
        likelihood: sem::Likelihood::Wishart,
        ..Options::default()
    };
    let e = sem::fit(&spec, &sample, &wishart_means)
        .unwrap_err()
        .to_string();
    assert!(e.contains("normal likelihood only"), "{e}");
    let mi = Options {
        meanstructure: true,
        modindices: true,
        ..Options::default()
    };
    let e = sem::fit(&spec, &sample, &mi).unwrap_err().to_string();
    assert!(
        e.contains("modification indices are not yet computed"),
        "{e}"
    );
    // More free parameters than moments, counting the means.
    let spec = ModelSpec::parse("f =~ y1 + y2\nf ~ 1").unwrap();
    let e = sem::fit(&spec, &sample, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sample moments (means, variances and covariances)"),
        "{e}"
    );
}

#[test]
fn text_output_has_lavaans_scaled_column_and_intercepts() {
    use analysis::Render;
    let (_, fit) = fit_fixture("mlr_means");
    let text = fit.to_text();
    for needle in [
        "MLR",
        "Standard",
        "Scaled",
        "Yuan-Bentler correction (Mplus variant)",
        "Robust Comparative Fit Index (CFI)",
        "Robust RMSEA",
        "Parameter Estimates: Intercepts",
        ".y2 (a)",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    let scaled = fit.fit.robust.as_ref().unwrap().chisq_scaled.unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Test Statistic"))
        .unwrap();
    assert!(
        line.contains(&format!("{:.3}", fit.fit.chisq)) && line.contains(&format!("{scaled:.3}")),
        "{line}"
    );
    let (_, fit) = fit_fixture("mlm_cfa");
    assert!(fit.to_text().contains("Satorra-Bentler correction"));
    eprintln!("{}", fit.to_text());
}
