//! Codebook of a thematic analysis: dimension → theme → sub-theme, with the
//! number of times each sub-theme was coded (its repetitions).
//!
//! Data file (a contract shared with the published-data work): CSV with the
//! header `dimension,row,theme,subtheme,repetitions`, one line per
//! sub-theme; `row` is the theme's row number in the published table. E.g.
//!
//! ```text
//! dimension,row,theme,subtheme,repetitions
//! Demographic factors,1,Center-to-population ratio,Spatial range,13
//! ```
//!
//! A line with an empty `subtheme` and empty `repetitions` declares a theme
//! without sub-themes (reported by [`Codebook::validate`] as an empty theme).
//!
//! Loading fails (with file, line, column and value) only when the file
//! cannot be read as a codebook at all: a missing column, a row number that
//! is not a whole number ≥ 1, repetitions that are not a number. Everything
//! else an audit wants to report — duplicate sub-themes, a theme under two
//! dimensions, empty names, non-positive or fractional repetitions, a row
//! number given to two themes, empty themes — is returned by
//! [`Codebook::validate`] as data.
//!
//! Names are compared case-insensitively with runs of white space collapsed
//! (so "Cost  control" and "cost control" are the same theme); the first
//! spelling is kept for display.

use crate::data::Dataset;
use crate::error::{AnalysisError, Location, Result};
use crate::render::{escape_html, Render, Table};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// The columns of the data file, in order.
pub const COLUMNS: [&str; 5] = ["dimension", "row", "theme", "subtheme", "repetitions"];

/// A sub-theme (a primary code) and how often it was coded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubTheme {
    /// The sub-theme's name.
    pub name: String,
    /// Repetitions when a whole number ≥ 1; `None` when the file gives zero,
    /// a negative or a fractional number (see `repetitions_text` and the
    /// issues from [`Codebook::validate`]). Such sub-themes count as
    /// sub-themes but add nothing to repetition sums.
    pub repetitions: Option<u64>,
    /// The repetitions cell as written.
    pub repetitions_text: String,
    /// 1-based line of the data file (the header is line 1).
    pub line: u64,
}

/// A main theme with its table row number and sub-themes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// The theme's row number in the published table.
    pub row: u64,
    /// The theme's name.
    pub name: String,
    /// Its sub-themes, in file order.
    pub subthemes: Vec<SubTheme>,
    /// The line that first names this theme.
    pub line: u64,
}

/// A dimension (axial theme) and its themes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    /// The dimension's name.
    pub name: String,
    /// Its themes, in file order.
    pub themes: Vec<Theme>,
    /// The line that first names this dimension.
    pub line: u64,
}

/// A whole codebook, in the order of the data file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Codebook {
    /// Where it was read from, for messages.
    pub source: String,
    /// Its dimensions, in file order.
    pub dimensions: Vec<Dimension>,
    /// Issues found while reading that the tree cannot show (a theme given
    /// two row numbers); [`Codebook::validate`] reports them with the rest.
    #[serde(skip)]
    load_issues: Vec<Issue>,
}

/// What kind of problem [`Codebook::validate`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The same sub-theme twice within one theme.
    DuplicateSubtheme,
    /// The same theme under two dimensions.
    ThemeInTwoDimensions,
    /// An empty dimension, theme or sub-theme name.
    EmptyName,
    /// Repetitions of zero or less.
    NonPositiveRepetitions,
    /// Repetitions that are not a whole number.
    NonIntegerRepetitions,
    /// One row number used for two different themes.
    RowReused,
    /// One theme given two different row numbers.
    ThemeWithTwoRows,
    /// A theme with no sub-themes.
    EmptyTheme,
}

/// One problem in a codebook, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// What kind of problem.
    pub kind: IssueKind,
    /// 1-based line of the data file where the problem shows.
    pub line: u64,
    /// The dimension concerned.
    pub dimension: String,
    /// The theme concerned.
    pub theme: String,
    /// The sub-theme concerned, if one is.
    pub subtheme: Option<String>,
    /// The offending value, if there is one.
    pub value: Option<String>,
    /// The problem in words.
    pub message: String,
}

/// Numbers of dimensions, themes, sub-themes and repetitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodebookCounts {
    /// Number of dimensions.
    pub dimensions: usize,
    /// Number of themes.
    pub themes: usize,
    /// Number of sub-themes.
    pub subthemes: usize,
    /// Sum of the valid repetitions (see [`SubTheme::repetitions`]).
    pub repetitions: u64,
    /// Counts per dimension, in file order.
    pub per_dimension: Vec<DimensionCounts>,
    /// Counts per theme, in file order.
    pub per_theme: Vec<ThemeCounts>,
}

/// Counts of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionCounts {
    /// The dimension.
    pub dimension: String,
    /// Its themes.
    pub themes: usize,
    /// Its sub-themes.
    pub subthemes: usize,
    /// Sum of its valid repetitions.
    pub repetitions: u64,
}

/// Counts of one theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeCounts {
    /// Its dimension.
    pub dimension: String,
    /// Its row number.
    pub row: u64,
    /// The theme.
    pub theme: String,
    /// Its sub-themes.
    pub subthemes: usize,
    /// Sum of its valid repetitions.
    pub repetitions: u64,
}

/// A name for display: empty names show as "(empty)".
fn shown(name: &str) -> &str {
    if name.is_empty() {
        "(empty)"
    } else {
        name
    }
}

/// Identity of a name: lower case, white space collapsed.
fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Codebook {
    /// Reads a codebook data file.
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Codebook> {
        let data = Dataset::from_path(path)?;
        Codebook::from_dataset(&data)
    }

    /// Reads codebook CSV text; `source` names it in messages.
    ///
    /// ```
    /// // tests/data/codebook/small.csv (pandas groupby, tests/fixtures/codebook/small.json):
    /// // 2 dimensions, 4 themes, 7 sub-themes, 24 repetitions; Access has 9.
    /// use analysis::codebook::Codebook;
    /// let csv = "dimension,row,theme,subtheme,repetitions\n\
    ///            Access,1,Distance,Travel time,4\nAccess,1,Distance,Transport cost,2\n\
    ///            Access,2,Opening hours,Evening clinics,3\nQuality,3,Staff,Training,5\n\
    ///            Quality,3,Staff,Staff numbers,1\nQuality,3,Staff,Turnover,2\n\
    ///            Quality,4,Equipment,Imaging devices,7\n";
    /// let book = Codebook::from_csv_str("small.csv", csv).unwrap();
    /// let counts = book.counts();
    /// assert_eq!((counts.dimensions, counts.themes, counts.subthemes, counts.repetitions), (2, 4, 7, 24));
    /// assert_eq!(counts.per_dimension[0].repetitions, 9);
    /// assert!(book.validate().is_empty());
    /// ```
    pub fn from_csv_str(source: impl Into<String>, text: &str) -> Result<Codebook> {
        let data = Dataset::from_csv_str(source, text)?;
        Codebook::from_dataset(&data)
    }

    /// The codebook of a claims file (e.g. the paper's Table 2). Line numbers
    /// in issues count sub-themes in table order, since a claims file has no
    /// CSV lines.
    pub fn from_published(published: &crate::published::PublishedCodebook) -> Codebook {
        let mut book = Codebook {
            source: published.source.clone(),
            dimensions: Vec::new(),
            load_issues: Vec::new(),
        };
        let mut line = 0;
        for entry in &published.entries {
            if entry.subthemes.is_empty() {
                line += 1;
                book.add(&entry.dimension, entry.row.into(), &entry.theme, None, line);
            }
            for sub in &entry.subthemes {
                line += 1;
                let value = sub.repetitions.value;
                let valid = value >= 1.0 && value.fract() == 0.0;
                let subtheme = SubTheme {
                    name: sub.name.clone(),
                    repetitions: valid.then_some(value as u64),
                    repetitions_text: sub.repetitions.text.clone(),
                    line,
                };
                book.add(
                    &entry.dimension,
                    entry.row.into(),
                    &entry.theme,
                    Some(subtheme),
                    line,
                );
            }
        }
        book
    }

    fn from_dataset(data: &Dataset) -> Result<Codebook> {
        for column in COLUMNS {
            if !data.names().iter().any(|n| n == column) {
                return Err(AnalysisError::input(
                    Location::source(&data.source).with_line(1),
                    Some(&data.names().join(",")),
                    format!("a header with the columns {}", COLUMNS.join(",")),
                ));
            }
        }
        let col = |name: &str| data.text_column(name);
        let (dims, rows, themes, subs, reps) = (
            col("dimension")?,
            col("row")?,
            col("theme")?,
            col("subtheme")?,
            col("repetitions")?,
        );
        let mut book = Codebook {
            source: data.source.clone(),
            dimensions: Vec::new(),
            load_issues: Vec::new(),
        };
        for r in 0..data.n_rows() {
            let line = data.line_of(r);
            let at = |column: &str| {
                Location::source(&data.source)
                    .with_line(line)
                    .with_column(column)
            };
            let row_text = rows[r].trim();
            let row = match row_text.parse::<u64>() {
                Ok(v) if v >= 1 => v,
                _ => {
                    return Err(AnalysisError::input(
                        at("row"),
                        Some(row_text),
                        "the theme's row number, a whole number ≥ 1",
                    ))
                }
            };
            let sub_name = subs[r].trim();
            let rep_text = reps[r].trim();
            let subtheme = if sub_name.is_empty() && rep_text.is_empty() {
                None // a theme declared without sub-themes
            } else {
                let value = match rep_text.parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    _ => {
                        return Err(AnalysisError::input(
                            at("repetitions"),
                            Some(rep_text),
                            "the number of repetitions, a whole number ≥ 1",
                        ))
                    }
                };
                let valid = value >= 1.0 && value.fract() == 0.0 && value <= u64::MAX as f64;
                Some(SubTheme {
                    name: sub_name.to_owned(),
                    repetitions: valid.then_some(value as u64),
                    repetitions_text: rep_text.to_owned(),
                    line,
                })
            };
            book.add(dims[r].trim(), row, themes[r].trim(), subtheme, line);
        }
        if book.dimensions.is_empty() {
            return Err(AnalysisError::unsuitable(
                Location::source(&data.source),
                "the codebook has no lines below its header",
            ));
        }
        Ok(book)
    }

    fn add(
        &mut self,
        dimension: &str,
        row: u64,
        theme: &str,
        subtheme: Option<SubTheme>,
        line: u64,
    ) {
        let d = match self
            .dimensions
            .iter()
            .position(|d| key(&d.name) == key(dimension))
        {
            Some(d) => d,
            None => {
                self.dimensions.push(Dimension {
                    name: dimension.to_owned(),
                    themes: Vec::new(),
                    line,
                });
                self.dimensions.len() - 1
            }
        };
        let dim = &mut self.dimensions[d];
        let t = match dim.themes.iter().position(|t| key(&t.name) == key(theme)) {
            Some(t) => t,
            None => {
                dim.themes.push(Theme {
                    row,
                    name: theme.to_owned(),
                    subthemes: Vec::new(),
                    line,
                });
                dim.themes.len() - 1
            }
        };
        let th = &mut dim.themes[t];
        if th.row != row {
            self.load_issues.push(Issue {
                kind: IssueKind::ThemeWithTwoRows,
                line,
                dimension: dim.name.clone(),
                theme: th.name.clone(),
                subtheme: subtheme.as_ref().map(|s| s.name.clone()),
                value: Some(row.to_string()),
                message: format!(
                    "theme \"{}\" has row {} on line {} but row {row} here",
                    th.name, th.row, th.line
                ),
            });
        }
        if let Some(s) = subtheme {
            th.subthemes.push(s);
        }
    }

    /// All themes with their dimension, in file order.
    pub fn themes(&self) -> impl Iterator<Item = (&Dimension, &Theme)> {
        self.dimensions
            .iter()
            .flat_map(|d| d.themes.iter().map(move |t| (d, t)))
    }

    /// Counts at every level. A theme listed under two dimensions counts
    /// once under each (and is reported by [`Codebook::validate`]).
    pub fn counts(&self) -> CodebookCounts {
        let sum = |t: &Theme| {
            t.subthemes
                .iter()
                .filter_map(|s| s.repetitions)
                .sum::<u64>()
        };
        let per_theme: Vec<ThemeCounts> = self
            .themes()
            .map(|(d, t)| ThemeCounts {
                dimension: d.name.clone(),
                row: t.row,
                theme: t.name.clone(),
                subthemes: t.subthemes.len(),
                repetitions: sum(t),
            })
            .collect();
        let per_dimension: Vec<DimensionCounts> = self
            .dimensions
            .iter()
            .map(|d| DimensionCounts {
                dimension: d.name.clone(),
                themes: d.themes.len(),
                subthemes: d.themes.iter().map(|t| t.subthemes.len()).sum(),
                repetitions: d.themes.iter().map(sum).sum(),
            })
            .collect();
        CodebookCounts {
            dimensions: self.dimensions.len(),
            themes: per_theme.len(),
            subthemes: per_theme.iter().map(|t| t.subthemes).sum(),
            repetitions: per_theme.iter().map(|t| t.repetitions).sum(),
            per_dimension,
            per_theme,
        }
    }

    /// Every problem found, in file order of the line where it shows.
    ///
    /// ```
    /// // Hand-made problems: a sub-theme twice in one theme and zero repetitions.
    /// use analysis::codebook::{Codebook, IssueKind};
    /// let csv = "dimension,row,theme,subtheme,repetitions\n\
    ///            Access,1,Distance,Travel time,4\nAccess,1,Distance,Travel time,0\n";
    /// let book = Codebook::from_csv_str("bad.csv", csv).unwrap();
    /// let kinds: Vec<IssueKind> = book.validate().iter().map(|i| i.kind).collect();
    /// assert!(kinds.contains(&IssueKind::DuplicateSubtheme));
    /// assert!(kinds.contains(&IssueKind::NonPositiveRepetitions));
    /// ```
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = self.load_issues.clone();
        let issue = |kind,
                     line,
                     d: &Dimension,
                     t: &Theme,
                     s: Option<&SubTheme>,
                     value: Option<String>,
                     message: String| Issue {
            kind,
            line,
            dimension: d.name.clone(),
            theme: t.name.clone(),
            subtheme: s.map(|s| s.name.clone()),
            value,
            message,
        };
        // Row number → (theme key, dimension, theme) of its first use.
        let mut rows: Vec<(u64, String, &Dimension, &Theme)> = Vec::new();
        // Theme key → first dimension it appeared under.
        let mut theme_homes: Vec<(String, &Dimension)> = Vec::new();
        for d in &self.dimensions {
            if d.name.is_empty() {
                issues.push(Issue {
                    kind: IssueKind::EmptyName,
                    line: d.line,
                    dimension: String::new(),
                    theme: d.themes.first().map(|t| t.name.clone()).unwrap_or_default(),
                    subtheme: None,
                    value: None,
                    message: "empty dimension name".to_owned(),
                });
            }
            for t in &d.themes {
                let tk = key(&t.name);
                if t.name.is_empty() {
                    issues.push(issue(
                        IssueKind::EmptyName,
                        t.line,
                        d,
                        t,
                        None,
                        None,
                        format!("empty theme name under dimension \"{}\"", d.name),
                    ));
                }
                if t.subthemes.is_empty() {
                    issues.push(issue(
                        IssueKind::EmptyTheme,
                        t.line,
                        d,
                        t,
                        None,
                        None,
                        format!("theme \"{}\" has no sub-themes", t.name),
                    ));
                }
                match theme_homes.iter().find(|(k, _)| *k == tk) {
                    Some((_, home)) if !t.name.is_empty() => issues.push(issue(
                        IssueKind::ThemeInTwoDimensions,
                        t.line,
                        d,
                        t,
                        None,
                        Some(t.name.clone()),
                        format!(
                            "theme \"{}\" appears under \"{}\" (line {}) and under \"{}\"",
                            t.name, home.name, home.line, d.name
                        ),
                    )),
                    Some(_) => {}
                    None => theme_homes.push((tk.clone(), d)),
                }
                match rows.iter().find(|(r, ..)| *r == t.row) {
                    Some((_, k, d0, t0)) if *k != tk => issues.push(issue(
                        IssueKind::RowReused,
                        t.line,
                        d,
                        t,
                        None,
                        Some(t.row.to_string()),
                        format!(
                            "row {} is theme \"{}\" (line {}, dimension \"{}\") and theme \"{}\"",
                            t.row, t0.name, t0.line, d0.name, t.name
                        ),
                    )),
                    Some(_) => {}
                    None => rows.push((t.row, tk.clone(), d, t)),
                }
                for (i, s) in t.subthemes.iter().enumerate() {
                    if s.name.is_empty() {
                        issues.push(issue(
                            IssueKind::EmptyName,
                            s.line,
                            d,
                            t,
                            Some(s),
                            None,
                            format!("empty sub-theme name in theme \"{}\"", t.name),
                        ));
                    } else if let Some(first) = t.subthemes[..i]
                        .iter()
                        .find(|o| key(&o.name) == key(&s.name))
                    {
                        issues.push(issue(
                            IssueKind::DuplicateSubtheme,
                            s.line,
                            d,
                            t,
                            Some(s),
                            Some(s.name.clone()),
                            format!(
                                "sub-theme \"{}\" appears twice in theme \"{}\" (lines {} and {})",
                                s.name, t.name, first.line, s.line
                            ),
                        ));
                    }
                    if s.repetitions.is_none() {
                        let value: f64 = s.repetitions_text.parse().unwrap_or(f64::NAN);
                        let kind = if value <= 0.0 {
                            IssueKind::NonPositiveRepetitions
                        } else {
                            IssueKind::NonIntegerRepetitions
                        };
                        let what = if kind == IssueKind::NonPositiveRepetitions {
                            "not positive"
                        } else {
                            "not a whole number"
                        };
                        issues.push(issue(
                            kind,
                            s.line,
                            d,
                            t,
                            Some(s),
                            Some(s.repetitions_text.clone()),
                            format!(
                                "repetitions of \"{}\" are {what}: \"{}\"",
                                s.name, s.repetitions_text
                            ),
                        ));
                    }
                }
            }
        }
        issues.sort_by_key(|i| i.line);
        issues
    }

    /// The tree as indented text.
    ///
    /// ```
    /// use analysis::codebook::Codebook;
    /// let csv = "dimension,row,theme,subtheme,repetitions\nAccess,1,Distance,Travel time,4\n";
    /// let tree = Codebook::from_csv_str("one.csv", csv).unwrap().tree_text();
    /// assert!(tree.starts_with("Codebook one.csv: 1 dimensions, 1 themes, 1 sub-themes, 4 repetitions\n"));
    /// assert!(tree.contains("Access (1 themes, 1 sub-themes, 4 repetitions)") && tree.contains("Travel time"));
    /// ```
    pub fn tree_text(&self) -> String {
        let c = self.counts();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Codebook {}: {} dimensions, {} themes, {} sub-themes, {} repetitions",
            self.source, c.dimensions, c.themes, c.subthemes, c.repetitions
        );
        let mut per_theme = c.per_theme.iter();
        for (d, dc) in self.dimensions.iter().zip(&c.per_dimension) {
            let _ = writeln!(
                out,
                "{} ({} themes, {} sub-themes, {} repetitions)",
                shown(&d.name),
                dc.themes,
                dc.subthemes,
                dc.repetitions
            );
            for (i, t) in d.themes.iter().enumerate() {
                let last_theme = i + 1 == d.themes.len();
                let tc = per_theme.next();
                let _ = writeln!(
                    out,
                    "{} {}. {} ({} sub-themes, {} repetitions)",
                    if last_theme { "└─" } else { "├─" },
                    t.row,
                    shown(&t.name),
                    t.subthemes.len(),
                    tc.map_or(0, |tc| tc.repetitions)
                );
                for (j, s) in t.subthemes.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{}  {} {} ({})",
                        if last_theme { " " } else { "│" },
                        if j + 1 == t.subthemes.len() {
                            "└─"
                        } else {
                            "├─"
                        },
                        shown(&s.name),
                        s.repetitions_text
                    );
                }
            }
        }
        out
    }

    /// The tree as nested HTML lists.
    pub fn tree_html(&self) -> String {
        let c = self.counts();
        let mut out = String::from("<div class=\"paraclinic-codebook\">");
        let _ = write!(
            out,
            "<p>Codebook {}: {} dimensions, {} themes, {} sub-themes, {} repetitions</p><ul>",
            escape_html(&self.source),
            c.dimensions,
            c.themes,
            c.subthemes,
            c.repetitions
        );
        let mut per_theme = c.per_theme.iter();
        for (d, dc) in self.dimensions.iter().zip(&c.per_dimension) {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({} themes, {} sub-themes, {} repetitions)<ul>",
                escape_html(shown(&d.name)),
                dc.themes,
                dc.subthemes,
                dc.repetitions
            );
            for t in &d.themes {
                let reps = per_theme.next().map_or(0, |tc| tc.repetitions);
                let _ = write!(
                    out,
                    "<li>{}. {} ({} sub-themes, {} repetitions)<ul>",
                    t.row,
                    escape_html(shown(&t.name)),
                    t.subthemes.len(),
                    reps
                );
                for s in &t.subthemes {
                    let _ = write!(
                        out,
                        "<li>{} ({})</li>",
                        escape_html(shown(&s.name)),
                        escape_html(&s.repetitions_text)
                    );
                }
                out.push_str("</ul></li>");
            }
            out.push_str("</ul></li>");
        }
        out.push_str("</ul></div>");
        out
    }

    fn issue_table(&self) -> Option<Table> {
        let issues = self.validate();
        if issues.is_empty() {
            return None;
        }
        let mut t = Table::new("Codebook issues", &["line", "kind", "problem"]);
        for i in issues {
            let kind = serde_json::to_value(i.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            t.row(vec![i.line.to_string(), kind, i.message]);
        }
        Some(t)
    }
}

impl Render for Codebook {
    /// The codebook as the paper's table (one line per theme), then per
    /// dimension counts, then any issues.
    fn tables(&self) -> Vec<Table> {
        let c = self.counts();
        let mut main = Table::new(
            format!("Codebook: {}", self.source),
            &["dimension", "row", "theme", "sub-themes", "repetitions"],
        );
        for (d, t) in self.themes() {
            main.row(vec![
                d.name.clone(),
                t.row.to_string(),
                t.name.clone(),
                t.subthemes
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                t.subthemes
                    .iter()
                    .map(|s| s.repetitions_text.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        let mut dims = Table::new(
            "Counts per dimension",
            &["dimension", "themes", "sub-themes", "repetitions"],
        );
        for dc in &c.per_dimension {
            dims.row(vec![
                dc.dimension.clone(),
                dc.themes.to_string(),
                dc.subthemes.to_string(),
                dc.repetitions.to_string(),
            ]);
        }
        dims.row(vec![
            format!("Total ({} dimensions)", c.dimensions),
            c.themes.to_string(),
            c.subthemes.to_string(),
            c.repetitions.to_string(),
        ]);
        let mut out = vec![main, dims];
        out.extend(self.issue_table());
        out
    }

    /// The tree, then any issues.
    fn to_text(&self) -> String {
        let mut out = self.tree_text();
        if let Some(t) = self.issue_table() {
            out.push('\n');
            out.push_str(&t.to_text());
        }
        out
    }

    /// The tree as nested lists, then any issues.
    fn to_html(&self) -> String {
        let mut out = self.tree_html();
        if let Some(t) = self.issue_table() {
            out.push_str(&t.to_html());
        }
        out
    }
}

impl Render for CodebookCounts {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Codebook counts",
            &["dimension", "row", "theme", "sub-themes", "repetitions"],
        );
        for tc in &self.per_theme {
            t.row(vec![
                tc.dimension.clone(),
                tc.row.to_string(),
                tc.theme.clone(),
                tc.subthemes.to_string(),
                tc.repetitions.to_string(),
            ]);
        }
        t.note(format!(
            "{} dimensions, {} themes, {} sub-themes, {} repetitions.",
            self.dimensions, self.themes, self.subthemes, self.repetitions
        ));
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "dimension,row,theme,subtheme,repetitions
Alpha,1,One,a,3
Alpha,1,One,b,2
Alpha,2,Two,c,5
Beta,3,Three,d,1
";

    #[test]
    fn small_codebook_counts_by_hand() {
        let b = Codebook::from_csv_str("small.csv", SMALL).unwrap();
        let c = b.counts();
        assert_eq!(
            (c.dimensions, c.themes, c.subthemes, c.repetitions),
            (2, 3, 4, 11)
        );
        assert_eq!(c.per_dimension[0].themes, 2);
        assert_eq!(c.per_dimension[0].subthemes, 3);
        assert_eq!(c.per_dimension[0].repetitions, 10);
        assert_eq!(c.per_dimension[1].repetitions, 1);
        assert_eq!(c.per_theme[0].repetitions, 5);
        assert_eq!(c.per_theme[1].row, 2);
        assert!(b.validate().is_empty());
        let text = b.to_text();
        assert!(
            text.contains("Alpha (2 themes, 3 sub-themes, 10 repetitions)"),
            "{text}"
        );
        assert!(
            text.contains("├─ 1. One (2 sub-themes, 5 repetitions)"),
            "{text}"
        );
        assert!(text.contains("│  └─ b (2)"), "{text}");
        assert!(b.to_html().contains("<li>c (5)</li>"));
    }

    #[test]
    fn load_errors_name_line_column_and_value() {
        let e = Codebook::from_csv_str(
            "x.csv",
            "dimension,row,theme,subtheme,repetitions\nA,1,T,s,many\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "x.csv, line 2, column \"repetitions\": found \"many\", expected the number of repetitions, a whole number ≥ 1"
        );
        let e = Codebook::from_csv_str(
            "x.csv",
            "dimension,row,theme,subtheme,repetitions\nA,1,T,s,1\nA,two,T,s,1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 3") && e.contains("\"row\"") && e.contains("\"two\""),
            "{e}"
        );
        let e = Codebook::from_csv_str("x.csv", "dimension,theme,subtheme\nA,T,s\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1") && e.contains("dimension,row,theme,subtheme,repetitions"),
            "{e}"
        );
        assert!(
            Codebook::from_csv_str("x.csv", "dimension,row,theme,subtheme,repetitions\n").is_err()
        );
    }

    #[test]
    fn an_empty_theme_name_is_an_issue_not_an_error() {
        let b = Codebook::from_csv_str(
            "x.csv",
            "dimension,row,theme,subtheme,repetitions\nA,1,,s,2\nA,2,T,u,3\n",
        )
        .unwrap();
        let issues = b.validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].kind, IssueKind::EmptyName);
        assert_eq!(issues[0].line, 2);
        assert!(issues[0].message.contains("empty theme name"));
        assert_eq!(b.counts().repetitions, 5);
    }
}
