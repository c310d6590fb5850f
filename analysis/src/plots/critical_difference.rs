//! Friedman mean ranks with Demšar's critical-difference diagram.

use super::{
    check_finite, draw_text, draw_title, fmt_num, nothing_to_plot, palette, render, text_style,
    text_width, truncate, Area, DrawResult, Figure, LABEL_SIZE, SMALL_SIZE, TITLE_SIZE,
};
use crate::error::{AnalysisError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const MAX_NAME: usize = 36;
const AXIS_W: f64 = 520.0;
const ROW_H: f64 = 22.0;

/// Groups of items (indices into `sorted`, ascending) whose mean ranks differ
/// by less than `cd`, keeping only maximal groups of two or more (Demšar 2006).
///
/// ```
/// // Hand computation with CD = 1: ranks 1.0, 1.5, 1.9 lie within 1 of each other,
/// // 1.9 and 2.8 too; 4.5 is alone.
/// use analysis::plots::critical_difference::cliques;
/// assert_eq!(cliques(&[1.0, 1.5, 1.9, 2.8, 4.5], 1.0), [(0, 2), (2, 3)]);
/// ```
pub fn cliques(sorted_ranks: &[f64], cd: f64) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for i in 0..sorted_ranks.len() {
        let mut j = i;
        while j + 1 < sorted_ranks.len() && sorted_ranks[j + 1] - sorted_ranks[i] < cd {
            j += 1;
        }
        if j > i && out.last().is_none_or(|&(_, pj)| j > pj) {
            out.push((i, j));
        }
    }
    out
}

/// Demšar's diagram (J. Demšar 2006, "Statistical comparisons of classifiers
/// over multiple data sets", JMLR 7:1–30): the mean ranks on an axis from 1
/// to k (widened to include every rank), each name joined to its position by
/// an elbow line (lower half of the ranks labelled on the left, upper half on
/// the right), thick bars joining groups whose mean ranks differ by less than
/// the critical difference `cd`, and a bar of length CD above the axis.
///
/// ```
/// // The mean ranks and CD of tests/data/friedman/docstring_example.csv
/// // (tests/fixtures/friedman/scipy_posthocs.json): b is more than CD = 1.353 below c.
/// use analysis::plots::critical_difference;
/// let names = ["a", "b", "c"].map(String::from);
/// let fig = critical_difference(&names, &[2.25, 7.0 / 6.0, 31.0 / 12.0], 1.353_136_164_445_458).unwrap();
/// assert!(fig.svg.contains("b (1.17)") && fig.svg.contains("CD = 1.35"));
/// assert!(critical_difference(&[], &[], 1.0).is_err());
/// ```
pub fn critical_difference(names: &[String], mean_ranks: &[f64], cd: f64) -> Result<Figure> {
    if names.is_empty() {
        return Err(nothing_to_plot("mean ranks"));
    }
    if names.len() != mean_ranks.len() {
        return Err(AnalysisError::invalid_argument(
            "mean_ranks",
            format!("{} values", mean_ranks.len()),
            &format!("one mean rank per name ({})", names.len()),
        ));
    }
    check_finite("mean rank", mean_ranks.iter().copied())?;
    check_finite("critical difference", [cd])?;
    if cd <= 0.0 {
        return Err(AnalysisError::invalid_argument(
            "critical difference",
            cd,
            "a positive number",
        ));
    }
    let k = names.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| mean_ranks[a].total_cmp(&mean_ranks[b]).then(a.cmp(&b)));
    let sorted: Vec<f64> = order.iter().map(|&i| mean_ranks[i]).collect();
    let groups = cliques(&sorted, cd);
    let lo = sorted[0].min(1.0).floor();
    let hi = sorted[k - 1].max(k as f64).ceil().max(lo + 1.0);
    let labels: Vec<String> = order
        .iter()
        .map(|&i| {
            format!(
                "{} ({})",
                truncate(&names[i], MAX_NAME),
                fmt_num(mean_ranks[i], 2)
            )
        })
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, LABEL_SIZE))
        .fold(60.0, f64::max);
    let left = 20.0 + label_w + 30.0;
    let right = left + AXIS_W;
    let title = "Mean ranks with Demšar's critical difference";
    let width = (right + 30.0 + label_w + 20.0).max(text_width(title, TITLE_SIZE) + 40.0);
    let top = 20.0 + TITLE_SIZE + 20.0;
    let axis_y = top + 50.0;
    let clique_top = axis_y + 16.0;
    let rows_top = clique_top + groups.len() as f64 * 9.0 + 16.0;
    let left_n = k.div_ceil(2);
    let rows = left_n.max(k - left_n);
    let height = rows_top + rows as f64 * ROW_H + 50.0;
    let (w, h) = (width.ceil() as u32, height.ceil() as u32);
    let x_of = |r: f64| left + AXIS_W * (r - lo) / (hi - lo);
    render(title, w, h, |area: &Area| -> DrawResult {
        draw_title(area, title, w)?;
        let black = palette::BLACK.stroke_width(1);
        area.draw(&PathElement::new(
            vec![(left as i32, axis_y as i32), (right as i32, axis_y as i32)],
            black,
        ))?;
        let tick = text_style(SMALL_SIZE, palette::BLACK, HPos::Center, VPos::Bottom);
        let mut t = lo;
        while t <= hi + 1e-9 {
            let x = x_of(t);
            area.draw(&PathElement::new(
                vec![(x as i32, (axis_y - 6.0) as i32), (x as i32, axis_y as i32)],
                black,
            ))?;
            draw_text(area, &fmt_num(t, 0), x, axis_y - 8.0, &tick)?;
            t += 1.0;
        }
        // CD bar above the axis, from the left end.
        let cd_y = axis_y - 34.0;
        let (c0, c1) = (x_of(lo), x_of(lo + cd).min(right));
        area.draw(&PathElement::new(
            vec![(c0 as i32, cd_y as i32), (c1 as i32, cd_y as i32)],
            palette::BLACK.stroke_width(2),
        ))?;
        for x in [c0, c1] {
            area.draw(&PathElement::new(
                vec![
                    (x as i32, (cd_y - 4.0) as i32),
                    (x as i32, (cd_y + 4.0) as i32),
                ],
                black,
            ))?;
        }
        let cds = text_style(SMALL_SIZE, palette::BLACK, HPos::Left, VPos::Center);
        draw_text(
            area,
            &format!("CD = {}", fmt_num(cd, 2)),
            c1 + 8.0,
            cd_y,
            &cds,
        )?;
        // Cliques.
        for (g, &(a, b)) in groups.iter().enumerate() {
            let y = clique_top + g as f64 * 9.0;
            area.draw(&Rectangle::new(
                [
                    ((x_of(sorted[a]) - 4.0) as i32, (y - 2.0) as i32),
                    ((x_of(sorted[b]) + 4.0) as i32, (y + 2.0) as i32),
                ],
                palette::BLACK.filled(),
            ))?;
        }
        // Elbow lines and labels.
        for (pos, label) in labels.iter().enumerate() {
            let x = x_of(sorted[pos]);
            let (row, on_left) = if pos < left_n {
                (pos, true)
            } else {
                (k - 1 - pos, false)
            };
            let y = rows_top + row as f64 * ROW_H + ROW_H / 2.0;
            let color = palette::category(pos % 2 * 3); // alternate blue / vermillion lines for tracing
            let end = if on_left { left - 10.0 } else { right + 10.0 };
            area.draw(&PathElement::new(
                vec![
                    (x as i32, axis_y as i32),
                    (x as i32, y as i32),
                    (end as i32, y as i32),
                ],
                color.stroke_width(1),
            ))?;
            area.draw(&Circle::new((x as i32, axis_y as i32), 3, color.filled()))?;
            let (anchor, tx) = if on_left {
                (HPos::Right, end - 4.0)
            } else {
                (HPos::Left, end + 4.0)
            };
            draw_text(
                area,
                label,
                tx,
                y,
                &text_style(LABEL_SIZE, palette::BLACK, anchor, VPos::Center),
            )?;
        }
        let note = text_style(SMALL_SIZE, palette::GREY, HPos::Left, VPos::Top);
        draw_text(
            area,
            "Thick bars join items whose mean ranks differ by less than the critical difference.",
            20.0,
            rows_top + rows as f64 * ROW_H + 14.0,
            &note,
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::cliques;

    #[test]
    fn maximal_cliques_only() {
        // 1.0 1.5 2.0 | 4.0 4.2 with cd 1.1 → (0, 2), (3, 4); (1, 2) is inside (0, 2).
        assert_eq!(
            cliques(&[1.0, 1.5, 2.0, 4.0, 4.2], 1.1),
            vec![(0, 2), (3, 4)]
        );
        assert_eq!(cliques(&[1.0, 3.0], 1.0), vec![]);
        assert_eq!(cliques(&[1.0, 1.6, 2.2], 1.0), vec![(0, 1), (1, 2)]);
    }
}
