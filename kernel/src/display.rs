//! Live rich output.
//!
//! evcxr's display protocol is text on the user code's stdout:
//!
//! ```text
//! EVCXR_BEGIN_CONTENT text/html
//! <table>…</table>
//! EVCXR_END_CONTENT
//! ```
//!
//! evcxr itself gathers these blocks until the cell ends and keeps only the
//! last block per MIME type, so a loop that shows ten plots shows one, and a
//! progress display appears only when the work is over. This kernel puts a
//! translator between the user code and evcxr, inside the subprocess that
//! runs the user code (our own binary, see [`interpose_stdout`]): it turns
//! each display into one [`LIVE_DISPLAY`] line the moment it is complete,
//! which evcxr passes on as ordinary stdout and the kernel publishes as
//! `display_data` at once.
//!
//! The value of a cell's final expression must stay an `execute_result`,
//! and only it: a display printed while the cell runs is `display_data`,
//! even as the cell's last output. The vendored evcxr brackets the final
//! value's display with [`evcxr::FINAL_VALUE_BEGIN`] and
//! [`evcxr::FINAL_VALUE_END`] lines; blocks inside them pass through
//! unchanged for evcxr to report as the result, every other bundle is sent
//! live. Code that wants a display to be a `display_data` even as a final
//! value brackets it with [`DISPLAY_BEGIN`]/[`DISPLAY_END`] (the prelude's
//! `display`).

use serde_json::{Map, Value};
use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// One complete display, as JSON `{mime: content}` on a single line.
pub const LIVE_DISPLAY: &str = "PARACLINIC_LIVE_DISPLAY ";
/// `clear_output`: followed by `1` (wait for the next output) or `0`.
pub const CLEAR_OUTPUT: &str = "PARACLINIC_CLEAR_OUTPUT ";
/// A panic in user code, with `{"message": …, "location": …}` as JSON.
pub const PANIC_MESSAGE: &str = "PARACLINIC_PANIC ";
/// The user code panicked (sent whether or not a message was captured).
pub const PANICKED: &str = "PARACLINIC_PANICKED";
/// Text the user code printed without a newline at its end (the line was
/// ended by one of evcxr's markers): sent as is, without adding one.
pub const PARTIAL_LINE: &str = "PARACLINIC_PARTIAL_LINE ";
/// A display's metadata (`{"image/png": {"width": …}}`) as one more block of
/// its bundle: evcxr's content protocol carries MIME types and content only.
/// [`split_metadata`] moves it into the message's `metadata`.
pub const METADATA_MIME: &str = "application/vnd.paraclinic.metadata+json";
/// Brackets a display that must be sent as `display_data` at once.
pub const DISPLAY_BEGIN: &str = "PARACLINIC_DISPLAY_BEGIN";
pub const DISPLAY_END: &str = "PARACLINIC_DISPLAY_END";

const BEGIN_CONTENT: &str = "EVCXR_BEGIN_CONTENT ";
const END_CONTENT: &str = "EVCXR_END_CONTENT";
const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";

/// How long a finished block waits for another block of the same display
/// (text/html then text/plain, say) before its bundle is sent: short enough
/// not to be noticed, long enough to keep one display's MIME types together.
pub const BUNDLE_GRACE: Duration = Duration::from_millis(50);

/// What the kernel makes of one line of user stdout.
#[derive(Debug, Clone, PartialEq)]
pub enum StdoutLine {
    Text(String),
    /// Text without a newline at its end.
    PartialText(String),
    Display(Map<String, Value>),
    ClearOutput {
        wait: bool,
    },
    PanicMessage {
        message: String,
        location: String,
    },
    Panicked,
}

/// Classifies a stdout line received from evcxr.
pub fn classify(line: &str) -> StdoutLine {
    if let Some(json) = line.strip_prefix(LIVE_DISPLAY) {
        if let Ok(Value::Object(data)) = serde_json::from_str(json) {
            return StdoutLine::Display(data);
        }
    } else if let Some(flag) = line.strip_prefix(CLEAR_OUTPUT) {
        return StdoutLine::ClearOutput {
            wait: flag.trim() == "1",
        };
    } else if let Some(json) = line.strip_prefix(PANIC_MESSAGE) {
        if let Ok(v) = serde_json::from_str::<Value>(json) {
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            return StdoutLine::PanicMessage {
                message: field("message"),
                location: field("location"),
            };
        }
    } else if line == PANICKED {
        return StdoutLine::Panicked;
    } else if let Some(text) = line.strip_prefix(PARTIAL_LINE) {
        return StdoutLine::PartialText(text.to_owned());
    }
    StdoutLine::Text(line.to_owned())
}

/// The translator's state machine, independent of pipes so it can be tested:
/// feed it lines (or timeouts), collect the lines it writes.
#[derive(Default)]
pub struct Translator {
    /// Blocks of a live bundle that may still grow.
    pending: Vec<(String, String)>,
    /// Inside FINAL_VALUE_BEGIN … END: the final value's blocks.
    final_value: Option<Vec<(String, String)>>,
    /// Inside DISPLAY_BEGIN … DISPLAY_END.
    forced: Option<Vec<(String, String)>>,
    /// Inside a content block: its MIME type and the lines so far.
    block: Option<(String, Vec<String>)>,
}

impl Translator {
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty() && self.block.is_none()
    }

    fn live(bundle: Vec<(String, String)>, out: &mut Vec<String>) {
        if bundle.is_empty() {
            return;
        }
        let data: Map<String, Value> = bundle
            .into_iter()
            .map(|(mime, content)| (mime, Value::String(content)))
            .collect();
        out.push(format!("{LIVE_DISPLAY}{}", Value::Object(data)));
    }

    fn raw(bundle: Vec<(String, String)>, out: &mut Vec<String>) {
        for (mime, content) in bundle {
            out.push(format!("{BEGIN_CONTENT}{mime}"));
            out.extend(content.lines().map(str::to_owned));
            out.push(END_CONTENT.to_owned());
        }
    }

    /// Nothing arrived within the grace period: a pending bundle is a
    /// mid-cell display.
    pub fn timeout(&mut self, out: &mut Vec<String>) {
        if self.block.is_none() {
            Self::live(std::mem::take(&mut self.pending), out);
        }
    }

    pub fn line(&mut self, line: String, out: &mut Vec<String>) {
        if let Some((mime, mut lines)) = self.block.take() {
            if line == END_CONTENT {
                let block = (mime, lines.join("\n"));
                if let Some(forced) = self.forced.as_mut() {
                    forced.push(block);
                } else if let Some(final_value) = self.final_value.as_mut() {
                    final_value.push(block);
                } else {
                    // A MIME type seen twice starts a new display.
                    if self.pending.iter().any(|(m, _)| *m == block.0) {
                        Self::live(std::mem::take(&mut self.pending), out);
                    }
                    self.pending.push(block);
                }
            } else if line == PANIC_NOTIFICATION {
                // The display was cut short by a panic: evcxr drops it too.
                out.push(PANICKED.to_owned());
                out.push(line);
            } else {
                lines.push(line);
                self.block = Some((mime, lines));
            }
            return;
        }
        // `print!("x")` right before the final value or the end of the cell
        // leaves the marker at the end of a line of text.
        for marker in [
            evcxr::FINAL_VALUE_BEGIN,
            evcxr::FINAL_VALUE_END,
            EXECUTION_COMPLETE,
            PANIC_NOTIFICATION,
        ] {
            if let Some(text) = line.strip_suffix(marker).filter(|t| !t.is_empty()) {
                self.line(format!("{PARTIAL_LINE}{text}"), out);
                self.line(marker.to_owned(), out);
                return;
            }
        }
        if let Some(mime) = line.strip_prefix(BEGIN_CONTENT) {
            self.block = Some((mime.trim().to_owned(), Vec::new()));
        } else if line == DISPLAY_BEGIN {
            Self::live(std::mem::take(&mut self.pending), out);
            self.forced = Some(Vec::new());
        } else if line == DISPLAY_END {
            if let Some(forced) = self.forced.take() {
                Self::live(forced, out);
            }
        } else if line == evcxr::FINAL_VALUE_BEGIN {
            Self::live(std::mem::take(&mut self.pending), out);
            self.final_value = Some(Vec::new());
        } else if line == evcxr::FINAL_VALUE_END {
            Self::raw(self.final_value.take().unwrap_or_default(), out);
        } else if line == EXECUTION_COMPLETE {
            Self::live(std::mem::take(&mut self.pending), out);
            // A final value whose display was cut short still reaches evcxr.
            Self::raw(self.final_value.take().unwrap_or_default(), out);
            self.forced = None;
            out.push(line);
        } else {
            Self::live(std::mem::take(&mut self.pending), out);
            if line == PANIC_NOTIFICATION {
                out.push(PANICKED.to_owned());
            }
            out.push(line);
        }
    }
}

/// A display's data and metadata: the [`METADATA_MIME`] block, when it holds
/// a JSON object, becomes the metadata (else it stays in the data, visible).
pub fn split_metadata(mut data: Map<String, Value>) -> (Map<String, Value>, Value) {
    let metadata = data
        .get(METADATA_MIME)
        .and_then(Value::as_str)
        .and_then(|json| serde_json::from_str::<Value>(json).ok())
        .filter(Value::is_object);
    match metadata {
        Some(metadata) => {
            data.remove(METADATA_MIME);
            (data, metadata)
        }
        None => (data, Value::Object(Map::new())),
    }
}

/// Runs the translator over lines from `input`, writing to `output`, until
/// the input closes.
pub fn translate(input: Receiver<String>, mut output: impl Write) {
    let mut translator = Translator::default();
    let mut out = Vec::new();
    loop {
        let next = if translator.has_pending() {
            input.recv_timeout(BUNDLE_GRACE)
        } else {
            input.recv().map_err(|_| RecvTimeoutError::Disconnected)
        };
        match next {
            Ok(line) => translator.line(line, &mut out),
            Err(RecvTimeoutError::Timeout) => translator.timeout(&mut out),
            Err(RecvTimeoutError::Disconnected) => return,
        }
        for line in out.drain(..) {
            if writeln!(output, "{line}").is_err() {
                return;
            }
        }
        if output.flush().is_err() {
            return;
        }
    }
}

/// In the user-code subprocess, before evcxr's runtime starts: routes fd 1
/// through the translator. Everything written to stdout — by the runtime
/// and by user code alike — passes through one pipe in order, so the
/// runtime's end-of-execution line cannot overtake user output.
#[cfg(unix)]
pub fn interpose_stdout() -> std::io::Result<()> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let (reader, writer) = std::io::pipe()?;
    // SAFETY: plain descriptor duplication on descriptors we own; fd 1 is
    // replaced atomically by dup2.
    let real_stdout = unsafe {
        let fd = libc::dup(1);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::dup2(writer.as_raw_fd(), 1) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        std::fs::File::from_raw_fd(fd)
    };
    drop(writer);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::Builder::new()
        .name("stdout-reader".into())
        .spawn(move || {
            let mut reader = std::io::BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if buf.last() == Some(&b'\n') {
                            buf.pop();
                        }
                        if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                            return;
                        }
                    }
                }
            }
        })?;
    std::thread::Builder::new()
        .name("display-translator".into())
        .spawn(move || translate(rx, std::io::BufWriter::new(real_stdout)))?;
    Ok(())
}

#[cfg(not(unix))]
pub fn interpose_stdout() -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(lines: &[&str], timeouts_after: &[usize]) -> Vec<String> {
        let mut t = Translator::default();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            t.line(line.to_string(), &mut out);
            if timeouts_after.contains(&i) {
                t.timeout(&mut out);
            }
        }
        out
    }

    fn live(v: Value) -> String {
        format!("{LIVE_DISPLAY}{v}")
    }

    #[test]
    fn final_value_passes_through_for_execute_result() {
        let blocks = [
            "EVCXR_BEGIN_CONTENT text/html",
            "<b>x</b>",
            "EVCXR_END_CONTENT",
            "EVCXR_BEGIN_CONTENT text/plain",
            "x",
            "EVCXR_END_CONTENT",
        ];
        let mut lines = vec![evcxr::FINAL_VALUE_BEGIN];
        lines.extend(blocks);
        lines.extend([evcxr::FINAL_VALUE_END, "EVCXR_EXECUTION_COMPLETE"]);
        let mut expected = blocks.to_vec();
        expected.push("EVCXR_EXECUTION_COMPLETE");
        assert_eq!(run(&lines, &[]), expected);
    }

    /// A final value that shows as several outputs (a reproduction step:
    /// tables, then each figure) brackets each as a display of its own:
    /// they are sent in order as display_data, and nothing is left for an
    /// execute_result.
    #[test]
    fn a_final_value_of_several_displays_sends_each_in_order() {
        let lines = [
            evcxr::FINAL_VALUE_BEGIN,
            DISPLAY_BEGIN,
            "EVCXR_BEGIN_CONTENT text/html",
            "<table/>",
            "EVCXR_END_CONTENT",
            DISPLAY_END,
            DISPLAY_BEGIN,
            "EVCXR_BEGIN_CONTENT image/png",
            "iVBO",
            "EVCXR_END_CONTENT",
            &format!("EVCXR_BEGIN_CONTENT {METADATA_MIME}"),
            r#"{"image/png":{"width":3}}"#,
            "EVCXR_END_CONTENT",
            DISPLAY_END,
            evcxr::FINAL_VALUE_END,
            "EVCXR_EXECUTION_COMPLETE",
        ];
        assert_eq!(
            run(&lines, &[]),
            [
                live(json!({"text/html": "<table/>"})),
                live(json!({"image/png": "iVBO", METADATA_MIME: r#"{"image/png":{"width":3}}"#})),
                "EVCXR_EXECUTION_COMPLETE".to_owned(),
            ]
        );
    }

    #[test]
    fn metadata_blocks_become_the_metadata() {
        let data = |v: Value| v.as_object().unwrap().clone();
        let (d, m) = split_metadata(data(json!({
            "image/png": "iVBO",
            METADATA_MIME: r#"{"image/png":{"width":500,"height":300}}"#,
        })));
        assert_eq!(Value::Object(d), json!({"image/png": "iVBO"}));
        assert_eq!(m, json!({"image/png": {"width": 500, "height": 300}}));
        // Without one, or with one that is no JSON object: empty metadata,
        // and the block stays in sight.
        let (d, m) = split_metadata(data(json!({"text/plain": "x"})));
        assert_eq!(
            (Value::Object(d), m),
            (json!({"text/plain": "x"}), json!({}))
        );
        let (d, m) = split_metadata(data(json!({METADATA_MIME: "[1]"})));
        assert_eq!(
            (Value::Object(d), m),
            (json!({METADATA_MIME: "[1]"}), json!({}))
        );
    }

    #[test]
    fn a_display_printed_at_the_end_of_a_cell_is_display_data() {
        // jupyter_kernel_test's display sample: the protocol printed by the
        // cell itself, directly before the end, is not the cell's value.
        let out = run(
            &[
                "EVCXR_BEGIN_CONTENT text/html",
                "<b>hi</b>",
                "EVCXR_END_CONTENT",
                "EVCXR_EXECUTION_COMPLETE",
            ],
            &[],
        );
        assert_eq!(
            out,
            vec![
                live(json!({"text/html": "<b>hi</b>"})),
                "EVCXR_EXECUTION_COMPLETE".to_owned()
            ]
        );
    }

    #[test]
    fn text_printed_without_newline_at_the_end_of_a_cell_stays_text() {
        let out = run(&["partialEVCXR_EXECUTION_COMPLETE"], &[]);
        assert_eq!(
            out,
            vec![
                "PARACLINIC_PARTIAL_LINE partial",
                "EVCXR_EXECUTION_COMPLETE"
            ]
        );
        assert_eq!(classify(&out[0]), StdoutLine::PartialText("partial".into()));
    }

    #[test]
    fn text_printed_without_newline_before_the_final_value_stays_text() {
        let begin = format!("partial{}", evcxr::FINAL_VALUE_BEGIN);
        let out = run(
            &[
                &begin,
                "EVCXR_BEGIN_CONTENT text/plain",
                "5",
                "EVCXR_END_CONTENT",
                evcxr::FINAL_VALUE_END,
                "EVCXR_EXECUTION_COMPLETE",
            ],
            &[],
        );
        assert_eq!(
            out,
            vec![
                "PARACLINIC_PARTIAL_LINE partial",
                "EVCXR_BEGIN_CONTENT text/plain",
                "5",
                "EVCXR_END_CONTENT",
                "EVCXR_EXECUTION_COMPLETE"
            ]
        );
    }

    #[test]
    fn mid_cell_displays_become_live_one_per_display() {
        let out = run(
            &[
                "EVCXR_BEGIN_CONTENT text/plain",
                "one",
                "EVCXR_END_CONTENT",
                "EVCXR_BEGIN_CONTENT text/plain",
                "two",
                "lines",
                "EVCXR_END_CONTENT",
                "printed",
                "EVCXR_EXECUTION_COMPLETE",
            ],
            &[],
        );
        assert_eq!(
            out,
            vec![
                live(json!({"text/plain": "one"})),
                live(json!({"text/plain": "two\nlines"})),
                "printed".to_owned(),
                "EVCXR_EXECUTION_COMPLETE".to_owned(),
            ]
        );
    }

    #[test]
    fn a_pause_after_a_bundle_makes_it_live() {
        let out = run(
            &[
                "EVCXR_BEGIN_CONTENT image/svg+xml",
                "<svg/>",
                "EVCXR_END_CONTENT",
                "EVCXR_EXECUTION_COMPLETE",
            ],
            &[2],
        );
        assert_eq!(
            out,
            vec![
                live(json!({"image/svg+xml": "<svg/>"})),
                "EVCXR_EXECUTION_COMPLETE".to_owned()
            ]
        );
    }

    #[test]
    fn bracketed_display_is_live_even_at_the_end() {
        let out = run(
            &[
                DISPLAY_BEGIN,
                "EVCXR_BEGIN_CONTENT text/html",
                "<i>t</i>",
                "EVCXR_END_CONTENT",
                "EVCXR_BEGIN_CONTENT text/plain",
                "t",
                "EVCXR_END_CONTENT",
                DISPLAY_END,
                "EVCXR_EXECUTION_COMPLETE",
            ],
            &[],
        );
        assert_eq!(
            out,
            vec![
                live(json!({"text/html": "<i>t</i>", "text/plain": "t"})),
                "EVCXR_EXECUTION_COMPLETE".to_owned()
            ]
        );
    }

    #[test]
    fn panic_is_announced_before_evcxr_sees_it() {
        let out = run(
            &["EVCXR_PANIC_NOTIFICATION", "EVCXR_EXECUTION_COMPLETE"],
            &[],
        );
        assert_eq!(
            out,
            vec![
                PANICKED,
                "EVCXR_PANIC_NOTIFICATION",
                "EVCXR_EXECUTION_COMPLETE"
            ]
        );
    }

    #[test]
    fn classifies_kernel_markers() {
        assert_eq!(
            classify(&live(json!({"text/plain": "a"}))),
            StdoutLine::Display(json!({"text/plain": "a"}).as_object().unwrap().clone())
        );
        assert_eq!(
            classify("PARACLINIC_CLEAR_OUTPUT 1"),
            StdoutLine::ClearOutput { wait: true }
        );
        assert_eq!(
            classify(r#"PARACLINIC_PANIC {"message":"boom","location":"src/lib.rs:3:5"}"#),
            StdoutLine::PanicMessage {
                message: "boom".into(),
                location: "src/lib.rs:3:5".into()
            }
        );
        assert_eq!(classify("hello"), StdoutLine::Text("hello".into()));
        // A malformed marker is just text.
        assert_eq!(
            classify("PARACLINIC_LIVE_DISPLAY nope"),
            StdoutLine::Text("PARACLINIC_LIVE_DISPLAY nope".into())
        );
    }
}
