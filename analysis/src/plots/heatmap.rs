//! Correlation heat map.

use super::{
    check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render, text_style,
    text_width, truncate, Figure, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const MAX_NAME: usize = 40;

/// A square matrix of values in [−1, 1] (e.g. correlations) as coloured
/// cells on a blue–white–vermillion scale, with the value printed in each
/// cell when there are at most 20 variables. Rows are labelled
/// "1  name" … on the left and columns by the same numbers on top, so long
/// names never collide. Values outside [−1, 1] are an error.
///
/// ```
/// use analysis::plots::heatmap;
/// let names = ["x", "y"].map(String::from);
/// let fig = heatmap(&names, &[vec![1.0, 0.97], vec![0.97, 1.0]]).unwrap();
/// assert!(fig.svg.contains("0.97"));
/// // A correlation above 1 is an error, not a colour.
/// assert!(heatmap(&names, &[vec![1.0, 1.5], vec![1.5, 1.0]]).is_err());
/// ```
pub fn heatmap(names: &[String], matrix: &[Vec<f64>]) -> Result<Figure> {
    let k = names.len();
    if k == 0 {
        return Err(nothing_to_plot("variables"));
    }
    if matrix.len() != k || matrix.iter().any(|r| r.len() != k) {
        return Err(AnalysisError::invalid_argument(
            "matrix",
            format!(
                "{} rows of lengths {:?}",
                matrix.len(),
                matrix.iter().map(Vec::len).collect::<Vec<_>>()
            ),
            &format!("a {k} × {k} matrix, one row and column per name"),
        ));
    }
    check_finite("matrix", matrix.iter().flatten().copied())?;
    if let Some(v) = matrix.iter().flatten().find(|v| v.abs() > 1.0 + 1e-12) {
        return Err(AnalysisError::invalid_argument(
            "matrix",
            v,
            "values from -1 to 1",
        ));
    }
    let cell = if k <= 12 {
        48.0
    } else if k <= 20 {
        36.0
    } else {
        (720.0 / k as f64).max(8.0)
    };
    let show_values = k <= 20;
    let labels: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}  {}", i + 1, truncate(n, MAX_NAME)))
        .collect();
    let label_size = if cell >= 16.0 { SMALL_SIZE } else { 9.0 };
    let label_w = labels
        .iter()
        .map(|l| text_width(l, label_size))
        .fold(0.0, f64::max);
    let left = 20.0 + label_w + 10.0;
    let top = 20.0 + TITLE_SIZE + 30.0;
    let legend_w = 90.0;
    let title = "Correlation heat map";
    let width =
        (left + k as f64 * cell + legend_w + 20.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let height = top + k as f64 * cell + 30.0;
    let (w, h) = (width.ceil() as u32, height.max(top + 260.0).ceil() as u32);
    render(title, w, h, |area| {
        draw_title(area, title, w)?;
        let lab = text_style(label_size, palette::BLACK, HPos::Right, VPos::Center);
        let col = text_style(label_size, palette::BLACK, HPos::Center, VPos::Bottom);
        for i in 0..k {
            let y = top + i as f64 * cell;
            draw_text(area, &labels[i], left - 8.0, y + cell / 2.0, &lab)?;
            draw_text(
                area,
                &(i + 1).to_string(),
                left + (i as f64 + 0.5) * cell,
                top - 4.0,
                &col,
            )?;
            for (j, &v) in matrix[i].iter().enumerate() {
                let x = left + j as f64 * cell;
                let bg = palette::diverging(v);
                area.draw(&Rectangle::new(
                    [(x as i32, y as i32), ((x + cell) as i32, (y + cell) as i32)],
                    bg.filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(x as i32, y as i32), ((x + cell) as i32, (y + cell) as i32)],
                    WHITE.stroke_width(1),
                ))?;
                if show_values {
                    let st =
                        text_style(SMALL_SIZE, palette::text_on(bg), HPos::Center, VPos::Center);
                    draw_text(area, &fmt_num(v, 2), x + cell / 2.0, y + cell / 2.0, &st)?;
                }
            }
        }
        // Colour legend: −1 … 1.
        let lx = left + k as f64 * cell + 25.0;
        let lh = 200.0;
        let steps = 40;
        for s in 0..steps {
            let v = 1.0 - 2.0 * s as f64 / steps as f64;
            let y0 = top + lh * s as f64 / steps as f64;
            area.draw(&Rectangle::new(
                [
                    (lx as i32, y0 as i32),
                    ((lx + 16.0) as i32, (y0 + lh / steps as f64 + 1.0) as i32),
                ],
                palette::diverging(v - 1.0 / steps as f64).filled(),
            ))?;
        }
        let ls = text_style(SMALL_SIZE, palette::BLACK, HPos::Left, VPos::Center);
        for (v, frac) in [(1.0, 0.0), (0.0, 0.5), (-1.0, 1.0)] {
            draw_text(area, &fmt_num(v, 0), lx + 22.0, top + lh * frac, &ls)?;
        }
        Ok(())
    })
}
