//! Full-information maximum likelihood with missing data (lavaan's
//! `missing = "ml"`): each case contributes the normal log-likelihood of the
//! values it has, computed pattern by pattern ([`crate::mvnorm_missing`]).
//!
//! As lavaan 0.6.14 with `missing = "ml"`:
//!
//! - a mean structure is implied (intercepts free, latent means 0);
//! - cases with no value on any model variable are left out, with a
//!   warning ([`SemWarning::EmptyCases`]);
//! - `fmin = (−logl + logl_h1) / N` and `χ² = 2 (logl_h1 − logl)`, where
//!   the unrestricted (h1) model is fitted by EM;
//! - the baseline is the independence model fitted by FIML (free means and
//!   variances), whose estimates are the available-case means and
//!   variances (its likelihood factors over the variables);
//! - SRMR uses the EM means and covariances in place of the sample moments
//!   (lavaan's `sampstat.h1`); GFI the available-case means and pairwise
//!   covariances with the expected information of incomplete data (lavaan's
//!   `WLS.obs` and `WLS.V`);
//! - standard errors come from the observed information, the Hessian of
//!   −logl (`information = "observed"`, `observed.information =
//!   "hessian"`), here by central differences of the analytic gradient, as
//!   lavaan's `lav_model_hessian`.
//!
//! MLR (Huber–White SEs, the Yuan–Bentler test) and the FIML-corrected
//! robust indices lavaan reports with missing data are in
//! [`super::missing_robust`]; groups in [`super::missing_groups`].
//!
//! Not supported (each a clear error): MLM with missing data (lavaan
//! refuses it too), least squares and ordered indicators, fixed exogenous
//! covariates, the Wishart likelihood, the bootstrap and modification
//! indices.
//!
//! Optimisation: L-BFGS on F, then Newton steps with that Hessian.

use super::estimate::GRADIENT_TOLERANCE;
use super::information::{free_parameter_name, vcov_or_unidentified, Elements};
use super::model::Implied;
use super::partable::ParTable;
use super::samplestats::{MomentsInUse, SampleMoments};
use super::{
    estimate, fit as fit_stage, missing_robust, reliability, standardized, warnings, Estimator,
    Likelihood, ModelSpec, Optimizer, Options, RSquared, SemFit, SemWarning,
};
use crate::error::{AnalysisError, Location, Result};
use crate::mvnorm_missing::{MissingPatterns, Unrestricted};
use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{Cholesky, DMatrix, DVector};
use serde::Serialize;

/// How missing values are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Records with a missing value are dropped (lavaan's default).
    #[default]
    Listwise,
    /// Full-information ML: every case with at least one value is used.
    Ml,
}

impl std::str::FromStr for Missing {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Missing> {
        match s {
            "listwise" => Ok(Missing::Listwise),
            "ml" => Ok(Missing::Ml),
            other => Err(AnalysisError::invalid_argument(
                "--missing",
                other,
                "listwise or ml",
            )),
        }
    }
}

/// What a FIML fit used: cases and missingness patterns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingSummary {
    /// Always `ml` here.
    pub method: Missing,
    /// Number of distinct missingness patterns among the cases used
    /// (lavaan's "Number of missing patterns").
    pub npatterns: usize,
    /// Cases left out because they have no value on any model variable.
    pub empty_cases: usize,
    /// Share of the model variables' values that are missing among the
    /// cases used.
    pub missing_fraction: f64,
    /// EM iterations for the unrestricted model.
    pub em_iterations: usize,
}

/// Raw data with missing values, as read (one column per variable).
#[derive(Debug, Clone, PartialEq)]
pub struct IncompleteData {
    /// Where they came from.
    pub source: String,
    /// The variables.
    pub names: Vec<String>,
    /// One vector per variable, `None` where missing.
    pub columns: Vec<Vec<Option<f64>>>,
}

impl IncompleteData {
    /// The columns `columns` of a dataset, missing values kept.
    pub fn from_dataset(data: &crate::Dataset, columns: &[String]) -> Result<IncompleteData> {
        Ok(IncompleteData {
            source: data.source.clone(),
            names: columns.to_vec(),
            columns: columns
                .iter()
                .map(|c| data.numeric_column(c))
                .collect::<Result<_>>()?,
        })
    }
}

/// One group's part of the FIML problem: (−2 logl_g(θ) + 2 logl_h1,g) / N,
/// N the cases of all groups.
pub(crate) struct Problem<'a> {
    pub(crate) table: &'a ParTable,
    pub(crate) elements: Elements,
    pub(crate) patterns: &'a MissingPatterns,
    pub(crate) h1_minus_two_logl: f64,
    pub(crate) n: f64,
}

/// The FIML problem: F(θ) = Σ_g (−2 logl_g(θ) + 2 logl_h1,g) / N over the
/// groups (one group without --group).
pub(crate) struct Fiml<'a> {
    pub(crate) groups: Vec<Problem<'a>>,
}

impl Fiml<'_> {
    fn n_free(&self) -> usize {
        self.groups.first().map_or(0, |g| g.table.n_free)
    }

    fn value(&self, theta: &[f64]) -> Option<f64> {
        self.groups.iter().map(|g| g.value(theta)).sum()
    }

    fn value_and_gradient(&self, theta: &[f64]) -> Option<(f64, Vec<f64>)> {
        let mut total = 0.0;
        let mut grad = vec![0.0; theta.len()];
        for g in &self.groups {
            let (v, gr) = g.value_and_gradient(theta)?;
            total += v;
            for (a, b) in grad.iter_mut().zip(gr) {
                *a += b;
            }
        }
        Some((total, grad))
    }

    /// ∇²F by central differences of the analytic gradient (step 1e-5 ·
    /// max(1, |θₖ|)), symmetrised; the columns in parallel (each is two
    /// gradients, the cost of the whole fit's inference).
    pub(crate) fn hessian(&self, theta: &[f64]) -> Option<DMatrix<f64>> {
        use rayon::prelude::*;
        let q = theta.len();
        let columns: Option<Vec<Vec<f64>>> = (0..q)
            .into_par_iter()
            .map(|k| {
                let step = 1e-5 * theta[k].abs().max(1.0);
                let mut up = theta.to_vec();
                up[k] += step;
                let mut dn = theta.to_vec();
                dn[k] -= step;
                let (_, gu) = self.value_and_gradient(&up)?;
                let (_, gd) = self.value_and_gradient(&dn)?;
                Some(
                    gu.iter()
                        .zip(&gd)
                        .map(|(a, b)| (a - b) / (2.0 * step))
                        .collect(),
                )
            })
            .collect();
        let columns = columns?;
        let h = DMatrix::from_fn(q, q, |j, k| columns[k][j]);
        Some((&h + h.transpose()) * 0.5)
    }
}

impl Problem<'_> {
    pub(crate) fn value(&self, theta: &[f64]) -> Option<f64> {
        let imp = Implied::at(self.table, theta)?;
        let (v, _, _) = self
            .patterns
            .minus_two_logl_with_derivatives(&imp.mean, &imp.sigma)?;
        Some((v - self.h1_minus_two_logl) / self.n)
    }

    /// F and ∂F/∂θ: `dF = tr(W dΣ)/N + gᵀdμ/N` carried to every matrix
    /// element through `∂Σ/∂x = u vᵀ + v uᵀ` and `∂μ/∂x`.
    fn value_and_gradient(&self, theta: &[f64]) -> Option<(f64, Vec<f64>)> {
        let imp = Implied::at(self.table, theta)?;
        let (v, w, g) = self
            .patterns
            .minus_two_logl_with_derivatives(&imp.mean, &imp.sigma)?;
        let p = self.table.p();
        let (u, vv) = self.elements.uv(&imp, p);
        let wu = &w * &u;
        let mean_part = self.elements.mean_jacobian(&imp, p).tr_mul(&g);
        let mut grad = vec![0.0; self.table.n_free];
        for (e, el) in self.elements.list.iter().enumerate() {
            if let Some(k) = el.theta {
                grad[k] += (2.0 * vv.column(e).dot(&wu.column(e)) + mean_part[e]) / self.n;
            }
        }
        Some(((v - self.h1_minus_two_logl) / self.n, grad))
    }
}

/// The argmin view of a borrowed [`Fiml`].
struct Cost<'a, 'b>(&'a Fiml<'b>);

impl CostFunction for Cost<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        // Outside the admissible region the cost is large and finite, so
        // that the line search backs off.
        Ok(self.0.value(theta).unwrap_or(1e10))
    }
}

impl Gradient for Cost<'_, '_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, theta: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self
            .0
            .value_and_gradient(theta)
            .map_or_else(|| vec![0.0; theta.len()], |(_, g)| g))
    }
}

pub(crate) struct Optimum {
    pub(crate) theta: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) converged: bool,
    pub(crate) lbfgs_iterations: u64,
    pub(crate) newton_iterations: usize,
    pub(crate) max_gradient: f64,
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// How many times L-BFGS is run at most before Newton steps take over.
const LBFGS_ROUNDS: usize = 3;

/// L-BFGS from `start`, then, if needed, Newton steps (with step halving)
/// until the largest |∂fmin/∂θ| is below [`GRADIENT_TOLERANCE`] or no step
/// lowers F.
pub(crate) fn optimise(problem: &Fiml, start: Vec<f64>) -> Result<Optimum> {
    if problem.value(&start).is_none() {
        return Err(AnalysisError::computation(
            "the starting values imply a covariance matrix that is not positive definite for some missingness pattern",
        ));
    }
    // L-BFGS, restarted with a fresh memory where its line search gives up
    // early (as in [`super::estimate`]); Newton steps, which each need the
    // numerical Hessian, only when that does not reach the tolerance.
    let mut theta = start;
    let mut lbfgs_iterations = 0;
    for _ in 0..LBFGS_ROUNDS {
        if problem.n_free() == 0 {
            break;
        }
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(1e-7)
            .and_then(|s| s.with_tolerance_cost(1e-15))
            .map_err(|e| AnalysisError::computation(e.to_string()))?;
        if let Ok(res) = Executor::new(Cost(problem), solver)
            .configure(|state| state.param(theta.clone()).max_iters(2000))
            .run()
        {
            lbfgs_iterations += res.state.get_iter();
            if let Some(best) = res.state.get_best_param() {
                if problem.value(best).is_some() {
                    theta = best.clone();
                }
            }
        }
        match problem.value_and_gradient(&theta) {
            Some((_, g)) if 0.5 * max_abs(&g) > GRADIENT_TOLERANCE => continue,
            _ => break,
        }
    }
    let (mut f, mut g) = problem.value_and_gradient(&theta).ok_or_else(|| {
        AnalysisError::computation("the implied covariance matrix is not positive definite")
    })?;
    let mut newton_iterations = 0;
    while newton_iterations < 50 && 0.5 * max_abs(&g) > GRADIENT_TOLERANCE {
        let Some(h) = problem.hessian(&theta) else {
            break;
        };
        let Some(chol) = Cholesky::new(h) else { break };
        let step = chol.solve(&DVector::from_column_slice(&g));
        let mut alpha = 1.0;
        let mut moved = false;
        for _ in 0..30 {
            let trial: Vec<f64> = theta
                .iter()
                .zip(step.iter())
                .map(|(t, d)| t - alpha * d)
                .collect();
            if let Some((ft, gt)) = problem.value_and_gradient(&trial) {
                if ft <= f + 1e-13 * f.abs().max(1.0) {
                    theta = trial;
                    f = ft;
                    g = gt;
                    moved = true;
                    break;
                }
            }
            alpha *= 0.5;
        }
        newton_iterations += 1;
        if !moved {
            break;
        }
    }
    let max_gradient = 0.5 * max_abs(&g);
    Ok(Optimum {
        theta,
        f,
        converged: max_gradient < GRADIENT_TOLERANCE,
        lbfgs_iterations,
        newton_iterations,
        max_gradient,
    })
}

/// lavaan's GFI with missing data: `1 − eᵀWe / sᵀWs` where s holds the
/// available-case means and the pairwise covariances (lavaan's `WLS.obs`
/// with missing data, not the EM estimates), e its residuals from the
/// implied moments, and W the expected information of incomplete data at
/// the implied moments (`h1.information = "structured"`): each pattern
/// weighs its own block, `Σₖ nₖ (½ tr((Σₖ⁻¹Eₖ)²) + eₖᵀΣₖ⁻¹eₖ)`.
pub(crate) fn gfi_missing(patterns: &MissingPatterns, imp: &Implied) -> f64 {
    let (ybar, _) = patterns.available_case_moments();
    let s_all = patterns.pairwise_covariances();
    let (mut num, mut den) = (0.0, 0.0);
    for pat in &patterns.patterns {
        let o = &pat.observed;
        let q = o.len();
        let sub = |m: &DMatrix<f64>| DMatrix::from_fn(q, q, |a, b| m[(o[a], o[b])]);
        let Some((inv, _)) = super::model::spd_inverse(&sub(&imp.sigma)) else {
            return f64::NAN;
        };
        let s = sub(&s_all);
        let e = &s - sub(&imp.sigma);
        let y = DVector::from_fn(q, |a, _| ybar[o[a]]);
        let d = DVector::from_fn(q, |a, _| ybar[o[a]] - imp.mean[o[a]]);
        let pe = &inv * &e;
        let ps = &inv * &s;
        let w = pat.n as f64;
        num += w * (0.5 * super::model::trace_product(&pe, &pe) + (&inv * &d).dot(&d));
        den += w * (0.5 * super::model::trace_product(&ps, &ps) + (&inv * &y).dot(&y));
    }
    1.0 - num / den
}

/// The combinations FIML does not cover, as errors that say what to do.
pub(crate) fn check_options(options: &Options, table: &ParTable, source: &str) -> Result<()> {
    let here = || Location::source(source);
    match options.estimator {
        Estimator::ML | Estimator::MLR => {}
        // lavaan refuses it too ("missing="ml" is not allowed for estimator
        // MLM"): its robust SEs and test assume complete data.
        Estimator::MLM => {
            return Err(AnalysisError::unsuitable(
                here(),
                "MLM with --missing ml is not allowed (as in lavaan): the Satorra–Bentler correction assumes complete data; use MLR with --missing ml (robust SEs and test with missing data) or MLM with --missing listwise",
            ))
        }
        other => {
            return Err(AnalysisError::unsuitable(
                here(),
                format!(
                    "{} with --missing ml is not supported: use ML or MLR with --missing ml, or {} with --missing listwise",
                    other.as_str(),
                    other.as_str()
                ),
            ))
        }
    }
    if !options.ordered.is_empty() {
        return Err(AnalysisError::unsuitable(
            here(),
            "ordered indicators with --missing ml are not supported: fit them with --missing listwise (WLSMV)",
        ));
    }
    if options.likelihood == Likelihood::Wishart {
        return Err(AnalysisError::unsuitable(
            here(),
            "--missing ml uses the normal likelihood (as lavaan), not the Wishart likelihood",
        ));
    }
    if options.bootstrap.is_some() {
        return Err(AnalysisError::unsuitable(
            here(),
            "the bootstrap with --missing ml is not yet supported: fit without --bootstrap",
        ));
    }
    if options.modindices {
        return Err(AnalysisError::unsuitable(
            here(),
            "modification indices with --missing ml are not yet supported: fit without --modindices",
        ));
    }
    if !table.exogenous_observed.is_empty() {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "fixed exogenous covariates ({}) with --missing ml are not yet supported: make them random with a variance statement (x ~~ x), so that FIML models their missing values too",
                table.exogenous_observed.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Fits a model by full-information ML to incomplete data (see the module
/// documentation); `options.meanstructure` is implied.
pub fn fit(spec: &ModelSpec, data: &IncompleteData, options: &Options) -> Result<SemFit> {
    let clock = std::time::Instant::now();
    let mut laps: Vec<(String, f64)> = Vec::new();
    let mut lap = |name: &str| {
        let total: f64 = laps.iter().map(|t| t.1).sum();
        laps.push((name.to_owned(), clock.elapsed().as_secs_f64() - total));
    };
    let mut table = ParTable::build_with_means(spec, &data.names, options.std_lv, true)?;
    check_options(options, &table, &data.source)?;
    // The patterns of the model's variables only: a case is empty when it
    // has none of them.
    let columns: Vec<Vec<Option<f64>>> = table
        .observed
        .iter()
        .map(|o| {
            let k = data.names.iter().position(|n| n == o).ok_or_else(|| {
                AnalysisError::input(
                    Location::source(&data.source),
                    Some(o),
                    format!("a variable of the data ({})", data.names.join(", ")),
                )
            })?;
            Ok(data.columns[k].clone())
        })
        .collect::<Result<_>>()?;
    let patterns = MissingPatterns::from_columns(&data.source, &table.observed, &columns)?;
    let n = patterns.nobs;
    let nf = n as f64;
    let npar = table.n_free;
    let n_moments = table.n_moments();
    if npar > n_moments {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!(
                "the model has {npar} free parameters but only {n_moments} sample moments (means, variances and covariances): it is not identified"
            ),
        ));
    }
    let h1: Unrestricted = patterns.em()?;
    lap("setup and EM for the unrestricted model");
    let problem = Fiml {
        groups: vec![Problem {
            table: &table,
            elements: Elements::free_of(&table),
            patterns: &patterns,
            h1_minus_two_logl: -2.0 * h1.logl,
            n: nf,
        }],
    };
    let start = estimate::starting_values(&table, &h1.cov, Some(&h1.mean));
    let opt = optimise(&problem, start)?;
    lap("optimisation (L-BFGS, Newton if needed)");
    let not_converged = SemWarning::NotConverged {
        lbfgs_iterations: opt.lbfgs_iterations,
        scoring_iterations: opt.newton_iterations,
        max_gradient: opt.max_gradient,
    };
    let imp = Implied::at(&table, &opt.theta).ok_or_else(|| {
        AnalysisError::computation(if opt.converged {
            "the implied covariance matrix at the estimates is not positive definite".to_owned()
        } else {
            not_converged.to_string()
        })
    })?;
    // Observed information: ∇²(−logl) = (N/2) ∇²F, i.e. unit information
    // ∇²F/2 inverted with N.
    let hessian = problem.hessian(&opt.theta).ok_or_else(|| {
        AnalysisError::computation("the Hessian at the estimates cannot be computed")
    })?;
    let information = hessian * 0.5;
    let ml_vcov = vcov_or_unidentified(
        &information,
        nf,
        opt.converged,
        &not_converged,
        "observed information",
        &spec.source,
        |k| free_parameter_name(&table, k),
    )?;
    lap("observed information (numerical Hessian) and its inverse (SEs)");
    // The robust pieces need the fit measures (χ², df) first; only the
    // MLR covariance of the estimates changes the table.
    table.set_theta(&opt.theta);
    standardized::fill(&mut table, &imp.c);
    // The EM moments stand in for S and ȳ where lavaan uses them (SRMR,
    // GFI); the χ²-based measures are then replaced by their FIML values.
    let em_moments = MomentsInUse {
        s: h1.cov.clone(),
        n_mult: nf,
        mean: Some(h1.mean.clone()),
    };
    let mut fit = fit_stage::measures(&table, &em_moments, &imp, opt.f, n);
    let logl = h1.logl - 0.5 * nf * opt.f;
    let baseline_logl = patterns.independence_loglik();
    let baseline_chisq = 2.0 * (h1.logl - baseline_logl);
    let chisq = fit_stage::chisq_within_rounding((nf * opt.f).max(0.0), baseline_chisq);
    let (df, baseline_df) = (fit.df, fit.baseline_df);
    let (rmsea_ci_lower, rmsea_ci_upper) = fit_stage::rmsea_ci(chisq, df, nf, 0.90);
    fit.chisq = chisq;
    fit.pvalue = (df > 0.0).then(|| fit_stage::chisq_sf(chisq, df));
    fit.baseline_chisq = baseline_chisq;
    fit.baseline_pvalue =
        (baseline_df > 0.0).then(|| fit_stage::chisq_sf(baseline_chisq, baseline_df));
    fit.cfi = fit_stage::cfi(chisq, df, baseline_chisq, baseline_df);
    fit.tli = fit_stage::tli(chisq, df, baseline_chisq, baseline_df);
    fit.nfi = fit_stage::nfi(chisq, baseline_chisq);
    fit.rmsea = fit_stage::rmsea(chisq, df, nf);
    fit.rmsea_ci_lower = rmsea_ci_lower;
    fit.rmsea_ci_upper = rmsea_ci_upper;
    fit.rmsea_pvalue = fit_stage::rmsea_pvalue(chisq, df, nf, 0.05);
    fit.logl = logl;
    fit.unrestricted_logl = h1.logl;
    fit.aic = fit_stage::aic(logl, npar as f64);
    fit.bic = fit_stage::bic(logl, npar as f64, nf);
    fit.bic2 = Some(fit_stage::bic(logl, npar as f64, (nf + 2.0) / 24.0));
    fit.fmin = opt.f / 2.0;
    fit.gfi = gfi_missing(&patterns, &imp);
    fit.agfi = fit_stage::agfi(fit.gfi, n_moments as f64, df);
    fit.pgfi = fit_stage::pgfi(fit.gfi, n_moments as f64, df);
    lap("fit measures");
    let robust = missing_robust::inference(
        options.estimator,
        &[missing_robust::FimlGroup {
            table: &table,
            imp: &imp,
            patterns: &patterns,
            h1: &h1,
        }],
        &information,
        &fit,
    )?;
    fit.robust = robust.robust;
    let robust_skipped = robust.skipped_moments;
    let more = super::fit_more::of(&fit, 1);
    fit.fiml = Some(missing_robust::FimlMeasures {
        more: Some(more),
        ..robust.measures
    });
    let vcov = robust.vcov.unwrap_or(ml_vcov);
    for p in table.params.iter_mut() {
        p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
    }
    lap("casewise scores: robust indices (and MLR's sandwich and scaled test)");
    let r2: Vec<RSquared> = standardized::r_squared(&table, &imp.c, &imp.phi)
        .into_iter()
        .filter(|(_, r)| r.is_finite())
        .map(|(variable, r2)| RSquared {
            variable,
            r2: (0.0..=1.0).contains(&r2).then_some(r2),
        })
        .collect();
    let reliability = reliability::per_factor(&table);
    let mut warnings_list = Vec::new();
    if !opt.converged {
        warnings_list.push(not_converged);
    }
    if !h1.converged {
        warnings_list.push(SemWarning::EmNotConverged {
            iterations: h1.iterations,
        });
    }
    if let Some(moments) = robust_skipped {
        warnings_list.push(SemWarning::RobustIndicesSkipped { moments });
    }
    let never_together = patterns.pairs_never_observed_together();
    if !never_together.is_empty() {
        warnings_list.push(SemWarning::ZeroCoverage {
            pairs: never_together
                .iter()
                .map(|&(i, j)| format!("{}–{}", table.observed[i], table.observed[j]))
                .collect(),
        });
    }
    if !patterns.empty_cases.is_empty() {
        warnings_list.push(SemWarning::EmptyCases {
            dropped: patterns.empty_cases.len(),
            nobs: n,
        });
    }
    let em_sample = SampleMoments {
        names: table.observed.clone(),
        cov: h1.cov.clone(),
        nobs: n,
        source: data.source.clone(),
        data: None,
        dropped: 0,
        means: Some(h1.mean.iter().copied().collect()),
    };
    warnings_list.extend(warnings::of_fit(&table, &imp, &em_sample));
    lap("standardized solution, fit measures, warnings");
    let p = table.p();
    let observed_values: usize = patterns
        .patterns
        .iter()
        .map(|pat| pat.n * pat.observed.len())
        .sum();
    Ok(SemFit {
        converged: opt.converged,
        nobs: n,
        npar,
        fit,
        table,
        likelihood: Likelihood::Normal,
        estimator: options.estimator,
        std_lv_identification: options.std_lv,
        r2,
        reliability,
        modindices: None,
        bootstrap: None,
        warnings: warnings_list,
        optimizer: Optimizer {
            method: "full-information ML: EM for the unrestricted model; L-BFGS (argmin, More-Thuente) + Newton with the numerical Hessian".into(),
            lbfgs_iterations: opt.lbfgs_iterations,
            scoring_iterations: opt.newton_iterations,
            max_abs_gradient: opt.max_gradient,
        },
        amos_columns: false,
        vcov,
        implied_cov: imp.sigma.clone(),
        timings: laps,
        test_pieces: None,
        missing: Some(MissingSummary {
            method: Missing::Ml,
            npatterns: patterns.patterns.len(),
            empty_cases: patterns.empty_cases.len(),
            missing_fraction: 1.0 - observed_values as f64 / (n * p) as f64,
            em_iterations: h1.iterations,
        }),
    })
}
