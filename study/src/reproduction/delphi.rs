//! Step 8 — Delphi consensus (second paper): the second paper publishes
//! only its abstract (6 themes, 40 sub-themes, no ratings), so the consensus
//! analysis runs on a seeded synthetic panel ([`crate::synthetic::delphi`]):
//! per item median, IQR and agreement, Kendall's W per round, stability.
//! Everything computed here is a synthetic estimate, whatever `--data` is.

use super::common::{
    all_with_provenance, impl_step_render, step_fields, Comparison, ProvTable, Step, StepFigure,
    Value, Verdict,
};
use crate::synthetic::{DelphiConfig, DelphiPanel};
use analysis::claims::Claims;
use analysis::delphi::{delphi, Delphi, DelphiOptions};
use analysis::error::Result;
use analysis::plots::delphi_rounds;
use analysis::render::{Provenance, Render};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelphiStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Always [`Provenance::SyntheticEstimate`].
    pub provenance: Provenance,
    pub panel_label: String,
    pub panel: DelphiConfig,
    pub result: Delphi,
    /// Items reaching consensus in the last round.
    pub consensus_items: usize,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    pub figures: Vec<StepFigure>,
}

/// The consensus analysis of a synthetic panel seeded by `seed`.
pub fn run(delphi_claims: &Claims, seed: u64) -> Result<DelphiStep> {
    let s = Provenance::SyntheticEstimate;
    let panel = DelphiPanel::generate(
        delphi_claims,
        &DelphiConfig {
            seed,
            ..DelphiConfig::default()
        },
    )?;
    let rounds = (0..panel.rounds.len())
        .map(|r| panel.round_dataset(r))
        .collect::<Result<Vec<_>>>()?;
    let result = delphi(&rounds, &DelphiOptions::default())?;
    let last = result.rounds.last();
    let consensus_items = last.map_or(0, |r| r.items.iter().filter(|i| i.consensus).count());

    let mut comparisons = Vec::new();
    if let Some(f) = delphi_claims.figure("themes") {
        comparisons.push(
            Comparison::new(
                "themes (in the synthetic panel)",
                &f.source,
                Some(Value::published(&f.value)),
                Some(Value::count(panel.themes.len() as u64, s)),
                Verdict::Illustrative,
            )
            .with_note("by construction: the panel uses the six themes the abstract names"),
        );
    }
    if let Some(f) = delphi_claims.figure("subthemes") {
        comparisons.push(
            Comparison::new(
                "sub-themes rated (items of the synthetic panel)",
                &f.source,
                Some(Value::published(&f.value)),
                Some(Value::count(panel.items.len() as u64, s)),
                Verdict::Illustrative,
            )
            .with_note("by construction; the real split of the 40 sub-themes over the themes is unpublished"),
        );
    }
    for r in &result.rounds {
        if let Some(w) = r.kendall_w {
            comparisons.push(
                Comparison::new(
                    format!("Kendall's W, round {}", r.round),
                    "",
                    None,
                    Some(Value::computed(w, 3, s)),
                    Verdict::NotComparable,
                )
                .with_note("the paper publishes no ratings or W"),
            );
        }
    }
    let items: Vec<String> = panel.items.iter().map(|i| i.code.clone()).collect();
    let per_round = |f: &dyn Fn(usize, usize) -> Result<f64>| {
        (0..panel.rounds.len())
            .map(|r| {
                (0..items.len())
                    .map(|i| f(r, i))
                    .collect::<Result<Vec<f64>>>()
            })
            .collect::<Result<Vec<_>>>()
    };
    let agreement = per_round(&|r, i| panel.agreement(r, i))?;
    let iqr = per_round(&|r, i| panel.iqr(r, i))?;
    let figure = delphi_rounds(&items, &agreement, &iqr)?.with_footer(&format!(
        "SYNTHETIC data (seed {seed}): Delphi panel, not the study's data"
    ));
    let figures = vec![StepFigure {
        file: super::DELPHI.figure_file("rounds"),
        provenance: s,
        figure,
    }];
    let notice = vec![
        "We hold only the Delphi paper's abstract, which gives no panel size, rounds or ratings. This panel is a model (15 experts, 3 rounds, feedback pulling ratings to the median), so its consensus shows how the analysis works, not what the panel decided.".to_owned(),
        format!(
            "{consensus_items} of {} synthetic items reach consensus in the last round ({}).",
            items.len(),
            result.consensus_rule
        ),
        "Kendall's W rises over the rounds when the feedback works; compare the rounds.".to_owned(),
    ];
    Ok(DelphiStep {
        id: super::DELPHI.id,
        title: super::DELPHI.title,
        provenance: s,
        panel_label: panel.label.clone(),
        panel: panel.config.clone(),
        result,
        consensus_items,
        comparisons,
        notice,
        figures,
    })
}

impl Step for DelphiStep {
    step_fields!(id, title, provenance, comparisons, notice, figures);
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        all_with_provenance(self.result.tables(), self.provenance)
    }
    fn summary(&self) -> String {
        format!(
            "{} items reach consensus in the last round of a synthetic panel ({})",
            self.consensus_items,
            self.provenance.label()
        )
    }
}

impl_step_render!(DelphiStep);
