"""Every link in the stored notebooks resolves (issue 16): the links between
notebooks (previous, overview, next), the links from a step to the library
code that implements it (a file in the repository, relative to the
notebook, so that it resolves on GitHub and in a local JupyterLab alike),
and the item a code link names is defined in that file. No kernel needed.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
DEFINITION = r"\b(fn|struct|enum|mod|type|trait|const|static)\s+{}\b"


def markdown_links(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            yield from LINK.findall("".join(cell["source"]))


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_relative_link_resolves_and_names_what_the_file_defines(path):
    checked = 0
    for text, target in markdown_links(path):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        file = (path.parent / target.split("#")[0]).resolve()
        assert file.exists(), f"{path.name}: [{text}]({target}) does not exist"
        assert ROOT in file.parents, f"{path.name}: {target} leaves the repository"
        item = re.fullmatch(r"`([A-Za-z_][\w:]*)`", text)
        if item and file.suffix == ".rs":
            name = item.group(1).split("::")[-1]
            source = file.read_text() if file.is_file() else ""
            assert re.search(DEFINITION.format(re.escape(name)), source), (
                f"{path.name}: {target} defines no {name}"
            )
        checked += 1
    assert checked, f"{path.name} links nowhere"


@pytest.mark.parametrize("index", range(len(PATHS)), ids=[p.stem for p in PATHS])
def test_every_notebook_links_previous_overview_and_next(index):
    targets = {t for _, t in markdown_links(PATHS[index])}
    if index > 0:
        assert PATHS[index - 1].name in targets and "00-overview.ipynb" in targets
    if index + 1 < len(PATHS):
        assert PATHS[index + 1].name in targets


@pytest.mark.parametrize("path", PATHS[1:], ids=[p.stem for p in PATHS[1:]])
def test_every_step_links_the_library_code_that_implements_it(path):
    code_links = [t for text, t in markdown_links(path) if t.endswith(".rs") and text.startswith("`")]
    assert any("/analysis/src/" in "/" + t or t.startswith("../analysis/") for t in code_links), path.name
    assert any(t.startswith("../study/src/reproduction/") for t in code_links), path.name
