//! The evaluator on its own, with a real evcxr context: what a cell shows
//! and how it ends, without Jupyter in between.
//!
//! One evaluator serves every test (each locks it for its cells), as one
//! kernel serves a notebook: a second context would claim a second slot of
//! the build cache and compile `analysis` again. Every test uses names of
//! its own, so the order the tests run in does not matter. User code runs
//! in the kernel binary, as in a kernel, so live displays and the panic hook
//! are the real ones. The build cache is `target/kernel-cache` (as in
//! `scripts/test-all`) unless `PARACLINIC_KERNEL_CACHE` says otherwise.

use paraclinic_kernel::cache::CACHE_DIR_VAR;
use paraclinic_kernel::evaluator::{
    CellError, ErrorKind, Evaluated, Evaluator, Interrupter, Output, OutputSink, Runtime, Stream,
};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

const KERNEL_BINARY: &str = env!("CARGO_BIN_EXE_paraclinic-kernel");

fn evaluator() -> MutexGuard<'static, Evaluator> {
    static EVALUATOR: OnceLock<Mutex<Evaluator>> = OnceLock::new();
    EVALUATOR
        .get_or_init(|| {
            if std::env::var_os(CACHE_DIR_VAR).is_none() {
                // target/release/paraclinic-kernel → target/kernel-cache
                let target = PathBuf::from(KERNEL_BINARY)
                    .ancestors()
                    .nth(2)
                    .expect("the kernel binary lies in target/<profile>/")
                    .to_owned();
                std::env::set_var(CACHE_DIR_VAR, target.join("kernel-cache"));
            }
            Mutex::new(Evaluator::start(Runtime::Program(KERNEL_BINARY.into())))
        })
        .lock()
        // A failed test leaves the evaluator usable for the others.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Collects a cell's outputs.
#[derive(Default)]
struct Collected(Mutex<Vec<Output>>);

impl OutputSink for Collected {
    fn output(&self, output: Output) {
        self.0.lock().unwrap().push(output);
    }
}

/// Runs a cell: its outcome and its outputs in order.
fn run(evaluator: &mut Evaluator, code: &str) -> (Result<Evaluated, CellError>, Vec<Output>) {
    let sink = Arc::new(Collected::default());
    let outcome = evaluator.run_cell(code, Some(sink.clone()));
    let outputs = std::mem::take(&mut *sink.0.lock().unwrap());
    (outcome, outputs)
}

/// Runs a cell that must succeed.
fn run_ok(evaluator: &mut Evaluator, code: &str) -> (Evaluated, Vec<Output>) {
    match run(evaluator, code) {
        (Ok(evaluated), outputs) => (evaluated, outputs),
        (Err(error), _) => panic!("cell {code:?} failed: {error}\n{:#?}", error.traceback),
    }
}

/// Runs a cell that must fail.
fn run_err(evaluator: &mut Evaluator, code: &str) -> (CellError, Vec<Output>) {
    match run(evaluator, code) {
        (Err(error), outputs) => (error, outputs),
        (Ok(evaluated), _) => panic!("cell {code:?} succeeded: {evaluated:?}"),
    }
}

/// Everything printed on one stream, chunks joined.
fn text_on(outputs: &[Output], wanted: Stream) -> String {
    outputs
        .iter()
        .filter_map(|output| match output {
            Output::Stream { stream, text } if *stream == wanted => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_library_is_preloaded() {
    let mut evaluator = evaluator();
    assert_eq!(evaluator.take_startup_warning(), None);
    let (value, outputs) = run_ok(
        &mut evaluator,
        "analysis::sample_size::cochran_n0(1.96, 0.5, 0.05).is_ok()",
    );
    assert_eq!(value.text(), Some("true"));
    assert_eq!(outputs, []);
}

#[test]
fn a_final_value_is_the_value_and_no_stream() {
    let mut evaluator = evaluator();
    let (value, outputs) = run_ok(&mut evaluator, "let a_value = 20;\na_value * 2 + 2");
    assert_eq!(value.text(), Some("42"));
    assert_eq!(
        value.shown_value().map(|v| Value::Object(v.clone())),
        Some(json!({"text/plain": "42"}))
    );
    assert_eq!(value.timing, None);
    assert_eq!(outputs, []);
}

#[test]
fn a_statement_has_no_value_and_a_unit_value_is_not_shown() {
    let mut evaluator = evaluator();
    let (value, _) = run_ok(&mut evaluator, "let a_statement = 1;");
    assert!(value.value.is_empty());
    assert_eq!(value.shown_value(), None);
    let (value, outputs) = run_ok(&mut evaluator, r#"println!("unit")"#);
    assert_eq!(value.text(), Some("()"));
    assert_eq!(value.shown_value(), None);
    assert_eq!(text_on(&outputs, Stream::Stdout), "unit\n");
}

#[test]
fn print_without_newline_stays_without_newline() {
    let mut evaluator = evaluator();
    let (value, outputs) = run_ok(&mut evaluator, r#"print!("no newline");"#);
    assert_eq!(value.shown_value(), None);
    assert_eq!(
        outputs,
        [Output::Stream {
            stream: Stream::Stdout,
            text: "no newline".into()
        }]
    );
    // Before a final value too: the text keeps its place, the value is the value.
    let (value, outputs) = run_ok(&mut evaluator, "println!(\"one\");\nprint!(\"two\");\n3");
    assert_eq!(value.text(), Some("3"));
    assert_eq!(text_on(&outputs, Stream::Stdout), "one\ntwo");
}

#[test]
fn stderr_is_its_own_stream() {
    let mut evaluator = evaluator();
    let (_, outputs) = run_ok(&mut evaluator, r#"eprintln!("careful"); println!("fine");"#);
    assert_eq!(text_on(&outputs, Stream::Stderr), "careful\n");
    assert_eq!(text_on(&outputs, Stream::Stdout), "fine\n");
}

#[test]
fn a_panic_is_an_error_with_its_message_and_earlier_variables_survive() {
    let mut evaluator = evaluator();
    run_ok(&mut evaluator, "let kept_before_panic = 7;");
    let (error, outputs) = run_err(
        &mut evaluator,
        "println!(\"before\");\npanic!(\"boom {}\", 6 * 7);",
    );
    assert_eq!(error.kind, ErrorKind::Panic);
    assert_eq!(error.kind.name(), "panic");
    assert_eq!(error.message, "boom 42");
    assert_eq!(error.traceback.first().unwrap(), "thread panicked: boom 42");
    // The location is in the crate evcxr generates, not the cell's lines.
    assert!(
        error.traceback[1].starts_with("  at src/lib.rs:")
            && error.traceback[1].ends_with(" (generated code of this cell)"),
        "{:?}",
        error.traceback
    );
    assert_eq!(
        error.traceback.last().unwrap(),
        "Variables defined before this cell are kept; those the cell defined are not."
    );
    // What the cell printed before it panicked is still shown.
    assert_eq!(text_on(&outputs, Stream::Stdout), "before\n");
    let (value, _) = run_ok(&mut evaluator, "kept_before_panic * 6");
    assert_eq!(value.text(), Some("42"));
}

#[test]
fn a_compile_error_gives_rustcs_message_on_the_cells_lines() {
    let mut evaluator = evaluator();
    let (error, outputs) = run_err(&mut evaluator, "let y = undefined_name + 1;");
    assert_eq!(error.kind, ErrorKind::Compilation);
    assert_eq!(error.kind.name(), "CompilationError");
    assert_eq!(
        error.message,
        "cannot find value `undefined_name` in this scope"
    );
    assert_eq!(
        error.traceback[..5],
        [
            "error[E0425]: cannot find value `undefined_name` in this scope",
            " --> cell:1:9",
            "  |",
            "1 | let y = undefined_name + 1;",
            "  |         ^^^^^^^^^^^^^^ not found in this scope",
        ]
    );
    assert_eq!(outputs, []);
}

#[test]
fn variables_persist_between_cells_with_their_types() {
    let mut evaluator = evaluator();
    run_ok(
        &mut evaluator,
        "let persisted: u64 = 40;\nlet inferred = vec![1.5, 2.5];",
    );
    let variables = evaluator.variables();
    assert!(
        variables.contains(&("persisted".into(), "u64".into())),
        "{variables:?}"
    );
    assert!(
        // rustc's name for the type, with its full path (vendor patch 3).
        variables.contains(&("inferred".into(), "std::vec::Vec<f64>".into())),
        "{variables:?}"
    );
    let (value, _) = run_ok(&mut evaluator, "persisted + inferred.len() as u64");
    assert_eq!(value.text(), Some("42"));
}

#[test]
fn a_display_printed_by_the_cell_is_a_display_not_the_value() {
    let mut evaluator = evaluator();
    let (value, outputs) = run_ok(
        &mut evaluator,
        r#"println!("EVCXR_BEGIN_CONTENT text/html\n<b>hi</b>\nEVCXR_END_CONTENT");"#,
    );
    assert_eq!(value.shown_value(), None);
    assert_eq!(
        outputs
            .iter()
            .map(|o| match o {
                Output::Display(data) => Value::Object(data.clone()),
                other => panic!("not a display: {other:?}"),
            })
            .collect::<Vec<_>>(),
        [json!({"text/html": "<b>hi</b>"})]
    );
    // A rich final value is the value, not a display.
    let (value, outputs) = run_ok(
        &mut evaluator,
        "struct Shown;\n\
         impl Shown {\n\
             fn evcxr_display(&self) {\n\
                 println!(\"EVCXR_BEGIN_CONTENT text/html\\n<b>shown</b>\\nEVCXR_END_CONTENT\");\n\
             }\n\
         }\n\
         Shown",
    );
    assert_eq!(
        value.shown_value().map(|v| Value::Object(v.clone())),
        Some(json!({"text/html": "<b>shown</b>"}))
    );
    assert_eq!(outputs, []);
}

#[test]
fn clear_output_is_an_output_in_its_place() {
    let mut evaluator = evaluator();
    let (_, outputs) = run_ok(
        &mut evaluator,
        "println!(\"old\");\nclear_output(true);\nprintln!(\"new\");",
    );
    assert_eq!(
        outputs,
        [
            Output::Stream {
                stream: Stream::Stdout,
                text: "old\n".into()
            },
            Output::ClearOutput { wait: true },
            Output::Stream {
                stream: Stream::Stdout,
                text: "new\n".into()
            },
        ]
    );
}

#[test]
fn timing_is_reported_only_when_asked() {
    let mut evaluator = evaluator();
    run_ok(&mut evaluator, ":timing");
    let (timed, _) = run_ok(&mut evaluator, "1 + 1");
    run_ok(&mut evaluator, ":timing");
    let (untimed, _) = run_ok(&mut evaluator, "2 + 2");
    assert!(timed.timing.is_some());
    assert_eq!(timed.text(), Some("2"));
    assert_eq!(untimed.timing, None);
}

/// Interrupts the cell once it has printed "running". It runs on the
/// evaluator's output thread, so it records rather than asserts: a panic
/// there would stop the output of every later test.
struct InterruptWhenRunning {
    interrupter: Arc<Interrupter>,
    stopped_a_running_cell: AtomicBool,
    outputs: Mutex<Vec<Output>>,
}

impl OutputSink for InterruptWhenRunning {
    fn output(&self, output: Output) {
        if matches!(&output, Output::Stream { text, .. } if text.contains("running")) {
            let was_running = self.interrupter.interrupt();
            self.stopped_a_running_cell
                .store(was_running, Ordering::SeqCst);
        }
        self.outputs.lock().unwrap().push(output);
    }
}

#[test]
fn interrupt_stops_a_running_cell_and_loses_the_variables() {
    let mut evaluator = evaluator();
    let interrupter = evaluator.interrupter();
    assert!(!interrupter.interrupt(), "no cell is running");
    run_ok(&mut evaluator, "let lost_on_interrupt = 1;");
    let sink = Arc::new(InterruptWhenRunning {
        interrupter: interrupter.clone(),
        stopped_a_running_cell: AtomicBool::new(false),
        outputs: Mutex::default(),
    });
    let outcome = evaluator.run_cell(
        "println!(\"running\");\nloop { std::thread::sleep(std::time::Duration::from_millis(10)); }",
        Some(sink.clone()),
    );
    let error = outcome.expect_err("the cell never ends by itself");
    assert_eq!(error.kind, ErrorKind::Interrupted);
    assert_eq!(error.message, "the cell was interrupted");
    assert_eq!(
        error.traceback,
        [
            "Interrupted: the cell was stopped.",
            "The process running your code was restarted; variables were lost.",
        ]
    );
    assert!(sink.stopped_a_running_cell.load(Ordering::SeqCst));
    assert_eq!(
        text_on(&sink.outputs.lock().unwrap(), Stream::Stdout),
        "running\n"
    );
    assert!(!evaluator
        .variables()
        .iter()
        .any(|(name, _)| name == "lost_on_interrupt"));
    // The new process runs cells, and its panic hook is installed again.
    let (value, _) = run_ok(&mut evaluator, "2 + 2");
    assert_eq!(value.text(), Some("4"));
    let (error, _) = run_err(&mut evaluator, r#"panic!("after restart")"#);
    assert_eq!(
        (error.kind, error.message.as_str()),
        (ErrorKind::Panic, "after restart")
    );
}

#[test]
fn completion_and_inspection_know_the_cells_variables() {
    let mut evaluator = evaluator();
    run_ok(&mut evaluator, "let completion_target = 1.5;");
    let completions = evaluator.complete("completion_t", 12);
    assert!(
        completions.matches.iter().any(|m| m == "completion_target"),
        "{completions:?}"
    );
    assert_eq!((completions.start, completions.end), (0, 12));
    let inspection = evaluator.inspect("completion_target * 2.0", 3);
    assert_eq!(
        inspection.variable,
        Some(("completion_target".into(), "f64".into()))
    );
}
