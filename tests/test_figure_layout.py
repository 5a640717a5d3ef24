"""The layout checks of analysis.plotting.layout, and that save() applies them to every figure.

Each check must be able to fail: a figure with the defect is built and the check names it; the
same figure without the defect passes.
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.plotting import layout
from analysis.plotting import style as figures


@pytest.fixture(autouse=True)
def _style():
    figures.use_style()
    yield
    plt.close("all")


def test_overlapping_texts_are_named():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "peak (001)")
    ax.text(0.52, 0.5, "label on top")
    problems = layout.text_overlaps(fig)
    assert len(problems) == 1 and "'peak (001)' overlaps text 'label on top'" in problems[0]


def test_a_label_on_a_tick_label_is_an_overlap():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 10)
    ax.set_xticks([0, 5, 10])
    ax.text(5, -0.04, "sits on 5", transform=ax.get_xaxis_transform(), ha="center", va="top")
    assert any("'5'" in p and "sits on 5" in p for p in layout.text_overlaps(fig))


def test_separate_texts_and_hidden_axes_pass():
    fig, (ax, off) = plt.subplots(1, 2, figsize=(5, 2))
    ax.text(0.1, 0.8, "one")
    ax.text(0.1, 0.2, "two")
    off.axis("off")                       # its tick labels are not drawn, so they cannot overlap
    off.text(0.0, 0.0, "drawn where an invisible tick label would be", fontsize=6)
    assert layout.text_overlaps(fig) == []


def test_a_line_through_a_label_is_named_and_one_beside_it_is_not():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1], label="curve")
    ax.text(0.5, 0.5, "struck", ha="center", va="center")
    ax.text(0.05, 0.9, "clear")
    problems = layout.text_struck_by_lines(fig)
    assert len(problems) == 1 and "'struck'" in problems[0] and "'curve'" in problems[0]


def test_vertical_lines_clipped_to_the_axes_do_not_strike_tick_labels():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.barh([0, 1], [3, -2])
    ax.set_yticks([0, 1], ["linear, 20 pulses", "NL 3/3"])
    ax.axvline(0, color="k")              # clipped: stops at the axes, left of the labels
    assert layout.text_struck_by_lines(fig) == []
    ax.plot([-4, -4], [-0.5, 1.5], color="k", clip_on=False)   # reaches into the label column
    ax.set_xlim(-3, 4)
    assert layout.text_struck_by_lines(fig)


def test_a_legend_entry_without_a_drawn_artist_is_named():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 2], "o", color="C0")
    ax.legend(handles=[plt.Line2D([], [], color="C0", marker="o", ls="none", label="data"),
                       plt.Line2D([], [], color="0.4", lw=0.9, label="double-exponential fit")])
    problems = layout.legend_without_artist(fig)
    assert problems == ["legend entry 'double-exponential fit': no artist of its look is drawn in the axes"]
    ax.plot([0, 1], [1.1, 1.9], color="0.4", lw=0.9)
    assert layout.legend_without_artist(fig) == []


def test_a_legend_entry_drawn_only_outside_the_view_is_named():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1], color="C0", label="shown")
    ax.plot([5, 6], [5, 6], color="C1", label="outside the limits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend()
    assert layout.legend_without_artist(fig) == [
        "legend entry 'outside the limits': no artist of its look is drawn in the axes"]


def test_legend_entries_of_patches_scatter_and_twin_axes_are_found():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.axvspan(0.2, 0.4, color="#f4d35e", label="band")
    ax.scatter([0.5], [0.5], color="C2", label="points")
    ax.errorbar([0.6], [0.4], yerr=0.1, fmt="s", color="C3", label="error bars")
    twin = ax.twinx()
    twin.plot([0, 1], [3, 4], "-D", color="#7b3294", label="right axis")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4)
    assert layout.legend_without_artist(fig) == []


def test_save_refuses_a_figure_with_overlapping_text(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "one label")
    ax.text(0.55, 0.5, "another")
    with pytest.raises(ValueError, match="overlaps text"):
        figures.save(fig, tmp_path / "crowded")
    assert list(tmp_path.iterdir()) == []
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(np.arange(3), np.arange(3))
    assert [p.name for p in figures.save(fig, tmp_path / "clean")] == ["clean.png", "clean.pdf"]


def test_a_grey_key_to_line_styles_passes_but_a_single_grey_fit_entry_does_not():
    fig, ax = plt.subplots(figsize=(3, 2))
    for style, colour in (("-", "C0"), ("--", "C1")):
        ax.plot([0, 1], [0, 1 if style == "-" else 0.5], style, color=colour)
    key = ax.legend(handles=[plt.Line2D([], [], color="0.3", ls="-", label="30 rehearsals"),
                             plt.Line2D([], [], color="0.3", ls="--", label="10 rehearsals")])
    assert layout.legend_without_artist(fig) == []
    key.remove()
    ax.legend(handles=[plt.Line2D([], [], color="0.4", ls="-", label="fit")])   # fits drawn in colour
    assert layout.legend_without_artist(fig) == ["legend entry 'fit': no artist of its look is drawn in the axes"]


def test_a_tick_outside_the_view_of_a_log_axis_is_not_drawn():
    """A log axis spanning 15 decades kept a tick at 1e-15 below its lower limit: matplotlib does
    not draw its label, so it must not count as overlapping anything (Fig. S1 with the
    drift-diffusion model failed on such a phantom label)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator

    from analysis.plotting import layout

    fig, ax = plt.subplots()
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([1e-15, 1e-9, 1e-3, 1e3]))
    ax.set_ylim(1e-12, 5e3)
    fig.canvas.draw()
    drawn = [t for t, _, _ in layout._drawn_texts(fig, fig.canvas.get_renderer())]
    assert any("-9" in t for t in drawn)
    assert not any("-15" in t for t in drawn), drawn
    plt.close(fig)


@pytest.mark.parametrize("films", [["1", "3"], ["3"]])
def test_the_model_key_of_fig3_holds_for_any_subset_of_films(films):
    """Fig. 3's multi-trap lines carry the films' markers, so its model key has no marker of its
    own: with the multi-trap model's circle the key was drawn only by the n = 1 film and a run
    of n_values ["3"] failed the layout check."""
    from analysis.plotting import model_overlay
    models = ["multitrap", "driftdiffusion"]
    fig, ax = plt.subplots()
    for n in films:
        ax.plot([1, 2, 3], [1, 2, 3], "-", **figures.marker_style(n))
        ax.plot([1, 2, 3], [1.5, 2.5, 3.5], color=figures.colour(n), ms=3, **model_overlay.style("driftdiffusion"))
    handles = [plt.Line2D([], [], label=figures.label(n), **figures.marker_style(n)) for n in films]
    fig.legend(handles=handles + model_overlay.legend_handles(models, primary_marker=False))
    assert layout.legend_without_artist(fig) == []
    if "1" not in films:   # the old key: the circle of the multi-trap model is nowhere drawn
        fig.legends.clear()
        fig.legend(handles=handles + model_overlay.legend_handles(models))
        assert any("multi-trap model" in p for p in layout.legend_without_artist(fig))
    plt.close(fig)
