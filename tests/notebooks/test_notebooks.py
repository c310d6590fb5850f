"""Every teaching notebook, re-executed through the `paraclinic` kernel with
nbclient, reproduces its stored outputs exactly (stream text, text/plain,
text/html, SVG and PNG of every code cell, and their metadata) and raises no
error; the stored notebooks are the ones notebooks/build.py writes, at most
300 KB each, with every figure a PNG beside its SVG.

Run from scripts/test-all after the kernel is installed in .venv:
    .venv/bin/python -m pytest tests/notebooks -v
"""
import subprocess
import sys

import nbformat
import pytest

from execute import NOTEBOOKS, comparable, errors, execute, notebook_paths

PATHS = notebook_paths()


def test_all_ten_notebooks_exist():
    assert [p.stem[:2] for p in PATHS] == [f"{i:02d}" for i in range(10)]


def test_notebooks_match_their_builder():
    result = subprocess.run(
        [sys.executable, str(NOTEBOOKS / "build.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_stored_notebook_has_outputs_and_paraclinic_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "paraclinic"
    assert nb.metadata.kernelspec.display_name == "Rust (paraclinic)"
    assert nb.metadata.kernelspec.language == "rust"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs for c in code), "every code cell has stored output"
    assert not errors(nb)
    kinds = {k for c in code for k, _ in comparable(c)}
    assert any(k.endswith("image/svg+xml") or k.endswith("text/html") for k in kinds)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_ends_with_exercises_whose_solutions_open_on_request(path):
    """Issue 16: two to four exercises, each a collapsed <details> answer
    followed by its solution cell, tagged and hidden (source and output) in
    JupyterLab; the solution cells have stored outputs, so the re-execution
    test below runs them and compares what they print (their asserts run)."""
    nb = nbformat.read(path, as_version=4)
    exercises = [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and c.source.startswith("**Exercise ")
    ]
    assert 2 <= len(exercises) <= 4, len(exercises)
    for i in exercises:
        assert "<details><summary>Worked solution" in nb.cells[i].source
        solution = nb.cells[i + 1]
        assert solution.cell_type == "code", f"cell {i + 1} solves exercise at cell {i}"
        assert "solution" in solution.metadata.get("tags", [])
        assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        assert solution.outputs and not any(o.output_type == "error" for o in solution.outputs)
    assert exercises[0] > len(nb.cells) / 2, "the exercises come at the end"


# Issue 16: a stored notebook stays small enough to open and diff.
MAX_NOTEBOOK_BYTES = 300_000


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_stored_notebook_is_small_and_shows_figures_as_pictures(path):
    """At most 300 KB; every figure is an output of its own with a PNG (and
    its display size) beside its SVG; HTML outputs hold no figure."""
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, path.stat().st_size
    nb = nbformat.read(path, as_version=4)
    outputs = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type in ("display_data", "execute_result")
    ]
    figures = [o for o in outputs if "image/svg+xml" in o.data]
    assert figures, "every notebook shows a figure"
    for o in figures:
        assert o.data["image/png"].startswith("iVBORw0KGgo"), "a base64 PNG"
        size = o.metadata["image/png"]
        assert size["width"] > 0 and size["height"] > 0, size
    for o in outputs:
        assert "<svg" not in o.data.get("text/html", "")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_reexecution_reproduces_stored_outputs(path):
    stored = nbformat.read(path, as_version=4)
    fresh = execute(path)
    assert not errors(fresh), errors(fresh)
    stored_code = [c for c in stored.cells if c.cell_type == "code"]
    fresh_code = [c for c in fresh.cells if c.cell_type == "code"]
    assert len(stored_code) == len(fresh_code)
    for i, (s, f) in enumerate(zip(stored_code, fresh_code)):
        assert comparable(f) == comparable(s), f"{path.name}: code cell {i} differs:\n{s.source}"
