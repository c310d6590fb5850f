//! analysis::codebook: counts against pandas groupby
//! (tests/reference/codebook.py) and against counts made by hand; the
//! validation issues of a deliberately broken codebook, listed by hand.

use analysis::codebook::{Codebook, IssueKind};
use analysis::Render;
use serde_json::Value;

fn path(rel: &str) -> String {
    format!("{}/../tests/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Value {
    let p = path(&format!("fixtures/codebook/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn assert_counts_match_pandas(name: &str) {
    let book = Codebook::from_csv(path(&format!("data/codebook/{name}.csv"))).unwrap();
    let ours = serde_json::to_value(book.counts()).unwrap();
    let reference = &fixture(name)["counts"];
    assert_eq!(&ours, reference, "{name}");
}

#[test]
fn counts_match_pandas() {
    assert_counts_match_pandas("table2");
    assert_counts_match_pandas("small");
}

/// The paper's Table 2 as transcribed. Counted by hand from the table:
/// 10 dimensions; themes per dimension 4, 3, 3, 2, 4, 2, 1, 1, 2, 4 = 26;
/// sub-themes per dimension 12, 7, 11, 8, 12, 6, 3, 2, 6, 11 = 78;
/// repetitions per dimension 78, 39, 70, 50, 67, 33, 16, 8, 31, 70 = 462.
/// This agrees with the paper's text ("78 primary codes (sub-themes) …
/// grouped into 26 main themes and 10 dimensions"); the methods section's
/// "10 dimensions and 26 sub-themes" calls the 26 themes sub-themes.
#[test]
fn table2_counts_by_hand() {
    let book = Codebook::from_csv(path("data/codebook/table2.csv")).unwrap();
    let c = book.counts();
    assert_eq!(c.dimensions, 10);
    assert_eq!(c.themes, 26);
    assert_eq!(c.subthemes, 78);
    assert_eq!(c.repetitions, 462);
    let per_dim: Vec<(usize, usize, u64)> = c
        .per_dimension
        .iter()
        .map(|d| (d.themes, d.subthemes, d.repetitions))
        .collect();
    assert_eq!(
        per_dim,
        [
            (4, 12, 78),
            (3, 7, 39),
            (3, 11, 70),
            (2, 8, 50),
            (4, 12, 67),
            (2, 6, 33),
            (1, 3, 16),
            (1, 2, 8),
            (2, 6, 31),
            (4, 11, 70)
        ]
    );
    // Rows 1..=26 in order; row 9 "The right legislation" has the most
    // sub-themes (5; 11 + 7 + 5 + 6 + 6 = 35 repetitions).
    let rows: Vec<u64> = c.per_theme.iter().map(|t| t.row).collect();
    assert_eq!(rows, (1..=26).collect::<Vec<_>>());
    let legislation = &c.per_theme[8];
    assert_eq!(legislation.theme, "The right legislation");
    assert_eq!((legislation.subthemes, legislation.repetitions), (5, 35));
    // The table has no duplicates, empty groups or bad numbers. (Theme 16
    // "Physical conditions" has a sub-theme of the same name: a different
    // level, not a duplicate.)
    assert_eq!(book.validate(), vec![]);
    let text = book.to_text();
    assert!(text.contains("10 dimensions, 26 themes, 78 sub-themes, 462 repetitions"));
    assert!(
        text.contains("└─ 26. Ranking (3 sub-themes, 20 repetitions)"),
        "{text}"
    );
    let html = book.to_html();
    assert!(html.contains("<li>Building&#39;s location (6)</li>"));
}

#[test]
fn small_codebook_by_hand() {
    // Access: Distance (4 + 2), Opening hours (3); Quality: Staff (5 + 1 + 2),
    // Equipment (7) → 2 dimensions, 4 themes, 7 sub-themes, 24 repetitions.
    let book = Codebook::from_csv(path("data/codebook/small.csv")).unwrap();
    let c = book.counts();
    assert_eq!(
        (c.dimensions, c.themes, c.subthemes, c.repetitions),
        (2, 4, 7, 24)
    );
    assert_eq!(c.per_dimension[0].repetitions, 9);
    assert_eq!(c.per_dimension[1].repetitions, 15);
    assert_eq!(c.per_theme[2].subthemes, 3);
    assert!(book.validate().is_empty());
}

#[test]
fn every_kind_of_issue_is_reported_with_its_line() {
    let book = Codebook::from_csv(path("data/codebook/issues.csv")).unwrap();
    let issues = book.validate();
    let got: Vec<(u64, IssueKind)> = issues.iter().map(|i| (i.line, i.kind)).collect();
    use IssueKind::*;
    assert_eq!(
        got,
        [
            (3, DuplicateSubtheme),       // "travel  time" repeats "Travel time"
            (4, NonPositiveRepetitions),  // 0
            (5, NonIntegerRepetitions),   // 2.5
            (7, ThemeInTwoDimensions),    // Distance under Access and Quality
            (7, RowReused),               // row 3: Staff and Distance
            (8, EmptyName),               // empty sub-theme
            (9, RowReused),               // row 4: Equipment and Devices
            (10, EmptyTheme),             // Waiting has no sub-themes
            (11, EmptyName),              // empty dimension
            (12, ThemeWithTwoRows),       // Staff: row 3 and row 7
            (12, NonPositiveRepetitions), // -2
        ]
    );
    assert_eq!(issues[2].value.as_deref(), Some("2.5"));
    assert!(issues[4].message.contains("row 3"), "{}", issues[4].message);
    // Counting still works on a flawed codebook: 3 dimensions (one unnamed),
    // 8 themes, 10 sub-themes, and the valid repetitions 4+2+5+1+3+2+1 = 18.
    let c = book.counts();
    assert_eq!(
        (c.dimensions, c.themes, c.subthemes, c.repetitions),
        (3, 8, 10, 18)
    );
    let text = book.to_text();
    assert!(text.contains("Codebook issues"), "{text}");
    assert!(
        text.contains("(empty) (1 themes, 1 sub-themes, 1 repetitions)"),
        "{text}"
    );
    assert!(text.contains("│  └─ (empty) (3)"), "{text}");
    let json: Value = serde_json::from_str(&book.to_json()).unwrap();
    assert_eq!(
        json["dimensions"][0]["themes"][0]["subthemes"][1]["line"],
        3
    );
}
