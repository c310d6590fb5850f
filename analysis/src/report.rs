//! A self-contained HTML report: sections of prose, tables and inline SVG
//! figures, every table labelled with where its numbers come from.
//!
//! The page has no external resources (styles inline, figures inline SVG), so
//! it can be mailed or archived as one file, and it is byte-for-byte
//! deterministic for the same content.

use crate::plots::Figure;
use crate::render::{escape_html, Provenance, Table};
use serde::Serialize;

/// One element of a report section.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of plain text (escaped).
    Paragraph {
        /// The text, escaped when rendered.
        text: String,
    },
    /// A table whose numbers share one provenance.
    Table {
        /// The table.
        table: Table,
        /// Where its numbers come from.
        provenance: Provenance,
    },
    /// An inline SVG figure with its provenance.
    Figure {
        /// The figure.
        figure: Figure,
        /// Where its numbers come from.
        provenance: Provenance,
    },
    /// Trusted HTML produced by the library itself (e.g. a `Render::to_html`).
    Html {
        /// The HTML, inserted as is.
        html: String,
        /// Where its numbers come from, when they share one provenance.
        provenance: Option<Provenance>,
    },
}

/// A titled part of a report: a list of blocks.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Used as the HTML anchor.
    pub id: String,
    /// The heading.
    pub title: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section with this anchor id and heading.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            blocks: Vec::new(),
        }
    }
    /// Appends a paragraph of plain text.
    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Section {
        self.blocks.push(Block::Paragraph { text: text.into() });
        self
    }
    /// Appends a table whose numbers have this provenance.
    pub fn table(&mut self, table: Table, provenance: Provenance) -> &mut Section {
        self.blocks.push(Block::Table { table, provenance });
        self
    }
    /// Appends a figure whose numbers have this provenance.
    pub fn figure(&mut self, figure: Figure, provenance: Provenance) -> &mut Section {
        self.blocks.push(Block::Figure { figure, provenance });
        self
    }
    /// Appends trusted HTML made by this library (not escaped).
    pub fn html(&mut self, html: String, provenance: Option<Provenance>) -> &mut Section {
        self.blocks.push(Block::Html { html, provenance });
        self
    }

    /// The section's blocks as HTML, without its heading (the page or the
    /// notebook gives that).
    pub fn blocks_html(&self) -> String {
        self.blocks.iter().map(Block::to_html).collect()
    }
}

/// A whole report: title, subtitle and sections; [`Report::to_html`] makes
/// the page.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The page title and top heading.
    pub title: String,
    /// Shown under the title: data source, seed, version.
    pub subtitle: String,
    /// The sections, in order (listed in a table of contents).
    pub sections: Vec<Section>,
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\
table.paraclinic{border-collapse:collapse;margin:1em 0;font-size:.9em}\
table.paraclinic caption{text-align:left;font-weight:600;padding:.3em 0}\
table.paraclinic th,table.paraclinic td{border:1px solid #ccc;padding:.25em .6em}\
table.paraclinic th{background:#f3f3f3}\
table.paraclinic tfoot td{font-size:.85em;color:#555;border:none}\
.prov{display:inline-block;font-size:.75em;padding:.1em .5em;border-radius:.8em;margin:.2em 0;color:#fff}\
.prov-published{background:#0072B2}.prov-recomputed{background:#009E73}\
.prov-synthetic_estimate{background:#D55E00}.prov-user_data{background:#CC79A7}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#444}\
nav ul{columns:2}\
.scroll{overflow-x:auto;max-width:100%}";

/// The coloured provenance label used in the report (classes `prov
/// prov-<key>`), for HTML built outside this module.
pub fn provenance_badge(p: Provenance) -> String {
    let key = serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!(
        "<span class=\"prov prov-{key}\">{}</span>",
        escape_html(p.label())
    )
}

/// Removes an XML declaration so the SVG can be inlined in HTML.
pub fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

impl Block {
    /// The block as HTML, one line: the same in a report page and in a
    /// fragment shown elsewhere (a notebook), so a section looks alike in both.
    pub fn to_html(&self) -> String {
        match self {
            Block::Paragraph { text } => format!("<p>{}</p>\n", escape_html(text)),
            Block::Table { table, provenance } => {
                // Wide tables (post-hoc matrices) scroll inside their box
                // instead of widening the whole page.
                format!(
                    "{}<div class=\"scroll\">{}</div>\n",
                    provenance_badge(*provenance),
                    table.to_html()
                )
            }
            Block::Figure { figure, provenance } => format!(
                "<figure>{}<figcaption>{} {}</figcaption></figure>\n",
                inline_svg(&figure.svg),
                escape_html(&figure.title),
                provenance_badge(*provenance)
            ),
            Block::Html { html, provenance } => format!(
                "{}<div class=\"scroll\">{html}</div>\n",
                provenance.map(provenance_badge).unwrap_or_default()
            ),
        }
    }
}

impl Report {
    /// The report as one self-contained HTML page.
    ///
    /// ```
    /// use analysis::render::{Provenance, Table};
    /// use analysis::report::{Report, Section};
    ///
    /// let mut table = Table::new("Sample", &["group", "n"]);
    /// table.row(vec!["Female".into(), "4".into()]);
    /// let mut section = Section::new("sample", "Sample & size");
    /// section
    ///     .paragraph("Ten respondents <all adults>.")
    ///     .table(table, Provenance::Published);
    /// let report = Report {
    ///     title: "Example".into(),
    ///     subtitle: "claims: example.json".into(),
    ///     sections: vec![section],
    /// };
    /// let html = report.to_html();
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains("<a href=\"#sample\">Sample &amp; size</a>"));
    /// assert!(html.contains("<p>Ten respondents &lt;all adults&gt;.</p>"));
    /// assert!(html.contains("<td>Female</td>"));
    /// assert!(html.contains("prov prov-published"));
    /// assert_eq!(html.matches("<section").count(), 1);
    /// ```
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.push_str(&format!("<title>{}</title>", escape_html(&self.title)));
        out.push_str(&format!("<style>{STYLE}</style></head><body>\n"));
        out.push_str(&format!("<h1>{}</h1>\n", escape_html(&self.title)));
        out.push_str(&format!("<p>{}</p>\n", escape_html(&self.subtitle)));
        out.push_str("<nav><ul>");
        for s in &self.sections {
            out.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>",
                escape_html(&s.id),
                escape_html(&s.title)
            ));
        }
        out.push_str("</ul></nav>\n");
        for s in &self.sections {
            out.push_str(&format!(
                "<section id=\"{}\"><h2>{}</h2>\n",
                escape_html(&s.id),
                escape_html(&s.title)
            ));
            out.push_str(&s.blocks_html());
            out.push_str("</section>\n");
        }
        out.push_str("</body></html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_is_self_contained_and_labels_provenance() {
        let mut s = Section::new("sample", "Sample size");
        let mut t = Table::new("Cochran", &["quantity", "value"]);
        t.row(vec!["n0".into(), "384.16".into()]);
        s.paragraph("Why <384>?")
            .table(t, Provenance::Published)
            .figure(
                Figure {
                    title: "curve".into(),
                    svg: "<?xml version=\"1.0\"?><svg></svg>".into(),
                },
                Provenance::SyntheticEstimate,
            );
        let r = Report {
            title: "R".into(),
            subtitle: "sub".into(),
            sections: vec![s],
        };
        let html = r.to_html();
        assert!(html.contains("<p>Why &lt;384&gt;?</p>"));
        assert!(html.contains("prov-published\">published</span>"));
        assert!(html.contains("prov-synthetic_estimate\">estimated from synthetic data</span>"));
        assert!(html.contains("<figure><svg></svg>"));
        assert!(!html.contains("<?xml"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert_eq!(html, r.to_html());
    }
}
