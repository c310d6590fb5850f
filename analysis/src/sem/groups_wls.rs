//! Multi-group least squares — WLSMV, DWLS and ULS with ordered indicators
//! (all or some of them; the rest continuous), and WLSMV, DWLS, ULS and GLS
//! with continuous ones — over groups, as lavaan 0.6.14 fits them
//! (`group =`, `ordered =`, delta parameterization; numerical references
//! `tests/reference/sem_groups_ordinal.R`, `tests/reference/sem_groups_ls.R`
//! and `tests/reference/sem_groups_mixed.R`).
//!
//! Some items ordered: each group's statistics and Γ are one group's mixed
//! ones ([`super::wls_mixed`]); a continuous item keeps its intercept and
//! residual variance, its scale factor is 1 (it has none), and its rows of
//! s are minus its mean in its threshold slot and its variance.
//!
//! Continuous items: each group's statistics are its means and vech S
//! (divisor n_g − 1) with its own weight ([`super::wls`]'s
//! `continuous_statistics`), the baseline frees each group's means and
//! variances, and WLSMV's robust CFI/TLI/RMSEA are lavaan's from the
//! scaled-and-shifted statistics (`continuous_robust`). Everything below
//! about thresholds and scale factors is about ordered items.
//!
//! Each group has its own thresholds, polychoric correlations, Γ (NACOV)
//! and weight matrix W_g ([`super::wls`]), and one θ is shared by the
//! groups' tables as in [`super::groups`]. With
//! `F_g = (s_g − σ_g)ᵀ W_g (s_g − σ_g)` the estimates minimise the test
//! statistic `χ² = Σ_g (n_g − 1) F_g` (lavaan's least-squares count, each
//! term its `chisq_group`; weighting the groups by n_g/N instead moves
//! shared estimates by up to 5e-4 relative from lavaan's), and
//! `fmin = χ²/2N`.
//!
//! lavaan's multi-group defaults for ordered data under the delta
//! parameterization (checked by fitting in R, lavaan 0.6.14):
//! - in every group the latent responses have intercepts fixed at 0 and,
//!   in group 1, scale factors (`x ~*~ x`) fixed at 1 and latent means 0;
//! - when the thresholds are equal (`group.equal` has `thresholds`, or
//!   `intercepts`, which lavaan takes to include the thresholds for ordered
//!   indicators), the scale factors and the latent means are free from
//!   group 2 on (the means fixed at 0 again when `means` are equal too),
//!   and the intercepts of continuous items among ordered ones are equal
//!   (lavaan does so for `thresholds` alone too);
//! - equal loadings alone change nothing else (scale factors stay 1, means
//!   0); `residuals` change nothing (a residual variance is not a parameter
//!   in the delta parameterization: `1/Δ² − (explained variance)`).
//!
//! With scale factors Δ the model's statistics are, for threshold k of
//! item i, `Δ_i (τ_ik − μ_i)` (μ = Λα the latent responses' means), and for
//! a pair, `Δ_i Δ_j Σ_ij`; the latent response's implied variance is
//! `1/Δ_i²`, which std.all uses.
//!
//! Inference, with Δ_g = ∂σ_g/∂θᵀ, f_g = n_g/N and
//! `E = Σ_g f_g Δ_gᵀ W_g Δ_g`: DWLS and ULS `vcov = E⁻¹/(N − G)` (lavaan's
//! Σ_g (n_g − 1), N − 1 for one group; RMSEA counts the same), WLSMV the
//! sandwich `E⁻¹ (Σ_g f_g Δ_gᵀW_gΓ_gW_gΔ_g) E⁻¹ / (N − G)` and the
//! scaled-and-shifted test on `U = 𝒲 − 𝒲Δ E⁻¹ Δᵀ𝒲` over all groups
//! (𝒲 = blockdiag(f_g W_g), Γ = blockdiag(Γ_g / f_g)), which with the
//! groups' influence matrices is an N × N computation (see [`super::wls`]).
//! The robust CFI, TLI and RMSEA are lavaan's catML ones over groups (see
//! `CatMl`), absent (as lavaan's NA) once the groups share thresholds.
//!
//! What lavaan's difference test of two such models (`satorra.2000`,
//! [`super::compare`]) needs is kept per group in
//! [`MultiGroupFit::test_pieces`] ([`TestPieces`], as for one group).
//!
//! ```
//! use analysis::sem::groups::{self, GroupEqual, GroupedSample};
//! use analysis::sem::{Estimator, ModelSpec, Options};
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/groups2_ordinal.csv");
//! let data = Dataset::from_path(path)?;
//! let items: Vec<String> = (1..=8).map(|i| format!("o{i}")).collect();
//! let sample = GroupedSample::from_dataset(&data, "grp", &items)?;
//! let spec = ModelSpec::parse("f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8")?;
//! let equal: GroupEqual = "thresholds,loadings".parse()?;
//! let options = Options { estimator: Estimator::WLSMV, ordered: items, ..Options::default() };
//! let fit = groups::fit(&spec, &sample, &equal, &options)?;
//! // lavaan 0.6.14: χ² = 115.786 on 62 df (tests/fixtures/sem_groups_ordinal).
//! assert_eq!(fit.fit.df, 62.0);
//! assert!((fit.fit.chisq / 115.785712812016 - 1.0).abs() < 1e-6);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::estimate::{self, Limits};
use super::fit::{cfi, chisq_sf, nfi, rmsea, rmsea_ci, rmsea_pvalue, tli, FitMeasures};
use super::groups::{Constraint, GroupEqual, GroupedSample, MultiGroupFit};
use super::information::{free_parameter_name, vcov_or_unidentified, Elements};
use super::model::Implied;
use super::partable::{Matrix, ParTable};
use super::robust::{moments_jacobian, vech_pairs, Estimator};
use super::samplestats::SampleMoments;
use super::syntax::{ModelSpec, Operator};
use super::wls::{self, GroupTestPieces, Statistics, TestPieces, Weight};
use super::wls_mixed;
use super::{standardized, warnings, Likelihood, Optimizer, Options};
use crate::error::{AnalysisError, Location, Result};
use crate::polychoric::OrderedData;
use nalgebra::{DMatrix, DVector};
use std::collections::HashMap;

/// One group's data and statistics.
struct Group {
    table: ParTable,
    st: Statistics,
    nobs: usize,
}

/// The ordered data of a group (its complete cases).
fn ordered_data(sample: &SampleMoments, table: &ParTable) -> Result<OrderedData> {
    let data = sample.data.as_ref().ok_or_else(|| {
        AnalysisError::unsuitable(
            Location::source(&sample.source),
            "ordered indicators need raw data (thresholds and polychoric correlations come from the answers)",
        )
    })?;
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
    OrderedData::from_columns(&sample.source, columns)
}

/// Every group must have answers in every category of every item that any
/// group has (lavaan refuses otherwise: the thresholds of the groups would
/// not correspond).
/// `categories[g][v]` are group g's categories of the observed variable v
/// (`names[v]`; empty for a continuous one).
fn check_categories(
    sample: &GroupedSample,
    names: &[String],
    categories: &[Vec<Vec<f64>>],
) -> Result<()> {
    for (v, name) in names.iter().enumerate() {
        let mut all: Vec<f64> = categories
            .iter()
            .flat_map(|c| c[v].iter().copied())
            .collect();
        all.sort_by(f64::total_cmp);
        all.dedup();
        for (g, c) in categories.iter().enumerate() {
            if let Some(missing) = all.iter().find(|k| !c[v].contains(k)) {
                return Err(AnalysisError::unsuitable(
                    Location::source(&sample.samples[g].source).with_column(name),
                    format!(
                        "the ordered item {name} has no answer {missing} in group {} (\"{}\"), while other groups use it (categories {}): each group needs every category of an ordered item, else the groups' thresholds do not correspond; merge {missing} with a neighbouring category or drop the item",
                        g + 1,
                        crate::error::shorten(&sample.labels[g]),
                        all.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Numbers the free parameters of the groups' tables into one θ (as
/// [`super::groups::group_tables`]), with lavaan's defaults for ordered
/// data (module documentation).
fn number_across_groups(tables: &mut [ParTable], equal: &GroupEqual, std_lv: bool) {
    let thresholds_equal =
        equal.contains(Constraint::Thresholds) || equal.contains(Constraint::Intercepts);
    let free_means = thresholds_equal && !equal.contains(Constraint::Means);
    let free_lv_variances =
        std_lv && equal.contains(Constraint::Loadings) && !equal.contains(Constraint::LvVariances);
    let is_equal = |c: Constraint| match c {
        Constraint::Thresholds => thresholds_equal,
        c => equal.contains(c),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for (g, table) in tables.iter_mut().enumerate() {
        let keys: Vec<Option<String>> = table
            .params
            .iter()
            .map(|p| {
                let class = Constraint::of(p, table);
                let freed = g > 0
                    && !p.user
                    && p.free.is_none()
                    && match (p.op, class) {
                        (Operator::ScaleFactor, _) => thresholds_equal,
                        (_, Some(Constraint::Means)) => free_means,
                        (_, Some(Constraint::LvVariances)) => free_lv_variances,
                        _ => false,
                    };
                match (p.free, &p.label) {
                    (None, _) if !freed => None,
                    (_, Some(label)) => Some(format!("label {label}")),
                    _ if class.is_some_and(is_equal) => {
                        Some(format!("equal {} {} {}", p.lhs, p.op.as_str(), p.rhs))
                    }
                    (Some(k), None) => Some(format!("group {g} {k}")),
                    (None, None) => Some(format!("group {g} freed {} {}", p.lhs, p.op.as_str())),
                }
            })
            .collect();
        for (p, key) in table.params.iter_mut().zip(keys) {
            if let Some(key) = key {
                let next = index.len();
                p.free = Some(*index.entry(key).or_insert(next));
            }
        }
    }
    for t in tables.iter_mut() {
        t.n_free = index.len();
    }
}

/// The scale factors Δ of a table at θ (1 where fixed).
fn scales(table: &ParTable, theta: &[f64]) -> DVector<f64> {
    let mut d = DVector::from_element(table.p(), 1.0);
    for p in table.params.iter().filter(|p| p.matrix == Matrix::Scale) {
        d[p.row] = p.free.map_or(p.value, |k| theta[k]);
    }
    d
}

/// The implied moments at θ; `ordered` marks the ordered indicators (empty
/// for continuous data), whose latent responses have variances 1/Δ².
fn implied(table: &ParTable, theta: &[f64], ordered: &[bool]) -> Option<Implied> {
    if ordered.is_empty() {
        return Implied::at(table, theta);
    }
    let mut imp = wls::implied_at(table, theta, ordered)?;
    let d = scales(table, theta);
    for i in (0..table.p()).filter(|&i| ordered[i]) {
        let v = 1.0 / (d[i] * d[i]);
        imp.phi[(i, i)] += v - 1.0;
        imp.c[(i, i)] = v;
        imp.sigma[(i, i)] = v;
    }
    Some(imp)
}

/// σ(θ): `Δ_i (τ_ik − μ_i)` (a continuous item among ordered ones: −μ_i,
/// then its variance Σ_ii), then `Δ_i Δ_j Σ_ij` with Δ = 1 for continuous
/// items (ordered); the means, then vech Σ (continuous).
fn statistics_at(table: &ParTable, theta: &[f64], imp: &Implied, st: &Statistics) -> DVector<f64> {
    if st.ordered_mask.is_empty() {
        let p = table.p();
        let mut out = DVector::zeros(st.s.len());
        out.rows_mut(0, p).copy_from(&imp.mean);
        for (r, (a, b)) in vech_pairs(p).into_iter().enumerate() {
            out[p + r] = imp.sigma[(a, b)];
        }
        return out;
    }
    let d = scales(table, theta);
    let mut out = DVector::zeros(st.s.len());
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        let tau = q.free.map_or(q.value, |k| theta[k]);
        out[st.threshold_offset[q.row] + q.col] = d[q.row] * (tau - imp.mean[q.row]);
    }
    let mut r = st.n_first;
    for i in (0..table.p()).filter(|&i| !st.ordered_mask[i]) {
        out[st.threshold_offset[i]] = -imp.mean[i];
        out[r] = imp.sigma[(i, i)];
        r += 1;
    }
    for (a, b) in vech_pairs(table.p()) {
        if a != b {
            out[r] = d[a] * d[b] * imp.sigma[(a, b)];
            r += 1;
        }
    }
    out
}

/// Δ_g = ∂σ_g/∂θᵀ.
fn jacobian(table: &ParTable, theta: &[f64], imp: &Implied, st: &Statistics) -> DMatrix<f64> {
    let full = moments_jacobian(table, &Elements::free_of(table), imp);
    if st.ordered_mask.is_empty() {
        // Continuous: the means' then vech Σ's rows, as s.
        return full;
    }
    let p = table.p();
    let d = scales(table, theta);
    let mut j = DMatrix::zeros(st.s.len(), table.n_free);
    let scale_index: Vec<Option<usize>> = (0..p)
        .map(|i| {
            table
                .params
                .iter()
                .find(|q| q.matrix == Matrix::Scale && q.row == i)
                .and_then(|q| q.free)
        })
        .collect();
    for q in table
        .params
        .iter()
        .filter(|q| q.matrix == Matrix::Threshold)
    {
        let i = q.row;
        let r = st.threshold_offset[i] + q.col;
        let tau = q.free.map_or(q.value, |k| theta[k]);
        if let Some(k) = q.free {
            j[(r, k)] += d[i];
        }
        if let Some(k) = scale_index[i] {
            j[(r, k)] += tau - imp.mean[i];
        }
        // The mean rows of the moments' Jacobian come first.
        for k in 0..table.n_free {
            j[(r, k)] -= d[i] * full[(i, k)];
        }
    }
    let pairs = vech_pairs(p);
    let mut r = st.n_first;
    for i in (0..p).filter(|&i| !st.ordered_mask[i]) {
        j.row_mut(st.threshold_offset[i]).copy_from(&(-full.row(i)));
        let v = pairs.iter().position(|&ab| ab == (i, i)).unwrap_or(0);
        j.row_mut(r).copy_from(&full.row(p + v));
        r += 1;
    }
    for (v, (a, b)) in pairs.into_iter().enumerate() {
        if a == b {
            continue;
        }
        for k in 0..table.n_free {
            j[(r, k)] += d[a] * d[b] * full[(p + v, k)];
        }
        if let Some(k) = scale_index[a] {
            j[(r, k)] += d[b] * imp.sigma[(a, b)];
        }
        if let Some(k) = scale_index[b] {
            j[(r, k)] += d[a] * imp.sigma[(a, b)];
        }
        r += 1;
    }
    j
}

/// F = Σ_g f_g F_g and each F_g.
fn objective(groups: &[Group], weights: &[f64], theta: &[f64]) -> Option<(f64, Vec<f64>)> {
    let mut total = 0.0;
    let mut each = Vec::with_capacity(groups.len());
    for (g, w) in groups.iter().zip(weights) {
        let imp = implied(&g.table, theta, &g.st.ordered_mask)?;
        let r = &g.st.s - statistics_at(&g.table, theta, &imp, &g.st);
        let f = r.dot(&g.st.weight.times_vector(&r));
        if !f.is_finite() {
            return None;
        }
        total += w * f;
        each.push(f);
    }
    Some((total, each))
}

/// Σ_g f_g J_gᵀW_gJ_g and Σ_g f_g J_gᵀW_g r_g (= −½ ∂F/∂θ).
fn normal_equations(
    groups: &[Group],
    weights: &[f64],
    theta: &[f64],
) -> Option<(DMatrix<f64>, DVector<f64>)> {
    let k = theta.len();
    let mut h = DMatrix::zeros(k, k);
    let mut grad = DVector::zeros(k);
    for (g, w) in groups.iter().zip(weights) {
        let imp = implied(&g.table, theta, &g.st.ordered_mask)?;
        let r = &g.st.s - statistics_at(&g.table, theta, &imp, &g.st);
        let j = jacobian(&g.table, theta, &imp, &g.st);
        h += wls::normal_matrix(&j, &g.st.weight, g.st.n_first) * *w;
        grad += j.transpose() * g.st.weight.times_vector(&r) * *w;
    }
    Some((h, grad))
}

/// Where the Gauss–Newton iterations ended.
struct Minimum {
    theta: Vec<f64>,
    iterations: usize,
    converged: bool,
    max_gradient: f64,
}

/// Gauss–Newton with Levenberg–Marquardt damping, as [`super::wls`] for one
/// group, on the weighted sum of the groups' discrepancies.
fn minimise(groups: &[Group], weights: &[f64], start: Vec<f64>, limits: Limits) -> Result<Minimum> {
    let mut theta = start;
    let (mut f, _) = objective(groups, weights, &theta).ok_or_else(|| {
        AnalysisError::computation(
            "the model's implied moments cannot be computed at the starting values",
        )
    })?;
    let max_iter = (limits.lbfgs_iterations as usize).clamp(1, 500);
    let mut lambda = 1e-4;
    let mut max_gradient = f64::INFINITY;
    for iteration in 0..max_iter {
        let (h, g) = normal_equations(groups, weights, &theta).ok_or_else(|| {
            AnalysisError::computation("the model's implied moments cannot be computed")
        })?;
        max_gradient = 2.0 * g.amax();
        if max_gradient < wls::GRADIENT_TOLERANCE {
            return Ok(Minimum {
                theta,
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
            match objective(groups, weights, &trial) {
                Some((f_new, _)) if f_new <= f => {
                    let small = step.amax() < 1e-13;
                    theta = trial;
                    f = f_new;
                    lambda = (lambda / 10.0).max(1e-12);
                    accepted = !small;
                    break;
                }
                _ => lambda *= 10.0,
            }
        }
        if !accepted {
            let (_, g) = normal_equations(groups, weights, &theta).ok_or_else(|| {
                AnalysisError::computation("the model's implied moments cannot be computed")
            })?;
            max_gradient = 2.0 * g.amax();
            return Ok(Minimum {
                theta,
                iterations: iteration + 1,
                converged: max_gradient < 1e-6,
                max_gradient,
            });
        }
    }
    Ok(Minimum {
        theta,
        iterations: max_iter,
        converged: false,
        max_gradient,
    })
}

/// What is not supported yet, refused before any work.
fn check_options(options: &Options, sample: &GroupedSample) -> Result<Estimator> {
    let here = || Location::source(&sample.source);
    let estimator = options.estimator;
    let continuous = options.ordered.is_empty();
    match estimator {
        Estimator::WLSMV | Estimator::DWLS | Estimator::ULS => {}
        Estimator::GLS if continuous => {}
        Estimator::GLS => {
            return Err(AnalysisError::unsuitable(
                here(),
                "GLS is for continuous data; ordered indicators are fitted by WLSMV, DWLS or ULS (as lavaan)",
            ))
        }
        other => {
            return Err(AnalysisError::unsuitable(
                here(),
                format!(
                    "{} is for continuous data; ordered indicators are fitted by WLSMV (lavaan's default for them), DWLS or ULS",
                    other.as_str()
                ),
            ))
        }
    }
    if options.likelihood == Likelihood::Wishart {
        return Err(AnalysisError::unsuitable(
            here(),
            "the Wishart likelihood belongs to ML; least squares has no likelihood (use the default normal)",
        ));
    }
    if options.modindices || options.bootstrap.is_some() {
        return Err(AnalysisError::unsuitable(
            here(),
            "modification indices and the bootstrap are not yet computed for a multi-group model",
        ));
    }
    Ok(estimator)
}

/// Fits a multi-group model by least squares: ordered (all or some) items by
/// WLSMV, DWLS or ULS, continuous ones also by GLS
/// (see the module documentation); called by [`super::groups::fit`].
pub fn fit(
    spec: &ModelSpec,
    sample: &GroupedSample,
    equal: &GroupEqual,
    options: &Options,
) -> Result<MultiGroupFit> {
    let estimator = check_options(options, sample)?;
    let core = wls::without_thresholds(spec);
    let names = &sample.samples[0].names;
    let continuous = options.ordered.is_empty();
    let mut groups = Vec::with_capacity(sample.samples.len());
    if continuous {
        // Continuous items: each group's means and vech S (divisor n_g − 1)
        // with its own weight, as one group's least squares ([`super::wls`]).
        let mut tables = Vec::with_capacity(sample.samples.len());
        for _ in &sample.samples {
            tables.push(ParTable::build_with_means(
                spec,
                names,
                options.std_lv,
                true,
            )?);
        }
        number_across_groups(&mut tables, equal, options.std_lv);
        for (table, s) in tables.into_iter().zip(&sample.samples) {
            let st = wls::continuous_statistics(&table, s, estimator)?;
            groups.push(Group {
                table,
                st,
                nobs: s.nobs,
            });
        }
    } else {
        let mut tables = Vec::with_capacity(sample.samples.len());
        for _ in &sample.samples {
            let table = ParTable::build_with_means(&core, names, options.std_lv, true)?;
            for name in &options.ordered {
                if !table.observed.contains(name) {
                    return Err(AnalysisError::input(
                        Location::source(&sample.source),
                        Some(name),
                        format!(
                            "an observed variable of the model ({})",
                            table.observed.join(", ")
                        ),
                    ));
                }
            }
            tables.push(table);
        }
        let mixed = tables[0]
            .observed
            .iter()
            .any(|o| !options.ordered.contains(o));
        // Each group's statistics (computed before the thresholds enter the
        // table: they depend only on its observed variables).
        enum Source {
            Mixed(Statistics),
            Ordered(OrderedData),
        }
        let mut sources = Vec::with_capacity(tables.len());
        let mut per_group = Vec::with_capacity(tables.len());
        for (table, s) in tables.iter().zip(&sample.samples) {
            if mixed {
                // Some items continuous: lavaan's mixed statistics per group
                // (Pearson, polyserial and polychoric correlations inside).
                let (st, c) = wls_mixed::statistics(table, s, &options.ordered, estimator)?;
                sources.push(Source::Mixed(st));
                per_group.push(c);
            } else {
                let d = ordered_data(s, table)?;
                per_group.push(d.categories.clone());
                sources.push(Source::Ordered(d));
            }
        }
        check_categories(sample, &tables[0].observed, &per_group)?;
        for (t, c) in tables.iter_mut().zip(&per_group) {
            wls::parameterize_ordered(t, spec, c)?;
        }
        // lavaan 0.6.14 holds the continuous items' intercepts equal with the
        // thresholds (group.equal = "thresholds" alone does, checked in R),
        // as it holds the thresholds equal with the intercepts.
        let mut with_intercepts = equal.clone();
        if equal.contains(Constraint::Thresholds) && !equal.contains(Constraint::Intercepts) {
            with_intercepts.0.push(Constraint::Intercepts);
        }
        number_across_groups(&mut tables, &with_intercepts, options.std_lv);
        for ((table, source), s) in tables.into_iter().zip(sources).zip(&sample.samples) {
            let st = match source {
                Source::Mixed(st) => st,
                Source::Ordered(d) => wls::ordered_statistics(&table, &d, estimator)?,
            };
            groups.push(Group {
                table,
                st,
                nobs: s.nobs,
            });
        }
    }
    let npar = groups[0].table.n_free;
    let q_total: usize = groups.iter().map(|g| g.st.s.len()).sum();
    if npar > q_total {
        return Err(AnalysisError::unsuitable(
            Location::source(&spec.source),
            format!("the model has {npar} free parameters but the groups have only {q_total} sample statistics (thresholds and polychoric correlations): it is not identified"),
        ));
    }
    let nobs: Vec<usize> = groups.iter().map(|g| g.nobs).collect();
    let ntotal: usize = nobs.iter().sum();
    let weights: Vec<f64> = nobs.iter().map(|&n| n as f64 / ntotal as f64).collect();
    // The estimates minimise Σ_g (n_g − 1) F_g, which is χ² (lavaan's
    // least-squares count); inference weights the groups by n_g/N.
    let fit_weights: Vec<f64> = nobs
        .iter()
        .map(|&n| (n as f64 - 1.0) / (ntotal - nobs.len()) as f64)
        .collect();
    // Start values: each group's own (lavaan's, from its polychoric
    // correlations; thresholds at their sample values; scale factors 1),
    // the first group's for shared parameters.
    let mut start = vec![f64::NAN; npar];
    for g in &groups {
        let own = estimate::starting_values(&g.table, &g.st.matrix, g.st.mean.as_ref());
        for p in &g.table.params {
            let Some(k) = p.free else { continue };
            if !start[k].is_nan() {
                continue;
            }
            start[k] = match (p.matrix, p.start) {
                (_, Some(v)) => v,
                _ if continuous => own[k],
                (Matrix::Threshold, None) => g.st.s[g.st.threshold_offset[p.row] + p.col],
                (Matrix::Scale, None) => 1.0,
                // A continuous item among ordered ones: its intercept starts
                // at its mean (minus the statistic in its threshold slot).
                (Matrix::Mean, None)
                    if p.row < g.st.ordered_mask.len() && !g.st.ordered_mask[p.row] =>
                {
                    -g.st.s[g.st.threshold_offset[p.row]]
                }
                (Matrix::Mean, None) => 0.0,
                _ => own[k],
            };
        }
    }
    let min = minimise(&groups, &fit_weights, start, Limits::default())?;
    let theta = &min.theta;
    let not_converged = super::SemWarning::LeastSquaresNotConverged {
        estimator: estimator.as_str().to_owned(),
        iterations: min.iterations,
        max_gradient: min.max_gradient,
    };
    // Inference.
    // lavaan's least-squares count over groups: Σ_g (n_g − 1) = N − G (N − 1
    // for one group) divides the information and enters RMSEA.
    let nf = (ntotal - groups.len()) as f64;
    let mut implied_g = Vec::with_capacity(groups.len());
    let mut jacobians = Vec::with_capacity(groups.len());
    let mut e = DMatrix::zeros(npar, npar);
    for (g, w) in groups.iter().zip(&weights) {
        let imp = implied(&g.table, theta, &g.st.ordered_mask).ok_or_else(|| {
            AnalysisError::computation("the implied moments at the estimates cannot be computed")
        })?;
        let j = jacobian(&g.table, theta, &imp, &g.st);
        e += wls::normal_matrix(&j, &g.st.weight, g.st.n_first) * *w;
        implied_g.push(imp);
        jacobians.push(j);
    }
    let all_tables: Vec<&ParTable> = groups.iter().map(|g| &g.table).collect();
    let standard_vcov = vcov_or_unidentified(
        &e,
        nf,
        min.converged,
        &not_converged,
        "information",
        &spec.source,
        |k| {
            all_tables.iter().enumerate().find_map(|(g, t)| {
                free_parameter_name(t, k).map(|name| format!("{name} (group {})", g + 1))
            })
        },
    )?;
    let e_inv = &standard_vcov * nf;
    let robust = estimator == Estimator::WLSMV;
    let influences: Vec<&DMatrix<f64>> = groups
        .iter()
        .map(|g| {
            g.st.influence.as_ref().ok_or_else(|| {
                AnalysisError::computation("ordered data keep their influence matrix")
            })
        })
        .collect::<Result<_>>()?;
    // B = stack_g √f_g G_g W_g Δ_g (N × npar).
    let mut b = DMatrix::zeros(ntotal, npar);
    let mut row = 0;
    for ((g, j), (gi, w)) in groups
        .iter()
        .zip(&jacobians)
        .zip(influences.iter().zip(&weights))
    {
        let gwj = g.st.weight.right_of(gi) * j * w.sqrt();
        b.rows_mut(row, gwj.nrows()).copy_from(&gwj);
        row += gwj.nrows();
    }
    let vcov = if robust {
        &e_inv * (b.transpose() * &b) * &e_inv / nf
    } else {
        standard_vcov
    };
    // Fit measures.
    let f_groups: Vec<f64> = objective(&groups, &weights, theta)
        .map(|(_, each)| each)
        .unwrap_or_default();
    let chisq_group: Vec<f64> = f_groups
        .iter()
        .zip(&nobs)
        .map(|(f, &n)| (n as f64 - 1.0) * f)
        .collect();
    let df = (q_total - npar) as f64;
    let chisq = chisq_group.iter().sum::<f64>().max(0.0);
    // Baseline: each group's thresholds (ordered) or means and variances
    // (continuous) free, the rest 0; a linear least-squares fit per group.
    let mut baseline_chisq = 0.0;
    let mut baseline_df = 0.0;
    for (g, &n) in groups.iter().zip(&nobs) {
        let free = baseline_free_rows(g);
        let q = g.st.s.len();
        let k = DMatrix::from_fn(q, free.len(), |r, c| f64::from(u8::from(free[c] == r)));
        let wk = g.st.weight.times(&k);
        let e_b_inv = super::robust::inverse(&(k.transpose() * &wk), "baseline information")?;
        let r = &g.st.s - &k * (&e_b_inv * (wk.transpose() * &g.st.s));
        baseline_chisq += (n as f64 - 1.0) * r.dot(&g.st.weight.times_vector(&r));
        baseline_df += (q - free.len()) as f64;
    }
    let chisq = super::fit::chisq_within_rounding(chisq, baseline_chisq);
    // SRMR (residual correlations over vech with the diagonal) and GFI
    // (1 − rᵀWr / sᵀWs) of each group, weighted by n_g/N as lavaan.
    let mut srmr = 0.0;
    let mut srmr_nomean = 0.0;
    let mut gfi = 0.0;
    for ((g, w), imp) in groups.iter().zip(&weights).zip(&implied_g) {
        let p = g.table.p();
        let model = statistics_at(&g.table, theta, imp, &g.st);
        let r = &g.st.s - &model;
        let nel_cov = (p * (p + 1) / 2) as f64;
        if continuous {
            // Residual covariances scaled by the observed standard
            // deviations, and the means by theirs (as one group, wls.rs).
            let m = &g.st.matrix;
            let ss: f64 = vech_pairs(p)
                .into_iter()
                .map(|(a, b)| {
                    ((m[(a, b)] - imp.sigma[(a, b)]) / (m[(a, a)] * m[(b, b)]).sqrt()).powi(2)
                })
                .sum();
            let ss_mean: f64 = (0..p).map(|i| r[i].powi(2) / m[(i, i)]).sum();
            srmr += w * ((ss + ss_mean) / (nel_cov + p as f64)).sqrt();
            srmr_nomean += w * (ss / nel_cov).sqrt();
        } else if g.st.ordered_mask.contains(&false) {
            // Mixed: the residual covariances (Δ_a Δ_b Σ_ab; a continuous
            // variance Σ_ii) scaled by the observed standard deviations, as
            // one group's mixed fit (wls.rs).
            let m = &g.st.matrix;
            let d = scales(&g.table, theta);
            let ss: f64 = vech_pairs(p)
                .into_iter()
                .map(|(a, b)| {
                    let model = if a == b && g.st.ordered_mask[a] {
                        1.0
                    } else {
                        d[a] * d[b] * imp.sigma[(a, b)]
                    };
                    ((m[(a, b)] - model) / (m[(a, a)] * m[(b, b)]).sqrt()).powi(2)
                })
                .sum();
            srmr += w * (ss / nel_cov).sqrt();
        } else {
            let ss: f64 = r.rows(g.st.n_first, r.len() - g.st.n_first).norm_squared();
            srmr += w * (ss / nel_cov).sqrt();
        }
        gfi += w
            * (1.0
                - r.dot(&g.st.weight.times_vector(&r))
                    / g.st.s.dot(&g.st.weight.times_vector(&g.st.s)));
    }
    let uls = estimator == Estimator::ULS;
    let n_groups = groups.len() as f64;
    let (lo, hi) = rmsea_ci(chisq, df, nf, 0.90);
    let mut fit = FitMeasures {
        fiml: None,
        chisq,
        df,
        pvalue: (df > 0.0 && !uls).then(|| chisq_sf(chisq, df)),
        baseline_chisq,
        baseline_df,
        cfi: cfi(chisq, df, baseline_chisq, baseline_df),
        tli: tli(chisq, df, baseline_chisq, baseline_df),
        nfi: nfi(chisq, baseline_chisq),
        rmsea: rmsea(chisq, df, nf) * n_groups.sqrt(),
        rmsea_ci_lower: lo * n_groups.sqrt(),
        rmsea_ci_upper: hi * n_groups.sqrt(),
        rmsea_pvalue: rmsea_pvalue(chisq, df, nf / n_groups, 0.05),
        srmr,
        gfi,
        agfi: super::fit::agfi(gfi, q_total as f64, df),
        aic: f64::NAN,
        bic: f64::NAN,
        bic2: None,
        logl: f64::NAN,
        unrestricted_logl: f64::NAN,
        baseline_pvalue: (baseline_df > 0.0 && !uls).then(|| chisq_sf(baseline_chisq, baseline_df)),
        pgfi: super::fit::pgfi(gfi, q_total as f64, df),
        fmin: chisq / (2.0 * ntotal as f64),
        npar,
        ntotal,
        srmr_bentler_nomean: continuous.then_some(srmr_nomean),
        robust: None,
    };
    if robust {
        // M = blockdiag(G_g W_g G_gᵀ) − B E⁻¹ Bᵀ; tr(UΓ) = tr M, tr((UΓ)²) = ‖M‖².
        let mut m = -(&b * &e_inv * b.transpose());
        let mut mb_trace = 0.0;
        let mut mb_norm = 0.0;
        let mut at = 0;
        for (g, gi) in groups.iter().zip(&influences) {
            let n = gi.nrows();
            let gwg = g.st.weight.right_of(gi) * gi.transpose();
            let mut block = m.view_mut((at, at), (n, n));
            block += &gwg;
            // The baseline's U: W with its free rows (thresholds; means and
            // variances) projected out, per group (its parameters are not
            // shared). W is diagonal here (DWLS), so those rows drop out.
            let free = baseline_free_rows(g);
            let kept: Vec<usize> = (0..gi.ncols()).filter(|r| !free.contains(r)).collect();
            let c = gi.select_columns(&kept);
            let cw = g.st.weight.right_of(gi).select_columns(&kept);
            let mb = cw * c.transpose();
            mb_trace += mb.trace();
            mb_norm += mb.norm_squared();
            at += n;
        }
        let model = wls::scaled_shifted(chisq, df, (m.trace(), m.norm_squared()));
        let base = wls::scaled_shifted(baseline_chisq, baseline_df, (mb_trace, mb_norm));
        let mut scaled = wls::scaled_measures(chisq, df, baseline_df, model, base, nf);
        // lavaan's RMSEA over groups: × √G.
        let root = n_groups.sqrt();
        for v in [
            &mut scaled.rmsea_scaled,
            &mut scaled.rmsea_ci_lower_scaled,
            &mut scaled.rmsea_ci_upper_scaled,
        ] {
            *v = v.map(|x| x * root);
        }
        scaled.rmsea_pvalue_scaled = scaled
            .chisq_scaled
            .and_then(|x| rmsea_pvalue(x, df, nf / n_groups, 0.05));
        let catml = CatMl {
            groups: &groups,
            implied: &implied_g,
            jacobians: &jacobians,
            influences: &influences,
            e_inv: &e_inv,
            weights: &weights,
        };
        let robust_indices = if continuous {
            continuous_robust(
                chisq,
                df,
                baseline_chisq,
                baseline_df,
                model,
                base,
                nf,
                n_groups,
            )
        } else if groups.iter().any(|g| g.st.ordered_mask.contains(&false)) {
            // lavaan 0.6.14 gives no robust indices (NA) when continuous
            // indicators are among the ordered ones, as for one group.
            None
        } else {
            catml.robust(df, baseline_df, nf)
        };
        if let Some(r) = robust_indices {
            scaled.cfi_robust = Some(r.cfi);
            scaled.tli_robust = Some(r.tli);
            scaled.rmsea_robust = Some(r.rmsea);
            scaled.rmsea_ci_lower_robust = Some(r.ci.0);
            scaled.rmsea_ci_upper_robust = Some(r.ci.1);
            scaled.rmsea_pvalue_robust = Some(r.pvalue);
        }
        fit.robust = Some(scaled);
    }
    // lavaan's scaled statistic per group: a·χ²_g + b·n_g/N (the shift
    // shared out by the groups' sizes).
    let chisq_scaled_group = fit.robust.as_ref().and_then(|r| {
        let c = r.chisq_scaling_factor?;
        let shift = r.chisq_scaled? - chisq / c;
        Some(
            chisq_group
                .iter()
                .zip(&weights)
                .map(|(x, w)| x / c + shift * w)
                .collect(),
        )
    });
    // The tables at the estimates.
    let mut out_tables = Vec::with_capacity(groups.len());
    let mut group_warnings = Vec::new();
    if !min.converged {
        group_warnings.push(not_converged.to_string());
    }
    let mut pieces = Vec::with_capacity(groups.len());
    for (gi, ((g, imp), j)) in groups.into_iter().zip(implied_g).zip(jacobians).enumerate() {
        let mut t = g.table;
        t.set_theta(theta);
        for p in t.params.iter_mut() {
            if p.matrix == Matrix::Phi && p.row == p.col && p.row < t.observed.len() {
                p.value = imp.phi[(p.row, p.row)];
            }
            p.se = Some(p.free.map_or(0.0, |k| vcov[(k, k)].max(0.0).sqrt()));
        }
        standardized::fill(&mut t, &imp.c);
        for p in t.params.iter_mut() {
            if p.op == Operator::ScaleFactor {
                // lavaan: std.all of a scale factor is Δ·sd(y*) = 1.
                p.std_all = Some(p.value / imp.c[(p.row, p.row)].powf(-0.5));
            }
        }
        for w in warnings::of_fit(&t, &imp, &sample.samples[gi]) {
            group_warnings.push(format!("group {} ({}): {w}", gi + 1, sample.labels[gi]));
        }
        pieces.push(GroupTestPieces {
            statistics: wls::statistic_names(&t, &g.st, !continuous),
            delta: j,
            weight: g.st.weight,
            gamma_root: g.st.influence,
            nobs: g.nobs,
        });
        out_tables.push(t);
    }
    Ok(MultiGroupFit {
        converged: min.converged,
        group: sample.column.clone(),
        group_labels: sample.labels.clone(),
        nobs,
        npar,
        estimator,
        group_equal: equal.clone(),
        chisq_group,
        chisq_scaled_group,
        fit,
        tables: out_tables,
        warnings: group_warnings,
        optimizer: Optimizer {
            method: "Gauss-Newton with Levenberg-Marquardt damping (least squares)".into(),
            lbfgs_iterations: 0,
            scoring_iterations: min.iterations,
            max_abs_gradient: min.max_gradient,
        },
        vcov,
        test_pieces: Some(TestPieces { groups: pieces }),
    })
}

/// lavaan 0.6.14's robust CFI, TLI and RMSEA of continuous data from the
/// scaled-and-shifted statistics (as one group in [`super::wls`]):
/// ĉ = c·(df − b)/df with c = 1/a; RMSEA over groups × √G.
#[allow(clippy::too_many_arguments)]
fn continuous_robust(
    chisq: f64,
    df: f64,
    baseline_chisq: f64,
    baseline_df: f64,
    model: Option<(f64, f64, f64)>,
    base: Option<(f64, f64, f64)>,
    nf: f64,
    n_groups: f64,
) -> Option<CatMlIndices> {
    use super::robust::{cfi_corrected, rmsea_ci_corrected, tli_corrected};
    let ((x2s, c, b), (_, cb, bb)) = (model?, base?);
    let c_hat = c * (df - b) / df;
    let c_hat_null = cb * (baseline_df - bb) / baseline_df;
    let root = n_groups.sqrt();
    let ci = rmsea_ci_corrected(x2s, df, nf, c);
    Some(CatMlIndices {
        cfi: cfi_corrected(chisq, df, baseline_chisq, baseline_df, c_hat, c_hat_null),
        tli: tli_corrected(chisq, df, baseline_chisq, baseline_df, c_hat, c_hat_null),
        rmsea: ((chisq / nf) / df - c_hat / nf).max(0.0).sqrt() * root,
        ci: (ci.0 * root, ci.1 * root),
        pvalue: super::fit::noncentral_chisq_sf(x2s, df, nf * df * 0.05 * 0.05 / c / n_groups),
    })
}

/// The rows of s the baseline model leaves free: the thresholds (ordered;
/// with the minus-means and variances of continuous items among them), or
/// the means and variances (continuous).
fn baseline_free_rows(g: &Group) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..g.st.n_first + g.st.n_variances).collect();
    if g.st.ordered_mask.is_empty() {
        rows.extend(
            vech_pairs(g.table.p())
                .iter()
                .enumerate()
                .filter(|(_, &(a, b))| a == b)
                .map(|(r, _)| g.st.n_first + r),
        );
    }
    rows
}

/// lavaan 0.6.14's robust CFI, TLI and RMSEA of ordered data over groups
/// (Savalei 2021; `lav_fit_catml_dwls`, the single group in
/// [`super::wls`]): the model at the estimates is evaluated by
/// normal-theory ML against each group's polychoric matrix R_g,
/// `XX3 = Σ_g n_g F_ML(Σ̂_g, R_g)` on df3 = (correlations) − (free
/// parameters other than thresholds and means); with the correlation rows
/// of all groups stacked, `U = I − Δ E⁻¹ Δᵀ 𝒲` (𝒲 = blockdiag(f_g W_g)),
/// V = blockdiag(f_g V_g) and Γ = blockdiag(Γ_g / f_g), `c = tr(UᵀVUΓ)/df3`;
/// the baseline's `−Σ n_g log|R_g|` with `c_b = tr Γ / df_b`. lavaan refits
/// the model without its thresholds for this, which fails (NA) once the
/// groups share thresholds; so does this.
struct CatMl<'a> {
    groups: &'a [Group],
    implied: &'a [Implied],
    jacobians: &'a [DMatrix<f64>],
    influences: &'a [&'a DMatrix<f64>],
    e_inv: &'a DMatrix<f64>,
    weights: &'a [f64],
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
    fn robust(&self, df: f64, baseline_df: f64, nf: f64) -> Option<CatMlIndices> {
        use super::model::{spd_inverse, trace_product};
        use super::robust::{cfi_corrected, rmsea_ci_corrected, tli_corrected};
        let tables: Vec<&ParTable> = self.groups.iter().map(|g| &g.table).collect();
        // Thresholds each a parameter of their own, as lavaan needs them.
        let mut uses: HashMap<usize, usize> = HashMap::new();
        for p in tables.iter().flat_map(|t| &t.params) {
            if let Some(k) = p.free {
                *uses.entry(k).or_default() += 1;
            }
        }
        let apart = tables
            .iter()
            .flat_map(|t| &t.params)
            .all(|p| p.matrix != Matrix::Threshold || p.free.is_some_and(|k| uses[&k] == 1));
        if !apart || df <= 0.0 {
            return None;
        }
        let structural: std::collections::BTreeSet<usize> = tables
            .iter()
            .flat_map(|t| &t.params)
            .filter(|p| p.matrix != Matrix::Threshold && p.matrix != Matrix::Mean)
            .filter_map(|p| p.free)
            .collect();
        let df3 = baseline_df - structural.len() as f64;
        if df3 <= 0.0 {
            return None;
        }
        let n_groups = self.groups.len() as f64;
        let mut xx3 = 0.0;
        let mut xx3_null = 0.0;
        let mut kbs = 0.0;
        let mut inverses = Vec::with_capacity(self.groups.len());
        // Each group's correlation rows of Δ, and B_g = G_c W_c Δ_c.
        let mut d_c = Vec::with_capacity(self.groups.len());
        let mut b_c = Vec::with_capacity(self.groups.len());
        for (((g, imp), j), (gi, &f)) in self
            .groups
            .iter()
            .zip(self.implied)
            .zip(self.jacobians)
            .zip(self.influences.iter().zip(self.weights))
        {
            let r = &g.st.matrix;
            let p = r.nrows();
            let eig = nalgebra::SymmetricEigen::new(r.clone());
            if eig.eigenvalues.min() < f64::EPSILON.sqrt() {
                return None;
            }
            let (p_inv, log_det_sigma) = spd_inverse(&imp.sigma)?;
            let log_det_r: f64 = eig.eigenvalues.iter().map(|v| v.ln()).sum();
            let n = g.nobs as f64;
            xx3 += n * (log_det_sigma + trace_product(r, &p_inv) - log_det_r - p as f64);
            xx3_null -= n * log_det_r;
            let first = g.st.n_first;
            let q_c = g.st.s.len() - first;
            let g_c = gi.columns(first, q_c);
            kbs += g_c.norm_squared() / f;
            let Weight::Diagonal(w) = &g.st.weight else {
                return None;
            };
            let mut gw = g_c.into_owned();
            for (mut col, wi) in gw.column_iter_mut().zip(w.rows(first, q_c).iter()) {
                col *= *wi;
            }
            let dj = j.rows(first, q_c).into_owned();
            b_c.push(gw * &dj);
            d_c.push(dj);
            inverses.push(p_inv);
        }
        // Row n (a case of group h) of Γᵀᐟ²Uᵀ, block g:
        // δ_hg G_h,c[n]/√f_h − √f_h B_h[n] E⁻¹ Δ_g,cᵀ; tr(UᵀVUΓ) sums
        // f_g · ½ tr((Σ̂_g⁻¹ X)²) over cases and blocks (X the block as a
        // symmetric matrix of correlations).
        let mut ks = 0.0;
        let projected: Vec<DMatrix<f64>> = d_c.iter().map(|d| self.e_inv * d.transpose()).collect();
        for (h, (gh, gi)) in self.groups.iter().zip(self.influences).enumerate() {
            let fh = self.weights[h];
            let first = gh.st.n_first;
            let g_c = gi.columns(first, gh.st.s.len() - first);
            for n in 0..gi.nrows() {
                let bn = b_c[h].row(n) * fh.sqrt();
                for (g, (group, p_inv)) in self.groups.iter().zip(&inverses).enumerate() {
                    let mut x = -(&bn * &projected[g]);
                    if g == h {
                        x += g_c.row(n) / fh.sqrt();
                    }
                    let p = group.table.p();
                    let mut m = DMatrix::zeros(p, p);
                    let mut at = 0;
                    for (a, b) in vech_pairs(p) {
                        if a != b {
                            m[(a, b)] = x[at];
                            m[(b, a)] = x[at];
                            at += 1;
                        }
                    }
                    let px = p_inv * m;
                    ks += self.weights[g] * 0.5 * trace_product(&px, &px);
                }
            }
        }
        let c3 = ks / df3;
        let c_null = kbs / baseline_df;
        let root = n_groups.sqrt();
        let xx3_scaled = xx3 / c3;
        let ci = rmsea_ci_corrected(xx3_scaled, df3, nf, c3);
        Some(CatMlIndices {
            cfi: cfi_corrected(xx3, df, xx3_null, baseline_df, c3, c_null),
            tli: tli_corrected(xx3, df, xx3_null, baseline_df, c3, c_null),
            rmsea: ((xx3 / nf) / df3 - c3 / nf).max(0.0).sqrt() * root,
            ci: (ci.0 * root, ci.1 * root),
            pvalue: super::fit::noncentral_chisq_sf(
                xx3_scaled,
                df3,
                nf * df3 * 0.05 * 0.05 / c3 / n_groups,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dataset;

    const MODEL: &str = "f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8";

    fn items() -> Vec<String> {
        (1..=8).map(|i| format!("o{i}")).collect()
    }

    fn options() -> Options {
        Options {
            estimator: Estimator::WLSMV,
            ordered: items(),
            ..Options::default()
        }
    }

    /// tr(UΓ) and tr((UΓ)²) from the pieces, with dense matrices over all
    /// groups: U = 𝒲 − 𝒲Δ E⁻¹ Δᵀ𝒲, 𝒲 = blockdiag(f_g W_g), Γ =
    /// blockdiag(Γ_g / f_g), E = Σ f_g Δ_gᵀ W_g Δ_g.
    fn traces_from(pieces: &TestPieces) -> (f64, f64) {
        let n = pieces.ntotal();
        let q: usize = pieces.groups.iter().map(|p| p.delta.nrows()).sum();
        let k = pieces.groups[0].delta.ncols();
        let mut w = DMatrix::zeros(q, q);
        let mut gamma = DMatrix::zeros(q, q);
        let mut delta = DMatrix::zeros(q, k);
        let mut at = 0;
        for p in &pieces.groups {
            let f = p.nobs as f64 / n as f64;
            let qg = p.delta.nrows();
            let wg = p.weight.times(&DMatrix::identity(qg, qg));
            w.view_mut((at, at), (qg, qg)).copy_from(&(wg * f));
            let g = p.gamma_root.as_ref().unwrap();
            gamma
                .view_mut((at, at), (qg, qg))
                .copy_from(&(g.transpose() * g / f));
            delta.rows_mut(at, qg).copy_from(&p.delta);
            at += qg;
        }
        let e_inv = pieces.information().try_inverse().unwrap();
        let u = &w - &w * &delta * e_inv * delta.transpose() * &w;
        let ug = u * gamma;
        (ug.trace(), (&ug * &ug).trace())
    }

    #[test]
    fn the_pieces_give_the_fits_scaled_and_shifted_test() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/sem/groups3_ordinal.csv"
        );
        let data = Dataset::from_path(path).unwrap();
        let sample = GroupedSample::from_dataset(&data, "grp", &items()).unwrap();
        let spec = ModelSpec::parse(MODEL).unwrap();
        let equal: GroupEqual = "thresholds,loadings".parse().unwrap();
        let fit = fit(&spec, &sample, &equal, &options()).unwrap();
        let pieces = fit.test_pieces.as_ref().unwrap();
        assert_eq!(pieces.groups.len(), 3);
        assert_eq!(
            pieces.groups.iter().map(|p| p.nobs).collect::<Vec<_>>(),
            fit.nobs
        );
        let (tr, tr2) = traces_from(pieces);
        let df = fit.fit.df;
        let a = (df / tr2).sqrt();
        let robust = fit.fit.robust.as_ref().unwrap();
        let c = robust.chisq_scaling_factor.unwrap();
        assert!((1.0 / a / c - 1.0).abs() < 1e-9, "{} vs {c}", 1.0 / a);
        let scaled = a * fit.fit.chisq + df - a * tr;
        assert!((scaled / robust.chisq_scaled.unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn continuous_items_in_one_group_are_the_single_group_fit_with_means() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/sem/groups2_ls.csv"
        );
        let data = Dataset::from_path(path).unwrap();
        let names: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
        let sample = SampleMoments::from_dataset(&data, &names).unwrap();
        let spec = ModelSpec::parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6").unwrap();
        for estimator in [
            Estimator::WLSMV,
            Estimator::DWLS,
            Estimator::ULS,
            Estimator::GLS,
        ] {
            let options = Options {
                estimator,
                meanstructure: true,
                ..Options::default()
            };
            let single = super::super::fit(&spec, &sample, &options).unwrap();
            let grouped = GroupedSample {
                column: String::new(),
                labels: vec![String::new()],
                samples: vec![sample.clone()],
                source: sample.source.clone(),
            };
            let one = fit(&spec, &grouped, &GroupEqual::default(), &options).unwrap();
            let what = estimator.as_str();
            assert!(
                (one.fit.chisq / single.fit.chisq - 1.0).abs() < 1e-8,
                "{what}"
            );
            assert!(
                (one.fit.baseline_chisq / single.fit.baseline_chisq - 1.0).abs() < 1e-9,
                "{what}"
            );
            assert_eq!(one.fit.df, single.fit.df, "{what}");
            let scaled = |f: &FitMeasures| f.robust.as_ref().and_then(|r| r.chisq_scaled);
            match (scaled(&one.fit), scaled(&single.fit)) {
                (Some(a), Some(b)) => assert!((a / b - 1.0).abs() < 1e-8, "{what}"),
                (a, b) => assert_eq!(a, b, "{what}"),
            }
        }
    }

    #[test]
    fn one_group_through_the_group_code_is_the_single_group_fit() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/ordinal.csv");
        let data = Dataset::from_path(path).unwrap();
        let sample = SampleMoments::from_dataset(&data, &items()).unwrap();
        let spec = ModelSpec::parse(MODEL).unwrap();
        let single = super::super::fit(&spec, &sample, &options()).unwrap();
        let grouped = GroupedSample {
            column: String::new(),
            labels: vec![String::new()],
            samples: vec![sample.clone()],
            source: sample.source.clone(),
        };
        let one = fit(&spec, &grouped, &GroupEqual::default(), &options()).unwrap();
        assert!((one.fit.chisq / single.fit.chisq - 1.0).abs() < 1e-8);
        let (a, b) = (
            &one.test_pieces.as_ref().unwrap().groups[0],
            &single.test_pieces.as_ref().unwrap().groups[0],
        );
        assert_eq!(a.statistics, b.statistics);
        assert!((&a.delta - &b.delta).amax() < 1e-6);
        let (tr, tr2) = traces_from(one.test_pieces.as_ref().unwrap());
        let df = single.fit.df;
        let robust = single.fit.robust.as_ref().unwrap();
        let c = robust.chisq_scaling_factor.unwrap();
        assert!(((tr2 / df).sqrt() / c - 1.0).abs() < 1e-8);
        let scaled = single.fit.chisq * (df / tr2).sqrt() + df - (df / tr2).sqrt() * tr;
        assert!((scaled / robust.chisq_scaled.unwrap() - 1.0).abs() < 1e-8);
    }
}
