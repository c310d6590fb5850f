"""Numbers in the notebooks' prose are checked, not typed (issue 16): every
number a markdown cell states is printed by a code cell of the same notebook
(up to the prose's rounding), is a published figure, or stands in a phrase
that notebooks/build.py's PROSE_NUMBERS allows with its reason. A result that
changes therefore fails here until the prose says the new value.
Standard library and pytest only (no kernel): reads the stored notebooks.
"""
import importlib.util
import json
from pathlib import Path

import pytest

import prose_numbers
from prose_numbers import claimed, published_numbers, unchecked, unused

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
PUBLISHED = published_numbers(NOTEBOOKS / "data" / "published")


def builder():
    spec = importlib.util.spec_from_file_location("notebook_builder", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = builder()
PROSE_NUMBERS = BUILDER.PROSE_NUMBERS


def load(name):
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_number_in_the_prose_is_printed_published_or_allowed(path):
    problems = unchecked(path.name, json.loads(path.read_text()), PUBLISHED, PROSE_NUMBERS.get(path.stem, {}))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PROSE_NUMBERS))
def test_every_allowed_phrase_is_still_in_the_prose_and_has_a_reason(name):
    markdown = "\n".join(source for kind, source, _ in BUILDER.NOTEBOOKS[name] if kind == "markdown")
    assert not unused(markdown, PROSE_NUMBERS[name]), "PROSE_NUMBERS lists phrases build.py's prose lost"
    assert all(len(reason.split()) >= 3 for reason in PROSE_NUMBERS[name].values())


def test_allowlist_names_only_existing_notebooks():
    assert set(PROSE_NUMBERS) <= {p.stem for p in PATHS} == set(BUILDER.NOTEBOOKS)


def markdown_cell_with(nb, text):
    return next(c for c in nb["cells"] if c["cell_type"] == "markdown" and text in "".join(c["source"]))


def test_a_stale_number_in_the_prose_is_named_with_its_cell_and_sentence():
    nb = load("07-friedman")
    cell = markdown_cell_with(nb, "gives 3706.3")
    cell["source"] = "".join(cell["source"]).replace("gives 3706.3", "gives 3706.8")
    problems = unchecked("07-friedman.ipynb", nb, PUBLISHED, PROSE_NUMBERS.get("07-friedman", {}))
    assert len(problems) == 1, problems
    index = nb["cells"].index(cell)
    assert problems[0].startswith(f"07-friedman.ipynb, cell {index} (id {cell['id']}): 3706.8 is printed by no code cell")
    assert "the χ²_F formula gives 3706.8 (recomputed)" in problems[0]


def test_an_output_that_changes_makes_the_prose_that_quoted_it_fail():
    """The case the check exists for: a step's output moves, the prose stays."""
    nb = load("07-friedman")
    changed = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            texts = [(output, "text")] if "text" in output else []
            texts += [(output["data"], m) for m in ("text/plain", "text/html") if m in output.get("data", {})]
            for holder, key in texts:
                before = prose_numbers.join(holder[key])
                holder[key] = before.replace("3706.3", "3712.9")
                changed += holder[key] != before
    assert changed
    problems = unchecked("07-friedman.ipynb", nb, PUBLISHED, PROSE_NUMBERS.get("07-friedman", {}))
    assert problems and all(": 3706.3 is printed by no code cell" in p for p in problems), problems


def notebook(markdown, *printed):
    cells = [{"cell_type": "markdown", "id": "prose", "source": markdown}]
    cells += [{"cell_type": "code", "id": "out", "source": "", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": text} for text in printed]}]
    return {"cells": cells}


def numbers_failing(markdown, *printed, allowed=(), published=frozenset()):
    problems = unchecked("test.ipynb", notebook(markdown, *printed), published, allowed)
    return [p.split(": ")[1].split(" is printed")[0] for p in problems]


def test_the_prose_may_round_an_output_but_not_change_it():
    assert numbers_failing("R² = 0.57 and .567 and 0.6", "R²: 0.567") == []
    assert numbers_failing("R² = 0.56", "R²: 0.567") == ["0.56"]
    assert numbers_failing("3,184 df and 3184 df", "df 3184") == []
    assert numbers_failing("3185 df", "df 3184") == ["3185"]
    assert numbers_failing("a tolerance of 1e-6", "ok") == ["1e-6"]


def test_signs_are_ignored_and_integers_below_ten_are_not_claims():
    assert numbers_failing("ρ = −.12, 3 of 9 paths", "rho -0.12") == []


def test_a_published_figure_may_be_typed():
    assert numbers_failing("χ² = 502.88", "nothing", published={502.88}) == []


def test_formulas_links_numbering_citations_and_exercise_headings_are_not_claims():
    text = (
        "# 06 · SEM\n**Exercise 12.** In $\\chi^2 = 3184 \\cdot 1.25$ and\n$$n_0 = 384.16$$\n"
        "see [05 · Correlation](05-correlation.ipynb#part-77), Part 11, notebook 09, `DEFAULT_SEED = 42424`,\n"
        "Kline (2016), (Hu & Bentler, 1999), Holzinger & Swineford 1939, lavaan 0.6.14, <img width=\"640\">."
    )
    assert numbers_failing(text, "nothing") == []


def test_an_allowed_phrase_excuses_its_number_there_only():
    allowed = {"SRMR ≤ .08": "Hu & Bentler's cut-off"}
    assert numbers_failing("SRMR ≤ .08 (dashed)", "none", allowed=allowed) == []
    assert numbers_failing("SRMR ≤ .08 (dashed); Specialization .08", "none", allowed=allowed) == [".08"]
    assert numbers_failing("SRMR ≤\n.08", "none", allowed=allowed) == []


def test_the_sentence_is_the_one_around_the_number():
    problems = unchecked("x.ipynb", notebook("First claim. Second has 12 items. Third."), set(), {})
    assert problems == ["x.ipynb, cell 0 (id prose): 12 is printed by no code cell, is no published "
                        "figure and is in no phrase of PROSE_NUMBERS — in: “Second has 12 items.”"]


def test_html_attributes_in_outputs_are_not_results():
    nb = notebook("width 640")
    nb["cells"][1]["outputs"] = [{"output_type": "display_data", "data": {"text/html": "<td width=\"640\">x</td>"}}]
    assert unchecked("x.ipynb", nb, set(), {})


def test_an_allowed_phrase_the_prose_lost_is_reported():
    allowed = {"SRMR ≤ .08": "Hu & Bentler's cut-off", "CFI ≥ .95": "Hu & Bentler's cut-off"}
    assert unused("GFI ≥ .90 and SRMR ≤\n.08", allowed) == ["CFI ≥ .95"]
