//! End-to-end tests of `paraclinic frequencies`, against the pandas
//! value_counts fixture of tests/reference/frequency.py.

use std::process::Output;

mod common;

use common::ROOT;

fn run(file: &str, column: &str, json: bool) -> Output {
    let file = format!("{ROOT}/tests/data/frequency/{file}");
    let mut args = vec![file.as_str(), "--column", column];
    if json {
        args.push("--json");
    }
    common::subcommand("frequencies", &args)
}

#[test]
fn json_matches_pandas_value_counts() {
    let fixture = common::read_json("tests/fixtures/frequency/values.json");
    let expected = &fixture["columns"]["education"];
    let out = run("values.csv", "education", true);
    let v = common::stdout_json(&out);
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
    common::assert_fails_with(&run(file, column, false), file, words);
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
