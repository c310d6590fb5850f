//! Multi-group models with ordered indicators (WLSMV, DWLS, ULS; delta
//! parameterization) against lavaan 0.6.14 fixtures
//! (tests/reference/sem_groups_ordinal.R: simulated five- and four-point
//! items in two and three groups with a non-invariant loading and
//! threshold, latent mean differences and an omitted cross-loading).
//!
//! Tolerance: 1e-3 relative for estimates, SEs, std.lv, std.all, every fit
//! measure the engine reports, each group's χ² (and scaled χ²), with an
//! absolute floor of 1e-2 (i.e. 1e-5 absolute) for values near 0:
//! |ours − lavaan| ≤ 1e-3 · max(|lavaan|, 1e-2); p-values with a floor of
//! 1e-3.

use analysis::sem::groups::{self, GroupEqual, GroupedSample};
use analysis::sem::{ModelSpec, Options};
use analysis::Dataset;
use serde_json::Value;

mod common;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn items() -> Vec<String> {
    (1..=8).map(|i| format!("o{i}")).collect()
}

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_groups_ordinal/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn grouped(data: &str) -> GroupedSample {
    let data = Dataset::from_path(format!("{ROOT}/{data}")).unwrap();
    GroupedSample::from_dataset(&data, "grp", &items()).unwrap()
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
            // lavaan lists ntotal with the log-likelihood, which least
            // squares lack.
            if key == "ntotal" {
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
        ordered: items(),
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

const LEVELS: [&str; 5] = [
    "none",
    "loadings",
    "thresholds",
    "thresholds_loadings",
    "thresholds_loadings_intercepts",
];

#[test]
fn two_groups_wlsmv() {
    for level in LEVELS {
        check_level("groups2_ordinal", "WLSMV", level);
    }
}

#[test]
fn three_groups_wlsmv() {
    for level in LEVELS {
        check_level("groups3_ordinal", "WLSMV", level);
    }
}

#[test]
fn three_groups_std_lv() {
    check_level("groups3_ordinal", "WLSMV", "thresholds_loadings_stdlv");
    check_level("groups3_ordinal", "WLSMV", "loadings_stdlv");
}

#[test]
fn two_groups_dwls_and_uls() {
    check_level("groups2_ordinal", "DWLS", "thresholds_loadings");
    check_level("groups2_ordinal", "ULS", "thresholds_loadings");
}

/// The ordered invariance sequence (configural, metric = loadings, scalar =
/// thresholds + loadings + intercepts) fits lavaan's models, and each level
/// is tested against the previous one as lavTestLRT does (satorra.2000 for
/// WLSMV), beside ΔCFI/ΔRMSEA.
#[test]
fn ordered_invariance_levels_are_lavaans_models() {
    use analysis::sem::invariance;
    for data in ["groups2_ordinal", "groups3_ordinal"] {
        let fixtures: Vec<Value> = ["none", "loadings", "thresholds_loadings_intercepts"]
            .iter()
            .map(|level| fixture(&format!("{data}_WLSMV_{level}")))
            .collect();
        let sample = grouped(fixtures[0]["data"].as_str().unwrap());
        let spec = ModelSpec::parse(fixtures[0]["model"].as_str().unwrap()).unwrap();
        let options = Options {
            estimator: "WLSMV".parse().unwrap(),
            ordered: items(),
            ..Options::default()
        };
        let result = invariance::test(&spec, &sample, &options).unwrap();
        let names: Vec<&str> = result.models.iter().map(|m| m.name).collect();
        assert_eq!(names, ["configural", "metric", "scalar"]);
        let mut c = Checker::default();
        for (m, fx) in result.models.iter().zip(&fixtures) {
            let ours = serde_json::to_value(&m.fit).unwrap();
            for key in ["chisq", "df", "cfi", "rmsea", "chisq_scaled", "cfi_scaled"] {
                c.close(
                    format!("{data} {}: {key}", m.name),
                    ours["fit"][key].as_f64(),
                    fx["fit"][key].as_f64(),
                    1e-2,
                );
            }
        }
        let lrt = fixture(&format!("{data}_WLSMV_invariance"));
        let tests = lrt["tests"].as_array().unwrap();
        assert_eq!(result.tests.len(), tests.len());
        for (t, fx) in result.tests.iter().zip(tests) {
            assert_eq!(t.from, fx["from"].as_str().unwrap());
            assert_eq!(t.to, fx["to"].as_str().unwrap());
            assert_eq!(t.method, "satorra.2000");
            let id = format!("{data} {} → {}", t.from, t.to);
            for (key, ours, floor) in [
                ("chisq_diff", t.chisq_diff, 1e-2),
                ("df_diff", t.df_diff, 1e-2),
                ("pvalue", t.pvalue, 1e-3),
                ("delta_cfi", t.delta_cfi, 1e-2),
                ("delta_rmsea", t.delta_rmsea, 1e-2),
            ] {
                c.close(format!("{id} {key}"), Some(ours), fx[key].as_f64(), floor);
            }
        }
        c.done(&format!("{data} invariance"), 28);
    }
}

/// The lrt engineer's two-group WLSMV chain (tests/reference/sem_compare_wls.R,
/// lrt_groups.json: configural → thresholds and loadings equal → orthogonal
/// factors) through multi-group ordered fits and the satorra.2000
/// difference: each model's χ² and df, each difference, scale and shift.
#[test]
fn lavtestlrt_chain_over_groups() {
    use analysis::sem::compare::{difference_test, ComparedModel};
    let path = format!("{ROOT}/tests/fixtures/sem_compare_wls/lrt_groups.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let data =
        Dataset::from_path(format!("{ROOT}/tests/data/sem/ordinal_nested_groups.csv")).unwrap();
    let items: Vec<String> = (1..=8).map(|i| format!("y{i}")).collect();
    let sample = GroupedSample::from_dataset(&data, "grp", &items).unwrap();
    let options = Options {
        estimator: "WLSMV".parse().unwrap(),
        ordered: items.clone(),
        ..Options::default()
    };
    let mut c = Checker::default();
    let models: Vec<ComparedModel> = fx["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let spec = ModelSpec::parse(m["syntax"].as_str().unwrap()).unwrap();
            let equal: GroupEqual = m["group_equal"].as_str().unwrap().parse().unwrap();
            let fit = groups::fit(&spec, &sample, &equal, &options).unwrap();
            let name = m["model"].as_str().unwrap();
            c.close(
                format!("{name} chisq"),
                Some(fit.fit.chisq),
                m["chisq"].as_f64(),
                1e-2,
            );
            c.close(
                format!("{name} df"),
                Some(fit.fit.df),
                m["df"].as_f64(),
                1e-2,
            );
            ComparedModel::of_groups(name, &fit)
        })
        .collect();
    for (pair, t) in models.windows(2).zip(fx["tests"].as_array().unwrap()) {
        let ours = difference_test(&pair[0], &pair[1]).unwrap();
        let id = format!("{} → {}", ours.from, ours.to);
        assert_eq!(ours.method, "satorra.2000");
        let json = serde_json::to_value(&ours).unwrap();
        for (key, floor) in [
            ("chisq_diff", 1e-2),
            ("df_diff", 1e-2),
            ("pvalue", 1e-3),
            ("scale", 1e-2),
            ("shift", 1e-2),
        ] {
            c.close(
                format!("{id} {key}"),
                json[key].as_f64(),
                t[key].as_f64(),
                floor,
            );
        }
    }
    c.done("lrt_groups", 16);
}
