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

use std::path::Path;
use std::process::Command;
use std::time::Instant;

struct Run {
    seconds: f64,
    peak_kb: Option<u64>,
    stderr: String,
}

fn run(program: &str, args: &[&str]) -> Option<Run> {
    let time = Path::new("/usr/bin/time").exists();
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("PEAK_RSS_KB %M").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    let start = Instant::now();
    let out = cmd.output().ok()?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        eprintln!("{program} failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KB "))
        .and_then(|v| v.trim().parse().ok());
    Some(Run {
        seconds,
        peak_kb,
        stderr,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

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
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    // Interleave the two so that machine load affects both alike.
    for _ in 0..reps {
        if let Some(r) = run(exe, &ours_args) {
            ours.push(r);
        }
        if let Some(r) = run("Rscript", &theirs_args) {
            theirs.push(r);
        }
    }
    if ours.is_empty() {
        println!("paraclinic did not run");
        return;
    }
    let t_ours = median(ours.iter().map(|r| r.seconds).collect());
    let rss_ours = ours.iter().filter_map(|r| r.peak_kb).max();
    println!(
        "paraclinic sem: median {:.3} s, peak RSS {} kB",
        t_ours,
        rss_ours.map_or("?".into(), |k| k.to_string())
    );
    if theirs.is_empty() {
        println!("lavaan: Rscript or lavaan not available; no ratio");
    } else {
        let t_theirs = median(theirs.iter().map(|r| r.seconds).collect());
        let rss_theirs = theirs.iter().filter_map(|r| r.peak_kb).max();
        println!(
            "lavaan (Rscript): median {:.3} s, peak RSS {} kB",
            t_theirs,
            rss_theirs.map_or("?".into(), |k| k.to_string())
        );
        println!(
            "ratio lavaan / paraclinic (whole processes): {:.1}x",
            t_theirs / t_ours
        );
        println!("\nWhere lavaan's time goes (last run):");
        for l in theirs
            .last()
            .map(|r| r.stderr.as_str())
            .unwrap_or("")
            .lines()
        {
            if let Some(rest) = l.strip_prefix("lavaan timing:") {
                println!("  {}", rest.trim());
            }
        }
    }
    println!("\nWhere paraclinic's time goes (last run; the rest is process start, CSV parsing and printing):");
    for l in ours.last().map(|r| r.stderr.as_str()).unwrap_or("").lines() {
        if let Some(rest) = l.strip_prefix("paraclinic: timing:") {
            println!("  {}", rest.trim());
        }
    }
}
