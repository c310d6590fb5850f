//! Step 5 — correlation and collinearity: Pearson correlations of the
//! dimension scores with p-values, VIF and the pairs at or above the
//! threshold, set against the paper's "all correlations were below 0.8".
//!
//! Missing values: listwise (a respondent with a missing dimension score is
//! dropped), as [`analysis::correlation`] does by default.

use super::common::{
    all_with_provenance, data_figure, impl_step_render, step_fields, Bound, Comparison, ProvTable,
    Step, StepFigure, Value, Verdict,
};
use super::study_data::StudyData;
use analysis::claims::Claims;
use analysis::correlation::{correlate, CorrelationOptions, CorrelationReport, DEFAULT_THRESHOLD};
use analysis::error::Result;
use analysis::plots::heatmap;
use analysis::render::{fmt_fixed, Provenance, Render};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Provenance of every statistic below (the data's).
    pub provenance: Provenance,
    pub report: CorrelationReport,
    /// Largest |r| between two different dimension scores, and the pair.
    pub max_abs_r: f64,
    pub max_pair: (String, String),
    /// Largest finite VIF (`None` if a VIF is infinite).
    pub max_vif: Option<f64>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Heat map of the correlation matrix.
    pub figures: Vec<StepFigure>,
}

/// Correlations of the dimension scores; `claims` gives the published
/// bound ("below 0.8") and threshold (0.9) when they exist.
pub fn run(claims: &Claims, data: &StudyData) -> Result<CorrelationStep> {
    let p = data.provenance;
    let scores = data.dimension_scores()?;
    let bound = claims.figure("max_correlation");
    let threshold = bound.map_or(DEFAULT_THRESHOLD, |f| f.value.value);
    let report = correlate(
        &scores,
        None,
        &CorrelationOptions {
            threshold,
            ..CorrelationOptions::default()
        },
    )?;
    let k = report.variables.len();
    let mut max_abs_r = 0.0;
    let mut max_pair = (String::new(), String::new());
    for i in 0..k {
        for j in i + 1..k {
            if report.r[i][j].abs() > max_abs_r {
                max_abs_r = report.r[i][j].abs();
                max_pair = (report.variables[i].clone(), report.variables[j].clone());
            }
        }
    }
    let max_vif = report
        .vif
        .iter()
        .map(|v| v.vif)
        .try_fold(0.0f64, |m, v| v.map(|v| m.max(v)));

    let mut comparisons = Vec::new();
    if let Some(f) = bound {
        comparisons.push(
            Comparison::new(
                "largest |r| between dimension scores",
                &f.source,
                Some(Value::published_bound(&f.value, Bound::Below)),
                Some(Value::computed(max_abs_r, 3, p)),
                Verdict::for_data(p, Verdict::of_bound(f.value.value, Bound::Below, max_abs_r)),
            )
            .with_note(format!(
                "{} – {}; {} pair(s) at or above {}",
                max_pair.0,
                max_pair.1,
                report.flagged.len(),
                threshold
            )),
        );
    }
    if let Some(f) = claims.figure("collinearity_threshold") {
        comparisons.push(
            Comparison::new(
                "threshold for high collinearity",
                &f.source,
                Some(Value::published(&f.value)),
                None,
                Verdict::PublishedOnly,
            )
            .with_note(format!(
                "the paper names {} as the danger level but reports against {threshold}; we flag pairs at {threshold}",
                f.value.text
            )),
        );
    }
    comparisons.push(
        Comparison::new(
            "largest VIF among the dimension scores",
            "",
            None,
            max_vif.map(|v| Value::computed(v, 2, p)),
            Verdict::NotComparable,
        )
        .with_note(if max_vif.is_some() {
            "the paper reports no VIF; below 5 (or 10) is the usual rule for no harmful collinearity"
        } else {
            "a VIF is infinite: some dimension scores are exact linear combinations of others"
        }),
    );

    let mut notice = vec![
        "The paper does not say which variables it correlated; here the ten dimension scores (item means) are used, the inputs of the structural model.".to_owned(),
        "Pairwise correlations below 0.8 do not rule out collinearity among three or more variables; the VIF (1/(1 − R²) of each score on all others) does.".to_owned(),
    ];
    if p == Provenance::SyntheticEstimate {
        notice.push(
            "The synthetic dimensions were generated with a common latent correlation of 0.3, so these correlations reflect that choice, not the study."
                .to_owned(),
        );
    }
    let figures = vec![data_figure(
        super::CORRELATION.figure_file("heatmap"),
        heatmap(&report.variables, &report.r)?,
        data,
    )];
    Ok(CorrelationStep {
        id: super::CORRELATION.id,
        title: super::CORRELATION.title,
        provenance: p,
        report,
        max_abs_r,
        max_pair,
        max_vif,
        comparisons,
        notice,
        figures,
    })
}

impl Step for CorrelationStep {
    step_fields!(id, title, provenance, comparisons, notice, figures);
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        all_with_provenance(self.report.tables(), self.provenance)
    }
    fn summary(&self) -> String {
        format!(
            "largest |r| = {} ({} – {}), largest VIF = {} ({})",
            fmt_fixed(self.max_abs_r, 3),
            self.max_pair.0,
            self.max_pair.1,
            self.max_vif
                .map_or_else(|| "infinite".to_owned(), |v| fmt_fixed(v, 2)),
            self.provenance.label()
        )
    }
}

impl_step_render!(CorrelationStep);
