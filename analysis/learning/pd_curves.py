"""Potentiation/depression (P/D) curves: nonlinearity, asymmetry and states of a measured curve.

The Fig. S11a protocol applies 20 negative spikes (−1 V, 20 ms; they *potentiate*:
the conductance rises) then 20 positive spikes (+1 V; *depression*), reading the
conductance after each.  Each branch is fitted with the NeuroSim V3 model
(literature.md §5)::

    G_LTP(P) = B (1 − exp(−P/A)) + G_min,          P = 0 … P_max
    G_LTD(q) = G_max − B (1 − exp(−q/A)),          q = P_max − P (depression pulses)
    B = (G_max − G_min) / (1 − exp(−P_max/A))

(the LTD form is NeuroSim's written in the number of depression pulses).  The fit
uses the curvature ``k = 1/A`` [1/pulse] so that the linear device (``A → ∞``) is
the smooth limit ``k = 0``; negative ``k`` means steps that *grow* with pulse number.

NeuroSim labels nonlinearity with a number NL that its tables map to ``A/P_max``
(NL 1 → 1.252, 2 → 0.609, 3 → 0.387, 5 → 0.192).  Those pairs are reproduced, to
within 1 % (NL 0.99, 1.98, 2.97, 4.96), by the definition used here (derived [D] in this compendium)::

    NL = 10 · max_x [ g(x) − x ],   g(x) = (1 − e^(−x P_max/A)) / (1 − e^(−P_max/A)),

the largest deviation of the normalised branch from a straight line, in tenths of
the range.  Sign convention: NL > 0 for a *saturating* branch (steps shrink with
pulse number, the usual case, both for potentiation and depression), NL < 0 for an
accelerating one.  The *asymmetry* is the largest difference, in units of the range,
between the normalised potentiation branch and the depression branch drawn on the
same state axis (0 for a symmetric linear device; 0.197 for NL = 1 on both branches).

:func:`pd_from_dataset` reads the curve of a simulated film.  The lookup-table devices that
training programs (built from such a curve, or NeuroSim-shaped) are
:mod:`analysis.learning.lookup_device`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

log = logging.getLogger(__name__)

NEUROSIM_NL_TABLE = {1: 1.252, 2: 0.609, 3: 0.387, 5: 0.192}
"""NeuroSim nonlinearity label -> A/P_max (literature.md §5, [V])."""

_X = np.linspace(0.0, 1.0, 4001)


def _basis(pulses, k):
    """(1 − exp(−k p)) / k with its linear limit p at k = 0."""
    pulses = np.asarray(pulses, dtype=float)
    if abs(k) < 1e-9:
        return pulses
    return -np.expm1(-k * pulses) / k


def normalised_branch(x, kappa):
    """Normalised NeuroSim branch g(x) = (1 − e^(−κx)) / (1 − e^(−κ)), κ = P_max/A.

    Parameters
    ----------
    x : array_like, 1
        Fraction of the pulses applied, 0…1.
    kappa : float, 1
        ``P_max / A``; 0 is linear, > 0 saturating.
    """
    x = np.asarray(x, dtype=float)
    if abs(kappa) < 1e-9:
        return x
    return np.expm1(-kappa * x) / np.expm1(-kappa)


def nl_label(a_over_pmax: float) -> float:
    """NeuroSim-style nonlinearity label of a branch with ``A/P_max`` (see module doc).

    Parameters
    ----------
    a_over_pmax : float, 1
        ``A / P_max``; ``inf`` for a linear branch; negative for accelerating steps.

    Returns
    -------
    float, 1
        ``NL = 10 · max|g(x) − x|`` with the sign of ``A``.

    Examples
    --------
    >>> round(nl_label(1.252), 2), round(nl_label(0.192), 2)
    (0.99, 4.96)
    """
    a = float(a_over_pmax)
    if a == 0.0 or np.isnan(a):
        msg = f"a_over_pmax={a_over_pmax!r} must be non-zero and finite or ±inf (A/P_max)"
        raise ValueError(msg)
    kappa = 0.0 if np.isinf(a) else 1.0 / a
    dev = normalised_branch(_X, kappa) - _X
    return float(10.0 * (dev.max() if kappa >= 0 else dev.min()))


def a_over_pmax_from_nl(nl: float) -> float:
    """Inverse of :func:`nl_label`: ``A/P_max`` for a label NL (``inf`` for NL = 0).

    Parameters
    ----------
    nl : float, 1
        Nonlinearity label, −9.5…9.5 (|NL| → 10 is a step function).
    """
    nl = float(nl)
    if not -9.5 <= nl <= 9.5:
        msg = f"nl={nl!r} must be within -9.5…9.5 (NeuroSim-style nonlinearity label)"
        raise ValueError(msg)
    if nl == 0.0:
        return float("inf")
    sign = 1.0 if nl > 0 else -1.0
    kappa = brentq(lambda kap: abs(nl_label(1.0 / (sign * kap))) - abs(nl), 1e-6, 500.0, xtol=1e-10)
    return sign / kappa


@dataclass(frozen=True)
class BranchFit:
    """NeuroSim fit of one P/D branch ``G(p) = g0 + c·(1 − e^(−k p))/k``.

    Attributes
    ----------
    k_per_pulse : float, 1/pulse
        Curvature ``1/A`` (0 = linear).
    a_pulses : float, pulse
        ``A`` (``inf`` if linear).
    a_over_pmax : float, 1
        ``A / P_max``.
    nl : float, 1
        Nonlinearity label (:func:`nl_label`), > 0 saturating.
    g0 : float, S
        Fitted conductance before the first pulse of the branch.
    g_end : float, S
        Fitted conductance after ``P_max`` pulses.
    p_max : int, pulse
        Pulses in the branch.
    rms_residual : float, S
        Root-mean-square fit residual.
    at_bound : bool
        True if the curvature hit the fit bound ``|k| P_max = 100`` (|NL| ≈ 9.6): the
        branch is essentially a single step, and NL is a lower bound of its magnitude.
    """

    k_per_pulse: float
    a_pulses: float
    a_over_pmax: float
    nl: float
    g0: float
    g_end: float
    p_max: int
    rms_residual: float
    at_bound: bool = False

    def curve(self, pulses):
        """Fitted conductance [S] after *pulses* pulses."""
        c = (self.g_end - self.g0) / _basis(self.p_max, self.k_per_pulse)
        return self.g0 + c * _basis(pulses, self.k_per_pulse)


def fit_branch(pulses, conductance, p_max: int | None = None) -> BranchFit:
    """Fit the NeuroSim model to one branch (potentiation or depression).

    Parameters
    ----------
    pulses : array_like, pulse
        Pulse count of each point from the start of the branch (0 = before the first).
    conductance : array_like, S
        Conductance read after each pulse count.
    p_max : int, optional, pulse
        Pulses in the branch (default ``max(pulses)``).

    Returns
    -------
    BranchFit
        The fitted curvature is the least-squares optimum over ``k`` in
        ``[−100, 100]/P_max`` (``g0`` and the amplitude are linear parameters).
    """
    p = np.asarray(pulses, dtype=float)
    g = np.asarray(conductance, dtype=float)
    if p.shape != g.shape or p.ndim != 1 or p.size < 4:
        msg = f"pulses and conductance must be 1-D of equal length ≥ 4; got {p.shape} and {g.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(g)):
        msg = "conductance contains non-finite values; expected finite conductances [S]"
        raise ValueError(msg)
    p_max = int(p_max if p_max is not None else p.max())
    scale = float(np.ptp(g)) or 1.0

    def sse(k):
        design = np.column_stack([np.ones_like(p), _basis(p, k)])
        coef, *_ = np.linalg.lstsq(design, g / scale, rcond=None)
        return float(np.sum((design @ coef - g / scale) ** 2)), coef

    k_lim = 100.0 / p_max
    grid = np.sinh(np.linspace(-np.arcsinh(k_lim * 10), np.arcsinh(k_lim * 10), 401)) / 10
    errs = [sse(k)[0] for k in grid]
    i = int(np.argmin(errs))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(lambda k: sse(k)[0], bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-9})
    k = float(res.x) if res.fun <= errs[i] else float(grid[i])
    err, coef = sse(k)
    g0, c = coef[0] * scale, coef[1] * scale
    a = np.inf if abs(k) < 1e-9 else 1.0 / k
    a_over = a / p_max
    nl = 0.0 if np.isinf(a_over) else nl_label(a_over)
    return BranchFit(k_per_pulse=k, a_pulses=float(a), a_over_pmax=float(a_over), nl=nl,
                     g0=float(g0), g_end=float(g0 + c * _basis(p_max, k)), p_max=p_max,
                     rms_residual=float(np.sqrt(err / p.size) * scale),
                     at_bound=bool(abs(k) >= 0.999 * k_lim))


def split_pd_curve(conductance, amplitude):
    """Split a P/D pulse train into its potentiation and depression branches.

    Parameters
    ----------
    conductance : array_like, S
        Conductance read after each pulse (e.g. ``pd_conductance``, 40 values).
    amplitude : array_like, V
        Amplitude of each pulse (``pd_amplitude``): negative spikes potentiate,
        positive spikes depress (the paper's convention, Fig. S11a).

    Returns
    -------
    pot_pulses, pot_g, dep_pulses, dep_g : numpy.ndarray
        Potentiation: pulses 1…P with the conductance after each.  Depression:
        pulses 0…D, where 0 is the last potentiated state.

    Raises
    ------
    ValueError
        If the train is not one block of negative then one block of positive pulses,
        or the negative block does not raise the conductance.
    """
    g = np.asarray(conductance, dtype=float).ravel()
    v = np.asarray(amplitude, dtype=float).ravel()
    if g.shape != v.shape:
        msg = f"conductance ({g.size} values) and amplitude ({v.size} values) must have equal length"
        raise ValueError(msg)
    neg = v < 0
    n_pot = int(neg.sum())
    if n_pot < 3 or not neg[:n_pot].all() or not (v[n_pot:] > 0).all() or g.size - n_pot < 3:
        msg = ("pd_amplitude must be a block of ≥ 3 negative (potentiating) pulses followed by "
               f"≥ 3 positive (depressing) pulses; got signs {np.sign(v).astype(int).tolist()}")
        raise ValueError(msg)
    pot_g = g[:n_pot]
    if pot_g[-1] <= pot_g[0]:
        msg = (f"pd_conductance does not rise under the negative pulses ({pot_g[0]:.4g} S → "
               f"{pot_g[-1]:.4g} S); expected potentiation")
        raise ValueError(msg)
    dep_g = np.concatenate([[pot_g[-1]], g[n_pot:]])
    return np.arange(1, n_pot + 1), pot_g, np.arange(0, dep_g.size), dep_g


def count_states(branch_g, resolution_S: float) -> int:
    """Distinguishable states of a branch: 1 + pulses whose |ΔG| exceeds the resolution.

    Parameters
    ----------
    branch_g : array_like, S
        Conductance along the branch, including its starting state.
    resolution_S : float, S
        Smallest resolvable conductance difference (read noise / sense resolution).
    """
    if not resolution_S > 0:
        msg = f"resolution_S={resolution_S!r} must be > 0 S (read resolution)"
        raise ValueError(msg)
    steps = np.abs(np.diff(np.asarray(branch_g, dtype=float)))
    return int(1 + np.sum(steps > resolution_S))


def asymmetry(fit_p: BranchFit, fit_d: BranchFit) -> float:
    """Largest gap between the normalised potentiation and depression branches, 1."""
    kp = 0.0 if np.isinf(fit_p.a_over_pmax) else 1.0 / fit_p.a_over_pmax
    kd = 0.0 if np.isinf(fit_d.a_over_pmax) else 1.0 / fit_d.a_over_pmax
    gp = normalised_branch(_X, kp)
    gd = 1.0 - normalised_branch(1.0 - _X, kd)
    return float(np.max(np.abs(gp - gd)))


def analyse_pd(conductance, amplitude, resolution_fraction: float = 0.01,
               linear_nl_max: float = 1.0, cycles=None) -> dict:
    """Quantify a P/D curve: nonlinearity, asymmetry, states, dynamic range, C2C.

    Parameters
    ----------
    conductance : array_like, S
        Conductance after each pulse of one P/D cycle.
    amplitude : array_like, V
        Amplitude of each pulse.
    resolution_fraction : float, 1
        Read resolution as a fraction of the conductance range, for the state count.
    linear_nl_max : float, 1
        Criterion of "almost linear": |NL| ≤ this on both branches (NeuroSim labels;
        |NL| = 1 means the branch deviates from a straight line by ≤ 10 % of its range).
    cycles : array_like, optional, S
        Repeated P/D cycles, shape (cycles, pulses), for the cycle-to-cycle variation.

    Returns
    -------
    dict
        ``nl_potentiation``, ``nl_depression`` (1), ``a_over_pmax_*`` (1),
        ``a_pulses_*`` (pulse), ``asymmetry`` (1), ``nl_difference`` (1),
        ``states_potentiation``, ``states_depression`` (count), ``pulses_*``,
        ``g_min_S``, ``g_max_S`` (S), ``dynamic_range`` (1, G_max/G_min),
        ``resolution_S`` (S), ``almost_linear`` (bool), ``nonlinearity_abs_max`` (1),
        ``cycle_to_cycle`` (1, σ/range or None), ``fit_rms_*`` (S), ``fit_at_bound``
        (bool, a branch is a near-single step, see :class:`BranchFit`), and the fits
        (``fit_potentiation``, ``fit_depression``, :class:`BranchFit`).
    """
    if not 0 < resolution_fraction < 1:
        msg = f"resolution_fraction={resolution_fraction!r} must be in (0, 1) (fraction of the range)"
        raise ValueError(msg)
    pp, pg, dp, dg = split_pd_curve(conductance, amplitude)
    fit_p = fit_branch(pp, pg, p_max=int(pp.max()))
    fit_d = fit_branch(dp, dg, p_max=int(dp.max()))
    g_all = np.asarray(conductance, dtype=float)
    g_min, g_max = float(g_all.min()), float(g_all.max())
    resolution = resolution_fraction * (g_max - g_min)
    c2c = None
    if cycles is not None:
        cyc = np.asarray(cycles, dtype=float)
        if cyc.ndim == 2 and cyc.shape[0] >= 2:
            c2c = float(np.mean(np.std(cyc, axis=0, ddof=1)) / (g_max - g_min))
    nl_abs = max(abs(fit_p.nl), abs(fit_d.nl))
    start_p = np.concatenate([[fit_p.g0], pg])
    return {
        "nl_potentiation": fit_p.nl, "nl_depression": fit_d.nl,
        "a_over_pmax_potentiation": fit_p.a_over_pmax, "a_over_pmax_depression": fit_d.a_over_pmax,
        "a_pulses_potentiation": fit_p.a_pulses, "a_pulses_depression": fit_d.a_pulses,
        "nl_difference": abs(fit_p.nl - fit_d.nl), "asymmetry": asymmetry(fit_p, fit_d),
        "pulses_potentiation": int(pp.max()), "pulses_depression": int(dp.max()),
        "states_potentiation": count_states(start_p, resolution),
        "states_depression": count_states(dg, resolution),
        "g_min_S": g_min, "g_max_S": g_max, "dynamic_range": g_max / g_min if g_min > 0 else float("inf"),
        "resolution_S": resolution, "resolution_fraction": resolution_fraction,
        "linear_nl_max": linear_nl_max, "nonlinearity_abs_max": nl_abs,
        "almost_linear": bool(nl_abs <= linear_nl_max), "cycle_to_cycle": c2c,
        "fit_rms_potentiation_S": fit_p.rms_residual, "fit_rms_depression_S": fit_d.rms_residual,
        "fit_at_bound": bool(fit_p.at_bound or fit_d.at_bound),
        "fit_potentiation": fit_p, "fit_depression": fit_d,
    }


def pd_from_dataset(ds):
    """``(conductance, amplitude, cycles)`` of a per-n simulation Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Holds ``pd_conductance`` [S] on ``pd_pulse`` (optionally with one more
        dimension of repeated cycles) and the coordinate ``pd_amplitude`` [V].

    Returns
    -------
    conductance : numpy.ndarray, S
        First (or only) cycle.
    amplitude : numpy.ndarray, V
    cycles : numpy.ndarray or None, S
        All cycles, shape (cycles, pulses), when present.
    """
    if "pd_conductance" not in ds or "pd_amplitude" not in ds.coords and "pd_amplitude" not in ds:
        msg = ("dataset lacks pd_conductance [S] on pd_pulse with coordinate pd_amplitude [V]; "
               f"has {sorted(ds.variables)}")
        raise ValueError(msg)
    da = ds["pd_conductance"]
    if "pd_pulse" not in da.dims:
        msg = f"pd_conductance must have dimension pd_pulse; has {da.dims}"
        raise ValueError(msg)
    amp = np.asarray(ds["pd_amplitude"].values, dtype=float)
    other = [d for d in da.dims if d != "pd_pulse"]
    if not other:
        return np.asarray(da.values, dtype=float), amp, None
    if len(other) > 1:
        msg = f"pd_conductance may have at most one dimension besides pd_pulse (cycles); has {da.dims}"
        raise ValueError(msg)
    cycles = np.asarray(da.transpose(other[0], "pd_pulse").values, dtype=float)
    return cycles[0], amp, cycles
