//! End-to-end tests of `paraclinic sample-size`. Expected values are the
//! closed forms evaluated by hand here (z = 1.96 cases) or taken from the
//! SciPy fixture (z from the confidence level).

use serde_json::Value;
use std::process::Output;

mod common;

fn run(args: &[&str]) -> Output {
    common::subcommand("sample-size", args)
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    common::stdout_json(&run(&all))
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn defaults_take_z_from_the_confidence_level() {
    let v = json(&[]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        &keys[..12],
        [
            "confidence",
            "z",
            "z_source",
            "proportion",
            "margin",
            "n0",
            "n",
            "population",
            "fpc_n",
            "yamane_n",
            "krejcie_morgan_n",
            "margin_for_n"
        ]
    );
    assert_eq!(v["z_source"], "confidence");
    // scipy.stats.norm.ppf(0.975) = 1.959963984540054; n0 = z² · 0.25 / 0.0025.
    assert!((num(&v, "z") - 1.959_963_984_540_054).abs() < 1e-12);
    assert!((num(&v, "n0") - 384.145_882_069_412_4).abs() < 1e-9);
    assert_eq!(v["n"], 385);
    for key in [
        "population",
        "fpc_n",
        "yamane_n",
        "krejcie_morgan_n",
        "margin_for_n",
    ] {
        assert!(v[key].is_null(), "{key} should be null");
    }
}

#[test]
fn the_papers_384_16_comes_from_z_1_96() {
    let v = json(&[
        "--confidence",
        "0.95",
        "--proportion",
        "0.5",
        "--margin",
        "0.05",
        "--z",
        "1.96",
    ]);
    assert_eq!(v["z_source"], "given");
    // 1.96² · 0.5 · 0.5 / 0.05² = 3.8416 · 0.25 / 0.0025 = 384.16
    assert!((num(&v, "n0") - 384.16).abs() < 1e-9);
    assert_eq!(v["n"], 385);
}

#[test]
fn text_says_which_z_and_where_it_came_from() {
    let out = run(&[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("standard-normal quantile at confidence 0.95"),
        "{text}"
    );
    assert!(text.contains("384.1459"), "{text}");
    assert!(text.contains("n0 = 384.1600"), "{text}");
    let out = run(&["--z", "1.96"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("z = 1.96 (given directly)"), "{text}");
}

#[test]
fn population_gives_corrected_yamane_and_krejcie_morgan() {
    let v = json(&["--z", "1.96", "--population", "1000", "--n", "200"]);
    let n0: f64 = 384.16;
    let fpc = n0 / (1.0 + (n0 - 1.0) / 1000.0); // 277.7647...
    assert!((num(&v, "fpc_n") - fpc).abs() < 1e-9);
    assert_eq!(v["n"], 278);
    assert_eq!(v["population"], 1000);
    // Yamane: 1000 / (1 + 1000 · 0.0025) = 1000 / 3.5
    assert!((num(&v, "yamane_n") - 1000.0 / 3.5).abs() < 1e-9);
    assert_eq!(v["yamane_n_ceil"], 286);
    // Krejcie–Morgan's χ²(1) is z², here the given z's: 1.96² = 3.8416
    // (from --confidence it would be 3.841458820694124).
    let chi2 = 1.96 * 1.96;
    assert!((num(&v, "chi_square") - chi2).abs() < 1e-12);
    let km = chi2 * 1000.0 * 0.25 / (0.0025 * 999.0 + chi2 * 0.25);
    assert!((num(&v, "krejcie_morgan_n") - km).abs() < 1e-9);
    assert_eq!(v["krejcie_morgan_n_ceil"], 278);
    // e = 1.96 · √(0.25 / 200) · √(800 / 999)
    let e = 1.96 * (0.25f64 / 200.0).sqrt() * (800.0f64 / 999.0).sqrt();
    assert!((num(&v, "margin_for_n") - e).abs() < 1e-12);
}

#[test]
fn inverse_without_population() {
    let v = json(&["--z", "1.96", "--n", "385"]);
    let e = 1.96 * (0.25f64 / 385.0).sqrt(); // 0.049944...
    assert!((num(&v, "margin_for_n") - e).abs() < 1e-12);
    assert!(v["fpc_n"].is_null());
}

fn fails_with(args: &[&str], words: &[&str]) {
    common::assert_fails_with(&run(args), &format!("{args:?}"), words);
}

#[test]
fn bad_parameters_exit_2_with_a_clear_message() {
    fails_with(
        &["--confidence", "1"],
        &["confidence", "1", "between 0 and 1"],
    );
    fails_with(&["--confidence", "0"], &["confidence"]);
    fails_with(
        &["--proportion", "1.5"],
        &["proportion", "1.5", "between 0 and 1"],
    );
    fails_with(&["--margin", "0"], &["margin", "0", "between 0 and 1"]);
    fails_with(&["--margin", "abc"], &["--margin", "abc"]);
    fails_with(
        &["--population", "12.5"],
        &["--population", "12.5", "whole number"],
    );
    fails_with(
        &["--population", "0"],
        &["--population", "\"0\"", "whole number"],
    );
    fails_with(&["--population", "-3"], &["--population", "-3"]);
    fails_with(&["--z", "-1"], &["z", "-1", "positive"]);
    fails_with(&["--margin", "-0.1"], &["margin", "-0.1"]);
    fails_with(&["--n", "0"], &["--n", "whole number"]);
    fails_with(
        &["--population", "100", "--n", "200"],
        &["200", "at most the population size 100"],
    );
}

// `--sem`: expected values from semTools (tests/fixtures/sample_size/sem_semtools.json,
// written by tests/reference/sem_sample_size.R), quoted where used.

#[test]
fn sem_json_keeps_the_contract_keys_first() {
    // findRMSEAsamplesize(0.05, 0.08, df = 335, power = 0.8, alpha = 0.05) = 62.
    let v = json(&["--sem", "--df", "335"]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        &keys[..6],
        ["df", "rmsea0", "rmsea1", "alpha", "n", "power"]
    );
    assert_eq!(v["df"], 335);
    assert_eq!((num(&v, "rmsea0"), num(&v, "rmsea1")), (0.05, 0.08));
    assert_eq!((num(&v, "alpha"), num(&v, "power")), (0.05, 0.8));
    assert_eq!(v["n"], 62);
    assert_eq!(v["solved_for"], "n");
    assert_eq!(v["test"], "close_fit");
    assert!(num(&v, "achieved_power") > 0.8 && num(&v, "power_at_n_minus_1") <= 0.8);
}

#[test]
fn sem_power_for_a_given_n() {
    // findRMSEApower(0.05, 0.08, df = 100, n = 132) = 0.802202724954.
    let v = json(&["--sem", "--df", "100", "--n", "132"]);
    assert_eq!(v["n"], 132);
    assert_eq!(v["solved_for"], "power");
    assert!((num(&v, "power") - 0.802_202_724_954).abs() < 1e-9);
    // λ0 = 131 · 100 · 0.05², λ1 = 131 · 100 · 0.08².
    assert!((num(&v, "ncp0") - 32.75).abs() < 1e-9);
    assert!((num(&v, "ncp1") - 83.84).abs() < 1e-9);
}

#[test]
fn sem_not_close_fit_with_all_options() {
    // findRMSEAsamplesize(0.05, 0.01, df = 20, power = 0.9, alpha = 0.05) = 579
    // (not in the fixture: semTools 0.5.6 run by hand).
    let v = json(&[
        "--sem", "--df", "20", "--rmsea0", "0.05", "--rmsea1", "0.01", "--power", "0.9", "--alpha",
        "0.05",
    ]);
    assert_eq!(v["n"], 579);
    assert_eq!(v["test"], "not_close_fit");
}

#[test]
fn sem_text_says_what_it_computes() {
    let out = run(&["--sem", "--df", "335"]);
    common::assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    for words in [
        "Minimum sample size for an SEM: test of close fit",
        "MacCallum, Browne & Sugawara 1996",
        "RMSEA ≤ 0.05",
        "minimum n                        62",
        "not from data",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let out = run(&["--sem", "--df", "335", "--n", "100"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Power of an SEM's test of close fit"),
        "{text}"
    );
}

#[test]
fn sem_bad_input_exit_2_with_a_clear_message() {
    fails_with(&["--sem"], &["--df", "degrees of freedom"]);
    fails_with(&["--sem", "--df", "0"], &["--df", "\"0\"", "1 to 1e6"]);
    fails_with(&["--sem", "--df", "2.5"], &["--df", "2.5"]);
    fails_with(
        &["--sem", "--df", "10", "--rmsea0", "-0.01"],
        &["--rmsea0", "-0.01", "0 to 1"],
    );
    fails_with(
        &["--sem", "--df", "10", "--rmsea1", "0.05"],
        &["--rmsea1", "different from rmsea0"],
    );
    fails_with(
        &["--sem", "--df", "10", "--power", "0.04"],
        &["--power", "0.04", "above alpha = 0.05"],
    );
    fails_with(&["--sem", "--df", "10", "--power", "1"], &["--power", "1"]);
    fails_with(
        &["--sem", "--df", "10", "--n", "1"],
        &["--n", "\"1\"", "2 to 1e9"],
    );
    fails_with(
        &["--sem", "--df", "10", "--alpha", "NaN"],
        &["--alpha", "NaN"],
    );
    fails_with(
        &["--sem", "--df", "1", "--rmsea1", "0.0500001"],
        &["1e9", "too close"],
    );
    // Options of the other calculation, or of --sem without it, are refused.
    fails_with(
        &["--sem", "--df", "10", "--margin", "0.1"],
        &["--sem", "--margin"],
    );
    fails_with(&["--df", "10"], &["--sem"]);
    fails_with(
        &["--sem", "--df", "10", "--n", "100", "--power", "0.8"],
        &["--power", "--n"],
    );
}
