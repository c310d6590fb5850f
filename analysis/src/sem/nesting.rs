//! Whether one model is nested in another, checked as semTools' `net()`
//! does (Bentler & Satorra 2010, "Testing model nesting and equivalence",
//! Psychological Methods 15, 111–123): the less restricted model is fitted
//! to the moments the more restricted one implies (per group, with the same
//! N); if it reproduces them — its χ² below [`NESTING_CRITERION`] — every
//! covariance structure (and mean structure) the restricted model can
//! produce, at least at its estimate, is one the other can produce too. The
//! reference is `tests/reference/sem_compare_wls.R` (semTools 0.5-6).
//!
//! The refit uses ML with the normal likelihood whatever the models were
//! fitted by (ML, MLM, MLR, or least squares on continuous items): nesting
//! is a property of the two covariance (and mean) structures, and the
//! implied moments are all the refit needs (no raw data, so no scaling).
//!
//! One-group models whose observed variables are all ordered, without
//! threshold statements, are checked through the latent responses: the
//! less restricted model is refitted, as a model of continuous variables,
//! to the correlation matrix the other implies for them. Thresholds are
//! then free per item in both models, so only the correlation structures
//! can differ; and a continuous refit that reproduces a unit-diagonal
//! matrix does so with residual variances 1 − the common part, exactly the
//! values the delta parameterization fixes them at, so it reproduces it as
//! an ordered model too. Other models with ordered indicators (beside
//! continuous ones or covariates, threshold statements, several groups)
//! are not refitted: their comparison relies on the necessary conditions
//! of [`super::compare`] (same variables, same N, more df, a χ² not lower).
//!
//! ```
//! use analysis::sem::nesting::{refit_chisq, Refit, NESTING_CRITERION};
//! use analysis::sem::{self, ModelSpec, Options, SampleMoments};
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/ordinal_nested.csv");
//! let data = Dataset::from_path(path)?;
//! let sample = SampleMoments::from_dataset(&data, data.names())?;
//! let options = Options::default();
//! let refit = |syntax: &str| -> analysis::Result<Refit> {
//!     let spec = ModelSpec::parse(syntax)?;
//!     let fit = sem::fit(&spec, &sample, &options)?;
//!     Ok(Refit::of_fit(&spec, &options, &fit).unwrap())
//! };
//! let two = refit("f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8")?;
//! let orthogonal = refit("f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf1 ~~ 0*f2")?;
//! // Orthogonal factors are a restriction of correlated ones ...
//! assert!(refit_chisq(&two, &orthogonal).unwrap() < NESTING_CRITERION);
//! // ... but one factor is not a restriction of two orthogonal ones.
//! let one = refit("f =~ y1 + y2 + y3 + y4 + y5 + y6 + y7 + y8")?;
//! assert!(refit_chisq(&orthogonal, &one).unwrap() > 1.0);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::estimate::{self, Limits, Problem};
use super::groups::{self, GroupEqual, MultiGroupFit, MultiGroupProblem};
use super::model::Implied;
use super::partable::ParTable;
use super::samplestats::MomentsInUse;
use super::{Estimator, Likelihood, ModelSpec, Options, SampleMoments, SemFit};

/// Largest χ² of the refit taken as "reproduced": semTools' `net()`
/// default `crit = 1e-4` (the χ² of a nested pair is rounding, ~1e-10).
pub const NESTING_CRITERION: f64 = 1e-4;

/// What the check needs of a fitted model: its syntax and options (to fit
/// it again) and the moments it implies (to fit the other model to).
#[derive(Debug, Clone)]
pub struct Refit {
    /// The model.
    pub spec: ModelSpec,
    /// Its options (the refit uses ML with the normal likelihood).
    pub options: Options,
    /// Multi-group: what is held equal across the groups.
    pub groups: Option<GroupEqual>,
    /// The implied moments per group, as samples of the same N.
    pub implied: Vec<SampleMoments>,
}

/// The implied moments of a fitted table as a sample of `nobs` cases.
fn implied_sample(table: &ParTable, nobs: usize, source: &str) -> Option<SampleMoments> {
    let width = table
        .params
        .iter()
        .filter_map(|p| p.free)
        .max()
        .map_or(0, |k| k + 1);
    let mut theta = vec![0.0; width];
    for p in &table.params {
        if let Some(k) = p.free {
            theta[k] = p.value;
        }
    }
    let imp = Implied::at(table, &theta)?;
    Some(SampleMoments {
        names: table.observed.clone(),
        cov: imp.sigma.clone(),
        nobs,
        source: format!("the moments implied by {source}"),
        data: None,
        dropped: 0,
        means: table
            .meanstructure
            .then(|| imp.mean.iter().copied().collect()),
    })
}

/// The correlations an all-ordered one-group fit implies for the latent
/// responses (unit variances), as a sample of `nobs` cases without means.
fn implied_latent_responses(table: &ParTable, nobs: usize, source: &str) -> Option<SampleMoments> {
    let width = table
        .params
        .iter()
        .filter_map(|p| p.free)
        .max()
        .map_or(0, |k| k + 1);
    let mut theta = vec![0.0; width];
    for p in &table.params {
        if let Some(k) = p.free {
            theta[k] = p.value;
        }
    }
    let imp = super::wls::implied_at(table, &theta, &vec![true; table.p()])?;
    Some(SampleMoments {
        names: table.observed.clone(),
        cov: imp.sigma.clone(),
        nobs,
        source: format!("the latent-response correlations implied by {source}"),
        data: None,
        dropped: 0,
        means: None,
    })
}

/// Whether an ordered fit can be checked through its latent-response
/// correlations: every observed variable ordered (no continuous ones, no
/// covariates) and no threshold statements in the syntax (thresholds then
/// are free per item in both models, so only the correlations can differ).
fn ordered_checkable(spec: &ModelSpec, options: &Options, table: &ParTable) -> bool {
    table.observed.iter().all(|v| options.ordered.contains(v))
        && !spec
            .statements
            .iter()
            .any(|s| s.op == super::Operator::Threshold)
}

fn refit_options(options: &Options) -> Options {
    Options {
        estimator: Estimator::ML,
        likelihood: Likelihood::Normal,
        modindices: false,
        bootstrap: None,
        ordered: Vec::new(),
        ..options.clone()
    }
}

impl Refit {
    /// Of a one-group fit; `None` for ordered indicators beside continuous
    /// ones or covariates, or with threshold statements (not refitted, see
    /// the module documentation), or when the implied moments cannot be
    /// formed.
    pub fn of_fit(spec: &ModelSpec, options: &Options, fit: &SemFit) -> Option<Refit> {
        let implied = if options.ordered.is_empty() {
            implied_sample(&fit.table, fit.nobs, &spec.source)?
        } else if ordered_checkable(spec, options, &fit.table) {
            implied_latent_responses(&fit.table, fit.nobs, &spec.source)?
        } else {
            return None;
        };
        Some(Refit {
            spec: spec.clone(),
            options: Options {
                // Latent-response correlations carry no means.
                meanstructure: options.meanstructure && options.ordered.is_empty(),
                ..refit_options(options)
            },
            groups: None,
            implied: vec![implied],
        })
    }

    /// Of a multi-group fit (see [`Refit::of_fit`]); `None` with ordered
    /// indicators.
    pub fn of_groups(spec: &ModelSpec, options: &Options, fit: &MultiGroupFit) -> Option<Refit> {
        if !options.ordered.is_empty() {
            return None;
        }
        let implied = fit
            .tables
            .iter()
            .zip(&fit.nobs)
            .map(|(t, &n)| implied_sample(t, n, &spec.source))
            .collect::<Option<_>>()?;
        Some(Refit {
            spec: spec.clone(),
            options: refit_options(options),
            groups: Some(fit.group_equal.clone()),
            implied,
        })
    }
}

/// The χ² of `free` refitted to the moments `restricted` implies (`net()`'s
/// `x.within.y`), by the ML discrepancy and nothing else (net(): `se =
/// "none"`: the refit is often not identified at a boundary, and only its
/// minimum matters); `None` when it cannot be set up or does not converge
/// above the criterion (semTools: NA, undecided).
pub fn refit_chisq(free: &Refit, restricted: &Refit) -> Option<f64> {
    let samples = &restricted.implied;
    let names = &samples.first()?.names;
    let mut tables = match &free.groups {
        None if samples.len() == 1 => vec![ParTable::build_with_means(
            &free.spec,
            names,
            free.options.std_lv,
            free.options.meanstructure,
        )
        .ok()?],
        Some(equal) => {
            groups::group_tables(&free.spec, names, free.options.std_lv, samples.len(), equal)
                .ok()?
        }
        None => return None,
    };
    let moments: Vec<MomentsInUse> = tables
        .iter()
        .zip(samples)
        .map(|(t, s)| {
            s.in_use(&t.observed, Likelihood::Normal, t.meanstructure)
                .ok()
        })
        .collect::<Option<_>>()?;
    for (t, m) in tables.iter_mut().zip(&moments) {
        t.set_fixed_x(&m.s, m.mean.as_ref().map(|v| v.as_slice()));
    }
    let nobs: Vec<f64> = samples.iter().map(|s| s.nobs as f64).collect();
    let ntotal: f64 = nobs.iter().sum();
    let problems: Vec<Problem> = tables
        .iter()
        .zip(&moments)
        .map(|(t, m)| Problem::new(t, m.s.clone()).map(|p| p.with_mean(m.mean.clone())))
        .collect::<Option<_>>()?;
    // Start values: each group's own, the first group's for shared ones.
    let npar = tables[0].n_free;
    let mut start = vec![f64::NAN; npar];
    for (t, m) in tables.iter().zip(&moments) {
        let own = estimate::starting_values(t, &m.s, m.mean.as_ref());
        for k in t.params.iter().filter_map(|p| p.free) {
            if start[k].is_nan() {
                start[k] = own[k];
            }
        }
    }
    let problem = MultiGroupProblem {
        groups: problems,
        weights: nobs.iter().map(|n| n / ntotal).collect(),
    };
    let opt = estimate::optimise_within(&problem, start, Limits::default()).ok()?;
    // F = Σ (n_g/N)·F_g, so χ² = N·F, as lavaan's (normal likelihood).
    let chisq = (ntotal * opt.f).max(0.0);
    (opt.converged || chisq < NESTING_CRITERION).then_some(chisq)
}
