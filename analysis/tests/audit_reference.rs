//! The audit's closed forms against independent references: SciPy
//! (`tests/reference/audit.py`) and lavaan (`tests/reference/audit_df.R`).
//! Regenerate with `tests/reference/generate.sh audit`.

use analysis::audit::{candidate_models, df_interval_from_rmsea};
// The audit's simulation uses the normality module's K-S test; these
// fixtures check it at the audit's use (fitted normal, asymptotic p).
use analysis::claims::Claims;
use analysis::normality::{kolmogorov_sf, ks_normal};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/audit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/data/audit/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("data")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn close_rel(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
}

#[test]
fn kolmogorov_limiting_distribution_matches_scipy_kstwobign() {
    let r = fixture("scipy_reference.json");
    for row in r["kolmogorov_sf"].as_array().unwrap() {
        let (x, sf) = (f(&row["x"]), f(&row["sf"]));
        // Closed-form series: 1e-9 absolute, and 1e-9 relative in the far tail.
        let got = kolmogorov_sf(x);
        assert!((got - sf).abs() < 1e-9, "x = {x}: {got} vs {sf}");
        if sf < 1e-6 {
            assert!(close_rel(got, sf, 1e-9), "x = {x}: {got} vs {sf}");
        }
    }
}

#[test]
fn ks_against_the_fitted_normal_matches_scipy_kstest() {
    let r = fixture("scipy_reference.json");
    let samples: Value = serde_json::from_str(&data("ks_samples.json")).unwrap();
    for (name, expected) in r["ks_fitted_normal"].as_object().unwrap() {
        let x: Vec<f64> = samples[name].as_array().unwrap().iter().map(f).collect();
        let ks = ks_normal(&x).unwrap();
        let (d, mean, sd) = (ks.statistic, ks.mean, ks.sd);
        assert!((mean - f(&expected["mean"])).abs() < 1e-9, "{name} mean");
        assert!((sd - f(&expected["sd"])).abs() < 1e-9, "{name} sd");
        assert!(
            (d - f(&expected["d"])).abs() < 1e-6,
            "{name}: D {d} vs {}",
            expected["d"]
        );
        let p = ks.pvalue_asymptotic;
        assert_eq!(p, kolmogorov_sf((x.len() as f64).sqrt() * d));
        assert!(
            close_rel(p, f(&expected["p"]), 1e-4),
            "{name}: p {p} vs {}",
            expected["p"]
        );
    }
}

#[test]
fn rmsea_df_interval_matches_a_numerical_solution() {
    let r = fixture("scipy_reference.json");
    for row in r["rmsea_df_interval"].as_array().unwrap() {
        let c = f(&row["chisq"]);
        let (lo, hi) = df_interval_from_rmsea(
            (c, c),
            (f(&row["rmsea_lo"]), f(&row["rmsea_hi"])),
            f(&row["n"]),
        )
        .unwrap();
        assert!(
            (lo - f(&row["df_lo"])).abs() < 1e-9,
            "{lo} vs {}",
            row["df_lo"]
        );
        assert!(
            (hi - f(&row["df_hi"])).abs() < 1e-9,
            "{hi} vs {}",
            row["df_hi"]
        );
    }
}

#[test]
fn parameter_counts_match_lavaan_df() {
    let r = fixture("model_df.json");
    let claims = Claims::from_json_str("small_claims.json", &data("small_claims.json")).unwrap();
    let models = candidate_models(claims.codebook.as_ref().unwrap(), 3);
    for m in r["models"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        let c = models
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no candidate {id}"));
        assert_eq!(c.df, m["df"].as_i64().unwrap(), "{id} df");
        assert_eq!(
            c.free_parameters as i64,
            m["npar"].as_i64().unwrap(),
            "{id} npar"
        );
    }
}
