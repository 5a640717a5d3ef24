"""Structural dimensionality of (PEA)2MA(n-1)PbnBr(3n+1).

The compendium labels each film by the number ``n`` of corner-sharing PbBr6
octahedral layers between two PEA bilayers: ``"1"`` is 2D (PEA)2PbBr4,
``"2"`` … ``"5"`` are quasi-2D films and ``"inf"`` is 3D MAPbBr3.  Labels are
strings so that they can be used as xarray coordinates, file names and
Snakemake wildcards alike.
"""
from __future__ import annotations

import math

N_VALUES: tuple[str, ...] = ("1", "2", "3", "4", "5", "inf")
"""The six dimensionalities studied in the paper, in increasing order of n."""

_ALIASES = {"∞": "inf", "infinity": "inf", "3d": "inf", "2d": "1"}


def parse_n(value) -> str:
    """Return the canonical label of a dimensionality.

    Parameters
    ----------
    value : int, float or str
        ``1`` … ``5``, ``"inf"``, ``"∞"`` or ``math.inf``.

    Returns
    -------
    str
        One of :data:`N_VALUES`.

    Raises
    ------
    ValueError
        If *value* is not one of the six dimensionalities.

    Examples
    --------
    >>> parse_n(3), parse_n(float("inf")), parse_n("∞")
    ('3', 'inf', 'inf')
    """
    if isinstance(value, bool):
        label = None
    elif isinstance(value, (int, float)):
        if math.isinf(value) and value > 0:
            label = "inf"
        elif float(value).is_integer():
            label = str(int(value))
        else:
            label = None
    else:
        text = str(value).strip().lower()
        label = _ALIASES.get(text, text)
    if label not in N_VALUES:
        msg = (f"dimensionality n={value!r} is not supported; expected one of "
               f"{', '.join(N_VALUES)} (n = 1…5 layers, or 'inf' for 3D MAPbBr3)")
        raise ValueError(msg)
    return label


def n_numeric(value) -> float:
    """Number of PbBr6 layers as a float (``inf`` for 3D).

    >>> n_numeric("inf"), n_numeric(2)
    (inf, 2.0)
    """
    label = parse_n(value)
    return math.inf if label == "inf" else float(label)


def formula(value) -> str:
    """Chemical formula of the nominal film, e.g. ``(PEA)2MA2Pb3Br10``.

    >>> formula(1), formula(3), formula("inf")
    ('(PEA)2PbBr4', '(PEA)2MA2Pb3Br10', 'MAPbBr3')
    """
    label = parse_n(value)
    if label == "inf":
        return "MAPbBr3"
    n = int(label)
    ma = "" if n == 1 else ("MA" if n == 2 else f"MA{n - 1}")
    pb = "Pb" if n == 1 else f"Pb{n}"
    return f"(PEA)2{ma}{pb}Br{3 * n + 1}"


def display(value) -> str:
    """Label for plots: ``n = 3`` or ``n = ∞``."""
    label = parse_n(value)
    return "n = ∞" if label == "inf" else f"n = {label}"
