//! Structural equation modelling by maximum likelihood, with lavaan's model
//! syntax, defaults and output (lavaan 0.6 is the reference; see
//! `tests/reference/sem.R`).
//!
//! ```text
//! let spec = ModelSpec::parse("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6")?;
//! let sample = SampleMoments::from_dataset(&data, &columns)?;
//! let fit = sem::fit(&spec, &sample, &Options::default())?;
//! println!("{}", fit.to_text());
//! ```
//!
//! Submodules: [`syntax`] (parser), [`model`] (parameter table, RAM
//! matrices, sample moments), [`estimate`] (ML objective, gradient,
//! optimiser), [`information`] (expected information, standard errors),
//! [`fit`] (fit indices), [`standardized`], [`modindices`],
//! [`reliability`] (composite reliability, AVE), [`bootstrap`], [`output`].
//!
//! Missing values: raw data are reduced to complete records (listwise
//! deletion, lavaan's default); the number dropped is reported as a warning.

pub mod bootstrap;
pub mod estimate;
pub mod fit;
pub mod information;
pub mod model;
pub mod modindices;
pub mod output;
pub mod reliability;
pub mod standardized;
pub mod syntax;

pub use bootstrap::BootstrapOptions;
pub use model::{ParTable, SampleMoments};
/// The matrix type of the public API (nalgebra 0.34).
pub use nalgebra::DMatrix;
pub use syntax::{ModelSpec, Operator};

/// `sem::Model::parse(text)` reads as in lavaan's `model =` argument.
pub type Model = ModelSpec;

use crate::error::{AnalysisError, Location, Result};
use estimate::{Implied, Problem};
use information::{expected_information, invert_information, Inversion};
use nalgebra::Cholesky;
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

/// Options of a fit.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub likelihood: Likelihood,
    /// Fix latent (residual) variances to 1 instead of first loadings.
    pub std_lv: bool,
    /// Compute modification indices.
    pub modindices: bool,
    /// Bootstrap standard errors and percentile intervals.
    pub bootstrap: Option<BootstrapOptions>,
}

/// One row of the parameter estimates (lavaan's `parameterEstimates()`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub lhs: String,
    pub op: String,
    pub rhs: String,
    pub est: f64,
    /// 0 for fixed parameters.
    pub se: f64,
    /// `None` (JSON null) for fixed parameters.
    pub z: Option<f64>,
    pub pvalue: Option<f64>,
    pub std_lv: Option<f64>,
    pub std_all: Option<f64>,
    pub ci_lower: f64,
    pub ci_upper: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub free: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_se: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_ci_lower: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_ci_upper: Option<f64>,
}

/// Fit measures; names as lavaan's `fitMeasures()` with `.` → `_`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitMeasures {
    pub chisq: f64,
    pub df: f64,
    pub pvalue: Option<f64>,
    pub baseline_chisq: f64,
    pub baseline_df: f64,
    pub cfi: f64,
    pub tli: f64,
    pub nfi: f64,
    pub rmsea: f64,
    pub rmsea_ci_lower: f64,
    pub rmsea_ci_upper: f64,
    pub rmsea_pvalue: Option<f64>,
    pub srmr: f64,
    pub gfi: f64,
    pub agfi: f64,
    pub aic: f64,
    pub bic: f64,
    pub logl: f64,
    pub unrestricted_logl: f64,
    pub baseline_pvalue: Option<f64>,
    pub pgfi: f64,
    pub fmin: f64,
    pub npar: usize,
    pub ntotal: usize,
}

/// R² of an endogenous variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RSquared {
    pub variable: String,
    /// `None` (JSON null) when the value falls outside [0, 1]: a negative
    /// (Heywood) residual variance makes it meaningless, and lavaan reports
    /// NA there too.
    pub r2: Option<f64>,
}

/// How the optimiser went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Optimizer {
    pub method: String,
    pub lbfgs_iterations: u64,
    pub scoring_iterations: usize,
    pub max_abs_gradient: f64,
}

/// A fitted model.
#[derive(Debug, Clone, Serialize)]
pub struct SemFit {
    pub converged: bool,
    pub nobs: usize,
    pub npar: usize,
    pub fit: FitMeasures,
    pub estimates: Vec<Estimate>,
    pub likelihood: Likelihood,
    pub std_lv_identification: bool,
    pub r2: Vec<RSquared>,
    pub reliability: Vec<reliability::FactorReliability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modindices: Option<Vec<modindices::ModIndex>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<bootstrap::BootstrapSummary>,
    pub warnings: Vec<String>,
    pub optimizer: Optimizer,
    pub observed: Vec<String>,
    pub latent: Vec<String>,
    /// Column names for text/HTML tables: lavaan's or AMOS's.
    #[serde(skip)]
    pub amos_columns: bool,
    /// The fitted parameter table (values = estimates).
    #[serde(skip)]
    pub table: ParTable,
    /// Covariance matrix of the free parameters.
    #[serde(skip)]
    pub vcov: DMatrix<f64>,
    /// Model-implied covariance of the observed variables.
    #[serde(skip)]
    pub implied_cov: DMatrix<f64>,
    /// Wall-clock seconds per phase (not serialized: JSON stays
    /// reproducible).
    #[serde(skip)]
    pub timings: Vec<(String, f64)>,
}

impl SemFit {
    /// The estimate of `lhs op rhs` (`op` as in lavaan: "=~", "~", "~~";
    /// covariances match in either order).
    pub fn estimate(&self, lhs: &str, op: &str, rhs: &str) -> Option<&Estimate> {
        self.estimates.iter().find(|e| {
            e.op == op
                && ((e.lhs == lhs && e.rhs == rhs) || (op == "~~" && e.lhs == rhs && e.rhs == lhs))
        })
    }

    /// R² of a variable, if it is endogenous and the value is proper.
    pub fn r_squared(&self, variable: &str) -> Option<f64> {
        self.r2
            .iter()
            .find(|r| r.variable == variable)
            .and_then(|r| r.r2)
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The sample covariance in use and the χ² multiplier for a likelihood.
pub(crate) fn sample_for(
    s_n: &DMatrix<f64>,
    n: usize,
    likelihood: Likelihood,
) -> (DMatrix<f64>, f64) {
    let nf = n as f64;
    match likelihood {
        Likelihood::Normal => (s_n.clone(), nf),
        Likelihood::Wishart => (s_n * (nf / (nf - 1.0)), nf - 1.0),
    }
}

/// Checks that S is positive definite; names the variables of the most
/// nearly dependent combination otherwise.
fn check_positive_definite(s: &DMatrix<f64>, names: &[String], source: &str) -> Result<()> {
    if Cholesky::new(s.clone()).is_some() {
        let eig = nalgebra::SymmetricEigen::new(s.clone());
        let max = eig.eigenvalues.max();
        if eig.eigenvalues.min() > 1e-12 * max {
            return Ok(());
        }
    }
    let eig = nalgebra::SymmetricEigen::new(s.clone());
    let k = eig.eigenvalues.imin();
    let v = eig.eigenvectors.column(k);
    let top = v.amax();
    let involved: Vec<&str> = (0..names.len())
        .filter(|&i| v[i].abs() > 0.2 * top)
        .map(|i| names[i].as_str())
        .collect();
    Err(AnalysisError::unsuitable(
        Location::source(source),
        format!(
            "the sample covariance matrix of the model's observed variables is not positive definite (smallest eigenvalue {:.3e}); the variables {} are (nearly) linearly dependent",
            eig.eigenvalues[k],
            involved.join(", ")
        ),
    ))
}

/// Fits a model by maximum likelihood.
pub fn fit(spec: &ModelSpec, sample: &SampleMoments, options: &Options) -> Result<SemFit> {
    let clock = std::time::Instant::now();
    let mut timings: Vec<(String, f64)> = Vec::new();
    let mut lap = |name: &str| {
        let total: f64 = timings.iter().map(|t| t.1).sum();
        timings.push((name.to_owned(), clock.elapsed().as_secs_f64() - total));
    };
    let mut table = ParTable::build(spec, &sample.names, options.std_lv)?;
    let n = sample.nobs;
    let s_n = sample.select(&table.observed)?;
    let (s, n_mult) = sample_for(&s_n, n, options.likelihood);
    check_positive_definite(&s, &table.observed, &sample.source)?;
    let npar = table.n_free;
    let moments = table.n_moments();
    if npar > moments {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!(
                "the model has {npar} free parameters but only {moments} sample moments (variances and covariances): it is not identified"
            ),
        ));
    }
    fill_fixed_x(&mut table, &s);
    let problem = Problem::new(&table, s.clone()).ok_or_else(|| {
        AnalysisError::unsuitable(
            Location::source(&sample.source),
            "the sample covariance matrix is not positive definite",
        )
    })?;
    let start = estimate::starting_values(&table, &s);
    lap("setup (parameter table, sample moments, start values)");
    let opt = estimate::optimise(&problem, start)?;
    lap("optimisation (L-BFGS + Fisher scoring)");
    if !opt.converged {
        return Err(AnalysisError::computation(format!(
            "the ML estimation did not converge (largest gradient {:.2e} after {} L-BFGS and {} Fisher-scoring iterations); check the model and the starting values",
            opt.max_gradient, opt.lbfgs_iterations, opt.scoring_iterations
        )));
    }
    let mut fitted = table.clone();
    for p in fitted.params.iter_mut() {
        if let Some(k) = p.free {
            p.value = opt.theta[k];
        }
    }
    let imp = Implied::at(&fitted, &opt.theta).ok_or_else(|| {
        AnalysisError::computation(
            "the implied covariance matrix at the estimates is not positive definite",
        )
    })?;
    let info = expected_information(&fitted, &problem.elements, &imp);
    let inversion = invert_information(&info, n_mult);
    lap("expected information and its inverse (SEs)");
    let vcov = match inversion {
        Inversion::Vcov(v) => v,
        Inversion::Singular(idx) => {
            let names: Vec<String> = idx
                .iter()
                .filter_map(|&k| fitted.params.iter().find(|p| p.free == Some(k)))
                .map(|p| format!("{} {} {}", p.lhs, p.op.symbol(), p.rhs))
                .collect();
            return Err(AnalysisError::unsuitable(
                Location::source(&spec.source),
                format!(
                    "the model is not identified: the information matrix is singular; the parameters involved include {}",
                    names.join(", ")
                ),
            ));
        }
    };

    // Estimates with SEs and standardized values.
    let z975 = 1.959_963_984_540_054;
    let rows: Vec<standardized::Row> = fitted
        .params
        .iter()
        .map(|p| standardized::Row {
            lhs: &p.lhs,
            op: p.op,
            rhs: &p.rhs,
            value: p.value,
        })
        .collect();
    let resvar = |v: &str| fitted.find(v, Operator::Covariance, v).map(|p| p.value);
    let std = standardized::standardize(&fitted, &imp.c, &rows, &resvar);
    let normal = statrs::distribution::Normal::standard();
    let estimates: Vec<Estimate> = fitted
        .params
        .iter()
        .zip(&std)
        .map(|(p, &(slv, sall))| {
            let se = p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt());
            let z = p.free.and_then(|_| finite(p.value / se));
            let pvalue = z.map(|z| {
                use statrs::distribution::ContinuousCDF;
                2.0 * normal.sf(z.abs())
            });
            Estimate {
                lhs: p.lhs.clone(),
                op: p.op.symbol().to_owned(),
                rhs: p.rhs.clone(),
                est: p.value,
                se,
                z,
                pvalue,
                std_lv: finite(slv),
                std_all: finite(sall),
                ci_lower: p.value - z975 * se,
                ci_upper: p.value + z975 * se,
                label: p.label.clone(),
                free: p.free.is_some(),
                boot_se: None,
                boot_ci_lower: None,
                boot_ci_upper: None,
            }
        })
        .collect();

    lap("estimates table and standardized solution");
    let fit = fit_measures(&fitted, &s, &imp, opt.f, n, n_mult, options.likelihood);
    lap("fit measures (incl. RMSEA interval)");
    let r2: Vec<RSquared> = standardized::r_squared(&fitted, &imp.c, &imp.phi)
        .into_iter()
        .filter(|(_, r)| r.is_finite())
        .map(|(variable, r2)| RSquared {
            variable,
            r2: (0.0..=1.0).contains(&r2).then_some(r2),
        })
        .collect();
    let reliability = reliability::per_factor(&fitted, &estimates);
    let warnings = warnings(&fitted, &imp, sample);

    let mut result = SemFit {
        converged: true,
        nobs: n,
        npar,
        fit,
        estimates,
        likelihood: options.likelihood,
        std_lv_identification: options.std_lv,
        r2,
        reliability,
        modindices: None,
        bootstrap: None,
        warnings,
        optimizer: Optimizer {
            method: "L-BFGS (argmin, More-Thuente) + Fisher scoring".into(),
            lbfgs_iterations: opt.lbfgs_iterations,
            scoring_iterations: opt.scoring_iterations,
            max_abs_gradient: opt.max_gradient,
        },
        observed: fitted.observed.clone(),
        latent: fitted.latent.clone(),
        amos_columns: false,
        table: fitted.clone(),
        vcov,
        implied_cov: imp.sigma.clone(),
        timings: Vec::new(),
    };
    lap("R², reliability, warnings");
    if options.modindices {
        result.modindices = Some(modindices::modification_indices(
            &fitted,
            &problem,
            &imp,
            &result.vcov,
            n,
            n_mult,
        ));
        lap("modification indices");
    }
    if let Some(b) = &options.bootstrap {
        bootstrap::run(&mut result, sample, options, b)?;
        lap("bootstrap");
    }
    result.timings = timings;
    Ok(result)
}

/// Sets the fixed.x parameters to the sample (co)variances in use.
pub(crate) fn fill_fixed_x(table: &mut ParTable, s: &DMatrix<f64>) {
    for p in table.params.iter_mut().filter(|p| p.exo) {
        p.value = s[(p.row, p.col)];
    }
}

/// Relative size below which a model χ² is rounding noise: F at the optimum
/// is a difference of log-determinants and traces of size ~p, accurate to
/// ~1e-13 relative, and the optimiser stops at a gradient of ~1e-8, so a
/// perfectly fitting model (a just-identified one, a single-indicator
/// factor) ends with F of 1e-16 to 1e-12 instead of 0 — which N multiplies
/// (χ² = 8192 with df 0 at N = 1e15) and which CFI then reads as misfit
/// (CFI 0 where lavaan reports 1).
pub const CHISQ_ZERO_TOLERANCE: f64 = 1e-8;

/// The model χ², with values below [`CHISQ_ZERO_TOLERANCE`] ·
/// max(1, baseline χ²) taken as the exact 0 they stand for.
pub fn chisq_within_rounding(chisq: f64, baseline_chisq: f64) -> f64 {
    if chisq < CHISQ_ZERO_TOLERANCE * baseline_chisq.max(1.0) {
        0.0
    } else {
        chisq
    }
}

/// All fit measures at the optimum (see [`fit`] for the definitions).
fn fit_measures(
    table: &ParTable,
    s: &DMatrix<f64>,
    imp: &Implied,
    f: f64,
    n: usize,
    n_mult: f64,
    _likelihood: Likelihood,
) -> FitMeasures {
    let p = table.p();
    let pf = p as f64;
    let nf = n as f64;
    let npar = table.n_free;
    let df = (table.n_moments() - npar) as f64;
    let raw_chisq = (n_mult * f).max(0.0);
    // Baseline: independence model, with the block of fixed exogenous
    // covariates kept at its sample values.
    let exo: Vec<usize> = table
        .exogenous_observed
        .iter()
        .filter_map(|x| table.observed.iter().position(|o| o == x))
        .collect();
    let mut sigma_b = DMatrix::from_diagonal(&s.diagonal());
    for &i in &exo {
        for &j in &exo {
            sigma_b[(i, j)] = s[(i, j)];
        }
    }
    let log_det = |m: &DMatrix<f64>| {
        Cholesky::new(m.clone()).map_or(f64::NAN, |c| {
            2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>()
        })
    };
    let log_det_s = log_det(s);
    let baseline_chisq = n_mult * (log_det(&sigma_b) - log_det_s);
    let chisq = chisq_within_rounding(raw_chisq, baseline_chisq);
    let nx = exo.len();
    let baseline_df = (table.n_moments() - (p - nx)) as f64;
    let tr_s_sigma_inv = estimate::trace_product(s, &imp.sigma_inv);
    // With fixed exogenous covariates lavaan reports the likelihood
    // conditional on them: their marginal log-likelihood is subtracted.
    let logl_x = if nx > 0 {
        let sxx = DMatrix::from_fn(nx, nx, |i, j| s[(exo[i], exo[j])]);
        fit::loglik(nf, nx as f64, log_det(&sxx), nx as f64)
    } else {
        0.0
    };
    let logl = fit::loglik(nf, pf, imp.log_det, tr_s_sigma_inv) - logl_x;
    let unrestricted_logl = fit::loglik(nf, pf, log_det_s, pf) - logl_x;
    // lavaan's RMSEA uses the χ² multiplier: N (normal), N − 1 (Wishart).
    let (rmsea_ci_lower, rmsea_ci_upper) = fit::rmsea_ci(chisq, df, n_mult, 0.90);
    // GFI with the expected-information weight at Σ̂.
    let e = s - &imp.sigma;
    let pe = &imp.sigma_inv * &e;
    // lavaan gives the moments of fixed exogenous covariates zero weight.
    let mut s_weighted = s.clone();
    for &i in &exo {
        for &j in &exo {
            s_weighted[(i, j)] = 0.0;
        }
    }
    let ps = &imp.sigma_inv * &s_weighted;
    let gfi = 1.0 - estimate::trace_product(&pe, &pe) / estimate::trace_product(&ps, &ps);
    let nel = (p * (p + 1) / 2) as f64;
    // SRMR (Bentler): residuals scaled by the observed standard deviations.
    let mut ss = 0.0;
    for i in 0..p {
        for j in 0..=i {
            let r = e[(i, j)] / (s[(i, i)] * s[(j, j)]).sqrt();
            ss += r * r;
        }
    }
    let srmr = (ss / nel).sqrt();
    FitMeasures {
        chisq,
        df,
        pvalue: (df > 0.0).then(|| fit::chisq_sf(chisq, df)),
        baseline_chisq,
        baseline_df,
        cfi: fit::cfi(chisq, df, baseline_chisq, baseline_df),
        tli: fit::tli(chisq, df, baseline_chisq, baseline_df),
        nfi: fit::nfi(chisq, baseline_chisq),
        rmsea: fit::rmsea(chisq, df, n_mult),
        rmsea_ci_lower,
        rmsea_ci_upper,
        rmsea_pvalue: fit::rmsea_pvalue(chisq, df, n_mult, 0.05),
        srmr,
        gfi,
        agfi: fit::agfi(gfi, nel, df),
        aic: fit::aic(logl, npar as f64),
        bic: fit::bic(logl, npar as f64, nf),
        logl,
        unrestricted_logl,
        baseline_pvalue: (baseline_df > 0.0).then(|| fit::chisq_sf(baseline_chisq, baseline_df)),
        pgfi: fit::pgfi(gfi, nel, df),
        fmin: f / 2.0,
        npar,
        ntotal: n,
    }
}

/// The largest N at which χ² = N·F keeps its meaning to better than 1e-4
/// absolute; `paraclinic sem --nobs` stops there, library callers get a
/// warning beyond it.
pub const ACCURATE_NOBS: f64 = 1e9;

/// Heywood cases, a non-positive-definite latent covariance matrix,
/// dropped records and an N beyond [`ACCURATE_NOBS`].
fn warnings(table: &ParTable, imp: &Implied, sample: &SampleMoments) -> Vec<String> {
    let mut w = Vec::new();
    if !table.random_exogenous.is_empty() {
        w.push(format!(
            "the model has variance/covariance statements involving the exogenous covariate(s) {}: they are treated as random, with free variances, instead of fixed at their sample values (as lavaan does)",
            table.random_exogenous.join(", ")
        ));
    }
    if sample.nobs as f64 > ACCURATE_NOBS {
        w.push(format!(
            "N = {} is above {ACCURATE_NOBS:e}, the largest N the command line accepts: χ² = N·F multiplies the optimiser's rounding of F (about 1e-13) by N, so χ² and the indices built on it carry an absolute error of about N·1e-13",
            sample.nobs
        ));
    }
    if sample.dropped > 0 {
        w.push(format!(
            "{} record(s) with missing values were dropped (listwise deletion); N = {}",
            sample.dropped, sample.nobs
        ));
    }
    for p in &table.params {
        if p.op == Operator::Covariance && p.lhs == p.rhs && p.value < 0.0 {
            w.push(format!(
                "Heywood case: the variance estimate of {} is negative ({:.4})",
                p.lhs, p.value
            ));
        }
    }
    let k = table.latent.len();
    if k > 0 {
        let psi = imp.c.view((table.p(), table.p()), (k, k)).into_owned();
        let eig = nalgebra::SymmetricEigen::new(psi);
        if eig.eigenvalues.min() <= 0.0 {
            w.push(format!(
                "the model-implied covariance matrix of the latent variables is not positive definite (smallest eigenvalue {:.4e})",
                eig.eigenvalues.min()
            ));
        }
    }
    w
}
