//! Stage 1 — the parameter table (lavaan's `lavParTable`): from parsed
//! statements to one row per parameter, which the later stages fill in
//! (estimates, standard errors, standardized values, bootstrap results).
//!
//! [`ParTable::build`] goes in named steps, as lavaan's `lav_partable`:
//! the latent variables ([`latent_variables`]), the part each variable plays
//! ([`Roles`]), the observed variables in lavaan's order
//! ([`ObservedVariables`]), the user's statements, then the identification
//! defaults of lavaan's `cfa()` / `sem()`:
//! the first loading of each factor fixed to 1 (unless `std.lv`, where the
//! latent (residual) variances are fixed to 1 instead and all loadings are
//! free); residual variances of all observed and latent variables free;
//! covariances among exogenous latent variables free (`auto.cov.lv.x`);
//! covariances among pure dependent variables of regressions free
//! (`auto.cov.y`); variances and covariances of exogenous observed
//! covariates fixed at their sample values (`fixed.x`) unless the model
//! mentions them in a `~~` statement, which makes them random (free
//! variances, no automatic covariances: lavaan 0.6 does the same and warns);
//! the residual variance of the only indicator of a factor fixed at 0
//! (`auto.fix.single`).
//!
//! What comes next has its place here: a multi-group model adds a `group`
//! column to [`Parameter`] (and to [`ParTable::find`]'s key), one table
//! block per group; intercepts (`~1`) and thresholds (`|`) are rows with
//! their own [`Operator`] and [`Matrix`] (a mean vector, a threshold
//! vector); robust estimators change the inference stage, not the table.

use super::bootstrap::BootstrapEstimate;
use super::syntax::{location, ModelSpec, Operator};
use crate::error::{AnalysisError, Location, Result};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::HashMap;

/// Which RAM matrix a parameter lives in (see [`super::model`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    /// Directed effects (loadings, regressions): `A[to, from]`.
    A,
    /// Variances and covariances of the residuals (symmetric).
    Phi,
    /// Intercepts and latent means: the vector `m` of `v = A v + m + u`,
    /// at `row` (`col` is 0).
    Mean,
    /// Thresholds of the ordered variable at `row`; `col` is the threshold
    /// (0 for `t1`).
    Threshold,
    /// The scale factor of the ordered variable at `row` (delta
    /// parameterization).
    Scale,
}

/// One row of the parameter table (lavaan's `parTable` after the fit, with
/// the columns of `parameterEstimates()` and `standardizedSolution()`).
///
/// Before estimation `value` is the fixed value (NaN for a free parameter
/// without a start value) and the result columns are `None`; after the fit
/// `value` is the estimate and `se`, `std_lv`, `std_all` are filled.
/// Serializes as a row of lavaan's `parameterEstimates()`: `lhs`, `op`,
/// `rhs`, `est`, `se`, `z`, `pvalue`, `std_lv`, `std_all`, `ci_lower`,
/// `ci_upper`, `label` (when given), `free` (a boolean) and, after a
/// bootstrap, `boot_se`, `boot_ci_lower`, `boot_ci_upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Left-hand variable.
    pub lhs: String,
    /// The operator.
    pub op: Operator,
    /// Right-hand variable.
    pub rhs: String,
    /// The user's label (`a*x`); equal labels mean one free parameter.
    pub label: Option<String>,
    /// Index into the free-parameter vector θ, or `None` when fixed.
    pub free: Option<usize>,
    /// Fixed value or, after the fit, the estimate (lavaan's `est`).
    pub value: f64,
    /// A user-supplied starting value (`start(v)*x`).
    pub start: Option<f64>,
    /// Written by the user (not added by an identification default).
    pub user: bool,
    /// A variance / covariance of exogenous observed covariates, fixed at
    /// its sample value (`fixed.x`).
    pub exo: bool,
    /// The RAM matrix of the parameter.
    pub matrix: Matrix,
    /// Row in the matrix (`A[row, col]`; for `Φ` either triangle).
    pub row: usize,
    /// Column in the matrix.
    pub col: usize,
    /// Standard error: 0 for a fixed parameter; `None` before the fit.
    pub se: Option<f64>,
    /// Standardized on the latent variables (lavaan's `std.lv`); `None`
    /// where lavaan gives NA (a non-positive implied variance).
    pub std_lv: Option<f64>,
    /// Standardized on all variables (lavaan's `std.all`).
    pub std_all: Option<f64>,
    /// Bootstrap SE and percentile interval, when bootstrapped.
    pub boot: Option<BootstrapEstimate>,
}

/// The 0.975 quantile of the standard normal (95 % Wald intervals).
const Z_975: f64 = 1.959_963_984_540_054;

impl Parameter {
    /// A row before estimation: only the specification columns set.
    pub(crate) fn new(
        lhs: &str,
        op: Operator,
        rhs: &str,
        slot: (Matrix, usize, usize),
    ) -> Parameter {
        Parameter {
            lhs: lhs.to_owned(),
            op,
            rhs: rhs.to_owned(),
            label: None,
            free: None,
            value: f64::NAN,
            start: None,
            user: false,
            exo: false,
            matrix: slot.0,
            row: slot.1,
            col: slot.2,
            se: None,
            std_lv: None,
            std_all: None,
            boot: None,
        }
    }

    /// Whether this row is the parameter `lhs op rhs` (`~~` is symmetric).
    pub fn is(&self, lhs: &str, op: Operator, rhs: &str) -> bool {
        self.op == op
            && ((self.lhs == lhs && self.rhs == rhs)
                || (op == Operator::Covariance && self.lhs == rhs && self.rhs == lhs))
    }

    /// A variance (`x ~~ x`).
    pub fn is_variance(&self) -> bool {
        self.op == Operator::Covariance && self.lhs == self.rhs
    }

    /// Wald z = estimate / SE of a free parameter (`None` when fixed, before
    /// the fit, or when SE is 0).
    pub fn z(&self) -> Option<f64> {
        let se = self.se?;
        self.free.and_then(|_| finite(self.value / se))
    }

    /// Two-sided p-value of [`Parameter::z`].
    pub fn pvalue(&self) -> Option<f64> {
        use statrs::distribution::ContinuousCDF;
        let normal = statrs::distribution::Normal::standard();
        self.z().map(|z| 2.0 * normal.sf(z.abs()))
    }

    /// Lower end of the 95 % Wald interval (the estimate for a fixed
    /// parameter; `None` before the fit).
    pub fn ci_lower(&self) -> Option<f64> {
        self.se.map(|se| self.value - Z_975 * se)
    }

    /// Upper end of the 95 % Wald interval.
    pub fn ci_upper(&self) -> Option<f64> {
        self.se.map(|se| self.value + Z_975 * se)
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Serialize for Parameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut n = 12;
        if self.label.is_some() {
            n += 1;
        }
        if self.boot.is_some() {
            n += 3;
        }
        let mut row = serializer.serialize_struct("Parameter", n)?;
        row.serialize_field("lhs", &self.lhs)?;
        row.serialize_field("op", &self.op)?;
        row.serialize_field("rhs", &self.rhs)?;
        row.serialize_field("est", &self.value)?;
        row.serialize_field("se", &self.se)?;
        row.serialize_field("z", &self.z())?;
        row.serialize_field("pvalue", &self.pvalue())?;
        row.serialize_field("std_lv", &self.std_lv)?;
        row.serialize_field("std_all", &self.std_all)?;
        row.serialize_field("ci_lower", &self.ci_lower())?;
        row.serialize_field("ci_upper", &self.ci_upper())?;
        if let Some(label) = &self.label {
            row.serialize_field("label", label)?;
        }
        row.serialize_field("free", &self.free.is_some())?;
        if let Some(b) = &self.boot {
            row.serialize_field("boot_se", &b.se)?;
            row.serialize_field("boot_ci_lower", &b.ci_lower)?;
            row.serialize_field("boot_ci_upper", &b.ci_upper)?;
        }
        row.end()
    }
}

/// A model ready to be fitted: the parameter table and the variables.
/// Serializes as its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ParTable {
    /// Observed variables, in lavaan's order (indicators first).
    pub observed: Vec<String>,
    /// Latent variables, in order of definition.
    pub latent: Vec<String>,
    /// The rows, in lavaan's order: the user's statements, then defaults.
    pub params: Vec<Parameter>,
    /// Number of free parameters (length of θ; shared labels count once).
    pub n_free: usize,
    /// Observed variables treated as fixed exogenous covariates.
    pub exogenous_observed: Vec<String>,
    /// Predictor-only observed variables that a `~~` statement mentions:
    /// random, not fixed covariates (reported as a warning).
    pub random_exogenous: Vec<String>,
    /// Factors identified by unit variances (lavaan's `std.lv`).
    pub std_lv: bool,
    /// Whether the model has a mean structure (intercepts and latent
    /// means): asked for (lavaan's `meanstructure = TRUE`) or implied by a
    /// `~ 1` statement.
    pub meanstructure: bool,
}

impl Serialize for ParTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.params.serialize(serializer)
    }
}

impl ModelSpec {
    /// Checks that every name of the model is a latent variable (left of
    /// `=~`) or one of the `columns` of the data; the error lists the
    /// columns (the first 12).
    pub fn check_observed(&self, columns: &[String]) -> Result<()> {
        let latent = |n: &str| {
            self.statements
                .iter()
                .any(|s| s.op == Operator::MeasuredBy && s.lhs == n)
        };
        let names = self.statements.iter().flat_map(|s| {
            std::iter::once((&s.lhs, s.lhs_position)).chain(
                s.rhs
                    .iter()
                    .filter(|t| !t.name.is_empty() && s.op != Operator::Threshold)
                    .map(|t| (&t.name, t.position)),
            )
        });
        for (name, pos) in names {
            if latent(name) || columns.iter().any(|c| c == name) {
                continue;
            }
            let mut known: Vec<String> = columns.iter().map(|c| crate::error::shorten(c)).collect();
            if known.len() > 12 {
                known.truncate(12);
                known.push("...".to_owned());
            }
            return Err(AnalysisError::input(
                location(&self.source, pos),
                Some(name),
                format!(
                    "a latent variable defined with =~ or an observed variable of the data ({})",
                    known.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

impl ParTable {
    /// Number of observed variables.
    pub fn p(&self) -> usize {
        self.observed.len()
    }
    /// Number of variables, observed and latent.
    pub fn m(&self) -> usize {
        self.observed.len() + self.latent.len()
    }
    /// Index of a variable in the RAM vector (observed first).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.observed.iter().position(|v| v == name).or_else(|| {
            self.latent
                .iter()
                .position(|v| v == name)
                .map(|i| i + self.observed.len())
        })
    }
    /// Index of a variable of the model; an unknown name is an error naming
    /// it and the variables the model has.
    pub fn variable(&self, name: &str) -> Result<usize> {
        self.index(name).ok_or_else(|| {
            AnalysisError::computation(format!(
                "\"{name}\" is not a variable of the model; its variables are {}",
                self.observed
                    .iter()
                    .chain(&self.latent)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
    /// Whether a variable is latent.
    pub fn is_latent(&self, name: &str) -> bool {
        self.latent.iter().any(|v| v == name)
    }
    /// Number of sample moments that the model has to reproduce: the
    /// variances and covariances of the observed variables, minus those of
    /// the fixed exogenous covariates (as lavaan counts them).
    /// With a mean structure the means count too (those of fixed
    /// covariates excepted).
    pub fn n_moments(&self) -> usize {
        let p = self.p();
        let nx = self.exogenous_observed.len();
        let covariances = p * (p + 1) / 2 - nx * (nx + 1) / 2;
        if self.meanstructure {
            covariances + p - nx
        } else {
            covariances
        }
    }
    /// The value of each free parameter taken from the table (starting values
    /// before a fit, estimates after).
    pub fn theta(&self) -> Vec<f64> {
        let mut theta = vec![0.0; self.n_free];
        for p in &self.params {
            if let Some(k) = p.free {
                theta[k] = p.value;
            }
        }
        theta
    }
    /// Sets every free parameter to its value in θ.
    pub fn set_theta(&mut self, theta: &[f64]) {
        for p in self.params.iter_mut() {
            if let Some(k) = p.free {
                p.value = theta[k];
            }
        }
    }
    /// Sets the fixed.x parameters to the sample (co)variances in use and,
    /// with a mean structure, the sample means.
    pub fn set_fixed_x(&mut self, s: &nalgebra::DMatrix<f64>, mean: Option<&[f64]>) {
        for p in self.params.iter_mut().filter(|p| p.exo) {
            p.value = match (p.matrix, mean) {
                (Matrix::Mean, Some(m)) => m[p.row],
                (Matrix::Mean, None) => 0.0,
                _ => s[(p.row, p.col)],
            };
        }
    }
    /// The one lookup of a parameter by (lhs, op, rhs); `~~` is symmetric.
    ///
    /// ```
    /// use analysis::sem::{ModelSpec, Operator, ParTable};
    /// let spec = ModelSpec::parse("f =~ x1 + x2 + x3")?;
    /// let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    /// let table = ParTable::build(&spec, &names, false)?;
    /// // The first loading is the marker, fixed at 1.
    /// let marker = table.find("f", Operator::MeasuredBy, "x1").unwrap();
    /// assert_eq!((marker.free, marker.value), (None, 1.0));
    /// assert!(table.find("f", Operator::MeasuredBy, "x9").is_none());
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn find(&self, lhs: &str, op: Operator, rhs: &str) -> Option<&Parameter> {
        self.params.iter().find(|p| p.is(lhs, op, rhs))
    }

    /// Where `lhs op rhs` lives in the RAM matrices.
    fn slot(&self, lhs: &str, op: Operator, rhs: &str) -> Result<(Matrix, usize, usize)> {
        let i = self.variable(lhs)?;
        if op == Operator::Intercept {
            return Ok((Matrix::Mean, i, 0));
        }
        let j = self.variable(rhs)?;
        Ok(match op {
            Operator::MeasuredBy => (Matrix::A, j, i),
            Operator::RegressedOn => (Matrix::A, i, j),
            Operator::Covariance => (Matrix::Phi, i, j),
            Operator::Intercept => unreachable!("handled above"),
            Operator::Threshold | Operator::ScaleFactor => {
                return Err(AnalysisError::computation(format!(
                    "{lhs} {op} {rhs} is a parameter of an ordered indicator, added by the ordinal estimators only"
                )))
            }
        })
    }

    /// Builds the table from statements. `available` are the observed
    /// variables in the data; every non-latent name must be one of them.
    /// A `~ 1` statement gives the model a mean structure.
    pub fn build(spec: &ModelSpec, available: &[String], std_lv: bool) -> Result<ParTable> {
        ParTable::build_with_means(spec, available, std_lv, false)
    }

    /// [`ParTable::build`], with a mean structure when `meanstructure`
    /// (lavaan's `meanstructure = TRUE`) or when the model has a `~ 1`
    /// statement: free intercepts of the observed variables (fixed at
    /// their sample means for fixed covariates) and latent means fixed at
    /// 0, unless the model sets them.
    ///
    /// ```
    /// use analysis::sem::{ModelSpec, Operator, ParTable};
    /// let spec = ModelSpec::parse("f =~ x1 + x2 + x3")?;
    /// let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    /// let table = ParTable::build_with_means(&spec, &names, false, true)?;
    /// assert!(table.find("x2", Operator::Intercept, "").unwrap().free.is_some());
    /// assert_eq!(table.find("f", Operator::Intercept, "").unwrap().free, None);
    /// assert_eq!(table.n_moments(), 9);
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn build_with_means(
        spec: &ModelSpec,
        available: &[String],
        std_lv: bool,
        meanstructure: bool,
    ) -> Result<ParTable> {
        let meanstructure =
            meanstructure || spec.statements.iter().any(|s| s.op == Operator::Intercept);
        if let Some(s) = spec.statements.iter().find(|s| s.op == Operator::Threshold) {
            return Err(threshold_without_ordered(spec, s));
        }
        let latent = latent_variables(spec, available)?;
        spec.check_observed(available)?;
        check_indicators(spec)?;
        let roles = Roles::of(spec, &latent);
        let vars = ObservedVariables::of(spec, &roles)?;
        let mut b = Builder {
            table: ParTable {
                observed: vars.observed,
                latent,
                params: Vec::new(),
                n_free: 0,
                exogenous_observed: vars.exogenous_observed,
                random_exogenous: vars.random_exogenous,
                std_lv,
                meanstructure,
            },
            labels: HashMap::new(),
        };
        b.add_user_statements(spec)?;
        b.add_default_variances()?;
        b.add_default_covariances(&roles)?;
        b.add_fixed_x()?;
        if meanstructure {
            b.add_default_intercepts()?;
        }
        b.table.check_scales(spec)?;
        Ok(b.table)
    }

    /// Each latent variable needs a scale: a fixed non-zero loading or a
    /// fixed (residual) variance.
    fn check_scales(&self, spec: &ModelSpec) -> Result<()> {
        for lv in &self.latent {
            let fixed_loading = self.params.iter().any(|p| {
                p.op == Operator::MeasuredBy && &p.lhs == lv && p.free.is_none() && p.value != 0.0
            });
            let fixed_variance = self
                .find(lv, Operator::Covariance, lv)
                .is_some_and(|p| p.free.is_none());
            if !(fixed_loading || fixed_variance) {
                let pos = spec
                    .statements
                    .iter()
                    .find(|s| s.op == Operator::MeasuredBy && &s.lhs == lv)
                    .map(|s| s.lhs_position)
                    .unwrap_or_default();
                return Err(AnalysisError::unsuitable(
                    location(&spec.source, pos),
                    format!(
                        "the factor \"{lv}\" is not identified: it has no scale (fix one loading, e.g. 1*x, or its variance, e.g. {lv} ~~ 1*{lv}, or use std.lv)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A threshold statement (`x | t1`) in a model fitted without ordered
/// indicators.
pub(crate) fn threshold_without_ordered(
    spec: &ModelSpec,
    s: &super::syntax::Statement,
) -> AnalysisError {
    AnalysisError::input(
        location(&spec.source, s.lhs_position),
        Some(&format!("{} |", s.lhs)),
        format!(
            "thresholds only for ordered indicators: declare {} ordered (--ordered {} or --ordered-all; Options::ordered)",
            s.lhs, s.lhs
        ),
    )
}

/// The latent variables: left of `=~`, in order of definition; a latent
/// name that is also a column of the data is an error.
pub fn latent_variables(spec: &ModelSpec, available: &[String]) -> Result<Vec<String>> {
    let mut latent: Vec<String> = Vec::new();
    for s in &spec.statements {
        if s.op == Operator::MeasuredBy && !latent.contains(&s.lhs) {
            if available.contains(&s.lhs) {
                return Err(AnalysisError::input(
                    location(&spec.source, s.lhs_position),
                    Some(&s.lhs),
                    "a latent variable name that is not also a column of the data",
                ));
            }
            latent.push(s.lhs.clone());
        }
    }
    Ok(latent)
}

/// A factor may not be its own indicator.
fn check_indicators(spec: &ModelSpec) -> Result<()> {
    for s in spec
        .statements
        .iter()
        .filter(|s| s.op == Operator::MeasuredBy)
    {
        if let Some(t) = s.rhs.iter().find(|t| t.name == s.lhs) {
            return Err(AnalysisError::input(
                location(&spec.source, t.position),
                Some(&t.name),
                "an indicator other than the factor itself",
            ));
        }
    }
    Ok(())
}

/// The part each variable plays in the statements (lavaan's
/// `lav_partable_vnames`), each list in order of first appearance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Roles {
    /// Latent variables (left of `=~`).
    pub latent: Vec<String>,
    /// Observed indicators (right of `=~`).
    pub indicators: Vec<String>,
    /// Latent variables measured by a higher-order factor.
    pub lv_indicators: Vec<String>,
    /// Left of `~`.
    pub dependents: Vec<String>,
    /// Right of `~`.
    pub predictors: Vec<String>,
}

fn push_new(v: &mut Vec<String>, n: &str) {
    if !v.iter().any(|x| x == n) {
        v.push(n.to_owned())
    }
}

impl Roles {
    /// The roles of the variables of `spec`, given its latent variables.
    pub fn of(spec: &ModelSpec, latent: &[String]) -> Roles {
        let mut r = Roles {
            latent: latent.to_vec(),
            ..Roles::default()
        };
        for s in &spec.statements {
            for t in &s.rhs {
                match s.op {
                    Operator::MeasuredBy => {
                        if r.is_latent(&t.name) {
                            push_new(&mut r.lv_indicators, &t.name)
                        } else {
                            push_new(&mut r.indicators, &t.name)
                        }
                    }
                    Operator::RegressedOn => {
                        push_new(&mut r.dependents, &s.lhs);
                        push_new(&mut r.predictors, &t.name);
                    }
                    Operator::Covariance
                    | Operator::Intercept
                    | Operator::Threshold
                    | Operator::ScaleFactor => {}
                }
            }
        }
        r
    }

    fn is_latent(&self, n: &str) -> bool {
        self.latent.iter().any(|l| l == n)
    }
}

/// The observed variables in lavaan's order — indicators, other variables in
/// order of appearance, then the fixed exogenous covariates — and which
/// predictors are fixed (`fixed.x`) or random covariates.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedVariables {
    /// All observed variables of the model, in order.
    pub observed: Vec<String>,
    /// Predictor-only variables not mentioned in `~~`: fixed covariates.
    pub exogenous_observed: Vec<String>,
    /// Predictor-only variables mentioned in `~~`: random.
    pub random_exogenous: Vec<String>,
}

impl ObservedVariables {
    /// The observed variables of `spec`; a model whose variables are all
    /// latent is an error (there is no covariance matrix to fit).
    pub fn of(spec: &ModelSpec, roles: &Roles) -> Result<ObservedVariables> {
        let stmts = &spec.statements;
        let mut observed: Vec<String> = Vec::new();
        for n in &roles.indicators {
            push_new(&mut observed, n);
        }
        let mut others = Vec::new();
        for s in stmts {
            for n in std::iter::once(&s.lhs).chain(s.rhs.iter().map(|t| &t.name)) {
                if !n.is_empty() && !roles.is_latent(n) && !observed.contains(n) {
                    push_new(&mut others, n);
                }
            }
        }
        // Exogenous observed covariates (fixed.x): predictors only, and not
        // mentioned in a ~~ statement (those are random).
        let in_covariance = |n: &String| {
            stmts.iter().any(|s| {
                s.op == Operator::Covariance && (&s.lhs == n || s.rhs.iter().any(|t| &t.name == n))
            })
        };
        let (random_exogenous, exogenous_observed): (Vec<String>, Vec<String>) = others
            .iter()
            .filter(|n| roles.predictors.contains(n) && !roles.dependents.contains(n))
            .cloned()
            .partition(in_covariance);
        for n in others.iter().filter(|n| !exogenous_observed.contains(n)) {
            push_new(&mut observed, n);
        }
        for n in &exogenous_observed {
            push_new(&mut observed, n);
        }
        // Factors measured only by each other (`f =~ g`, `g =~ f`) leave no
        // observed variable.
        if observed.is_empty() {
            let first = stmts.first().map(|s| (s.lhs.as_str(), s.lhs_position));
            return Err(AnalysisError::input(
                first.map_or_else(
                    || Location::source(&spec.source),
                    |(_, pos)| location(&spec.source, pos),
                ),
                first.map(|(lhs, _)| lhs),
                "a model with at least one observed variable (a column of the data): every variable of this model is latent (left of =~)",
            ));
        }
        Ok(ObservedVariables {
            observed,
            exogenous_observed,
            random_exogenous,
        })
    }
}

/// A table under construction with the free parameter of each label.
struct Builder {
    table: ParTable,
    labels: HashMap<String, usize>,
}

impl Builder {
    /// The user's statements, in order; the first unmodified loading of a
    /// factor is its marker (fixed at 1) unless std.lv.
    fn add_user_statements(&mut self, spec: &ModelSpec) -> Result<()> {
        let src = spec.source.as_str();
        let std_lv = self.table.std_lv;
        let mut scaled: Vec<String> = Vec::new();
        for s in &spec.statements {
            for t in &s.rhs {
                let (lhs, rhs) = (s.lhs.as_str(), t.name.as_str());
                if self.table.find(lhs, s.op, rhs).is_some() {
                    return Err(AnalysisError::input(
                        location(src, t.position),
                        Some(&format!("{lhs} {} {rhs}", s.op)),
                        "each parameter specified once",
                    ));
                }
                if s.op == Operator::RegressedOn && lhs == rhs {
                    return Err(AnalysisError::input(
                        location(src, t.position),
                        Some(rhs),
                        "a predictor other than the outcome itself",
                    ));
                }
                let first = s.op == Operator::MeasuredBy && !scaled.iter().any(|l| l == lhs);
                if first {
                    scaled.push(lhs.to_owned());
                }
                // std.lv with a user variance statement without modifier on
                // a latent keeps it free, as lavaan does.
                let fixed = match (t.fixed, t.free) {
                    (Some(v), _) => Some(v),
                    (None, true) => None,
                    (None, false) if first && !std_lv => Some(1.0),
                    _ => None,
                };
                let mut param = Parameter::new(lhs, s.op, rhs, self.table.slot(lhs, s.op, rhs)?);
                param.label = t.label.clone();
                param.start = t.start;
                param.user = true;
                self.add(param, fixed);
            }
        }
        Ok(())
    }

    /// Residual variances of observed variables (fixed at 0 for the only
    /// indicator of a factor) and latent (residual) variances (free, or 1
    /// under std.lv).
    fn add_default_variances(&mut self) -> Result<()> {
        let t = &self.table;
        let single_indicator: Vec<String> = t
            .observed
            .iter()
            .filter(|ov| {
                let loaded_by: Vec<&Parameter> = t
                    .params
                    .iter()
                    .filter(|p| p.op == Operator::MeasuredBy && &p.rhs == *ov)
                    .collect();
                loaded_by.len() == 1 && {
                    let f = &loaded_by[0].lhs;
                    t.params
                        .iter()
                        .filter(|p| p.op == Operator::MeasuredBy && &p.lhs == f)
                        .count()
                        == 1
                }
            })
            .cloned()
            .collect();
        let residual: Vec<String> = t
            .observed
            .iter()
            .filter(|v| !t.exogenous_observed.contains(v))
            .cloned()
            .collect();
        for ov in &residual {
            if self.table.find(ov, Operator::Covariance, ov).is_none() {
                let fixed = single_indicator.contains(ov).then_some(0.0);
                self.add_covariance(ov, ov, fixed)?;
            }
        }
        let std_lv = self.table.std_lv;
        for lv in self.table.latent.clone() {
            if self.table.find(&lv, Operator::Covariance, &lv).is_none() {
                self.add_covariance(&lv, &lv, std_lv.then_some(1.0))?;
            }
        }
        Ok(())
    }

    /// Free covariances among exogenous latent variables (not regressed,
    /// not indicators of a higher-order factor; `auto.cov.lv.x`) and among
    /// pure dependent variables (`auto.cov.y`).
    fn add_default_covariances(&mut self, roles: &Roles) -> Result<()> {
        let lv_x: Vec<&String> = roles
            .latent
            .iter()
            .filter(|l| !roles.dependents.contains(l) && !roles.lv_indicators.contains(l))
            .collect();
        let pure_y: Vec<&String> = roles
            .dependents
            .iter()
            .filter(|d| {
                // lavaan's ov.y leaves out indicators: `f =~ y3; y3 ~ x`
                // gets no f ~~ y3.
                !roles.predictors.contains(d)
                    && !roles.lv_indicators.contains(d)
                    && !roles.indicators.contains(d)
            })
            .collect();
        for set in [lv_x, pure_y] {
            for (a, v1) in set.iter().enumerate() {
                for v2 in &set[a + 1..] {
                    if self.table.find(v1, Operator::Covariance, v2).is_none() {
                        self.add_covariance(v1, v2, None)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// fixed.x: variances/covariances of exogenous covariates, fixed; their
    /// values are filled from the sample when fitting.
    fn add_fixed_x(&mut self) -> Result<()> {
        let exo = self.table.exogenous_observed.clone();
        for (a, x1) in exo.iter().enumerate() {
            for x2 in &exo[a..] {
                if self.table.find(x1, Operator::Covariance, x2).is_none() {
                    let slot = self.table.slot(x1, Operator::Covariance, x2)?;
                    let mut param = Parameter::new(x1, Operator::Covariance, x2, slot);
                    param.value = 0.0;
                    param.exo = true;
                    self.table.params.push(param);
                }
            }
        }
        Ok(())
    }

    /// lavaan's `meanstructure`: intercepts of the observed variables (free;
    /// fixed at the sample mean for fixed covariates, filled in when
    /// fitting), then latent means fixed at 0, each unless the user set it.
    fn add_default_intercepts(&mut self) -> Result<()> {
        let observed = self.table.observed.clone();
        for v in &observed {
            if self.table.find(v, Operator::Intercept, "").is_none() {
                let slot = self.table.slot(v, Operator::Intercept, "")?;
                let mut param = Parameter::new(v, Operator::Intercept, "", slot);
                if self.table.exogenous_observed.contains(v) {
                    param.value = 0.0;
                    param.exo = true;
                    self.table.params.push(param);
                } else {
                    self.add(param, None);
                }
            }
        }
        for lv in self.table.latent.clone() {
            if self.table.find(&lv, Operator::Intercept, "").is_none() {
                let slot = self.table.slot(&lv, Operator::Intercept, "")?;
                self.add(
                    Parameter::new(&lv, Operator::Intercept, "", slot),
                    Some(0.0),
                );
            }
        }
        Ok(())
    }

    /// A default (not user-written) `lhs ~~ rhs`, free or fixed.
    fn add_covariance(&mut self, lhs: &str, rhs: &str, fixed: Option<f64>) -> Result<()> {
        let slot = self.table.slot(lhs, Operator::Covariance, rhs)?;
        self.add(Parameter::new(lhs, Operator::Covariance, rhs, slot), fixed);
        Ok(())
    }

    /// Adds a row, fixed at `fixed` or free (a label shared with an earlier
    /// free row reuses its θ index).
    fn add(&mut self, mut p: Parameter, fixed: Option<f64>) {
        match fixed {
            Some(v) => p.value = v,
            None => {
                let t = &mut self.table;
                let k = match p.label.as_ref().and_then(|l| self.labels.get(l)) {
                    Some(&k) => k,
                    None => {
                        let k = t.n_free;
                        t.n_free += 1;
                        if let Some(l) = &p.label {
                            self.labels.insert(l.clone(), k);
                        }
                        k
                    }
                };
                p.free = Some(k);
            }
        }
        self.table.params.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cfa_defaults_match_lavaan() {
        let spec = ModelSpec::parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6").unwrap();
        let t =
            ParTable::build(&spec, &names(&["x1", "x2", "x3", "x4", "x5", "x6"]), false).unwrap();
        // 4 free loadings, 6 residual variances, 2 latent variances, 1 covariance.
        assert_eq!(t.n_free, 13);
        assert_eq!(t.find("f1", Operator::MeasuredBy, "x1").unwrap().free, None);
        assert!(t
            .find("f2", Operator::Covariance, "f1")
            .unwrap()
            .free
            .is_some());
        let t =
            ParTable::build(&spec, &names(&["x1", "x2", "x3", "x4", "x5", "x6"]), true).unwrap();
        assert_eq!(t.n_free, 13);
        assert_eq!(t.find("f1", Operator::Covariance, "f1").unwrap().value, 1.0);
    }

    #[test]
    fn fixed_x_and_cov_y_as_lavaan() {
        let spec = ModelSpec::parse("y1 ~ x; y2 ~ x; y3 ~ y1").unwrap();
        let t = ParTable::build(&spec, &names(&["x", "y1", "y2", "y3"]), false).unwrap();
        assert_eq!(t.exogenous_observed, vec!["x".to_string()]);
        assert_eq!(t.n_free, 7);
        assert!(t
            .find("y2", Operator::Covariance, "y3")
            .unwrap()
            .free
            .is_some());
        assert!(t.find("x", Operator::Covariance, "x").unwrap().exo);
        assert_eq!(t.n_moments(), 9);
    }

    #[test]
    fn labels_share_one_free_parameter() {
        let spec = ModelSpec::parse("f =~ x1 + a*x2 + a*x3").unwrap();
        let t = ParTable::build(&spec, &names(&["x1", "x2", "x3"]), false).unwrap();
        assert_eq!(
            t.find("f", Operator::MeasuredBy, "x2").unwrap().free,
            t.find("f", Operator::MeasuredBy, "x3").unwrap().free
        );
        assert_eq!(t.n_free, 5);
    }

    #[test]
    fn unknown_variable_and_unscaled_factor_are_errors() {
        let spec = ModelSpec::parse("f =~ x1 + x2 + x9").unwrap();
        let e = ParTable::build(&spec, &names(&["x1", "x2", "x3"]), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("model, line 1, column 16: found \"x9\""),
            "{e}"
        );
        let spec = ModelSpec::parse("f =~ NA*x1 + x2 + x3").unwrap();
        let e = ParTable::build(&spec, &names(&["x1", "x2", "x3"]), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"f\" is not identified"), "{e}");
    }

    #[test]
    fn an_unknown_name_is_an_error_naming_what_exists_not_variable_0() {
        let spec = ModelSpec::parse("f =~ x1 + x2 + x3").unwrap();
        let t = ParTable::build(&spec, &names(&["x1", "x2", "x3"]), false).unwrap();
        assert_eq!(t.variable("x1").unwrap(), 0);
        assert_eq!(t.variable("f").unwrap(), 3);
        let e = t.variable("x9").unwrap_err().to_string();
        assert!(
            e.contains("\"x9\" is not a variable of the model; its variables are x1, x2, x3, f"),
            "{e}"
        );
        let cov = nalgebra::DMatrix::identity(2, 2);
        let sample =
            crate::sem::SampleMoments::from_covariance("s.csv", cov, names(&["a", "b"]), 10)
                .unwrap();
        let e = sample
            .indices_of(&names(&["b", "c"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"c\"") && e.contains("(a, b)"), "{e}");
    }
}
