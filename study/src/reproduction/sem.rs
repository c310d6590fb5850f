//! Step 6 — the structural equation model: the study's model fitted by
//! maximum likelihood with [`analysis::sem`], set against Table 3 (fit
//! indices) and Table 4 (β and t of the ten dimension → outcome paths).
//!
//! The paper shows neither its model nor its degrees of freedom. The model
//! fitted here is the one its text and Table 4 describe: each of the ten
//! dimensions is a latent factor measured by its questionnaire items (one
//! item per sub-theme of Table 2), the outcome ("contracting criteria") a
//! latent factor measured by its own items, and the outcome regressed on
//! the ten dimensions, which covary freely:
//!
//! ```text
//! D1 =~ D1_I1 + D1_I2 + …        (one line per dimension)
//! CC =~ CC_I1 + …                (when the data have outcome items)
//! CC ~ D1 + D2 + … + D10
//! ```
//!
//! Without outcome items (a user's file may lack them) only the measurement
//! model (a ten-factor CFA) is fitted and the paths are not estimated.
//!
//! AMOS, which the study used, reports the Wishart likelihood (S with
//! divisor N − 1, χ² = (N − 1)·F_ML); so does this step. β are
//! the completely standardized estimates (lavaan's `std.all`, AMOS's
//! "standardized regression weights"); t is the critical ratio est/SE.
//!
//! Missing values: listwise, as [`analysis::sem`] does (the number of dropped
//! respondents is a warning of the fit).
//!
//! With item-level data the step also fits the same model treating the
//! items as ordered categories (thresholds and polychoric correlations,
//! lavaan's WLSMV: DWLS estimates, robust SEs, scaled-and-shifted test),
//! beside the ML fit AMOS made, and says what changes.
//!
//! When the data have Table 1's `gender` column and the item-level model is
//! fitted, the step also tests measurement invariance across gender
//! (configural, metric, scalar, strict; [`analysis::sem::invariance`]) with
//! lavaan's defaults for groups (normal likelihood, ML).

use super::common::{
    all_with_provenance, data_figure, impl_step_render, step_fields, Comparison, ProvTable, Step,
    StepFigure, Value, Verdict,
};
use super::study_data::StudyData;
use analysis::claims::Claims;
use analysis::error::Result;
use analysis::plots::{fit_indices, path_diagram, FitIndexBar, PathArrow, PathDiagram};
use analysis::render::{fmt_fixed, Provenance, Table};
use analysis::sem::{self, FitMeasures, Likelihood, ModelSpec, Operator, Options, SampleMoments};
use serde::Serialize;

/// Latent name of the outcome factor in the model syntax.
pub const OUTCOME_LATENT: &str = "CC";

/// Usual cut-offs, for the fit-index figure: GFI and AGFI ≥ .90 (Jöreskog &
/// Sörbom), CFI ≥ .95 and RMSEA ≤ .06 (Hu & Bentler 1999).
fn cutoff(index: &str) -> Option<(f64, bool)> {
    match index {
        "gfi" | "agfi" => Some((0.90, true)),
        "cfi" | "tli" => Some((0.95, true)),
        "rmsea" => Some((0.06, false)),
        "srmr" => Some((0.08, false)),
        _ => None,
    }
}

/// One dimension → outcome path: ours next to Table 4's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathEstimate {
    /// Dimension as named in Table 2 / Table 4.
    pub dimension: String,
    /// Its latent variable in the model syntax (`D1` …).
    pub latent: String,
    /// Unstandardized estimate, its SE and critical ratio (z, AMOS's C.R.).
    pub est: f64,
    pub se: f64,
    pub z: Option<f64>,
    pub pvalue: Option<f64>,
    /// Completely standardized estimate (β).
    pub std_all: Option<f64>,
}

/// A factor of the measurement model, with its Table 2 name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorSummary {
    pub name: String,
    pub latent: String,
    pub indicators: usize,
    /// Smallest and largest standardized loading.
    pub min_loading: f64,
    pub max_loading: f64,
    /// Composite reliability and average variance extracted.
    pub cr: f64,
    pub ave: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Provenance of the fit (the data's).
    pub provenance: Provenance,
    pub level: ModelLevel,
    /// The model in lavaan syntax, as fitted.
    pub model_syntax: String,
    pub likelihood: Likelihood,
    pub converged: bool,
    pub nobs: usize,
    pub npar: usize,
    pub fit: FitMeasures,
    /// Dimension → outcome paths (empty without outcome items).
    pub paths: Vec<PathEstimate>,
    /// R² of the outcome factor, when it is in the model.
    pub outcome_r_squared: Option<f64>,
    pub factors: Vec<FactorSummary>,
    /// The fitted parameter table: every parameter, fixed ones included
    /// (serialized as lavaan's parameterEstimates rows).
    pub estimates: sem::ParTable,
    /// Heywood cases, non-positive-definite matrices, dropped respondents.
    pub warnings: Vec<sem::SemWarning>,
    /// The same model with the items as ordered categories (WLSMV), at item
    /// level only (same provenance as the fit).
    pub ordinal: Option<OrdinalComparison>,
    /// Measurement invariance across Table 1's gender groups, when the data
    /// have them (same provenance as the fit).
    pub invariance: Option<InvarianceSummary>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    pub figures: Vec<StepFigure>,
}

/// The study's model in lavaan syntax for a data layout; also returns the
/// latent name of each dimension, in order.
/// The ML fit (as AMOS made it) beside the WLSMV fit of the items as
/// ordered categories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrdinalComparison {
    /// WLSMV's fit measures (the scaled and robust ones in `robust`).
    pub fit: FitMeasures,
    /// Whether the WLSMV fit converged.
    pub converged: bool,
    /// Each dimension's standardized path under both estimators.
    pub paths: Vec<PathUnderBoth>,
    /// Mean standardized loading under ML and under WLSMV.
    pub mean_loading: (f64, f64),
    /// The side-by-side table.
    pub table: Table,
}

/// One dimension's standardized path (β) under ML and under WLSMV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathUnderBoth {
    /// The dimension's latent variable.
    pub latent: String,
    /// β of the ML fit.
    pub ml: Option<f64>,
    /// β of the WLSMV fit.
    pub wlsmv: Option<f64>,
}

/// Fits `spec` with every item ordered (WLSMV) and sets it beside `ml`.
fn ordinal_beside_ml(
    spec: &ModelSpec,
    data: &StudyData,
    item_columns: &[String],
    ml: &sem::SemFit,
    paths: &[PathEstimate],
) -> std::result::Result<OrdinalComparison, String> {
    let moments =
        SampleMoments::from_dataset(&data.dataset, item_columns).map_err(|e| e.to_string())?;
    let options = Options {
        estimator: sem::Estimator::WLSMV,
        ordered: item_columns.to_vec(),
        ..Options::default()
    };
    let w = sem::fit(spec, &moments, &options).map_err(|e| e.to_string())?;
    let mean_loading = |f: &sem::SemFit| {
        let l: Vec<f64> = f
            .table
            .params
            .iter()
            .filter(|e| e.op == Operator::MeasuredBy)
            .filter_map(|e| e.std_all)
            .collect();
        l.iter().sum::<f64>() / l.len().max(1) as f64
    };
    let path_rows: Vec<PathUnderBoth> = paths
        .iter()
        .map(|p| PathUnderBoth {
            latent: p.latent.clone(),
            ml: p.std_all,
            wlsmv: w
                .table
                .find(OUTCOME_LATENT, Operator::RegressedOn, &p.latent)
                .and_then(|e| e.std_all),
        })
        .collect();
    let r = w.fit.robust.as_ref();
    let opt = |x: Option<f64>, d: usize| x.map_or("—".to_owned(), |v| fmt_fixed(v, d));
    let mut table = Table::new(
        "The items as AMOS fitted them (ML, continuous) and as ordered categories (WLSMV)",
        &["quantity", "ML (Wishart)", "WLSMV (ordered)"],
    );
    table.row(vec![
        "χ²".into(),
        fmt_fixed(ml.fit.chisq, 2),
        fmt_fixed(w.fit.chisq, 2),
    ]);
    table.row(vec![
        "χ² scaled (scaled-and-shifted)".into(),
        "—".into(),
        opt(r.and_then(|r| r.chisq_scaled), 2),
    ]);
    table.row(vec![
        "df".into(),
        fmt_fixed(ml.fit.df, 0),
        fmt_fixed(w.fit.df, 0),
    ]);
    table.row(vec![
        "CFI (robust for WLSMV)".into(),
        fmt_fixed(ml.fit.cfi, 3),
        opt(r.and_then(|r| r.cfi_robust), 3),
    ]);
    table.row(vec![
        "RMSEA (robust for WLSMV)".into(),
        fmt_fixed(ml.fit.rmsea, 3),
        opt(r.and_then(|r| r.rmsea_robust), 3),
    ]);
    table.row(vec![
        "SRMR".into(),
        fmt_fixed(ml.fit.srmr, 3),
        fmt_fixed(w.fit.srmr, 3),
    ]);
    let (ml_load, w_load) = (mean_loading(ml), mean_loading(&w));
    table.row(vec![
        "mean standardized loading".into(),
        fmt_fixed(ml_load, 3),
        fmt_fixed(w_load, 3),
    ]);
    for r in &path_rows {
        table.row(vec![
            format!("β {} → {OUTCOME_LATENT}", r.latent),
            opt(r.ml, 3),
            opt(r.wlsmv, 3),
        ]);
    }
    Ok(OrdinalComparison {
        fit: w.fit.clone(),
        converged: w.converged,
        paths: path_rows,
        mean_loading: (ml_load, w_load),
        table,
    })
}

/// What changes from ML to WLSMV.
fn ordinal_notice(o: &OrdinalComparison, p: Provenance) -> String {
    let (ml, w) = o.mean_loading;
    let order = |pick: fn(&PathUnderBoth) -> Option<f64>| {
        let mut v: Vec<(String, f64)> = o
            .paths
            .iter()
            .filter_map(|r| pick(r).map(|b| (r.latent.clone(), b)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.into_iter().map(|x| x.0).collect::<Vec<_>>()
    };
    let same_order = order(|r| r.ml) == order(|r| r.wlsmv);
    format!(
        "Treating the items as ordered categories (WLSMV; {}) instead of continuous (ML, as AMOS did): the mean standardized loading rises from {} to {} because polychoric correlations undo the attenuation that coarse 5-point categories cause, and the test and indices become the scaled and robust ones (table above). The order of the ten paths {}. The answers' scale is our assumption (the paper never states it), and these are fits to synthetic data, not the study's.",
        p.label(),
        fmt_fixed(ml, 3),
        fmt_fixed(w, 3),
        if same_order { "is the same under both" } else { "changes between the two" }
    )
}

/// The grouping column of Table 1 used for the invariance test.
pub const INVARIANCE_GROUP: &str = "gender";

/// The invariance sequence across [`INVARIANCE_GROUP`], as rendered tables
/// and the tests between levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvarianceSummary {
    /// The group column.
    pub group: String,
    /// Each group's label and number of cases.
    pub groups: Vec<(String, usize)>,
    /// Each level against the previous one.
    pub tests: Vec<sem::invariance::LevelTest>,
    /// The models' fit and the tests, as tables.
    pub tables: Vec<Table>,
}

/// Tests invariance of `spec` across gender when the data have the column;
/// `Err` carries why it could not be run (said in the step's notice).
fn invariance_across_gender(
    spec: &ModelSpec,
    data: &StudyData,
    item_columns: &[String],
) -> Option<std::result::Result<InvarianceSummary, String>> {
    if !data.dataset.names().iter().any(|n| n == INVARIANCE_GROUP) {
        return None;
    }
    let run = || -> Result<InvarianceSummary> {
        let grouped = sem::groups::GroupedSample::from_dataset(
            &data.dataset,
            INVARIANCE_GROUP,
            item_columns,
        )?;
        let inv = sem::invariance::test(spec, &grouped, &Options::default())?;
        Ok(InvarianceSummary {
            group: inv.group.clone(),
            groups: inv
                .group_labels
                .iter()
                .cloned()
                .zip(inv.nobs.iter().copied())
                .collect(),
            tests: inv.tests.clone(),
            tables: analysis::Render::tables(&inv),
        })
    };
    Some(run().map_err(|e| e.to_string()))
}

pub fn model_syntax(data: &StudyData) -> (String, Vec<String>) {
    let layout = &data.layout;
    let mut text = String::new();
    let mut latents = Vec::new();
    for (d, group) in layout.dimensions.iter().enumerate() {
        let latent = format!("D{}", d + 1);
        text.push_str(&format!(
            "# {}\n{latent} =~ {}\n",
            group.name,
            group.items.join(" + ")
        ));
        latents.push(latent);
    }
    if !layout.outcome.items.is_empty() {
        text.push_str(&format!(
            "# {}\n{OUTCOME_LATENT} =~ {}\n{OUTCOME_LATENT} ~ {}\n",
            layout.outcome.name,
            layout.outcome.items.join(" + "),
            latents.join(" + ")
        ));
    }
    (text, latents)
}

/// Which model was fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelLevel {
    /// Items as indicators of latent dimensions (the study's model).
    Items,
    /// Too few respondents for the item-level model (a sample covariance of
    /// p items needs more than p complete respondents to be positive
    /// definite): the outcome score regressed on the ten dimension scores
    /// (item means), a saturated path model (df = 0) whose β and t are
    /// still comparable with Table 4 but whose fit indices say nothing.
    Scores,
}

/// The path model on dimension scores (see [`ModelLevel::Scores`]): the
/// data set of scores `D1`… and `CC`, and the syntax.
fn scores_model(
    data: &StudyData,
    latents: &[String],
) -> Result<Option<(analysis::Dataset, String)>> {
    let Some(outcome) = data.outcome_scores()? else {
        return Ok(None);
    };
    let scores = data.dimension_scores()?;
    let mut columns = Vec::new();
    for (latent, group) in latents.iter().zip(&data.layout.dimensions) {
        let values = scores.numeric_column(&group.name)?;
        columns.push((
            latent.clone(),
            values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        ));
    }
    columns.push((
        OUTCOME_LATENT.to_owned(),
        outcome.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
    ));
    let dataset = analysis::Dataset::from_columns(
        format!("dimension scores of {}", data.dataset.source),
        columns,
    )?;
    let syntax = format!(
        "# {} (score) on the dimension scores\n{OUTCOME_LATENT} ~ {}\n",
        data.layout.outcome.name,
        latents.join(" + ")
    );
    Ok(Some((dataset, syntax)))
}

/// Errors about a score column `D3` name its dimension too.
fn name_score_columns(
    mut e: analysis::AnalysisError,
    latents: &[String],
    data: &StudyData,
) -> analysis::AnalysisError {
    let column = match &mut e {
        analysis::AnalysisError::Unsuitable { location, .. } => location.column.as_mut(),
        analysis::AnalysisError::Input(problem) => problem.location.column.as_mut(),
        _ => None,
    };
    if let Some(column) = column {
        let name = if column == OUTCOME_LATENT {
            Some(&data.layout.outcome.name)
        } else {
            latents
                .iter()
                .position(|l| l == column)
                .map(|i| &data.layout.dimensions[i].name)
        };
        if let Some(name) = name {
            *column = format!("{column} ({name})");
        }
    }
    e
}

/// Fits the study's model to the data and compares it with Tables 3 and 4.
pub fn run(claims: &Claims, data: &StudyData) -> Result<SemStep> {
    let p = data.provenance;
    let (item_syntax, latents) = model_syntax(data);
    let item_columns: Vec<String> = data
        .layout
        .dimensions
        .iter()
        .flat_map(|g| g.items.iter().cloned())
        .chain(data.layout.outcome.items.iter().cloned())
        .collect();
    let (complete, _) = data.dataset.complete_rows(&item_columns)?;
    let too_few = complete.len() <= item_columns.len();
    let scores = if too_few {
        scores_model(data, &latents)?
    } else {
        None
    };
    let (level, model_syntax, moments) = match scores {
        Some((dataset, syntax)) => {
            let columns: Vec<String> = dataset.names().to_vec();
            let moments = SampleMoments::from_dataset(&dataset, &columns)
                .map_err(|e| name_score_columns(e, &latents, data))?;
            (ModelLevel::Scores, syntax, moments)
        }
        None => (
            ModelLevel::Items,
            item_syntax,
            SampleMoments::from_dataset(&data.dataset, &item_columns)?,
        ),
    };
    let spec = ModelSpec::parse_named("the study's model", &model_syntax)?;
    let options = Options {
        likelihood: Likelihood::Wishart,
        ..Options::default()
    };
    let fit = sem::fit(&spec, &moments, &options)?;
    let has_outcome = !data.layout.outcome.items.is_empty();

    let paths: Vec<PathEstimate> = if has_outcome {
        data.layout
            .dimensions
            .iter()
            .zip(&latents)
            .filter_map(|(g, latent)| {
                let e = fit
                    .table
                    .find(OUTCOME_LATENT, Operator::RegressedOn, latent)?;
                Some(PathEstimate {
                    dimension: g.name.clone(),
                    latent: latent.clone(),
                    est: e.value,
                    se: e.se?,
                    z: e.z(),
                    pvalue: e.pvalue(),
                    std_all: e.std_all,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let names: Vec<(String, String)> = latents
        .iter()
        .cloned()
        .zip(data.layout.dimensions.iter().map(|g| g.name.clone()))
        .chain(has_outcome.then(|| (OUTCOME_LATENT.to_owned(), data.layout.outcome.name.clone())))
        .collect();
    let factors: Vec<FactorSummary> = names
        .iter()
        .map(|(latent, name)| {
            let loadings: Vec<f64> = fit
                .table
                .params
                .iter()
                .filter(|e| e.op == Operator::MeasuredBy && &e.lhs == latent)
                .filter_map(|e| e.std_all)
                .collect();
            let rel = fit.reliability.iter().find(|r| &r.factor == latent);
            FactorSummary {
                name: name.clone(),
                latent: latent.clone(),
                indicators: loadings.len(),
                min_loading: loadings.iter().copied().fold(f64::INFINITY, f64::min),
                max_loading: loadings.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                cr: rel.map_or(f64::NAN, |r| r.cr),
                ave: rel.map_or(f64::NAN, |r| r.ave),
            }
        })
        .filter(|f| f.indicators > 0 && f.cr.is_finite() && f.ave.is_finite())
        .collect();
    let outcome_r_squared = has_outcome.then(|| fit.r_squared(OUTCOME_LATENT)).flatten();

    let comparisons = compare(claims, &fit.fit, &paths, p, has_outcome, level);
    let mut notice = notice(claims, &fit, &paths, p, has_outcome, outcome_r_squared);
    if level == ModelLevel::Scores {
        notice[0] = format!(
                "Too few complete respondents ({}) for the item-level model of {} items (its sample covariance would be singular): fitted instead the outcome score regressed on the ten dimension scores. This path model is saturated (df = 0), so its fit indices say nothing; its β and t can still be set against Table 4.",
                complete.len(),
                item_columns.len()
            );
    }
    let figures = figures(claims, &fit.fit, &paths, data, has_outcome)?;
    let ordinal = match level {
        ModelLevel::Items => match ordinal_beside_ml(&spec, data, &item_columns, &fit, &paths) {
            Ok(o) => {
                notice.push(ordinal_notice(&o, p));
                Some(o)
            }
            Err(why) => {
                notice.push(format!(
                    "The items could not be fitted as ordered categories (WLSMV): {why}"
                ));
                None
            }
        },
        ModelLevel::Scores => None,
    };
    let invariance = match level {
        ModelLevel::Items => invariance_across_gender(&spec, data, &item_columns),
        ModelLevel::Scores => None,
    };
    let invariance = match invariance {
        Some(Ok(summary)) => {
            notice.push(invariance_notice(&summary, p));
            Some(summary)
        }
        Some(Err(why)) => {
            notice.push(format!(
                "Measurement invariance across {INVARIANCE_GROUP} could not be tested: {why}"
            ));
            None
        }
        None => None,
    };

    Ok(SemStep {
        id: super::SEM.id,
        title: super::SEM.title,
        provenance: p,
        level,
        model_syntax,
        likelihood: fit.likelihood,
        converged: fit.converged,
        nobs: fit.nobs,
        npar: fit.npar,
        fit: fit.fit.clone(),
        paths,
        outcome_r_squared,
        factors,
        estimates: fit.table.clone(),
        warnings: fit.warnings.clone(),
        ordinal,
        invariance,
        comparisons,
        notice,
        figures,
    })
}

/// What the invariance tests say, and what they can say on these data.
fn invariance_notice(summary: &InvarianceSummary, p: Provenance) -> String {
    let groups: Vec<String> = summary
        .groups
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let first_failure = summary
        .tests
        .iter()
        .find(|t| !(t.holds_by_cfi && t.holds_by_rmsea));
    let verdict = match first_failure {
        None => "every level holds by ΔCFI and ΔRMSEA, up to strict invariance".to_owned(),
        Some(t) => format!(
            "the {} level fails against {} (ΔCFI {}, ΔRMSEA {})",
            t.to,
            t.from,
            fmt_fixed(t.delta_cfi, 4),
            fmt_fixed(t.delta_rmsea, 4)
        ),
    };
    let chisq: Vec<String> = summary
        .tests
        .iter()
        .map(|t| format!("{} p = {}", t.to, fmt_fixed(t.pvalue, 3)))
        .collect();
    let synthetic = if p == Provenance::SyntheticEstimate {
        " The synthetic generator draws the answers independently of gender, so invariance holds in its population by construction: this shows the method, not the study's finding, and the paper reports no such test."
    } else {
        " The paper reports no such test, so these values have no published counterpart."
    };
    format!(
        "Measurement invariance across {} ({}; {}): {verdict}; the χ² difference tests give {}. Only when loadings (metric) and intercepts (scalar) are equal can the dimensions' means be compared between groups.{synthetic}",
        summary.group,
        groups.join(", "),
        p.label(),
        chisq.join(", ")
    )
}

/// Our value of a Table 3 index, by lavaan's name.
fn fit_value(f: &FitMeasures, name: &str) -> Option<f64> {
    Some(match name {
        "chisq" => f.chisq,
        "df" => f.df,
        "gfi" => f.gfi,
        "agfi" => f.agfi,
        "cfi" => f.cfi,
        "tli" => f.tli,
        "nfi" => f.nfi,
        "rmsea" => f.rmsea,
        "srmr" => f.srmr,
        _ => return None,
    })
}

fn compare(
    claims: &Claims,
    f: &FitMeasures,
    paths: &[PathEstimate],
    p: Provenance,
    has_outcome: bool,
    level: ModelLevel,
) -> Vec<Comparison> {
    let mut out = Vec::new();
    if let Some(table3) = &claims.fit {
        for i in &table3.indices {
            let ours = fit_value(f, &i.name);
            let verdict = match ours {
                Some(_) if level == ModelLevel::Scores => Verdict::NotComparable,
                Some(v) => Verdict::for_data(p, Verdict::of_rounding(&i.value, v)),
                None => Verdict::PublishedOnly,
            };
            let c = Comparison::new(
                i.label.clone(),
                &table3.source,
                Some(Value::published(&i.value)),
                ours.map(|v| Value::computed(v, i.value.decimals.max(2) as usize, p)),
                verdict,
            );
            out.push(if level == ModelLevel::Scores {
                c.with_note("a saturated path model on scores (df = 0) has no informative fit")
            } else {
                c
            });
        }
        out.push(
            Comparison::new(
                "degrees of freedom",
                &table3.source,
                None,
                Some(Value::count(f.df.round() as u64, p)),
                Verdict::NotComparable,
            )
            .with_note(
                "the paper reports no df; the audit (step 9) derives the df its χ² and RMSEA allow",
            ),
        );
    }
    if let Some(table4) = &claims.paths {
        for row in &table4.rows {
            let ours = paths.iter().find(|q| q.dimension == row.variable);
            let beta = ours.and_then(|q| q.std_all);
            let z = ours.and_then(|q| q.z);
            let missing = |what: &str| {
                if has_outcome {
                    format!("no {what} for this dimension in the fitted model")
                } else {
                    "the data have no outcome items, so the paths cannot be estimated".to_owned()
                }
            };
            let c = Comparison::new(
                format!("β {} → {}", row.variable, table4.outcome),
                &table4.source,
                Some(Value::published(&row.beta)),
                beta.map(|b| Value::computed(b, 2, p)),
                match beta {
                    Some(b) => Verdict::for_data(p, Verdict::of_rounding(&row.beta, b)),
                    None => Verdict::PublishedOnly,
                },
            );
            out.push(if beta.is_none() {
                c.with_note(missing("β"))
            } else {
                c
            });
            let c = Comparison::new(
                format!("t {} → {}", row.variable, table4.outcome),
                &table4.source,
                Some(Value::published(&row.t)),
                z.map(|t| Value::computed(t, 2, p)),
                match z {
                    Some(t) => Verdict::for_data(p, Verdict::of_rounding(&row.t, t)),
                    None => Verdict::PublishedOnly,
                },
            );
            out.push(if z.is_none() {
                c.with_note(missing("critical ratio"))
            } else {
                c.with_note("t = estimate / SE (AMOS's C.R.)")
            });
        }
    }
    out
}

fn notice(
    claims: &Claims,
    fit: &sem::SemFit,
    paths: &[PathEstimate],
    p: Provenance,
    has_outcome: bool,
    r2: Option<f64>,
) -> Vec<String> {
    let f = &fit.fit;
    let mut out = vec![format!(
        "The paper does not print its model. Fitted here: the ten dimensions as factors measured by their items, {}; maximum likelihood with the Wishart convention of AMOS (χ² = (N − 1)·F). {} free parameters, {} df, {}.",
        if has_outcome {
            "the outcome as a factor of its own items, regressed on all ten"
        } else {
            "covarying freely (the data have no outcome items, so only the measurement model)"
        },
        fit.npar,
        f.df,
        if fit.converged { "converged" } else { "NOT converged" }
    )];
    if p == Provenance::SyntheticEstimate {
        out.push(
            "These estimates come from synthetic data generated from the published model: they show what a fit of the study's shape looks like at n = 385, not what the study found. In particular the generator rescaled Table 4's β (taken jointly they imply R² above 1), so the population paths keep the published order and ratios but not their size, and the estimates here, with SEs of about .05, need not even keep the order."
                .to_owned(),
        );
    }
    if let Some(r2) = r2 {
        out.push(format!(
            "R² of the outcome here: {}. Table 4's ten β, read as joint standardized paths of correlated predictors, would need R² = β'Φβ, which exceeds 1 for any non-negative correlation among the dimensions — a reason to doubt that they come from one model.",
            fmt_fixed(r2, 3)
        ));
    }
    if claims.fit.is_some() {
        out.push(format!(
            "The paper prints no degrees of freedom. The audit (step 9) derives the df that its χ² and RMSEA allow; set them against this model's {} df to judge whether the published fit can belong to a model of this shape.",
            f.df
        ));
    }
    if !paths.is_empty() {
        let significant = paths
            .iter()
            .filter(|q| q.pvalue.is_some_and(|pv| pv < 0.05))
            .count();
        out.push(format!(
            "{significant} of {} paths are significant at .05 here (t = est/SE; |t| > 1.96).",
            paths.len()
        ));
    }
    for w in &fit.warnings {
        out.push(format!("Warning from the fit: {w}"));
    }
    out
}

fn figures(
    claims: &Claims,
    f: &FitMeasures,
    paths: &[PathEstimate],
    data: &StudyData,
    has_outcome: bool,
) -> Result<Vec<StepFigure>> {
    let mut out = Vec::new();
    if has_outcome && !paths.is_empty() {
        let diagram = PathDiagram {
            factors: paths.iter().map(|q| q.dimension.clone()).collect(),
            outcome: data.layout.outcome.name.clone(),
            paths: paths
                .iter()
                .map(|q| PathArrow {
                    from: q.dimension.clone(),
                    to: data.layout.outcome.name.clone(),
                    estimate: q.std_all.unwrap_or(0.0),
                    significant: q.pvalue.is_some_and(|pv| pv < 0.05),
                })
                .collect(),
            caption: Some(format!(
                "Values {} (lavaan's std.all); * p < .05.",
                data.provenance.label()
            )),
        };
        out.push(data_figure(
            super::SEM.figure_file("paths"),
            path_diagram(&diagram)?,
            data,
        ));
    }
    let names: Vec<&str> = match &claims.fit {
        Some(t3) => t3.indices.iter().map(|i| i.name.as_str()).collect(),
        None => vec!["gfi", "agfi", "cfi", "rmsea"],
    };
    let bars: Vec<FitIndexBar> = names
        .iter()
        .filter_map(|n| {
            let (c, higher) = cutoff(n)?;
            Some(FitIndexBar {
                name: n.to_uppercase(),
                value: fit_value(f, n)?,
                cutoff: Some(c),
                higher_is_better: higher,
            })
        })
        .collect();
    if !bars.is_empty() {
        out.push(data_figure(
            super::SEM.figure_file("fit_indices"),
            fit_indices(&bars)?,
            data,
        ));
    }
    if let Some(table4) = &claims.paths {
        let diagram = PathDiagram {
            factors: table4.rows.iter().map(|r| r.variable.clone()).collect(),
            outcome: table4.outcome.clone(),
            paths: table4
                .rows
                .iter()
                .map(|r| PathArrow {
                    from: r.variable.clone(),
                    to: table4.outcome.clone(),
                    estimate: r.beta.value,
                    significant: r.t.value.abs() > 1.96,
                })
                .collect(),
            caption: Some("Published β (Table 4); * when |t| > 1.96".into()),
        };
        out.push(StepFigure {
            file: super::SEM.figure_file("paths_published"),
            provenance: Provenance::Published,
            figure: path_diagram(&diagram)?,
        });
    }
    Ok(out)
}

impl SemStep {
    fn fit_table(&self) -> Table {
        let mut t = sem::output::compact_fit_table(
            "Fit of the study's model",
            self.nobs,
            self.npar,
            self.converged,
            &self.fit,
        );
        t.note("Maximum likelihood, Wishart convention (AMOS): χ² = (N − 1)·F.");
        t
    }

    fn paths_table(&self) -> Table {
        let rows = self.paths.iter().filter_map(|q| {
            let e = self
                .estimates
                .find(OUTCOME_LATENT, Operator::RegressedOn, &q.latent)?;
            Some((q.dimension.clone(), e))
        });
        let mut t = sem::output::paths_table("Structural paths to the outcome", "dimension", rows);
        if let Some(r2) = self.outcome_r_squared {
            t.note(format!("R² of the outcome: {}", fmt_fixed(r2, 3)));
        }
        t
    }

    fn factors_table(&self) -> Table {
        let mut t = Table::new(
            "Measurement model",
            &[
                "factor",
                "latent",
                "items",
                "standardized loadings",
                "CR",
                "AVE",
            ],
        );
        for f in &self.factors {
            t.row(vec![
                f.name.clone(),
                f.latent.clone(),
                f.indicators.to_string(),
                format!(
                    "{} – {}",
                    fmt_fixed(f.min_loading, 2),
                    fmt_fixed(f.max_loading, 2)
                ),
                fmt_fixed(f.cr, 3),
                fmt_fixed(f.ave, 3),
            ]);
        }
        t.note("CR = (Σλ)²/((Σλ)² + Σθ), AVE = Σλ²/k over standardized loadings (Fornell & Larcker 1981).");
        t
    }
}

impl Step for SemStep {
    step_fields!(id, title, provenance, comparisons, notice, figures);
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        let mut tables = vec![self.fit_table()];
        if !self.paths.is_empty() {
            tables.push(self.paths_table());
        }
        tables.push(self.factors_table());
        if let Some(o) = &self.ordinal {
            tables.push(o.table.clone());
        }
        if let Some(inv) = &self.invariance {
            tables.extend(inv.tables.iter().cloned());
        }
        all_with_provenance(tables, self.provenance)
    }
    fn summary(&self) -> String {
        format!(
            "χ² = {} (df {}), CFI = {}, RMSEA = {}{}{} ({})",
            fmt_fixed(self.fit.chisq, 2),
            fmt_fixed(self.fit.df, 0),
            fmt_fixed(self.fit.cfi, 3),
            fmt_fixed(self.fit.rmsea, 3),
            match self.outcome_r_squared {
                Some(r2) => format!(", R² = {}", fmt_fixed(r2, 3)),
                None => String::new(),
            },
            if self.converged {
                ""
            } else {
                ", NOT converged"
            },
            self.provenance.label()
        )
    }
}

impl_step_render!(SemStep);
