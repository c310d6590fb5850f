//! What an audit check reports: one [`Finding`] per published figure (or
//! relation among figures), collected in an [`AuditReport`].

use crate::render::{fmt_fixed, Render, Table};
use serde::Serialize;
use std::collections::BTreeMap;

/// The verdict on one published figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The figure lies inside what its inputs allow at their printed precision.
    Consistent,
    /// The figure cannot be what the paper says it is, whatever the rounding.
    Inconsistent,
    /// The paper does not give what a verdict would need; the explanation says what is missing.
    Unverifiable,
}

impl Status {
    /// The status as one lower-case word, as in the JSON.
    pub fn label(self) -> &'static str {
        match self {
            Status::Consistent => "consistent",
            Status::Inconsistent => "inconsistent",
            Status::Unverifiable => "unverifiable",
        }
    }
}

/// What kind of check a finding is, so that a reader can tell an error in the
/// paper from a critique of its reasoning or from the audit's own exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A mathematical identity or bound: if inconsistent, the figure cannot be
    /// true whatever the rounding (AGFI > GFI, mean ranks that cannot sum so,
    /// overlapping category bands).
    Impossible,
    /// A figure recomputed from other printed figures and compared at printed
    /// precision (percentages, totals, Cochran's formula, RMSEA from χ²), or
    /// its printed unit: if inconsistent, it is off by more than rounding
    /// allows — a misprint or miscalculation of that figure.
    Rounding,
    /// Two places of the paper that state the same thing differently (text
    /// against a table, printed ranks against printed mean ranks).
    Contradiction,
    /// A conclusion the reported evidence does not support (significance
    /// inferred from coefficient size, a ranking read from a global test).
    Reasoning,
    /// A verdict that rests on an assumption the paper does not state (e.g. the
    /// Likert scale of its items, which the audit assumes); it holds only
    /// under that assumption.
    AssumptionDependent,
    /// The audit's own reconstruction of the unreported model; it says which
    /// structures could have produced the reported fit, not that the paper
    /// is wrong.
    Reconstruction,
    /// A printed figure no check covers (status always `unverifiable`).
    Unchecked,
}

impl Kind {
    /// The kind as in the JSON, e.g. `assumption_dependent`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Impossible => "impossible",
            Kind::Rounding => "rounding",
            Kind::Contradiction => "contradiction",
            Kind::Reasoning => "reasoning",
            Kind::AssumptionDependent => "assumption_dependent",
            Kind::Reconstruction => "reconstruction",
            Kind::Unchecked => "unchecked",
        }
    }
}

/// How much a finding matters to a reader of the paper's conclusions; derived
/// from its [`Kind`] and [`Status`] by [`Severity::of`]. Ordered: `None` <
/// `Low` < `Medium` < `High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing to report: the figure holds.
    None,
    /// Worth knowing, changes no conclusion: an undecidable figure, or the
    /// audit's own reconstruction failing.
    Low,
    /// A figure or claim that is wrong or rests on an unstated assumption, but
    /// not at the core of the paper's results.
    Medium,
    /// A figure that cannot be true, or an inference the evidence does not
    /// support: the paper's results cannot be taken as printed.
    High,
}

impl Severity {
    /// The rule: consistent → none; unverifiable → low; inconsistent →
    /// high for `impossible` and `reasoning`, medium for `rounding`,
    /// `contradiction` and `assumption_dependent`, low for `reconstruction`.
    pub fn of(kind: Kind, status: Status) -> Severity {
        match (status, kind) {
            (Status::Consistent, _) => Severity::None,
            (Status::Unverifiable, _) => Severity::Low,
            (Status::Inconsistent, Kind::Impossible | Kind::Reasoning) => Severity::High,
            (Status::Inconsistent, Kind::Reconstruction | Kind::Unchecked) => Severity::Low,
            (Status::Inconsistent, _) => Severity::Medium,
        }
    }

    /// The severity as one lower-case word, as in the JSON.
    pub fn label(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// What the audit recomputed: a number, an interval (when the inputs are
/// rounded or a quantity is only bounded), or nothing (a qualitative check).
/// Serializes as a JSON number, `{"lower": .., "upper": ..}` or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Recomputed {
    /// One recomputed number.
    Value(f64),
    /// The range of values the rounded inputs allow.
    Interval {
        /// Lower end.
        lower: f64,
        /// Upper end (≥ `lower`).
        upper: f64,
    },
    /// Nothing numeric was recomputed.
    None,
}

impl Recomputed {
    /// A value; a non-finite one becomes `None` so that no NaN reaches a result.
    pub fn value(x: f64) -> Recomputed {
        if x.is_finite() {
            Recomputed::Value(x)
        } else {
            Recomputed::None
        }
    }

    /// An interval (ends ordered); non-finite ends give `None`.
    pub fn interval(a: f64, b: f64) -> Recomputed {
        if a.is_finite() && b.is_finite() {
            Recomputed::Interval {
                lower: a.min(b),
                upper: a.max(b),
            }
        } else {
            Recomputed::None
        }
    }

    /// Text for tables: integers without decimals, others with up to four.
    pub fn display(&self) -> String {
        match *self {
            Recomputed::Value(v) => fmt_number(v),
            Recomputed::Interval { lower, upper } => {
                format!("[{}, {}]", fmt_number(lower), fmt_number(upper))
            }
            Recomputed::None => "—".to_owned(),
        }
    }
}

/// A number for display: integral values bare, others with up to four
/// decimals and no trailing zeros.
pub fn fmt_number(v: f64) -> String {
    if v.is_finite() && v == v.round() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    if v.is_finite() && v != 0.0 && v.abs() < 1e-3 {
        // Small p-values: keep three significant digits.
        return format!("{v:.2e}");
    }
    let s = fmt_fixed(v, 4);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// One audited figure: where it is printed, what it says, what the audit
/// recomputed, and a verdict with a one-paragraph explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `table1-percent-education-level-masters-degree-and-above`.
    pub id: String,
    /// Where in the paper: "Table 1" … "Table 5", "Abstract", "Methods", "Results".
    pub source: String,
    /// What is checked, in words.
    pub quantity: String,
    /// The published figure(s) as printed.
    pub published: String,
    /// What the audit recomputed from the published inputs.
    pub recomputed: Recomputed,
    /// The verdict.
    pub status: Status,
    /// What kind of check this is.
    pub kind: Kind,
    /// How much it matters; [`Severity::of`] the kind and status (set when
    /// the audit finishes, and by [`Finding::kind`]).
    pub severity: Severity,
    /// The rule or formula used.
    pub method: String,
    /// One paragraph a reader can follow.
    pub explanation: String,
    /// Ids of the claims' text figures this finding used (so that the audit can
    /// list the figures no check covers).
    #[serde(skip)]
    pub figures: Vec<String>,
}

impl Finding {
    /// A finding with status `unverifiable` until a verdict is set.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        quantity: impl Into<String>,
    ) -> Finding {
        Finding {
            id: id.into(),
            source: source.into(),
            quantity: quantity.into(),
            published: String::new(),
            recomputed: Recomputed::None,
            status: Status::Unverifiable,
            kind: Kind::Unchecked,
            severity: Severity::Low,
            method: String::new(),
            explanation: String::new(),
            figures: Vec::new(),
        }
    }
    /// Sets the published figure(s), as printed.
    pub fn published(mut self, text: impl Into<String>) -> Finding {
        self.published = text.into();
        self
    }
    /// Sets what the audit recomputed.
    pub fn recomputed(mut self, r: Recomputed) -> Finding {
        self.recomputed = r;
        self
    }
    /// Sets the verdict.
    pub fn status(mut self, s: Status) -> Finding {
        self.status = s;
        self.severity = Severity::of(self.kind, s);
        self
    }
    /// Sets the kind of check (and the severity that follows from it).
    pub fn kind(mut self, k: Kind) -> Finding {
        self.kind = k;
        self.severity = Severity::of(k, self.status);
        self
    }
    /// `consistent` when `ok`, else `inconsistent`.
    pub fn holds(self, ok: bool) -> Finding {
        self.status(if ok {
            Status::Consistent
        } else {
            Status::Inconsistent
        })
    }
    /// Sets the rule or formula used.
    pub fn method(mut self, m: impl Into<String>) -> Finding {
        self.method = m.into();
        self
    }
    /// Sets the explanation a reader can follow.
    pub fn explanation(mut self, e: impl Into<String>) -> Finding {
        self.explanation = e.into();
        self
    }
    /// Records that this finding used the text figure with id `figure_id`.
    pub fn uses(mut self, figure_id: &str) -> Finding {
        self.figures.push(figure_id.to_owned());
        self
    }
}

/// Counts of findings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings whose figure holds.
    pub consistent: usize,
    /// Findings whose figure cannot be right.
    pub inconsistent: usize,
    /// Findings the published figures cannot decide.
    pub unverifiable: usize,
}

/// The audit of one paper: its findings, in the order the checks run.
/// Serializes as `{"findings": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// The findings, in the order the checks ran.
    pub findings: Vec<Finding>,
}

impl AuditReport {
    /// The finding with this id.
    pub fn get(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    /// How many findings have each status.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.status {
                Status::Consistent => s.consistent += 1,
                Status::Inconsistent => s.inconsistent += 1,
                Status::Unverifiable => s.unverifiable += 1,
            }
        }
        s
    }

    /// Findings grouped by source, sources in reading order: Abstract,
    /// Methods, Results, then tables by number, then anything else.
    pub fn by_source(&self) -> Vec<(String, Vec<&Finding>)> {
        let mut groups: BTreeMap<(u32, u32, String), Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups.entry(source_key(&f.source)).or_default().push(f);
        }
        groups.into_iter().map(|((_, _, s), v)| (s, v)).collect()
    }

    /// The findings that are not consistent, most severe first (then by
    /// kind, then in audit order).
    pub fn ranked(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.status != Status::Consistent)
            .collect();
        // Stable sort keeps the audit's order within a severity and kind.
        v.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.kind));
        v
    }

    /// One paragraph of what matters: the counts by severity, then the
    /// high-severity findings by name, and what the rest are.
    pub fn summary_paragraph(&self) -> String {
        let s = self.summary();
        let count = |sev: Severity| self.findings.iter().filter(|f| f.severity == sev).count();
        let (high, medium, low) = (
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
        );
        let mut out = format!(
            "{} findings: {} consistent, {} inconsistent, {} unverifiable. By severity: {high} high, {medium} medium, {low} low.",
            self.findings.len(),
            s.consistent,
            s.inconsistent,
            s.unverifiable
        );
        let ranked = self.ranked();
        let named: Vec<String> = ranked
            .iter()
            .filter(|f| f.severity == Severity::High)
            .map(|f| {
                format!(
                    "{} ({}, {}: {})",
                    f.quantity,
                    f.source,
                    f.kind.label(),
                    f.id
                )
            })
            .collect();
        if !named.is_empty() {
            out.push_str(&format!(" What matters most: {}.", named.join("; ")));
        }
        let kinds = |sev: Severity| {
            let mut k: Vec<&str> = ranked
                .iter()
                .filter(|f| f.severity == sev)
                .map(|f| f.kind.label())
                .collect();
            k.sort_unstable();
            k.dedup();
            k.join(", ")
        };
        if medium > 0 {
            out.push_str(&format!(" Medium ({}): a figure off beyond rounding, two places disagreeing, or a verdict resting on an assumption the paper does not state.", kinds(Severity::Medium)));
        }
        if low > 0 {
            out.push_str(" Low: figures the paper does not let one check, and the audit's own model reconstruction.");
        }
        out
    }

    fn summary_table(&self) -> Table {
        let s = self.summary();
        let mut t = Table::new("Audit summary", &["status", "findings"]);
        t.row(vec!["consistent".into(), s.consistent.to_string()]);
        t.row(vec!["inconsistent".into(), s.inconsistent.to_string()]);
        t.row(vec!["unverifiable".into(), s.unverifiable.to_string()]);
        t.row(vec!["total".into(), self.findings.len().to_string()]);
        t
    }
}

/// At most `max` characters, with an ellipsis when cut (text tables only;
/// JSON and HTML keep the whole text).
fn one_line(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn source_key(source: &str) -> (u32, u32, String) {
    let order = match source {
        "Abstract" => (0, 0),
        "Methods" => (1, 0),
        "Results" => (2, 0),
        s => match s
            .strip_prefix("Table ")
            .and_then(|n| n.trim().parse::<u32>().ok())
        {
            Some(n) => (3, n),
            None => (4, 0),
        },
    };
    (order.0, order.1, source.to_owned())
}

impl Render for AuditReport {
    /// The ranked summary paragraph, then the tables.
    fn to_text(&self) -> String {
        let tables: Vec<String> = self.tables().iter().map(Table::to_text).collect();
        format!("{}\n\n{}", self.summary_paragraph(), tables.join("\n"))
    }

    /// One table per source with a one-line verdict per finding, then the
    /// summary counts.
    fn tables(&self) -> Vec<Table> {
        let mut out = Vec::new();
        for (source, findings) in self.by_source() {
            let mut t = Table::new(
                format!("Audit — {source}"),
                &[
                    "status",
                    "severity",
                    "kind",
                    "id",
                    "quantity",
                    "published",
                    "recomputed",
                ],
            );
            for f in findings {
                t.row(vec![
                    f.status.label().to_owned(),
                    f.severity.label().to_owned(),
                    f.kind.label().to_owned(),
                    f.id.clone(),
                    f.quantity.clone(),
                    one_line(&f.published, 48),
                    f.recomputed.display(),
                ]);
            }
            out.push(t);
        }
        out.push(self.summary_table());
        out
    }

    /// The report's version: the same groups with the method and the
    /// explanation of every finding.
    fn to_html(&self) -> String {
        let mut out = String::from("<div class=\"paraclinic-result paraclinic-audit\">");
        out.push_str(&format!(
            "<p class=\"audit-summary\">{}</p>",
            crate::render::escape_html(&self.summary_paragraph())
        ));
        for (source, findings) in self.by_source() {
            let mut t = Table::new(
                format!("Audit — {source}"),
                &[
                    "status",
                    "severity",
                    "kind",
                    "id",
                    "quantity",
                    "published",
                    "recomputed",
                    "method",
                    "explanation",
                ],
            );
            for f in findings {
                t.row(vec![
                    f.status.label().to_owned(),
                    f.severity.label().to_owned(),
                    f.kind.label().to_owned(),
                    f.id.clone(),
                    f.quantity.clone(),
                    f.published.clone(),
                    f.recomputed.display(),
                    f.method.clone(),
                    f.explanation.clone(),
                ]);
            }
            out.push_str(&t.to_html());
        }
        out.push_str(&self.summary_table().to_html());
        out.push_str("</div>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> AuditReport {
        AuditReport {
            findings: vec![
                Finding::new("b", "Table 2", "q2")
                    .kind(Kind::Impossible)
                    .holds(false),
                Finding::new("a", "Table 10", "q10").holds(true),
                Finding::new("c", "Abstract", "qa")
                    .recomputed(Recomputed::interval(2.0, 1.0))
                    .holds(true),
                Finding::new("d", "Results", "qr").recomputed(Recomputed::value(f64::NAN)),
            ],
        }
    }

    #[test]
    fn recomputed_serializes_as_number_interval_or_null() {
        let v = serde_json::to_value(report()).unwrap();
        let f = v["findings"].as_array().unwrap();
        assert_eq!(
            f[2]["recomputed"],
            serde_json::json!({"lower": 1.0, "upper": 2.0})
        );
        assert!(f[3]["recomputed"].is_null());
        assert_eq!(f[0]["status"], "inconsistent");
        assert!(f[0].get("figures").is_none());
        assert_eq!(
            (&f[0]["kind"], &f[0]["severity"]),
            (&"impossible".into(), &"high".into())
        );
        assert_eq!(
            (&f[3]["kind"], &f[3]["severity"]),
            (&"unchecked".into(), &"low".into())
        );
        assert_eq!(f[1]["severity"], "none");
        let keys: Vec<&str> = f[0]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "source",
                "quantity",
                "published",
                "recomputed",
                "status",
                "kind",
                "severity",
                "method",
                "explanation"
            ]
        );
    }

    #[test]
    fn groups_follow_reading_order_and_summary_counts() {
        let r = report();
        let order: Vec<String> = r.by_source().into_iter().map(|(s, _)| s).collect();
        assert_eq!(order, ["Abstract", "Results", "Table 2", "Table 10"]);
        assert_eq!(
            r.summary(),
            Summary {
                consistent: 2,
                inconsistent: 1,
                unverifiable: 1
            }
        );
        let text = r.to_text();
        assert!(text.contains("Audit — Table 2"));
        assert!(
            text.contains("inconsistent  high      impossible  b"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("total") && l.ends_with(" 4")),
            "{text}"
        );
        assert!(r.to_html().contains("<th>explanation</th>"));
        // The text and the HTML lead with the ranked summary.
        let summary = "4 findings: 2 consistent, 1 inconsistent, 1 unverifiable. By severity: 1 high, 0 medium, 1 low. \
                       What matters most: q2 (Table 2, impossible: b).";
        assert!(text.starts_with(summary), "{text}");
        assert!(r
            .to_html()
            .contains(&format!("<p class=\"audit-summary\">{summary}")));
        let ranked: Vec<&str> = r.ranked().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ranked, ["b", "d"]);
    }

    #[test]
    fn severity_follows_kind_and_status() {
        use Kind::*;
        assert_eq!(Severity::of(Impossible, Status::Consistent), Severity::None);
        assert_eq!(
            Severity::of(Reasoning, Status::Inconsistent),
            Severity::High
        );
        assert_eq!(
            Severity::of(Rounding, Status::Inconsistent),
            Severity::Medium
        );
        assert_eq!(
            Severity::of(AssumptionDependent, Status::Inconsistent),
            Severity::Medium
        );
        assert_eq!(
            Severity::of(Reconstruction, Status::Inconsistent),
            Severity::Low
        );
        assert_eq!(
            Severity::of(Impossible, Status::Unverifiable),
            Severity::Low
        );
        // Setting the status after the kind keeps the severity in step.
        let f = Finding::new("x", "Table 1", "q")
            .kind(Contradiction)
            .holds(false);
        assert_eq!(f.severity, Severity::Medium);
    }

    #[test]
    fn numbers_display_compactly() {
        assert_eq!(fmt_number(385.0), "385");
        assert_eq!(fmt_number(37.142857), "37.1429");
        assert_eq!(fmt_number(0.5), "0.5");
        assert_eq!(Recomputed::interval(333.0, 338.0).display(), "[333, 338]");
        assert_eq!(fmt_number(4.853e-9), "4.85e-9");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }
}
