//! Least-squares estimators — `WLSMV`, `DWLS`, `ULS` (ordered or
//! continuous indicators) and `GLS` (continuous) — as lavaan 0.6 fits them
//! (the numerical reference is `tests/reference/sem_ordinal.R`).
//!
//! All fit a vector of sample statistics s by the model's σ(θ), minimising
//! `F = (s − σ(θ))ᵀ W (s − σ(θ))`, with χ² = N·F and lavaan's
//! `fmin = F / 2`:
//!
//! - **ordered indicators** (lavaan's `ordered =`): s holds the thresholds
//!   (variable by variable) and the polychoric correlations
//!   ([`crate::polychoric`]), Γ is their asymptotic covariance (Muthén 1984,
//!   lavaan's NACOV). The model follows lavaan's *delta* parameterization:
//!   the latent responses y* have intercepts fixed at 0, latent means are 0,
//!   scale factors (`x ~*~ x`) are 1, and the residual variance of each
//!   ordered indicator is not a parameter but `1 − (its explained
//!   variance)`, so that every y* has unit variance and Σ(θ) is a
//!   correlation matrix. Thresholds are parameters (`x | t1`, …), which the
//!   model syntax may label or fix.
//! - **ordered and continuous indicators together** (lavaan's `ordered =
//!   c("a", "b")`; [`crate::polyserial`]): s holds per variable its
//!   thresholds or, for a continuous one, minus its mean; then the
//!   variances of the continuous ones; then the covariances, in which
//!   pairs of ordered variables have polychoric correlations, ordered with
//!   continuous polyserial ones times σ, and continuous pairs their
//!   covariances (divisor N). A continuous indicator keeps its intercept
//!   and residual variance as parameters; lavaan 0.6.14 reports no robust
//!   CFI/TLI/RMSEA for such fits, and neither do we.
//! - **continuous indicators**: s holds the means (with a mean structure)
//!   and vech S (divisor N); Γ is Browne's ADF estimate
//!   ([`crate::adf_gamma`]).
//!
//! Weights: DWLS and WLSMV `W = diag(Γ)⁻¹`, ULS `W = I`, GLS the
//! normal-theory weight at S (`½ Dᵀ(S⁻¹ ⊗ S⁻¹)D`, S⁻¹ for the means).
//! The minimum is found by Gauss–Newton steps with a Levenberg–Marquardt
//! damping (F is a sum of squares, so JᵀWJ is its natural curvature).
//!
//! Inference, with Δ = ∂σ/∂θᵀ and E = ΔᵀWΔ: DWLS, ULS and GLS use lavaan's
//! "standard" SEs, `vcov = E⁻¹ / N`, and the standard test; WLSMV the
//! sandwich `E⁻¹ ΔᵀWΓWΔ E⁻¹ / N` (`se = "robust.sem"`) and the
//! scaled-and-shifted test (lavaan 0.6's `test = "scaled.shifted"` for
//! WLSMV): with `U = W − WΔE⁻¹ΔᵀW`, `a = √(df / tr((UΓ)²))`,
//! `b = df − a·tr(UΓ)`, the statistic is `a·χ² + b` on df degrees of
//! freedom, scaling factor `1/a`, shift `b`. The baseline (thresholds, or
//! means and variances, free; correlations, or covariances, zero) gets the
//! same treatment for the scaled CFI and TLI.
//!
//! Γ is never formed as a q × q matrix (q = 3 315 for 78 five-point items):
//! with the influence matrix G (N × q, Γ = GᵀG), `ΔᵀWΓWΔ = (GWΔ)ᵀ(GWΔ)`,
//! `tr(UΓ) = tr(M)` and `tr((UΓ)²) = ‖M‖²` for the N × N matrix
//! `M = G U Gᵀ = (GW)Gᵀ − (GWΔ)E⁻¹(GWΔ)ᵀ`.
//!
//! The robust CFI, TLI and RMSEA of WLSMV with ordered data are lavaan
//! 0.6.14's (Savalei 2021, `lav_fit_catml_dwls`; see [`CatMl`]). lavaan's
//! least-squares fits count N − 1: χ² = (N − 1)·F, `vcov = E⁻¹/(N − 1)` (and
//! the sandwich over N − 1), S with divisor N − 1, RMSEA with N − 1; fmin is
//! χ² / 2N. Observed exogenous covariates with ordered indicators are
//! fitted conditional on them, as lavaan's `conditional.x`
//! ([`super::wls_covariates`]; single group, all indicators ordered). Not
//! yet: ordered predictors, free latent means (but see groups), missing data other than listwise deletion. Multiple
//! groups: [`super::groups_wls`].
//!
//! The entry point is [`super::fit`] with [`Options::ordered`] naming the
//! ordered variables (all or some of the model's observed variables) and the
//! estimator in [`Options::estimator`]:
//!
//! ```
//! use analysis::sem::{self, Estimator, ModelSpec, Operator, Options, SampleMoments};
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/ordinal.csv");
//! let data = Dataset::from_path(path)?;
//! let items: Vec<String> = (1..=4).map(|i| format!("o{i}")).collect();
//! let sample = SampleMoments::from_dataset(&data, &items)?;
//! let spec = ModelSpec::parse("f =~ o1 + o2 + o3 + o4")?;
//! let options = Options { estimator: Estimator::WLSMV, ordered: items, ..Options::default() };
//! let fit = sem::fit(&spec, &sample, &options)?;
//! assert!(fit.converged);
//! // Five-point items: four thresholds each, as parameters.
//! let t4 = fit.table.find("o1", Operator::Threshold, "t4").unwrap();
//! assert!(t4.free.is_some() && t4.se.unwrap() > 0.0);
//! // The scaled-and-shifted test beside the standard one.
//! let robust = fit.fit.robust.as_ref().unwrap();
//! assert!(robust.chisq_scaled.is_some() && robust.cfi_robust.is_some());
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::estimate::{self, Limits};
use super::fit::{cfi, chisq_sf, nfi, rmsea, rmsea_ci, rmsea_pvalue, tli, FitMeasures};
use super::information::{free_parameter_name, vcov_or_unidentified, Elements};
use super::model::{inverse_i_minus, mean_vector, ram_matrices, spd_inverse, Implied};
use super::partable::{threshold_without_ordered, Matrix, ParTable, Parameter};
use super::robust::{moments_jacobian, normal_weight, vech_pairs, Estimator, RobustFit};
use super::samplestats::SampleMoments;
use super::syntax::{location, ModelSpec, Operator};
use super::{
    reliability, standardized, warnings, Laps, Likelihood, Optimizer, Options, RSquared, SemFit,
    SemWarning,
};
use super::{wls_covariates, wls_mixed};
use crate::error::{AnalysisError, Location, Result};
use crate::polychoric::{polychoric, OrderedData};
use nalgebra::{DMatrix, DVector};
use std::collections::HashMap;

/// The weight matrix W of the discrepancy.
#[derive(Debug, Clone, PartialEq)]
pub enum Weight {
    /// A diagonal weight (DWLS: 1 / diag Γ; ULS: ones).
    Diagonal(DVector<f64>),
    /// A full weight (GLS).
    Full(DMatrix<f64>),
}

impl Weight {
    /// W·X.
    pub fn times(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        match self {
            Weight::Diagonal(w) => {
                let mut out = x.clone();
                for (mut row, wi) in out.row_iter_mut().zip(w.iter()) {
                    row *= *wi;
                }
                out
            }
            Weight::Full(w) => w * x,
        }
    }
    /// W·v.
    pub(crate) fn times_vector(&self, v: &DVector<f64>) -> DVector<f64> {
        match self {
            Weight::Diagonal(w) => v.component_mul(w),
            Weight::Full(w) => w * v,
        }
    }
    /// G·W for an N × q matrix G.
    pub(crate) fn right_of(&self, g: &DMatrix<f64>) -> DMatrix<f64> {
        match self {
            Weight::Diagonal(w) => {
                let mut out = g.clone();
                for (mut col, wi) in out.column_iter_mut().zip(w.iter()) {
                    col *= *wi;
                }
                out
            }
            Weight::Full(w) => g * w,
        }
    }
}

/// What lavaan's difference test of least-squares fits (`lavTestLRT`'s
/// `satorra.2000`, see [`super::compare`]) needs of a fitted model, one
/// entry per group (group 1 first; one entry without groups). The
/// information is `Σ_g (n_g/N)·Δ_gᵀW_gΔ_g` ([`TestPieces::information`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TestPieces {
    /// Per group.
    pub groups: Vec<GroupTestPieces>,
}

/// One group's part of [`TestPieces`].
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTestPieces {
    /// The sample statistics, in the order of Δ's and W's rows: `x|t1`
    /// (thresholds), `x~~y` (polychoric correlations, or covariances and
    /// variances), `x~1` (means); the names of a pair in the model's order.
    pub statistics: Vec<String>,
    /// Δ = ∂σ/∂θᵀ at the estimates: statistics × the model's free
    /// parameters (all groups' parameters in a multi-group model; a
    /// parameter shared by labels is one column).
    pub delta: DMatrix<f64>,
    /// W.
    pub weight: Weight,
    /// G (N_g × statistics) with Γ = GᵀG, lavaan's NACOV (Γ is never
    /// formed: 3 315 statistics for 78 five-point items); `None` without
    /// raw data.
    pub gamma_root: Option<DMatrix<f64>>,
    /// Cases of the group.
    pub nobs: usize,
}

impl TestPieces {
    /// Total number of cases.
    pub fn ntotal(&self) -> usize {
        self.groups.iter().map(|g| g.nobs).sum()
    }

    /// lavaan's expected information of a least-squares fit,
    /// `Σ_g (n_g/N)·Δ_gᵀW_gΔ_g`.
    pub fn information(&self) -> DMatrix<f64> {
        let n = self.ntotal() as f64;
        let k = self.groups.first().map_or(0, |g| g.delta.ncols());
        let mut info = DMatrix::zeros(k, k);
        for g in &self.groups {
            info += g.delta.transpose() * g.weight.times(&g.delta) * (g.nobs as f64 / n);
        }
        info
    }
}

/// The names of the sample statistics of a least-squares fit, in the
/// order of s (see [`GroupTestPieces::statistics`]).
pub(crate) fn statistic_names(table: &ParTable, st: &Statistics, ordered: bool) -> Vec<String> {
    let names = &table.observed;
    if !st.covariates.is_empty() {
        return wls_covariates::statistic_names(table, st);
    }
    let mut out = vec![String::new(); st.s.len()];
    if ordered {
        for (v, &at) in st.threshold_offset.iter().enumerate() {
            let end = st
                .threshold_offset
                .get(v + 1)
                .copied()
                .unwrap_or(st.n_first);
            if !st.ordered_mask[v] {
                // A continuous variable among ordered ones: its minus-mean,
                // and its variance after the first part.
                out[at] = format!("{}~1", names[v]);
                continue;
            }
            for (k, slot) in out[at..end].iter_mut().enumerate() {
                *slot = format!("{}|t{}", names[v], k + 1);
            }
        }
        let continuous = (0..table.p()).filter(|&v| !st.ordered_mask[v]);
        for (slot, v) in out[st.n_first..].iter_mut().zip(continuous) {
            *slot = format!("{0}~~{0}", names[v]);
        }
    } else if st.mean.is_some() {
        for (v, slot) in out[..table.p()].iter_mut().enumerate() {
            *slot = format!("{}~1", names[v]);
        }
    }
    let pairs = vech_pairs(table.p())
        .into_iter()
        .filter(|&(a, b)| !ordered || a != b);
    for (slot, (a, b)) in out[st.n_first + st.n_variances..].iter_mut().zip(pairs) {
        *slot = format!("{}~~{}", names[b], names[a]);
    }
    out
}

/// The sample statistics of a least-squares fit.
pub(crate) struct Statistics {
    /// s, in lavaan's order (thresholds then correlations; or means then
    /// vech S).
    pub(crate) s: DVector<f64>,
    /// W.
    pub(crate) weight: Weight,
    /// G with Γ = GᵀG (N × q), when raw data are known.
    pub(crate) influence: Option<DMatrix<f64>>,
    /// Ordered: where each observed variable's thresholds (or, for a
    /// continuous one among ordered, its minus-mean) start in s.
    pub(crate) threshold_offset: Vec<usize>,
    /// Number of thresholds (ordered) or means (continuous) before the
    /// covariance part.
    pub(crate) n_first: usize,
    /// Ordered with continuous indicators: the variances of the continuous
    /// ones, after the first part (lavaan's order); 0 otherwise.
    pub(crate) n_variances: usize,
    /// Which observed variables are ordered (empty for continuous data).
    pub(crate) ordered_mask: Vec<bool>,
    /// The correlation (ordered) or covariance matrix, for start values and
    /// residuals.
    pub(crate) matrix: DMatrix<f64>,
    /// Sample means (continuous data with a mean structure).
    pub(crate) mean: Option<DVector<f64>>,
    /// Observed exogenous covariates that the statistics are conditional
    /// on (indices in the observed variables; [`super::wls_covariates`]).
    pub(crate) covariates: Vec<usize>,
}

/// Resolves which estimator an ordered fit uses and checks the combination
/// of options, before any work.
fn check_options(options: &Options, sample: &SampleMoments, ordered: bool) -> Result<Estimator> {
    let here = || Location::source(&sample.source);
    let estimator = options.estimator;
    let name = estimator.as_str();
    if ordered {
        match estimator {
            Estimator::WLSMV | Estimator::DWLS | Estimator::ULS => {}
            Estimator::GLS => {
                return Err(AnalysisError::unsuitable(
                    here(),
                    "GLS is for continuous data (its weight is the inverse of the normal-theory Γ of S); ordered indicators are fitted by WLSMV, DWLS or ULS (as lavaan)",
                ))
            }
            _ => {
                return Err(AnalysisError::unsuitable(
                    here(),
                    format!(
                        "{name} is for continuous data; ordered indicators are fitted by WLSMV (lavaan's default for them), DWLS or ULS"
                    ),
                ))
            }
        }
    }
    if options.likelihood == Likelihood::Wishart {
        return Err(AnalysisError::unsuitable(
            here(),
            format!("the Wishart likelihood belongs to ML; {name} has no likelihood (use the default normal)"),
        ));
    }
    if options.modindices {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "modification indices are not yet computed for {name}: fit without --modindices"
            ),
        ));
    }
    if options.bootstrap.is_some() {
        return Err(AnalysisError::unsuitable(
            here(),
            format!("the bootstrap is not yet available for {name}: fit without --bootstrap"),
        ));
    }
    let needs_data = ordered || matches!(estimator, Estimator::WLSMV | Estimator::DWLS);
    if needs_data && sample.data.is_none() {
        return Err(AnalysisError::unsuitable(
            here(),
            if ordered {
                "ordered indicators need raw data (thresholds and polychoric correlations come from the answers), not a covariance matrix".to_owned()
            } else {
                format!("{name} needs raw data (its weights come from each case's contribution to S), not a covariance matrix")
            },
        ));
    }
    Ok(estimator)
}

/// The model with its `x | t` statements taken out (they become threshold
/// rows once the categories are known).
pub(crate) fn without_thresholds(spec: &ModelSpec) -> ModelSpec {
    ModelSpec {
        source: spec.source.clone(),
        statements: spec
            .statements
            .iter()
            .filter(|s| s.op != Operator::Threshold)
            .cloned()
            .collect(),
    }
}

/// Gives the free parameters consecutive indices in row order again after
/// rows were fixed or added; rows that shared an index keep sharing one.
fn renumber_free(table: &mut ParTable) {
    let mut map: HashMap<usize, usize> = HashMap::new();
    for p in table.params.iter_mut() {
        if let Some(k) = p.free {
            let next = map.len();
            p.free = Some(*map.entry(k).or_insert(next));
        }
    }
    table.n_free = map.len();
}

/// The delta parameterization for ordered indicators: intercepts fixed at
/// 0, residual variances fixed (computed from the other parameters),
/// threshold rows from the data's categories and the model's `x | t`
/// statements, scale factors fixed at 1.
///
/// `categories[v]` holds the observed categories of the observed variable
/// v, empty for a continuous one (whose intercept and residual variance
/// stay parameters, as lavaan's).
pub(crate) fn parameterize_ordered(
    table: &mut ParTable,
    spec: &ModelSpec,
    categories: &[Vec<f64>],
) -> Result<()> {
    let src = spec.source.as_str();
    let ordered = &table.observed;
    let is_ordered = |v: usize| categories.get(v).is_some_and(|c| !c.is_empty());
    // Ordered variables must not predict other variables: their residual
    // variance then enters only their own (unit) variance.
    for p in &table.params {
        if p.matrix == Matrix::A && p.col < table.p() && is_ordered(p.col) {
            return Err(AnalysisError::unsuitable(
                Location::source(src),
                format!(
                    "the ordered variable {} predicts {} ({} {} {}): ordered predictors are not yet supported",
                    table.observed[p.col], p.lhs, p.lhs, p.op, p.rhs
                ),
            ));
        }
    }
    let user_free = |p: &Parameter| p.user && p.free.is_some();
    for p in table.params.iter_mut() {
        let observed = p.row < ordered.len();
        if observed && !is_ordered(p.row) {
            continue;
        }
        match (p.op, p.matrix) {
            (Operator::Intercept, _) => {
                if user_free(p) {
                    let what = if observed {
                        "an intercept of an ordered indicator is fixed at 0 in the delta parameterization (its thresholds take its place)"
                    } else {
                        "latent means are fixed at 0 with ordered indicators (free ones are not yet supported)"
                    };
                    return Err(AnalysisError::unsuitable(
                        Location::source(src),
                        format!("{} ~ 1: {what}", p.lhs),
                    ));
                }
                if p.free.is_some() {
                    p.free = None;
                    p.value = 0.0;
                }
            }
            (Operator::Covariance, Matrix::Phi) if observed && p.row == p.col => {
                if user_free(p) {
                    return Err(AnalysisError::unsuitable(
                        Location::source(src),
                        format!(
                            "{} ~~ {}: the residual variance of an ordered indicator is not a parameter in the delta parameterization (it is 1 minus the explained variance)",
                            p.lhs, p.rhs
                        ),
                    ));
                }
                p.free = None;
                p.value = 0.0;
            }
            _ => {}
        }
    }
    // Threshold rows, with the model's modifiers.
    let mut labels: HashMap<String, usize> = table
        .params
        .iter()
        .filter_map(|p| Some((p.label.clone()?, p.free?)))
        .collect();
    let mut next_free = table
        .params
        .iter()
        .filter_map(|p| p.free)
        .max()
        .map_or(0, |k| k + 1);
    let mut thresholds = Vec::new();
    for s in spec
        .statements
        .iter()
        .filter(|s| s.op == Operator::Threshold)
    {
        let Some(v) = ordered
            .iter()
            .position(|o| o == &s.lhs)
            .filter(|&v| is_ordered(v))
        else {
            return Err(threshold_without_ordered(spec, s));
        };
        for t in &s.rhs {
            let k = t
                .name
                .strip_prefix('t')
                .and_then(|k| k.parse::<usize>().ok())
                .filter(|&k| k >= 1);
            let n_thresholds = categories[v].len() - 1;
            let Some(k) = k.filter(|&k| k <= n_thresholds) else {
                return Err(AnalysisError::input(
                    location(src, t.position),
                    Some(&format!("{} | {}", s.lhs, t.name)),
                    format!(
                        "a threshold t1 … t{n} of {}: its {} observed categories ({}) have {n} threshold(s)",
                        s.lhs,
                        n_thresholds + 1,
                        categories[v]
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        n = n_thresholds
                    ),
                ));
            };
            if thresholds.iter().any(|&(vv, kk, _)| vv == v && kk == k - 1) {
                return Err(AnalysisError::input(
                    location(src, t.position),
                    Some(&format!("{} | {}", s.lhs, t.name)),
                    "each parameter specified once",
                ));
            }
            thresholds.push((v, k - 1, Some(t)));
        }
    }
    let mut rows = Vec::new();
    for (v, name) in ordered.iter().enumerate() {
        for k in 0..categories[v].len().saturating_sub(1) {
            let user = thresholds
                .iter()
                .find(|&&(vv, kk, _)| vv == v && kk == k)
                .and_then(|t| t.2);
            let mut p = Parameter::new(
                name,
                Operator::Threshold,
                &format!("t{}", k + 1),
                (Matrix::Threshold, v, k),
            );
            p.user = user.is_some();
            match user.and_then(|t| t.fixed) {
                Some(value) => p.value = value,
                None => {
                    let label = user.and_then(|t| t.label.clone());
                    let index = match label.as_ref().and_then(|l| labels.get(l)) {
                        Some(&k) => k,
                        None => {
                            next_free += 1;
                            if let Some(l) = &label {
                                labels.insert(l.clone(), next_free - 1);
                            }
                            next_free - 1
                        }
                    };
                    p.free = Some(index);
                    p.label = label;
                    p.start = user.and_then(|t| t.start);
                }
            }
            rows.push(p);
        }
    }
    // lavaan's order: the model's statements, thresholds, the default
    // (co)variances, scale factors, intercepts and means.
    let at = table
        .params
        .iter()
        .position(|p| !p.user)
        .unwrap_or(table.params.len());
    table.params.splice(at..at, rows);
    let scales: Vec<Parameter> = ordered
        .iter()
        .enumerate()
        .filter(|&(v, _)| is_ordered(v))
        .map(|(v, name)| {
            let mut p = Parameter::new(name, Operator::ScaleFactor, name, (Matrix::Scale, v, v));
            p.value = 1.0;
            p
        })
        .collect();
    let at = table
        .params
        .iter()
        .position(|p| p.op == Operator::Intercept)
        .unwrap_or(table.params.len());
    table.params.splice(at..at, scales);
    renumber_free(table);
    Ok(())
}

/// The implied moments at θ; for ordered indicators (`ordered[v]`; empty
/// for continuous data) the residual variances are set so that every
/// latent response has unit variance.
pub(crate) fn implied_at(table: &ParTable, theta: &[f64], ordered: &[bool]) -> Option<Implied> {
    implied_given(table, theta, ordered, &[])
}

/// [`implied_at`] for statistics conditional on the observed `covariates`:
/// each ordered item's residual variance makes its variance *given* them 1.
fn implied_given(
    table: &ParTable,
    theta: &[f64],
    ordered: &[bool],
    covariates: &[usize],
) -> Option<Implied> {
    if ordered.is_empty() {
        return Implied::at(table, theta);
    }
    let (a, mut phi) = ram_matrices(table, theta);
    let p = table.p();
    let t = inverse_i_minus(&a)?;
    let mut c = &t * &phi * t.transpose();
    // An ordered indicator predicts nothing, so its residual enters only
    // its own variance (T's column is the unit vector).
    if covariates.is_empty() {
        for i in (0..p).filter(|&i| ordered[i]) {
            phi[(i, i)] = 1.0 - c[(i, i)];
            c[(i, i)] = 1.0;
        }
    } else {
        wls_covariates::unit_residual_variances(&mut c, &mut phi, ordered, covariates)?;
    }
    let sigma = c.view((0, 0), (p, p)).into_owned();
    // Σ⁻¹ is not used by least squares; kept for the shared stages that
    // read it (identity where Σ is not positive definite).
    let (sigma_inv, log_det) =
        spd_inverse(&sigma).unwrap_or_else(|| (DMatrix::identity(p, p), f64::NAN));
    let nu = &t * mean_vector(table, theta);
    let mean = nu.rows(0, p).into_owned();
    Some(Implied {
        t,
        c,
        sigma,
        sigma_inv,
        log_det,
        phi,
        nu,
        mean,
    })
}

/// σ(θ) in the order of s.
fn model_statistics(
    table: &ParTable,
    theta: &[f64],
    imp: &Implied,
    st: &Statistics,
    ordered: bool,
) -> DVector<f64> {
    if !st.covariates.is_empty() {
        return wls_covariates::model_statistics(table, theta, imp, st);
    }
    let p = table.p();
    let mut out = DVector::zeros(st.s.len());
    if ordered {
        for q in table
            .params
            .iter()
            .filter(|q| q.matrix == Matrix::Threshold)
        {
            // τ − μ*: the latent response's implied mean is not 0 when a
            // factor regresses on a continuous variable with a mean.
            out[st.threshold_offset[q.row] + q.col] =
                q.free.map_or(q.value, |k| theta[k]) - imp.mean[q.row];
        }
        // Continuous among ordered: minus the mean in the threshold slot,
        // then the variances (lavaan's wls.obs).
        let mut r = st.n_first;
        for i in (0..p).filter(|&i| !st.ordered_mask[i]) {
            out[st.threshold_offset[i]] = -imp.mean[i];
            out[r] = imp.sigma[(i, i)];
            r += 1;
        }
        for (a, b) in vech_pairs(p) {
            if a != b {
                out[r] = imp.sigma[(a, b)];
                r += 1;
            }
        }
    } else {
        let mut r = 0;
        if st.mean.is_some() {
            for i in 0..p {
                out[i] = imp.mean[i];
            }
            r = p;
        }
        for (a, b) in vech_pairs(p) {
            out[r] = imp.sigma[(a, b)];
            r += 1;
        }
    }
    out
}

/// Δ = ∂σ/∂θᵀ in the order of s.
fn jacobian(table: &ParTable, imp: &Implied, st: &Statistics, ordered: bool) -> DMatrix<f64> {
    let elements = Elements::free_of(table);
    let full = moments_jacobian(table, &elements, imp);
    if !ordered {
        return full;
    }
    if !st.covariates.is_empty() {
        return wls_covariates::jacobian(table, imp, st, &full);
    }
    let p = table.p();
    let offset = if table.meanstructure { p } else { 0 };
    let mut j = DMatrix::zeros(st.s.len(), table.n_free);
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        let r = st.threshold_offset[q.row] + q.col;
        if let Some(k) = q.free {
            j[(r, k)] += 1.0;
        }
        let dmu = full.row(q.row);
        j.row_mut(r).zip_apply(&dmu, |a, b| *a -= b);
    }
    let pairs = vech_pairs(p);
    let mut r = st.n_first;
    for i in (0..p).filter(|&i| !st.ordered_mask[i]) {
        j.row_mut(st.threshold_offset[i]).copy_from(&(-full.row(i)));
        let v = pairs.iter().position(|&ab| ab == (i, i)).unwrap_or(0);
        j.row_mut(r).copy_from(&full.row(offset + v));
        r += 1;
    }
    for (v, (a, b)) in pairs.into_iter().enumerate() {
        if a != b {
            j.row_mut(r).copy_from(&full.row(offset + v));
            r += 1;
        }
    }
    j
}

/// The sample statistics of ordered indicators.
pub(crate) fn ordered_statistics(
    table: &ParTable,
    data: &OrderedData,
    estimator: Estimator,
) -> Result<Statistics> {
    let poly = polychoric(data)?;
    let asym = poly.asymptotics(data)?;
    let n = data.n_cases as f64;
    let q = asym.statistics.len();
    let weight = match estimator {
        Estimator::ULS => DVector::from_element(q, 1.0),
        _ => DVector::from_vec(asym.dwls_weights()?),
    };
    let mut threshold_offset = Vec::with_capacity(table.p());
    let mut at = 0;
    for t in &poly.thresholds {
        threshold_offset.push(at);
        at += t.len();
    }
    let p = table.p();
    Ok(Statistics {
        s: DVector::from_vec(asym.statistics),
        weight: Weight::Diagonal(weight),
        influence: Some(asym.influence * n.sqrt()),
        threshold_offset,
        n_first: at,
        n_variances: 0,
        ordered_mask: vec![true; p],
        matrix: DMatrix::from_fn(p, p, |i, j| poly.correlations[i][j]),
        mean: None,
        covariates: Vec::new(),
    })
}

/// The sample statistics of continuous indicators.
pub(crate) fn continuous_statistics(
    table: &ParTable,
    sample: &SampleMoments,
    estimator: Estimator,
) -> Result<Statistics> {
    // lavaan's least-squares estimators fit S with divisor N − 1 (the
    // Wishart-scaled S; only ML rescales it to N).
    let moments = sample.in_use(&table.observed, Likelihood::Wishart, false)?;
    let moments = super::samplestats::MomentsInUse {
        mean: if table.meanstructure {
            sample
                .in_use(&table.observed, Likelihood::Normal, true)?
                .mean
        } else {
            None
        },
        ..moments
    };
    let p = table.p();
    let mut s = Vec::new();
    if let Some(m) = &moments.mean {
        s.extend(m.iter());
    }
    let pairs = vech_pairs(p);
    s.extend(pairs.iter().map(|&(a, b)| moments.s[(a, b)]));
    let q = s.len();
    let influence = match &sample.data {
        Some(data) => {
            let idx = sample.indices_of(&table.observed)?;
            let rows: Vec<Vec<f64>> = (0..data.nrows())
                .map(|r| idx.iter().map(|&c| data[(r, c)]).collect())
                .collect();
            let n = rows.len() as f64;
            let z = crate::adf_gamma::from_rows(&table.observed, &rows, 0, table.meanstructure)
                .deviations;
            Some(z / n.sqrt())
        }
        None => None,
    };
    let weight = match estimator {
        Estimator::ULS => Weight::Diagonal(DVector::from_element(q, 1.0)),
        Estimator::GLS => {
            let (s_inv, _) = spd_inverse(&moments.s).ok_or_else(|| {
                AnalysisError::unsuitable(
                    Location::source(&sample.source),
                    "the sample covariance matrix is not positive definite",
                )
            })?;
            Weight::Full(normal_weight(&s_inv, table.meanstructure))
        }
        _ => {
            let g = influence
                .as_ref()
                .ok_or_else(|| AnalysisError::computation("DWLS weights need raw data"))?;
            let mut w = DVector::zeros(q);
            for (c, col) in g.column_iter().enumerate() {
                let d = col.norm_squared();
                if !(d > 0.0 && d.is_finite()) {
                    return Err(AnalysisError::unsuitable(
                        Location::source(&sample.source),
                        format!("the asymptotic variance of the sample statistic {c} is {d}: it has no DWLS weight"),
                    ));
                }
                w[c] = 1.0 / d;
            }
            Weight::Diagonal(w)
        }
    };
    Ok(Statistics {
        s: DVector::from_vec(s),
        weight,
        influence,
        threshold_offset: Vec::new(),
        n_first: if table.meanstructure { p } else { 0 },
        n_variances: 0,
        ordered_mask: Vec::new(),
        matrix: moments.s.clone(),
        mean: moments.mean.clone(),
        covariates: Vec::new(),
    })
}

/// Where the Gauss–Newton iterations ended.
struct Minimum {
    theta: Vec<f64>,
    f: f64,
    iterations: usize,
    converged: bool,
    max_gradient: f64,
}

/// Largest |∂F/∂θ| accepted as converged (F is lavaan's 2·fmin).
pub(crate) const GRADIENT_TOLERANCE: f64 = 1e-9;

fn minimise(
    table: &ParTable,
    st: &Statistics,
    ordered: bool,
    start: Vec<f64>,
    limits: Limits,
) -> Result<Minimum> {
    let eval = |theta: &[f64]| -> Option<(f64, DVector<f64>, Implied)> {
        let imp = implied_given(table, theta, &st.ordered_mask, &st.covariates)?;
        let r = &st.s - model_statistics(table, theta, &imp, st, ordered);
        let f = r.dot(&st.weight.times_vector(&r));
        f.is_finite().then_some((f, r, imp))
    };
    let mut theta = start;
    let (mut f, mut r, mut imp) = eval(&theta).ok_or_else(|| {
        AnalysisError::computation(
            "the model's implied moments cannot be computed at the starting values",
        )
    })?;
    // The iteration cap of the ML optimiser bounds the Gauss-Newton steps.
    let max_iter = (limits.lbfgs_iterations as usize).clamp(1, 500);
    let mut lambda = 1e-4;
    let mut max_gradient = f64::INFINITY;
    for iteration in 0..max_iter {
        let j = jacobian(table, &imp, st, ordered);
        let h = normal_matrix(&j, &st.weight, st.n_first);
        let g = j.transpose() * st.weight.times_vector(&r); // −½ ∂F/∂θ
        max_gradient = 2.0 * g.amax();
        if max_gradient < GRADIENT_TOLERANCE {
            return Ok(Minimum {
                theta,
                f,
                iterations: iteration,
                converged: true,
                max_gradient,
            });
        }
        let mut accepted = false;
        for _ in 0..30 {
            let mut damped = h.clone();
            for k in 0..damped.nrows() {
                damped[(k, k)] += lambda * h[(k, k)].max(1e-12);
            }
            let Some(step) = damped.cholesky().map(|c| c.solve(&g)) else {
                lambda *= 10.0;
                continue;
            };
            let trial: Vec<f64> = theta.iter().zip(step.iter()).map(|(t, d)| t + d).collect();
            match eval(&trial) {
                Some((f_new, r_new, imp_new)) if f_new <= f => {
                    let small = step.amax() < 1e-13;
                    theta = trial;
                    f = f_new;
                    r = r_new;
                    imp = imp_new;
                    lambda = (lambda / 10.0).max(1e-12);
                    accepted = !small;
                    break;
                }
                _ => lambda *= 10.0,
            }
        }
        if !accepted {
            // No step lowers F further: report the gradient where we are.
            let j = jacobian(table, &imp, st, ordered);
            let g = st.weight.times(&j).transpose() * &r;
            max_gradient = 2.0 * g.amax();
            let converged = max_gradient < 1e-6;
            return Ok(Minimum {
                theta,
                f,
                iterations: iteration + 1,
                converged,
                max_gradient,
            });
        }
    }
    Ok(Minimum {
        theta,
        f,
        iterations: max_iter,
        converged: false,
        max_gradient,
    })
}

/// JᵀWJ. With a diagonal W the rows before `split` (thresholds, or means)
/// and after it are summed apart, each over the columns it uses: the
/// correlations of 78 items depend on the 123 loadings and factor
/// covariances, not on the 312 thresholds (a tenth of the dense product).
pub(crate) fn normal_matrix(j: &DMatrix<f64>, weight: &Weight, split: usize) -> DMatrix<f64> {
    let Weight::Diagonal(w) = weight else {
        return j.transpose() * weight.times(j);
    };
    let k = j.ncols();
    let mut h = DMatrix::zeros(k, k);
    for (from, rows) in [(0, split), (split, j.nrows() - split)] {
        if rows == 0 {
            continue;
        }
        let block = j.rows(from, rows);
        let used: Vec<usize> = (0..k)
            .filter(|&c| block.column(c).iter().any(|v| *v != 0.0))
            .collect();
        let sub = DMatrix::from_fn(rows, used.len(), |r, c| block[(r, used[c])]);
        let mut wsub = sub.clone();
        for (mut row, wi) in wsub.row_iter_mut().zip(w.rows(from, rows).iter()) {
            row *= *wi;
        }
        let part = sub.transpose() * wsub;
        for (a, &ca) in used.iter().enumerate() {
            for (b, &cb) in used.iter().enumerate() {
                h[(ca, cb)] += part[(a, b)];
            }
        }
    }
    h
}

/// What the scaled-and-shifted test needs of a model (or the baseline):
/// tr(UΓ) and tr((UΓ)²).
fn traces(g: &DMatrix<f64>, weight: &Weight, j: &DMatrix<f64>, e_inv: &DMatrix<f64>) -> (f64, f64) {
    let gw = weight.right_of(g);
    let gwj = &gw * j;
    let m = &gw * g.transpose() - &gwj * e_inv * gwj.transpose();
    (m.trace(), m.norm_squared())
}

/// The scaled-and-shifted statistic: (statistic, scaling factor 1/a, shift b).
pub(crate) fn scaled_shifted(
    chisq: f64,
    df: f64,
    (tr, tr2): (f64, f64),
) -> Option<(f64, f64, f64)> {
    if !(df > 0.0 && tr2 > 0.0) {
        return None;
    }
    let a = (df / tr2).sqrt();
    let b = df - a * tr;
    Some((a * chisq + b, 1.0 / a, b))
}

/// Fits a model by a least-squares estimator, with ordered indicators when
/// `options.ordered` names them (see the module documentation); called by
/// [`super::fit`].
pub(crate) fn fit(
    spec: &ModelSpec,
    sample: &SampleMoments,
    options: &Options,
    limits: Limits,
) -> Result<SemFit> {
    let mut laps = Laps::start();
    let ordered = !options.ordered.is_empty();
    let estimator = check_options(options, sample, ordered)?;
    let core = without_thresholds(spec);
    if !ordered {
        if let Some(s) = spec.statements.iter().find(|s| s.op == Operator::Threshold) {
            return Err(threshold_without_ordered(spec, s));
        }
    }
    let mut table = ParTable::build_with_means(
        &core,
        &sample.names,
        options.std_lv,
        ordered || options.meanstructure,
    )?;
    let here = || Location::source(&sample.source);
    // (Ordered predictors are refused with their own message below.)
    if !ordered && !table.exogenous_observed.is_empty() {
        return Err(AnalysisError::unsuitable(
            here(),
            format!(
                "{} with fixed exogenous covariates ({}) is not yet supported: make them random with a variance statement (x ~~ x)",
                estimator.as_str(),
                table.exogenous_observed.join(", ")
            ),
        ));
    }
    let st = if ordered {
        for name in &options.ordered {
            if !table.observed.contains(name) {
                return Err(AnalysisError::input(
                    here(),
                    Some(name),
                    format!(
                        "an observed variable of the model ({})",
                        table.observed.join(", ")
                    ),
                ));
            }
        }
        let mixed = table.observed.iter().any(|o| !options.ordered.contains(o));
        if !table.exogenous_observed.is_empty() {
            // Observed covariates: lavaan's conditional.x.
            wls_covariates::check(&table, sample, &options.ordered)?;
            let c = wls_covariates::statistics(&table, sample, estimator)?;
            parameterize_ordered(&mut table, spec, &c.categories)?;
            table.set_fixed_x(&c.cov_x, Some(&c.mean_x));
            c.st
        } else if mixed {
            let (st, categories) =
                wls_mixed::statistics(&table, sample, &options.ordered, estimator)?;
            parameterize_ordered(&mut table, spec, &categories)?;
            st
        } else {
            let data = sample
                .data
                .as_ref()
                .ok_or_else(|| AnalysisError::computation("ordered data need raw data"))?;
            let idx = sample.indices_of(&table.observed)?;
            let columns = table
                .observed
                .iter()
                .zip(&idx)
                .map(|(name, &c)| {
                    (
                        name.clone(),
                        (0..data.nrows()).map(|r| Some(data[(r, c)])).collect(),
                    )
                })
                .collect();
            let od = OrderedData::from_columns(&sample.source, columns)?;
            parameterize_ordered(&mut table, spec, &od.categories)?;
            ordered_statistics(&table, &od, estimator)?
        }
    } else {
        continuous_statistics(&table, sample, estimator)?
    };
    let n = sample.nobs;
    // lavaan's least-squares fits count N − 1: χ² = (N − 1)·F, vcov =
    // E⁻¹/(N − 1), and RMSEA with N − 1 (fmin = χ² / 2N).
    let nf = n as f64 - 1.0;
    let q = st.s.len();
    let npar = table.n_free;
    if npar > q {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!("the model has {npar} free parameters but only {q} sample statistics: it is not identified"),
        ));
    }
    // Start values: lavaan's, from the correlation (or covariance) matrix;
    // thresholds at their sample values.
    let mut start = estimate::starting_values(&table, &st.matrix, st.mean.as_ref());
    for p in &table.params {
        if let (Matrix::Threshold, Some(k), None) = (p.matrix, p.free, p.start) {
            start[k] = st.s[st.threshold_offset[p.row] + p.col];
        }
        // A continuous indicator among ordered ones: its intercept starts at
        // its mean (minus the statistic in its threshold slot).
        let continuous = p.row < st.ordered_mask.len() && !st.ordered_mask[p.row];
        if let (Operator::Intercept, Some(k), None, true) = (p.op, p.free, p.start, continuous) {
            start[k] = -st.s[st.threshold_offset[p.row]];
        }
    }
    laps.lap("setup (parameter table, sample statistics, start values)");
    let min = minimise(&table, &st, ordered, start, limits)?;
    laps.lap("optimisation (Gauss-Newton)");
    table.set_theta(&min.theta);
    let imp =
        implied_given(&table, &min.theta, &st.ordered_mask, &st.covariates).ok_or_else(|| {
            AnalysisError::computation("the implied moments at the estimates cannot be computed")
        })?;
    if ordered {
        // The residual variances of the latent responses, now known.
        for p in table.params.iter_mut() {
            if p.matrix == Matrix::Phi && p.row == p.col && p.row < imp.sigma.nrows() {
                p.value = imp.phi[(p.row, p.row)];
            }
        }
    }
    // Inference.
    let j = jacobian(&table, &imp, &st, ordered);
    let wj = st.weight.times(&j);
    let e = normal_matrix(&j, &st.weight, st.n_first);
    let not_converged = SemWarning::LeastSquaresNotConverged {
        estimator: estimator.as_str().to_owned(),
        iterations: min.iterations,
        max_gradient: min.max_gradient,
    };
    let standard_vcov = vcov_or_unidentified(
        &e,
        nf,
        min.converged,
        &not_converged,
        "information",
        &spec.source,
        |k| free_parameter_name(&table, k),
    )?;
    let e_inv = &standard_vcov * nf;
    let robust = estimator == Estimator::WLSMV;
    let vcov = match (&st.influence, robust) {
        (Some(g), true) => {
            let gwj = g * &wj;
            let meat = gwj.transpose() * &gwj;
            &e_inv * meat * &e_inv / nf
        }
        _ => standard_vcov,
    };
    for p in table.params.iter_mut() {
        p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
    }
    laps.lap("information, sandwich (SEs)");
    standardized::fill(&mut table, &imp.c);
    // Fit measures.
    let df = (q - npar) as f64;
    let chisq = (nf * min.f).max(0.0);
    // Baseline: thresholds (ordered) or means and variances free, the
    // rest 0; a linear least-squares fit.
    let p = table.p();
    let baseline_rows: Vec<usize> = if ordered {
        // Thresholds, minus-means and variances free.
        (0..st.n_first + st.n_variances).collect()
    } else {
        let mut rows: Vec<usize> = (0..st.n_first).collect();
        rows.extend(
            vech_pairs(p)
                .iter()
                .enumerate()
                .filter(|(_, &(a, b))| a == b)
                .map(|(r, _)| st.n_first + r),
        );
        rows
    };
    let k = DMatrix::from_fn(q, baseline_rows.len(), |r, c| {
        f64::from(u8::from(baseline_rows[c] == r))
    });
    let wk = st.weight.times(&k);
    let e_b = k.transpose() * &wk;
    let e_b_inv = super::robust::inverse(&e_b, "baseline information")?;
    let d = &e_b_inv * (wk.transpose() * &st.s);
    let r_b = &st.s - &k * d;
    let baseline_chisq = nf * r_b.dot(&st.weight.times_vector(&r_b));
    let baseline_df = (q - baseline_rows.len()) as f64;
    let chisq = super::fit::chisq_within_rounding(chisq, baseline_chisq);
    let uls = estimator == Estimator::ULS;
    let (rmsea_ci_lower, rmsea_ci_upper) = rmsea_ci(chisq, df, nf, 0.90);
    // GFI over the sample statistics with the estimator's weight.
    let r = &st.s - model_statistics(&table, &min.theta, &imp, &st, ordered);
    let gfi = 1.0 - r.dot(&st.weight.times_vector(&r)) / st.s.dot(&st.weight.times_vector(&st.s));
    let nel = q as f64;
    // SRMR: residual correlations (ordered), or covariances scaled by the
    // observed standard deviations, over vech including the diagonal.
    let mut ss = 0.0;
    for (a, b) in vech_pairs(p) {
        let sd = (st.matrix[(a, a)] * st.matrix[(b, b)]).sqrt();
        let res = st.matrix[(a, b)] / sd - imp.sigma[(a, b)] / sd;
        ss += res * res;
    }
    let nel_cov = (p * (p + 1) / 2) as f64;
    let mut srmr_cov = (ss / nel_cov).sqrt();
    if !st.covariates.is_empty() {
        srmr_cov = wls_covariates::srmr(&r, &st, p);
    }
    let (srmr, srmr_bentler_nomean) = match &st.mean {
        Some(y) => {
            let ss_mean: f64 = (0..p)
                .map(|i| (y[i] - imp.mean[i]).powi(2) / st.matrix[(i, i)])
                .sum();
            (
                ((ss + ss_mean) / (nel_cov + p as f64)).sqrt(),
                Some(srmr_cov),
            )
        }
        None => (srmr_cov, None),
    };
    let mut fit = FitMeasures {
        chisq,
        df,
        pvalue: (df > 0.0 && !uls).then(|| chisq_sf(chisq, df)),
        baseline_chisq,
        baseline_df,
        cfi: cfi(chisq, df, baseline_chisq, baseline_df),
        tli: tli(chisq, df, baseline_chisq, baseline_df),
        // lavaan 0.6.14 reports no NFI (nor RFI) under conditional.x: NaN
        // is "not reported" (null in JSON), as AIC and BIC here.
        nfi: if st.covariates.is_empty() {
            nfi(chisq, baseline_chisq)
        } else {
            f64::NAN
        },
        rmsea: rmsea(chisq, df, nf),
        rmsea_ci_lower,
        rmsea_ci_upper,
        rmsea_pvalue: rmsea_pvalue(chisq, df, nf, 0.05),
        srmr,
        gfi,
        agfi: super::fit::agfi(gfi, nel, df),
        aic: f64::NAN,
        bic: f64::NAN,
        bic2: None,
        logl: f64::NAN,
        unrestricted_logl: f64::NAN,
        baseline_pvalue: (baseline_df > 0.0 && !uls).then(|| chisq_sf(baseline_chisq, baseline_df)),
        pgfi: super::fit::pgfi(gfi, nel, df),
        fmin: chisq / (2.0 * n as f64),
        npar,
        ntotal: n,
        srmr_bentler_nomean,
        robust: None,
        fiml: None,
    };
    if let (true, Some(g)) = (robust, &st.influence) {
        let model = scaled_shifted(chisq, df, traces(g, &st.weight, &j, &e_inv));
        let base = scaled_shifted(
            baseline_chisq,
            baseline_df,
            traces(g, &st.weight, &k, &e_b_inv),
        );
        let mut scaled = scaled_measures(chisq, df, baseline_df, model, base, nf);
        if ordered {
            let structural = table
                .params
                .iter()
                .filter(|p| p.matrix != Matrix::Threshold)
                .filter_map(|p| p.free)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            let thresholds_apart = table.params.iter().all(|p| {
                p.matrix != Matrix::Threshold
                    || p.free.is_some_and(|k| {
                        table.params.iter().filter(|q| q.free == Some(k)).count() == 1
                    })
            });
            // lavaan 0.6.14 gives no robust indices (NA) when continuous
            // indicators are among the ordered ones.
            if thresholds_apart && !st.ordered_mask.contains(&false) {
                let catml = CatMl {
                    st: &st,
                    sigma: &imp.sigma,
                    j: &j,
                    e_inv: &e_inv,
                    g,
                    n: n as f64,
                    df3: (baseline_df - structural as f64),
                };
                if let Some(r) = catml.robust(df, baseline_df, nf) {
                    scaled.cfi_robust = Some(r.cfi);
                    scaled.tli_robust = Some(r.tli);
                    scaled.rmsea_robust = Some(r.rmsea);
                    scaled.rmsea_ci_lower_robust = Some(r.ci.0);
                    scaled.rmsea_ci_upper_robust = Some(r.ci.1);
                    scaled.rmsea_pvalue_robust = Some(r.pvalue);
                }
            }
        }
        if !ordered {
            // Continuous data: lavaan's robust indices from the scaled-and-
            // shifted statistics, with ĉ = c·(df − b)/df (c = 1/a).
            if let (Some((x2s, c, b)), Some((_, cb, bb))) = (model, base) {
                let c_hat = c * (df - b) / df;
                let c_hat_null = cb * (baseline_df - bb) / baseline_df;
                use super::robust::{cfi_corrected, rmsea_ci_corrected, tli_corrected};
                scaled.cfi_robust = Some(cfi_corrected(
                    chisq,
                    df,
                    baseline_chisq,
                    baseline_df,
                    c_hat,
                    c_hat_null,
                ));
                scaled.tli_robust = Some(tli_corrected(
                    chisq,
                    df,
                    baseline_chisq,
                    baseline_df,
                    c_hat,
                    c_hat_null,
                ));
                scaled.rmsea_robust = Some(((chisq / nf) / df - c_hat / nf).max(0.0).sqrt());
                let ci = rmsea_ci_corrected(x2s, df, nf, c);
                scaled.rmsea_ci_lower_robust = Some(ci.0);
                scaled.rmsea_ci_upper_robust = Some(ci.1);
                scaled.rmsea_pvalue_robust = Some(super::fit::noncentral_chisq_sf(
                    x2s,
                    df,
                    nf * df * 0.05 * 0.05 / c,
                ));
            }
        }
        fit.robust = Some(scaled);
    }
    laps.lap("fit measures (incl. scaled test)");
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
    if !min.converged {
        warnings.push(not_converged);
    }
    warnings.extend(warnings::of_fit(&table, &imp, sample));
    laps.lap("R², reliability, warnings");
    let statistics = statistic_names(&table, &st, ordered);
    Ok(SemFit {
        converged: min.converged,
        nobs: n,
        npar,
        fit,
        table,
        likelihood: Likelihood::Normal,
        estimator,
        std_lv_identification: options.std_lv,
        r2,
        reliability,
        modindices: None,
        bootstrap: None,
        warnings,
        optimizer: Optimizer {
            method: "Gauss-Newton with Levenberg-Marquardt damping (least squares)".into(),
            lbfgs_iterations: 0,
            scoring_iterations: min.iterations,
            max_abs_gradient: min.max_gradient,
        },
        amos_columns: false,
        vcov,
        implied_cov: imp.sigma.clone(),
        timings: laps.laps,
        missing: None,
        test_pieces: Some(TestPieces {
            groups: vec![GroupTestPieces {
                statistics,
                delta: j,
                weight: st.weight,
                gamma_root: st.influence,
                nobs: n,
            }],
        }),
    })
}

/// The scaled measures of WLSMV from the scaled-and-shifted statistics of
/// the model and the baseline (lavaan's `fitMeasures` with
/// `scaled.test = "scaled.shifted"`: the scaled χ² goes into the usual
/// formulas, RMSEA on the model's df).
pub(crate) fn scaled_measures(
    chisq: f64,
    df: f64,
    baseline_df: f64,
    model: Option<(f64, f64, f64)>,
    base: Option<(f64, f64, f64)>,
    n: f64,
) -> RobustFit {
    let x2s = model.map(|m| m.0).or((df == 0.0).then_some(chisq));
    // A baseline with df 0 frees every statistic, so it fits exactly (a
    // single item on covariates): lavaan reports 0.
    let x2bs = base.map(|b| b.0).or((baseline_df == 0.0).then_some(0.0));
    let both = |f: &dyn Fn(f64, f64, f64, f64) -> f64| match (x2s, x2bs) {
        (Some(a), Some(b)) => Some(f(a, df, b, baseline_df)),
        _ => None,
    };
    // (lavaan's CI is (0, 0) below df 1.)
    let ci = x2s.map(|x| rmsea_ci(x, df, n, 0.90));
    RobustFit {
        chisq_scaled: x2s,
        df_scaled: df,
        pvalue_scaled: x2s.filter(|_| df > 0.0).map(|x| chisq_sf(x, df)),
        chisq_scaling_factor: model.map(|m| m.1),
        baseline_chisq_scaled: x2bs,
        baseline_df_scaled: baseline_df,
        baseline_pvalue_scaled: x2bs
            .filter(|_| baseline_df > 0.0)
            .map(|x| chisq_sf(x, baseline_df)),
        baseline_chisq_scaling_factor: base.map(|b| b.1),
        cfi_scaled: both(&cfi),
        tli_scaled: both(&tli),
        cfi_robust: None,
        tli_robust: None,
        rmsea_scaled: x2s.map(|x| rmsea(x, df, n)),
        rmsea_ci_lower_scaled: ci.map(|c| c.0),
        rmsea_ci_upper_scaled: ci.map(|c| c.1),
        rmsea_pvalue_scaled: x2s.and_then(|x| rmsea_pvalue(x, df, n, 0.05)),
        rmsea_robust: None,
        rmsea_ci_lower_robust: None,
        rmsea_ci_upper_robust: None,
        rmsea_pvalue_robust: None,
    }
}

/// lavaan's robust CFI, TLI and RMSEA for ordered data (Savalei 2021; lavaan
/// 0.6's `lav_fit_catml_dwls`): the model is evaluated at the WLSMV
/// estimates by normal-theory ML against the polychoric correlation matrix
/// R ("catML"), giving `XX3 = N·F_ML(Σ̂, R)` on df3 degrees of freedom and
/// the baseline's `−N log|R|`; the correction
/// `c = tr(Uᵀ V U Γ) / df3`, with V the normal-theory weight of the
/// correlations at Σ̂ and `U = I − Δ E⁻¹ Δᵀ W` (correlation rows), and
/// `c_b = tr Γ / df_b` for the baseline.
struct CatMl<'a> {
    st: &'a Statistics,
    sigma: &'a DMatrix<f64>,
    j: &'a DMatrix<f64>,
    e_inv: &'a DMatrix<f64>,
    g: &'a DMatrix<f64>,
    n: f64,
    df3: f64,
}

/// The robust indices of [`CatMl`].
struct CatMlIndices {
    cfi: f64,
    tli: f64,
    rmsea: f64,
    ci: (f64, f64),
    pvalue: f64,
}

impl CatMl<'_> {
    /// `None` where lavaan gives NA: R not positive definite (lavaan then
    /// refits to a smoothed R, which is not done here), no degrees of
    /// freedom.
    fn robust(&self, df: f64, baseline_df: f64, n_rmsea: f64) -> Option<CatMlIndices> {
        let r = &self.st.matrix;
        let p = r.nrows();
        let eig = nalgebra::SymmetricEigen::new(r.clone());
        if eig.eigenvalues.min() < f64::EPSILON.sqrt() || self.df3 <= 0.0 || df <= 0.0 {
            return None;
        }
        let (p_inv, log_det_sigma) = spd_inverse(self.sigma)?;
        let log_det_r: f64 = eig.eigenvalues.iter().map(|v| v.ln()).sum();
        let f_ml = log_det_sigma + super::model::trace_product(r, &p_inv) - log_det_r - p as f64;
        let xx3 = self.n * f_ml;
        let xx3_null = -self.n * log_det_r;
        // H = G_c Uᵀ = G_c − (G_c W_c Δ_c) E⁻¹ Δ_cᵀ, one row per case.
        let first = self.st.n_first;
        let q_c = self.st.s.len() - first;
        let g_c = self.g.columns(first, q_c);
        let d_c = self.j.rows(first, q_c);
        let Weight::Diagonal(w) = &self.st.weight else {
            return None;
        };
        let mut gw = g_c.into_owned();
        for (mut col, wi) in gw.column_iter_mut().zip(w.rows(first, q_c).iter()) {
            col *= *wi;
        }
        let h = g_c - (gw * d_c) * self.e_inv * d_c.transpose();
        // tr(Uᵀ V U Γ) = Σₙ hₙᵀ V hₙ, and for the symmetric matrix Xₙ of
        // hₙ's correlations hₙᵀ V hₙ = ½ tr((Σ̂⁻¹ Xₙ)²): no q × q matrix.
        let pairs: Vec<(usize, usize)> =
            vech_pairs(p).into_iter().filter(|(a, b)| a != b).collect();
        let mut ks = 0.0;
        let mut x = DMatrix::zeros(p, p);
        for row in h.row_iter() {
            for (v, &(a, b)) in row.iter().zip(&pairs) {
                x[(a, b)] = *v;
                x[(b, a)] = *v;
            }
            let px = &p_inv * &x;
            ks += 0.5 * super::model::trace_product(&px, &px);
        }
        let c3 = ks / self.df3;
        let xx3_scaled = xx3 / c3;
        let kbs: f64 = g_c.iter().map(|v| v * v).sum();
        let c_null = kbs / baseline_df;
        use super::robust::{cfi_corrected, rmsea_ci_corrected, tli_corrected};
        Some(CatMlIndices {
            cfi: cfi_corrected(xx3, df, xx3_null, baseline_df, c3, c_null),
            tli: tli_corrected(xx3, df, xx3_null, baseline_df, c3, c_null),
            rmsea: ((xx3 / n_rmsea) / self.df3 - c3 / n_rmsea).max(0.0).sqrt(),
            ci: rmsea_ci_corrected(xx3_scaled, self.df3, n_rmsea, c3),
            pvalue: super::fit::noncentral_chisq_sf(
                xx3_scaled,
                self.df3,
                n_rmsea * self.df3 * 0.05 * 0.05 / c3,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordinal_sample() -> (SampleMoments, Vec<String>) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/ordinal.csv");
        let data = crate::Dataset::from_path(path).unwrap();
        let items: Vec<String> = (1..=8).map(|i| format!("o{i}")).collect();
        (SampleMoments::from_dataset(&data, &items).unwrap(), items)
    }

    #[test]
    fn a_fit_stopped_early_says_so_and_the_full_one_matches_lavaan() {
        let (sample, items) = ordinal_sample();
        let spec = ModelSpec::parse("f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8").unwrap();
        let options = Options {
            estimator: Estimator::WLSMV,
            ordered: items,
            ..Options::default()
        };
        let limits = Limits {
            lbfgs_iterations: 1,
            scoring_iterations: 0,
            rounds: 1,
        };
        let early = fit(&spec, &sample, &options, limits).unwrap();
        assert!(!early.converged);
        assert!(matches!(
            early.warnings[0],
            SemWarning::LeastSquaresNotConverged { iterations: 1, .. }
        ));
        assert!(early.warnings[0]
            .to_string()
            .starts_with("the WLSMV estimation did not converge"));
        // lavaan 0.6.14: χ² = 38.3081445436909 (tests/fixtures/sem_ordinal/wlsmv_cfa5.json).
        let full = fit(&spec, &sample, &options, Limits::default()).unwrap();
        assert!(full.converged && full.warnings.is_empty());
        assert!((full.fit.chisq / 38.3081445436909 - 1.0).abs() < 1e-6);
        assert!(early.fit.chisq > full.fit.chisq);
    }

    #[test]
    fn renumbering_keeps_shared_parameters_shared() {
        let spec = ModelSpec::parse("f =~ x1 + a*x2 + a*x3 + x4").unwrap();
        let names: Vec<String> = (1..=4).map(|i| format!("x{i}")).collect();
        let mut table = ParTable::build(&spec, &names, false).unwrap();
        let before = table.n_free;
        // Fix the residual variance of x1, as the delta parameterization does.
        let v = table
            .params
            .iter_mut()
            .find(|p| p.is("x1", Operator::Covariance, "x1"))
            .unwrap();
        v.free = None;
        renumber_free(&mut table);
        assert_eq!(table.n_free, before - 1);
        let x2 = table.find("f", Operator::MeasuredBy, "x2").unwrap().free;
        let x3 = table.find("f", Operator::MeasuredBy, "x3").unwrap().free;
        assert_eq!(x2, x3);
        let mut seen: Vec<usize> = table.params.iter().filter_map(|p| p.free).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen, (0..table.n_free).collect::<Vec<_>>());
    }
}
