//! `paraclinic reproduce [--out DIR] [--data synthetic|FILE.csv] [--seed N] [--json]`:
//! runs the whole pipeline of the study natively, shows progress step by step
//! on stderr, prints a summary on stdout and writes
//!
//! - `DIR/report.html` — one self-contained page, every number labelled
//!   published / recomputed / synthetic estimate / user data;
//! - `DIR/results.json` — the same results as data (`paraclinic-reproduction/1`);
//! - `DIR/figures/*.svg` — the figures, also inlined in the report.
//!
//! Timings go to stderr only, so two runs write identical bytes.

use analysis::{AnalysisError, Render};
use std::path::{Path, PathBuf};
use std::time::Instant;
use study::reproduction::{self, Config, DataChoice, Progress, ProgressEvent, Status};

#[derive(clap::Args)]
pub struct Args {
    /// Directory to write report.html, results.json and figures/ into
    /// (created if needed; files of a previous run are overwritten).
    #[arg(long, default_value = "paraclinic-report")]
    pub out: PathBuf,
    /// `synthetic` for the seeded synthetic reconstruction, or a CSV file with
    /// the study's columns (Table 1 variables in snake case, items D1_I1 …
    /// D10_I11, optional outcome items CC_I1 …).
    #[arg(long, default_value = "synthetic")]
    pub data: String,
    /// Seed of the synthetic data (only with --data synthetic; 0 to 2^64 − 1).
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<String>,
    /// Print results.json on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
}

fn io_error(path: &Path, e: std::io::Error) -> AnalysisError {
    AnalysisError::io(&path.display().to_string(), &e)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), AnalysisError> {
    std::fs::write(path, bytes).map_err(|e| io_error(path, e))
}

fn progress_printer() -> impl FnMut(&Progress) {
    let mut started = Instant::now();
    move |p: &Progress| {
        let tag = if p.number == 0 {
            "[data]".to_owned()
        } else {
            format!("[{}/{}]", p.number, p.total)
        };
        match &p.event {
            ProgressEvent::Started => {
                started = Instant::now();
                eprint!("{tag} {} … ", p.title);
            }
            ProgressEvent::Finished { status, summary } => {
                let word = match status {
                    Status::Done => "done",
                    Status::Failed => "FAILED",
                };
                eprintln!(
                    "{word} ({:.1} s): {summary}",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
}

/// Fails unless `out` can be the output directory: an existing directory
/// or one that can be created, and writable. Checked before the pipeline
/// runs, so that `--out report.html` or `--out /dev/null` fails at once
/// instead of after a minute of computing.
fn check_out_dir(out: &Path) -> Result<(), AnalysisError> {
    let shown = out.display().to_string();
    let fail = |why: &str| {
        AnalysisError::invalid_argument(
            "--out",
            format!("\"{shown}\""),
            &format!("a directory to write the report into ({why})"),
        )
    };
    if out.as_os_str().is_empty() {
        return Err(fail("the path is empty"));
    }
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => Err(fail("this path exists and is not a directory")),
        Ok(_) => {
            // Writable? Try it, as permissions alone do not say (root,
            // read-only mounts).
            let probe = out.join(".paraclinic-write-test");
            std::fs::write(&probe, b"")
                .and_then(|()| std::fs::remove_file(&probe))
                .map_err(|e| fail(&format!("it cannot be written: {e}")))
        }
        Err(_) => {
            // Not there yet: the nearest existing ancestor must be a
            // directory (create_dir_all fails on a file in the path).
            let mut ancestor = out.parent();
            while let Some(a) = ancestor {
                if a.as_os_str().is_empty() {
                    break;
                }
                match std::fs::metadata(a) {
                    Ok(m) if m.is_dir() => break,
                    Ok(_) => return Err(fail(&format!("{} is not a directory", a.display()))),
                    Err(_) => ancestor = a.parent(),
                }
            }
            // Nothing is created yet: a run that fails on its data leaves
            // no empty report directory behind.
            Ok(())
        }
    }
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let seed = args
        .seed
        .as_deref()
        .map(|s| super::whole_number("--seed", s, 0, u64::MAX))
        .transpose()?;
    check_out_dir(&args.out)?;
    let data = if args.data == "synthetic" {
        DataChoice::Synthetic {
            seed: seed.unwrap_or(reproduction::DEFAULT_SEED),
        }
    } else {
        if let Some(seed) = seed {
            return Err(AnalysisError::invalid_argument(
                "--seed",
                seed,
                "no seed with --data FILE.csv (the seed only drives the synthetic data)",
            ));
        }
        DataChoice::Csv(PathBuf::from(&args.data))
    };
    let config = Config {
        data,
        ..Config::default()
    };
    let result = reproduction::run(&config, &mut progress_printer()).inspect_err(|_| {
        // Ends the progress line the failed step started.
        eprintln!("FAILED");
    })?;

    let out = &args.out;
    let figures_dir = out.join("figures");
    std::fs::create_dir_all(&figures_dir).map_err(|e| io_error(&figures_dir, e))?;
    let figures = result.figures();
    // Remove figures of an earlier run that this run does not write, so the
    // directory holds exactly this run's output.
    let keep: Vec<&str> = figures.iter().map(|f| f.file.as_str()).collect();
    let entries = std::fs::read_dir(&figures_dir).map_err(|e| io_error(&figures_dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".svg") && !keep.contains(&name.as_str()) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        }
    }
    for f in &figures {
        write(&figures_dir.join(&f.file), f.figure.svg.as_bytes())?;
    }
    // The synthetic data themselves, so that a reader can refit them
    // elsewhere (lavaan, SPSS) or pass them back with --data.
    let mut data_file = None;
    if let Some(synthetic) = &result.synthetic {
        let study = &synthetic.generated;
        let dir = out.join("data");
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let name = study.suggested_file_name();
        // A data file of another seed would be stale beside this report.
        let entries = std::fs::read_dir(&dir).map_err(|e| io_error(&dir, e))?;
        for entry in entries.flatten() {
            let other = entry.file_name().to_string_lossy().into_owned();
            if other.starts_with("synthetic_") && other.ends_with(".csv") && other != name {
                let stale = entry.path();
                std::fs::remove_file(&stale).map_err(|e| io_error(&stale, e))?;
            }
        }
        let path = dir.join(name);
        write(&path, study.to_csv().as_bytes())?;
        data_file = Some(path);
    }
    let json = result.to_json();
    write(&out.join("report.html"), result.report_html().as_bytes())?;
    write(&out.join("results.json"), json.as_bytes())?;

    if args.json {
        print!("{json}");
    } else {
        print!("{}", result.to_text());
        println!(
            "\nWrote {}, {} and {} figure(s) in {}.",
            out.join("report.html").display(),
            out.join("results.json").display(),
            figures.len(),
            figures_dir.display()
        );
        if let Some(path) = data_file {
            println!("Wrote the synthetic data to {}.", path.display());
        }
    }
    let failures = result.failures();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(AnalysisError::computation(format!(
            "{} step(s) failed (report written): {}",
            failures.len(),
            failures
                .iter()
                .map(|e| format!("{} {}: {}", e.number, e.id, e.summary()))
                .collect::<Vec<_>>()
                .join("; ")
        )))
    }
}
