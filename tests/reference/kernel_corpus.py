"""Records what evcxr_jupyter 0.22.0 answers to the differential corpus of
everyday cells (tests/kernel/corpus/cells.toml), so that CI can compare the
paraclinic kernel with it without installing a second kernel.

    tests/reference/generate.sh kernel_corpus
    # or directly, with any Python that has jupyter_client:
    python tests/reference/kernel_corpus.py [--check]

Installs evcxr_jupyter 0.22.0 under target/evcxr-jupyter when it is missing
(as scripts/bench-kernel does; a long compile), gives it a kernelspec in a
temporary directory, runs every session that is not `paraclinic_only` in a
fresh kernel, and writes tests/fixtures/kernel/corpus_evcxr.json. With
--check the fixture is not written: the run is compared with the committed
one and the cells that differ are listed (a determinism check).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "kernel" / "corpus"))

import corpus  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

EVCXR_VERSION = "0.22.0"
EVCXR_ROOT = ROOT / "target" / "evcxr-jupyter"
EVCXR_BIN = EVCXR_ROOT / "bin" / "evcxr_jupyter"
KERNEL_NAME = "evcxr-corpus"
TIMEOUT = 600
THREAD_ID = re.compile(r"(thread '[^']*' )\(\d+\) panicked")


def ensure_evcxr() -> None:
    if EVCXR_BIN.exists():
        return
    print(f"== installing evcxr_jupyter {EVCXR_VERSION} into {EVCXR_ROOT}", flush=True)
    subprocess.run(
        ["cargo", "install", "evcxr_jupyter", "--version", EVCXR_VERSION,
         "--locked", "--root", str(EVCXR_ROOT)],
        check=True,
    )


def rustc_version() -> str:
    out = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def normalize(record: dict) -> dict:
    """What would differ from run to run: a panic message names the user
    process's thread id (its pid)."""
    record = dict(record)
    for name in ("stdout", "stderr"):
        record[name] = THREAD_ID.sub(r"\1(<thread id>) panicked", record[name])
    return record


def run_all(spec_dir: Path) -> dict:
    ksm = KernelSpecManager(kernel_dirs=[str(spec_dir)])
    sessions = {}
    for session in corpus.load_corpus():
        if session["paraclinic_only"]:
            continue
        print(f"== session {session['name']} ({len(session['cells'])} cells)", flush=True)
        km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
        km.start_kernel(cwd=str(ROOT), env=corpus.kernel_env())
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            corpus.warm_up(kc, TIMEOUT)
            records = corpus.run_session(
                kc, session["cells"], TIMEOUT, TIMEOUT,
                log=lambda line: print("  " + line, flush=True),
            )
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        sessions[session["name"]] = [
            {"id": cell["id"], "code": cell["code"], **normalize(records[cell["id"]])}
            for cell in session["cells"]
        ]
    return sessions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed fixture instead of writing it")
    args = parser.parse_args()
    ensure_evcxr()
    with tempfile.TemporaryDirectory(prefix="evcxr-corpus-spec-") as tmp:
        spec = Path(tmp) / KERNEL_NAME
        spec.mkdir()
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(EVCXR_BIN), "--control_file", "{connection_file}"],
            "display_name": "Rust (evcxr_jupyter, corpus reference)",
            "language": "rust",
            "interrupt_mode": "message",
        }))
        sessions = run_all(Path(tmp))
    fixture = {
        "generated_by": "tests/reference/kernel_corpus.py",
        "tools": {
            "evcxr_jupyter": EVCXR_VERSION,
            "rustc": rustc_version(),
            "platform": platform.system().lower(),
        },
        "note": (
            "What evcxr_jupyter answers to each cell of tests/kernel/corpus/cells.toml, "
            "run in order, one kernel per session: the reply status, the error's ename, "
            "the execute_result's data, the display_data messages and the stream text."
        ),
        "sessions": sessions,
    }
    text = json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"
    if args.check:
        old = json.loads(corpus.FIXTURE.read_text())
        differ = []
        for name, cells in sessions.items():
            before = {c["id"]: c for c in old["sessions"].get(name, [])}
            for cell in cells:
                if before.get(cell["id"]) != cell:
                    differ.append((cell["id"], before.get(cell["id"]), cell))
        for cid, a, b in differ:
            print(f"DIFFERS {cid}:\n  committed: {a}\n  this run:  {b}")
        print(f"{len(differ)} cells differ from the committed fixture")
        return 1 if differ else 0
    corpus.FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    corpus.FIXTURE.write_text(text)
    n = sum(len(c) for c in sessions.values())
    print(f"wrote {corpus.FIXTURE.relative_to(ROOT)}: {n} cells in {len(sessions)} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
