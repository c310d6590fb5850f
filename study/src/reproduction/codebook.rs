//! Step 3 — thematic codes (Table 2): the dimension → theme → sub-theme
//! tree counted and checked against the counts the text states (Abstract,
//! Methods, Results).

use super::common::{
    impl_step_render, step_fields, Comparison, ProvTable, Step, StepFigure, Value, Verdict,
};
use analysis::claims::Claims;
use analysis::codebook::{Codebook, CodebookCounts, Issue};
use analysis::error::{AnalysisError, Location, Result};
use analysis::plots::{codebook_repetitions, CodebookBar};
use analysis::render::{Provenance, Render};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodebookStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Table 2 as transcribed (published).
    pub codebook: Codebook,
    /// Counts at every level (recomputed from Table 2).
    pub counts: CodebookCounts,
    /// Problems in Table 2's structure (duplicates, empty themes, …).
    pub issues: Vec<Issue>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Repetitions per theme (published).
    pub figures: Vec<StepFigure>,
}

/// Counts Table 2 and compares with the figures stated in the text.
pub fn run(claims: &Claims) -> Result<CodebookStep> {
    let table2 = claims.codebook.as_ref().ok_or_else(|| {
        AnalysisError::unsuitable(
            Location::source(format!("claims of {}", claims.study.id)),
            "the claims have no codebook (Table 2)",
        )
    })?;
    let codebook = Codebook::from_published(table2);
    let counts = codebook.counts();
    let issues = codebook.validate();
    let r = Provenance::Recomputed;
    // (figure id, our count, what we count, note)
    let checks: [(&str, u64, &str, &str); 8] = [
        ("factors", counts.dimensions as u64, "dimensions in Table 2", ""),
        ("main_themes", counts.themes as u64, "themes in Table 2", ""),
        ("initial_codes", counts.subthemes as u64, "sub-themes in Table 2", ""),
        ("model_dimensions", counts.dimensions as u64, "dimensions in Table 2", ""),
        (
            "model_subthemes",
            counts.themes as u64,
            "themes in Table 2",
            "the Methods call the 26 main themes \"sub-themes\"; Table 2 has 26 themes and 78 sub-themes",
        ),
        ("results_dimensions", counts.dimensions as u64, "dimensions in Table 2", ""),
        ("results_themes", counts.themes as u64, "themes in Table 2", ""),
        ("results_subthemes", counts.subthemes as u64, "sub-themes in Table 2", ""),
    ];
    let mut comparisons = Vec::new();
    for (id, ours, what, note) in checks {
        if let Some(f) = claims.figure(id) {
            comparisons.push(
                Comparison::new(
                    format!("{} ({what})", f.quantity),
                    &f.source,
                    Some(Value::published(&f.value)),
                    Some(Value::count(ours, r)),
                    Verdict::of_rounding(&f.value, ours as f64),
                )
                .with_note(note),
            );
        }
    }
    for id in ["primary_codes", "results_primary_codes"] {
        if let Some(f) = claims.figure(id) {
            comparisons.push(
                Comparison::new(
                    format!("{} (sum of repetitions in Table 2)", f.quantity),
                    &f.source,
                    Some(Value::published(&f.value)),
                    Some(Value::count(counts.repetitions, r)),
                    Verdict::NotComparable,
                )
                .with_note(
                    "Table 2's repetitions count how often each sub-theme was coded, not distinct primary codes, so the two need not match; the paper does not list the 176 codes.",
                ),
            );
        }
    }
    let mut notice = vec![format!(
        "Table 2 holds {} dimensions, {} themes and {} sub-themes, as the text says; its repetitions add up to {}.",
        counts.dimensions, counts.themes, counts.subthemes, counts.repetitions
    )];
    let smallest = counts
        .per_dimension
        .iter()
        .filter(|d| d.themes == 1)
        .map(|d| d.dimension.as_str())
        .collect::<Vec<_>>();
    if !smallest.is_empty() {
        notice.push(format!(
            "{} rest on a single theme each ({}), which matters for measurement: a one-theme dimension measured by one item per theme cannot identify a factor.",
            if smallest.len() == 1 { "One dimension" } else { "Some dimensions" },
            smallest.join(", ")
        ));
    }
    if issues.is_empty() {
        notice.push("No structural problem in Table 2 (no duplicate sub-theme, no theme under two dimensions, no empty theme).".to_owned());
    } else {
        notice.push(format!(
            "{} structural issue(s) in Table 2; see the issues table.",
            issues.len()
        ));
    }
    let bars: Vec<CodebookBar> = counts
        .per_theme
        .iter()
        .map(|t| CodebookBar {
            dimension: t.dimension.clone(),
            theme: t.theme.clone(),
            repetitions: t.repetitions as f64,
        })
        .collect();
    let figures = vec![StepFigure {
        file: super::CODEBOOK.figure_file("repetitions"),
        provenance: Provenance::Published,
        figure: codebook_repetitions(&bars)?,
    }];
    Ok(CodebookStep {
        id: super::CODEBOOK.id,
        title: super::CODEBOOK.title,
        codebook,
        counts,
        issues,
        comparisons,
        notice,
        figures,
    })
}

impl Step for CodebookStep {
    step_fields!(id, title, comparisons, notice, figures);
    fn provenance(&self) -> Provenance {
        Provenance::Recomputed
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        // Codebook::tables: the table as printed, then counts (and issues).
        self.codebook
            .tables()
            .into_iter()
            .enumerate()
            .map(|(i, table)| ProvTable {
                provenance: if i == 0 {
                    Provenance::Published
                } else {
                    Provenance::Recomputed
                },
                table,
            })
            .collect()
    }
    fn summary(&self) -> String {
        format!(
            "{} dimensions, {} themes, {} sub-themes, {} repetitions recounted",
            self.counts.dimensions,
            self.counts.themes,
            self.counts.subthemes,
            self.counts.repetitions
        )
    }
}

impl_step_render!(CodebookStep);
