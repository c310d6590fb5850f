//! Fuzzes the CSV reader (`Dataset::from_reader`) and the column accessors
//! every command uses: any bytes give a dataset or an error, never a panic,
//! and a numeric value handed out is always finite.
#![no_main]

use analysis::Dataset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(d) = Dataset::from_reader("fuzz.csv", data) else {
        return;
    };
    let names = d.names().to_vec();
    for name in &names {
        let _ = d.text_column(name);
        if let Ok(col) = d.numeric_column(name) {
            assert!(col.iter().flatten().all(|v| v.is_finite()));
        }
    }
    let _ = d.select(Some(&names));
    if let Ok((rows, _)) = d.complete_rows(&names) {
        assert!(rows.iter().flatten().all(|v| v.is_finite()));
    }
    for r in 0..d.n_rows() + 1 {
        let _ = d.line_of(r);
    }
    // The frequency table of each column and the descriptive statistics
    // behind the normality command run on whatever the reader accepted.
    for name in names.iter().take(4) {
        let _ = analysis::frequency::FrequencyTable::from_column(&d, name);
    }
    let _ = analysis::normality::normality(&d, Some(&names[..names.len().min(3)]));
});
