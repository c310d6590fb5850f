//! Robust inference with missing data (lavaan 0.6.14's `estimator = "MLR",
//! missing = "ml"`), and the FIML-corrected robust RMSEA and CFI that
//! lavaan reports for every fit with `missing = "ml"` (Zhang & Savalei
//! 2022, lavaan's `lav_fit_fiml_corrected`).
//!
//! With s = (μ, vech Σ) the unrestricted moments, Δ = ∂s/∂θᵀ at the
//! estimates, E the observed information of θ (half the Hessian of F, as
//! for the ML standard errors) and N the cases used:
//!
//! - **Huber–White SEs**: `vcov = E⁻¹ B₀ E⁻¹ / N`, B₀ = ΔᵀJ₀Δ with J₀ the
//!   mean cross-product of the casewise scores of the incomplete-data
//!   likelihood at the model-implied moments (`h1.information.meat =
//!   "structured"`).
//! - **Yuan–Bentler (Mplus variant)** scaled test
//!   (`lav_test_yuan_bentler_mplus_trace`): `c = (tr(A₁⁻¹B₁) − tr(E⁻¹B₀)) /
//!   df`, with A₁ the observed information and B₁ the first-order
//!   information of the incomplete-data likelihood at the EM (unrestricted)
//!   moments — lavaan always takes the unstructured h1 here. lavaan reports
//!   the two traces over their dimensions as `scaling.factor.h1`
//!   (tr(A₁⁻¹B₁)/dim s) and `scaling.factor.h0` (tr(E⁻¹B₀)/npar). The
//!   baseline (independence) model gets its factor the same way at its
//!   FIML estimates (available-case means and variances).
//! - **Robust CFI, TLI, RNI and RMSEA** are not the complete-data ones:
//!   lavaan refits the model's estimates to the EM moments as if they were
//!   complete-data sample moments, giving χ²₃ = N·F_ML(θ̂; EM moments),
//!   and scales it by `c₃ = k / df` with, for W_m and J_m the observed and
//!   first-order h1 information at the EM moments, W_c the complete-data
//!   normal weight there and `U = W_m − W_mΔ(ΔᵀW_mΔ)⁻¹ΔᵀW_m`:
//!   `k = tr(U W_m⁻¹W_cW_m⁻¹ U Γ)` with Γ = W_m⁻¹J_mW_m⁻¹ when a scaled
//!   test exists (MLR: lavaan's "V3"), else `k = tr(W_c W_m⁻¹ U W_m⁻¹)`
//!   (ML: "V6"); the baseline likewise. The indices then put χ²₃ and c₃
//!   into the robust formulas of [`super::robust`].

use super::fit::{noncentral_chisq_sf, FitMeasures};
use super::information::Elements;
use super::model::Implied;
use super::partable::ParTable;
use super::robust::{
    cfi_corrected, inverse, moments_jacobian, normal_weight, rmsea_ci_corrected, tli_corrected,
    vech_pairs, RobustFit, RobustInference,
};
use super::Estimator;
use crate::error::{AnalysisError, Result};
use crate::mvnorm_missing::{MissingPatterns, Unrestricted};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Fit measures lavaan reports for a fit with missing data beyond the
/// shared ones; keys as lavaan's with `.` → `_`, left out when not given.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FimlMeasures {
    /// tr(A₁⁻¹B₁) / (number of unrestricted moments) (MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_factor_h1: Option<f64>,
    /// tr(E⁻¹B₀) / npar (MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_factor_h0: Option<f64>,
    /// FIML-corrected robust CFI (given here for ML; MLR has it among its
    /// robust measures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfi_robust: Option<f64>,
    /// FIML-corrected robust TLI (ML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tli_robust: Option<f64>,
    /// FIML-corrected robust NNFI (= TLI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nnfi_robust: Option<f64>,
    /// FIML-corrected robust RNI (CFI without the truncation at 0 and 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rni_robust: Option<f64>,
    /// FIML-corrected robust RMSEA (ML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_robust: Option<f64>,
    /// Lower end of its 90 % interval (ML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_ci_lower_robust: Option<f64>,
    /// Upper end of its 90 % interval (ML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_ci_upper_robust: Option<f64>,
    /// p-value of H0: robust RMSEA ≤ 0.05 (ML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_pvalue_robust: Option<f64>,
    /// p-value of H0: robust RMSEA ≥ 0.08.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_notclose_pvalue_robust: Option<f64>,
}

/// What [`inference`] finds.
pub(crate) struct FimlInference {
    /// The Huber–White covariance of the estimates (MLR only).
    pub vcov: Option<DMatrix<f64>>,
    /// The scaled test and indices (MLR only), robust ones FIML-corrected.
    pub robust: Option<RobustFit>,
    /// The rest of lavaan's FIML measures.
    pub measures: FimlMeasures,
}

/// Rows of (μ, vech Σ) that the independence model's parameters (means,
/// then variances) move: Δ of the baseline, a selection matrix.
fn baseline_jacobian(p: usize) -> DMatrix<f64> {
    let pairs = vech_pairs(p);
    let mut rows: Vec<usize> = (0..p).collect();
    rows.extend(
        pairs
            .iter()
            .enumerate()
            .filter(|(_, &(a, b))| a == b)
            .map(|(r, _)| p + r),
    );
    DMatrix::from_fn(p + pairs.len(), rows.len(), |r, c| {
        if rows[c] == r {
            1.0
        } else {
            0.0
        }
    })
}

/// Σ of `a ∘ bᵀ` = tr(AB).
fn trace_of_product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    a.iter().zip(b.transpose().iter()).map(|(x, y)| x * y).sum()
}

/// The complete-data ML discrepancy F = log|Σ| − log|S| + tr(SΣ⁻¹) − p +
/// (ȳ − μ)ᵀΣ⁻¹(ȳ − μ) of (μ, Σ) to the moments (ȳ, S).
fn complete_data_discrepancy(
    mean: &DVector<f64>,
    sigma: &DMatrix<f64>,
    ybar: &DVector<f64>,
    s: &DMatrix<f64>,
) -> Option<f64> {
    let (sigma_inv, log_det_sigma) = super::model::spd_inverse(sigma)?;
    let (_, log_det_s) = super::model::spd_inverse(s)?;
    let d = ybar - mean;
    Some(
        log_det_sigma - log_det_s + trace_of_product(s, &sigma_inv) - s.nrows() as f64
            + (&sigma_inv * &d).dot(&d),
    )
}

/// The mean cross-product of the casewise scores at (μ, Σ).
fn first_order(
    patterns: &MissingPatterns,
    mean: &DVector<f64>,
    cov: &DMatrix<f64>,
) -> Result<DMatrix<f64>> {
    let scores = patterns.casewise_scores(mean, cov).ok_or_else(not_pd)?;
    Ok(crate::mvnorm_scores::first_order_information(&scores))
}

fn observed(
    patterns: &MissingPatterns,
    mean: &DVector<f64>,
    cov: &DMatrix<f64>,
) -> Result<DMatrix<f64>> {
    patterns.observed_information(mean, cov).ok_or_else(not_pd)
}

fn not_pd() -> AnalysisError {
    AnalysisError::computation(
        "a covariance matrix is not positive definite for some missingness pattern: the robust inference with missing data cannot be computed",
    )
}

/// χ²₃ and k of the FIML-corrected indices for one model (Δ its Jacobian,
/// (μ, Σ) its estimates); `gamma` selects version V3 (Some(Γ)) or V6.
struct Corrected {
    chisq: f64,
    k: f64,
}

#[allow(clippy::too_many_arguments)]
fn corrected(
    delta: &DMatrix<f64>,
    mean: &DVector<f64>,
    sigma: &DMatrix<f64>,
    h1: &Unrestricted,
    wm: &DMatrix<f64>,
    wm_inv: &DMatrix<f64>,
    wc: &DMatrix<f64>,
    gamma: Option<&DMatrix<f64>>,
    n: f64,
) -> Result<Corrected> {
    let chisq = n * complete_data_discrepancy(mean, sigma, &h1.mean, &h1.cov).ok_or_else(not_pd)?;
    let wd = wm * delta;
    let e_inv = inverse(
        &(delta.transpose() * &wd),
        "information of the model at the EM moments",
    )?;
    let u = wm - &wd * e_inv * wd.transpose();
    let k = match gamma {
        Some(g) => {
            let left = &u * wm_inv * wc * wm_inv * &u;
            trace_of_product(&left, g)
        }
        None => trace_of_product(wc, &(wm_inv * &u * wm_inv)),
    };
    Ok(Corrected { chisq, k })
}

/// The robust indices from χ²₃, c₃ of the model and of the baseline.
struct RobustIndices {
    cfi: Option<f64>,
    tli: Option<f64>,
    rni: Option<f64>,
    rmsea: Option<f64>,
    ci: (Option<f64>, Option<f64>),
    pvalue: Option<f64>,
    notclose_pvalue: Option<f64>,
}

fn robust_indices(
    model: &Corrected,
    baseline: &Corrected,
    df: f64,
    dfb: f64,
    n: f64,
) -> RobustIndices {
    let positive = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
    let c = (df > 0.0).then(|| model.k / df).and_then(positive);
    let cb = (dfb > 0.0).then(|| baseline.k / dfb).and_then(positive);
    let (x2, x2b) = (model.chisq, baseline.chisq);
    let both = |f: &dyn Fn(f64, f64) -> f64| match (c, cb) {
        (Some(c), Some(cb)) => Some(f(c, cb)),
        _ => None,
    };
    let scaled = c.map(|c| x2 / c);
    RobustIndices {
        cfi: both(&|c, cb| cfi_corrected(x2, df, x2b, dfb, c, cb)),
        tli: both(&|c, cb| tli_corrected(x2, df, x2b, dfb, c, cb)),
        rni: both(&|c, cb| {
            let (t1, t2) = (x2 - c * df, x2b - cb * dfb);
            if t2.abs() < 1.5e-8 {
                f64::NAN
            } else {
                1.0 - t1 / t2
            }
        })
        .filter(|v| v.is_finite()),
        rmsea: c.map(|c| {
            if df > 0.0 {
                ((x2 / n) / df - c / n).max(0.0).sqrt()
            } else {
                0.0
            }
        }),
        ci: match (scaled, c) {
            (Some(xs), Some(c)) => {
                let (lo, hi) = rmsea_ci_corrected(xs, df, n, c);
                (Some(lo), Some(hi))
            }
            _ => (None, None),
        },
        pvalue: match (scaled, c) {
            (Some(xs), Some(c)) if df > 0.0 => {
                Some(noncentral_chisq_sf(xs, df, n * df * 0.05 * 0.05 / c))
            }
            _ => None,
        },
        notclose_pvalue: match (scaled, c) {
            (Some(xs), Some(c)) if df > 0.0 => {
                Some(1.0 - noncentral_chisq_sf(xs, df, n * df * 0.08 * 0.08 / c))
            }
            _ => None,
        },
    }
}

/// Robust inference of a FIML fit at its estimates (see the module
/// documentation): `information` is the unit observed information of θ
/// (half the Hessian of F), `fit` the ML fit measures already computed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn inference(
    estimator: Estimator,
    table: &ParTable,
    imp: &Implied,
    patterns: &MissingPatterns,
    h1: &Unrestricted,
    information: &DMatrix<f64>,
    fit: &FitMeasures,
) -> Result<FimlInference> {
    let n = patterns.nobs as f64;
    let p = table.p();
    let elements = Elements::free_of(table);
    let delta = moments_jacobian(table, &elements, imp);
    let delta_b = baseline_jacobian(p);
    let (mean_b, sigma_b) = patterns.available_case_moments();
    // The unrestricted model at the EM moments.
    let wm = observed(patterns, &h1.mean, &h1.cov)?;
    let wm_inv = inverse(&wm, "observed information of the unrestricted model")?;
    let jm = first_order(patterns, &h1.mean, &h1.cov)?;
    let (h1_cov_inv, _) = super::model::spd_inverse(&h1.cov).ok_or_else(not_pd)?;
    let wc = normal_weight(&h1_cov_inv, true);
    let mlr = estimator == Estimator::MLR;
    let gamma = mlr.then(|| &wm_inv * &jm * &wm_inv);
    let model = corrected(
        &delta,
        &imp.mean,
        &imp.sigma,
        h1,
        &wm,
        &wm_inv,
        &wc,
        gamma.as_ref(),
        n,
    )?;
    let baseline = corrected(
        &delta_b,
        &mean_b,
        &sigma_b,
        h1,
        &wm,
        &wm_inv,
        &wc,
        gamma.as_ref(),
        n,
    )?;
    let ri = robust_indices(&model, &baseline, fit.df, fit.baseline_df, n);
    let mut measures = FimlMeasures {
        nnfi_robust: ri.tli,
        rni_robust: ri.rni,
        rmsea_notclose_pvalue_robust: ri.notclose_pvalue,
        ..FimlMeasures::default()
    };
    if !mlr {
        measures.cfi_robust = ri.cfi;
        measures.tli_robust = ri.tli;
        measures.rmsea_robust = ri.rmsea;
        measures.rmsea_ci_lower_robust = ri.ci.0;
        measures.rmsea_ci_upper_robust = ri.ci.1;
        measures.rmsea_pvalue_robust = ri.pvalue;
        return Ok(FimlInference {
            vcov: None,
            robust: None,
            measures,
        });
    }
    // MLR: Huber–White SEs and the Yuan–Bentler (Mplus) traces.
    let e_inv = inverse(information, "observed information")?;
    let j0 = first_order(patterns, &imp.mean, &imp.sigma)?;
    let b0 = delta.transpose() * j0 * &delta;
    let vcov = &e_inv * &b0 * &e_inv / n;
    let trace_h1 = trace_of_product(&jm, &wm_inv);
    let trace_h0 = trace_of_product(&b0, &e_inv);
    let e_b = delta_b.transpose() * observed(patterns, &mean_b, &sigma_b)? * &delta_b;
    let e_b_inv = inverse(&e_b, "observed information of the baseline model")?;
    let b0_b = delta_b.transpose() * first_order(patterns, &mean_b, &sigma_b)? * &delta_b;
    let r = RobustInference {
        estimator,
        vcov: vcov.clone(),
        trace: trace_h1 - trace_h0,
        baseline_trace: trace_h1 - trace_of_product(&b0_b, &e_b_inv),
    };
    let mut robust = super::robust::measures(fit, &r, patterns.nobs);
    robust.cfi_robust = ri.cfi;
    robust.tli_robust = ri.tli;
    robust.rmsea_robust = ri.rmsea;
    robust.rmsea_ci_lower_robust = ri.ci.0;
    robust.rmsea_ci_upper_robust = ri.ci.1;
    robust.rmsea_pvalue_robust = ri.pvalue;
    measures.scaling_factor_h1 = Some(trace_h1 / wm.nrows() as f64);
    measures.scaling_factor_h0 = Some(trace_h0 / table.n_free as f64);
    Ok(FimlInference {
        vcov: Some(vcov),
        robust: Some(robust),
        measures,
    })
}
