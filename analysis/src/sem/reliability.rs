//! Composite reliability and average variance extracted per factor
//! (Fornell & Larcker 1981), from the std.all solution:
//! `CR = (Σλ)² / ((Σλ)² + Σθ)`, `AVE = Σλ² / k`, with λ the standardized
//! loadings of the factor's k observed indicators and θ their standardized
//! residual variances. Residual covariances among indicators are not part
//! of this (classic) formula. Factors measured only by other factors
//! (second-order) have no observed indicators and are omitted.

use super::model::ParTable;
use super::Estimate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorReliability {
    pub factor: String,
    pub indicators: usize,
    pub cr: f64,
    pub ave: f64,
}

pub fn per_factor(table: &ParTable, estimates: &[Estimate]) -> Vec<FactorReliability> {
    let mut out = Vec::new();
    for lv in &table.latent {
        let mut lambdas = Vec::new();
        let mut thetas = Vec::new();
        for e in estimates
            .iter()
            .filter(|e| e.op == "=~" && &e.lhs == lv && !table.is_latent(&e.rhs))
        {
            let theta = estimates
                .iter()
                .find(|r| r.op == "~~" && r.lhs == e.rhs && r.rhs == e.rhs)
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
