//! End-to-end tests of `paraclinic reliability`. Expected numbers come from
//! the pingouin and psych fixtures in tests/fixtures/reliability/.

use serde_json::Value;
use std::process::Output;

mod common;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reliability/");

fn run(args: &[&str]) -> Output {
    common::subcommand("reliability", args)
}

fn json(args: &[&str]) -> Value {
    common::stdout_json(&run(args))
}

fn fixture(stem: &str) -> Value {
    common::read_json(&format!("tests/fixtures/reliability/{stem}.json"))
}

fn close(a: &Value, b: &Value) -> bool {
    (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9
}

#[test]
fn json_has_the_contract_keys_and_psych_values() {
    let v = json(&[&format!("{DATA}missing.csv"), "--json"]);
    for key in ["n", "k", "alpha", "standardized_alpha", "items"] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    let f = fixture("missing_psych");
    assert_eq!(v["n"], f["n"]);
    assert_eq!(v["k"], 4);
    assert!(close(&v["alpha"], &f["alpha"]));
    assert!(close(&v["standardized_alpha"], &f["standardized_alpha"]));
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    for (ours, theirs) in items.iter().zip(f["items"].as_array().unwrap()) {
        assert_eq!(ours["name"], theirs["name"]);
        for key in [
            "mean",
            "sd",
            "item_total_r",
            "corrected_item_total_r",
            "alpha_if_deleted",
        ] {
            assert!(close(&ours[key], &theirs[key]), "{key}");
        }
    }
}

#[test]
fn columns_select_the_items() {
    let v = json(&[
        &format!("{DATA}likert.csv"),
        "--columns",
        "trust_1,trust_2,trust_3",
        "--json",
    ]);
    assert_eq!(v["k"], 3);
    let f = fixture("likert_pingouin");
    let trust = &f["groups"][1];
    assert_eq!(trust["group"], "trust");
    assert!(close(&v["alpha"], &trust["alpha"]));
    assert_eq!(v["items"][0]["name"], "trust_1");
}

#[test]
fn text_output_shows_alpha_and_item_table() {
    let out = run(&[&format!("{DATA}missing.csv")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Cronbach's alpha"));
    assert!(text.contains("0.749"));
    assert!(text.contains("5 dropped"));
    assert!(text.contains("alpha if deleted"));
}

#[test]
fn zero_total_variance_fails_with_exit_2() {
    let out = run(&[&format!("{DATA}zero_total.csv")]);
    let err = common::stderr_of_exit_2(&out);
    assert!(err.contains("zero total variance"), "{err}");
}

#[test]
fn single_item_fails_with_exit_2() {
    let out = run(&[&format!("{DATA}small.csv"), "--columns", "i1"]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("at least 2 items") && err.contains("\"i1\""),
        "{err}"
    );
}

#[test]
fn text_cell_fails_with_line_column_and_value() {
    let dir = common::TempDir::new("reliability-text-cell");
    let out = run(&[&dir.file("bad.csv", "a,b,c\n1,2,3\n2,x3,3\n3,4,5\n")]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("line 3") && err.contains("column \"b\"") && err.contains("\"x3\""),
        "{err}"
    );
}
