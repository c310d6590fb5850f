//! The on-disk build cache.
//!
//! evcxr compiles every cell as a crate in a build directory whose `target/`
//! holds the compiled dependencies — here `analysis` and everything under it.
//! In a fresh temporary directory each kernel start recompiles all of that;
//! in a persistent one only the first start on a machine does.
//!
//! Two kernels must not share one build directory (each rewrites the crate's
//! sources per cell), so the cache holds numbered slots and a kernel takes the
//! first slot whose lock it can get; the lock lasts as long as the process.
//! One kernel at a time — the usual case — always reuses slot 0.

use anyhow::{Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Environment variable to put the cache somewhere else.
pub const CACHE_DIR_VAR: &str = "PARACLINIC_KERNEL_CACHE";
const MAX_SLOTS: usize = 16;

/// `$PARACLINIC_KERNEL_CACHE`, else `$XDG_CACHE_HOME/paraclinic-kernel`,
/// else `~/.cache/paraclinic-kernel`.
pub fn cache_root() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var(CACHE_DIR_VAR) {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(xdg).join("paraclinic-kernel"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("paraclinic-kernel"))
}

/// Locks a free slot and returns its build directory. The lock file is
/// leaked on purpose: it must stay locked until the process exits.
pub fn claim_build_dir() -> Result<PathBuf> {
    let root = cache_root().context("no cache directory (HOME is not set)")?;
    let (dir, lock) = claim_in(&root)?;
    std::mem::forget(lock);
    Ok(dir)
}

fn claim_in(root: &std::path::Path) -> Result<(PathBuf, File)> {
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    for slot in 0..MAX_SLOTS {
        let lock_path = root.join(format!("slot-{slot}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("opening {}", lock_path.display()))?;
        if lock.try_lock().is_ok() {
            let dir = root.join(format!("slot-{slot}"));
            std::fs::create_dir_all(&dir)?;
            return Ok((dir, lock));
        }
    }
    anyhow::bail!(
        "all {MAX_SLOTS} build slots in {} are in use",
        root.display()
    )
}

/// The manifest of a Cargo workspace that would claim evcxr's crate in
/// `build_dir` (an ancestor `Cargo.toml` with a `[workspace]` table that does
/// not exclude it). Cargo then refuses to load the crate, so the engine
/// cannot start; the kernel says why.
pub fn enclosing_workspace(build_dir: &Path) -> Option<PathBuf> {
    for ancestor in build_dir.ancestors().skip(1) {
        let manifest = ancestor.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        if !text.lines().any(|l| l.trim() == "[workspace]") {
            continue;
        }
        // Cargo's rule: a workspace that excludes a directory above the
        // build directory lets it treat the crate as standalone, unless a
        // member path is above it too (as `"."` is above everything). This
        // reads only one-line arrays.
        let paths = |key: &str| -> Vec<PathBuf> {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix(key))
                .filter_map(|l| l.trim_start().strip_prefix('='))
                .flat_map(|list| {
                    list.trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .split(',')
                        .map(|item| item.trim().trim_matches('"').to_owned())
                        .filter(|item| !item.is_empty())
                        .collect::<Vec<_>>()
                })
                .map(|item| ancestor.join(item))
                .collect()
        };
        let under = |dirs: Vec<PathBuf>| dirs.iter().any(|dir| build_dir.starts_with(dir));
        let excluded = under(paths("exclude")) && !under(paths("members"));
        return (!excluded).then_some(manifest);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_dir_inside_a_workspace_is_detected_unless_excluded() {
        let root = std::env::temp_dir().join(format!("paraclinic-ws-test-{}", std::process::id()));
        let build_dir = root.join("target").join("kernel-cache").join("slot-0");
        std::fs::create_dir_all(&build_dir).unwrap();
        assert_eq!(enclosing_workspace(&build_dir), None);
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"lib\"]\n",
        )
        .unwrap();
        assert_eq!(
            enclosing_workspace(&build_dir),
            Some(root.join("Cargo.toml"))
        );
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"lib\"]\nexclude = [\"docs\", \"target\"]\n",
        )
        .unwrap();
        assert_eq!(enclosing_workspace(&build_dir), None);
        // "." as a member is above every path: Cargo ignores the exclusion.
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\".\", \"lib\"]\nexclude = [\"target\"]\n",
        )
        .unwrap();
        assert_eq!(
            enclosing_workspace(&build_dir),
            Some(root.join("Cargo.toml"))
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn the_test_suites_cache_under_target_is_outside_this_workspace() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let build_dir = root.join("target/kernel-cache/slot-0");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
        assert_eq!(enclosing_workspace(&build_dir), None);
    }

    #[test]
    fn concurrent_claims_get_different_slots_and_released_slots_are_reused() {
        let root =
            std::env::temp_dir().join(format!("paraclinic-cache-test-{}", std::process::id()));
        let (first, first_lock) = claim_in(&root).unwrap();
        let (second, _second_lock) = claim_in(&root).unwrap();
        assert_eq!(first, root.join("slot-0"));
        assert_eq!(second, root.join("slot-1"));
        drop(first_lock);
        let (again, _lock) = claim_in(&root).unwrap();
        assert_eq!(again, root.join("slot-0"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
