"""Potentiation/depression (P/D) curves: nonlinearity, asymmetry, states, and lookup-table devices.

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

A :class:`Device` is the lookup table of one such curve (or a NeuroSim-shaped
synthetic one); :mod:`analysis.learning.training` trains networks whose weights are pairs of them.
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


# =========================================================================== P/D curves
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


# =========================================================================== devices
class TableInterp:
    """``np.interp(x, xp, fp)`` for a small strictly increasing *xp*: the same bits, 2–3 × faster.

    numpy interpolates between ``xp[j] ≤ x < xp[j+1]`` as ``slope_j (x − xp[j]) + fp[j]`` with
    ``slope_j = (fp[j+1] − fp[j])/(xp[j+1] − xp[j])`` and returns ``fp[0]`` / ``fp[-1]`` outside
    ``[xp[0], xp[-1])``.  Here the interval ``j`` comes without a binary search per element: for
    a uniform grid ``xp = 0, 1, 2, …`` it is ``floor(x)``; otherwise from a table over a uniform
    bucket grid and one comparison (:meth:`__init__` says why that is exact), with a binary
    search only in buckets that hold several points.  The same formula then gives the same bits
    (``tests/test_synaptic_weights.py`` compares them).
    """

    SMALL = 2048
    """Fewer values than this go to ``np.interp`` itself (same bits; less call overhead)."""

    def __init__(self, xp, fp, buckets: int = 4096):
        self.xp = np.asarray(xp, dtype=float)
        self.fp = np.asarray(fp, dtype=float)
        if self.xp.ndim != 1 or self.xp.size < 2 or self.fp.shape != self.xp.shape or np.any(np.diff(self.xp) <= 0):
            msg = f"xp must be strictly increasing with ≥ 2 points and fp of the same length; got {self.xp.shape}, {self.fp.shape}"
            raise ValueError(msg)
        self.last = self.xp.size - 2                          # largest interval index
        self.slope = np.diff(self.fp) / np.diff(self.xp)
        self.uniform = bool(np.array_equal(self.xp, np.arange(self.xp.size, dtype=float)))
        self.lo, span = self.xp[0], self.xp[-1] - self.xp[0]
        self.scale = buckets / span
        self.buckets = buckets

        # intervals 0 … last, then two sentinels with slope 0: index last + 1 holds x ≥ xp[-1]
        # (value fp[-1]) and index −1 (the last entry) x < xp[0] (value fp[0]), so that one
        # formula gives every value, np.interp's edges included (0·(x − origin) + f = f exactly)
        low = -np.finfo(float).max                           # finite: x − low stays finite for x < xp[0]
        self._lower = np.concatenate([self.xp[:-1], [self.xp[-1], low]])        # origin of each interval
        self._slope = np.concatenate([self.slope, [0.0, 0.0]])
        self._value = np.concatenate([self.fp[:-1], [self.fp[-1], self.fp[0]]])
        # The bucket b(x) = trunc((x − lo)·scale) (clipped to −1 … buckets) is computed by the same
        # float operations for x and for the table points, and it never decreases with x; so every
        # point of a lower bucket is ≤ x and every point of a higher one > x, and the interval
        # (the number of points ≤ x, minus 1) is the count of points in lower buckets, plus one if
        # x reaches the single point in its own bucket.  Buckets holding several points
        # ("crowded") are resolved by a binary search.  Arrays indexed by bucket: 0 … buckets,
        # then −1 (last entry).
        bk = self._bucket(self.xp)
        index = np.r_[np.arange(buckets + 1), -1]
        counts = np.bincount(bk + 1, minlength=buckets + 2)                      # points per bucket + 1
        self._below = np.searchsorted(bk, index, side="left") - 1                  # points in lower buckets − 1
        self._split = np.full(buckets + 2, np.inf)
        single = index[counts[index + 1] == 1]
        self._split[single] = self.xp[np.searchsorted(bk, single)]
        self._crowded = counts[index + 1] > 1
        self._any_crowded = bool(self._crowded.any())

    def _bucket(self, x):
        # any bucket function that never decreases with x will do (see __init__): truncation
        # after the clip (bucket 0 also holds x a bucket width below lo)
        b = x - self.lo
        b *= self.scale
        np.clip(b, -1, self.buckets, out=b)
        return b.astype(np.intp)

    def _interval(self, x):
        """Interval index of each *x* (−1 below xp[0], last + 1 at or above xp[-1]) and its origin."""
        if self.uniform:                                      # xp = 0, 1, …: the interval is floor(x)
            origin = np.floor(x)
            np.clip(origin, -1, self.last + 1, out=origin)
            # xp[j] = j, and the sentinels' origins may be any finite value (slope 0): j itself
            return origin.astype(np.intp), origin
        b = self._bucket(x)
        j = self._below.take(b)
        j += x >= self._split.take(b)
        if self._any_crowded:
            crowded = np.flatnonzero(self._crowded.take(b))
            if crowded.size:
                j[crowded] = np.searchsorted(self.xp, x[crowded], side="right") - 1
        return j, self._lower.take(j)

    def __call__(self, x):
        """``np.interp(x, xp, fp)`` for finite *x* (scalar or array)."""
        x = np.asarray(x, dtype=float)
        if x.size < self.SMALL:                               # one C call is cheaper for few values
            return np.interp(x, self.xp, self.fp)
        shape, x = x.shape, x.reshape(-1)
        j, origin = self._interval(x)
        out = np.subtract(x, origin)
        out *= self._slope.take(j)                            # slope_j (x − xp[j]) + fp[j], numpy's order
        out += self._value.take(j)
        return out.reshape(shape) if shape else out[0]


@dataclass(frozen=True)
class Device:
    """A pulse-programmed conductance with lookup-table potentiation and depression.

    Attributes
    ----------
    pot_g : numpy.ndarray, S
        Conductance after 0…P potentiation pulses from the lowest state (increasing).
    dep_g : numpy.ndarray, S
        Conductance after 0…D depression pulses from the highest state (decreasing).
    noise : float, 1
        Cycle-to-cycle σ per update as a fraction of the range (× √pulses).
    name : str
        Label for tables and plots.
    decay : Decay, optional
        Relaxation of the conductance between two updates, applied during training when given
        (:class:`Decay`; ``None``: the table's conductance is kept until the next pulse).
    """

    pot_g: np.ndarray
    dep_g: np.ndarray
    noise: float = 0.0
    name: str = "device"
    decay: "Decay | None" = None

    def __post_init__(self):
        pot = np.maximum.accumulate(np.asarray(self.pot_g, dtype=float))
        dep = np.minimum.accumulate(np.asarray(self.dep_g, dtype=float))
        if pot.size < 2 or dep.size < 2 or pot[-1] <= pot[0] or dep[0] <= dep[-1]:
            msg = ("device tables need ≥ 2 points, pot_g rising and dep_g falling; got "
                   f"pot_g {pot[0]:.4g}→{pot[-1]:.4g} S, dep_g {dep[0]:.4g}→{dep[-1]:.4g} S")
            raise ValueError(msg)
        if not self.noise >= 0:
            msg = f"noise={self.noise!r} must be ≥ 0 (fraction of the conductance range)"
            raise ValueError(msg)
        if self.decay is not None and not isinstance(self.decay, Decay):
            msg = f"decay must be a Decay or None; got {type(self.decay).__name__}"
            raise ValueError(msg)
        rng = max(pot[-1], dep[0]) - min(pot[0], dep[-1])
        # strictly monotone so that the inverse lookup is unique: only flat (measured)
        # steps are lifted, by 1e-9 of the range; all other points are kept exactly
        ramp_p = 1e-9 * rng * np.arange(pot.size)
        ramp_d = 1e-9 * rng * np.arange(dep.size)
        object.__setattr__(self, "pot_g", np.maximum.accumulate(pot - ramp_p) + ramp_p)
        object.__setattr__(self, "dep_g", np.minimum.accumulate(dep + ramp_d) - ramp_d)
        # the lookups of potentiate/depress (np.interp's arithmetic, bucketed search)
        p, q = np.arange(self.pot_g.size, dtype=float), np.arange(self.dep_g.size, dtype=float)
        object.__setattr__(self, "_lookups", (TableInterp(self.pot_g, p), TableInterp(p, self.pot_g),
                                              TableInterp(self.dep_g[::-1], q[::-1]), TableInterp(q, self.dep_g)))

    @property
    def g_min(self) -> float:
        """Lowest reachable conductance, S."""
        return float(min(self.pot_g[0], self.dep_g[-1]))

    @property
    def g_max(self) -> float:
        """Highest reachable conductance, S."""
        return float(max(self.pot_g[-1], self.dep_g[0]))

    @property
    def n_pulses(self) -> int:
        """Pulses of the potentiation branch (nominal full-range pulse count)."""
        return int(self.pot_g.size - 1)

    def potentiate(self, g, n):
        """Conductance [S] after *n* potentiation pulses from *g* [S] (noise-free).

        The pulse position of *g* on the potentiation table (linear interpolation), moved by
        *n* and read back: ``np.interp(np.interp(g, pot_g, P) + n, P, pot_g)``, ``P = 0 … P_max``
        (computed by :class:`TableInterp`, the same bits).
        """
        to_index, to_g = self._lookups[:2]
        return to_g(to_index(g) + n)

    def depress(self, g, n):
        """Conductance [S] after *n* depression pulses from *g* [S] (noise-free), as :meth:`potentiate`."""
        to_index, to_g = self._lookups[2:]
        return to_g(to_index(g) + n)

    def step_table(self):
        """The lookup table ΔG per pulse vs G: ``(g_pot, dG_pot, g_dep, dG_dep)`` [S]."""
        return (self.pot_g[:-1], np.diff(self.pot_g), self.dep_g[:-1], np.diff(self.dep_g))


BRIDGES = ("edge", "cyclic")


def device_from_pd_curve(conductance, amplitude, noise: float = 0.0, name: str = "measured",
                         bridge: str = "edge") -> Device:
    """Lookup-table device from one P/D cycle (CrossSim-style, no fit).

    The depression table is the measured branch from the last potentiated state.  The
    potentiation table is the measured branch (pulses 1…P).  When the depression ends
    below the first potentiated state, the potentiation behaviour between the two was
    not measured and is *bridged*:

    ``"edge"`` (default)
        ΔG per pulse below the first measured point equals the first measured step
        (the edge bin of a ΔG(G) lookup table, as CrossSim extends its tables), so the
        table is prepended with equal steps down to the lowest conductance;
    ``"cyclic"``
        a single pulse takes the device from the end of depression to the first
        potentiated state (the cycle repeats exactly).

    Both tables are made monotone (running max/min).

    Parameters
    ----------
    conductance : array_like, S
    amplitude : array_like, V
    noise : float, 1
        Cycle-to-cycle σ (fraction of the range).
    name : str
    bridge : str
        ``"edge"`` or ``"cyclic"``.
    """
    if bridge not in BRIDGES:
        msg = f"bridge={bridge!r} must be one of {BRIDGES}"
        raise ValueError(msg)
    _, pg, _, dg = split_pd_curve(conductance, amplitude)
    pg = np.maximum.accumulate(pg)
    g_low = float(min(dg.min(), pg[0]))
    if bridge == "cyclic" or pg[0] <= g_low:
        pot = np.concatenate([[g_low], pg]) if pg[0] > g_low else pg
    else:
        steps = np.diff(pg)
        first = steps[steps > 0][0] if np.any(steps > 0) else pg[0] - g_low
        k = int(np.ceil((pg[0] - g_low) / first - 1e-9))
        below = pg[0] - first * np.arange(k, 0, -1)
        below[0] = g_low  # the last (partial) step ends exactly at the lowest state
        pot = np.concatenate([below, pg])
    return Device(pot_g=pot, dep_g=dg, noise=noise, name=name)


def neurosim_device(n_pulses: int, nl_potentiation: float = 0.0, nl_depression: float = 0.0,
                    g_min: float = 1.0, g_max: float = 2.0, noise: float = 0.0,
                    name: str | None = None) -> Device:
    """Device with NeuroSim-shaped branches of *n_pulses* pulses each.

    Parameters
    ----------
    n_pulses : int, pulse
        Pulses from G_min to G_max (states per direction − 1), ≥ 1.
    nl_potentiation, nl_depression : float, 1
        Nonlinearity labels (0 = linear; > 0 saturating).
    g_min, g_max : float, S
        Conductance bounds.
    noise : float, 1
        Cycle-to-cycle σ as a fraction of the range.
    """
    if isinstance(n_pulses, bool) or int(n_pulses) != n_pulses or n_pulses < 1:
        msg = f"n_pulses={n_pulses!r} must be an integer ≥ 1 (pulses across the range)"
        raise ValueError(msg)
    if not g_max > g_min:
        msg = f"g_max={g_max!r} must exceed g_min={g_min!r} (S)"
        raise ValueError(msg)
    x = np.arange(int(n_pulses) + 1) / int(n_pulses)
    kp = 1.0 / a_over_pmax_from_nl(nl_potentiation) if nl_potentiation else 0.0
    kd = 1.0 / a_over_pmax_from_nl(nl_depression) if nl_depression else 0.0
    span = g_max - g_min
    pot = g_min + span * normalised_branch(x, kp)
    dep = g_max - span * normalised_branch(x, kd)
    label = name or f"{int(n_pulses)} pulses, NL {nl_potentiation:g}/{nl_depression:g}, σ {noise:g}"
    return Device(pot_g=pot, dep_g=dep, noise=noise, name=label)



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


def retained_pd_curve(n_or_params, settle_s: float, temperature_K=None, area_um2: float = 62500.0):
    """The Fig. S11a P/D train on the device model, read *settle_s* after each pulse.

    Same train as :func:`analysis.physics.protocols.potentiation_depression` (20 spikes of −1 V, then
    20 of +1 V, 20 ms, at the protocol's train gap); the read after each pulse is taken after
    the device has relaxed for *settle_s* at 0 V without disturbing the train (the next pulse
    still follows at the train gap).  ``settle_s`` = the model's read delay (1 ms) gives the
    stored ``pd_conductance``; longer settle times give the conductance the device *keeps*,
    the basis of a retained-weight lookup table.

    Parameters
    ----------
    n_or_params : str, int or analysis.physics.interface.Synapse
        Dimensionality or calibrated parameters.
    settle_s : float, s
        Time between the end of each pulse and its read, > 0.
    temperature_K : float, optional, K
        Device temperature (default: the parameters' own, :func:`analysis.physics.protocols.at_temperature`).
    area_um2 : float, µm²

    Returns
    -------
    amplitude : numpy.ndarray, V
    conductance : numpy.ndarray, S
    """
    from analysis.physics import protocols as pr

    settle = float(settle_s)
    if not (np.isfinite(settle) and settle > 0):
        msg = f"settle_s={settle_s!r} must be finite and > 0 (s between a pulse and its read)"
        raise ValueError(msg)
    params = pr.device_of(n_or_params) if temperature_K is None else pr.at_temperature(n_or_params, temperature_K)
    pv = pr.protocol_values(params.pset)
    pot, dep = pv["pd_potentiation"], pv["pd_depression"]
    amps = np.concatenate([np.full(int(pot["pulses"]), float(pot["amplitude_V"])),
                           np.full(int(dep["pulses"]), float(dep["amplitude_V"]))])
    wds = np.concatenate([np.full(int(pot["pulses"]), float(pot["width_s"])),
                          np.full(int(dep["pulses"]), float(dep["width_s"]))])
    train = pr.PulseTrain.regular(amps.size, amps, wds, gap_s=pv["train_gap_s"])
    reads = pr.pulse_responses(params, train.onsets_s, train.widths_s, train.amplitudes_V,
                               read_delay_s=settle)[0]
    return amps, params.conductance(reads, area_um2=area_um2)


# =========================================================================== decay between updates
@dataclass(frozen=True)
class Decay:
    """The volatile conductance a device shows between two of its updates during training.

    The device's lookup table is the *retained* one (read after the settle time): pulses move
    the conductance that the device keeps.  Each pulse also adds a volatile part that relaxes
    towards it; a weight last pulsed ``j`` update steps ago reads ``G + gain(G, j)``, where ``G``
    is its table conductance and ``gain(G, j)`` what the device model reads ``times_s[j − 1]``
    after a pulse of the same branch (potentiation or depression) that left it at ``G`` minus what
    it keeps, interpolated over the pulses of the Fig. S11a train (constant beyond the first and
    last of them, e.g. on the bridged part of the potentiation table).  ``times_s`` reach the
    settle time at the last step, where the gain is zero: from then on the device reads its
    table.  The next pulse starts from the table conductance (the volatile part of the previous
    pulse is not carried over).

    Attributes
    ----------
    times_s : numpy.ndarray, s
        Time from the end of the pulse to the read of the ``j``-th following update step,
        ``j = 1 … len(times_s)``; later steps read the last one.
    pot_g, dep_g : numpy.ndarray, S
        Retained conductance after each potentiation / depression pulse of the train (ascending).
    pot_gain, dep_gain : numpy.ndarray, S, shape (len(times_s), pulses)
        Conductance read ``times_s[j − 1]`` after each of those pulses minus the retained one.
    interval_s : float, s
        Time between two successive update steps (onset to onset).
    name : str
    """

    times_s: np.ndarray
    pot_g: np.ndarray
    pot_gain: np.ndarray
    dep_g: np.ndarray
    dep_gain: np.ndarray
    interval_s: float = 0.0
    name: str = "decay"

    def __post_init__(self):
        t = np.asarray(self.times_s, dtype=float)
        if t.ndim != 1 or t.size < 1 or np.any(t <= 0) or np.any(np.diff(t) < 0):
            msg = f"times_s={self.times_s!r} must be ≥ 1 positive, non-decreasing times (s)"
            raise ValueError(msg)
        for g, gain, what in ((self.pot_g, self.pot_gain, "pot"), (self.dep_g, self.dep_gain, "dep")):
            g, gain = np.asarray(g, dtype=float), np.asarray(gain, dtype=float)
            if g.ndim != 1 or g.size < 1 or gain.shape != (t.size, g.size) or np.any(np.diff(g) < 0):
                msg = (f"{what}_g must be ascending conductances and {what}_gain of shape (len(times_s), "
                       f"len({what}_g)) = ({t.size}, {g.size}); got {g.shape}, {gain.shape}")
                raise ValueError(msg)

    @property
    def steps(self) -> int:
        """Update steps after which a pulsed device reads its table again (``len(times_s)``)."""
        return int(np.asarray(self.times_s).size)

    def read(self, g, depressed, j):
        """Conductance [S] read ``j`` update steps after the pulses that left the devices at *g* [S].

        *depressed* (bool, like *g*) says which devices' last pulse was a depression pulse; *j*
        (≥ 1) is one step count or one per device.  The gain is interpolated linearly in *g*
        between the train's pulses (constant beyond them).
        """
        g = np.asarray(g, dtype=float)
        depressed = np.broadcast_to(np.asarray(depressed, dtype=bool), g.shape)
        row = np.broadcast_to(np.minimum(np.asarray(j, dtype=np.intp), self.steps) - 1, g.shape)
        out = g.copy()
        for flag, xp, gain in ((False, np.asarray(self.pot_g, float), np.asarray(self.pot_gain, float)),
                               (True, np.asarray(self.dep_g, float), np.asarray(self.dep_gain, float))):
            m = depressed == flag
            if not m.any():
                continue
            x, r = g[m], row[m]
            if xp.size == 1:
                out[m] = x + gain[r, 0]
                continue
            k = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, xp.size - 2)
            width = xp[k + 1] - xp[k]
            t = np.clip(np.divide(x - xp[k], width, out=np.zeros_like(x), where=width > 0), 0.0, 1.0)
            out[m] = x + (gain[r, k] + t * (gain[r, k + 1] - gain[r, k]))
        return out


def decay_from_model(n_or_params, interval_s: float, settle_s: float, width_s: float | None = None,
                     temperature_K=None, area_um2: float = 62500.0, name: str | None = None) -> Decay | None:
    """The :class:`Decay` of a film's device model for update steps *interval_s* apart.

    The Fig. S11a train (:func:`retained_pd_curve`) is read *settle_s* after each pulse (the
    retained table the device is trained on) and ``j · interval_s − width_s`` after it (the time
    from the end of the pulse to the ``j``-th following update step, at least the model's read
    delay and at most *settle_s*), ``j = 1 …`` until the settle time is reached.

    Parameters
    ----------
    n_or_params : str, int or analysis.physics.interface.Synapse
    interval_s : float, s
        Time between two successive update steps (onset to onset), ≥ 0; 0 reads every weight at
        the read delay (the volatile part never decays).
    settle_s : float, s
        Settle time of the retained table.
    width_s : float, s, optional
        Width of the programming pulse (default: the Fig. S11a pulses').

    Returns
    -------
    Decay or None
        ``None`` if the first following step already comes after the settle time (the device
        then reads its retained table at every step: nothing to add).
    """
    from analysis.physics import protocols as pr

    params = pr.device_of(n_or_params) if temperature_K is None else pr.at_temperature(n_or_params, temperature_K)
    width = (float(pr.protocol_values(params.pset)["pd_potentiation"]["width_s"]) if width_s is None
             else float(width_s))
    interval, settle = float(interval_s), float(settle_s)
    if not (np.isfinite(interval) and interval >= 0 and np.isfinite(settle) and settle > 0):
        msg = f"interval_s={interval_s!r} must be ≥ 0 and settle_s={settle_s!r} > 0 (s)"
        raise ValueError(msg)
    delay = float(params.read_delay_s)
    if interval - width >= settle:
        return None
    steps = 1 if interval == 0 else int(np.ceil((settle + width) / interval - 1e-12))
    times = np.clip(np.arange(1, steps + 1) * interval - width, delay, settle)
    amp, kept = retained_pd_curve(params, settle, area_um2=area_um2)
    reads = {t: kept if t == settle else retained_pd_curve(params, t, area_um2=area_um2)[1] for t in np.unique(times)}
    gain = np.array([reads[t] - kept for t in times])
    out = {}
    for key, mask in (("pot", amp < 0), ("dep", amp > 0)):
        order = np.argsort(kept[mask], kind="stable")
        out[f"{key}_g"] = kept[mask][order]
        out[f"{key}_gain"] = gain[:, mask][:, order]
    return Decay(times_s=times, interval_s=interval, name=name or f"volatile part read {interval:g} s apart", **out)
