//! Sample size against margin of error (Cochran's n₀ = z²pq/e²).

use super::{
    check_finite, draw_title, fmt_num, nothing_to_plot, palette, render, Figure, FONT, LABEL_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Plots points (margin of error e, sample size n) as a curve; `highlight` marks one point (e.g. the study's e = 0.05,
/// n = 384.16) with its values. Needs at least one point; e and n must be
/// positive and finite.
///
/// ```
/// // Cochran's n0 = 1.96² · 0.25 / e² at e = 0.05 is 384.16 (hand computation).
/// use analysis::plots::sample_size_curve;
/// let points: Vec<(f64, f64)> = [0.03, 0.05, 0.08].iter().map(|&e| (e, 1.96f64.powi(2) * 0.25 / (e * e))).collect();
/// let fig = sample_size_curve(&points, Some((0.05, 384.16))).unwrap();
/// assert!(fig.svg.contains("e = 0.050, n = 384.16"));
/// assert!(sample_size_curve(&[], None).is_err());
/// ```
pub fn sample_size_curve(points: &[(f64, f64)], highlight: Option<(f64, f64)>) -> Result<Figure> {
    if points.is_empty() {
        return Err(nothing_to_plot("sample sizes"));
    }
    let all: Vec<(f64, f64)> = points.iter().copied().chain(highlight).collect();
    check_finite("margin of error", all.iter().map(|p| p.0))?;
    check_finite("sample size", all.iter().map(|p| p.1))?;
    if let Some(p) = all.iter().find(|p| p.0 <= 0.0 || p.1 <= 0.0) {
        return Err(AnalysisError::invalid_argument(
            "point",
            format!("({}, {})", p.0, p.1),
            "a positive margin of error and a positive sample size",
        ));
    }
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (xmin, xmax) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
        (a.0.min(p.0), a.1.max(p.0))
    });
    let ymax = all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let xpad = if xmax > xmin {
        0.04 * (xmax - xmin)
    } else {
        0.1 * xmax
    };
    let (x0, x1) = ((xmin - xpad).max(0.0), xmax + xpad);
    let (y0, y1) = (0.0, ymax * 1.08);
    let title = "Sample size against margin of error";
    render(title, 760, 500, |area| {
        draw_title(area, title, 760)?;
        let mut chart = ChartBuilder::on(area)
            .margin(20)
            .margin_top(45)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("Margin of error e")
            .y_desc("Sample size n")
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, 12.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::LIGHT_GREY)
            .x_label_formatter(&|x| fmt_num(*x, 3))
            .y_label_formatter(&|y| fmt_num(*y, 0))
            .draw()?;
        chart.draw_series(LineSeries::new(
            pts.iter().copied(),
            palette::BLUE.stroke_width(2),
        ))?;
        chart.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, 3, palette::BLUE.filled())),
        )?;
        if let Some((e, n)) = highlight {
            let dash = palette::VERMILLION.stroke_width(1);
            chart.draw_series(DashedLineSeries::new(vec![(e, y0), (e, n)], 6, 4, dash))?;
            chart.draw_series(DashedLineSeries::new(vec![(x0, n), (e, n)], 6, 4, dash))?;
            chart.draw_series(std::iter::once(Circle::new(
                (e, n),
                6,
                palette::VERMILLION.filled(),
            )))?;
            // Label to the right of the point unless it sits in the right third.
            let right = e < x0 + 0.66 * (x1 - x0);
            let label = format!("e = {}, n = {}", fmt_num(e, 3), fmt_num(n, 2));
            let anchor = if right { HPos::Left } else { HPos::Right };
            let dx = if right { 12 } else { -12 };
            chart.draw_series(std::iter::once(
                EmptyElement::at((e, n))
                    + Text::new(
                        label,
                        (dx, -14),
                        (FONT, LABEL_SIZE)
                            .into_font()
                            .color(&palette::VERMILLION)
                            .pos(Pos::new(anchor, VPos::Center)),
                    ),
            ))?;
        }
        Ok(())
    })
}
