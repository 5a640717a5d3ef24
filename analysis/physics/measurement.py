"""The measurement: what a read of the paper's set-up could resolve (data/evidence/measurement.yaml).

A simulated trend "in the paper's direction" is only evidence for the paper's observation if
its size is one the paper's set-up could have seen. The paper does not name its instrument, so
the single-read noise is bracketed by datasheets of plausible low-current instruments
(electrometer, femto/picoammeter, source-measure unit with a remote preamplifier):

* floor: the best plausible noise at 1 PLC, but never finer than the finest display resolution
  of the instruments on the range that holds the current;
* ceiling: the largest offset term of those instruments on that range (an upper bound of a
  read's whole error);
* the noise at a read is ``floor · (ceiling/floor)^p`` with the *noise position* ``p`` in [0, 1]
  (an analysis choice, log-uniform between the two ends), scaled by ``(t_PLC / t_int)^0.5`` for
  a read of duration ``t_int`` (white noise; ``t_int`` per read family is an analysis choice);
* a change between reads is resolved when it exceeds ``k · sqrt(n_reads) · sigma_I / |I_ref|``.

The choices (``noise_position``, ``integration_time_<family>``) come from the parameter set's
topic ``analysis`` (:func:`analysis.parameters.analysis_defaults`).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from analysis.parameters import ParameterSet, data_dir, default_parameters

T_PLC_S = 1.0 / 60.0
"""One power-line cycle at 60 Hz [s] (the reference duration of the datasheets' noise)."""

FAMILIES = ("pulse_reads", "retention_reads", "steady_reads")
"""Read families with their own plausible read durations (measurement.yaml integration_time)."""


@functools.lru_cache(maxsize=4)
def _model_of(path: str, mtime_ns: int) -> dict:
    import yaml
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def model() -> dict:
    """data/evidence/measurement.yaml."""
    path = data_dir() / "evidence/measurement.yaml"
    return _model_of(str(path), path.stat().st_mtime_ns)


class BeyondInstruments(ValueError):
    """A current above every instrument range of data/evidence/measurement.yaml: the measurement
    model does not say what a read of it resolves."""


def noise_bounds_A(current_A: float) -> tuple[float, float]:
    """(floor, ceiling) of the single-read noise [A] at 1 PLC for a read of |current_A|.

    Raises
    ------
    ValueError
        If no instrument has a range that holds the current.

    Examples
    --------
    >>> lo, hi = noise_bounds_A(0.9e-12)
    >>> round(lo * 1e15, 3), round(hi * 1e15, 1)
    (0.125, 7.0)
    """
    m = model()
    ceilings, resolutions = [], []
    for spec in m["instruments"]["value"].values():
        i = next((j for j, r in enumerate(spec["ranges_A"]) if r >= abs(current_A)), None)
        if i is None:
            continue
        ceilings.append(float(spec["offset_A"][i]))
        resolutions.append(float(spec["resolution_A"][i]))
    if not ceilings:
        raise BeyondInstruments(f"current_A={current_A!r} exceeds every instrument range of data/evidence/measurement.yaml")
    return max(float(m["noise_floor"]["value"]), min(resolutions)), max(ceilings)


def read_noise_A(current_A: float, family: str, pset: ParameterSet | None = None) -> float:
    """Standard deviation [A] of one read of |current_A| in read *family* under the parameter
    set's analysis choices (noise position, read duration)."""
    if family not in FAMILIES:
        raise ValueError(f"family={family!r} is not a read family; expected one of {FAMILIES}")
    a = (pset or default_parameters()).topic("analysis")
    p = float(a["noise_position"])
    t_int = float(a[f"integration_time_{family}"])
    lo, hi = noise_bounds_A(current_A)
    sigma = math.exp(math.log(lo) + p * (math.log(hi) - math.log(lo)))
    return sigma * (T_PLC_S / t_int) ** float(model()["integration_time_scaling"]["value"])


def threshold(current_A: float, family: str, reads: int, pset: ParameterSet | None = None) -> float:
    """Smallest relative change ``dI/|I|`` of a current *current_A* [A] that *reads* reads of
    *family* resolve: ``k · sqrt(reads) · sigma_I / |I|``.

    Examples
    --------
    >>> round(100 * threshold(0.9e-12, "pulse_reads", 2), 2)    # n = 1's EPSC, default choices
    0.59
    """
    if not current_A or not np.isfinite(current_A):
        return math.inf
    k = float(model()["coverage_factor"]["value"])
    return k * math.sqrt(int(reads)) * read_noise_A(current_A, family, pset) / abs(float(current_A))


__all__ = ["T_PLC_S", "FAMILIES", "model", "noise_bounds_A", "read_noise_A", "threshold", "BeyondInstruments"]
