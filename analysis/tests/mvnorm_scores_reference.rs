//! `analysis::mvnorm_scores` against lavaan 0.6's
//! `lav_mvnorm_information_firstorder` (the first-order information behind
//! MLR), from the fixture written by tests/reference/polychoric.R on
//! tests/data/polychoric/continuous_skewed.csv: at the sample moments with
//! and without means, and at the moments implied by an MLR fit.
//!
//! Tolerance: 1e-9 relative to the largest entry (closed forms; the fixture
//! carries 15 significant digits).

use analysis::mvnorm_scores::{casewise_scores, first_order_information};
use analysis::Dataset;
use nalgebra::DMatrix;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/");

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> DMatrix<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(numbers).collect();
    DMatrix::from_fn(rows.len(), rows[0].len(), |r, c| rows[r][c])
}

#[test]
fn first_order_information_matches_lavaan() {
    let f: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}fixtures/polychoric/mvnorm_first_order.json"))
            .unwrap(),
    )
    .unwrap();
    let names: Vec<String> = f["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let data = Dataset::from_path(format!("{ROOT}data/polychoric/continuous_skewed.csv")).unwrap();
    let (rows, _) = data.complete_rows(&names).unwrap();
    let cases = f["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let mean = numbers(&case["mean"]);
        let cov = matrix(&case["covariance"]);
        let meanstructure = case["meanstructure"].as_bool().unwrap();
        let scores = casewise_scores(&rows, &mean, &cov, meanstructure).unwrap();
        let ours = first_order_information(&scores);
        let theirs = matrix(&case["information"]);
        assert_eq!(ours.shape(), theirs.shape(), "{name}");
        let scale = theirs.amax();
        let worst = (&ours - &theirs).amax() / scale;
        assert!(
            worst < 1e-9,
            "{name}: largest difference {worst:e} of the largest entry"
        );
    }
}

#[test]
fn bad_input_gets_clear_errors() {
    let rows = vec![vec![1.0, 2.0], vec![2.0, 1.0]];
    let singular = DMatrix::from_element(2, 2, 1.0);
    let text = casewise_scores(&rows, &[0.0, 0.0], &singular, true)
        .unwrap_err()
        .to_string();
    assert!(text.contains("not positive definite"), "{text}");
    let text = casewise_scores(&rows, &[0.0], &singular, true)
        .unwrap_err()
        .to_string();
    assert!(text.contains("2 × 2") && text.contains("1 × 1"), "{text}");
    let text = casewise_scores(&[vec![1.0]], &[0.0, 0.0], &DMatrix::identity(2, 2), false)
        .unwrap_err()
        .to_string();
    assert!(text.contains("2 values per row"), "{text}");
    let text = casewise_scores(&[], &[0.0], &DMatrix::identity(1, 1), false)
        .unwrap_err()
        .to_string();
    assert!(text.contains("no rows"), "{text}");
}
