//! Ordered and continuous variables together: thresholds, means and
//! variances, Pearson, polyserial and polychoric correlations, and the
//! asymptotic covariance of all of them — the sample statistics behind
//! WLSMV, DWLS and ULS when only some indicators are ordered (lavaan's
//! `ordered = c("a", "b")`).
//!
//! Everything follows lavaan 0.6.14 (`muthen1984`, `lav_bvmix`,
//! `lav_bvreg`, `lav_uvreg`, `lav_uvord`), the numerical reference
//! (tests/reference/sem_mixed.R):
//!
//! - **Step 1, one variable at a time.** An ordered variable gets its
//!   thresholds τₖ = Φ⁻¹(P(x ≤ k)); a continuous one its mean and its
//!   variance with divisor N (the normal maximum-likelihood estimates).
//! - **Step 2, one pair at a time**, with the step-1 values held fixed:
//!   two continuous variables the Pearson correlation, two ordered ones the
//!   polychoric correlation ([`crate::polychoric`]), a continuous y and an
//!   ordered x the **polyserial** correlation, which maximises
//!   `Σₙ log[φ(zₙ)/σ · (Φ((τ_{c} − ρzₙ)/R) − Φ((τ_{c−1} − ρzₙ)/R))]` over
//!   ρ ∈ [−0.995, 0.995], with zₙ = (yₙ − μ)/σ, R = √(1 − ρ²) and cₙ the
//!   case's category (Olsson, Drasgow & Dorans 1982, two-step), with the
//!   conditional probability floored at ε as lavaan does. lavaan 0.6.14
//!   also leaves out the cases whose likelihood is below √ε at the current
//!   ρ, so its objective jumps where an outlying case (skewed data have
//!   them) drops in or out, and which maximum it reports depends on where
//!   its optimiser starts. As lavaan, Newton's method starts at Olsson's
//!   estimate `r·sd(x)/Σφ(τₖ)` and climbs the objective with the cases left
//!   out where it stands; should that fail, the root of the full
//!   likelihood's gradient is taken (later lavaan versions keep every case).
//! - **Step 3, the asymptotic covariance** (Muthén 1984): each case's
//!   influence on the statistics is ψₙ = B⁻¹sₙ, with sₙ its scores (step 1:
//!   thresholds, mean and variance; step 2: ρ) and B the block-triangular
//!   matrix of summed score products. Correlations with a continuous
//!   variable are then turned into covariances by the delta rule
//!   (cov = ρ·σᵢ·σⱼ, σ = 1 for an ordered variable).
//!
//! The statistics are in lavaan's order (`lavInspect(fit, "wls.obs")`): per
//! variable its thresholds, or minus its mean (`x~1`); the variances of the
//! continuous variables; the covariances (correlations between ordered
//! ones) (1,2), (1,3), …, (2,3), …. NACOV = N Σₙ ψₙψₙᵀ is lavaan's
//! `lavInspect(fit, "gamma")`; the influence matrix Ψ is kept instead, as
//! for ordered data alone.
//!
//! Written here because no Rust crate estimates polyserial correlations
//! or their asymptotic covariance.

use crate::bivariate_normal::{normal_cdf, normal_pdf};
use crate::error::{AnalysisError, Location, Result};
use crate::polychoric::{polychoric, OrderedData};
use nalgebra::{DMatrix, DVector};

/// Bounds of a polyserial correlation (lavaan's `lower`/`upper`).
const RHO_BOUND: f64 = 0.995;
/// lavaan's stand-in for the infinite outer thresholds (`lav_uvord`).
const FAR: f64 = 100.0;

/// One variable after step 1.
enum Column {
    Ordered {
        /// Each case's 0-based category.
        codes: Vec<u32>,
        /// The observed values, ascending.
        categories: Vec<f64>,
        thresholds: Vec<f64>,
        /// Each case's influence on the thresholds (N rows).
        influence: DMatrix<f64>,
    },
    Continuous {
        values: Vec<f64>,
        mean: f64,
        variance: f64,
        /// Each case's influence on (mean, variance) (N × 2).
        influence: DMatrix<f64>,
    },
}

/// The sample statistics of a mix of ordered and continuous variables and
/// each case's influence on them.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedMoments {
    /// The variables, in the order given.
    pub names: Vec<String>,
    /// Which are ordered.
    pub ordered: Vec<bool>,
    /// Observed categories of each ordered variable (empty for continuous).
    pub categories: Vec<Vec<f64>>,
    /// Thresholds of each ordered variable (empty for continuous).
    pub thresholds: Vec<Vec<f64>>,
    /// Means of the continuous variables (`None` for ordered).
    pub means: Vec<Option<f64>>,
    /// Variances (divisor N) of the continuous variables, 1 for ordered.
    pub variances: Vec<f64>,
    /// Pearson, polyserial and polychoric correlations (p × p).
    pub correlations: DMatrix<f64>,
    /// The same as covariances (σᵢσⱼρ, with σ = 1 for ordered variables).
    pub covariances: DMatrix<f64>,
    /// Cases used.
    pub n_cases: usize,
    /// lavaan's labels of the statistics: `x|t1`, `y~1`, `y~~y`, `x~~y`.
    pub labels: Vec<String>,
    /// The statistics in lavaan's order (`wls.obs`; minus the means).
    pub statistics: Vec<f64>,
    /// Ψ: each case's influence on each statistic (N × q); NACOV = N ΨᵀΨ.
    pub influence: DMatrix<f64>,
}

impl MixedMoments {
    /// Step 1 to 3 for complete columns (`ordered[v]` marks the ordered
    /// ones, whose values must be whole numbers). `source` names the data
    /// in error messages.
    ///
    /// ```
    /// use analysis::polyserial::MixedMoments;
    /// let y = vec![1.2, 2.3, 0.4, 3.1, 2.2, 1.9, 0.7, 2.8, 1.5, 2.6];
    /// let x = vec![1.0, 2.0, 1.0, 3.0, 2.0, 2.0, 1.0, 3.0, 1.0, 3.0];
    /// let m = MixedMoments::estimate("example", vec![("y".into(), y), ("x".into(), x)], &[false, true])?;
    /// // y~1 (minus the mean), x|t1, x|t2, y~~y, y~~x.
    /// assert_eq!(m.labels, ["y~1", "x|t1", "x|t2", "y~~y", "y~~x"]);
    /// assert!((m.statistics[0] + 1.87).abs() < 1e-12);
    /// // y rises with x's category: a strong polyserial correlation, within
    /// // lavaan's bounds.
    /// assert!((0.8..=0.995).contains(&m.correlations[(0, 1)]));
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn estimate(
        source: &str,
        columns: Vec<(String, Vec<f64>)>,
        ordered: &[bool],
    ) -> Result<MixedMoments> {
        let p = columns.len();
        if ordered.len() != p || p < 2 {
            return Err(AnalysisError::invalid_argument(
                "variables",
                format!("{p} columns, {} ordered flags", ordered.len()),
                "at least 2 columns and one ordered flag per column",
            ));
        }
        let n = columns[0].1.len();
        let here = |name: &str| Location::source(source).with_column(name);
        for (name, values) in &columns {
            if values.len() != n {
                return Err(AnalysisError::unsuitable(
                    here(name),
                    format!("column has {} values but the first has {n}", values.len()),
                ));
            }
            if let Some((row, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(AnalysisError::input(
                    here(name),
                    Some(&v.to_string()),
                    format!("a finite number in every row (row {} is not)", row + 1),
                ));
            }
        }
        let names: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
        let step1: Vec<Column> = columns
            .iter()
            .zip(ordered)
            .map(|((name, values), &o)| {
                if o {
                    ordered_column(source, name, values)
                } else {
                    continuous_column(source, name, values)
                }
            })
            .collect::<Result<_>>()?;

        // Polychoric correlations and their influence, from the ordered
        // variables alone (they do not depend on the continuous ones).
        let ord_index: Vec<usize> = (0..p).filter(|&v| ordered[v]).collect();
        let poly = if ord_index.len() >= 2 {
            let od = OrderedData::from_columns(
                source,
                ord_index
                    .iter()
                    .map(|&v| {
                        (
                            names[v].clone(),
                            columns[v].1.iter().map(|&x| Some(x)).collect(),
                        )
                    })
                    .collect(),
            )?;
            let r = polychoric(&od)?;
            let a = r.asymptotics(&od)?;
            let n_th: usize = r.thresholds.iter().map(Vec::len).sum();
            Some((r, a, n_th))
        } else {
            None
        };
        let ord_pair_column = |a: usize, b: usize| -> usize {
            // Position of (a, b), a < b in ordered-only indices, among the
            // polychoric pairs (1,2), (1,3), ….
            let k = ord_index.len();
            let before: usize = (0..a).map(|i| k - 1 - i).sum();
            before + (b - a - 1)
        };

        let mut correlations = DMatrix::identity(p, p);
        let mut pair_influence: Vec<DVector<f64>> = Vec::with_capacity(p * (p - 1) / 2);
        for a in 0..p {
            for b in a + 1..p {
                let (rho, psi) = match (&step1[a], &step1[b]) {
                    (Column::Continuous { .. }, Column::Continuous { .. }) => {
                        pearson(&step1[a], &step1[b])
                    }
                    (Column::Continuous { .. }, Column::Ordered { .. }) => {
                        polyserial_pair(&step1[a], &step1[b], &names[a], &names[b])?
                    }
                    (Column::Ordered { .. }, Column::Continuous { .. }) => {
                        polyserial_pair(&step1[b], &step1[a], &names[b], &names[a])?
                    }
                    (Column::Ordered { .. }, Column::Ordered { .. }) => {
                        let (r, asym, n_th) = poly.as_ref().ok_or_else(|| {
                            AnalysisError::computation("polychoric correlations missing")
                        })?;
                        let ia = ord_index.iter().position(|&v| v == a).unwrap_or(0);
                        let ib = ord_index.iter().position(|&v| v == b).unwrap_or(0);
                        let col = n_th + ord_pair_column(ia, ib);
                        (
                            r.correlations[ia][ib],
                            asym.influence.column(col).into_owned(),
                        )
                    }
                };
                correlations[(a, b)] = rho;
                correlations[(b, a)] = rho;
                pair_influence.push(psi);
            }
        }

        // Assemble in lavaan's order, with the delta rule for covariances
        // and minus the means.
        let sd = |v: usize| match &step1[v] {
            Column::Continuous { variance, .. } => variance.sqrt(),
            Column::Ordered { .. } => 1.0,
        };
        let variance_influence = |v: usize| match &step1[v] {
            Column::Continuous { influence, .. } => Some(influence.column(1).into_owned()),
            Column::Ordered { .. } => None,
        };
        let mut labels = Vec::new();
        let mut statistics = Vec::new();
        let mut cols: Vec<DVector<f64>> = Vec::new();
        for (v, column) in step1.iter().enumerate() {
            match column {
                Column::Ordered {
                    thresholds,
                    influence,
                    ..
                } => {
                    for (k, t) in thresholds.iter().enumerate() {
                        labels.push(format!("{}|t{}", names[v], k + 1));
                        statistics.push(*t);
                        cols.push(influence.column(k).into_owned());
                    }
                }
                Column::Continuous {
                    mean, influence, ..
                } => {
                    labels.push(format!("{}~1", names[v]));
                    statistics.push(-mean);
                    cols.push(-influence.column(0));
                }
            }
        }
        for (v, column) in step1.iter().enumerate() {
            if let Column::Continuous {
                variance,
                influence,
                ..
            } = column
            {
                labels.push(format!("{0}~~{0}", names[v]));
                statistics.push(*variance);
                cols.push(influence.column(1).into_owned());
            }
        }
        let mut covariances = correlations.clone();
        let mut pair = 0;
        for a in 0..p {
            for b in a + 1..p {
                let rho = correlations[(a, b)];
                let (sa, sb) = (sd(a), sd(b));
                let mut psi = &pair_influence[pair] * (sa * sb);
                if let Some(va) = variance_influence(a) {
                    psi += va * (sb * rho / (2.0 * sa));
                }
                if let Some(vb) = variance_influence(b) {
                    psi += vb * (sa * rho / (2.0 * sb));
                }
                covariances[(a, b)] = rho * sa * sb;
                covariances[(b, a)] = rho * sa * sb;
                labels.push(format!("{}~~{}", names[a], names[b]));
                statistics.push(rho * sa * sb);
                cols.push(psi);
                pair += 1;
            }
        }
        for v in 0..p {
            covariances[(v, v)] = sd(v) * sd(v);
        }
        let influence = DMatrix::from_columns(&cols);
        let (mut categories, mut thresholds, mut means, mut variances) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for column in &step1 {
            match column {
                Column::Ordered {
                    categories: c,
                    thresholds: t,
                    ..
                } => {
                    categories.push(c.clone());
                    thresholds.push(t.clone());
                    means.push(None);
                    variances.push(1.0);
                }
                Column::Continuous { mean, variance, .. } => {
                    categories.push(Vec::new());
                    thresholds.push(Vec::new());
                    means.push(Some(*mean));
                    variances.push(*variance);
                }
            }
        }
        Ok(MixedMoments {
            names,
            ordered: ordered.to_vec(),
            categories,
            thresholds,
            means,
            variances,
            correlations,
            covariances,
            n_cases: n,
            labels,
            statistics,
            influence,
        })
    }

    /// N times the asymptotic covariance of the statistics (q × q):
    /// lavaan's `lavInspect(fit, "gamma")`.
    pub fn nacov(&self) -> DMatrix<f64> {
        let n = self.influence.nrows() as f64;
        crate::polychoric::symmetric_cross_product(&self.influence) * n
    }
}

/// Step 1 of an ordered variable: categories, thresholds, and each case's
/// influence on them (A11⁻¹ sₙ for its threshold scores sₙ).
fn ordered_column(source: &str, name: &str, values: &[f64]) -> Result<Column> {
    let here = || Location::source(source).with_column(name);
    if let Some((row, v)) = values.iter().enumerate().find(|(_, v)| v.fract() != 0.0) {
        return Err(AnalysisError::input(
            here(),
            Some(&v.to_string()),
            format!(
                "a whole number in every row (row {} is not; an ordered variable's categories are integers)",
                row + 1
            ),
        ));
    }
    let mut categories = values.to_vec();
    categories.sort_by(f64::total_cmp);
    categories.dedup();
    if categories.len() < 2 {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "an ordered variable needs at least 2 observed categories; every one of the {} complete records has the value {}",
                values.len(),
                categories.first().copied().unwrap_or(f64::NAN)
            ),
        ));
    }
    let k = categories.len();
    let codes: Vec<u32> = values
        .iter()
        .map(|v| categories.partition_point(|c| c < v) as u32)
        .collect();
    let n = values.len() as f64;
    let mut counts = vec![0usize; k];
    for &c in &codes {
        counts[c as usize] += 1;
    }
    let mut cumulative = 0;
    let thresholds: Vec<f64> = counts[..k - 1]
        .iter()
        .map(|&c| {
            cumulative += c;
            -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * cumulative as f64 / n)
        })
        .collect();
    // Scores by category: φ(τ_c)/π_c on the upper threshold, −φ(τ_{c−1})/π_c
    // on the lower.
    let m = k - 1;
    let scores: Vec<DVector<f64>> = (0..k)
        .map(|c| {
            let upper = if c < m { thresholds[c] } else { f64::INFINITY };
            let lower = if c > 0 {
                thresholds[c - 1]
            } else {
                f64::NEG_INFINITY
            };
            let pi = normal_cdf(upper) - normal_cdf(lower);
            let mut s = DVector::zeros(m);
            if c < m {
                s[c] = normal_pdf(upper) / pi;
            }
            if c > 0 {
                s[c - 1] = -normal_pdf(lower) / pi;
            }
            s
        })
        .collect();
    let mut a11 = DMatrix::zeros(m, m);
    for (s, &count) in scores.iter().zip(&counts) {
        a11 += s * s.transpose() * count as f64;
    }
    let chol = a11.cholesky().ok_or_else(|| {
        AnalysisError::computation(format!(
            "the threshold information of {name} is not positive definite"
        ))
    })?;
    let by_category: Vec<DVector<f64>> = scores.iter().map(|s| chol.solve(s)).collect();
    let influence = DMatrix::from_fn(values.len(), m, |r, j| by_category[codes[r] as usize][j]);
    Ok(Column::Ordered {
        codes,
        categories,
        thresholds,
        influence,
    })
}

/// Step 1 of a continuous variable: mean, variance (divisor N), and each
/// case's influence on both (A11⁻¹ sₙ for the normal scores).
fn continuous_column(source: &str, name: &str, values: &[f64]) -> Result<Column> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    if variance <= 1e-12 * mean.abs().max(1.0).powi(2) || variance.is_nan() {
        return Err(AnalysisError::unsuitable(
            Location::source(source).with_column(name),
            format!(
                "the continuous variable {name} is constant ({} in every one of the {} complete records): it has no variance to model; leave it out of the model",
                values[0],
                values.len()
            ),
        ));
    }
    let scores: Vec<[f64; 2]> = values
        .iter()
        .map(|y| {
            let r = y - mean;
            [
                r / variance,
                -0.5 / variance + r * r / (2.0 * variance * variance),
            ]
        })
        .collect();
    let mut a11 = nalgebra::Matrix2::zeros();
    for s in &scores {
        let s = nalgebra::Vector2::new(s[0], s[1]);
        a11 += s * s.transpose();
    }
    let inv = a11.try_inverse().ok_or_else(|| {
        AnalysisError::computation(format!(
            "the information about the mean and variance of {name} is singular"
        ))
    })?;
    let influence = DMatrix::from_fn(values.len(), 2, |r, j| {
        inv[(j, 0)] * scores[r][0] + inv[(j, 1)] * scores[r][1]
    });
    Ok(Column::Continuous {
        values: values.to_vec(),
        mean,
        variance,
        influence,
    })
}

/// Influence on ρ from its scores: (s_ρ − A21 ψ_univariate) / A22, with
/// A21 the summed products of s_ρ and the scores of each univariate
/// parameter whose influence is given.
fn pair_influence(s_rho: &[f64], parts: &[(&[f64], DVector<f64>)]) -> Result<DVector<f64>> {
    let a22: f64 = s_rho.iter().map(|s| s * s).sum();
    if !(a22 > 0.0 && a22.is_finite()) {
        return Err(AnalysisError::computation(format!(
            "the information about a correlation is {a22}"
        )));
    }
    let mut psi = DVector::from_column_slice(s_rho);
    for (score, influence) in parts {
        let a21: f64 = s_rho.iter().zip(score.iter()).map(|(a, b)| a * b).sum();
        psi -= influence * a21;
    }
    Ok(psi / a22)
}

/// The Pearson correlation of two continuous variables and its influence
/// (lavaan's `lav_bvreg_cor_scores`).
fn pearson(c1: &Column, c2: &Column) -> (f64, DVector<f64>) {
    let (
        Column::Continuous {
            values: y1,
            mean: m1,
            variance: v1,
            influence: i1,
        },
        Column::Continuous {
            values: y2,
            mean: m2,
            variance: v2,
            influence: i2,
        },
    ) = (c1, c2)
    else {
        unreachable!("pearson() is called with two continuous columns")
    };
    let n = y1.len() as f64;
    let (s1, s2) = (v1.sqrt(), v2.sqrt());
    let cov = y1
        .iter()
        .zip(y2)
        .map(|(a, b)| (a - m1) * (b - m2))
        .sum::<f64>()
        / n;
    let rho = cov / (s1 * s2);
    let r = 1.0 - rho * rho;
    let len = y1.len();
    let (mut d_m1, mut d_m2, mut d_v1, mut d_v2, mut d_rho) = (
        vec![0.0; len],
        vec![0.0; len],
        vec![0.0; len],
        vec![0.0; len],
        vec![0.0; len],
    );
    for k in 0..len {
        let a = y1[k] - m1;
        let b = y2[k] - m2;
        d_m1[k] = (2.0 * a / v1 - 2.0 * rho * b / (s1 * s2)) / (2.0 * r);
        d_m2[k] = -(2.0 * rho * a / (s1 * s2) - 2.0 * b / v2) / (2.0 * r);
        d_v1[k] = -(0.5 / v1 - (a * a / (v1 * v1) - rho * a * b / (v1 * s1 * s2)) / (2.0 * r));
        d_v2[k] = -(0.5 / v2 + (rho * a * b / (v2 * s1 * s2) - b * b / (v2 * v2)) / (2.0 * r));
        let z = a * a / v1 - 2.0 * rho * a * b / (s1 * s2) + b * b / v2;
        d_rho[k] = rho / r + (a * b / (s1 * s2 * r) - z * rho / (r * r));
    }
    let psi = pair_influence(
        &d_rho,
        &[
            (&d_m1, i1.column(0).into_owned()),
            (&d_v1, i1.column(1).into_owned()),
            (&d_m2, i2.column(0).into_owned()),
            (&d_v2, i2.column(1).into_owned()),
        ],
    )
    // A Pearson correlation of non-constant variables has information.
    .unwrap_or_else(|_| DVector::zeros(len));
    (rho, psi)
}

/// The two-step polyserial correlation of a continuous and an ordered
/// column and its influence.
fn polyserial_pair(
    continuous: &Column,
    ordered: &Column,
    continuous_name: &str,
    ordered_name: &str,
) -> Result<(f64, DVector<f64>)> {
    let (
        Column::Continuous {
            values,
            mean,
            variance,
            influence: i1,
        },
        Column::Ordered {
            codes,
            thresholds,
            influence: i2,
            ..
        },
    ) = (continuous, ordered)
    else {
        unreachable!("polyserial_pair() is called with a continuous and an ordered column")
    };
    let sd = variance.sqrt();
    let z: Vec<f64> = values.iter().map(|y| (y - mean) / sd).collect();
    let pair = Polyserial {
        z: &z,
        sd,
        codes,
        thresholds,
    };
    let rho = pair.fit();
    let scores = pair.scores(rho);
    let mut parts: Vec<(&[f64], DVector<f64>)> = vec![
        (&scores.mean, i1.column(0).into_owned()),
        (&scores.variance, i1.column(1).into_owned()),
    ];
    for (k, s) in scores.thresholds.iter().enumerate() {
        parts.push((s, i2.column(k).into_owned()));
    }
    let psi = pair_influence(&scores.rho, &parts).map_err(|e| {
        AnalysisError::computation(format!(
            "polyserial correlation of {continuous_name} and {ordered_name}: {e}"
        ))
    })?;
    Ok((rho, psi))
}

/// One continuous (standardised) and one ordered variable.
struct Polyserial<'a> {
    z: &'a [f64],
    /// σ of the continuous variable (its scores are per unit of y).
    sd: f64,
    codes: &'a [u32],
    thresholds: &'a [f64],
}

/// Casewise scores of a polyserial pair at ρ (lavaan's
/// `lav_bvmix_cor_scores`).
struct PolyserialScores {
    mean: Vec<f64>,
    variance: Vec<f64>,
    thresholds: Vec<Vec<f64>>,
    rho: Vec<f64>,
}

impl Polyserial<'_> {
    /// The case's upper and lower thresholds (±100 outside, as lavaan).
    fn limits(&self, n: usize) -> (f64, f64) {
        let c = self.codes[n] as usize;
        let m = self.thresholds.len();
        let upper = if c < m { self.thresholds[c] } else { FAR };
        let lower = if c > 0 { self.thresholds[c - 1] } else { -FAR };
        (upper, lower)
    }

    /// ∂ log L / ∂ρ over every case.
    fn gradient(&self, rho: f64) -> f64 {
        self.gradient_without(rho, None)
    }

    /// ∂ log L / ∂ρ, leaving out the cases whose likelihood at `drop_at`
    /// is below √ε (lavaan 0.6.14's rule), or none.
    fn gradient_without(&self, rho: f64, drop_at: Option<f64>) -> f64 {
        let r = (1.0 - rho * rho).sqrt();
        let floor = f64::EPSILON.sqrt();
        let mut g = 0.0;
        for (n, &z) in self.z.iter().enumerate() {
            let (z1, z2) = self.limits(n);
            if let Some(at) = drop_at {
                let ra = (1.0 - at * at).sqrt();
                let pa = (normal_cdf((z1 - at * z) / ra) - normal_cdf((z2 - at * z) / ra))
                    .max(f64::EPSILON);
                if normal_pdf(z) / self.sd * pa < floor {
                    continue;
                }
            }
            let t1 = (z1 - rho * z) / r;
            let t2 = (z2 - rho * z) / r;
            let p = (normal_cdf(t1) - normal_cdf(t2)).max(f64::EPSILON);
            g += (normal_pdf(t1) * (z1 * rho - z) - normal_pdf(t2) * (z2 * rho - z))
                / (p * r * r * r);
        }
        g
    }

    /// lavaan's ρ: Newton's method from Olsson's estimate on the
    /// objective with lavaan 0.6.14's cases left out (see the module
    /// documentation), else the full likelihood's maximum.
    fn fit(&self) -> f64 {
        let mut rho = self.olsson();
        for _ in 0..100 {
            let g = self.gradient_without(rho, Some(rho));
            let d = 1e-6;
            let h = (self.gradient_without(rho + d, Some(rho))
                - self.gradient_without(rho - d, Some(rho)))
                / (2.0 * d);
            if !(h < 0.0 && g.is_finite()) {
                break;
            }
            let next = rho - g / h;
            if next.is_nan() || next.abs() >= RHO_BOUND {
                break;
            }
            let step = (next - rho).abs();
            rho = next;
            if step < 1e-13 {
                return rho;
            }
        }
        self.full_likelihood_maximum()
    }

    /// Olsson's (1982, eq. 38) start, as lavaan: r(y, x)·sd(x)/Σₖφ(τₖ) with x
    /// the category codes, halved above 0.9.
    fn olsson(&self) -> f64 {
        let n = self.z.len() as f64;
        let x: Vec<f64> = self.codes.iter().map(|&c| f64::from(c)).collect();
        let mx = x.iter().sum::<f64>() / n;
        let vx = x.iter().map(|v| (v - mx).powi(2)).sum::<f64>() / n;
        // z is standardised with divisor N, so r = mean(z·(x − x̄))/sd(x).
        let r = self
            .z
            .iter()
            .zip(&x)
            .map(|(z, v)| z * (v - mx))
            .sum::<f64>()
            / n
            / vx.sqrt();
        let start = r * vx.sqrt() / self.thresholds.iter().map(|t| normal_pdf(*t)).sum::<f64>();
        match start {
            s if !s.is_finite() => 0.0,
            s if s.abs() > 0.9 => s / 2.0,
            s => s,
        }
    }

    /// The root of the full likelihood's gradient in [−0.995, 0.995] by the
    /// Illinois variant of regula falsi, or the bound where the gradient
    /// does not change sign.
    fn full_likelihood_maximum(&self) -> f64 {
        let (mut lo, mut hi) = (-RHO_BOUND, RHO_BOUND);
        let (mut g_lo, mut g_hi) = (self.gradient(lo), self.gradient(hi));
        if g_lo <= 0.0 {
            return lo;
        }
        if g_hi >= 0.0 {
            return hi;
        }
        let mut side = 0i8;
        let mut rho = 0.0;
        for _ in 0..200 {
            rho = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
            if !(rho > lo && rho < hi) {
                rho = 0.5 * (lo + hi);
            }
            let g = self.gradient(rho);
            if g == 0.0 || hi - lo < 1e-15 {
                break;
            }
            if g > 0.0 {
                lo = rho;
                g_lo = g;
                if side == 1 {
                    g_hi *= 0.5;
                }
                side = 1;
            } else {
                hi = rho;
                g_hi = g;
                if side == -1 {
                    g_lo *= 0.5;
                }
                side = -1;
            }
            if hi - lo < 1e-14 {
                break;
            }
        }
        rho
    }

    fn scores(&self, rho: f64) -> PolyserialScores {
        let r = (1.0 - rho * rho).sqrt();
        let len = self.z.len();
        let m = self.thresholds.len();
        let var = self.sd * self.sd;
        let mut out = PolyserialScores {
            mean: vec![0.0; len],
            variance: vec![0.0; len],
            thresholds: vec![vec![0.0; len]; m],
            rho: vec![0.0; len],
        };
        for (n, &z) in self.z.iter().enumerate() {
            let (z1, z2) = self.limits(n);
            let t1 = (z1 - rho * z) / r;
            let t2 = (z2 - rho * z) / r;
            let (d1, d2) = (normal_pdf(t1), normal_pdf(t2));
            let inv = 1.0 / (normal_cdf(t1) - normal_cdf(t2)).max(f64::EPSILON);
            out.mean[n] = (z + inv * (rho / r) * (d1 - d2)) / self.sd;
            out.variance[n] = ((z * z - 1.0) + inv * rho * z / r * (d1 - d2)) / (2.0 * var);
            let c = self.codes[n] as usize;
            if c < m {
                out.thresholds[c][n] += d1 / r * inv;
            }
            if c > 0 {
                out.thresholds[c - 1][n] -= d2 / r * inv;
            }
            out.rho[n] = inv / (r * r * r) * (d1 * (z1 * rho - z) - d2 * (z2 * rho - z));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_continuous_variable_is_refused_by_name() {
        let y = vec![3.0; 6];
        let x = vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        let e = MixedMoments::estimate(
            "d.csv",
            vec![("y".into(), y), ("x".into(), x)],
            &[false, true],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("y is constant"), "{e}");
    }

    #[test]
    fn the_polyserial_gradient_vanishes_at_the_estimate() {
        let y = [1.2, 2.3, 0.4, 3.1, 2.2, 1.9, 0.7, 2.8, 1.5, 2.6, 0.2, 1.1];
        let x = [1.0, 2.0, 2.0, 3.0, 2.0, 3.0, 1.0, 3.0, 1.0, 2.0, 1.0, 2.0];
        let m = MixedMoments::estimate(
            "t",
            vec![("y".into(), y.to_vec()), ("x".into(), x.to_vec())],
            &[false, true],
        )
        .unwrap();
        let sd = m.variances[0].sqrt();
        let mean = m.means[0].unwrap();
        let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
        let codes: Vec<u32> = x.iter().map(|v| *v as u32 - 1).collect();
        let pair = Polyserial {
            z: &z,
            sd,
            codes: &codes,
            thresholds: &m.thresholds[1],
        };
        let rho = m.correlations[(0, 1)];
        assert!(pair.gradient(rho).abs() < 1e-9);
        assert!(pair.gradient(rho - 0.01) > 0.0 && pair.gradient(rho + 0.01) < 0.0);
    }
}
