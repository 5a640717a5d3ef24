"""Image regression: every figure of a quick-profile run against its committed thumbnail.

Each figure is reduced to a ``THUMB_WIDTH``-pixel-wide RGB thumbnail and compared with
``tests/baselines/figures/<stem>.png`` by the RMS difference of pixel values (0–255), which
must stay ≤ ``analysis.plotting.style.RMS_TOLERANCE``; a changed size or aspect ratio fails too.
An unintended change to a figure therefore fails here. After an intended change, regenerate
the baselines on purpose (see ``analysis/plotting/style.py``) and commit them with the change.
"""
import pytest
import yaml
from PIL import Image

from analysis.plotting import style as figures
from analysis.stage_io import ROOT

TABLE = yaml.safe_load((ROOT / "rules" / "notebooks.yaml").read_text())
STEMS = sorted(s for spec in TABLE.values() for s in spec.get("figures", []))


def _figure(work, stem):
    found = sorted(work.glob(f"figures/**/{stem}.png"))
    assert found, f"the quick run made no {stem}.png under {work / 'figures'}"
    return found[0]


def test_every_figure_has_a_baseline_and_no_baseline_is_stale():
    stored = sorted(p.stem for p in figures.BASELINE_DIR.glob("*.png"))
    assert stored == STEMS, ("baselines and figures differ: regenerate with "
                             "`python -m analysis.plotting.style update-baselines <quick figures dir>`")


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_figure_matches_its_baseline(quick_run, stem, tmp_path):
    png = _figure(quick_run, stem)
    ok, message = figures.compare_with_baseline(png, figures.BASELINE_DIR / f"{stem}.png")
    if not ok:
        figures.thumbnail(png).save(tmp_path / f"{stem}.new.png")
    assert ok, f"{message}; new thumbnail at {tmp_path / (stem + '.new.png')}"


def test_comparison_detects_a_changed_figure(tmp_path):
    """The check can fail: a moved legend-sized box and a changed aspect ratio are caught."""
    import matplotlib.pyplot as plt

    figures.use_style()

    def draw(path, box_x, size=(4, 3)):
        fig, ax = plt.subplots(figsize=size)
        ax.plot([0, 1, 2], [0, 1, 4], label="n = 1")
        ax.text(box_x, 3, "legend-sized label", fontsize=8)
        fig.savefig(path)
        plt.close(fig)

    draw(tmp_path / "a.png", 0.1)
    draw(tmp_path / "same.png", 0.1)
    draw(tmp_path / "moved.png", 1.0)
    draw(tmp_path / "wide.png", 0.1, size=(6, 3))
    figures.update_baselines(tmp_path, tmp_path / "base", stems=["a"])
    base = tmp_path / "base" / "a.png"
    assert Image.open(base).width == figures.THUMB_WIDTH
    assert figures.compare_with_baseline(tmp_path / "same.png", base)[0]
    ok, message = figures.compare_with_baseline(tmp_path / "moved.png", base)
    assert not ok and "RMS difference" in message
    ok, message = figures.compare_with_baseline(tmp_path / "wide.png", base)
    assert not ok and "aspect ratio changed" in message
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png does not decode"):
        figures.thumbnail(tmp_path / "broken.png")
