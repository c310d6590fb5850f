//! Histogram with the fitted normal density, next to a normal Q-Q plot.

use super::{
    check_finite, draw_title, fmt_num, nothing_to_plot, palette, render, truncate, Figure, FONT,
    LABEL_SIZE,
};
use crate::error::{AnalysisError, Location, Result};
use plotters::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

/// Two panels for one variable: a density histogram (Sturges' ⌈log₂ n⌉ + 1
/// bins) with the normal density of the sample mean and SD, and a normal Q-Q
/// plot (Blom's plotting positions (i − 3/8)/(n + 1/4)) with the line
/// mean + SD·z. Needs at least 3 finite values that are not all equal.
///
/// ```
/// use analysis::plots::histogram_qq;
/// let fig = histogram_qq("age", &[31.0, 45.0, 38.0, 52.0, 29.0, 41.0]).unwrap();
/// assert!(fig.svg.contains("age"));
/// // Constant values have no spread to compare with a normal.
/// assert!(histogram_qq("age", &[3.0, 3.0, 3.0]).is_err());
/// ```
pub fn histogram_qq(name: &str, values: &[f64]) -> Result<Figure> {
    if values.is_empty() {
        return Err(nothing_to_plot(&format!("values of \"{name}\"")));
    }
    check_finite(name, values.iter().copied())?;
    let n = values.len();
    let unsuitable =
        |m: String| AnalysisError::unsuitable(Location::source("plot").with_column(name), m);
    if n < 3 {
        return Err(unsuitable(format!(
            "{n} value(s); a histogram and Q-Q plot need at least 3"
        )));
    }
    let mean = crate::descriptive::mean(values).unwrap_or(0.0);
    let sd = crate::descriptive::sd(values).unwrap_or(0.0);
    if sd <= 0.0 {
        return Err(unsuitable(
            "all values are equal; there is no distribution to show".into(),
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    let bins = ((n as f64).log2().ceil() as usize + 1).max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &sorted {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let density: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 / (n as f64 * width))
        .collect();
    let normal = Normal::new(0.0, 1.0).map_err(|e| AnalysisError::computation(e.to_string()))?;
    let pdf = |x: f64| {
        (-(x - mean).powi(2) / (2.0 * sd * sd)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
    };
    let ymax = density.iter().copied().fold(pdf(mean), f64::max) * 1.1;
    let qq: Vec<(f64, f64)> = sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            (
                normal.inverse_cdf((i as f64 + 1.0 - 0.375) / (n as f64 + 0.25)),
                v,
            )
        })
        .collect();
    let zmax = qq[n - 1].0.abs().max(qq[0].0.abs()) * 1.08;
    let (xlo, xhi) = (lo.min(mean - 3.0 * sd), hi.max(mean + 3.0 * sd));
    let short = truncate(name, 40);
    let title = format!("Distribution of {short}: histogram and normal Q-Q plot");
    let (w, h) = (1000u32, 460u32);
    render(&title, w, h, |area| {
        draw_title(area, &title, w)?;
        let body = area.margin(45, 10, 10, 10);
        let (left, right) = body.split_horizontally(w / 2 - 10);
        let mut c = ChartBuilder::on(&left)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(xlo..xhi, 0.0..ymax)?;
        c.configure_mesh()
            .x_desc(short.clone())
            .y_desc("Density")
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, 12.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::LIGHT_GREY)
            .x_label_formatter(&|x| fmt_num(*x, 1))
            .y_label_formatter(&|y| fmt_num(*y, 2))
            .draw()?;
        c.draw_series(density.iter().enumerate().map(|(b, &d)| {
            let x0 = lo + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, d)], palette::SKY_BLUE.filled())
        }))?;
        c.draw_series(density.iter().enumerate().map(|(b, &d)| {
            let x0 = lo + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, d)], palette::BLUE.stroke_width(1))
        }))?;
        let steps = 200;
        c.draw_series(LineSeries::new(
            (0..=steps).map(|i| {
                let x = xlo + (xhi - xlo) * i as f64 / steps as f64;
                (x, pdf(x))
            }),
            palette::VERMILLION.stroke_width(2),
        ))?
        .label(format!(
            "Normal (mean {}, SD {})",
            fmt_num(mean, 2),
            fmt_num(sd, 2)
        ))
        .legend(|(x, y)| {
            PathElement::new(
                vec![(x, y), (x + 18, y)],
                palette::VERMILLION.stroke_width(2),
            )
        });
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(palette::GREY)
            .label_font((FONT, 12.0))
            .draw()?;

        let (ylo, yhi) = (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
        let mut q = ChartBuilder::on(&right)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(-zmax..zmax, ylo..yhi)?;
        q.configure_mesh()
            .x_desc("Theoretical normal quantile z")
            .y_desc("Sample quantile")
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, 12.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::LIGHT_GREY)
            .x_label_formatter(&|x| fmt_num(*x, 1))
            .y_label_formatter(&|y| fmt_num(*y, 1))
            .draw()?;
        // Clip the reference line to the panel ourselves: plotters clamps
        // out-of-range points to the edge, which would bend the line.
        let za = (-zmax).max((ylo - mean) / sd);
        let zb = zmax.min((yhi - mean) / sd);
        q.draw_series(LineSeries::new(
            [za, zb].map(|z| (z, mean + sd * z)),
            palette::VERMILLION.stroke_width(2),
        ))?;
        q.draw_series(
            qq.iter()
                .map(|&p| Circle::new(p, 3, palette::BLUE.filled())),
        )?;
        Ok(())
    })
}
