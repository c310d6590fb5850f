//! The figures a paper publishes, as data ("claims").
//!
//! A claims file is JSON (format `paraclinic-claims/1`): every number is kept
//! as the text printed in the paper, so that its precision is known — the
//! audit needs to know that ".93" was rounded to two decimals — and every
//! figure says where in the paper it stands (`source`: "Table 1" … "Abstract",
//! "Methods", "Results"). The format is the same for every study; this
//! crate embeds no paper's figures (the paraclinic study's claims files live
//! in `notebooks/data/published/` and are embedded by the `study` crate).

use crate::error::{read_text, AnalysisError, Location, Result};
use serde::{Deserialize, Serialize};

/// A number as printed: its text, its value, and its count of decimals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reported {
    /// The figure exactly as printed, e.g. ".93".
    pub text: String,
    /// The printed figure as a number.
    pub value: f64,
    /// How many decimals were printed (0 for "385"); sets the rounding interval.
    pub decimals: u32,
}

/// The largest magnitude of a printed figure (see [`Reported::parse`]).
pub const MAX_REPORTED: f64 = 1e15;

impl Reported {
    /// Parses a printed number such as "502.88", ".93" or "385".
    ///
    /// ```
    /// use analysis::claims::Reported;
    ///
    /// let r = Reported::parse(".93").unwrap();
    /// assert_eq!((r.value, r.decimals), (0.93, 2));
    /// let (lo, hi) = r.interval();
    /// assert!((lo - 0.925).abs() < 1e-12 && (hi - 0.935).abs() < 1e-12);
    /// assert!(Reported::parse("1e3").is_none()); // exponents are not printed figures
    /// ```
    pub fn parse(text: &str) -> Option<Reported> {
        let t = text.trim();
        let value: f64 = t.parse().ok()?;
        // Beyond 1e15 a printed figure is no longer exact in f64 (whole
        // numbers are exact to 2^53 ≈ 9e15), and no paper prints one: a
        // count of 18446744073709551615 is an overflow, not a figure.
        if !value.is_finite() || t.contains(['e', 'E']) || value.abs() >= MAX_REPORTED {
            return None;
        }
        let decimals = t.split_once('.').map_or(0, |(_, frac)| frac.len() as u32);
        Some(Reported {
            text: t.to_owned(),
            value,
            decimals,
        })
    }

    /// Half a unit in the last printed place: the rounding error the printed
    /// value allows.
    pub fn half_unit(&self) -> f64 {
        0.5 * 10f64.powi(-(self.decimals as i32))
    }

    /// The interval of true values that print as this text when rounded.
    pub fn interval(&self) -> (f64, f64) {
        (self.value - self.half_unit(), self.value + self.half_unit())
    }
}

impl<'de> Deserialize<'de> for Reported {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Reported::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "found \"{}\", expected a number as printed, as a string (e.g. \".93\"), without an exponent and below 1e15 in magnitude",
                crate::error::shorten(&text)
            ))
        })
    }
}

/// Which paper the claims are from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    /// Short identifier of the study, e.g. used in file names.
    pub id: String,
    /// The paper's title.
    pub title: String,
    /// The study design in words (e.g. "mixed methods: Delphi, survey, SEM"); may be empty.
    #[serde(default)]
    pub design: String,
    /// Free remarks on the claims file (transcription choices, errata); may be empty.
    #[serde(default)]
    pub note: String,
}

/// A figure stated in the text of the paper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFigure {
    /// Stable identifier used by audit checks to find this figure.
    pub id: String,
    /// What the figure measures, in words.
    pub quantity: String,
    /// The figure as printed.
    pub value: Reported,
    /// "above" or "below" when the paper states a bound, not a value.
    #[serde(default)]
    pub comparison: Option<String>,
    /// Where in the paper it stands: "Abstract", "Methods", "Results", …
    pub source: String,
    /// The sentence of the paper that states it, verbatim.
    pub quote: String,
}

/// An ordering of factors stated in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatedOrder {
    /// Where in the paper the order is stated.
    pub source: String,
    /// The sentence that states it, verbatim.
    pub quote: String,
    /// The factors from first (most important) to last, as named in the paper.
    pub order: Vec<String>,
}

/// One group of a demographic variable: its printed count and percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    /// The group as labelled in the table, e.g. "Female".
    pub group: String,
    /// Its printed count of respondents.
    pub frequency: Reported,
    /// Its printed percentage of the sample (0–100).
    pub percent: Reported,
}

/// The total row of a demographic variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTotal {
    /// The printed total count.
    pub frequency: Reported,
    /// The printed total percentage (normally "100").
    pub percent: Reported,
}

/// One variable of the characteristics table (e.g. gender) and its groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemographicVariable {
    /// The variable as labelled, e.g. "Gender".
    pub name: String,
    /// Its groups, in table order.
    pub groups: Vec<GroupCount>,
    /// The total row, where the table prints one for this variable.
    #[serde(default)]
    pub total: Option<CountTotal>,
}

/// Table 1: respondents' characteristics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demographics {
    /// Where in the paper the figures stand, e.g. "Table 1".
    pub source: String,
    /// The sample size the table states.
    pub n: Reported,
    /// The variables, in table order.
    pub variables: Vec<DemographicVariable>,
}

impl Demographics {
    /// The published frequencies, one bar group per variable (for plotting).
    pub fn bar_groups(&self) -> Vec<crate::plots::BarGroup> {
        self.variables
            .iter()
            .map(|v| crate::plots::BarGroup {
                name: v.name.clone(),
                bars: v
                    .groups
                    .iter()
                    .map(|g| (g.group.clone(), g.frequency.value))
                    .collect(),
            })
            .collect()
    }
}

/// A sub-theme of the codebook and how often it was mentioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubTheme {
    /// The sub-theme as named in the table.
    pub name: String,
    /// How many times experts mentioned it, as printed.
    pub repetitions: Reported,
}

/// One theme of the codebook table with its sub-themes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeEntry {
    /// The dimension (factor) the theme belongs to.
    pub dimension: String,
    /// The row number printed in the table.
    pub row: u32,
    /// The theme as named.
    pub theme: String,
    /// Its sub-themes, in table order.
    pub subthemes: Vec<SubTheme>,
}

/// Table 2: dimension → theme → sub-themes with repetitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedCodebook {
    /// Where in the paper the figures stand, e.g. "Table 1".
    pub source: String,
    /// One entry per theme, in table order.
    pub entries: Vec<ThemeEntry>,
}

impl PublishedCodebook {
    /// Dimensions in the order the table first lists them.
    pub fn dimensions(&self) -> Vec<String> {
        let mut dims: Vec<String> = Vec::new();
        for e in &self.entries {
            if !dims.contains(&e.dimension) {
                dims.push(e.dimension.clone());
            }
        }
        dims
    }
}

/// One published fit index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitIndex {
    /// lavaan's name: chisq, gfi, agfi, cfi, rmsea, ...
    pub name: String,
    /// As labelled in the paper.
    pub label: String,
    /// The index as printed.
    pub value: Reported,
}

/// Table 3: fit indices of the SEM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFit {
    /// Where in the paper the figures stand, e.g. "Table 1".
    pub source: String,
    /// The indices, in table order.
    pub indices: Vec<FitIndex>,
}

impl PublishedFit {
    /// The printed value of the index with lavaan name `name` (e.g. "rmsea"), if the table gives it.
    pub fn get(&self, name: &str) -> Option<&Reported> {
        self.indices
            .iter()
            .find(|i| i.name == name)
            .map(|i| &i.value)
    }
}

/// One row of the path table: a hypothesised path and its printed estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRow {
    /// The hypothesis number (H1, H2, … as 1, 2, …).
    pub hypothesis: u32,
    /// The dimension whose path to the outcome this row reports.
    pub variable: String,
    /// The printed standardized path coefficient.
    pub beta: Reported,
    /// The printed t (critical ratio) of the path.
    pub t: Reported,
    /// The rank of the path as printed (1 = strongest).
    pub rank: u32,
    /// The verdict printed for the hypothesis, e.g. "Supported".
    pub result: String,
}

/// Table 4: paths from each dimension to the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedPaths {
    /// Where in the paper the figures stand, e.g. "Table 1".
    pub source: String,
    /// The outcome (dependent) variable the paths lead to.
    pub outcome: String,
    /// One row per hypothesis, in table order.
    pub rows: Vec<PathRow>,
}

/// One row of the Friedman table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanRankRow {
    /// The dimension ranked.
    pub dimension: String,
    /// Its printed Friedman mean rank.
    pub mean_rank: Reported,
    /// Its printed rank (1 = highest mean rank).
    pub rank: u32,
}

/// Table 5: Friedman mean ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFriedman {
    /// Where in the paper the figures stand, e.g. "Table 1".
    pub source: String,
    /// One row per dimension, in table order.
    pub rows: Vec<MeanRankRow>,
}

/// Themes named in the text (all that our copy of the second paper, its abstract, gives).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedThemes {
    /// Where in the paper the themes are named.
    pub source: String,
    /// The sentence naming them, verbatim.
    pub quote: String,
    /// The themes, in the order named.
    pub names: Vec<String>,
    /// Themes the paper calls most important (empty if it names none).
    #[serde(default)]
    pub most_important: Vec<String>,
    /// Topics the paper says reached the highest consensus (empty if none).
    #[serde(default)]
    pub highest_consensus_topics: Vec<String>,
}

/// Everything a paper publishes that the product knows how to use. Every
/// section is optional: another study's claims file carries what it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Must be [`CLAIMS_FORMAT`].
    pub format: String,
    /// Which paper these are the figures of.
    pub study: StudyInfo,
    /// Figures stated in the running text.
    #[serde(default)]
    pub figures: Vec<TextFigure>,
    /// The order of factors the abstract states, if any.
    #[serde(default)]
    pub abstract_ranking: Option<StatedOrder>,
    /// The respondents' characteristics table, if published.
    #[serde(default)]
    pub demographics: Option<Demographics>,
    /// The themes and sub-themes table, if published.
    #[serde(default)]
    pub codebook: Option<PublishedCodebook>,
    /// The SEM fit indices table, if published.
    #[serde(default)]
    pub fit: Option<PublishedFit>,
    /// The SEM path coefficients table, if published.
    #[serde(default)]
    pub paths: Option<PublishedPaths>,
    /// The Friedman mean ranks table, if published.
    #[serde(default)]
    pub friedman: Option<PublishedFriedman>,
    /// Themes named only in the text, if any.
    #[serde(default)]
    pub themes: Option<PublishedThemes>,
}

/// The format tag every claims file carries in its `format` key.
pub const CLAIMS_FORMAT: &str = "paraclinic-claims/1";

impl Claims {
    /// Parses a claims file; errors give the line and column in the JSON.
    /// `source` names the file in error messages.
    ///
    /// ```
    /// use analysis::claims::Claims;
    ///
    /// let claims = Claims::from_json_str("example.json", r#"{
    ///   "format": "paraclinic-claims/1",
    ///   "study": {"id": "example", "title": "An example"},
    ///   "figures": [{"id": "analysable", "quantity": "usable questionnaires",
    ///                "value": "385", "source": "Methods", "quote": "385 were analysed"}],
    ///   "fit": {"source": "Table 3", "indices": [
    ///     {"name": "rmsea", "label": "RMSEA", "value": ".061"}]}
    /// }"#).unwrap();
    /// assert_eq!(claims.figure("analysable").unwrap().value.value, 385.0);
    /// let rmsea = claims.fit.as_ref().unwrap().get("rmsea").unwrap();
    /// assert_eq!((rmsea.value, rmsea.decimals, rmsea.text.as_str()), (0.061, 3, ".061"));
    /// assert!(claims.demographics.is_none());
    ///
    /// // A wrong format tag is refused, naming the file and the value found.
    /// let err = Claims::from_json_str("old.json", r#"{"format": "v0",
    ///   "study": {"id": "x", "title": "x"}}"#).unwrap_err().to_string();
    /// assert!(err.starts_with("old.json") && err.contains("v0"), "{err}");
    /// ```
    pub fn from_json_str(source: &str, text: &str) -> Result<Claims> {
        let claims: Claims = serde_json::from_str(text).map_err(|e| {
            let loc = Location::source(source)
                .with_line(e.line() as u64)
                .with_char_column(e.column());
            AnalysisError::input(loc, None, format!("a {CLAIMS_FORMAT} claims file ({e})"))
        })?;
        if claims.format != CLAIMS_FORMAT {
            return Err(AnalysisError::input(
                Location::source(source),
                Some(&claims.format),
                format!("\"format\": \"{CLAIMS_FORMAT}\""),
            ));
        }
        Ok(claims)
    }

    /// Reads and parses a claims file from disk (see [`Claims::from_json_str`]).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Claims> {
        let (name, text) = read_text(path.as_ref())?;
        Claims::from_json_str(&name, &text)
    }

    /// A figure stated in the text, by id.
    pub fn figure(&self, id: &str) -> Option<&TextFigure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_keeps_printed_precision() {
        let r = Reported::parse(".93").unwrap();
        assert_eq!((r.value, r.decimals), (0.93, 2));
        assert!((r.interval().0 - 0.925).abs() < 1e-12);
        assert_eq!(Reported::parse("385").unwrap().decimals, 0);
        assert!(Reported::parse("abc").is_none());
        assert!(Reported::parse("NaN").is_none());
    }

    #[test]
    fn bad_claims_file_points_at_line_and_column() {
        let e = Claims::from_json_str("c.json", "{\n \"format\": 3\n}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.json, line 2, column"), "{e}");
        let e = Claims::from_json_str(
            "c.json",
            r#"{"format":"paraclinic-claims/1","study":{"id":"x","title":"t"},"figures":[{"id":"a","quantity":"q","value":"1.2.3","source":"Abstract","quote":"q"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("found \\\"1.2.3\\\"") || e.contains("found \"1.2.3\""),
            "{e}"
        );
    }
}
