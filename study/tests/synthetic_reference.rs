//! The synthetic population model against independent values computed with
//! SciPy/NumPy by tests/reference/synthetic.py (rerun:
//! `tests/reference/generate.sh synthetic`).

use serde_json::Value;
use study::published::contracting_model;
use study::synthetic::questionnaire::{likert_covariance, likert_item_moments, PathTreatment};
use study::synthetic::{SyntheticConfig, SyntheticStudy};

const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/synthetic/population_model.json"
));

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs reference {b}");
}

#[test]
fn likert_moments_match_scipy_integration() {
    // Closed forms (Plackett's identity, Simpson) against SciPy's quad of the
    // conditional normal: both are accurate far beyond 1e-9.
    let fx = fixture();
    for c in fx["likert_cases"].as_array().unwrap() {
        let t: Vec<f64> = c["thresholds"].as_array().unwrap().iter().map(f).collect();
        let tau = [t[0], t[1], t[2], t[3]];
        let (m1, m2, r) = (f(&c["mean_shift1"]), f(&c["mean_shift2"]), f(&c["r"]));
        let (e1, v1) = likert_item_moments(&tau, m1);
        let (e2, v2) = likert_item_moments(&tau, m2);
        let cov = likert_covariance(&tau, m1, m2, r);
        close(e1, f(&c["mean1"]), 1e-9, "mean1");
        close(v1, f(&c["var1"]), 1e-9, "var1");
        close(e2, f(&c["mean2"]), 1e-9, "mean2");
        close(v2, f(&c["var2"]), 1e-9, "var2");
        close(cov, f(&c["cov"]), 1e-9, "cov");
        close(cov / (v1 * v2).sqrt(), f(&c["corr"]), 1e-9, "corr");
    }
}

#[test]
fn structural_quantities_match_numpy() {
    let fx = fixture();
    let claims = contracting_model();
    for m in fx["models"].as_array().unwrap() {
        let rho = f(&m["factor_correlation"]);
        let config = SyntheticConfig {
            factor_correlation: rho,
            n: 2,
            ..Default::default()
        };
        let s = SyntheticStudy::generate(&claims, &config).unwrap();
        close(
            s.model.published_beta_r_squared,
            f(&m["published_beta_r_squared"]),
            1e-9,
            "β'Φβ",
        );
        close(s.model.path_scale, f(&m["rescaled_scale"]), 1e-9, "scale");
        close(s.model.r_squared, 0.6, 1e-12, "R²");
        for (k, g) in s.model.structural_paths.iter().enumerate() {
            close(*g, f(&m["rescaled_paths"][k]), 1e-9, "γ");
            close(
                s.model.outcome_correlations[k],
                f(&m["rescaled_outcome_correlations"][k]),
                1e-9,
                "Φγ",
            );
        }
        let config = SyntheticConfig {
            path_treatment: PathTreatment::AsCorrelations,
            ..config
        };
        let r2 = f(&m["as_correlations_r_squared"]);
        match SyntheticStudy::generate(&claims, &config) {
            Ok(s) => {
                assert!(r2 < 1.0);
                close(s.model.r_squared, r2, 1e-9, "β'Φ⁻¹β");
                for (k, g) in s.model.structural_paths.iter().enumerate() {
                    close(*g, f(&m["as_correlations_paths"][k]), 1e-9, "Φ⁻¹β");
                    close(
                        s.model.outcome_correlations[k],
                        f(&fx["beta"][k]),
                        1e-9,
                        "Corr(ξ, η) = β",
                    );
                }
            }
            Err(e) => {
                assert!(r2 >= 1.0, "unexpected error at ρ = {rho}: {e}");
                assert!(e.to_string().contains("R²"), "{e}");
            }
        }
    }
}
