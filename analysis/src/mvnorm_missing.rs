//! The multivariate normal likelihood of incomplete data, pattern by
//! pattern (lavaan's `lav_mvnorm_missing_*`), and the unrestricted
//! maximum-likelihood means and covariances by EM
//! (`lav_mvnorm_missing_h1_estimate_moments`).
//!
//! Cases are grouped by their missingness pattern (which variables are
//! observed); each pattern keeps only its count, mean and covariance
//! (divisor n) over its observed variables, so that the casewise
//! log-likelihood
//! `logl = Σᵢ −½ (pᵢ log 2π + log|Σᵢ| + (yᵢ − μᵢ)ᵀ Σᵢ⁻¹ (yᵢ − μᵢ))`
//! costs one Cholesky factor per pattern, not per case:
//! `Σₖ −nₖ/2 (pₖ log 2π + log|Σₖ| + tr(Σₖ⁻¹ (Sₖ + dₖdₖᵀ)))`, `dₖ = ȳₖ − μₖ`.
//!
//! ```
//! use analysis::mvnorm_missing::MissingPatterns;
//! let x = vec![Some(1.0), Some(2.0), Some(4.0), Some(3.0), Some(5.0)];
//! let y = vec![Some(2.0), None, Some(5.0), Some(3.0), Some(6.0)];
//! let names = vec!["x".to_string(), "y".to_string()];
//! let patterns = MissingPatterns::from_columns("example", &names, &[x, y])?;
//! assert_eq!((patterns.nobs, patterns.patterns.len()), (5, 2));
//! let h1 = patterns.em()?;
//! // x is complete, so its ML mean is its sample mean; y's mean moves with
//! // the regression on x (the case missing y has x = 2, below x's mean).
//! assert!(h1.converged && (h1.mean[0] - 3.0).abs() < 1e-9);
//! assert!(h1.logl > patterns.independence_loglik());
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use crate::error::{AnalysisError, Location, Result};
use crate::sem::model::spd_inverse;
use nalgebra::{DMatrix, DVector};

/// The cases of one missingness pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Positions of the observed variables (increasing).
    pub observed: Vec<usize>,
    /// Number of cases.
    pub n: usize,
    /// Mean of the observed variables over the cases.
    pub mean: DVector<f64>,
    /// Covariance of the observed variables (divisor n).
    pub cov: DMatrix<f64>,
    /// Sum of yyᵀ over the cases (n·(cov + mean meanᵀ)).
    pub cross: DMatrix<f64>,
    /// The cases' deviations from `mean` (n × observed), kept when n > 1:
    /// `Σₖ⁻¹SₖΣₖ⁻¹` is then formed from them in O(n q²) instead of O(q³).
    pub deviations: Option<DMatrix<f64>>,
}

/// The positions of the variables a pattern lacks.
fn missing_of(observed: &[usize], p: usize) -> Vec<usize> {
    let mut seen = vec![false; p];
    for &i in observed {
        seen[i] = true;
    }
    (0..p).filter(|&j| !seen[j]).collect()
}

/// Σₖ⁻¹ and log|Σₖ| of a pattern from the full Σ⁻¹ (`precision`) and
/// log|Σ|, by the Schur complement: with P = Σ⁻¹ split into observed (o)
/// and missing (m) blocks, `Σₒₒ⁻¹ = Pₒₒ − Pₒₘ Pₘₘ⁻¹ Pₘₒ` and
/// `log|Σₒₒ| = log|Σ| + log|Pₘₘ|` — O(q² m) for m missing values instead of
/// the O(q³) of a fresh factorisation, which is what makes patterns with a
/// few missing values among many variables cheap.
fn pattern_inverse(
    observed: &[usize],
    missing: &[usize],
    precision: &DMatrix<f64>,
    log_det: f64,
) -> Option<(DMatrix<f64>, f64)> {
    let q = observed.len();
    let pick = |rows: &[usize], cols: &[usize]| {
        DMatrix::from_fn(rows.len(), cols.len(), |a, b| precision[(rows[a], cols[b])])
    };
    let p_oo = pick(observed, observed);
    if missing.is_empty() {
        return Some((p_oo, log_det));
    }
    let p_mm = pick(missing, missing);
    let p_mo = pick(missing, observed);
    let chol = nalgebra::Cholesky::new(p_mm)?;
    let log_det_mm = 2.0
        * chol
            .l_dirty()
            .diagonal()
            .iter()
            .map(|d| d.ln())
            .sum::<f64>();
    let x = chol.solve(&p_mo);
    let inv = p_oo - p_mo.tr_mul(&x);
    let inv = DMatrix::from_fn(q, q, |a, b| 0.5 * (inv[(a, b)] + inv[(b, a)]));
    let ld = log_det + log_det_mm;
    ld.is_finite().then_some((inv, ld))
}

/// Incomplete data grouped by missingness pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingPatterns {
    /// Where the data came from (for messages).
    pub source: String,
    /// The variables.
    pub names: Vec<String>,
    /// Cases used: those with at least one observed value.
    pub nobs: usize,
    /// 0-based positions of the cases with no observed value, which are
    /// left out (lavaan drops them with a warning too).
    pub empty_cases: Vec<usize>,
    /// The patterns, in order of first appearance.
    pub patterns: Vec<Pattern>,
}

/// The unrestricted (saturated) model's estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct Unrestricted {
    /// ML means.
    pub mean: DVector<f64>,
    /// ML covariances.
    pub cov: DMatrix<f64>,
    /// The log-likelihood there.
    pub logl: f64,
    /// EM iterations used.
    pub iterations: usize,
    /// Whether the change of every estimate fell below the tolerance.
    pub converged: bool,
}

/// The EM iterations allowed for the unrestricted model.
pub const EM_MAX_ITERATIONS: usize = 10_000;
/// EM stops when no mean or covariance moves by more than this.
pub const EM_TOLERANCE: f64 = 1e-10;

impl MissingPatterns {
    /// Groups the cases of `columns` (one vector per variable, `None` =
    /// missing) by pattern. A variable missing for every case, or constant
    /// over the cases where it is observed, is an error that names it.
    pub fn from_columns(
        source: &str,
        names: &[String],
        columns: &[Vec<Option<f64>>],
    ) -> Result<MissingPatterns> {
        let p = names.len();
        let n_rows = columns.first().map_or(0, |c| c.len());
        let non_empty = (0..n_rows)
            .filter(|&r| columns.iter().any(|c| c[r].is_some()))
            .count();
        if non_empty < 2 {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!(
                    "{non_empty} case(s) with at least one observed value: at least 2 are needed"
                ),
            ));
        }
        for (name, col) in names.iter().zip(columns) {
            let values: Vec<f64> = col.iter().flatten().copied().collect();
            if values.is_empty() {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the variable is missing for every case: full-information ML has nothing to estimate its mean and variance from (drop it from the model)",
                ));
            }
            if values.len() == 1 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the variable is observed in only 1 case: its variance cannot be estimated (drop it from the model)",
                ));
            }
            if values.iter().all(|&v| v == values[0]) {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the column is constant where it is observed: it has no variance to model",
                ));
            }
        }
        let mut index: std::collections::HashMap<Vec<bool>, usize> = Default::default();
        let mut members: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        let mut empty_cases = Vec::new();
        for r in 0..n_rows {
            let seen: Vec<bool> = columns.iter().map(|c| c[r].is_some()).collect();
            if !seen.iter().any(|&s| s) {
                empty_cases.push(r);
                continue;
            }
            let k = *index.entry(seen.clone()).or_insert_with(|| {
                members.push(((0..p).filter(|&j| seen[j]).collect(), Vec::new()));
                members.len() - 1
            });
            members[k].1.push(r);
        }
        let nobs = n_rows - empty_cases.len();
        let patterns = members
            .into_iter()
            .map(|(observed, rows)| {
                let q = observed.len();
                let n = rows.len();
                let y = DMatrix::from_fn(n, q, |i, j| {
                    columns[observed[j]][rows[i]].unwrap_or(f64::NAN)
                });
                let mean = y.row_mean().transpose();
                let mut centred = y.clone();
                for mut row in centred.row_iter_mut() {
                    row -= mean.transpose();
                }
                let cov = centred.tr_mul(&centred) / n as f64;
                let cross = y.tr_mul(&y);
                Pattern {
                    observed,
                    n,
                    mean,
                    cov,
                    cross,
                    deviations: (n > 1).then_some(centred),
                }
            })
            .collect();
        Ok(MissingPatterns {
            source: source.to_owned(),
            names: names.to_vec(),
            nobs,
            empty_cases,
            patterns,
        })
    }

    /// The columns `columns` of a dataset grouped by pattern (see
    /// [`MissingPatterns::from_columns`]).
    pub fn from_dataset(data: &crate::Dataset, columns: &[String]) -> Result<MissingPatterns> {
        let cols: Vec<Vec<Option<f64>>> = columns
            .iter()
            .map(|c| data.numeric_column(c))
            .collect::<Result<_>>()?;
        MissingPatterns::from_columns(&data.source, columns, &cols)
    }

    /// Number of variables.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// The log-likelihood at (μ, Σ); `None` where Σ is not positive
    /// definite.
    pub fn loglik(&self, mean: &DVector<f64>, cov: &DMatrix<f64>) -> Option<f64> {
        let (precision, log_det) = spd_inverse(cov)?;
        let p = self.p();
        let mut total = 0.0;
        for pat in &self.patterns {
            let missing = missing_of(&pat.observed, p);
            let (inv, ld) = pattern_inverse(&pat.observed, &missing, &precision, log_det)?;
            let d = DVector::from_fn(pat.observed.len(), |a, _| {
                pat.mean[a] - mean[pat.observed[a]]
            });
            total += pattern_minus_two_logl(pat, &inv, ld, &d);
        }
        Some(-0.5 * total)
    }

    /// `−2 logl` at (μ, Σ) and its derivatives: `d(−2 logl) = tr(W dΣ) +
    /// gᵀ dμ` with `W = Σₖ nₖ Eₖ(Σₖ⁻¹ − Σₖ⁻¹ (Sₖ + dₖdₖᵀ) Σₖ⁻¹)` and
    /// `g = −2 Σₖ nₖ Eₖ(Σₖ⁻¹ dₖ)` (Eₖ places a pattern's block among all
    /// variables). `None` where Σ is not positive definite.
    pub fn minus_two_logl_with_derivatives(
        &self,
        mean: &DVector<f64>,
        cov: &DMatrix<f64>,
    ) -> Option<(f64, DMatrix<f64>, DVector<f64>)> {
        let p = self.p();
        let (precision, log_det) = spd_inverse(cov)?;
        let mut w_total = DMatrix::zeros(p, p);
        let mut g = DVector::zeros(p);
        let mut value = 0.0;
        for pat in &self.patterns {
            let o = &pat.observed;
            let missing = missing_of(o, p);
            let (inv, ld) = pattern_inverse(o, &missing, &precision, log_det)?;
            let d = DVector::from_fn(o.len(), |a, _| pat.mean[a] - mean[o[a]]);
            value += pattern_minus_two_logl(pat, &inv, ld, &d);
            let nk = pat.n as f64;
            let z = &inv * &d;
            // nₖ (Σₖ⁻¹ − Σₖ⁻¹SₖΣₖ⁻¹ − zzᵀ), with Σₖ⁻¹(nₖSₖ)Σₖ⁻¹ = (YΣₖ⁻¹)ᵀ(YΣₖ⁻¹)
            // over the deviations Y.
            let mut block = &inv * nk - &z * z.transpose() * nk;
            if let Some(y) = &pat.deviations {
                let yz = y * &inv;
                block -= yz.tr_mul(&yz);
            }
            for (a, &i) in o.iter().enumerate() {
                g[i] -= 2.0 * nk * z[a];
                for (b, &j) in o.iter().enumerate() {
                    w_total[(i, j)] += block[(a, b)];
                }
            }
        }
        Some((value, w_total, g))
    }

    /// The unrestricted ML means and covariances by EM (Dempster, Laird &
    /// Rubin 1977; lavaan's `lav_mvnorm_missing_h1_estimate_moments`), from
    /// the available-case means and variances (zero covariances), until no
    /// estimate moves by more than [`EM_TOLERANCE`] (lavaan stops earlier,
    /// on a change of 1e-5 in its objective; the fixtures agree to ~1e-6).
    pub fn em(&self) -> Result<Unrestricted> {
        let p = self.p();
        let (mut mean, mut cov) = self.available_case_moments();
        let nf = self.nobs as f64;
        let mut iterations = 0;
        let mut converged = false;
        while iterations < EM_MAX_ITERATIONS {
            iterations += 1;
            let mut t1 = DVector::zeros(p);
            let mut t2 = DMatrix::zeros(p, p);
            let (precision, _) = spd_inverse(&cov).ok_or_else(|| self.not_positive_definite())?;
            for pat in &self.patterns {
                self.e_step(pat, &mean, &precision, &mut t1, &mut t2)
                    .ok_or_else(|| self.not_positive_definite())?;
            }
            let new_mean = &t1 / nf;
            let new_cov = &t2 / nf - &new_mean * new_mean.transpose();
            let change = (&new_mean - &mean).amax().max((&new_cov - &cov).amax());
            mean = new_mean;
            cov = new_cov;
            if change < EM_TOLERANCE {
                converged = true;
                break;
            }
        }
        let logl = self
            .loglik(&mean, &cov)
            .ok_or_else(|| self.not_positive_definite())?;
        Ok(Unrestricted {
            mean,
            cov,
            logl,
            iterations,
            converged,
        })
    }

    /// Per variable: the mean and variance (divisor n) over the cases where
    /// it is observed — the ML estimates of the independence model with
    /// missing data, whose likelihood factors over the variables.
    pub fn available_case_moments(&self) -> (DVector<f64>, DMatrix<f64>) {
        let p = self.p();
        let mut n = vec![0.0; p];
        let mut s1 = vec![0.0; p];
        let mut s2 = vec![0.0; p];
        for pat in &self.patterns {
            for (a, &i) in pat.observed.iter().enumerate() {
                n[i] += pat.n as f64;
                s1[i] += pat.n as f64 * pat.mean[a];
                s2[i] += pat.cross[(a, a)];
            }
        }
        let mean = DVector::from_fn(p, |i, _| s1[i] / n[i]);
        let var = DVector::from_fn(p, |i, _| s2[i] / n[i] - mean[i] * mean[i]);
        (mean, DMatrix::from_diagonal(&var))
    }

    /// The pairs of variables that no case observes together (zero
    /// coverage): their unrestricted covariance is not identified.
    pub fn pairs_never_observed_together(&self) -> Vec<(usize, usize)> {
        let p = self.p();
        let mut seen = vec![false; p * p];
        for pat in &self.patterns {
            for &i in &pat.observed {
                for &j in &pat.observed {
                    seen[i * p + j] = true;
                }
            }
        }
        (0..p)
            .flat_map(|i| (0..i).map(move |j| (j, i)))
            .filter(|&(j, i)| !seen[i * p + j])
            .collect()
    }

    /// Pairwise-complete covariances as R's `cov(use = "pairwise")` (each
    /// pair over the cases observing both, its own means, divisor nᵢⱼ − 1)
    /// rescaled by (N − 1)/N: the sample covariances lavaan keeps beside
    /// the EM estimates with missing data (its `WLS.obs`, read by GFI).
    pub fn pairwise_covariances(&self) -> DMatrix<f64> {
        let p = self.p();
        let mut n = DMatrix::<f64>::zeros(p, p);
        let mut si = DMatrix::<f64>::zeros(p, p); // Σ yᵢ over pairs (i, j)
        let mut sij = DMatrix::<f64>::zeros(p, p);
        for pat in &self.patterns {
            let nk = pat.n as f64;
            for (a, &i) in pat.observed.iter().enumerate() {
                for (b, &j) in pat.observed.iter().enumerate() {
                    n[(i, j)] += nk;
                    si[(i, j)] += nk * pat.mean[a];
                    sij[(i, j)] += pat.cross[(a, b)];
                }
            }
        }
        let scale = (self.nobs as f64 - 1.0) / self.nobs as f64;
        DMatrix::from_fn(p, p, |i, j| {
            let nij = n[(i, j)];
            if nij < 2.0 {
                return f64::NAN;
            }
            let (mi, mj) = (si[(i, j)] / nij, si[(j, i)] / nij);
            scale * (sij[(i, j)] - nij * mi * mj) / (nij - 1.0)
        })
    }

    /// The log-likelihood of the independence model (free means and
    /// variances, no covariances) at its ML estimates.
    pub fn independence_loglik(&self) -> f64 {
        let (mean, cov) = self.available_case_moments();
        self.loglik(&mean, &cov).unwrap_or(f64::NAN)
    }

    /// One E-step: adds a pattern's expected sums of y and yyᵀ. The
    /// regression of the missing on the observed values and its residual
    /// covariance come from the precision matrix P = Σ⁻¹:
    /// `B = −Pₘₘ⁻¹Pₘₒ`, `C = Pₘₘ⁻¹` (O(m²q) per pattern).
    fn e_step(
        &self,
        pat: &Pattern,
        mean: &DVector<f64>,
        precision: &DMatrix<f64>,
        t1: &mut DVector<f64>,
        t2: &mut DMatrix<f64>,
    ) -> Option<()> {
        let p = self.p();
        let o = &pat.observed;
        let nk = pat.n as f64;
        let m1 = &pat.mean * nk;
        let m2 = &pat.cross;
        if o.len() == p {
            *t1 += &m1;
            *t2 += m2;
            return Some(());
        }
        let m = missing_of(o, p);
        let p_mm = DMatrix::from_fn(m.len(), m.len(), |a, b| precision[(m[a], m[b])]);
        let p_mo = DMatrix::from_fn(m.len(), o.len(), |a, b| precision[(m[a], o[b])]);
        let chol = nalgebra::Cholesky::new(p_mm)?;
        let c = chol.inverse();
        // x̂ₘ = a + B yₒ.
        let b = -(&c * p_mo);
        let mu_o = DVector::from_fn(o.len(), |a, _| mean[o[a]]);
        let mu_m = DVector::from_fn(m.len(), |a, _| mean[m[a]]);
        let a = &mu_m - &b * mu_o;
        let bm1 = &b * &m1;
        let sum_m = &a * nk + &bm1;
        let bm2 = &b * m2;
        let cross_mo = &a * m1.transpose() + &bm2;
        let cross_mm = &a * a.transpose() * nk
            + &a * bm1.transpose()
            + &bm1 * a.transpose()
            + &bm2 * b.transpose()
            + &c * nk;
        for (x, &i) in o.iter().enumerate() {
            t1[i] += m1[x];
            for (y, &j) in o.iter().enumerate() {
                t2[(i, j)] += m2[(x, y)];
            }
            for (y, &j) in m.iter().enumerate() {
                t2[(j, i)] += cross_mo[(y, x)];
                t2[(i, j)] += cross_mo[(y, x)];
            }
        }
        for (x, &i) in m.iter().enumerate() {
            t1[i] += sum_m[x];
            for (y, &j) in m.iter().enumerate() {
                t2[(i, j)] += cross_mm[(x, y)];
            }
        }
        Some(())
    }

    /// Casewise scores of the log-likelihood at (μ, Σ) with respect to
    /// (μ, vech Σ) — one row per case, pattern by pattern in the patterns'
    /// order (lavaan's `lav_mvnorm_missing_scores_mu_vech_sigma`): with
    /// zᵢ = Σₒₒ⁻¹(yᵢ − μ)ₒ over the case's observed variables, zᵢ for μ and
    /// zᵢₖzᵢₗ − (Σₒₒ⁻¹)ₖₗ for σₖₗ (halved on the diagonal), 0 where k or l is
    /// missing. vech runs down the columns of the lower triangle. `None`
    /// where Σ is not positive definite.
    pub fn casewise_scores(&self, mean: &DVector<f64>, cov: &DMatrix<f64>) -> Option<DMatrix<f64>> {
        let p = self.p();
        let pairs: Vec<(usize, usize)> = (0..p).flat_map(|c| (c..p).map(move |r| (r, c))).collect();
        let (precision, log_det) = spd_inverse(cov)?;
        let mut scores = DMatrix::zeros(self.nobs, p + pairs.len());
        let mut row = 0;
        for pat in &self.patterns {
            let o = &pat.observed;
            let (inv, _) = pattern_inverse(o, &missing_of(o, p), &precision, log_det)?;
            let mut full_inv = DMatrix::zeros(p, p);
            for (a, &i) in o.iter().enumerate() {
                for (b, &j) in o.iter().enumerate() {
                    full_inv[(i, j)] = inv[(a, b)];
                }
            }
            for case in 0..pat.n {
                let d = DVector::from_fn(o.len(), |a, _| {
                    pat.mean[a] + pat.deviations.as_ref().map_or(0.0, |y| y[(case, a)]) - mean[o[a]]
                });
                let zo = &inv * d;
                let mut z = DVector::zeros(p);
                for (a, &i) in o.iter().enumerate() {
                    z[i] = zo[a];
                }
                for i in 0..p {
                    scores[(row, i)] = z[i];
                }
                for (k, &(r, c)) in pairs.iter().enumerate() {
                    let v = z[r] * z[c] - full_inv[(r, c)];
                    scores[(row, p + k)] = if r == c { 0.5 * v } else { v };
                }
                row += 1;
            }
        }
        Some(scores)
    }

    /// The observed information per case of (μ, vech Σ) at (μ, Σ): minus
    /// the Hessian of logl divided by N (lavaan's
    /// `lav_mvnorm_missing_information_observed_samplestats`). Per pattern,
    /// with P = Σₒₒ⁻¹ placed among all variables, x = P(ȳₖ − μ) and
    /// T = P(2(Sₖ + dₖdₖᵀ) − Σₒₒ)P: P for the means, `Dᵀ(x ⊗ P)` between
    /// means and covariances and `½ Dᵀ(P ⊗ T)D` for the covariances (D the
    /// duplication matrix), weighted by the pattern's cases. At the
    /// unrestricted estimates of complete data it is the normal-theory
    /// weight. `None` where Σ is not positive definite.
    pub fn observed_information(
        &self,
        mean: &DVector<f64>,
        cov: &DMatrix<f64>,
    ) -> Option<DMatrix<f64>> {
        let p = self.p();
        let pairs: Vec<(usize, usize)> = (0..p).flat_map(|c| (c..p).map(move |r| (r, c))).collect();
        let q = p + pairs.len();
        let (precision, log_det) = spd_inverse(cov)?;
        let mut info = DMatrix::zeros(q, q);
        for pat in &self.patterns {
            let o = &pat.observed;
            let (inv, _) = pattern_inverse(o, &missing_of(o, p), &precision, log_det)?;
            let d = DVector::from_fn(o.len(), |a, _| pat.mean[a] - mean[o[a]]);
            let sigma_oo = DMatrix::from_fn(o.len(), o.len(), |a, b| cov[(o[a], o[b])]);
            let w_tilde = &pat.cov + &d * d.transpose();
            let t_oo = &inv * (w_tilde * 2.0 - sigma_oo) * &inv;
            let x_o = &inv * &d;
            let (mut pm, mut tm, mut x) = (
                DMatrix::zeros(p, p),
                DMatrix::zeros(p, p),
                DVector::zeros(p),
            );
            for (a, &i) in o.iter().enumerate() {
                x[i] = x_o[a];
                for (b, &j) in o.iter().enumerate() {
                    pm[(i, j)] = inv[(a, b)];
                    tm[(i, j)] = t_oo[(a, b)];
                }
            }
            let nk = pat.n as f64;
            for i in 0..p {
                for j in 0..p {
                    info[(i, j)] += nk * pm[(i, j)];
                }
            }
            // The symmetric pairs a vech element stands for (the first one
            // only on the diagonal).
            let sym = |r: usize, c: usize| ([(r, c), (c, r)], if r == c { 1 } else { 2 });
            for (e, &(r, c)) in pairs.iter().enumerate() {
                // vec index (k, i): row k, column i of the matrix; x ⊗ P
                // holds P[k, j]·x[i] there.
                let (se, ne) = sym(r, c);
                let se = &se[..ne];
                for j in 0..p {
                    let v: f64 = se.iter().map(|&(k, i)| pm[(k, j)] * x[i]).sum();
                    info[(p + e, j)] += nk * v;
                    info[(j, p + e)] += nk * v;
                }
                for (f, &(r2, c2)) in pairs.iter().enumerate().skip(e) {
                    let (sf, nf) = sym(r2, c2);
                    let mut v = 0.0;
                    for &(k, i) in se {
                        for &(l, j) in &sf[..nf] {
                            v += pm[(i, j)] * tm[(k, l)];
                        }
                    }
                    info[(p + e, p + f)] += 0.5 * nk * v;
                    if f != e {
                        info[(p + f, p + e)] += 0.5 * nk * v;
                    }
                }
            }
        }
        Some(info / self.nobs as f64)
    }

    fn not_positive_definite(&self) -> AnalysisError {
        AnalysisError::unsuitable(
            Location::source(&self.source),
            "the EM estimate of the covariance matrix of the incomplete data is not positive definite: some variables are (nearly) linearly dependent, or too few cases observe some pair of variables together",
        )
    }
}

/// `nₖ (qₖ log 2π + log|Σₖ| + tr(Σₖ⁻¹ Sₖ) + dₖᵀΣₖ⁻¹dₖ)`.
fn pattern_minus_two_logl(
    pat: &Pattern,
    inv: &DMatrix<f64>,
    log_det: f64,
    d: &DVector<f64>,
) -> f64 {
    let q = pat.observed.len() as f64;
    let tr: f64 = inv.iter().zip(pat.cov.iter()).map(|(a, b)| a * b).sum();
    pat.n as f64 * (q * (2.0 * std::f64::consts::PI).ln() + log_det + tr + (inv * d).dot(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> MissingPatterns {
        let x = vec![Some(1.0), Some(2.0), Some(4.0), None, Some(0.5), Some(3.0)];
        let y = vec![Some(2.0), None, Some(5.0), Some(3.0), Some(1.0), Some(2.5)];
        let z = vec![None, Some(1.0), Some(2.0), Some(0.0), Some(0.2), None];
        let names: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
        MissingPatterns::from_columns("t", &names, &[x, y, z]).unwrap()
    }

    #[test]
    fn the_patterned_loglik_is_the_casewise_sum() {
        let pats = example();
        let mean = DVector::from_vec(vec![1.5, 2.0, 0.8]);
        let cov = DMatrix::from_row_slice(3, 3, &[2.0, 0.5, 0.3, 0.5, 1.5, 0.2, 0.3, 0.2, 1.0]);
        // Case by case with the bivariate/univariate normal densities.
        let rows = [
            vec![Some(1.0), Some(2.0), None],
            vec![Some(2.0), None, Some(1.0)],
            vec![Some(4.0), Some(5.0), Some(2.0)],
            vec![None, Some(3.0), Some(0.0)],
            vec![Some(0.5), Some(1.0), Some(0.2)],
            vec![Some(3.0), Some(2.5), None],
        ];
        let mut want = 0.0;
        for r in &rows {
            let o: Vec<usize> = (0..3).filter(|&j| r[j].is_some()).collect();
            let s: DMatrix<f64> = DMatrix::from_fn(o.len(), o.len(), |a, b| cov[(o[a], o[b])]);
            let d = DVector::from_fn(o.len(), |a, _| r[o[a]].unwrap() - mean[o[a]]);
            let inv = s.clone().try_inverse().unwrap();
            want += -0.5
                * (o.len() as f64 * (2.0 * std::f64::consts::PI).ln()
                    + s.determinant().ln()
                    + (&inv * &d).dot(&d));
        }
        let got = pats.loglik(&mean, &cov).unwrap();
        assert!((got - want).abs() < 1e-12, "{got} {want}");
        // The derivatives agree with central differences.
        let (v, w, g) = pats.minus_two_logl_with_derivatives(&mean, &cov).unwrap();
        assert!((v + 2.0 * want).abs() < 1e-10);
        let h = 1e-6;
        for i in 0..3 {
            let mut up = mean.clone();
            up[i] += h;
            let mut dn = mean.clone();
            dn[i] -= h;
            let num = -2.0 * (pats.loglik(&up, &cov).unwrap() - pats.loglik(&dn, &cov).unwrap())
                / (2.0 * h);
            assert!((num - g[i]).abs() < 1e-6, "{num} {}", g[i]);
            for j in 0..=i {
                let mut up = cov.clone();
                up[(i, j)] += h;
                up[(j, i)] = up[(i, j)];
                let mut dn = cov.clone();
                dn[(i, j)] -= h;
                dn[(j, i)] = dn[(i, j)];
                let num = -2.0
                    * (pats.loglik(&mean, &up).unwrap() - pats.loglik(&mean, &dn).unwrap())
                    / (2.0 * h);
                let analytic = if i == j { w[(i, i)] } else { 2.0 * w[(i, j)] };
                assert!((num - analytic).abs() < 1e-6, "{i}{j}: {num} {analytic}");
            }
        }
    }

    /// 40 cases of three correlated variables (a fixed linear congruential
    /// sequence), each value missing with probability 1/5, no case empty.
    fn larger_example() -> MissingPatterns {
        let mut state: u64 = 12345;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut cols = vec![Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..40 {
            let f = uniform() - 0.5;
            let row = [
                f + 0.3 * uniform(),
                0.8 * f + 0.4 * uniform(),
                0.5 * f + 0.5 * uniform(),
            ];
            let drop = (uniform() * 5.0) as usize; // 0..4: drop that column if < 3
            for (j, col) in cols.iter_mut().enumerate() {
                col.push((j != drop).then_some(row[j]));
            }
        }
        let names: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
        MissingPatterns::from_columns("t", &names, &cols).unwrap()
    }

    #[test]
    fn em_reaches_a_stationary_point_of_the_loglik() {
        let pats = larger_example();
        assert_eq!(pats.patterns.len(), 4);
        let h1 = pats.em().unwrap();
        assert!(h1.converged);
        let (_, w, g) = pats
            .minus_two_logl_with_derivatives(&h1.mean, &h1.cov)
            .unwrap();
        // −2 logl summed over 40 cases: a gradient of 1e-5 is stationary to
        // the EM tolerance (a non-stationary point has one of order 1).
        assert!(g.amax() < 1e-5 && w.amax() < 1e-5, "{g} {w}");
        assert!(h1.logl > pats.independence_loglik());
    }

    /// The summed casewise scores are the gradient of logl, and the
    /// observed information is minus their Jacobian over N — both checked
    /// by central differences at a point that is not the optimum (so the
    /// mean–covariance block is not zero).
    #[test]
    fn scores_and_observed_information_are_the_loglik_derivatives() {
        let pats = larger_example();
        let p = 3;
        let pairs: Vec<(usize, usize)> = (0..p).flat_map(|c| (c..p).map(move |r| (r, c))).collect();
        let mean = DVector::from_vec(vec![0.1, -0.05, 0.2]);
        let cov =
            DMatrix::from_row_slice(3, 3, &[0.12, 0.05, 0.02, 0.05, 0.1, 0.03, 0.02, 0.03, 0.09]);
        // (μ, vech Σ) → (μ, Σ)
        let unpack = |t: &[f64]| {
            let m = DVector::from_fn(p, |i, _| t[i]);
            let mut c = DMatrix::zeros(p, p);
            for (k, &(r, cc)) in pairs.iter().enumerate() {
                c[(r, cc)] = t[p + k];
                c[(cc, r)] = t[p + k];
            }
            (m, c)
        };
        let mut theta: Vec<f64> = mean.iter().copied().collect();
        theta.extend(pairs.iter().map(|&(r, c)| cov[(r, c)]));
        let score_sum = |t: &[f64]| {
            let (m, c) = unpack(t);
            let sc = pats.casewise_scores(&m, &c).unwrap();
            DVector::from_fn(sc.ncols(), |j, _| sc.column(j).sum())
        };
        let grad = score_sum(&theta);
        let info = pats.observed_information(&mean, &cov).unwrap();
        let n = pats.nobs as f64;
        let h = 1e-6;
        for k in 0..theta.len() {
            let mut up = theta.clone();
            up[k] += h;
            let mut dn = theta.clone();
            dn[k] -= h;
            let (mu, cu) = unpack(&up);
            let (md, cd) = unpack(&dn);
            let numeric =
                (pats.loglik(&mu, &cu).unwrap() - pats.loglik(&md, &cd).unwrap()) / (2.0 * h);
            assert!(
                (numeric - grad[k]).abs() < 1e-5 * numeric.abs().max(1.0),
                "score {k}: {numeric} {}",
                grad[k]
            );
            let column = (score_sum(&up) - score_sum(&dn)) / (2.0 * h);
            for j in 0..theta.len() {
                let want = -column[j] / n;
                assert!(
                    (want - info[(j, k)]).abs() < 1e-5 * want.abs().max(1.0),
                    "information ({j}, {k}): {want} {}",
                    info[(j, k)]
                );
            }
        }
    }

    #[test]
    fn a_variable_missing_everywhere_is_named() {
        let names: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let e = MissingPatterns::from_columns(
            "d.csv",
            &names,
            &[
                vec![Some(1.0), Some(2.0), Some(3.0)],
                vec![None, None, None],
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("b") && e.contains("missing for every case"),
            "{e}"
        );
    }
}
