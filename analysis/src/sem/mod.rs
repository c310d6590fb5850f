//! Structural equation modelling by maximum likelihood, with lavaan's model
//! syntax, defaults and output (lavaan 0.6 is the reference; see
//! `tests/reference/sem.R`).
//!
//! A fit goes through lavaan's stages, passing one [`ParTable`] along, which
//! each stage fills in:
//!
//! 1. [`partable`]: model syntax ([`syntax`]) → the parameter table with
//!    lavaan's identification defaults;
//! 2. [`samplestats`]: the sample moments (S, N, listwise deletion);
//! 3. [`model`]: RAM matrices and the moments they imply;
//! 4. [`estimate`]: the ML discrepancy and its optimiser; then inference
//!    ([`information`]: standard errors) and the [`standardized`] solution
//!    written into the table;
//! 5. [`fit`](mod@fit): fit measures; then [`reliability`], [`modindices`],
//!    [`bootstrap`] and [`warnings`].
//!
//! [`output`] renders a fit as lavaan's `summary()` does; JSON comes from
//! `Serialize`. The least-squares estimators (WLSMV, DWLS, ULS, GLS) and
//! ordered indicators ([`Options::ordered`]: thresholds, polychoric
//! correlations, lavaan's delta parameterization) take their own path
//! through the same stages in [`wls`].
//!
//! ```
//! use analysis::sem::{self, ModelSpec, Operator, Options, SampleMoments};
//! use nalgebra::DMatrix;
//! // One factor, three indicators, from a covariance matrix (divisor N − 1).
//! let cov = DMatrix::from_row_slice(3, 3, &[
//!     1.00, 0.48, 0.40,
//!     0.48, 1.00, 0.30,
//!     0.40, 0.30, 1.00,
//! ]);
//! let names = vec!["x1".to_string(), "x2".to_string(), "x3".to_string()];
//! let sample = SampleMoments::from_covariance("example", cov, names, 200)?;
//! let spec = ModelSpec::parse("f =~ x1 + x2 + x3")?;
//! let fit = sem::fit(&spec, &sample, &Options::default())?;
//! assert!(fit.converged);
//! // Three indicators: just identified, χ² = 0 on 0 df.
//! assert_eq!((fit.fit.chisq, fit.fit.df), (0.0, 0.0));
//! // λ₂ = s₂₃ / s₁₃ = 0.30 / 0.40 in the one-factor model.
//! let l2 = fit.table.find("f", Operator::MeasuredBy, "x2").unwrap();
//! assert!((l2.value - 0.75).abs() < 1e-6);
//! assert!(l2.se.unwrap() > 0.0);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```
//!
//! Missing values: raw data are reduced to complete records (listwise
//! deletion, lavaan's default); the number dropped is reported as a warning.
//!
//! Non-convergence: as lavaan, the fit is returned with `converged = false`
//! and a [`SemWarning::NotConverged`] carrying the iterations and the last
//! gradient, so that a user can inspect where the optimiser stopped; it is
//! an error only when nothing can be computed there (a non-positive-definite
//! implied matrix, a singular information matrix).

#![warn(missing_docs)]

pub mod bootstrap;
pub mod compare;
pub mod estimate;
pub mod fit;
pub mod fit_more;
pub mod groups;
pub mod groups_wls;
pub mod information;
pub mod invariance;
pub mod missing;
pub mod missing_groups;
pub mod missing_robust;
pub mod model;
pub mod modindices;
pub mod nesting;
pub mod output;
pub mod partable;
pub mod reliability;
pub mod robust;
pub mod samplestats;
pub mod scaled_shifted_difference;
pub mod standardized;
pub mod syntax;
pub mod warnings;
pub mod wls;
mod wls_covariates;
mod wls_mixed;

pub use bootstrap::{BootstrapEstimate, BootstrapOptions};
pub use fit::{chisq_within_rounding, FitMeasures, CHISQ_ZERO_TOLERANCE};
pub use missing::{IncompleteData, Missing, MissingSummary};
pub use missing_robust::FimlMeasures;
/// The matrix type of the public API (nalgebra 0.34).
pub use nalgebra::DMatrix;
pub use partable::{ParTable, Parameter};
pub use robust::{Estimator, RobustFit};
pub use samplestats::SampleMoments;
pub use syntax::{ModelSpec, Operator};
pub use warnings::{SemWarning, ACCURATE_NOBS};

/// `sem::Model::parse(text)` reads as in lavaan's `model =` argument.
pub type Model = ModelSpec;

use crate::error::{AnalysisError, Location, Result};
use estimate::{Limits, Problem};
use information::{expected_information, Elements};
use model::Implied;
use serde::Serialize;

/// Which likelihood defines S and the χ² multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Likelihood {
    /// S with divisor N, χ² = N·F (lavaan's default).
    #[default]
    Normal,
    /// S with divisor N − 1, χ² = (N − 1)·F (AMOS, LISREL, EQS).
    Wishart,
}

/// Options of a fit. The estimator (robust SEs and scaled test) is read by
/// the inference and fit-measure stages.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// ML, robust ML (MLM, MLR) or least squares (WLSMV, DWLS, ULS, GLS;
    /// fitted by [`wls`]).
    pub estimator: Estimator,
    /// Free intercepts of the observed variables and latent means fixed at 0
    /// (lavaan's `meanstructure = TRUE`); a `~ 1` statement implies it.
    pub meanstructure: bool,
    /// Normal (lavaan) or Wishart (AMOS) likelihood.
    pub likelihood: Likelihood,
    /// Fix latent (residual) variances to 1 instead of first loadings.
    pub std_lv: bool,
    /// Compute modification indices.
    pub modindices: bool,
    /// Ordered (ordinal) observed variables, fitted through thresholds and
    /// polychoric correlations ([`wls`]; lavaan's `ordered =`); the model's
    /// other observed variables stay continuous (polyserial correlations
    /// with the ordered ones).
    pub ordered: Vec<String>,
    /// Bootstrap standard errors and percentile intervals.
    pub bootstrap: Option<BootstrapOptions>,
}

/// R² of an endogenous variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RSquared {
    /// The endogenous variable.
    pub variable: String,
    /// `None` (JSON null) when the value falls outside [0, 1]: a negative
    /// (Heywood) residual variance makes it meaningless, and lavaan reports
    /// NA there too.
    pub r2: Option<f64>,
}

/// How the optimiser went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Optimizer {
    /// The method, in words.
    pub method: String,
    /// L-BFGS iterations used.
    pub lbfgs_iterations: u64,
    /// Fisher-scoring iterations used.
    pub scoring_iterations: usize,
    /// Largest |∂fmin/∂θ| at the estimates.
    pub max_abs_gradient: f64,
}

/// A fitted model: the parameter table with its estimates, SEs and
/// standardized values, and what the later stages computed from it.
///
/// Serializes with the keys `converged`, `nobs`, `npar`, `fit`,
/// `estimates` (the table's rows), `likelihood`, `std_lv_identification`,
/// `r2`, `reliability`, `modindices` and `bootstrap` (when computed),
/// `warnings` (their messages), `optimizer`, `observed`, `latent`.
#[derive(Debug, Clone)]
pub struct SemFit {
    /// Whether the optimiser reached its gradient tolerance (otherwise
    /// `warnings` holds a [`SemWarning::NotConverged`]).
    pub converged: bool,
    /// Number of observations.
    pub nobs: usize,
    /// Number of free parameters.
    pub npar: usize,
    /// Fit measures.
    pub fit: FitMeasures,
    /// The fitted parameter table (values = estimates, with SEs and
    /// standardized values).
    pub table: ParTable,
    /// The likelihood used.
    pub likelihood: Likelihood,
    /// The estimator (ML, MLM, MLR).
    pub estimator: Estimator,
    /// Whether factors were identified by unit variances (std.lv).
    pub std_lv_identification: bool,
    /// R² of the endogenous variables.
    pub r2: Vec<RSquared>,
    /// Composite reliability and AVE per factor.
    pub reliability: Vec<reliability::FactorReliability>,
    /// Modification indices, when asked for.
    pub modindices: Option<Vec<modindices::ModIndex>>,
    /// What the bootstrap did, when asked for (its results are in `table`).
    pub bootstrap: Option<bootstrap::BootstrapSummary>,
    /// Warnings, typed.
    pub warnings: Vec<SemWarning>,
    /// How the optimiser went.
    pub optimizer: Optimizer,
    /// Column names for text/HTML tables: lavaan's or AMOS's.
    pub amos_columns: bool,
    /// Covariance matrix of the free parameters.
    pub vcov: DMatrix<f64>,
    /// Model-implied covariance of the observed variables.
    pub implied_cov: DMatrix<f64>,
    /// Wall-clock seconds per phase (not serialized: JSON stays
    /// reproducible).
    pub timings: Vec<(String, f64)>,
    /// Cases and missingness patterns of a full-information ML fit
    /// (`None`: listwise deletion).
    pub missing: Option<MissingSummary>,
    /// What the difference test of a least-squares fit needs (WLSMV, DWLS,
    /// ULS, GLS; `None` for the likelihood estimators).
    pub test_pieces: Option<wls::TestPieces>,
}

/// The JSON of a [`SemFit`]: keys and order as they have always been.
#[derive(Serialize)]
struct SemFitJson<'a> {
    converged: bool,
    nobs: usize,
    npar: usize,
    fit: &'a FitMeasures,
    estimates: &'a ParTable,
    likelihood: Likelihood,
    #[serde(skip_serializing_if = "Estimator::is_ml")]
    estimator: Estimator,
    std_lv_identification: bool,
    r2: &'a [RSquared],
    reliability: &'a [reliability::FactorReliability],
    #[serde(skip_serializing_if = "Option::is_none")]
    modindices: Option<&'a Vec<modindices::ModIndex>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<&'a bootstrap::BootstrapSummary>,
    warnings: &'a [SemWarning],
    optimizer: &'a Optimizer,
    observed: &'a [String],
    latent: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<&'a MissingSummary>,
}

impl Serialize for SemFit {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        SemFitJson {
            converged: self.converged,
            nobs: self.nobs,
            npar: self.npar,
            fit: &self.fit,
            estimates: &self.table,
            likelihood: self.likelihood,
            estimator: self.estimator,
            std_lv_identification: self.std_lv_identification,
            r2: &self.r2,
            reliability: &self.reliability,
            modindices: self.modindices.as_ref(),
            bootstrap: self.bootstrap.as_ref(),
            warnings: &self.warnings,
            optimizer: &self.optimizer,
            observed: &self.table.observed,
            latent: &self.table.latent,
            missing: self.missing.as_ref(),
        }
        .serialize(serializer)
    }
}

impl SemFit {
    /// R² of a variable, if it is endogenous and the value is proper.
    pub fn r_squared(&self, variable: &str) -> Option<f64> {
        self.r2
            .iter()
            .find(|r| r.variable == variable)
            .and_then(|r| r.r2)
    }
}

/// Wall-clock time of each phase of a fit.
struct Laps {
    clock: std::time::Instant,
    laps: Vec<(String, f64)>,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            clock: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }
    fn lap(&mut self, name: &str) {
        let total: f64 = self.laps.iter().map(|t| t.1).sum();
        self.laps
            .push((name.to_owned(), self.clock.elapsed().as_secs_f64() - total));
    }
}

/// Fits a model by maximum likelihood (see the module documentation for
/// the stages and an example).
pub fn fit(spec: &ModelSpec, sample: &SampleMoments, options: &Options) -> Result<SemFit> {
    fit_within(spec, sample, options, Limits::default())
}

/// Fits a model by full-information ML to incomplete raw data (lavaan's
/// `missing = "ml"`; see [`missing`]).
pub fn fit_missing(spec: &ModelSpec, data: &IncompleteData, options: &Options) -> Result<SemFit> {
    missing::fit(spec, data, options)
}

/// [`fit`] with explicit iteration limits of the optimiser.
pub(crate) fn fit_within(
    spec: &ModelSpec,
    sample: &SampleMoments,
    options: &Options,
    limits: Limits,
) -> Result<SemFit> {
    if options.estimator.is_least_squares() || !options.ordered.is_empty() {
        return wls::fit(spec, sample, options, limits);
    }
    let mut laps = Laps::start();
    // Stages 1 and 2: the table, the moments it uses.
    let mut table =
        ParTable::build_with_means(spec, &sample.names, options.std_lv, options.meanstructure)?;
    let n = sample.nobs;
    let moments = sample.in_use(&table.observed, options.likelihood, table.meanstructure)?;
    robust::check_options(options, &table, sample)?;
    let npar = table.n_free;
    let n_moments = table.n_moments();
    if npar > n_moments {
        let which = if table.meanstructure {
            "means, variances and covariances"
        } else {
            "variances and covariances"
        };
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!(
                "the model has {npar} free parameters but only {n_moments} sample moments ({which}): it is not identified"
            ),
        ));
    }
    table.set_fixed_x(&moments.s, moments.mean.as_ref().map(|m| m.as_slice()));
    // Stages 3 and 4: the implied moments and their fit to S.
    let opt = {
        let problem = Problem::new(&table, moments.s.clone())
            .ok_or_else(|| {
                AnalysisError::unsuitable(
                    Location::source(&sample.source),
                    "the sample covariance matrix is not positive definite",
                )
            })?
            .with_mean(moments.mean.clone());
        let start = estimate::starting_values(&table, &moments.s, moments.mean.as_ref());
        laps.lap("setup (parameter table, sample moments, start values)");
        estimate::optimise_within(&problem, start, limits)?
    };
    laps.lap("optimisation (L-BFGS + Fisher scoring)");
    let not_converged = SemWarning::NotConverged {
        lbfgs_iterations: opt.lbfgs_iterations,
        scoring_iterations: opt.scoring_iterations,
        max_gradient: opt.max_gradient,
    };
    // Nothing can be computed where Σ is not positive definite: then
    // non-convergence is an error after all.
    let fail = |what: &str| {
        if opt.converged {
            AnalysisError::computation(what)
        } else {
            AnalysisError::computation(not_converged.to_string())
        }
    };
    table.set_theta(&opt.theta);
    let imp = Implied::at(&table, &opt.theta).ok_or_else(|| {
        fail("the implied covariance matrix at the estimates is not positive definite")
    })?;
    // Inference: SEs from the expected information.
    let elements = Elements::free_of(&table);
    let info = expected_information(&table, &elements, &imp);
    let ml_vcov = information::vcov_or_unidentified(
        &info,
        moments.n_mult,
        opt.converged,
        &not_converged,
        "information",
        &spec.source,
        |k| information::free_parameter_name(&table, k),
    )?;
    // Robust estimators: sandwich SEs and the scaling of the test.
    let robust = match options.estimator {
        Estimator::ML => None,
        estimator => Some(robust::inference(
            estimator, &table, &elements, &imp, &moments, sample, &info,
        )?),
    };
    let vcov = robust.as_ref().map_or(ml_vcov, |r| r.vcov.clone());
    for p in table.params.iter_mut() {
        p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
    }
    laps.lap("expected information and its inverse (SEs)");
    standardized::fill(&mut table, &imp.c);
    laps.lap("estimates table and standardized solution");
    // Stage 5: fit measures, then what is read off the fitted table.
    let mut fit = fit::measures(&table, &moments, &imp, opt.f, n);
    if let Some(r) = &robust {
        fit.robust = Some(robust::measures(&fit, r, n));
    }
    laps.lap("fit measures (incl. RMSEA interval)");
    let r2: Vec<RSquared> = standardized::r_squared(&table, &imp.c, &imp.phi)
        .into_iter()
        .filter(|(_, r)| r.is_finite())
        .map(|(variable, r2)| RSquared {
            variable,
            r2: (0.0..=1.0).contains(&r2).then_some(r2),
        })
        .collect();
    let reliability = reliability::per_factor(&table);
    let mut warnings = Vec::new();
    if !opt.converged {
        warnings.push(not_converged);
    }
    warnings.extend(warnings::of_fit(&table, &imp, sample));
    laps.lap("R², reliability, warnings");
    let modindices = options
        .modindices
        .then(|| modindices::modification_indices(&table, &moments, &elements, &imp, &vcov, n))
        .transpose()?;
    if modindices.is_some() {
        laps.lap("modification indices");
    }
    let mut result = SemFit {
        converged: opt.converged,
        nobs: n,
        npar,
        fit,
        table,
        likelihood: options.likelihood,
        estimator: options.estimator,
        std_lv_identification: options.std_lv,
        r2,
        reliability,
        modindices,
        bootstrap: None,
        warnings,
        optimizer: Optimizer {
            method: "L-BFGS (argmin, More-Thuente) + Fisher scoring".into(),
            lbfgs_iterations: opt.lbfgs_iterations,
            scoring_iterations: opt.scoring_iterations,
            max_abs_gradient: opt.max_gradient,
        },
        amos_columns: false,
        vcov,
        implied_cov: imp.sigma.clone(),
        timings: Vec::new(),
        missing: None,
        test_pieces: None,
    };
    if let Some(b) = &options.bootstrap {
        bootstrap::run(&mut result, sample, options, b)?;
        laps.lap("bootstrap");
    }
    result.timings = laps.laps;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holzinger_swineford() -> SampleMoments {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/sem/holzinger_swineford.csv"
        );
        let data = crate::Dataset::from_path(path).unwrap();
        let columns: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
        SampleMoments::from_dataset(&data, &columns).unwrap()
    }

    const HS_CFA: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

    #[test]
    fn a_fit_stopped_early_is_returned_with_converged_false_and_its_numbers() {
        let spec = ModelSpec::parse(HS_CFA).unwrap();
        let sample = holzinger_swineford();
        let limits = Limits {
            lbfgs_iterations: 1,
            scoring_iterations: 0,
            rounds: 1,
        };
        let fit = fit_within(&spec, &sample, &Options::default(), limits).unwrap();
        assert!(!fit.converged);
        assert_eq!(fit.optimizer.lbfgs_iterations, 1);
        assert_eq!(fit.optimizer.scoring_iterations, 0);
        assert!(fit.optimizer.max_abs_gradient > estimate::GRADIENT_TOLERANCE);
        use crate::Render;
        let text = fit.to_text();
        assert!(
            text.contains("Converged                   no (1 L-BFGS + 0 scoring iterations"),
            "{text}"
        );
        match &fit.warnings[0] {
            SemWarning::NotConverged {
                lbfgs_iterations,
                scoring_iterations,
                max_gradient,
            } => {
                assert_eq!((*lbfgs_iterations, *scoring_iterations), (1, 0));
                assert_eq!(*max_gradient, fit.optimizer.max_abs_gradient);
            }
            w => panic!("first warning {w}"),
        }
        assert!(fit.warnings[0]
            .to_string()
            .starts_with("the ML estimation did not converge (largest gradient"));
        // The same model with the default limits converges (lavaan's χ² =
        // 85.306 on 24 df, tests/fixtures/sem/hs_cfa.json).
        let full = super::fit(&spec, &sample, &Options::default()).unwrap();
        assert!(full.converged);
        assert!((full.fit.chisq - 85.306).abs() < 1e-3);
        assert!(fit.fit.chisq > full.fit.chisq + 1.0);
    }

    #[test]
    fn warnings_render_todays_messages_from_their_numbers() {
        let w = SemWarning::Heywood {
            variable: "x3".into(),
            value: -0.01234,
        };
        assert_eq!(
            w.to_string(),
            "Heywood case: the variance estimate of x3 is negative (-0.0123)"
        );
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            "\"Heywood case: the variance estimate of x3 is negative (-0.0123)\""
        );
        let w = SemWarning::ListwiseDeletion {
            dropped: 3,
            nobs: 298,
        };
        assert_eq!(
            w.to_string(),
            "3 record(s) with missing values were dropped (listwise deletion); N = 298"
        );
    }
}
