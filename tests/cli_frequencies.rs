//! End-to-end tests of `paraclinic frequencies`, against the pandas
//! value_counts fixture of tests/reference/frequency.py.

use serde_json::Value;
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(file: &str, column: &str, json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paraclinic"));
    cmd.arg("frequencies")
        .arg(format!("{ROOT}/tests/data/frequency/{file}"))
        .args(["--column", column]);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("run paraclinic")
}

#[test]
fn json_matches_pandas_value_counts() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/fixtures/frequency/values.json")).unwrap(),
    )
    .unwrap();
    let expected = &fixture["columns"]["education"];
    let out = run("values.csv", "education", true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["variable"], "education");
    assert_eq!(v["total"], expected["total"]);
    assert_eq!(v["missing"], expected["missing"]);
    let ours = v["categories"].as_array().unwrap();
    let theirs = expected["categories"].as_array().unwrap();
    assert_eq!(ours.len(), 4);
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(a["group"], b["group"]);
        assert_eq!(a["count"], b["count"]);
        let (pa, pb) = (
            a["percent"].as_f64().unwrap(),
            b["percent"].as_f64().unwrap(),
        );
        assert!((pa - pb).abs() < 1e-9, "{pa} vs {pb}");
    }
}

#[test]
fn text_shows_counts_total_and_missing() {
    let out = run("values.csv", "education", false);
    let text = String::from_utf8(out.stdout).unwrap();
    // 57 of 143 non-missing = 39.86 %.
    assert!(text.contains("Bachelor    57   39.9"), "{text}");
    assert!(text.contains("Total      143  100.0"), "{text}");
    assert!(text.contains("7 missing value(s)"), "{text}");
}

fn fails_with(file: &str, column: &str, words: &[&str]) {
    let out = run(file, column, false);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for w in words {
        assert!(err.contains(w), "{err}");
    }
}

#[test]
fn bad_input_exits_2_naming_file_line_column_value() {
    fails_with(
        "values.csv",
        "nope",
        &["values.csv", "\"nope\"", "education"],
    );
    fails_with("ragged.csv", "group", &["ragged.csv", "line 3"]);
    fails_with(
        "all_missing.csv",
        "group",
        &["all_missing.csv", "column \"group\"", "no non-missing"],
    );
    fails_with("does_not_exist.csv", "group", &["does_not_exist.csv"]);
}
