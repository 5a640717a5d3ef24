"""Input checks shared by the physics modules; each error names the parameter and the range."""
from __future__ import annotations

import numpy as np


def increasing_grid(values, name: str, lo: float, hi: float, units: str):
    """A 1-D, finite, strictly increasing grid inside the open/closed range [lo, hi].

    Raises
    ------
    ValueError
        ``"<name> must be a 1-D strictly increasing grid inside lo-hi units with at
        least 2 points; got …"``.

    Examples
    --------
    >>> increasing_grid([1, 2, 3], "x", 0, 5, "nm")
    array([1., 2., 3.])
    """
    grid = np.asarray(values, dtype=float)
    if (grid.ndim != 1 or grid.size < 2 or not np.all(np.isfinite(grid))
            or np.any(np.diff(grid) <= 0) or grid[0] < lo or grid[-1] > hi):
        msg = (f"{name} must be a 1-D strictly increasing grid inside {lo:g}-{hi:g} {units} "
               f"with at least 2 points; got {values!r:.80}")
        raise ValueError(msg)
    return grid
