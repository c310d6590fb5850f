//! Benchmark: `paraclinic friedman` and `paraclinic correlate` against SciPy,
//! scikit-posthocs and NumPy on the same files, as whole processes.
//!
//! Run: `scripts/bench-stats` (it makes the Python environment), or
//! `cargo bench --bench stats_vs_scipy` with `PARACLINIC_BENCH_PYTHON` set to
//! a Python that has numpy, scipy, pandas and scikit-posthocs.
//!
//! The data are generated here with a fixed seed into
//! `target/bench-stats/`:
//! * `friedman_k{100,400,1000}.csv`: n = 30 respondents (rows) rating k
//!   conditions (columns), normal scores with a linear trend over the
//!   conditions, 4 decimals (no ties);
//! * `correlate_1000.csv`: 2000 records of 1000 variables loading on 50
//!   latent factors plus noise, 4 decimals.
//!
//! What each side computes:
//! * `paraclinic friedman FILE --json`: Friedman χ² and p, Kendall's W,
//!   Iman–Davenport F, Nemenyi and Conover statistics and p-values for every
//!   pair, Demšar's critical difference and the pairs beyond it, all printed
//!   as JSON. Reference (`tests/reference/stats_bench.py friedman`):
//!   `scipy.stats.friedmanchisquare`, scikit-posthocs
//!   `posthoc_nemenyi_friedman` and `posthoc_conover_friedman`, and the
//!   critical difference from `scipy.stats.studentized_range.ppf`; prints
//!   one line.
//! * `paraclinic correlate FILE --json`: Pearson matrix, two-sided p-values
//!   of every pair, VIF and tolerance of every variable, pairs with
//!   |r| ≥ 0.8, all printed as JSON. Reference (`stats_bench.py
//!   correlate`): `numpy.corrcoef`, p-values from `scipy.stats.t.sf`
//!   (vectorised, as `pearsonr` computes them), VIF as the diagonal of
//!   `numpy.linalg.inv`; prints one line.
//!
//! Both sides read the CSV themselves (the reference with `pandas.read_csv`).
//! `STATS_BENCH_REPS` sets the repetitions (default 3; median reported).
//! `STATS_BENCH_CASES` restricts the cases (comma-separated names as in the
//! table, e.g. `friedman k=100,correlate 1000`). `PARACLINIC_BASELINE` names
//! another `paraclinic` executable (an older build) to time once per case
//! next to them. No assertion: speed is reported, not tested.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// splitmix64 and Box–Muller: reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn write_csv(path: &Path, prefix: &str, rows: &[Vec<f64>]) {
    let k = rows[0].len();
    let mut out = String::new();
    let header: Vec<String> = (1..=k).map(|j| format!("{prefix}{j}")).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in rows {
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v:.4}");
        }
        out.push('\n');
    }
    std::fs::write(path, out).expect("write benchmark data");
}

fn friedman_data(path: &Path, k: usize, n: usize, seed: u64) {
    let mut rng = Rng(seed);
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            (0..k)
                .map(|j| rng.normal() + 2.0 * j as f64 / k as f64)
                .collect()
        })
        .collect();
    write_csv(path, "c", &rows);
}

fn correlation_data(path: &Path, k: usize, n: usize, seed: u64) {
    let mut rng = Rng(seed);
    let factors = 50;
    let loading: Vec<usize> = (0..k)
        .map(|_| (rng.next_u64() % factors) as usize)
        .collect();
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            let latent: Vec<f64> = (0..factors).map(|_| rng.normal()).collect();
            loading
                .iter()
                .map(|&f| 0.5 * latent[f] + rng.normal())
                .collect()
        })
        .collect();
    write_csv(path, "v", &rows);
}

/// Wall time of one whole process, or `None` if it could not run or failed.
fn time(program: &str, args: &[&str]) -> Option<f64> {
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        eprintln!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(seconds)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn seconds(t: Option<f64>) -> String {
    t.map_or("—".to_owned(), |t| format!("{t:.2}"))
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let exe = env!("CARGO_BIN_EXE_paraclinic");
    let python = std::env::var("PARACLINIC_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let baseline = std::env::var("PARACLINIC_BASELINE").ok();
    let reference = format!("{root}/tests/reference/stats_bench.py");
    let reps: usize = std::env::var("STATS_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let wanted: Option<Vec<String>> = std::env::var("STATS_BENCH_CASES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());

    let dir = PathBuf::from(root).join("target/bench-stats");
    std::fs::create_dir_all(&dir).expect("create target/bench-stats");
    // (name, paraclinic subcommand, reference command, file)
    let mut cases: Vec<(String, &str, &str, PathBuf)> = Vec::new();
    for (i, k) in [100usize, 400, 1000].into_iter().enumerate() {
        let path = dir.join(format!("friedman_k{k}.csv"));
        friedman_data(&path, k, 30, 20_261_130 + i as u64);
        cases.push((format!("friedman k={k}"), "friedman", "friedman", path));
    }
    let path = dir.join("correlate_1000.csv");
    correlation_data(&path, 1000, 2000, 20_261_201);
    cases.push(("correlate 1000".to_owned(), "correlate", "correlate", path));
    cases.retain(|c| wanted.as_ref().is_none_or(|w| w.contains(&c.0)));

    println!(
        "Friedman (n = 30 rows, k conditions) and correlation (2000 rows × 1000 columns); \
         whole processes, median of {reps}"
    );
    println!("reference: {python} tests/reference/stats_bench.py\n");
    let mut table = vec![vec![
        "case".to_owned(),
        "paraclinic s".to_owned(),
        "SciPy/NumPy s".to_owned(),
        "reference / paraclinic".to_owned(),
    ]];
    if baseline.is_some() {
        table[0].push("baseline s".to_owned());
        table[0].push("baseline / paraclinic".to_owned());
    }
    for (name, command, reference_command, path) in &cases {
        let file = path.to_str().expect("UTF-8 path");
        let ours_args = [*command, file, "--json"];
        let theirs_args = [reference.as_str(), reference_command, file];
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        // Interleave the two so that machine load affects both alike.
        for _ in 0..reps {
            ours.extend(time(exe, &ours_args));
            theirs.extend(time(&python, &theirs_args));
        }
        let (t_ours, t_theirs) = (median(ours), median(theirs));
        let ratio = match (t_ours, t_theirs) {
            (Some(a), Some(b)) => format!("{:.1}×", b / a),
            _ => "—".to_owned(),
        };
        let mut row = vec![name.clone(), seconds(t_ours), seconds(t_theirs), ratio];
        if let Some(old) = &baseline {
            let t_old = time(old, &ours_args);
            row.push(seconds(t_old));
            row.push(match (t_ours, t_old) {
                (Some(a), Some(b)) => format!("{:.1}×", b / a),
                _ => "—".to_owned(),
            });
        }
        println!("{}", row.join(" | "));
        table.push(row);
    }
    println!("\nMarkdown:\n");
    for (i, row) in table.iter().enumerate() {
        println!("| {} |", row.join(" | "));
        if i == 0 {
            println!("|{}", "---|".repeat(row.len()));
        }
    }
}
