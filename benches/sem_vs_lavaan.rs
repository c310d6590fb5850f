//! Benchmark: `paraclinic sem` against lavaan (Rscript) as whole processes,
//! on the questionnaire-sized CFA of the study — 78 five-point items on 10
//! correlated factors, N = 385 (tests/data/sem/questionnaire_78.*, written
//! by tests/reference/sem.R with a fixed seed). Both print estimates with
//! SEs, the standardized solution, R² and all fit measures.
//!
//! Run: `scripts/bench-sem` (or `cargo bench --bench sem_vs_lavaan`).
//! `SEM_BENCH_REPS` sets the repetitions (default 7); the median wall time
//! of each side, their ratio and the peak resident set size (from
//! `/usr/bin/time -f %M`) are printed, followed by where the time goes.
//! No assertion: speed is reported, not tested.
//!
//! Then WLSMV on the same 78 items as ordered five-point answers
//! (`paraclinic sem --ordered-all`, lavaan's `cfa(…, ordered = TRUE,
//! estimator = "WLSMV")`): lavaan takes about 12 minutes for it here, so it
//! runs once and only with `--with-lavaan-wlsmv`
//! (`scripts/bench-sem --with-lavaan-wlsmv`); without it the ratio is taken
//! against lavaan's time recorded on this machine, and says so.

mod common;
use common::{print_timings, run, side_by_side, summarize, Run};
use std::process::Command;
use std::time::Instant;

/// lavaan 0.6.14's WLSMV fit of the 78 ordered items at N = 385 on this
/// machine (issue 14: 11 min 41 s), for when it is not rerun.
const RECORDED_LAVAAN_WLSMV_SECONDS: f64 = 701.0;

/// Prints the `fit name value` lines of lavaan's output.
fn print_fit_lines(stdout: &str) {
    for l in stdout.lines().filter(|l| l.starts_with("fit ")) {
        println!("  lavaan {}", &l[4..]);
    }
}

fn wlsmv(exe: &str, model: &str, data: &str, r_script: &str, reps: usize, with_lavaan: bool) {
    println!("\nWLSMV: the same 78 items as ordered five-point answers; {reps} repetitions of paraclinic");
    let args = [
        "sem",
        "--model",
        model,
        "--data",
        data,
        "--ordered-all",
        "--timings",
    ];
    let ours: Vec<Run> = (0..reps).filter_map(|_| run(exe, &args)).collect();
    if ours.is_empty() {
        println!("paraclinic did not run");
        return;
    }
    let t_ours = summarize("paraclinic sem --ordered-all", &ours);
    println!("Where paraclinic's time goes (last run):");
    print_timings(&ours, "paraclinic: timing:");
    let t_lavaan = if with_lavaan {
        let start = Instant::now();
        let out = Command::new("Rscript")
            .args([r_script, model, data, "WLSMV"])
            .output();
        let seconds = start.elapsed().as_secs_f64();
        match out {
            Ok(o) if o.status.success() => {
                println!("lavaan WLSMV (Rscript, one run): {seconds:.1} s");
                print_fit_lines(&String::from_utf8_lossy(&o.stdout));
                seconds
            }
            _ => {
                println!("lavaan WLSMV did not run; using the recorded time");
                RECORDED_LAVAAN_WLSMV_SECONDS
            }
        }
    } else {
        println!(
            "lavaan WLSMV: not rerun (pass --with-lavaan-wlsmv); its time recorded on this machine is {RECORDED_LAVAAN_WLSMV_SECONDS} s"
        );
        RECORDED_LAVAAN_WLSMV_SECONDS
    };
    println!(
        "ratio lavaan / paraclinic (WLSMV, whole processes{}): {:.0}x",
        if with_lavaan {
            ""
        } else {
            ", against the recorded lavaan time"
        },
        t_lavaan / t_ours
    );
}

fn main() {
    let with_lavaan_wlsmv = std::env::args().any(|a| a == "--with-lavaan-wlsmv");
    let root = concat!(env!("CARGO_MANIFEST_DIR"));
    let model = format!("{root}/tests/data/sem/questionnaire_78.lav");
    let data = format!("{root}/tests/data/sem/questionnaire_78.csv");
    let r_script = format!("{root}/tests/reference/sem_bench.R");
    let exe = env!("CARGO_BIN_EXE_paraclinic");
    let reps: usize = std::env::var("SEM_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    println!(
        "SEM benchmark: 78 indicators, 10 correlated factors, N = 385; {reps} repetitions each"
    );
    let ours_args = ["sem", "--model", &model, "--data", &data, "--timings"];
    let theirs_args = [r_script.as_str(), &model, &data];
    side_by_side(exe, &ours_args, &theirs_args, reps);
    wlsmv(
        exe,
        &model,
        &data,
        &r_script,
        reps.min(3),
        with_lavaan_wlsmv,
    );
}
