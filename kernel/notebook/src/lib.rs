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
//!   cell's value: HTML tables or SVG, plus `text/plain`.
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

/// The MIME bundle of an analysis result: HTML tables and plain text.
pub fn render_bundle<T: analysis::Render + ?Sized>(value: &T) -> [(&'static str, String); 2] {
    [
        ("text/html", value.to_html()),
        ("text/plain", value.to_text()),
    ]
}

/// The MIME bundle of a figure: its SVG, and its title as text.
pub fn figure_bundle(figure: &analysis::plots::Figure) -> [(&'static str, String); 2] {
    [
        ("image/svg+xml", figure.svg.clone()),
        ("text/plain", figure.title.clone()),
    ]
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
        emit_owned(&render_bundle(self));
    }
}

/// Rich display of a plot.
pub trait FigureDisplay {
    fn evcxr_display(&self);
}

impl FigureDisplay for analysis::plots::Figure {
    fn evcxr_display(&self) {
        emit_owned(&figure_bundle(self));
    }
}

/// Rich display of a reproduction step's figure (its SVG).
impl FigureDisplay for study::reproduction::StepFigure {
    fn evcxr_display(&self) {
        emit_owned(&figure_bundle(&self.figure));
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
    println!("{DISPLAY_BEGIN}");
}

#[doc(hidden)]
pub fn display_end() {
    println!("{DISPLAY_END}");
}

/// Shows an `analysis` result now, as its own output, wherever the call is.
/// For figures, tables and any other value with an `evcxr_display` method,
/// use [`display!`].
pub fn display<T: analysis::Render + ?Sized>(value: &T) {
    let bundle = render_bundle(value);
    display_begin();
    emit_owned(&bundle);
    display_end();
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
        let figure = analysis::plots::Figure {
            title: "t".into(),
            svg: "<svg/>".into(),
        };
        assert_eq!(shown(|| (figure).evcxr_display())[0].0, "image/svg+xml");
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
        let [(html_mime, html), (text_mime, text)] = render_bundle(&Scored { score: 385 });
        assert_eq!((html_mime, text_mime), ("text/html", "text/plain"));
        assert!(
            html.contains("<td style=\"text-align:right\">385</td>"),
            "{html}"
        );
        assert_eq!(text, "Scored\nscore\n-----\n  385\n");
    }

    #[test]
    fn figures_give_svg() {
        let figure = analysis::plots::Figure {
            title: "Scree".into(),
            svg: "<svg/>".into(),
        };
        assert_eq!(
            figure_bundle(&figure),
            [
                ("image/svg+xml", "<svg/>".to_owned()),
                ("text/plain", "Scree".to_owned())
            ]
        );
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

    #[test]
    fn a_reproduction_step_shows_its_comparisons_as_html_and_text() {
        let claims = study::published::contracting_model();
        let step = study::reproduction::sample_size::run(&claims).unwrap();
        let [(_, html), (_, text)] = render_bundle(&step);
        // The step's own notebook HTML: provenance badges and its figure.
        assert!(html.starts_with("<div class=\"paraclinic-result paraclinic-step\">"));
        assert!(html.contains("<table"), "{html}");
        assert!(html.contains("384.16"), "{html}");
        assert!(html.contains("<svg"), "{html}");
        assert!(text.contains("384.16"), "{text}");
        assert!(!text.contains('<'), "{text}");
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
        let [(_, html), (_, text)] = render_bundle(&result);
        assert!(html.contains("<caption>"), "{html}");
        assert!(html.contains("<td>B</td>"), "{html}");
        assert_eq!(text, analysis::Render::to_text(&result));
    }

    #[test]
    fn step_figures_show_as_svg() {
        let claims = study::published::contracting_model();
        let step = study::reproduction::sample_size::run(&claims).unwrap();
        let step_figure = &step.figures[0];
        let [(mime, svg), (_, title)] = figure_bundle(&step_figure.figure);
        assert_eq!(mime, "image/svg+xml");
        assert!(svg.contains("<svg"));
        assert_eq!(title, step_figure.figure.title);
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
