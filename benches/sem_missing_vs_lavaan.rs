//! Benchmark: `paraclinic sem --missing ml` against lavaan's
//! `missing = "ml"` (Rscript) as whole processes, on the questionnaire-sized
//! CFA of the study — 78 five-point items on 10 correlated factors, N = 385
//! — with 10 % of the values deleted at random (MCAR), so that all 385
//! cases have their own missingness pattern
//! (tests/data/sem/questionnaire_78_missing.csv, written by
//! tests/reference/sem_missing.R with a fixed seed). Both print estimates
//! with SEs (observed information), the standardized solution, R² and all
//! fit measures. Then MLR with missing data on the first 30 items (3
//! factors, tests/data/sem/questionnaire_30.lav): Huber–White SEs, the
//! Yuan–Bentler test and the FIML-corrected robust indices (the 78-item
//! model has 3 159 unrestricted moments, above the limit of
//! `ROBUST_MOMENTS_LIMIT` for the robust pieces).
//!
//! Run: `scripts/bench-sem` (or `cargo bench --bench sem_missing_vs_lavaan`).
//! `SEM_MISSING_BENCH_REPS` sets the repetitions (default 1: lavaan takes
//! many minutes here); the median wall time
//! of each side, their ratio and the peak resident set size (from
//! `/usr/bin/time -f %M`) are printed, followed by where the time goes.
//! No assertion: speed is reported, not tested.

mod common;
use common::side_by_side;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"));
    let data = format!("{root}/tests/data/sem/questionnaire_78_missing.csv");
    let reps: usize = std::env::var("SEM_MISSING_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    bench(
        &format!("FIML benchmark (--missing ml / missing = \"ml\"): 78 indicators, 10 correlated factors, N = 385, 10 % MCAR, 385 patterns; {reps} repetition(s) each"),
        &format!("{root}/tests/data/sem/questionnaire_78.lav"),
        &data,
        "ML",
        reps,
    );
    println!();
    bench(
        &format!("MLR with missing data (--estimator MLR --missing ml): the first 30 items on 3 factors, same data; {reps} repetition(s) each"),
        &format!("{root}/tests/data/sem/questionnaire_30.lav"),
        &data,
        "MLR",
        reps,
    );
}

fn bench(title: &str, model: &str, data: &str, estimator: &str, reps: usize) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"));
    let r_script = format!("{root}/tests/reference/sem_missing_bench.R");
    let exe = env!("CARGO_BIN_EXE_paraclinic");
    println!("{title}");
    let ours_args = [
        "sem",
        "--model",
        model,
        "--data",
        data,
        "--missing",
        "ml",
        "--estimator",
        estimator,
        "--timings",
    ];
    let theirs_args = [r_script.as_str(), model, data, estimator];
    side_by_side(exe, &ours_args, &theirs_args, reps);
}
