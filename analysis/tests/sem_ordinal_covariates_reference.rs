//! Ordered indicators with observed exogenous covariates (lavaan's
//! `conditional.x = TRUE`) against lavaan 0.6.14 fixtures
//! (tests/reference/sem_ordinal_covariates.R).

mod common;

use analysis::data::Dataset;
use analysis::polychoric_covariates::ConditionalPolychoric;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_ordinal_covariates/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Residual thresholds, slopes and residual polychorics of the MIMIC
/// model's six items given age and female (lavInspect "sampstat"): 1e-6
/// absolute (Newton fits converged to ~1e-10).
#[test]
fn residual_thresholds_slopes_and_polychorics_match_lavaan() {
    let fx = fixture("sample_statistics");
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let column = |n: &String| (n.clone(), data.numeric_column(n).unwrap());
    let ordered = strings(&fx["ordered"]);
    let covariates = strings(&fx["covariates"]);
    let fit = ConditionalPolychoric::estimate(
        &data.source,
        ordered.iter().map(column).collect(),
        covariates.iter().map(column).collect(),
    )
    .unwrap();
    let ours_th: Vec<f64> = fit.thresholds.concat();
    let theirs_th = numbers(&fx["res_th"]);
    assert_eq!(ours_th.len(), theirs_th.len());
    let mut worst = 0.0f64;
    let mut check = |what: String, a: f64, b: f64| {
        let d = (a - b).abs();
        worst = worst.max(d);
        assert!(d < 1e-6, "{what}: ours {a} lavaan {b}");
    };
    for (i, (a, b)) in ours_th.iter().zip(&theirs_th).enumerate() {
        check(format!("threshold {i}"), *a, *b);
    }
    for (v, row) in fx["res_slopes"].as_array().unwrap().iter().enumerate() {
        for (c, b) in numbers(row).into_iter().enumerate() {
            check(
                format!("{} ~ {}", ordered[v], covariates[c]),
                fit.slopes[v][c],
                b,
            );
        }
    }
    for (i, row) in fx["res_cov"].as_array().unwrap().iter().enumerate() {
        for (j, b) in numbers(row).into_iter().enumerate() {
            check(
                format!("{} ~~ {}", ordered[i], ordered[j]),
                fit.correlations[(i, j)],
                b,
            );
        }
    }
    eprintln!("sample statistics: worst absolute difference {worst:.1e}");
}

/// The WLS vector and Γ of the MIMIC model (lavInspect "wls.obs" and
/// "gamma": Muthén 1984 with the covariates, lavaan's `muthen1984` with
/// eXo): labels exactly, statistics 1e-6 absolute, Γ 1e-6 relative to its
/// largest entry.
#[test]
fn wls_statistics_and_gamma_match_lavaan() {
    let fx = fixture("sample_statistics");
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let column = |n: &String| (n.clone(), data.numeric_column(n).unwrap());
    let fit = ConditionalPolychoric::estimate(
        &data.source,
        strings(&fx["ordered"]).iter().map(column).collect(),
        strings(&fx["covariates"]).iter().map(column).collect(),
    )
    .unwrap();
    assert_eq!(fit.labels, strings(&fx["wls_labels"]));
    for ((label, a), b) in fit
        .labels
        .iter()
        .zip(&fit.statistics)
        .zip(numbers(&fx["wls_obs"]))
    {
        assert!((a - b).abs() < 1e-6, "{label}: ours {a} lavaan {b}");
    }
    let n = fit.n_cases as f64;
    let gamma = fit.influence.transpose() * &fit.influence * n;
    let theirs: Vec<Vec<f64>> = fx["gamma"]
        .as_array()
        .unwrap()
        .iter()
        .map(numbers)
        .collect();
    let scale = theirs.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut worst = 0.0f64;
    for (i, row) in theirs.iter().enumerate() {
        for (j, b) in row.iter().enumerate() {
            let d = (gamma[(i, j)] - b).abs() / scale;
            worst = worst.max(d);
            assert!(
                d < 1e-6,
                "Γ[{}, {}]: ours {} lavaan {b}",
                fit.labels[i],
                fit.labels[j],
                gamma[(i, j)]
            );
        }
    }
    eprintln!("Γ: worst difference {worst:.1e} of its largest entry {scale:.3}");
}

/// Fits a fixture's model (all its items ordered, the covariates numeric)
/// and compares every parameterEstimates row (est, se, std.lv, std.all)
/// and every fit measure we report with lavaan's: 1e-3 relative, floor
/// 1e-2 (1e-3 for p-values), as in analysis/tests/common.
fn assert_fit(name: &str, at_least: usize) {
    use analysis::sem::{self, ModelSpec, Options, SampleMoments};
    let fx = fixture(name);
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let ordered = match &fx["ordered"] {
        Value::String(one) => vec![one.clone()],
        list => strings(list),
    };
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
        ordered,
        ..Options::default()
    };
    let fit = sem::fit(&spec, &sample, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(fit.converged, "{name}");
    let mut c = common::Comparison::new(name);
    c.estimates(&fit.table, fx["estimates"].as_array().unwrap());
    let nobs = fx["nobs"].clone();
    c.fit_measures(
        &serde_json::to_value(&fit.fit).unwrap(),
        &fx["fit"],
        |key| (key == "ntotal").then(|| nobs.clone()),
    );
    c.assert_done(at_least);
}

#[test]
fn wlsmv_mimic_model_matches_lavaan() {
    assert_fit("wlsmv_mimic", 150);
}

#[test]
fn wlsmv_mimic_with_a_direct_effect_matches_lavaan() {
    assert_fit("wlsmv_direct", 150);
}

#[test]
fn dwls_mimic_model_matches_lavaan() {
    assert_fit("dwls_mimic", 150);
}

#[test]
fn uls_model_with_a_direct_effect_matches_lavaan() {
    assert_fit("uls_direct", 150);
}

#[test]
fn wlsmv_single_ordered_regression_matches_lavaan() {
    assert_fit("wlsmv_regression", 20);
}

/// The items and covariates of the fixtures' data as optional columns.
fn columns(names: &[&str]) -> Vec<(String, Vec<Option<f64>>)> {
    let data = Dataset::from_path(format!("{ROOT}/tests/data/sem/ordinal_covariates.csv")).unwrap();
    names
        .iter()
        .map(|n| (n.to_string(), data.numeric_column(n).unwrap()))
        .collect()
}

#[test]
fn a_constant_or_wholly_missing_covariate_is_a_clear_error() {
    let items = columns(&["y1", "y2"]);
    let constant = vec![("age".to_string(), vec![Some(40.0); items[0].1.len()])];
    let e = ConditionalPolychoric::estimate("d.csv", items.clone(), constant).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("age") && msg.contains("40") && msg.contains("not identified"),
        "{msg}"
    );
    let missing = vec![("age".to_string(), vec![None; items[0].1.len()])];
    let msg = ConditionalPolychoric::estimate("d.csv", items, missing)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("age") && msg.contains("missing in every record"),
        "{msg}"
    );
}

#[test]
fn cases_missing_a_covariate_are_dropped_listwise() {
    let items = columns(&["y1", "y2"]);
    let mut age = columns(&["age"]);
    for v in age[0].1.iter_mut().step_by(10) {
        *v = None;
    }
    let fit = ConditionalPolychoric::estimate("d.csv", items, age).unwrap();
    assert_eq!((fit.n_cases, fit.n_dropped), (450, 50));
    assert_eq!(fit.influence.nrows(), 450);
}

fn fit_error(model: &str, ordered: &[&str]) -> String {
    use analysis::sem::{self, ModelSpec, Options, SampleMoments};
    let data = Dataset::from_path(format!("{ROOT}/tests/data/sem/ordinal_covariates.csv")).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let options = Options {
        estimator: "WLSMV".parse().unwrap(),
        ordered: ordered.iter().map(|s| s.to_string()).collect(),
        ..Options::default()
    };
    match sem::fit(&ModelSpec::parse(model).unwrap(), &sample, &options) {
        Ok(_) => panic!("{model}: expected an error"),
        Err(e) => e.to_string(),
    }
}

/// lavaan 0.6.14 fits `y1 ~ y2 + age` with y2 declared ordered only by
/// treating y2 as numeric, with a warning (tests/fixtures/
/// sem_ordinal_covariates/ordered_predictor.json): we refuse and say so.
#[test]
fn an_ordered_predictor_is_refused_with_what_lavaan_would_do() {
    let fx = fixture("ordered_predictor");
    assert_eq!(fx["accepted"], Value::Bool(true));
    let msg = fit_error("y1 ~ y2 + age", &["y1", "y2"]);
    assert!(msg.contains("y2") && msg.contains("numeric"), "{msg}");
}

#[test]
fn a_continuous_indicator_beside_covariates_is_refused() {
    let msg = fit_error("f =~ y1 + y2 + y3\nf ~ age", &["y1", "y2"]);
    assert!(msg.contains("continuous indicators (y3)"), "{msg}");
}

/// lavaan's default covariances for `f =~ y1 + y2 + y3; f ~ x; y3 ~ x;
/// y4 ~ x` (lavaanify, 0.6.14): f ~~ y4 (both pure dependents) but no
/// f ~~ y3, y3 being an indicator (lavaan's ov.y leaves indicators out).
#[test]
fn a_regressed_indicator_gets_no_default_covariance_with_its_factor() {
    use analysis::sem::{ModelSpec, Operator, ParTable};
    let spec = ModelSpec::parse("f =~ y1 + y2 + y3\nf ~ x\ny3 ~ x\ny4 ~ x").unwrap();
    let names: Vec<String> = ["y1", "y2", "y3", "y4", "x"].map(String::from).to_vec();
    let table = ParTable::build(&spec, &names, false).unwrap();
    let covariances: Vec<(String, String)> = table
        .params
        .iter()
        .filter(|p| p.op == Operator::Covariance && p.lhs != p.rhs)
        .map(|p| (p.lhs.clone(), p.rhs.clone()))
        .collect();
    assert_eq!(covariances, vec![("f".to_string(), "y4".to_string())]);
}
