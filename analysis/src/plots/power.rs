//! Power against sample size (e.g. of an SEM's RMSEA tests), with a target
//! power and marked sample sizes.

use super::{check_finite, draw_title, fmt_num, nothing_to_plot, palette, render, Figure, FONT};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One labelled curve of (n, power) points.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerCurve {
    /// Legend text, e.g. "close fit (0.05 vs 0.08), df 333".
    pub label: String,
    /// (sample size, power) points; power in [0, 1].
    pub points: Vec<(f64, f64)>,
}

/// Plots power (0–1) against sample size for each curve, a dashed line at
/// `target` power, and a vertical line with its label at each of `marks`
/// (e.g. the study's N). Needs one non-empty curve; every value finite, power
/// in [0, 1], n positive.
///
/// ```
/// use analysis::plots::{power_curve, PowerCurve};
/// let curve = PowerCurve { label: "test".into(), points: vec![(10.0, 0.2), (50.0, 0.6), (100.0, 0.9)] };
/// let fig = power_curve(&[curve], Some(0.8), &[(85.0, "N = 85".into())]).unwrap();
/// assert!(fig.svg.contains("N = 85") && fig.svg.contains("test"));
/// assert!(power_curve(&[], None, &[]).is_err());
/// ```
pub fn power_curve(
    curves: &[PowerCurve],
    target: Option<f64>,
    marks: &[(f64, String)],
) -> Result<Figure> {
    if curves.iter().all(|c| c.points.is_empty()) {
        return Err(nothing_to_plot("power curves"));
    }
    let all = curves.iter().flat_map(|c| c.points.iter().copied());
    check_finite(
        "sample size",
        all.clone().map(|p| p.0).chain(marks.iter().map(|m| m.0)),
    )?;
    check_finite("power", all.clone().map(|p| p.1).chain(target))?;
    if let Some(p) = all
        .clone()
        .chain(marks.iter().map(|m| (m.0, 0.5)))
        .chain(target.map(|t| (1.0, t)))
        .find(|p| p.0 <= 0.0 || !(0.0..=1.0).contains(&p.1))
    {
        return Err(AnalysisError::invalid_argument(
            "point",
            format!("({}, {})", p.0, p.1),
            "a positive sample size and a power from 0 to 1",
        ));
    }
    let (xmin, xmax) = all
        .map(|p| p.0)
        .chain(marks.iter().map(|m| m.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, x| {
            (a.0.min(x), a.1.max(x))
        });
    let (x0, x1) = (0.0f64.max(xmin - 0.02 * (xmax - xmin)), xmax * 1.03);
    let title = "Power against sample size";
    render(title, 760, 500, |area| {
        draw_title(area, title, 760)?;
        let mut chart = ChartBuilder::on(area)
            .margin(20)
            .margin_top(45)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, 0.0..1.02)?;
        chart
            .configure_mesh()
            .x_desc("Sample size N")
            .y_desc("Power")
            .axis_desc_style((FONT, 14.0))
            .label_style((FONT, 12.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::LIGHT_GREY)
            .x_label_formatter(&|x| fmt_num(*x, 0))
            .y_label_formatter(&|y| fmt_num(*y, 1))
            .draw()?;
        if let Some(t) = target {
            chart.draw_series(DashedLineSeries::new(
                vec![(x0, t), (x1, t)],
                6,
                4,
                palette::GREY.stroke_width(1),
            ))?;
        }
        for (i, c) in curves.iter().enumerate() {
            let colour = palette::category(i);
            let mut pts = c.points.clone();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(pts, colour.stroke_width(2)))?
                .label(c.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
        }
        for (n, label) in marks {
            let dash = palette::VERMILLION.stroke_width(1);
            chart.draw_series(DashedLineSeries::new(
                vec![(*n, 0.0), (*n, 1.0)],
                6,
                4,
                dash,
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((*n, 0.08))
                    + Text::new(
                        label.clone(),
                        (-6, 0),
                        (FONT, 13.0)
                            .into_font()
                            .color(&palette::VERMILLION)
                            .pos(Pos::new(HPos::Right, VPos::Center)),
                    ),
            ))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.9))
            .border_style(palette::GREY)
            .label_font((FONT, 12.0))
            .draw()?;
        Ok(())
    })
}
