"""Shared pieces of the schematic figures: the colours of the drawn materials and the checks of
the drawing functions' arguments.

The schematics are one module per drawn figure, each computed from the data it shows (nothing
is a copied image: changing a parameter in ``data/parameters/*.yaml`` or a model parameter
changes the picture):

* Fig. 1a — :mod:`analysis.plotting.synapse_analogy`: the device as a synapse;
* Fig. 1b — :mod:`analysis.plotting.device_geometry`: the crossbar and the layer stack to scale;
* Fig. 1c — :mod:`analysis.plotting.crystal_structures`: the layered perovskites to scale;
* Fig. 4a — :mod:`analysis.plotting.multistore`: the multistore model of memory and the device;
* Fig. 5a — :mod:`analysis.plotting.ion_migration`: the energy landscape of a migrating vacancy.

In each, the geometric builders are pure and take every value as an argument; the ``fig*``
functions draw them and return ``(figure, drawn)`` where *drawn* holds the quantities measured
back from the drawing (for metrics and tests).
"""
from __future__ import annotations

import numpy as np

from analysis.validation import display_value, nonnegative, positive

# Fixed drawing colours (not per-n: those are analysis.plotting.style.colour).
C_PEA = "#5b4636"
"""PEA chains."""
C_SPACER = "#efe3cf"
"""PEA bilayer background."""
C_MA = "#222222"
"""MA cations."""
C_EDGE = "#1f1f1f"
"""Outlines of octahedra, Pb atoms."""
C_ITO = "#9ecae1"
C_BCCP = "#6a51a3"
C_OHP = "#f2c14e"
C_AL = "#b8b8b8"
C_GLASS = "#e8f1f5"
LAYER_COLOURS = {"ITO": C_ITO, "BCCP": C_BCCP, "OHP": C_OHP, "Al": C_AL}
"""Colour of each layer of the device stack."""


def check_positive(name: str, value, unit: str, meaning: str) -> float:
    """*value* as a float, finite and > 0 (ValueError naming *name*, *unit* and *meaning*)."""
    return float(positive(value, name, meaning, unit))


def check_nonnegative(name: str, value, unit: str, meaning: str) -> float:
    """*value* as a float, finite and >= 0 (ValueError naming *name*, *unit* and *meaning*)."""
    return float(nonnegative(value, name, meaning, unit))


def check_count(name: str, value, minimum: int, meaning: str) -> int:
    """*value* as an int >= *minimum* (bools and non-integers are refused).

    >>> check_count("slabs", 2, 1, "number of slabs")
    2
    >>> check_count("slabs", 0, 1, "number of slabs")
    Traceback (most recent call last):
    ValueError: slabs=0 must be an integer >= 1 (number of slabs)
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        msg = f"{name}={display_value(value)} must be an integer >= {minimum} ({meaning})"
        raise ValueError(msg)
    return int(value)
