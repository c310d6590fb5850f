//! What the lavaan reference tests share: comparing a fit's parameter table
//! and fit measures with a fixture written by a committed R script.
//!
//! The tolerance is the one the tests state: |ours − lavaan| ≤ 1e-3 ·
//! max(|lavaan|, floor), with a floor of 1e-2 (1e-5 absolute) for values
//! near 0 and 1e-3 for p-values.

// Each integration test is its own crate and uses part of this module.
#![allow(dead_code)]

use analysis::sem::partable::ParTable;
use serde_json::Value;

/// Relative tolerance of every iterative-fit comparison.
pub const TOLERANCE: f64 = 1e-3;

/// The floor under |lavaan| for a fit measure named `key`.
pub fn floor_of(key: &str) -> f64 {
    if key.contains("pvalue") {
        1e-3
    } else {
        1e-2
    }
}

/// The comparisons of one fixture: failures, how many values were
/// compared and the worst relative difference.
pub struct Comparison {
    pub name: String,
    pub failures: Vec<String>,
    pub compared: usize,
    pub worst: f64,
}

impl Comparison {
    pub fn new(name: &str) -> Self {
        Comparison {
            name: name.to_owned(),
            failures: Vec::new(),
            compared: 0,
            worst: 0.0,
        }
    }

    /// One value: both present and within tolerance, or both absent.
    pub fn close(&mut self, what: &str, ours: Option<f64>, theirs: Option<f64>, floor: f64) {
        match (ours, theirs) {
            (Some(a), Some(b)) => {
                let rel = (a - b).abs() / b.abs().max(floor);
                self.compared += 1;
                self.worst = self.worst.max(rel);
                if rel.is_nan() || rel > TOLERANCE {
                    self.failures.push(format!(
                        "{}: {what}: ours {a} lavaan {b} (rel {rel:.2e})",
                        self.name
                    ));
                }
            }
            (None, None) => {}
            (a, b) => self
                .failures
                .push(format!("{}: {what}: ours {a:?} lavaan {b:?}", self.name)),
        }
    }

    /// Every row of lavaan's `parameterEstimates` (`lhs`, `op`, `rhs`,
    /// `est`, `se`, `std_lv`, `std_all`) against `table`, which must have
    /// exactly those rows.
    pub fn estimates(&mut self, table: &ParTable, rows: &[Value]) {
        assert_eq!(
            table.params.len(),
            rows.len(),
            "{}: number of rows",
            self.name
        );
        for r in rows {
            let (l, op, rh) = (
                r["lhs"].as_str().unwrap(),
                r["op"].as_str().unwrap(),
                r["rhs"].as_str().unwrap(),
            );
            let e = table
                .find(l, op.parse().unwrap(), rh)
                .unwrap_or_else(|| panic!("{}: missing {l} {op} {rh}", self.name));
            let id = format!("{l} {op} {rh}");
            self.close(&format!("{id} est"), Some(e.value), r["est"].as_f64(), 1e-2);
            self.close(&format!("{id} se"), e.se, r["se"].as_f64(), 1e-2);
            self.close(
                &format!("{id} std_lv"),
                e.std_lv,
                r["std_lv"].as_f64(),
                1e-2,
            );
            self.close(
                &format!("{id} std_all"),
                e.std_all,
                r["std_all"].as_f64(),
                1e-2,
            );
        }
    }

    /// Every fit measure in our JSON (`ours`, an object) against lavaan's
    /// `fitMeasures` (`theirs`, `.` written `_`); `reference` may supply a
    /// lavaan value under another name (return `None` to use `theirs`). A
    /// key lavaan does not have is a failure: we report nothing of our own
    /// under lavaan's names.
    pub fn fit_measures(
        &mut self,
        ours: &Value,
        theirs: &Value,
        reference: impl Fn(&str) -> Option<Value>,
    ) {
        let theirs = theirs.as_object().unwrap();
        for (key, value) in ours.as_object().unwrap() {
            let Some(lavaan) = reference(key).or_else(|| theirs.get(key).cloned()) else {
                self.failures.push(format!(
                    "{}: {key} is not one of lavaan's fit measures",
                    self.name
                ));
                continue;
            };
            self.close(key, value.as_f64(), lavaan.as_f64(), floor_of(key));
        }
    }

    /// Reports the count and the worst difference, then fails on any
    /// failure or on fewer than `at_least` values compared.
    pub fn assert_done(self, at_least: usize) {
        eprintln!(
            "{}: {} values, worst relative difference {:.1e}",
            self.name, self.compared, self.worst
        );
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
        assert!(
            self.compared >= at_least,
            "{}: only {} compared",
            self.name,
            self.compared
        );
    }
}

impl Comparison {
    /// A multi-group fit: each group's rows of `fx["estimates"]` (`group`
    /// 1, 2, …) against that group's table, and each group's χ² (and scaled
    /// χ², present in both or in neither) against lavaan's `chisq_group`
    /// and `chisq_scaled_group`.
    pub fn groups(
        &mut self,
        tables: &[ParTable],
        fx: &Value,
        chisq_group: &[f64],
        chisq_scaled_group: Option<&[f64]>,
    ) {
        let rows = fx["estimates"].as_array().unwrap();
        for (g, table) in tables.iter().enumerate() {
            let own: Vec<Value> = rows
                .iter()
                .filter(|r| r["group"].as_u64() == Some(g as u64 + 1))
                .cloned()
                .collect();
            self.estimates(table, &own);
        }
        let mut per_group = |what: &str, ours: &[f64], theirs: &[Value]| {
            assert_eq!(ours.len(), theirs.len(), "{}: {what} per group", self.name);
            for (g, (a, b)) in ours.iter().zip(theirs).enumerate() {
                self.close(
                    &format!("{what} group {}", g + 1),
                    Some(*a),
                    b.as_f64(),
                    1e-2,
                );
            }
        };
        per_group("chisq", chisq_group, fx["chisq_group"].as_array().unwrap());
        match (chisq_scaled_group, fx["chisq_scaled_group"].as_array()) {
            (Some(ours), Some(theirs)) => per_group("scaled chisq", ours, theirs),
            (None, None) => {}
            (a, b) => panic!(
                "{}: scaled χ² per group: ours {a:?}, lavaan {b:?}",
                self.name
            ),
        }
    }
}

/// A multi-group fit has lavaan's groups: the same labels in the same
/// order (`fx["group_labels"]`) and, when the fixture lists them, the same
/// cases per group (`fx["nobs"]`).
pub fn assert_same_groups(name: &str, labels: &[String], nobs: &[usize], fx: &Value) {
    let theirs: Vec<&str> = fx["group_labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(labels, theirs, "{name}: group order");
    if let Some(n) = fx["nobs"].as_array() {
        let theirs: Vec<usize> = n.iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(nobs, theirs, "{name}: cases per group");
    }
}

/// A fixture JSON file under `tests/fixtures/<dir>/<name>.json`.
pub fn fixture(dir: &str, name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/{dir}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
