"""Notebooks for reading: each opens with what it shows and computes, and what to look at."""
import jupytext
import pytest

from analysis.stage_io import ROOT

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_opening_says_what_it_shows_computes_and_what_to_look_at(name):
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    opening = nb.cells[0]
    assert opening.cell_type == "markdown"
    text = opening.source
    assert text.startswith("# "), f"{name}: the opening starts with a title"
    assert len(text.split()) >= 60, f"{name}: the opening should explain the figure and the computation"
    assert "**What to look at.**" in text, f"{name}: say what a reader should look at"
