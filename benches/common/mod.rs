//! What the whole-process benchmarks against lavaan share: running a
//! program under `/usr/bin/time` for its peak memory, the median of the
//! repetitions, and the side-by-side report with the ratio.

// Each bench is its own crate and uses part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One run of a program: wall time, peak resident set and its stderr.
pub struct Run {
    pub seconds: f64,
    pub peak_kb: Option<u64>,
    pub stderr: String,
}

/// Runs `program args` (under `/usr/bin/time -f %M` when present); `None`
/// when it could not start or failed, after printing why.
pub fn run(program: &str, args: &[&str]) -> Option<Run> {
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

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median time of `runs` and their largest peak memory, printed as
/// "`label`: median … s, peak RSS … kB".
pub fn summarize(label: &str, runs: &[Run]) -> f64 {
    let t = median(runs.iter().map(|r| r.seconds).collect());
    let rss = runs.iter().filter_map(|r| r.peak_kb).max();
    println!(
        "{label}: median {t:.3} s, peak RSS {} kB",
        rss.map_or("?".into(), |k| k.to_string())
    );
    t
}

/// The lines of the last run's stderr that start with `prefix`, indented.
pub fn print_timings(runs: &[Run], prefix: &str) {
    for l in runs.last().map(|r| r.stderr.as_str()).unwrap_or("").lines() {
        if let Some(rest) = l.strip_prefix(prefix) {
            println!("  {}", rest.trim());
        }
    }
}

/// `paraclinic ours_args` and `Rscript theirs_args`, interleaved `reps`
/// times so that machine load affects both alike; prints both medians, the
/// ratio lavaan / paraclinic and where each side's time goes (lines of
/// stderr starting "lavaan timing:" and "paraclinic: timing:").
pub fn side_by_side(exe: &str, ours_args: &[&str], theirs_args: &[&str], reps: usize) {
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..reps {
        if let Some(r) = run(exe, ours_args) {
            ours.push(r);
        }
        if let Some(r) = run("Rscript", theirs_args) {
            theirs.push(r);
        }
    }
    if ours.is_empty() {
        println!("paraclinic did not run");
        return;
    }
    let t_ours = summarize("paraclinic sem", &ours);
    if theirs.is_empty() {
        println!("lavaan: Rscript or lavaan not available; no ratio");
    } else {
        let t_theirs = summarize("lavaan (Rscript)", &theirs);
        println!(
            "ratio lavaan / paraclinic (whole processes): {:.1}x",
            t_theirs / t_ours
        );
        println!("\nWhere lavaan's time goes (last run):");
        print_timings(&theirs, "lavaan timing:");
    }
    println!("\nWhere paraclinic's time goes (last run; the rest is process start, CSV parsing and printing):");
    print_timings(&ours, "paraclinic: timing:");
}
