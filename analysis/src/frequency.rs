//! Frequency tables: counts → percentages and totals, and a check of
//! published percentages against the counts.
//!
//! * Percentage of a category: `100 · count / N`, N the number of
//!   non-missing observations. Missing values (empty cell or `NA`, see
//!   [`crate::data::is_missing`]) are excluded from N and counted separately.
//! * A published percentage printed with `d` decimals is consistent with the
//!   count when `|100 · count / N − published| ≤ ½ · 10^−d` (plus
//!   [`EPSILON`]): any rounding rule — half up, half to even — of the exact
//!   percentage lands within half a unit of the last printed digit.
//! * GRIM-style check (Brown & Heathers 2017, *Social Psychological and
//!   Personality Science* 8, 363–369, applied to percentages): a published
//!   percentage is possible at all only if some whole count k in 0..=N has
//!   `|100 · k / N − published| ≤ ½ · 10^−d`; the possible counts are
//!   `ceil(N (published − ½·10^−d) / 100) ..= floor(N (published + ½·10^−d) / 100)`.

use crate::data::is_missing;
use crate::error::{AnalysisError, Location, Result};
use crate::render::{fmt_fixed, Render, Table};
use serde::Serialize;

/// Slack, in percentage points, added to the half-unit rounding interval so
/// that a published value exactly on its edge (e.g. 12.45 printed as 12.5)
/// is not rejected because of binary floating-point noise (≈ 1e-14 here).
pub const EPSILON: f64 = 1e-9;

/// One category of a frequency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// The category's label.
    pub group: String,
    /// Observations in it.
    pub count: u64,
    /// `100 · count / total`.
    pub percent: f64,
}

/// Counts and percentages of the categories of one variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyTable {
    /// The variable's name.
    pub variable: String,
    /// Categories in order of first appearance (or as given).
    pub categories: Vec<Category>,
    /// Number of non-missing observations (the denominator of the percentages).
    pub total: u64,
    /// Number of missing observations (empty or `NA`), not in `total`.
    pub missing: u64,
}

impl FrequencyTable {
    /// A table from category counts, in the given order. Fails on no
    /// categories, an empty or repeated label, or a zero total.
    ///
    /// ```
    /// // Hand computation: 143 of 385 is 37.142857… %.
    /// use analysis::frequency::FrequencyTable;
    /// let groups = vec![("Female".to_owned(), 143), ("Male".to_owned(), 242)];
    /// let t = FrequencyTable::from_counts("gender", groups).unwrap();
    /// assert_eq!(t.total, 385);
    /// assert!((t.categories[0].percent - 100.0 * 143.0 / 385.0).abs() < 1e-12);
    /// ```
    pub fn from_counts(
        variable: impl Into<String>,
        groups: Vec<(String, u64)>,
    ) -> Result<FrequencyTable> {
        let variable = variable.into();
        if groups.is_empty() {
            return Err(AnalysisError::invalid_argument(
                "groups",
                format!("of \"{variable}\": none"),
                "at least one category with its count",
            ));
        }
        for (i, (label, _)) in groups.iter().enumerate() {
            if label.trim().is_empty() {
                return Err(AnalysisError::invalid_argument(
                    "group label",
                    format!("\"{label}\" (category {} of \"{variable}\")", i + 1),
                    "a non-empty name",
                ));
            }
            if groups[..i].iter().any(|(l, _)| l == label) {
                return Err(AnalysisError::invalid_argument(
                    "group label",
                    format!("\"{label}\" (category {} of \"{variable}\")", i + 1),
                    "distinct category names (this one appears twice)",
                ));
            }
        }
        let location = Location::default().with_column(&variable);
        FrequencyTable::build(variable, groups, 0, location)
    }

    /// A table counting the categories of `values` in order of first
    /// appearance; missing values (empty or `NA`) are excluded and counted
    /// in `missing`. Labels are trimmed. The variable is unnamed; see
    /// [`FrequencyTable::named`].
    ///
    /// ```
    /// // Hand computation: two "yes" of three answers (the empty cell is missing).
    /// use analysis::frequency::FrequencyTable;
    /// let values = ["yes", "no", "", "yes"].map(String::from);
    /// let t = FrequencyTable::from_values(&values).unwrap();
    /// assert_eq!((t.total, t.missing), (3, 1));
    /// assert_eq!((t.categories[0].group.as_str(), t.categories[0].count), ("yes", 2));
    /// ```
    pub fn from_values(values: &[String]) -> Result<FrequencyTable> {
        let (groups, missing) = count_values(values);
        FrequencyTable::build(String::new(), groups, missing, Location::default())
    }

    /// Counts the categories of a text column of a dataset.
    ///
    /// ```
    /// // Hand computation: three answers, one missing.
    /// use analysis::{frequency::FrequencyTable, Dataset};
    /// let data = Dataset::from_csv_str("survey.csv", "gender\nF\nM\nNA\nF\n").unwrap();
    /// let t = FrequencyTable::from_column(&data, "gender").unwrap();
    /// assert_eq!((t.variable.as_str(), t.total, t.missing), ("gender", 3, 1));
    /// assert!((t.categories[0].percent - 200.0 / 3.0).abs() < 1e-12);
    /// ```
    pub fn from_column(data: &crate::Dataset, column: &str) -> Result<FrequencyTable> {
        let (groups, missing) = count_values(data.text_column(column)?);
        let location = Location::source(&data.source).with_column(column);
        FrequencyTable::build(column.to_owned(), groups, missing, location)
    }

    /// Sets the variable's name.
    pub fn named(mut self, variable: impl Into<String>) -> FrequencyTable {
        self.variable = variable.into();
        self
    }

    fn build(
        variable: String,
        groups: Vec<(String, u64)>,
        missing: u64,
        location: Location,
    ) -> Result<FrequencyTable> {
        let total: u64 = groups.iter().map(|g| g.1).sum();
        if total == 0 {
            return Err(AnalysisError::unsuitable(
                location,
                "no non-missing observations: percentages are undefined",
            ));
        }
        let categories = groups
            .into_iter()
            .map(|(group, count)| Category {
                percent: 100.0 * count as f64 / total as f64,
                group,
                count,
            })
            .collect();
        Ok(FrequencyTable {
            variable,
            categories,
            total,
            missing,
        })
    }

    /// Compares published percentages (one per category, in order), printed
    /// with `decimals` decimals, with the percentages recomputed from the
    /// counts. See the module documentation for the checks.
    ///
    /// ```
    /// // Hand computation: 143/385 = 37.14 %, which rounds to 37.1, not to a
    /// // published 37.2 — yet 37.2 % of 385 is 143.2, so no whole count gives it (GRIM).
    /// use analysis::frequency::FrequencyTable;
    /// let groups = vec![("Female".to_owned(), 143), ("Male".to_owned(), 242)];
    /// let t = FrequencyTable::from_counts("gender", groups).unwrap();
    /// let c = t.compare_published(&[37.2, 62.8], 1).unwrap();
    /// assert!(!c.cells[0].within_rounding);
    /// assert!((c.cells[0].recomputed_rounded - 37.1).abs() < 1e-12);
    /// ```
    pub fn compare_published(
        &self,
        published_percentages: &[f64],
        decimals: u32,
    ) -> Result<PublishedComparison> {
        if published_percentages.len() != self.categories.len() {
            return Err(AnalysisError::invalid_argument(
                "published percentages",
                format!("({} values)", published_percentages.len()),
                &format!(
                    "one per category of \"{}\" ({})",
                    self.variable,
                    self.categories.len()
                ),
            ));
        }
        if decimals > 10 {
            return Err(AnalysisError::invalid_argument(
                "decimals",
                decimals,
                "a number of decimals from 0 to 10",
            ));
        }
        let half_unit = 0.5 * 10f64.powi(-(decimals as i32));
        let n = self.total as f64;
        let mut cells = Vec::with_capacity(self.categories.len());
        for (cat, &published) in self.categories.iter().zip(published_percentages) {
            if !(published.is_finite() && (0.0..=100.0).contains(&published)) {
                return Err(AnalysisError::invalid_argument(
                    "published percentage",
                    format!("{published} (group \"{}\")", cat.group),
                    "a percentage from 0 to 100",
                ));
            }
            let difference = published - cat.percent;
            // Whole counts whose exact percentage lies within half a unit.
            let lowest = (n * (published - half_unit - EPSILON) / 100.0)
                .ceil()
                .max(0.0);
            let highest = (n * (published + half_unit + EPSILON) / 100.0)
                .floor()
                .min(n);
            let possible = lowest <= highest;
            cells.push(CellComparison {
                group: cat.group.clone(),
                count: cat.count,
                recomputed: cat.percent,
                recomputed_rounded: round_to(cat.percent, decimals),
                published,
                difference,
                within_rounding: difference.abs() <= half_unit + EPSILON,
                grim_consistent: possible,
                possible_counts: possible.then_some((lowest as u64, highest as u64)),
            });
        }
        let published_sum: f64 = published_percentages.iter().sum();
        Ok(PublishedComparison {
            variable: self.variable.clone(),
            total: self.total,
            decimals,
            half_unit,
            all_within_rounding: cells.iter().all(|c| c.within_rounding),
            cells,
            published_sum,
        })
    }
}

/// Category counts in order of first appearance, and the number of missing
/// values (empty or `NA`); labels are trimmed.
fn count_values(values: &[String]) -> (Vec<(String, u64)>, u64) {
    let mut groups: Vec<(String, u64)> = Vec::new();
    let mut missing = 0;
    for v in values {
        if is_missing(v) {
            missing += 1;
            continue;
        }
        let label = v.trim();
        match groups.iter_mut().find(|(l, _)| l == label) {
            Some((_, count)) => *count += 1,
            None => groups.push((label.to_owned(), 1)),
        }
    }
    (groups, missing)
}

/// `x` rounded half away from zero to `decimals` decimals (for display next
/// to the published value; the check itself uses the interval, not this).
fn round_to(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (x * scale).round() / scale
}

/// One published percentage against its count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellComparison {
    /// The category.
    pub group: String,
    /// Its count.
    pub count: u64,
    /// `100 · count / N`, unrounded.
    pub recomputed: f64,
    /// `recomputed` rounded half away from zero to the published decimals.
    pub recomputed_rounded: f64,
    /// The published percentage.
    pub published: f64,
    /// `published − recomputed`, in percentage points.
    pub difference: f64,
    /// `|difference| ≤ ½·10^−decimals` (+ [`EPSILON`]): the published value is
    /// a rounding of the recomputed one.
    pub within_rounding: bool,
    /// Some whole count out of N rounds to the published value (GRIM).
    pub grim_consistent: bool,
    /// The whole counts (lowest, highest) that round to the published value.
    pub possible_counts: Option<(u64, u64)>,
}

/// Published percentages of one variable checked against its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedComparison {
    /// The variable.
    pub variable: String,
    /// N, the denominator.
    pub total: u64,
    /// Decimals the percentages were published with.
    pub decimals: u32,
    /// `½ · 10^−decimals`, the largest difference rounding allows.
    pub half_unit: f64,
    /// One comparison per category.
    pub cells: Vec<CellComparison>,
    /// Sum of the published percentages (rounded values need not add to 100).
    pub published_sum: f64,
    /// Every published percentage is a rounding of its count's.
    pub all_within_rounding: bool,
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "NO" }.to_owned()
}

impl Render for FrequencyTable {
    fn tables(&self) -> Vec<Table> {
        let title = if self.variable.is_empty() {
            "Frequencies".to_owned()
        } else {
            format!("Frequencies: {}", self.variable)
        };
        let mut t = Table::new(title, &["group", "n", "%"]);
        for c in &self.categories {
            t.row(vec![
                c.group.clone(),
                c.count.to_string(),
                fmt_fixed(c.percent, 1),
            ]);
        }
        t.row(vec![
            "Total".into(),
            self.total.to_string(),
            fmt_fixed(100.0, 1),
        ]);
        if self.missing > 0 {
            t.note(format!(
                "{} missing value(s) excluded from the total and the percentages.",
                self.missing
            ));
        }
        vec![t]
    }
}

impl Render for PublishedComparison {
    fn tables(&self) -> Vec<Table> {
        let d = self.decimals as usize;
        let mut t = Table::new(
            format!(
                "Published percentages: {} (N = {})",
                self.variable, self.total
            ),
            &[
                "group",
                "n",
                "recomputed %",
                "published %",
                "difference",
                "within rounding",
                "possible counts",
            ],
        );
        for c in &self.cells {
            t.row(vec![
                c.group.clone(),
                c.count.to_string(),
                fmt_fixed(c.recomputed, d + 2),
                fmt_fixed(c.published, d),
                fmt_fixed(c.difference, d + 2),
                yes_no(c.within_rounding),
                match c.possible_counts {
                    Some((lo, hi)) if lo == hi => lo.to_string(),
                    Some((lo, hi)) => format!("{lo}–{hi}"),
                    None => "none (GRIM-inconsistent)".to_owned(),
                },
            ]);
        }
        t.note(format!(
            "A published value is within rounding when it differs from 100·n/N by at most {}.",
            self.half_unit
        ));
        t.note(format!(
            "Published percentages sum to {}.",
            fmt_fixed(self.published_sum, d)
        ));
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_give_percentages_of_the_total() {
        let t = FrequencyTable::from_counts("x", vec![("a".into(), 1), ("b".into(), 3)]).unwrap();
        assert_eq!(t.total, 4);
        assert_eq!(t.categories[0].percent, 25.0);
        assert_eq!(t.categories[1].percent, 75.0);
    }

    #[test]
    fn values_exclude_missing_and_keep_first_appearance_order() {
        let v: Vec<String> = ["b", "a", "", "b", "NA", " a "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t = FrequencyTable::from_values(&v).unwrap().named("v");
        assert_eq!(t.missing, 2);
        assert_eq!(t.total, 4);
        assert_eq!(t.categories[0].group, "b");
        assert_eq!(t.categories[1].group, "a");
        assert_eq!(t.categories[1].count, 2);
        assert!(t.to_text().contains("2 missing value(s)"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_nan() {
        assert!(FrequencyTable::from_counts("x", vec![]).is_err());
        assert!(FrequencyTable::from_counts("x", vec![("a".into(), 0)]).is_err());
        let dup = FrequencyTable::from_counts("x", vec![("a".into(), 1), ("a".into(), 2)]);
        assert!(dup.unwrap_err().to_string().contains("appears twice"));
        let all_missing = vec!["".to_string(), "NA".to_string()];
        assert!(FrequencyTable::from_values(&all_missing).is_err());
        let t = FrequencyTable::from_counts("x", vec![("a".into(), 1)]).unwrap();
        assert!(t.compare_published(&[50.0, 50.0], 1).is_err());
        assert!(t.compare_published(&[f64::NAN], 1).is_err());
        assert!(t.compare_published(&[101.0], 1).is_err());
    }

    #[test]
    fn a_value_on_the_edge_of_the_rounding_interval_is_accepted() {
        // 1/8 = 12.5 % published as 13 (half up) or 12 (half to even).
        let t = FrequencyTable::from_counts("x", vec![("a".into(), 1), ("b".into(), 7)]).unwrap();
        let c = t.compare_published(&[13.0, 87.0], 0).unwrap();
        assert!(c.cells[0].within_rounding && c.cells[1].within_rounding);
        let c = t.compare_published(&[12.0, 88.0], 0).unwrap();
        assert!(c.cells[0].within_rounding && c.cells[1].within_rounding);
        let c = t.compare_published(&[14.0, 86.0], 0).unwrap();
        assert!(!c.cells[0].within_rounding);
        // 14 % and 86 % of 8 are possible for no count (12.5, 25, 75, 87.5).
        assert!(!c.cells[0].grim_consistent && !c.cells[1].grim_consistent);
        assert_eq!(c.cells[1].possible_counts, None);
        // 87 % of 8: only 7 (87.5, on the edge) rounds to it.
        let c = t.compare_published(&[13.0, 87.0], 0).unwrap();
        assert_eq!(c.cells[1].possible_counts, Some((7, 7)));
    }
}
