"""Simulated experiments on the synapse model: every pulse protocol of the paper.

Each protocol is a sequence of constant-voltage segments (spikes on a 0 V background) applied
to :mod:`analysis.physics.multitrap`; the state is propagated exactly between segment boundaries and
read with a short, non-disturbing read at the read voltage.  Python loops run over *pulses*
(at most 50), never over fine time steps; batches of protocol parameters (intervals,
frequencies, amplitudes) are propagated together.

Protocol values (spike −1 V, 20 ms, read −0.01 V, the PPF/SFDP/SVDP/SDDP/SNDP ranges, the
rehearsals of Fig. 4b) come from ``paper_values()["protocols"]``; what the paper does not
state (train gap, read delay, I–V sweep, temperature range) from ``data/parameters/device.yaml``
("assumed: …").

:func:`simulate_device` runs all of them for one dimensionality and returns one Dataset.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass

import numpy as np
import xarray as xr

from analysis.physics import multitrap as dev
from analysis.physics.interface import Synapse
from analysis.physics.multitrap import check_temperature
from analysis.parameters import ParameterSet, analysis_options, default_parameters
from analysis.physics.dimensionality import parse_n
from analysis.validation import nonnegative, positive

log = logging.getLogger(__name__)

SETTINGS = ("ppf_points", "sfdp_points", "energy_points", "trace_samples", "iv_step_V")
"""Run sizes of :func:`simulate_device` (points in the PPF, SFDP and energy sweeps, samples per
trace, I-V voltage step in V); their values are run settings, kept in ``config/config.yaml``
(``profiles.<profile>.simulate.device_settings``) and passed in by the workflow."""

ARRHENIUS_STEP_K = 10.0
"""Temperature step of the simulated R(T) measurement [K] (fixed: Table 2 Ea depends on it)."""


# --------------------------------------------------------------------------- inputs
def protocol_values(pset: ParameterSet | None = None) -> dict:
    """Protocol numbers: the paper's (values.yaml) plus the stated assumptions (device.yaml).

    Parameters
    ----------
    pset : ParameterSet, optional
        Where to read them (default: data/).

    Returns
    -------
    dict
        Flat mapping, SI units (V, s, Hz, K).
    """
    return dict(_protocol_values(pset or default_parameters()))


def _pv(device) -> dict:
    """The protocol numbers of the parameter set *device* was built from (default: data/)."""
    return protocol_values(getattr(device, "pset", None))


@functools.lru_cache(maxsize=64)
def _protocol_values(pset: ParameterSet) -> dict:
    paper = pset.paper()
    p = paper["protocols"]
    s = pset.topic("device")
    ret = p["fig4b_retention"]
    return {
        "spike_amplitude_V": float(p["default_spike"]["amplitude_V"]),
        "spike_width_s": float(p["default_spike"]["width_s"]),
        "read_voltage_V": float(p["read_voltage_V"]["value"]),
        "ppf_interval_s": (float(p["fig3b_ppf_interval_s"]["min"]),
                           float(p["fig3b_ppf_interval_s"]["max"])),
        "sfdp_frequency_Hz": (float(p["fig3c_sfdp_frequency_Hz"]["min"]),
                              float(p["fig3c_sfdp_frequency_Hz"]["max"])),
        "sfdp_pulses": int(p["fig3c_sfdp_frequency_Hz"]["pulses"]),
        "svdp_amplitude_V": (float(p["fig3d_svdp_amplitude_V"]["min"]),
                             float(p["fig3d_svdp_amplitude_V"]["max"])),
        "svdp_pulses": int(p["fig3d_svdp_amplitude_V"]["pulses"]),
        "sddp_width_s": (float(p["fig3e_sddp_width_s"]["min"]), float(p["fig3e_sddp_width_s"]["max"])),
        "sddp_pulses": int(p["fig3e_sddp_width_s"]["pulses"]),
        "sndp_pulses": [int(v) for v in p["fig3f_sndp_pulses"]["value"]],
        "retention_pulses": int(ret["pulses"]),
        "retention_amplitude_V": float(ret["amplitude_V"]),
        "retention_width_s": float(ret["width_s"]),
        "retention_read_voltage_V": float(ret["read_voltage_V"]),
        "retention_window_s": (float(ret["window_s"][0]), float(ret["window_s"][1])),
        "rehearsals": [int(v) for v in p["figS8_rehearsals"]["value"]],
        "pd_potentiation": p["figS11a"]["potentiation"],
        "pd_depression": p["figS11a"]["depression"],
        "energy_min_amplitude_V": float(p["figS10_min_amplitude_V"]["value"]),
        "areas_um2": [float(a) for a in paper["device"]["areas_um2"]["value"]],
        "train_gap_s": float(s["train_gap"]),
        "retention_sample_interval_s": float(s["retention_sample_interval"]),
        "arrhenius_range_K": (float(s["arrhenius_temperature_min"]),
                              float(s["arrhenius_temperature_max"])),
        "arrhenius_fit_min_K": float(s["arrhenius_fit_min"]),
        "iv_max_V": float(s["iv_max_voltage"]),
        "iv_rate_V_per_s": float(s["iv_sweep_rate"]),
    }


def resolve_settings(settings: dict) -> dict:
    """Check the run sizes of :func:`simulate_device` (keys :data:`SETTINGS`, plus an optional
    ``temperature_K`` and ``traces``, a bool, default True: whether the time traces are
    simulated) and return them with integer sizes.

    Raises
    ------
    ValueError
        For a missing or unknown key, or a size out of range, naming it.
    """
    settings = dict(settings or {})
    missing = [k for k in SETTINGS if k not in settings]
    unknown = sorted(set(settings) - set(SETTINGS) - {"temperature_K", "traces"})
    if missing or unknown:
        msg = (f"device settings: missing {missing or 'none'}, unknown {unknown or 'none'}; "
               f"expected exactly {', '.join(SETTINGS)} (optionally temperature_K, traces)")
        raise ValueError(msg)
    out = dict(settings)
    out["traces"] = bool(out.get("traces", True))
    for key in ("ppf_points", "sfdp_points", "energy_points", "trace_samples"):
        value = out[key]
        if isinstance(value, bool) or not float(value).is_integer() or int(value) < 2:
            msg = f"device settings {key}={value!r} must be an integer >= 2"
            raise ValueError(msg)
        out[key] = int(value)
    positive(out["iv_step_V"], "iv_step_V", "I-V voltage step in V, accepted range (0, iv_max_V]")
    return out


def device_of(n_or_device) -> Synapse:
    """A device (anything with the :class:`~analysis.physics.interface.Synapse` methods), or the
    stored calibrated multi-trap synapse of a dimensionality label."""
    if hasattr(n_or_device, "evolve") and hasattr(n_or_device, "read_current"):
        return n_or_device
    return dev.load_parameters(n_or_device)


def at_temperature(n_or_device, temperature_K) -> Synapse:
    """The device of *n_or_device* held at *temperature_K* [K] (every protocol then runs there).

    The temperature is part of the device, set once here (its ``at_temperature``), so no
    protocol takes or re-checks a temperature of its own.

    Raises
    ------
    ValueError
        If *temperature_K* is not finite and > 0.
    """
    return device_of(n_or_device).at_temperature(check_temperature(temperature_K))


def _positive(value, name, what):
    return positive(value, name, what)


# --------------------------------------------------------------------------- pulse trains
@dataclass(frozen=True)
class PulseTrain:
    """Rectangular spikes on a 0 V background.

    Attributes
    ----------
    onsets_s, widths_s, amplitudes_V : numpy.ndarray
        Start time [s], width [s] and amplitude [V] of each pulse, sorted by onset.
    """

    onsets_s: np.ndarray
    widths_s: np.ndarray
    amplitudes_V: np.ndarray

    def __post_init__(self):
        on = np.atleast_1d(np.asarray(self.onsets_s, dtype=float))
        wd = np.broadcast_to(np.asarray(self.widths_s, dtype=float), on.shape).copy()
        am = np.broadcast_to(np.asarray(self.amplitudes_V, dtype=float), on.shape).copy()
        _positive(wd, "width_s", "pulse width in s, accepted range (0, inf)")
        if not np.all(np.isfinite(on)) or not np.all(np.isfinite(am)):
            msg = "onsets_s and amplitudes_V must be finite numbers (s, V)"
            raise ValueError(msg)
        if np.any(np.diff(on) < 0):
            msg = f"onsets_s={on.tolist()} must be sorted in time (s)"
            raise ValueError(msg)
        ends = on + wd
        overlap = np.nonzero(on[1:] < ends[:-1] - 1e-12)[0]
        if overlap.size:
            i = int(overlap[0])
            msg = (f"pulse train overlaps itself: pulse {i + 2} starts at {on[i + 1]:g} s before "
                   f"pulse {i + 1} ends at {ends[i]:g} s; the interval between onsets must be "
                   f">= the pulse width ({wd[i]:g} s), i.e. gap >= 0 s and frequency <= "
                   f"1/width = {1 / wd[i]:g} Hz")
            raise ValueError(msg)
        object.__setattr__(self, "onsets_s", on)
        object.__setattr__(self, "widths_s", wd)
        object.__setattr__(self, "amplitudes_V", am)

    @property
    def ends_s(self) -> np.ndarray:
        """End time of each pulse [s]."""
        return self.onsets_s + self.widths_s

    @property
    def n_pulses(self) -> int:
        """Number of pulses."""
        return int(self.onsets_s.size)

    @classmethod
    def regular(cls, n_pulses: int, amplitude_V=-1.0, width_s=0.02, gap_s=None,
                frequency_Hz=None, start_s: float = 0.0) -> PulseTrain:
        """A train of *n_pulses*; spacing from *gap_s* (end to next start) or *frequency_Hz*.

        *amplitude_V* and *width_s* may be per-pulse arrays.  With *gap_s* the onsets follow
        the (possibly varying) widths.

        Raises
        ------
        ValueError
            For a non-positive count, width, frequency or a negative gap, or an overlapping train.
        """
        if int(n_pulses) < 1 or int(n_pulses) != n_pulses:
            msg = f"n_pulses={n_pulses!r} must be an integer >= 1"
            raise ValueError(msg)
        n = int(n_pulses)
        wd = np.broadcast_to(_positive(width_s, "width_s", "pulse width in s, accepted range (0, inf)"),
                             (n,)).astype(float)
        if (gap_s is None) == (frequency_Hz is None):
            msg = "give exactly one of gap_s (s) or frequency_Hz (Hz) for a regular pulse train"
            raise ValueError(msg)
        if frequency_Hz is not None:
            f = float(_positive(frequency_Hz, "frequency_Hz", "spike frequency in Hz, accepted range (0, 1/width]"))
            onsets = start_s + np.arange(n) / f
        else:
            g = float(nonnegative(gap_s, "gap_s", "gap between pulses in s, accepted range [0, inf)"))
            onsets = start_s + np.concatenate([[0.0], np.cumsum(wd[:-1] + g)])
        return cls(onsets, wd, amplitude_V)


def run_train(n_or_params, train: PulseTrain, sample_times_s,
              state0=None) -> np.ndarray:
    """States at arbitrary sample times during and after a pulse train.

    Parameters
    ----------
    n_or_params : str, int or Synapse
        Dimensionality or parameters.
    train : PulseTrain
        The stimulus; before its first pulse the device is in *state0* (pristine by default).
    sample_times_s : array_like, s
        Times at which to return the state (any order, may fall inside pulses).

    Returns
    -------
    numpy.ndarray, shape (S, K+1)
        State at each sample time.
    """
    params = device_of(n_or_params)
    ts = np.asarray(sample_times_s, dtype=float).reshape(-1)
    x = params.rest_state() if state0 is None else np.asarray(state0, dtype=float)
    out = np.empty((ts.size, x.shape[-1]))
    # segments: (start, end, V) covering [-inf, inf)
    bounds = [(-np.inf, train.onsets_s[0], 0.0)]
    for i in range(train.n_pulses):
        bounds.append((train.onsets_s[i], train.ends_s[i], train.amplitudes_V[i]))
        nxt = train.onsets_s[i + 1] if i + 1 < train.n_pulses else np.inf
        if nxt > train.ends_s[i]:
            bounds.append((train.ends_s[i], nxt, 0.0))
    for a, b, v in bounds:
        sel = (ts >= a) & (ts < b)
        if np.any(sel):
            if np.isinf(a):      # before the train the state only relaxes; reference = onset
                dt = np.zeros(int(sel.sum()))
                out[sel] = params.evolve(x, 0.0, dt) if v == 0 else x
            else:
                dt = ts[sel] - a
                out[sel] = params.evolve_times(x, v, dt if v == 0 else np.round(dt, 12))
        if np.isfinite(b) and np.isfinite(a):
            x = params.evolve(x, v, b - a)
    return out


def pulse_responses(n_or_params, onsets_s, widths_s, amplitudes_V,
                    read_delay_s=None, return_final: bool = False):
    """States read ``read_delay`` after each pulse, for a batch of trains (vectorised).

    Parameters
    ----------
    onsets_s, widths_s, amplitudes_V : array_like, shape (B, N) or (N,)
        B trains of N pulses each (broadcast against each other).
    read_delay_s : float, s, optional
        Read delay after each pulse end; default from device.yaml.

    Returns
    -------
    numpy.ndarray, shape (B, N, K+1)
        State at each read (the read does not disturb the state).
    numpy.ndarray, shape (B, K+1), optional
        State at the end of the last pulse (if *return_final*).
    """
    params = device_of(n_or_params)
    on, wd, am = np.broadcast_arrays(np.atleast_2d(np.asarray(onsets_s, dtype=float)),
                                     np.atleast_2d(np.asarray(widths_s, dtype=float)),
                                     np.atleast_2d(np.asarray(amplitudes_V, dtype=float)))
    for b in range(on.shape[0]):
        PulseTrain(on[b], wd[b], am[b])          # validates widths and overlaps
    delay = params.read_delay_s if read_delay_s is None else float(read_delay_s)
    bsz, npulse = on.shape
    x = params.rest_state((bsz,))
    reads = np.empty((bsz, npulse, x.shape[-1]))
    prev_end = on[:, 0].copy()
    for j in range(npulse):
        x = params.evolve(x, 0.0, on[:, j] - prev_end)
        x = params.evolve(x, am[:, j], wd[:, j])
        reads[:, j] = params.evolve(x, 0.0, delay)
        prev_end = on[:, j] + wd[:, j]
    if return_final:
        return reads, x
    return reads


# --------------------------------------------------------------------------- Fig. 3
def epsc_trace(n_or_params, amplitude_V=None, width_s=None, times_s=None, read_voltage_V=None,
               area_um2=62500.0):
    """EPSC to one spike (Fig. 3a): read current vs time, spike at t = 0.

    Returns
    -------
    time_s : numpy.ndarray, s
    current_A : numpy.ndarray, A
        Current a read at *read_voltage_V* would give at each time (signed).
    peak_A : float, A
        Current at the read ``read_delay`` after the spike (peak EPSC).
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    amp = pv["spike_amplitude_V"] if amplitude_V is None else float(amplitude_V)
    wd = pv["spike_width_s"] if width_s is None else float(width_s)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    t = np.linspace(-0.2, 2.0, 400) if times_s is None else np.asarray(times_s, dtype=float)
    train = PulseTrain(np.array([0.0]), wd, amp)
    states = run_train(params, train, t)
    cur = params.read_current(states, vr, area_um2=area_um2)
    peak = pulse_responses(params, [0.0], wd, amp)[0, 0]
    return t, cur, float(params.read_current(peak, vr, area_um2=area_um2))


def paired_pulse(n_or_params, intervals_s, amplitude_V=None, width_s=None,
                 read_voltage_V=None, area_um2=62500.0):
    """PPF (Fig. 3b): responses A1, A2 to two spikes separated by Δt (end of 1 to start of 2).

    Parameters
    ----------
    intervals_s : array_like, s
        Inter-spike intervals Δt, > 0.

    Returns
    -------
    a1, a2 : numpy.ndarray, A
        Postsynaptic currents after the first and the second spike (signed).
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    dt = _positive(intervals_s, "interval_s", "inter-spike interval in s, accepted range (0, inf)")
    dt = np.atleast_1d(dt)
    amp = pv["spike_amplitude_V"] if amplitude_V is None else float(amplitude_V)
    wd = pv["spike_width_s"] if width_s is None else float(width_s)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    onsets = np.stack([np.zeros_like(dt), wd + dt], axis=1)
    reads = pulse_responses(params, onsets, wd, amp)
    cur = params.read_current(reads, vr, area_um2=area_um2)
    return cur[:, 0], cur[:, 1]


def frequency_train(n_or_params, frequencies_Hz, n_pulses=None, amplitude_V=None, width_s=None, read_voltage_V=None, area_um2=62500.0):
    """SFDP (Fig. 3c): responses to trains of spikes at each frequency.

    Returns
    -------
    numpy.ndarray, A, shape (F, n_pulses)
        Postsynaptic current after each spike (signed).

    Raises
    ------
    ValueError
        For a non-positive frequency or one whose period is shorter than the spike width.
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    f = np.atleast_1d(_positive(frequencies_Hz, "frequency_Hz",
                                "spike frequency in Hz, accepted range (0, 1/width]"))
    npl = pv["sfdp_pulses"] if n_pulses is None else int(n_pulses)
    amp = pv["spike_amplitude_V"] if amplitude_V is None else float(amplitude_V)
    wd = pv["spike_width_s"] if width_s is None else float(width_s)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    onsets = np.arange(npl)[None, :] / f[:, None]
    reads = pulse_responses(params, onsets, wd, amp)
    return params.read_current(reads, vr, area_um2=area_um2)


def sequence_train(n_or_params, amplitudes_V, widths_s, gap_s=None,
                   read_voltage_V=None, area_um2=62500.0):
    """One train with per-pulse amplitudes and widths (SVDP, SDDP, SNDP, Fig. S11a).

    Returns
    -------
    train : PulseTrain
    currents_A : numpy.ndarray, A
        Postsynaptic current read after each pulse (signed).
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    gap = pv["train_gap_s"] if gap_s is None else gap_s
    amps, wds = np.broadcast_arrays(np.atleast_1d(np.asarray(amplitudes_V, dtype=float)),
                                    np.atleast_1d(np.asarray(widths_s, dtype=float)))
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    train = PulseTrain.regular(amps.size, amps, wds, gap_s=gap)
    reads = pulse_responses(params, train.onsets_s, train.widths_s, train.amplitudes_V)[0]
    return train, params.read_current(reads, vr, area_um2=area_um2)


def trace_times(train: PulseTrain, grid_s, read_delay_s: float) -> np.ndarray:
    """Read times of a trace: *grid_s* without the points inside a spike (no read is taken
    while the spike is applied) plus the read instant after every spike (so A_n is on it)."""
    g = np.asarray(grid_s, dtype=float)
    inside = np.zeros(g.shape, dtype=bool)
    for a, b in zip(train.onsets_s, train.ends_s):
        inside |= (g > a) & (g < b + read_delay_s)
    return np.unique(np.round(np.concatenate([g[~inside], train.ends_s + read_delay_s]), 9))


def train_trace(n_or_params, train: PulseTrain, n_samples: int, tail_s: float,
                read_voltage_V=None, area_um2=62500.0):
    """Sampled read-current trace of a train plus *tail_s* afterwards (Figs. S5–S8).

    The samples are a uniform grid from −0.1 s to the end of the train + *tail_s* without the
    points inside a spike, merged with the read instant after every spike (:func:`trace_times`).
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    t_end = float(train.ends_s[-1]) + float(tail_s)
    t = trace_times(train, np.linspace(-0.1, t_end, int(n_samples)), params.read_delay_s)
    states = run_train(params, train, t)
    return t, params.read_current(states, vr, area_um2=area_um2)


# --------------------------------------------------------------------------- Fig. 4b, S8
def retention(n_or_params, rehearsals, times_after_s, amplitude_V=None, width_s=None,
              gap_s=None):
    """States after 1…N rehearsals, at times after the end of the last spike (Figs. 4b, S8).

    Parameters
    ----------
    rehearsals : sequence of int
        Numbers of spikes (each >= 1).
    times_after_s : array_like, s
        Times after the end of the last spike (>= 0).

    Returns
    -------
    numpy.ndarray, shape (R, T, K+1)
        States for each rehearsal count and time.
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    amp = pv["retention_amplitude_V"] if amplitude_V is None else float(amplitude_V)
    wd = pv["retention_width_s"] if width_s is None else float(width_s)
    gap = pv["train_gap_s"] if gap_s is None else gap_s
    t = nonnegative(times_after_s, "times_after_s",
                               "time after the last spike in s, accepted range [0, inf)")
    reps = [int(r) for r in np.atleast_1d(rehearsals)]
    if any(r < 1 for r in reps):
        msg = f"rehearsals={reps} must all be integers >= 1"
        raise ValueError(msg)
    nmax = max(reps)
    train = PulseTrain.regular(nmax, amp, wd, gap_s=gap)
    x = params.rest_state()
    out = np.empty((len(reps), t.size, x.shape[-1]))
    prev_end = 0.0
    ends = {}
    for j in range(nmax):
        x = params.evolve(x, 0.0, train.onsets_s[j] - prev_end)
        x = params.evolve(x, amp, wd)
        prev_end = train.ends_s[j]
        ends[j + 1] = x
    for i, r in enumerate(reps):
        out[i] = params.evolve_times(ends[r], 0.0, t)
    return out


def retention_times(pset: ParameterSet | None = None) -> np.ndarray:
    """Read times after the last rehearsal [s]: every sample interval up to the window end."""
    pv = protocol_values(pset)
    dt = pv["retention_sample_interval_s"]
    t_end = pv["retention_window_s"][1]
    return np.round(np.arange(1, int(round(t_end / dt)) + 1) * dt, 12)


# --------------------------------------------------------------------------- Fig. 5b
def arrhenius_temperatures(pset: ParameterSet | None = None) -> np.ndarray:
    """Temperatures of the simulated R(T) measurement [K]."""
    lo, hi = protocol_values(pset)["arrhenius_range_K"]
    return np.arange(lo, hi + 0.5 * ARRHENIUS_STEP_K, ARRHENIUS_STEP_K)


def resistance_vs_temperature(n_or_params, temperatures_K=None, read_voltage_V=None,
                              area_um2=62500.0):
    """Resistance ``R = V_read / I`` of the pristine device [ohm] at each temperature (Fig. 5b).

    Raises
    ------
    ValueError
        For a non-positive temperature.
    """
    params = device_of(n_or_params)
    t = arrhenius_temperatures(params.pset) if temperatures_K is None else np.asarray(temperatures_K, float)
    _positive(t, "temperature_K", "absolute temperature in K, accepted range (0, inf)")
    vr = _pv(params)["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    x = params.rest_state(t.shape)
    i = params.read_current(x, vr, t, area_um2)
    return vr / i


# --------------------------------------------------------------------------- Fig. S1
def iv_sweep(n_or_params, v_max_V=None, rate_V_per_s=None, step_V=0.02,
             area_um2=62500.0):
    """Triangular staircase sweep 0 → −Vmax → 0 → +Vmax → 0 (Fig. S1).

    Returns
    -------
    voltage_V, time_s, current_A : numpy.ndarray
        Voltage of each step, time at its end and the current at its end (``G(P) V``).
    states : numpy.ndarray, shape (S, K+1)
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    vmax = float(_positive(pv["iv_max_V"] if v_max_V is None else v_max_V, "v_max_V",
                           "sweep amplitude in V, accepted range (0, inf)"))
    rate = float(_positive(pv["iv_rate_V_per_s"] if rate_V_per_s is None else rate_V_per_s,
                           "rate_V_per_s", "sweep rate in V/s, accepted range (0, inf)"))
    step = float(_positive(step_V, "step_V", f"voltage step in V, accepted range (0, {vmax}]"))
    if step > vmax:
        msg = f"step_V={step_V!r} must be <= v_max_V={vmax} (V)"
        raise ValueError(msg)
    k = int(round(vmax / step))
    up = np.arange(1, k + 1) * (vmax / k)
    quarter = np.concatenate([up, up[::-1][1:], [0.0]])      # 0 -> max -> 0
    volts = np.round(np.concatenate([-quarter, quarter]), 9)
    dwell = (vmax / k) / rate
    x = params.rest_state()
    states = np.empty((volts.size, x.size))
    for i, v in enumerate(volts):
        x = params.evolve(x, v, dwell)
        states[i] = x
    cur = params.conductance(states, params.temperature_K, area_um2) * volts
    return volts, dwell * np.arange(1, volts.size + 1), cur, states


def relaxed_deviation(n_or_params, state) -> float:
    """Relative conductance change left after relaxing *state* at 0 V for 1000 × the device's
    longest time constant: 0 for a monostable device (no filament or other second stable state)."""
    params = device_of(n_or_params)
    x = params.evolve(state, 0.0, 1000.0 * params.relaxation_time_s)
    g = params.conductance(x)
    g0 = params.conductance(params.rest_state())
    return float(np.max(np.abs(g / g0 - 1.0)))


# --------------------------------------------------------------------------- Fig. 6, S10, S11a
def psc_currents(n_or_params, amplitudes_V, areas_um2, width_s=None, read_voltage_V=None) -> np.ndarray:
    """Peak postsynaptic current magnitude [A] after one spike, read at −0.01 V.

    Returns
    -------
    numpy.ndarray, A, shape (amplitudes, areas)
        ``|I|`` read ``read_delay`` after one spike of each amplitude, for each area.
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    amps = np.atleast_1d(np.asarray(amplitudes_V, dtype=float))
    areas = _positive(np.atleast_1d(np.asarray(areas_um2, dtype=float)), "area_um2",
                      "device area in um^2, accepted range (0, inf)")
    wd = pv["spike_width_s"] if width_s is None else float(width_s)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    reads = pulse_responses(params, np.zeros((amps.size, 1)), wd, amps[:, None])[:, 0]
    g = params.conductance(reads[:, None, :], area_um2=areas[None, :])
    return np.abs(g * vr)


def potentiation_depression(n_or_params, area_um2=62500.0):
    """20 spikes of −1 V then 20 of +1 V, 20 ms (Fig. S11a), conductance read after each.

    Returns
    -------
    amplitudes_V : numpy.ndarray, V
    conductance_S : numpy.ndarray, S
    """
    params = device_of(n_or_params)
    pv = _pv(params)
    pot, dep = pv["pd_potentiation"], pv["pd_depression"]
    amps = np.concatenate([np.full(int(pot["pulses"]), float(pot["amplitude_V"])),
                           np.full(int(dep["pulses"]), float(dep["amplitude_V"]))])
    wds = np.concatenate([np.full(int(pot["pulses"]), float(pot["width_s"])),
                          np.full(int(dep["pulses"]), float(dep["width_s"]))])
    train = PulseTrain.regular(amps.size, amps, wds, gap_s=pv["train_gap_s"])
    reads = pulse_responses(params, train.onsets_s, train.widths_s, train.amplitudes_V)[0]
    return amps, params.conductance(reads, area_um2=area_um2)


# --------------------------------------------------------------------------- one dataset
def _da(data, dims, units, long_name, **attrs):
    return xr.DataArray(np.asarray(data, dtype=float), dims=dims,
                        attrs={"units": units, "long_name": long_name, **attrs})


def simulate_device(n_or_device, settings: dict, parts=None) -> xr.Dataset:
    """Run every protocol of the paper on one device (any :class:`~analysis.physics.interface.Synapse`).

    Parameters
    ----------
    n_or_device : Synapse, or int, float or str
        The device, or a dimensionality (1 … 5 or inf) for the stored calibrated multi-trap synapse.
    settings : dict
        Run sizes :data:`SETTINGS` (``ppf_points``, ``sfdp_points``, ``energy_points``,
        ``trace_samples``, ``iv_step_V``; the workflow passes ``config/config.yaml``'s) and
        optionally ``temperature_K`` and ``traces`` (False: no time traces, as the sweep needs).
    parts : sequence of str, optional
        Names of :data:`PROTOCOLS` to run (default all), e.g. the ones a metrics function reads.

    Returns
    -------
    xarray.Dataset
        Variables (dims; units), all on the 250 µm × 250 µm device, read at −0.01 V unless
        stated: ``epsc_current`` (epsc_time; A), ``epsc_peak_current`` (A), ``ppf_a1``,
        ``ppf_a2`` (ppf_interval; A), ``ppf_index`` (ppf_interval; 1), ``sfdp_current``
        (sfdp_frequency, sfdp_pulse; A), ``sfdp_index`` (sfdp_frequency; 1, A5/A1),
        ``svdp_current``/``svdp_index`` (svdp_pulse), ``sddp_current``/``sddp_index``
        (sddp_pulse), ``sndp_current``/``sndp_index`` (sndp_count), traces
        ``svdp_trace_current`` (svdp_trace_time), ``sddp_trace_current`` (sddp_trace_time),
        ``sndp_trace_current`` (sndp_train, sndp_trace_time), ``retention_weight`` and
        ``retention_current`` (rehearsal, retention_time; read −0.1 V), ``rehearsal_trace_current``
        (rehearsal_trace_time; read −0.1 V), ``arrhenius_resistance`` (arrhenius_temperature;
        ohm), ``iv_current`` (iv_step; A) with ``iv_voltage``/``iv_time``, ``iv_relaxed_deviation``
        (1), ``pd_conductance`` (pd_pulse; S) with ``pd_amplitude``, ``psc_current``
        (energy_amplitude, area; A, magnitude).

    Raises
    ------
    ValueError
        For an unknown *n* or invalid settings.
    """
    cfg = resolve_settings(settings)
    params = device_of(parse_n(n_or_device) if isinstance(n_or_device, (str, int, float)) else n_or_device)
    if "temperature_K" in cfg:
        params = at_temperature(params, cfg["temperature_K"])
    names = list(PROTOCOLS) if parts is None else list(parts)
    unknown = sorted(set(names) - set(PROTOCOLS))
    if unknown:
        raise ValueError(f"parts={unknown} are not protocols; expected some of {list(PROTOCOLS)}")
    coords, variables = {}, {}
    for name, build in PROTOCOLS.items():
        if name not in names:
            continue
        c, v = build(params, cfg)
        coords.update(c)
        variables.update(v)
    pv = _pv(params)
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs.update(params.attributes())
    ds.attrs.update({
        "device_area_um2": 62500.0, "device_read_voltage_V": pv["read_voltage_V"],
        "device_train_gap_s": pv["train_gap_s"], "device_read_delay_s": params.read_delay_s,
    })
    return ds


# --------------------------------------------------------------------------- one builder per protocol
# Each takes the device (temperature included) and the checked run sizes and returns the
# coordinates and variables of its part of the Dataset, in the order they are stored.
def _epsc(params, cfg):
    """Fig. 3a: one spike, the EPSC trace and its peak; the pristine current."""
    pv = _pv(params)
    if cfg["traces"]:
        t_e, i_e, peak = epsc_trace(params, times_s=np.linspace(-0.2, 2.0, cfg["trace_samples"]))
        c = {"epsc_time": _da(t_e, "epsc_time", "s", "time after the onset of the spike")}
        v = {"epsc_current": _da(i_e, "epsc_time", "A", "postsynaptic current read at -0.01 V (EPSC)")}
    else:
        peak_state = pulse_responses(params, [0.0], pv["spike_width_s"], pv["spike_amplitude_V"])[0, 0]
        peak = float(params.read_current(peak_state, pv["read_voltage_V"]))
        c, v = {}, {}
    v.update({
         "epsc_peak_current": _da(peak, (), "A", "peak EPSC: current read 1 ms after one -1 V, 20 ms spike"),
         "base_current": _da(float(params.read_current(params.rest_state(), pv["read_voltage_V"])),
                             (), "A", "current of the pristine device read at -0.01 V")})
    return c, v


def _ppf(params, cfg):
    """Fig. 3b: paired pulses over the inter-spike interval."""
    dts = np.linspace(*_pv(params)["ppf_interval_s"], cfg["ppf_points"])
    a1, a2 = paired_pulse(params, dts)
    c = {"ppf_interval": _da(dts, "ppf_interval", "s", "inter-spike interval (end of spike 1 to start of spike 2)")}
    v = {"ppf_a1": _da(a1, "ppf_interval", "A", "postsynaptic current after spike 1 (A1)"),
         "ppf_a2": _da(a2, "ppf_interval", "A", "postsynaptic current after spike 2 (A2)"),
         "ppf_index": _da(a2 / a1, "ppf_interval", "1", "paired-pulse facilitation index A2/A1")}
    return c, v


def _sfdp(params, cfg):
    """Fig. 3c: trains of spikes over the spike frequency."""
    fr = np.geomspace(*_pv(params)["sfdp_frequency_Hz"], cfg["sfdp_points"])
    cur = frequency_train(params, fr)
    c = {"sfdp_frequency": _da(fr, "sfdp_frequency", "Hz", "spike frequency"),
         "sfdp_pulse": _da(np.arange(1, cur.shape[1] + 1), "sfdp_pulse", "1", "spike number in the SFDP train")}
    v = {"sfdp_current": _da(cur, ("sfdp_frequency", "sfdp_pulse"), "A", "postsynaptic current after each spike"),
         "sfdp_index": _da(cur[:, -1] / cur[:, 0], "sfdp_frequency", "1", "SFDP index A5/A1")}
    return c, v


def _sequence(params, cfg, prefix, coord, coord_values, coord_units, coord_long, amps, widths, figure):
    """One spike per value (SVDP, SDDP): currents, indices An/A1 and the full trace."""
    train, cur = sequence_train(params, amps, widths)
    dim = f"{prefix}_pulse"
    c = {dim: _da(np.arange(1, cur.size + 1), dim, "1", "spike number n"),
         f"{prefix}_{coord}": _da(coord_values, dim, coord_units, coord_long)}
    v = {f"{prefix}_current": _da(cur, dim, "A", "postsynaptic current after spike n (An)"),
         f"{prefix}_index": _da(cur / cur[0], dim, "1", f"{prefix.upper()} index An/A1")}
    if not cfg["traces"]:
        return c, v
    tt, ti = train_trace(params, train, cfg["trace_samples"], 1.0)
    c[f"{prefix}_trace_time"] = _da(tt, f"{prefix}_trace_time", "s", "time")
    v[f"{prefix}_trace_current"] = _da(ti, f"{prefix}_trace_time", "A",
                                       f"read current during the {prefix.upper()} train ({figure})")
    return c, v


def _svdp(params, cfg):
    """Fig. 3d / S5: one spike per amplitude."""
    pv = _pv(params)
    lo, hi = pv["svdp_amplitude_V"]
    amps = np.round(np.linspace(lo, hi, pv["svdp_pulses"]), 9)
    return _sequence(params, cfg, "svdp", "amplitude", amps, "V", "amplitude of spike n", amps,
                     pv["spike_width_s"], "Fig. S5")


def _sddp(params, cfg):
    """Fig. 3e / S6: one spike per width."""
    pv = _pv(params)
    lo, hi = pv["sddp_width_s"]
    widths = np.round(np.linspace(lo, hi, pv["sddp_pulses"]), 12)
    return _sequence(params, cfg, "sddp", "width", widths, "s", "width of spike n",
                     pv["spike_amplitude_V"], widths, "Fig. S6")


def _sndp(params, cfg):
    """Fig. 3f / S7: trains of n spikes, their last currents and traces."""
    pv = _pv(params)
    counts = np.asarray(pv["sndp_pulses"])
    train, cur = sequence_train(params, np.full(counts.max(), pv["spike_amplitude_V"]), pv["spike_width_s"])
    c = {"sndp_count": _da(counts, "sndp_count", "1", "number of spikes n")}
    v = {"sndp_current": _da(cur[counts - 1], "sndp_count", "A", "postsynaptic current after spike n (An)"),
         "sndp_index": _da(cur[counts - 1] / cur[0], "sndp_count", "1", "SNDP index An/A1")}
    if not cfg["traces"]:
        return c, v
    t_tr = trace_times(train, np.linspace(-0.1, float(train.ends_s[-1]) + 2.0, cfg["trace_samples"]),
                       params.read_delay_s)
    traces = []
    for k in counts:
        sub = PulseTrain(train.onsets_s[:k], train.widths_s[:k], train.amplitudes_V[:k])
        traces.append(params.read_current(run_train(params, sub, t_tr), pv["read_voltage_V"]))
    c["sndp_train"] = _da(counts, "sndp_train", "1", "number of spikes in the train")
    c["sndp_trace_time"] = _da(t_tr, "sndp_trace_time", "s", "time")
    v["sndp_trace_current"] = _da(np.array(traces), ("sndp_train", "sndp_trace_time"), "A",
                                  "read current during and after trains of n spikes (Fig. S7)")
    return c, v


def _retention(params, cfg):
    """Fig. 4b / S8: forgetting after 1 … N rehearsals, and the rehearsal trace."""
    pv = _pv(params)
    reps = pv["rehearsals"]
    t_ret = retention_times(params.pset)
    st = retention(params, reps, t_ret)
    vr_ret = pv["retention_read_voltage_V"]
    dims = ("rehearsal", "retention_time")
    c = {"rehearsal": _da(reps, "rehearsal", "1", "number of rehearsals (spikes of -1 V, 20 ms)"),
         "retention_time": _da(t_ret, "retention_time", "s", "time after the end of the last rehearsal")}
    v = {"retention_weight": _da(params.synaptic_weight(st, vr_ret), dims, "1",
                                 "synaptic weight y = (I - I0)/I0 at the read voltage -0.1 V"),
         "retention_current": _da(params.read_current(st, vr_ret), dims,
                                  "A", "current read at -0.1 V after the rehearsals")}
    if not cfg["traces"]:
        return c, v
    rtrain = PulseTrain.regular(max(reps), pv["retention_amplitude_V"], pv["retention_width_s"],
                                gap_s=pv["train_gap_s"])
    tt, ti = train_trace(params, rtrain, cfg["trace_samples"], pv["retention_window_s"][1],
                         read_voltage_V=vr_ret)
    c["rehearsal_trace_time"] = _da(tt, "rehearsal_trace_time", "s", "time from the first rehearsal")
    v["rehearsal_trace_current"] = _da(ti, "rehearsal_trace_time", "A",
                                       f"read current (-0.1 V) during {max(reps)} rehearsals and after")
    return c, v


def _arrhenius(params, cfg):
    """Fig. 5b: resistance of the pristine device over temperature."""
    temps = arrhenius_temperatures(params.pset)
    c = {"arrhenius_temperature": _da(temps, "arrhenius_temperature", "K", "temperature")}
    v = {"arrhenius_resistance": _da(resistance_vs_temperature(params, temps), "arrhenius_temperature", "ohm",
                                     "resistance of the pristine device at -0.01 V",
                                     fit_min_K=_pv(params)["arrhenius_fit_min_K"])}
    return c, v


def _iv(params, cfg):
    """Fig. S1: the I–V staircase sweep and what is left after relaxing at 0 V."""
    volts, times, cur, states = iv_sweep(params, step_V=cfg["iv_step_V"])
    half = volts.size // 2
    left = max(relaxed_deviation(params, states[half - 1]), relaxed_deviation(params, states[-1]))
    c = {"iv_step": _da(np.arange(volts.size), "iv_step", "1", "step of the staircase sweep"),
         "iv_voltage": _da(volts, "iv_step", "V", "applied voltage"),
         "iv_time": _da(times, "iv_step", "s", "time at the end of the step")}
    v = {"iv_current": _da(cur, "iv_step", "A", "current at the end of each step"),
         "iv_relaxed_deviation": _da(left, (), "1",
                                     "max relative conductance change left after relaxing the post-sweep "
                                     "states at 0 V (0 = single stable state)")}
    return c, v


def _potentiation_depression(params, cfg):
    """Fig. S11a: conductance after each potentiating then depressing pulse."""
    pd_amp, pd_g = potentiation_depression(params)
    c = {"pd_pulse": _da(np.arange(1, pd_amp.size + 1), "pd_pulse", "1", "pulse number"),
         "pd_amplitude": _da(pd_amp, "pd_pulse", "V", "pulse amplitude (20 ms)")}
    v = {"pd_conductance": _da(pd_g, "pd_pulse", "S", "conductance read at -0.01 V after each pulse")}
    return c, v


def _psc(params, cfg):
    """Fig. 6a / S10: peak postsynaptic current over spike amplitude and device area."""
    pv = _pv(params)
    e_amps = np.round(np.linspace(pv["energy_min_amplitude_V"], pv["spike_amplitude_V"],
                                  cfg["energy_points"]), 9)
    areas = np.asarray(pv["areas_um2"])
    c = {"energy_amplitude": _da(e_amps, "energy_amplitude", "V", "spike amplitude P"),
         "area": _da(areas, "area", "um^2", "device area")}
    v = {"psc_current": _da(psc_currents(params, e_amps, areas), ("energy_amplitude", "area"), "A",
                            "magnitude of the peak postsynaptic current read at -0.01 V after one spike",
                            psc_pulse_width_s=pv["spike_width_s"])}
    # the ≈0.7 fJ event (Fig. S10): the smallest spike, at every width the paper leaves open
    widths = np.asarray([float(w) for w in analysis_options("energy_0p7_pulse_width")])
    event = np.array([psc_currents(params, [pv["energy_min_amplitude_V"]], areas, width_s=w)[0] for w in widths])
    c["event_width"] = _da(widths, "event_width", "s", "width of the smallest spike (the 0.7 fJ event)")
    v["psc_event_current"] = _da(event, ("event_width", "area"), "A",
                                 "magnitude of the postsynaptic current read at -0.01 V after one spike of the "
                                 "smallest amplitude (Fig. S10), by spike width",
                                 psc_amplitude_V=pv["energy_min_amplitude_V"])
    return c, v


PROTOCOLS = {"epsc": _epsc, "ppf": _ppf, "sfdp": _sfdp, "svdp": _svdp, "sddp": _sddp, "sndp": _sndp,
             "retention": _retention, "arrhenius": _arrhenius, "iv": _iv,
             "potentiation_depression": _potentiation_depression, "psc": _psc}
"""The parts of :func:`simulate_device` by name, in the order their variables are stored."""


# --------------------------------------------------------------------------- analysis helpers
def fit_retention(time_s, weight, pset: ParameterSet | None = None, current_A=None):
    """Power-law fit ``y = b t^−m`` of a decay after the last rehearsal, as the analysis choices
    of *pset* say: the fit method and window (``power_law_fit_method``, ``power_law_fit_window``;
    data/evidence/analysis_choices.yaml; the paper states neither). Works on measured data too.

    Parameters
    ----------
    current_A : array_like, A, optional
        The currents the weights were read from (at the retention read voltage); needed by the
        ``noise_weighted`` method, whose weights come from the read noise of
        :mod:`analysis.physics.measurement`.

    Returns
    -------
    analysis.physics.fits.FitResult
    """
    from analysis.physics.fits import fit_power_law
    choice = (pset or default_parameters()).topic("analysis")
    method = choice["power_law_fit_method"]
    lo, hi = (float(v) for v in choice["power_law_fit_window"])
    window = (lo - 1e-9, hi)
    sigma = None
    if method == "noise_weighted":
        if current_A is None:
            raise ValueError("the noise_weighted power-law fit needs the currents the weights were read from")
        sigma = weight_noise(weight, current_A, pset)
    return fit_power_law(time_s, weight, window, method=method, sigma=sigma)


def weight_noise(weight, current_A, pset: ParameterSet | None = None):
    """Standard deviation of each weight ``y = I/I0 − 1`` read from *current_A* [A] at the
    retention read: sqrt(sigma(I)² + (I/I0)² sigma(I0)²)/|I0| (:func:`analysis.physics.measurement.read_noise_A`)."""
    from analysis.physics.measurement import read_noise_A
    y = np.asarray(weight, dtype=float)
    i = np.abs(np.asarray(current_A, dtype=float))
    i0 = float(np.median(i / (1.0 + y)))
    s0 = read_noise_A(i0, "retention_reads", pset)
    s = np.array([read_noise_A(v, "retention_reads", pset) for v in i])
    return np.sqrt(s ** 2 + (i / i0 * s0) ** 2) / i0


def fit_activation(temperature_K, resistance_ohm, pset: ParameterSet | None = None):
    """Arrhenius fit of R(T) over the 'linear region' (``arrhenius_fit_min`` … max of device.yaml).

    Returns
    -------
    analysis.physics.fits.FitResult
        ``ea_eV`` and ``ln_r0``.
    """
    from analysis.physics.fits import fit_arrhenius
    pv = protocol_values(pset)
    return fit_arrhenius(temperature_K, resistance_ohm,
                         (pv["arrhenius_fit_min_K"], pv["arrhenius_range_K"][1]))


__all__ = ["SETTINGS", "PulseTrain", "device_of", "at_temperature", "PROTOCOLS", "protocol_values", "resolve_settings", "run_train",
           "pulse_responses", "epsc_trace", "paired_pulse", "frequency_train", "sequence_train",
           "train_trace", "trace_times", "retention", "retention_times", "arrhenius_temperatures",
           "resistance_vs_temperature", "iv_sweep", "relaxed_deviation", "psc_currents",
           "potentiation_depression", "simulate_device", "fit_retention", "fit_activation"]
