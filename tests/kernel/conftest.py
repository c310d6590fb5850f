"""Prints the differential corpus's summary (tests/kernel/test_corpus.py)
after the test run, and writes it to target/kernel-corpus-summary.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get("test_corpus")
    if module is None:
        return
    summary = module.SUMMARY
    ran = sum(len(v) for v in summary.values())
    if not ran:
        return
    tr = terminalreporter
    tr.section("differential corpus (paraclinic vs evcxr_jupyter 0.22.0)")
    tr.write_line(
        f"{ran} cells: {len(summary['agree'])} agree with evcxr_jupyter, "
        f"{len(summary['deliberate'])} deliberately differ (as the corpus says), "
        f"{len(summary['expect'])} paraclinic-only as expected, "
        f"{len(summary['fail'])} fail"
    )
    for cid, problems in summary["fail"]:
        tr.write_line(f"  FAIL {cid}: " + "; ".join(p[:160] for p in problems))
    out = Path(__file__).resolve().parents[2] / "target" / "kernel-corpus-summary.json"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    except OSError:
        pass
