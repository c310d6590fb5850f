//! Multi-group models, measurement invariance and nested-model comparison
//! against lavaan 0.6 + semTools fixtures (tests/reference/sem_groups.R:
//! simulated skewed data in two and three groups with a non-invariant
//! loading and intercept).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all, every fit measure the engine
//! reports, each group's χ² and every difference test, with an absolute
//! floor of 1e-2 (i.e. 1e-5 absolute) for values near 0: |ours − lavaan| ≤
//! 1e-3 · max(|lavaan|, 1e-2); p-values with a floor of 1e-3.

use analysis::sem::groups::{self, GroupEqual, GroupedSample};
use analysis::sem::{ModelSpec, Options};
use analysis::Dataset;
use serde_json::Value;

mod common;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_groups/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn grouped(data: &str) -> GroupedSample {
    let data = Dataset::from_path(format!("{ROOT}/{data}")).unwrap();
    let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
    GroupedSample::from_dataset(&data, "grp", &columns).unwrap()
}

/// Collects comparisons: the failures, how many, the worst relative error.
#[derive(Default)]
struct Checker {
    failures: Vec<String>,
    compared: usize,
    worst: f64,
    worst_what: String,
}

impl Checker {
    fn close(&mut self, what: String, ours: Option<f64>, theirs: Option<f64>, floor: f64) {
        match (ours, theirs) {
            (Some(a), Some(b)) => {
                let rel = (a - b).abs() / b.abs().max(floor);
                self.compared += 1;
                if rel > self.worst {
                    self.worst = rel;
                    self.worst_what = what.clone();
                }
                if rel.is_nan() || rel > 1e-3 {
                    self.failures
                        .push(format!("{what}: ours {a} lavaan {b} (rel {rel:.2e})"));
                }
            }
            (None, None) => {}
            (a, b) => self
                .failures
                .push(format!("{what}: ours {a:?} lavaan {b:?}")),
        }
    }

    /// Every fit measure of ours that lavaan has under the same name.
    fn fit_measures(&mut self, name: &str, ours: &Value, theirs: &Value) {
        for (key, value) in ours.as_object().unwrap() {
            if key == "chisq_group" || key == "chisq_scaled_group" {
                continue;
            }
            let Some(reference) = theirs.get(key) else {
                self.failures
                    .push(format!("{name}: {key} is not one of lavaan's fit measures"));
                continue;
            };
            let floor = if key.contains("pvalue") { 1e-3 } else { 1e-2 };
            self.close(
                format!("{name}: {key}"),
                value.as_f64(),
                reference.as_f64(),
                floor,
            );
        }
    }

    fn done(&self, name: &str, at_least: usize) {
        eprintln!(
            "{name}: {} values, worst relative difference {:.1e} ({})",
            self.compared, self.worst, self.worst_what
        );
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
        assert!(self.compared >= at_least, "{name}: only {}", self.compared);
    }
}

fn group_equal(fx: &Value) -> GroupEqual {
    let words: Vec<&str> = fx["group_equal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    words.join(",").parse().unwrap()
}

fn check_level(data: &str, estimator: &str, level: &str) {
    let name = format!("{data}_{estimator}_{level}");
    let fx = fixture(&name);
    let sample = grouped(fx["data"].as_str().unwrap());
    let spec = ModelSpec::parse(fx["model"].as_str().unwrap()).unwrap();
    let options = Options {
        estimator: estimator.parse().unwrap(),
        std_lv: fx["std_lv"].as_bool().unwrap_or(false),
        ..Options::default()
    };
    let fit = groups::fit(&spec, &sample, &group_equal(&fx), &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(fit.converged, "{name}");
    common::assert_same_groups(&name, &fit.group_labels, &fit.nobs, &fx);
    let mut c = Checker::default();
    let rows = fx["estimates"].as_array().unwrap();
    let ours_rows: usize = fit.tables.iter().map(|t| t.params.len()).sum();
    assert_eq!(ours_rows, rows.len(), "{name}: number of rows");
    for r in rows {
        let (l, op, rh) = (
            r["lhs"].as_str().unwrap(),
            r["op"].as_str().unwrap(),
            r["rhs"].as_str().unwrap(),
        );
        let g = r["group"].as_u64().unwrap() as usize;
        let e = fit
            .find(g, l, op.parse().unwrap(), rh)
            .unwrap_or_else(|| panic!("{name}: missing {l} {op} {rh} in group {g}"));
        let id = format!("{name}: group {g} {l} {op} {rh}");
        c.close(format!("{id} est"), Some(e.value), r["est"].as_f64(), 1e-2);
        c.close(format!("{id} se"), e.se, r["se"].as_f64(), 1e-2);
        c.close(format!("{id} std_lv"), e.std_lv, r["std_lv"].as_f64(), 1e-2);
        c.close(
            format!("{id} std_all"),
            e.std_all,
            r["std_all"].as_f64(),
            1e-2,
        );
    }
    for (g, (ours, theirs)) in fit
        .chisq_group
        .iter()
        .zip(fx["chisq_group"].as_array().unwrap())
        .enumerate()
    {
        c.close(
            format!("{name}: chisq group {}", g + 1),
            Some(*ours),
            theirs.as_f64(),
            1e-2,
        );
    }
    match (&fit.chisq_scaled_group, fx["chisq_scaled_group"].as_array()) {
        (Some(ours), Some(theirs)) => {
            for (g, (a, b)) in ours.iter().zip(theirs).enumerate() {
                c.close(
                    format!("{name}: scaled chisq group {}", g + 1),
                    Some(*a),
                    b.as_f64(),
                    1e-2,
                );
            }
        }
        (None, None) => {}
        (a, b) => panic!("{name}: scaled χ² per group: ours {a:?}, lavaan {b:?}"),
    }
    let json = serde_json::to_value(&fit).unwrap();
    c.fit_measures(&name, &json["fit"], &fx["fit"]);
    c.done(&name, 100);
}

fn check_all_levels(data: &str, estimator: &str) {
    for level in ["configural", "metric", "scalar", "strict"] {
        check_level(data, estimator, level);
    }
}

#[test]
fn two_groups_ml() {
    check_all_levels("groups2", "ML");
}

#[test]
fn two_groups_mlm() {
    check_all_levels("groups2", "MLM");
}

#[test]
fn two_groups_mlr() {
    check_all_levels("groups2", "MLR");
}

#[test]
fn std_lv_frees_latent_variances_from_group_2_with_equal_loadings() {
    check_level("groups2", "ML", "scalar_stdlv");
}

#[test]
fn a_label_is_one_parameter_in_every_group() {
    check_level("groups2", "ML", "label");
}

#[test]
fn three_groups_ml() {
    check_all_levels("groups3", "ML");
}

#[test]
fn three_groups_mlm() {
    check_all_levels("groups3", "MLM");
}

#[test]
fn three_groups_mlr() {
    check_all_levels("groups3", "MLR");
}

fn check_invariance(data: &str, estimator: &str) {
    use analysis::sem::invariance;
    let name = format!("{data}_{estimator}_invariance");
    let fx = fixture(&name);
    let sample = grouped(fx["data"].as_str().unwrap());
    let spec = ModelSpec::parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6").unwrap();
    let options = Options {
        estimator: estimator.parse().unwrap(),
        ..Options::default()
    };
    let result = invariance::test(&spec, &sample, &options).unwrap();
    let names: Vec<&str> = result.models.iter().map(|m| m.name).collect();
    assert_eq!(names, ["configural", "metric", "scalar", "strict"]);
    let mut c = Checker::default();
    let tests = fx["tests"].as_array().unwrap();
    assert_eq!(result.tests.len(), tests.len());
    let semtools = &fx["semtools_compare_fit"];
    for (k, (ours, theirs)) in result.tests.iter().zip(tests).enumerate() {
        assert_eq!(ours.from, theirs["from"].as_str().unwrap());
        assert_eq!(ours.to, theirs["to"].as_str().unwrap());
        let id = format!("{name}: {} → {}", ours.from, ours.to);
        c.close(
            format!("{id} chisq_diff"),
            Some(ours.chisq_diff),
            theirs["chisq_diff"].as_f64(),
            1e-2,
        );
        // semTools' compareFit runs the same lavTestLRT.
        c.close(
            format!("{id} chisq_diff (semTools)"),
            Some(ours.chisq_diff),
            semtools["chisq_diff"][k].as_f64(),
            1e-2,
        );
        c.close(
            format!("{id} df_diff"),
            Some(ours.df_diff),
            theirs["df_diff"].as_f64(),
            1e-2,
        );
        c.close(
            format!("{id} pvalue"),
            Some(ours.pvalue),
            theirs["pvalue"].as_f64(),
            1e-3,
        );
        for (key, value) in [
            ("delta_cfi", Some(ours.delta_cfi)),
            ("delta_rmsea", Some(ours.delta_rmsea)),
            ("delta_cfi_robust", ours.delta_cfi_robust),
            ("delta_rmsea_robust", ours.delta_rmsea_robust),
        ] {
            c.close(format!("{id} {key}"), value, theirs[key].as_f64(), 1e-2);
        }
        let method = if estimator == "ML" {
            "standard"
        } else {
            "satorra.bentler.2001"
        };
        assert_eq!(ours.method, method);
        assert_eq!(ours.holds_by_cfi, ours.delta_cfi > -0.01);
    }
    // The simulated loading and intercept differences: metric and scalar
    // fail by the χ² difference and by ΔCFI.
    assert!(result.tests[0].pvalue < 0.01 && result.tests[1].pvalue < 1e-3);
    assert!(!result.tests[0].holds_by_cfi && !result.tests[1].holds_by_cfi);
    // The contract's keys.
    let json = serde_json::to_value(&result).unwrap();
    assert!(json["models"][0]["fit"]["cfi"].is_number());
    assert_eq!(json["models"][2]["name"], "scalar");
    for key in [
        "from",
        "to",
        "chisq_diff",
        "df_diff",
        "pvalue",
        "delta_cfi",
        "delta_rmsea",
    ] {
        assert!(json["tests"][1].get(key).is_some(), "{key}");
    }
    c.done(&name, if estimator == "ML" { 18 } else { 24 });
}

#[test]
fn invariance_two_groups_ml() {
    check_invariance("groups2", "ML");
}

#[test]
fn invariance_two_groups_mlm() {
    check_invariance("groups2", "MLM");
}

#[test]
fn invariance_two_groups_mlr() {
    check_invariance("groups2", "MLR");
}

#[test]
fn invariance_three_groups_ml() {
    check_invariance("groups3", "ML");
}

#[test]
fn invariance_three_groups_mlm() {
    check_invariance("groups3", "MLM");
}

#[test]
fn invariance_three_groups_mlr() {
    check_invariance("groups3", "MLR");
}

fn single_group_fit(fx: &Value, model: &str, estimator: &str) -> analysis::sem::SemFit {
    use analysis::sem::SampleMoments;
    let data = Dataset::from_path(format!("{ROOT}/{}", fx["data"].as_str().unwrap())).unwrap();
    let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
    let sample = SampleMoments::from_dataset(&data, &columns).unwrap();
    let spec = ModelSpec::parse(fx["models"][model].as_str().unwrap()).unwrap();
    let options = Options {
        estimator: estimator.parse().unwrap(),
        ..Options::default()
    };
    analysis::sem::fit(&spec, &sample, &options).unwrap()
}

fn check_compare(estimator: &str) {
    use analysis::sem::compare::{compare, ComparedModel};
    let name = format!("compare_{estimator}");
    let fx = fixture(&name);
    let mut c = Checker::default();
    let fits: Vec<(&str, analysis::sem::SemFit)> = ["two_factor", "orthogonal", "equal_loadings"]
        .into_iter()
        .map(|m| (m, single_group_fit(&fx, m, estimator)))
        .collect();
    for (m, fit) in &fits {
        let json = serde_json::to_value(fit).unwrap();
        c.fit_measures(&format!("{name} {m}"), &json["fit"], &fx["fits"][*m]);
    }
    let model = |k: usize| ComparedModel::of_fit(fits[k].0, &fits[k].1);
    for (k, theirs) in fx["tests"].as_array().unwrap().iter().enumerate() {
        // Given in either order: ordered by df as lavTestLRT.
        let result = compare(vec![model(k + 1), model(0)]).unwrap();
        assert_eq!(result.models[0].model, "two_factor");
        let ours = &result.tests[0];
        assert_eq!(ours.from, theirs["from"].as_str().unwrap());
        assert_eq!(ours.to, theirs["to"].as_str().unwrap());
        let id = format!("{name}: {} → {}", ours.from, ours.to);
        c.close(
            format!("{id} chisq_diff"),
            Some(ours.chisq_diff),
            theirs["chisq_diff"].as_f64(),
            1e-2,
        );
        c.close(
            format!("{id} df_diff"),
            Some(ours.df_diff),
            theirs["df_diff"].as_f64(),
            1e-2,
        );
        c.close(
            format!("{id} pvalue"),
            Some(ours.pvalue),
            theirs["pvalue"].as_f64(),
            1e-3,
        );
    }
    // orthogonal (df 9) and equal_loadings (df 10) restrict different
    // parameters: the second fits better despite more df — not nested.
    let e = compare(vec![model(0), model(1), model(2)])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("orthogonal and equal_loadings are not nested models") && e.contains("lower χ²"),
        "{e}"
    );
    c.done(&name, 60);
}

#[test]
fn nested_comparison_ml() {
    check_compare("ML");
}

#[test]
fn nested_comparison_mlm() {
    check_compare("MLM");
}

#[test]
fn nested_comparison_mlr() {
    check_compare("MLR");
}

#[test]
fn bad_input_gets_clear_errors() {
    use analysis::sem::compare::{compare, ComparedModel};
    let columns: Vec<String> = ["a", "b"].map(String::from).to_vec();
    // A group column with one value.
    let data = Dataset::from_csv_str("one.csv", "g,a,b\nx,1,2\nx,2,3\nx,3,5\nx,4,4\n").unwrap();
    let e = GroupedSample::from_dataset(&data, "g", &columns)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("one.csv")
            && e.contains("1 value(s) (\"x\")")
            && e.contains("at least two groups"),
        "{e}"
    );
    // A group with fewer cases than variables.
    let data =
        Dataset::from_csv_str("few.csv", "g,a,b\nx,1,2\nx,2,3\nx,3,5\ny,4,4\nx,5,1\n").unwrap();
    let e = GroupedSample::from_dataset(&data, "g", &columns)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("group g = y") && e.contains("1 complete case(s) for 2 observed variables"),
        "{e}"
    );
    // A missing group value names its line.
    let data = Dataset::from_csv_str("na.csv", "g,a,b\nx,1,2\n,2,3\n").unwrap();
    let e = GroupedSample::from_dataset(&data, "g", &columns)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("group value"), "{e}");
    // An unknown group.equal word lists the valid ones.
    let e = "loadings,thresholdz"
        .parse::<GroupEqual>()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"thresholdz\"")
            && e.contains("loadings, intercepts, residuals, residual.covariances, lv.variances, lv.covariances, means, regressions"),
        "{e}"
    );
    // Non-nested: equal df; different variables.
    let ab = vec!["a".to_string(), "b".to_string()];
    let e = compare(vec![
        ComparedModel::new("A.lav", 10.0, 4.0, ab.clone(), 100),
        ComparedModel::new("B.lav", 12.0, 4.0, ab.clone(), 100),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("A.lav and B.lav are not nested")
            && e.contains("both have 4 degrees of freedom"),
        "{e}"
    );
    let e = compare(vec![
        ComparedModel::new("A.lav", 10.0, 4.0, ab, 100),
        ComparedModel::new("B.lav", 12.0, 5.0, vec!["a".into(), "c".into()], 100),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("different observed variables (only in A.lav: b; only in B.lav: c)"),
        "{e}"
    );
}
