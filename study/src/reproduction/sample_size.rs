//! Step 1 — sample size: Cochran's n0 recomputed from the published z, and
//! the sample the study actually analysed.
//!
//! The paper prints z = 1.96 and n0 = 384.16 but neither p nor e; p = 0.5,
//! e = 0.05 is the textbook setting and the only common one giving 384.16
//! (1.96² · 0.25 / 0.05² = 384.16), so we take it. Everything here is
//! recomputed from published figures; no data are needed.

use super::common::{
    impl_step_render, step_fields, Comparison, ProvTable, Step, StepFigure, Value, Verdict,
};
use analysis::claims::Claims;
use analysis::error::Result;
use analysis::plots::sample_size_curve;
use analysis::render::{fmt_fixed, Provenance, Render};
use analysis::sample_size::{margin_of_error, sample_size, SampleSize, SampleSizeInput};
use serde::Serialize;

/// p and e assumed for Cochran's formula (not printed in the paper).
pub const ASSUMED_PROPORTION: f64 = 0.5;
pub const ASSUMED_MARGIN: f64 = 0.05;
/// The z the paper prints, used when the claims do not give one.
pub const PRINTED_Z: f64 = 1.96;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSizeStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Cochran with the paper's z (1.96), p = 0.5, e = 0.05 (recomputed).
    pub with_published_z: SampleSize,
    /// The same with the exact quantile z = 1.959964 (recomputed).
    pub with_exact_z: SampleSize,
    /// Margin of error at the analysed n (385), and at the first collection (329).
    pub margin_at_analysed: Option<f64>,
    pub margin_at_initial: Option<f64>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// n0 against the margin of error (recomputed).
    pub figures: Vec<StepFigure>,
}

/// Recomputes Cochran's n0 and the margins of error from the claims.
pub fn run(claims: &Claims) -> Result<SampleSizeStep> {
    let fig = |id: &str| claims.figure(id);
    let z = fig("cochran_z").map_or(PRINTED_Z, |f| f.value.value);
    let with_published_z = sample_size(&SampleSizeInput {
        z: Some(z),
        proportion: ASSUMED_PROPORTION,
        margin: ASSUMED_MARGIN,
        ..SampleSizeInput::default()
    })?;
    let with_exact_z = sample_size(&SampleSizeInput {
        proportion: ASSUMED_PROPORTION,
        margin: ASSUMED_MARGIN,
        ..SampleSizeInput::default()
    })?;
    let r = Provenance::Recomputed;
    let mut comparisons = Vec::new();
    if let Some(f) = fig("cochran_n0") {
        comparisons.push(
            Comparison::new(
                "Cochran n0 = z²pq/e²",
                &f.source,
                Some(Value::published(&f.value)),
                Some(Value::computed(with_published_z.n0, 4, r)),
                Verdict::of_rounding(&f.value, with_published_z.n0),
            )
            .with_note(format!(
                "z = {z}, p = 0.5, e = 0.05 (p and e not printed; the only textbook setting giving 384.16). With the exact z = 1.959964: {}.",
                fmt_fixed(with_exact_z.n0, 4)
            )),
        );
    }
    if let Some(f) = fig("minimum_sample") {
        let n = with_published_z.n;
        comparisons.push(
            Comparison::new(
                "minimum sample size (n0 rounded up)",
                &f.source,
                Some(Value::published(&f.value)),
                Some(Value::count(n, r)),
                Verdict::of_rounding(&f.value, n as f64),
            )
            .with_note(
                "A sample size is rounded up: 384 respondents fall short of n0 = 384.16. The 385 collected meet it.",
            ),
        );
    }
    let analysed = fig("analysable").map(|f| f.value.value);
    let initial = fig("collected_initially").map(|f| f.value.value);
    let whole = |x: f64| (x >= 1.0 && x.fract() == 0.0).then_some(x as u64);
    let margin_at = |n: Option<f64>| -> Result<Option<f64>> {
        match n.and_then(whole) {
            Some(n) => margin_of_error(z, ASSUMED_PROPORTION, n, None).map(Some),
            None => Ok(None),
        }
    };
    let margin_at_analysed = margin_at(analysed)?;
    let margin_at_initial = margin_at(initial)?;
    if let (Some(f), Some(m)) = (fig("analysable"), margin_at_analysed) {
        comparisons.push(
            Comparison::new(
                "margin of error at the analysed n",
                &f.source,
                None,
                Some(Value::computed(100.0 * m, 2, r)),
                Verdict::NotComparable,
            )
            .with_note(format!(
                "In percentage points, for n = {} analysable responses (the paper states none; it assumed 5).",
                f.value.text
            )),
        );
    }
    if let (Some(f), Some(m)) = (fig("collected_initially"), margin_at_initial) {
        let rate = fig("distributed").map(|d| 100.0 * f.value.value / d.value.value);
        comparisons.push(
            Comparison::new(
                "margin of error at the first collection",
                &f.source,
                None,
                Some(Value::computed(100.0 * m, 2, r)),
                Verdict::NotComparable,
            )
            .with_note(format!(
                "For the {} questionnaires first returned{}; redistribution until 385 can bias the sample towards willing responders.",
                f.value.text,
                rate.map_or(String::new(), |p| format!(" ({} % of those distributed)", fmt_fixed(p, 1)))
            )),
        );
    }
    let mut notice = vec![
        "n0 = 384.16 is reproduced exactly with the printed z = 1.96, p = 0.5 and e = 0.05; the exact normal quantile gives 384.15.".to_owned(),
    ];
    if let Some(f) = fig("minimum_sample") {
        if whole(f.value.value) != Some(with_published_z.n) {
            notice.push(format!(
                "The paper calls {} the minimum sample, but n0 rounds up to {}: a sample size is never rounded down. The study's 385 responses satisfy it.",
                f.value.text, with_published_z.n
            ));
        }
    }
    notice.push("Cochran's formula assumes simple random sampling; the paper does not say how respondents were selected, so the 5 % margin holds only under that assumption.".to_owned());
    // n0 = z²pq/e² for e from 2 % to 10 %, the study's point highlighted.
    let curve = (0..=32)
        .map(|i| {
            let e = 0.02 + 0.0025 * i as f64;
            analysis::sample_size::cochran_n0(z, ASSUMED_PROPORTION, e).map(|n| (e, n))
        })
        .collect::<Result<Vec<_>>>()?;
    let figure = sample_size_curve(&curve, Some((ASSUMED_MARGIN, with_published_z.n0)))?;
    let figures = vec![StepFigure {
        file: super::SAMPLE_SIZE.figure_file("curve"),
        provenance: r,
        figure,
    }];
    Ok(SampleSizeStep {
        id: super::SAMPLE_SIZE.id,
        title: super::SAMPLE_SIZE.title,
        with_published_z,
        with_exact_z,
        margin_at_analysed,
        margin_at_initial,
        comparisons,
        notice,
        figures,
    })
}

impl Step for SampleSizeStep {
    step_fields!(id, title, comparisons, notice, figures);
    fn provenance(&self) -> Provenance {
        Provenance::Recomputed
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        let mut out = Vec::new();
        for (label, s) in [
            ("printed z = 1.96", &self.with_published_z),
            ("exact z", &self.with_exact_z),
        ] {
            for mut t in s.tables() {
                t.title = format!("Cochran, {label}");
                out.push(ProvTable {
                    provenance: Provenance::Recomputed,
                    table: t,
                });
            }
        }
        out
    }
    fn summary(&self) -> String {
        format!(
            "n0 = {} (z = 1.96) recomputed, rounded up to {}",
            fmt_fixed(self.with_published_z.n0, 2),
            self.with_published_z.n
        )
    }
}

impl_step_render!(SampleSizeStep);
