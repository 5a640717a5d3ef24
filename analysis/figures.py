"""Shared figure style and deterministic saving.

All figures use the Agg backend, one style (``analysis/synapse.mplstyle``) and a
fixed colour per dimensionality.  :func:`save` writes PNG and PDF with every
time stamp and software tag stripped, so the same inputs give the same bytes.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .dimensionality import N_VALUES, display, parse_n  # noqa: E402
from .io import atomic_path  # noqa: E402

STYLE_FILE = Path(__file__).with_name("synapse.mplstyle")
FORMATS = ("png", "pdf")

# One colour per dimensionality, from blue (2D) through green to dark red (3D).
N_COLOURS = {"1": "#3b4cc0", "2": "#5e8fd6", "3": "#2a9d8f", "4": "#8ab17d",
             "5": "#e9a23b", "inf": "#b2182b"}


def use_style() -> None:
    """Apply the compendium's matplotlib style (idempotent)."""
    plt.style.use(STYLE_FILE)
    matplotlib.rcParams["svg.hashsalt"] = "synapse-compendium"


def colour(n) -> str:
    """The plot colour of dimensionality *n*."""
    return N_COLOURS[parse_n(n)]


def label(n) -> str:
    """Legend label of dimensionality *n* (``n = 3``, ``n = ∞``)."""
    return display(n)


def save(fig, stem: str | os.PathLike, formats=FORMATS) -> list[Path]:
    """Save *fig* as ``<stem>.png`` and ``<stem>.pdf`` without metadata.

    Returns the written paths.  Each file is written atomically.
    """
    stem = Path(stem)
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        metadata = {"png": {"Software": None},
                    "pdf": {"Creator": None, "Producer": None, "CreationDate": None,
                            "ModDate": None},
                    "svg": {"Date": None, "Creator": None}}[fmt]
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, metadata=metadata)
        written.append(path)
    return written


__all__ = ["N_VALUES", "N_COLOURS", "use_style", "colour", "label", "save"]
