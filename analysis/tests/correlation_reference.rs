//! `analysis::correlation` against SciPy (`pearsonr`, `spearmanr`), NumPy
//! (`corrcoef`) and statsmodels (`variance_inflation_factor` with
//! `add_constant`). The fixtures are written by tests/reference/correlation.py
//! from the datasets in tests/data/correlation/.
//!
//! Tolerances: r and VIF 1e-9 (closed forms; VIF relative), p-values 1e-4
//! relative with an absolute floor of 1e-15 (for |r| within rounding of 1 both
//! tools give p at the level of rounding noise, SciPy often exactly 0).

use analysis::correlation::{correlate, CorrelationOptions, Method, Missing};
use analysis::{AnalysisError, Dataset};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/correlation/");
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/correlation/"
);

/// statsmodels reports an exact dependency as a huge finite VIF (about 1e15)
/// rather than infinity; anything above this counts as infinite.
const INFINITE_VIF: f64 = 1e10;

fn fixture(stem: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{stem}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

fn close_p(ours: f64, reference: f64) -> bool {
    (ours - reference).abs() <= 1e-4 * reference.abs() + 1e-15
}

fn check(stem: &str) {
    let f = fixture(stem);
    let method = match f["method"].as_str().unwrap() {
        "pearson" => Method::Pearson,
        _ => Method::Spearman,
    };
    let missing = match f["missing"].as_str().unwrap() {
        "listwise" => Missing::Listwise,
        _ => Missing::Pairwise,
    };
    let columns: Option<Vec<String>> = f["columns"]
        .as_array()
        .map(|a| a.iter().map(|c| c.as_str().unwrap().to_owned()).collect());
    let data = Dataset::from_path(format!("{DATA}{}", f["dataset"].as_str().unwrap())).unwrap();
    let options = CorrelationOptions {
        method,
        missing,
        ..Default::default()
    };
    let rep = correlate(&data, columns.as_deref(), &options).unwrap();

    let names: Vec<String> = f["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rep.variables, names, "{stem}");
    assert_eq!(rep.n as u64, f["n"].as_u64().unwrap(), "{stem}: n");

    let r_ref = matrix(&f["r"]);
    let p_ref = matrix(&f["pvalues"]);
    let k = names.len();
    for i in 0..k {
        for j in 0..k {
            let (r, p) = (rep.r[i][j], rep.pvalues[i][j]);
            assert!(
                (r - r_ref[i][j]).abs() <= 1e-9,
                "{stem}: r[{i}][{j}] = {r}, reference {}",
                r_ref[i][j]
            );
            assert!(
                close_p(p, p_ref[i][j]),
                "{stem}: p[{i}][{j}] = {p:e}, reference {:e}",
                p_ref[i][j]
            );
            assert!((0.0..=1.0).contains(&p), "{stem}: p out of [0, 1]");
        }
    }

    if missing == Missing::Pairwise {
        let counts = rep.n_pairs.as_ref().expect("n_pairs under pairwise");
        let n_ref = matrix(&f["n_pairs"]);
        for i in 0..k {
            for j in 0..k {
                assert_eq!(
                    counts[i][j] as f64, n_ref[i][j],
                    "{stem}: n_pairs[{i}][{j}]"
                );
            }
        }
    } else {
        assert!(rep.n_pairs.is_none());
    }

    let vif_ref = f["vif"].as_array().unwrap();
    assert_eq!(rep.vif.len(), vif_ref.len(), "{stem}: VIF count");
    for (ours, theirs) in rep.vif.iter().zip(vif_ref) {
        assert_eq!(ours.name, theirs["name"].as_str().unwrap());
        let reference = theirs["vif"].as_f64().unwrap_or(f64::INFINITY);
        if reference > INFINITE_VIF {
            assert_eq!(
                ours.vif, None,
                "{stem}: VIF of {} should be infinite",
                ours.name
            );
            assert_eq!(ours.tolerance, 0.0);
        } else {
            let v = ours
                .vif
                .unwrap_or_else(|| panic!("{stem}: VIF of {} is null", ours.name));
            assert!(
                (v - reference).abs() <= 1e-9 * reference,
                "{stem}: VIF of {} = {v}, statsmodels {reference}",
                ours.name
            );
            assert!((ours.tolerance - 1.0 / reference).abs() <= 1e-9 / reference);
        }
    }

    // Flagged pairs: exactly the pairs with |r| ≥ 0.8 in the reference (the
    // library allows 1e-12 for rounding at the threshold).
    let mut expected = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            if r_ref[i][j].abs() >= 0.8 - 1e-12 {
                expected.push((names[i].clone(), names[j].clone()));
            }
        }
    }
    let got: Vec<(String, String)> = rep
        .flagged
        .iter()
        .map(|f| (f.a.clone(), f.b.clone()))
        .collect();
    assert_eq!(got, expected, "{stem}: flagged pairs");
}

#[test]
fn ties_likert_items() {
    check("ties_pearson_listwise");
    check("ties_spearman_listwise");
}

#[test]
fn small_n_of_four() {
    check("small_pearson_listwise");
    check("small_spearman_listwise");
}

#[test]
fn large_n_150() {
    check("large_pearson_listwise");
    check("large_spearman_listwise");
    check("large_pearson_listwise_cols");
}

#[test]
fn missing_values_listwise_and_pairwise() {
    check("missing_pearson_listwise");
    check("missing_pearson_pairwise");
    check("missing_spearman_pairwise");
}

#[test]
fn near_collinear_set_has_large_finite_vif() {
    check("near_collinear_pearson_listwise");
    check("near_collinear_spearman_listwise");
}

#[test]
fn exact_dependency_reports_infinite_vif() {
    check("singular_pearson_listwise");
}

#[test]
fn r_of_minus_one_has_p_zero_and_no_nan() {
    check("perfect_pearson_listwise");
    check("perfect_spearman_listwise");
    let data = Dataset::from_path(format!("{DATA}perfect.csv")).unwrap();
    let rep = correlate(&data, None, &CorrelationOptions::default()).unwrap();
    // SciPy gives r = -0.9999999999999999 (one rounding step from -1) and
    // p = 0; ours is within the same rounding and p is at noise level.
    assert!(rep.r[0][1] <= -1.0 + 1e-15);
    assert!(rep.pvalues[0][1] < 1e-12);
    assert!(rep.to_json_has_no_nan());
}

#[test]
fn constant_column_is_an_error_naming_it() {
    let data = Dataset::from_path(format!("{DATA}constant.csv")).unwrap();
    let err = correlate(&data, None, &CorrelationOptions::default()).unwrap_err();
    assert!(matches!(err, AnalysisError::Unsuitable { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("constant.csv") && msg.contains("column \"k\""),
        "{msg}"
    );
}

trait NoNan {
    fn to_json_has_no_nan(&self) -> bool;
}

impl NoNan for analysis::correlation::CorrelationReport {
    fn to_json_has_no_nan(&self) -> bool {
        use analysis::Render;
        let json = self.to_json();
        // serde_json writes non-finite floats as null; only VIF may be null.
        let v: Value = serde_json::from_str(&json).unwrap();
        v["r"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap())
            .all(Value::is_f64)
            && v["pvalues"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r.as_array().unwrap())
                .all(Value::is_f64)
    }
}
