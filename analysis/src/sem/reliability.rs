//! Composite reliability and average variance extracted per factor
//! (Fornell & Larcker 1981), from the std.all solution:
//! `CR = (Σλ)² / ((Σλ)² + Σθ)`, `AVE = Σλ² / k`, with λ the standardized
//! loadings of the factor's k observed indicators and θ their standardized
//! residual variances. Residual covariances among indicators are not part
//! of this (classic) formula. Factors measured only by other factors
//! (second-order) have no observed indicators and are omitted.

use super::partable::ParTable;
use super::syntax::Operator;
use serde::Serialize;

/// Composite reliability and AVE of one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorReliability {
    /// The factor.
    pub factor: String,
    /// Number of observed indicators used.
    pub indicators: usize,
    /// Composite reliability.
    pub cr: f64,
    /// Average variance extracted.
    pub ave: f64,
}

/// CR and AVE of each factor with observed indicators, from the std.all
/// values of a fitted table.
pub fn per_factor(table: &ParTable) -> Vec<FactorReliability> {
    let mut out = Vec::new();
    for lv in &table.latent {
        let mut lambdas = Vec::new();
        let mut thetas = Vec::new();
        for e in table
            .params
            .iter()
            .filter(|e| e.op == Operator::MeasuredBy && &e.lhs == lv && !table.is_latent(&e.rhs))
        {
            let theta = table
                .find(&e.rhs, Operator::Covariance, &e.rhs)
                .and_then(|r| r.std_all);
            if let (Some(l), Some(t)) = (e.std_all, theta) {
                lambdas.push(l);
                thetas.push(t);
            }
        }
        if lambdas.is_empty() {
            continue;
        }
        let sum: f64 = lambdas.iter().sum();
        let cr = sum * sum / (sum * sum + thetas.iter().sum::<f64>());
        let ave = lambdas.iter().map(|l| l * l).sum::<f64>() / lambdas.len() as f64;
        if cr.is_finite() && ave.is_finite() {
            out.push(FactorReliability {
                factor: lv.clone(),
                indicators: lambdas.len(),
                cr,
                ave,
            });
        }
    }
    out
}
