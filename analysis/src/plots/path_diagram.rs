//! SEM path diagram: dimension boxes on the left, the outcome on the right,
//! arrows labelled with standardized estimates.

use super::{
    check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render, text_style,
    text_width, truncate, Area, DrawResult, Figure, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

const MAX_NAME: usize = 36;
const BOX_H: f64 = 34.0;
const GAP: f64 = 14.0;
const ARROW_SPAN: f64 = 330.0;

/// One directed path with its standardized estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathArrow {
    /// The predictor.
    pub from: String,
    /// The outcome.
    pub to: String,
    /// Standardized estimate, printed on the arrow.
    pub estimate: f64,
    /// Marked "*" and drawn in colour when true.
    pub significant: bool,
}

/// A structural model with predictors (`factors`) pointing at one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathDiagram {
    /// Predictor boxes, top to bottom.
    pub factors: Vec<String>,
    /// The outcome box.
    pub outcome: String,
    /// Paths from a factor to the outcome; other paths are an error.
    pub paths: Vec<PathArrow>,
    /// Optional line under the diagram (e.g. the data's provenance).
    pub caption: Option<String>,
}

/// Draws the diagram: factor boxes in a column (in the given order), the
/// outcome box on the right spanning the middle of the column so that arrows
/// fan out and their labels (the estimate, with "*" when significant) do not
/// collide; non-significant paths are dashed grey.
///
/// ```
/// use analysis::plots::{path_diagram, PathArrow, PathDiagram};
/// let d = PathDiagram {
///     factors: vec!["Access".into(), "Quality".into()],
///     outcome: "Contract".into(),
///     paths: vec![
///         PathArrow { from: "Access".into(), to: "Contract".into(), estimate: 0.42, significant: true },
///         PathArrow { from: "Quality".into(), to: "Contract".into(), estimate: 0.08, significant: false },
///     ],
///     caption: None,
/// };
/// let fig = path_diagram(&d).unwrap();
/// // A significant estimate is starred, a non-significant one is not.
/// assert!(fig.svg.contains("0.42*") && fig.svg.contains("0.08") && !fig.svg.contains("0.08*"));
/// ```
pub fn path_diagram(d: &PathDiagram) -> Result<Figure> {
    if d.factors.is_empty() || d.paths.is_empty() {
        return Err(nothing_to_plot("paths"));
    }
    check_finite("estimate", d.paths.iter().map(|p| p.estimate))?;
    let mut arrows = Vec::new();
    for p in &d.paths {
        let Some(i) = d.factors.iter().position(|f| f == &p.from) else {
            return Err(AnalysisError::invalid_argument(
                "path from",
                &p.from,
                "one of the diagram's factors",
            ));
        };
        if p.to != d.outcome {
            return Err(AnalysisError::invalid_argument(
                "path to",
                &p.to,
                &format!("the outcome \"{}\"", d.outcome),
            ));
        }
        arrows.push((i, p));
    }
    let k = d.factors.len();
    let names: Vec<String> = d.factors.iter().map(|f| truncate(f, MAX_NAME)).collect();
    let outcome = truncate(&d.outcome, MAX_NAME);
    let box_w = names
        .iter()
        .map(|n| text_width(n, LABEL_SIZE))
        .fold(80.0, f64::max)
        + 24.0;
    let out_w = text_width(&outcome, LABEL_SIZE).max(80.0) + 24.0;
    let top = 20.0 + TITLE_SIZE + 30.0;
    let column_h = k as f64 * BOX_H + (k as f64 - 1.0) * GAP;
    let left = 20.0;
    let ox = left + box_w + ARROW_SPAN;
    let title = "Path diagram with standardized estimates";
    let width = (ox + out_w + 20.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let height = top + column_h + 80.0;
    let (w, h) = (width.ceil() as u32, height.ceil() as u32);
    // The outcome box covers the middle 60 % of the column (at least 1.5 boxes).
    let out_h = (0.6 * column_h).max(1.5 * BOX_H);
    let oy = top + (column_h - out_h) / 2.0;
    render(title, w, h, |area: &Area| -> DrawResult {
        draw_title(area, title, w)?;
        let name_style = text_style(LABEL_SIZE, palette::BLACK, HPos::Center, VPos::Center);
        for (i, n) in names.iter().enumerate() {
            let y = top + i as f64 * (BOX_H + GAP);
            draw_box(area, left, y, box_w, BOX_H, palette::SKY_BLUE)?;
            draw_text(area, n, left + box_w / 2.0, y + BOX_H / 2.0, &name_style)?;
        }
        draw_box(area, ox, oy, out_w, out_h, palette::ORANGE)?;
        draw_text(
            area,
            &outcome,
            ox + out_w / 2.0,
            oy + out_h / 2.0,
            &name_style,
        )?;
        for (i, p) in &arrows {
            let y0 = top + *i as f64 * (BOX_H + GAP) + BOX_H / 2.0;
            let x0 = left + box_w;
            // Arrow ends spread over the outcome box's left side, in factor order.
            let y1 = oy + out_h * (*i as f64 + 0.5) / k as f64;
            let x1 = ox;
            let color = if p.significant {
                palette::BLUE
            } else {
                palette::GREY
            };
            let pts = vec![(x0 as i32, y0 as i32), ((x1 - 9.0) as i32, y1 as i32)];
            if p.significant {
                area.draw(&PathElement::new(pts, color.stroke_width(2)))?;
            } else {
                let n = 24;
                for s in (0..n).step_by(2) {
                    let t0 = s as f64 / n as f64;
                    let t1 = (s + 1) as f64 / n as f64;
                    let at = |t: f64| {
                        (
                            (x0 + (x1 - 9.0 - x0) * t) as i32,
                            (y0 + (y1 - y0) * t) as i32,
                        )
                    };
                    area.draw(&PathElement::new(
                        vec![at(t0), at(t1)],
                        color.stroke_width(2),
                    ))?;
                }
            }
            // Arrowhead: a triangle pointing along the line.
            let (dx, dy) = (x1 - x0, y1 - y0);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let base = (x1 - 10.0 * ux, y1 - 10.0 * uy);
            let head = vec![
                (x1 as i32, y1 as i32),
                ((base.0 - 5.0 * uy) as i32, (base.1 + 5.0 * ux) as i32),
                ((base.0 + 5.0 * uy) as i32, (base.1 - 5.0 * ux) as i32),
            ];
            area.draw(&Polygon::new(head, color.filled()))?;
            // Label a quarter of the way along, where the arrows are still apart.
            let t = 0.25;
            let (lx, ly) = (x0 + dx * t, y0 + dy * t);
            let label = format!(
                "{}{}",
                fmt_num(p.estimate, 2),
                if p.significant { "*" } else { "" }
            );
            let lw = super::text_width(&label, SMALL_SIZE) + 8.0;
            area.draw(&Rectangle::new(
                [
                    ((lx - lw / 2.0) as i32, (ly - 9.0) as i32),
                    ((lx + lw / 2.0) as i32, (ly + 9.0) as i32),
                ],
                WHITE.filled(),
            ))?;
            let st = text_style(
                SMALL_SIZE,
                if p.significant {
                    palette::BLACK
                } else {
                    palette::GREY
                },
                HPos::Center,
                VPos::Center,
            );
            draw_text(area, &label, lx, ly, &st)?;
        }
        let note = text_style(SMALL_SIZE, palette::BLACK, HPos::Left, VPos::Top);
        let mut legend =
            "Standardized estimates; * significant (solid blue), not significant dashed grey"
                .to_owned();
        if let Some(c) = &d.caption {
            legend = format!("{legend}. {c}");
        }
        let per_line = ((width - 40.0) / (0.56 * SMALL_SIZE)) as usize;
        for (i, line) in super::wrap(&legend, per_line).iter().take(2).enumerate() {
            draw_text(
                area,
                line,
                left,
                top + column_h + 20.0 + i as f64 * 18.0,
                &note,
            )?;
        }
        Ok(())
    })
}

fn draw_box(area: &Area, x: f64, y: f64, w: f64, h: f64, color: RGBColor) -> DrawResult {
    let r = [(x as i32, y as i32), ((x + w) as i32, (y + h) as i32)];
    area.draw(&Rectangle::new(r, color.mix(0.35).filled()))?;
    area.draw(&Rectangle::new(r, palette::BLACK.stroke_width(1)))?;
    Ok(())
}
