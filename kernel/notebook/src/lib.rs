//! # paraclinic-notebook — what a paraclinic notebook has without a `:dep`
//!
//! The `paraclinic` Jupyter kernel loads this crate into every notebook
//! (`use paraclinic_notebook::*;`). It teaches notebooks to show the
//! `analysis` library's results; the library itself knows nothing about
//! Jupyter.
//!
//! * Every [`analysis::Render`] result (every result type of the library,
//!   reproduction steps included), [`analysis::Table`],
//!   [`study::reproduction::StepFigure`] and
//!   [`analysis::plots::Figure`] shows as rich output by itself when it is a
//!   cell's value: HTML tables and text; every figure as an output of its
//!   own with `image/png` beside `image/svg+xml` (a result whose HTML holds
//!   figures, such as a reproduction step, shows its tables, then each
//!   figure, as separate outputs).
//! * [`display()`] / [`display!`] show a value *now*, as its own output,
//!   wherever the call stands (loops, progress reports).
//! * [`clear_output`] clears the cell's output (progress displays).
//!
//! All of it speaks evcxr's text protocol on stdout
//! (`EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT`) plus a few kernel
//! markers; outside the kernel those are just lines of text.
//!
//! This lives in its own crate rather than in code evaluated by the kernel
//! for two reasons: it is compiled once and cached with the dependencies
//! instead of with every cell, and evcxr's fallback from `evcxr_display` to
//! `Debug` for other values only works when the trait's generic impl is not
//! in the notebook's own source.

use std::io::Write;

/// Marker lines understood by the kernel (see the kernel's `display` module).
pub const DISPLAY_BEGIN: &str = "PARACLINIC_DISPLAY_BEGIN";
/// The "MIME type" of a display's metadata (JSON), which evcxr's content
/// protocol has no place for; the kernel moves it into the message's
/// `metadata`.
pub const METADATA_MIME: &str = "application/vnd.paraclinic.metadata+json";
pub const DISPLAY_END: &str = "PARACLINIC_DISPLAY_END";
pub const CLEAR_OUTPUT: &str = "PARACLINIC_CLEAR_OUTPUT ";
pub const PANIC_MESSAGE: &str = "PARACLINIC_PANIC ";

/// Writes one display (MIME type → content) in evcxr's content protocol.
pub fn write_bundle(out: &mut impl Write, bundle: &[(&str, &str)]) -> std::io::Result<()> {
    for (mime, content) in bundle {
        write!(
            out,
            "EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT\n"
        )?;
    }
    out.flush()
}

fn emit(bundle: &[(&str, &str)]) {
    #[cfg(test)]
    if tests::captured(bundle) {
        return;
    }
    // A closed stdout has nowhere to report to; the cell goes on.
    let _ = write_bundle(&mut std::io::stdout().lock(), bundle);
}

/// One display: MIME type → content.
pub type Bundle = Vec<(&'static str, String)>;

/// The MIME bundle of a figure: a PNG (base64, with its display size in the
/// metadata so that it shows as large as the SVG), its SVG, and `caption`
/// as text. Viewers that show no SVG (JupyterLab for an untrusted notebook,
/// GitLab) show the PNG; JupyterLab shows the SVG when it may.
pub fn figure_bundle(figure: &analysis::plots::Figure, caption: &str) -> Bundle {
    use base64::Engine as _;
    let mut bundle = Bundle::new();
    let mut text = caption.to_owned();
    match figure.to_png() {
        Ok(png) => {
            bundle.push((
                "image/png",
                base64::engine::general_purpose::STANDARD.encode(&png.data),
            ));
            bundle.push((
                METADATA_MIME,
                format!(
                    "{{\"image/png\":{{\"width\":{},\"height\":{}}}}}",
                    png.width, png.height
                ),
            ));
        }
        // Shown, not hidden: the SVG still displays where SVG is allowed.
        Err(error) => text.push_str(&format!(" (no PNG: {error})")),
    }
    bundle.push(("image/svg+xml", figure.svg.clone()));
    bundle.push(("text/plain", text));
    bundle
}

/// A figure of a step: its title and where its numbers come from.
fn step_figure_caption(figure: &study::reproduction::StepFigure) -> String {
    format!("{} [{}]", figure.figure.title, figure.provenance.label())
}

/// The displays of an `analysis` result, in order: its HTML and text, then
/// each figure its HTML holds inline (a reproduction step's) as a display of
/// its own, rasterised like any figure ([`figure_bundle`]). In the HTML each
/// figure is replaced by its caption.
///
/// Why from the HTML: a step reaches the display glue as any
/// [`analysis::Render`] value, whose HTML is the only form that carries its
/// figures in place.
pub fn render_outputs<T: analysis::Render + ?Sized>(value: &T) -> Vec<Bundle> {
    let (html, figures) = split_figures(&value.to_html());
    let html = collapse_long_tables(&html);
    let mut outputs = vec![vec![("text/html", html), ("text/plain", value.to_text())]];
    outputs.extend(
        figures
            .iter()
            .map(|(figure, caption)| figure_bundle(figure, caption)),
    );
    outputs
}

/// Takes each `<figure>` that holds an `<svg>` out of `html`: the HTML with
/// a caption paragraph in the figure's place, and each figure with its
/// caption as plain text.
pub fn split_figures(html: &str) -> (String, Vec<(analysis::plots::Figure, String)>) {
    const OPEN: &str = "<figure>";
    const CLOSE: &str = "</figure>";
    let mut rest = html;
    let mut out = String::with_capacity(html.len());
    let mut figures = Vec::new();
    while let Some(start) = rest.find(OPEN) {
        let Some(len) = rest[start..].find(CLOSE) else {
            break;
        };
        let inner = &rest[start + OPEN.len()..start + len];
        let (Some(svg_start), Some(svg_end)) = (inner.find("<svg"), inner.rfind("</svg>")) else {
            // Not a plot: left as it is.
            out.push_str(&rest[..start + len + CLOSE.len()]);
            rest = &rest[start + len + CLOSE.len()..];
            continue;
        };
        let svg = &inner[svg_start..svg_end + "</svg>".len()];
        let caption_html = inner
            .split_once("<figcaption>")
            .and_then(|(_, c)| c.split_once("</figcaption>"))
            .map_or("", |(c, _)| c);
        // "Title <span …>provenance</span>" → "Title [provenance]", as a
        // step's figure shows by itself.
        let (title, badge) = caption_html.split_once("<span").map_or(
            (caption_html.to_owned(), String::new()),
            |(title, badge)| (title.to_owned(), strip_tags(&format!("<span{badge}"))),
        );
        let mut caption = unescape_html(&strip_tags(&title));
        if !badge.is_empty() {
            caption.push_str(&format!(" [{}]", unescape_html(&badge)));
        }
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<p class=\"paraclinic-figure-note\">Figure: {caption_html}</p>"
        ));
        figures.push((
            analysis::plots::Figure {
                title: caption.clone(),
                svg: svg.to_owned(),
            },
            caption,
        ));
        rest = &rest[start + len + CLOSE.len()..];
    }
    out.push_str(rest);
    (out, figures)
}

/// Tables of more rows than this show collapsed (their caption, a click
/// away from the rows): per-item and per-round tables of 41–82 rows would
/// otherwise bury what follows them. The comparison tables (up to 33 rows)
/// stay open.
pub const COLLAPSED_TABLE_ROWS: usize = 40;

/// Wraps each `<table>` of more than [`COLLAPSED_TABLE_ROWS`] rows in a
/// `<details>` element whose summary is its caption and row count.
/// JupyterLab keeps `<details>` and `<summary>` in untrusted HTML.
pub fn collapse_long_tables(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 200);
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let Some(len) = rest[start..].find("</table>") else {
            break;
        };
        let end = start + len + "</table>".len();
        let table = &rest[start..end];
        // Body rows: those after `<tbody>`, where there is one.
        let body = table.split_once("<tbody>").map_or(table, |(_, b)| b);
        let rows = body.matches("<tr").count();
        out.push_str(&rest[..start]);
        if rows > COLLAPSED_TABLE_ROWS {
            let caption = table
                .split_once("<caption>")
                .and_then(|(_, c)| c.split_once("</caption>"))
                .map_or("Table", |(c, _)| c);
            out.push_str(&format!(
                "<details class=\"paraclinic-long-table\"><summary>{caption} \
                 ({rows} rows: click to show)</summary>{table}</details>"
            ));
        } else {
            out.push_str(table);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The text of an HTML fragment: tags dropped, whitespace runs made one
/// space.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Undoes `analysis::render::escape_html`.
fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Sends each display of `outputs`: one alone as the cell's value, several
/// as separate outputs in order (a cell's value can be only one output).
fn emit_outputs(outputs: &[Bundle]) {
    match outputs {
        [one] => emit_owned(one),
        several => {
            for bundle in several {
                display_begin();
                emit_owned(bundle);
                display_end();
            }
        }
    }
}

fn emit_owned(bundle: &[(&'static str, String)]) {
    let borrowed: Vec<(&str, &str)> = bundle.iter().map(|(m, c)| (*m, c.as_str())).collect();
    emit(&borrowed);
}

/// Rich display of every `analysis` result (evcxr calls `evcxr_display` on
/// a cell's final value).
pub trait RenderDisplay {
    fn evcxr_display(&self);
}

impl<T: analysis::Render> RenderDisplay for T {
    fn evcxr_display(&self) {
        emit_outputs(&render_outputs(self));
    }
}

/// Rich display of a plot.
pub trait FigureDisplay {
    fn evcxr_display(&self);
}

impl FigureDisplay for analysis::plots::Figure {
    fn evcxr_display(&self) {
        emit_owned(&figure_bundle(self, &self.title));
    }
}

/// Rich display of a reproduction step's figure, captioned with its
/// provenance.
impl FigureDisplay for study::reproduction::StepFigure {
    fn evcxr_display(&self) {
        emit_owned(&figure_bundle(&self.figure, &step_figure_caption(self)));
    }
}

/// Rich display of a bare table.
pub trait TableDisplay {
    fn evcxr_display(&self);
}

impl TableDisplay for analysis::Table {
    fn evcxr_display(&self) {
        emit_owned(&[
            ("text/html", self.to_html()),
            ("text/plain", self.to_text()),
        ]);
    }
}

/// Rich display of a fallible analysis: the result, or the error's message.
pub trait ResultDisplay {
    fn evcxr_display(&self);
}

impl<T: analysis::Render> ResultDisplay for analysis::Result<T> {
    fn evcxr_display(&self) {
        match self {
            Ok(value) => RenderDisplay::evcxr_display(value),
            Err(error) => emit(&[("text/plain", &format!("error: {error}"))]),
        }
    }
}

/// Plain `Debug` text for every other value, as evcxr shows it (`{:?}`).
///
/// Why: evcxr compiles a cell ending in an expression as
/// `(expr).evcxr_display();` and, when that fails to compile, compiles the
/// cell again printing `{:?}`. With this trait the first compile succeeds
/// for any `Debug` value, so such cells compile once instead of twice.
///
/// It never hides a richer display: its method takes `&mut self`, and
/// method lookup tries `&self` methods — inherent `evcxr_display`s, the
/// traits above, other crates' display traits — before `&mut self` ones.
/// The vendored evcxr binds the final value as `let mut v = &(expr);` and
/// calls `v.evcxr_display()`, so this impl applies (to `&T`, whose `Debug`
/// text is `T`'s) for any value, an immutable variable included, without
/// moving it. evcxr's `:fmt` setting does not apply to values shown through
/// this trait.
pub trait DebugDisplay {
    fn evcxr_display(&mut self);
}

impl<T: std::fmt::Debug + ?Sized> DebugDisplay for T {
    fn evcxr_display(&mut self) {
        emit(&[("text/plain", &format!("{self:?}"))]);
    }
}

#[doc(hidden)]
pub fn display_begin() {
    #[cfg(test)]
    if tests::captured(&[(DISPLAY_BEGIN, "")]) {
        return;
    }
    println!("{DISPLAY_BEGIN}");
}

#[doc(hidden)]
pub fn display_end() {
    #[cfg(test)]
    if tests::captured(&[(DISPLAY_END, "")]) {
        return;
    }
    println!("{DISPLAY_END}");
}

/// Shows an `analysis` result now, as its own output, wherever the call is.
/// For figures, tables and any other value with an `evcxr_display` method,
/// use [`display!`].
pub fn display<T: analysis::Render + ?Sized>(value: &T) {
    for bundle in render_outputs(value) {
        display_begin();
        emit_owned(&bundle);
        display_end();
    }
}

/// Shows an `analysis` result's tables and text now, without the figures
/// its HTML holds (a notebook then shows the figures it discusses one by
/// one, e.g. `step.figures[0]`, rather than each twice).
pub fn display_tables<T: analysis::Render + ?Sized>(value: &T) {
    if let Some(tables) = render_outputs(value).first() {
        display_begin();
        emit_owned(tables);
        display_end();
    }
}

/// Shows any value that has an `evcxr_display` method — analysis results,
/// figures, tables, other crates' types — now, as its own output.
#[macro_export]
macro_rules! display {
    ($value:expr) => {{
        $crate::display_begin();
        ($value).evcxr_display();
        $crate::display_end();
    }};
}

/// Clears the cell's output; with `wait`, only when the next output arrives
/// (a progress display then does not flicker).
pub fn clear_output(wait: bool) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{CLEAR_OUTPUT}{}", u8::from(wait));
    let _ = out.flush();
}

/// A JSON string literal (the crate avoids a serde_json dependency of its
/// own for this one use).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The line that reports a panic to the kernel.
pub fn panic_line(message: &str, location: &str) -> String {
    format!(
        "{PANIC_MESSAGE}{{\"message\":{},\"location\":{}}}",
        json_string(message),
        json_string(location)
    )
}

/// Reports panics to the kernel as one structured line (which it turns into
/// the cell's single `error` message) instead of text on stderr.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "Box<dyn Any>".to_owned()
        };
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", panic_line(&message, &location));
        let _ = out.flush();
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        static CAPTURE: RefCell<Option<Vec<(String, String)>>> = const { RefCell::new(None) };
    }

    /// In tests, displays are collected instead of written to stdout.
    pub(super) fn captured(bundle: &[(&str, &str)]) -> bool {
        CAPTURE.with(|c| match c.borrow_mut().as_mut() {
            Some(out) => {
                out.extend(bundle.iter().map(|(m, v)| (m.to_string(), v.to_string())));
                true
            }
            None => false,
        })
    }

    /// The MIME types and contents `f` displays.
    fn shown(f: impl FnOnce()) -> Vec<(String, String)> {
        CAPTURE.with(|c| *c.borrow_mut() = Some(Vec::new()));
        f();
        CAPTURE.with(|c| c.borrow_mut().take().unwrap())
    }

    #[derive(Debug, serde::Serialize)]
    struct Scored {
        score: u32,
    }

    impl analysis::Render for Scored {
        fn tables(&self) -> Vec<analysis::Table> {
            let mut t = analysis::Table::new("Scored", &["score"]);
            t.row(vec![self.score.to_string()]);
            vec![t]
        }
    }

    struct Inherent;

    impl Inherent {
        fn evcxr_display(&self) {
            emit(&[("text/markdown", "# mine")]);
        }
    }

    /// What evcxr generates for a cell ending in an expression resolves to
    /// the richest display: `Render` over `Debug`, an inherent method over
    /// both, `Debug` text for the rest (so the cell compiles once).
    #[test]
    fn final_expressions_resolve_to_the_richest_display() {
        let shown_rich = shown(|| (Scored { score: 7 }).evcxr_display());
        assert_eq!(
            shown_rich
                .iter()
                .map(|(m, _)| m.as_str())
                .collect::<Vec<_>>(),
            ["text/html", "text/plain"]
        );
        let scored = Scored { score: 8 };
        assert_eq!(shown(|| (scored).evcxr_display())[0].0, "text/html");
        assert_eq!(
            shown(|| (Inherent).evcxr_display()),
            [("text/markdown".to_owned(), "# mine".to_owned())]
        );
        assert_eq!(
            shown(|| (6 * 7).evcxr_display()),
            [("text/plain".to_owned(), "42".to_owned())]
        );
        assert_eq!(
            shown(|| (format!("{}-{}", 20, 7)).evcxr_display()),
            [("text/plain".to_owned(), "\"20-7\"".to_owned())]
        );
        assert_eq!(shown(|| (vec![1, 2, 3]).evcxr_display())[0].1, "[1, 2, 3]");
        let figure = bars();
        assert_eq!(
            mimes(&shown(|| (figure).evcxr_display())),
            ["image/png", METADATA_MIME, "image/svg+xml", "text/plain"]
        );
    }

    fn mimes(shown: &[(String, String)]) -> Vec<&str> {
        shown.iter().map(|(m, _)| m.as_str()).collect()
    }

    fn bars() -> analysis::plots::Figure {
        analysis::plots::bar_chart(&[("a".into(), 1.0), ("b".into(), 2.0)], "Two bars", "n")
            .unwrap()
    }

    #[test]
    fn bundle_is_written_in_evcxr_protocol() {
        let mut out = Vec::new();
        write_bundle(&mut out, &[("text/html", "<b>x</b>"), ("text/plain", "x")]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "EVCXR_BEGIN_CONTENT text/html\n<b>x</b>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\nx\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn render_results_give_html_and_text() {
        let outputs = render_outputs(&Scored { score: 385 });
        let [output] = &outputs[..] else {
            panic!("{outputs:?}")
        };
        let [(html_mime, html), (text_mime, text)] = &output[..] else {
            panic!("{output:?}")
        };
        assert_eq!((*html_mime, *text_mime), ("text/html", "text/plain"));
        assert!(
            html.contains("<td style=\"text-align:right\">385</td>"),
            "{html}"
        );
        assert_eq!(text, "Scored\nscore\n-----\n  385\n");
    }

    /// A figure is a PNG (base64) with its display size, its SVG and its
    /// caption.
    #[test]
    fn figures_give_png_beside_svg() {
        use base64::Engine as _;
        let figure = bars();
        let bundle = figure_bundle(&figure, "Two bars [published]");
        assert_eq!(
            bundle.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            ["image/png", METADATA_MIME, "image/svg+xml", "text/plain"]
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(&bundle[0].1)
            .unwrap();
        assert_eq!(png, figure.to_png().unwrap().data);
        let size = figure.to_png().unwrap();
        assert_eq!(
            bundle[1].1,
            format!(
                "{{\"image/png\":{{\"width\":{},\"height\":{}}}}}",
                size.width, size.height
            )
        );
        assert_eq!(bundle[2].1, figure.svg);
        assert_eq!(bundle[3].1, "Two bars [published]");
    }

    /// A figure that cannot be rasterised still shows its SVG, and its text
    /// says why there is no PNG.
    #[test]
    fn a_figure_without_png_says_why() {
        let figure = analysis::plots::Figure {
            title: "Cut".into(),
            svg: "<svg".into(),
        };
        let bundle = figure_bundle(&figure, "Cut");
        assert_eq!(bundle[0], ("image/svg+xml", "<svg".to_owned()));
        assert!(bundle[1].1.starts_with("Cut (no PNG: "), "{}", bundle[1].1);
    }

    #[test]
    fn split_figures_leaves_other_html_and_takes_each_plot_with_its_caption() {
        let html = "<div><table></table><figure><img src=x><figcaption>photo</figcaption></figure>\
                    <figure><?xml?><svg width=\"1\"><text>a</text></svg>\
                    <figcaption>A &amp; B <span class=\"prov\">published</span></figcaption></figure>\
                    <p>after</p></div>";
        let (rest, figures) = split_figures(html);
        assert_eq!(
            rest,
            "<div><table></table><figure><img src=x><figcaption>photo</figcaption></figure>\
             <p class=\"paraclinic-figure-note\">Figure: A &amp; B \
             <span class=\"prov\">published</span></p><p>after</p></div>"
        );
        assert_eq!(figures.len(), 1);
        assert_eq!(figures[0].0.svg, "<svg width=\"1\"><text>a</text></svg>");
        assert_eq!(figures[0].1, "A & B [published]");
    }

    /// Compiles only if every result type of the library shows richly by
    /// itself as a cell's value, through the generic `Render` impl (HTML +
    /// text) or the figure/table/`Result` impls.
    #[test]
    fn every_result_type_of_the_library_has_a_rich_display() {
        fn render<T: RenderDisplay>() {}
        fn figure<T: FigureDisplay>() {}
        fn table<T: TableDisplay>() {}
        fn fallible<T: ResultDisplay>() {}
        use study::reproduction as repro;
        render::<analysis::sem::SemFit>();
        render::<analysis::friedman::Friedman>();
        render::<analysis::delphi::Delphi>();
        render::<analysis::audit::AuditReport>();
        render::<analysis::sample_size::SampleSize>();
        render::<analysis::normality::NormalityReport>();
        render::<analysis::correlation::CorrelationReport>();
        render::<analysis::reliability::ReliabilityReport>();
        render::<analysis::frequency::FrequencyTable>();
        render::<analysis::codebook::Codebook>();
        render::<study::synthetic::SyntheticStudy>();
        render::<repro::sample_size::SampleSizeStep>();
        render::<repro::demographics::DemographicsStep>();
        render::<repro::codebook::CodebookStep>();
        render::<repro::normality::NormalityStep>();
        render::<repro::correlation::CorrelationStep>();
        render::<repro::friedman::FriedmanStep>();
        render::<repro::delphi::DelphiStep>();
        render::<repro::audit::AuditStep>();
        render::<repro::sem::SemStep>();
        render::<repro::Reproduction>();
        figure::<analysis::plots::Figure>();
        figure::<repro::StepFigure>();
        table::<analysis::Table>();
        fallible::<analysis::Result<repro::sample_size::SampleSizeStep>>();
        fallible::<analysis::Result<analysis::friedman::Friedman>>();
    }

    /// A step shows as its tables (HTML without plots, and text), then each
    /// figure as an output of its own; as a cell's value too, where the
    /// outputs are bracketed as separate displays.
    #[test]
    fn a_reproduction_step_shows_its_tables_then_each_figure() {
        let claims = study::published::contracting_model();
        let step = study::reproduction::sample_size::run(&claims).unwrap();
        let outputs = render_outputs(&step);
        assert_eq!(outputs.len(), 1 + step.figures.len());
        let (html, text) = (&outputs[0][0].1, &outputs[0][1].1);
        assert!(html.starts_with("<div class=\"paraclinic-result paraclinic-step\">"));
        assert!(html.contains("<table"), "{html}");
        assert!(html.contains("384.16"), "{html}");
        assert!(!html.contains("<svg"), "{html}");
        assert!(html.contains("Figure: "), "{html}");
        assert!(text.contains("384.16"), "{text}");
        assert!(!text.contains('<'), "{text}");
        for (output, figure) in outputs[1..].iter().zip(&step.figures) {
            assert_eq!(
                output,
                &figure_bundle(
                    &analysis::plots::Figure {
                        title: output[3].1.clone(),
                        svg: figure.figure.svg[figure.figure.svg.find("<svg").unwrap()..]
                            .trim_end()
                            .to_owned()
                    },
                    &output[3].1
                )
            );
            assert_eq!(
                output[3].1,
                format!(
                    "{} [recomputed from published figures]",
                    figure.figure.title
                )
            );
        }

        let shown = shown(|| (step).evcxr_display());
        let mut expected = vec![DISPLAY_BEGIN, "text/html", "text/plain", DISPLAY_END];
        for _ in 0..outputs.len() - 1 {
            expected.extend([DISPLAY_BEGIN, "image/png", METADATA_MIME]);
            expected.extend(["image/svg+xml", "text/plain", DISPLAY_END]);
        }
        assert_eq!(mimes(&shown), expected);
    }

    #[test]
    fn only_tables_of_more_than_forty_rows_are_collapsed() {
        let table = |rows: usize| {
            let mut t = analysis::Table::new("Items <all>", &["item"]);
            for i in 0..rows {
                t.row(vec![i.to_string()]);
            }
            t.to_html()
        };
        let (short, long) = (table(COLLAPSED_TABLE_ROWS), table(COLLAPSED_TABLE_ROWS + 1));
        let html = format!("<div>{short}<p>x</p>{long}</div>");
        assert_eq!(
            collapse_long_tables(&html),
            format!(
                "<div>{short}<p>x</p><details class=\"paraclinic-long-table\">\
                 <summary>Items &lt;all&gt; (41 rows: click to show)</summary>{long}</details></div>"
            )
        );
    }

    #[test]
    fn display_tables_shows_a_step_without_its_figures() {
        let claims = study::published::contracting_model();
        let step = study::reproduction::sample_size::run(&claims).unwrap();
        let shown = shown(|| display_tables(&step));
        assert_eq!(
            mimes(&shown),
            [DISPLAY_BEGIN, "text/html", "text/plain", DISPLAY_END]
        );
        assert_eq!(shown[1].1, render_outputs(&step)[0][0].1);
    }

    #[test]
    fn friedman_results_show_as_tables() {
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![1.0, 3.0, 2.0],
            vec![2.0, 1.0, 3.0],
            vec![1.0, 2.0, 3.0],
        ];
        let result = analysis::friedman::friedman(&names, &rows, 0, 0.05).unwrap();
        let outputs = render_outputs(&result);
        let [output] = &outputs[..] else {
            panic!("{outputs:?}")
        };
        let (html, text) = (&output[0].1, &output[1].1);
        assert!(html.contains("<caption>"), "{html}");
        assert!(html.contains("<td>B</td>"), "{html}");
        assert_eq!(*text, analysis::Render::to_text(&result));
    }

    #[test]
    fn step_figures_show_as_png_and_svg_with_their_provenance() {
        let claims = study::published::contracting_model();
        let step = study::reproduction::sample_size::run(&claims).unwrap();
        let step_figure = &step.figures[0];
        let shown = shown(|| step_figure.evcxr_display());
        assert_eq!(
            mimes(&shown),
            ["image/png", METADATA_MIME, "image/svg+xml", "text/plain"]
        );
        assert_eq!(shown[2].1, step_figure.figure.svg);
        assert_eq!(
            shown[3].1,
            format!(
                "{} [recomputed from published figures]",
                step_figure.figure.title
            )
        );
    }

    #[test]
    fn panic_line_is_json() {
        assert_eq!(
            panic_line("say \"hi\"\n", "src/lib.rs:1:2"),
            r#"PARACLINIC_PANIC {"message":"say \"hi\"\n","location":"src/lib.rs:1:2"}"#
        );
        assert_eq!(json_string("\u{1}"), "\"\\u0001\"");
    }
}
