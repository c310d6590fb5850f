//! The evaluator: runs Rust cells on evcxr and says what happened in types.
//! It owns evcxr's `CommandContext` and knows nothing of Jupyter — no
//! messages, sockets or sessions; [`crate::jupyter_adapter`] turns what it
//! reports into messages.
//!
//! A cell's outputs (text, displays, `clear_output`) go to an
//! [`OutputSink`] while the cell runs, because a notebook shows them live;
//! [`Evaluator::run_cell`] then returns the cell's outcome: its final value
//! ([`Evaluated`]) or why it failed ([`CellError`]).
//!
//! ```no_run
//! use paraclinic_kernel::evaluator::{Evaluator, Output, OutputSink, Runtime};
//! use std::sync::Arc;
//!
//! struct Print;
//! impl OutputSink for Print {
//!     fn output(&self, output: Output) {
//!         println!("{output:?}");
//!     }
//! }
//!
//! let mut evaluator = Evaluator::start(Runtime::ThisProgram);
//! let value = evaluator.run_cell("40 + 2", Some(Arc::new(Print))).unwrap();
//! assert_eq!(value.text(), Some("42"));
//! ```

mod errors;
mod output;

pub use errors::{CellError, ErrorKind};
pub use output::{MimeBundle, Output, OutputSink, Stream};

use crate::prelude;
use crossbeam_channel::Sender;
use evcxr::{CommandContext, EvalCallbacks};
use output::{lock, spawn_forwarder, CellState, ForwarderControl, SharedCell};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Stops a running cell from another thread by killing the process that
/// runs user code; evcxr starts a fresh one for the next cell.
#[derive(Default)]
pub struct Interrupter {
    child: Mutex<Option<Arc<Mutex<std::process::Child>>>>,
    running: AtomicBool,
    interrupted: AtomicBool,
}

impl Interrupter {
    /// Returns whether a cell was running (and is now being stopped).
    pub fn interrupt(&self) -> bool {
        if !self.running.load(Ordering::SeqCst) {
            return false;
        }
        self.interrupted.store(true, Ordering::SeqCst);
        if let Some(child) = self.child.lock().ok().and_then(|c| c.clone()) {
            if let Ok(mut child) = child.lock() {
                let _ = child.kill();
            }
        }
        true
    }
}

/// Which program runs user code (and wraps rustc) for evcxr: it must call
/// `evcxr::runtime_hook` first thing, as the kernel binary does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// This program (the kernel binary).
    ThisProgram,
    /// Another program, e.g. the kernel binary run from a test harness.
    Program(PathBuf),
}

/// A cell that ran to its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The final expression's display by MIME type; empty when the cell
    /// ends in a statement.
    pub value: MimeBundle,
    /// The cell's time when `:timing` is on.
    pub timing: Option<Duration>,
    /// Where evcxr spent the time (compile, execution, …), for the log.
    pub phases: Vec<Phase>,
}

/// One of evcxr's phases of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub duration: Duration,
}

impl Evaluated {
    /// The final value's `text/plain`.
    pub fn text(&self) -> Option<&str> {
        self.value.get("text/plain").and_then(Value::as_str)
    }

    /// The final value worth showing: none for a cell without one or one
    /// ending in a unit expression (`println!(…)` without a semicolon),
    /// like Python's None.
    pub fn shown_value(&self) -> Option<&MimeBundle> {
        let is_unit = self.value.len() == 1 && self.text() == Some("()");
        (!self.value.is_empty() && !is_unit).then_some(&self.value)
    }

    /// The phases as one line, e.g. "Final compile 312 ms, Execution 0 ms".
    pub fn describe_phases(&self) -> String {
        describe_phases(&self.phases)
    }
}

/// Completions at a cursor: the candidates and the byte range they replace.
#[derive(Debug, Clone, PartialEq)]
pub struct Completions {
    pub matches: Vec<String>,
    pub start: usize,
    pub end: usize,
}

/// What is known about the word at a cursor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inspection {
    /// The word, when it names a variable, and the variable's type.
    pub variable: Option<(String, String)>,
    /// rust-analyzer's documentation: plain text and HTML.
    pub documentation: Option<(String, String)>,
}

/// evcxr's context with `analysis` preloaded, and the thread that forwards
/// its user code's output; one cell at a time.
pub struct Evaluator {
    context: Option<CommandContext>,
    /// Why the context could not be created or the preload failed.
    startup_problem: Option<String>,
    interrupter: Arc<Interrupter>,
    cell: SharedCell,
    forwarder: Option<Sender<ForwarderControl>>,
}

impl Evaluator {
    /// Creates evcxr's context with its build directory in the disk cache,
    /// then loads `analysis` and the display prelude; seconds with a filled
    /// cache. Never fails: a problem is reported by the first cell
    /// ([`take_startup_warning`](Self::take_startup_warning)), or by every
    /// cell's error when evcxr could not start at all.
    pub fn start(runtime: Runtime) -> Evaluator {
        Self::start_with_interrupter(runtime, Arc::default())
    }

    /// As [`start`](Self::start), stopped by an interrupter made beforehand:
    /// the kernel hands it to its control socket before evcxr has started.
    pub fn start_with_interrupter(runtime: Runtime, interrupter: Arc<Interrupter>) -> Evaluator {
        let mut evaluator = Evaluator {
            context: None,
            startup_problem: None,
            interrupter,
            cell: SharedCell::default(),
            forwarder: None,
        };
        let started = std::time::Instant::now();
        let (mut context, outputs) = match create_context_with(&runtime) {
            Ok(pair) => pair,
            Err(problem) => {
                log(&problem);
                evaluator.startup_problem = Some(problem);
                return evaluator;
            }
        };
        evaluator.forwarder = Some(spawn_forwarder(
            outputs.stdout,
            outputs.stderr,
            evaluator.cell.clone(),
        ));
        let preload = prelude::preload();
        let context_created = started.elapsed();
        let preloaded = context.execute(&preload);
        if let Ok(outputs) = &preloaded {
            log(&format!(
                "evcxr started in {:.1} s; preload: {}",
                context_created.as_secs_f64(),
                describe_phases(&phases(outputs))
            ));
        }
        if let Err(e) = preloaded {
            let problem = format!(
                "Preloading the analysis library from {} failed; `analysis` is not available:\n{}",
                prelude::analysis_path().display(),
                CellError::from_evcxr(&e, &preload).traceback.join("\n")
            );
            log(&problem);
            evaluator.startup_problem = Some(problem);
        }
        log(&format!(
            "engine ready in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        evaluator.context = Some(context);
        evaluator
    }

    /// Stops the running cell from any thread.
    pub fn interrupter(&self) -> Arc<Interrupter> {
        self.interrupter.clone()
    }

    /// A problem at start-up that left evcxr usable (the preload failed),
    /// once: the first cell reports it and still runs, since the kernel is
    /// usable without `analysis`.
    pub fn take_startup_warning(&mut self) -> Option<String> {
        if self.context.is_some() {
            self.startup_problem.take()
        } else {
            None
        }
    }

    /// Runs one cell. Its outputs go to `sink` as they come (with no sink,
    /// text goes to the log and displays are dropped); all of them have
    /// been handed over when this returns.
    pub fn run_cell(
        &mut self,
        code: &str,
        sink: Option<Arc<dyn OutputSink>>,
    ) -> Result<Evaluated, CellError> {
        let Some(context) = self.context.as_mut() else {
            let problem = self
                .startup_problem
                .clone()
                .unwrap_or_else(|| "The Rust engine is not available.".to_owned());
            return Err(CellError::engine_unavailable(problem));
        };
        *lock(&self.cell) = CellState {
            sink,
            ..CellState::default()
        };

        *self
            .interrupter
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(context.process_handle());
        self.interrupter.interrupted.store(false, Ordering::SeqCst);
        self.interrupter.running.store(true, Ordering::SeqCst);
        let result = {
            let mut callbacks = EvalCallbacks::default();
            context.execute_with_callbacks(code, &mut callbacks)
        };
        self.interrupter.running.store(false, Ordering::SeqCst);
        let interrupted = self.interrupter.interrupted.swap(false, Ordering::SeqCst);
        self.flush_output();
        let (panic_message, panicked) = {
            let mut cell = lock(&self.cell);
            cell.sink = None;
            (cell.panic_message.take(), cell.panicked)
        };

        let outcome = match result {
            Ok(_) if panicked || panic_message.is_some() => {
                let (message, location) =
                    panic_message.unwrap_or_else(|| ("the cell panicked".into(), String::new()));
                Err(CellError::panic(message, location))
            }
            Ok(outputs) => Ok(Evaluated {
                value: outputs
                    .content_by_mime_type
                    .iter()
                    .map(|(mime, content)| (mime.clone(), Value::String(content.clone())))
                    .collect(),
                timing: outputs.timing,
                phases: phases(&outputs),
            }),
            Err(_) if interrupted => Err(CellError::interrupted()),
            Err(e) => Err(CellError::from_evcxr(&e, code)),
        };
        // After the user-code process restarted (interrupt, crash), its
        // panic hook is gone: install it again.
        if interrupted || matches!(&outcome, Err(e) if e.kind == ErrorKind::ProcessTerminated) {
            if let Some(context) = self.context.as_mut() {
                let _ = context.execute(prelude::INSTALL_PANIC_HOOK);
            }
            self.flush_output();
        }
        outcome
    }

    /// The variables the cells defined so far, with their types.
    pub fn variables(&self) -> Vec<(String, String)> {
        self.context
            .iter()
            .flat_map(|context| context.variables_and_types())
            .map(|(name, ty)| (name.to_owned(), ty.to_owned()))
            .collect()
    }

    /// Completions for `code` at byte `cursor`: rust-analyzer's, then the
    /// user's variables and items by name.
    pub fn complete(&mut self, code: &str, cursor: usize) -> Completions {
        let (word_start, word) = word_before(code, cursor);
        let mut completions = Completions {
            matches: Vec::new(),
            start: word_start,
            end: cursor,
        };
        let Some(context) = self.context.as_mut() else {
            return completions;
        };
        match context.completions(code, cursor) {
            Ok(found) => {
                completions.start = found.start_offset.min(cursor);
                completions.end = found.end_offset.max(cursor).min(code.len());
                for c in found.completions {
                    if !completions.matches.contains(&c.code) {
                        completions.matches.push(c.code);
                    }
                }
            }
            Err(e) => log(&format!("completion failed: {e}")),
        }
        // rust-analyzer does not see the values stored between cells,
        // so the user's variables are added by name.
        let after_path_or_field =
            code[..word_start].ends_with("::") || code[..word_start].trim_end().ends_with('.');
        if completions.start == word_start && !after_path_or_field {
            let mut names: Vec<&str> = context
                .variables_and_types()
                .map(|(name, _)| name)
                .chain(context.defined_item_names())
                .filter(|name| name.starts_with(word) && !name.starts_with("paraclinic_"))
                .collect();
            names.sort_unstable();
            for name in names {
                if !completions.matches.iter().any(|m| m == name) {
                    completions.matches.push(name.to_owned());
                }
            }
        }
        completions
    }

    /// What is known about the whole word at byte `cursor`.
    pub fn inspect(&mut self, code: &str, cursor: usize) -> Inspection {
        let word_end = cursor
            + code[cursor..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(code.len() - cursor);
        let (_, word) = word_before(code, word_end);
        let mut inspection = Inspection::default();
        let Some(context) = self.context.as_mut() else {
            return inspection;
        };
        inspection.variable = context
            .variables_and_types()
            .find(|(name, _)| *name == word)
            .map(|(name, ty)| (name.to_owned(), ty.to_owned()));
        if let Ok((plain, html)) = context.hover_at(code, word_end) {
            if plain != "No documentation found" && !plain.trim().is_empty() {
                inspection.documentation = Some((plain, html));
            }
        }
        inspection
    }

    /// Starts rust-analyzer's analysis of the crate graph in the
    /// background, unless it is done or running (see the vendored evcxr's
    /// `warm_up_analyzer`): the first cell whose variables need a type from
    /// it then finds most of the work done.
    pub fn warm_up_analyzer(&mut self) {
        if let Some(context) = self.context.as_mut() {
            let started = std::time::Instant::now();
            match context.warm_up_analyzer() {
                Ok(()) => {
                    let took = started.elapsed();
                    if took > Duration::from_millis(50) {
                        log(&format!(
                            "rust-analyzer warm-up started ({:.2} s to load the crate graph)",
                            took.as_secs_f64()
                        ));
                    }
                }
                Err(e) => log(&format!("rust-analyzer warm-up failed: {e}")),
            }
        }
    }

    fn flush_output(&self) {
        if let Some(forwarder) = &self.forwarder {
            let (ack_tx, ack_rx) = crossbeam_channel::bounded(1);
            if forwarder.send(ForwarderControl::Flush(ack_tx)).is_ok() {
                let _ = ack_rx.recv_timeout(Duration::from_secs(5));
            }
        }
    }
}

fn phases(outputs: &evcxr::EvalOutputs) -> Vec<Phase> {
    outputs
        .phases
        .iter()
        .map(|p| Phase {
            name: p.name.clone(),
            duration: p.duration,
        })
        .collect()
}

fn describe_phases(phases: &[Phase]) -> String {
    phases
        .iter()
        .map(|p| format!("{} {:.0} ms", p.name, p.duration.as_secs_f64() * 1e3))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Creates evcxr's context with its build directory in a slot of the disk
/// cache (see [`crate::cache`]), user code run by this program; the error
/// says why it could not start.
pub fn create_context() -> Result<(CommandContext, evcxr::EvalContextOutputs), String> {
    create_context_with(&Runtime::ThisProgram)
}

fn create_context_with(
    runtime: &Runtime,
) -> Result<(CommandContext, evcxr::EvalContextOutputs), String> {
    let mut workspace_problem = None;
    match crate::cache::claim_build_dir() {
        Ok(dir) => {
            // evcxr reads its build directory from this variable.
            std::env::set_var("EVCXR_TMPDIR", &dir);
            log(&format!("build directory {}", dir.display()));
            workspace_problem = crate::cache::enclosing_workspace(&dir).map(|manifest| {
                format!(
                    "The build directory {} lies inside the Cargo workspace of {}, which \
                     makes Cargo refuse evcxr's crate: set {} to a directory outside it, \
                     or add the directory to that workspace's `exclude`.",
                    dir.display(),
                    manifest.display(),
                    crate::cache::CACHE_DIR_VAR
                )
            });
        }
        Err(e) => log(&format!(
            "no persistent build cache ({e}); using a temporary one"
        )),
    }
    add_std_to_library_path();
    let created = match runtime {
        Runtime::ThisProgram => CommandContext::new(),
        Runtime::Program(program) => {
            evcxr::EvalContext::with_subprocess_command(std::process::Command::new(program))
                .map(|(context, outputs)| (CommandContext::with_eval_context(context), outputs))
        }
    };
    created.map_err(|e| {
        let mut problem = format!("The Rust engine (evcxr) could not start: {e}");
        if let Some(hint) = workspace_problem {
            problem.push('\n');
            problem.push_str(&hint);
        }
        problem
    })
}

fn log(message: &str) {
    eprintln!("[paraclinic-kernel] {message}");
}

/// Cells are linked against the toolchain's `libstd-*.so`, found through a
/// RUNPATH relative to where cargo built them. evcxr moves the library one
/// directory up before loading it, which breaks that relative path unless it
/// happens to climb to `/` (as from `/tmp`, evcxr's default, but not from a
/// cache under the home directory next to `~/.rustup`). So the process that
/// loads cells (it inherits our environment) gets the toolchain's library
/// directory on its search path.
fn add_std_to_library_path() {
    let var = if cfg!(target_os = "macos") {
        "DYLD_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    };
    let Ok(out) = std::process::Command::new("rustc")
        .args(["--print", "target-libdir"])
        .output()
    else {
        return;
    };
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || dir.is_empty() {
        return;
    }
    let mut paths = vec![std::path::PathBuf::from(dir)];
    if let Some(existing) = std::env::var_os(var) {
        paths.extend(std::env::split_paths(&existing));
    }
    if let Ok(joined) = std::env::join_paths(paths) {
        std::env::set_var(var, joined);
    }
}

/// The identifier (or path) ending at byte `cursor`: its start and text.
fn word_before(code: &str, cursor: usize) -> (usize, &str) {
    let before = &code[..cursor];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(cursor);
    (start, &code[start..cursor])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_before_cursor() {
        assert_eq!(word_before("let x = my_va", 13), (8, "my_va"));
        assert_eq!(word_before("analysis::fr", 12), (10, "fr"));
        assert_eq!(word_before("x + ", 4), (4, ""));
    }

    fn evaluated(value: &[(&str, &str)]) -> Evaluated {
        Evaluated {
            value: value
                .iter()
                .map(|(m, c)| (m.to_string(), Value::String(c.to_string())))
                .collect(),
            timing: None,
            phases: vec![
                Phase {
                    name: "Final compile".into(),
                    duration: Duration::from_micros(312_400),
                },
                Phase {
                    name: "Execution".into(),
                    duration: Duration::from_micros(200),
                },
            ],
        }
    }

    #[test]
    fn unit_and_missing_values_are_not_shown() {
        assert_eq!(evaluated(&[]).shown_value(), None);
        let unit = evaluated(&[("text/plain", "()")]);
        assert_eq!(unit.shown_value(), None);
        // History still records the unit's text.
        assert_eq!(unit.text(), Some("()"));
        let rich_unit = evaluated(&[("text/plain", "()"), ("text/html", "<i>()</i>")]);
        assert_eq!(rich_unit.shown_value().map(|v| v.len()), Some(2));
        let value = evaluated(&[("text/plain", "42")]);
        assert_eq!(
            value.shown_value().map(|v| v["text/plain"].clone()),
            Some("42".into())
        );
    }

    #[test]
    fn phases_read_as_one_line() {
        assert_eq!(
            evaluated(&[]).describe_phases(),
            "Final compile 312 ms, Execution 0 ms"
        );
    }
}
