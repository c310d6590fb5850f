//! The engine: one thread that owns evcxr's `CommandContext` and runs
//! requests from a channel one at a time, so the sockets keep answering
//! (kernel_info, interrupt, shutdown) while a cell compiles or runs.
//!
//! A second thread, the output forwarder, turns the user code's stdout and
//! stderr into iopub messages as they arrive: `stream` text, live
//! `display_data` and `clear_output` (see [`crate::display`]).

use crate::display::{classify, split_metadata, StdoutLine};
use crate::history::{Entry, History};
use crate::iopub::Publisher;
use crate::prelude;
use crate::wire::Message;
use crossbeam_channel::{select, Receiver, Sender};
use evcxr::{CommandContext, Error as EvcxrError, EvalCallbacks};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Work for the engine. Each request carries the message it answers and a
/// channel for the reply content.
pub enum Request {
    Execute {
        request: Message,
        reply: tokio::sync::oneshot::Sender<Value>,
    },
    Complete {
        request: Message,
        reply: tokio::sync::oneshot::Sender<Value>,
    },
    Inspect {
        request: Message,
        reply: tokio::sync::oneshot::Sender<Value>,
    },
}

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

/// What the forwarder needs to know about the cell being run.
#[derive(Default)]
struct CellOutput {
    parent: Option<Message>,
    panic_message: Option<(String, String)>,
    panicked: bool,
}

/// Shared between the engine and the forwarder.
type SharedCell = Arc<Mutex<CellOutput>>;

enum ForwarderControl {
    /// Publish everything received so far, then acknowledge.
    Flush(Sender<()>),
}

pub struct EngineHandle {
    pub requests: Sender<Request>,
    pub interrupter: Arc<Interrupter>,
}

/// Starts the engine thread. Creating evcxr's context (it compiles a first
/// snippet) and preloading `analysis` happen on that thread, so the caller
/// can answer `kernel_info` at once.
pub fn start(publisher: Publisher, history: Arc<Mutex<History>>) -> EngineHandle {
    let (tx, rx) = crossbeam_channel::unbounded();
    let interrupter = Arc::new(Interrupter::default());
    let engine_interrupter = interrupter.clone();
    std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || Engine::run(rx, publisher, history, engine_interrupter))
        .expect("spawning the engine thread");
    EngineHandle {
        requests: tx,
        interrupter,
    }
}

struct Engine {
    context: Option<CommandContext>,
    /// Why the context could not be created or the preload failed.
    startup_problem: Option<String>,
    publisher: Publisher,
    history: Arc<Mutex<History>>,
    interrupter: Arc<Interrupter>,
    cell: SharedCell,
    forwarder: Option<Sender<ForwarderControl>>,
    execution_count: i64,
}

impl Engine {
    fn run(
        rx: Receiver<Request>,
        publisher: Publisher,
        history: Arc<Mutex<History>>,
        interrupter: Arc<Interrupter>,
    ) {
        let mut engine = Engine {
            context: None,
            startup_problem: None,
            publisher,
            history,
            interrupter,
            cell: SharedCell::default(),
            forwarder: None,
            execution_count: 0,
        };
        engine.start_context();
        loop {
            let request = match rx.try_recv() {
                Ok(request) => request,
                Err(crossbeam_channel::TryRecvError::Disconnected) => break,
                Err(crossbeam_channel::TryRecvError::Empty) => match engine.wait_idle(&rx) {
                    Some(request) => request,
                    None => break,
                },
            };
            match request {
                Request::Execute { request, reply } => {
                    let content = engine.execute(&request);
                    let failed = content["status"] == "error";
                    let stop_on_error = request.content["stop_on_error"].as_bool().unwrap_or(true);
                    // As ipykernel: an error aborts the requests already
                    // queued behind the cell, taken before its reply goes
                    // out, so a cell the client sends after seeing the
                    // error reply always runs.
                    let queued: Vec<Request> = if failed && stop_on_error {
                        rx.try_iter().collect()
                    } else {
                        Vec::new()
                    };
                    let _ = reply.send(content);
                    engine.abort(queued);
                }
                Request::Complete { request, reply } => {
                    let _ = reply.send(engine.complete(&request));
                }
                Request::Inspect { request, reply } => {
                    let _ = reply.send(engine.inspect(&request));
                }
            }
        }
    }

    /// Creates evcxr's context with its build directory in the disk cache,
    /// then loads `analysis` and the display prelude.
    fn start_context(&mut self) {
        let started = std::time::Instant::now();
        let (mut context, outputs) = match create_context() {
            Ok(pair) => pair,
            Err(problem) => {
                self.startup_problem = Some(problem);
                log(self.startup_problem.as_deref().unwrap_or_default());
                return;
            }
        };
        self.forwarder = Some(spawn_forwarder(
            outputs.stdout,
            outputs.stderr,
            self.publisher.clone(),
            self.cell.clone(),
        ));
        let preload = prelude::preload();
        let context_created = started.elapsed();
        let preloaded = context.execute(&preload);
        if let Ok(outputs) = &preloaded {
            log(&format!(
                "evcxr started in {:.1} s; preload: {}",
                context_created.as_secs_f64(),
                describe_phases(outputs)
            ));
        }
        if let Err(e) = preloaded {
            let problem = format!(
                "Preloading the analysis library from {} failed; `analysis` is not available:\n{}",
                prelude::analysis_path().display(),
                describe_error(&e, &preload).2.join("\n")
            );
            log(&problem);
            self.startup_problem = Some(problem);
        }
        log(&format!(
            "engine ready in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        self.context = Some(context);
    }

    /// Waits for the next request while idle, using the pause: after a
    /// moment without requests (a notebook run cell after cell sends the
    /// next one at once) rust-analyzer loads the crate graph, and after a few
    /// seconds freed memory goes back to the system. `None`: the kernel is
    /// shutting down.
    fn wait_idle(&mut self, rx: &Receiver<Request>) -> Option<Request> {
        use crossbeam_channel::RecvTimeoutError::{Disconnected, Timeout};
        match rx.recv_timeout(IDLE_BEFORE_WARM_UP) {
            Ok(request) => return Some(request),
            Err(Disconnected) => return None,
            Err(Timeout) => self.warm_up_analyzer(),
        }
        match rx.recv_timeout(IDLE_BEFORE_TRIM) {
            Ok(request) => return Some(request),
            Err(Disconnected) => return None,
            Err(Timeout) => release_free_memory(),
        }
        rx.recv().ok()
    }

    /// Starts rust-analyzer's analysis of the crate graph in the
    /// background, unless it is done or running (see the vendored evcxr's
    /// `warm_up_analyzer`): the first cell whose variables need a type from
    /// it then finds most of the work done.
    fn warm_up_analyzer(&mut self) {
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

    fn execute(&mut self, request: &Message) -> Value {
        let code = request.content["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let silent = request.content["silent"].as_bool().unwrap_or(false);
        let store_history = request.content["store_history"].as_bool().unwrap_or(true) && !silent;
        self.publisher.status("busy", request);
        if store_history {
            self.execution_count += 1;
        }
        let count = self.execution_count;
        if !silent {
            self.publisher.send(
                "execute_input",
                Some(request),
                json!({"code": code, "execution_count": count}),
            );
        }
        {
            let mut cell = self.cell.lock().unwrap_or_else(|p| p.into_inner());
            *cell = CellOutput {
                parent: (!silent).then(|| request.clone()),
                ..CellOutput::default()
            };
        }

        // A problem at startup is reported once, in the first cell, which
        // still runs: the kernel is usable without `analysis`.
        if let Some(problem) = self.startup_problem.take() {
            if self.context.is_some() {
                self.publisher.send(
                    "stream",
                    Some(request),
                    json!({"name": "stderr", "text": format!("{problem}\n")}),
                );
            } else {
                self.startup_problem = Some(problem.clone());
                return self.finish_error(
                    request,
                    count,
                    &code,
                    ("EngineUnavailable".into(), problem.clone(), vec![problem]),
                    silent,
                );
            }
        }
        let Some(context) = self.context.as_mut() else {
            let problem = "The Rust engine is not available.".to_owned();
            return self.finish_error(
                request,
                count,
                &code,
                ("EngineUnavailable".into(), problem.clone(), vec![problem]),
                silent,
            );
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
            context.execute_with_callbacks(&code, &mut callbacks)
        };
        self.interrupter.running.store(false, Ordering::SeqCst);
        let interrupted = self.interrupter.interrupted.swap(false, Ordering::SeqCst);
        self.flush_output();
        let (panic_message, panicked) = {
            let mut cell = self.cell.lock().unwrap_or_else(|p| p.into_inner());
            cell.parent = None;
            (cell.panic_message.take(), cell.panicked)
        };

        let outcome = match result {
            Ok(_) if panicked || panic_message.is_some() => {
                let (message, location) =
                    panic_message.unwrap_or_else(|| ("the cell panicked".into(), String::new()));
                let mut traceback = vec![format!("thread panicked: {message}")];
                if !location.is_empty() {
                    traceback.push(format!("  at {location} (generated code of this cell)"));
                }
                traceback.push(
                    "Variables defined before this cell are kept; those the cell defined are not."
                        .into(),
                );
                Err(("panic".to_owned(), message, traceback))
            }
            Ok(outputs) => Ok(outputs),
            Err(_) if interrupted => Err((
                "Interrupted".to_owned(),
                "the cell was interrupted".to_owned(),
                vec![
                    "Interrupted: the cell was stopped.".to_owned(),
                    "The process running your code was restarted; variables were lost.".to_owned(),
                ],
            )),
            Err(e) => Err(describe_error(&e, &code)),
        };
        // After the user-code process restarted (interrupt, crash), its
        // panic hook is gone: install it again.
        if interrupted || matches!(&outcome, Err((name, _, _)) if name == "ProcessTerminated") {
            if let Some(context) = self.context.as_mut() {
                let _ = context.execute(prelude::INSTALL_PANIC_HOOK);
            }
            self.flush_output();
        }

        match outcome {
            Ok(outputs) => {
                // Where the cell's time went (evcxr's phases), for the log.
                if !outputs.phases.is_empty() {
                    log(&format!("cell {count}: {}", describe_phases(&outputs)));
                }
                let data: Map<String, Value> = outputs
                    .content_by_mime_type
                    .iter()
                    .map(|(mime, content)| (mime.clone(), Value::String(content.clone())))
                    .collect();
                let text_output = data
                    .get("text/plain")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                // A cell ending in a unit expression (`println!(…)` without
                // a semicolon) has no value worth showing, like Python's None.
                let is_unit = data.len() == 1 && text_output.as_deref() == Some("()");
                if !data.is_empty() && !is_unit && !silent {
                    let (data, metadata) = split_metadata(data);
                    self.publisher.send(
                        "execute_result",
                        Some(request),
                        json!({"execution_count": count, "data": data, "metadata": metadata}),
                    );
                }
                // `:timing` on: the cell's time, shown as evcxr_jupyter shows it.
                if let (Some(took), false) = (outputs.timing, silent) {
                    self.publisher.send(
                        "display_data",
                        Some(request),
                        json!({"data": {
                            "text/plain": format!("Took {}ms", took.as_millis()),
                            "text/html": format!(
                                "<span style=\"color: rgba(0,0,0,0.4);\">Took {}ms</span>",
                                took.as_millis()
                            ),
                        }, "metadata": {}, "transient": {}}),
                    );
                }
                if store_history {
                    self.record(count, &code, text_output);
                }
                self.publisher.status("idle", request);
                json!({
                    "status": "ok",
                    "execution_count": count,
                    "user_expressions": {},
                    "payload": [],
                })
            }
            Err(error) => {
                if store_history {
                    self.record(count, &code, None);
                }
                self.finish_error(request, count, &code, error, silent)
            }
        }
    }

    fn record(&self, line: i64, input: &str, output: Option<String>) {
        if let Ok(mut history) = self.history.lock() {
            history.push(Entry {
                line,
                input: input.to_owned(),
                output,
            });
        }
    }

    fn finish_error(
        &self,
        request: &Message,
        count: i64,
        _code: &str,
        (ename, evalue, traceback): (String, String, Vec<String>),
        silent: bool,
    ) -> Value {
        if !silent {
            self.publisher.send(
                "error",
                Some(request),
                json!({"ename": ename, "evalue": evalue, "traceback": traceback, "execution_count": count}),
            );
        }
        self.publisher.status("idle", request);
        json!({
            "status": "error",
            "execution_count": count,
            "ename": ename,
            "evalue": evalue,
            "traceback": traceback,
            "user_expressions": {},
            "payload": [],
        })
    }

    /// After a failed cell, cells already queued behind it are not run
    /// (the protocol's `stop_on_error`): each gets an `aborted` reply.
    /// Answers requests that were queued behind a failed cell: executions
    /// are aborted, completion and inspection still answered.
    fn abort(&mut self, queued: Vec<Request>) {
        for request in queued {
            match request {
                Request::Execute { request, reply } => {
                    self.publisher.status("busy", &request);
                    let _ = reply.send(json!({
                        "status": "aborted",
                        "execution_count": self.execution_count,
                        "user_expressions": {},
                        "payload": [],
                    }));
                    self.publisher.status("idle", &request);
                }
                Request::Complete { request, reply } => {
                    let _ = reply.send(self.complete(&request));
                }
                Request::Inspect { request, reply } => {
                    let _ = reply.send(self.inspect(&request));
                }
            }
        }
    }

    fn complete(&mut self, request: &Message) -> Value {
        let code = request.content["code"].as_str().unwrap_or_default();
        let cursor_chars = request.content["cursor_pos"].as_u64().unwrap_or(0) as usize;
        let cursor = char_to_byte(code, cursor_chars);
        let (word_start, word) = word_before(code, cursor);
        let mut matches: Vec<String> = Vec::new();
        let mut start = word_start;
        let mut end = cursor;
        if let Some(context) = self.context.as_mut() {
            let completions = context.completions(code, cursor);
            if let Err(e) = &completions {
                log(&format!("completion failed: {e}"));
            }
            if let Ok(completions) = completions {
                start = completions.start_offset.min(cursor);
                end = completions.end_offset.max(cursor).min(code.len());
                for c in completions.completions {
                    if !matches.contains(&c.code) {
                        matches.push(c.code);
                    }
                }
            }
            // rust-analyzer does not see the values stored between cells,
            // so the user's variables are added by name.
            let after_path_or_field =
                code[..word_start].ends_with("::") || code[..word_start].trim_end().ends_with('.');
            if start == word_start && !after_path_or_field {
                let mut names: Vec<&str> = context
                    .variables_and_types()
                    .map(|(name, _)| name)
                    .chain(context.defined_item_names())
                    .filter(|name| name.starts_with(word) && !name.starts_with("paraclinic_"))
                    .collect();
                names.sort_unstable();
                for name in names {
                    if !matches.iter().any(|m| m == name) {
                        matches.push(name.to_owned());
                    }
                }
            }
        }
        json!({
            "status": "ok",
            "matches": matches,
            "cursor_start": byte_to_char(code, start),
            "cursor_end": byte_to_char(code, end),
            "metadata": {},
        })
    }

    fn inspect(&mut self, request: &Message) -> Value {
        let code = request.content["code"].as_str().unwrap_or_default();
        let cursor_chars = request.content["cursor_pos"]
            .as_u64()
            .map(|c| c as usize)
            .unwrap_or_else(|| code.chars().count());
        let cursor = char_to_byte(code, cursor_chars);
        // Inspect the whole word under the cursor: extend to its end.
        let word_end = cursor
            + code[cursor..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(code.len() - cursor);
        let (_, word) = word_before(code, word_end);
        let mut data = Map::new();
        if let Some(context) = self.context.as_mut() {
            if let Some((_, ty)) = context
                .variables_and_types()
                .find(|(name, _)| *name == word)
            {
                let text = format!("{word}: {ty}");
                data.insert("text/plain".into(), Value::String(text.clone()));
                data.insert(
                    "text/markdown".into(),
                    Value::String(format!("```rust\n{text}\n```")),
                );
            }
            if let Ok((plain, html)) = context.hover_at(code, word_end) {
                if plain != "No documentation found" && !plain.trim().is_empty() {
                    let text = match data.get("text/plain").and_then(Value::as_str) {
                        Some(prefix) => format!("{prefix}\n\n{plain}"),
                        None => plain,
                    };
                    data.insert("text/plain".into(), Value::String(text));
                    data.insert("text/html".into(), Value::String(html));
                    data.remove("text/markdown");
                }
            }
        }
        json!({
            "status": "ok",
            "found": !data.is_empty(),
            "data": data,
            "metadata": {},
        })
    }
}

/// evcxr's phases of one evaluation, e.g. "Final compile 312 ms, Execution 0 ms".
fn describe_phases(outputs: &evcxr::EvalOutputs) -> String {
    outputs
        .phases
        .iter()
        .map(|p| format!("{} {:.0} ms", p.name, p.duration.as_secs_f64() * 1e3))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How long the engine waits idle before rust-analyzer's warm-up.
const IDLE_BEFORE_WARM_UP: Duration = Duration::from_millis(500);
/// How long the engine then waits before returning freed memory.
const IDLE_BEFORE_TRIM: Duration = Duration::from_secs(3);

/// Returns the heap's free pages to the system. Why: loading a crate graph
/// into rust-analyzer and compiling cells leave much freed memory in glibc's
/// heaps, which stays resident (counted against the kernel on a shared
/// server) until trimmed.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Creates evcxr's context with its build directory in a slot of the disk
/// cache (see [`crate::cache`]); the error says why it could not start.
pub fn create_context() -> Result<(CommandContext, evcxr::EvalContextOutputs), String> {
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
    CommandContext::new().map_err(|e| {
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

/// Protocol cursor positions count Unicode code points; evcxr wants bytes.
pub fn char_to_byte(code: &str, chars: usize) -> usize {
    code.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(code.len())
}

pub fn byte_to_char(code: &str, byte: usize) -> usize {
    code[..byte.min(code.len())].chars().count()
}

/// `(ename, evalue, traceback)` for an evcxr error.
fn describe_error(error: &EvcxrError, code: &str) -> (String, String, Vec<String>) {
    match error {
        EvcxrError::CompilationErrors(errors) => {
            let evalue = errors
                .first()
                .map(|e| e.message())
                .unwrap_or_else(|| "compilation failed".into());
            let mut traceback = Vec::new();
            for e in errors {
                traceback.extend(render_compilation_error(e, code));
            }
            ("CompilationError".into(), evalue, traceback)
        }
        EvcxrError::SubprocessTerminated(message) => (
            "ProcessTerminated".into(),
            message.clone(),
            vec![
                format!("The process running your code ended: {message}"),
                "It was restarted; variables were lost.".into(),
            ],
        ),
        other => {
            let message = other.to_string();
            (
                "Error".into(),
                message.lines().next().unwrap_or_default().to_owned(),
                message.lines().map(str::to_owned).collect(),
            )
        }
    }
}

/// A rustc-style report with the cell's own line numbers:
///
/// ```text
/// error[E0425]: cannot find value `y` in this scope
///  --> cell:1:9
///   |
/// 1 | let x = y + 1;
///   |         ^ not found in this scope
/// ```
fn render_compilation_error(error: &evcxr::CompilationError, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let level = error.level();
    match error.code() {
        Some(c) => out.push(format!("{level}[{c}]: {}", error.message())),
        None => out.push(format!("{level}: {}", error.message())),
    }
    let lines: Vec<&str> = code.lines().collect();
    for spanned in error.spanned_messages() {
        let Some(span) = &spanned.span else {
            if !spanned.label.is_empty() {
                out.push(format!("  = note: {}", spanned.label));
            }
            continue;
        };
        let gutter = span.end_line.to_string().len();
        let pad = " ".repeat(gutter);
        out.push(format!(
            "{pad}--> cell:{}:{}",
            span.start_line, span.start_column
        ));
        out.push(format!("{pad} |"));
        for line_no in span.start_line..=span.end_line {
            let text = lines.get(line_no.wrapping_sub(1)).copied().unwrap_or("");
            out.push(format!("{line_no:>gutter$} | {text}"));
            let from = if line_no == span.start_line {
                span.start_column.saturating_sub(1)
            } else {
                0
            };
            let to = if line_no == span.end_line {
                span.end_column.saturating_sub(1)
            } else {
                text.chars().count()
            };
            let marks = "^".repeat(to.saturating_sub(from).max(1));
            let label = if line_no == span.end_line {
                spanned.label.as_str()
            } else {
                ""
            };
            out.push(
                format!("{pad} | {}{marks} {label}", " ".repeat(from))
                    .trim_end()
                    .to_owned(),
            );
        }
    }
    for help in error.help() {
        out.push(format!("help: {help}"));
    }
    if let Some(hint) = error.evcxr_extra_hint() {
        out.push(format!("note: {hint}"));
    }
    out
}

/// The output forwarder thread.
fn spawn_forwarder(
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    publisher: Publisher,
    cell: SharedCell,
) -> Sender<ForwarderControl> {
    let (control_tx, control_rx) = crossbeam_channel::unbounded::<ForwarderControl>();
    std::thread::Builder::new()
        .name("output-forwarder".into())
        .spawn(move || {
            let mut forwarder = Forwarder {
                publisher,
                cell,
                stdout_text: String::new(),
                stderr_text: String::new(),
            };
            loop {
                select! {
                    recv(stdout) -> line => match line {
                        Ok(line) => {
                            forwarder.stdout_line(line);
                            // Batch what is already waiting into one message.
                            while let Ok(line) = stdout.try_recv() {
                                forwarder.stdout_line(line);
                            }
                            forwarder.flush_text();
                        }
                        Err(_) => return,
                    },
                    recv(stderr) -> line => match line {
                        Ok(line) => {
                            forwarder.stderr_line(line);
                            while let Ok(line) = stderr.try_recv() {
                                forwarder.stderr_line(line);
                            }
                            forwarder.flush_text();
                        }
                        Err(_) => return,
                    },
                    recv(control_rx) -> control => match control {
                        Ok(ForwarderControl::Flush(ack)) => {
                            while let Ok(line) = stdout.try_recv() {
                                forwarder.stdout_line(line);
                            }
                            // stderr comes through a pipe read by another
                            // thread; give it a moment to catch up.
                            while let Ok(line) = stderr.recv_timeout(Duration::from_millis(20)) {
                                forwarder.stderr_line(line);
                            }
                            forwarder.flush_text();
                            let _ = ack.send(());
                        }
                        Err(_) => return,
                    },
                }
            }
        })
        .expect("spawning the output forwarder");
    control_tx
}

struct Forwarder {
    publisher: Publisher,
    cell: SharedCell,
    stdout_text: String,
    stderr_text: String,
}

impl Forwarder {
    fn parent(&self) -> Option<Message> {
        self.cell
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .parent
            .clone()
    }

    fn stdout_line(&mut self, line: String) {
        match classify(&line) {
            StdoutLine::Text(text) => {
                self.stdout_text.push_str(&text);
                self.stdout_text.push('\n');
            }
            StdoutLine::PartialText(text) => self.stdout_text.push_str(&text),
            StdoutLine::Display(data) => {
                self.flush_text();
                if let Some(parent) = self.parent() {
                    let (data, metadata) = split_metadata(data);
                    self.publisher.send(
                        "display_data",
                        Some(&parent),
                        json!({"data": data, "metadata": metadata, "transient": {}}),
                    );
                }
            }
            StdoutLine::ClearOutput { wait } => {
                self.flush_text();
                if let Some(parent) = self.parent() {
                    self.publisher
                        .send("clear_output", Some(&parent), json!({"wait": wait}));
                }
            }
            StdoutLine::PanicMessage { message, location } => {
                let mut cell = self.cell.lock().unwrap_or_else(|p| p.into_inner());
                cell.panic_message = Some((message, location));
            }
            StdoutLine::Panicked => {
                self.cell.lock().unwrap_or_else(|p| p.into_inner()).panicked = true;
            }
        }
    }

    fn stderr_line(&mut self, line: String) {
        self.stderr_text.push_str(&line);
        self.stderr_text.push('\n');
    }

    fn flush_text(&mut self) {
        let parent = self.parent();
        for (name, text) in [
            ("stdout", std::mem::take(&mut self.stdout_text)),
            ("stderr", std::mem::take(&mut self.stderr_text)),
        ] {
            if text.is_empty() {
                continue;
            }
            match &parent {
                Some(parent) => {
                    self.publisher
                        .send("stream", Some(parent), json!({"name": name, "text": text}))
                }
                // Output outside any cell (engine start-up): keep it in the log.
                None => log(&format!("{name} outside a cell: {}", text.trim_end())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_conversions_count_code_points() {
        let code = "let é = 1; é";
        assert_eq!(char_to_byte(code, 5), 6);
        assert_eq!(byte_to_char(code, 6), 5);
        assert_eq!(char_to_byte(code, 999), code.len());
        assert_eq!(byte_to_char(code, code.len()), code.chars().count());
    }

    #[test]
    fn word_before_cursor() {
        assert_eq!(word_before("let x = my_va", 13), (8, "my_va"));
        assert_eq!(word_before("analysis::fr", 12), (10, "fr"));
        assert_eq!(word_before("x + ", 4), (4, ""));
    }
}
