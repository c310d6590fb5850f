//! analysis::sample_size::sem against semTools 0.5 (`findRMSEApower`,
//! `findRMSEAsamplesize`; tests/reference/sem_sample_size.R) and SciPy's
//! `ncx2` (tests/reference/sem_sample_size.py).
//!
//! Tolerances: power within 1e-6 relative of both references; minimum n
//! exactly semTools' n. Cases where R warned that `pnchisq` did not
//! converge (large df·n) are checked against SciPy only; semTools'
//! "Sample Size <= 5" must be an n from 2 to 5 here (the search starts at 2).

use analysis::sample_size::sem::RmseaDesign;
use serde_json::Value;

const POWER_TOL: f64 = 1e-6;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/sample_size/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn design(c: &Value) -> RmseaDesign {
    RmseaDesign {
        df: c["df"].as_u64().unwrap(),
        rmsea0: c["rmsea0"].as_f64().unwrap(),
        rmsea1: c["rmsea1"].as_f64().unwrap(),
        alpha: c["alpha"].as_f64().unwrap(),
    }
}

fn r_warned(c: &Value) -> bool {
    !c["r_warnings"].as_array().unwrap().is_empty()
}

/// Checks every power case of a fixture, returning (cases compared, the
/// largest relative difference).
fn check_power(name: &str, skip: impl Fn(&Value) -> bool) -> (usize, f64) {
    let fx = fixture(name);
    let (mut compared, mut worst) = (0, 0.0f64);
    for c in fx["power_cases"].as_array().unwrap() {
        if skip(c) {
            continue;
        }
        let n = c["n"].as_f64().unwrap() as u64;
        let want = c["power"].as_f64().unwrap();
        let got = design(c).power(n).unwrap_or_else(|e| panic!("{c}: {e}"));
        let rel = (got - want).abs() / want;
        assert!(
            rel <= POWER_TOL,
            "{name} {c}: power {got} vs {want} (rel {rel:e})"
        );
        worst = worst.max(rel);
        compared += 1;
    }
    (compared, worst)
}

#[test]
fn power_matches_semtools_where_r_converges() {
    let (compared, worst) = check_power("sem_semtools.json", r_warned);
    // 2056 cases, of which R warned on the large-df·n ones.
    assert!(compared > 1800, "{compared}");
    eprintln!("semTools: {compared} power cases, largest relative difference {worst:e}");
}

#[test]
fn power_matches_scipy_everywhere() {
    let (compared, worst) = check_power("sem_scipy.json", |_| false);
    assert_eq!(compared, 2056);
    eprintln!("SciPy: {compared} power cases, largest relative difference {worst:e}");
}

#[test]
fn minimum_n_is_semtools_n() {
    let fx = fixture("sem_semtools.json");
    let cases = fx["size_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 194);
    let mut at_most_5 = 0;
    for c in cases {
        let target = c["power"].as_f64().unwrap();
        let got = design(c)
            .minimum_n(target)
            .unwrap_or_else(|e| panic!("{c}: {e}"));
        match c["n"].as_u64() {
            Some(want) => assert_eq!(got, want, "{c}"),
            None => {
                assert_eq!(c["semtools_answer"], "Sample Size <= 5", "{c}");
                assert!((2..=5).contains(&got), "{c}: {got}");
                at_most_5 += 1;
            }
        }
        // Whatever semTools says, n is the first n above the target.
        let d = design(c);
        assert!(d.power(got).unwrap() > target, "{c}");
        if got > 2 {
            assert!(d.power(got - 1).unwrap() <= target, "{c}");
        }
    }
    assert!(at_most_5 >= 1);
}
