//! Correlation and collinearity: Pearson or Spearman correlation matrices with
//! two-sided p-values, variance inflation factors (VIF) and tolerance per
//! variable, and the pairs whose |r| reaches a threshold (default 0.8).
//!
//! # Formulas
//! - Pearson: r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), computed from centred
//!   values (two passes) for accuracy.
//! - Spearman: Pearson's r on mid-ranks (ties share the mean of their ranks,
//!   [`crate::ranks::midranks`]).
//! - p-value (both methods): t = r √((n−2)/(1−r²)) with n−2 degrees of freedom,
//!   p = 2·P(T > |t|). This is SciPy's `pearsonr` and, for Spearman, SciPy's
//!   `spearmanr` (t approximation). R's `cor.test(method = "spearman")` uses an
//!   exact permutation test for small n without ties, so its p-values differ
//!   there; we match SciPy. |r| = 1 gives p = 0 exactly, and p always lies in
//!   [0, 1]. The diagonal of the p-value matrix is 0, as in SciPy's matrix form.
//! - VIF_j = (R⁻¹)_jj, the j-th diagonal element of the inverse of the Pearson
//!   correlation matrix R of the complete cases; tolerance_j = 1/VIF_j = 1 − R²_j
//!   (R²_j of the regression of variable j on the others). This equals
//!   statsmodels' `variance_inflation_factor` on a design with a constant
//!   (`add_constant`). VIF is a property of the linear regression among the
//!   variables, so it is always computed from Pearson correlations, also when
//!   the method is Spearman.
//!
//! # Perfect collinearity
//! When R is singular (smallest eigenvalue below [`SINGULAR_EIGENVALUE`], i.e.
//! a VIF beyond about 10¹²) the variables that take part in an exact linear
//! dependency have an infinite VIF: it is reported as `None` (JSON `null`) with
//! tolerance 0, and a note names the variables. The VIF of the other variables
//! is 1/(1 − R²_j) with R²_j from a pseudo-inverse, which is what statsmodels'
//! least squares gives for them. The correlation matrix itself is still
//! reported: it is exactly what shows the collinearity.
//!
//! # Missing values
//! - `Listwise` (default): a record with a missing value in any selected column
//!   is dropped before anything is computed.
//! - `Pairwise`: each correlation uses the records complete on its two
//!   columns (for Spearman, ranks are taken within those records); `n_pairs`
//!   gives the count for each pair.
//!
//! In both cases VIF is computed on the complete cases (listwise), since it
//! needs one correlation matrix of one sample; `n` is the number of complete
//! cases. Under pairwise deletion, if fewer than 3 complete cases remain or a
//! column is constant among them, the VIF list is empty and a note says why.
//!
//! # Unsuitable data
//! A constant column (over the records used) has no correlation: it is an
//! error naming the column. Fewer than 2 columns or fewer than 3 records (for
//! any pair) is an error too.

use crate::data::Dataset;
use crate::error::{check_range, AnalysisError, Location, Result};
use crate::ranks::midranks;
use crate::render::{fmt_fixed, fmt_p, Render, Table};
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Smallest eigenvalue of the correlation matrix below which it is treated as
/// singular (exact collinearity up to rounding): VIF would exceed about 10¹².
/// An exact dependency computed in f64 leaves an eigenvalue near 10⁻¹⁵
/// (10⁻¹⁴ with offsets of 10⁸); a near-dependency such as x + y + 10⁻⁵·noise
/// (eigenvalue ~10⁻¹⁰, VIF ~10⁹·⁷) is reported with its finite VIF.
pub const SINGULAR_EIGENVALUE: f64 = 1e-12;

/// Default threshold on |r| above which a pair is flagged as collinear.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// Slack in the comparison |r| ≥ threshold, so that a correlation that is
/// exactly at the threshold in exact arithmetic (e.g. Spearman's 0.8 with
/// n = 4, computed as 0.7999999999999999) is flagged whatever the rounding.
pub const THRESHOLD_ROUNDING: f64 = 1e-12;

/// Correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Pearson's product-moment r.
    #[default]
    Pearson,
    /// Spearman's ρ: Pearson's r of the midranks.
    Spearman,
}

impl Method {
    /// The method's name as printed.
    pub fn label(self) -> &'static str {
        match self {
            Method::Pearson => "Pearson",
            Method::Spearman => "Spearman",
        }
    }
}

/// How missing values are handled (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Only records complete in every selected column.
    #[default]
    Listwise,
    /// For each pair, the records complete in both columns.
    Pairwise,
}

/// Options of [`correlate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelationOptions {
    /// Pearson or Spearman.
    pub method: Method,
    /// Pairs with |r| ≥ threshold (up to [`THRESHOLD_ROUNDING`]) are
    /// flagged; must lie in [0, 1].
    pub threshold: f64,
    /// Listwise or pairwise deletion of missing values.
    pub missing: Missing,
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        CorrelationOptions {
            method: Method::Pearson,
            threshold: DEFAULT_THRESHOLD,
            missing: Missing::Listwise,
        }
    }
}

/// A correlation coefficient with its two-sided p-value and sample size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairCorrelation {
    /// The coefficient.
    pub r: f64,
    /// Two-sided p-value of r = 0 (t test with n − 2 df).
    pub pvalue: f64,
    /// Pairs used.
    pub n: usize,
}

/// Variance inflation factor of one variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VifEntry {
    /// The variable.
    pub name: String,
    /// `None` (JSON `null`) when the variable is part of an exact linear
    /// dependency, i.e. its VIF is infinite.
    pub vif: Option<f64>,
    /// 1/VIF; 0 when the VIF is infinite.
    pub tolerance: f64,
}

/// A pair of variables whose |r| reaches the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedPair {
    /// First variable.
    pub a: String,
    /// Second variable.
    pub b: String,
    /// Their correlation.
    pub r: f64,
    /// Its two-sided p-value.
    pub pvalue: f64,
}

/// The result of [`correlate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationReport {
    /// Pearson or Spearman.
    pub method: Method,
    /// How missing values were handled.
    pub missing: Missing,
    /// Complete cases: the sample of every correlation under listwise
    /// deletion, and of the VIFs in both modes.
    pub n: usize,
    /// Records dropped because of a missing value in a selected column.
    pub rows_dropped: usize,
    /// The variables, in the order of the matrices.
    pub variables: Vec<String>,
    /// Correlation matrix, `r[i][j]`, in the order of `variables`.
    pub r: Vec<Vec<f64>>,
    /// Two-sided p-values, same layout; 0 on the diagonal.
    pub pvalues: Vec<Vec<f64>>,
    /// Records used for each pair (pairwise deletion only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_pairs: Option<Vec<Vec<usize>>>,
    /// Variance inflation factor of each variable on all the others.
    pub vif: Vec<VifEntry>,
    /// Pairs with |r| at or above `threshold`.
    pub flagged: Vec<FlaggedPair>,
    /// The |r| at which pairs are flagged.
    pub threshold: f64,
    /// Remarks about the result (perfect collinearity, the VIF basis).
    pub notes: Vec<String>,
}

/// Pearson correlation of two equally long samples with its two-sided
/// p-value (t with n−2 df). `names` are used in error messages.
///
/// ```
/// // tests/data/correlation/small.csv, columns x and y (SciPy pearsonr, in
/// // tests/fixtures/correlation/small_pearson_listwise.json): r = 0.9696164338725438,
/// // p = 0.030383566127456074.
/// let x = [1.5, 2.0, 3.5, 4.0];
/// let y = [2.1, 1.9, 3.7, 4.4];
/// let c = analysis::correlation::pearson(&x, &y).unwrap();
/// assert!((c.r - 0.969_616_433_872_543_8).abs() < 1e-12);
/// assert!((c.pvalue - 0.030_383_566_127_456_074).abs() < 1e-12);
/// assert_eq!(c.n, 4);
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> Result<PairCorrelation> {
    pair_correlation(x, y, ("x", "y"), &Location::default(), Method::Pearson)
}

/// Spearman rank correlation (Pearson on mid-ranks) with its two-sided
/// p-value from the t approximation, as SciPy's `spearmanr`.
///
/// ```
/// // The same columns (SciPy spearmanr, small_spearman_listwise.json): ρ = 0.8, p = 0.2.
/// let c = analysis::correlation::spearman(&[1.5, 2.0, 3.5, 4.0], &[2.1, 1.9, 3.7, 4.4]).unwrap();
/// assert!((c.r - 0.8).abs() < 1e-12 && (c.pvalue - 0.2).abs() < 1e-12);
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Result<PairCorrelation> {
    pair_correlation(x, y, ("x", "y"), &Location::default(), Method::Spearman)
}

/// Two-sided p-value of a correlation r from n observations: t test with
/// n − 2 degrees of freedom. |r| = 1 gives 0; the result lies in [0, 1].
///
/// ```
/// // Hand computation: r = 0.8, n = 4 gives t = r√(n − 2)/√(1 − r²) = 1.8856 with
/// // 2 df, whose two-sided p is 0.2 (SciPy spearmanr above gives the same).
/// let p = analysis::correlation::correlation_pvalue(0.8, 4).unwrap();
/// assert!((p - 0.2).abs() < 1e-12);
/// ```
pub fn correlation_pvalue(r: f64, n: usize) -> Result<f64> {
    if n < 3 {
        return Err(AnalysisError::invalid_argument(
            "n",
            n,
            "at least 3 observations for a p-value",
        ));
    }
    if !r.is_finite() {
        return Err(AnalysisError::invalid_argument(
            "r",
            r,
            "a finite correlation",
        ));
    }
    let r = r.clamp(-1.0, 1.0);
    let a = r.abs();
    if a >= 1.0 {
        return Ok(0.0);
    }
    let df = (n - 2) as f64;
    // 1 − r² as (1 − |r|)(1 + |r|) keeps precision when |r| is close to 1.
    let t = a * (df / ((1.0 - a) * (1.0 + a))).sqrt();
    let dist = StudentsT::new(0.0, 1.0, df)
        .map_err(|e| AnalysisError::computation(format!("Student t with {df} df: {e}")))?;
    Ok((2.0 * dist.sf(t)).clamp(0.0, 1.0))
}

fn check_not_constant(x: &[f64], name: &str, location: &Location) -> Result<()> {
    if x.iter().all(|v| *v == x[0]) {
        return Err(AnalysisError::unsuitable(
            location.clone().with_column(name),
            format!(
                "the column is constant (every one of the {} values used is {}), so its correlation is undefined; leave it out with --columns",
                x.len(),
                x[0]
            ),
        ));
    }
    Ok(())
}

/// A sample centred and scaled to unit length: Pearson's r of two samples is
/// the dot product of theirs.
fn unit_vector(v: &[f64]) -> Vec<f64> {
    let m = crate::descriptive::mean(v).unwrap_or(0.0);
    let d: Vec<f64> = v.iter().map(|a| a - m).collect();
    let norm = d.iter().map(|a| a * a).sum::<f64>().sqrt();
    d.into_iter().map(|a| a / norm).collect()
}

/// Pearson's r of two samples without constant columns (checked by callers):
/// the dot product of the centred samples each scaled to unit length, as
/// SciPy's `pearsonr` does, which keeps exact linear relations at exactly ±1
/// far more often than dividing the cross-product sum at the end.
fn pearson_r(x: &[f64], y: &[f64]) -> f64 {
    let (ux, uy) = (unit_vector(x), unit_vector(y));
    ux.iter()
        .zip(&uy)
        .map(|(a, b)| a * b)
        .sum::<f64>()
        .clamp(-1.0, 1.0)
}

/// Columns per block of the all-pairs kernel: a 4 × 4 block of dot products
/// keeps its 16 sums in registers.
const BLOCK: usize = 4;

/// Pearson's r for every pair of `columns` (all of one length n, none
/// constant), with a unit diagonal: the same numbers, bit for bit, as
/// [`pearson_r`] on each pair.
///
/// Calling [`pearson_r`] per pair re-centres both columns every time and
/// sums one product at a time, which for 1000 columns × 2000 records took
/// half a minute. Here each column is centred and scaled once, and the dot
/// products are taken a 4 × 4 block of pairs at a time from columns
/// interleaved in groups of four, so that the 16 independent sums run in
/// parallel in vector registers and each group is read from memory once per
/// block. Each sum still adds its products in record order from −0.0, as
/// `Iterator::sum` does, and Rust never fuses a multiply and an add, so the
/// results equal the pairwise ones exactly (a BLAS product would reorder the
/// sums and move some exactly-collinear pairs off ±1). Row blocks run in
/// parallel (rayon).
fn pearson_matrix(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    let k = columns.len();
    let n = columns.first().map_or(0, Vec::len);
    let blocks = k.div_ceil(BLOCK);
    // packed[b][t * BLOCK + c]: record t of column b·BLOCK + c (zero-padded).
    let units: Vec<Vec<f64>> = columns.par_iter().map(|c| unit_vector(c)).collect();
    let packed: Vec<Vec<f64>> = (0..blocks)
        .map(|b| {
            let mut p = vec![0.0; n * BLOCK];
            for c in 0..BLOCK {
                if let Some(u) = units.get(b * BLOCK + c) {
                    for (t, v) in u.iter().enumerate() {
                        p[t * BLOCK + c] = *v;
                    }
                }
            }
            p
        })
        .collect();
    let upper: Vec<Vec<[[f64; BLOCK]; BLOCK]>> = (0..blocks)
        .into_par_iter()
        .map(|bi| {
            (bi..blocks)
                .map(|bj| block_dot(&packed[bi], &packed[bj]))
                .collect()
        })
        .collect();
    let mut r = vec![vec![1.0; k]; k];
    for (bi, row) in upper.iter().enumerate() {
        for (offset, sums) in row.iter().enumerate() {
            let bj = bi + offset;
            for (a, sums_a) in sums.iter().enumerate() {
                for (b, sum) in sums_a.iter().enumerate() {
                    let (i, j) = (bi * BLOCK + a, bj * BLOCK + b);
                    if i < j && j < k {
                        let v = sum.clamp(-1.0, 1.0);
                        r[i][j] = v;
                        r[j][i] = v;
                    }
                }
            }
        }
    }
    r
}

/// The 4 × 4 dot products of two groups of interleaved columns, each summed
/// in record order from −0.0.
#[inline]
fn block_dot(a: &[f64], b: &[f64]) -> [[f64; BLOCK]; BLOCK] {
    let mut sums = [[-0.0; BLOCK]; BLOCK];
    for (x, y) in a.chunks_exact(BLOCK).zip(b.chunks_exact(BLOCK)) {
        for (s, &xa) in sums.iter_mut().zip(x) {
            for (v, &yb) in s.iter_mut().zip(y) {
                *v += xa * yb;
            }
        }
    }
    sums
}

/// Spearman's ρ from mid-ranks: exactly ±1 when the rankings agree or are
/// reversed (rounding in the Pearson formula would give 1 − 2⁻⁵² and, with
/// n = 3, a p-value of 10⁻⁸ instead of 0), Pearson's r of the ranks otherwise.
fn spearman_r(rx: &[f64], ry: &[f64]) -> f64 {
    let n1 = rx.len() as f64 + 1.0;
    if rx == ry {
        1.0
    } else if rx.iter().zip(ry).all(|(a, b)| a + b == n1) {
        -1.0
    } else {
        pearson_r(rx, ry)
    }
}

/// [`correlation_pvalue`] for a pair of named columns: a non-finite r
/// (values whose products under- or overflow double precision) is reported
/// with the file and the two columns, not as a bare "invalid r NaN".
fn pair_pvalue(r: f64, n: usize, names: (&str, &str), location: &Location) -> Result<f64> {
    if !r.is_finite() {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!(
                "the correlation of \"{}\" and \"{}\" cannot be computed in double precision (their magnitudes make the sums of products under- or overflow): rescale the columns",
                names.0, names.1
            ),
        ));
    }
    correlation_pvalue(r, n)
}

/// Every r of a matrix is finite, else an error naming the first pair that
/// is not (see [`pair_pvalue`]).
fn check_finite(r: &[Vec<f64>], names: &[String], location: &Location) -> Result<()> {
    for (i, row) in r.iter().enumerate() {
        for (j, &rij) in row.iter().enumerate().skip(i + 1) {
            if !rij.is_finite() {
                pair_pvalue(rij, 0, (&names[i], &names[j]), location)?;
            }
        }
    }
    Ok(())
}

fn pair_correlation(
    x: &[f64],
    y: &[f64],
    names: (&str, &str),
    location: &Location,
    method: Method,
) -> Result<PairCorrelation> {
    if x.len() != y.len() {
        return Err(AnalysisError::invalid_argument(
            "sample lengths",
            format!("{} and {}", x.len(), y.len()),
            "two samples of equal length",
        ));
    }
    let n = x.len();
    if n < 3 {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!(
                "the correlation of \"{}\" and \"{}\" needs at least 3 records with both values, found {n}",
                names.0, names.1
            ),
        ));
    }
    if let Some(bad) = x.iter().chain(y).find(|v| !v.is_finite()) {
        return Err(AnalysisError::invalid_argument(
            "value",
            bad,
            "finite numbers",
        ));
    }
    check_not_constant(x, names.0, location)?;
    check_not_constant(y, names.1, location)?;
    let r = match method {
        Method::Pearson => pearson_r(x, y),
        Method::Spearman => spearman_r(&midranks(x), &midranks(y)),
    };
    Ok(PairCorrelation {
        r,
        pvalue: pair_pvalue(r, n, names, location)?,
        n,
    })
}

/// Correlation matrix with p-values, VIF and flagged pairs of the `columns`
/// of `data` (all columns if `None`). See the module documentation for the
/// formulas and the handling of missing values.
///
/// ```
/// // tests/data/correlation/small.csv (SciPy, NumPy and statsmodels in
/// // small_pearson_listwise.json): r(x, z) = −0.7071067811865477, VIF(x) = 28.216412490922295.
/// use analysis::correlation::{correlate, CorrelationOptions};
/// use analysis::Dataset;
/// let csv = "x,y,z\n1.5,2.1,9.0\n2.0,1.9,4.0\n3.5,3.7,6.0\n4.0,4.4,1.0\n";
/// let data = Dataset::from_csv_str("small.csv", csv).unwrap();
/// let report = correlate(&data, None, &CorrelationOptions::default()).unwrap();
/// assert!((report.r[0][2] + 0.707_106_781_186_547_7).abs() < 1e-12);
/// assert!((report.vif[0].vif.unwrap() - 28.216_412_490_922_295).abs() < 1e-8);
/// // x and y (r = 0.97) reach the default threshold of 0.8.
/// assert_eq!((report.flagged[0].a.as_str(), report.flagged[0].b.as_str()), ("x", "y"));
/// ```
pub fn correlate(
    data: &Dataset,
    columns: Option<&[String]>,
    options: &CorrelationOptions,
) -> Result<CorrelationReport> {
    check_range("threshold", options.threshold, 0.0, 1.0, false)?;
    let variables = data.select(columns)?;
    let k = variables.len();
    let source = Location::source(&data.source);
    if k < 2 {
        return Err(AnalysisError::unsuitable(
            source,
            format!(
                "correlation needs at least 2 numeric columns, found {k}{}",
                if k == 1 {
                    format!(" (\"{}\")", variables[0])
                } else {
                    String::new()
                }
            ),
        ));
    }
    let (complete, rows_dropped) = data.complete_rows(&variables)?;
    let n = complete.len();
    let complete_cols: Vec<Vec<f64>> = (0..k)
        .map(|j| complete.iter().map(|row| row[j]).collect())
        .collect();

    let mut r = vec![vec![1.0; k]; k];
    let mut pvalues = vec![vec![0.0; k]; k];
    let mut n_pairs = None;
    match options.missing {
        Missing::Listwise => {
            if n < 3 {
                return Err(too_few_complete(source, n, data.n_rows()));
            }
            for (j, col) in complete_cols.iter().enumerate() {
                check_not_constant(col, &variables[j], &source)?;
            }
            // Rank once: every pair uses the same records.
            r = match options.method {
                Method::Pearson => pearson_matrix(&complete_cols),
                Method::Spearman => {
                    let ranked: Vec<Vec<f64>> = complete_cols.iter().map(|c| midranks(c)).collect();
                    pearson_matrix(&ranked)
                }
            };
            check_finite(&r, &variables, &source)?;
            pvalues = pvalue_matrix(&r, n)?;
        }
        Missing::Pairwise => {
            let cols: Vec<Vec<Option<f64>>> = variables
                .iter()
                .map(|c| data.numeric_column(c))
                .collect::<Result<_>>()?;
            let mut counts = vec![vec![0usize; k]; k];
            for (i, ci) in cols.iter().enumerate() {
                counts[i][i] = ci.iter().flatten().count();
            }
            for i in 0..k {
                for j in i + 1..k {
                    let (x, y): (Vec<f64>, Vec<f64>) = cols[i]
                        .iter()
                        .zip(&cols[j])
                        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
                        .unzip();
                    let pc = pair_correlation(
                        &x,
                        &y,
                        (&variables[i], &variables[j]),
                        &source,
                        options.method,
                    )?;
                    (r[i][j], r[j][i]) = (pc.r, pc.r);
                    (pvalues[i][j], pvalues[j][i]) = (pc.pvalue, pc.pvalue);
                    (counts[i][j], counts[j][i]) = (pc.n, pc.n);
                }
            }
            n_pairs = Some(counts);
        }
    }

    let mut notes = Vec::new();
    // VIF from the Pearson correlation matrix of the complete cases. Under
    // pairwise deletion the complete cases may be too few, or a column may be
    // constant among them, although every pair is fine: then VIF is left out
    // with a note rather than failing the correlations.
    let constant_in_complete = complete_cols
        .iter()
        .position(|c| c.iter().all(|v| *v == c[0]));
    let vif = if n < 3 || constant_in_complete.is_some() {
        notes.push(match constant_in_complete {
            Some(j) if n >= 3 => format!(
                "VIF not computed: \"{}\" is constant over the {n} complete records.",
                variables[j]
            ),
            _ => format!("VIF not computed: it needs at least 3 complete records, found {n}."),
        });
        Vec::new()
    } else {
        // Under listwise deletion Pearson's matrix is the one just computed.
        let pearson = if options.missing == Missing::Listwise && options.method == Method::Pearson {
            None
        } else {
            Some(pearson_matrix(&complete_cols))
        };
        let pearson = pearson.as_ref().unwrap_or(&r);
        let pearson_complete = DMatrix::from_fn(k, k, |i, j| pearson[i][j]);
        let vif = variance_inflation(&pearson_complete, &variables, &mut notes)?;
        if n <= k && vif.iter().any(|v| v.vif.is_none()) {
            notes.push(format!(
                "With {n} complete records for {k} variables the correlation matrix is necessarily singular; VIF needs more records than variables."
            ));
        }
        vif
    };
    if options.method == Method::Spearman && !vif.is_empty() {
        notes.push(
            "VIF and tolerance come from Pearson correlations of the complete cases (the linear regression of each variable on the others)."
                .to_owned(),
        );
    }

    let mut flagged = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            if r[i][j].abs() >= options.threshold - THRESHOLD_ROUNDING {
                flagged.push(FlaggedPair {
                    a: variables[i].clone(),
                    b: variables[j].clone(),
                    r: r[i][j],
                    pvalue: pvalues[i][j],
                });
            }
        }
    }

    Ok(CorrelationReport {
        method: options.method,
        missing: options.missing,
        n,
        rows_dropped,
        variables,
        r,
        pvalues,
        n_pairs,
        vif,
        flagged,
        threshold: options.threshold,
        notes,
    })
}

/// Two-sided p-values of a correlation matrix from n records, 0 on the
/// diagonal. Each is a regularized incomplete beta function, half a million
/// of them for 1000 columns: the upper triangle is computed row by row in
/// parallel and mirrored.
fn pvalue_matrix(r: &[Vec<f64>], n: usize) -> Result<Vec<Vec<f64>>> {
    use rayon::prelude::*;
    let k = r.len();
    let upper: Vec<Vec<f64>> = r
        .par_iter()
        .enumerate()
        .map(|(i, row)| {
            row[i + 1..]
                .iter()
                .map(|&rij| correlation_pvalue(rij, n))
                .collect()
        })
        .collect::<Result<_>>()?;
    let mut p = vec![vec![0.0; k]; k];
    for (i, row) in upper.iter().enumerate() {
        for (offset, &v) in row.iter().enumerate() {
            let j = i + 1 + offset;
            p[i][j] = v;
            p[j][i] = v;
        }
    }
    Ok(p)
}

fn too_few_complete(source: Location, n: usize, total: usize) -> AnalysisError {
    AnalysisError::unsuitable(
        source,
        format!(
            "correlation and VIF need at least 3 records with no missing value in the selected columns, found {n} of {total}"
        ),
    )
}

/// VIF and tolerance per variable from a correlation matrix (see the module
/// documentation for the singular case).
///
/// ```
/// // Hand computation: with two variables, VIF = 1 / (1 − r²) = 1 / 0.64.
/// let corr = nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, 0.6, 0.6, 1.0]);
/// let names = ["a".to_owned(), "b".to_owned()];
/// let vif = analysis::correlation::variance_inflation(&corr, &names, &mut Vec::new()).unwrap();
/// assert!((vif[0].vif.unwrap() - 1.5625).abs() < 1e-12);
/// assert!((vif[1].tolerance - 0.64).abs() < 1e-12);
/// ```
pub fn variance_inflation(
    corr: &DMatrix<f64>,
    names: &[String],
    notes: &mut Vec<String>,
) -> Result<Vec<VifEntry>> {
    let k = corr.nrows();
    if corr.ncols() != k || names.len() != k || k < 2 {
        return Err(AnalysisError::invalid_argument(
            "correlation matrix",
            format!(
                "{}×{} with {} names",
                corr.nrows(),
                corr.ncols(),
                names.len()
            ),
            "a square matrix of at least 2×2 with one name per row",
        ));
    }
    if corr.iter().any(|v| !v.is_finite()) {
        return Err(AnalysisError::computation(
            "the correlation matrix has a non-finite entry",
        ));
    }
    // For a regular R the eigendecomposition only confirms that it is
    // regular, and for 1000 variables it and the LU inverse cost seconds.
    // A Cholesky factor R = LLᵀ proves R positive definite and gives
    // VIF_j = (R⁻¹)_jj = ‖column j of L⁻¹‖²; their sum is the trace of R⁻¹,
    // which bounds 1/λ_min from above. When it certifies λ_min far above
    // the singularity threshold the VIFs are final; otherwise the
    // eigenvalues decide, as before.
    if let Some(diagonal) = inverse_diagonal_by_cholesky(corr) {
        if diagonal.iter().sum::<f64>() * CLEARLY_REGULAR < 1.0 {
            return vif_from_diagonal(&diagonal, names);
        }
    }
    let eigen = SymmetricEigen::new(corr.clone());
    let null_vectors: Vec<DVector<f64>> = eigen
        .eigenvalues
        .iter()
        .enumerate()
        .filter(|(_, &l)| l < SINGULAR_EIGENVALUE)
        .map(|(c, _)| eigen.eigenvectors.column(c).into_owned())
        .collect();

    if null_vectors.is_empty() {
        let inverse = corr.clone().try_inverse().ok_or_else(|| {
            AnalysisError::computation("the correlation matrix could not be inverted")
        })?;
        return vif_from_diagonal(inverse.diagonal().as_slice(), names);
    }

    // A variable takes part in an exact dependency if some null vector loads
    // on it; the loading threshold is far above rounding noise.
    let involved: Vec<bool> = (0..k)
        .map(|j| null_vectors.iter().any(|v| v[j].abs() > 1e-6))
        .collect();
    let involved_names: Vec<&str> = names
        .iter()
        .zip(&involved)
        .filter(|(_, &b)| b)
        .map(|(n, _)| n.as_str())
        .collect();
    notes.push(format!(
        "Perfect collinearity: {} {} an exact linear dependency (singular correlation matrix); their VIF is infinite (JSON null, \"inf\" in tables; tolerance 0).",
        involved_names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", "),
        if involved_names.len() == 1 { "is in" } else { "are in" }
    ));
    (0..k)
        .map(|j| {
            if involved[j] {
                return Ok(VifEntry {
                    name: names[j].clone(),
                    vif: None,
                    tolerance: 0.0,
                });
            }
            // R²_j = r_j' R₋ⱼ⁺ r_j with the pseudo-inverse of the correlations
            // among the other variables (which are collinear among themselves).
            let others: Vec<usize> = (0..k).filter(|&i| i != j).collect();
            let sub = DMatrix::from_fn(others.len(), others.len(), |a, b| {
                corr[(others[a], others[b])]
            });
            let rj = DVector::from_fn(others.len(), |a, _| corr[(others[a], j)]);
            let pinv = sub
                .pseudo_inverse(SINGULAR_EIGENVALUE)
                .map_err(|e| AnalysisError::computation(format!("pseudo-inverse: {e}")))?;
            let r2 = rj.dot(&(pinv * &rj));
            let tolerance = 1.0 - r2;
            if !tolerance.is_finite() || tolerance <= SINGULAR_EIGENVALUE {
                return Ok(VifEntry {
                    name: names[j].clone(),
                    vif: None,
                    tolerance: 0.0,
                });
            }
            let tolerance = tolerance.min(1.0);
            Ok(VifEntry {
                name: names[j].clone(),
                vif: Some(1.0 / tolerance),
                tolerance,
            })
        })
        .collect()
}

/// Smallest eigenvalue certified by the trace of the inverse for skipping
/// the eigendecomposition: four orders of magnitude above
/// [`SINGULAR_EIGENVALUE`], so rounding in the inverse cannot move a matrix
/// across that threshold.
const CLEARLY_REGULAR: f64 = 1e-8;

/// The diagonal of R⁻¹ from the Cholesky factor of R, or `None` if R is
/// not (numerically) positive definite. Column j of W = L⁻¹ solves
/// L w = e_j, whose first j entries are zero: forward substitution from
/// row j costs (k − j)²/2 steps, k³/6 in all, against about 2.7k³ for the
/// LU inverse. Columns are solved in parallel.
fn inverse_diagonal_by_cholesky(corr: &DMatrix<f64>) -> Option<Vec<f64>> {
    use rayon::prelude::*;
    let l = corr.clone().cholesky()?.unpack();
    let k = l.nrows();
    Some(
        (0..k)
            .into_par_iter()
            .map(|j| {
                let mut w = vec![0.0; k];
                w[j] = 1.0;
                let mut norm = 0.0;
                for c in j..k {
                    let column = l.column(c);
                    let wc = w[c] / column[c];
                    norm += wc * wc;
                    for (wi, &lic) in w[c + 1..].iter_mut().zip(&column.as_slice()[c + 1..]) {
                        *wi -= lic * wc;
                    }
                }
                norm
            })
            .collect(),
    )
}

/// VIF_j = (R⁻¹)_jj for a regular correlation matrix R.
fn vif_from_diagonal(diagonal: &[f64], names: &[String]) -> Result<Vec<VifEntry>> {
    names
        .iter()
        .zip(diagonal)
        .map(|(name, &v)| {
            if !v.is_finite() || v <= 0.0 {
                return Err(AnalysisError::computation(format!(
                    "VIF of \"{name}\" is not a positive finite number"
                )));
            }
            // Rounding can put a VIF a hair below its floor of 1.
            let v = v.max(1.0);
            Ok(VifEntry {
                name: name.clone(),
                vif: Some(v),
                tolerance: 1.0 / v,
            })
        })
        .collect()
}

/// Significance stars: * p < 0.05, ** p < 0.01, *** p < 0.001.
fn stars(p: f64) -> &'static str {
    if p < 0.001 {
        "***"
    } else if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else {
        ""
    }
}

impl Render for CorrelationReport {
    fn tables(&self) -> Vec<Table> {
        let k = self.variables.len();
        let mut header: Vec<&str> = vec![""];
        header.extend(self.variables.iter().map(String::as_str));

        let missing = match self.missing {
            Missing::Listwise => format!(
                "listwise deletion, n = {} complete records, {} dropped",
                self.n, self.rows_dropped
            ),
            Missing::Pairwise => {
                "pairwise deletion, records per pair in the table below".to_owned()
            }
        };
        let mut rt = Table::new(
            format!("{} correlations ({missing})", self.method.label()),
            &header,
        );
        for i in 0..k {
            let mut row = vec![self.variables[i].clone()];
            for j in 0..k {
                // Every cell has the same width (r right-aligned, stars
                // left-aligned after it) so the columns line up in text.
                let (value, mark) = if i == j {
                    ("1.000".to_owned(), "")
                } else {
                    (fmt_fixed(self.r[i][j], 3), stars(self.pvalues[i][j]))
                };
                row.push(format!("{value:>6}{mark:<3}"));
            }
            rt.row(row);
        }
        rt.note("* p < 0.05, ** p < 0.01, *** p < 0.001 (two-sided; t test with n − 2 df).");

        let mut pt = Table::new("p-values (two-sided)", &header);
        for i in 0..k {
            let mut row = vec![self.variables[i].clone()];
            for j in 0..k {
                row.push(if i == j {
                    "—".to_owned()
                } else {
                    fmt_p(self.pvalues[i][j])
                });
            }
            pt.row(row);
        }
        let mut tables = vec![rt, pt];

        if let Some(counts) = &self.n_pairs {
            let mut nt = Table::new("Records used per pair", &header);
            for (name, row_counts) in self.variables.iter().zip(counts) {
                let mut row = vec![name.clone()];
                row.extend(row_counts.iter().map(|c| c.to_string()));
                nt.row(row);
            }
            tables.push(nt);
        }

        let mut vt = Table::new(
            format!("Collinearity (n = {} complete records)", self.n),
            &["variable", "VIF", "tolerance"],
        );
        for v in &self.vif {
            vt.row(vec![
                v.name.clone(),
                v.vif.map_or_else(|| "inf".to_owned(), |x| fmt_fixed(x, 3)),
                fmt_fixed(v.tolerance, 4),
            ]);
        }
        vt.note(
            "VIF_j = j-th diagonal element of the inverse correlation matrix; tolerance = 1/VIF.",
        );
        for n in &self.notes {
            vt.note(n.clone());
        }
        tables.push(vt);

        let mut ft = Table::new(
            format!("Pairs with |r| ≥ {}", self.threshold),
            &["a", "b", "r", "p"],
        );
        for f in &self.flagged {
            ft.row(vec![
                f.a.clone(),
                f.b.clone(),
                fmt_fixed(f.r, 3),
                fmt_p(f.pvalue),
            ]);
        }
        if self.flagged.is_empty() {
            ft.note("None.");
        }
        tables.push(ft);
        tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(text: &str) -> Dataset {
        Dataset::from_csv_str("t.csv", text).unwrap()
    }

    #[test]
    fn perfect_correlation_gives_r_one_and_p_zero() {
        let c = pearson(&[1.0, 2.0, 3.0, 4.0], &[3.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(c.r, 1.0);
        assert_eq!(c.pvalue, 0.0);
        let c = spearman(&[1.0, 2.0, 3.0, 4.0], &[9.0, 5.0, 3.0, 1.0]).unwrap();
        assert_eq!(c.r, -1.0);
        assert_eq!(c.pvalue, 0.0);
    }

    #[test]
    fn identical_or_reversed_rankings_give_spearman_exactly_one() {
        let up = spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]).unwrap();
        assert_eq!((up.r, up.pvalue), (1.0, 0.0));
        let down = spearman(&[1.0, 2.0, 2.0, 5.0], &[9.0, 4.0, 4.0, 1.0]).unwrap();
        assert_eq!((down.r, down.pvalue), (-1.0, 0.0));
    }

    #[test]
    fn near_dependency_keeps_a_finite_vif() {
        // c = a + b + 3e-5·e: smallest eigenvalue 1.5e-11, not an exact dependency.
        let e = [0.3, -1.2, 0.8, 0.1, -0.5, 1.1, -0.9, 0.4, -0.2, 0.6];
        let a = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0, 3.0, 9.0, 6.0, 2.5];
        let b = [2.0, 1.0, 7.0, 3.0, 9.0, 4.0, 6.0, 5.0, 8.0, 1.5];
        let c: Vec<f64> = (0..10).map(|i| a[i] + b[i] + 3e-5 * e[i]).collect();
        let corr = DMatrix::from_fn(3, 3, |i, j| {
            let cols = [&a[..], &b[..], &c[..]];
            pearson(cols[i], cols[j]).unwrap().r
        });
        let names = ["a", "b", "c"].map(String::from);
        let mut notes = Vec::new();
        let vif = variance_inflation(&corr, &names, &mut notes).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        let inverse = corr.try_inverse().unwrap();
        for (j, v) in vif.iter().enumerate() {
            let got = v.vif.expect("finite VIF");
            assert!(got > 1e8, "{got}");
            assert!((got / inverse[(j, j)] - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn all_pairs_kernel_equals_pairwise_r_bit_for_bit() {
        // 7 columns: one full block of four and a padded one, with an exact
        // linear relation (column 5 = 3·column 0 − 2) among them.
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut columns: Vec<Vec<f64>> =
            (0..7).map(|_| (0..13).map(|_| next()).collect()).collect();
        columns[5] = columns[0].iter().map(|v| 3.0 * v - 2.0).collect();
        let r = pearson_matrix(&columns);
        for i in 0..7 {
            assert_eq!(r[i][i], 1.0);
            for j in 0..7 {
                if i != j {
                    assert_eq!(
                        r[i][j].to_bits(),
                        pearson_r(&columns[i], &columns[j]).to_bits()
                    );
                }
            }
        }
    }

    #[test]
    fn cholesky_inverse_diagonal_matches_the_inverse() {
        let corr = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, -0.2, 0.5, 1.0, 0.3, -0.2, 0.3, 1.0]);
        let diagonal = inverse_diagonal_by_cholesky(&corr).unwrap();
        let inverse = corr.try_inverse().unwrap();
        for (j, d) in diagonal.iter().enumerate() {
            assert!((d - inverse[(j, j)]).abs() < 1e-13 * d, "{j}: {d}");
        }
        // Not positive definite: no shortcut.
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 1.5, 1.5, 1.0]);
        assert!(inverse_diagonal_by_cholesky(&indefinite).is_none());
    }

    #[test]
    fn p_value_is_one_for_zero_correlation() {
        assert_eq!(correlation_pvalue(0.0, 10).unwrap(), 1.0);
        assert!(correlation_pvalue(0.5, 2).is_err());
        assert!(correlation_pvalue(f64::NAN, 10).is_err());
    }

    #[test]
    fn constant_column_is_named() {
        let d = ds("a,b,c\n1,5,2\n2,5,1\n3,5,4\n4,5,3\n");
        let e = correlate(&d, None, &CorrelationOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("column \"b\"") && e.contains("constant"), "{e}");
    }

    #[test]
    fn threshold_out_of_range_is_rejected() {
        let d = ds("a,b\n1,2\n2,1\n3,4\n");
        let o = CorrelationOptions {
            threshold: 1.5,
            ..Default::default()
        };
        assert!(matches!(
            correlate(&d, None, &o),
            Err(AnalysisError::InvalidArgument { .. })
        ));
    }

    #[test]
    fn exact_dependency_gives_null_vif_for_its_members_only() {
        // c = a + b; d is unrelated to them.
        let d = ds("a,b,c,d\n1,2,3,5\n2,1,3,1\n3,5,8,4\n4,3,7,2\n5,8,13,3\n6,2,8,6\n");
        let rep = correlate(&d, None, &CorrelationOptions::default()).unwrap();
        let v: Vec<Option<f64>> = rep.vif.iter().map(|v| v.vif).collect();
        assert!(v[0].is_none() && v[1].is_none() && v[2].is_none());
        assert!(v[3].unwrap().is_finite() && v[3].unwrap() >= 1.0);
        assert!(rep.notes[0].contains("\"a\", \"b\", \"c\""));
        assert_eq!(rep.vif[0].tolerance, 0.0);
    }

    #[test]
    fn two_variables_vif_is_one_over_one_minus_r_squared() {
        let d = ds("a,b\n1,2\n2,1\n3,4\n4,3\n5,6\n");
        let rep = correlate(&d, None, &CorrelationOptions::default()).unwrap();
        let r = rep.r[0][1];
        let expected = 1.0 / (1.0 - r * r);
        for v in &rep.vif {
            assert!((v.vif.unwrap() - expected).abs() < 1e-12);
        }
    }

    proptest::proptest! {
        /// On any data without constant columns: r in [−1, 1], p in [0, 1],
        /// symmetric matrices, VIF ≥ 1 or null, tolerance in [0, 1], no NaN.
        #[test]
        fn results_stay_in_their_domains(
            rows in proptest::collection::vec(proptest::collection::vec(0i32..6, 3), 4..40),
            spearman in proptest::bool::ANY,
        ) {
            let mut text = String::from("a,b,c\n");
            for r in &rows {
                text.push_str(&format!("{},{},{}\n", r[0], r[1], r[2]));
            }
            let d = ds(&text);
            let options = CorrelationOptions {
                method: if spearman { Method::Spearman } else { Method::Pearson },
                ..Default::default()
            };
            match correlate(&d, None, &options) {
                Ok(rep) => {
                    for i in 0..3 {
                        for j in 0..3 {
                            proptest::prop_assert!((-1.0..=1.0).contains(&rep.r[i][j]));
                            proptest::prop_assert!((0.0..=1.0).contains(&rep.pvalues[i][j]));
                            proptest::prop_assert_eq!(rep.r[i][j], rep.r[j][i]);
                        }
                    }
                    for v in &rep.vif {
                        proptest::prop_assert!(v.vif.is_none_or(|x| x.is_finite() && x >= 1.0));
                        proptest::prop_assert!((0.0..=1.0).contains(&v.tolerance));
                    }
                }
                // The only failure possible here is a constant column.
                Err(e) => proptest::prop_assert!(e.to_string().contains("constant"), "{}", e),
            }
        }
    }

    #[test]
    fn as_many_variables_as_records_explains_the_singular_matrix() {
        let d = ds("a,b,c\n1,2,7\n2,1,3\n3,5,4\n");
        let rep = correlate(&d, None, &CorrelationOptions::default()).unwrap();
        assert!(rep.vif.iter().all(|v| v.vif.is_none()));
        assert!(rep.notes.iter().any(|n| n.contains("necessarily singular")));
    }

    #[test]
    fn too_few_rows_is_an_error() {
        let d = ds("a,b\n1,2\n2,1\n");
        assert!(correlate(&d, None, &CorrelationOptions::default()).is_err());
    }
}
