//! The Jupyter side of running cells: one thread (the engine) owns the
//! [`Evaluator`] and takes execute, complete and inspect requests from a
//! channel one at a time, so the sockets keep answering (kernel_info,
//! interrupt, shutdown) while a cell compiles or runs. It turns requests
//! into evaluator calls and what the evaluator reports into messages:
//! `execute_input`, `stream`, `display_data`, `clear_output`,
//! `execute_result`, `error` and busy/idle on iopub, and the reply content
//! for the shell. It keeps the execution count and the history, and aborts
//! the requests queued behind a failed cell (`stop_on_error`).

use crate::display::split_metadata;
use crate::evaluator::{
    CellError, ErrorKind, Evaluated, Evaluator, Interrupter, Output, OutputSink, Runtime,
};
use crate::history::{Entry, History};
use crate::iopub::Publisher;
use crate::wire::Message;
use crossbeam_channel::{Receiver, Sender};
use serde_json::{json, Map, Value};
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

pub struct EngineHandle {
    pub requests: Sender<Request>,
    pub interrupter: Arc<Interrupter>,
}

/// Starts the engine thread. Starting the evaluator (evcxr's context, which
/// compiles a first snippet, and the preload of `analysis`) happens on that
/// thread, so the caller can answer `kernel_info` at once.
pub fn start(publisher: Publisher, history: Arc<Mutex<History>>) -> EngineHandle {
    let (tx, rx) = crossbeam_channel::unbounded();
    let interrupter = Arc::new(Interrupter::default());
    let engine_interrupter = interrupter.clone();
    std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || {
            let evaluator =
                Evaluator::start_with_interrupter(Runtime::ThisProgram, engine_interrupter);
            Engine {
                evaluator,
                publisher,
                history,
                execution_count: 0,
            }
            .run(rx)
        })
        .expect("spawning the engine thread");
    EngineHandle {
        requests: tx,
        interrupter,
    }
}

/// Publishes a cell's outputs on iopub as children of its execute_request.
struct CellPublisher {
    publisher: Publisher,
    parent: Message,
}

impl OutputSink for CellPublisher {
    fn output(&self, output: Output) {
        let parent = Some(&self.parent);
        match output {
            Output::Stream { stream, text } => self.publisher.send(
                "stream",
                parent,
                json!({"name": stream.name(), "text": text}),
            ),
            Output::Display(data) => {
                // The glue's metadata block (a figure's display size) goes
                // into the message's metadata.
                let (data, metadata) = split_metadata(data);
                self.publisher.send(
                    "display_data",
                    parent,
                    json!({"data": data, "metadata": metadata, "transient": {}}),
                )
            }
            Output::ClearOutput { wait } => {
                self.publisher
                    .send("clear_output", parent, json!({"wait": wait}))
            }
        }
    }
}

struct Engine {
    evaluator: Evaluator,
    publisher: Publisher,
    history: Arc<Mutex<History>>,
    execution_count: i64,
}

impl Engine {
    fn run(mut self, rx: Receiver<Request>) {
        loop {
            let request = match rx.try_recv() {
                Ok(request) => request,
                Err(crossbeam_channel::TryRecvError::Disconnected) => break,
                Err(crossbeam_channel::TryRecvError::Empty) => match self.wait_idle(&rx) {
                    Some(request) => request,
                    None => break,
                },
            };
            match request {
                Request::Execute { request, reply } => {
                    let content = self.execute(&request);
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
                    self.abort(queued);
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
            Err(Timeout) => self.evaluator.warm_up_analyzer(),
        }
        match rx.recv_timeout(IDLE_BEFORE_TRIM) {
            Ok(request) => return Some(request),
            Err(Disconnected) => return None,
            Err(Timeout) => release_free_memory(),
        }
        rx.recv().ok()
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
        if let Some(problem) = self.evaluator.take_startup_warning() {
            self.publisher.send(
                "stream",
                Some(request),
                json!({"name": "stderr", "text": format!("{problem}\n")}),
            );
        }
        // A silent cell's outputs are not shown: its text goes to the log.
        let sink: Option<Arc<dyn OutputSink>> = (!silent).then(|| {
            Arc::new(CellPublisher {
                publisher: self.publisher.clone(),
                parent: request.clone(),
            }) as Arc<dyn OutputSink>
        });
        match self.evaluator.run_cell(&code, sink) {
            Ok(evaluated) => {
                self.finish_ok(request, count, &code, &evaluated, silent, store_history)
            }
            Err(error) => {
                // A cell that found no engine to run it is not history.
                if store_history && error.kind != ErrorKind::EngineUnavailable {
                    self.record(count, &code, None);
                }
                self.finish_error(request, count, &error, silent)
            }
        }
    }

    fn finish_ok(
        &self,
        request: &Message,
        count: i64,
        code: &str,
        evaluated: &Evaluated,
        silent: bool,
        store_history: bool,
    ) -> Value {
        // Where the cell's time went (evcxr's phases), for the log.
        if !evaluated.phases.is_empty() {
            log(&format!("cell {count}: {}", evaluated.describe_phases()));
        }
        if let (Some(data), false) = (evaluated.shown_value(), silent) {
            let (data, metadata) = split_metadata(data.clone());
            self.publisher.send(
                "execute_result",
                Some(request),
                json!({"execution_count": count, "data": data, "metadata": metadata}),
            );
        }
        // `:timing` on: the cell's time, shown as evcxr_jupyter shows it.
        if let (Some(took), false) = (evaluated.timing, silent) {
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
            self.record(count, code, evaluated.text().map(str::to_owned));
        }
        self.publisher.status("idle", request);
        json!({
            "status": "ok",
            "execution_count": count,
            "user_expressions": {},
            "payload": [],
        })
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
        error: &CellError,
        silent: bool,
    ) -> Value {
        let ename = error.kind.name();
        if !silent {
            self.publisher.send(
                "error",
                Some(request),
                json!({"ename": ename, "evalue": error.message, "traceback": error.traceback, "execution_count": count}),
            );
        }
        self.publisher.status("idle", request);
        json!({
            "status": "error",
            "execution_count": count,
            "ename": ename,
            "evalue": error.message,
            "traceback": error.traceback,
            "user_expressions": {},
            "payload": [],
        })
    }

    /// After a failed cell, cells already queued behind it are not run
    /// (the protocol's `stop_on_error`): each execution gets an `aborted`
    /// reply; completion and inspection are still answered.
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
        let completions = self
            .evaluator
            .complete(code, char_to_byte(code, cursor_chars));
        json!({
            "status": "ok",
            "matches": completions.matches,
            "cursor_start": byte_to_char(code, completions.start),
            "cursor_end": byte_to_char(code, completions.end),
            "metadata": {},
        })
    }

    fn inspect(&mut self, request: &Message) -> Value {
        let code = request.content["code"].as_str().unwrap_or_default();
        let cursor_chars = request.content["cursor_pos"]
            .as_u64()
            .map(|c| c as usize)
            .unwrap_or_else(|| code.chars().count());
        let inspection = self
            .evaluator
            .inspect(code, char_to_byte(code, cursor_chars));
        let mut data = Map::new();
        if let Some((name, ty)) = &inspection.variable {
            let text = format!("{name}: {ty}");
            data.insert("text/plain".into(), Value::String(text.clone()));
            data.insert(
                "text/markdown".into(),
                Value::String(format!("```rust\n{text}\n```")),
            );
        }
        if let Some((plain, html)) = inspection.documentation {
            let text = match data.get("text/plain").and_then(Value::as_str) {
                Some(prefix) => format!("{prefix}\n\n{plain}"),
                None => plain,
            };
            data.insert("text/plain".into(), Value::String(text));
            data.insert("text/html".into(), Value::String(html));
            data.remove("text/markdown");
        }
        json!({
            "status": "ok",
            "found": !data.is_empty(),
            "data": data,
            "metadata": {},
        })
    }
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

fn log(message: &str) {
    eprintln!("[paraclinic-kernel] {message}");
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
}
