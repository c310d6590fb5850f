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
//!   (tr(A₁⁻¹B₁)/dim s) and `scaling.factor.h0` (tr(E⁻¹B₀) over the free
//!   rows of the parameter table, equal parameters counted per row). The
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
    /// lavaan's other closed-form measures (NNFI, RFI, IFI, RNI, PNFI,
    /// not-close fit, critical N, MFI, ECVI).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub more: Option<super::fit_more::MoreMeasures>,
}

/// Above this many unrestricted moments (means, variances, covariances,
/// over all groups: 1 000 is 43 variables in one group) the robust pieces
/// are not computed: they form the q × q information of the unrestricted
/// model, invert it and multiply such matrices (O(q³) time, O(q²) memory;
/// the 78-item questionnaire has q = 3 159). ML fits then go without the
/// robust indices (with a warning); MLR, whose SEs and test need them,
/// computes them at that cost (tens of seconds for q = 3 159).
pub const ROBUST_MOMENTS_LIMIT: usize = 1000;

/// What [`inference`] finds.
pub(crate) struct FimlInference {
    /// The robust indices were skipped for this many moments.
    pub skipped_moments: Option<usize>,
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

/// One group of a FIML fit at its estimates.
pub(crate) struct FimlGroup<'a> {
    pub(crate) table: &'a ParTable,
    pub(crate) imp: &'a Implied,
    pub(crate) patterns: &'a MissingPatterns,
    pub(crate) h1: &'a Unrestricted,
}

/// A block-diagonal matrix of `blocks`.
fn block_diagonal(blocks: &[DMatrix<f64>]) -> DMatrix<f64> {
    let rows: usize = blocks.iter().map(|b| b.nrows()).sum();
    let cols: usize = blocks.iter().map(|b| b.ncols()).sum();
    let mut out = DMatrix::zeros(rows, cols);
    let (mut r, mut c) = (0, 0);
    for b in blocks {
        out.view_mut((r, c), b.shape()).copy_from(b);
        r += b.nrows();
        c += b.ncols();
    }
    out
}

/// Stacks the groups' Jacobians (each over the shared θ) row-wise.
fn stacked(blocks: &[DMatrix<f64>]) -> DMatrix<f64> {
    let rows: usize = blocks.iter().map(|b| b.nrows()).sum();
    let cols = blocks.first().map_or(0, |b| b.ncols());
    let mut out = DMatrix::zeros(rows, cols);
    let mut r = 0;
    for b in blocks {
        out.view_mut((r, 0), b.shape()).copy_from(b);
        r += b.nrows();
    }
    out
}

/// The k of the FIML-corrected indices of one model over all groups (Δ
/// stacked over the groups' moments), as `lav_fit_fiml_corrected` with
/// the group weights fg = n_g/N: W_m and W_c weighted by fg, W_m⁻¹ and Γ
/// by 1/fg.
struct Unrestricted3 {
    wm: DMatrix<f64>,
    wm_inv: DMatrix<f64>,
    wc: DMatrix<f64>,
    gamma: Option<DMatrix<f64>>,
}

fn corrected_k(delta: &DMatrix<f64>, h: &Unrestricted3) -> Result<f64> {
    let wd = &h.wm * delta;
    let e_inv = inverse(
        &(delta.transpose() * &wd),
        "information of the model at the EM moments",
    )?;
    let u = &h.wm - &wd * e_inv * wd.transpose();
    Ok(match &h.gamma {
        Some(g) => {
            let left = &u * &h.wm_inv * &h.wc * &h.wm_inv * &u;
            trace_of_product(&left, g)
        }
        None => trace_of_product(&h.wc, &(&h.wm_inv * &u * &h.wm_inv)),
    })
}

/// χ²₃ and k of the FIML-corrected indices for one model.
struct Corrected {
    chisq: f64,
    k: f64,
}

/// The robust indices from χ²₃, c₃ of the model and of the baseline
/// (RMSEA × √G and the close-fit non-centrality / G with G groups, as
/// lavaan's `lav_fit_rmsea*`).
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
    groups: f64,
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
    let root_g = groups.sqrt();
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
                ((x2 / n) / df - c / n).max(0.0).sqrt() * root_g
            } else {
                0.0
            }
        }),
        ci: match (scaled, c) {
            (Some(xs), Some(c)) => {
                let (lo, hi) = rmsea_ci_corrected(xs, df, n, c);
                (Some(lo * root_g), Some(hi * root_g))
            }
            _ => (None, None),
        },
        pvalue: match (scaled, c) {
            (Some(xs), Some(c)) if df > 0.0 => Some(noncentral_chisq_sf(
                xs,
                df,
                n * df * 0.05 * 0.05 / c / groups,
            )),
            _ => None,
        },
        notclose_pvalue: match (scaled, c) {
            (Some(xs), Some(c)) if df > 0.0 => {
                Some(1.0 - noncentral_chisq_sf(xs, df, n * df * 0.08 * 0.08 / c / groups))
            }
            _ => None,
        },
    }
}

/// Robust inference of a FIML fit at its estimates (see the module
/// documentation), over one group or several: `information` is the unit
/// observed information of θ (half the Hessian of F, over all N cases),
/// `fit` the ML fit measures already computed.
pub(crate) fn inference(
    estimator: Estimator,
    groups: &[FimlGroup],
    information: &DMatrix<f64>,
    fit: &FitMeasures,
) -> Result<FimlInference> {
    let moments: usize = groups
        .iter()
        .map(|g| g.table.p() * (g.table.p() + 3) / 2)
        .sum();
    // MLR needs these pieces for its SEs and test, whatever they cost;
    // ML only for its robust indices, which large models go without.
    if moments > ROBUST_MOMENTS_LIMIT && estimator != Estimator::MLR {
        return Ok(FimlInference {
            skipped_moments: Some(moments),
            vcov: None,
            robust: None,
            measures: FimlMeasures::default(),
        });
    }
    let nobs: usize = groups.iter().map(|g| g.patterns.nobs).sum();
    let n = nobs as f64;
    let mlr = estimator == Estimator::MLR;
    let (mut deltas, mut deltas_b) = (Vec::new(), Vec::new());
    let (mut wm_g, mut wm_inv_g, mut wc_g, mut gamma_g) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut chisq3, mut chisq3_b) = (0.0, 0.0);
    let mut trace_h1 = 0.0;
    let mut baseline_trace = 0.0;
    let mut b0 = DMatrix::zeros(information.nrows(), information.ncols());
    let mut ndat = 0;
    for g in groups {
        let ng = g.patterns.nobs as f64;
        let fg = ng / n;
        let p = g.table.p();
        let elements = Elements::free_of(g.table);
        let delta = moments_jacobian(g.table, &elements, g.imp);
        let delta_b = baseline_jacobian(p);
        let (mean_b, sigma_b) = g.patterns.available_case_moments();
        // The unrestricted model at the EM moments.
        let wm = observed(g.patterns, &g.h1.mean, &g.h1.cov)?;
        // Singular where some pair of variables is never observed together
        // (zero coverage): then, as lavaan's NA, no scaled test and no
        // robust indices — NaN here, left out of the measures below.
        let wm_inv = inverse(&wm, "observed information of the unrestricted model")
            .unwrap_or_else(|_| DMatrix::from_element(wm.nrows(), wm.ncols(), f64::NAN));
        let jm = first_order(g.patterns, &g.h1.mean, &g.h1.cov)?;
        let (h1_cov_inv, _) = super::model::spd_inverse(&g.h1.cov).ok_or_else(not_pd)?;
        let wc = normal_weight(&h1_cov_inv, true);
        chisq3 += ng
            * complete_data_discrepancy(&g.imp.mean, &g.imp.sigma, &g.h1.mean, &g.h1.cov)
                .ok_or_else(not_pd)?;
        chisq3_b += ng
            * complete_data_discrepancy(&mean_b, &sigma_b, &g.h1.mean, &g.h1.cov)
                .ok_or_else(not_pd)?;
        if mlr {
            let trace_h1_g = trace_of_product(&jm, &wm_inv);
            trace_h1 += trace_h1_g;
            let j0 = first_order(g.patterns, &g.imp.mean, &g.imp.sigma)?;
            b0 += delta.transpose() * j0 * &delta * fg;
            // The baseline's parameters are the group's own: its unit
            // information and meat are the group's.
            let e_b = delta_b.transpose() * observed(g.patterns, &mean_b, &sigma_b)? * &delta_b;
            let e_b_inv = inverse(&e_b, "observed information of the baseline model")?;
            let b0_b = delta_b.transpose() * first_order(g.patterns, &mean_b, &sigma_b)? * &delta_b;
            baseline_trace += trace_h1_g - trace_of_product(&b0_b, &e_b_inv);
            gamma_g.push(&wm_inv * &jm * &wm_inv / fg);
        }
        ndat += wm.nrows();
        wm_g.push(&wm * fg);
        wm_inv_g.push(&wm_inv / fg);
        wc_g.push(&wc * fg);
        deltas.push(delta);
        deltas_b.push(delta_b);
    }
    let h = Unrestricted3 {
        wm: block_diagonal(&wm_g),
        wm_inv: block_diagonal(&wm_inv_g),
        wc: block_diagonal(&wc_g),
        gamma: mlr.then(|| block_diagonal(&gamma_g)),
    };
    let model = Corrected {
        chisq: chisq3,
        k: corrected_k(&stacked(&deltas), &h).unwrap_or(f64::NAN),
    };
    let baseline = Corrected {
        chisq: chisq3_b,
        k: corrected_k(&block_diagonal(&deltas_b), &h).unwrap_or(f64::NAN),
    };
    let ri = robust_indices(
        &model,
        &baseline,
        fit.df,
        fit.baseline_df,
        n,
        groups.len() as f64,
    );
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
            skipped_moments: None,
            vcov: None,
            robust: None,
            measures,
        });
    }
    // MLR: Huber–White SEs and the Yuan–Bentler (Mplus) traces.
    let e_inv = inverse(information, "observed information")?;
    let vcov = &e_inv * &b0 * &e_inv / n;
    let trace_h0 = trace_of_product(&b0, &e_inv);
    let r = RobustInference {
        estimator,
        vcov: vcov.clone(),
        trace: trace_h1 - trace_h0,
        baseline_trace,
    };
    let mut robust = super::robust::measures_of_groups(fit, &r, nobs, groups.len());
    robust.cfi_robust = ri.cfi;
    robust.tli_robust = ri.tli;
    robust.rmsea_robust = ri.rmsea;
    robust.rmsea_ci_lower_robust = ri.ci.0;
    robust.rmsea_ci_upper_robust = ri.ci.1;
    robust.rmsea_pvalue_robust = ri.pvalue;
    // lavaan divides by its `nx.free`: the free rows of the parameter
    // table, a parameter shared by a label or across groups once per row.
    let npar: usize = groups
        .iter()
        .map(|g| g.table.params.iter().filter(|p| p.free.is_some()).count())
        .sum();
    measures.scaling_factor_h1 = Some(trace_h1 / ndat as f64).filter(|v| v.is_finite());
    measures.scaling_factor_h0 = Some(trace_h0 / npar as f64).filter(|v| v.is_finite());
    Ok(FimlInference {
        skipped_moments: None,
        vcov: Some(vcov),
        robust: Some(robust),
        measures,
    })
}
