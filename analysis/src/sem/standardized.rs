//! Standardized solutions and R², with lavaan's definitions
//! (`standardizedSolution()`, `cov.std = TRUE`).
//!
//! With `sd(v) = √C_vv` the model-implied standard deviation of a variable
//! (C = covariance of all variables):
//! - std.lv scales latent variables to unit variance: loadings `λ·sd(f)`
//!   (divided by sd of a latent indicator), regressions `b·sd(x)/sd(y)` for
//!   the latent ends, latent variances `ψ/sd²`, latent (residual)
//!   covariances `ψ_ij / √(|ψ_ii| |ψ_jj|)`;
//! - std.all also scales observed variables: loadings `/ sd(x)`, regressions
//!   by the observed ends, observed (residual) variances `θ/sd²`, residual
//!   covariances `θ_ij / √(|θ_ii| |θ_jj|)` (a residual correlation).
//!
//! - intercepts and latent means are divided by the implied standard
//!   deviation of their variable (std.lv: latent means only).
//!
//! R² of an endogenous variable = 1 − (residual variance) / (implied
//! variance).

use super::partable::ParTable;
use super::syntax::Operator;
use nalgebra::DMatrix;

/// Writes std.lv and std.all into every row of a fitted table (`None`
/// where lavaan gives NA: a non-positive implied variance).
pub fn fill(table: &mut ParTable, c: &DMatrix<f64>) {
    for i in 0..table.params.len() {
        let p = &table.params[i];
        let (lv, all) = standardize(table, c, &p.lhs, p.op, &p.rhs, p.value);
        let p = &mut table.params[i];
        p.std_lv = lv.is_finite().then_some(lv);
        p.std_all = all.is_finite().then_some(all);
    }
}

/// (std.lv, std.all) of the value `x` of `l op rh` in a fitted table with
/// implied covariance `c` of all variables; non-finite where lavaan gives
/// NA (a negative implied variance). Residual variances are the table's.
pub fn standardize(
    table: &ParTable,
    c: &DMatrix<f64>,
    l: &str,
    op: Operator,
    rh: &str,
    x: f64,
) -> (f64, f64) {
    let sd = |v: &str| -> f64 {
        match table.index(v) {
            Some(i) if c[(i, i)] > 0.0 => c[(i, i)].sqrt(),
            _ => f64::NAN,
        }
    };
    let rv = |v: &str| -> f64 {
        table
            .find(v, Operator::Covariance, v)
            .map(|p| p.value.abs().sqrt())
            .unwrap_or_else(|| sd(v))
    };
    let lat = |v: &str| table.is_latent(v);
    match op {
        Operator::MeasuredBy => {
            let lv = if lat(rh) {
                x * sd(l) / sd(rh)
            } else {
                x * sd(l)
            };
            let all = if lat(rh) { lv } else { lv / sd(rh) };
            (lv, all)
        }
        Operator::RegressedOn => {
            let mut lv = x;
            if lat(rh) {
                lv *= sd(rh);
            }
            if lat(l) {
                lv /= sd(l);
            }
            let mut all = lv;
            if !lat(rh) {
                all *= sd(rh);
            }
            if !lat(l) {
                all /= sd(l);
            }
            (lv, all)
        }
        Operator::Covariance if l == rh => {
            let s2 = sd(l).powi(2);
            if lat(l) {
                (x / s2, x / s2)
            } else {
                (x, x / s2)
            }
        }
        Operator::Covariance => {
            let mut lv = x;
            let mut all = x;
            for v in [l, rh] {
                if lat(v) {
                    lv /= rv(v);
                }
                all /= rv(v);
            }
            (lv, all)
        }
        // An intercept or mean in the units of the variable's implied
        // standard deviation (std.lv scales latent variables only).
        Operator::Intercept => {
            let lv = if lat(l) { x / sd(l) } else { x };
            (lv, x / sd(l))
        }
        // A threshold in the units of its latent response (which has unit
        // variance in the delta parameterization).
        Operator::Threshold => (x, x / sd(l)),
        // lavaan leaves scale factors as they are.
        Operator::ScaleFactor => (x, x),
    }
}

/// Endogenous variables whose R² lavaan reports: observed variables other
/// than fixed exogenous covariates, then latent variables that are regressed
/// or measured by a higher-order factor.
pub fn r_squared(table: &ParTable, c: &DMatrix<f64>, phi: &DMatrix<f64>) -> Vec<(String, f64)> {
    let endogenous_latent = |v: &str| {
        table.params.iter().any(|p| {
            (p.op == Operator::RegressedOn && p.lhs == v)
                || (p.op == Operator::MeasuredBy && p.rhs == v)
        })
    };
    let endogenous_observed = |v: &str| {
        table.params.iter().any(|p| {
            (p.op == Operator::RegressedOn && p.lhs == v)
                || (p.op == Operator::MeasuredBy && p.rhs == v)
        })
    };
    let mut out = Vec::new();
    for (i, v) in table.observed.iter().enumerate() {
        if endogenous_observed(v) {
            out.push((v.clone(), 1.0 - phi[(i, i)] / c[(i, i)]));
        }
    }
    for (k, v) in table.latent.iter().enumerate() {
        let i = table.p() + k;
        if endogenous_latent(v) {
            out.push((v.clone(), 1.0 - phi[(i, i)] / c[(i, i)]));
        }
    }
    out
}
