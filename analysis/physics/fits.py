"""Fits and plasticity indices that work on simulated *and* measured data.

Every fit declares its parameters in one place (:data:`POWER_LAW`, :data:`ARRHENIUS`,
:data:`PPF_DOUBLE_EXP`: name, start value, bounds, unit), takes plain arrays (or xarray
objects) and returns a :class:`FitResult` with values, standard errors and a flag for every
parameter that ended at a bound.

* :func:`fit_power_law` — forgetting curve ``y = b t^−m`` (Fig. 4b, Table 2 b and m);
* :func:`fit_arrhenius` — ``ln R = ln R0 + Ea/(kT)`` (Fig. 5b, Table 2 Ea);
* :func:`fit_ppf` — ``PPF = 1 + C1 exp(−Δt/τ1) + C2 exp(−Δt/τ2)`` (Fig. 3b);
* :func:`pulse_responses`, :func:`ppf_index`, :func:`relative_index` — A_n, A2/A1, A_n/A1.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

from analysis.physics.multitrap import K_B_EV

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParameterSpec:
    """One fit parameter: name, start value, bounds and unit."""

    name: str
    start: float
    lower: float
    upper: float
    unit: str


@dataclass(frozen=True)
class FitResult:
    """Result of a least-squares fit.

    Attributes
    ----------
    values, errors : dict[str, float]
        Best-fit values and one-sigma standard errors (from the covariance scaled by the
        residual variance; ``nan`` if it cannot be estimated).
    units : dict[str, str]
        Unit of each parameter.
    at_bound : dict[str, bool]
        True where the parameter ended within 1e-6 (relative) of a bound.
    rms : float
        Root-mean-square residual in the units of the fitted quantity.
    n_points : int
        Number of data points used.
    """

    values: dict
    errors: dict
    units: dict
    at_bound: dict
    rms: float
    n_points: int

    @property
    def any_at_bound(self) -> bool:
        """True if any parameter ended at a bound."""
        return any(self.at_bound.values())

    def __getitem__(self, name: str) -> float:
        return self.values[name]


POWER_LAW = (
    ParameterSpec("b", 0.1, 0.0, np.inf, "1"),
    ParameterSpec("m", 0.5, 0.0, 10.0, "1"),
)
"""Parameters of ``y = b t^−m`` (b: weight at t = 1 s; m: power-function rate)."""

ARRHENIUS = (
    ParameterSpec("ln_r0", 0.0, -200.0, 200.0, "ln(ohm)"),
    ParameterSpec("ea_eV", 0.1, -5.0, 5.0, "eV"),
)
"""Parameters of ``ln R = ln R0 + Ea/(kT)``."""

PPF_DOUBLE_EXP = (
    ParameterSpec("c1", 0.1, 0.0, 100.0, "1"),
    ParameterSpec("tau1_s", 0.02, 1e-4, 10.0, "s"),
    ParameterSpec("c2", 0.1, 0.0, 100.0, "1"),
    ParameterSpec("tau2_s", 0.2, 1e-4, 100.0, "s"),
)
"""Parameters of ``PPF = 1 + C1 exp(−Δt/τ1) + C2 exp(−Δt/τ2)`` (τ1 < τ2 after sorting)."""


def _arrays(*pairs):
    out = []
    for value, name in pairs:
        try:
            arr = np.asarray(getattr(value, "values", value), dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            msg = f"{name} must be an array of numbers, got {type(value).__name__}"
            raise ValueError(msg) from exc
        out.append(arr)
    n = out[0].size
    for arr, (_, name) in zip(out, pairs):
        if arr.size != n:
            msg = f"{name} has {arr.size} points but {pairs[0][1]} has {n}; they must match"
            raise ValueError(msg)
    return out


def _fit(model, specs, x, y, start=None, sigma=None, absolute_sigma=False) -> FitResult:
    p0 = [s.start for s in specs] if start is None else [float(v) for v in start]
    lo = [s.lower for s in specs]
    hi = [s.upper for s in specs]
    for i in range(len(p0)):   # curve_fit needs a start strictly inside the bounds
        if not p0[i] > lo[i]:
            p0[i] = lo[i] + 1e-6 * max(1.0, abs(lo[i]))
        if not p0[i] < hi[i]:
            p0[i] = hi[i] - 1e-6 * max(1.0, abs(hi[i]))
    popt, pcov = curve_fit(model, x, y, p0=p0, bounds=(lo, hi), sigma=sigma, maxfev=20000,
                           method="trf", x_scale="jac", absolute_sigma=absolute_sigma)
    with np.errstate(invalid="ignore"):
        err = np.sqrt(np.diag(pcov)) if np.all(np.isfinite(pcov)) else np.full(len(specs), np.nan)
    resid = y - model(x, *popt)
    at = {}
    for s, v, start_v in zip(specs, popt, p0):
        # "at a bound": closer than 1e-6 of the parameter's scale (bound or start value)
        scale = max(abs(start_v), abs(v))
        hits = [abs(v - bound) <= 1e-6 * max(abs(bound), scale) for bound in (s.lower, s.upper)
                if np.isfinite(bound)]
        at[s.name] = bool(any(hits))
    if any(at.values()):
        log.warning("fit parameter(s) %s ended at a bound",
                    ", ".join(k for k, v in at.items() if v))
    return FitResult(values={s.name: float(v) for s, v in zip(specs, popt)},
                     errors={s.name: float(e) for s, e in zip(specs, err)},
                     units={s.name: s.unit for s in specs}, at_bound=at,
                     rms=float(np.sqrt(np.mean(resid ** 2))), n_points=int(x.size))


# --------------------------------------------------------------------------- power law
def power_law(t, b, m):
    """``y = b t^−m``."""
    return b * np.power(t, -m)


POWER_LAW_METHODS = ("linear_least_squares", "loglog_least_squares", "relative_least_squares",
                     "noise_weighted")
"""How :func:`fit_power_law` fits (the paper does not say; data/evidence/analysis_choices.yaml)."""


def _loglog_power_law(log_t, log_b, m):
    return log_b - m * log_t


def fit_power_law(time_s, weight, window_s=(0.0, np.inf), method: str = "linear_least_squares",
                  sigma=None) -> FitResult:
    """Fit the forgetting curve ``y = b t^−m``.

    Parameters
    ----------
    time_s : array_like, s
        Time after the last stimulus (> 0 inside the window).
    weight : array_like, 1
        Synaptic weight y (e.g. the normalised current increase).
    window_s : (float, float), s
        Only points with ``window_s[0] < t <= window_s[1]`` are fitted.
    method : str
        ``linear_least_squares`` (residuals of y), ``loglog_least_squares`` (residuals of ln y
        against ln t; points with y > 0), ``relative_least_squares`` (residuals relative to y,
        weights 1/y²) or ``noise_weighted`` (weights 1/sigma², *sigma* the standard deviation of
        each y, absolute).
    sigma : array_like, optional
        Standard deviation of each y (``noise_weighted`` only).

    Returns
    -------
    FitResult
        ``b`` [1] (y at t = 1 s) and ``m`` [1].

    Raises
    ------
    ValueError
        If fewer than 3 usable points remain, the arrays differ in length, the method is
        unknown, or ``noise_weighted`` lacks *sigma*.

    Examples
    --------
    >>> t = np.linspace(0.1, 15, 50)
    >>> r = fit_power_law(t, 0.1 * t ** -0.5, method="loglog_least_squares")
    >>> round(r["b"], 6), round(r["m"], 6)
    (0.1, 0.5)
    """
    if method not in POWER_LAW_METHODS:
        raise ValueError(f"method={method!r} is unknown; expected one of {POWER_LAW_METHODS}")
    if method == "noise_weighted" and sigma is None:
        raise ValueError("method='noise_weighted' needs sigma, the standard deviation of each weight")
    t, y = _arrays((time_s, "time_s"), (weight, "weight"))
    sig = None if sigma is None else np.broadcast_to(np.asarray(sigma, dtype=float), t.shape)
    lo, hi = float(window_s[0]), float(window_s[1])
    if not hi > lo:
        msg = f"window_s={window_s!r} must have window_s[1] > window_s[0] (s)"
        raise ValueError(msg)
    sel = (t > lo) & (t <= hi) & (t > 0) & np.isfinite(y)
    if sel.sum() < 3:
        msg = (f"fit_power_law needs >= 3 points with {lo} < t <= {hi} s and t > 0; "
               f"got {int(sel.sum())}")
        raise ValueError(msg)
    t, y = t[sel], y[sel]
    pos = y > 0
    if pos.sum() >= 2:   # start from a log-log straight line
        slope, icpt = np.polyfit(np.log(t[pos]), np.log(y[pos]), 1)
        start = [math.exp(icpt), min(max(-slope, 1e-3), 9.0)]
    else:
        start = None
    if method == "linear_least_squares":
        return _fit(power_law, POWER_LAW, t, y, start=start)
    if method == "relative_least_squares":
        if not np.all(pos):
            raise ValueError("relative_least_squares needs every weight in the window > 0")
        return _fit(power_law, POWER_LAW, t, y, start=start, sigma=np.abs(y))
    if method == "noise_weighted":
        s = sig[sel]
        if not np.all(s > 0):
            raise ValueError("sigma must be > 0 for every fitted point")
        return _fit(power_law, POWER_LAW, t, y, start=start, sigma=s, absolute_sigma=True)
    if pos.sum() < 3:
        raise ValueError(f"loglog_least_squares needs >= 3 weights > 0 in the window; got {int(pos.sum())}")
    specs = (ParameterSpec("log_b", 0.0, -np.inf, np.inf, "1"), ParameterSpec("m", 0.5, 0.0, 10.0, "1"))
    r = _fit(_loglog_power_law, specs, np.log(t[pos]), np.log(y[pos]),
             start=None if start is None else [math.log(start[0]), start[1]])
    b = math.exp(r["log_b"])
    return FitResult(values={"b": b, "m": r["m"]}, errors={"b": b * r.errors["log_b"], "m": r.errors["m"]},
                     units={"b": "1", "m": "1"}, at_bound={"b": False, "m": r.at_bound["m"]},
                     rms=float(np.sqrt(np.mean((y[pos] - power_law(t[pos], b, r["m"])) ** 2))),
                     n_points=int(pos.sum()))


# --------------------------------------------------------------------------- Arrhenius
def _arrhenius_model(inv_kt, ln_r0, ea):
    return ln_r0 + ea * inv_kt


def fit_arrhenius(temperature_K, resistance_ohm, t_range_K=(0.0, np.inf)) -> FitResult:
    """Fit ``ln R = ln R0 + Ea/(kT)`` over a temperature range ("the linear region").

    Parameters
    ----------
    temperature_K : array_like, K
        Temperatures (> 0).
    resistance_ohm : array_like, ohm
        Resistances (> 0).
    t_range_K : (float, float), K
        Inclusive range of temperatures used.

    Returns
    -------
    FitResult
        ``ea_eV`` [eV] and ``ln_r0`` [ln(ohm)].
    """
    t, r = _arrays((temperature_K, "temperature_K"), (resistance_ohm, "resistance_ohm"))
    if np.any(t <= 0) or np.any(r <= 0):
        msg = ("temperature_K and resistance_ohm must be > 0 (K, ohm); got min T = "
               f"{t.min():g} K, min R = {r.min():g} ohm")
        raise ValueError(msg)
    sel = (t >= t_range_K[0]) & (t <= t_range_K[1])
    if sel.sum() < 3:
        msg = f"fit_arrhenius needs >= 3 temperatures within t_range_K={t_range_K}; got {int(sel.sum())}"
        raise ValueError(msg)
    x = 1.0 / (K_B_EV * t[sel])
    y = np.log(r[sel])
    slope, icpt = np.polyfit(x, y, 1)
    return _fit(_arrhenius_model, ARRHENIUS, x, y, start=[icpt, slope])


# --------------------------------------------------------------------------- PPF
def ppf_model(dt, c1, tau1, c2, tau2):
    """``PPF = 1 + C1 exp(−Δt/τ1) + C2 exp(−Δt/τ2)``."""
    return 1.0 + c1 * np.exp(-dt / tau1) + c2 * np.exp(-dt / tau2)


def fit_ppf(interval_s, ppf) -> FitResult:
    """Fit the double-exponential PPF law (Zucker & Regehr 2002).

    Parameters
    ----------
    interval_s : array_like, s
        Inter-spike intervals Δt.
    ppf : array_like, 1
        PPF index A2/A1.

    Returns
    -------
    FitResult
        ``c1``, ``tau1_s``, ``c2``, ``tau2_s`` with ``tau1_s <= tau2_s``.
    """
    dt, y = _arrays((interval_s, "interval_s"), (ppf, "ppf"))
    if dt.size < 5:
        msg = f"fit_ppf needs >= 5 intervals for 4 parameters; got {dt.size}"
        raise ValueError(msg)
    if np.any(dt <= 0):
        msg = f"interval_s must be > 0 s; got min {dt.min():g}"
        raise ValueError(msg)
    span = float(dt.max() - dt.min()) or float(dt.max())
    amp = max(float(y.max() - 1.0), 1e-6)
    best = None
    for f1, f2 in ((0.25, 2.0), (0.1, 1.0), (0.5, 5.0)):
        start = [amp / 2 * math.exp(dt.min() / (f1 * span)), f1 * span,
                 amp / 2 * math.exp(dt.min() / (f2 * span)), f2 * span]
        start = [min(s, 50.0) for s in start]
        try:
            res = _fit(ppf_model, PPF_DOUBLE_EXP, dt, y, start=start)
        except RuntimeError:
            continue
        if best is None or res.rms < best.rms:
            best = res
    if best is None:
        msg = "fit_ppf did not converge from any start value"
        raise ValueError(msg)
    v, e, a = dict(best.values), dict(best.errors), dict(best.at_bound)
    if v["tau1_s"] > v["tau2_s"]:
        for d in (v, e, a):
            d["c1"], d["c2"] = d["c2"], d["c1"]
            d["tau1_s"], d["tau2_s"] = d["tau2_s"], d["tau1_s"]
    return FitResult(v, e, best.units, a, best.rms, best.n_points)


# --------------------------------------------------------------------------- indices
def pulse_responses(time_s, current_A, pulse_end_s, delay_s: float = 0.0) -> np.ndarray:
    """Postsynaptic current A_n at the first sample at or after each pulse end + delay.

    Parameters
    ----------
    time_s, current_A : array_like, s and A
        A sampled current trace.
    pulse_end_s : array_like, s
        End times of the pulses.
    delay_s : float, s
        Read delay after each pulse end.

    Returns
    -------
    numpy.ndarray, A
        One current per pulse.
    """
    t, i = _arrays((time_s, "time_s"), (current_A, "current_A"))
    ends = np.asarray(pulse_end_s, dtype=float).reshape(-1) + float(delay_s)
    idx = np.searchsorted(t, ends - 1e-12, side="left")
    if np.any(idx >= t.size):
        msg = f"pulse_end_s + delay_s reaches beyond the trace (last sample {t[-1]:g} s)"
        raise ValueError(msg)
    return i[idx]


def ppf_index(a1, a2):
    """Paired-pulse facilitation index ``A2/A1`` (elementwise)."""
    a1 = np.asarray(getattr(a1, "values", a1), dtype=float)
    a2 = np.asarray(getattr(a2, "values", a2), dtype=float)
    if np.any(a1 == 0):
        msg = "a1 (first postsynaptic current) must be non-zero for A2/A1"
        raise ValueError(msg)
    return a2 / a1


def relative_index(responses, axis: int = -1):
    """Index ``A_n/A_1`` along *axis* (SFDP, SVDP, SDDP, SNDP)."""
    a = np.asarray(getattr(responses, "values", responses), dtype=float)
    first = np.take(a, [0], axis=axis)
    if np.any(first == 0):
        msg = "the first response A_1 must be non-zero for A_n/A_1"
        raise ValueError(msg)
    return a / first


__all__ = ["ParameterSpec", "FitResult", "POWER_LAW", "ARRHENIUS", "PPF_DOUBLE_EXP",
           "power_law", "fit_power_law", "fit_arrhenius", "ppf_model", "fit_ppf",
           "pulse_responses", "ppf_index", "relative_index"]
