"""The differential corpus of everyday cells: loading it and running it.

Shared by the generator of the evcxr_jupyter fixture
(tests/reference/kernel_corpus.py) and the test of the paraclinic kernel
(tests/kernel/test_corpus.py), so both kernels are driven and recorded the
same way: one kernel per session, one cell at a time, each cell sent only
after the previous one's reply and idle status arrived.

A cell's record:
    status          the execute_reply's status ("ok", "error", "aborted"),
                    or "timeout" / "not run" when the kernel did not answer
    ename, evalue   the `error` message's ename and evalue (None without one)
    result          the execute_result's data, {mime: text} (None without one)
    display_data    [{mime: text}, ...], the display_data messages in order
    stdout, stderr  all stream text of the cell, concatenated per stream
"""

from __future__ import annotations

import json
import os
import queue
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CELLS = HERE / "cells.toml"
FIXTURE = ROOT / "tests" / "fixtures" / "kernel" / "corpus_evcxr.json"

# After a cell's idle status, keep listening this long for stream messages
# of the cell: evcxr_jupyter forwards the user process's output from
# another thread, and a line can trail the idle status.
TRAILING_OUTPUT_SECONDS = 0.5


def kernel_env() -> dict:
    """The environment both kernels run in: this one's, without what would
    make a panic's output depend on the machine (a backtrace)."""
    env = dict(os.environ)
    env.pop("RUST_BACKTRACE", None)
    env.pop("RUST_LIB_BACKTRACE", None)
    return env


def load_corpus(path: Path = CELLS) -> list[dict]:
    """The sessions of the corpus, each {name, paraclinic_only, cells}."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    sessions = []
    seen = set()
    for s in data["session"]:
        cells = s["cell"]
        for c in cells:
            if c["id"] in seen:
                raise ValueError(f"duplicate cell id {c['id']}")
            seen.add(c["id"])
            if s.get("paraclinic_only") and "expect" not in c:
                raise ValueError(f"{c['id']}: a paraclinic-only cell needs `expect`")
            if "deliberate" in c and "reason" not in c["deliberate"]:
                raise ValueError(f"{c['id']}: a deliberate difference needs a reason")
        sessions.append(
            {
                "name": s["name"],
                "paraclinic_only": bool(s.get("paraclinic_only", False)),
                "cells": cells,
            }
        )
    return sessions


def _text(value) -> str:
    if isinstance(value, list):  # multi-line strings may come as lists
        return "".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _data(data: dict) -> dict:
    return {mime: _text(v) for mime, v in sorted(data.items())}


def execute(kc, code: str, timeout: float) -> dict:
    """Runs one cell and returns its record (see the module's docstring)."""
    msg_id = kc.execute(code, store_history=True, stop_on_error=True)
    record = {
        "status": None,
        "ename": None,
        "evalue": None,
        "result": None,
        "display_data": [],
        "stdout": "",
        "stderr": "",
    }
    deadline = time.monotonic() + timeout
    # The reply.
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            record["status"] = "timeout"
            return record
        try:
            reply = kc.get_shell_msg(timeout=remaining)
        except queue.Empty:
            continue
        if reply["parent_header"].get("msg_id") == msg_id:
            record["status"] = reply["content"]["status"]
            break
    # Its output, up to the idle status, and what trails it.
    idle_at = None
    while True:
        if idle_at is not None:
            wait = idle_at + TRAILING_OUTPUT_SECONDS - time.monotonic()
            if wait <= 0:
                break
        else:
            wait = deadline - time.monotonic()
            if wait <= 0:
                record["status"] = "timeout"
                return record
        try:
            msg = kc.get_iopub_msg(timeout=wait)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status":
            if content["execution_state"] == "idle":
                idle_at = time.monotonic()
        elif kind == "stream":
            record[content["name"]] += content["text"]
        elif kind == "execute_result":
            if record["result"] is None:
                record["result"] = {}
            # evcxr_jupyter sends a second execute_result for `:timing`;
            # merge so nothing is lost.
            record["result"].update(_data(content["data"]))
        elif kind == "display_data":
            record["display_data"].append(_data(content["data"]))
        elif kind == "error":
            record["ename"] = content["ename"]
            record["evalue"] = content.get("evalue")
    return record


def run_session(kc, cells: list[dict], first_timeout: float, timeout: float, log=None) -> dict:
    """Runs the cells in order in the kernel behind `kc`; {cell id: record}.

    After two cells in a row without an answer the kernel is taken for
    lost and the rest of the session is recorded as "not run"."""
    records = {}
    lost = 0
    for i, cell in enumerate(cells):
        if lost >= 2:
            records[cell["id"]] = {"status": "not run", "ename": None, "evalue": None, "result": None,
                                   "display_data": [], "stdout": "", "stderr": ""}
            continue
        started = time.monotonic()
        record = execute(kc, cell["code"], first_timeout if i == 0 else timeout)
        lost = lost + 1 if record["status"] == "timeout" else 0
        records[cell["id"]] = record
        if log:
            log(f"{cell['id']}: {record['status']} ({time.monotonic() - started:.1f} s)")
    return records


def warm_up(kc, timeout: float) -> None:
    """A first cell outside the corpus: it waits for the engine to start
    (and, for paraclinic, for a cold build cache), so the corpus's own
    first cell runs under the ordinary timeout."""
    record = execute(kc, "1", timeout)
    if record["status"] != "ok":
        raise RuntimeError(f"the kernel did not run its first cell: {record}")
