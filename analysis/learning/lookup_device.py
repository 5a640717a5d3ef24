"""Lookup-table devices: the synaptic device as the training programs it.

A :class:`LookupDevice` is a pulse-programmed conductance whose potentiation and depression
are two tables, the conductance after 0, 1, 2, … pulses of each branch (as in CrossSim, ΔG per
pulse is a function of G).  It is built from a measured or simulated P/D curve
(:func:`device_from_pd_curve`, the Fig. S11a curve analysed by :mod:`analysis.learning.pd_curves`)
or with NeuroSim-shaped branches of a given nonlinearity label (:func:`neurosim_shaped_device`,
for the sensitivity scans).  :class:`TableInterp` locates a conductance on a table and moves it
by a pulse count with ``np.interp``'s arithmetic, faster.

The table can be the conductance the device *keeps* (read a settle time after each pulse,
:func:`retained_pd_curve`); the volatile part each pulse adds on top of it, decaying between
two updates, is a :class:`Decay` (:func:`decay_from_model` derives it from the device model).

The training that pairs these devices into weights is :mod:`analysis.learning.training` (the
pulse update of the pairs: :mod:`analysis.learning.differential_pairs`).  Not to be confused
with the *device model* of :mod:`analysis.physics` (the physics of the film that produces the
curve): a lookup device only replays a curve.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from analysis.learning.pd_curves import a_over_pmax_from_nl, normalised_branch, split_pd_curve

log = logging.getLogger(__name__)


class TableInterp:
    """``np.interp(x, xp, fp)`` for a small strictly increasing *xp*: the same bits, 2–3 × faster.

    numpy interpolates between ``xp[j] ≤ x < xp[j+1]`` as ``slope_j (x − xp[j]) + fp[j]`` with
    ``slope_j = (fp[j+1] − fp[j])/(xp[j+1] − xp[j])`` and returns ``fp[0]`` / ``fp[-1]`` outside
    ``[xp[0], xp[-1])``.  Here the interval ``j`` comes without a binary search per element: for
    a uniform grid ``xp = 0, 1, 2, …`` it is ``floor(x)``; otherwise from a table over a uniform
    bucket grid and one comparison (:meth:`__init__` says why that is exact), with a binary
    search only in buckets that hold several points.  The same formula then gives the same bits
    (``tests/test_lookup_device.py`` compares them).

    Attributes
    ----------
    xp, fp : numpy.ndarray
        The table.
    last : int
        Largest interval index (``len(xp) − 2``).
    slope : numpy.ndarray
        ``slope_j`` of each interval.
    uniform : bool
        Whether ``xp = 0, 1, 2, …`` (the interval is then ``floor(x)``).
    lo, scale : float
        The bucket of *x* is ``trunc((x − lo)·scale)``, clipped to ``−1 … buckets``.
    buckets : int
        Number of buckets.
    interval_origin, interval_slope, interval_value : numpy.ndarray
        ``xp[j]``, ``slope_j`` and ``fp[j]`` of the intervals ``j = 0 … last``, then two
        sentinels of slope 0: index ``last + 1`` (``x ≥ xp[-1]``, value ``fp[-1]``) and index −1
        (``x < xp[0]``, value ``fp[0]``).
    bucket_below, bucket_split, bucket_crowded : numpy.ndarray
        Per bucket ``0 … buckets`` then −1: the number of table points in lower buckets minus 1,
        the single point inside the bucket (``inf`` if none or several) and whether it holds
        several points (resolved by a binary search).
    any_crowded : bool
        Whether any bucket is crowded.

    These arrays are what a compiled lookup packs
    (:func:`analysis.learning.pair_kernels.table_pack`): the same search in machine code.
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
        self.interval_origin = np.concatenate([self.xp[:-1], [self.xp[-1], low]])        # origin of each interval
        self.interval_slope = np.concatenate([self.slope, [0.0, 0.0]])
        self.interval_value = np.concatenate([self.fp[:-1], [self.fp[-1], self.fp[0]]])
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
        self.bucket_below = np.searchsorted(bk, index, side="left") - 1                  # points in lower buckets − 1
        self.bucket_split = np.full(buckets + 2, np.inf)
        single = index[counts[index + 1] == 1]
        self.bucket_split[single] = self.xp[np.searchsorted(bk, single)]
        self.bucket_crowded = counts[index + 1] > 1
        self.any_crowded = bool(self.bucket_crowded.any())

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
        j = self.bucket_below.take(b)
        j += x >= self.bucket_split.take(b)
        if self.any_crowded:
            crowded = np.flatnonzero(self.bucket_crowded.take(b))
            if crowded.size:
                j[crowded] = np.searchsorted(self.xp, x[crowded], side="right") - 1
        return j, self.interval_origin.take(j)

    def __call__(self, x):
        """``np.interp(x, xp, fp)`` for finite *x* (scalar or array)."""
        x = np.asarray(x, dtype=float)
        if x.size < self.SMALL:                               # one C call is cheaper for few values
            return np.interp(x, self.xp, self.fp)
        shape, x = x.shape, x.reshape(-1)
        j, origin = self._interval(x)
        out = np.subtract(x, origin)
        out *= self.interval_slope.take(j)                            # slope_j (x − xp[j]) + fp[j], numpy's order
        out += self.interval_value.take(j)
        return out.reshape(shape) if shape else out[0]


@dataclass(frozen=True)
class LookupDevice:
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
    def lookups(self) -> tuple:
        """The four :class:`TableInterp` of :meth:`potentiate` and :meth:`depress`.

        In order: potentiation conductance → pulse index, pulse index → potentiation
        conductance, depression conductance (ascending) → pulse index, pulse index →
        depression conductance.  A compiled update that must give the same bits reads its
        tables from these (:func:`analysis.learning.pair_kernels.table_pack`).
        """
        return self._lookups

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
                         bridge: str = "edge") -> LookupDevice:
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
    return LookupDevice(pot_g=pot, dep_g=dg, noise=noise, name=name)


def neurosim_shaped_device(n_pulses: int, nl_potentiation: float = 0.0, nl_depression: float = 0.0,
                           g_min: float = 1.0, g_max: float = 2.0, noise: float = 0.0,
                           name: str | None = None) -> LookupDevice:
    """A lookup device with NeuroSim-shaped branches of *n_pulses* pulses each.

    The branches follow NeuroSim's ``G(x) = B (1 − e^(−x/A)) + G_min`` with the ``A`` of each
    nonlinearity label (:func:`analysis.learning.pd_curves.a_over_pmax_from_nl`): a table of the
    shape NeuroSim assumes, replayed by the lookup update of the training (not NeuroSim's own
    write model, which is :class:`analysis.learning.neurosim.NeuroSimDevice`).

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
    return LookupDevice(pot_g=pot, dep_g=dep, noise=noise, name=label)


def retained_pd_curve(n_or_params, settle_s: float, temperature_K=None, area_um2: float = 62500.0):
    """The Fig. S11a P/D train on the device model, read *settle_s* after each pulse.

    The train of :func:`analysis.physics.protocols.potentiation_depression` (20 spikes of −1 V, then
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
        Device temperature (default: the parameters' own, :func:`analysis.physics.pulses.at_temperature`).
    area_um2 : float, µm²

    Returns
    -------
    amplitude : numpy.ndarray, V
    conductance : numpy.ndarray, S
    """
    from analysis.physics import protocols as pr
    from analysis.physics.pulses import at_temperature, device_of

    settle = float(settle_s)
    if not (np.isfinite(settle) and settle > 0):
        msg = f"settle_s={settle_s!r} must be finite and > 0 (s between a pulse and its read)"
        raise ValueError(msg)
    params = device_of(n_or_params) if temperature_K is None else at_temperature(n_or_params, temperature_K)
    return pr.potentiation_depression(params, area_um2=area_um2, read_delay_s=settle)


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
    from analysis.physics.pulses import at_temperature, device_of

    params = device_of(n_or_params) if temperature_K is None else at_temperature(n_or_params, temperature_K)
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
