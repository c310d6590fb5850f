//! What a running cell shows, as it happens: a thread (the output
//! forwarder) reads the user code's stdout and stderr from evcxr, turns
//! them into [`Output`]s (text, live displays, `clear_output`; see
//! [`crate::display`]) and hands them to the sink of the cell being run.
//! Panic reports from the user code's panic hook are kept for the outcome.

use crate::display::{classify, StdoutLine};
use crossbeam_channel::{select, Receiver, Sender};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A display: content by MIME type (`text/plain`, `text/html`, …).
pub type MimeBundle = Map<String, Value>;

/// Which output stream text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// One piece of what a cell shows while it runs, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Text the cell printed; what was waiting when it was forwarded, so
    /// one chunk may hold several lines.
    Stream { stream: Stream, text: String },
    /// A display the cell printed (not its final value).
    Display(MimeBundle),
    /// The cell asked to clear its output (`wait`: at the next output).
    ClearOutput { wait: bool },
}

/// Receives a cell's outputs, on the forwarder thread, while the cell runs.
pub trait OutputSink: Send + Sync {
    fn output(&self, output: Output);
}

/// What the forwarder knows about the cell being run.
#[derive(Default)]
pub(super) struct CellState {
    /// Where the cell's outputs go; none: outside a cell, or nobody
    /// watching (text is then logged, displays dropped).
    pub sink: Option<Arc<dyn OutputSink>>,
    pub panic_message: Option<(String, String)>,
    pub panicked: bool,
}

/// Shared between the evaluator and the forwarder.
pub(super) type SharedCell = Arc<Mutex<CellState>>;

pub(super) fn lock(cell: &SharedCell) -> std::sync::MutexGuard<'_, CellState> {
    cell.lock().unwrap_or_else(|p| p.into_inner())
}

pub(super) enum ForwarderControl {
    /// Forward everything received so far, then acknowledge.
    Flush(Sender<()>),
}

/// Starts the output forwarder thread.
pub(super) fn spawn_forwarder(
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    cell: SharedCell,
) -> Sender<ForwarderControl> {
    let (control_tx, control_rx) = crossbeam_channel::unbounded::<ForwarderControl>();
    std::thread::Builder::new()
        .name("output-forwarder".into())
        .spawn(move || {
            let mut forwarder = Forwarder {
                cell,
                stdout_text: String::new(),
                stderr_text: String::new(),
            };
            loop {
                select! {
                    recv(stdout) -> line => match line {
                        Ok(line) => {
                            forwarder.stdout_line(line);
                            // Batch what is already waiting into one chunk.
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
    cell: SharedCell,
    stdout_text: String,
    stderr_text: String,
}

impl Forwarder {
    fn sink(&self) -> Option<Arc<dyn OutputSink>> {
        lock(&self.cell).sink.clone()
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
                if let Some(sink) = self.sink() {
                    sink.output(Output::Display(data));
                }
            }
            StdoutLine::ClearOutput { wait } => {
                self.flush_text();
                if let Some(sink) = self.sink() {
                    sink.output(Output::ClearOutput { wait });
                }
            }
            StdoutLine::PanicMessage { message, location } => {
                lock(&self.cell).panic_message = Some((message, location));
            }
            StdoutLine::Panicked => lock(&self.cell).panicked = true,
        }
    }

    fn stderr_line(&mut self, line: String) {
        self.stderr_text.push_str(&line);
        self.stderr_text.push('\n');
    }

    fn flush_text(&mut self) {
        let sink = self.sink();
        for (stream, text) in [
            (Stream::Stdout, std::mem::take(&mut self.stdout_text)),
            (Stream::Stderr, std::mem::take(&mut self.stderr_text)),
        ] {
            if text.is_empty() {
                continue;
            }
            match &sink {
                Some(sink) => sink.output(Output::Stream { stream, text }),
                // Output outside any cell (engine start-up): keep it in the log.
                None => super::log(&format!(
                    "{} outside a cell: {}",
                    stream.name(),
                    text.trim_end()
                )),
            }
        }
    }
}
