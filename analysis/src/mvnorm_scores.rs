//! Casewise scores of the multivariate normal log-likelihood with respect to
//! the means and the covariances, and their cross-product ("first-order")
//! information — the meat of the Huber–White sandwich behind MLR's robust
//! standard errors and Yuan–Bentler test.
//!
//! As lavaan 0.6 computes them (`lav_mvnorm_scores_mu_vech_sigma`,
//! `lav_mvnorm_information_firstorder`; the reference in
//! tests/reference/polychoric.R): with wₙ = Σ⁻¹(yₙ − μ), case n's score is
//! wₙ for μ, then wₙₖwₙₗ − (Σ⁻¹)ₖₗ for each covariance σₖₗ in vech order
//! (down the columns of the lower triangle), halved on the diagonal; the
//! first-order information is J = (1/N) Σₙ sₙsₙᵀ. The estimator chooses
//! (μ, Σ): the model-implied moments for lavaan's default "structured"
//! information, the sample moments (divisor N) for the unstructured one; the
//! model-level information is then ΔᵀJΔ.

use crate::error::{AnalysisError, Result};
use nalgebra::DMatrix;

/// Casewise scores (N × q, q = p + p(p+1)/2 with means, p(p+1)/2 without)
/// at the moments `mean`, `covariance`, for the rows of complete data.
///
/// ```
/// use analysis::mvnorm_scores::{casewise_scores, first_order_information};
/// use nalgebra::DMatrix;
/// let rows = vec![vec![1.0], vec![-1.0], vec![2.0], vec![-2.0]];
/// let s = casewise_scores(&rows, &[0.0], &DMatrix::from_element(1, 1, 2.5), true).unwrap();
/// // For y = 2 at μ = 0, σ² = 2.5: ∂ℓ/∂μ = y/σ² and ∂ℓ/∂σ² = ½(y²/σ⁴ − 1/σ²).
/// assert!((s[(2, 0)] - 0.8).abs() < 1e-15);
/// assert!((s[(2, 1)] - 0.5 * (0.64 - 0.4)).abs() < 1e-15);
/// let j = first_order_information(&s);
/// assert_eq!(j.shape(), (2, 2));
/// ```
pub fn casewise_scores(
    rows: &[Vec<f64>],
    mean: &[f64],
    covariance: &DMatrix<f64>,
    meanstructure: bool,
) -> Result<DMatrix<f64>> {
    let p = mean.len();
    if rows.is_empty() {
        return Err(AnalysisError::invalid_argument(
            "data",
            "no rows",
            "at least one complete row",
        ));
    }
    if covariance.shape() != (p, p) {
        return Err(AnalysisError::invalid_argument(
            "covariance matrix",
            format!("{} × {}", covariance.nrows(), covariance.ncols()),
            &format!("{p} × {p}, one row and column per mean"),
        ));
    }
    if let Some(r) = rows.iter().position(|r| r.len() != p) {
        return Err(AnalysisError::invalid_argument(
            "data row",
            format!("{} (with {} values)", r + 1, rows[r].len()),
            &format!("{p} values per row, one per mean"),
        ));
    }
    let inverse = covariance
        .clone()
        .cholesky()
        .ok_or_else(|| {
            AnalysisError::invalid_argument(
                "covariance matrix",
                "not positive definite",
                "a positive definite matrix (the scores need Σ⁻¹)",
            )
        })?
        .inverse();
    let mut vech = Vec::with_capacity(p * (p + 1) / 2);
    for col in 0..p {
        for row in col..p {
            vech.push((row, col));
        }
    }
    let offset = if meanstructure { p } else { 0 };
    let mut scores = DMatrix::zeros(rows.len(), offset + vech.len());
    for (n, y) in rows.iter().enumerate() {
        let centred = nalgebra::DVector::from_iterator(p, y.iter().zip(mean).map(|(y, m)| y - m));
        let w = &inverse * centred;
        if meanstructure {
            for k in 0..p {
                scores[(n, k)] = w[k];
            }
        }
        for (c, &(k, l)) in vech.iter().enumerate() {
            let s = w[k] * w[l] - inverse[(k, l)];
            scores[(n, offset + c)] = if k == l { s / 2.0 } else { s };
        }
    }
    Ok(scores)
}

/// J = (1/N) Σₙ sₙsₙᵀ from the casewise scores.
pub fn first_order_information(scores: &DMatrix<f64>) -> DMatrix<f64> {
    crate::polychoric::symmetric_cross_product(scores) / scores.nrows() as f64
}
