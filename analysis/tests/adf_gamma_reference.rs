//! `analysis::adf_gamma` against lavaan 0.6's `lavInspect(fit, "gamma")` for
//! MLM fits with and without a mean structure, from the fixture written by
//! tests/reference/polychoric.R on tests/data/polychoric/continuous_skewed.csv.
//!
//! Tolerance: 1e-9 relative to the largest entry of Γ (a closed form; the
//! fixture carries 15 significant digits).

use analysis::adf_gamma::adf_gamma;
use analysis::Dataset;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/");

fn check(meanstructure: bool, key: &str) {
    let f: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}fixtures/polychoric/continuous_gamma.json"))
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
    let g = adf_gamma(&data, &names, meanstructure).unwrap();
    let labels: Vec<&str> = f[key]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(g.labels, labels);
    assert_eq!(g.n_cases as f64, f["n"].as_f64().unwrap());
    let gamma = g.gamma();
    let theirs: Vec<Vec<f64>> = f[key]["gamma"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect();
    let scale = theirs.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for r in 0..labels.len() {
        for c in 0..labels.len() {
            let d = (gamma[(r, c)] - theirs[r][c]).abs() / scale;
            assert!(
                d < 1e-9,
                "Γ[{}, {}]: ours {}, lavaan {}",
                labels[r],
                labels[c],
                gamma[(r, c)],
                theirs[r][c]
            );
        }
    }
}

#[test]
fn gamma_of_the_covariances_matches_lavaan() {
    check(false, "covariance_only");
}

#[test]
fn gamma_with_means_matches_lavaan() {
    check(true, "with_means");
}

#[test]
fn bad_input_gets_clear_errors() {
    let data = Dataset::from_csv_str("d.csv", "x,y\n1,\n2,\n3,\n").unwrap();
    let text = adf_gamma(&data, &["x".into(), "y".into()], false)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("d.csv")
            && text.contains("\"y\"")
            && text.contains("missing in every one of the 3 records"),
        "{text}"
    );
    let data = Dataset::from_csv_str("d.csv", "x,y\n1,2\n2,\n").unwrap();
    let text = adf_gamma(&data, &["x".into(), "y".into()], false)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("at least 2 records") && text.contains("found 1"),
        "{text}"
    );
    let text = adf_gamma(&data, &["z".into()], false)
        .unwrap_err()
        .to_string();
    assert!(text.contains("\"z\""), "{text}");
}
