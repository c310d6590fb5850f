//! `analysis::reliability` against two independent references:
//! pingouin `cronbach_alpha` (with SciPy/pandas for item statistics),
//! written by tests/reference/reliability.py, and R's `psych::alpha`, written
//! by tests/reference/reliability.R, from the datasets in
//! tests/data/reliability/.
//!
//! Tolerance: 1e-9 absolute for every quantity (closed forms); R's JSON
//! carries 15 significant digits.

use analysis::reliability::{cronbach_alpha, cronbach_alpha_by_group, ReliabilityReport};
use analysis::{AnalysisError, Dataset};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/reliability/");
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/reliability/"
);
const TOL: f64 = 1e-9;

fn fixture(stem: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{stem}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn report(dataset: &str) -> ReliabilityReport {
    let data = Dataset::from_path(format!("{DATA}{dataset}.csv")).unwrap();
    cronbach_alpha(&data, None).unwrap()
}

fn close(what: &str, ours: f64, reference: &Value) {
    let r = reference
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no reference"));
    assert!(
        (ours - r).abs() <= TOL,
        "{what}: ours {ours}, reference {r}"
    );
}

fn check(dataset: &str, tool: &str) {
    let f = fixture(&format!("{dataset}_{tool}"));
    let rep = report(dataset);
    let at = |q: &str| format!("{dataset} ({tool}): {q}");
    assert_eq!(rep.n as u64, f["n"].as_u64().unwrap(), "{}", at("n"));
    assert_eq!(rep.k as u64, f["k"].as_u64().unwrap(), "{}", at("k"));
    close(&at("alpha"), rep.alpha, &f["alpha"]);
    close(
        &at("standardized alpha"),
        rep.standardized_alpha,
        &f["standardized_alpha"],
    );
    if let Some(r) = f.get("mean_inter_item_r") {
        close(&at("mean r"), rep.mean_inter_item_r, r);
    }
    if let Some(d) = f.get("rows_dropped") {
        assert_eq!(rep.rows_dropped as u64, d.as_u64().unwrap());
    }
    let items = f["items"].as_array().unwrap();
    assert_eq!(rep.items.len(), items.len());
    for (ours, theirs) in rep.items.iter().zip(items) {
        assert_eq!(ours.name, theirs["name"].as_str().unwrap());
        let q = |s: &str| at(&format!("{} {s}", ours.name));
        close(&q("mean"), ours.mean, &theirs["mean"]);
        close(&q("sd"), ours.sd, &theirs["sd"]);
        close(
            &q("item-total r"),
            ours.item_total_r,
            &theirs["item_total_r"],
        );
        close(
            &q("corrected item-total r"),
            ours.corrected_item_total_r,
            &theirs["corrected_item_total_r"],
        );
        match (ours.alpha_if_deleted, theirs["alpha_if_deleted"].is_null()) {
            (Some(a), false) => close(&q("alpha if deleted"), a, &theirs["alpha_if_deleted"]),
            (None, true) => {}
            (a, _) => panic!("{}: ours {a:?}", q("alpha if deleted")),
        }
    }
}

fn check_both(dataset: &str) {
    check(dataset, "pingouin");
    check(dataset, "psych");
}

#[test]
fn likert_items_with_ties_n_200() {
    check_both("likert");
}

#[test]
fn small_n_of_five() {
    check_both("small");
}

#[test]
fn missing_values_are_deleted_listwise() {
    check_both("missing");
    assert_eq!(report("missing").rows_dropped, 5);
}

#[test]
fn two_items_have_null_alpha_if_deleted() {
    check_both("two_items");
}

#[test]
fn reverse_keyed_item_gives_negative_alpha() {
    check_both("reversed");
    assert!(report("reversed").alpha < 0.0);
}

#[test]
fn alpha_per_group_matches_pingouin_per_dimension() {
    let f = fixture("likert_pingouin");
    let groups: Vec<(String, Vec<String>)> = f["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_owned(),
                g["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    let data = Dataset::from_path(format!("{DATA}likert.csv")).unwrap();
    let by_group = cronbach_alpha_by_group(&data, &groups).unwrap();
    assert_eq!(by_group.groups.len(), 2);
    for (ours, theirs) in by_group.groups.iter().zip(f["groups"].as_array().unwrap()) {
        assert_eq!(ours.group, theirs["group"].as_str().unwrap());
        assert_eq!(ours.report.k, 3);
        close(&ours.group, ours.report.alpha, &theirs["alpha"]);
    }
}

#[test]
fn zero_total_variance_is_an_error() {
    let data = Dataset::from_path(format!("{DATA}zero_total.csv")).unwrap();
    let e = cronbach_alpha(&data, None).unwrap_err();
    assert!(matches!(e, AnalysisError::Unsuitable { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("zero_total.csv") && msg.contains("zero total variance"),
        "{msg}"
    );
}

#[test]
fn constant_item_is_an_error_naming_it() {
    let data = Dataset::from_path(format!("{DATA}constant_item.csv")).unwrap();
    let msg = cronbach_alpha(&data, None).unwrap_err().to_string();
    assert!(
        msg.contains("column \"k\"") && msg.contains("constant"),
        "{msg}"
    );
}
