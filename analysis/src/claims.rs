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
    pub text: String,
    pub value: f64,
    pub decimals: u32,
}

/// The largest magnitude of a printed figure (see [`Reported::parse`]).
pub const MAX_REPORTED: f64 = 1e15;

impl Reported {
    /// Parses a printed number such as "502.88", ".93" or "385".
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub design: String,
    #[serde(default)]
    pub note: String,
}

/// A figure stated in the text of the paper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFigure {
    pub id: String,
    pub quantity: String,
    pub value: Reported,
    /// "above" or "below" when the paper states a bound, not a value.
    #[serde(default)]
    pub comparison: Option<String>,
    pub source: String,
    pub quote: String,
}

/// An ordering of factors stated in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatedOrder {
    pub source: String,
    pub quote: String,
    pub order: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group: String,
    pub frequency: Reported,
    pub percent: Reported,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTotal {
    pub frequency: Reported,
    pub percent: Reported,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemographicVariable {
    pub name: String,
    pub groups: Vec<GroupCount>,
    /// The total row, where the table prints one for this variable.
    #[serde(default)]
    pub total: Option<CountTotal>,
}

/// Table 1: respondents' characteristics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demographics {
    pub source: String,
    pub n: Reported,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubTheme {
    pub name: String,
    pub repetitions: Reported,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeEntry {
    pub dimension: String,
    pub row: u32,
    pub theme: String,
    pub subthemes: Vec<SubTheme>,
}

/// Table 2: dimension → theme → sub-themes with repetitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedCodebook {
    pub source: String,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitIndex {
    /// lavaan's name: chisq, gfi, agfi, cfi, rmsea, ...
    pub name: String,
    /// As labelled in the paper.
    pub label: String,
    pub value: Reported,
}

/// Table 3: fit indices of the SEM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFit {
    pub source: String,
    pub indices: Vec<FitIndex>,
}

impl PublishedFit {
    pub fn get(&self, name: &str) -> Option<&Reported> {
        self.indices
            .iter()
            .find(|i| i.name == name)
            .map(|i| &i.value)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRow {
    pub hypothesis: u32,
    pub variable: String,
    pub beta: Reported,
    pub t: Reported,
    pub rank: u32,
    pub result: String,
}

/// Table 4: paths from each dimension to the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedPaths {
    pub source: String,
    pub outcome: String,
    pub rows: Vec<PathRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanRankRow {
    pub dimension: String,
    pub mean_rank: Reported,
    pub rank: u32,
}

/// Table 5: Friedman mean ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFriedman {
    pub source: String,
    pub rows: Vec<MeanRankRow>,
}

/// Themes named in the text (the second paper publishes only these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedThemes {
    pub source: String,
    pub quote: String,
    pub names: Vec<String>,
    #[serde(default)]
    pub most_important: Vec<String>,
    #[serde(default)]
    pub highest_consensus_topics: Vec<String>,
}

/// Everything a paper publishes that the product knows how to use. Every
/// section is optional: another study's claims file carries what it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub format: String,
    pub study: StudyInfo,
    #[serde(default)]
    pub figures: Vec<TextFigure>,
    #[serde(default)]
    pub abstract_ranking: Option<StatedOrder>,
    #[serde(default)]
    pub demographics: Option<Demographics>,
    #[serde(default)]
    pub codebook: Option<PublishedCodebook>,
    #[serde(default)]
    pub fit: Option<PublishedFit>,
    #[serde(default)]
    pub paths: Option<PublishedPaths>,
    #[serde(default)]
    pub friedman: Option<PublishedFriedman>,
    #[serde(default)]
    pub themes: Option<PublishedThemes>,
}

pub const CLAIMS_FORMAT: &str = "paraclinic-claims/1";

impl Claims {
    /// Parses a claims file; errors give the line and column in the JSON.
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
