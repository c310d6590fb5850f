//! Warnings of a fit: typed, carrying their numbers, with the message text
//! rendered from them (`Display`). They serialize as that text, so JSON
//! output reads as a list of messages.

use super::model::Implied;
use super::partable::ParTable;
use super::samplestats::SampleMoments;
use serde::{Serialize, Serializer};
use std::fmt;

/// The largest N at which χ² = N·F keeps its meaning to better than 1e-4
/// absolute; `paraclinic sem --nobs` stops there, library callers get a
/// warning beyond it.
pub const ACCURATE_NOBS: f64 = 1e9;

/// Something about a fit that its user must know, with the numbers behind it.
#[derive(Debug, Clone, PartialEq)]
pub enum SemWarning {
    /// The optimiser stopped before the gradient fell below its tolerance;
    /// the fit is returned with `converged = false`, as lavaan does.
    NotConverged {
        /// L-BFGS iterations used.
        lbfgs_iterations: u64,
        /// Fisher-scoring iterations used.
        scoring_iterations: usize,
        /// Largest |∂fmin/∂θ| at the last iterate.
        max_gradient: f64,
    },
    /// A least-squares fit (WLSMV, DWLS, ULS, GLS) stopped before its
    /// gradient tolerance.
    LeastSquaresNotConverged {
        /// The estimator.
        estimator: String,
        /// Gauss–Newton iterations used.
        iterations: usize,
        /// Largest |∂F/∂θ| at the last iterate.
        max_gradient: f64,
    },
    /// Predictor-only observed variables that a `~~` statement mentions are
    /// treated as random instead of fixed covariates.
    RandomExogenous {
        /// The covariates concerned.
        variables: Vec<String>,
    },
    /// N beyond [`ACCURATE_NOBS`]: χ² carries the optimiser's rounding × N.
    InaccurateLargeN {
        /// The number of observations.
        nobs: usize,
    },
    /// Records with missing values were dropped (listwise deletion).
    ListwiseDeletion {
        /// Records dropped.
        dropped: usize,
        /// Records used.
        nobs: usize,
    },
    /// Cases with no value on any model variable were left out
    /// (`--missing ml`; lavaan drops them with a warning too).
    EmptyCases {
        /// Cases left out.
        dropped: usize,
        /// Cases used.
        nobs: usize,
    },
    /// The FIML-corrected robust indices were not computed: the model has
    /// more unrestricted moments than [`super::missing_robust::ROBUST_MOMENTS_LIMIT`].
    RobustIndicesSkipped {
        /// Means, variances and covariances over all groups.
        moments: usize,
    },
    /// Pairs of variables that no case observes together (`--missing ml`):
    /// their unrestricted covariance is not identified, as lavaan warns.
    ZeroCoverage {
        /// The pairs, as "a–b".
        pairs: Vec<String>,
    },
    /// EM for the unrestricted model with missing data stopped at its
    /// iteration limit: χ² and the unrestricted logl are approximate.
    EmNotConverged {
        /// EM iterations used.
        iterations: usize,
    },
    /// A negative variance estimate (Heywood case).
    Heywood {
        /// The variable whose (residual) variance is negative.
        variable: String,
        /// The estimate.
        value: f64,
    },
    /// The implied covariance matrix of the latent variables is not
    /// positive definite.
    LatentCovarianceNotPositiveDefinite {
        /// Its smallest eigenvalue.
        smallest_eigenvalue: f64,
    },
    /// Bootstrap replicates that failed (non-positive-definite resample or
    /// non-convergence) and were dropped.
    BootstrapFailures {
        /// Replicates dropped.
        failed: usize,
        /// Replicates drawn.
        replicates: usize,
    },
}

impl fmt::Display for SemWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SemWarning::NotConverged {
                lbfgs_iterations,
                scoring_iterations,
                max_gradient,
            } => write!(
                f,
                "the ML estimation did not converge (largest gradient {max_gradient:.2e} after {lbfgs_iterations} L-BFGS and {scoring_iterations} Fisher-scoring iterations): estimates, standard errors and fit measures are those of the last iterate and most likely unreliable; check the model and the starting values"
            ),
            SemWarning::LeastSquaresNotConverged {
                estimator,
                iterations,
                max_gradient,
            } => write!(
                f,
                "the {estimator} estimation did not converge (largest gradient {max_gradient:.2e} after {iterations} Gauss-Newton iterations): estimates, standard errors and fit measures are those of the last iterate and most likely unreliable; check the model (is every factor's marker indicator related to the others?)"
            ),
            SemWarning::RandomExogenous { variables } => write!(
                f,
                "the model has variance/covariance statements involving the exogenous covariate(s) {}: they are treated as random, with free variances, instead of fixed at their sample values (as lavaan does)",
                variables.join(", ")
            ),
            SemWarning::InaccurateLargeN { nobs } => write!(
                f,
                "N = {nobs} is above {ACCURATE_NOBS:e}, the largest N the command line accepts: χ² = N·F multiplies the optimiser's rounding of F (about 1e-13) by N, so χ² and the indices built on it carry an absolute error of about N·1e-13"
            ),
            SemWarning::ListwiseDeletion { dropped, nobs } => write!(
                f,
                "{dropped} record(s) with missing values were dropped (listwise deletion); N = {nobs}"
            ),
            SemWarning::EmptyCases { dropped, nobs } => write!(
                f,
                "{dropped} case(s) with no value on any model variable were left out (full-information ML); N = {nobs}"
            ),
            SemWarning::RobustIndicesSkipped { moments } => write!(
                f,
                "the robust (FIML-corrected) CFI, TLI and RMSEA are not computed for {moments} unrestricted moments (more than {}): they need the {moments} × {moments} information of the unrestricted model and its inverse (lavaan reports them)",
                super::missing_robust::ROBUST_MOMENTS_LIMIT
            ),
            SemWarning::ZeroCoverage { pairs } => write!(
                f,
                "due to missing values, some pairs of variables are never observed together (0% coverage): {}; their unrestricted covariance is not identified",
                pairs.join(", ")
            ),
            SemWarning::EmNotConverged { iterations } => write!(
                f,
                "EM for the unrestricted model did not converge in {iterations} iterations: chi-square and the unrestricted loglikelihood are approximate"
            ),
            SemWarning::Heywood { variable, value } => write!(
                f,
                "Heywood case: the variance estimate of {variable} is negative ({value:.4})"
            ),
            SemWarning::LatentCovarianceNotPositiveDefinite {
                smallest_eigenvalue,
            } => write!(
                f,
                "the model-implied covariance matrix of the latent variables is not positive definite (smallest eigenvalue {smallest_eigenvalue:.4e})"
            ),
            SemWarning::BootstrapFailures { failed, replicates } => write!(
                f,
                "{failed} of {replicates} bootstrap replicates failed and were dropped"
            ),
        }
    }
}

impl Serialize for SemWarning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The warnings about a fitted table: random covariates, a very large N,
/// dropped records, Heywood cases and a non-positive-definite latent
/// covariance matrix, in that order.
pub(crate) fn of_fit(table: &ParTable, imp: &Implied, sample: &SampleMoments) -> Vec<SemWarning> {
    let mut w = Vec::new();
    if !table.random_exogenous.is_empty() {
        w.push(SemWarning::RandomExogenous {
            variables: table.random_exogenous.clone(),
        });
    }
    if sample.nobs as f64 > ACCURATE_NOBS {
        w.push(SemWarning::InaccurateLargeN { nobs: sample.nobs });
    }
    if sample.dropped > 0 {
        w.push(SemWarning::ListwiseDeletion {
            dropped: sample.dropped,
            nobs: sample.nobs,
        });
    }
    for p in table.params.iter().filter(|p| p.is_variance()) {
        if p.value < 0.0 {
            w.push(SemWarning::Heywood {
                variable: p.lhs.clone(),
                value: p.value,
            });
        }
    }
    let k = table.latent.len();
    if k > 0 {
        let psi = imp.c.view((table.p(), table.p()), (k, k)).into_owned();
        let eig = nalgebra::SymmetricEigen::new(psi);
        if eig.eigenvalues.min() <= 0.0 {
            w.push(SemWarning::LatentCovarianceNotPositiveDefinite {
                smallest_eigenvalue: eig.eigenvalues.min(),
            });
        }
    }
    w
}
