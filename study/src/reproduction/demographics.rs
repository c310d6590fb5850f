//! Step 2 — demographics (Table 1): every published percentage recomputed
//! from its count, checked against rounding and for possibility (GRIM), and,
//! when data are given, the frequency tables of the data next to Table 1.

use super::common::{
    impl_step_render, step_fields, Comparison, ProvTable, Step, StepFigure, Value, Verdict,
};
use super::study_data::StudyData;
use analysis::claims::Claims;
use analysis::error::{AnalysisError, Location, Result};
use analysis::frequency::{FrequencyTable, PublishedComparison};
use analysis::plots::demographic_bars;
use analysis::render::{fmt_fixed, Provenance, Render};
use serde::Serialize;

/// Table 1 in the data, for one variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFrequencies {
    pub column: String,
    pub provenance: Provenance,
    pub table: FrequencyTable,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemographicsStep {
    pub id: &'static str,
    pub title: &'static str,
    /// N as printed.
    pub n: f64,
    /// Per variable: published percentages against 100·count/N (recomputed).
    pub published_check: Vec<PublishedComparison>,
    /// Per variable: the data's frequency table, when data are given.
    pub from_data: Vec<DataFrequencies>,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
    /// Table 1 as bars (published counts).
    pub figures: Vec<StepFigure>,
}

fn whole_count(x: f64, location: impl Fn() -> Location, text: &str) -> Result<u64> {
    if x >= 0.0 && x.fract() == 0.0 {
        Ok(x as u64)
    } else {
        Err(AnalysisError::input(
            location(),
            Some(text),
            "a whole count",
        ))
    }
}

/// Recomputes Table 1's percentages; with `data`, also tabulates the data.
pub fn run(claims: &Claims, data: Option<&StudyData>) -> Result<DemographicsStep> {
    let table1 = claims.demographics.as_ref().ok_or_else(|| {
        AnalysisError::unsuitable(
            Location::source(format!("claims of {}", claims.study.id)),
            "the claims have no demographics table (Table 1)",
        )
    })?;
    let mut published_check = Vec::new();
    let mut comparisons = Vec::new();
    let mut flagged = Vec::new();
    for var in &table1.variables {
        let loc = || Location::source(&table1.source).with_column(&var.name);
        let groups = var
            .groups
            .iter()
            .map(|g| {
                Ok((
                    g.group.clone(),
                    whole_count(g.frequency.value, loc, &g.frequency.text)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let freq = FrequencyTable::from_counts(&var.name, groups)?;
        let decimals = var
            .groups
            .iter()
            .map(|g| g.percent.decimals)
            .max()
            .unwrap_or(0);
        let percents: Vec<f64> = var.groups.iter().map(|g| g.percent.value).collect();
        let check = freq.compare_published(&percents, decimals)?;
        comparisons.push(
            Comparison::new(
                format!("{}: total of the counts", var.name),
                &table1.source,
                Some(Value::published(&table1.n)),
                Some(Value::count(freq.total, Provenance::Recomputed)),
                Verdict::of_rounding(&table1.n, freq.total as f64),
            )
            .with_note("sum of the group frequencies"),
        );
        for (g, cell) in var.groups.iter().zip(&check.cells) {
            let verdict = Verdict::of_rounding(&g.percent, cell.recomputed);
            let note = if verdict == Verdict::Agrees {
                format!("{} / {}", cell.count, freq.total)
            } else {
                let possible = match cell.possible_counts {
                    Some((lo, hi)) if lo == hi => {
                        format!("only a count of {lo} prints as {} %", g.percent.text)
                    }
                    Some((lo, hi)) => format!("counts {lo}–{hi} print as {} %", g.percent.text),
                    None => format!(
                        "no whole count out of {} prints as {} % (GRIM-inconsistent)",
                        freq.total, g.percent.text
                    ),
                };
                flagged.push(format!(
                    "{} \"{}\": {} / {} = {} %, printed {} %; {possible}.",
                    var.name,
                    g.group,
                    cell.count,
                    freq.total,
                    fmt_fixed(cell.recomputed, 2),
                    g.percent.text
                ));
                format!(
                    "{} / {} rounds to {}; {possible}",
                    cell.count,
                    freq.total,
                    fmt_fixed(cell.recomputed_rounded, decimals as usize)
                )
            };
            comparisons.push(
                Comparison::new(
                    format!("{}: {} (%)", var.name, g.group),
                    &table1.source,
                    Some(Value::published(&g.percent)),
                    Some(Value::computed(
                        cell.recomputed,
                        decimals as usize + 2,
                        Provenance::Recomputed,
                    )),
                    verdict,
                )
                .with_note(note),
            );
        }
        published_check.push(check);
    }

    let mut from_data = Vec::new();
    if let Some(data) = data {
        for column in &data.layout.demographics {
            let table =
                FrequencyTable::from_column(&data.dataset, &column.column)?.named(&column.variable);
            let published = table1.variables.iter().find(|v| v.name == column.variable);
            if let Some(published) = published {
                for g in &published.groups {
                    let ours = table
                        .categories
                        .iter()
                        .find(|c| c.group == g.group)
                        .map_or(0, |c| c.count);
                    let agrees = Verdict::of_rounding(&g.frequency, ours as f64);
                    comparisons.push(
                        Comparison::new(
                            format!("{}: {} (n in the data)", column.variable, g.group),
                            &table1.source,
                            Some(Value::published(&g.frequency)),
                            Some(Value::count(ours, data.provenance)),
                            Verdict::for_data(data.provenance, agrees),
                        )
                        .with_note(
                            if data.provenance == Provenance::SyntheticEstimate {
                                "equal by construction: the generator draws Table 1's counts"
                            } else {
                                ""
                            },
                        ),
                    );
                }
            }
            from_data.push(DataFrequencies {
                column: column.column.clone(),
                provenance: data.provenance,
                table,
            });
        }
    }

    let mut notice = Vec::new();
    if flagged.is_empty() {
        notice.push("Every published percentage is its count over N, rounded.".to_owned());
    } else {
        notice.push(format!(
            "{} published percentage(s) do not match their counts: {}",
            flagged.len(),
            flagged.join(" ")
        ));
    }
    notice.push("Table 1 gives only the margins of each variable, so any cross-tabulation (e.g. age by experience) is unknown; the synthetic respondents draw each variable independently.".to_owned());
    let groups = table1.bar_groups();
    let figures = vec![StepFigure {
        file: super::DEMOGRAPHICS.figure_file("table1"),
        provenance: Provenance::Published,
        figure: demographic_bars(&groups, "Respondents (Table 1, published counts)")?,
    }];
    Ok(DemographicsStep {
        id: super::DEMOGRAPHICS.id,
        title: super::DEMOGRAPHICS.title,
        n: table1.n.value,
        published_check,
        from_data,
        comparisons,
        notice,
        figures,
    })
}

impl Step for DemographicsStep {
    step_fields!(id, title, comparisons, notice, figures);
    fn provenance(&self) -> Provenance {
        Provenance::Recomputed
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        self.from_data
            .iter()
            .flat_map(|f| {
                f.table.tables().into_iter().map(|mut t| {
                    t.title = format!("{} in the data", f.table.variable);
                    ProvTable {
                        provenance: f.provenance,
                        table: t,
                    }
                })
            })
            .collect()
    }
    fn summary(&self) -> String {
        let cells: usize = self.published_check.iter().map(|c| c.cells.len()).sum();
        let bad: usize = self
            .published_check
            .iter()
            .flat_map(|c| &c.cells)
            .filter(|c| !c.within_rounding)
            .count();
        format!("{cells} published percentages recomputed, {bad} inconsistent with their counts")
    }
}

impl_step_render!(DemographicsStep);
