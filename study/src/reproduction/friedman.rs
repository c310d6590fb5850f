//! Step 7 — Friedman ranking of the dimensions (Table 5): the test on the
//! dimension scores of the data, and what Table 5 allows without data (its
//! mean ranks must sum to k(k+1)/2; its rank column must follow them).
//!
//! Missing values: listwise (a respondent with a missing dimension score is
//! dropped), as [`analysis::friedman::friedman_dataset`] does.

use super::common::{
    all_with_provenance, data_figure, impl_step_render, step_fields, Bound, Comparison, ProvTable,
    Step, StepFigure, Value, Verdict,
};
use super::study_data::StudyData;
use analysis::claims::Claims;
use analysis::error::Result;
use analysis::friedman::{friedman_dataset, Friedman, DEFAULT_ALPHA};
use analysis::plots::critical_difference;
use analysis::render::{fmt_fixed, fmt_p, Provenance, Render};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FriedmanStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Provenance of the test's numbers (the data's).
    pub provenance: Provenance,
    pub result: Friedman,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Critical-difference diagram of the data's mean ranks.
    pub figures: Vec<StepFigure>,
}

/// The Friedman test on the dimension scores, next to Table 5.
pub fn run(claims: &Claims, data: &StudyData) -> Result<FriedmanStep> {
    let p = data.provenance;
    let scores = data.dimension_scores()?;
    let result = friedman_dataset(&scores, None, DEFAULT_ALPHA)?;
    let (mut comparisons, mut notice) = match &claims.friedman {
        Some(t5) => table5_checks(t5),
        None => (Vec::new(), Vec::new()),
    };
    if let Some(t5) = &claims.friedman {
        for row in &t5.rows {
            let Some(i) = result
                .mean_ranks
                .0
                .iter()
                .position(|(n, _)| n == &row.dimension)
            else {
                continue;
            };
            let ours = result.mean_ranks.0[i].1;
            comparisons.push(Comparison::new(
                format!("mean rank of {} (data)", row.dimension),
                &t5.source,
                Some(Value::published(&row.mean_rank)),
                Some(Value::computed(ours, 2, p)),
                Verdict::for_data(p, Verdict::of_rounding(&row.mean_rank, ours)),
            ));
            let position = result.ranks.0[i].1;
            comparisons.push(Comparison::new(
                format!("rank of {} (data)", row.dimension),
                &t5.source,
                Some(Value::count(row.rank as u64, Provenance::Published)),
                Some(Value::computed(
                    position,
                    if position.fract() == 0.0 { 0 } else { 1 },
                    p,
                )),
                Verdict::for_data(
                    p,
                    if (position - row.rank as f64).abs() < 1e-9 {
                        Verdict::Agrees
                    } else {
                        Verdict::Differs
                    },
                ),
            ));
        }
    }
    if let Some(f) = claims.figure("friedman_p") {
        comparisons.push(
            Comparison::new(
                "Friedman p-value",
                &f.source,
                Some(Value::published_bound(&f.value, Bound::Below)),
                Some(Value::with_text(result.pvalue, fmt_p(result.pvalue), p)),
                Verdict::for_data(
                    p,
                    Verdict::of_bound(f.value.value, Bound::Below, result.pvalue),
                ),
            )
            .with_note(format!(
                "χ² = {} with {} df, n = {}, Kendall's W = {}",
                fmt_fixed(result.statistic, 2),
                result.df,
                result.n,
                fmt_fixed(result.kendall_w, 3)
            )),
        );
    }
    notice.push(format!(
        "Kendall's W = {} measures how far respondents agree on the order; with n = {} even a small W is significant, so p < 0.01 says little about how strongly the dimensions differ.",
        fmt_fixed(result.kendall_w, 3),
        result.n
    ));
    if p == Provenance::SyntheticEstimate {
        notice.push("The synthetic dimensions were given mean shifts in Table 5's order, so recovering that order here is by construction, not a confirmation.".to_owned());
    }
    let names: Vec<String> = result.mean_ranks.0.iter().map(|(n, _)| n.clone()).collect();
    let ranks: Vec<f64> = result.mean_ranks.0.iter().map(|(_, r)| *r).collect();
    let figures = vec![data_figure(
        super::FRIEDMAN.figure_file("critical_difference"),
        critical_difference(&names, &ranks, result.critical_difference.cd)?,
        data,
    )];
    Ok(FriedmanStep {
        id: super::FRIEDMAN.id,
        title: super::FRIEDMAN.title,
        provenance: p,
        result,
        comparisons,
        notice,
        figures,
    })
}

impl Step for FriedmanStep {
    step_fields!(id, title, provenance, comparisons, notice, figures);
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        all_with_provenance(self.result.tables(), self.provenance)
    }
    fn summary(&self) -> String {
        format!(
            "χ² = {} (df {}), p {}, W = {} ({})",
            fmt_fixed(self.result.statistic, 2),
            self.result.df,
            match fmt_p(self.result.pvalue) {
                p if p.starts_with('<') => p,
                p => format!("= {p}"),
            },
            fmt_fixed(self.result.kendall_w, 3),
            self.provenance.label()
        )
    }
}

impl_step_render!(FriedmanStep);

/// What Table 5 allows without data: the mean ranks of k conditions always
/// sum to k(k+1)/2 (each respondent ranks 1…k), and the rank column must
/// follow the mean ranks (1 = highest, as the table orders them).
/// Returns the comparisons and what to notice.
pub fn table5_checks(t5: &analysis::claims::PublishedFriedman) -> (Vec<Comparison>, Vec<String>) {
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
            analysis::render::fmt_fixed(slack, 3)
        )),
    );
    if verdict == Verdict::Differs {
        notice.push(format!(
            "Table 5's mean ranks sum to {} where any {k} Friedman mean ranks sum to {expected}: they cannot be the mean ranks of a Friedman test as printed (perhaps mean scores, or ranks rescaled).",
            analysis::render::fmt_fixed(sum, 2)
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
