//! One error type for the whole library.
//!
//! Every error that comes from the user's input says where (file, line,
//! column), what was found and what was expected, so that the command line and
//! the kernel can show it as it is. Nothing in the library panics on bad input
//! and nothing returns a NaN in place of an error.

use std::fmt;

/// Where in an input a problem was found. All parts are optional because not
/// every input is a file (a matrix built in a notebook has no line number).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// File name or other description of the source ("data.csv", "model").
    pub source: Option<String>,
    /// 1-based line in the source (the CSV header is line 1).
    pub line: Option<u64>,
    /// Column name or, for text inputs, the 1-based character column.
    pub column: Option<String>,
    /// Whether `column` is a character position (shown bare: `column 7`)
    /// rather than a column name (shown quoted: `column "age"`).
    #[serde(skip)]
    pub column_is_position: bool,
}

impl Location {
    /// A location in the named input (a file path, `<stdin>`, a field name).
    pub fn source(source: impl Into<String>) -> Self {
        Location {
            source: Some(source.into()),
            ..Default::default()
        }
    }
    /// The same location at a 1-based line.
    pub fn with_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    /// The same location in a named column (shown quoted).
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self.column_is_position = false;
        self
    }
    /// The 1-based character column in a text input (a model, a JSON file).
    pub fn with_char_column(mut self, column: usize) -> Self {
        self.column = Some(column.to_string());
        self.column_is_position = true;
        self
    }
    fn is_empty(&self) -> bool {
        self.source.is_none() && self.line.is_none() && self.column.is_none()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.source {
            parts.push(s.clone());
        }
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        match &self.column {
            Some(c) if self.column_is_position => parts.push(format!("column {c}")),
            Some(c) => parts.push(format!("column \"{c}\"")),
            None => {}
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// Every error of the library: what went wrong, where, with the value and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisError {
    /// The input has a value that cannot be used: text in a numeric column,
    /// an unknown column, a malformed model statement.
    #[error("{0}")]
    Input(Box<InputProblem>),
    /// A parameter given by the caller is out of its domain (the value is
    /// shortened for display by [`shorten`] when it is built).
    #[error("invalid {name} {value}: expected {expected}")]
    InvalidArgument {
        /// The parameter (the CLI replaces it with the option's name).
        name: String,
        /// Its value as given, shortened.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// The data are valid input but do not allow the method: a constant
    /// column where variance is needed, too few rows, a singular matrix.
    #[error("{}{message}", loc_prefix(location))]
    Unsuitable {
        /// Where, if the problem has a place.
        location: Box<Location>,
        /// Why the method cannot run.
        message: String,
    },
    /// An iterative method failed (non-convergence) or a numerical problem.
    #[error("{message}")]
    Computation {
        /// What failed, with its numbers.
        message: String,
    },
    /// The input could not be read at all.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
}

/// What was wrong with a value in the input (boxed in [`AnalysisError`] to
/// keep `Result`s small).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputProblem {
    /// Where in the input.
    pub location: Location,
    /// The offending value as it appears in the input, if there is one.
    pub value: Option<String>,
    /// What would have been accepted.
    pub expected: String,
    /// Extra explanation, if any.
    pub detail: Option<String>,
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}expected {}{}",
            loc_prefix(&self.location),
            found(&self.value),
            self.expected,
            detail_suffix(&self.detail)
        )
    }
}

fn loc_prefix(l: &Location) -> String {
    if l.is_empty() {
        String::new()
    } else {
        format!("{l}: ")
    }
}

fn found(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("found \"{}\", ", shorten(v)),
        None => String::new(),
    }
}

/// The most characters of a value echoed in a message: a 2 MB cell or a
/// 309-digit number would bury the message itself.
pub const MAX_SHOWN_CHARS: usize = 40;

/// A value as shown in a message: invisible characters that make a value
/// look right while it is not (a byte-order mark, control characters) named
/// in words, and anything longer than [`MAX_SHOWN_CHARS`] cut to its start
/// with the full length said.
///
/// ```
/// // A 2 MB cell is cut to its first 40 characters, with its length said.
/// let shown = analysis::error::shorten(&"9".repeat(2_000_000));
/// assert!(shown.starts_with(&"9".repeat(40)) && shown.contains("2000000"), "{shown}");
/// ```
pub fn shorten(value: &str) -> String {
    let mut shown = String::new();
    let total = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        if i == MAX_SHOWN_CHARS {
            return format!("{shown}… ({total} characters)");
        }
        match c {
            '\u{feff}' => shown.push_str("<a byte-order mark (U+FEFF)>"),
            '\0' => shown.push_str("<a NUL byte>"),
            '\u{fffd}' => shown.push_str("<an invalid UTF-8 byte>"),
            c if c.is_control() && c != '\t' => shown.push_str(&format!("<U+{:04X}>", c as u32)),
            c => shown.push(c),
        }
    }
    shown
}

/// [`shorten`], keeping the quotes around a quoted value.
fn shorten_quoted(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    {
        Some(inner) => format!("\"{}\"", shorten(inner)),
        None => shorten(value),
    }
}

/// A number as shown in a message: plain when of ordinary size, in
/// scientific notation otherwise (so that 1e-300 or f64::MAX does not
/// print as hundreds of digits).
///
/// ```
/// use analysis::error::fmt_number;
/// assert_eq!(fmt_number(0.05), "0.05");
/// assert_eq!(fmt_number(1e-300), "1e-300");
/// ```
pub fn fmt_number(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn detail_suffix(d: &Option<String>) -> String {
    match d {
        Some(d) => format!(" ({d})"),
        None => String::new(),
    }
}

/// Reads a whole text file. Returns the name to use for it in error
/// messages (the path as given) and its text.
pub fn read_text(path: &std::path::Path) -> Result<(String, String)> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        // A byte-order mark (as spreadsheets and some editors write it) is
        // no part of the text.
        Ok(text) => match text.strip_prefix('\u{feff}') {
            Some(rest) => Ok((name, rest.to_owned())),
            None => Ok((name, text)),
        },
        Err(e) => Err(AnalysisError::io(&name, &e)),
    }
}

impl AnalysisError {
    /// `source` could not be read.
    pub fn io(source: &str, e: &std::io::Error) -> Self {
        AnalysisError::Io {
            path: source.to_owned(),
            message: e.to_string(),
        }
    }
    /// A bad value at `location` in the input: the value found (if any) and what was expected.
    pub fn input(location: Location, value: Option<&str>, expected: impl Into<String>) -> Self {
        AnalysisError::Input(Box::new(InputProblem {
            location,
            value: value.map(str::to_owned),
            expected: expected.into(),
            detail: None,
        }))
    }
    /// A caller's parameter `name` out of its domain: its value and what was expected.
    pub fn invalid_argument(name: &str, value: impl fmt::Display, expected: &str) -> Self {
        AnalysisError::InvalidArgument {
            name: name.to_owned(),
            value: shorten_quoted(&value.to_string()),
            expected: expected.to_owned(),
        }
    }
    /// Valid input that does not allow the method, with `location` if it has one.
    pub fn unsuitable(location: Location, message: impl Into<String>) -> Self {
        AnalysisError::Unsuitable {
            location: Box::new(location),
            message: message.into(),
        }
    }
    /// A numerical failure (non-convergence, a singular matrix) described by `message`.
    pub fn computation(message: impl Into<String>) -> Self {
        AnalysisError::Computation {
            message: message.into(),
        }
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, AnalysisError>;

/// Fails with `InvalidArgument` unless `x` is finite and within `[lo, hi]`
/// (open at each end when the flag says so).
///
/// ```
/// use analysis::error::check_range;
/// assert!(check_range("alpha", 0.05, 0.0, 1.0, true).is_ok());
/// let e = check_range("alpha", 1.0, 0.0, 1.0, true).unwrap_err();
/// assert_eq!(e.to_string(), "invalid alpha 1: expected a number strictly between 0 and 1");
/// ```
pub fn check_range(name: &str, x: f64, lo: f64, hi: f64, open: bool) -> Result<()> {
    let inside = if open {
        x > lo && x < hi
    } else {
        x >= lo && x <= hi
    };
    if x.is_finite() && inside {
        Ok(())
    } else {
        let (lo_s, hi_s) = (fmt_number(lo), fmt_number(hi));
        let expected = match (open, hi == f64::MAX) {
            // No upper bound but finiteness: say so instead of 309 digits.
            (true, true) => format!("a finite number above {lo_s}"),
            (false, true) => format!("a finite number ≥ {lo_s}"),
            (true, false) => format!("a number strictly between {lo_s} and {hi_s}"),
            (false, false) => format!("a number from {lo_s} to {hi_s}"),
        };
        Err(AnalysisError::invalid_argument(
            name,
            fmt_number(x),
            &expected,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_file_line_column_value_and_expectation() {
        let e = AnalysisError::input(
            Location::source("data.csv").with_line(7).with_column("age"),
            Some("abc"),
            "a number",
        );
        assert_eq!(
            e.to_string(),
            "data.csv, line 7, column \"age\": found \"abc\", expected a number"
        );
    }

    #[test]
    fn long_and_invisible_values_are_shown_shortened_and_named() {
        let cell = "x".repeat(2_000_000);
        let e = AnalysisError::input(Location::source("big.csv"), Some(&cell), "a number");
        let text = e.to_string();
        assert!(text.len() < 200, "{}", text.len());
        assert!(text.contains("… (2000000 characters)"), "{text}");
        assert_eq!(shorten("\u{feff}id"), "<a byte-order mark (U+FEFF)>id");
        assert_eq!(shorten("a\u{1}b"), "a<U+0001>b");
        let e = check_range("max IQR", -1.0, 0.0, f64::MAX, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid max IQR -1: expected a finite number ≥ 0"
        );
        let e = check_range("alpha", 1e-300, 1e-9, 1.0, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid alpha 1e-300: expected a number strictly between 1e-9 and 1"
        );
    }

    #[test]
    fn check_range_rejects_nan_and_out_of_range() {
        assert!(check_range("confidence", 0.95, 0.0, 1.0, true).is_ok());
        assert!(check_range("confidence", 1.0, 0.0, 1.0, true).is_err());
        assert!(check_range("confidence", f64::NAN, 0.0, 1.0, true).is_err());
        assert!(check_range("margin", 1.0, 0.0, 1.0, false).is_ok());
    }
}
