//! The scaled-and-shifted χ² difference of two nested least-squares fits
//! (Satorra 2000; Asparouhov & Muthén 2006), as lavaan 0.6.14's
//! `lavTestLRT` computes it for WLSMV (`method = "satorra.2000"`,
//! `lav_test_diff_Satorra2000` with `A.method = "delta"`,
//! `scaled.shifted = TRUE`); the reference is
//! `tests/reference/sem_compare_wls.R`.
//!
//! Of the less restricted model (1) it takes, per group g, Δ_g (the
//! Jacobian of the sample statistics by its parameters), W_g, Γ_g and
//! n_g/N, and its information `P = Σ_g (n_g/N)·Δ_gᵀW_gΔ_g`; of the more
//! restricted model (0) only Δ at its own estimates. The restrictions are
//! the rows of A, a basis of the orthogonal complement of the columns of
//! `H = Δ₁⁺Δ₀` (Δ stacked over groups; lavaan's "delta" method). Then
//!
//! ```text
//! L_g = W_g Δ_g P⁻¹ Aᵀ,   C = (A P⁻¹ Aᵀ)⁺,   M = Σ_g (n_g/N)·L_gᵀ Γ_g L_g
//! tr(UΓ) = tr(C M),   tr((UΓ)²) = tr(C M C M)
//! a = √(m / tr((UΓ)²)),   b = m − a·tr(UΓ),   T = a·(χ²₀ − χ²₁) + b
//! ```
//!
//! on m = df₀ − df₁ degrees of freedom (lavaan's `U = WΔ P⁻¹Aᵀ(AP⁻¹Aᵀ)⁻¹AP⁻¹
//! ΔᵀW` over all groups, written with m × m matrices; Γ = GᵀG is never
//! formed). The projector `P⁻¹Aᵀ(AP⁻¹Aᵀ)⁻¹AP⁻¹` does not depend on how the
//! parameters are written: replacing θ by Tθ changes Δ to ΔT, P to TᵀPT and
//! A to AT, and the products back. So parameters made equal by a shared
//! label — one free parameter in our table, lavaan's Δ·K with K the
//! constraints' null space — give lavaan's value (checked by the equal
//! loadings of the reference).
//!
//! ```
//! use analysis::sem::{self, Estimator, ModelSpec, Options, SampleMoments};
//! use analysis::sem::scaled_shifted_difference::scaled_shifted_difference;
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/ordinal_nested.csv");
//! let data = Dataset::from_path(path)?;
//! let items: Vec<String> = (1..=8).map(|i| format!("y{i}")).collect();
//! let sample = SampleMoments::from_dataset(&data, &items)?;
//! let options = Options { estimator: Estimator::WLSMV, ordered: items, ..Options::default() };
//! let two = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8";
//! let free = sem::fit(&ModelSpec::parse(&format!("{two}\ny1 ~~ y2"))?, &sample, &options)?;
//! let restricted = sem::fit(&ModelSpec::parse(two)?, &sample, &options)?;
//! let d = scaled_shifted_difference(
//!     free.test_pieces.as_ref().unwrap(),
//!     restricted.test_pieces.as_ref().unwrap(),
//!     restricted.fit.chisq - free.fit.chisq,
//!     restricted.fit.df - free.fit.df,
//! )?;
//! // One restriction: the shift is 0 and T = a·Δχ² (lavaan: 13.308).
//! assert!(d.shift.abs() < 1e-10);
//! assert!((d.statistic - 13.308).abs() < 1e-3);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::wls::{GroupTestPieces, TestPieces};
use crate::error::{AnalysisError, Result};
use nalgebra::DMatrix;
use std::collections::HashMap;

/// The scaled-and-shifted difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaledShiftedDifference {
    /// a·(χ²₀ − χ²₁) + b.
    pub statistic: f64,
    /// The scale a (lavaan's `attr(, "scale")`).
    pub scale: f64,
    /// The shift b (lavaan's `attr(, "shift")`).
    pub shift: f64,
    /// tr(UΓ).
    pub trace: f64,
    /// tr((UΓ)²).
    pub trace_squared: f64,
}

/// Relative rank tolerance of the orthogonal complement (R's `qr()`, which
/// lavaan's `lav_matrix_orthogonal_complement` uses, has `tol = 1e-07`).
const RANK_TOLERANCE: f64 = 1e-7;

/// The test of `restricted` (more df) against `free`, from their pieces,
/// the difference of their (unscaled) χ² and of their df; errors when the
/// pieces do not match (other statistics or groups), Γ is unknown (no raw
/// data), or the scaling is degenerate.
pub fn scaled_shifted_difference(
    free: &TestPieces,
    restricted: &TestPieces,
    chisq_diff: f64,
    df_diff: f64,
) -> Result<ScaledShiftedDifference> {
    if free.groups.len() != restricted.groups.len() {
        return Err(AnalysisError::computation(format!(
            "the models have {} and {} groups: their difference cannot be tested",
            free.groups.len(),
            restricted.groups.len()
        )));
    }
    let delta1 = stack(free.groups.iter().map(|g| g.delta.clone()).collect());
    let delta0 = stack(
        free.groups
            .iter()
            .zip(&restricted.groups)
            .map(|(f, r)| rows_in_order_of(f, r))
            .collect::<Result<_>>()?,
    );
    let a = restrictions(&delta1, &delta0);
    if a.nrows() == 0 {
        return Err(AnalysisError::computation(
            "the restricted model's Jacobian spans that of the less restricted one: no restriction is left to test (are the models the same?)",
        ));
    }
    let information = free.information();
    let p_inv = information.clone().try_inverse().ok_or_else(|| {
        AnalysisError::computation(
            "the information matrix of the less restricted model is singular: the scaled difference cannot be computed",
        )
    })?;
    let p_inv_at = &p_inv * a.transpose();
    let middle = &a * &p_inv_at;
    let c = pseudo_inverse(&middle);
    let n = free.ntotal() as f64;
    let m_dim = a.nrows();
    let mut m = DMatrix::zeros(m_dim, m_dim);
    for g in &free.groups {
        let root = g.gamma_root.as_ref().ok_or_else(|| {
            AnalysisError::computation(
                "the scaled difference needs the raw data (Γ of the sample statistics); it cannot be computed from a covariance matrix",
            )
        })?;
        let l = g.weight.times(&(&g.delta * &p_inv_at));
        let gl = root * l;
        m += gl.transpose() * gl * (g.nobs as f64 / n);
    }
    let cm = &c * &m;
    let trace = cm.trace();
    let trace_squared = (&cm * &cm).trace();
    if !(trace_squared.is_finite() && trace_squared > 0.0 && trace.is_finite()) {
        return Err(AnalysisError::computation(format!(
            "the scaling of the difference is degenerate (tr(UΓ) = {trace:.4e}, tr((UΓ)²) = {trace_squared:.4e}): the scaled-shifted difference cannot be computed"
        )));
    }
    let scale = (df_diff / trace_squared).sqrt();
    let shift = df_diff - scale * trace;
    Ok(ScaledShiftedDifference {
        statistic: chisq_diff * scale + shift,
        scale,
        shift,
        trace,
        trace_squared,
    })
}

/// The rows of several matrices with equal column counts, one under the
/// other.
fn stack(blocks: Vec<DMatrix<f64>>) -> DMatrix<f64> {
    let cols = blocks.first().map_or(0, |b| b.ncols());
    let rows = blocks.iter().map(|b| b.nrows()).sum();
    let mut out = DMatrix::zeros(rows, cols);
    let mut at = 0;
    for b in blocks {
        out.rows_mut(at, b.nrows()).copy_from(&b);
        at += b.nrows();
    }
    out
}

/// A statistic's name with the two variables of a pair in one order, so
/// that models listing the variables in another order match.
fn canonical(name: &str) -> String {
    match name.split_once("~~") {
        Some((a, b)) if a > b => format!("{b}~~{a}"),
        _ => name.to_owned(),
    }
}

/// The restricted model's Δ with its rows in the order of the free
/// model's statistics.
fn rows_in_order_of(free: &GroupTestPieces, restricted: &GroupTestPieces) -> Result<DMatrix<f64>> {
    let at: HashMap<String, usize> = restricted
        .statistics
        .iter()
        .enumerate()
        .map(|(i, s)| (canonical(s), i))
        .collect();
    if at.len() != free.statistics.len() {
        return Err(mismatch(free, restricted));
    }
    let rows: Vec<usize> = free
        .statistics
        .iter()
        .map(|s| at.get(&canonical(s)).copied())
        .collect::<Option<_>>()
        .ok_or_else(|| mismatch(free, restricted))?;
    Ok(restricted.delta.select_rows(rows.iter()))
}

fn mismatch(free: &GroupTestPieces, restricted: &GroupTestPieces) -> AnalysisError {
    AnalysisError::computation(format!(
        "the models were fitted to different sample statistics ({} and {}): their difference cannot be tested",
        free.statistics.len(),
        restricted.statistics.len()
    ))
}

/// A: rows spanning the orthogonal complement of the columns of
/// `H = Δ₁⁺Δ₀` (lavaan's `lav_test_diff_A`, method "delta").
fn restrictions(delta1: &DMatrix<f64>, delta0: &DMatrix<f64>) -> DMatrix<f64> {
    let h = pseudo_inverse(delta1) * delta0;
    let r1 = h.nrows();
    // The left singular vectors of H with non-zero singular values span its
    // columns; the eigenvectors of I − UUᵀ with eigenvalue 1 the rest.
    let svd = h.clone().svd(true, false);
    let u = svd.u.expect("U was requested");
    let largest = svd.singular_values.max();
    let kept: Vec<usize> = (0..svd.singular_values.len())
        .filter(|&i| svd.singular_values[i] > RANK_TOLERANCE * largest)
        .collect();
    let u = u.select_columns(kept.iter());
    let complement = DMatrix::identity(r1, r1) - &u * u.transpose();
    let eig = complement.symmetric_eigen();
    let rows: Vec<usize> = (0..r1).filter(|&i| eig.eigenvalues[i] > 0.5).collect();
    eig.eigenvectors.select_columns(rows.iter()).transpose()
}

/// The Moore–Penrose inverse with MASS::ginv's tolerance (√ε times the
/// largest singular value).
fn pseudo_inverse(x: &DMatrix<f64>) -> DMatrix<f64> {
    let svd = x.clone().svd(true, true);
    let tol = f64::EPSILON.sqrt() * svd.singular_values.max();
    svd.pseudo_inverse(tol)
        .unwrap_or_else(|_| DMatrix::zeros(x.ncols(), x.nrows()))
}
