//! What every step of the reproduction shares: numbers that carry their
//! provenance ([`Value`]), a published figure set against ours
//! ([`Comparison`] with a [`Verdict`]), tables with one provenance
//! ([`ProvTable`]), figures ([`StepFigure`]) and the [`Step`] trait that
//! turns a step result into text tables and a report section.

use analysis::claims::Reported;
use analysis::plots::Figure;
use analysis::render::{escape_html, fmt_fixed, Provenance, Table};
use analysis::report::{provenance_badge, Block, Section};
use serde::Serialize;

/// Slack added to a printed number's rounding interval so that a value on
/// its edge (384.16 computed as 384.16000000000003) is not called different
/// because of binary floating point.
pub const ROUNDING_SLACK: f64 = 1e-9;

/// The paper states a bound, not a value ("above 0.05", "below 0.8").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Above,
    Below,
}

/// A number about the study with where it comes from. In `results.json` it
/// is `{"value": 384.16, "text": "384.16", "provenance": "published"}`
/// (plus `"bound": "above"` when the paper states only a bound, and
/// `"interval": [lo, hi]` when a recomputation gives only an interval).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub value: f64,
    /// As shown (the paper's own text for published values).
    pub text: String,
    pub provenance: Provenance,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
    /// When ours is only known to lie in an interval (`value` is then its
    /// midpoint and `text` shows the interval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
}

impl Value {
    /// A figure as printed in the paper.
    pub fn published(r: &Reported) -> Value {
        Value {
            value: r.value,
            text: r.text.clone(),
            provenance: Provenance::Published,
            bound: None,
            interval: None,
        }
    }

    /// A bound stated in the paper ("above 0.05").
    pub fn published_bound(r: &Reported, bound: Bound) -> Value {
        let sign = match bound {
            Bound::Above => ">",
            Bound::Below => "<",
        };
        Value {
            value: r.value,
            text: format!("{sign} {}", r.text),
            provenance: Provenance::Published,
            bound: Some(bound),
            interval: None,
        }
    }

    /// A number we computed, shown with `decimals` decimals.
    pub fn computed(value: f64, decimals: usize, provenance: Provenance) -> Value {
        Value {
            value,
            text: fmt_fixed(value, decimals),
            provenance,
            bound: None,
            interval: None,
        }
    }

    /// A whole count we computed.
    pub fn count(value: u64, provenance: Provenance) -> Value {
        Value {
            value: value as f64,
            text: value.to_string(),
            provenance,
            bound: None,
            interval: None,
        }
    }

    /// A number we computed with a text of our choosing (e.g. "< 0.0001").
    pub fn with_text(value: f64, text: impl Into<String>, provenance: Provenance) -> Value {
        Value {
            value,
            text: text.into(),
            provenance,
            bound: None,
            interval: None,
        }
    }
}

/// How our number relates to the published one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Ours rounds to the published figure (or satisfies its bound).
    Agrees,
    /// Ours does not round to the published figure (or breaks its bound).
    Differs,
    /// Ours is estimated from synthetic data: shown for illustration; it can
    /// neither confirm nor refute the published figure.
    Illustrative,
    /// The two numbers measure different things; the note says why.
    NotComparable,
    /// Only the published figure is shown; nothing to set against it (yet).
    PublishedOnly,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::Differs => "DIFFERS",
            Verdict::Illustrative => "illustration only (synthetic)",
            Verdict::NotComparable => "not comparable",
            Verdict::PublishedOnly => "published only",
        }
    }

    /// Agrees when `ours` rounds to the printed `published` number.
    pub fn of_rounding(published: &Reported, ours: f64) -> Verdict {
        let (lo, hi) = published.interval();
        if ours >= lo - ROUNDING_SLACK && ours <= hi + ROUNDING_SLACK {
            Verdict::Agrees
        } else {
            Verdict::Differs
        }
    }

    /// Whether `ours` satisfies a stated bound, as a verdict.
    pub fn of_bound(bound_value: f64, bound: Bound, ours: f64) -> Verdict {
        let holds = match bound {
            Bound::Above => ours > bound_value,
            Bound::Below => ours < bound_value,
        };
        if holds {
            Verdict::Agrees
        } else {
            Verdict::Differs
        }
    }

    /// The verdict for a number computed from data of the given provenance:
    /// a comparison with synthetic data is only an illustration.
    pub fn for_data(provenance: Provenance, verdict: Verdict) -> Verdict {
        if provenance == Provenance::SyntheticEstimate {
            Verdict::Illustrative
        } else {
            verdict
        }
    }
}

/// One published figure set against our recomputation or estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub quantity: String,
    /// Where the paper states it ("Table 1", "Methods", …); empty if nowhere.
    pub source: String,
    pub published: Option<Value>,
    pub ours: Option<Value>,
    pub verdict: Verdict,
    pub note: String,
}

impl Comparison {
    pub fn new(
        quantity: impl Into<String>,
        source: impl Into<String>,
        published: Option<Value>,
        ours: Option<Value>,
        verdict: Verdict,
    ) -> Comparison {
        Comparison {
            quantity: quantity.into(),
            source: source.into(),
            published,
            ours,
            verdict,
            note: String::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Comparison {
        self.note = note.into();
        self
    }
}

/// A table whose numbers share one provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvTable {
    pub provenance: Provenance,
    pub table: Table,
}

/// A figure of a step, written to `figures/<file>` by the command line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepFigure {
    /// File name under `figures/`, e.g. `04_normality_qq.svg`.
    pub file: String,
    pub provenance: Provenance,
    /// Title and SVG; the SVG is not repeated in `results.json`.
    #[serde(rename = "title", serialize_with = "figure_title")]
    pub figure: Figure,
}

/// A figure of data, labelled with the data's provenance; a figure of
/// synthetic data carries a "SYNTHETIC" footer in the image itself, so it
/// stays labelled when saved or copied alone.
pub fn data_figure(file: String, figure: Figure, data: &super::StudyData) -> StepFigure {
    let figure = match data.provenance {
        Provenance::SyntheticEstimate => figure.with_footer(&format!(
            "SYNTHETIC data (seed {}) — not the study's data",
            data.seed.map_or_else(|| "?".to_owned(), |s| s.to_string())
        )),
        _ => figure,
    };
    StepFigure {
        file,
        provenance: data.provenance,
        figure,
    }
}

fn figure_title<S: serde::Serializer>(f: &Figure, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&f.title)
}

/// A step of the reproduction: a typed result that shows the published
/// figures next to ours, what to notice, its tables and figures.
pub trait Step {
    /// Stable identifier, e.g. `sample_size` (JSON, anchors, file names).
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// Provenance of the numbers the step computes itself (its result's
    /// statistics); comparisons label each number separately.
    fn provenance(&self) -> Provenance;
    fn comparisons(&self) -> &[Comparison];
    /// Short texts: what the reader should notice.
    fn notice(&self) -> &[String];
    /// Further tables, each with its provenance.
    fn tables_with_provenance(&self) -> Vec<ProvTable>;
    fn figures(&self) -> &[StepFigure] {
        &[]
    }
    /// Trusted HTML the step adds to its section (e.g. a codebook tree).
    fn extra_html(&self) -> Option<(String, Provenance)> {
        None
    }
    /// One line for the command line's summary.
    fn summary(&self) -> String;

    /// The step's content, rendered once for every place it is shown (the
    /// report's section, a notebook's display): what to notice, the
    /// comparison table with a provenance label on every number, the other
    /// tables, figures.
    fn blocks(&self) -> Vec<Block> {
        let mut s = Section::new(self.id(), self.title());
        for n in self.notice() {
            s.paragraph(n.clone());
        }
        if !self.comparisons().is_empty() {
            s.html(comparison_html(self.title(), self.comparisons()), None);
        }
        for t in self.tables_with_provenance() {
            s.table(t.table, t.provenance);
        }
        if let Some((html, p)) = self.extra_html() {
            s.html(html, Some(p));
        }
        for f in self.figures() {
            s.figure(f.figure.clone(), f.provenance);
        }
        s.blocks
    }

    /// The step as the report's section `number`.
    fn section(&self, number: usize) -> Section {
        let mut s = Section::new(self.id(), format!("{number}. {}", self.title()));
        s.blocks = self.blocks();
        s
    }
}

/// Writes the [`Step`] accessors that only return a field of the same name,
/// inside an `impl Step for …` block: `step_fields!(id, title, provenance,
/// comparisons, notice, figures);`. Name only the fields the step has and
/// returns as they are; write the other accessors by hand. Every step keeps
/// its own field names, so the JSON that serde makes of it is unchanged.
macro_rules! step_fields {
    ($($field:ident),+ $(,)?) => {
        $($crate::reproduction::common::step_fields!(@accessor $field);)+
    };
    (@accessor id) => {
        fn id(&self) -> &'static str {
            self.id
        }
    };
    (@accessor title) => {
        fn title(&self) -> &'static str {
            self.title
        }
    };
    (@accessor provenance) => {
        fn provenance(&self) -> ::analysis::render::Provenance {
            self.provenance
        }
    };
    (@accessor comparisons) => {
        fn comparisons(&self) -> &[$crate::reproduction::common::Comparison] {
            &self.comparisons
        }
    };
    (@accessor notice) => {
        fn notice(&self) -> &[String] {
            &self.notice
        }
    };
    (@accessor figures) => {
        fn figures(&self) -> &[$crate::reproduction::common::StepFigure] {
            &self.figures
        }
    };
}
pub(crate) use step_fields;

/// Implements [`Render`](analysis::render::Render) for a step: its tables are
/// [`step_tables`], its HTML is [`step_html`] (badges on every number, the
/// figures inline), so a step shows in a notebook as in the report.
macro_rules! impl_step_render {
    ($step:ty) => {
        impl ::analysis::render::Render for $step {
            fn tables(&self) -> Vec<::analysis::render::Table> {
                $crate::reproduction::common::step_tables(self)
            }
            /// The step with a provenance badge on every number and its figures.
            fn to_html(&self) -> String {
                $crate::reproduction::common::step_html(self)
            }
        }
    };
}
pub(crate) use impl_step_render;

/// Each table labelled with the same provenance.
pub(crate) fn all_with_provenance(tables: Vec<Table>, provenance: Provenance) -> Vec<ProvTable> {
    tables
        .into_iter()
        .map(|table| ProvTable { provenance, table })
        .collect()
}

/// The tables of a step for text and notebook display: the comparisons
/// (each number followed by its provenance), then the step's tables with
/// their provenance in the title.
pub fn step_tables(step: &dyn Step) -> Vec<Table> {
    let mut out = Vec::new();
    if !step.comparisons().is_empty() {
        out.push(comparison_table(step.title(), step.comparisons()));
    }
    for t in step.tables_with_provenance() {
        let mut table = t.table;
        table.title = format!("{} [{}]", table.title, t.provenance.label());
        out.push(table);
    }
    if !step.notice().is_empty() {
        let mut t = Table::new("What to notice", &[]);
        for n in step.notice() {
            t.row(vec![format!("• {n}")]);
        }
        out.push(t);
    }
    out
}

/// A step as an HTML fragment for a notebook: its title and the same
/// blocks as its report section ([`Step::blocks`]).
pub fn step_html(step: &dyn Step) -> String {
    let mut out = format!(
        "<div class=\"paraclinic-result paraclinic-step\"><h3>{}</h3>",
        escape_html(step.title())
    );
    for block in step.blocks() {
        out.push_str(&block.to_html());
    }
    out.push_str("</div>");
    out
}

fn shown(v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "—".to_owned(), |v| v.text.clone())
}

fn shown_provenance(v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "—".to_owned(), |v| v.provenance.label().to_owned())
}

/// Comparisons as a text table: published value, ours and where ours comes from.
pub fn comparison_table(title: &str, comparisons: &[Comparison]) -> Table {
    let mut t = Table::new(
        format!("{title}: published vs ours"),
        &[
            "quantity",
            "source",
            "published",
            "ours",
            "ours: provenance",
            "verdict",
            "note",
        ],
    );
    for c in comparisons {
        t.row(vec![
            c.quantity.clone(),
            c.source.clone(),
            shown(&c.published),
            shown(&c.ours),
            shown_provenance(&c.ours),
            c.verdict.label().to_owned(),
            c.note.clone(),
        ]);
    }
    t
}

fn value_cell(v: &Option<Value>) -> String {
    match v {
        None => "<td>—</td>".to_owned(),
        Some(v) => format!(
            "<td style=\"text-align:right\">{} {}</td>",
            escape_html(&v.text),
            provenance_badge(v.provenance)
        ),
    }
}

/// Comparisons as HTML with a provenance badge on every number.
pub fn comparison_html(title: &str, comparisons: &[Comparison]) -> String {
    let mut out = format!(
        "<table class=\"paraclinic comparison\"><caption>{}: published vs ours</caption>\
         <thead><tr><th>quantity</th><th>source</th><th>published</th><th>ours</th>\
         <th>verdict</th><th>note</th></tr></thead><tbody>",
        escape_html(title)
    );
    for c in comparisons {
        let style = match c.verdict {
            Verdict::Differs => " style=\"color:#b00020;font-weight:600\"",
            _ => "",
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td>{}{}<td{style}>{}</td><td>{}</td></tr>",
            escape_html(&c.quantity),
            escape_html(&c.source),
            value_cell(&c.published),
            value_cell(&c.ours),
            escape_html(c.verdict.label()),
            escape_html(&c.note)
        ));
    }
    out.push_str("</tbody></table>");
    out
}

/// Counts of verdicts, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub agrees: usize,
    pub differs: usize,
    pub illustrative: usize,
    pub not_comparable: usize,
    pub published_only: usize,
}

impl VerdictCounts {
    pub fn add(&mut self, comparisons: &[Comparison]) {
        for c in comparisons {
            match c.verdict {
                Verdict::Agrees => self.agrees += 1,
                Verdict::Differs => self.differs += 1,
                Verdict::Illustrative => self.illustrative += 1,
                Verdict::NotComparable => self.not_comparable += 1,
                Verdict::PublishedOnly => self.published_only += 1,
            }
        }
    }

    pub fn of(comparisons: &[Comparison]) -> VerdictCounts {
        let mut c = VerdictCounts::default();
        c.add(comparisons);
        c
    }
}

impl std::fmt::Display for VerdictCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} agree, {} differ, {} illustrative (synthetic), {} not comparable, {} published only",
            self.agrees, self.differs, self.illustrative, self.not_comparable, self.published_only
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_verdict_uses_the_printed_precision() {
        let p = Reported::parse("37.2").unwrap();
        assert_eq!(Verdict::of_rounding(&p, 37.24), Verdict::Agrees);
        assert_eq!(
            Verdict::of_rounding(&p, 100.0 * 143.0 / 385.0),
            Verdict::Differs
        );
        let p = Reported::parse("384.16").unwrap();
        assert_eq!(
            Verdict::of_rounding(&p, 1.96f64 * 1.96 * 0.25 / 0.0025),
            Verdict::Agrees
        );
        assert_eq!(Verdict::of_bound(0.8, Bound::Below, 0.79), Verdict::Agrees);
        assert_eq!(
            Verdict::of_bound(0.05, Bound::Above, 0.01),
            Verdict::Differs
        );
        assert_eq!(
            Verdict::for_data(Provenance::SyntheticEstimate, Verdict::Differs),
            Verdict::Illustrative
        );
        assert_eq!(
            Verdict::for_data(Provenance::UserData, Verdict::Differs),
            Verdict::Differs
        );
    }

    #[test]
    fn comparison_html_labels_every_number() {
        let c = Comparison::new(
            "n0",
            "Methods",
            Some(Value::published(&Reported::parse("384.16").unwrap())),
            Some(Value::computed(384.16, 2, Provenance::Recomputed)),
            Verdict::Agrees,
        );
        let html = comparison_html("Sample size", &[c]);
        assert!(html.contains("384.16 <span class=\"prov prov-published\">published</span>"));
        assert!(html.contains(
            "384.16 <span class=\"prov prov-recomputed\">recomputed from published figures</span>"
        ));
    }
}
