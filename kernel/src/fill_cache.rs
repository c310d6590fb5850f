//! Filling the build cache before the first notebook opens.
//!
//! The first kernel start on a machine compiles `analysis` and its ~100
//! dependencies for evcxr (minutes on a small machine). `paraclinic-kernel
//! install` does it at install time instead, with a progress line, so the
//! first notebook a user opens starts in seconds: it starts the engine
//! exactly as a kernel does (same cache slot, same preload) and runs one cell
//! that calls the library.

use crate::{evaluator, prelude};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A cell that calls the library, so that its compiled form is cached too.
const PROBE_CELL: &str = "analysis::sample_size::cochran_n0(1.96, 0.5, 0.05).is_ok()";

/// Fills the cache, printing progress to stderr; returns how long it took.
pub fn fill() -> anyhow::Result<Duration> {
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let progress = {
        let done = done.clone();
        std::thread::spawn(move || report_progress(started, &done))
    };
    let result = run_engine_once();
    done.store(true, Ordering::SeqCst);
    let _ = progress.join();
    result.map(|()| started.elapsed())
}

fn run_engine_once() -> anyhow::Result<()> {
    let (mut context, _outputs) = evaluator::create_context().map_err(anyhow::Error::msg)?;
    for (what, code) in [
        ("preloading the analysis library", prelude::preload()),
        ("running a first cell", PROBE_CELL.to_owned()),
    ] {
        context
            .execute(&code)
            .map_err(|e| anyhow::anyhow!("{what} failed: {e}"))?;
    }
    Ok(())
}

/// A line every ten seconds: elapsed time and crates compiled so far. Whole
/// lines, not one rewritten line, because cargo's own `Compiling …` lines
/// come on the same stream.
fn report_progress(started: Instant, done: &AtomicBool) {
    let mut next_report = Duration::from_secs(2);
    while !done.load(Ordering::SeqCst) {
        if started.elapsed() >= next_report {
            // The engine sets the build directory once it has claimed a slot.
            let crates = std::env::var_os("EVCXR_TMPDIR")
                .map(|dir| count_compiled_crates(&Path::new(&dir).join("target")))
                .unwrap_or(0);
            eprintln!(
                "  filling the build cache: {:>4} s, {crates} crates compiled so far",
                started.elapsed().as_secs()
            );
            next_report += Duration::from_secs(10);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Compiled libraries (`.rlib`) under `dir`, recursively.
fn count_compiled_crates(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                count_compiled_crates(&path)
            } else {
                usize::from(path.extension().is_some_and(|e| e == "rlib"))
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rlibs_recursively() {
        let dir = std::env::temp_dir().join(format!("fill-cache-test-{}", std::process::id()));
        let deps = dir.join("release").join("deps");
        std::fs::create_dir_all(&deps).unwrap();
        for name in ["liba-1.rlib", "libb-2.rlib", "libb-2.rmeta", "c.d"] {
            std::fs::write(deps.join(name), b"").unwrap();
        }
        std::fs::write(dir.join("libtop.rlib"), b"").unwrap();
        assert_eq!(count_compiled_crates(&dir), 3);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(count_compiled_crates(&dir), 0);
    }
}
