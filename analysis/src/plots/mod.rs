//! Plots rendered with plotters as SVG.
//!
//! Each plot is a function from plain data (slices, names and the small
//! structs defined here) to a [`Figure`]. The kernel shows a `Figure` as
//! `image/svg+xml` beside `image/png` ([`Figure::to_png`], feature `png`);
//! the report inlines its SVG.
//!
//! Conventions shared by every plot:
//! - colours from the Okabe–Ito palette ([`palette`]), which stays
//!   distinguishable with the common colour-vision deficiencies; where colour
//!   encodes a group, a label or marker shape says the same;
//! - text is SVG `<text>` (no font files); the canvas is sized from the
//!   length of the labels and long labels are shortened with "…" so nothing
//!   overlaps;
//! - the same input gives the same SVG bytes;
//! - empty input is an `Unsuitable` error and a NaN or infinite value an
//!   `InvalidArgument` error naming the series; nothing panics.

pub mod bars;
pub mod critical_difference;
pub mod delphi;
pub mod distribution;
pub mod fit;
pub mod heatmap;
pub mod palette;
pub mod path_diagram;
pub mod power;
#[cfg(feature = "png")]
pub mod raster;
pub mod sample_size;

pub use bars::{bar_chart, codebook_repetitions, demographic_bars, BarGroup, CodebookBar};
pub use critical_difference::critical_difference;
pub use delphi::delphi_rounds;
pub use distribution::histogram_qq;
pub use fit::{fit_indices, FitIndexBar};
pub use heatmap::heatmap;
pub use path_diagram::{path_diagram, PathArrow, PathDiagram};
pub use power::{power_curve, PowerCurve};
#[cfg(feature = "png")]
pub use raster::{Png, PNG_SCALE};
pub use sample_size::sample_size_curve;

use crate::error::{AnalysisError, Location, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

/// A rendered plot: self-contained SVG text with a title for captions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Short caption, also used for the file name in the report.
    pub title: String,
    /// The complete SVG document.
    pub svg: String,
}

impl Figure {
    /// The figure with a line of text added in a band under it — used to
    /// label every plot of synthetic data as such ("SYNTHETIC data …"). The
    /// canvas grows by 28 px and is widened if the text needs it.
    ///
    /// ```
    /// use analysis::plots::bar_chart;
    /// let fig = bar_chart(&[("a".to_owned(), 1.0)], "Counts", "count").unwrap();
    /// let labelled = fig.with_footer("SYNTHETIC data");
    /// assert!(labelled.svg.contains("SYNTHETIC data") && labelled.title == fig.title);
    /// ```
    pub fn with_footer(&self, text: &str) -> Figure {
        let (Some(w), Some(h)) = (svg_attr(&self.svg, "width"), svg_attr(&self.svg, "height"))
        else {
            return self.clone();
        };
        let new_w = w.max(text_width(text, 13.0).ceil() as u32 + 20);
        let new_h = h + 28;
        let head_end = self.svg.find('>').unwrap_or(0);
        let head = &self.svg[..head_end];
        let new_head = head
            .replacen(&format!("width=\"{w}\""), &format!("width=\"{new_w}\""), 1)
            .replacen(
                &format!("height=\"{h}\""),
                &format!("height=\"{new_h}\""),
                1,
            )
            .replacen(
                &format!("viewBox=\"0 0 {w} {h}\""),
                &format!("viewBox=\"0 0 {new_w} {new_h}\""),
                1,
            );
        let body = &self.svg[head_end..];
        let close = body.rfind("</svg>").unwrap_or(body.len());
        let footer = format!(
            "<rect x=\"0\" y=\"{h}\" width=\"{new_w}\" height=\"28\" fill=\"#FFFFFF\"/>\
             <text x=\"10\" y=\"{}\" font-family=\"{FONT}\" font-size=\"13\" fill=\"#D55E00\">{}</text>\n",
            h + 19,
            crate::render::escape_html(text)
        );
        // Widening: fill the new strip on the right with white.
        let strip = if new_w > w {
            format!(
                "<rect x=\"{w}\" y=\"0\" width=\"{}\" height=\"{h}\" fill=\"#FFFFFF\"/>\n",
                new_w - w
            )
        } else {
            String::new()
        };
        Figure {
            title: self.title.clone(),
            svg: format!(
                "{new_head}{}{strip}{footer}{}",
                &body[..close],
                &body[close..]
            ),
        }
    }
}

/// An integer attribute of the root `<svg>` element.
fn svg_attr(svg: &str, name: &str) -> Option<u32> {
    let head = &svg[..svg.find('>')?];
    let start = head.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &head[start..];
    rest[..rest.find('"')?].parse().ok()
}

pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(crate) type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Font family of all text.
pub(crate) const FONT: &str = "sans-serif";
/// Font sizes in pixels.
pub(crate) const TITLE_SIZE: f64 = 20.0;
pub(crate) const LABEL_SIZE: f64 = 14.0;
pub(crate) const SMALL_SIZE: f64 = 12.0;

/// A generous estimate of the width of `text` at `size` px in a sans-serif
/// font (average glyph ≈ 0.56 em; SVG gives no metrics, so we over-estimate).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    0.56 * size * text.chars().count() as f64
}

/// Shortens `text` to at most `max_chars` characters, ending in "…".
///
/// ```
/// assert_eq!(analysis::plots::truncate("Transport cost", 8), "Transpo…");
/// assert_eq!(analysis::plots::truncate("Cost", 8), "Cost");
/// ```
pub fn truncate(text: &str, max_chars: usize) -> String {
    let n = text.chars().count();
    if n <= max_chars || max_chars == 0 {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    s = s.trim_end().to_owned();
    s.push('…');
    s
}

/// Splits `text` into lines of at most `max_chars` characters at spaces (a
/// longer word is shortened with "…").
///
/// ```
/// assert_eq!(analysis::plots::wrap("one two three", 7), ["one two", "three"]);
/// ```
pub fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let word = truncate(word, max_chars.max(2));
        let len = cur.chars().count();
        if len > 0 && len + 1 + word.chars().count() > max_chars {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Draws into an SVG canvas of `width` × `height` px and returns the figure.
pub(crate) fn render(
    title: &str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<Figure> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let result = area
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|_| draw(&area).map_err(|e| e.to_string()))
            .and_then(|_| area.present().map_err(|e| e.to_string()));
        result.map_err(|e| AnalysisError::computation(format!("drawing \"{title}\": {e}")))?;
    }
    Ok(Figure {
        title: title.to_owned(),
        svg,
    })
}

/// Fails unless every value is finite.
pub(crate) fn check_finite(series: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    for (i, v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            return Err(AnalysisError::invalid_argument(
                series,
                format!("{v} at position {}", i + 1),
                "finite numbers",
            ));
        }
    }
    Ok(())
}

/// The error for a plot with nothing to show.
pub(crate) fn nothing_to_plot(what: &str) -> AnalysisError {
    AnalysisError::unsuitable(Location::source("plot"), format!("no {what} to plot"))
}

/// A text style: family, size, colour and anchor.
pub(crate) fn text_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color).pos(Pos::new(h, v))
}

/// A bold black text style.
pub(crate) fn bold_style(size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold)
        .into_font()
        .color(&palette::BLACK)
        .pos(Pos::new(h, v))
}

/// Draws a text at pixel (x, y).
pub(crate) fn draw_text(area: &Area, text: &str, x: f64, y: f64, style: &TextStyle) -> DrawResult {
    area.draw(&Text::new(
        text.to_owned(),
        (x.round() as i32, y.round() as i32),
        style.clone(),
    ))?;
    Ok(())
}

/// Draws the figure title centred at the top.
pub(crate) fn draw_title(area: &Area, title: &str, width: u32) -> DrawResult {
    let style = text_style(TITLE_SIZE, palette::BLACK, HPos::Center, VPos::Top);
    draw_text(area, title, width as f64 / 2.0, 10.0, &style)
}

/// Number formatting for labels: `decimals` places, no "-0".
pub(crate) fn fmt_num(x: f64, decimals: usize) -> String {
    crate::render::fmt_fixed(x, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_adds_ellipsis_only_when_needed() {
        assert_eq!(truncate("Marketing", 20), "Marketing");
        assert_eq!(
            truncate("Personnel literacy and experience", 12),
            "Personnel l…"
        );
        assert_eq!(truncate("ab cd", 4), "ab…");
    }
}
