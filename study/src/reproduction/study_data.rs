//! The data the data-dependent steps run on: the seeded synthetic
//! reconstruction, or a user's CSV with the same columns.
//!
//! # Column layout (a contract shared with `crate::synthetic`)
//! Derived from the claims (Tables 1 and 2), so another study's claims file
//! gives its own layout:
//! - one text column per Table 1 variable, named in snake case
//!   ("Marital status" → `marital_status`): `gender, marital_status, age,
//!   education_level, work_experience`;
//! - one numeric (Likert) column per sub-theme of Table 2: `D{d}_I{k}` is the
//!   k-th sub-theme of the d-th dimension, both in the table's order
//!   (`D1_I1` … `D10_I11`, 78 items);
//! - optional outcome items `CC_I1`, `CC_I2`, … (the paper does not publish
//!   them; the synthetic data have four). Other columns (e.g. precomputed
//!   dimension scores) are ignored.
//!
//! # Dimension scores and missing values
//! A respondent's dimension score is the mean of that dimension's items. If
//! any of them is missing (empty or `NA`) the score is missing: the
//! normality step then drops it for that dimension, the correlation step
//! drops the respondent (listwise). Text in an item column is an error
//! naming the file, line, column and value.

use crate::synthetic::{SyntheticConfig, SyntheticStudy, SYNTHETIC_LABEL};
use analysis::claims::Claims;
use analysis::data::Dataset;
use analysis::error::{AnalysisError, Location, Result};
use analysis::render::Provenance;
use serde::Serialize;
use std::path::Path;

pub use crate::synthetic::demographics::column_name;

/// A Table 1 variable and its column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemographicColumn {
    pub column: String,
    /// As printed in Table 1.
    pub variable: String,
}

/// The item columns of one dimension (or of the outcome).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemGroup {
    /// As printed in Table 2 (or Table 4's outcome).
    pub name: String,
    pub items: Vec<String>,
}

/// Which columns hold what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub demographics: Vec<DemographicColumn>,
    pub dimensions: Vec<ItemGroup>,
    /// Present when the data have `CC_I1`…; empty `items` otherwise.
    pub outcome: ItemGroup,
}

/// Prefix of the outcome items.
pub const OUTCOME_PREFIX: &str = "CC_I";

impl Layout {
    /// The layout the claims imply (Table 1 variables, Table 2 sub-themes);
    /// no outcome items.
    pub fn from_claims(claims: &Claims) -> Result<Layout> {
        let missing = |what: &str| {
            AnalysisError::unsuitable(
                Location::source(format!("claims of {}", claims.study.id)),
                format!("the claims have no {what}, which the study's data layout is built from"),
            )
        };
        let table1 = claims
            .demographics
            .as_ref()
            .ok_or_else(|| missing("Table 1 (demographics)"))?;
        let table2 = claims
            .codebook
            .as_ref()
            .ok_or_else(|| missing("Table 2 (codebook)"))?;
        let demographics = table1
            .variables
            .iter()
            .map(|v| DemographicColumn {
                column: column_name(&v.name),
                variable: v.name.clone(),
            })
            .collect();
        let dimensions = table2
            .dimensions()
            .into_iter()
            .enumerate()
            .map(|(d, name)| {
                let k: usize = table2
                    .entries
                    .iter()
                    .filter(|e| e.dimension == name)
                    .map(|e| e.subthemes.len())
                    .sum();
                ItemGroup {
                    items: (1..=k).map(|i| format!("D{}_I{i}", d + 1)).collect(),
                    name,
                }
            })
            .collect();
        let outcome = claims
            .paths
            .as_ref()
            .map_or_else(|| "Outcome".to_owned(), |p| p.outcome.clone());
        Ok(Layout {
            demographics,
            dimensions,
            outcome: ItemGroup {
                name: outcome,
                items: Vec::new(),
            },
        })
    }

    /// Every column a data file must have, in layout order.
    pub fn required_columns(&self) -> Vec<String> {
        self.demographics
            .iter()
            .map(|d| d.column.clone())
            .chain(self.dimensions.iter().flat_map(|d| d.items.iter().cloned()))
            .collect()
    }
}

/// Study data with their layout and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyData {
    pub dataset: Dataset,
    /// [`Provenance::SyntheticEstimate`] or [`Provenance::UserData`].
    pub provenance: Provenance,
    /// What the data are, in words (says SYNTHETIC for synthetic data).
    pub label: String,
    /// The generator's seed, for synthetic data.
    pub seed: Option<u64>,
    pub layout: Layout,
}

/// What the report says about the data (no absolute paths: the file name only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSummary {
    pub kind: &'static str,
    pub provenance: Provenance,
    pub label: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub respondents: usize,
    pub items: usize,
    pub outcome_items: usize,
}

impl StudyData {
    /// Checks that `dataset` has every column of the claims' layout and
    /// detects the outcome items. A missing column is an error naming it
    /// (and all other missing ones).
    pub fn from_dataset(
        dataset: Dataset,
        claims: &Claims,
        provenance: Provenance,
        label: impl Into<String>,
    ) -> Result<StudyData> {
        let mut layout = Layout::from_claims(claims)?;
        let names = dataset.names();
        let missing: Vec<String> = layout
            .required_columns()
            .into_iter()
            .filter(|c| !names.contains(c))
            .collect();
        if let Some(first) = missing.first() {
            return Err(AnalysisError::unsuitable(
                Location::source(&dataset.source)
                    .with_line(1)
                    .with_column(first.clone()),
                format!(
                    "the header lacks {} column(s) the study layout needs: {} \
                     (expected the Table 1 columns {} and one item column D{{d}}_I{{k}} per sub-theme of Table 2)",
                    missing.len(),
                    missing.join(", "),
                    layout
                        .demographics
                        .iter()
                        .map(|d| d.column.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        layout.outcome.items = (1..)
            .map(|k| format!("{OUTCOME_PREFIX}{k}"))
            .take_while(|c| names.contains(c))
            .collect();
        if dataset.n_rows() == 0 {
            return Err(AnalysisError::unsuitable(
                Location::source(&dataset.source),
                "the file has a header but no respondents",
            ));
        }
        Ok(StudyData {
            dataset,
            provenance,
            label: label.into(),
            seed: None,
            layout,
        })
    }

    /// A user's CSV file with the study's columns ([`Provenance::UserData`]).
    pub fn from_csv(path: impl AsRef<Path>, claims: &Claims) -> Result<StudyData> {
        let path = path.as_ref();
        let dataset = Dataset::from_path(path)?;
        let name = file_name(path);
        StudyData::from_dataset(
            dataset,
            claims,
            Provenance::UserData,
            format!("user data from {name}"),
        )
    }

    /// The seeded synthetic reconstruction ([`crate::synthetic`], default
    /// population model, n = 385), labelled [`Provenance::SyntheticEstimate`].
    /// Also returns the generator's result, whose model the report describes.
    pub fn synthetic(claims: &Claims, seed: u64) -> Result<(StudyData, SyntheticStudy)> {
        let study = SyntheticStudy::generate(
            claims,
            &SyntheticConfig {
                seed,
                ..SyntheticConfig::default()
            },
        )?;
        let mut data = StudyData::from_dataset(
            study.to_dataset()?,
            claims,
            Provenance::SyntheticEstimate,
            SYNTHETIC_LABEL,
        )?;
        data.seed = Some(seed);
        Ok((data, study))
    }

    /// The summary shown in the report and `results.json`.
    pub fn summary(&self) -> DataSummary {
        DataSummary {
            kind: match self.provenance {
                Provenance::SyntheticEstimate => "synthetic",
                _ => "user_csv",
            },
            provenance: self.provenance,
            label: self.label.clone(),
            source: file_name(Path::new(&self.dataset.source)),
            seed: self.seed,
            respondents: self.dataset.n_rows(),
            items: self.layout.dimensions.iter().map(|d| d.items.len()).sum(),
            outcome_items: self.layout.outcome.items.len(),
        }
    }

    /// Per respondent, the mean of each item group (missing if any item is).
    fn group_scores(&self, group: &ItemGroup) -> Result<Vec<Option<f64>>> {
        let columns: Vec<Vec<Option<f64>>> = group
            .items
            .iter()
            .map(|c| self.dataset.numeric_column(c))
            .collect::<Result<_>>()?;
        Ok((0..self.dataset.n_rows())
            .map(|r| {
                let values: Option<Vec<f64>> = columns.iter().map(|c| c[r]).collect();
                values.map(|v| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect())
    }

    /// Dimension scores (columns named as the dimensions, in Table 2 order);
    /// a missing score is an empty cell.
    pub fn dimension_scores(&self) -> Result<Dataset> {
        let columns = self
            .layout
            .dimensions
            .iter()
            .map(|g| {
                let scores = self.group_scores(g)?;
                Ok((
                    g.name.clone(),
                    scores.into_iter().map(|s| s.unwrap_or(f64::NAN)).collect(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Dataset::from_columns(
            format!("dimension scores of {}", self.dataset.source),
            columns,
        )
    }

    /// The outcome score (mean of the `CC_I*` items), if the data have them.
    pub fn outcome_scores(&self) -> Result<Option<Vec<Option<f64>>>> {
        if self.layout.outcome.items.is_empty() {
            return Ok(None);
        }
        self.group_scores(&self.layout.outcome).map(Some)
    }
}

/// The last component of a path, so that no absolute path reaches a report.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::published::contracting_model;

    #[test]
    fn layout_follows_tables_1_and_2() {
        let layout = Layout::from_claims(&contracting_model()).unwrap();
        let demo: Vec<&str> = layout
            .demographics
            .iter()
            .map(|d| d.column.as_str())
            .collect();
        assert_eq!(
            demo,
            [
                "gender",
                "marital_status",
                "age",
                "education_level",
                "work_experience"
            ]
        );
        assert_eq!(layout.dimensions.len(), 10);
        let sizes: Vec<usize> = layout.dimensions.iter().map(|d| d.items.len()).collect();
        assert_eq!(sizes, [12, 7, 11, 8, 12, 6, 3, 2, 6, 11]);
        assert_eq!(layout.dimensions[9].items[10], "D10_I11");
        assert_eq!(layout.required_columns().len(), 5 + 78);
    }

    #[test]
    fn synthetic_data_have_the_layout_and_say_so() {
        let (data, study) = StudyData::synthetic(&contracting_model(), 7).unwrap();
        assert_eq!(data.provenance, Provenance::SyntheticEstimate);
        assert!(data.label.starts_with("SYNTHETIC"));
        assert_eq!(data.seed, Some(7));
        assert_eq!(data.dataset.n_rows(), 385);
        assert_eq!(
            data.layout.outcome.items,
            ["CC_I1", "CC_I2", "CC_I3", "CC_I4"]
        );
        // Our dimension scores are the generator's (item means).
        let scores = data.dimension_scores().unwrap();
        let first = scores.numeric_column("Marketing").unwrap();
        for (r, s) in first.iter().enumerate().take(20) {
            assert!((s.unwrap() - study.dimension_scores[r][7]).abs() < 1e-12);
        }
        assert_eq!(
            data.summary().source,
            "synthetic_contracting_seed7_n385.csv"
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let claims = contracting_model();
        let data = Dataset::from_csv_str("mine.csv", "gender,age\nFemale,30\n").unwrap();
        let e = StudyData::from_dataset(data, &claims, Provenance::UserData, "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("mine.csv, line 1, column \"marital_status\""),
            "{e}"
        );
        assert!(e.contains("81 column(s)") && e.contains("D10_I11"), "{e}");
    }
}
