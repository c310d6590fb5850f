//! Step 4 — normality: the paper's Kolmogorov–Smirnov check ("the
//! significance level for all variables was above 0.05") run on the
//! dimension scores of the data, with Lilliefors and Shapiro–Wilk beside it,
//! and on every questionnaire item.
//!
//! Missing values: a dimension score is missing when one of its items is
//! (see [`super::study_data`]); each variable drops its own missing values.

use super::common::{
    data_figure, impl_step_render, step_fields, Bound, Comparison, ProvTable, Step, StepFigure,
    Value, Verdict,
};
use super::study_data::column_name;
use super::study_data::StudyData;
use analysis::claims::Claims;
use analysis::error::Result;
use analysis::normality::{normality, NormalityReport};
use analysis::plots::histogram_qq;
use analysis::render::{fmt_p, Provenance, Render};
use serde::Serialize;

/// The significance level the paper tests at when the claims give none.
pub const ALPHA: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalityStep {
    pub id: &'static str,
    pub title: &'static str,
    /// Provenance of every statistic below (the data's).
    pub provenance: Provenance,
    /// The significance level (the paper's stated bound, else [`ALPHA`]).
    pub level: f64,
    /// Per dimension score.
    pub dimensions: NormalityReport,
    /// Per item (Likert answers).
    pub items: NormalityReport,
    /// Dimension scores / items whose KS p (SciPy's rule) exceeds the level.
    pub dimensions_ks_above: usize,
    pub items_ks_above: usize,
    pub dimensions_lilliefors_above: usize,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Histogram and normal Q-Q plot of each dimension score.
    pub figures: Vec<StepFigure>,
}

/// KS, Lilliefors and Shapiro–Wilk on the dimension scores and the items.
/// `claims` supplies the published statement (if any) to compare with.
pub fn run(claims: &Claims, data: &StudyData) -> Result<NormalityStep> {
    let p = data.provenance;
    let scores = data.dimension_scores()?;
    let dimensions = normality(&scores, None)?;
    let item_columns: Vec<String> = data
        .layout
        .dimensions
        .iter()
        .flat_map(|d| d.items.iter().cloned())
        .collect();
    let items = normality(&data.dataset, Some(&item_columns))?;
    let published = claims.figure("ks_significance");
    let level = published.map_or(ALPHA, |f| f.value.value);
    let above =
        |r: &NormalityReport,
         f: &dyn Fn(&analysis::normality::VariableNormality) -> Option<f64>| {
            r.variables
                .iter()
                .filter(|v| f(v).is_some_and(|p| p > level))
                .count()
        };
    let dimensions_ks_above = above(&dimensions, &|v| Some(v.ks_pvalue));
    let items_ks_above = above(&items, &|v| Some(v.ks_pvalue));
    let dimensions_lilliefors_above = above(&dimensions, &|v| v.lilliefors_pvalue);
    let min_by =
        |r: &NormalityReport,
         f: &dyn Fn(&analysis::normality::VariableNormality) -> Option<f64>| {
            r.variables
                .iter()
                .filter_map(|v| f(v).map(|p| (p, v.name.clone())))
                .min_by(|a, b| a.0.total_cmp(&b.0))
        };

    let mut comparisons = Vec::new();
    let source = published.map_or_else(String::new, |f| f.source.clone());
    let published_value = published.map(|f| Value::published_bound(&f.value, Bound::Above));
    let verdict_for = |x: f64| match published {
        Some(_) => Verdict::for_data(p, Verdict::of_bound(level, Bound::Above, x)),
        None => Verdict::NotComparable,
    };
    if let Some((min_p, name)) = min_by(&dimensions, &|v| Some(v.ks_pvalue)) {
        comparisons.push(
            Comparison::new(
                "smallest KS p over the dimension scores",
                &source,
                published_value.clone(),
                Some(Value::with_text(min_p, fmt_p(min_p), p)),
                verdict_for(min_p),
            )
            .with_note(format!(
                "{name}; {dimensions_ks_above} of {} dimension scores have p > {level}",
                dimensions.variables.len()
            )),
        );
    }
    if let Some((min_p, name)) = min_by(&dimensions, &|v| v.lilliefors_pvalue) {
        comparisons.push(
            Comparison::new(
                "smallest Lilliefors p over the dimension scores",
                &source,
                published_value.clone(),
                Some(Value::with_text(min_p, fmt_p(min_p), p)),
                verdict_for(min_p),
            )
            .with_note(format!(
                "{name}; {dimensions_lilliefors_above} of {} above {level}; Lilliefors corrects KS for the estimated mean and SD",
                dimensions.variables.len()
            )),
        );
    }
    if let Some((min_p, name)) = min_by(&items, &|v| Some(v.ks_pvalue)) {
        comparisons.push(
            Comparison::new(
                "smallest KS p over the items",
                &source,
                published_value.clone(),
                Some(Value::with_text(min_p, fmt_p(min_p), p)),
                verdict_for(min_p),
            )
            .with_note(format!(
                "{name}; {items_ks_above} of {} items have p > {level}",
                items.variables.len()
            )),
        );
    }

    let mut notice = vec![
        "The paper does not say which variables it tested (items or dimension scores) nor which KS p-value (with estimated or given mean and SD) it used; both readings are shown.".to_owned(),
        format!(
            "Likert answers take five values, so at n = {} each item has hundreds of ties and the KS test against a continuous normal rejects almost surely: {} of {} items pass here. Means of several items are smoother, which is why dimension scores fare better.",
            data.dataset.n_rows(),
            items_ks_above,
            items.variables.len()
        ),
        "The paper writes \"above 0.05 %\"; 0.05 (5 %) is meant. Passing a normality test does not prove normality, and with n = 385 SEM by maximum likelihood is robust to mild non-normality anyway.".to_owned(),
    ];
    if p == Provenance::SyntheticEstimate {
        notice.push("These p-values come from synthetic data drawn from a normal latent model cut into five categories: they show what such data give, not what the study's data gave.".to_owned());
    }
    let mut figures = Vec::new();
    for name in scores.names() {
        let values = scores.numeric_values(name)?;
        figures.push(data_figure(
            super::NORMALITY.figure_file(&column_name(name)),
            histogram_qq(&format!("{name} score"), &values)?,
            data,
        ));
    }
    Ok(NormalityStep {
        id: super::NORMALITY.id,
        title: super::NORMALITY.title,
        provenance: p,
        level,
        dimensions,
        items,
        dimensions_ks_above,
        items_ks_above,
        dimensions_lilliefors_above,
        comparisons,
        notice,
        figures,
    })
}

impl Step for NormalityStep {
    step_fields!(id, title, provenance, comparisons, notice, figures);
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        let mut out = Vec::new();
        for (label, r) in [
            ("dimension scores", &self.dimensions),
            ("items", &self.items),
        ] {
            for mut t in r.tables() {
                t.title = format!("Normality of the {label}");
                out.push(ProvTable {
                    provenance: self.provenance,
                    table: t,
                });
            }
        }
        out
    }
    fn summary(&self) -> String {
        format!(
            "KS p > {} for {} of {} dimension scores and {} of {} items ({})",
            self.level,
            self.dimensions_ks_above,
            self.dimensions.variables.len(),
            self.items_ks_above,
            self.items.variables.len(),
            self.provenance.label()
        )
    }
}

impl_step_render!(NormalityStep);
