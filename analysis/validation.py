"""Input checks shared by every stage; each error names the parameter and the range."""
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


def display_value(value) -> str:
    """repr of a value for error messages (numpy scalars shown as plain numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _unit(units: str) -> str:
    return f" {units}" if units else ""


def finite(value, name: str, what: str, units: str = "", bound: str = "") -> np.ndarray:
    """*value* as a non-empty float array of finite numbers.

    Raises
    ------
    ValueError
        ``"<name>=<value> must be a number<bound> <units> (<what>)"`` for a non-number,
        ``"… must be finite<bound> …"`` for NaN, inf or an empty array.
    """
    def not_a_number():  # built only on failure: formatting a large array is not free
        return f"{name}={display_value(value)} must be a number{bound}{_unit(units)} ({what})"

    if value is None:  # np.asarray(None, dtype=float) would silently give NaN
        raise ValueError(not_a_number())
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(not_a_number()) from exc
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        conj = f" and{bound}" if bound else ""
        msg = f"{name}={display_value(value)} must be finite{conj}{_unit(units)} ({what})"
        raise ValueError(msg)
    return arr


def positive(value, name: str, what: str, units: str = "") -> np.ndarray:
    """*value* (number or array) checked finite and > 0; returned as a float array.

    >>> float(positive(0.02, "width_s", "pulse width", "s"))
    0.02
    >>> positive(-1.0, "width_s", "pulse width", "s")
    Traceback (most recent call last):
    ValueError: width_s=-1.0 must be finite and > 0 s (pulse width)
    """
    arr = finite(value, name, what, units, " > 0")
    if np.any(arr <= 0):
        raise ValueError(f"{name}={display_value(value)} must be finite and > 0{_unit(units)} ({what})")
    return arr


def nonnegative(value, name: str, what: str, units: str = "") -> np.ndarray:
    """*value* (number or array) checked finite and >= 0; returned as a float array."""
    arr = finite(value, name, what, units, " >= 0")
    if np.any(arr < 0):
        raise ValueError(f"{name}={display_value(value)} must be finite and >= 0{_unit(units)} ({what})")
    return arr


def check_temperature(temperature_K) -> float:
    """Validate a temperature [K]; return it as float."""
    return float(positive(temperature_K, "temperature_K",
                          "absolute temperature in K, accepted range (0, inf)"))
