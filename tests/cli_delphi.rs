//! End-to-end tests of `paraclinic delphi`.

use serde_json::Value;

mod common;

use common::paraclinic;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/delphi");

fn temp_csv(name: &str, text: &str) -> String {
    common::tmp_file("delphi", name, text)
}

#[test]
fn json_has_the_contract_keys_and_reference_values() {
    let out = paraclinic(&[
        "delphi",
        &format!("{DATA}/round1.csv"),
        &format!("{DATA}/round2.csv"),
        "--id-column",
        "expert",
        "--json",
    ]);
    let v = common::stdout_json(&out);
    let rounds = v["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    for key in [
        "round",
        "n_experts",
        "kendall_w",
        "chi_square",
        "df",
        "pvalue",
        "items",
    ] {
        assert!(rounds[0].get(key).is_some(), "round key {key}");
    }
    let item = &rounds[0]["items"][0];
    for key in [
        "item",
        "n",
        "median",
        "iqr",
        "mean",
        "sd",
        "cv",
        "agreement",
        "consensus",
        "cvr",
        "cvr_critical",
    ] {
        assert!(item.get(key).is_some(), "item key {key}");
    }
    // Reference (tests/fixtures/delphi/delphi_scipy.json): round 1, W and item1.
    assert_eq!(rounds[0]["n_experts"], 15);
    assert!((rounds[0]["kendall_w"].as_f64().unwrap() - 0.4913441123632206).abs() < 1e-9);
    assert_eq!(rounds[0]["df"], 7);
    assert_eq!(item["item"], "item1");
    assert_eq!(item["median"], 4.0);
    assert_eq!(item["iqr"], 1.0);
    assert_eq!(item["consensus"], true);
    assert!((item["cvr_critical"].as_f64().unwrap() - 0.6).abs() < 1e-12);
    let stability = v["stability"].as_array().unwrap();
    assert_eq!(stability.len(), 8);
    assert_eq!(stability[5]["item"], "item6");
    assert_eq!(stability[5]["stable"], false);
    assert!((stability[5]["pvalue"].as_f64().unwrap() - 0.04550026389635839).abs() < 1e-8);
}

#[test]
fn text_output_states_the_rules() {
    let out = paraclinic(&["delphi", &format!("{DATA}/small_panel.csv")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Consensus rule: consensus when at least 75% of ratings are ≥ 4 and IQR ≤ 1"),
        "{text}"
    );
    assert!(text.contains("Round 1"), "{text}");
}

#[test]
fn scale_and_threshold_options_change_the_verdict() {
    let file = format!("{DATA}/small_panel.csv");
    let out = paraclinic(&["delphi", &file, "--agreement-threshold", "0.8", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Item b has 75 % agreement: consensus at 0.75, not at 0.8.
    assert_eq!(v["rounds"][0]["items"][1]["consensus"], false);
    let out = paraclinic(&["delphi", &file, "--scale-max", "7", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Top-two box on a 1..7 scale is 6 or 7: nobody agrees with item a.
    assert_eq!(v["rounds"][0]["items"][0]["agreement"], 0.0);
}

#[test]
fn out_of_scale_rating_names_line_column_and_value() {
    let path = temp_csv("delphi_bad.csv", "a,b\n5,4\n3,6\n");
    let out = paraclinic(&["delphi", &path]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("line 3") && err.contains("\"b\"") && err.contains("\"6\""),
        "{err}"
    );
}

#[test]
fn text_rating_and_missing_file_are_errors() {
    let path = temp_csv("delphi_text.csv", "a,b\n5,4\nhigh,3\n");
    let out = paraclinic(&["delphi", &path]);
    let err = common::stderr_of_exit_2(&out);
    assert!(err.contains("line 3") && err.contains("high"), "{err}");
    let out = paraclinic(&["delphi", "/nonexistent/round.csv"]);
    assert_eq!(out.status.code(), Some(2));
}
