//! Modification indices (Sörbom 1989) with expected parameter change, as
//! lavaan's `modindices()`.
//!
//! Candidates: every fixed parameter of the model (other than fixed.x
//! covariates) and the parameters lavaan's "full" table adds — loadings of
//! every factor on every observed indicator, covariances among observed
//! indicators and among latent variables, and regressions among variables
//! that appear in regressions (not an indicator on a latent). For a
//! candidate x with gradient `g = ∂fmin/∂x` (fmin = F/2) and unit expected
//! information `V = I_xx − I_xθ I_θθ⁻¹ I_θx` (the free parameters θ held at
//! the estimates): `MI = N g² / V`, `EPC = −g / V`. Candidates with
//! `V < ε^{1/3}` (≈ 6e-6, freeing them would not be identified) are dropped
//! as lavaan does. `sepc.all` standardizes |EPC| as std.all (for a variance,
//! the current value is standardized), with the sign of EPC.

use super::information::{element_information, Element, Elements};
use super::model::Implied;
use super::partable::{Matrix, ParTable, Parameter};
use super::samplestats::MomentsInUse;
use super::standardized::standardize;
use super::syntax::Operator;
use crate::error::Result;
use nalgebra::DMatrix;
use serde::Serialize;

/// The modification index of one parameter not free in the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModIndex {
    /// Left-hand variable.
    pub lhs: String,
    /// The operator.
    pub op: Operator,
    /// Right-hand variable.
    pub rhs: String,
    /// Expected drop of χ² when the parameter is freed.
    pub mi: f64,
    /// Expected parameter change.
    pub epc: f64,
    /// EPC standardized as std.all (`None` where undefined).
    pub sepc_all: Option<f64>,
}

/// The candidates as rows of the table's shape (value: the current one).
fn candidates(table: &ParTable) -> Result<Vec<Parameter>> {
    let mut out = Vec::new();
    let p = table.p();
    let exists = |l: &str, op: Operator, r: &str| table.find(l, op, r).is_some();
    // Fixed parameters of the model.
    for q in table.params.iter().filter(|q| q.free.is_none() && !q.exo) {
        out.push(q.clone());
    }
    let in_regression: Vec<&String> = {
        let mut v: Vec<&String> = Vec::new();
        for q in table
            .params
            .iter()
            .filter(|q| q.op == Operator::RegressedOn)
        {
            for n in [&q.lhs, &q.rhs] {
                if !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        v
    };
    let indicators: Vec<&String> = table
        .observed
        .iter()
        .filter(|o| {
            table
                .params
                .iter()
                .any(|q| q.op == Operator::MeasuredBy && &q.rhs == *o)
        })
        .collect();
    let mut add = |lhs: &str, op: Operator, rhs: &str, matrix: Matrix, row: usize, col: usize| {
        let mut c = Parameter::new(lhs, op, rhs, (matrix, row, col));
        c.value = 0.0;
        out.push(c);
    };
    // Loadings on observed indicators (not variables in regressions).
    for (k, lv) in table.latent.iter().enumerate() {
        for (i, ov) in table.observed.iter().enumerate() {
            if table.exogenous_observed.contains(ov) || in_regression.contains(&ov) {
                continue;
            }
            if !exists(lv, Operator::MeasuredBy, ov) {
                add(lv, Operator::MeasuredBy, ov, Matrix::A, i, p + k);
            }
        }
    }
    // Residual covariances among indicators.
    for (a, x) in indicators.iter().enumerate() {
        for y in &indicators[a + 1..] {
            if !exists(x, Operator::Covariance, y) {
                let (i, j) = (table.variable(x)?, table.variable(y)?);
                add(x, Operator::Covariance, y, Matrix::Phi, i, j);
            }
        }
    }
    // Covariances among latent variables.
    for (a, x) in table.latent.iter().enumerate() {
        for y in &table.latent[a + 1..] {
            if !exists(x, Operator::Covariance, y) {
                add(
                    x,
                    Operator::Covariance,
                    y,
                    Matrix::Phi,
                    p + a,
                    table.variable(y)?,
                );
            }
        }
    }
    // Regressions among variables in regressions.
    for y in &in_regression {
        for x in &in_regression {
            // Fixed exogenous covariates are not outcomes.
            if x == y || exists(y, Operator::RegressedOn, x) || table.exogenous_observed.contains(y)
            {
                continue;
            }
            if !table.is_latent(y) && table.is_latent(x) && indicators.contains(y) {
                continue;
            }
            let (i, j) = (table.variable(y)?, table.variable(x)?);
            add(y, Operator::RegressedOn, x, Matrix::A, i, j);
        }
    }
    Ok(out)
}

/// Modification indices for all candidates whose freeing is identified,
/// at the estimates of a fitted table (`elements`: those of its free
/// parameters; `vcov`: their covariance).
pub fn modification_indices(
    table: &ParTable,
    moments: &MomentsInUse,
    elements: &Elements,
    imp: &Implied,
    vcov: &DMatrix<f64>,
    n: usize,
) -> Result<Vec<ModIndex>> {
    let n_mult = moments.n_mult;
    let cands = candidates(table)?;
    if cands.is_empty() {
        return Ok(Vec::new());
    }
    let p = table.p();
    let extra = Elements {
        list: cands
            .iter()
            .enumerate()
            .map(|(j, c)| Element {
                theta: Some(j),
                matrix: c.matrix,
                row: c.row,
                col: c.col,
            })
            .collect(),
    };
    // Gradient of fmin for each candidate: vᵀ W u.
    let w = &imp.sigma_inv * (&imp.sigma - &moments.s) * &imp.sigma_inv;
    let (u, v) = extra.uv(imp, p);
    let wu = &w * &u;
    let pu = &imp.sigma_inv * &u;
    let pv = &imp.sigma_inv * &v;
    // I_xθ (candidates × free parameters).
    let cross = element_information(imp, p, &extra, elements);
    let q = table.n_free;
    let mut i_xt = DMatrix::zeros(cands.len(), q);
    for (e, el) in elements.list.iter().enumerate() {
        if let Some(k) = el.theta {
            for j in 0..cands.len() {
                i_xt[(j, k)] += cross[(j, e)];
            }
        }
    }
    // I_θθ⁻¹ = n_mult · vcov.
    let inv = vcov * n_mult;
    let correction = &i_xt * &inv;
    let mut out = Vec::new();
    for (j, c) in cands.iter().enumerate() {
        let uu = u.column(j).dot(&pu.column(j));
        let vv = v.column(j).dot(&pv.column(j));
        let uv = u.column(j).dot(&pv.column(j));
        let i_xx = uu * vv + uv * uv;
        let vj = i_xx - correction.row(j).dot(&i_xt.row(j));
        if vj.is_nan() || vj < f64::EPSILON.cbrt() {
            continue;
        }
        let g = v.column(j).dot(&wu.column(j));
        let mi = n as f64 * g * g / vj;
        let epc = -g / vj;
        let is_variance = c.op == Operator::Covariance && c.lhs == c.rhs;
        let value = if is_variance {
            c.value.abs()
        } else {
            epc.abs()
        };
        let (_, sall) = standardize(table, &imp.c, &c.lhs, c.op, &c.rhs, value);
        let sign = if epc < 0.0 { -1.0 } else { 1.0 };
        out.push(ModIndex {
            lhs: c.lhs.clone(),
            op: c.op,
            rhs: c.rhs.clone(),
            mi,
            epc,
            sepc_all: (sign * sall).is_finite().then_some(sign * sall),
        });
    }
    Ok(out)
}
