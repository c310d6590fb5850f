//! Fit indices against their usual cut-offs.

use super::{
    bold_style, check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render,
    text_style, text_width, truncate, Area, DrawResult, Figure, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

/// One fit index, its value and (if it has one) its cut-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitIndexBar {
    /// The index's name (e.g. "CFI").
    pub name: String,
    /// Its value.
    pub value: f64,
    /// The usual cut-off (e.g. 0.90 for GFI, 0.06 for RMSEA); `None` for χ².
    pub cutoff: Option<f64>,
    /// True when values above the cut-off are good (GFI, CFI), false when
    /// values below are (RMSEA, SRMR).
    pub higher_is_better: bool,
}

const ROW_H: f64 = 46.0;
const SCALE_W: f64 = 360.0;

/// One row per index: a bar to its value on its own scale (0 to a bit beyond
/// the larger of value and cut-off), the cut-off as a dashed line, and a
/// verdict in words ("meets ≥ 0.90", "fails ≤ 0.06", "no cut-off"); bars are
/// bluish green when the cut-off is met, vermillion when not, grey without one.
///
/// ```
/// // CFI 0.95 meets its 0.90 cut-off; RMSEA 0.08 fails its 0.06.
/// use analysis::plots::{fit_indices, FitIndexBar};
/// let fig = fit_indices(&[
///     FitIndexBar { name: "CFI".into(), value: 0.95, cutoff: Some(0.90), higher_is_better: true },
///     FitIndexBar { name: "RMSEA".into(), value: 0.08, cutoff: Some(0.06), higher_is_better: false },
/// ]).unwrap();
/// assert!(fig.svg.contains("meets ≥ 0.90") && fig.svg.contains("fails ≤ 0.06"));
/// ```
pub fn fit_indices(indices: &[FitIndexBar]) -> Result<Figure> {
    if indices.is_empty() {
        return Err(nothing_to_plot("fit indices"));
    }
    check_finite("fit index value", indices.iter().map(|i| i.value))?;
    check_finite("fit index cut-off", indices.iter().filter_map(|i| i.cutoff))?;
    let names: Vec<String> = indices.iter().map(|i| truncate(&i.name, 24)).collect();
    let verdicts: Vec<(String, RGBColor)> = indices
        .iter()
        .map(|i| match i.cutoff {
            None => ("no cut-off".to_owned(), palette::GREY),
            Some(c) => {
                let meets = if i.higher_is_better {
                    i.value >= c
                } else {
                    i.value <= c
                };
                let op = if i.higher_is_better { "≥" } else { "≤" };
                let digits = decimals_for(c).max(decimals_for(i.value));
                let word = if meets { "meets" } else { "fails" };
                (
                    format!(
                        "{} — {word} {op} {}",
                        fmt_num(i.value, digits),
                        fmt_num(c, digits)
                    ),
                    if meets {
                        palette::BLUISH_GREEN
                    } else {
                        palette::VERMILLION
                    },
                )
            }
        })
        .collect();
    let name_w = names
        .iter()
        .map(|n| text_width(n, LABEL_SIZE))
        .fold(40.0, f64::max);
    let verdict_w = verdicts
        .iter()
        .map(|v| text_width(&v.0, LABEL_SIZE))
        .fold(0.0, f64::max);
    let left = 20.0 + name_w + 16.0;
    let top = 20.0 + TITLE_SIZE + 25.0;
    let title = "Fit indices against their usual cut-offs";
    let width =
        (left + SCALE_W + 20.0 + verdict_w + 20.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let height = top + ROW_H * indices.len() as f64 + 20.0;
    let (w, h) = (width.ceil() as u32, height.ceil() as u32);
    render(title, w, h, |area: &Area| -> DrawResult {
        draw_title(area, title, w)?;
        for (r, idx) in indices.iter().enumerate() {
            let y = top + r as f64 * ROW_H;
            let mid = y + ROW_H / 2.0;
            draw_text(
                area,
                &names[r],
                left - 12.0,
                mid,
                &bold_style(LABEL_SIZE, HPos::Right, VPos::Center),
            )?;
            let top_value = idx.value.abs().max(idx.cutoff.unwrap_or(0.0).abs());
            // Indices bounded by 1 where high is good get the scale 0–1;
            // others a "nice" scale to 1.5 × the larger of value and cut-off.
            let scale_max = if idx.higher_is_better && top_value <= 1.0 && idx.cutoff.is_some() {
                1.0
            } else {
                let x = 1.5 * top_value;
                let step = super::bars::nice_step(x);
                if x > 0.0 {
                    (x / step).ceil() * step
                } else {
                    1.0
                }
            };
            let x_of = |v: f64| left + SCALE_W * (v.clamp(0.0, scale_max) / scale_max);
            // Track, bar, scale end labels.
            area.draw(&Rectangle::new(
                [
                    (left as i32, (mid - 8.0) as i32),
                    ((left + SCALE_W) as i32, (mid + 8.0) as i32),
                ],
                palette::LIGHT_GREY.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [
                    (left as i32, (mid - 8.0) as i32),
                    (x_of(idx.value) as i32, (mid + 8.0) as i32),
                ],
                verdicts[r].1.filled(),
            ))?;
            let ends = text_style(SMALL_SIZE - 1.0, palette::GREY, HPos::Center, VPos::Top);
            draw_text(area, "0", left, mid + 10.0, &ends)?;
            draw_text(
                area,
                &fmt_num(scale_max, decimals_for(scale_max)),
                left + SCALE_W,
                mid + 10.0,
                &ends,
            )?;
            if let Some(c) = idx.cutoff {
                let x = x_of(c);
                let mut yy = mid - 14.0;
                while yy < mid + 14.0 {
                    area.draw(&PathElement::new(
                        vec![(x as i32, yy as i32), (x as i32, (yy + 4.0) as i32)],
                        palette::BLACK.stroke_width(2),
                    ))?;
                    yy += 7.0;
                }
                let st = text_style(SMALL_SIZE - 1.0, palette::BLACK, HPos::Center, VPos::Bottom);
                draw_text(
                    area,
                    &format!("cut-off {}", fmt_num(c, decimals_for(c))),
                    x,
                    mid - 14.0,
                    &st,
                )?;
            }
            let vs = text_style(LABEL_SIZE, palette::BLACK, HPos::Left, VPos::Center);
            let text = if idx.cutoff.is_none() {
                format!(
                    "{} — no cut-off",
                    fmt_num(idx.value, decimals_for(idx.value))
                )
            } else {
                verdicts[r].0.clone()
            };
            draw_text(area, &text, left + SCALE_W + 20.0, mid, &vs)?;
        }
        Ok(())
    })
}

/// Decimals enough to show a value like 0.036 or 0.9 or 502.88 faithfully.
fn decimals_for(x: f64) -> usize {
    for d in 0..=4 {
        let scaled = x * 10f64.powi(d as i32);
        if (scaled - scaled.round()).abs() < 1e-9 {
            return d.max(if x.abs() < 10.0 { 2 } else { 0 });
        }
    }
    4
}
