"""notebooks/build.py is the single source of truth, and a notebook edited in
JupyterLab is never silently overwritten by it (issue 16): the builder
refuses, names the edited cells and says how to adopt or discard the edit.
Standard library and pytest only (no kernel): each test builds into a
temporary directory with `--dir`.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "notebooks" / "build.py"
NAME = "01-sample-size"


def run(*args):
    return subprocess.run([sys.executable, str(BUILD), *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def built(tmp_path):
    assert run("--dir", tmp_path).returncode == 0
    assert run("--dir", tmp_path, "--check").returncode == 0
    return tmp_path


def load(directory):
    return json.loads((directory / f"{NAME}.ipynb").read_text())


def save(directory, nb):
    (directory / f"{NAME}.ipynb").write_text(json.dumps(nb))


def code_cell(nb, index=0):
    return [c for c in nb["cells"] if c["cell_type"] == "code"][index]


def test_every_built_notebook_records_the_hash_of_every_cell(built):
    nb = load(built)
    record = nb["metadata"]["paraclinic"]["cells"]
    assert [r["id"] for r in record] == [c["id"] for c in nb["cells"]]
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["sha256"]) for r in record)


def test_an_edit_in_the_notebook_is_refused_named_and_kept(built):
    nb = load(built)
    cell = code_cell(nb)
    cell["source"] = "// tried in JupyterLab\n" + "".join(cell["source"])
    save(built, nb)
    before = (built / f"{NAME}.ipynb").read_text()
    result = run("--dir", built)
    assert result.returncode == 1
    assert f"cell {cell['id']}" in result.stderr and "edited in the notebook" in result.stderr
    assert "+// tried in JupyterLab" in result.stderr
    assert "--discard 01-sample-size" in result.stderr and "copy the cell's new source" in result.stderr
    assert (built / f"{NAME}.ipynb").read_text() == before, "the edit survives"
    check = run("--dir", built, "--check")
    assert check.returncode == 1 and "edited in the notebook" in check.stderr


def test_added_and_deleted_cells_are_named(built):
    nb = load(built)
    removed = nb["cells"].pop(2)
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "jlab-new", "metadata": {}, "source": ["a note"]})
    save(built, nb)
    result = run("--dir", built)
    assert result.returncode == 1
    assert "cell jlab-new (position 1, markdown) was added" in result.stderr
    assert f"cell {removed['id']} was deleted" in result.stderr


def test_discard_overwrites_the_edit_with_the_builders_cells(built):
    pristine = (built / f"{NAME}.ipynb").read_text()
    nb = load(built)
    code_cell(nb)["source"] = "let edited = 1;"
    save(built, nb)
    assert run("--dir", built, "--discard", NAME).returncode == 0
    assert (built / f"{NAME}.ipynb").read_text() == pristine
    assert run("--dir", built, "--check").returncode == 0


def test_an_adopted_edit_is_not_an_edit(built, tmp_path_factory):
    """Once build.py writes what the notebook holds, the builder writes again:
    simulated by editing the record instead of build.py (the stored cell equal
    to what the builder generates is accepted whatever the record says)."""
    nb = load(built)
    nb["metadata"]["paraclinic"]["cells"][3]["sha256"] = "0" * 64
    save(built, nb)
    assert run("--dir", built).returncode == 0
    assert run("--dir", built, "--check").returncode == 0


def test_outputs_survive_a_rebuild(built):
    nb = load(built)
    code_cell(nb)["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["kept\n"]}]
    save(built, nb)
    assert run("--dir", built).returncode == 0
    assert code_cell(load(built))["outputs"][0]["text"] == ["kept\n"]


def test_check_names_cells_that_build_py_changed(built):
    nb = load(built)
    nb["cells"].pop(1)
    nb["metadata"]["paraclinic"]["cells"].pop(1)
    save(built, nb)
    result = run("--dir", built, "--check")
    assert result.returncode == 1
    assert "notebooks/build.py changed, notebook not rebuilt (new cell-01)" in result.stderr
