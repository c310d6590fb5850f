//! Expected (Fisher) information and standard errors.
//!
//! For ML the unit expected information is
//! `I(θ) = ½ Δᵀ (Σ⁻¹ ⊗ Σ⁻¹) Δ`, `Δ = ∂ vec Σ / ∂θᵀ`, at the model-implied
//! Σ (lavaan's default `information = "expected"`,
//! `h1.information = "structured"`). Forming the p² × p² Kronecker product
//! is avoided: every matrix element has a rank-two derivative
//! `∂Σ/∂x = u vᵀ + v uᵀ` (see [`super::estimate`]), so with `P = Σ⁻¹`
//! `½ tr(P Σ_a P Σ_b) = (uₐᵀPu_b)(vₐᵀPv_b) + (uₐᵀPv_b)(vₐᵀPu_b)`,
//! i.e. `I = (UᵀPU) ∘ (VᵀPV) + (UᵀPV) ∘ (UᵀPV)ᵀ` for the matrices U, V of
//! all elements — O(p²q + pq²) instead of O(p⁴q). Equal-label parameters
//! sum their elements: `I_θ = Jᵀ I J`.
//!
//! Covariance of the estimates: `I⁻¹ / N` (normal likelihood) or
//! `I⁻¹ / (N − 1)` (Wishart), as lavaan.

use super::model::Implied;
use super::partable::{Matrix, ParTable};
use crate::error::{AnalysisError, Location, Result};
use nalgebra::DMatrix;

/// One element of `A` or `Φ`, and the free parameter it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Element {
    /// `A` or `Φ`.
    pub matrix: Matrix,
    /// Row in the matrix.
    pub row: usize,
    /// Column in the matrix.
    pub col: usize,
    /// Its index in θ (`None`: fixed, e.g. a modification-index candidate).
    pub theta: Option<usize>,
}

/// The elements whose derivatives are needed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Elements {
    /// The elements, in order.
    pub list: Vec<Element>,
}

impl Elements {
    /// The elements of the free parameters of a table.
    pub fn free_of(table: &ParTable) -> Elements {
        Elements {
            list: table
                .params
                .iter()
                .filter(|p| p.free.is_some())
                .map(|p| Element {
                    matrix: p.matrix,
                    row: p.row,
                    col: p.col,
                    theta: p.free,
                })
                .collect(),
        }
    }

    /// The vectors u and v (columns) of every element: `∂Σ/∂x = u vᵀ + v uᵀ`.
    pub fn uv(&self, imp: &Implied, p: usize) -> (DMatrix<f64>, DMatrix<f64>) {
        let n = self.list.len();
        let mut u = DMatrix::zeros(p, n);
        let mut v = DMatrix::zeros(p, n);
        for (e, el) in self.list.iter().enumerate() {
            u.column_mut(e).copy_from(&imp.t.view((0, el.row), (p, 1)));
            match el.matrix {
                Matrix::A => v.column_mut(e).copy_from(&imp.c.view((0, el.col), (p, 1))),
                Matrix::Phi if el.row == el.col => v
                    .column_mut(e)
                    .copy_from(&(imp.t.view((0, el.row), (p, 1)) * 0.5)),
                Matrix::Phi => v.column_mut(e).copy_from(&imp.t.view((0, el.col), (p, 1))),
                // Intercepts leave Σ alone.
                Matrix::Mean | Matrix::Threshold | Matrix::Scale => u.column_mut(e).fill(0.0),
            }
        }
        (u, v)
    }

    /// `∂μ/∂x` of every element (p × elements): `T eᵢ νⱼ` for `A[i, j]`
    /// (ν = T m, the means of all variables), `T eᵢ` for the mean `mᵢ`, 0
    /// for `Φ`.
    pub fn mean_jacobian(&self, imp: &Implied, p: usize) -> DMatrix<f64> {
        let mut d = DMatrix::zeros(p, self.list.len());
        for (e, el) in self.list.iter().enumerate() {
            match el.matrix {
                Matrix::A if imp.nu[el.col] != 0.0 => d
                    .column_mut(e)
                    .copy_from(&(imp.t.view((0, el.row), (p, 1)) * imp.nu[el.col])),
                Matrix::Mean => d.column_mut(e).copy_from(&imp.t.view((0, el.row), (p, 1))),
                _ => {}
            }
        }
        d
    }
}

/// Where an element's `u` and `v` come from: every one is a column of
/// `T` or of `C` (times ½ for a variance), so the products `uᵀPu`, `vᵀPv`,
/// `uᵀPv` of all elements are entries of one small `BᵀPB` over the distinct
/// columns `B` in use.
#[derive(Clone, Copy)]
struct Basis {
    u: Option<usize>,
    v: Option<usize>,
    v_scale: f64,
}

/// A column of `T` (`false`) or `C` (`true`).
type Column = (bool, usize);

fn basis_of(el: &Element, index: &mut Vec<Column>) -> Basis {
    let mut at = |c: Column| match index.iter().position(|&x| x == c) {
        Some(i) => i,
        None => {
            index.push(c);
            index.len() - 1
        }
    };
    match el.matrix {
        Matrix::A => Basis {
            u: Some(at((false, el.row))),
            v: Some(at((true, el.col))),
            v_scale: 1.0,
        },
        Matrix::Phi if el.row == el.col => {
            let t = at((false, el.row));
            Basis {
                u: Some(t),
                v: Some(t),
                v_scale: 0.5,
            }
        }
        Matrix::Phi => Basis {
            u: Some(at((false, el.row))),
            v: Some(at((false, el.col))),
            v_scale: 1.0,
        },
        // Intercepts, thresholds and scale factors leave Σ alone.
        Matrix::Mean | Matrix::Threshold | Matrix::Scale => Basis {
            u: None,
            v: None,
            v_scale: 0.0,
        },
    }
}

/// Unit expected information between two element sets (rows: `a`,
/// columns: `b`), element level: `(UᵀPU)∘(VᵀPV) + (UᵀPV)∘(VᵀPU)`, each
/// product read from `K = BᵀPB` over the distinct columns of `T` and `C`
/// the elements use (O(p²k + pk²) for k ≤ 2m columns, instead of forming
/// the p × elements matrices U and V and four products of them).
pub fn element_information(imp: &Implied, p: usize, a: &Elements, b: &Elements) -> DMatrix<f64> {
    let mut index: Vec<Column> = Vec::new();
    let ba: Vec<Basis> = a.list.iter().map(|e| basis_of(e, &mut index)).collect();
    let bb: Vec<Basis> = b.list.iter().map(|e| basis_of(e, &mut index)).collect();
    let mut basis = DMatrix::zeros(p, index.len());
    for (k, &(from_c, col)) in index.iter().enumerate() {
        let source = if from_c { &imp.c } else { &imp.t };
        basis
            .column_mut(k)
            .copy_from(&source.view((0, col), (p, 1)));
    }
    let k = basis.tr_mul(&(&imp.sigma_inv * &basis));
    let entry = |x: Option<usize>, y: Option<usize>| match (x, y) {
        (Some(x), Some(y)) => k[(x, y)],
        _ => 0.0,
    };
    DMatrix::from_fn(ba.len(), bb.len(), |i, j| {
        let (x, y) = (ba[i], bb[j]);
        let uu = entry(x.u, y.u);
        let vv = x.v_scale * y.v_scale * entry(x.v, y.v);
        let uv = y.v_scale * entry(x.u, y.v);
        let vu = x.v_scale * entry(x.v, y.u);
        uu * vv + uv * vu
    })
}

/// Unit expected information of the free parameters θ; with a mean
/// structure plus `(∂μ/∂θ)ᵀ Σ⁻¹ (∂μ/∂θ)`.
pub fn expected_information(table: &ParTable, elements: &Elements, imp: &Implied) -> DMatrix<f64> {
    let mut info = element_information(imp, table.p(), elements, elements);
    if table.meanstructure {
        let d = elements.mean_jacobian(imp, table.p());
        info += d.transpose() * &imp.sigma_inv * &d;
    }
    collapse(&info, elements, elements, table.n_free, table.n_free)
}

/// Sums element rows/columns into parameter rows/columns (`Jᵀ I J`);
/// elements without a θ index map to their own position offset after
/// `n_rows`/`n_cols` is reached only through `theta`.
pub fn collapse(
    info: &DMatrix<f64>,
    rows: &Elements,
    cols: &Elements,
    n_rows: usize,
    n_cols: usize,
) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(n_rows, n_cols);
    for (i, ei) in rows.list.iter().enumerate() {
        let Some(a) = ei.theta else { continue };
        for (j, ej) in cols.list.iter().enumerate() {
            let Some(b) = ej.theta else { continue };
            out[(a, b)] += info[(i, j)];
        }
    }
    out
}

/// The result of inverting the information: covariance of the estimates,
/// or the parameters involved in a (near) singularity.
pub enum Inversion {
    /// The covariance matrix of the estimates.
    Vcov(DMatrix<f64>),
    /// Indices of θ with the largest weight in the null direction.
    Singular(Vec<usize>),
}

/// Inverts `n · I` after checking its conditioning: a smallest eigenvalue
/// below 1e-10 of the largest means the model is not identified (at the
/// estimates).
pub fn invert_information(info: &DMatrix<f64>, n: f64) -> Inversion {
    let q = info.nrows();
    if q == 0 {
        return Inversion::Vcov(DMatrix::zeros(0, 0));
    }
    // Scale to unit diagonal for a meaningful condition check.
    let d: Vec<f64> = (0..q).map(|i| info[(i, i)].max(0.0).sqrt()).collect();
    if d.iter().any(|&x| x.is_nan() || x <= 0.0 || !x.is_finite()) {
        let bad = (0..q).filter(|&i| d[i].is_nan() || d[i] <= 0.0).collect();
        return Inversion::Singular(bad);
    }
    let scaled = DMatrix::from_fn(q, q, |i, j| info[(i, j)] / (d[i] * d[j]));
    // Fast path: with unit diagonal, λmax ≤ tr = q, and λmax of the inverse
    // ≤ its Frobenius norm; when q·‖inv‖_F < 1e10 the eigenvalue check below
    // cannot fail, so the O(q³) eigen-decomposition (most of the time of
    // this stage at q ≈ 200) is needed only near a singularity.
    if let Some(chol) = scaled.clone().cholesky() {
        let inv = chol.inverse();
        if inv.iter().all(|x| x.is_finite()) && q as f64 * inv.norm() < 1e10 {
            return Inversion::Vcov(DMatrix::from_fn(q, q, |i, j| {
                inv[(i, j)] / (d[i] * d[j] * n)
            }));
        }
    }
    let eig = nalgebra::SymmetricEigen::new(scaled.clone());
    let (mut kmin, mut vmin, mut vmax) = (0, f64::INFINITY, 0.0f64);
    for (k, &l) in eig.eigenvalues.iter().enumerate() {
        if l < vmin {
            vmin = l;
            kmin = k;
        }
        vmax = vmax.max(l);
    }
    if vmin.is_nan() || vmin <= 1e-10 * vmax {
        let vec = eig.eigenvectors.column(kmin);
        let mut idx: Vec<usize> = (0..q).collect();
        idx.sort_by(|&a, &b| vec[b].abs().total_cmp(&vec[a].abs()));
        let top = vec[idx[0]].abs();
        let bad = idx
            .into_iter()
            .filter(|&i| vec[i].abs() > 0.3 * top)
            .take(4)
            .collect();
        return Inversion::Singular(bad);
    }
    match scaled.try_inverse() {
        Some(inv) => Inversion::Vcov(DMatrix::from_fn(q, q, |i, j| {
            inv[(i, j)] / (d[i] * d[j] * n)
        })),
        None => Inversion::Singular((0..q).collect()),
    }
}

/// The covariance of the estimates from `n · info`, or the error a user
/// reads instead: when `info` is singular, a fit that did not converge
/// reports that (`not_converged`), a converged one is not identified and the
/// error names the parameters involved (`name_of` gives a θ index its
/// "lhs op rhs"). `matrix` names the information used ("information",
/// "observed information"); `source` is the model's source.
pub fn vcov_or_unidentified(
    info: &DMatrix<f64>,
    n: f64,
    converged: bool,
    not_converged: &dyn std::fmt::Display,
    matrix: &str,
    source: &str,
    name_of: impl Fn(usize) -> Option<String>,
) -> Result<DMatrix<f64>> {
    match invert_information(info, n) {
        Inversion::Vcov(v) => Ok(v),
        Inversion::Singular(_) if !converged => {
            Err(AnalysisError::computation(not_converged.to_string()))
        }
        Inversion::Singular(idx) => {
            let names: Vec<String> = idx.into_iter().filter_map(name_of).collect();
            Err(AnalysisError::unsuitable(
                Location::source(source),
                format!(
                    "the model is not identified: the {matrix} matrix is singular; the parameters involved include {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

/// "lhs op rhs" of the free parameter `k` of `table`, for error messages.
pub fn free_parameter_name(table: &ParTable, k: usize) -> Option<String> {
    table
        .params
        .iter()
        .find(|p| p.free == Some(k))
        .map(|p| format!("{} {} {}", p.lhs, p.op, p.rhs))
}
