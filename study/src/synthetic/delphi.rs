//! A synthetic Delphi panel for the second paper — **synthetic**.
//!
//! We hold only the second paper's abstract: 6 themes (named), 40
//! sub-themes (four of them named as the highest-consensus topics, without
//! their themes), and no ratings, panel size or number of rounds. The panel
//! here is therefore a model, not a reconstruction:
//!
//! - items `T{t}_I{k}`: the 40 items split over the 6 themes as evenly as
//!   possible in theme order (7, 7, 7, 7, 6, 6) — the real split is unpublished,
//!   and so are the sub-theme names;
//! - each item has an importance μ = 4.0 for items of the two themes the
//!   abstract calls most important (target groups, insurance structure) and
//!   3.5 otherwise, plus an item effect N(0, 0.5²);
//! - expert e rates item i in round 1 on a continuous scale
//!   x = μᵢ + bₑ + N(0, σ₁²) with leniency bₑ ~ N(0, 0.3²) and σ₁ = 0.8;
//!   the rating is x rounded to the nearest of 1…5;
//! - in each later round the expert moves a fraction `pull` (0.3) of the way
//!   to the previous round's median rating of the item, plus N(0, σ₂²) with
//!   σ₂ = 0.3: the feedback step of a Delphi, which makes ratings converge.
//!
//! Random draws use stream 2 of the seeded ChaCha8 generator, in this order:
//! item effects, expert leniencies, then round by round, expert by expert,
//! item by item.

use super::{rng_for, DEFAULT_SEED, STREAM_DELPHI, SYNTHETIC_LABEL};
use analysis::claims::Claims;
use analysis::data::Dataset;
use analysis::error::{check_range, AnalysisError, Location, Result};
use analysis::render::{fmt_fixed, Provenance, Render, Table};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelphiConfig {
    pub seed: u64,
    /// Panel size (2..=200); 15 by default, a common Delphi panel size.
    pub experts: usize,
    /// Rounds (1..=10); 3 by default.
    pub rounds: usize,
    /// Items in total (at least one per theme); 40 as published.
    pub items: usize,
    /// Fraction of the distance to the previous median moved per round, in [0, 1].
    pub pull: f64,
    /// Rating noise in round 1 (σ₁) and in later rounds (σ₂), ≥ 0.
    pub first_round_sd: f64,
    pub later_round_sd: f64,
}

impl Default for DelphiConfig {
    fn default() -> Self {
        DelphiConfig {
            seed: DEFAULT_SEED,
            experts: 15,
            rounds: 3,
            items: 40,
            pull: 0.3,
            first_round_sd: 0.8,
            later_round_sd: 0.3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelphiItem {
    /// Column name `T{t}_I{k}`.
    pub code: String,
    pub theme: String,
    /// The item's population importance μ on the 1–5 scale.
    pub importance: f64,
}

/// Ratings 1..=5 of a synthetic panel, round by round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelphiPanel {
    pub provenance: Provenance,
    pub label: String,
    pub config: DelphiConfig,
    pub themes: Vec<String>,
    pub items: Vec<DelphiItem>,
    /// `rounds[r][e][i]`: round r, expert e, item i.
    pub rounds: Vec<Vec<Vec<u8>>>,
}

/// Median of a non-empty slice (mean of the middle two for even length).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Quantile by linear interpolation between order statistics (Hyndman & Fan
/// type 7, R's default); `sorted` must be sorted and non-empty.
fn quantile7(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn to_rating(x: f64) -> u8 {
    x.round().clamp(1.0, 5.0) as u8
}

impl DelphiPanel {
    /// Generates the panel from the second paper's claims (its theme names).
    pub fn generate(claims: &Claims, config: &DelphiConfig) -> Result<DelphiPanel> {
        let themes = claims.themes.as_ref().ok_or_else(|| {
            AnalysisError::unsuitable(
                Location::source("claims"),
                "the claims name no themes, which the synthetic Delphi panel needs",
            )
        })?;
        let t = themes.names.len();
        if t == 0 {
            return Err(AnalysisError::unsuitable(
                Location::source(&themes.source),
                "the claims list no theme names",
            ));
        }
        if !(2..=200).contains(&config.experts) {
            return Err(AnalysisError::invalid_argument(
                "experts",
                config.experts,
                "2 to 200 experts",
            ));
        }
        if !(1..=10).contains(&config.rounds) {
            return Err(AnalysisError::invalid_argument(
                "rounds",
                config.rounds,
                "1 to 10 rounds",
            ));
        }
        if config.items < t || config.items > 1000 {
            return Err(AnalysisError::invalid_argument(
                "items",
                config.items,
                &format!("{t} to 1000 items (at least one per theme)"),
            ));
        }
        check_range("pull", config.pull, 0.0, 1.0, false)?;
        check_range("first_round_sd", config.first_round_sd, 0.0, 5.0, false)?;
        check_range("later_round_sd", config.later_round_sd, 0.0, 5.0, false)?;

        let mut rng = rng_for(config.seed, STREAM_DELPHI);
        let mut items = Vec::with_capacity(config.items);
        for (ti, theme) in themes.names.iter().enumerate() {
            let k = config.items / t + usize::from(ti < config.items % t);
            let base = if themes.most_important.contains(theme) {
                4.0
            } else {
                3.5
            };
            for j in 1..=k {
                let effect: f64 = rng.sample::<f64, _>(StandardNormal) * 0.5;
                items.push(DelphiItem {
                    code: format!("T{}_I{}", ti + 1, j),
                    theme: theme.clone(),
                    importance: base + effect,
                });
            }
        }
        let leniency: Vec<f64> = (0..config.experts)
            .map(|_| rng.sample::<f64, _>(StandardNormal) * 0.3)
            .collect();

        let mut latent: Vec<Vec<f64>> = (0..config.experts)
            .map(|e| {
                items
                    .iter()
                    .map(|it| {
                        it.importance
                            + leniency[e]
                            + config.first_round_sd * rng.sample::<f64, _>(StandardNormal)
                    })
                    .collect()
            })
            .collect();
        let ratings_of = |latent: &Vec<Vec<f64>>| -> Vec<Vec<u8>> {
            latent
                .iter()
                .map(|row| row.iter().map(|&x| to_rating(x)).collect())
                .collect()
        };
        let mut rounds = vec![ratings_of(&latent)];
        for _ in 1..config.rounds {
            let prev = rounds.last().cloned().unwrap_or_default();
            let medians: Vec<f64> = (0..items.len())
                .map(|i| median(&mut prev.iter().map(|row| row[i] as f64).collect::<Vec<_>>()))
                .collect();
            for row in latent.iter_mut() {
                for (i, x) in row.iter_mut().enumerate() {
                    *x += config.pull * (medians[i] - *x)
                        + config.later_round_sd * rng.sample::<f64, _>(StandardNormal);
                }
            }
            rounds.push(ratings_of(&latent));
        }
        Ok(DelphiPanel {
            provenance: Provenance::SyntheticEstimate,
            label: SYNTHETIC_LABEL.to_owned(),
            config: config.clone(),
            themes: themes.names.clone(),
            items,
            rounds,
        })
    }

    /// The default panel from the embedded claims of the second paper.
    pub fn default_panel() -> Result<DelphiPanel> {
        DelphiPanel::generate(
            &crate::published::strategic_purchasing(),
            &DelphiConfig::default(),
        )
    }

    fn check_round(&self, round: usize) -> Result<()> {
        if round >= self.rounds.len() {
            return Err(AnalysisError::invalid_argument(
                "round",
                round + 1,
                &format!("a round from 1 to {}", self.rounds.len()),
            ));
        }
        Ok(())
    }

    /// `synthetic_delphi_seed20210101_round1.csv` for round index 0.
    pub fn suggested_file_name(&self, round: usize) -> String {
        format!(
            "synthetic_delphi_seed{}_round{}.csv",
            self.config.seed,
            round + 1
        )
    }

    /// One round as CSV: header of item codes, one row per expert, ratings 1..5.
    pub fn round_csv(&self, round: usize) -> Result<String> {
        self.check_round(round)?;
        let mut s = self
            .items
            .iter()
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>()
            .join(",");
        s.push('\n');
        for row in &self.rounds[round] {
            s.push_str(&row.iter().map(u8::to_string).collect::<Vec<_>>().join(","));
            s.push('\n');
        }
        Ok(s)
    }

    /// One round as a [`Dataset`] (rows = experts, columns = items).
    pub fn round_dataset(&self, round: usize) -> Result<Dataset> {
        Dataset::from_csv_str(self.suggested_file_name(round), &self.round_csv(round)?)
    }

    /// Interquartile range (type-7 quartiles) of item i's ratings in a round.
    pub fn iqr(&self, round: usize, item: usize) -> Result<f64> {
        let mut v = self.item_ratings(round, item)?;
        v.sort_by(f64::total_cmp);
        Ok(quantile7(&v, 0.75) - quantile7(&v, 0.25))
    }

    /// Share of experts rating item i 4 or 5 in a round.
    pub fn agreement(&self, round: usize, item: usize) -> Result<f64> {
        let v = self.item_ratings(round, item)?;
        Ok(v.iter().filter(|&&x| x >= 4.0).count() as f64 / v.len() as f64)
    }

    fn item_ratings(&self, round: usize, item: usize) -> Result<Vec<f64>> {
        self.check_round(round)?;
        if item >= self.items.len() {
            return Err(AnalysisError::invalid_argument(
                "item",
                item,
                "an item index below the number of items",
            ));
        }
        Ok(self.rounds[round]
            .iter()
            .map(|row| row[item] as f64)
            .collect())
    }
}

impl Render for DelphiPanel {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Synthetic Delphi panel — SYNTHETIC, not the study's data",
            &[
                "round",
                "experts",
                "items",
                "mean IQR",
                "mean agreement (4–5)",
            ],
        );
        for r in 0..self.rounds.len() {
            let n = self.items.len() as f64;
            let iqr: f64 = (0..self.items.len())
                .filter_map(|i| self.iqr(r, i).ok())
                .sum::<f64>()
                / n;
            let agr: f64 = (0..self.items.len())
                .filter_map(|i| self.agreement(r, i).ok())
                .sum::<f64>()
                / n;
            t.row(vec![
                (r + 1).to_string(),
                self.config.experts.to_string(),
                self.items.len().to_string(),
                fmt_fixed(iqr, 3),
                fmt_fixed(agr, 3),
            ]);
        }
        t.note(SYNTHETIC_LABEL);
        t.note("The paper publishes the six theme names only: item names, their split over themes, panel size, rounds and ratings are modelled.");
        vec![t]
    }
}
