//! Multi-group models: lavaan's `group =` with `group.equal =` (lavaan 0.6
//! is the reference, `tests/reference/sem_groups.R`).
//!
//! A multi-group model is one [`ParTable`] per group over one vector θ of
//! free parameters: each group's table is built as for one group (its own
//! marker loadings, variances and covariances), with lavaan's multi-group
//! defaults — a mean structure always, latent means fixed at 0 in every
//! group unless the intercepts are equal, then free from the second group
//! on (fixed at 0 in all groups again when the means are equal too), and
//! under std.lv the latent variances fixed at 1 in every group unless the
//! loadings are equal, then free from the second group on — and
//! then its free parameters are numbered into θ: a parameter of a class
//! named in `group.equal` (see [`Constraint`]) and a labelled parameter
//! (lavaan: one label in a multi-group model is one parameter) take the
//! index of the same parameter in the first group; all others get their
//! own. Every later stage then runs per group on that table unchanged
//! (implied moments, gradient, information, robust pieces, fit measures)
//! and the groups are combined: the discrepancy `F = Σ_g (n_g/N) F_g`
//! (so `χ² = N·F = Σ_g n_g F_g`, with each group's `n_g F_g` reported as
//! `chisq_group`), its gradient and information the same weighted sums,
//! and the fit measures as lavaan's `fitMeasures` for groups (RMSEA × √G,
//! GFI and SRMR weighted by n_g/N, AIC/BIC from the summed log-likelihoods).
//!
//! Groups are numbered 1, 2, … in order of first appearance in the group
//! column, as lavaan's `group.label` for a text column.
//!
//! Ordered indicators (WLSMV, DWLS, ULS) in groups are fitted by
//! [`super::groups_wls`], which [`fit`] calls for those estimators.
//!
//! ```
//! use analysis::sem::groups::{self, GroupEqual, GroupedSample};
//! use analysis::sem::{ModelSpec, Options};
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/groups2.csv");
//! let data = Dataset::from_path(path)?;
//! let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
//! let sample = GroupedSample::from_dataset(&data, "grp", &columns)?;
//! assert_eq!(sample.labels, ["men", "women"]); // order of first appearance
//! let spec = ModelSpec::parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6")?;
//! let metric: GroupEqual = "loadings".parse()?;
//! let fit = groups::fit(&spec, &sample, &metric, &Options::default())?;
//! // lavaan: χ² = 76.846 on 20 df (tests/fixtures/sem_groups).
//! assert_eq!(fit.fit.df, 20.0);
//! assert!((fit.fit.chisq - 76.846).abs() < 1e-3);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::estimate::{self, Limits, Objective, Problem};
use super::information::{free_parameter_name, vcov_or_unidentified, Elements};
use super::model::Implied;
use super::partable::{ParTable, Parameter};
use super::samplestats::{MomentsInUse, SampleMoments};
use super::{fit as fitm, robust, standardized, warnings, Estimator, Likelihood, Optimizer};
use super::{FitMeasures, ModelSpec, Operator, Options};
use crate::error::{AnalysisError, Location, Result};
use crate::Dataset;
use nalgebra::DMatrix;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use std::collections::HashMap;

/// A class of parameters that `group.equal` holds equal across groups
/// (lavaan's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Constraint {
    /// Factor loadings (`=~`).
    #[serde(rename = "loadings")]
    Loadings,
    /// Intercepts of the observed variables (`x ~ 1`).
    #[serde(rename = "intercepts")]
    Intercepts,
    /// Residual variances of the observed variables.
    #[serde(rename = "residuals")]
    Residuals,
    /// Residual covariances among observed variables.
    #[serde(rename = "residual.covariances")]
    ResidualCovariances,
    /// (Residual) variances of the latent variables.
    #[serde(rename = "lv.variances")]
    LvVariances,
    /// Covariances among latent variables.
    #[serde(rename = "lv.covariances")]
    LvCovariances,
    /// Latent means (`f ~ 1`).
    #[serde(rename = "means")]
    Means,
    /// Regression coefficients (`~`).
    #[serde(rename = "regressions")]
    Regressions,
    /// Thresholds of ordered indicators (`x | t1`); with ordered
    /// indicators lavaan also frees the scale factors and latent means from
    /// group 2 on (see [`super::groups_wls`]).
    #[serde(rename = "thresholds")]
    Thresholds,
}

impl Constraint {
    /// Every constraint, in lavaan's order of the words.
    pub const ALL: [Constraint; 9] = [
        Constraint::Loadings,
        Constraint::Intercepts,
        Constraint::Residuals,
        Constraint::ResidualCovariances,
        Constraint::LvVariances,
        Constraint::LvCovariances,
        Constraint::Means,
        Constraint::Regressions,
        Constraint::Thresholds,
    ];

    /// lavaan's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::Loadings => "loadings",
            Constraint::Intercepts => "intercepts",
            Constraint::Residuals => "residuals",
            Constraint::ResidualCovariances => "residual.covariances",
            Constraint::LvVariances => "lv.variances",
            Constraint::LvCovariances => "lv.covariances",
            Constraint::Means => "means",
            Constraint::Regressions => "regressions",
            Constraint::Thresholds => "thresholds",
        }
    }

    /// The class of a row of a table, if it has one.
    pub(crate) fn of(p: &Parameter, table: &ParTable) -> Option<Constraint> {
        let latent = |n: &str| table.is_latent(n);
        match p.op {
            Operator::MeasuredBy => Some(Constraint::Loadings),
            Operator::RegressedOn => Some(Constraint::Regressions),
            Operator::Threshold => Some(Constraint::Thresholds),
            Operator::Intercept if latent(&p.lhs) => Some(Constraint::Means),
            Operator::Intercept => Some(Constraint::Intercepts),
            Operator::Covariance => Some(match (latent(&p.lhs), p.lhs == p.rhs) {
                (true, true) => Constraint::LvVariances,
                (true, false) => Constraint::LvCovariances,
                (false, true) => Constraint::Residuals,
                (false, false) => Constraint::ResidualCovariances,
            }),
            _ => None,
        }
    }
}

/// The classes held equal across groups (lavaan's `group.equal`); empty:
/// the configural model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupEqual(pub Vec<Constraint>);

impl GroupEqual {
    /// Whether a class is held equal.
    pub fn contains(&self, c: Constraint) -> bool {
        self.0.contains(&c)
    }
}

impl std::str::FromStr for GroupEqual {
    type Err = AnalysisError;
    /// A comma-separated list of lavaan's words; an unknown word is an
    /// error that lists the valid ones.
    ///
    /// ```
    /// use analysis::sem::groups::{Constraint, GroupEqual};
    /// let g: GroupEqual = "loadings, intercepts".parse()?;
    /// assert!(g.contains(Constraint::Intercepts));
    /// let e = "loadings,slopes".parse::<GroupEqual>().unwrap_err().to_string();
    /// assert!(e.contains("\"slopes\"") && e.contains("lv.covariances"), "{e}");
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    fn from_str(s: &str) -> Result<GroupEqual> {
        let mut out = Vec::new();
        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let c = Constraint::ALL
                .iter()
                .find(|c| c.as_str() == word)
                .ok_or_else(|| {
                    AnalysisError::invalid_argument(
                        "group-equal",
                        format!("\"{}\"", crate::error::shorten(word)),
                        &format!(
                            "a comma-separated list of {}",
                            Constraint::ALL.map(|c| c.as_str()).join(", ")
                        ),
                    )
                })?;
            if !out.contains(c) {
                out.push(*c);
            }
        }
        Ok(GroupEqual(out))
    }
}

/// The sample moments of each group of a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSample {
    /// The group column.
    pub column: String,
    /// The groups' values, in order of first appearance (group 1, 2, …).
    pub labels: Vec<String>,
    /// The moments of each group (listwise deletion within the group).
    pub samples: Vec<SampleMoments>,
    /// Where the data came from.
    pub source: String,
}

impl GroupedSample {
    /// Splits `data` by the values of `group` and takes the moments of
    /// `columns` in each group. Errors: an unknown group column, a missing
    /// group value (naming its line), a column with one value, a group
    /// with no more complete cases than variables (its covariance matrix
    /// would be singular).
    pub fn from_dataset(data: &Dataset, group: &str, columns: &[String]) -> Result<GroupedSample> {
        let cells = data.text_column(group)?;
        let mut labels: Vec<String> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (r, cell) in cells.iter().enumerate() {
            let value = cell.trim();
            if crate::data::is_missing(value) {
                return Err(AnalysisError::input(
                    Location::source(&data.source)
                        .with_line(data.line_of(r))
                        .with_column(group),
                    Some(cell),
                    "a group value in every record (lavaan would drop the record; say which group it is or remove it)",
                ));
            }
            match labels.iter().position(|l| l == value) {
                Some(g) => members[g].push(r),
                None => {
                    labels.push(value.to_owned());
                    members.push(vec![r]);
                }
            }
        }
        if labels.len() < 2 {
            return Err(AnalysisError::unsuitable(
                Location::source(&data.source).with_column(group),
                format!(
                    "the group column has {} value(s) ({}): a multi-group model needs at least two groups",
                    labels.len(),
                    labels.iter().map(|l| format!("\"{}\"", crate::error::shorten(l))).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let values: Vec<Vec<Option<f64>>> = columns
            .iter()
            .map(|c| data.numeric_column(c))
            .collect::<Result<_>>()?;
        let p = columns.len();
        let mut samples = Vec::with_capacity(labels.len());
        for (label, rows) in labels.iter().zip(&members) {
            let complete: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&r| values.iter().all(|c| c[r].is_some()))
                .collect();
            let source = format!(
                "{} (group {group} = {})",
                data.source,
                crate::error::shorten(label)
            );
            if complete.len() <= p {
                return Err(AnalysisError::unsuitable(
                    Location::source(&source),
                    format!(
                        "the group \"{}\" has {} complete case(s) for {p} observed variables: each group needs more cases than variables (its covariance matrix would be singular)",
                        crate::error::shorten(label),
                        complete.len()
                    ),
                ));
            }
            let matrix = DMatrix::from_fn(complete.len(), p, |i, j| {
                values[j][complete[i]].unwrap_or(0.0)
            });
            let mut s = SampleMoments::from_rows(&source, columns.to_vec(), matrix)?;
            s.dropped = rows.len() - complete.len();
            samples.push(s);
        }
        Ok(GroupedSample {
            column: group.to_owned(),
            labels,
            samples,
            source: data.source.clone(),
        })
    }

    /// The total number of cases in use.
    pub fn ntotal(&self) -> usize {
        self.samples.iter().map(|s| s.nobs).sum()
    }
}

/// One table per group over one θ (see the module documentation).
///
/// ```
/// use analysis::sem::groups::{group_tables, GroupEqual};
/// use analysis::sem::{ModelSpec, Operator};
/// let spec = ModelSpec::parse("f =~ x1 + x2 + x3")?;
/// let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
/// let scalar: GroupEqual = "loadings,intercepts".parse()?;
/// let tables = group_tables(&spec, &names, false, 2, &scalar)?;
/// let loading = |g: usize| tables[g].find("f", Operator::MeasuredBy, "x2").unwrap().free;
/// assert_eq!(loading(0), loading(1));
/// // The latent mean: fixed at 0 in group 1, free in group 2.
/// assert_eq!(tables[0].find("f", Operator::Intercept, "").unwrap().free, None);
/// assert!(tables[1].find("f", Operator::Intercept, "").unwrap().free.is_some());
/// // 2 loadings + 3 intercepts shared, 4 variances per group, 1 mean.
/// assert_eq!(tables[0].n_free, 5 + 8 + 1);
/// # Ok::<(), analysis::AnalysisError>(())
/// ```
pub fn group_tables(
    spec: &ModelSpec,
    available: &[String],
    std_lv: bool,
    groups: usize,
    equal: &GroupEqual,
) -> Result<Vec<ParTable>> {
    let free_latent_means =
        equal.contains(Constraint::Intercepts) && !equal.contains(Constraint::Means);
    let free_latent_variances =
        std_lv && equal.contains(Constraint::Loadings) && !equal.contains(Constraint::LvVariances);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut tables = Vec::with_capacity(groups);
    for g in 0..groups {
        let mut table = ParTable::build_with_means(spec, available, std_lv, true)?;
        let mut keys = Vec::with_capacity(table.params.len());
        for p in &table.params {
            let class = Constraint::of(p, &table);
            // lavaan frees, from group 2 on, the latent means when the
            // intercepts are equal and the latent variances fixed by std.lv
            // when the loadings are equal: group 1 sets the scale.
            let freed = g > 0
                && !p.user
                && p.free.is_none()
                && match class {
                    Some(Constraint::Means) => free_latent_means,
                    Some(Constraint::LvVariances) => free_latent_variances,
                    _ => false,
                };
            let key = match (p.free, &p.label) {
                (None, _) if !freed => None,
                (_, Some(label)) => Some(format!("label {label}")),
                _ if class.is_some_and(|c| equal.contains(c)) => {
                    Some(format!("equal {} {} {}", p.lhs, p.op.as_str(), p.rhs))
                }
                (Some(k), None) => Some(format!("group {g} {k}")),
                (None, None) => Some(format!("group {g} freed {} {}", p.lhs, p.op.as_str())),
            };
            keys.push(key);
        }
        for (p, key) in table.params.iter_mut().zip(keys) {
            if let Some(key) = key {
                let next = index.len();
                let k = *index.entry(key).or_insert(next);
                p.free = Some(k);
            }
        }
        tables.push(table);
    }
    let n_free = index.len();
    for t in tables.iter_mut() {
        t.n_free = n_free;
    }
    Ok(tables)
}

/// The multi-group discrepancy `Σ_g (n_g/N) F_g`.
pub struct MultiGroupProblem<'a> {
    /// One problem per group (sharing θ).
    pub groups: Vec<Problem<'a>>,
    /// n_g / N.
    pub weights: Vec<f64>,
}

impl Objective for MultiGroupProblem<'_> {
    fn n_free(&self) -> usize {
        self.groups.first().map_or(0, |g| g.table.n_free)
    }
    fn objective(&self, theta: &[f64]) -> Option<f64> {
        self.groups
            .iter()
            .zip(&self.weights)
            .map(|(g, w)| g.objective(theta).map(|f| w * f))
            .sum()
    }
    fn gradient(&self, theta: &[f64]) -> Option<Vec<f64>> {
        let mut out = vec![0.0; theta.len()];
        for (g, w) in self.groups.iter().zip(&self.weights) {
            let grad = Objective::gradient(g, theta)?;
            for (o, d) in out.iter_mut().zip(grad) {
                *o += w * d;
            }
        }
        Some(out)
    }
    fn information(&self, theta: &[f64]) -> Option<DMatrix<f64>> {
        let mut out = DMatrix::zeros(theta.len(), theta.len());
        for (g, w) in self.groups.iter().zip(&self.weights) {
            out += g.information(theta)? * *w;
        }
        Some(out)
    }
    fn tables(&self) -> Vec<&ParTable> {
        self.groups.iter().map(|g| g.table).collect()
    }
}

/// A fitted multi-group model.
///
/// Serializes with the keys `converged`, `group` (the column),
/// `group_labels`, `nobs` (per group), `ntotal`, `npar`, `estimator`,
/// `group_equal`, `fit` (lavaan's `fitMeasures` names plus `chisq_group`,
/// each group's n_g·F_g, and `chisq_scaled_group` with MLM/MLR), `estimates` (the rows of every group, each with
/// its `group`: 1, 2, …), `warnings`, `optimizer`, `observed`, `latent`.
#[derive(Debug, Clone)]
pub struct MultiGroupFit {
    /// Whether the optimiser reached its gradient tolerance.
    pub converged: bool,
    /// The group column.
    pub group: String,
    /// The groups' values, group 1 first.
    pub group_labels: Vec<String>,
    /// Cases per group.
    pub nobs: Vec<usize>,
    /// Free parameters.
    pub npar: usize,
    /// The estimator (ML, MLM, MLR; WLSMV, DWLS, ULS with ordered
    /// indicators).
    pub estimator: Estimator,
    /// The classes held equal.
    pub group_equal: GroupEqual,
    /// Fit measures of the whole model.
    pub fit: FitMeasures,
    /// Each group's χ² (n_g·F_g), as lavaan's `stat.group`.
    pub chisq_group: Vec<f64>,
    /// Each group's scaled χ² (MLM, MLR): its χ² divided by the model's
    /// scaling factor, as lavaan's scaled `stat.group`.
    pub chisq_scaled_group: Option<Vec<f64>>,
    /// The fitted table of each group.
    pub tables: Vec<ParTable>,
    /// Warnings, each naming its group.
    pub warnings: Vec<String>,
    /// How the optimiser went.
    pub optimizer: Optimizer,
    /// Covariance matrix of the free parameters.
    pub vcov: DMatrix<f64>,
    /// What the least-squares difference test needs, per group (WLSMV,
    /// DWLS, ULS; `None` for ML, MLM, MLR).
    pub test_pieces: Option<super::wls::TestPieces>,
}

impl MultiGroupFit {
    /// The row `lhs op rhs` of group `group` (1-based, as lavaan).
    pub fn find(&self, group: usize, lhs: &str, op: Operator, rhs: &str) -> Option<&Parameter> {
        self.tables.get(group.checked_sub(1)?)?.find(lhs, op, rhs)
    }

    /// Total number of cases.
    pub fn ntotal(&self) -> usize {
        self.nobs.iter().sum()
    }
}

/// The fit measures as JSON: lavaan's names, `chisq_group`, and NFI null
/// where lavaan gives NA (more degrees of freedom than the baseline model,
/// which equality constraints over several groups easily reach).
fn fit_json(
    fit: &FitMeasures,
    chisq_group: &[f64],
    chisq_scaled_group: Option<&Vec<f64>>,
) -> serde_json::Value {
    let mut v = serde_json::to_value(fit).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        if fit.df > fit.baseline_df {
            o.insert("nfi".into(), serde_json::Value::Null);
        }
        o.insert("chisq_group".into(), chisq_group.into());
        if let Some(scaled) = chisq_scaled_group {
            o.insert("chisq_scaled_group".into(), scaled.as_slice().into());
        }
    }
    v
}

impl Serialize for MultiGroupFit {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let rows: Vec<serde_json::Value> = self
            .tables
            .iter()
            .enumerate()
            .flat_map(|(g, t)| t.params.iter().map(move |p| (g, p)))
            .map(|(g, p)| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("group".into(), (g + 1).into());
                }
                v
            })
            .collect();
        let first = self.tables.first();
        let mut s = serializer.serialize_struct("MultiGroupFit", 15)?;
        s.serialize_field("converged", &self.converged)?;
        s.serialize_field("group", &self.group)?;
        s.serialize_field("group_labels", &self.group_labels)?;
        s.serialize_field("nobs", &self.nobs)?;
        s.serialize_field("ntotal", &self.ntotal())?;
        s.serialize_field("npar", &self.npar)?;
        s.serialize_field("estimator", &self.estimator)?;
        s.serialize_field("group_equal", &self.group_equal)?;
        s.serialize_field(
            "fit",
            &fit_json(
                &self.fit,
                &self.chisq_group,
                self.chisq_scaled_group.as_ref(),
            ),
        )?;
        s.serialize_field("estimates", &rows)?;
        s.serialize_field("warnings", &self.warnings)?;
        s.serialize_field("optimizer", &self.optimizer)?;
        s.serialize_field("observed", &first.map(|t| &t.observed))?;
        s.serialize_field("latent", &first.map(|t| &t.latent))?;
        s.end()
    }
}

/// What a multi-group fit does not do yet, refused before any work.
fn check_options(options: &Options, sample: &GroupedSample, tables: &[ParTable]) -> Result<()> {
    let here = || Location::source(&sample.source);
    let refuse = |what: &str| Err(AnalysisError::unsuitable(here(), what.to_owned()));
    if options.likelihood == Likelihood::Wishart {
        return refuse("a multi-group model is fitted with the normal likelihood (as lavaan), not the Wishart likelihood");
    }
    if options.modindices {
        return refuse("modification indices are not yet computed for a multi-group model: fit without --modindices");
    }
    if options.bootstrap.is_some() {
        return refuse("bootstrap standard errors are not yet computed for a multi-group model");
    }
    if !options.estimator.is_ml() {
        if let Some(t) = tables.first().filter(|t| !t.exogenous_observed.is_empty()) {
            return Err(AnalysisError::unsuitable(
                here(),
                format!(
                    "{} with fixed exogenous covariates ({}) is not yet supported: make them random with a variance statement (x ~~ x) or use ML",
                    options.estimator.as_str(),
                    t.exogenous_observed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Fits a multi-group model (see the module documentation and example).
/// `options.meanstructure` is implied (lavaan: groups have a mean
/// structure); the likelihood is the normal one.
pub fn fit(
    spec: &ModelSpec,
    sample: &GroupedSample,
    equal: &GroupEqual,
    options: &Options,
) -> Result<MultiGroupFit> {
    if options.estimator.is_least_squares() || !options.ordered.is_empty() {
        return super::groups_wls::fit(spec, sample, equal, options);
    }
    let names = &sample.samples[0].names;
    let mut tables = group_tables(spec, names, options.std_lv, sample.samples.len(), equal)?;
    check_options(options, sample, &tables)?;
    let moments: Vec<MomentsInUse> = tables
        .iter()
        .zip(&sample.samples)
        .map(|(t, s)| s.in_use(&t.observed, Likelihood::Normal, true))
        .collect::<Result<_>>()?;
    let npar = tables[0].n_free;
    let n_moments: usize = tables.iter().map(ParTable::n_moments).sum();
    if npar > n_moments {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!(
                "the model has {npar} free parameters but the groups have only {n_moments} sample moments (means, variances and covariances): it is not identified"
            ),
        ));
    }
    for (t, m) in tables.iter_mut().zip(&moments) {
        t.set_fixed_x(&m.s, m.mean.as_ref().map(|v| v.as_slice()));
    }
    let nobs: Vec<usize> = sample.samples.iter().map(|s| s.nobs).collect();
    let ntotal: usize = nobs.iter().sum();
    let weights: Vec<f64> = nobs.iter().map(|&n| n as f64 / ntotal as f64).collect();
    let problem = multi_problem(&tables, &moments, &weights, sample)?;
    // Start values: each group's own, the first group's for shared ones.
    let mut start = vec![0.0; npar];
    let mut assigned = vec![false; npar];
    for (t, m) in tables.iter().zip(&moments) {
        let own = estimate::starting_values(t, &m.s, m.mean.as_ref());
        for p in &t.params {
            if let Some(k) = p.free {
                if !assigned[k] {
                    start[k] = own[k];
                    assigned[k] = true;
                }
            }
        }
    }
    let opt = estimate::optimise_within(&problem, start, Limits::default())?;
    let not_converged = super::SemWarning::NotConverged {
        lbfgs_iterations: opt.lbfgs_iterations,
        scoring_iterations: opt.scoring_iterations,
        max_gradient: opt.max_gradient,
    };
    let fail = |what: String| {
        if opt.converged {
            AnalysisError::computation(what)
        } else {
            AnalysisError::computation(not_converged.to_string())
        }
    };
    let implied: Vec<Implied> = tables
        .iter()
        .zip(&sample.labels)
        .map(|(t, label)| {
            Implied::at(t, &opt.theta).ok_or_else(|| {
                fail(format!(
                    "the implied covariance matrix of group \"{label}\" at the estimates is not positive definite"
                ))
            })
        })
        .collect::<Result<_>>()?;
    let info = problem
        .information(&opt.theta)
        .ok_or_else(|| fail("the information matrix cannot be computed at the estimates".into()))?;
    let ml_vcov = vcov_or_unidentified(
        &info,
        ntotal as f64,
        opt.converged,
        &not_converged,
        "information",
        &spec.source,
        |k| {
            tables.iter().enumerate().find_map(|(g, t)| {
                free_parameter_name(t, k).map(|name| format!("{name} (group {})", g + 1))
            })
        },
    )?;
    let robust = match options.estimator {
        Estimator::ML => None,
        estimator => {
            let parts = tables
                .iter()
                .zip(&implied)
                .zip(&moments)
                .zip(&sample.samples)
                .map(|(((t, imp), m), s)| {
                    robust::group_parts(estimator, t, &Elements::free_of(t), imp, m, s)
                })
                .collect::<Result<Vec<_>>>()?;
            Some(robust::combine(
                estimator, &parts, &problem, &opt.theta, &info,
            )?)
        }
    };
    let vcov = robust.as_ref().map_or(ml_vcov, |r| r.vcov.clone());
    let f_groups: Vec<f64> = problem
        .groups
        .iter()
        .map(|g| g.objective(&opt.theta).unwrap_or(f64::NAN))
        .collect();
    let mut per_group = Vec::with_capacity(tables.len());
    let mut group_warnings = Vec::new();
    for (g, t) in tables.iter_mut().enumerate() {
        t.set_theta(&opt.theta);
        for p in t.params.iter_mut() {
            p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
        }
        standardized::fill(t, &implied[g].c);
        // The group's own measures; its df and npar mean nothing alone (θ
        // is shared), so they are taken as 0 there and set for the whole.
        let mut alone = t.clone();
        alone.n_free = 0;
        per_group.push(fitm::measures(
            &alone,
            &moments[g],
            &implied[g],
            f_groups[g],
            nobs[g],
        ));
        for w in warnings::of_fit(t, &implied[g], &sample.samples[g]) {
            group_warnings.push(format!("group {} ({}): {w}", g + 1, sample.labels[g]));
        }
    }
    if !opt.converged {
        group_warnings.insert(0, not_converged.to_string());
    }
    let mut fit = combine_measures(&per_group, &tables, &weights, npar, opt.f, ntotal);
    if let Some(r) = &robust {
        fit.robust = Some(robust::measures_of_groups(&fit, r, ntotal, tables.len()));
    }
    let chisq_group: Vec<f64> = per_group.iter().map(|f| f.chisq).collect();
    let chisq_scaled_group = fit
        .robust
        .as_ref()
        .and_then(|r| r.chisq_scaling_factor)
        .map(|c| chisq_group.iter().map(|x| x / c).collect());
    Ok(MultiGroupFit {
        converged: opt.converged,
        group: sample.column.clone(),
        group_labels: sample.labels.clone(),
        nobs,
        npar,
        estimator: options.estimator,
        group_equal: equal.clone(),
        chisq_group,
        chisq_scaled_group,
        fit,
        tables,
        warnings: group_warnings,
        optimizer: Optimizer {
            method: "L-BFGS (argmin, More-Thuente) + Fisher scoring".into(),
            lbfgs_iterations: opt.lbfgs_iterations,
            scoring_iterations: opt.scoring_iterations,
            max_abs_gradient: opt.max_gradient,
        },
        vcov,
        test_pieces: None,
    })
}

fn multi_problem<'a>(
    tables: &'a [ParTable],
    moments: &[MomentsInUse],
    weights: &[f64],
    sample: &GroupedSample,
) -> Result<MultiGroupProblem<'a>> {
    let groups = tables
        .iter()
        .zip(moments)
        .zip(&sample.samples)
        .map(|((t, m), s)| {
            Problem::new(t, m.s.clone())
                .map(|p| p.with_mean(m.mean.clone()))
                .ok_or_else(|| {
                    AnalysisError::unsuitable(
                        Location::source(&s.source),
                        "the sample covariance matrix is not positive definite",
                    )
                })
        })
        .collect::<Result<_>>()?;
    Ok(MultiGroupProblem {
        groups,
        weights: weights.to_vec(),
    })
}

/// The fit measures of the whole model from each group's (lavaan's
/// `fitMeasures` for several groups): χ², baseline χ², log-likelihoods
/// summed; df from all groups' moments; RMSEA × √G; GFI, SRMR weighted
/// by n_g/N; AGFI and PGFI on all groups' sample statistics.
pub(crate) fn combine_measures(
    per_group: &[FitMeasures],
    tables: &[ParTable],
    weights: &[f64],
    npar: usize,
    f: f64,
    ntotal: usize,
) -> FitMeasures {
    let sum = |get: &dyn Fn(&FitMeasures) -> f64| per_group.iter().map(get).sum::<f64>();
    let weighted = |get: &dyn Fn(&FitMeasures) -> f64| {
        per_group
            .iter()
            .zip(weights)
            .map(|(m, w)| w * get(m))
            .sum::<f64>()
    };
    let n_moments: usize = tables.iter().map(ParTable::n_moments).sum();
    let df = (n_moments - npar) as f64;
    let baseline_chisq = sum(&|m| m.baseline_chisq);
    let chisq = fitm::chisq_within_rounding(sum(&|m| m.chisq), baseline_chisq);
    let baseline_df = sum(&|m| m.baseline_df);
    let n = ntotal as f64;
    let g = tables.len() as f64;
    let (lo, hi) = fitm::rmsea_ci(chisq, df, n, 0.90);
    let nel: f64 = tables
        .iter()
        .map(|t| (t.p() * (t.p() + 1) / 2 + t.p()) as f64)
        .sum();
    let gfi = weighted(&|m| m.gfi);
    let logl = sum(&|m| m.logl);
    let nomean = per_group
        .iter()
        .zip(weights)
        .map(|(m, w)| m.srmr_bentler_nomean.map(|v| w * v))
        .sum::<Option<f64>>();
    FitMeasures {
        chisq,
        df,
        pvalue: (df > 0.0).then(|| fitm::chisq_sf(chisq, df)),
        baseline_chisq,
        baseline_df,
        cfi: fitm::cfi(chisq, df, baseline_chisq, baseline_df),
        tli: fitm::tli(chisq, df, baseline_chisq, baseline_df),
        nfi: fitm::nfi(chisq, baseline_chisq),
        rmsea: fitm::rmsea(chisq, df, n) * g.sqrt(),
        rmsea_ci_lower: lo * g.sqrt(),
        rmsea_ci_upper: hi * g.sqrt(),
        rmsea_pvalue: (df > 0.0)
            .then(|| fitm::noncentral_chisq_sf(chisq, df, n * df * 0.05 * 0.05 / g)),
        srmr: weighted(&|m| m.srmr),
        gfi,
        agfi: fitm::agfi(gfi, nel, df),
        aic: fitm::aic(logl, npar as f64),
        bic: fitm::bic(logl, npar as f64, n),
        bic2: None,
        logl,
        unrestricted_logl: sum(&|m| m.unrestricted_logl),
        baseline_pvalue: (baseline_df > 0.0).then(|| fitm::chisq_sf(baseline_chisq, baseline_df)),
        pgfi: fitm::pgfi(gfi, nel, df),
        fmin: f / 2.0,
        npar,
        ntotal,
        srmr_bentler_nomean: nomean,
        robust: None,
        fiml: None,
    }
}

impl crate::Render for MultiGroupFit {
    /// A summary (groups, equality constraints, fit with each group's χ²)
    /// and one estimates table per group; a row whose parameter is shared
    /// with another group (an equality constraint or a label) is marked.
    fn tables(&self) -> Vec<crate::render::Table> {
        use super::output::{compact_fit_table, or_missing};
        use crate::render::{fmt_fixed, fmt_p, Table};
        let mut header = vec!["group", "value", "N", "χ² of the group"];
        if self.chisq_scaled_group.is_some() {
            header.push("scaled χ²");
        }
        let mut summary = Table::new(
            format!(
                "Multi-group model ({} groups, column {})",
                self.tables.len(),
                self.group
            ),
            &header,
        );
        for (g, label) in self.group_labels.iter().enumerate() {
            let mut row = vec![
                (g + 1).to_string(),
                label.clone(),
                self.nobs[g].to_string(),
                fmt_fixed(self.chisq_group[g], 3),
            ];
            if let Some(scaled) = &self.chisq_scaled_group {
                row.push(fmt_fixed(scaled[g], 3));
            }
            summary.row(row);
        }
        summary.note(format!(
            "Equal across groups: {}. Estimator {}.",
            if self.group_equal.0.is_empty() {
                "nothing (configural model)".to_owned()
            } else {
                self.group_equal
                    .0
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            self.estimator.as_str()
        ));
        let mut fit = compact_fit_table("Fit", self.ntotal(), self.npar, self.converged, &self.fit);
        if let Some(r) = &self.fit.robust {
            for (k, v) in [
                ("χ² scaled", r.chisq_scaled),
                ("scaling factor", r.chisq_scaling_factor),
                ("p (scaled)", r.pvalue_scaled),
                ("CFI robust", r.cfi_robust),
                ("TLI robust", r.tli_robust),
                ("RMSEA robust", r.rmsea_robust),
            ] {
                fit.row(vec![k.to_owned(), or_missing(v, |x| fmt_fixed(x, 3))]);
            }
        }
        let mut out = vec![summary, fit];
        let mut uses = HashMap::new();
        for t in &self.tables {
            for k in t.params.iter().filter_map(|p| p.free) {
                *uses.entry(k).or_insert(0usize) += 1;
            }
        }
        for (g, t) in self.tables.iter().enumerate() {
            let mut table = Table::new(
                format!("Estimates, group {} ({})", g + 1, self.group_labels[g]),
                &[
                    "lhs", "op", "rhs", "estimate", "SE", "z", "p", "std.all", "equal",
                ],
            );
            for p in &t.params {
                let shared = p.free.is_some_and(|k| uses[&k] > 1);
                table.row(vec![
                    p.lhs.clone(),
                    p.op.as_str().to_owned(),
                    p.rhs.clone(),
                    fmt_fixed(p.value, 3),
                    or_missing(p.se.filter(|_| p.free.is_some()), |x| fmt_fixed(x, 3)),
                    or_missing(p.z(), |x| fmt_fixed(x, 3)),
                    or_missing(p.pvalue(), fmt_p),
                    or_missing(p.std_all, |x| fmt_fixed(x, 3)),
                    if shared { "=" } else { "" }.to_owned(),
                ]);
            }
            out.push(table);
        }
        out
    }
}
