//! Delphi consensus: per item and round, across rounds.
//!
//! Input: one dataset per round; rows are experts (panelists), columns are
//! items rated on a Likert scale (1..5 by default). Items are matched across
//! rounds by column name; experts by an id column if one is named, otherwise
//! by row position when two rounds have the same number of rows.
//!
//! Per item and round (missing ratings are left out item by item):
//! * n, median, IQR = Q3 − Q1 with quantiles of R's type 7 (numpy's default
//!   `linear`): for sorted x₁..xₙ, Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋),
//!   h = (n − 1)p + 1; mean; SD with divisor n − 1; CV = SD/mean.
//! * agreement = share of ratings ≥ `agree_min` (top-two box by default:
//!   4 or 5 on a 1..5 scale).
//! * consensus verdict: agreement ≥ threshold (default 75 %, the median
//!   threshold of the studies reviewed by Diamond et al. 2014, J Clin
//!   Epidemiol 67:401–409) AND IQR ≤ `max_iqr` (default 1, the usual bound
//!   for 4- to 5-point scales; von der Gracht 2012, Technol Forecast Soc
//!   Change 79:1525–1536).
//! * Lawshe's content validity ratio CVR = (nₑ − N/2)/(N/2) with nₑ the
//!   experts rating the item "essential" (same cut as agreement) and N the
//!   experts who rated it; critical CVR as Ayre & Scally (2014, Meas Eval
//!   Couns Dev 47:79–86): the smallest nₑ with one-tailed exact binomial
//!   P(X ≥ nₑ | N, ½) < α (default 0.05), computed, not looked up; none
//!   exists for N ≤ 4.
//!
//! Per round: Kendall's W among the experts (judges) ranking the items
//! (objects), tie-corrected, with its χ² test on k − 1 df, computed by the
//! Friedman module on the experts who rated every item (listwise deletion).
//!
//! Stability between consecutive rounds, per item (the rule is a convention
//! and is stated in the output): the change of CV must be at most
//! `cv_bound` in absolute value (default 0.15, adapting the 15 % change
//! criterion of Scheibe, Skutsch & Schofer 1975) AND the ratings of the
//! experts present in both rounds must not differ significantly by a
//! Wilcoxon signed-rank test (Kalaian & Kasim 2012 recommend such paired
//! tests for stability). The Wilcoxon test drops zero differences
//! (Wilcoxon's method), ranks the rest with mid-ranks and uses the normal
//! approximation with tie correction and no continuity correction, as SciPy's
//! `wilcoxon(zero_method="wilcox", correction=False, method="approx")`;
//! the statistic is min(W⁺, W⁻). When no paired rating changed the test is
//! not computed and counts as "no change".

use crate::data::Dataset;
use crate::error::{check_range, AnalysisError, Location, Result};
use crate::friedman::friedman_test;
use crate::ranks;
use crate::render::{fmt_fixed, fmt_p, Render, Table};
use serde::Serialize;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};
use std::collections::HashMap;

/// Settings of the Delphi analysis (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DelphiOptions {
    /// Lowest point of the rating scale.
    pub scale_min: f64,
    /// Highest point of the rating scale.
    pub scale_max: f64,
    /// Lowest rating counted as agreement / "essential"; `None` = top-two box
    /// (scale_max − 1).
    pub agree_min: Option<f64>,
    /// Share of agreement needed for consensus.
    pub agreement_threshold: f64,
    /// Largest IQR compatible with consensus.
    pub max_iqr: f64,
    /// Largest absolute change of CV between rounds for stability.
    pub cv_bound: f64,
    /// Significance level of the Wilcoxon test and of the critical CVR.
    pub alpha: f64,
    /// Column identifying experts across rounds (not an item).
    pub id_column: Option<String>,
}

impl Default for DelphiOptions {
    fn default() -> Self {
        DelphiOptions {
            scale_min: 1.0,
            scale_max: 5.0,
            agree_min: None,
            agreement_threshold: 0.75,
            max_iqr: 1.0,
            cv_bound: 0.15,
            alpha: 0.05,
            id_column: None,
        }
    }
}

impl DelphiOptions {
    fn agree_cut(&self) -> f64 {
        self.agree_min.unwrap_or(self.scale_max - 1.0)
    }

    fn validate(&self) -> Result<()> {
        if !(self.scale_min.is_finite() && self.scale_max.is_finite())
            || self.scale_max <= self.scale_min
        {
            return Err(AnalysisError::invalid_argument(
                "scale",
                format!(
                    "{}..{}",
                    crate::error::fmt_number(self.scale_min),
                    crate::error::fmt_number(self.scale_max)
                ),
                "a minimum below the maximum",
            ));
        }
        check_range(
            "agreement cut",
            self.agree_cut(),
            self.scale_min,
            self.scale_max,
            false,
        )?;
        check_range(
            "agreement threshold",
            self.agreement_threshold,
            0.0,
            1.0,
            false,
        )?;
        check_range("max IQR", self.max_iqr, 0.0, f64::MAX, false)?;
        check_range("CV bound", self.cv_bound, 0.0, f64::MAX, false)?;
        check_range("alpha", self.alpha, 0.0, 1.0, true)
    }
}

/// One item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSummary {
    /// The item (column) name.
    pub item: String,
    /// Experts who rated the item.
    pub n: usize,
    /// Median rating.
    pub median: f64,
    /// Q3 − Q1, quantiles of type 7.
    pub iqr: f64,
    /// Mean rating.
    pub mean: f64,
    /// Null when n < 2.
    pub sd: Option<f64>,
    /// SD/mean; null when SD is undefined or the mean is 0.
    pub cv: Option<f64>,
    /// Share of ratings ≥ the agreement cut.
    pub agreement: f64,
    /// Agreement and IQR both meet their thresholds.
    pub consensus: bool,
    /// Lawshe's CVR.
    pub cvr: f64,
    /// Ayre & Scally critical CVR; null when N ≤ 4 (no nₑ is significant).
    pub cvr_critical: Option<f64>,
}

/// One round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundSummary {
    /// Round number, from 1.
    pub round: usize,
    /// Where the round's ratings came from (file name).
    pub source: String,
    /// Rows (experts) in the round's file.
    pub n_experts: usize,
    /// Experts with a rating for every item, used for Kendall's W.
    pub w_experts: usize,
    /// Tie-corrected Kendall's W; null when it is undefined (see notes).
    pub kendall_w: Option<f64>,
    /// Friedman's χ² = m(n − 1)W for Kendall's W.
    pub chi_square: Option<f64>,
    /// Its degrees of freedom, n − 1 items.
    pub df: Option<usize>,
    /// Its p-value.
    pub pvalue: Option<f64>,
    /// Per-item summaries, in column order.
    pub items: Vec<ItemSummary>,
    /// Remarks (why W is undefined, experts dropped).
    pub notes: Vec<String>,
}

/// Stability of one item between two consecutive rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// The item.
    pub item: String,
    /// The earlier round.
    pub from_round: usize,
    /// The later round.
    pub to_round: usize,
    /// CV in the later round minus CV in the earlier one.
    pub cv_change: Option<f64>,
    /// Experts with a rating of the item in both rounds.
    pub n_pairs: usize,
    /// Wilcoxon min(W⁺, W⁻); null when no paired rating changed or the
    /// experts could not be paired.
    pub wilcoxon_statistic: Option<f64>,
    /// Two-sided p-value of the Wilcoxon signed-rank test.
    pub pvalue: Option<f64>,
    /// Null when neither criterion could be evaluated.
    pub stable: Option<bool>,
    /// What the verdict rests on.
    pub basis: String,
}

/// The whole Delphi analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delphi {
    /// One summary per round, in order.
    pub rounds: Vec<RoundSummary>,
    /// Stability of each item between consecutive rounds.
    pub stability: Vec<Stability>,
    /// The consensus rule, in words.
    pub consensus_rule: String,
    /// The stability rule, in words.
    pub stability_rule: String,
    /// The settings used.
    pub options: DelphiOptions,
}

/// Quantile of type 7 (R's default, numpy's `linear`) of sorted values.
///
/// ```
/// // Hand computation: h = (4 − 1)·0.25 = 0.75, so Q1 = 1 + 0.75·(2 − 1) (R's quantile(type = 7)).
/// assert_eq!(analysis::delphi::quantile_type7(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
/// ```
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Lawshe's content validity ratio (nₑ − N/2)/(N/2).
///
/// ```
/// // Hand computation: 8 of 10 experts rate the item essential: (8 − 5)/5.
/// assert_eq!(analysis::delphi::content_validity_ratio(8, 10), Some(0.6));
/// ```
pub fn content_validity_ratio(essential: usize, n: usize) -> Option<f64> {
    if n == 0 || essential > n {
        return None;
    }
    let half = n as f64 / 2.0;
    Some((essential as f64 - half) / half)
}

/// Ayre & Scally (2014): the smallest number of "essential" ratings nₑ with
/// one-tailed exact binomial P(X ≥ nₑ | N, ½) < α, and its CVR; `None` when
/// even nₑ = N is not significant.
///
/// ```
/// // A panel of 15 (tests/fixtures/delphi/delphi_scipy.json, SciPy binom): 12 of 15,
/// // CVR 0.6, is the smallest significant count at α = 0.05.
/// assert_eq!(analysis::delphi::critical_cvr(15, 0.05), Some((12, 0.6)));
/// ```
pub fn critical_cvr(n: usize, alpha: f64) -> Option<(usize, f64)> {
    if n == 0 {
        return None;
    }
    let binomial = Binomial::new(0.5, n as u64).ok()?;
    (0..=n)
        .find(|&ne| {
            let upper = if ne == 0 {
                1.0
            } else {
                binomial.sf(ne as u64 - 1)
            };
            upper < alpha
        })
        .and_then(|ne| content_validity_ratio(ne, n).map(|cvr| (ne, cvr)))
}

/// Wilcoxon signed-rank test by the normal approximation (see the module
/// documentation); `None` when every difference is zero.
///
/// ```
/// // Hand computation, checked with SciPy 1.17 (wilcoxon(d, correction=False,
/// // method="approx") = (4.0, 0.17295491798842066)): the ranks of |d| are
/// // 2, 3, 5, 6, 1, 4; W⁻ = 3 + 1 = 4; z = (4 − 10.5)/√22.75.
/// let d = [1.0, -2.0, 3.0, 4.0, -0.5, 2.5];
/// let (w, p) = analysis::delphi::wilcoxon_signed_rank(&d).unwrap();
/// assert_eq!(w, 4.0);
/// // (statrs' normal CDF, used here, agrees with SciPy's to about 1e-11.)
/// assert!((p - 0.172_954_917_988_420_66).abs() < 1e-9);
/// ```
pub fn wilcoxon_signed_rank(differences: &[f64]) -> Option<(f64, f64)> {
    let nonzero: Vec<f64> = differences.iter().copied().filter(|d| *d != 0.0).collect();
    if nonzero.is_empty() {
        return None;
    }
    let magnitudes: Vec<f64> = nonzero.iter().map(|d| d.abs()).collect();
    let r = ranks::midranks(&magnitudes);
    let positive: f64 = nonzero
        .iter()
        .zip(&r)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    let n = nonzero.len() as f64;
    let total = n * (n + 1.0) / 2.0;
    let statistic = positive.min(total - positive);
    let mean = n * (n + 1.0) / 4.0;
    let variance =
        n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ranks::tie_correction_term(&magnitudes) / 48.0;
    if variance <= 0.0 {
        return None;
    }
    let z = (statistic - mean) / variance.sqrt();
    let normal = Normal::standard();
    Some((statistic, (2.0 * normal.cdf(-z.abs())).min(1.0)))
}

/// Ratings of one item in one round (missing = `None`), checked against
/// the scale.
fn ratings(data: &Dataset, item: &str, options: &DelphiOptions) -> Result<Vec<Option<f64>>> {
    let column = data.numeric_column(item)?;
    let text = data.text_column(item)?;
    for (r, value) in column.iter().enumerate() {
        if let Some(v) = value {
            if v.fract() != 0.0 || *v < options.scale_min || *v > options.scale_max {
                return Err(AnalysisError::input(
                    Location::source(&data.source)
                        .with_line(data.line_of(r))
                        .with_column(item),
                    Some(text[r].trim()),
                    format!(
                        "a whole-number rating from {} to {}, an empty cell or NA",
                        options.scale_min, options.scale_max
                    ),
                ));
            }
        }
    }
    Ok(column)
}

fn summarize(item: &str, values: &[f64], options: &DelphiOptions) -> Option<ItemSummary> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = quantile_type7(&sorted, 0.5)?;
    let iqr = quantile_type7(&sorted, 0.75)? - quantile_type7(&sorted, 0.25)?;
    let mean = crate::descriptive::mean(&sorted)?;
    let sd = crate::descriptive::sd(&sorted);
    let cv = sd.filter(|_| mean != 0.0).map(|s| s / mean);
    let essential = sorted.iter().filter(|&&v| v >= options.agree_cut()).count();
    let agreement = essential as f64 / n as f64;
    Some(ItemSummary {
        item: item.to_owned(),
        n,
        median,
        iqr,
        mean,
        sd,
        cv,
        agreement,
        consensus: agreement >= options.agreement_threshold && iqr <= options.max_iqr,
        cvr: content_validity_ratio(essential, n)?,
        cvr_critical: critical_cvr(n, options.alpha).map(|c| c.1),
    })
}

/// The ratings of a round: item name → ratings by row, and the expert ids.
struct RoundData {
    items: Vec<String>,
    ratings: HashMap<String, Vec<Option<f64>>>,
    ids: Option<Vec<String>>,
    rows: usize,
}

fn read_round(data: &Dataset, options: &DelphiOptions) -> Result<RoundData> {
    let ids = match &options.id_column {
        Some(id) => {
            let ids: Vec<String> = data
                .text_column(id)?
                .iter()
                .map(|s| s.trim().to_owned())
                .collect();
            for (r, id_value) in ids.iter().enumerate() {
                if id_value.is_empty() || ids[..r].contains(id_value) {
                    return Err(AnalysisError::input(
                        Location::source(&data.source)
                            .with_line(data.line_of(r))
                            .with_column(id),
                        Some(id_value),
                        "a distinct, non-empty expert id",
                    ));
                }
            }
            Some(ids)
        }
        None => None,
    };
    let items: Vec<String> = data
        .names()
        .iter()
        .filter(|n| Some(*n) != options.id_column.as_ref())
        .cloned()
        .collect();
    let mut ratings_by_item = HashMap::new();
    for item in &items {
        ratings_by_item.insert(item.clone(), ratings(data, item, options)?);
    }
    Ok(RoundData {
        items,
        ratings: ratings_by_item,
        ids,
        rows: data.n_rows(),
    })
}

fn round_summary(
    number: usize,
    data: &Dataset,
    round: &RoundData,
    options: &DelphiOptions,
) -> RoundSummary {
    let mut notes = Vec::new();
    let mut items = Vec::new();
    let mut rated_items = Vec::new();
    for item in &round.items {
        let values: Vec<f64> = round.ratings[item].iter().flatten().copied().collect();
        match summarize(item, &values, options) {
            Some(summary) => {
                items.push(summary);
                rated_items.push(item.clone());
            }
            None => notes.push(format!(
                "item \"{item}\" has no ratings in this round: left out"
            )),
        }
    }
    // Kendall's W on the experts who rated every item.
    let complete: Vec<Vec<f64>> = (0..round.rows)
        .filter_map(|r| {
            rated_items
                .iter()
                .map(|item| round.ratings[item][r])
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    let w_experts = complete.len();
    if w_experts < round.rows {
        notes.push(format!(
            "Kendall's W uses the {w_experts} experts who rated every item ({} left out)",
            round.rows - w_experts
        ));
    }
    let (kendall_w, chi_square, df, pvalue) = match friedman_test(&complete) {
        Ok(t) => (
            Some(t.kendall_w),
            Some(t.statistic),
            Some(t.df),
            Some(t.pvalue),
        ),
        Err(e) => {
            notes.push(format!("Kendall's W not computed: {e}"));
            (None, None, None, None)
        }
    };
    RoundSummary {
        round: number,
        source: data.source.clone(),
        n_experts: round.rows,
        w_experts,
        kendall_w,
        chi_square,
        df,
        pvalue,
        items,
        notes,
    }
}

/// Pairs of row indices (earlier round, later round) of the same expert.
fn pair_experts(a: &RoundData, b: &RoundData) -> Option<Vec<(usize, usize)>> {
    match (&a.ids, &b.ids) {
        (Some(ids_a), Some(ids_b)) => {
            let position: HashMap<&str, usize> = ids_b
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            Some(
                ids_a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, id)| position.get(id.as_str()).map(|&j| (i, j)))
                    .collect(),
            )
        }
        _ if a.rows == b.rows => Some((0..a.rows).map(|i| (i, i)).collect()),
        _ => None,
    }
}

fn stability(
    from: (&RoundSummary, &RoundData),
    to: (&RoundSummary, &RoundData),
    options: &DelphiOptions,
) -> Vec<Stability> {
    let pairs = pair_experts(from.1, to.1);
    let mut out = Vec::new();
    for earlier in &from.0.items {
        let Some(later) = to.0.items.iter().find(|i| i.item == earlier.item) else {
            continue;
        };
        let cv_change = match (earlier.cv, later.cv) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let cv_ok = cv_change.map(|c| c.abs() <= options.cv_bound);
        let (n_pairs, test) = match &pairs {
            Some(pairs) => {
                let (ra, rb) = (&from.1.ratings[&earlier.item], &to.1.ratings[&earlier.item]);
                let differences: Vec<f64> = pairs
                    .iter()
                    .filter_map(|&(i, j)| Some(rb[j]? - ra[i]?))
                    .collect();
                (differences.len(), Some(wilcoxon_signed_rank(&differences)))
            }
            None => (0, None),
        };
        // `no_change`: Some(true) when the paired ratings did not change
        // significantly, None when experts could not be paired.
        let no_change = test.map(|t| t.is_none_or(|(_, p)| p >= options.alpha));
        let (stable, basis) = match (cv_ok, no_change) {
            (Some(c), Some(w)) => (Some(c && w), "CV change and Wilcoxon test"),
            (Some(c), None) => (Some(c), "CV change only (experts not paired)"),
            (None, Some(w)) => (Some(w), "Wilcoxon test only (CV undefined)"),
            (None, None) => (None, "not evaluable"),
        };
        let (statistic, pvalue) = match test.flatten() {
            Some((s, p)) => (Some(s), Some(p)),
            None => (None, None),
        };
        out.push(Stability {
            item: earlier.item.clone(),
            from_round: from.0.round,
            to_round: to.0.round,
            cv_change,
            n_pairs,
            wilcoxon_statistic: statistic,
            pvalue,
            stable,
            basis: basis.to_owned(),
        });
    }
    out
}

/// Delphi analysis of one dataset per round, in round order.
///
/// ```
/// // Hand computation on four experts rating three items (1–5 scale):
/// // item a (5, 4, 5, 4) has median 4.5, IQR 1 and 100 % agreement (≥ 4): consensus.
/// // Kendall's W with ties: rank sums 10.5, 9, 4.5 (mean 8), S = 19.5, two
/// // experts with one tied pair each (ΣT = 12): W = 12·19.5/(4²·(3³ − 3) − 4·12) = 234/336.
/// use analysis::{delphi::{delphi, DelphiOptions}, Dataset};
/// let round1 = Dataset::from_csv_str("round1.csv", "a,b,c\n5,4,2\n4,4,3\n5,3,3\n4,5,1\n").unwrap();
/// let d = delphi(&[round1], &DelphiOptions::default()).unwrap();
/// let a = &d.rounds[0].items[0];
/// assert_eq!((a.median, a.iqr, a.agreement, a.consensus), (4.5, 1.0, 1.0, true));
/// assert!((d.rounds[0].kendall_w.unwrap() - 234.0 / 336.0).abs() < 1e-12);
/// ```
pub fn delphi(rounds: &[Dataset], options: &DelphiOptions) -> Result<Delphi> {
    options.validate()?;
    if rounds.is_empty() {
        return Err(AnalysisError::invalid_argument(
            "rounds",
            0,
            "at least one round",
        ));
    }
    let data: Vec<RoundData> = rounds
        .iter()
        .map(|d| read_round(d, options))
        .collect::<Result<_>>()?;
    for (d, r) in rounds.iter().zip(&data) {
        if r.items.is_empty() {
            return Err(AnalysisError::unsuitable(
                Location::source(&d.source),
                "no item columns to analyse",
            ));
        }
        if r.rows == 0 {
            return Err(AnalysisError::unsuitable(
                Location::source(&d.source),
                "no experts (rows) in this round",
            ));
        }
    }
    let summaries: Vec<RoundSummary> = rounds
        .iter()
        .zip(&data)
        .enumerate()
        .map(|(i, (d, r))| round_summary(i + 1, d, r, options))
        .collect();
    let mut stability_rows = Vec::new();
    for i in 1..summaries.len() {
        stability_rows.extend(stability(
            (&summaries[i - 1], &data[i - 1]),
            (&summaries[i], &data[i]),
            options,
        ));
    }
    let cut = options.agree_cut();
    Ok(Delphi {
        rounds: summaries,
        stability: stability_rows,
        consensus_rule: format!(
            "consensus when at least {}% of ratings are ≥ {cut} and IQR ≤ {}",
            options.agreement_threshold * 100.0,
            options.max_iqr
        ),
        stability_rule: format!(
            "stable when |ΔCV| ≤ {} and the Wilcoxon signed-rank test of paired ratings has p ≥ {}",
            options.cv_bound, options.alpha
        ),
        options: options.clone(),
    })
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or("—".to_owned(), |v| fmt_fixed(v, decimals))
}

impl Render for Delphi {
    fn tables(&self) -> Vec<Table> {
        let mut tables = Vec::new();
        let mut overview = Table::new(
            "Delphi rounds: Kendall's W (experts ranking items)",
            &["round", "experts", "used for W", "W", "χ²", "df", "p"],
        );
        for r in &self.rounds {
            overview.row(vec![
                r.round.to_string(),
                r.n_experts.to_string(),
                r.w_experts.to_string(),
                opt(r.kendall_w, 3),
                opt(r.chi_square, 3),
                r.df.map_or("—".to_owned(), |d| d.to_string()),
                r.pvalue.map_or("—".to_owned(), fmt_p),
            ]);
            for note in &r.notes {
                overview.note(format!("round {}: {note}", r.round));
            }
        }
        overview.note(format!("Consensus rule: {}.", self.consensus_rule));
        tables.push(overview);
        for r in &self.rounds {
            let mut t = Table::new(
                format!("Round {} ({})", r.round, r.source),
                &[
                    "item",
                    "n",
                    "median",
                    "IQR",
                    "mean",
                    "SD",
                    "CV",
                    "agree %",
                    "consensus",
                    "CVR",
                    "CVR crit.",
                ],
            );
            for i in &r.items {
                t.row(vec![
                    i.item.clone(),
                    i.n.to_string(),
                    fmt_fixed(i.median, 2),
                    fmt_fixed(i.iqr, 2),
                    fmt_fixed(i.mean, 2),
                    opt(i.sd, 2),
                    opt(i.cv, 3),
                    fmt_fixed(100.0 * i.agreement, 1),
                    if i.consensus { "yes" } else { "no" }.to_owned(),
                    fmt_fixed(i.cvr, 3),
                    opt(i.cvr_critical, 3),
                ]);
            }
            tables.push(t);
        }
        if !self.stability.is_empty() {
            let mut t = Table::new(
                "Stability between rounds",
                &[
                    "item", "rounds", "ΔCV", "pairs", "Wilcoxon", "p", "stable", "basis",
                ],
            );
            for s in &self.stability {
                t.row(vec![
                    s.item.clone(),
                    format!("{}→{}", s.from_round, s.to_round),
                    opt(s.cv_change, 3),
                    s.n_pairs.to_string(),
                    opt(s.wilcoxon_statistic, 1),
                    s.pvalue.map_or("—".to_owned(), fmt_p),
                    match s.stable {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "—",
                    }
                    .to_owned(),
                    s.basis.clone(),
                ]);
            }
            t.note(format!("Stability rule: {}.", self.stability_rule));
            tables.push(t);
        }
        tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_type7(&x, 0.25), Some(1.75));
        assert_eq!(quantile_type7(&x, 0.5), Some(2.5));
        assert_eq!(quantile_type7(&x, 0.75), Some(3.25));
        assert_eq!(quantile_type7(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile_type7(&[], 0.5), None);
    }

    #[test]
    fn ayre_scally_table_values() {
        // Ayre & Scally (2014), Table 1: N = 10 → nₑ = 9, CVR 0.800;
        // N = 40 → nₑ = 26, CVR 0.300; none for N ≤ 4.
        assert_eq!(critical_cvr(10, 0.05), Some((9, 0.8)));
        let (ne, cvr) = critical_cvr(40, 0.05).unwrap();
        assert_eq!(ne, 26);
        assert!((cvr - 0.3).abs() < 1e-12);
        assert_eq!(critical_cvr(4, 0.05), None);
        assert_eq!(content_validity_ratio(3, 4), Some(0.5));
    }

    #[test]
    fn out_of_scale_rating_names_file_line_column_value() {
        let d = Dataset::from_csv_str("r1.csv", "a,b\n5,4\n3,7\n").unwrap();
        let e = delphi(&[d], &DelphiOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "r1.csv, line 3, column \"b\": found \"7\", expected a whole-number rating from 1 to 5, an empty cell or NA"
        );
    }

    #[test]
    fn unanimous_round_has_no_w_but_still_summarizes() {
        let d = Dataset::from_csv_str("r.csv", "a,b\n4,4\n5,5\n").unwrap();
        let r = delphi(&[d], &DelphiOptions::default()).unwrap();
        assert_eq!(r.rounds[0].kendall_w, None);
        assert!(r.rounds[0].notes.iter().any(|n| n.contains("not computed")));
        assert_eq!(r.rounds[0].items[0].agreement, 1.0);
        assert!(r.rounds[0].items[0].consensus);
    }

    #[test]
    fn unchanged_ratings_are_stable_without_a_test() {
        let a = Dataset::from_csv_str("r1.csv", "x,y\n4,2\n5,3\n4,1\n").unwrap();
        let b = Dataset::from_csv_str("r2.csv", "x,y\n4,2\n5,3\n4,1\n").unwrap();
        let r = delphi(&[a, b], &DelphiOptions::default()).unwrap();
        let s = &r.stability[0];
        assert_eq!(
            (s.n_pairs, s.wilcoxon_statistic, s.stable),
            (3, None, Some(true))
        );
        assert_eq!(s.cv_change, Some(0.0));
    }

    #[test]
    fn bad_options_are_rejected() {
        let d = Dataset::from_csv_str("r.csv", "a,b\n4,4\n5,3\n").unwrap();
        let options = DelphiOptions {
            agreement_threshold: 1.2,
            ..Default::default()
        };
        assert!(delphi(std::slice::from_ref(&d), &options).is_err());
        let options = DelphiOptions {
            scale_max: 1.0,
            ..Default::default()
        };
        assert!(delphi(&[d], &options).is_err());
    }
}
