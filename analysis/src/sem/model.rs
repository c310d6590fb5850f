//! From parsed statements to a parameter table and RAM matrices.
//!
//! Parameterisation (RAM, McArdle & McDonald 1984): all observed and latent
//! variables in one vector `v = A v + u`, `Cov(u) = Φ`, so that
//! `Σ = F (I − A)⁻¹ Φ (I − A)⁻ᵀ Fᵀ` where `F` selects the observed
//! variables. Loadings (`f =~ x`: `A[x, f]`) and regressions (`y ~ x`:
//! `A[y, x]`) live in `A`; (residual) variances and covariances in `Φ`.
//! This is equivalent to lavaan's LISREL form with phantom latents but needs
//! none.
//!
//! Identification defaults follow lavaan's `cfa()` / `sem()`:
//! the first loading of each factor fixed to 1 (unless `std.lv`, where the
//! latent (residual) variances are fixed to 1 instead and all loadings are
//! free); residual variances of all observed and latent variables free;
//! covariances among exogenous latent variables free (`auto.cov.lv.x`);
//! covariances among pure dependent variables of regressions free
//! (`auto.cov.y`); variances and covariances of exogenous observed
//! covariates fixed at their sample values (`fixed.x`) unless the model
//! mentions them in a `~~` statement, which makes them random (free
//! variances, no automatic covariances: lavaan 0.6 does the same and warns);
//! the residual
//! variance of the only indicator of a factor fixed at 0 (`auto.fix.single`).

use super::syntax::{location, ModelSpec, Operator, Term};
use crate::error::{AnalysisError, Location, Result};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::HashMap;

/// Which RAM matrix a parameter lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    /// Directed effects (loadings, regressions): `A[to, from]`.
    A,
    /// Variances and covariances of the residuals (symmetric).
    Phi,
}

/// One row of the parameter table (lavaan's `parTable`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub lhs: String,
    pub op: Operator,
    pub rhs: String,
    pub label: Option<String>,
    /// Index into the free-parameter vector θ, or `None` when fixed.
    pub free: Option<usize>,
    /// Fixed value, or the starting value of a free parameter.
    pub value: f64,
    /// A user-supplied starting value (`start(v)*x`).
    pub start: Option<f64>,
    /// Written by the user (not added by an identification default).
    pub user: bool,
    /// A variance / covariance of exogenous observed covariates, fixed at
    /// its sample value (`fixed.x`).
    pub exo: bool,
    #[serde(skip)]
    pub matrix: Matrix,
    /// Row and column in the matrix (`A[row, col]`; `Φ[row, col]`, row ≥ col
    /// is not required).
    #[serde(skip)]
    pub row: usize,
    #[serde(skip)]
    pub col: usize,
}

/// A model ready to be fitted: the parameter table and the variables.
#[derive(Debug, Clone, PartialEq)]
pub struct ParTable {
    /// Observed variables, in lavaan's order (indicators first).
    pub observed: Vec<String>,
    /// Latent variables, in order of definition.
    pub latent: Vec<String>,
    pub params: Vec<Parameter>,
    /// Number of free parameters (length of θ; shared labels count once).
    pub n_free: usize,
    /// Observed variables treated as fixed exogenous covariates.
    pub exogenous_observed: Vec<String>,
    /// Predictor-only observed variables that a `~~` statement mentions:
    /// random, not fixed covariates (reported as a warning).
    pub random_exogenous: Vec<String>,
    pub std_lv: bool,
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
            std::iter::once((&s.lhs, s.lhs_position))
                .chain(s.rhs.iter().map(|t| (&t.name, t.position)))
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
    pub fn p(&self) -> usize {
        self.observed.len()
    }
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
    pub fn is_latent(&self, name: &str) -> bool {
        self.latent.iter().any(|v| v == name)
    }
    /// Number of sample moments that the model has to reproduce: the
    /// variances and covariances of the observed variables, minus those of
    /// the fixed exogenous covariates (as lavaan counts them).
    pub fn n_moments(&self) -> usize {
        let p = self.p();
        let nx = self.exogenous_observed.len();
        p * (p + 1) / 2 - nx * (nx + 1) / 2
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
    /// RAM matrices `A` and `Φ` at θ.
    pub fn matrices(&self, theta: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let m = self.m();
        let mut a = DMatrix::zeros(m, m);
        let mut phi = DMatrix::zeros(m, m);
        for p in &self.params {
            let v = p.free.map_or(p.value, |k| theta[k]);
            match p.matrix {
                Matrix::A => a[(p.row, p.col)] = v,
                Matrix::Phi => {
                    phi[(p.row, p.col)] = v;
                    phi[(p.col, p.row)] = v;
                }
            }
        }
        (a, phi)
    }
    /// Finds a parameter by (lhs, op, rhs); `~~` is symmetric.
    pub fn find(&self, lhs: &str, op: Operator, rhs: &str) -> Option<&Parameter> {
        self.params.iter().find(|p| {
            p.op == op
                && ((p.lhs == lhs && p.rhs == rhs)
                    || (op == Operator::Covariance && p.lhs == rhs && p.rhs == lhs))
        })
    }

    /// Builds the table from statements. `available` are the observed
    /// variables in the data; every non-latent name must be one of them.
    pub fn build(spec: &ModelSpec, available: &[String], std_lv: bool) -> Result<ParTable> {
        let src = spec.source.as_str();
        let stmts = &spec.statements;
        // Latent variables: left of =~, in order of definition.
        let mut latent: Vec<String> = Vec::new();
        for s in stmts {
            if s.op == Operator::MeasuredBy && !latent.contains(&s.lhs) {
                if available.contains(&s.lhs) {
                    return Err(AnalysisError::input(
                        location(src, s.lhs_position),
                        Some(&s.lhs),
                        "a latent variable name that is not also a column of the data",
                    ));
                }
                latent.push(s.lhs.clone());
            }
        }
        let is_latent = |n: &str| latent.iter().any(|l| l == n);
        spec.check_observed(available)?;
        for s in stmts {
            for t in &s.rhs {
                if s.op == Operator::MeasuredBy && t.name == s.lhs {
                    return Err(AnalysisError::input(
                        location(src, t.position),
                        Some(&t.name),
                        "an indicator other than the factor itself",
                    ));
                }
            }
        }
        // Roles.
        let mut indicators: Vec<String> = Vec::new(); // observed indicators
        let mut lv_indicators: Vec<String> = Vec::new(); // latents measured by latents
        let mut dependents: Vec<String> = Vec::new(); // lhs of ~
        let mut predictors: Vec<String> = Vec::new(); // rhs of ~
        let mut observed: Vec<String> = Vec::new();
        let push = |v: &mut Vec<String>, n: &str| {
            if !v.iter().any(|x| x == n) {
                v.push(n.to_owned())
            }
        };
        for s in stmts {
            for t in &s.rhs {
                match s.op {
                    Operator::MeasuredBy => {
                        if is_latent(&t.name) {
                            push(&mut lv_indicators, &t.name)
                        } else {
                            push(&mut indicators, &t.name)
                        }
                    }
                    Operator::RegressedOn => {
                        push(&mut dependents, &s.lhs);
                        push(&mut predictors, &t.name);
                    }
                    Operator::Covariance => {}
                }
            }
        }
        for n in &indicators {
            push(&mut observed, n);
        }
        let mut others = Vec::new();
        for s in stmts {
            for n in std::iter::once(&s.lhs).chain(s.rhs.iter().map(|t| &t.name)) {
                if !is_latent(n) && !observed.contains(n) {
                    push(&mut others, n);
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
            .filter(|n| predictors.contains(n) && !dependents.contains(n))
            .cloned()
            .partition(in_covariance);
        for n in others.iter().filter(|n| !exogenous_observed.contains(n)) {
            push(&mut observed, n);
        }
        for n in &exogenous_observed {
            push(&mut observed, n);
        }
        // Factors measured only by each other (`f =~ g`, `g =~ f`) leave no
        // observed variable: there is no covariance matrix to fit.
        if observed.is_empty() {
            let first = stmts.first().map(|s| (s.lhs.as_str(), s.lhs_position));
            return Err(AnalysisError::input(
                first.map_or_else(|| Location::source(src), |(_, pos)| location(src, pos)),
                first.map(|(lhs, _)| lhs),
                "a model with at least one observed variable (a column of the data): every variable of this model is latent (left of =~)",
            ));
        }

        let mut table = ParTable {
            observed,
            latent: latent.clone(),
            params: Vec::new(),
            n_free: 0,
            exogenous_observed: exogenous_observed.clone(),
            random_exogenous,
            std_lv,
        };
        let mut labels: HashMap<String, usize> = HashMap::new();
        // Which latents have their first loading to scale them.
        let mut first_loading_seen: Vec<String> = Vec::new();

        // User statements.
        for s in stmts {
            for t in &s.rhs {
                let (lhs, rhs) = (s.lhs.clone(), t.name.clone());
                if table.find(&lhs, s.op, &rhs).is_some() {
                    return Err(AnalysisError::input(
                        location(src, t.position),
                        Some(&format!("{} {} {}", lhs, s.op.symbol(), rhs)),
                        "each parameter specified once",
                    ));
                }
                if s.op == Operator::RegressedOn && lhs == rhs {
                    return Err(AnalysisError::input(
                        location(src, t.position),
                        Some(&rhs),
                        "a predictor other than the outcome itself",
                    ));
                }
                let i = table.index(&lhs).unwrap_or(0);
                let j = table.index(&rhs).unwrap_or(0);
                let (matrix, row, col) = match s.op {
                    Operator::MeasuredBy => (Matrix::A, j, i),
                    Operator::RegressedOn => (Matrix::A, i, j),
                    Operator::Covariance => (Matrix::Phi, i, j),
                };
                let first = s.op == Operator::MeasuredBy && !first_loading_seen.contains(&lhs);
                if first {
                    first_loading_seen.push(lhs.clone());
                }
                // Default for an unmodified first loading: fixed at 1
                // (marker) unless std.lv.
                let fixed = match (t.fixed, t.free) {
                    (Some(v), _) => Some(v),
                    (None, true) => None,
                    (None, false) if first && !std_lv => Some(1.0),
                    _ => None,
                };
                // std.lv with a user variance statement without modifier on
                // a latent keeps it free, as lavaan does.
                let param = Parameter {
                    lhs,
                    op: s.op,
                    rhs,
                    label: t.label.clone(),
                    free: None,
                    value: fixed.unwrap_or(f64::NAN),
                    start: t.start,
                    user: true,
                    exo: false,
                    matrix,
                    row,
                    col,
                };
                table.add(param, fixed.is_none(), &mut labels);
            }
        }

        // Identification defaults.
        let m_obs = table.observed.clone();
        let single_indicator: Vec<String> = table
            .observed
            .iter()
            .filter(|ov| {
                let loaded_by: Vec<&Parameter> = table
                    .params
                    .iter()
                    .filter(|p| p.op == Operator::MeasuredBy && &p.rhs == *ov)
                    .collect();
                loaded_by.len() == 1 && {
                    let f = &loaded_by[0].lhs;
                    table
                        .params
                        .iter()
                        .filter(|p| p.op == Operator::MeasuredBy && &p.lhs == f)
                        .count()
                        == 1
                }
            })
            .cloned()
            .collect();
        // Residual variances of observed variables.
        for ov in m_obs.iter().filter(|v| !exogenous_observed.contains(v)) {
            if table.find(ov, Operator::Covariance, ov).is_none() {
                let fixed = single_indicator.contains(ov).then_some(0.0);
                table.add_default(ov, ov, fixed, &mut labels);
            }
        }
        // Latent (residual) variances: free, or 1 under std.lv.
        for lv in &latent {
            if table.find(lv, Operator::Covariance, lv).is_none() {
                let fixed = std_lv.then_some(1.0);
                table.add_default(lv, lv, fixed, &mut labels);
            }
        }
        // Covariances among exogenous latents (not regressed, not indicators
        // of a higher-order factor).
        let lv_x: Vec<&String> = latent
            .iter()
            .filter(|l| !dependents.contains(l) && !lv_indicators.contains(l))
            .collect();
        for (a, l1) in lv_x.iter().enumerate() {
            for l2 in &lv_x[a + 1..] {
                if table.find(l1, Operator::Covariance, l2).is_none() {
                    table.add_default(l1, l2, None, &mut labels);
                }
            }
        }
        // Covariances among pure dependent variables (auto.cov.y).
        let pure_y: Vec<&String> = dependents
            .iter()
            .filter(|d| !predictors.contains(d) && !lv_indicators.contains(d))
            .collect();
        for (a, y1) in pure_y.iter().enumerate() {
            for y2 in &pure_y[a + 1..] {
                if table.find(y1, Operator::Covariance, y2).is_none() {
                    table.add_default(y1, y2, None, &mut labels);
                }
            }
        }
        // fixed.x: variances/covariances of exogenous covariates, values
        // filled from the sample when fitting.
        for (a, x1) in exogenous_observed.iter().enumerate() {
            for x2 in &exogenous_observed[a..] {
                if table.find(x1, Operator::Covariance, x2).is_none() {
                    let i = table.index(x1).unwrap_or(0);
                    let j = table.index(x2).unwrap_or(0);
                    table.params.push(Parameter {
                        lhs: x1.clone(),
                        op: Operator::Covariance,
                        rhs: x2.clone(),
                        label: None,
                        free: None,
                        value: 0.0,
                        start: None,
                        user: false,
                        exo: true,
                        matrix: Matrix::Phi,
                        row: i,
                        col: j,
                    });
                }
            }
        }
        table.check_scales(spec)?;
        Ok(table)
    }

    fn add_default(
        &mut self,
        lhs: &str,
        rhs: &str,
        fixed: Option<f64>,
        labels: &mut HashMap<String, usize>,
    ) {
        let i = self.index(lhs).unwrap_or(0);
        let j = self.index(rhs).unwrap_or(0);
        self.add(
            Parameter {
                lhs: lhs.to_owned(),
                op: Operator::Covariance,
                rhs: rhs.to_owned(),
                label: None,
                free: None,
                value: fixed.unwrap_or(f64::NAN),
                start: None,
                user: false,
                exo: false,
                matrix: Matrix::Phi,
                row: i,
                col: j,
            },
            fixed.is_none(),
            labels,
        );
    }

    fn add(&mut self, mut p: Parameter, free: bool, labels: &mut HashMap<String, usize>) {
        if free {
            let k = match p.label.as_ref().and_then(|l| labels.get(l)) {
                Some(&k) => k,
                None => {
                    let k = self.n_free;
                    self.n_free += 1;
                    if let Some(l) = &p.label {
                        labels.insert(l.clone(), k);
                    }
                    k
                }
            };
            p.free = Some(k);
        }
        self.params.push(p);
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

/// Sample covariances of observed variables (divisor N, as lavaan's
/// normal likelihood), with the number of observations and, for raw data,
/// the complete rows (for the bootstrap).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleMoments {
    pub names: Vec<String>,
    /// Covariance matrix with divisor N.
    pub cov: DMatrix<f64>,
    pub nobs: usize,
    /// Where the moments came from (for error messages).
    pub source: String,
    /// Listwise-complete raw data (rows × names), when known.
    pub data: Option<DMatrix<f64>>,
    /// Records dropped by listwise deletion.
    pub dropped: usize,
}

impl SampleMoments {
    /// Moments of the given columns with listwise deletion of incomplete
    /// records (lavaan's `missing = "listwise"` default).
    pub fn from_dataset(data: &crate::Dataset, columns: &[String]) -> Result<SampleMoments> {
        let (rows, dropped) = data.complete_rows(columns)?;
        let n = rows.len();
        let p = columns.len();
        let matrix = DMatrix::from_fn(n, p, |r, c| rows[r][c]);
        let mut s = SampleMoments::from_rows(&data.source, columns.to_vec(), matrix)?;
        s.dropped = dropped;
        Ok(s)
    }

    /// Moments of a data matrix (rows are observations).
    pub fn from_rows(
        source: &str,
        names: Vec<String>,
        data: DMatrix<f64>,
    ) -> Result<SampleMoments> {
        let n = data.nrows();
        if n < 2 {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!("{n} complete observation(s): at least 2 are needed"),
            ));
        }
        let cov = covariance_of(&data);
        for (j, name) in names.iter().enumerate() {
            if cov[(j, j)] <= 0.0 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the column is constant: it has no variance to model",
                ));
            }
        }
        Ok(SampleMoments {
            names,
            cov,
            nobs: n,
            source: source.to_owned(),
            data: Some(data),
            dropped: 0,
        })
    }

    /// Reads a covariance matrix (divisor N − 1) from CSV text: a header of
    /// names, optionally a first column of row names (as R's
    /// `write.csv(cov(x))`); `source` names it in messages.
    pub fn from_covariance_csv(source: &str, text: &str, nobs: usize) -> Result<SampleMoments> {
        // R's write.csv leaves the header cell above the row names empty.
        let text = if let Some(rest) = text.strip_prefix("\"\",") {
            format!("row,{rest}")
        } else if text.starts_with(',') {
            format!("row{text}")
        } else {
            text.to_owned()
        };
        let data = crate::Dataset::from_csv_str(source, &text)?;
        let mut names: Vec<String> = data.names().to_vec();
        let first = names[0].clone();
        let first_is_label = data
            .text_column(&first)?
            .iter()
            // A missing value is a wrong cell of a matrix, not a row name.
            .any(|c| !crate::data::is_missing(c) && c.trim().parse::<f64>().is_err());
        if first_is_label {
            let labels = data.text_column(&first)?.to_vec();
            names.remove(0);
            if labels.len() != names.len() || labels.iter().zip(&names).any(|(a, b)| a.trim() != b)
            {
                return Err(AnalysisError::input(
                    Location::source(source).with_column(&first),
                    Some(&labels.join(",")),
                    format!("row names equal to the column names {}", names.join(",")),
                ));
            }
        }
        if names.is_empty() {
            return Err(AnalysisError::input(
                Location::source(source).with_line(1),
                None,
                "a header naming at least one variable besides the row names",
            ));
        }
        if data.n_rows() != names.len() {
            return Err(AnalysisError::input(
                Location::source(source),
                Some(&format!("{} rows", data.n_rows())),
                format!("{} rows, one per variable of the header", names.len()),
            ));
        }
        let p = names.len();
        let mut m = DMatrix::zeros(p, p);
        for (j, name) in names.iter().enumerate() {
            let col = data.numeric_column(name)?;
            for (i, v) in col.iter().enumerate() {
                m[(i, j)] = v.ok_or_else(|| {
                    AnalysisError::input(
                        Location::source(source)
                            .with_line(data.line_of(i))
                            .with_column(name),
                        Some(""),
                        "a number (a covariance matrix has no missing values)",
                    )
                })?;
            }
        }
        SampleMoments::from_covariance(source, m, names, nobs)
    }

    /// Moments from a covariance matrix computed with divisor N − 1 (as R's
    /// `cov()`, SPSS or AMOS input); like lavaan's `sample.cov.rescale`, it
    /// is rescaled by (N − 1)/N to the maximum-likelihood divisor N.
    /// `source` names the matrix in error messages (e.g. its file).
    pub fn from_covariance(
        source: &str,
        cov: DMatrix<f64>,
        names: Vec<String>,
        nobs: usize,
    ) -> Result<SampleMoments> {
        if cov.nrows() != cov.ncols() || cov.nrows() != names.len() {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!(
                    "a {}×{} matrix for {} names: expected a square matrix with one row per name",
                    cov.nrows(),
                    cov.ncols(),
                    names.len()
                ),
            ));
        }
        if nobs < 2 {
            return Err(AnalysisError::invalid_argument("nobs", nobs, "at least 2"));
        }
        for i in 0..cov.nrows() {
            for j in 0..i {
                let (a, b) = (cov[(i, j)], cov[(j, i)]);
                if (a - b).abs() > 1e-8 * (1.0 + a.abs().max(b.abs())) {
                    return Err(AnalysisError::unsuitable(
                        Location::source(source).with_column(&names[j]),
                        format!(
                            "the matrix is not symmetric: [{}, {}] = {a} but [{}, {}] = {b}",
                            names[i], names[j], names[j], names[i]
                        ),
                    ));
                }
            }
            if cov[(i, i)].is_nan() || cov[(i, i)] <= 0.0 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(&names[i]),
                    format!("variance {} is not positive", cov[(i, i)]),
                ));
            }
        }
        let scale = (nobs as f64 - 1.0) / nobs as f64;
        Ok(SampleMoments {
            names,
            cov: cov.map(|v| v * scale),
            nobs,
            source: source.to_owned(),
            data: None,
            dropped: 0,
        })
    }

    /// The covariance submatrix of `names` (in that order).
    pub fn select(&self, names: &[String]) -> Result<DMatrix<f64>> {
        let idx: Vec<usize> = names
            .iter()
            .map(|n| {
                self.names.iter().position(|m| m == n).ok_or_else(|| {
                    AnalysisError::input(
                        Location::source(&self.source),
                        Some(n),
                        "a variable of the data",
                    )
                })
            })
            .collect::<Result<_>>()?;
        Ok(DMatrix::from_fn(idx.len(), idx.len(), |i, j| {
            self.cov[(idx[i], idx[j])]
        }))
    }
}

/// Covariance matrix with divisor N of the columns of `data`.
pub fn covariance_of(data: &DMatrix<f64>) -> DMatrix<f64> {
    let n = data.nrows() as f64;
    let means = data.row_mean();
    let mut centered = data.clone();
    for mut row in centered.row_iter_mut() {
        row -= &means;
    }
    (centered.transpose() * &centered) / n
}

/// Terms that must be unique as (lhs, op, rhs) — used by tests.
#[allow(dead_code)]
pub(crate) fn term_names(t: &[Term]) -> Vec<&str> {
    t.iter().map(|t| t.name.as_str()).collect()
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
}
