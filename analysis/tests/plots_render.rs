//! Every plot: well-formed SVG with the expected labels and numbers, the same
//! bytes for the same input, and errors (never panics) on empty or non-finite
//! input.

use analysis::plots::{self, BarGroup, CodebookBar, Figure, FitIndexBar, PathArrow, PathDiagram};

fn s(x: &str) -> String {
    x.to_owned()
}

fn well_formed(f: &Figure, expected: &[&str]) {
    let svg = f.svg.trim_end();
    assert!(
        svg.starts_with("<svg"),
        "{}: starts with {:?}",
        f.title,
        &svg[..20.min(svg.len())]
    );
    assert!(svg.ends_with("</svg>"), "{}", f.title);
    assert_eq!(
        svg.matches("<text").count(),
        svg.matches("</text>").count(),
        "{}",
        f.title
    );
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{}", f.title);
    for e in expected {
        assert!(svg.contains(e), "{}: missing {e:?}", f.title);
    }
}

fn svg_width(f: &Figure) -> u32 {
    let head = &f.svg[..f.svg.find('>').unwrap()];
    let i = head.find(" width=\"").unwrap() + 8;
    head[i..i + head[i..].find('"').unwrap()].parse().unwrap()
}

fn all_figures() -> Vec<Figure> {
    let cochran: Vec<(f64, f64)> = [0.03, 0.05, 0.1]
        .iter()
        .map(|&e| (e, 0.9604 / (e * e)))
        .collect();
    vec![
        plots::sample_size_curve(&cochran, Some((0.05, 384.16))).unwrap(),
        plots::bar_chart(
            &[(s("Female"), 188.0), (s("Male"), 197.0)],
            "Gender",
            "Frequency",
        )
        .unwrap(),
        plots::demographic_bars(
            &[BarGroup {
                name: s("Age"),
                bars: vec![
                    (s("Less than 30 years old"), 64.0),
                    (s("30 to 40 years old"), 180.0),
                ],
            }],
            "Table 1",
        )
        .unwrap(),
        plots::codebook_repetitions(&[
            CodebookBar {
                dimension: s("Demographic factors"),
                theme: s("Decentralization"),
                repetitions: 16.0,
            },
            CodebookBar {
                dimension: s("Marketing"),
                theme: s("Indirect marketing"),
                repetitions: 8.0,
            },
        ])
        .unwrap(),
        plots::histogram_qq("score", &[1.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0, 5.0]).unwrap(),
        plots::heatmap(&[s("a"), s("b")], &[vec![1.0, -0.25], vec![-0.25, 1.0]]).unwrap(),
        plots::path_diagram(&PathDiagram {
            factors: vec![s("Demographic factors"), s("Marketing")],
            outcome: s("Contracting criteria"),
            paths: vec![
                PathArrow {
                    from: s("Demographic factors"),
                    to: s("Contracting criteria"),
                    estimate: 0.51,
                    significant: true,
                },
                PathArrow {
                    from: s("Marketing"),
                    to: s("Contracting criteria"),
                    estimate: 0.04,
                    significant: false,
                },
            ],
            caption: Some(s("synthetic")),
        })
        .unwrap(),
        plots::fit_indices(&[
            FitIndexBar {
                name: s("GFI"),
                value: 0.92,
                cutoff: Some(0.9),
                higher_is_better: true,
            },
            FitIndexBar {
                name: s("RMSEA"),
                value: 0.036,
                cutoff: Some(0.06),
                higher_is_better: false,
            },
            FitIndexBar {
                name: s("chi2"),
                value: 502.88,
                cutoff: None,
                higher_is_better: false,
            },
        ])
        .unwrap(),
        plots::critical_difference(&[s("A"), s("B"), s("C")], &[1.2, 1.9, 2.9], 0.8).unwrap(),
        plots::delphi_rounds(
            &[s("T1_I1"), s("T1_I2")],
            &[vec![0.6, 0.8], vec![0.8, 0.9]],
            &[vec![1.5, 1.0], vec![1.0, 0.5]],
        )
        .unwrap(),
    ]
}

#[test]
fn every_plot_is_well_formed_with_its_labels_and_numbers() {
    let f = all_figures();
    well_formed(
        &f[0],
        &[
            "Margin of error e",
            "Sample size n",
            "e = 0.050, n = 384.16",
        ],
    );
    well_formed(&f[1], &["Female", "188", "197", "Frequency"]);
    well_formed(
        &f[2],
        &[
            "Age",
            "Less than 30 years old",
            "64 (26.2 %)",
            "180 (73.8 %)",
        ],
    );
    well_formed(
        &f[3],
        &[
            "Demographic factors — 16 repetitions",
            "Indirect marketing",
            "Marketing — 8 repetitions",
        ],
    );
    well_formed(
        &f[4],
        &[
            "Density",
            "Theoretical normal quantile z",
            "Normal (mean 3.00, SD 1.22)",
        ],
    );
    well_formed(&f[5], &["1  a", "2  b", "-0.25", "1.00"]);
    well_formed(
        &f[6],
        &[
            "Demographic factors",
            "Contracting criteria",
            "0.51*",
            "0.04",
            "synthetic",
        ],
    );
    assert!(!f[6].svg.contains("0.04*"));
    well_formed(
        &f[7],
        &[
            "0.92 — meets ≥ 0.90",
            "0.036 — meets ≤ 0.060",
            "502.88 — no cut-off",
        ],
    );
    well_formed(&f[8], &["A (1.20)", "B (1.90)", "C (2.90)", "CD = 0.80"]);
    well_formed(
        &f[9],
        &[
            "T1_I1",
            "Round 1",
            "Round 2",
            "Agreement (share rating 4–5, %)",
            "Interquartile range",
        ],
    );
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(all_figures(), all_figures());
}

#[test]
fn fit_verdict_says_fails_when_the_cutoff_is_missed() {
    let f = plots::fit_indices(&[FitIndexBar {
        name: s("CFI"),
        value: 0.92,
        cutoff: Some(0.95),
        higher_is_better: true,
    }])
    .unwrap();
    assert!(f.svg.contains("0.92 — fails ≥ 0.95"));
}

#[test]
fn cd_diagram_draws_one_bar_per_maximal_clique() {
    use analysis::plots::critical_difference::cliques;
    // Table 5's mean ranks sorted, CD of the Nemenyi test at k = 10, N = 385.
    let mut r = [4.14, 3.81, 1.89, 1.81, 1.66, 2.45, 1.47, 2.44, 3.28, 3.98];
    r.sort_by(f64::total_cmp);
    let cd = 3.164 * (110.0f64 / 2310.0).sqrt();
    assert!((cd - 0.6905).abs() < 1e-4);
    assert_eq!(cliques(&r, cd), vec![(0, 3), (2, 5), (6, 7), (7, 9)]);
}

#[test]
fn long_labels_are_shortened_and_widen_the_canvas() {
    let long = "Marketing based on service improvement and resulting ranking in brand and organization strength";
    let f = plots::bar_chart(&[(s(long), 3.0)], "t", "x").unwrap();
    assert!(!f.svg.contains(long));
    assert!(f
        .svg
        .contains("Marketing based on service improvement and resulting rankin…"));
    let short = plots::bar_chart(&[(s("M"), 3.0)], "t", "x").unwrap();
    assert!(svg_width(&f) > svg_width(&short) + 200);
}

#[test]
fn footer_labels_synthetic_figures() {
    let f = plots::bar_chart(&[(s("a"), 1.0)], "t", "x").unwrap();
    let g = f.with_footer("SYNTHETIC data (seed 20210101) — not the study's data");
    assert!(g
        .svg
        .contains("SYNTHETIC data (seed 20210101) — not the study&#39;s data"));
    assert!(g.svg.trim_end().ends_with("</svg>"));
    let h = |fig: &Figure| {
        let head = &fig.svg[..fig.svg.find('>').unwrap()];
        let i = head.find(" height=\"").unwrap() + 9;
        head[i..i + head[i..].find('"').unwrap()]
            .parse::<u32>()
            .unwrap()
    };
    assert_eq!(h(&g), h(&f) + 28);
}

#[test]
fn empty_and_non_finite_input_are_errors_not_panics() {
    assert!(plots::sample_size_curve(&[], None).is_err());
    assert!(plots::sample_size_curve(&[(0.05, f64::NAN)], None).is_err());
    assert!(plots::sample_size_curve(&[(0.0, 10.0)], None).is_err());
    assert!(plots::sample_size_curve(&[(0.05, 384.16)], None).is_ok());
    assert!(plots::bar_chart(&[], "t", "x").is_err());
    assert!(plots::bar_chart(&[(s("a"), f64::INFINITY)], "t", "x").is_err());
    assert!(plots::bar_chart(&[(s("a"), -1.0)], "t", "x").is_err());
    assert!(plots::bar_chart(&[(s("a"), 0.0)], "t", "x").is_ok());
    assert!(plots::demographic_bars(&[], "t").is_err());
    assert!(plots::codebook_repetitions(&[]).is_err());
    assert!(plots::histogram_qq("x", &[]).is_err());
    assert!(plots::histogram_qq("x", &[1.0, f64::NAN, 2.0]).is_err());
    assert!(plots::histogram_qq("x", &[2.0, 2.0, 2.0]).is_err());
    assert!(plots::histogram_qq("x", &[1.0, 2.0]).is_err());
    assert!(plots::heatmap(&[], &[]).is_err());
    assert!(plots::heatmap(&[s("a")], &[vec![1.0, 0.0]]).is_err());
    assert!(plots::heatmap(&[s("a"), s("b")], &[vec![1.0, 1.5], vec![1.5, 1.0]]).is_err());
    assert!(plots::heatmap(&[s("a"), s("b")], &[vec![1.0, f64::NAN], vec![0.0, 1.0]]).is_err());
    let d = |est: f64, from: &str| PathDiagram {
        factors: vec![s("a")],
        outcome: s("y"),
        paths: vec![PathArrow {
            from: s(from),
            to: s("y"),
            estimate: est,
            significant: true,
        }],
        caption: None,
    };
    assert!(plots::path_diagram(&d(f64::NAN, "a")).is_err());
    assert!(plots::path_diagram(&d(0.3, "b")).is_err());
    assert!(plots::path_diagram(&PathDiagram {
        paths: vec![],
        ..d(0.3, "a")
    })
    .is_err());
    assert!(plots::fit_indices(&[]).is_err());
    assert!(plots::fit_indices(&[FitIndexBar {
        name: s("x"),
        value: f64::NAN,
        cutoff: None,
        higher_is_better: true
    }])
    .is_err());
    assert!(plots::critical_difference(&[], &[], 1.0).is_err());
    assert!(plots::critical_difference(&[s("a")], &[1.0, 2.0], 1.0).is_err());
    assert!(plots::critical_difference(&[s("a"), s("b")], &[1.0, 2.0], 0.0).is_err());
    assert!(plots::critical_difference(&[s("a"), s("b")], &[1.0, f64::NAN], 1.0).is_err());
    assert!(plots::critical_difference(&[s("a")], &[1.0], 1.0).is_ok());
    assert!(plots::delphi_rounds(&[], &[], &[]).is_err());
    assert!(plots::delphi_rounds(&[s("a")], &[vec![0.5]], &[]).is_err());
    assert!(plots::delphi_rounds(&[s("a")], &[vec![1.5]], &[vec![1.0]]).is_err());
    assert!(plots::delphi_rounds(&[s("a")], &[vec![0.5, 0.2]], &[vec![1.0]]).is_err());
    assert!(plots::delphi_rounds(&[s("a")], &[vec![0.5]], &[vec![f64::NAN]]).is_err());
}
