//! End-to-end tests of `paraclinic normality`: JSON keys and values against
//! the SciPy/statsmodels fixtures (statistics 1e-9 relative, p-values 1e-4
//! relative), text output, and exit code 2 with a precise message on bad input.

use serde_json::Value;
use std::process::Output;

mod common;

use common::stdout_json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/normality/");

fn paraclinic(args: &[&str]) -> Output {
    common::subcommand("normality", args)
}

/// Stderr of a run that must fail with exit code 2 and print nothing on stdout.
fn stderr_of_failure(out: &Output) -> String {
    assert!(out.stdout.is_empty());
    common::stderr_of_exit_2(out)
}

fn fixture(name: &str) -> Value {
    common::read_json(&format!("tests/fixtures/normality/{name}"))
}

fn close(got: &Value, want: &Value, rel: f64) -> bool {
    match (got.as_f64(), want.as_f64()) {
        (Some(g), Some(w)) => ((g - w) / w).abs() <= rel,
        _ => got.is_null() && want.is_null(),
    }
}

const CONTRACT_KEYS: [&str; 9] = [
    "name",
    "n",
    "ks_statistic",
    "ks_pvalue",
    "lilliefors_pvalue",
    "shapiro_w",
    "shapiro_pvalue",
    "skewness",
    "kurtosis",
];

#[test]
fn json_has_the_contract_keys_and_scipy_values() {
    let file = format!("{DATA}normal.csv");
    let out = paraclinic(&[&file, "--columns", "n3,n20,n385", "--json"]);
    let json = stdout_json(&out);
    let vars = json["variables"].as_array().unwrap();
    let names: Vec<&str> = vars.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["n3", "n20", "n385"]);
    let fx = fixture("normal.json");
    for v in vars {
        for key in CONTRACT_KEYS {
            assert!(v.get(key).is_some(), "missing key {key} in {v}");
        }
        let want = &fx["variables"][v["name"].as_str().unwrap()];
        assert_eq!(v["n"], want["n"]);
        for (key, rel) in [
            ("ks_statistic", 1e-9),
            ("ks_pvalue", 1e-4),
            ("lilliefors_pvalue", 1e-4),
            ("shapiro_w", 1e-9),
            ("shapiro_pvalue", 1e-4),
            ("skewness", 1e-9),
            ("kurtosis", 1e-9),
        ] {
            assert!(
                close(&v[key], &want[key], rel),
                "{key}: {} vs {}",
                v[key],
                want[key]
            );
        }
    }
    // n = 3: no Lilliefors table and no kurtosis: null with a note, never NaN.
    assert!(vars[0]["lilliefors_pvalue"].is_null());
    assert!(vars[0]["kurtosis"].is_null());
    assert!(vars[0]["note"].as_str().unwrap().contains("Lilliefors"));
    assert_eq!(vars[0]["n"], 3);
}

#[test]
fn likert_data_report_their_ties() {
    let out = paraclinic(&[&format!("{DATA}likert.csv"), "--columns", "agree", "--json"]);
    let json = stdout_json(&out);
    let v = &json["variables"][0];
    let want = &fixture("likert.json")["variables"]["agree"];
    assert_eq!(v["n"], 385);
    assert_eq!(v["ties"], 380);
    assert!(close(&v["ks_statistic"], &want["ks_statistic"], 1e-9));
    assert!(close(&v["ks_pvalue"], &want["ks_pvalue"], 1e-4));
    assert!(v["note"]
        .as_str()
        .unwrap()
        .contains("continuous distribution"));
}

#[test]
fn missing_values_are_dropped_per_variable() {
    let out = paraclinic(&[&format!("{DATA}missing.csv"), "--json"]);
    let json = stdout_json(&out);
    let fx = fixture("missing.json");
    for v in json["variables"].as_array().unwrap() {
        let want = &fx["variables"][v["name"].as_str().unwrap()];
        assert_eq!(v["n"], want["n"]);
        assert_eq!(v["n_missing"], want["n_missing"]);
        assert!(close(&v["shapiro_pvalue"], &want["shapiro_pvalue"], 1e-4));
    }
}

#[test]
fn more_than_5000_values_gives_null_shapiro_wilk_with_a_note() {
    let json = stdout_json(&paraclinic(&[&format!("{DATA}large.csv"), "--json"]));
    let v = &json["variables"][0];
    assert_eq!(v["n"], 6000);
    assert!(v["shapiro_w"].is_null() && v["shapiro_pvalue"].is_null());
    assert!(v["note"].as_str().unwrap().contains("5000"));
    assert!(v["ks_pvalue"].as_f64().is_some());
}

#[test]
fn text_output_is_a_table() {
    let out = paraclinic(&[&format!("{DATA}skewed.csv"), "--columns", "lognormal30"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Shapiro–Wilk W"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("lognormal30") && l.contains(" 30 ")),
        "{text}"
    );
}

#[test]
fn constant_column_fails_naming_it() {
    let err = stderr_of_failure(&paraclinic(&[&format!("{DATA}constant.csv")]));
    assert!(err.starts_with("paraclinic: error: "), "{err}");
    assert!(err.contains("column \"same\""), "{err}");
    assert!(err.contains("standard deviation is zero"), "{err}");
}

#[test]
fn text_in_a_numeric_column_names_line_column_and_value() {
    let dir = common::TempDir::new("normality-text");
    let csv = dir.file("text.csv", "a,b\n1.5,2\n2.5,3\n3.1,abc\n4.2,5\n");
    let err = stderr_of_failure(&paraclinic(&[&csv, "--columns", "a,b"]));
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("column \"b\""), "{err}");
    assert!(err.contains("found \"abc\""), "{err}");
}

#[test]
fn a_label_column_without_columns_is_an_error_with_a_hint() {
    let dir = common::TempDir::new("normality-labels");
    let csv = dir.file("labels.csv", "group,score\nx,1\ny,2\nz,4\nw,3\n");
    let err = stderr_of_failure(&paraclinic(&[&csv]));
    assert!(
        err.contains("line 2") && err.contains("column \"group\""),
        "{err}"
    );
    assert!(err.contains("--columns"), "{err}");
    // Selecting the numeric column works.
    let json = stdout_json(&paraclinic(&[&csv, "--columns", "score", "--json"]));
    assert_eq!(json["variables"][0]["n"], 4);
}

#[test]
fn unknown_column_lists_the_known_ones() {
    let err = stderr_of_failure(&paraclinic(&[
        &format!("{DATA}missing.csv"),
        "--columns",
        "x,zz",
    ]));
    assert!(err.contains("found \"zz\""), "{err}");
    assert!(err.contains("one of the columns x, y"), "{err}");
}

#[test]
fn a_missing_file_is_an_error() {
    let err = stderr_of_failure(&paraclinic(&["/nonexistent/normality.csv"]));
    assert!(err.contains("/nonexistent/normality.csv"), "{err}");
}
