//! Step 1 — sample size: Cochran's n0 recomputed from the published z, the
//! sample the study actually analysed, and beside them the sample size the
//! SEM itself needs: the power of its RMSEA tests (MacCallum, Browne &
//! Sugawara 1996) at the df the published fit allows.
//!
//! The paper prints z = 1.96 and n0 = 384.16 but neither p nor e; p = 0.5,
//! e = 0.05 is the textbook setting and the only common one giving 384.16
//! (1.96² · 0.25 / 0.05² = 384.16), so we take it. Everything here is
//! recomputed from published figures; no data are needed.

use super::common::{
    impl_step_render, step_fields, Comparison, ProvTable, Step, StepFigure, Value, Verdict,
};
use analysis::audit::{implied_df_range, minimum_samples};
use analysis::claims::Claims;
use analysis::error::Result;
use analysis::plots::{power_curve, sample_size_curve, PowerCurve};
use analysis::render::{fmt_fixed, Provenance, Render};
use analysis::sample_size::sem::{
    sem_sample_size, RmseaDesign, SemSampleSize, SemSampleSizeInput, SemSolve, DEFAULT_POWER,
};
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
    /// The df the published χ², RMSEA and N allow (recomputed), when they
    /// allow any.
    pub sem_df: Option<(u64, u64)>,
    /// Minimum N for 80 % power of the RMSEA tests of close and not-close
    /// fit at the ends of `sem_df` (recomputed).
    pub sem_minimum_n: Vec<SemSampleSize>,
    /// The power of the same tests at the analysed N (recomputed).
    pub sem_power_at_analysed: Vec<SemSampleSize>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// n0 against the margin of error, and the SEM's power against N
    /// (recomputed).
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
    let sem_df = implied_df_range(claims);
    let sem_minimum_n = match sem_df {
        Some(df) => minimum_samples(df)?,
        None => Vec::new(),
    };
    let analysed_n = analysed.and_then(whole);
    let sem_power_at_analysed = match analysed_n {
        Some(n) if n >= 2 => sem_minimum_n
            .iter()
            .map(|m| power_at(m.design(), n))
            .collect::<Result<Vec<_>>>()?,
        _ => Vec::new(),
    };
    for (rmsea1, label) in [
        (analysis::sample_size::sem::DEFAULT_RMSEA1, "close fit"),
        (analysis::audit::NOT_CLOSE_RMSEA1, "not-close fit"),
    ] {
        let of_test: Vec<&SemSampleSize> = sem_minimum_n
            .iter()
            .filter(|m| m.rmsea1 == rmsea1)
            .collect();
        let Some(largest) = of_test.iter().map(|m| m.n).max() else {
            continue;
        };
        let per_df: Vec<String> = of_test
            .iter()
            .map(|m| format!("{} at df {}", m.n, m.df))
            .collect();
        let power = sem_power_at_analysed
            .iter()
            .filter(|p| p.rmsea1 == rmsea1)
            .map(|p| p.power)
            .fold(f64::INFINITY, f64::min);
        comparisons.push(
            Comparison::new(
                format!("minimum N for the SEM, RMSEA test of {label} (0.05 vs {rmsea1})"),
                claims.fit.as_ref().map_or("Table 3", |f| f.source.as_str()),
                None,
                Some(Value::count(largest, r)),
                Verdict::NotComparable,
            )
            .with_note(format!(
                "80 % power at α = 0.05 (MacCallum, Browne & Sugawara 1996; semTools' findRMSEAsamplesize): {}, at the df the printed χ², RMSEA and N allow.{}",
                per_df.join(", "),
                if power.is_finite() {
                    format!(" Power at the analysed N: {}.", fmt_fixed(power, 4))
                } else {
                    String::new()
                }
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
    if let Some(largest) = sem_minimum_n.iter().map(|m| m.n).max() {
        let (lo, hi) = sem_df.unwrap_or_default();
        notice.push(format!(
            "Cochran's formula sizes the estimate of a proportion, not a model. For the SEM the paper fits, the power of its RMSEA tests at df {lo}–{hi} (recomputed from the published χ², RMSEA and N; the paper prints no df) needs at most {largest} respondents for 80 % power, so the {} analysed suffice for the test of fit. RMSEA power says nothing about the precision of single paths.",
            analysed_n.map_or("—".to_owned(), |n| n.to_string())
        ));
    }
    // n0 = z²pq/e² for e from 2 % to 10 %, the study's point highlighted.
    let curve = (0..=32)
        .map(|i| {
            let e = 0.02 + 0.0025 * i as f64;
            analysis::sample_size::cochran_n0(z, ASSUMED_PROPORTION, e).map(|n| (e, n))
        })
        .collect::<Result<Vec<_>>>()?;
    let figure = sample_size_curve(&curve, Some((ASSUMED_MARGIN, with_published_z.n0)))?;
    let mut figures = vec![StepFigure {
        file: super::SAMPLE_SIZE.figure_file("curve"),
        provenance: r,
        figure,
    }];
    if let Some(power) = sem_power_figure(&sem_minimum_n, analysed_n)? {
        figures.push(StepFigure {
            file: super::SAMPLE_SIZE.figure_file("sem_power"),
            provenance: r,
            figure: power,
        });
    }
    Ok(SampleSizeStep {
        id: super::SAMPLE_SIZE.id,
        title: super::SAMPLE_SIZE.title,
        with_published_z,
        with_exact_z,
        margin_at_analysed,
        margin_at_initial,
        sem_df,
        sem_minimum_n,
        sem_power_at_analysed,
        comparisons,
        notice,
        figures,
    })
}

/// The power of one RMSEA test at `n`.
fn power_at(design: RmseaDesign, n: u64) -> Result<SemSampleSize> {
    sem_sample_size(&SemSampleSizeInput {
        design,
        solve: SemSolve::Power { n },
    })
}

/// Power against N of each test at the smallest df of the range (the most
/// demanding end), N from 10 to past the analysed N, the analysed N marked.
fn sem_power_figure(
    minimum: &[SemSampleSize],
    analysed: Option<u64>,
) -> Result<Option<analysis::plots::Figure>> {
    let Some(df) = minimum.iter().map(|m| m.df).min() else {
        return Ok(None);
    };
    let top = minimum
        .iter()
        .map(|m| 2 * m.n)
        .chain(analysed)
        .max()
        .unwrap_or(100);
    let mut curves = Vec::new();
    for m in minimum.iter().filter(|m| m.df == df) {
        let points = (0..=60)
            .map(|i| {
                let n = 10 + (top.saturating_sub(10)) * i / 60;
                power_at(m.design(), n).map(|p| (n as f64, p.power))
            })
            .collect::<Result<Vec<_>>>()?;
        curves.push(PowerCurve {
            label: format!("{} ({} vs {}), df {df}", m.test.label(), m.rmsea0, m.rmsea1),
            points,
        });
    }
    let marks: Vec<(f64, String)> = analysed
        .map(|n| (n as f64, format!("analysed N = {n}")))
        .into_iter()
        .collect();
    power_curve(&curves, Some(DEFAULT_POWER), &marks).map(Some)
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
        if !self.sem_minimum_n.is_empty() {
            let mut t = analysis::render::Table::new(
                "Sample size for the SEM: RMSEA power (MacCallum, Browne & Sugawara 1996), at the df the published fit allows",
                &["test", "H0", "alternative RMSEA", "df", "minimum N (power 0.80)", "power at the analysed N"],
            );
            for (i, m) in self.sem_minimum_n.iter().enumerate() {
                let h0 = if m.rmsea1 > m.rmsea0 {
                    "RMSEA ≤"
                } else {
                    "RMSEA ≥"
                };
                t.row(vec![
                    m.test.label().to_owned(),
                    format!("{h0} {}", m.rmsea0),
                    m.rmsea1.to_string(),
                    m.df.to_string(),
                    m.n.to_string(),
                    self.sem_power_at_analysed
                        .get(i)
                        .map_or("—".to_owned(), |p| fmt_fixed(p.power, 4)),
                ]);
            }
            out.push(ProvTable {
                provenance: Provenance::Recomputed,
                table: t,
            });
        }
        out
    }
    fn summary(&self) -> String {
        let sem = self
            .sem_minimum_n
            .iter()
            .map(|m| m.n)
            .max()
            .map_or(String::new(), |n| {
                format!("; the SEM's RMSEA tests need N ≥ {n} for 80 % power (recomputed at the implied df)")
            });
        format!(
            "n0 = {} (z = 1.96) recomputed, rounded up to {}{sem}",
            fmt_fixed(self.with_published_z.n0, 2),
            self.with_published_z.n
        )
    }
}

impl_step_render!(SampleSizeStep);
