//! Least-squares fits of ordered indicators with observed exogenous
//! covariates, as lavaan 0.6 fits them by default (`conditional.x =
//! TRUE`): the model is fitted to the moments of the latent responses y*
//! *given* the covariates x — each item's thresholds and slopes on x and
//! the residual polychoric correlations
//! ([`crate::polychoric_covariates`]; lavaan's `res.th`, `res.slopes`,
//! `res.cov`) — never to the distribution of x itself.
//!
//! The model side: with C the model's joint covariance of (y*, x) and μ
//! its means, the implied slopes are `B = C_yx C_xx⁻¹`, the residual
//! covariance `C_yy − B C_xy`, the residual thresholds `τ − (μ_y − B μ_x)`.
//! None depends on C_xx or μ_x (x is exogenous), which are held at the
//! sample values as lavaan's fixed.x rows show them. In the delta
//! parameterization each ordered item's residual variance makes its
//! *residual* variance given x 1 (lavaan's), so that standardized values
//! use the larger marginal variance of y*. The baseline keeps thresholds
//! and slopes free and the residual correlations 0 (lavaan's
//! conditional.x baseline, df = the number of residual correlations).
//!
//! Not yet: continuous indicators together with covariates, multiple
//! groups with covariates. An ordered predictor is refused: lavaan 0.6.14
//! accepts one only by treating it as numeric, with a warning.

use super::model::Implied;
use super::partable::{Matrix, ParTable};
use super::robust::{vech_pairs, Estimator};
use super::samplestats::SampleMoments;
use super::wls::{Statistics, Weight};
use crate::error::{AnalysisError, Location, Result};
use crate::polychoric_covariates::ConditionalPolychoric;
use nalgebra::{DMatrix, DVector};

/// Indices (in the table's observed variables) of the covariates and of the
/// ordered items.
fn split(table: &ParTable) -> (Vec<usize>, Vec<usize>) {
    (0..table.p()).partition(|&v| table.exogenous_observed.contains(&table.observed[v]))
}

/// Refuses what lavaan does not fit this way (or we do not yet).
pub(super) fn check(table: &ParTable, sample: &SampleMoments, ordered: &[String]) -> Result<()> {
    let here = || Location::source(&sample.source);
    if let Some(x) = table
        .exogenous_observed
        .iter()
        .find(|x| ordered.contains(x))
    {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "{x} is declared ordered but predicts other variables: ordered predictors are not supported (lavaan 0.6 would treat {x} as numeric, with a warning); leave it out of --ordered to use it as a numeric covariate"
            ),
        ));
    }
    let continuous: Vec<&str> = table
        .observed
        .iter()
        .filter(|o| !ordered.contains(o) && !table.exogenous_observed.contains(o))
        .map(String::as_str)
        .collect();
    if !continuous.is_empty() {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "continuous indicators ({}) together with observed covariates ({}) and ordered indicators are not yet supported",
                continuous.join(", "),
                table.exogenous_observed.join(", ")
            ),
        ));
    }
    Ok(())
}

/// What a conditional fit starts from.
pub(super) struct Conditional {
    /// The sample statistics (res.th, res.slopes, residual correlations).
    pub(super) st: Statistics,
    /// The observed categories per observed variable (empty for a
    /// covariate).
    pub(super) categories: Vec<Vec<f64>>,
    /// The covariates' covariance matrix (divisor N − 1, at their observed
    /// positions) and means, for the fixed.x rows.
    pub(super) cov_x: DMatrix<f64>,
    /// The covariates' means (0 for the items).
    pub(super) mean_x: Vec<f64>,
}

/// The conditional sample statistics of the model's observed variables.
pub(super) fn statistics(
    table: &ParTable,
    sample: &SampleMoments,
    estimator: Estimator,
) -> Result<Conditional> {
    let here = || Location::source(&sample.source);
    let data = sample
        .data
        .as_ref()
        .ok_or_else(|| AnalysisError::computation("ordered data need raw data"))?;
    let idx = sample.indices_of(&table.observed)?;
    let (xs, ys) = split(table);
    let column = |v: usize| {
        (
            table.observed[v].clone(),
            data.column(idx[v])
                .iter()
                .map(|&x| Some(x))
                .collect::<Vec<_>>(),
        )
    };
    let cp = ConditionalPolychoric::estimate(
        &sample.source,
        ys.iter().map(|&v| column(v)).collect(),
        xs.iter().map(|&v| column(v)).collect(),
    )?;
    let n = cp.n_cases as f64;
    let q = cp.statistics.len();
    let influence = &cp.influence * n.sqrt();
    let weight = match estimator {
        Estimator::ULS => DVector::from_element(q, 1.0),
        _ => {
            let mut w = DVector::zeros(q);
            for (c, col) in influence.column_iter().enumerate() {
                let d = col.norm_squared();
                if !(d > 0.0 && d.is_finite()) {
                    return Err(AnalysisError::unsuitable(
                        here(),
                        format!(
                            "the asymptotic variance of {} is {d}, so it has no DWLS weight",
                            cp.labels[c]
                        ),
                    ));
                }
                w[c] = 1.0 / d;
            }
            w
        }
    };
    let p = table.p();
    let n_th: usize = cp.thresholds.iter().map(Vec::len).sum();
    let n_first = n_th + ys.len() * xs.len();
    let mut threshold_offset = vec![n_first; p];
    let mut categories = vec![Vec::new(); p];
    let mut at = 0;
    for (k, &v) in ys.iter().enumerate() {
        threshold_offset[v] = at;
        at += cp.thresholds[k].len();
        categories[v] = cp.categories[k].clone();
    }
    // The covariates' moments (divisor N − 1, as lavaan's fixed.x rows).
    let mut cov_x = DMatrix::zeros(p, p);
    let mut mean_x = vec![0.0; p];
    for &a in &xs {
        let ca = data.column(idx[a]);
        mean_x[a] = ca.mean();
        for &b in &xs {
            let cb = data.column(idx[b]);
            let (ma, mb) = (ca.mean(), cb.mean());
            cov_x[(a, b)] = ca
                .iter()
                .zip(cb.iter())
                .map(|(u, v)| (u - ma) * (v - mb))
                .sum::<f64>()
                / (n - 1.0);
        }
    }
    // A joint matrix for start values: C_yx = B C_xx, C_yy = R + B C_xx Bᵀ.
    let mut matrix = cov_x.clone();
    for (i, &a) in ys.iter().enumerate() {
        for &x in &xs {
            matrix[(a, x)] = xs
                .iter()
                .enumerate()
                .map(|(j, &z)| cp.slopes[i][j] * cov_x[(z, x)])
                .sum();
            matrix[(x, a)] = matrix[(a, x)];
        }
    }
    for (i, &a) in ys.iter().enumerate() {
        for (j, &b) in ys.iter().enumerate() {
            let explained: f64 = xs
                .iter()
                .enumerate()
                .map(|(k, &x)| cp.slopes[i][k] * matrix[(b, x)])
                .sum();
            matrix[(a, b)] = cp.correlations[(i, j)] + explained;
        }
    }
    let ordered_mask = (0..p).map(|v| !xs.contains(&v)).collect();
    Ok(Conditional {
        st: Statistics {
            s: DVector::from_vec(cp.statistics),
            weight: Weight::Diagonal(weight),
            influence: Some(influence),
            threshold_offset,
            n_first,
            n_variances: 0,
            ordered_mask,
            matrix,
            mean: None,
            covariates: xs,
        },
        categories,
        cov_x,
        mean_x,
    })
}

/// Sets each ordered item's residual variance (in `phi` and `c`) so that
/// its variance given the covariates is 1; `c` is the model's joint
/// covariance with those residual variances at 0.
pub(super) fn unit_residual_variances(
    c: &mut DMatrix<f64>,
    phi: &mut DMatrix<f64>,
    ordered: &[bool],
    covariates: &[usize],
) -> Option<()> {
    let cxx = DMatrix::from_fn(covariates.len(), covariates.len(), |a, b| {
        c[(covariates[a], covariates[b])]
    });
    let cxx_inv = cxx.try_inverse()?;
    for i in (0..ordered.len()).filter(|&i| ordered[i]) {
        let cix = DVector::from_fn(covariates.len(), |a, _| c[(i, covariates[a])]);
        let explained = cix.dot(&(&cxx_inv * &cix));
        phi[(i, i)] = 1.0 - (c[(i, i)] - explained);
        c[(i, i)] += phi[(i, i)];
    }
    Some(())
}

/// B = C_yx C_xx⁻¹ (items × covariates), from the implied moments.
fn implied_slopes(imp: &Implied, ys: &[usize], xs: &[usize]) -> (DMatrix<f64>, DMatrix<f64>) {
    let cxx = DMatrix::from_fn(xs.len(), xs.len(), |a, b| imp.sigma[(xs[a], xs[b])]);
    let cxx_inv = cxx
        .try_inverse()
        .unwrap_or_else(|| DMatrix::identity(xs.len(), xs.len()));
    let cyx = DMatrix::from_fn(ys.len(), xs.len(), |a, b| imp.sigma[(ys[a], xs[b])]);
    (&cyx * &cxx_inv, cxx_inv)
}

/// σ(θ) in the order of s: residual thresholds, slopes (covariate by
/// covariate), residual correlations.
pub(super) fn model_statistics(
    table: &ParTable,
    theta: &[f64],
    imp: &Implied,
    st: &Statistics,
) -> DVector<f64> {
    let (xs, ys) = split(table);
    let (b, _) = implied_slopes(imp, &ys, &xs);
    let mut out = DVector::zeros(st.s.len());
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        let i = ys.iter().position(|&y| y == q.row).unwrap_or(0);
        let bmx: f64 = xs
            .iter()
            .enumerate()
            .map(|(k, &x)| b[(i, k)] * imp.mean[x])
            .sum();
        out[st.threshold_offset[q.row] + q.col] =
            q.free.map_or(q.value, |k| theta[k]) - (imp.mean[q.row] - bmx);
    }
    let n_th = st.n_first - ys.len() * xs.len();
    let mut r = n_th;
    for k in 0..xs.len() {
        for i in 0..ys.len() {
            out[r] = b[(i, k)];
            r += 1;
        }
    }
    for (a, ya) in ys.iter().enumerate() {
        for yb in ys.iter().skip(a + 1) {
            let explained: f64 = (0..xs.len())
                .map(|k| b[(a, k)] * imp.sigma[(*yb, xs[k])])
                .sum();
            out[r] = imp.sigma[(*ya, *yb)] - explained;
            r += 1;
        }
    }
    out
}

/// Δ = ∂σ/∂θᵀ in the order of s, from the Jacobian of the joint moments
/// (`full`: means, then vech C) by the chain rule, with C_xx and μ_x fixed:
/// dB = dC_yx C_xx⁻¹, d res = dC_yy − dC_yx Bᵀ − B dC_xy.
pub(super) fn jacobian(
    table: &ParTable,
    imp: &Implied,
    st: &Statistics,
    full: &DMatrix<f64>,
) -> DMatrix<f64> {
    let (xs, ys) = split(table);
    let p = table.p();
    let (b, cxx_inv) = implied_slopes(imp, &ys, &xs);
    let pairs = vech_pairs(p);
    let offset = if table.meanstructure { p } else { 0 };
    let row_of = |a: usize, c: usize| {
        let (lo, hi) = if a <= c { (a, c) } else { (c, a) };
        offset
            + pairs
                .iter()
                .position(|&(u, v)| (u == lo && v == hi) || (u == hi && v == lo))
                .unwrap_or(0)
    };
    let k = table.n_free;
    // dB[i][kx] as rows of length k.
    let db = |i: usize, kx: usize| -> DVector<f64> {
        let mut d = DVector::zeros(k);
        for (m, &x) in xs.iter().enumerate() {
            d += full.row(row_of(ys[i], x)).transpose() * cxx_inv[(m, kx)];
        }
        d
    };
    let mut j = DMatrix::zeros(st.s.len(), k);
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        let i = ys.iter().position(|&y| y == q.row).unwrap_or(0);
        let r = st.threshold_offset[q.row] + q.col;
        if let Some(f) = q.free {
            j[(r, f)] += 1.0;
        }
        let mut d = -full.row(q.row).transpose();
        for (kx, &x) in xs.iter().enumerate() {
            d += db(i, kx) * imp.mean[x];
        }
        let row = j.row(r) + d.transpose();
        j.row_mut(r).copy_from(&row);
    }
    let n_th = st.n_first - ys.len() * xs.len();
    let mut r = n_th;
    for kx in 0..xs.len() {
        for i in 0..ys.len() {
            j.row_mut(r).copy_from(&db(i, kx).transpose());
            r += 1;
        }
    }
    for a in 0..ys.len() {
        for c in a + 1..ys.len() {
            let mut d = full.row(row_of(ys[a], ys[c])).transpose();
            for (kx, &x) in xs.iter().enumerate() {
                d -= full.row(row_of(ys[a], x)).transpose() * b[(c, kx)];
                d -= full.row(row_of(ys[c], x)).transpose() * b[(a, kx)];
            }
            j.row_mut(r).copy_from(&d.transpose());
            r += 1;
        }
    }
    j
}

/// lavaan's names of the statistics: `y|t1`, …, `y~x`, `y~~z`.
pub(super) fn statistic_names(table: &ParTable, st: &Statistics) -> Vec<String> {
    let (xs, ys) = split(table);
    let name = |v: usize| table.observed[v].as_str();
    let mut out = vec![String::new(); st.s.len()];
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        out[st.threshold_offset[q.row] + q.col] = format!("{}|t{}", name(q.row), q.col + 1);
    }
    let mut r = st.n_first - ys.len() * xs.len();
    for &x in &xs {
        for &y in &ys {
            out[r] = format!("{}~{}", name(y), name(x));
            r += 1;
        }
    }
    for (a, &ya) in ys.iter().enumerate() {
        for &yb in &ys[a + 1..] {
            out[r] = format!("{}~~{}", name(ya), name(yb));
            r += 1;
        }
    }
    out
}

/// lavaan 0.6.14's SRMR under conditional.x (`lav_residuals_summary`): the
/// residual correlations (`r` = s − σ̂, off the diagonal) squared and
/// summed, over their count plus the number of *all* observed variables,
/// covariates included (its `pstar + nvar`).
pub(super) fn srmr(r: &DVector<f64>, st: &Statistics, n_observed: usize) -> f64 {
    let n_cor = r.len() - st.n_first;
    let ss = r.rows(st.n_first, n_cor).norm_squared();
    (ss / (n_cor + n_observed) as f64).sqrt()
}
