//! End-to-end tests of `paraclinic correlate`. Expected numbers come from the
//! SciPy/statsmodels fixtures in tests/fixtures/correlation/.

use serde_json::Value;
use std::process::Output;

mod common;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/correlation/");

fn run(args: &[&str]) -> Output {
    common::subcommand("correlate", args)
}

fn json(args: &[&str]) -> Value {
    common::stdout_json(&run(args))
}

fn fixture(stem: &str) -> Value {
    common::read_json(&format!("tests/fixtures/correlation/{stem}.json"))
}

fn data(name: &str) -> String {
    format!("{DATA}{name}")
}

#[test]
fn json_has_the_contract_keys_and_scipy_values() {
    let v = json(&[&data("near_collinear.csv"), "--json"]);
    for key in [
        "method",
        "n",
        "variables",
        "r",
        "pvalues",
        "vif",
        "flagged",
        "threshold",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["method"], "pearson");
    assert_eq!(v["threshold"], 0.8);
    let f = fixture("near_collinear_pearson_listwise");
    assert_eq!(v["n"], f["n"]);
    assert_eq!(v["variables"], f["variables"]);
    let r = v["r"][2][4].as_f64().unwrap();
    let r_ref = f["r"][2][4].as_f64().unwrap();
    assert!((r - r_ref).abs() < 1e-9, "{r} vs {r_ref}");
    let vif = &v["vif"][3];
    assert_eq!(vif["name"], "x4");
    let (ours, theirs) = (
        vif["vif"].as_f64().unwrap(),
        f["vif"][3]["vif"].as_f64().unwrap(),
    );
    assert!((ours - theirs).abs() < 1e-9 * theirs);
    assert!((vif["tolerance"].as_f64().unwrap() - 1.0 / theirs).abs() < 1e-12);
    // x3–x5 is the only pair above 0.8.
    let flagged = v["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["a"], "x3");
    assert_eq!(flagged[0]["b"], "x5");
    for key in ["r", "pvalue"] {
        assert!(flagged[0][key].is_f64());
    }
}

#[test]
fn spearman_pairwise_with_columns_and_threshold() {
    let v = json(&[
        &data("missing.csv"),
        "--method",
        "spearman",
        "--missing",
        "pairwise",
        "--columns",
        "a,b",
        "--threshold",
        "0.35",
        "--json",
    ]);
    assert_eq!(v["method"], "spearman");
    assert_eq!(v["variables"], serde_json::json!(["a", "b"]));
    let f = fixture("missing_spearman_pairwise");
    let r_ref = f["r"][0][1].as_f64().unwrap();
    let p_ref = f["pvalues"][0][1].as_f64().unwrap();
    assert!((v["r"][0][1].as_f64().unwrap() - r_ref).abs() < 1e-9);
    assert!((v["pvalues"][0][1].as_f64().unwrap() - p_ref).abs() < 1e-4 * p_ref);
    assert_eq!(v["n_pairs"][0][1], f["n_pairs"][0][1]);
    // r(a, b) ≈ 0.376 is flagged at 0.35.
    assert!(r_ref.abs() >= 0.35);
    assert_eq!(v["flagged"].as_array().unwrap().len(), 1);
    assert_eq!(v["threshold"], 0.35);
}

#[test]
fn exact_collinearity_gives_null_vif_and_a_note() {
    let v = json(&[&data("singular.csv"), "--json"]);
    for i in 0..3 {
        assert!(v["vif"][i]["vif"].is_null());
        assert_eq!(v["vif"][i]["tolerance"], 0.0);
    }
    assert!(v["vif"][3]["vif"].is_f64());
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("\"a\", \"b\", \"c\""));
}

#[test]
fn text_output_shows_matrix_vif_and_flagged_pairs() {
    let out = run(&[&data("near_collinear.csv")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Pearson correlations"));
    assert!(text.contains("0.936***"));
    assert!(text.contains("Collinearity"));
    assert!(text.contains("1044.757"));
    assert!(text.contains("Pairs with |r| ≥ 0.8"));
}

#[test]
fn constant_column_fails_with_exit_2_naming_it() {
    let out = run(&[&data("constant.csv")]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("constant.csv") && err.contains("column \"k\""),
        "{err}"
    );
}

#[test]
fn text_cell_fails_with_line_column_and_value() {
    let dir = common::TempDir::new("correlate-text-cell");
    let out = run(&[&dir.file("bad.csv", "x,y\n1,2\n2,3\n3,oops\n4,4\n")]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("line 4") && err.contains("column \"y\"") && err.contains("\"oops\""),
        "{err}"
    );
}

#[test]
fn threshold_out_of_range_fails_with_exit_2() {
    let out = run(&[&data("small.csv"), "--threshold", "1.2"]);
    let err = common::stderr_of_exit_2(&out);
    assert!(err.contains("threshold") && err.contains("1.2"), "{err}");
}
