//! The embedded claims of the first paper against an independent
//! transcription: Table 2 typed as a CSV for the codebook tests
//! (`tests/data/codebook/table2.csv`).

use analysis::codebook::Codebook;

/// Two independent transcriptions of the paper's Table 2 — the CSV typed for
/// these tests and the claims file the product ships — must agree.
#[test]
fn published_claims_and_csv_transcription_of_table2_agree() {
    let csv = Codebook::from_csv(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/codebook/table2.csv"
    ))
    .unwrap();
    let claims = study::published::contracting_model();
    let published = Codebook::from_published(claims.codebook.as_ref().unwrap());
    assert_eq!(published.counts().dimensions, 10);
    assert_eq!(published.counts().themes, 26);
    assert_eq!(published.counts().subthemes, 78);
    assert!(published.validate().is_empty());
    let names = |b: &Codebook| -> Vec<(String, u64, String, String, Option<u64>)> {
        b.themes()
            .flat_map(|(d, t)| {
                t.subthemes.iter().map(move |s| {
                    (
                        d.name.clone(),
                        t.row,
                        t.name.clone(),
                        s.name.clone(),
                        s.repetitions,
                    )
                })
            })
            .collect()
    };
    assert_eq!(names(&csv), names(&published));
}
