//! Full-information ML with missing data in several groups (lavaan's
//! `group = …, missing = "ml"`): the multi-group model of [`super::groups`]
//! (its tables and θ numbering, `--group-equal` as there) with each group's
//! casewise likelihood, its own EM unrestricted model and its own
//! independence baseline, as lavaan 0.6.14:
//!
//! - F(θ) = Σ_g (−2 logl_g(θ) + 2 logl_h1,g) / N, χ² = N·F, the baseline χ²
//!   and the log-likelihoods summed over the groups;
//! - SRMR and GFI per group (from the group's EM moments, as a single
//!   FIML fit) weighted by n_g/N, RMSEA × √G, as lavaan's multi-group
//!   measures;
//! - SEs from the observed information (ML) or Huber–White (MLR), the
//!   Yuan–Bentler test and the FIML-corrected robust indices over the
//!   groups ([`super::missing_robust`]).
//!
//! Errors name the group: a variable missing for every case of a group, a
//! group whose cases are all empty on the model's variables, a group with
//! fewer than two cases.

use super::groups::{combine_measures, group_tables, GroupEqual, MultiGroupFit};
use super::information::{free_parameter_name, vcov_or_unidentified, Elements};
use super::missing::{check_options, gfi_missing, optimise, Fiml, IncompleteData, Problem};
use super::missing_robust::{self, FimlGroup};
use super::model::Implied;
use super::samplestats::{MomentsInUse, SampleMoments};
use super::{estimate, fit as fit_stage, standardized, warnings, ModelSpec, Optimizer, Options};
use crate::error::{AnalysisError, Location, Result};
use crate::mvnorm_missing::{MissingPatterns, Unrestricted};
use crate::Dataset;

/// Incomplete raw data split by a group column.
#[derive(Debug, Clone, PartialEq)]
pub struct IncompleteGroups {
    /// The group column.
    pub column: String,
    /// The groups' values in order of first appearance (group 1, 2, …).
    pub labels: Vec<String>,
    /// Each group's columns, missing values kept; `source` names the group.
    pub groups: Vec<IncompleteData>,
    /// Where the data came from.
    pub source: String,
}

impl IncompleteGroups {
    /// Splits the columns `columns` of `data` by the values of `group`.
    /// Errors: an unknown column, a record without a group value (naming
    /// its line), a group column with one value.
    pub fn from_dataset(
        data: &Dataset,
        group: &str,
        columns: &[String],
    ) -> Result<IncompleteGroups> {
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
                    "the group column has {} value(s): a multi-group model needs at least two groups",
                    labels.len()
                ),
            ));
        }
        let values: Vec<Vec<Option<f64>>> = columns
            .iter()
            .map(|c| data.numeric_column(c))
            .collect::<Result<_>>()?;
        let groups = labels
            .iter()
            .zip(&members)
            .map(|(label, rows)| IncompleteData {
                source: format!(
                    "{} (group {group} = {})",
                    data.source,
                    crate::error::shorten(label)
                ),
                names: columns.to_vec(),
                columns: values
                    .iter()
                    .map(|col| rows.iter().map(|&r| col[r]).collect())
                    .collect(),
            })
            .collect();
        Ok(IncompleteGroups {
            column: group.to_owned(),
            labels,
            groups,
            source: data.source.clone(),
        })
    }
}

/// The group's model variables grouped by missingness pattern (errors
/// name the group through its source).
fn patterns_of(data: &IncompleteData, observed: &[String]) -> Result<MissingPatterns> {
    let columns: Vec<Vec<Option<f64>>> = observed
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
    MissingPatterns::from_columns(&data.source, observed, &columns)
}

/// Fits a multi-group model by full-information ML (see the module
/// documentation); `options.meanstructure` is implied.
pub fn fit(
    spec: &ModelSpec,
    data: &IncompleteGroups,
    equal: &GroupEqual,
    options: &Options,
) -> Result<MultiGroupFit> {
    let names = &data.groups[0].names;
    let ngroups = data.groups.len();
    let mut tables = group_tables(spec, names, options.std_lv, ngroups, equal)?;
    check_options(options, &tables[0], &data.source)?;
    let patterns: Vec<MissingPatterns> = tables
        .iter()
        .zip(&data.groups)
        .map(|(t, d)| patterns_of(d, &t.observed))
        .collect::<Result<_>>()?;
    let npar = tables[0].n_free;
    let n_moments: usize = tables.iter().map(|t| t.n_moments()).sum();
    if npar > n_moments {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!(
                "the model has {npar} free parameters but the groups have only {n_moments} sample moments (means, variances and covariances): it is not identified"
            ),
        ));
    }
    let h1: Vec<Unrestricted> = patterns
        .iter()
        .map(MissingPatterns::em)
        .collect::<Result<_>>()?;
    let nobs: Vec<usize> = patterns.iter().map(|p| p.nobs).collect();
    let ntotal: usize = nobs.iter().sum();
    let nf = ntotal as f64;
    // Start values: each group's own from its EM moments, the first
    // group's for shared parameters.
    let mut start = vec![0.0; npar];
    let mut assigned = vec![false; npar];
    for (t, h) in tables.iter().zip(&h1) {
        let own = estimate::starting_values(t, &h.cov, Some(&h.mean));
        for p in &t.params {
            if let Some(k) = p.free {
                if !assigned[k] {
                    start[k] = own[k];
                    assigned[k] = true;
                }
            }
        }
    }
    let problem = Fiml {
        groups: tables
            .iter()
            .zip(&patterns)
            .zip(&h1)
            .map(|((t, p), h)| Problem {
                table: t,
                elements: Elements::free_of(t),
                patterns: p,
                h1_minus_two_logl: -2.0 * h.logl,
                n: nf,
            })
            .collect(),
    };
    let opt = optimise(&problem, start)?;
    let not_converged = super::SemWarning::NotConverged {
        lbfgs_iterations: opt.lbfgs_iterations,
        scoring_iterations: opt.newton_iterations,
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
        .zip(&data.labels)
        .map(|(t, label)| {
            Implied::at(t, &opt.theta).ok_or_else(|| {
                fail(format!(
                    "the implied covariance matrix of group \"{label}\" at the estimates is not positive definite"
                ))
            })
        })
        .collect::<Result<_>>()?;
    // Each group's share of F, for its own χ².
    let f_groups: Vec<f64> = problem
        .groups
        .iter()
        .map(|g| g.value(&opt.theta).unwrap_or(f64::NAN))
        .collect();
    let hessian = problem
        .hessian(&opt.theta)
        .ok_or_else(|| fail("the Hessian at the estimates cannot be computed".into()))?;
    drop(problem);
    let information = hessian * 0.5;
    let ml_vcov = vcov_or_unidentified(
        &information,
        nf,
        opt.converged,
        &not_converged,
        "observed information",
        &spec.source,
        |k| {
            tables.iter().enumerate().find_map(|(g, t)| {
                free_parameter_name(t, k).map(|name| format!("{name} (group {})", g + 1))
            })
        },
    )?;
    let mut per_group = Vec::with_capacity(ngroups);
    let mut group_warnings = Vec::new();
    for (g, t) in tables.iter_mut().enumerate() {
        t.set_theta(&opt.theta);
        standardized::fill(t, &implied[g].c);
        let ng = nobs[g] as f64;
        // The group's own measures from its EM moments (df and npar mean
        // nothing alone: θ is shared), then its FIML χ² and likelihoods.
        let em = MomentsInUse {
            s: h1[g].cov.clone(),
            n_mult: ng,
            mean: Some(h1[g].mean.clone()),
        };
        let f_own = f_groups[g] * nf / ng;
        let mut alone = t.clone();
        alone.n_free = 0;
        let mut m = fit_stage::measures(&alone, &em, &implied[g], f_own, nobs[g]);
        m.chisq = (ng * f_own).max(0.0);
        m.logl = h1[g].logl - 0.5 * ng * f_own;
        m.unrestricted_logl = h1[g].logl;
        m.baseline_chisq = 2.0 * (h1[g].logl - patterns[g].independence_loglik());
        m.gfi = gfi_missing(&patterns[g], &implied[g]);
        per_group.push(m);
        let em_sample = SampleMoments {
            names: t.observed.clone(),
            cov: h1[g].cov.clone(),
            nobs: nobs[g],
            source: data.groups[g].source.clone(),
            data: None,
            dropped: 0,
            means: Some(h1[g].mean.iter().copied().collect()),
        };
        let label = &data.labels[g];
        for w in warnings::of_fit(t, &implied[g], &em_sample) {
            group_warnings.push(format!("group {} ({label}): {w}", g + 1));
        }
        if !h1[g].converged {
            group_warnings.push(format!(
                "group {} ({label}): {}",
                g + 1,
                super::SemWarning::EmNotConverged {
                    iterations: h1[g].iterations
                }
            ));
        }
        if !patterns[g].empty_cases.is_empty() {
            group_warnings.push(format!(
                "group {} ({label}): {}",
                g + 1,
                super::SemWarning::EmptyCases {
                    dropped: patterns[g].empty_cases.len(),
                    nobs: nobs[g],
                }
            ));
        }
    }
    if !opt.converged {
        group_warnings.insert(0, not_converged.to_string());
    }
    let weights: Vec<f64> = nobs.iter().map(|&n| n as f64 / nf).collect();
    let mut fit = combine_measures(&per_group, &tables, &weights, npar, opt.f, ntotal);
    fit.bic2 = Some(fit_stage::bic(fit.logl, npar as f64, (nf + 2.0) / 24.0));
    let fiml_groups: Vec<FimlGroup> = tables
        .iter()
        .zip(&implied)
        .zip(&patterns)
        .zip(&h1)
        .map(|(((table, imp), patterns), h1)| FimlGroup {
            table,
            imp,
            patterns,
            h1,
        })
        .collect();
    let robust = missing_robust::inference(options.estimator, &fiml_groups, &information, &fit)?;
    fit.robust = robust.robust;
    if let Some(moments) = robust.skipped_moments {
        group_warnings.push(super::SemWarning::RobustIndicesSkipped { moments }.to_string());
    }
    let more = super::fit_more::of(&fit, ngroups);
    fit.fiml = Some(missing_robust::FimlMeasures {
        more: Some(more),
        ..robust.measures
    });
    let vcov = robust.vcov.unwrap_or(ml_vcov);
    for t in tables.iter_mut() {
        for p in t.params.iter_mut() {
            p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
        }
    }
    let chisq_group: Vec<f64> = per_group.iter().map(|m| m.chisq).collect();
    let chisq_scaled_group = fit
        .robust
        .as_ref()
        .and_then(|r| r.chisq_scaling_factor)
        .map(|c| chisq_group.iter().map(|x| x / c).collect());
    Ok(MultiGroupFit {
        test_pieces: None,
        converged: opt.converged,
        group: data.column.clone(),
        group_labels: data.labels.clone(),
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
            method: "full-information ML per group: EM for each group's unrestricted model; L-BFGS (argmin, More-Thuente) + Newton with the numerical Hessian".into(),
            lbfgs_iterations: opt.lbfgs_iterations,
            scoring_iterations: opt.newton_iterations,
            max_abs_gradient: opt.max_gradient,
        },
        vcov,
    })
}
