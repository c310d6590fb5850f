//! Writes every plot to a directory so that a person can look at them:
//!
//!     cargo run -p study --example render_plots -- [OUT_DIR]
//!
//! (default `target/plots`). Published figures come from the embedded claims;
//! plots of synthetic data carry a "SYNTHETIC" footer.

use analysis::plots::{self, CodebookBar, FitIndexBar, PathArrow, PathDiagram};
use std::path::PathBuf;
use study::published::{contracting_model, strategic_purchasing};
use study::synthetic::{DelphiConfig, DelphiPanel, SyntheticConfig, SyntheticStudy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/plots".into()),
    );
    std::fs::create_dir_all(&out)?;
    let claims = contracting_model();
    let synthetic_note = format!(
        "SYNTHETIC data (seed {}) — not the study's data",
        study::synthetic::DEFAULT_SEED
    );
    let mut figures = Vec::new();

    // Cochran's n0 = z² p q / e² at z = 1.96, p = 0.5.
    let points: Vec<(f64, f64)> = (4..=20)
        .map(|i| i as f64 * 0.005)
        .map(|e| (e, 1.96f64.powi(2) * 0.25 / (e * e)))
        .collect();
    figures.push((
        "01_sample_size",
        plots::sample_size_curve(&points, Some((0.05, 384.16)))?,
    ));

    let t1 = claims.demographics.as_ref().ok_or("no Table 1")?;
    let groups = t1.bar_groups();
    figures.push((
        "02_demographics",
        plots::demographic_bars(&groups, "Respondents' characteristics (Table 1)")?,
    ));

    let cb = claims.codebook.as_ref().ok_or("no Table 2")?;
    let entries: Vec<CodebookBar> = cb
        .entries
        .iter()
        .map(|e| CodebookBar {
            dimension: e.dimension.clone(),
            theme: e.theme.clone(),
            repetitions: e.subthemes.iter().map(|s| s.repetitions.value).sum(),
        })
        .collect();
    figures.push(("03_codebook", plots::codebook_repetitions(&entries)?));

    let study = SyntheticStudy::generate(&claims, &SyntheticConfig::default())?;
    let scores: Vec<f64> = study.dimension_scores.iter().map(|r| r[0]).collect();
    figures.push((
        "04_histogram_qq",
        plots::histogram_qq("Demographic factors score", &scores)?.with_footer(&synthetic_note),
    ));

    let mut names = study.model.dimensions.clone();
    names.push(study.model.outcome.clone());
    let cols: Vec<Vec<f64>> = (0..10)
        .map(|d| study.dimension_scores.iter().map(|r| r[d]).collect())
        .chain(std::iter::once(study.outcome_scores.clone()))
        .collect();
    let corr: Vec<Vec<f64>> = cols
        .iter()
        .map(|a| cols.iter().map(|b| pearson(a, b)).collect())
        .collect();
    figures.push((
        "05_heatmap",
        plots::heatmap(&names, &corr)?.with_footer(&synthetic_note),
    ));

    let t4 = claims.paths.as_ref().ok_or("no Table 4")?;
    let diagram = PathDiagram {
        factors: t4.rows.iter().map(|r| r.variable.clone()).collect(),
        outcome: t4.outcome.clone(),
        paths: t4
            .rows
            .iter()
            .map(|r| PathArrow {
                from: r.variable.clone(),
                to: t4.outcome.clone(),
                estimate: r.beta.value,
                significant: r.t.value > 1.96,
            })
            .collect(),
        caption: Some("Published β (Table 4); significant when t > 1.96".into()),
    };
    figures.push(("06_path_diagram", plots::path_diagram(&diagram)?));

    let fit = claims.fit.as_ref().ok_or("no Table 3")?;
    let cut = |name: &str| match name {
        "gfi" | "agfi" => (Some(0.90), true),
        "cfi" => (Some(0.95), true),
        "rmsea" => (Some(0.06), false),
        _ => (None, true),
    };
    let bars: Vec<FitIndexBar> = fit
        .indices
        .iter()
        .map(|i| {
            let (cutoff, higher_is_better) = cut(&i.name);
            FitIndexBar {
                name: i.label.clone(),
                value: i.value.value,
                cutoff,
                higher_is_better,
            }
        })
        .collect();
    figures.push(("07_fit_indices", plots::fit_indices(&bars)?));

    // Nemenyi CD = q_0.05 √(k(k+1)/(6N)) with q_0.05 = 3.164 for k = 10 (Demšar 2006, Table 5), N = 385.
    let t5 = claims.friedman.as_ref().ok_or("no Table 5")?;
    let k = t5.rows.len() as f64;
    let cd = 3.164 * (k * (k + 1.0) / (6.0 * 385.0)).sqrt();
    let names5: Vec<String> = t5.rows.iter().map(|r| r.dimension.clone()).collect();
    let ranks5: Vec<f64> = t5.rows.iter().map(|r| r.mean_rank.value).collect();
    figures.push((
        "08_critical_difference",
        plots::critical_difference(&names5, &ranks5, cd)?,
    ));

    let panel = DelphiPanel::generate(&strategic_purchasing(), &DelphiConfig::default())?;
    let items: Vec<String> = panel
        .items
        .iter()
        .map(|i| format!("{} ({})", i.code, i.theme))
        .collect();
    let agreement: Vec<Vec<f64>> = (0..panel.rounds.len())
        .map(|r| {
            (0..items.len())
                .map(|i| panel.agreement(r, i))
                .collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()?;
    let iqr: Vec<Vec<f64>> = (0..panel.rounds.len())
        .map(|r| {
            (0..items.len())
                .map(|i| panel.iqr(r, i))
                .collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()?;
    figures.push((
        "09_delphi_rounds",
        plots::delphi_rounds(&items, &agreement, &iqr)?.with_footer(&synthetic_note),
    ));

    let t4_bars: Vec<(String, f64)> = t4
        .rows
        .iter()
        .map(|r| (r.variable.clone(), r.t.value))
        .collect();
    figures.push((
        "10_bar_chart",
        plots::bar_chart(&t4_bars, "t-values of the paths (Table 4)", "t")?,
    ));

    for (name, fig) in &figures {
        let path = out.join(format!("{name}.svg"));
        std::fs::write(&path, &fig.svg)?;
        println!("{}  {}", path.display(), fig.title);
    }
    Ok(())
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}
