//! Tabular input: a CSV file with a header row, read with the `csv` crate.
//!
//! Cells are kept as text until a method asks for a numeric column, so that a
//! file may mix text columns (group labels) and numeric ones; the error for a
//! non-numeric cell then names the file, the line, the column and the value.
//! Empty cells and `NA` are missing values.

use crate::error::{AnalysisError, Location, Result};
use std::path::Path;

/// The largest magnitude accepted in a numeric column: its square summed
/// over any realistic number of records stays far from f64's overflow.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// The smallest non-zero magnitude accepted: squares and products of
/// smaller values underflow to 0 or lose all precision (subnormals), which
/// turns variances into 0 and correlations into 0/0.
pub const MIN_MAGNITUDE: f64 = 1e-100;

/// The UTF-8 byte-order mark that spreadsheet programs write at the start
/// of a file; readers here skip it.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The most column names listed in a message about an unknown column.
pub const LISTED_COLUMNS: usize = 30;

/// Text that stands for a missing value.
pub fn is_missing(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t == "NA"
}

/// A table read from CSV (or built in code), column-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Where the data came from, used in error messages.
    pub source: String,
    names: Vec<String>,
    /// `cells[c][r]`: the raw text of column `c`, record `r`.
    cells: Vec<Vec<String>>,
    /// The 1-based line in the source on which each record starts.
    lines: Vec<u64>,
}

impl Dataset {
    /// Reads a CSV file with a header row.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Dataset> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| AnalysisError::io(&name, &e))?;
        Dataset::from_reader(name, file)
    }

    /// Reads CSV text with a header row; `source` names it in error messages.
    ///
    /// ```
    /// use analysis::Dataset;
    /// let data = Dataset::from_csv_str("example", "a,b\n1,2\n3,NA\n").unwrap();
    /// assert_eq!(data.names(), ["a", "b"]);
    /// assert_eq!(data.n_rows(), 2);
    /// // A cell that is not a number is named with its place.
    /// let bad = Dataset::from_csv_str("example", "a\n1\nx\n").unwrap();
    /// let e = bad.numeric_column("a").unwrap_err().to_string();
    /// assert!(e.contains("example, line 3"), "{e}");
    /// ```
    pub fn from_csv_str(source: impl Into<String>, text: &str) -> Result<Dataset> {
        Dataset::from_reader(source, text.as_bytes())
    }

    /// Reads CSV with a header row; `source` names it in error messages.
    /// The separator is a comma unless the header line has no comma but a
    /// semicolon (spreadsheet exports where the decimal mark is a comma) or
    /// a tab: those files are read with that separator.
    pub fn from_reader(
        source: impl Into<String>,
        mut reader: impl std::io::Read,
    ) -> Result<Dataset> {
        let source = source.into();
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| AnalysisError::io(&source, &e))?;
        // Spreadsheets (Excel's "CSV UTF-8") start the file with a UTF-8
        // byte-order mark; it is no part of the first column's name.
        if bytes.starts_with(UTF8_BOM) {
            bytes.drain(..UTF8_BOM.len());
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .delimiter(sniff_delimiter(&bytes))
            .from_reader(bytes.as_slice());
        let csv_err = |e: csv::Error, source: &str| {
            let line = e.position().map(|p| p.line());
            let mut loc = Location::source(source);
            loc.line = line;
            AnalysisError::input(loc, None, format!("well-formed CSV ({e})"))
        };
        let names: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_err(e, &source))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if names.is_empty() || names.iter().all(String::is_empty) {
            return Err(AnalysisError::input(
                Location::source(&source).with_line(1),
                None,
                "a header row naming the columns",
            ));
        }
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                return Err(AnalysisError::input(
                    Location::source(&source).with_line(1),
                    Some(""),
                    format!("a name for column {}", i + 1),
                ));
            }
            if names[..i].contains(n) {
                return Err(AnalysisError::input(
                    Location::source(&source).with_line(1),
                    Some(n),
                    "distinct column names (this one appears twice)",
                ));
            }
        }
        let mut cells = vec![Vec::new(); names.len()];
        let mut lines = Vec::new();
        // The csv crate skips blank lines, and its line count then drifts, so
        // a record's line is counted here from its byte offset. In a
        // one-column file a blank line between records is an empty cell (a
        // missing value): skipping it would shift every later record
        // (pairing the wrong experts across Delphi rounds), so it is put back
        // as an empty record. Blank lines after the last record are ignored,
        // as editors leave them (R and pandas skip every blank line).
        let one_column = names.len() == 1;
        let mut counted = LineCounter::default();
        // The line after the header (blank lines there are records too).
        let mut header_end = (rdr.position().byte() as usize).min(bytes.len());
        // After a CRLF header the reader stops between \r and \n.
        if header_end > 0 && bytes[header_end - 1] == b'\r' && bytes.get(header_end) == Some(&b'\n')
        {
            header_end += 1;
        }
        let mut next_line = 1 + bytes[..header_end].iter().filter(|&&b| b == b'\n').count() as u64;
        for record in rdr.records() {
            let record = record.map_err(|e| csv_err(e, &source))?;
            let line = record
                .position()
                .map_or(0, |p| counted.line_at(&bytes, p.byte()));
            if one_column {
                for blank in next_line..line {
                    cells[0].push(String::new());
                    lines.push(blank);
                }
                // A quoted cell may span lines.
                next_line = line + 1 + record.get(0).map_or(0, |c| c.matches('\n').count()) as u64;
            }
            for (c, col) in cells.iter_mut().enumerate() {
                col.push(record.get(c).unwrap_or("").to_owned());
            }
            lines.push(line);
        }
        Ok(Dataset {
            source,
            names,
            cells,
            lines,
        })
    }

    /// Builds a dataset from numeric columns (no missing values), e.g. in a
    /// notebook or from a generator.
    ///
    /// ```
    /// let data = analysis::Dataset::from_columns("generated", vec![("x".to_owned(), vec![1.5, 2.0])]).unwrap();
    /// assert_eq!(data.numeric_values("x").unwrap(), [1.5, 2.0]);
    /// ```
    pub fn from_columns(
        source: impl Into<String>,
        columns: Vec<(String, Vec<f64>)>,
    ) -> Result<Dataset> {
        let source = source.into();
        let n = columns.first().map_or(0, |c| c.1.len());
        let mut names = Vec::new();
        let mut cells = Vec::new();
        for (name, values) in columns {
            if values.len() != n {
                return Err(AnalysisError::unsuitable(
                    Location::source(&source).with_column(&name),
                    format!(
                        "column has {} values but the first column has {n}",
                        values.len()
                    ),
                ));
            }
            names.push(name);
            cells.push(values.iter().map(|v| format_cell(*v)).collect());
        }
        Ok(Dataset {
            source,
            names,
            cells,
            lines: (2..n as u64 + 2).collect(),
        })
    }

    /// Column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of data rows (the header not counted).
    pub fn n_rows(&self) -> usize {
        self.lines.len()
    }

    /// The 1-based source line of record `row`.
    pub fn line_of(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    fn index_of(&self, name: &str) -> Result<usize> {
        self.names.iter().position(|n| n == name).ok_or_else(|| {
            AnalysisError::input(
                Location::source(&self.source),
                Some(name),
                format!("one of the columns {}", self.names_for_message()),
            )
        })
    }

    /// The column names as listed in a message: each shortened, and at most
    /// [`LISTED_COLUMNS`] of them (a 300-column file or a 100 000-character
    /// name would bury the message).
    pub fn names_for_message(&self) -> String {
        let mut shown: Vec<String> = self
            .names
            .iter()
            .take(LISTED_COLUMNS)
            .map(|n| crate::error::shorten(n))
            .collect();
        if self.names.len() > LISTED_COLUMNS {
            shown.push(format!("… ({} columns in all)", self.names.len()));
        }
        shown.join(", ")
    }

    /// The raw text of a column.
    ///
    /// ```
    /// let data = analysis::Dataset::from_csv_str("example", "group\n a \nNA\n").unwrap();
    /// assert_eq!(data.text_column("group").unwrap()[1], "NA");
    /// ```
    pub fn text_column(&self, name: &str) -> Result<&[String]> {
        Ok(&self.cells[self.index_of(name)?])
    }

    /// A column parsed as numbers; missing cells are `None`.
    ///
    /// ```
    /// let data = analysis::Dataset::from_csv_str("example", "a,b\n1,2\n3,NA\n").unwrap();
    /// assert_eq!(data.numeric_column("b").unwrap(), [Some(2.0), None]);
    /// ```
    pub fn numeric_column(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let c = self.index_of(name)?;
        self.cells[c]
            .iter()
            .enumerate()
            .map(|(r, cell)| {
                if is_missing(cell) {
                    return Ok(None);
                }
                match cell.trim().parse::<f64>() {
                    Ok(v)
                        if v.is_finite()
                            && v.abs() <= MAX_MAGNITUDE
                            && (v == 0.0 || v.abs() >= MIN_MAGNITUDE) =>
                    {
                        Ok(Some(v))
                    }
                    Ok(v) if v.is_finite() && v != 0.0 && v.abs() < MIN_MAGNITUDE => {
                        Err(AnalysisError::input(
                            Location::source(&self.source)
                                .with_line(self.line_of(r))
                                .with_column(name),
                            Some(cell),
                            format!(
                                "0 or a number of magnitude at least {MIN_MAGNITUDE:e} (squares of smaller values underflow the sums of squares behind every statistic here: rescale the column)"
                            ),
                        ))
                    }
                    Ok(v) if v.is_finite() => Err(AnalysisError::input(
                        Location::source(&self.source)
                            .with_line(self.line_of(r))
                            .with_column(name),
                        Some(cell),
                        format!(
                            "a number of magnitude at most {MAX_MAGNITUDE:e} (squares of larger values overflow the sums of squares behind every statistic here: rescale the column)"
                        ),
                    )),
                    _ => Err(AnalysisError::input(
                        Location::source(&self.source)
                            .with_line(self.line_of(r))
                            .with_column(name),
                        Some(cell),
                        if has_decimal_comma(cell) {
                            "a finite number with a decimal point (not a decimal comma), an empty cell or NA"
                        } else {
                            "a finite number, an empty cell or NA"
                        },
                    )),
                }
            })
            .collect()
    }

    /// A column with its missing values dropped.
    ///
    /// ```
    /// let data = analysis::Dataset::from_csv_str("example", "a\n1\nNA\n\n3\n").unwrap();
    /// assert_eq!(data.numeric_values("a").unwrap(), [1.0, 3.0]);
    /// ```
    pub fn numeric_values(&self, name: &str) -> Result<Vec<f64>> {
        Ok(self.numeric_column(name)?.into_iter().flatten().collect())
    }

    /// The names of the columns selected by `columns`, or all columns if
    /// `columns` is `None`; unknown names are an error.
    ///
    /// ```
    /// let data = analysis::Dataset::from_csv_str("example", "a,b,c\n1,2,3\n").unwrap();
    /// assert_eq!(data.select(Some(&["c".to_owned(), "a".to_owned()])).unwrap(), ["c", "a"]);
    /// assert_eq!(data.select(None).unwrap(), ["a", "b", "c"]);
    /// let e = data.select(Some(&["d".to_owned()])).unwrap_err().to_string();
    /// assert!(e.contains("\"d\""), "{e}");
    /// ```
    pub fn select(&self, columns: Option<&[String]>) -> Result<Vec<String>> {
        match columns {
            None => Ok(self.names.clone()),
            Some(cols) => {
                for (i, c) in cols.iter().enumerate() {
                    self.index_of(c)?;
                    // A column selected twice is its own perfect copy: α = 1,
                    // r = 1, a singular matrix — never what was meant.
                    if cols[..i].contains(c) {
                        return Err(AnalysisError::input(
                            Location::source(&self.source),
                            Some(c),
                            "each column selected once (this one is listed twice)",
                        ));
                    }
                }
                Ok(cols.to_vec())
            }
        }
    }

    /// Rows (records) of the given numeric columns with listwise deletion:
    /// a record with a missing value in any of the columns is dropped.
    /// Returns the complete rows and the number dropped.
    ///
    /// ```
    /// let data = analysis::Dataset::from_csv_str("example", "a,b\n1,2\n3,NA\n").unwrap();
    /// let columns = ["a".to_owned(), "b".to_owned()];
    /// let (rows, dropped) = data.complete_rows(&columns).unwrap();
    /// assert_eq!((rows, dropped), (vec![vec![1.0, 2.0]], 1));
    /// ```
    pub fn complete_rows(&self, columns: &[String]) -> Result<(Vec<Vec<f64>>, usize)> {
        let cols: Vec<Vec<Option<f64>>> = columns
            .iter()
            .map(|c| self.numeric_column(c))
            .collect::<Result<_>>()?;
        let mut rows = Vec::with_capacity(self.n_rows());
        let mut dropped = 0;
        for r in 0..self.n_rows() {
            let row: Option<Vec<f64>> = cols.iter().map(|c| c[r]).collect();
            match row {
                Some(row) => rows.push(row),
                None => dropped += 1,
            }
        }
        Ok((rows, dropped))
    }
}

/// 1-based line numbers of records from their byte offsets (which must
/// increase). The csv crate gives a record the offset where it started
/// reading, before the blank lines it skips, so those are stepped over.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &[u8], byte: u64) -> u64 {
        let byte = (byte as usize).min(text.len());
        if byte > self.offset {
            self.newlines += text[self.offset..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = byte;
        }
        loop {
            let rest = &text[self.offset..];
            let blank = if rest.starts_with(b"\n") {
                1
            } else if rest.starts_with(b"\r\n") {
                2
            } else {
                break;
            };
            self.offset += blank;
            self.newlines += 1;
        }
        self.newlines + 1
    }
}

/// The separator of CSV `text`, judged from its header line: a comma if
/// the line has one (even inside quotes, which only a comma-separated
/// header needs), else a semicolon or a tab if it has one, else a comma.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let header = text.split(|&b| b == b'\n').next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .find(|d| header.contains(d))
        .unwrap_or(b',')
}

/// Whether `cell` is a number written with a decimal comma ("3,5").
fn has_decimal_comma(cell: &str) -> bool {
    let t = cell.trim();
    t.matches(',').count() == 1 && t.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite)
}

fn format_cell(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "a,b,group\n1,2,x\n3,,y\nNA,5,z\n7,oops,w\n";

    #[test]
    fn semicolon_and_tab_separated_files_are_read_by_their_header() {
        for sep in [";", "\t"] {
            let text = format!("a{sep}b\n1{sep}2\n3{sep}\n");
            let d = Dataset::from_csv_str("t.csv", &text).unwrap();
            assert_eq!(d.names(), ["a", "b"]);
            assert_eq!(d.numeric_column("b").unwrap(), vec![Some(2.0), None]);
        }
        // A comma anywhere in the header decides for commas.
        let d = Dataset::from_csv_str("t.csv", "\"x;y\",b\n1,2\n").unwrap();
        assert_eq!(d.names(), ["x;y", "b"]);
    }

    #[test]
    fn blank_lines_of_a_one_column_file_are_missing_values() {
        for text in ["q1\n4\n\n5\n\n", "q1\r\n4\r\n\r\n5\r\n\r\n", "q1\n4\n\n5"] {
            let d = Dataset::from_csv_str("t.csv", text).unwrap();
            assert_eq!(
                d.numeric_column("q1").unwrap(),
                vec![Some(4.0), None, Some(5.0)],
                "{text:?}"
            );
            assert_eq!((d.line_of(1), d.line_of(2)), (3, 4));
        }
        let d = Dataset::from_csv_str("t.csv", "q1\n4\n5").unwrap();
        assert_eq!(d.n_rows(), 2);
        let d = Dataset::from_csv_str("t.csv", "q1\n\n4\n").unwrap();
        assert_eq!(d.numeric_column("q1").unwrap(), vec![None, Some(4.0)]);
        let d = Dataset::from_csv_str("t.csv", "q\n\"a\nb\"\n\nc\n").unwrap();
        assert_eq!(d.text_column("q").unwrap(), ["a\nb", "", "c"]);
        // Several columns: a blank line is no record, and later lines keep
        // their numbers.
        let d = Dataset::from_csv_str("t.csv", "a,b\n1,2\n\n3,x\n").unwrap();
        assert_eq!(d.n_rows(), 2);
        let e = d.numeric_column("b").unwrap_err().to_string();
        assert!(e.starts_with("t.csv, line 4, column \"b\""), "{e}");
    }

    #[test]
    fn decimal_comma_is_named_in_the_error() {
        let d = Dataset::from_csv_str("t.csv", "a;b\n1,5;2\n").unwrap();
        assert_eq!(
            d.numeric_column("a").unwrap_err().to_string(),
            "t.csv, line 2, column \"a\": found \"1,5\", expected a finite number with a \
             decimal point (not a decimal comma), an empty cell or NA"
        );
    }

    #[test]
    fn numeric_column_treats_empty_and_na_as_missing() {
        let d = Dataset::from_csv_str("t.csv", CSV).unwrap();
        assert_eq!(d.n_rows(), 4);
        assert_eq!(
            d.numeric_column("a").unwrap(),
            vec![Some(1.0), Some(3.0), None, Some(7.0)]
        );
        assert_eq!(d.numeric_values("a").unwrap(), vec![1.0, 3.0, 7.0]);
    }

    #[test]
    fn text_in_numeric_column_names_line_column_and_value() {
        let d = Dataset::from_csv_str("t.csv", CSV).unwrap();
        let e = d.numeric_column("b").unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv, line 5, column \"b\": found \"oops\", expected a finite number, an empty cell or NA"
        );
    }

    #[test]
    fn unknown_column_lists_the_known_ones() {
        let d = Dataset::from_csv_str("t.csv", CSV).unwrap();
        let e = d.numeric_column("c").unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv: found \"c\", expected one of the columns a, b, group"
        );
    }

    #[test]
    fn ragged_csv_is_an_error_with_its_line() {
        let e = Dataset::from_csv_str("r.csv", "a,b\n1,2\n3\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("r.csv, line 3: expected well-formed CSV"),
            "{e}"
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        let d = Dataset::from_reader("b.csv", &b"\xEF\xBB\xBFid,x\n1,2\n"[..]).unwrap();
        assert_eq!(d.names(), ["id", "x"]);
        assert_eq!(d.numeric_column("id").unwrap(), vec![Some(1.0)]);
    }

    #[test]
    fn a_column_selected_twice_is_rejected() {
        let d = Dataset::from_csv_str("t.csv", "a,b\n1,2\n").unwrap();
        let e = d.select(Some(&["a".into(), "a".into()])).unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn duplicate_header_is_rejected() {
        assert!(Dataset::from_csv_str("d.csv", "a,a\n1,2\n").is_err());
    }

    #[test]
    fn complete_rows_drops_incomplete_records() {
        let d = Dataset::from_csv_str("t.csv", "a,b\n1,2\n3,\n5,6\n").unwrap();
        let (rows, dropped) = d.complete_rows(&["a".into(), "b".into()]).unwrap();
        assert_eq!(rows, vec![vec![1.0, 2.0], vec![5.0, 6.0]]);
        assert_eq!(dropped, 1);
    }
}
