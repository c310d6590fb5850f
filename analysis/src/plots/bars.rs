//! Horizontal bar charts: plain bars, demographic bars by variable, codebook
//! repetitions by theme and dimension.
//!
//! Bars are horizontal so that long category names (Table 2's themes) stay
//! readable on one line; the label column is as wide as the longest label
//! (after shortening to 60 characters).

use super::{
    bold_style, check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render,
    text_style, text_width, truncate, Area, DrawResult, Figure, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

const MAX_LABEL: usize = 60;
const ROW_H: f64 = 24.0;
const HEADER_H: f64 = 28.0;
const BAR_AREA: f64 = 420.0;

/// One group of bars (e.g. a Table 1 variable and its groups with counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarGroup {
    /// The group's title (the variable).
    pub name: String,
    /// Bars as (label, value), in order.
    pub bars: Vec<(String, f64)>,
}

/// One theme of the codebook with its total repetitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodebookBar {
    /// The theme's dimension (sets the colour).
    pub dimension: String,
    /// The theme.
    pub theme: String,
    /// Its total repetitions.
    pub repetitions: f64,
}

enum Row {
    Header(String),
    Bar {
        label: String,
        value: f64,
        text: String,
        color: RGBColor,
    },
}

/// A "nice" tick step (1, 2 or 5 × 10ᵏ) giving about five ticks up to `max`.
pub(crate) fn nice_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn draw_rows(title: &str, axis_label: &str, rows: &[Row]) -> Result<Figure> {
    let label_w = rows
        .iter()
        .map(|r| match r {
            Row::Header(h) => text_width(h, LABEL_SIZE) - 150.0,
            Row::Bar { label, .. } => text_width(label, LABEL_SIZE) + 10.0,
        })
        .fold(60.0, f64::max);
    let value_w = rows
        .iter()
        .map(|r| match r {
            Row::Bar { text, .. } => text_width(text, SMALL_SIZE),
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    let max = rows
        .iter()
        .map(|r| match r {
            Row::Bar { value, .. } => *value,
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    let step = nice_step(max);
    let axis_max = (max / step).ceil().max(1.0) * step;
    let left = 20.0 + label_w;
    let top = 20.0 + TITLE_SIZE + 20.0;
    let body: f64 = rows
        .iter()
        .map(|r| {
            if matches!(r, Row::Header(_)) {
                HEADER_H
            } else {
                ROW_H
            }
        })
        .sum();
    let width = (left + BAR_AREA + value_w + 30.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let height = top + body + 60.0;
    let (w, h) = (width.ceil() as u32, height.ceil() as u32);
    let scale = BAR_AREA / axis_max;
    render(title, w, h, |area: &Area| -> DrawResult {
        draw_title(area, title, w)?;
        // Grid and tick labels.
        let bottom = top + body;
        let tick_style = text_style(SMALL_SIZE, palette::GREY, HPos::Center, VPos::Top);
        let mut t = 0.0;
        while t <= axis_max + 1e-9 {
            let x = left + t * scale;
            area.draw(&PathElement::new(
                vec![(x as i32, top as i32), (x as i32, bottom as i32)],
                palette::LIGHT_GREY.stroke_width(1),
            ))?;
            draw_text(
                area,
                &fmt_num(t, if step < 1.0 { 1 } else { 0 }),
                x,
                bottom + 4.0,
                &tick_style,
            )?;
            t += step;
        }
        let axis_style = text_style(LABEL_SIZE, palette::BLACK, HPos::Center, VPos::Top);
        draw_text(
            area,
            axis_label,
            left + BAR_AREA / 2.0,
            bottom + 24.0,
            &axis_style,
        )?;
        let mut y = top;
        for row in rows {
            match row {
                Row::Header(hd) => {
                    let st = bold_style(LABEL_SIZE, HPos::Left, VPos::Center);
                    draw_text(area, hd, 20.0, y + HEADER_H / 2.0 + 2.0, &st)?;
                    y += HEADER_H;
                }
                Row::Bar {
                    label,
                    value,
                    text,
                    color,
                } => {
                    let st = text_style(LABEL_SIZE, palette::BLACK, HPos::Right, VPos::Center);
                    draw_text(area, label, left - 8.0, y + ROW_H / 2.0, &st)?;
                    let x1 = left + value * scale;
                    area.draw(&Rectangle::new(
                        [
                            (left as i32, (y + 4.0) as i32),
                            (x1.round() as i32, (y + ROW_H - 4.0) as i32),
                        ],
                        color.filled(),
                    ))?;
                    let vs = text_style(SMALL_SIZE, palette::BLACK, HPos::Left, VPos::Center);
                    draw_text(area, text, x1 + 5.0, y + ROW_H / 2.0, &vs)?;
                    y += ROW_H;
                }
            }
        }
        area.draw(&PathElement::new(
            vec![(left as i32, top as i32), (left as i32, bottom as i32)],
            palette::BLACK.stroke_width(1),
        ))?;
        Ok(())
    })
}

fn check_counts(series: &str, values: impl IntoIterator<Item = f64> + Clone) -> Result<()> {
    check_finite(series, values.clone())?;
    if let Some(v) = values.into_iter().find(|v| *v < 0.0) {
        return Err(AnalysisError::invalid_argument(
            series,
            v,
            "values of 0 or more",
        ));
    }
    Ok(())
}

/// Horizontal bars, one per (label, value), values ≥ 0 written at the bar ends.
///
/// ```
/// use analysis::plots::bar_chart;
/// let fig = bar_chart(&[("Access".to_owned(), 9.0), ("Quality".to_owned(), 15.0)], "Repetitions", "count").unwrap();
/// assert_eq!(fig.title, "Repetitions");
/// // Each label and value is a text element of its own line.
/// assert!(fig.svg.starts_with("<svg") && fig.svg.contains("\nQuality\n") && fig.svg.contains("\n15\n"));
/// // Negative values cannot be drawn as bar lengths.
/// assert!(bar_chart(&[("a".to_owned(), -1.0)], "t", "count").is_err());
/// ```
pub fn bar_chart(groups: &[(String, f64)], title: &str, value_label: &str) -> Result<Figure> {
    if groups.is_empty() {
        return Err(nothing_to_plot("bars"));
    }
    check_counts(value_label, groups.iter().map(|g| g.1))?;
    let decimals = if groups.iter().all(|g| g.1.fract() == 0.0) {
        0
    } else {
        2
    };
    let rows: Vec<Row> = groups
        .iter()
        .map(|(l, v)| Row::Bar {
            label: truncate(l, MAX_LABEL),
            value: *v,
            text: fmt_num(*v, decimals),
            color: palette::BLUE,
        })
        .collect();
    draw_rows(title, value_label, &rows)
}

/// Bars grouped under headings (e.g. Table 1: one heading per variable), each
/// bar labelled with its count and its percent of the group's total; each
/// group has its own colour and its name as heading.
///
/// ```
/// // Hand computation: 143 of 385 is 37.1 % of the group (printed "143 (37.1 %)").
/// use analysis::plots::{demographic_bars, BarGroup};
/// let group = BarGroup { name: "Gender".to_owned(), bars: vec![("Female".to_owned(), 143.0), ("Male".to_owned(), 242.0)] };
/// let fig = demographic_bars(&[group], "Table 1").unwrap();
/// assert!(fig.svg.contains("Gender") && fig.svg.contains("143 (37.1 %)"));
/// ```
pub fn demographic_bars(groups: &[BarGroup], title: &str) -> Result<Figure> {
    if groups.iter().all(|g| g.bars.is_empty()) {
        return Err(nothing_to_plot("groups"));
    }
    let mut rows = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        check_counts(&g.name, g.bars.iter().map(|b| b.1))?;
        let total: f64 = g.bars.iter().map(|b| b.1).sum();
        rows.push(Row::Header(truncate(&g.name, MAX_LABEL)));
        for (label, v) in &g.bars {
            let pct = if total > 0.0 { 100.0 * v / total } else { 0.0 };
            rows.push(Row::Bar {
                label: truncate(label, MAX_LABEL),
                value: *v,
                text: format!(
                    "{} ({} %)",
                    fmt_num(*v, if v.fract() == 0.0 { 0 } else { 2 }),
                    fmt_num(pct, 1)
                ),
                color: palette::category(gi),
            });
        }
    }
    draw_rows(title, "Frequency", &rows)
}

/// Repetitions of each theme, grouped under its dimension (in order of first
/// appearance) with the dimension's total in the heading; bars coloured by
/// dimension.
///
/// ```
/// // The dimension's heading carries its total: 4 + 5 = 9.
/// use analysis::plots::{codebook_repetitions, CodebookBar};
/// let bar = |d: &str, t: &str, r: f64| CodebookBar { dimension: d.into(), theme: t.into(), repetitions: r };
/// let fig = codebook_repetitions(&[bar("Access", "Distance", 4.0), bar("Access", "Hours", 5.0)]).unwrap();
/// assert!(fig.svg.contains("Access — 9 repetitions"));
/// ```
pub fn codebook_repetitions(entries: &[CodebookBar]) -> Result<Figure> {
    if entries.is_empty() {
        return Err(nothing_to_plot("codebook entries"));
    }
    check_counts("repetitions", entries.iter().map(|e| e.repetitions))?;
    let mut dims: Vec<&str> = Vec::new();
    for e in entries {
        if !dims.contains(&e.dimension.as_str()) {
            dims.push(&e.dimension);
        }
    }
    let mut rows = Vec::new();
    for (di, d) in dims.iter().enumerate() {
        let mine: Vec<&CodebookBar> = entries.iter().filter(|e| e.dimension == *d).collect();
        let total: f64 = mine.iter().map(|e| e.repetitions).sum();
        rows.push(Row::Header(format!(
            "{} — {} repetitions",
            truncate(d, MAX_LABEL),
            fmt_num(total, 0)
        )));
        for e in mine {
            rows.push(Row::Bar {
                label: truncate(&e.theme, MAX_LABEL),
                value: e.repetitions,
                text: fmt_num(e.repetitions, 0),
                color: palette::category(di),
            });
        }
    }
    draw_rows(
        "Codebook repetitions by theme and dimension",
        "Repetitions (sum over the theme's sub-themes)",
        &rows,
    )
}
