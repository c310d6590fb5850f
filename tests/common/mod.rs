//! Helpers shared by the command-line tests (`mod common;` in each
//! `tests/cli_*.rs`): run the binary, check how it ended, read its JSON
//! output and the committed fixtures, write temporary input files.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The root package's directory: `tests/data/…` and `tests/fixtures/…` are below it.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs `paraclinic` with `args` (the subcommand first) in [`ROOT`].
pub fn paraclinic(args: &[&str]) -> Output {
    paraclinic_env(args, &[])
}

/// Runs `paraclinic <name> args…`.
pub fn subcommand(name: &str, args: &[&str]) -> Output {
    subcommand_env(name, args, &[])
}

/// [`subcommand`] with extra environment variables.
pub fn subcommand_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec![name];
    all.extend_from_slice(args);
    paraclinic_env(&all, env)
}

/// [`paraclinic`] with extra environment variables.
pub fn paraclinic_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paraclinic"));
    cmd.args(args).current_dir(ROOT);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run paraclinic")
}

/// Exit code (-1 when killed by a signal), stdout and stderr as text.
pub fn code_out_err(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that the run succeeded (showing its stderr if not).
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Stdout parsed as JSON, after asserting that the run succeeded.
pub fn stdout_json(out: &Output) -> Value {
    assert_success(out);
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Stderr of a run that must have failed with exit code 2 (bad input).
pub fn stderr_of_exit_2(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "expected exit code 2");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit code 2 and that stderr contains every one of `words`;
/// `what` names the case in the failure message.
pub fn assert_fails_with(out: &Output, what: &str, words: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "{what}");
    let err = String::from_utf8_lossy(&out.stderr);
    for w in words {
        assert!(err.contains(w), "{what}: {err}");
    }
}

/// A JSON file below [`ROOT`], e.g. `tests/fixtures/sem/hs_cfa.json`.
pub fn read_json(relative: &str) -> Value {
    let path = format!("{ROOT}/{relative}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Writes `text` to `<cargo's tmp dir for tests>/<dir>/<name>` (kept for
/// inspection after a failure) and returns its path.
pub fn tmp_file(dir: &str, name: &str, text: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A temporary directory, removed when dropped. The tag must differ between
/// the tests of one file, which run in parallel.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("paraclinic-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `text` to `name` in the directory and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
