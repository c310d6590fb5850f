// paraclinic patch (not part of evcxr 0.22.0): replaying the cell crate's
// rustc invocation instead of running cargo for every cell.
//
// Every cell used to run `cargo build`. With a large dependency graph (the
// notebook's library and ~100 crates under it) cargo's own work — loading
// the lock file, resolving, checking the fingerprint of every unit — costs
// 0.1–0.2 s per cell before rustc starts, although between two cells nothing
// but `src/lib.rs` changes. So when cargo compiles the cell crate, the rustc
// wrapper records the exact rustc command (program, arguments, environment,
// working directory); later cells whose build inputs are unchanged — same
// Cargo.toml, Cargo.lock, .cargo/config.toml and cargo command (flags,
// RUSTFLAGS, linker) — run that command directly. Anything else (a new
// `:dep`, another opt level, a failed replay) goes through cargo as before,
// which records afresh. Dependencies are never rebuilt by a replay, which is
// right because a replay only happens when nothing they depend on changed.

use crate::code_block::CodeBlock;
use crate::errors::Error;
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

/// Where the wrapper writes the recorded invocation (set by `Module::compile`
/// on cargo builds only).
pub(crate) const RECORD_ENV: &str = "EVCXR_DIRECT_RUSTC_RECORD";

/// Environment variables not replayed: jobserver descriptors that only
/// exist inside the cargo process that set them, and our own protocol.
const NOT_REPLAYED: &[&str] = &[
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_MAKEFLAGS",
    RECORD_ENV,
    super::EXECUTION_SO_PATH_ENV,
];

/// A recorded rustc command for the cell crate.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct RustcInvocation {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: PathBuf,
    /// The shared object the command writes.
    so_path: PathBuf,
}

impl RustcInvocation {
    /// Captures the wrapper's final rustc command. `None` when anything in it
    /// is not UTF-8 (it is then not worth the risk of replaying it).
    pub(crate) fn capture(command: &Command, so_path: PathBuf) -> Option<RustcInvocation> {
        let program = command.get_program().to_str()?.to_owned();
        let args = command
            .get_args()
            .map(|a| a.to_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        let mut env = Vec::new();
        for (name, value) in std::env::vars_os() {
            let (name, value) = (name.into_string().ok()?, value.into_string().ok()?);
            if !NOT_REPLAYED.contains(&name.as_str()) {
                env.push((name, value));
            }
        }
        // Variables the wrapper sets on the command itself win.
        for (name, value) in command.get_envs() {
            let name = name.to_str()?.to_owned();
            env.retain(|(n, _)| *n != name);
            if let Some(value) = value {
                env.push((name, value.to_str()?.to_owned()));
            }
        }
        Some(RustcInvocation {
            program,
            args,
            env,
            cwd: std::env::current_dir().ok()?,
            so_path,
        })
    }

    pub(crate) fn write(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)?;
        Ok(())
    }

    pub(crate) fn read(path: &Path) -> Option<RustcInvocation> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// Runs the recorded command. `Ok(Some(path))`: the shared object was
    /// built; `Err(CompilationErrors)`: the cell does not compile;
    /// `Ok(None)`: the replay itself did not work, use cargo.
    pub(crate) fn replay(&self, code_block: &CodeBlock) -> Result<Option<PathBuf>, Error> {
        let Ok(output) = Command::new(&self.program)
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(n, v)| (n, v)))
            .current_dir(&self.cwd)
            .output()
        else {
            return Ok(None);
        };
        if output.status.success() {
            return Ok(self.so_path.exists().then(|| self.so_path.clone()));
        }
        // rustc's JSON diagnostics are what cargo wraps; evcxr reads both.
        let (errors, _) = super::errors_from_cargo_output(&output, code_block);
        if errors.is_empty() {
            Ok(None)
        } else {
            Err(Error::CompilationErrors(errors))
        }
    }
}

impl RustcInvocation {
    /// The recorded command turned into a type check: metadata only, written
    /// to `out_dir`, no incremental state (the real build's is left alone);
    /// with `full_paths`, types in diagnostics are printed with their full
    /// paths (`-Ztrim-diagnostic-paths=false`, which needs `RUSTC_BOOTSTRAP`
    /// on a stable toolchain). Returns rustc's JSON diagnostics; `None` if
    /// rustc could not be run.
    pub(crate) fn type_check(&self, out_dir: &Path, full_paths: bool) -> Option<String> {
        std::fs::create_dir_all(out_dir).ok()?;
        let mut args = Vec::with_capacity(self.args.len() + 2);
        let mut recorded = self.args.iter();
        while let Some(arg) = recorded.next() {
            if arg.starts_with("--emit") {
                args.push("--emit=metadata".to_owned());
                if arg == "--emit" {
                    recorded.next();
                }
            } else if arg == "--out-dir" {
                recorded.next();
                args.push(arg.clone());
                args.push(out_dir.to_str()?.to_owned());
            } else if arg == "-C" {
                match recorded.next() {
                    Some(value) if value.starts_with("incremental=") => {}
                    Some(value) => {
                        args.push(arg.clone());
                        args.push(value.clone());
                    }
                    None => args.push(arg.clone()),
                }
            } else if !arg.starts_with("-Cincremental=") {
                args.push(arg.clone());
            }
        }
        let mut command = Command::new(&self.program);
        command
            .env_clear()
            .envs(self.env.iter().map(|(n, v)| (n, v)))
            .current_dir(&self.cwd);
        if full_paths {
            args.push("-Ztrim-diagnostic-paths=false".to_owned());
            command.env("RUSTC_BOOTSTRAP", "1");
        }
        let output = command.args(&args).output().ok()?;
        if std::env::var_os("EVCXR_LOG_FIXES").is_some() {
            eprintln!("[evcxr] type check {:?}", command);
        }
        Some(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Where a recorded invocation is kept for later processes, with the key it
/// applies under: one pair of files per key (a hash names them; the key
/// file holds the whole key, compared before use).
pub(crate) fn saved_files(crate_dir: &Path, key: &str) -> (PathBuf, PathBuf) {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    let stem = crate_dir
        .join("target")
        .join(format!("evcxr-rustc-{:016x}", hasher.finish()));
    (stem.with_extension("json"), stem.with_extension("key"))
}

/// What must be unchanged for a recorded invocation to be replayed: the
/// cargo command (arguments and environment, e.g. RUSTFLAGS), the files that
/// decide the build of everything but the cell's source, and the sources of
/// local (path) dependencies, which cargo would rebuild when they are edited.
pub(crate) fn build_inputs_key(cargo_command: &str, crate_dir: &Path) -> String {
    let mut key = cargo_command.to_owned();
    // A recording made with other wrapper flags is not replayed.
    key.push('\0');
    key.push_str(&super::CELL_CRATE_RUSTC_FLAGS.join(" "));
    for file in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        key.push('\0');
        key.push_str(&std::fs::read_to_string(crate_dir.join(file)).unwrap_or_default());
    }
    key.push('\0');
    key.push_str(&path_dependencies_stamp(crate_dir));
    key
}

/// Every path dependency, transitively, with the newest modification time
/// and the number of its files (a deleted file changes the count).
fn path_dependencies_stamp(crate_dir: &Path) -> String {
    let mut seen = BTreeSet::new();
    let mut pending = path_dependencies(crate_dir);
    let mut stamp = String::new();
    while let Some(dir) = pending.pop() {
        let dir = dir.canonicalize().unwrap_or(dir);
        if !seen.insert(dir.clone()) {
            continue;
        }
        pending.extend(path_dependencies(&dir));
        let (mut newest, mut files) = (None, 0usize);
        newest_file(&dir, &mut newest, &mut files);
        let _ = writeln!(stamp, "{} {newest:?} {files}", dir.display());
    }
    stamp
}

/// The directories of the `path` dependencies in a package's Cargo.toml
/// (`[dependencies]`, `[build-dependencies]` and their `[target.*]` forms).
fn path_dependencies(package_dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(package_dir.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Ok(manifest) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut tables = Vec::new();
    for section in ["dependencies", "build-dependencies"] {
        tables.extend(manifest.get(section).and_then(toml::Value::as_table));
        if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
            for target in targets.values() {
                tables.extend(target.get(section).and_then(toml::Value::as_table));
            }
        }
    }
    tables
        .into_iter()
        .flat_map(|table| table.values())
        .filter_map(|dependency| dependency.get("path")?.as_str())
        .map(|path| package_dir.join(path))
        .collect()
}

/// Walks a package's files as cargo watches them: everything but `target/`
/// and hidden entries (`.git`, ...).
fn newest_file(dir: &Path, newest: &mut Option<SystemTime>, files: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || name == "target" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            newest_file(&entry.path(), newest, files);
        } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
            *files += 1;
            *newest = (*newest).max(Some(modified));
        }
    }
}
