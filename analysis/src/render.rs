//! Rendering of results: every result type renders as plain-text tables, as
//! HTML tables and as JSON (through serde). A result describes itself as a
//! list of [`Table`]s; text and HTML follow from that, so all results look
//! alike in a terminal, in a notebook and in the report.

use serde::Serialize;
use std::fmt::Write as _;

/// Where a number about the study comes from. Every figure the product prints
/// about the study carries one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// As printed in the paper.
    Published,
    /// Recomputed by us from figures the paper publishes.
    Recomputed,
    /// Estimated from the seeded synthetic reconstruction, not the study's data.
    SyntheticEstimate,
    /// Computed from data the user supplied.
    UserData,
}

impl Provenance {
    /// The words printed beside a number with this provenance.
    pub fn label(self) -> &'static str {
        match self {
            Provenance::Published => "published",
            Provenance::Recomputed => "recomputed from published figures",
            Provenance::SyntheticEstimate => "estimated from synthetic data",
            Provenance::UserData => "computed from user data",
        }
    }
}

/// A titled table of text cells with optional notes under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Caption above the table.
    pub title: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Cells, row by row (each row as long as the header).
    pub rows: Vec<Vec<String>>,
    /// Notes printed under the table, in order.
    pub notes: Vec<String>,
}

impl Table {
    /// An empty table with a title and column headings.
    ///
    /// ```
    /// use analysis::Table;
    /// let mut t = Table::new("Sizes", &["group", "n"]);
    /// t.row(vec!["a".into(), "12".into()]).note("Counts of complete records.");
    /// let text = t.to_text();
    /// assert!(text.starts_with("Sizes\n") && text.contains("Counts of complete records."));
    /// assert!(t.to_html().contains("<caption>Sizes</caption>"));
    /// ```
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table {
            title: title.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Appends a row of cells.
    pub fn row(&mut self, cells: Vec<String>) -> &mut Table {
        self.rows.push(cells);
        self
    }

    /// Appends a note under the table.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Table {
        self.notes.push(note.into());
        self
    }

    /// Fixed-width text: text columns left-aligned, numeric ones right-aligned.
    pub fn to_text(&self) -> String {
        let ncol = self
            .header
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        // Borrowed, not cloned: a 1000 × 1000 correlation table has a million
        // cells, each looked at three times.
        fn cell(row: &[String], c: usize) -> &str {
            row.get(c).map_or("", String::as_str)
        }
        let mut width = vec![0usize; ncol];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (c, w) in width.iter_mut().enumerate() {
                *w = (*w).max(cell(row, c).chars().count());
            }
        }
        let numeric: Vec<bool> = (0..ncol)
            .map(|c| !self.rows.is_empty() && self.rows.iter().all(|r| looks_numeric(cell(r, c))))
            .collect();
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = writeln!(out, "{}", self.title);
        }
        let line = |row: &Vec<String>| {
            let mut s = String::new();
            for c in 0..ncol {
                let v = cell(row, c);
                let pad = width[c] - v.chars().count();
                if c > 0 {
                    s.push_str("  ");
                }
                if numeric[c] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(v);
                } else {
                    s.push_str(v);
                    s.push_str(&" ".repeat(pad));
                }
            }
            s.trim_end().to_owned()
        };
        if !self.header.is_empty() {
            let _ = writeln!(out, "{}", line(&self.header));
            let total: usize = width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
            let _ = writeln!(out, "{}", "-".repeat(total));
        }
        for row in &self.rows {
            let _ = writeln!(out, "{}", line(row));
        }
        for n in &self.notes {
            let _ = writeln!(out, "{n}");
        }
        out
    }

    /// The table as an HTML `<table>` with its title as caption and notes below, text escaped.
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table class=\"paraclinic\">");
        if !self.title.is_empty() {
            let _ = write!(out, "<caption>{}</caption>", escape_html(&self.title));
        }
        if !self.header.is_empty() {
            out.push_str("<thead><tr>");
            for h in &self.header {
                let _ = write!(out, "<th>{}</th>", escape_html(h));
            }
            out.push_str("</tr></thead>");
        }
        out.push_str("<tbody>");
        for row in &self.rows {
            out.push_str("<tr>");
            for v in row {
                let align = if looks_numeric(v) {
                    " style=\"text-align:right\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{align}>{}</td>", escape_html(v));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody>");
        if !self.notes.is_empty() {
            let _ = write!(
                out,
                "<tfoot><tr><td colspan=\"{}\">{}</td></tr></tfoot>",
                self.header.len().max(1),
                self.notes
                    .iter()
                    .map(|n| escape_html(n))
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
        out.push_str("</table>");
        out
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim().trim_start_matches(['<', '>', '≤', '≥']).trim();
    !t.is_empty() && (t.parse::<f64>().is_ok() || t == "NA" || t == "—")
}

/// A result that can be shown: as tables (text, HTML) and as JSON.
pub trait Render: Serialize {
    /// The result laid out as one or more tables.
    fn tables(&self) -> Vec<Table>;

    /// The tables as plain text, separated by blank lines.
    fn to_text(&self) -> String {
        self.tables()
            .iter()
            .map(Table::to_text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The tables as HTML inside one `<div class="paraclinic-result">`.
    fn to_html(&self) -> String {
        let mut out = String::from("<div class=\"paraclinic-result\">");
        for t in self.tables() {
            out.push_str(&t.to_html());
        }
        out.push_str("</div>");
        out
    }

    /// Pretty-printed JSON. Serialization of our own plain data types does
    /// not fail; if it ever did, the error is returned as JSON text.
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{}\"}}", e.to_string().replace('"', "'")))
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attributes.
///
/// ```
/// assert_eq!(analysis::render::escape_html("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with a fixed count of decimals; non-finite values show as "NA"
/// (they never reach results, but a display must not panic).
///
/// ```
/// assert_eq!(analysis::render::fmt_fixed(384.1459, 2), "384.15");
/// assert_eq!(analysis::render::fmt_fixed(f64::NAN, 2), "NA");
/// ```
pub fn fmt_fixed(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        let s = format!("{x:.decimals$}");
        // Avoid "-0.000".
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_owned()
        } else {
            s
        }
    } else {
        "NA".to_owned()
    }
}

/// A p-value: four decimals, or "< 0.0001" below that.
///
/// ```
/// assert_eq!(analysis::render::fmt_p(0.03223), "0.0322");
/// assert_eq!(analysis::render::fmt_p(7e-12), "< 0.0001");
/// ```
pub fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "NA".to_owned()
    } else if p < 1e-4 {
        "< 0.0001".to_owned()
    } else {
        format!("{p:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_table_aligns_numbers_right_and_text_left() {
        let mut t = Table::new("T", &["name", "value"]);
        t.row(vec!["a".into(), "1.5".into()]);
        t.row(vec!["long name".into(), "10.25".into()]);
        assert_eq!(
            t.to_text(),
            "T\nname       value\n----------------\na            1.5\nlong name  10.25\n"
        );
    }

    #[test]
    fn html_escapes_cells() {
        let mut t = Table::new("", &["x"]);
        t.row(vec!["<b>&".into()]);
        assert!(t.to_html().contains("<td>&lt;b&gt;&amp;</td>"));
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_fixed(-0.0001, 3), "0.000");
        assert_eq!(fmt_fixed(f64::NAN, 3), "NA");
        assert_eq!(fmt_p(0.04321), "0.0432");
        assert_eq!(fmt_p(1e-7), "< 0.0001");
    }
}
