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

use super::estimate::{Implied, Problem};
use super::information::{element_information, Element, Elements};
use super::model::{Matrix, ParTable};
use super::standardized::{standardize, Row};
use super::syntax::Operator;
use nalgebra::DMatrix;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModIndex {
    pub lhs: String,
    pub op: String,
    pub rhs: String,
    pub mi: f64,
    pub epc: f64,
    pub sepc_all: Option<f64>,
}

struct Candidate {
    lhs: String,
    op: Operator,
    rhs: String,
    element: Element,
    current: f64,
}

fn candidates(table: &ParTable) -> Vec<Candidate> {
    let mut out = Vec::new();
    let p = table.p();
    let exists = |l: &str, op: Operator, r: &str| table.find(l, op, r).is_some();
    // Fixed parameters of the model.
    for q in table.params.iter().filter(|q| q.free.is_none() && !q.exo) {
        out.push(Candidate {
            lhs: q.lhs.clone(),
            op: q.op,
            rhs: q.rhs.clone(),
            element: Element {
                matrix: q.matrix,
                row: q.row,
                col: q.col,
                theta: None,
            },
            current: q.value,
        });
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
        out.push(Candidate {
            lhs: lhs.to_owned(),
            op,
            rhs: rhs.to_owned(),
            element: Element {
                matrix,
                row,
                col,
                theta: None,
            },
            current: 0.0,
        });
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
                let (i, j) = (table.index(x).unwrap_or(0), table.index(y).unwrap_or(0));
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
                    table.index(y).unwrap_or(0),
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
            let (i, j) = (table.index(y).unwrap_or(0), table.index(x).unwrap_or(0));
            add(y, Operator::RegressedOn, x, Matrix::A, i, j);
        }
    }
    out
}

/// Modification indices for all candidates whose freeing is identified.
pub fn modification_indices(
    table: &ParTable,
    problem: &Problem,
    imp: &Implied,
    vcov: &DMatrix<f64>,
    n: usize,
    n_mult: f64,
) -> Vec<ModIndex> {
    let cands = candidates(table);
    if cands.is_empty() {
        return Vec::new();
    }
    let p = table.p();
    let extra = Elements {
        list: cands
            .iter()
            .enumerate()
            .map(|(j, c)| Element {
                theta: Some(j),
                ..c.element
            })
            .collect(),
    };
    // Gradient of fmin for each candidate: vᵀ W u.
    let w = &imp.sigma_inv * (&imp.sigma - &problem.s) * &imp.sigma_inv;
    let (u, v) = extra.uv(imp, p);
    let wu = &w * &u;
    let pu = &imp.sigma_inv * &u;
    let pv = &imp.sigma_inv * &v;
    // I_xθ (candidates × free parameters).
    let cross = element_information(imp, p, &extra, &problem.elements);
    let q = table.n_free;
    let mut i_xt = DMatrix::zeros(cands.len(), q);
    for (e, el) in problem.elements.list.iter().enumerate() {
        if let Some(k) = el.theta {
            for j in 0..cands.len() {
                i_xt[(j, k)] += cross[(j, e)];
            }
        }
    }
    // I_θθ⁻¹ = n_mult · vcov.
    let inv = vcov * n_mult;
    let correction = &i_xt * &inv;
    let est_of = |v: &str| table.find(v, Operator::Covariance, v).map(|q| q.value);
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
            c.current.abs()
        } else {
            epc.abs()
        };
        let row = Row {
            lhs: &c.lhs,
            op: c.op,
            rhs: &c.rhs,
            value,
        };
        let (_, sall) = standardize(table, &imp.c, &[row], &est_of)[0];
        let sign = if epc < 0.0 { -1.0 } else { 1.0 };
        out.push(ModIndex {
            lhs: c.lhs.clone(),
            op: c.op.symbol().to_owned(),
            rhs: c.rhs.clone(),
            mi,
            epc,
            sepc_all: (sign * sall).is_finite().then_some(sign * sall),
        });
    }
    out
}
