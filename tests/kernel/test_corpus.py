"""The differential corpus of everyday cells (issue 11, point 1).

Runs every session of tests/kernel/corpus/cells.toml through the installed
`paraclinic` kernel, one kernel per session, and compares each cell with
what evcxr_jupyter 0.22.0 answered (tests/fixtures/kernel/corpus_evcxr.json,
written by tests/reference/kernel_corpus.py):

- the reply status,
- the text/plain of the execute_result (or that there is none),
- the stdout and the stderr text,
- every rich (non-text/plain) content, wherever it came in the cell;

except where the cell's `deliberate` table in cells.toml names a deliberate
difference and its reason. evcxr_jupyter names every error "Error"; we name
the kind (CompilationError, panic, ...), so for an error only the presence
of a name is compared. Cells of `paraclinic_only` sessions (the `analysis`
library, which evcxr_jupyter cannot load without `:dep`) are checked against
their `expect` table, whose values come from hand computations.

Each cell is its own test (named by its id), so `pytest -v` lists every
cell; the summary at the end counts agreements and deliberate differences.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
import corpus  # noqa: E402

KERNEL_NAME = "paraclinic"
FIRST_CELL_TIMEOUT = int(os.environ.get("PARACLINIC_FIRST_CELL_TIMEOUT", "1800"))
CELL_TIMEOUT = 300

SESSIONS = corpus.load_corpus()
FIXTURE = json.loads(corpus.FIXTURE.read_text())
EXPECTED = {
    cell["id"]: cell for cells in FIXTURE["sessions"].values() for cell in cells
}
CASES = [
    pytest.param(session, cell, id=cell["id"])
    for session in SESSIONS
    for cell in session["cells"]
]

# Filled as the tests run; printed by conftest.py's terminal summary.
SUMMARY: dict[str, list] = {"agree": [], "deliberate": [], "expect": [], "fail": []}

_results: dict[str, dict] = {}


def session_records(session: dict) -> dict:
    """Runs a session once (on its first cell's test) and keeps its records."""
    name = session["name"]
    if name not in _results:
        km, kc = start_new_kernel(
            kernel_name=KERNEL_NAME, startup_timeout=120, cwd=str(corpus.ROOT),
            env=corpus.kernel_env(),
        )
        try:
            corpus.warm_up(kc, FIRST_CELL_TIMEOUT)
            _results[name] = corpus.run_session(
                kc, session["cells"], CELL_TIMEOUT, CELL_TIMEOUT
            )
        except BaseException as e:  # a session that cannot start fails every cell
            _results[name] = {"error": repr(e)}
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return _results[name]


def text_plain(record: dict):
    result = record.get("result") or {}
    return result.get("text/plain")


def rich(record: dict) -> dict:
    """Every non-text/plain content of the cell, wherever it came."""
    out = {}
    for data in [record.get("result") or {}] + list(record.get("display_data") or []):
        for mime, text in data.items():
            if mime != "text/plain":
                out[mime] = text
    return out


def expectation_from_fixture(fixture: dict, deliberate: dict | None) -> dict:
    exp = {
        "status": fixture["status"],
        "has_ename": fixture["status"] == "error",
        "text_plain": text_plain(fixture),
        "stdout": fixture["stdout"],
        "stderr": fixture["stderr"],
        "rich": rich(fixture),
    }
    if deliberate:
        for key in ("status", "stdout", "stderr", "text_plain"):
            if key in deliberate:
                exp[key] = deliberate[key]
        if deliberate.get("no_result"):
            exp["text_plain"] = None
        if "status" in deliberate:
            exp["has_ename"] = deliberate["status"] == "error"
        if "ename" in deliberate:
            exp["ename"] = deliberate["ename"]
        if "stderr_contains" in deliberate:
            del exp["stderr"]
            exp["stderr_contains"] = deliberate["stderr_contains"]
        if "display_data" in deliberate:
            exp["display_data"] = deliberate["display_data"]
    return exp


def compare(exp: dict, got: dict) -> list[str]:
    problems = []

    def check(what, want, have):
        if want != have:
            problems.append(f"{what}: expected {want!r}, got {have!r}")

    check("status", exp["status"], got["status"])
    if exp.get("has_ename") and not got.get("ename"):
        problems.append(f"ename: expected an error message, got {got.get('ename')!r}")
    if "ename" in exp:
        check("ename", exp["ename"], got.get("ename"))
    check("text/plain", exp["text_plain"], text_plain(got))
    check("stdout", exp["stdout"], got["stdout"])
    if "stderr" in exp:
        check("stderr", exp["stderr"], got["stderr"])
    if "stderr_contains" in exp and exp["stderr_contains"] not in got["stderr"]:
        problems.append(f"stderr: expected to contain {exp['stderr_contains']!r}, got {got['stderr']!r}")
    check("rich content", exp["rich"], rich(got))
    for mime in exp.get("display_data", []):
        shown = [d for d in got["display_data"] if mime in d]
        if not shown:
            problems.append(f"{mime}: expected as display_data, got display_data "
                            f"{got['display_data']!r} and execute_result {got['result']!r}")
        if mime in (got["result"] or {}):
            problems.append(f"{mime}: expected only as display_data, also in the execute_result")
    return problems


def compare_with_expect(expect: dict, got: dict) -> list[str]:
    problems = []
    if expect["status"] != got["status"]:
        problems.append(f"status: expected {expect['status']!r}, got {got['status']!r}")
    have = text_plain(got)
    if "text_plain" in expect:
        want = expect["text_plain"] or None  # "" means no result at all
        if want != have:
            problems.append(f"text/plain: expected {want!r}, got {have!r}")
    if "text_plain_contains" in expect and expect["text_plain_contains"] not in (have or ""):
        problems.append(f"text/plain: expected to contain {expect['text_plain_contains']!r}, got {have!r}")
    if "stdout" in expect and expect["stdout"] != got["stdout"]:
        problems.append(f"stdout: expected {expect['stdout']!r}, got {got['stdout']!r}")
    if "stderr" in expect and expect["stderr"] != got["stderr"]:
        problems.append(f"stderr: expected {expect['stderr']!r}, got {got['stderr']!r}")
    if "stderr_contains" in expect and expect["stderr_contains"] not in got["stderr"]:
        problems.append(f"stderr: expected to contain {expect['stderr_contains']!r}, got {got['stderr']!r}")
    mimes = set((got.get("result") or {}).keys())
    for d in got.get("display_data") or []:
        mimes |= set(d.keys())
    for mime in expect.get("mime", []):
        if mime not in mimes:
            problems.append(f"mime: expected {mime} in the output, got {sorted(mimes)}")
    return problems


def report(cell: dict, want, got: dict, problems: list[str]) -> str:
    lines = [f"cell {cell['id']}:", "    " + cell["code"].replace("\n", "\n    ")]
    lines += ["  " + p for p in problems]
    lines.append(f"  expected (full): {json.dumps(want, ensure_ascii=False)}")
    lines.append(f"  got (full):      {json.dumps(got, ensure_ascii=False)}")
    return "\n".join(lines)


@pytest.mark.parametrize("session,cell", CASES)
def test_cell(session, cell):
    records = session_records(session)
    if "error" in records:
        SUMMARY["fail"].append((cell["id"], ["session did not run: " + records["error"]]))
        pytest.fail(f"session {session['name']} did not run: {records['error']}")
    got = records[cell["id"]]
    if session["paraclinic_only"]:
        want = cell["expect"]
        problems = compare_with_expect(want, got)
        bucket = "expect"
    else:
        fixture = EXPECTED.get(cell["id"])
        assert fixture is not None, (
            f"{cell['id']} is not in {corpus.FIXTURE.name}: "
            "regenerate it with tests/reference/kernel_corpus.py"
        )
        assert fixture["code"] == cell["code"], (
            f"{cell['id']} changed since {corpus.FIXTURE.name} was written: regenerate it"
        )
        deliberate = cell.get("deliberate")
        want = expectation_from_fixture(fixture, deliberate)
        problems = compare(want, got)
        bucket = "deliberate" if deliberate else "agree"
    if problems:
        SUMMARY["fail"].append((cell["id"], problems))
        pytest.fail(report(cell, want, got, problems), pytrace=False)
    SUMMARY[bucket].append(cell["id"])


def test_fixture_covers_the_corpus():
    """Every cell of an evcxr-compared session is in the fixture, unchanged."""
    for session in SESSIONS:
        if session["paraclinic_only"]:
            continue
        recorded = [c["id"] for c in FIXTURE["sessions"].get(session["name"], [])]
        assert recorded == [c["id"] for c in session["cells"]], session["name"]


def test_corpus_is_large_enough():
    n = sum(len(s["cells"]) for s in SESSIONS)
    library = sum(len(s["cells"]) for s in SESSIONS if s["paraclinic_only"])
    assert n >= 160, n
    assert library >= 25, library
