"""Conformance and protocol tests of the installed `paraclinic` kernel.

Runs the Jupyter project's own kernel test suite (jupyter_kernel_test) with a
full set of samples, plus tests of what the suite does not cover: forged
messages, interrupts, live displays, panics, the preloaded analysis library.

Run with the venv from scripts/setup-python after installing the kernelspec:
    .venv/bin/python -m pytest tests/kernel -v
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import time
from pathlib import Path
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

KERNEL_NAME = "paraclinic"
# The first cell may wait for the engine to compile the analysis library
# (only on a machine whose build cache is cold).
FIRST_CELL_TIMEOUT = int(os.environ.get("PARACLINIC_FIRST_CELL_TIMEOUT", "1800"))
CELL_TIMEOUT = 300

# jupyter_kernel_test waits TIMEOUT seconds for a reply; a Rust cell is a
# compile, so give it the time one takes on a slow, shared CI machine.
jupyter_kernel_test.TIMEOUT = CELL_TIMEOUT


def run_cell(kc, code, timeout=CELL_TIMEOUT, **kwargs):
    """Executes `code`; returns (reply, [iopub messages of this request])."""
    msg_id = kc.execute(code, **kwargs)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        outputs.append(msg)
    return reply, outputs


def warm_up(kc):
    """The first cell waits for the engine to start; give it the time."""
    reply, _ = run_cell(kc, "1", timeout=FIRST_CELL_TIMEOUT, store_history=False)
    assert reply["content"]["status"] == "ok", reply["content"]


class ParaclinicKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rust"
    file_extension = ".rs"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # unittest skips tearDownClass when setUpClass fails: stop the
        # kernel here, or it keeps its build slot (and the next kernel
        # starts with a cold one).
        try:
            warm_up(cls.kc)
        except BaseException:
            cls.tearDownClass()
            raise

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("to stderr");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"paraclinic".len()', "result": "10"},
        {"code": "vec![1, 2, 3]", "result": "[1, 2, 3]"},
    ]
    # Matches exactly one of the codes above.
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        # An analysis result: rich HTML table plus text.
        {
            "code": 'let t = analysis::Table::new("T", &["a"]);\ndisplay!(t);',
            "mime": "text/html",
        },
        {
            "code": 'let t = analysis::Table::new("T", &["a"]);\ndisplay!(t);',
            "mime": "text/plain",
        },
        # evcxr's display protocol printed by the cell: output produced
        # while a cell runs is display_data (issue 11), even without a
        # type that implements evcxr_display.
        {
            "code": 'println!("EVCXR_BEGIN_CONTENT text/html\\n<b>hi</b>\\nEVCXR_END_CONTENT");',
            "mime": "text/html",
        },
        # A plot: SVG.
        {
            "code": 'let f = analysis::plots::Figure { title: "f".into(), svg: "<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>".into() };\ndisplay!(f);',
            "mime": "image/svg+xml",
        },
    ]

    code_clear_output = 'println!("step 1");\nclear_output(true);\nprintln!("step 2");'

    code_generate_error = 'let v: Vec<i32> = Vec::new();\nlet _ = v[3];'

    code_inspect_sample = "String"

    completion_samples = [
        {"text": "Strin", "matches": {"String"}},
    ]

    complete_code_samples = [
        "1",
        'println!("hi");',
        "fn f(x: i32) -> i32 {\n    x + 1\n}",
        "let s = \"{ not a bracket\";",
        "let c = '(';",
        "/* ( */ let x = 1;",
        ":dep rand = \"0.9\"",
    ]
    incomplete_code_samples = [
        "fn f() {",
        "let v = vec![1,\n2,",
        'let s = "unterminated',
        "/* a comment",
        "let x = 1 +",
    ]
    invalid_code_samples = [
        "}",
        "let x = (1];",
        "fn f() { ) }",
    ]


class ProtocolTests(unittest.TestCase):
    """What the conformance suite does not check."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
        try:
            warm_up(cls.kc)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def flush(self):
        for get in (self.kc.get_shell_msg, self.kc.get_iopub_msg):
            while True:
                try:
                    get(timeout=0.2)
                except queue.Empty:
                    break

    def test_forged_message_is_not_executed(self):
        """A request signed with the wrong key must be dropped unexecuted."""
        kc = self.kc
        run_cell(kc, "let forged_marker: i32 = 0;")
        self.flush()
        socket = kc.shell_channel.socket
        content = {
            "code": "let forged_marker: i32 = 1;",
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        # Signed with the wrong key.
        forger = Session(key=b"not-the-key", session=kc.session.session)
        forger.send(socket, "execute_request", content)
        with self.assertRaises(queue.Empty):
            kc.get_shell_msg(timeout=5)
        # Not signed at all.
        unsigned = Session(key=b"", session=kc.session.session)
        content["code"] = "let forged_marker: i32 = 2;"
        unsigned.send(socket, "execute_request", content)
        with self.assertRaises(queue.Empty):
            kc.get_shell_msg(timeout=5)
        # The kernel is alive, answers properly signed requests, and the
        # variable still has its original value.
        reply, outputs = run_cell(kc, "forged_marker")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "0")

    def test_kernel_info_is_immediate_and_on_control(self):
        kc = self.kc
        msg = kc.session.msg("kernel_info_request", {})
        kc.control_channel.send(msg)
        reply = kc.get_control_msg(timeout=10)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["content"]["language_info"]["name"], "rust")

    def test_panic_is_one_error_and_variables_survive(self):
        kc = self.kc
        run_cell(kc, "let survivor = 41;")
        reply, outputs = run_cell(kc, 'panic!("boom {}", 7);')
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, outputs)
        self.assertEqual(errors[0]["content"]["ename"], "panic")
        self.assertEqual(errors[0]["content"]["evalue"], "boom 7")
        self.assertFalse([m for m in outputs if m["msg_type"] == "stream"], outputs)
        reply, outputs = run_cell(kc, "survivor + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_compile_error_is_readable(self):
        reply, outputs = run_cell(self.kc, "let y = undefined_name + 1;")
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        content = errors[0]["content"]
        self.assertEqual(content["ename"], "CompilationError")
        self.assertIn("undefined_name", content["evalue"])
        text = "\n".join(content["traceback"])
        self.assertIn("E0425", text)
        self.assertIn("1 | let y = undefined_name + 1;", text)
        self.assertIn("^^^^^^^^^^^^^^", text)

    def test_every_display_is_sent_when_produced(self):
        """Three displays in a loop arrive as three display_data messages,
        each before the output printed after it."""
        code = (
            "for i in 0..3 {\n"
            '    let t = analysis::Table::new(format!("step {i}"), &["x"]);\n'
            "    display!(t);\n"
            '    println!("after {i}");\n'
            "}"
        )
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [
            m["msg_type"] if m["msg_type"] != "stream" else m["content"]["text"].strip()
            for m in outputs
        ]
        displays = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 3, kinds)
        self.assertIn("step 2", displays[2]["content"]["data"]["text/html"])
        # The first display comes before "after 0".
        first_display = kinds.index("display_data")
        first_text = next(i for i, k in enumerate(kinds) if isinstance(k, str) and "after 0" in k)
        self.assertLess(first_display, first_text, kinds)

    def test_display_is_live_while_the_cell_runs(self):
        """A display reaches the client while the cell is still sleeping."""
        kc = self.kc
        msg_id = kc.execute(
            'display!(analysis::Table::new("live", &["x"]));\n'
            "std::thread::sleep(std::time::Duration::from_secs(4));"
        )
        arrived_before_idle = False
        while True:
            msg = kc.get_iopub_msg(timeout=CELL_TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "display_data":
                # The reply (sent at the end) must not be there yet.
                try:
                    kc.get_shell_msg(timeout=0.5)
                    arrived_before_idle = False
                except queue.Empty:
                    arrived_before_idle = True
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertTrue(arrived_before_idle)
        self.flush()

    def test_analysis_result_renders_rich_by_itself(self):
        """A Render type as the final expression is an HTML execute_result."""
        code = (
            "#[derive(serde::Serialize)] struct R { n: usize }\n"
            "impl analysis::Render for R {\n"
            "    fn tables(&self) -> Vec<analysis::Table> {\n"
            '        let mut t = analysis::Table::new("Result", &["n"]);\n'
            "        t.row(vec![self.n.to_string()]);\n"
            "        vec![t]\n"
            "    }\n"
            "}\n"
            "R { n: 385 }"
        )
        reply, outputs = run_cell(self.kc, ":dep serde = { version = \"1\", features = [\"derive\"] }\n" + code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, outputs)
        data = results[0]["content"]["data"]
        self.assertIn("<table", data["text/html"])
        self.assertIn("385", data["text/plain"])

    def test_library_result_is_rich_without_any_glue_in_the_cell(self):
        """A result type of the preloaded library (a reproduction step) as a
        cell's value shows with no glue in the cell: its tables (HTML and
        plain text), then each of its figures as an output of its own (PNG
        with its display size, beside the SVG: step 1 draws Cochran's curve
        and the SEM's power curve); several outputs, so display_data in
        order and no execute_result."""
        code = "study::reproduction::sample_size::run(&study::published::contracting_model()).unwrap()"
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        self.assertEqual([m for m in outputs if m["msg_type"] == "execute_result"], [], outputs)
        displays = [m["content"] for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 3, outputs)
        data = displays[0]["data"]
        self.assertIn("<table", data["text/html"])
        self.assertIn("384.16", data["text/html"])
        self.assertNotIn("<svg", data["text/html"])
        self.assertIn("384.16", data["text/plain"])
        self.assertNotIn("<table", data["text/plain"])
        for figure, title in zip(displays[1:], ["Sample size against margin of error", "Power against sample size"]):
            self.assertTrue(figure["data"]["image/png"].startswith("iVBORw0KGgo"), figure)
            self.assertIn("<svg", figure["data"]["image/svg+xml"])
            self.assertIn(title, figure["data"]["image/svg+xml"])
            self.assertNotIn("application/vnd.paraclinic.metadata+json", figure["data"])
            self.assertGreater(figure["metadata"]["image/png"]["width"], 100, figure["metadata"])
        # The same value shown with display() mid-cell is a display_data.
        code = (
            "let audit = analysis::audit::audit(&study::published::contracting_model(), "
            "&analysis::audit::AuditOptions { replications: 50, ..Default::default() });\n"
            "display(&audit);\n"
            'println!("shown");'
        )
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        displays = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 1, outputs)
        self.assertIn("<table", displays[0]["content"]["data"]["text/html"])
        self.assertIn("text/plain", displays[0]["content"]["data"])

    def test_figure_is_png_and_svg_by_itself(self):
        code = (
            "analysis::plots::sample_size_curve(&[(0.03, 1067.1), (0.05, 384.16), (0.1, 96.04)], "
            "Some((0.05, 384.16))).unwrap()"
        )
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, outputs)
        data = results[0]["content"]["data"]
        self.assertIn("<svg", data["image/svg+xml"])
        self.assertTrue(data["image/png"].startswith("iVBORw0KGgo"), data)
        self.assertIn("text/plain", data)
        # The PNG is laid out at the SVG's size (it has twice the pixels).
        size = results[0]["content"]["metadata"]["image/png"]
        self.assertIn(f'width="{size["width"]}"', data["image/svg+xml"])
        self.assertIn(f'height="{size["height"]}"', data["image/svg+xml"])

    def test_evcxr_content_protocol_keeps_working(self):
        code = (
            "struct Doc;\n"
            "impl Doc { fn evcxr_display(&self) {\n"
            '    println!("EVCXR_BEGIN_CONTENT text/markdown\\n# Title\\nEVCXR_END_CONTENT");\n'
            "} }\n"
            "Doc"
        )
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/markdown"], "# Title")

    def collect_replies(self, msg_ids):
        """The execute replies to `msg_ids`, by id, in whatever order."""
        replies = {}
        while len(replies) < len(msg_ids):
            reply = self.kc.get_shell_msg(timeout=CELL_TIMEOUT)
            parent = reply["parent_header"].get("msg_id")
            if parent in msg_ids:
                replies[parent] = reply["content"]
        self.flush()
        return replies

    def test_cell_sent_after_an_error_reply_runs(self):
        """stop_on_error aborts only what was queued when the error
        happened: a cell sent after the error's reply runs (issue 11)."""
        kc = self.kc
        reply, _ = run_cell(kc, "let soe = undefined_name_soe + 1;")
        self.assertEqual(reply["content"]["status"], "error")
        reply, outputs = run_cell(kc, "40 + 2")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")
        # Also after a panic, and right after the reply (no pause).
        reply, _ = run_cell(kc, 'panic!("stop here");')
        self.assertEqual(reply["content"]["status"], "error")
        reply, _ = run_cell(kc, "let after_panic = 1;")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])

    def test_cells_queued_behind_an_error_are_aborted(self):
        """As in ipykernel: requests already queued when a cell fails (with
        stop_on_error, the default) are answered `aborted` without running;
        the next request after that runs."""
        kc = self.kc
        failing = kc.execute("let queued_fail = undefined_name_queued + 1;")
        queued = [kc.execute("let queued_ran_1 = 1;"), kc.execute("let queued_ran_2 = 2;")]
        replies = self.collect_replies([failing] + queued)
        self.assertEqual(replies[failing]["status"], "error")
        for msg_id in queued:
            self.assertEqual(replies[msg_id]["status"], "aborted", replies[msg_id])
        # Aborted cells did not run.
        reply, _ = run_cell(kc, "queued_ran_1")
        self.assertEqual(reply["content"]["status"], "error")
        # Without stop_on_error a queued cell runs after the failure.
        failing = kc.execute("let queued_fail = undefined_name_queued + 1;", stop_on_error=False)
        queued = kc.execute("let queued_ran_3 = 3;")
        replies = self.collect_replies([failing, queued])
        self.assertEqual(replies[failing]["status"], "error")
        self.assertEqual(replies[queued]["status"], "ok", replies[queued])
        reply, outputs = run_cell(kc, "queued_ran_3")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])

    def test_completion_offers_variables_and_analysis_names(self):
        kc = self.kc
        reply, outputs = run_cell(kc, "let sample_size_estimate = 385;")
        self.assertEqual(reply["content"]["status"], "ok", outputs)
        kc.complete("sample_si", 9)
        reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
        self.assertIn("sample_size_estimate", reply["content"]["matches"])
        code = "analysis::sampl"
        kc.complete(code, len(code))
        reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
        # rust-analyzer completes a module with its path separator.
        self.assertIn("sample_size::", reply["content"]["matches"])
        self.assertNotIn("sample_size_estimate", reply["content"]["matches"])
        self.assertEqual(reply["content"]["cursor_start"], len("analysis::"))

    def test_inspect_shows_documentation(self):
        kc = self.kc
        code = "analysis::Dataset"
        kc.inspect(code, len(code))
        reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
        self.assertTrue(reply["content"]["found"], reply["content"])
        self.assertIn("Dataset", reply["content"]["data"]["text/plain"])

    def test_comm_info(self):
        self.kc.comm_info()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})

    def result_of(self, code):
        reply, outputs = run_cell(self.kc, code)
        self.assertEqual(reply["content"]["status"], "ok", (code, reply["content"]))
        results = [m["content"]["data"]["text/plain"] for m in outputs
                   if m["msg_type"] == "execute_result"]
        return results[0] if results else None

    def test_local_dependency_is_rebuilt_when_edited(self):
        """Cells after the first skip cargo and run the recorded rustc
        command (kernel/vendor/README.md); a `:dep` added later, and an edit
        to a local dependency's source, must still reach the next cell, as
        they would through cargo."""
        # The crate stays a dependency of this kernel's session: remove it
        # only after the kernel has shut down.
        tmp = tempfile.mkdtemp(prefix="paraclinic-tinydep-")
        type(self).addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        crate = Path(tmp) / "tinydep"
        (crate / "src").mkdir(parents=True)
        (crate / "Cargo.toml").write_text(
            '[package]\nname = "tinydep"\nversion = "0.1.0"\nedition = "2021"\n'
        )
        lib = crate / "src" / "lib.rs"
        lib.write_text("pub fn scaled(x: i64) -> i64 { 3 * x }\n")
        self.assertIsNone(self.result_of("let base: i64 = 7;"))
        self.assertIsNone(self.result_of(f':dep tinydep = {{ path = "{crate.as_posix()}" }}'))
        self.assertEqual(self.result_of("tinydep::scaled(base)"), "21")
        self.assertEqual(self.result_of("tinydep::scaled(base + 1)"), "24")
        # Editors may keep the modification time's second: make it later.
        time.sleep(1.1)
        lib.write_text("pub fn scaled(x: i64) -> i64 { 4 * x }\n")
        self.assertEqual(self.result_of("tinydep::scaled(base)"), "28")
        self.assertEqual(self.result_of("tinydep::scaled(base + 1)"), "32")
        # A compile error on the direct path is reported like any other.
        reply, outputs = run_cell(self.kc, "tinydep::missing(base)")
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, outputs)
        self.assertIn("missing", errors[0]["content"]["evalue"])
        self.assertEqual(self.result_of("base * 6"), "42")

    def test_interrupt_stops_a_runaway_cell(self):
        kc = self.kc
        msg_id = kc.execute("loop { std::thread::sleep(std::time::Duration::from_millis(10)); }")
        # Wait until the cell is running (compiled), then interrupt.
        time.sleep(float(os.environ.get("PARACLINIC_INTERRUPT_DELAY", "20")))
        self.km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.flush()
        reply, outputs = run_cell(kc, "2 + 2")
        self.assertEqual(reply["content"]["status"], "ok")
        # Panics are still reported after the restart of the user process.
        reply, outputs = run_cell(kc, 'panic!("after restart")')
        errors = [m for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(errors[0]["content"]["evalue"], "after restart")


class NotebookTests(unittest.TestCase):
    """A notebook run the way nbclient (and `jupyter nbconvert --execute`) runs it."""

    def test_notebook_runs_under_nbclient(self):
        import nbclient
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Rust (paraclinic)", "language": "rust"}
        nb.cells = [
            nbformat.v4.new_code_cell('let n: usize = 385;\nprintln!("n = {n}");'),
            nbformat.v4.new_code_cell(
                'let mut t = analysis::Table::new("Sample", &["n"]);\nt.row(vec![n.to_string()]);\nt'
            ),
            nbformat.v4.new_code_cell(
                "for i in 0..2 {\n    clear_output(true);\n"
                '    display!(analysis::Table::new(format!("progress {i}"), &["x"]));\n}'
            ),
        ]
        client = nbclient.NotebookClient(
            nb, kernel_name=KERNEL_NAME, timeout=FIRST_CELL_TIMEOUT, startup_timeout=60
        )
        client.execute()
        first, table, progress = (cell.outputs for cell in nb.cells)
        self.assertEqual(first[0]["name"], "stdout")
        self.assertEqual(first[0]["text"], "n = 385\n")
        self.assertEqual(table[0]["output_type"], "execute_result")
        self.assertIn("<td style=\"text-align:right\">385</td>", table[0]["data"]["text/html"])
        # clear_output(wait) before each display leaves only the last one.
        self.assertEqual(len(progress), 1, progress)
        self.assertIn("progress 1", progress[0]["data"]["text/html"])


class LifecycleTests(unittest.TestCase):
    def test_shutdown_with_and_without_restart(self):
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
        try:
            msg = kc.session.msg("shutdown_request", {"restart": True})
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=10)
            self.assertEqual(reply["content"], {"status": "ok", "restart": True})
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=60)
            msg = kc.session.msg("shutdown_request", {"restart": False})
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=10)
            self.assertEqual(reply["content"], {"status": "ok", "restart": False})
            deadline = time.time() + 10
            while km.is_alive() and time.time() < deadline:
                time.sleep(0.1)
            self.assertFalse(km.is_alive())
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
