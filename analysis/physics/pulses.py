"""The pulse engine: a device driven spike by spike, read without disturbing it.

A stimulus is a :class:`PulseTrain` of rectangular spikes on a 0 V background.  The device
(anything with the methods of :class:`analysis.physics.interface.Synapse`; a dimensionality
label stands for the stored calibrated multi-trap synapse, :func:`device_of`) is propagated
exactly between segment boundaries: :func:`run_train` gives its state at arbitrary times during
and after a train, :func:`pulse_responses` its state read a delay after each pulse for a batch of
trains at once (Python loops run over *pulses*, at most 50, never over fine time steps), and
:func:`trace_times` the read times of a sampled trace.  The temperature is part of the device
(:func:`at_temperature`).

The paper's protocols built on this engine are :mod:`analysis.physics.protocols`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from analysis.physics.interface import Synapse
from analysis.validation import check_temperature, nonnegative, positive

log = logging.getLogger(__name__)


def device_of(n_or_device) -> Synapse:
    """A device (anything with the :class:`~analysis.physics.interface.Synapse` methods), or the
    primary model's synapse of a dimensionality label in its reference calibration
    (:func:`analysis.physics.models.device`)."""
    if hasattr(n_or_device, "evolve") and hasattr(n_or_device, "read_current"):
        return n_or_device
    from analysis.physics import models
    return models.device(models.PRIMARY_MODEL, n_or_device, None)


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
        positive(wd, "width_s", "pulse width in s, accepted range (0, inf)")
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
        wd = np.broadcast_to(positive(width_s, "width_s", "pulse width in s, accepted range (0, inf)"),
                             (n,)).astype(float)
        if (gap_s is None) == (frequency_Hz is None):
            msg = "give exactly one of gap_s (s) or frequency_Hz (Hz) for a regular pulse train"
            raise ValueError(msg)
        if frequency_Hz is not None:
            f = float(positive(frequency_Hz, "frequency_Hz", "spike frequency in Hz, accepted range (0, 1/width]"))
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


def trace_times(train: PulseTrain, grid_s, read_delay_s: float) -> np.ndarray:
    """Read times of a trace: *grid_s* without the points inside a spike (no read is taken
    while the spike is applied) plus the read instant after every spike (so A_n is on it)."""
    g = np.asarray(grid_s, dtype=float)
    inside = np.zeros(g.shape, dtype=bool)
    for a, b in zip(train.onsets_s, train.ends_s):
        inside |= (g > a) & (g < b + read_delay_s)
    return np.unique(np.round(np.concatenate([g[~inside], train.ends_s + read_delay_s]), 9))
