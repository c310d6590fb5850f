//! `analysis::normality` against SciPy 1.17, statsmodels 0.15 and R 4.2
//! (fixtures written by `python3 tests/reference/normality.py`).
//!
//! Tolerances:
//! * statistics (D, W, mean, sd, skewness, kurtosis): 1e-9 relative (all are
//!   closed forms of the data; SciPy and we differ only in rounding);
//! * p-values against SciPy/statsmodels: 1e-4 relative, at every magnitude
//!   (the fixtures reach 1e-80; a relative test is a test of ln p to 1e-4);
//!   p-values below 1e-300 must both be below 1e-300;
//! * the distribution grid (kstwo, kolmogorov, smirnov): 1e-9 relative for
//!   values above 1e-300 (the same algorithms as SciPy);
//! * against R: Shapiro–Wilk W 1e-6 relative and p 1e-3 relative, because R
//!   computes the AS R94 coefficients with the exact normal quantile where
//!   AS R94 (and SciPy, and we) use AS 111; the KS exact p 1e-4 relative; R's
//!   asymptotic KS p 1e-5 absolute (R sums the series to tol = 1e-6).

use analysis::normality::{
    kolmogorov_sf, ks_exact_cdf, ks_exact_sf, ks_normal, lilliefors, normality, shapiro_wilk,
    smirnov_sf,
};
use analysis::Dataset;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/normality/");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/normality/");

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{name}")).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    if want.abs() < 1e-300 {
        assert!(got.abs() < 1e-300, "{what}: got {got:e}, want {want:e}");
        return;
    }
    let err = ((got - want) / want).abs();
    assert!(
        err <= rel,
        "{what}: got {got:e}, want {want:e} (relative error {err:e} > {rel:e})"
    );
}

fn assert_opt(what: &str, got: Option<f64>, want: &Value, rel: f64) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => assert_rel(what, g, w, rel),
        (None, None) => {}
        (g, _) => panic!("{what}: got {g:?}, want {want}"),
    }
}

const STAT: f64 = 1e-9;
const PVAL: f64 = 1e-4;

/// Every variable of a dataset, through the whole pipeline (CSV reading,
/// missing values, report) and through the single-variable functions.
fn check_dataset(name: &str) -> usize {
    let fx = fixture(&format!("{name}.json"));
    let data = Dataset::from_path(format!("{DATA}{name}.csv")).unwrap();
    let vars = fx["variables"].as_object().unwrap();
    let columns: Vec<String> = vars.keys().cloned().collect();
    let report = normality(&data, Some(&columns)).unwrap();
    assert_eq!(report.variables.len(), vars.len());
    for (v, (col, want)) in report.variables.iter().zip(vars) {
        let at = |s: &str| format!("{name}.{col} {s}");
        assert_eq!(&v.name, col);
        assert_eq!(v.n as u64, want["n"].as_u64().unwrap(), "{}", at("n"));
        assert_eq!(
            v.n_missing as u64,
            want["n_missing"].as_u64().unwrap(),
            "{}",
            at("n_missing")
        );
        assert_eq!(
            v.ties as u64,
            want["ties"].as_u64().unwrap(),
            "{}",
            at("ties")
        );
        assert_rel(&at("mean"), v.mean, want["mean"].as_f64().unwrap(), STAT);
        assert_rel(&at("sd"), v.sd, want["sd"].as_f64().unwrap(), STAT);
        assert_rel(
            &at("D"),
            v.ks_statistic,
            want["ks_statistic"].as_f64().unwrap(),
            STAT,
        );
        assert_rel(
            &at("KS p"),
            v.ks_pvalue,
            want["ks_pvalue"].as_f64().unwrap(),
            PVAL,
        );
        assert_rel(
            &at("KS asymptotic p"),
            v.ks_pvalue_asymptotic,
            want["ks_pvalue_asymptotic"].as_f64().unwrap(),
            PVAL,
        );
        assert_opt(
            &at("Lilliefors p"),
            v.lilliefors_pvalue,
            &want["lilliefors_pvalue"],
            PVAL,
        );
        assert_opt(&at("W"), v.shapiro_w, &want["shapiro_w"], STAT);
        assert_opt(&at("SW p"), v.shapiro_pvalue, &want["shapiro_pvalue"], PVAL);
        assert_opt(&at("skewness"), v.skewness, &want["skewness"], STAT);
        assert_opt(&at("kurtosis"), v.kurtosis, &want["kurtosis"], STAT);
        if v.shapiro_w.is_none() || v.lilliefors_pvalue.is_none() {
            assert!(v.note.is_some(), "{}", at("note for a null"));
        }

        // The single-variable API gives the same numbers.
        let x = data.numeric_values(col).unwrap();
        let ks = ks_normal(&x).unwrap();
        assert_eq!(ks.statistic, v.ks_statistic);
        if let Some(ld) = want["lilliefors_statistic"].as_f64() {
            let l = lilliefors(&x).unwrap();
            assert_rel(&at("Lilliefors D"), l.statistic, ld, STAT);
            assert_eq!(Some(l.pvalue), v.lilliefors_pvalue);
        } else {
            assert!(lilliefors(&x).is_err());
        }
        match want["shapiro_w"].as_f64() {
            Some(_) => assert_eq!(Some(shapiro_wilk(&x).unwrap().w), v.shapiro_w),
            None => assert!(shapiro_wilk(&x).is_err()),
        }

        // R, where the fixture has it.
        if let Some(r) = want.get("r") {
            if let Some(w) = r["shapiro_w"].as_f64() {
                assert_rel(&at("W vs R"), v.shapiro_w.unwrap(), w, 1e-6);
                assert_rel(
                    &at("SW p vs R"),
                    v.shapiro_pvalue.unwrap(),
                    r["shapiro_pvalue"].as_f64().unwrap(),
                    1e-3,
                );
            }
            assert_rel(
                &at("D vs R"),
                v.ks_statistic,
                r["ks_statistic"].as_f64().unwrap(),
                STAT,
            );
            let rp = r["ks_pvalue"].as_f64().unwrap();
            if r["ks_method"] == "exact" {
                assert_rel(&at("KS exact p vs R"), v.ks_pvalue, rp, PVAL);
            } else {
                let err = (v.ks_pvalue_asymptotic - rp).abs();
                assert!(
                    err < 1e-5,
                    "{}: {} vs R {rp}",
                    at("KS asymptotic p vs R"),
                    v.ks_pvalue_asymptotic
                );
            }
        }
    }
    vars.len()
}

#[test]
fn normal_samples_of_every_size() {
    assert_eq!(check_dataset("normal"), 10);
}

#[test]
fn skewed_and_heavy_tailed_samples() {
    assert_eq!(check_dataset("skewed"), 6);
}

#[test]
fn likert_items_with_heavy_ties() {
    assert_eq!(check_dataset("likert"), 4);
}

#[test]
fn missing_values_as_empty_cells_and_na() {
    assert_eq!(check_dataset("missing"), 2);
}

#[test]
fn more_than_5000_values_leaves_shapiro_wilk_null() {
    assert_eq!(check_dataset("large"), 1);
    let data = Dataset::from_path(format!("{DATA}large.csv")).unwrap();
    let r = normality(&data, None).unwrap();
    assert!(r.variables[0].shapiro_w.is_none());
    assert!(r.variables[0].note.as_deref().unwrap().contains("5000"));
}

#[test]
fn constant_column_is_an_error_naming_it() {
    assert_eq!(check_dataset("constant"), 1);
    let data = Dataset::from_path(format!("{DATA}constant.csv")).unwrap();
    let e = normality(&data, None).unwrap_err().to_string();
    assert!(
        e.contains("column \"same\"") && e.contains("standard deviation is zero"),
        "{e}"
    );
}

#[test]
fn kolmogorov_distributions_match_scipy_on_a_grid() {
    let fx = fixture("distributions.json");
    let mut count = 0;
    for c in fx["kstwo"].as_array().unwrap() {
        let (n, d) = (c["n"].as_u64().unwrap(), c["d"].as_f64().unwrap());
        let what = format!("kstwo n={n} d={d}");
        assert_rel(
            &format!("{what} sf"),
            ks_exact_sf(n, d),
            c["sf"].as_f64().unwrap(),
            STAT,
        );
        assert_rel(
            &format!("{what} cdf"),
            ks_exact_cdf(n, d),
            c["cdf"].as_f64().unwrap(),
            STAT,
        );
        count += 1;
    }
    for c in fx["kolmogorov"].as_array().unwrap() {
        let z = c["z"].as_f64().unwrap();
        assert_rel(
            &format!("kolmogorov z={z}"),
            kolmogorov_sf(z),
            c["sf"].as_f64().unwrap(),
            STAT,
        );
        count += 1;
    }
    for c in fx["smirnov"].as_array().unwrap() {
        let (n, d) = (c["n"].as_u64().unwrap(), c["d"].as_f64().unwrap());
        assert_rel(
            &format!("smirnov n={n} d={d}"),
            smirnov_sf(n, d),
            c["sf"].as_f64().unwrap(),
            STAT,
        );
        count += 1;
    }
    assert!(count > 250);
}
