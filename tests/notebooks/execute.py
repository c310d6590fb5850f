"""Executes the teaching notebooks through the `paraclinic` kernel with
nbclient; shared by scripts/execute-notebooks (which stores the outputs) and
tests/notebooks/test_notebooks.py (which compares them with the stored ones).

    python tests/notebooks/execute.py --write [NAME ...]
"""
import copy
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "paraclinic"
# The kernel's first start on a machine compiles `analysis` (minutes on two
# cores); later starts reuse evcxr's on-disk cache.
STARTUP_TIMEOUT = 1800
CELL_TIMEOUT = 600
# Output kinds compared exactly between a stored and a fresh run. PNG bytes
# are deterministic (the kernel rasterises with an embedded font), so they
# are compared as they are, with the metadata giving their display size.
COMPARED_MIME = ("text/plain", "text/html", "image/svg+xml", "image/png")


def notebook_paths(names=()):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if names:
        wanted = {n.removesuffix(".ipynb") for n in names}
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise SystemExit(f"no such notebook: {', '.join(sorted(missing))}")
    return paths


def coalesce_streams(outputs):
    """Joins consecutive stream outputs of the same name: how a cell's
    printing is split into messages depends on timing, not on the cell."""
    out = []
    for o in outputs:
        if (
            o.get("output_type") == "stream"
            and out
            and out[-1].get("output_type") == "stream"
            and out[-1].get("name") == o.get("name")
        ):
            out[-1]["text"] = "".join(out[-1]["text"]) + "".join(o["text"])
        else:
            out.append(o)
    return out


def execute(path):
    """The notebook at `path`, executed in a fresh kernel (not saved)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        startup_timeout=STARTUP_TIMEOUT,
        record_timing=False,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return nb


def text(value):
    return "".join(value) if isinstance(value, list) else value


def comparable(cell):
    """A code cell's outputs as (kind, text) pairs: stream text by stream
    name, the compared MIME types of displays and results, and errors."""
    out = []
    for o in coalesce_streams(copy.deepcopy(cell.get("outputs", []))):
        kind = o.get("output_type")
        if kind == "stream":
            out.append((f"stream:{o['name']}", text(o["text"])))
        elif kind in ("display_data", "execute_result"):
            for mime in COMPARED_MIME:
                if mime in o.get("data", {}):
                    out.append((f"{kind}:{mime}", text(o["data"][mime])))
            if o.get("metadata"):
                out.append((f"{kind}:metadata", json.dumps(o["metadata"], sort_keys=True)))
        elif kind == "error":
            out.append(("error", f"{o.get('ename')}: {o.get('evalue')}"))
    return out


def errors(nb):
    return [
        (i, o)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.get("output_type") == "error"
    ]


def save(nb, path):
    """Writes like notebooks/build.py does (sorted keys, indent 1), so that
    building and executing give the same bytes for the same content."""
    data = json.loads(nbformat.writes(nb))
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def main(argv):
    write = "--write" in argv
    names = [a for a in argv if not a.startswith("--")]
    failed = False
    for path in notebook_paths(names):
        start = time.monotonic()
        nb = execute(path)
        took = time.monotonic() - start
        errs = errors(nb)
        for i, o in errs:
            print(f"{path.name}: cell {i}: {o.get('ename')}: {o.get('evalue')}", file=sys.stderr)
        failed |= bool(errs)
        if write and not errs:
            save(nb, path)
        print(f"{path.name}: {'FAILED' if errs else 'ok'} in {took:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
