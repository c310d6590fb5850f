//! Delphi agreement and IQR by round.

use super::{
    check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render, text_style,
    text_width, truncate, Area, DrawResult, Figure, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const ROW_H: f64 = 18.0;
const PANEL_W: f64 = 300.0;
const MAX_NAME: usize = 40;
/// Usual consensus criteria drawn as dashed lines: at least 75 % of the
/// panel agreeing and an interquartile range of at most 1 scale point.
pub const AGREEMENT_CUTOFF: f64 = 0.75;
/// Largest interquartile range counted as consensus (scale points).
pub const IQR_CUTOFF: f64 = 1.0;

/// Two panels with one row per item: the share of experts agreeing (0–1,
/// shown as %) and the IQR of the ratings, one marker per round (colour and
/// shape both encode the round), joined by a thin line per item so the
/// movement between rounds is visible. `agreement_by_round[r][i]` and
/// `iqr_by_round[r][i]` are round r, item i.
///
/// ```
/// use analysis::plots::delphi_rounds;
/// let items = ["item1", "item2"].map(String::from);
/// let fig = delphi_rounds(&items, &[vec![0.6, 0.9], vec![0.8, 1.0]], &[vec![2.0, 1.0], vec![1.0, 0.5]]).unwrap();
/// assert!(fig.svg.contains("item2"));
/// // One agreement list per round, each as long as the items.
/// assert!(delphi_rounds(&items, &[vec![0.6]], &[vec![2.0]]).is_err());
/// ```
pub fn delphi_rounds(
    items: &[String],
    agreement_by_round: &[Vec<f64>],
    iqr_by_round: &[Vec<f64>],
) -> Result<Figure> {
    if items.is_empty() || agreement_by_round.is_empty() {
        return Err(nothing_to_plot("Delphi rounds"));
    }
    let k = items.len();
    let rounds = agreement_by_round.len();
    if iqr_by_round.len() != rounds {
        return Err(AnalysisError::invalid_argument(
            "iqr_by_round",
            format!("{} rounds", iqr_by_round.len()),
            &format!("as many rounds as agreement_by_round ({rounds})"),
        ));
    }
    for (series, data) in [
        ("agreement_by_round", agreement_by_round),
        ("iqr_by_round", iqr_by_round),
    ] {
        if let Some((r, v)) = data.iter().enumerate().find(|(_, v)| v.len() != k) {
            return Err(AnalysisError::invalid_argument(
                series,
                format!("{} values in round {}", v.len(), r + 1),
                &format!("one value per item ({k})"),
            ));
        }
        check_finite(series, data.iter().flatten().copied())?;
    }
    if let Some(v) = agreement_by_round
        .iter()
        .flatten()
        .find(|v| !(0.0..=1.0).contains(*v))
    {
        return Err(AnalysisError::invalid_argument(
            "agreement",
            v,
            "a share from 0 to 1",
        ));
    }
    if let Some(v) = iqr_by_round.iter().flatten().find(|v| **v < 0.0) {
        return Err(AnalysisError::invalid_argument("IQR", v, "0 or more"));
    }
    let names: Vec<String> = items.iter().map(|n| truncate(n, MAX_NAME)).collect();
    let label_w = names
        .iter()
        .map(|n| text_width(n, SMALL_SIZE))
        .fold(40.0, f64::max);
    let left = 20.0 + label_w + 12.0;
    let gap = 50.0;
    let p2 = left + PANEL_W + gap;
    let title = "Delphi agreement and IQR by round";
    let width = (p2 + PANEL_W + 30.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let top = 20.0 + TITLE_SIZE + 60.0;
    let height = top + k as f64 * ROW_H + 60.0;
    let iqr_max = iqr_by_round
        .iter()
        .flatten()
        .copied()
        .fold(IQR_CUTOFF, f64::max)
        .ceil()
        .max(1.0);
    let (w, h) = (width.ceil() as u32, height.ceil() as u32);
    render(title, w, h, |area: &Area| -> DrawResult {
        draw_title(area, title, w)?;
        // Legend: round markers.
        let mut lx = left;
        let ly = 20.0 + TITLE_SIZE + 22.0;
        for r in 0..rounds {
            marker(area, r, lx, ly)?;
            let label = format!("Round {}", r + 1);
            draw_text(
                area,
                &label,
                lx + 10.0,
                ly,
                &text_style(LABEL_SIZE, palette::BLACK, HPos::Left, VPos::Center),
            )?;
            lx += 30.0 + text_width(&label, LABEL_SIZE);
        }
        let bottom = top + k as f64 * ROW_H;
        let panels: [Panel; 2] = [
            (
                left,
                "Agreement (share rating 4–5, %)",
                1.0,
                AGREEMENT_CUTOFF,
                agreement_by_round,
            ),
            (
                p2,
                "Interquartile range (scale points)",
                iqr_max,
                IQR_CUTOFF,
                iqr_by_round,
            ),
        ];
        for (pi, (x0, label, max, cutoff, data)) in panels.into_iter().enumerate() {
            let x_of = |v: f64| x0 + PANEL_W * v / max;
            // Zebra rows for reading across.
            for i in (0..k).step_by(2) {
                let y = top + i as f64 * ROW_H;
                area.draw(&Rectangle::new(
                    [
                        (x0 as i32, y as i32),
                        ((x0 + PANEL_W) as i32, (y + ROW_H) as i32),
                    ],
                    RGBColor(245, 245, 245).filled(),
                ))?;
            }
            area.draw(&Rectangle::new(
                [
                    (x0 as i32, top as i32),
                    ((x0 + PANEL_W) as i32, bottom as i32),
                ],
                palette::GREY.stroke_width(1),
            ))?;
            let ticks = 4;
            let ts = text_style(SMALL_SIZE, palette::BLACK, HPos::Center, VPos::Top);
            for t in 0..=ticks {
                let v = max * t as f64 / ticks as f64;
                let text = if pi == 0 {
                    fmt_num(100.0 * v, 0)
                } else {
                    fmt_num(v, 1)
                };
                draw_text(area, &text, x_of(v), bottom + 4.0, &ts)?;
            }
            draw_text(
                area,
                label,
                x0 + PANEL_W / 2.0,
                bottom + 22.0,
                &text_style(LABEL_SIZE, palette::BLACK, HPos::Center, VPos::Top),
            )?;
            let cx = x_of(cutoff);
            let mut yy = top;
            while yy < bottom {
                area.draw(&PathElement::new(
                    vec![
                        (cx as i32, yy as i32),
                        (cx as i32, (yy + 5.0).min(bottom) as i32),
                    ],
                    palette::BLACK.stroke_width(1),
                ))?;
                yy += 9.0;
            }
            for i in 0..k {
                let y = top + i as f64 * ROW_H + ROW_H / 2.0;
                let values: Vec<f64> = data.iter().map(|round| round[i]).collect();
                let xs: Vec<(i32, i32)> =
                    values.iter().map(|&v| (x_of(v) as i32, y as i32)).collect();
                area.draw(&PathElement::new(xs, palette::GREY.stroke_width(1)))?;
                for (r, &v) in values.iter().enumerate() {
                    marker(area, r, x_of(v), y)?;
                }
            }
        }
        let ls = text_style(SMALL_SIZE, palette::BLACK, HPos::Right, VPos::Center);
        for (i, n) in names.iter().enumerate() {
            draw_text(
                area,
                n,
                left - 8.0,
                top + i as f64 * ROW_H + ROW_H / 2.0,
                &ls,
            )?;
        }
        Ok(())
    })
}

/// A panel: left edge, axis label, axis maximum, cut-off, values by round.
type Panel<'a> = (f64, &'a str, f64, f64, &'a [Vec<f64>]);

/// Round r's marker: colour and shape both change with the round.
fn marker(area: &Area, r: usize, x: f64, y: f64) -> DrawResult {
    let c = palette::category(r);
    let (xi, yi) = (x.round() as i32, y.round() as i32);
    match r % 4 {
        0 => area.draw(&Circle::new((xi, yi), 4, c.filled()))?,
        1 => area.draw(&Rectangle::new(
            [(xi - 4, yi - 4), (xi + 4, yi + 4)],
            c.filled(),
        ))?,
        2 => area.draw(&Polygon::new(
            vec![(xi, yi - 5), (xi - 5, yi + 4), (xi + 5, yi + 4)],
            c.filled(),
        ))?,
        _ => area.draw(&Polygon::new(
            vec![(xi, yi - 5), (xi + 5, yi), (xi, yi + 5), (xi - 5, yi)],
            c.filled(),
        ))?,
    }
    Ok(())
}
