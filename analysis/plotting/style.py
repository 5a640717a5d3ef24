"""Shared figure style, journal sizes, panel letters, deterministic saving and image baselines.

All figures use the Agg backend, one style (``analysis/synapse.mplstyle``: true minus signs,
no top/right spines, 8 pt text) and a fixed colour per dimensionality.  Figures are sized
for the journal's columns (:data:`COLUMN_IN`, :data:`PAGE_IN`) and carry bold panel letters
(:func:`panel_label`, optionally followed by a short caption such as ``n = 3``) instead of
titles; axis labels give the unit in square brackets (:func:`axis_label`: ``energy [eV]``).
:func:`save` writes PNG and PDF with every time stamp and software tag stripped, so the same
inputs give the same bytes.

The style rule
--------------
:func:`style_violations` is the one place the house rules are checked: no axes or figure
titles (panel letters serve), no hyphen-minus for a minus sign and no ``6.25e+04`` in tick
labels, no unit in round brackets in an axis label; and the drawn layout
(:mod:`analysis.plotting.layout`): no text on another text, no line through a text, no legend
entry without a drawn artist of its look.  :func:`save` refuses (``ValueError``) to
write a figure that breaks them, so every figure of the compendium, which all go through
:func:`save`, is checked each time a notebook draws it.

Image regression
----------------
``tests/test_figures_regression.py`` compares every figure of a quick-profile run with a small
committed thumbnail (:func:`thumbnail`, :data:`THUMB_WIDTH` px wide) by the root-mean-square
difference of the pixel values (0–255), which must stay ≤ :data:`RMS_TOLERANCE`; a change of size
or aspect ratio fails too.  After an *intended* change of a figure, regenerate the baselines on
purpose from a quick run and commit them::

    .venv/bin/python -m snakemake --cores 2 --config profile=quick
    .venv/bin/python -m analysis.plotting.style update-baselines figures/quick/   # the quick run's figures
    .venv/bin/python -m analysis.plotting.style update-baselines figures/quick/ --only fig1a_synapse  # one
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

from analysis.physics.dimensionality import N_VALUES, display, parse_n  # noqa: E402
from analysis.stage_io import ROOT, atomic_path  # noqa: E402

STYLE_FILE = Path(__file__).with_name("synapse.mplstyle")
FORMATS = ("png", "pdf")

# One colour per dimensionality, from dark blue (2D) through sky blue, teal and green to orange
# and dark red (3D). The two blues differ in lightness (CIELAB L* about 30 and 70), not in hue
# alone, so n = 1 and n = 2 stay apart on a screen, in print and in grey.
N_COLOURS = {"1": "#2c3e9e", "2": "#56b4e9", "3": "#2a9d8f", "4": "#8ab17d",
             "5": "#e9a23b", "inf": "#b2182b"}
# One marker per dimensionality, for plots where the curves of neighbouring films coincide:
# drawn hollow (:func:`marker_style`), a marker of one film stays visible under another's.
N_MARKERS = {"1": "o", "2": "s", "3": "^", "4": "D", "5": "v", "inf": "P"}

# Wiley journals (Adv. Electron. Mater.): one column 8.5 cm, the full page width 17.5 cm,
# at most 23 cm tall.
COLUMN_IN = 8.5 / 2.54
"""Width of one journal column, in inches."""
PAGE_IN = 17.5 / 2.54
"""Width of a two-column (full page) figure, in inches."""
MAX_HEIGHT_IN = 23.0 / 2.54
"""Tallest figure a page holds, in inches."""

BASELINE_DIR = ROOT / "tests" / "baselines" / "figures"
THUMB_WIDTH = 160
"""Width in pixels of the stored baseline thumbnails."""
RMS_TOLERANCE = 1.0
"""Largest root-mean-square difference (pixel values 0–255, RGB) a figure may drift from its
baseline thumbnail. Reruns give identical bytes (0.0). Measured on a 17.5-cm-wide test figure at
this thumbnail size: one changed character in a label 0.8 (not caught), a line width 1.4 → 1.0 pt
2.2, a moved label 6.5; two different S5/S6 trace panels 16."""


def use_style() -> None:
    """Apply the compendium's matplotlib style (idempotent)."""
    plt.style.use(STYLE_FILE)
    matplotlib.rcParams["svg.hashsalt"] = "synapse-compendium"


def colour(n) -> str:
    """The plot colour of dimensionality *n*."""
    return N_COLOURS[parse_n(n)]


def marker(n) -> str:
    """The plot marker of dimensionality *n* (:data:`N_MARKERS`)."""
    return N_MARKERS[parse_n(n)]


def marker_style(n, ms: float = 3.5, mew: float = 0.9) -> dict:
    """Keyword arguments for ``ax.plot`` drawing *n*'s hollow marker in its colour.

    Hollow markers of different shapes stay visible where the points of two films coincide
    (a filled marker would hide the one drawn before it).
    """
    return {"marker": marker(n), "ms": ms, "mew": mew, "mfc": "none", "color": colour(n)}


def label(n) -> str:
    """Legend label of dimensionality *n* (``n = 3``, ``n = ∞``)."""
    return display(n)


def figsize(width: str | float = "page", aspect: float = 0.6) -> tuple[float, float]:
    """A journal figure size in inches: ``"column"`` or ``"page"`` wide (or a width in inches),
    height = aspect × width (at most :data:`MAX_HEIGHT_IN`).

    >>> figsize("column", 0.8)
    (3.346, 2.677)
    """
    w = {"column": COLUMN_IN, "page": PAGE_IN}.get(width, width)
    w = float(w)
    return round(w, 3), round(min(aspect * w, MAX_HEIGHT_IN), 3)


def panel_label(ax, letter: str, dx_pt: float = -28.0, dy_pt: float = 4.0, *,
                caption: str | None = None, caption_color=None, align_with=None, **kw):
    """Bold panel letter (``a``, ``b`` …) above the top-left corner of *ax*, outside the data.

    The offset is in points from the axes' top-left corner, so letters line up across panels
    of equal tick-label width.  With *align_with* (another axes) the letter sits at the left
    edge of that axes instead (same *dx_pt*), so that a panel whose long tick labels push its
    axes to the right still has its letter in the left column, above its top.  *caption* (e.g.
    ``"n = 3"``) is written after the letter in regular weight, in *caption_color* — the
    project's replacement for an axes title when a panel needs a name.  Returns the letter's
    annotation.
    """
    from matplotlib.transforms import blended_transform_factory

    opts = {"fontsize": 10, "fontweight": "bold", "ha": "left", "va": "bottom"}
    opts.update(kw)
    where = "axes fraction" if align_with is None else \
        blended_transform_factory(align_with.transAxes, ax.transAxes)
    mark = ax.annotate(letter, xy=(0, 1), xycoords=where, xytext=(dx_pt, dy_pt),
                       textcoords="offset points", annotation_clip=False, **opts)
    if caption:
        ax.annotate(caption, xy=(1, 0), xycoords=mark, xytext=(4, 0), textcoords="offset points",
                    ha="left", va="bottom", fontsize=8, color=caption_color)
    return mark


def axis_label(quantity: str, unit: str | None = None) -> str:
    """An axis label in the project's convention: the unit in square brackets.

    >>> axis_label("energy", "eV"), axis_label("capture weight $w_k$")
    ('energy [eV]', 'capture weight $w_k$')
    """
    return f"{quantity} [{unit}]" if unit else quantity


def legend_outside(ax, where: str = "right", **kw):
    """A legend beside (``right``) or above (``top``) the axes, never over the data."""
    if where == "right":
        opts = {"loc": "center left", "bbox_to_anchor": (1.01, 0.5)}
    elif where == "top":
        opts = {"loc": "lower left", "bbox_to_anchor": (0.0, 1.01), "ncol": 3}
    else:
        raise ValueError(f"where={where!r} must be 'right' or 'top' (legend position)")
    opts.update(kw)
    return ax.legend(**opts)


def num(x: float, fmt: str = "g") -> str:
    """*x* formatted with *fmt* and a true minus sign, for text in figures.

    >>> num(-1.0), num(-0.02, ".2g")
    ('−1', '−0.02')
    """
    return format(x, fmt).replace("-", "\u2212")


def sci_label(x: float, digits: int = 3) -> str:
    """*x* as mathtext ``6.25 × 10⁴`` (true minus sign in negative exponents).

    >>> sci_label(62500.0), sci_label(5.625e5), sci_label(1e-3)
    ('$6.25\\\\times10^{4}$', '$5.625\\\\times10^{5}$', '$10^{-3}$')
    """
    if x == 0:
        return "$0$"
    import math
    exp = math.floor(math.log10(abs(x)))
    mant = float(f"{x / 10 ** exp:.{digits + 1}g}")
    mant_text = f"{mant:g}"
    if mant_text == "1":
        return f"$10^{{{exp}}}$"
    return f"${mant_text}\\times10^{{{exp}}}$"


def sci_formatter(digits: int = 3) -> ticker.FuncFormatter:
    """Tick formatter writing every tick as :func:`sci_label` (e.g. areas in µm²)."""
    return ticker.FuncFormatter(lambda x, _pos: sci_label(x, digits))


# ------------------------------------------------------------------ the style rule
_UNITS = ("eV", "meV", "Å", "nm", "µm", "μm", "mm", "cm", "m", "s", "ms", "µs", "V", "mV", "A", "pA",
          "nA", "fJ", "pJ", "J", "K", "°C", "Hz", "%", "°", "Ω", "S", "pS", "nS", "µm²", "eV⁻¹")
_PAREN_UNIT = re.compile(r"\((?:" + "|".join(re.escape(u) for u in _UNITS) + r")\)")
_HYPHEN_MINUS = re.compile(r"(?:^|[\s(\[=<>≈~])-\s?[\d.]")
_E_NOTATION = re.compile(r"\d[eE][+\-−]?\d")
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")


def style_violations(fig, *, draw: bool = True, layout: bool = True) -> list[str]:
    """What in *fig* breaks the project's figure style; an empty list if nothing does.

    Checked: an axes title (``ax.get_title`` for every location) or a figure title (panel
    letters serve, :func:`panel_label`); a tick label with a hyphen-minus for a minus sign
    (``-1``; mathtext, which typesets a true minus, is exempt) or in e-notation (``6.25e+04``;
    use :func:`sci_formatter`); an axis label with its unit in round brackets (``(eV)``; use
    :func:`axis_label`).  Tick labels are those of a drawn figure: with *draw* the figure is
    drawn (without rendering) first; ``draw=False`` checks the labels of its last drawing, as
    :func:`save` does right after writing the first file (an extra drawing can shift a
    constrained layout by a pixel).  With *layout* the drawn layout is checked too
    (:func:`analysis.plotting.layout.layout_problems`): no text overlaps another, no line strikes
    through a text, every legend entry has an artist of its look drawn in the axes.
    """
    if draw:
        fig.draw_without_rendering()
    problems = []
    sup = fig.get_suptitle()
    if sup.strip():
        problems.append(f"figure title {sup!r} (use panel letters: analysis.plotting.style.panel_label)")
    for i, ax in enumerate(fig.axes):
        where = f"axes {i}"
        for loc in ("left", "center", "right"):
            title = ax.get_title(loc)
            if title.strip():
                problems.append(f"{where}: {loc} title {title!r} (use analysis.plotting.style.panel_label)")
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            label_text = axis.get_label().get_text()
            if axis.get_label().get_visible() and _PAREN_UNIT.search(_MATH.sub("", label_text)):
                problems.append(f"{where}: {name} label {label_text!r} has its unit in round brackets "
                                "(use analysis.plotting.style.axis_label: 'quantity [unit]')")
            ticks = axis.get_majorticklabels() + axis.get_minorticklabels()
            for tick in ticks:
                text = tick.get_text()
                if not text or not tick.get_visible():
                    continue
                plain = _MATH.sub("", text)
                if _HYPHEN_MINUS.search(plain):
                    problems.append(f"{where}: {name} tick label {text!r} has a hyphen-minus for a minus "
                                    "sign (use '−', analysis.plotting.style.num)")
                if _E_NOTATION.search(plain):
                    problems.append(f"{where}: {name} tick label {text!r} is in e-notation "
                                    "(use analysis.plotting.style.sci_formatter)")
    if layout:   # drawn at the figure's own dpi (a renderer left by savefig may differ)
        from analysis.plotting.layout import layout_problems
        problems += layout_problems(fig, draw=True)
    return list(dict.fromkeys(problems))


def check_style(fig, name: str = "figure", *, draw: bool = True, layout: bool = True) -> None:
    """Raise ``ValueError`` listing every :func:`style_violations` of *fig* (named *name*)."""
    problems = style_violations(fig, draw=draw, layout=layout)
    if problems:
        raise ValueError(f"{name} breaks the figure style (analysis/plotting/style.py):\n  - "
                         + "\n  - ".join(problems))


def save(fig, stem: str | os.PathLike, formats=FORMATS) -> list[Path]:
    """Save *fig* as ``<stem>.png`` and ``<stem>.pdf`` without metadata.

    The figure's layout is checked first (:func:`analysis.plotting.layout.layout_problems`:
    overlapping text, a line through a text, a legend entry with nothing drawn), then the style
    rule (:func:`check_style`) once the first file is drawn; a figure that breaks either is not
    written (no file is left behind).  Returns the written paths.  Each file is written
    atomically.
    """
    from analysis.plotting.layout import layout_problems

    stem = Path(stem)
    problems = layout_problems(fig, draw=True)
    if problems:
        raise ValueError(f"{stem.name} breaks the figure layout (analysis/plotting/layout.py):\n  - "
                         + "\n  - ".join(problems))
    written = []
    for i, fmt in enumerate(formats):
        path = stem.with_suffix(f".{fmt}")
        metadata = {"png": {"Software": None},
                    "pdf": {"Creator": None, "Producer": None, "CreationDate": None,
                            "ModDate": None},
                    "svg": {"Date": None, "Creator": None}}[fmt]
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, metadata=metadata)
            if i == 0:
                check_style(fig, stem.name, draw=False, layout=False)
        written.append(path)
    return written


# ------------------------------------------------------------------ image regression
def thumbnail(png: str | os.PathLike, width: int = THUMB_WIDTH):
    """The figure at *png* as an RGB PIL image *width* px wide (aspect kept, white background).

    Raises
    ------
    ValueError
        If *png* does not decode as an image (the message names the file).
    """
    from PIL import Image

    try:
        with Image.open(png) as img:
            img.load()
            rgba = img.convert("RGBA")
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"figure {png} does not decode as an image: {exc}") from exc
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    height = max(1, round(rgba.height * width / rgba.width))
    return flat.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)


def rms_difference(a, b) -> float:
    """Root-mean-square difference of two equally sized RGB images, in pixel values (0–255)."""
    import numpy as np

    if a.size != b.size:
        raise ValueError(f"images differ in size: {a.size} vs {b.size} px")
    x = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return float(np.sqrt(np.mean(x * x)))


def compare_with_baseline(png, baseline, tolerance: float = RMS_TOLERANCE) -> tuple[bool, str]:
    """Whether figure *png* matches the *baseline* thumbnail; and a message saying how well."""
    from PIL import Image

    if not Path(baseline).is_file():
        return False, f"no baseline {baseline} for {Path(png).name} (see analysis/plotting/style.py: update-baselines)"
    with Image.open(baseline) as img:
        ref = img.convert("RGB")
    new = thumbnail(png, ref.width)
    if new.size != ref.size:
        return False, (f"{Path(png).name}: thumbnail {new.size[0]}×{new.size[1]} px vs baseline "
                       f"{ref.size[0]}×{ref.size[1]} px — the figure's aspect ratio changed")
    rms = rms_difference(new, ref)
    ok = rms <= tolerance
    return ok, f"{Path(png).name}: RMS difference {rms:.2f} (tolerance {tolerance:g})"


def update_baselines(figures_dir, baseline_dir=BASELINE_DIR, stems=None) -> list[Path]:
    """Write a thumbnail of every ``<stem>.png`` in *figures_dir* to *baseline_dir* (on purpose).

    With *stems* only those figures' baselines are rewritten; without, every figure's, and
    baselines of figures no longer made are removed.  Returns the written files.
    """
    figures_dir, baseline_dir = Path(figures_dir), Path(baseline_dir)
    pngs = sorted(figures_dir.glob("*.png"))
    if stems is not None:
        pngs = [p for p in pngs if p.stem in set(stems)]
    if not pngs:
        raise FileNotFoundError(f"no figures (*.png) in {figures_dir}; run the quick workflow first")
    baseline_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for png in pngs:
        path = baseline_dir / png.name
        with atomic_path(path) as tmp:
            thumbnail(png).save(tmp, format="png", optimize=True)
        written.append(path)
    if stems is None:
        for stale in sorted(set(baseline_dir.glob("*.png")) - set(written)):
            stale.unlink()
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.plotting.style")
    sub = ap.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("update-baselines", help="store thumbnails of a quick run's figures as the "
                                                "image-regression baselines (on purpose only)")
    u.add_argument("figures_dir", help="folder with the quick run's <stem>.png figures")
    u.add_argument("--baselines", default=str(BASELINE_DIR))
    u.add_argument("--only", nargs="+", metavar="STEM",
                   help="rewrite only these figures' baselines (the figures you changed on purpose)")
    args = ap.parse_args(argv)
    written = update_baselines(args.figures_dir, args.baselines, stems=args.only)
    print(f"wrote {len(written)} baselines to {args.baselines}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["N_VALUES", "N_COLOURS", "N_MARKERS", "marker", "marker_style", "COLUMN_IN", "PAGE_IN", "use_style", "colour", "label", "figsize",
           "panel_label", "axis_label", "legend_outside", "num", "sci_label", "sci_formatter",
           "style_violations", "check_style", "save", "thumbnail",
           "rms_difference", "compare_with_baseline", "update_baselines"]
