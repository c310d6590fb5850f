//! Friedman ranking of k conditions rated by n respondents, with Kendall's W,
//! the Iman–Davenport F, Nemenyi and Conover post-hoc tests and Demšar's
//! critical difference.
//!
//! Rows are respondents (blocks), columns the ranked conditions. Each row is
//! ranked with mid-ranks for ties ([`crate::ranks::midranks`]); the higher a
//! value, the higher its rank.
//!
//! * Friedman's χ², corrected for ties as R's `friedman.test` and SciPy's
//!   `friedmanchisquare`:
//!   χ² = 12 Σⱼ (Rⱼ − n(k+1)/2)² / (n k (k+1) − Σᵢ Σ (t³ − t)/(k − 1)),
//!   Rⱼ the rank sum of column j and t the sizes of the tie groups in each
//!   row; p from χ²(k − 1).
//! * Kendall's W corrected for ties, W = χ²/(n(k − 1)) (the same as
//!   12S/(n²(k³ − k) − nΣ(t³ − t)), Kendall & Babington Smith 1939).
//! * Iman & Davenport (1980): F = (n − 1)χ²/(n(k − 1) − χ²) on (k − 1,
//!   (k − 1)(n − 1)) degrees of freedom. With perfect agreement (W = 1) F is
//!   infinite: it is reported as null with p = 0 and a note.
//! * Nemenyi (1963) as scikit-posthocs `posthoc_nemenyi_friedman`:
//!   q = √2 |R̄ᵢ − R̄ⱼ| / √(k(k+1)/(6n)), p from the studentized range with
//!   k means and infinite df (no tie correction, as there).
//! * Conover (1999) as scikit-posthocs `posthoc_conover_friedman` with no
//!   p-value adjustment: t = |Rᵢ − Rⱼ| / √(A·B), A = 2n(k − 1)S²/df,
//!   B = 1 − χ²/(n(k − 1)), S² = (Σ r² − nk(k+1)²/4)/(k − 1) (tie-aware
//!   through Σ r²), df = (n − 1)(k − 1), two-sided p from Student's t.
//! * Demšar (2006) critical difference CD = q_α √(k(k+1)/(6n)),
//!   q_α = qtukey(1 − α, k, ∞)/√2: two conditions differ when their mean
//!   ranks differ by more than CD.
//!
//! Missing values: a respondent with any missing value among the selected
//! columns is dropped (listwise deletion); the count is reported as
//! `dropped`. References: Friedman (1937) JASA 32, 675–701; Demšar (2006)
//! JMLR 7, 1–30; Conover (1999) Practical Nonparametric Statistics.

pub mod studentized_range;

use crate::data::Dataset;
use crate::error::{check_range, AnalysisError, Location, Result};
use crate::ranks;
use crate::render::{fmt_fixed, fmt_p, Render, Table};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, StudentsT};

/// Default significance level of the critical difference.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// The smallest significance level accepted: 1 − α must stay distinct from
/// 1 in double precision with digits to spare for the studentized-range
/// quantile (at α = 1e-300, 1 − α rounds to 1 exactly).
pub const MIN_ALPHA: f64 = 1e-9;

/// W within this distance of 1 counts as perfect agreement (F infinite).
const PERFECT_AGREEMENT: f64 = 1e-12;

/// Numbers named by column; serializes as a JSON object in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedValues(pub Vec<(String, f64)>);

impl NamedValues {
    /// The value of the column `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
    /// The values alone, in column order.
    pub fn values(&self) -> Vec<f64> {
        self.0.iter().map(|(_, v)| *v).collect()
    }
}

impl Serialize for NamedValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The Friedman test proper on a complete block matrix: the part shared by
/// [`friedman`] and Kendall's W in the Delphi module.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FriedmanTest {
    /// Respondents (blocks).
    pub n: usize,
    /// Conditions (columns).
    pub k: usize,
    /// Tie-corrected χ².
    pub statistic: f64,
    /// Degrees of freedom, k − 1.
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub pvalue: f64,
    /// Kendall's W, tie-corrected: χ²/(n(k − 1)).
    pub kendall_w: f64,
    /// Mean rank of each column, in column order.
    pub mean_ranks: Vec<f64>,
    /// Rank sum of each column.
    pub rank_sums: Vec<f64>,
    /// Σ over rows of Σ (t³ − t) over tie groups.
    pub tie_term: f64,
    /// Σ of all squared ranks (Conover's A₁).
    pub sum_squared_ranks: f64,
}

impl FriedmanTest {
    /// Perfect agreement among respondents (W = 1 up to rounding).
    pub fn perfect_agreement(&self) -> bool {
        self.kendall_w >= 1.0 - PERFECT_AGREEMENT
    }
}

/// Friedman's test on `rows` (respondents × conditions, complete, finite).
/// Needs n ≥ 2 rows, k ≥ 2 columns and at least one row that is not
/// entirely tied (otherwise χ² is 0/0 and the test is undefined).
///
/// ```
/// // tests/data/friedman/docstring_example.csv (R friedman.test, in
/// // tests/fixtures/friedman/r_friedman_test.json): χ² = 6.8695652173913, df = 2,
/// // p = 0.0322324165174054; Kendall's W = χ²/(n(k − 1)) = 0.572463768115942.
/// let rows = [[31.0, 27.0, 24.0], [31.0, 28.0, 31.0], [45.0, 29.0, 46.0],
///             [21.0, 18.0, 48.0], [42.0, 36.0, 46.0], [32.0, 17.0, 40.0]].map(|r| r.to_vec());
/// let t = analysis::friedman::friedman_test(&rows).unwrap();
/// assert!((t.statistic - 6.869_565_217_391_3).abs() < 1e-9);
/// assert_eq!(t.df, 2);
/// assert!((t.pvalue - 0.032_232_416_517_405_4).abs() < 1e-12);
/// assert!((t.kendall_w - 0.572_463_768_115_942).abs() < 1e-12);
/// ```
pub fn friedman_test(rows: &[Vec<f64>]) -> Result<FriedmanTest> {
    let n = rows.len();
    let k = rows.first().map_or(0, Vec::len);
    // With no rows the number of conditions is unknown: report the rows.
    if k < 2 && n > 0 {
        return Err(AnalysisError::unsuitable(
            Location::default(),
            format!("Friedman's test needs at least 2 conditions (columns), found {k}"),
        ));
    }
    if n < 2 {
        return Err(AnalysisError::unsuitable(
            Location::default(),
            format!("Friedman's test needs at least 2 complete respondents (rows), found {n}"),
        ));
    }
    let mut rank_sums = vec![0.0; k];
    let mut tie_term = 0.0;
    let mut sum_squared_ranks = 0.0;
    let mut all_rows_tied = true;
    for (i, row) in rows.iter().enumerate() {
        if row.len() != k || row.iter().any(|v| !v.is_finite()) {
            return Err(AnalysisError::unsuitable(
                Location::default().with_line(i as u64 + 1),
                format!("row {} must hold {k} finite numbers", i + 1),
            ));
        }
        let r = ranks::midranks(row);
        for (sum, rank) in rank_sums.iter_mut().zip(&r) {
            *sum += rank;
        }
        sum_squared_ranks += r.iter().map(|v| v * v).sum::<f64>();
        let sizes = ranks::tie_group_sizes(row);
        if sizes.len() > 1 {
            all_rows_tied = false;
        }
        tie_term += sizes.iter().map(|&t| (t * t * t - t) as f64).sum::<f64>();
    }
    if all_rows_tied {
        return Err(AnalysisError::unsuitable(
            Location::default(),
            "every respondent gave all conditions the same value: there is nothing to rank \
             and Friedman's χ² is undefined (0/0)",
        ));
    }
    let (nf, kf) = (n as f64, k as f64);
    let expected = nf * (kf + 1.0) / 2.0;
    let dispersion: f64 = rank_sums.iter().map(|r| (r - expected).powi(2)).sum();
    let denominator = nf * kf * (kf + 1.0) - tie_term / (kf - 1.0);
    let statistic = (12.0 * dispersion / denominator).max(0.0);
    let kendall_w = (statistic / (nf * (kf - 1.0))).clamp(0.0, 1.0);
    let pvalue = chi_square_sf(statistic, (k - 1) as f64)?;
    Ok(FriedmanTest {
        n,
        k,
        statistic,
        df: k - 1,
        pvalue,
        kendall_w,
        mean_ranks: rank_sums.iter().map(|r| r / nf).collect(),
        rank_sums,
        tie_term,
        sum_squared_ranks,
    })
}

fn chi_square_sf(x: f64, df: f64) -> Result<f64> {
    let dist = ChiSquared::new(df).map_err(|e| AnalysisError::computation(e.to_string()))?;
    Ok(dist.sf(x).clamp(0.0, 1.0))
}

/// Friedman's χ² from published mean ranks, by the no-ties formula
/// χ² = 12n/(k(k+1)) Σⱼ (R̄ⱼ − (k+1)/2)². Used to audit a paper that prints
/// only mean ranks (with ties in the data the real χ² is larger). Returns 0
/// when there is nothing to compare (k < 2 or n = 0).
///
/// ```
/// // Hand computation, without the tie correction: 12n/(k(k + 1)) Σ R̄² − 3n(k + 1)
/// // for the mean ranks 2.25, 7/6, 31/12 of six respondents = 6 · 13.097222… − 72.
/// let mean_ranks = [2.25, 7.0 / 6.0, 31.0 / 12.0];
/// let chi2 = analysis::friedman::chi_square_from_mean_ranks(&mean_ranks, 6);
/// assert!((chi2 - 6.583_333_333_333_333).abs() < 1e-9);
/// ```
pub fn chi_square_from_mean_ranks(mean_ranks: &[f64], n: usize) -> f64 {
    let k = mean_ranks.len() as f64;
    if mean_ranks.len() < 2 || n == 0 {
        return 0.0;
    }
    let centre = (k + 1.0) / 2.0;
    let dispersion: f64 = mean_ranks.iter().map(|r| (r - centre).powi(2)).sum();
    12.0 * n as f64 / (k * (k + 1.0)) * dispersion
}

/// Kendall's W = χ²/(n(k − 1)) for a Friedman χ² on n respondents and k
/// conditions (tie-corrected if the χ² is).
///
/// ```
/// // Hand computation: W = χ²/(n(k − 1)) = 6.8695652173913 / 12 (the R value above).
/// let w = analysis::friedman::kendall_w_from_chi_square(6.869_565_217_391_3, 6, 3).unwrap();
/// assert!((w - 0.572_463_768_115_942).abs() < 1e-12);
/// ```
pub fn kendall_w_from_chi_square(chi_square: f64, n: usize, k: usize) -> Result<f64> {
    if n == 0 || k < 2 {
        return Err(AnalysisError::invalid_argument(
            "n and k",
            format!("n = {n}, k = {k}"),
            "n ≥ 1 and k ≥ 2",
        ));
    }
    if !(chi_square.is_finite() && chi_square >= 0.0) {
        return Err(AnalysisError::invalid_argument(
            "chi-square",
            chi_square,
            "a finite number ≥ 0",
        ));
    }
    Ok(chi_square / (n as f64 * (k as f64 - 1.0)))
}

/// Whether a set of mean ranks could come from a Friedman ranking of k
/// conditions: they must sum to k(k+1)/2 and each lie in [1, k].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanRankCheck {
    /// Number of conditions.
    pub k: usize,
    /// Sum of the mean ranks given.
    pub sum: f64,
    /// k(k + 1)/2, the sum of any Friedman mean ranks.
    pub expected_sum: f64,
    /// |sum − k(k+1)/2| ≤ k × tolerance.
    pub sum_matches: bool,
    /// Indices of mean ranks outside [1 − tolerance, k + tolerance].
    pub out_of_range: Vec<usize>,
    /// The sum matches and every mean rank is in range.
    pub feasible: bool,
    /// The rounding allowed per mean rank (0.005 for two printed decimals).
    pub tolerance: f64,
}

/// Checks published mean ranks for feasibility; `tolerance` is the rounding
/// of each printed value (0.005 for two decimals), so the sum may be off by
/// at most k × tolerance.
///
/// ```
/// // Hand computation: ten mean ranks must sum to 10·11/2 = 55; the study's Table 5
/// // printed these ten (as published), which sum to 26.93.
/// use analysis::friedman::check_mean_ranks;
/// let ok = check_mean_ranks(&[2.25, 1.17, 2.58], 0.005);
/// assert!(ok.feasible && ok.expected_sum == 6.0);
/// let table5 = [4.14, 3.81, 1.89, 1.81, 1.66, 2.45, 1.47, 2.44, 3.28, 3.98];
/// let bad = check_mean_ranks(&table5, 0.005);
/// assert!(!bad.feasible && bad.expected_sum == 55.0);
/// ```
pub fn check_mean_ranks(mean_ranks: &[f64], tolerance: f64) -> MeanRankCheck {
    let k = mean_ranks.len();
    let kf = k as f64;
    let tolerance = if tolerance.is_finite() {
        tolerance.abs()
    } else {
        0.0
    };
    let sum: f64 = mean_ranks.iter().sum();
    let expected_sum = kf * (kf + 1.0) / 2.0;
    let sum_matches = sum.is_finite() && (sum - expected_sum).abs() <= kf * tolerance + 1e-9;
    let out_of_range: Vec<usize> = mean_ranks
        .iter()
        .enumerate()
        .filter(|(_, &r)| !(r >= 1.0 - tolerance - 1e-12 && r <= kf + tolerance + 1e-12))
        .map(|(i, _)| i)
        .collect();
    MeanRankCheck {
        k,
        sum,
        expected_sum,
        sum_matches,
        feasible: k >= 2 && sum_matches && out_of_range.is_empty(),
        out_of_range,
        tolerance,
    }
}

/// Iman–Davenport F.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImanDavenport {
    /// F; null when W = 1 (F infinite).
    pub statistic: Option<f64>,
    /// Numerator df, k − 1.
    pub df1: usize,
    /// Denominator df, (k − 1)(n − 1).
    pub df2: usize,
    /// Upper-tail F p-value.
    pub pvalue: f64,
    /// Why the statistic is missing, if it is.
    pub note: Option<String>,
}

/// A post-hoc test: statistics and p-values for every pair of columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostHoc {
    /// The test's name and reference.
    pub method: String,
    /// The columns, in the order of the matrices.
    pub columns: Vec<String>,
    /// The test statistic (Nemenyi: studentized range q; Conover: t); null
    /// on the diagonal and where it is infinite (W = 1).
    pub statistic: Vec<Vec<Option<f64>>>,
    /// Degrees of freedom of the reference distribution (null = ∞).
    pub df: Option<f64>,
    /// Two-sided p-values, 1 on the diagonal, unadjusted.
    pub pvalues: Vec<Vec<f64>>,
}

/// A pair of columns whose mean ranks differ by more than the CD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankDifference {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// |R̄a − R̄b|.
    pub difference: f64,
}

/// Demšar's critical difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriticalDifference {
    /// Significance level.
    pub alpha: f64,
    /// qtukey(1 − α, k, ∞)/√2.
    pub q_alpha: f64,
    /// CD = q_α √(k(k + 1)/(6n)).
    pub cd: f64,
    /// Pairs with |R̄a − R̄b| > CD, largest difference first.
    pub pairs: Vec<RankDifference>,
}

/// The full Friedman ranking result (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Friedman {
    /// Respondents (blocks) used.
    pub n: usize,
    /// Conditions (columns).
    pub k: usize,
    /// Tie-corrected Friedman χ².
    pub statistic: f64,
    /// Degrees of freedom, k − 1.
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub pvalue: f64,
    /// Kendall's W, tie-corrected.
    pub kendall_w: f64,
    /// Mean rank per column, in column order.
    pub mean_ranks: NamedValues,
    /// Position of each column when ordered by mean rank: 1 = highest mean
    /// rank (as the paper's Table 5); equal mean ranks share the average
    /// position.
    pub ranks: NamedValues,
    /// Iman–Davenport's F version of the test.
    pub iman_davenport: ImanDavenport,
    /// Nemenyi's all-pairs test.
    pub nemenyi: PostHoc,
    /// Conover's all-pairs test.
    pub conover: PostHoc,
    /// Demšar's critical difference and the pairs beyond it.
    pub critical_difference: CriticalDifference,
    /// Respondents dropped for a missing value (listwise deletion).
    pub dropped: usize,
    /// Where the data came from.
    pub source: String,
    /// Remarks (ties, perfect agreement, dropped rows).
    pub notes: Vec<String>,
}

/// Friedman ranking of the selected columns (all if `columns` is `None`) of
/// a dataset; respondents with a missing value are dropped.
///
/// ```
/// // tests/data/friedman/docstring_example.csv (scikit-posthocs and SciPy, in
/// // tests/fixtures/friedman/scipy_posthocs.json): Nemenyi p(b, c) = 0.03760991481961706,
/// // Demšar's CD at α = 0.05 = 1.353136164445458.
/// use analysis::{friedman::friedman_dataset, Dataset};
/// let csv = "a,b,c\n31,27,24\n31,28,31\n45,29,46\n21,18,48\n42,36,46\n32,17,40\n";
/// let data = Dataset::from_csv_str("docstring_example.csv", csv).unwrap();
/// let f = friedman_dataset(&data, None, 0.05).unwrap();
/// assert!((f.nemenyi.pvalues[1][2] - 0.037_609_914_819_617_06).abs() < 1e-9);
/// assert!((f.critical_difference.cd - 1.353_136_164_445_458).abs() < 1e-9);
/// assert_eq!(f.mean_ranks.get("c"), Some(2.583_333_333_333_333_5));
/// ```
pub fn friedman_dataset(
    data: &Dataset,
    columns: Option<&[String]>,
    alpha: f64,
) -> Result<Friedman> {
    let names = data.select(columns)?;
    let (rows, dropped) = data.complete_rows(&names)?;
    let located = |e: AnalysisError| match e {
        AnalysisError::Unsuitable { location, message } if location.source.is_none() => {
            AnalysisError::unsuitable(
                Location::source(&data.source),
                if dropped > 0 {
                    format!("{message} ({dropped} respondents dropped for missing values)")
                } else {
                    message
                },
            )
        }
        other => other,
    };
    friedman(&names, &rows, dropped, alpha)
        .map(|mut f| {
            f.source = data.source.clone();
            f
        })
        .map_err(located)
}

/// Friedman ranking of complete `rows` (respondents × conditions) whose
/// columns are called `names`; `dropped` is only reported.
///
/// ```
/// // The same data as rows (scipy_posthocs.json): Iman–Davenport F = 6.694915254237287
/// // with (2, 10) df, Conover p(a, b) = 0.02325152459385478.
/// use analysis::friedman::friedman;
/// let rows = [[31.0, 27.0, 24.0], [31.0, 28.0, 31.0], [45.0, 29.0, 46.0],
///             [21.0, 18.0, 48.0], [42.0, 36.0, 46.0], [32.0, 17.0, 40.0]].map(|r| r.to_vec());
/// let names = ["a", "b", "c"].map(String::from);
/// let f = friedman(&names, &rows, 0, 0.05).unwrap();
/// assert!((f.iman_davenport.statistic.unwrap() - 6.694_915_254_237_287).abs() < 1e-9);
/// assert_eq!((f.iman_davenport.df1, f.iman_davenport.df2), (2, 10));
/// assert!((f.conover.pvalues[0][1] - 0.023_251_524_593_854_78).abs() < 1e-9);
/// ```
pub fn friedman(
    names: &[String],
    rows: &[Vec<f64>],
    dropped: usize,
    alpha: f64,
) -> Result<Friedman> {
    check_range("alpha", alpha, MIN_ALPHA, 1.0, true)?;
    if let Some(row) = rows.iter().find(|r| r.len() != names.len()) {
        return Err(AnalysisError::unsuitable(
            Location::default(),
            format!("a row has {} values for {} columns", row.len(), names.len()),
        ));
    }
    let test = friedman_test(rows)?;
    let (n, k) = (test.n, test.k);
    let (nf, kf) = (n as f64, k as f64);
    let mut notes = Vec::new();
    let perfect = test.perfect_agreement();

    let named =
        |values: &[f64]| NamedValues(names.iter().cloned().zip(values.iter().copied()).collect());
    // Position 1 = highest mean rank: mid-ranks of the negated mean ranks.
    let negated: Vec<f64> = test.mean_ranks.iter().map(|r| -r).collect();
    let positions = ranks::midranks(&negated);

    let df1 = k - 1;
    let df2 = (k - 1) * (n - 1);
    let iman_davenport = if perfect {
        let note = "perfect agreement (W = 1): the Iman–Davenport F is infinite, p = 0".to_owned();
        notes.push(note.clone());
        ImanDavenport {
            statistic: None,
            df1,
            df2,
            pvalue: 0.0,
            note: Some(note),
        }
    } else {
        let f = (nf - 1.0) * test.statistic / (nf * (kf - 1.0) - test.statistic);
        let dist = FisherSnedecor::new(df1 as f64, df2 as f64)
            .map_err(|e| AnalysisError::computation(e.to_string()))?;
        ImanDavenport {
            statistic: Some(f),
            df1,
            df2,
            pvalue: dist.sf(f).clamp(0.0, 1.0),
            note: None,
        }
    };

    let nemenyi = nemenyi(names, &test)?;
    let conover = conover(names, &test)?;
    if perfect {
        notes.push(
            "Conover's t is infinite under perfect agreement: shown as null with p = 0".to_owned(),
        );
    }

    let q_alpha = studentized_range::qtukey(1.0 - alpha, k, f64::INFINITY)? / 2f64.sqrt();
    let cd = q_alpha * (kf * (kf + 1.0) / (6.0 * nf)).sqrt();
    let mut pairs = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            let difference = (test.mean_ranks[i] - test.mean_ranks[j]).abs();
            if difference > cd {
                pairs.push(RankDifference {
                    a: names[i].clone(),
                    b: names[j].clone(),
                    difference,
                });
            }
        }
    }
    pairs.sort_by(|x, y| y.difference.total_cmp(&x.difference));

    if test.tie_term > 0.0 {
        notes.push(format!(
            "ties within respondents: χ² and W are corrected for ties (Σ(t³ − t) = {})",
            test.tie_term
        ));
    }
    if dropped > 0 {
        notes.push(format!(
            "{dropped} respondent(s) with missing values dropped (listwise deletion)"
        ));
    }

    Ok(Friedman {
        n,
        k,
        statistic: test.statistic,
        df: test.df,
        pvalue: test.pvalue,
        kendall_w: test.kendall_w,
        mean_ranks: named(&test.mean_ranks),
        ranks: named(&positions),
        iman_davenport,
        nemenyi,
        conover,
        critical_difference: CriticalDifference {
            alpha,
            q_alpha,
            cd,
            pairs,
        },
        dropped,
        source: String::new(),
        notes,
    })
}

fn empty_matrices(k: usize) -> PairMatrices {
    let pvalues = (0..k)
        .map(|i| (0..k).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    (vec![vec![None; k]; k], pvalues)
}

/// The distinct values of |Rᵢ − Rⱼ| over pairs of columns, ascending.
///
/// Both post-hoc statistics are functions of the rank-sum difference alone,
/// and rank sums are sums of mid-ranks (multiples of ½), so the difference is
/// exact and at most 2n(k − 1) + 1 values occur however many of the
/// k(k − 1)/2 pairs there are: each p-value is computed once per distinct
/// difference. With k = 1000 conditions that is a few thousand studentized
/// range integrals instead of half a million.
fn distinct_differences(rank_sums: &[f64]) -> Vec<f64> {
    let k = rank_sums.len();
    let mut differences = Vec::with_capacity(k * k.saturating_sub(1) / 2);
    for i in 0..k {
        for j in i + 1..k {
            differences.push((rank_sums[i] - rank_sums[j]).abs());
        }
    }
    differences.sort_unstable_by(f64::total_cmp);
    differences.dedup();
    differences
}

/// The k × k statistic and p-value matrices of a post-hoc test.
type PairMatrices = (Vec<Vec<Option<f64>>>, Vec<Vec<f64>>);

/// Statistic and p-value for each distinct difference, computed in
/// parallel, then spread over the symmetric k × k matrices.
fn pairwise_matrices(
    rank_sums: &[f64],
    per_difference: impl Fn(f64) -> Result<(Option<f64>, f64)> + Sync,
) -> Result<PairMatrices> {
    use rayon::prelude::*;
    let k = rank_sums.len();
    let differences = distinct_differences(rank_sums);
    let results: Vec<(Option<f64>, f64)> = differences
        .par_iter()
        .map(|&d| per_difference(d))
        .collect::<Result<_>>()?;
    let (mut statistic, mut pvalues) = empty_matrices(k);
    for i in 0..k {
        for j in i + 1..k {
            let d = (rank_sums[i] - rank_sums[j]).abs();
            let at = differences
                .binary_search_by(|x| x.total_cmp(&d))
                .expect("every difference is in the list");
            let (s, p) = results[at];
            statistic[i][j] = s;
            statistic[j][i] = s;
            pvalues[i][j] = p;
            pvalues[j][i] = p;
        }
    }
    Ok((statistic, pvalues))
}

fn nemenyi(names: &[String], test: &FriedmanTest) -> Result<PostHoc> {
    let k = test.k;
    let (nf, kf) = (test.n as f64, k as f64);
    let scale = (kf * (kf + 1.0) / (6.0 * nf)).sqrt();
    // |R̄ᵢ − R̄ⱼ| = |Rᵢ − Rⱼ|/n: from the exact rank-sum difference, so that
    // pairs with equal differences get bit-identical q.
    let (statistic, pvalues) = pairwise_matrices(&test.rank_sums, |d| {
        let q = 2f64.sqrt() * (d / nf) / scale;
        Ok((
            Some(q),
            studentized_range::ptukey_upper(q, k, f64::INFINITY)?,
        ))
    })?;
    Ok(PostHoc {
        method: "Nemenyi (studentized range, df = ∞)".to_owned(),
        columns: names.to_vec(),
        statistic,
        df: None,
        pvalues,
    })
}

fn conover(names: &[String], test: &FriedmanTest) -> Result<PostHoc> {
    let k = test.k;
    let (nf, kf) = (test.n as f64, k as f64);
    let df = (nf - 1.0) * (kf - 1.0);
    let s2 = (test.sum_squared_ranks - nf * kf * (kf + 1.0).powi(2) / 4.0) / (kf - 1.0);
    let a = s2 * 2.0 * nf * (kf - 1.0) / df;
    let b = 1.0 - test.kendall_w;
    let t_dist =
        StudentsT::new(0.0, 1.0, df).map_err(|e| AnalysisError::computation(e.to_string()))?;
    let perfect = test.perfect_agreement();
    let (statistic, pvalues) = pairwise_matrices(&test.rank_sums, |difference| {
        Ok(if perfect {
            // B = 0: any difference is infinitely significant.
            if difference > 0.0 {
                (None, 0.0)
            } else {
                (Some(0.0), 1.0)
            }
        } else {
            let t = difference / (a * b).sqrt();
            (Some(t), (2.0 * t_dist.sf(t)).clamp(0.0, 1.0))
        })
    })?;
    Ok(PostHoc {
        method: "Conover (Student's t, unadjusted)".to_owned(),
        columns: names.to_vec(),
        statistic,
        df: Some(df),
        pvalues,
    })
}

fn matrix_table(title: &str, post_hoc: &PostHoc) -> Table {
    let mut header: Vec<&str> = vec![""];
    header.extend(post_hoc.columns.iter().map(String::as_str));
    let mut table = Table::new(title, &header);
    for (name, row) in post_hoc.columns.iter().zip(&post_hoc.pvalues) {
        let mut cells = vec![name.clone()];
        cells.extend(row.iter().map(|&p| fmt_p(p)));
        table.row(cells);
    }
    table
}

impl Render for Friedman {
    fn tables(&self) -> Vec<Table> {
        let mut summary = Table::new("Friedman test", &["quantity", "value"]);
        let mut add = |name: &str, value: String| {
            summary.row(vec![name.to_owned(), value]);
        };
        add("respondents n", self.n.to_string());
        add("conditions k", self.k.to_string());
        add("dropped (missing values)", self.dropped.to_string());
        add("χ² (tie-corrected)", fmt_fixed(self.statistic, 4));
        add("df", self.df.to_string());
        add("p", fmt_p(self.pvalue));
        add("Kendall's W (tie-corrected)", fmt_fixed(self.kendall_w, 4));
        let id = &self.iman_davenport;
        add(
            &format!("Iman–Davenport F({}, {})", id.df1, id.df2),
            id.statistic.map_or("∞".to_owned(), |f| fmt_fixed(f, 4)),
        );
        add("Iman–Davenport p", fmt_p(id.pvalue));
        for note in &self.notes {
            summary.note(note.clone());
        }

        let mut order: Vec<usize> = (0..self.k).collect();
        let positions = self.ranks.values();
        order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]));
        let mut ranking = Table::new(
            "Mean ranks (rank 1 = highest mean rank)",
            &["condition", "mean rank", "rank"],
        );
        for i in order {
            let (name, mean_rank) = &self.mean_ranks.0[i];
            ranking.row(vec![
                name.clone(),
                fmt_fixed(*mean_rank, 3),
                fmt_fixed(
                    positions[i],
                    if positions[i].fract() == 0.0 { 0 } else { 1 },
                ),
            ]);
        }

        let nemenyi = matrix_table("Nemenyi post-hoc p-values", &self.nemenyi);
        let mut conover = matrix_table("Conover post-hoc p-values (unadjusted)", &self.conover);
        if let Some(df) = self.conover.df {
            conover.note(format!("t with {df} degrees of freedom"));
        }

        let cd = &self.critical_difference;
        let mut critical = Table::new(
            format!(
                "Critical difference (Demšar 2006): CD = {} at α = {} (q_α = {})",
                fmt_fixed(cd.cd, 4),
                cd.alpha,
                fmt_fixed(cd.q_alpha, 4)
            ),
            &["condition", "condition", "|mean rank difference|"],
        );
        for pair in &cd.pairs {
            critical.row(vec![
                pair.a.clone(),
                pair.b.clone(),
                fmt_fixed(pair.difference, 3),
            ]);
        }
        if cd.pairs.is_empty() {
            critical.note("no pair of conditions differs by more than CD");
        }
        vec![summary, ranking, nemenyi, conover, critical]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn no_complete_respondent_is_named_as_such() {
        let data = Dataset::from_csv_str("t.csv", "a,b,c\n1,,3\n2,3,\n,5,4\n").unwrap();
        let e = friedman_dataset(&data, None, 0.05).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv: Friedman's test needs at least 2 complete respondents (rows), found 0 \
             (3 respondents dropped for missing values)"
        );
    }

    #[test]
    fn hand_computed_example_without_ties() {
        // Three respondents rank three conditions identically except one swap:
        // rank sums 3, 7, 8 → χ² = 12·((3−6)²+(7−6)²+(8−6)²)/(3·3·4) = 14/3.
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![1.0, 2.0, 3.0],
            vec![1.0, 3.0, 2.0],
        ];
        let t = friedman_test(&rows).unwrap();
        assert!((t.statistic - 14.0 / 3.0).abs() < 1e-12);
        assert!((t.kendall_w - 14.0 / 3.0 / 6.0).abs() < 1e-12);
        assert_eq!(t.mean_ranks, vec![1.0, 7.0 / 3.0, 8.0 / 3.0]);
        // The closed form from mean ranks agrees when there are no ties.
        assert!((chi_square_from_mean_ranks(&t.mean_ranks, 3) - t.statistic).abs() < 1e-12);
        assert!(
            (kendall_w_from_chi_square(t.statistic, 3, 3).unwrap() - t.kendall_w).abs() < 1e-12
        );
    }

    #[test]
    fn all_rows_tied_is_unsuitable_not_nan() {
        let rows = vec![vec![2.0, 2.0, 2.0], vec![5.0, 5.0, 5.0]];
        let e = friedman_test(&rows).unwrap_err();
        assert!(e.to_string().contains("undefined"), "{e}");
    }

    #[test]
    fn too_few_rows_or_columns() {
        assert!(friedman_test(&[vec![1.0, 2.0]]).is_err());
        assert!(friedman_test(&[vec![1.0], vec![2.0]]).is_err());
        assert!(friedman(&names(2), &[vec![1.0, 2.0], vec![2.0, 1.0]], 0, 1.5).is_err());
    }

    #[test]
    fn perfect_agreement_has_no_infinite_or_nan_numbers() {
        let rows = vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![2.0, 5.0, 7.0, 9.0],
            vec![0.5, 1.0, 1.5, 2.0],
        ];
        let f = friedman(&names(4), &rows, 0, 0.05).unwrap();
        assert_eq!(f.kendall_w, 1.0);
        assert_eq!(f.iman_davenport.statistic, None);
        assert_eq!(f.iman_davenport.pvalue, 0.0);
        assert_eq!(f.conover.pvalues[0][3], 0.0);
        // serde_json would print a NaN as null, so check the values themselves.
        for m in [&f.nemenyi, &f.conover] {
            assert!(m.pvalues.iter().flatten().all(|p| p.is_finite()));
            assert!(m
                .statistic
                .iter()
                .flatten()
                .flatten()
                .all(|s| s.is_finite()));
        }
        assert!(
            f.statistic.is_finite() && f.pvalue.is_finite() && f.critical_difference.cd.is_finite()
        );
        assert_eq!(f.ranks.get("c3"), Some(1.0));
        assert_eq!(f.ranks.get("c0"), Some(4.0));
    }

    #[test]
    fn mean_rank_feasibility() {
        // The study's Table 5 sums to 26.93, not 55: infeasible.
        let published = [4.14, 3.81, 1.89, 1.81, 1.66, 2.45, 1.47, 2.44, 3.28, 3.98];
        let c = check_mean_ranks(&published, 0.005);
        assert!(!c.feasible && !c.sum_matches);
        assert!((c.sum - 26.93).abs() < 1e-9 && c.expected_sum == 55.0);
        let ok = check_mean_ranks(&[1.5, 2.5, 2.0], 0.0);
        assert!(ok.feasible);
        let out = check_mean_ranks(&[0.5, 3.5, 2.0], 0.005);
        assert_eq!(out.out_of_range, vec![0, 1]);
        assert!(!out.feasible);
    }

    #[test]
    fn render_sorts_by_rank_and_shows_cd() {
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![1.0, 3.0, 2.0],
            vec![1.0, 2.0, 3.0],
            vec![2.0, 1.0, 3.0],
        ];
        let f = friedman(&names(3), &rows, 0, 0.05).unwrap();
        let text = f.to_text();
        let c2 = text.find("\nc2 ").unwrap();
        let c0 = text.find("\nc0 ").unwrap();
        assert!(c2 < c0, "{text}");
        assert!(text.contains("Critical difference"));
        let json: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        let keys: Vec<&String> = json["mean_ranks"].as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["c0", "c1", "c2"]);
    }

    fn matrix_strategy() -> impl Strategy<Value = Vec<Vec<f64>>> {
        (2usize..7, 2usize..12).prop_flat_map(|(k, n)| {
            prop::collection::vec(prop::collection::vec(1u8..6, k), n).prop_map(|rows| {
                rows.into_iter()
                    .map(|r| r.into_iter().map(f64::from).collect())
                    .collect()
            })
        })
    }

    proptest! {
        #[test]
        fn invariants(
            (rows, shuffled) in matrix_strategy()
                .prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
        ) {
            let k = rows[0].len();
            // All-tied matrices are rejected (an error, never a NaN).
            let t = match friedman_test(&rows) { Ok(t) => t, Err(_) => return Ok(()) };
            let sum: f64 = t.mean_ranks.iter().sum();
            prop_assert!((sum - (k * (k + 1)) as f64 / 2.0).abs() < 1e-9);
            prop_assert!((0.0..=1.0).contains(&t.kendall_w));
            prop_assert!((0.0..=1.0).contains(&t.pvalue));
            // Any permutation of the respondents changes nothing.
            let u = friedman_test(&shuffled).unwrap();
            prop_assert!((u.statistic - t.statistic).abs() < 1e-9);
            prop_assert!((u.pvalue - t.pvalue).abs() < 1e-12);
            prop_assert!((u.kendall_w - t.kendall_w).abs() < 1e-12);
            for (a, b) in u.mean_ranks.iter().zip(&t.mean_ranks) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }
    }
}
