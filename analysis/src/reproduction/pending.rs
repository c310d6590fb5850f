//! Steps whose method module has not landed in this build yet (SEM,
//! Friedman, Delphi, audit). They show what the paper publishes for the step,
//! labelled published, and say which module the recomputation waits for —
//! they never pretend to a result.

use super::common::{
    step_html, step_tables, Comparison, ProvTable, Step, StepFigure, Value, Verdict,
};
use crate::plots::{fit_indices, path_diagram, FitIndexBar, PathArrow, PathDiagram};
use crate::published::Claims;
use crate::render::Provenance;
use crate::render::{Render, Table};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingStep {
    pub id: &'static str,
    pub title: &'static str,
    /// The library module the step needs, e.g. `analysis::sem`.
    pub waits_for: &'static str,
    /// The published figures of the step (verdict `published_only`).
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Figures of the published values (provenance published).
    pub figures: Vec<StepFigure>,
}

impl PendingStep {
    fn new(id: &'static str, title: &'static str, waits_for: &'static str) -> PendingStep {
        PendingStep {
            id,
            title,
            waits_for,
            comparisons: Vec::new(),
            notice: vec![format!(
                "Not computed in this build: this step needs {waits_for}, which has not been merged yet. Only the published figures are shown."
            )],
            figures: Vec::new(),
        }
    }

    fn published(&mut self, quantity: String, source: &str, value: Value) {
        self.comparisons.push(Comparison::new(
            quantity,
            source,
            Some(value),
            None,
            Verdict::PublishedOnly,
        ));
    }
}

/// Step 6 until `analysis::sem` lands: Tables 3 and 4 as published.
pub fn sem(claims: &Claims) -> PendingStep {
    let mut s = PendingStep::new("sem", "Structural equation model", "analysis::sem");
    if let Some(fit) = &claims.fit {
        for i in &fit.indices {
            s.published(i.label.clone(), &fit.source, Value::published(&i.value));
        }
    }
    if let Some(paths) = &claims.paths {
        for r in &paths.rows {
            s.published(
                format!("β {} → {}", r.variable, paths.outcome),
                &paths.source,
                Value::published(&r.beta),
            );
            s.published(
                format!("t {} → {}", r.variable, paths.outcome),
                &paths.source,
                Value::published(&r.t),
            );
        }
    }
    if let Some(fit) = &claims.fit {
        // Usual cut-offs: GFI/AGFI ≥ 0.90, CFI ≥ 0.95 (Hu & Bentler 1999), RMSEA ≤ 0.06.
        let bars: Vec<FitIndexBar> = fit
            .indices
            .iter()
            .map(|i| {
                let (cutoff, higher_is_better) = match i.name.as_str() {
                    "gfi" | "agfi" => (Some(0.90), true),
                    "cfi" => (Some(0.95), true),
                    "rmsea" => (Some(0.06), false),
                    _ => (None, true),
                };
                FitIndexBar {
                    name: i.label.clone(),
                    value: i.value.value,
                    cutoff,
                    higher_is_better,
                }
            })
            .collect();
        if let Ok(figure) = fit_indices(&bars) {
            s.figures.push(StepFigure {
                file: "06_sem_fit_indices_published.svg".into(),
                provenance: Provenance::Published,
                figure,
            });
        }
    }
    if let Some(paths) = &claims.paths {
        let diagram = PathDiagram {
            factors: paths.rows.iter().map(|r| r.variable.clone()).collect(),
            outcome: paths.outcome.clone(),
            paths: paths
                .rows
                .iter()
                .map(|r| PathArrow {
                    from: r.variable.clone(),
                    to: paths.outcome.clone(),
                    estimate: r.beta.value,
                    significant: r.t.value > 1.96,
                })
                .collect(),
            caption: Some("Published β (Table 4); * when t > 1.96".into()),
        };
        if let Ok(figure) = path_diagram(&diagram) {
            s.figures.push(StepFigure {
                file: "06_sem_paths_published.svg".into(),
                provenance: Provenance::Published,
                figure,
            });
        }
    }
    s
}

/// Step 7 until `analysis::friedman` lands: Table 5 as published.
pub fn friedman(claims: &Claims) -> PendingStep {
    let mut s = PendingStep::new(
        "friedman",
        "Friedman ranking (Table 5)",
        "analysis::friedman",
    );
    if let Some(t5) = &claims.friedman {
        for r in &t5.rows {
            s.published(
                format!("mean rank: {}", r.dimension),
                &t5.source,
                Value::published(&r.mean_rank),
            );
        }
    }
    if let Some(t5) = &claims.friedman {
        let (comparisons, notice) = table5_checks(t5);
        s.comparisons.extend(comparisons);
        s.notice.extend(notice);
    }
    if let Some(f) = claims.figure("friedman_p") {
        s.published(
            f.quantity.clone(),
            &f.source,
            Value::published_bound(&f.value, super::common::Bound::Below),
        );
    }
    s
}

/// What Table 5 allows without data: the mean ranks of k conditions always
/// sum to k(k+1)/2 (each respondent ranks 1…k), and the rank column must
/// follow the mean ranks (1 = highest, as the table orders them).
/// Returns the comparisons and what to notice.
pub fn table5_checks(t5: &crate::published::PublishedFriedman) -> (Vec<Comparison>, Vec<String>) {
    let mut comparisons = Vec::new();
    let mut notice = Vec::new();
    let k = t5.rows.len();
    if k == 0 {
        return (comparisons, notice);
    }
    let sum: f64 = t5.rows.iter().map(|r| r.mean_rank.value).sum();
    let expected = (k * (k + 1)) as f64 / 2.0;
    // Each printed mean rank is off by at most half a unit of its last digit.
    let slack: f64 = t5.rows.iter().map(|r| r.mean_rank.half_unit()).sum();
    let verdict = if (sum - expected).abs() <= slack + super::common::ROUNDING_SLACK {
        Verdict::Agrees
    } else {
        Verdict::Differs
    };
    comparisons.push(
        Comparison::new(
            "sum of the mean ranks",
            &t5.source,
            None,
            Some(Value::computed(sum, 2, Provenance::Recomputed)),
            verdict,
        )
        .with_note(format!(
            "{k} mean ranks must sum to k(k+1)/2 = {expected} whatever the data (±{} for rounding)",
            crate::render::fmt_fixed(slack, 3)
        )),
    );
    if verdict == Verdict::Differs {
        notice.push(format!(
            "Table 5's mean ranks sum to {} where any {k} Friedman mean ranks sum to {expected}: they cannot be the mean ranks of a Friedman test as printed (perhaps mean scores, or ranks rescaled).",
            crate::render::fmt_fixed(sum, 2)
        ));
    }
    let mut misranked = Vec::new();
    for row in &t5.rows {
        // Position by mean rank, 1 = highest; ties share the average position.
        let higher = t5
            .rows
            .iter()
            .filter(|o| o.mean_rank.value > row.mean_rank.value)
            .count();
        let equal = t5
            .rows
            .iter()
            .filter(|o| o.mean_rank.value == row.mean_rank.value)
            .count();
        let position = higher as f64 + (equal as f64 + 1.0) / 2.0;
        let verdict = if (position - row.rank as f64).abs() < 1e-9 {
            Verdict::Agrees
        } else {
            Verdict::Differs
        };
        comparisons.push(
            Comparison::new(
                format!("rank of {}", row.dimension),
                &t5.source,
                Some(Value::count(row.rank as u64, Provenance::Published)),
                Some(Value::computed(
                    position,
                    if position.fract() == 0.0 { 0 } else { 1 },
                    Provenance::Recomputed,
                )),
                verdict,
            )
            .with_note(format!(
                "from the published mean rank {}",
                row.mean_rank.text
            )),
        );
        if verdict == Verdict::Differs {
            misranked.push(format!("{} ({})", row.dimension, row.mean_rank.text));
        }
    }
    if !misranked.is_empty() {
        notice.push(format!(
            "The rank column does not follow the printed mean ranks for {}.",
            misranked.join(" and ")
        ));
    }
    (comparisons, notice)
}

/// Step 8 until `analysis::delphi` lands: the second paper's counts.
pub fn delphi(delphi_claims: &Claims) -> PendingStep {
    let mut s = PendingStep::new(
        "delphi",
        "Delphi consensus (second paper)",
        "analysis::delphi",
    );
    for f in &delphi_claims.figures {
        s.published(f.quantity.clone(), &f.source, Value::published(&f.value));
    }
    s
}

/// Step 9 until `analysis::audit` lands.
pub fn audit() -> PendingStep {
    PendingStep::new("audit", "Audit of the published figures", "analysis::audit")
}

impl Step for PendingStep {
    fn id(&self) -> &'static str {
        self.id
    }
    fn title(&self) -> &'static str {
        self.title
    }
    fn provenance(&self) -> crate::render::Provenance {
        crate::render::Provenance::Published
    }
    fn comparisons(&self) -> &[Comparison] {
        &self.comparisons
    }
    fn notice(&self) -> &[String] {
        &self.notice
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        Vec::new()
    }
    fn figures(&self) -> &[StepFigure] {
        &self.figures
    }
    fn summary(&self) -> String {
        format!("not computed: waits for {}", self.waits_for)
    }
}

impl Render for PendingStep {
    fn tables(&self) -> Vec<Table> {
        step_tables(self)
    }
    /// The step with a provenance badge on every number and its figures.
    fn to_html(&self) -> String {
        step_html(self)
    }
}
