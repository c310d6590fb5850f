//! Why a cell failed, as a typed error with a rustc-style report.

use std::fmt;

/// What kind of failure ended a cell. Its [`name`](ErrorKind::name) is the
/// `ename` a frontend shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// rustc rejected the cell.
    Compilation,
    /// The cell's code panicked; variables defined before it are kept.
    Panic,
    /// The cell was stopped by [`super::Interrupter::interrupt`]; the
    /// process running user code was restarted and variables were lost.
    Interrupted,
    /// The process running user code ended by itself (a crash, `exit`).
    ProcessTerminated,
    /// evcxr could not start: no cell can run.
    EngineUnavailable,
    /// Any other error evcxr reports (a bad `:` command, say).
    Other,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Compilation => "CompilationError",
            ErrorKind::Panic => "panic",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::ProcessTerminated => "ProcessTerminated",
            ErrorKind::EngineUnavailable => "EngineUnavailable",
            ErrorKind::Other => "Error",
        }
    }
}

/// A failed cell: its kind, a one-line message and the report to show.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub kind: ErrorKind,
    /// One line: rustc's first message, the panic message, …
    pub message: String,
    /// The whole report, one entry per line.
    pub traceback: Vec<String>,
}

impl CellError {
    pub(crate) fn engine_unavailable(problem: String) -> CellError {
        CellError {
            kind: ErrorKind::EngineUnavailable,
            message: problem.clone(),
            traceback: vec![problem],
        }
    }

    pub(crate) fn panic(message: String, location: String) -> CellError {
        let mut traceback = vec![format!("thread panicked: {message}")];
        if !location.is_empty() {
            traceback.push(format!("  at {location} (generated code of this cell)"));
        }
        traceback.push(
            "Variables defined before this cell are kept; those the cell defined are not.".into(),
        );
        CellError {
            kind: ErrorKind::Panic,
            message,
            traceback,
        }
    }

    pub(crate) fn interrupted() -> CellError {
        CellError {
            kind: ErrorKind::Interrupted,
            message: "the cell was interrupted".to_owned(),
            traceback: vec![
                "Interrupted: the cell was stopped.".to_owned(),
                "The process running your code was restarted; variables were lost.".to_owned(),
            ],
        }
    }

    /// The error for an evcxr error; `code` is the cell, for the report's
    /// source lines.
    pub(crate) fn from_evcxr(error: &evcxr::Error, code: &str) -> CellError {
        match error {
            evcxr::Error::CompilationErrors(errors) => {
                let message = errors
                    .first()
                    .map(|e| e.message())
                    .unwrap_or_else(|| "compilation failed".into());
                let mut traceback = Vec::new();
                for e in errors {
                    traceback.extend(render_compilation_error(e, code));
                }
                CellError {
                    kind: ErrorKind::Compilation,
                    message,
                    traceback,
                }
            }
            evcxr::Error::SubprocessTerminated(message) => CellError {
                kind: ErrorKind::ProcessTerminated,
                message: message.clone(),
                traceback: vec![
                    format!("The process running your code ended: {message}"),
                    "It was restarted; variables were lost.".into(),
                ],
            },
            other => {
                let message = other.to_string();
                CellError {
                    kind: ErrorKind::Other,
                    message: message.lines().next().unwrap_or_default().to_owned(),
                    traceback: message.lines().map(str::to_owned).collect(),
                }
            }
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for CellError {}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_report_names_message_and_location() {
        let error = CellError::panic("boom".into(), "src/lib.rs:3:5".into());
        assert_eq!(error.kind.name(), "panic");
        assert_eq!(error.message, "boom");
        assert_eq!(
            error.traceback,
            [
                "thread panicked: boom",
                "  at src/lib.rs:3:5 (generated code of this cell)",
                "Variables defined before this cell are kept; those the cell defined are not.",
            ]
        );
        // Without a location, no "at" line.
        assert_eq!(
            CellError::panic("x".into(), String::new()).traceback.len(),
            2
        );
    }

    #[test]
    fn terminated_process_says_variables_were_lost() {
        let error =
            CellError::from_evcxr(&evcxr::Error::SubprocessTerminated("signal 9".into()), "");
        assert_eq!(error.kind, ErrorKind::ProcessTerminated);
        assert_eq!(error.kind.name(), "ProcessTerminated");
        assert_eq!(error.message, "signal 9");
        assert_eq!(
            error.traceback[0],
            "The process running your code ended: signal 9"
        );
        assert_eq!(error.to_string(), "ProcessTerminated: signal 9");
    }

    #[test]
    fn other_errors_keep_their_lines() {
        let error = CellError::from_evcxr(&evcxr::Error::Message("first\nsecond".into()), "");
        assert_eq!(error.kind.name(), "Error");
        assert_eq!(error.message, "first");
        assert_eq!(error.traceback, ["first", "second"]);
    }
}
