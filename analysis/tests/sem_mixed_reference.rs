//! Ordered and continuous indicators in one model (WLSMV, DWLS, ULS;
//! thresholds, minus-means, variances, Pearson, polyserial and polychoric
//! correlations) against lavaan 0.6.14 fixtures (tests/reference/sem_mixed.R:
//! simulated 5-point items and skewed continuous indicators with misfit).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all and every
//! fit measure the engine reports, with an absolute floor of 1e-2 (i.e.
//! 1e-5 absolute) for values near 0: |ours − lavaan| ≤ 1e-3 · max(|lavaan|,
//! 1e-2); p-values with a floor of 1e-3.

use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fit_fixture(name: &str) -> (Value, sem::SemFit) {
    let path = format!("{ROOT}/tests/fixtures/sem_mixed/{name}.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    // lavaan's ordered = c("o1", …): the rest stay continuous (jsonlite
    // writes a single name as a string).
    let ordered: Vec<String> = match &fx["ordered"] {
        Value::String(one) => vec![one.clone()],
        list => list
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
    };
    let options = Options {
        estimator: fx["estimator"].as_str().unwrap().parse().unwrap(),
        ordered,
        ..Options::default()
    };
    let fit = sem::fit(&spec, &sample, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
    (fx, fit)
}

/// Compares every estimate row and every fit measure that our JSON has
/// under lavaan's name; returns the failures, the number compared and the
/// worst relative difference.
fn compare(name: &str) -> (Vec<String>, usize, f64) {
    let (fx, fit) = fit_fixture(name);
    assert!(fit.converged, "{name}");
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut worst = 0.0f64;
    let mut close =
        |what: String, ours: Option<f64>, theirs: Option<f64>, floor: f64| match (ours, theirs) {
            (Some(a), Some(b)) => {
                let rel = (a - b).abs() / b.abs().max(floor);
                compared += 1;
                worst = worst.max(rel);
                if rel.is_nan() || rel > 1e-3 {
                    failures.push(format!(
                        "{name}: {what}: ours {a} lavaan {b} (rel {rel:.2e})"
                    ));
                }
            }
            (None, None) => {}
            (a, b) => failures.push(format!("{name}: {what}: ours {a:?} lavaan {b:?}")),
        };
    let rows = fx["estimates"].as_array().unwrap();
    assert_eq!(fit.table.params.len(), rows.len(), "{name}: number of rows");
    for r in rows {
        let (l, op, rh) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let e = fit
            .table
            .find(l, op.parse().unwrap(), rh)
            .unwrap_or_else(|| panic!("{name}: missing {l} {op} {rh}"));
        let id = format!("{l} {op} {rh}");
        close(format!("{id} est"), Some(e.value), r["est"].as_f64(), 1e-2);
        close(format!("{id} se"), e.se, r["se"].as_f64(), 1e-2);
        close(format!("{id} std_lv"), e.std_lv, r["std_lv"].as_f64(), 1e-2);
        close(
            format!("{id} std_all"),
            e.std_all,
            r["std_all"].as_f64(),
            1e-2,
        );
    }
    let ours = serde_json::to_value(&fit.fit).unwrap();
    let theirs = fx["fit"].as_object().unwrap();
    let mut unknown = Vec::new();
    for (key, value) in ours.as_object().unwrap() {
        // lavaan lists ntotal with the log-likelihood, which least squares
        // lack; it is the number of cases.
        let reference = if key == "ntotal" {
            Some(&fx["nobs"])
        } else {
            theirs.get(key)
        };
        let Some(reference) = reference else {
            unknown.push(format!("{name}: {key} is not one of lavaan's fit measures"));
            continue;
        };
        let floor = if key.contains("pvalue") { 1e-3 } else { 1e-2 };
        close(key.clone(), value.as_f64(), reference.as_f64(), floor);
    }
    failures.extend(unknown);
    (failures, compared, worst)
}

fn assert_fixture(name: &str, at_least: usize) {
    let (failures, compared, worst) = compare(name);
    eprintln!("{name}: {compared} values, worst relative difference {worst:.1e}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= at_least, "{name}: only {compared} compared");
}

#[test]
fn wlsmv_cfa_of_five_point_items_and_skewed_continuous_indicators() {
    assert_fixture("wlsmv_cfa", 250);
}

#[test]
fn wlsmv_structural_model_with_mixed_indicators() {
    assert_fixture("wlsmv_sem", 250);
}

#[test]
fn dwls_cfa_with_mixed_indicators() {
    assert_fixture("dwls_cfa", 240);
}

#[test]
fn uls_structural_model_with_mixed_indicators() {
    assert_fixture("uls_sem", 240);
}

#[test]
fn wlsmv_with_one_ordered_indicator_and_a_label_across_kinds() {
    assert_fixture("wlsmv_one_ordered", 100);
}

#[test]
fn wlsmv_with_a_continuous_covariate_made_random() {
    assert_fixture("wlsmv_random_covariate", 60);
}

/// lavCor's correlations (Pearson, polyserial, polychoric) of the nine
/// variables, and wls.obs and Γ (lavInspect "gamma") of a small model:
/// 1e-6 absolute for the correlations and statistics (closed forms and
/// one-dimensional maximisations to ~1e-10), 1e-6 relative to Γ's largest
/// entry for Γ.
#[test]
fn polyserial_correlations_statistics_and_gamma_match_lavaan() {
    use analysis::polyserial::MixedMoments;
    let path = format!("{ROOT}/tests/fixtures/sem_mixed/sample_statistics.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let moments = |names: &[String], ordered: &[String]| {
        let columns = names
            .iter()
            .map(|n| {
                let c = data.numeric_column(n).unwrap();
                (n.clone(), c.into_iter().map(|v| v.unwrap()).collect())
            })
            .collect();
        let mask: Vec<bool> = names.iter().map(|n| ordered.contains(n)).collect();
        MixedMoments::estimate(&data.source, columns, &mask).unwrap()
    };
    let names = strings(&fx["names"]);
    let all = moments(&names, &strings(&fx["ordered"]));
    let mut worst = 0.0f64;
    for (i, row) in fx["correlations"].as_array().unwrap().iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            let d = (all.correlations[(i, j)] - v.as_f64().unwrap()).abs();
            worst = worst.max(d);
            assert!(
                d < 1e-6,
                "{} ~~ {}: ours {} lavaan {}",
                names[i],
                names[j],
                all.correlations[(i, j)],
                v
            );
        }
    }
    eprintln!("correlations: worst absolute difference {worst:.1e}");
    let small = moments(
        &strings(&fx["small_variables"]),
        &strings(&fx["small_ordered"]),
    );
    assert_eq!(small.labels, strings(&fx["small_labels"]));
    for ((ours, theirs), label) in small
        .statistics
        .iter()
        .zip(fx["small_wls_obs"].as_array().unwrap())
        .zip(&small.labels)
    {
        assert!(
            (ours - theirs.as_f64().unwrap()).abs() < 1e-6,
            "{label}: ours {ours} lavaan {theirs}"
        );
    }
    let gamma = small.nacov();
    let rows = fx["small_gamma"].as_array().unwrap();
    let scale = rows
        .iter()
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap().abs())
        })
        .fold(0.0, f64::max);
    let mut worst = 0.0f64;
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            let d = (gamma[(i, j)] - v.as_f64().unwrap()).abs() / scale;
            worst = worst.max(d);
            assert!(
                d < 1e-6,
                "gamma[{}, {}]: ours {} lavaan {}",
                small.labels[i],
                small.labels[j],
                gamma[(i, j)],
                v
            );
        }
    }
    eprintln!("gamma: worst difference {worst:.1e} of its largest entry");
}

/// lavTestLRT's satorra.2000 difference tests of three nested mixed WLSMV
/// fits (tests/fixtures/sem_mixed/lrt.json): Δχ², p, scale a and shift b
/// within 1e-3 relative with an absolute floor of 1e-6 (the shift of one
/// restriction is 0 up to rounding), Δdf exactly.
#[test]
fn difference_tests_of_mixed_fits_match_lavtestlrt() {
    use analysis::sem::compare::{compare, ComparedModel};
    let fx: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/fixtures/sem_mixed/lrt.json")).unwrap(),
    )
    .unwrap();
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    let options = Options {
        estimator: "WLSMV".parse().unwrap(),
        ordered: fx["ordered"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        ..Options::default()
    };
    let close = |what: &str, ours: f64, theirs: f64| {
        let rel = (ours - theirs).abs() / theirs.abs().max(1e-3);
        eprintln!("{what}: relative difference {rel:.1e}");
        assert!(rel <= 1e-3, "{what}: ours {ours}, lavaan {theirs}");
    };
    let models: Vec<ComparedModel> = fx["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let label = m["model"].as_str().unwrap();
            let spec = ModelSpec::parse(m["syntax"].as_str().unwrap()).unwrap();
            let fit = sem::fit(&spec, &sample, &options).unwrap();
            close(
                &format!("{label} chisq"),
                fit.fit.chisq,
                m["chisq"].as_f64().unwrap(),
            );
            ComparedModel::of_fit(label, &fit)
        })
        .collect();
    let result = compare(models).unwrap();
    let tests = fx["tests"].as_array().unwrap();
    assert_eq!(result.tests.len(), tests.len());
    for (ours, theirs) in result.tests.iter().zip(tests) {
        let what = format!("{} vs {}", ours.from, ours.to);
        assert_eq!(ours.from, theirs["from"].as_str().unwrap());
        assert_eq!(ours.to, theirs["to"].as_str().unwrap());
        assert_eq!(ours.method, fx["method"].as_str().unwrap(), "{what}");
        assert_eq!(ours.df_diff, theirs["df_diff"].as_f64().unwrap(), "{what}");
        close(
            &format!("{what} Δχ²"),
            ours.chisq_diff,
            theirs["chisq_diff"].as_f64().unwrap(),
        );
        close(
            &format!("{what} p"),
            ours.pvalue,
            theirs["pvalue"].as_f64().unwrap(),
        );
        close(
            &format!("{what} scale"),
            ours.scale.unwrap(),
            theirs["scale"].as_f64().unwrap(),
        );
        close(
            &format!("{what} shift"),
            ours.shift.unwrap(),
            theirs["shift"].as_f64().unwrap(),
        );
    }
}
