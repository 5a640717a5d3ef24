"""The figure style rule (analysis.plotting.style.style_violations) and where it is enforced.

The rule lives in one place, :func:`analysis.plotting.style.style_violations`; :func:`analysis.plotting.style.save`
refuses to write a figure that breaks it. Every figure of the compendium is written by
``save`` (checked below on the source), so every notebook run — the quick-profile runs of the
test suite included — checks every figure the notebooks build.
"""
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import ticker

from analysis.plotting import style as figures
from analysis.stage_io import ROOT


@pytest.fixture(autouse=True)
def _style():
    figures.use_style()
    yield
    plt.close("all")


def clean_figure():
    """A figure in the house style: panel letters, bracketed units, true minus signs."""
    fig, (ax, axl) = plt.subplots(1, 2, figsize=figures.figsize("page", 0.4))
    ax.plot([-2, -1, 0, 1], [-3e-3, -1e-3, 0, 2e-3], label="n = 1")
    ax.set(xlabel=figures.axis_label("voltage", "V"), ylabel=figures.axis_label("current", "mA"))
    figures.panel_label(ax, "a", caption="n = 1", caption_color=figures.colour("1"))
    axl.loglog([1e-3, 1, 1e3], [1e-4, 1e-2, 1])          # mathtext ticks: 10^{-3} is a true minus
    axl.set_yticks([1e-2], ["claim fig6-energy-2d-0p7fJ"], minor=False)  # an identifier, not a minus
    axl.set_xlabel("ln(R / Ω)")                            # parentheses without a bare unit
    figures.panel_label(axl, "b")
    figures.legend_outside(ax, "right")
    fig.subplots_adjust(wspace=1.2)                        # room for the legend beside a
    return fig, ax


def test_a_figure_in_the_house_style_passes():
    fig, _ = clean_figure()
    assert figures.style_violations(fig) == []


@pytest.mark.parametrize("loc", ["center", "left", "right"])
def test_an_axes_title_is_a_violation(loc):
    fig, ax = clean_figure()
    ax.set_title("n = 3", loc=loc)
    problems = figures.style_violations(fig, layout=False)   # (the title also crowds the caption)
    assert len(problems) == 1 and f"{loc} title 'n = 3'" in problems[0]


def test_a_figure_title_is_a_violation():
    fig, _ = clean_figure()
    fig.suptitle("Table 2 predicted for each film")
    assert any("figure title" in p for p in figures.style_violations(fig))


def test_a_hyphen_minus_in_a_tick_label_is_a_violation():
    fig, ax = clean_figure()
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))  # plain '-1'
    problems = figures.style_violations(fig)
    assert problems and all("hyphen-minus" in p for p in problems)
    assert any("'-1'" in p for p in problems)


def test_e_notation_in_a_tick_label_is_a_violation():
    fig, ax = clean_figure()
    ax.set_yticks([-2e-3, 2e-3], ["−2e-03", "2e+03"])
    problems = figures.style_violations(fig)
    assert len(problems) == 2 and all("e-notation" in p for p in problems)


@pytest.mark.parametrize("label", ["energy (eV)", "out-of-plane position z (Å)", "height (nm)"])
def test_a_unit_in_round_brackets_is_a_violation(label):
    fig, ax = clean_figure()
    ax.set_ylabel(label)
    problems = figures.style_violations(fig)
    assert len(problems) == 1 and "round brackets" in problems[0]


def test_axis_label_and_panel_caption():
    assert figures.axis_label("energy", "eV") == "energy [eV]"
    assert figures.axis_label("weight $w_k$") == "weight $w_k$"
    fig, ax = plt.subplots()
    mark = figures.panel_label(ax, "a", caption="n = 3", caption_color="#2a9d8f")
    texts = [t.get_text() for t in ax.texts]
    assert mark.get_text() == "a" and texts == ["a", "n = 3"]
    assert ax.get_title() == ""


def test_save_refuses_a_figure_that_breaks_the_rule(tmp_path):
    fig, ax = clean_figure()
    ax.set_title("n = 1")
    with pytest.raises(ValueError, match=r"(?s)bad breaks the figure style.*center title 'n = 1'"):
        figures.save(fig, tmp_path / "bad")
    assert list(tmp_path.iterdir()) == []          # neither the PNG, the PDF nor a partial file
    fig, _ = clean_figure()
    written = figures.save(fig, tmp_path / "good")
    assert [p.name for p in written] == ["good.png", "good.pdf"]


def test_save_checks_the_drawn_tick_labels(tmp_path):
    """The check sees the tick labels of the drawing save made (no separate drawing needed)."""
    fig, ax = plt.subplots()
    ax.plot(np.linspace(-3, 3, 5), np.arange(5))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    with pytest.raises(ValueError, match="hyphen-minus"):
        figures.save(fig, tmp_path / "ticks")


def test_every_figure_is_written_by_the_checked_save():
    """No notebook or module writes a figure past analysis.plotting.style.save (and so past the rule)."""
    sources = sorted((ROOT / "notebooks").glob("*.py")) + sorted((ROOT / "analysis").glob("*.py"))
    offenders = [str(p.relative_to(ROOT)) for p in sources
                 if p.name != "figures.py" and re.search(r"\.savefig\(|imsave\(", p.read_text())]
    assert offenders == [], f"these write figures without analysis.plotting.style.save: {offenders}"
    import yaml
    table = yaml.safe_load((ROOT / "rules" / "notebooks.yaml").read_text())
    for name, spec in table.items():
        text = (ROOT / "notebooks" / f"{name}.py").read_text()
        for stem in spec.get("figures", []):
            assert re.search(rf"save\([^\n]*{stem}", text) or (
                name == "fig3_plasticity" and stem in text), f"{name}: {stem} is not written by save()"
