//! Delphi consensus against independent references: fixtures written by
//! tests/reference/delphi.py with numpy (median, percentile 'linear' = type
//! 7, mean, std ddof=1), SciPy (binom.sf, friedmanchisquare, wilcoxon with
//! the normal approximation) and pingouin (Kendall's W).
//!
//! Tolerances: descriptive statistics and CVR 1e-9 absolute; W and χ² 1e-6
//! relative; p-values 1e-4 relative.

use analysis::delphi::{critical_cvr, delphi, Delphi, DelphiOptions};
use analysis::Dataset;
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/delphi/delphi_scipy.json"
);
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/delphi");

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

fn load(name: &str) -> Dataset {
    Dataset::from_path(format!("{DATA}/{name}")).unwrap()
}

fn abs_close(label: &str, got: Option<f64>, want: &Value, tol: f64) {
    match want.as_f64() {
        Some(w) => {
            let g = got.unwrap_or_else(|| panic!("{label}: got null, want {w}"));
            assert!((g - w).abs() <= tol, "{label}: got {g}, want {w}");
        }
        None => assert_eq!(got, None, "{label}: want null"),
    }
}

fn rel_close(label: &str, got: Option<f64>, want: &Value, rel: f64) {
    let w = want.as_f64().unwrap();
    let g = got.unwrap_or_else(|| panic!("{label}: got null"));
    assert!(
        (g - w).abs() <= rel * w.abs(),
        "{label}: got {g:e}, want {w:e}"
    );
}

fn check_round(label: &str, got: &analysis::delphi::RoundSummary, want: &Value) {
    assert_eq!(
        got.n_experts as u64,
        want["n_experts"].as_u64().unwrap(),
        "{label}"
    );
    rel_close(
        &format!("{label} W"),
        got.kendall_w,
        &want["kendall_w"],
        1e-6,
    );
    rel_close(
        &format!("{label} χ²"),
        got.chi_square,
        &want["chi_square"],
        1e-6,
    );
    assert_eq!(got.df.map(|d| d as u64), want["df"].as_u64(), "{label} df");
    rel_close(&format!("{label} p"), got.pvalue, &want["pvalue"], 1e-4);
    let items = want["items"].as_array().unwrap();
    assert_eq!(got.items.len(), items.len());
    for (g, w) in got.items.iter().zip(items) {
        let l = format!("{label} {}", g.item);
        assert_eq!(g.item, w["item"].as_str().unwrap());
        assert_eq!(g.n as u64, w["n"].as_u64().unwrap(), "{l} n");
        for (name, value) in [
            ("median", Some(g.median)),
            ("iqr", Some(g.iqr)),
            ("mean", Some(g.mean)),
            ("sd", g.sd),
            ("cv", g.cv),
            ("agreement", Some(g.agreement)),
            ("cvr", Some(g.cvr)),
            ("cvr_critical", g.cvr_critical),
        ] {
            abs_close(&format!("{l} {name}"), value, &w[name], 1e-9);
        }
        assert_eq!(
            g.consensus,
            w["consensus"].as_bool().unwrap(),
            "{l} consensus"
        );
    }
}

fn three_rounds() -> Delphi {
    let options = DelphiOptions {
        id_column: Some("expert".into()),
        ..Default::default()
    };
    delphi(
        &[load("round1.csv"), load("round2.csv"), load("round3.csv")],
        &options,
    )
    .unwrap()
}

#[test]
fn rounds_match_numpy_scipy_pingouin() {
    let f = fixture();
    let result = three_rounds();
    let rounds = f["rounds"].as_array().unwrap();
    assert_eq!(result.rounds.len(), rounds.len());
    for (g, w) in result.rounds.iter().zip(rounds) {
        check_round(&format!("round {}", g.round), g, w);
    }
}

#[test]
fn stability_matches_scipy_wilcoxon() {
    let f = fixture();
    let result = three_rounds();
    let want = f["stability"].as_array().unwrap();
    assert_eq!(result.stability.len(), want.len());
    for (g, w) in result.stability.iter().zip(want) {
        let l = format!("{} {}→{}", g.item, g.from_round, g.to_round);
        assert_eq!(g.item, w["item"].as_str().unwrap());
        assert_eq!(g.from_round as u64, w["from_round"].as_u64().unwrap());
        assert_eq!(
            g.n_pairs as u64,
            w["n_pairs"].as_u64().unwrap(),
            "{l} pairs"
        );
        abs_close(&format!("{l} ΔCV"), g.cv_change, &w["cv_change"], 1e-9);
        abs_close(
            &format!("{l} W"),
            g.wilcoxon_statistic,
            &w["wilcoxon_statistic"],
            1e-9,
        );
        match w["pvalue"].as_f64() {
            Some(_) => rel_close(&format!("{l} p"), g.pvalue, &w["pvalue"], 1e-4),
            None => assert_eq!(g.pvalue, None, "{l}"),
        }
        assert_eq!(g.stable, w["stable"].as_bool(), "{l} stable");
    }
}

#[test]
fn small_panel_has_no_critical_cvr() {
    let f = fixture();
    let result = delphi(&[load("small_panel.csv")], &DelphiOptions::default()).unwrap();
    check_round("small panel", &result.rounds[0], &f["small_panel"]);
    assert!(result.stability.is_empty());
}

#[test]
fn critical_cvr_matches_scipy_binomial_for_n_1_to_40() {
    let f = fixture();
    for row in f["cvr_critical"].as_array().unwrap() {
        let n = row["n"].as_u64().unwrap() as usize;
        let got = critical_cvr(n, 0.05);
        abs_close(
            &format!("N = {n}"),
            got.map(|c| c.1),
            &row["cvr_critical"],
            1e-12,
        );
        assert_eq!(
            got.map(|c| c.0 as u64),
            row["ne_critical"].as_u64(),
            "N = {n}"
        );
    }
}
