"""The paper's pulse protocols on a device: EPSC, PPF, SFDP, SVDP, SDDP, SNDP, retention, R(T), I–V, P/D.

Each protocol is a train of spikes applied with the pulse engine of :mod:`analysis.physics.pulses`
to any device of the interface (:class:`analysis.physics.interface.Synapse`; a dimensionality
label stands for the stored calibrated multi-trap synapse) and read with a short,
non-disturbing read at the read voltage; batches of protocol parameters (intervals,
frequencies, amplitudes) are propagated together.

Protocol values (spike −1 V, 20 ms, read −0.01 V, the PPF/SFDP/SVDP/SDDP/SNDP ranges, the
rehearsals of Fig. 4b) come from ``paper_values()["protocols"]``; what the paper does not
state (train gap, read delay, I–V sweep, temperature range) from ``data/parameters/device.yaml``
("assumed: …"): :func:`protocol_values`.  :func:`fit_retention` and :func:`fit_activation` fit
the retention and R(T) over the protocols' windows.

:func:`analysis.physics.simulation.simulate_device` runs all of them on one device and returns
one Dataset.
"""
from __future__ import annotations

import functools
import logging

import numpy as np

from analysis.parameters import ParameterSet, default_parameters
from analysis.physics.pulses import PulseTrain, device_of, pulse_responses, run_train, trace_times
from analysis.validation import nonnegative, positive

log = logging.getLogger(__name__)

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


def protocol_values_of(device) -> dict:
    """The protocol numbers (:func:`protocol_values`) of the parameter set *device* was built
    from (``device.pset``; default: data/)."""
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
    pv = protocol_values_of(params)
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
    pv = protocol_values_of(params)
    dt = positive(intervals_s, "interval_s", "inter-spike interval in s, accepted range (0, inf)")
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
    pv = protocol_values_of(params)
    f = np.atleast_1d(positive(frequencies_Hz, "frequency_Hz",
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
    pv = protocol_values_of(params)
    gap = pv["train_gap_s"] if gap_s is None else gap_s
    amps, wds = np.broadcast_arrays(np.atleast_1d(np.asarray(amplitudes_V, dtype=float)),
                                    np.atleast_1d(np.asarray(widths_s, dtype=float)))
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    train = PulseTrain.regular(amps.size, amps, wds, gap_s=gap)
    reads = pulse_responses(params, train.onsets_s, train.widths_s, train.amplitudes_V)[0]
    return train, params.read_current(reads, vr, area_um2=area_um2)


def train_trace(n_or_params, train: PulseTrain, n_samples: int, tail_s: float,
                read_voltage_V=None, area_um2=62500.0):
    """Sampled read-current trace of a train plus *tail_s* afterwards (Figs. S5–S8).

    The samples are a uniform grid from −0.1 s to the end of the train + *tail_s* without the
    points inside a spike, merged with the read instant after every spike (:func:`trace_times`).
    """
    params = device_of(n_or_params)
    pv = protocol_values_of(params)
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
    pv = protocol_values_of(params)
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
    positive(t, "temperature_K", "absolute temperature in K, accepted range (0, inf)")
    vr = protocol_values_of(params)["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
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
    pv = protocol_values_of(params)
    vmax = float(positive(pv["iv_max_V"] if v_max_V is None else v_max_V, "v_max_V",
                           "sweep amplitude in V, accepted range (0, inf)"))
    rate = float(positive(pv["iv_rate_V_per_s"] if rate_V_per_s is None else rate_V_per_s,
                           "rate_V_per_s", "sweep rate in V/s, accepted range (0, inf)"))
    step = float(positive(step_V, "step_V", f"voltage step in V, accepted range (0, {vmax}]"))
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
    pv = protocol_values_of(params)
    amps = np.atleast_1d(np.asarray(amplitudes_V, dtype=float))
    areas = positive(np.atleast_1d(np.asarray(areas_um2, dtype=float)), "area_um2",
                      "device area in um^2, accepted range (0, inf)")
    wd = pv["spike_width_s"] if width_s is None else float(width_s)
    vr = pv["read_voltage_V"] if read_voltage_V is None else float(read_voltage_V)
    reads = pulse_responses(params, np.zeros((amps.size, 1)), wd, amps[:, None])[:, 0]
    g = params.conductance(reads[:, None, :], area_um2=areas[None, :])
    return np.abs(g * vr)


def potentiation_depression(n_or_params, area_um2=62500.0, read_delay_s=None):
    """20 spikes of −1 V then 20 of +1 V, 20 ms (Fig. S11a), conductance read after each.

    Parameters
    ----------
    read_delay_s : float, s, optional
        Time from the end of each pulse to its read (default: the device's read delay); the
        read does not disturb the train (:func:`pulse_responses`), so a longer delay reads the
        conductance the device keeps (:func:`analysis.learning.lookup_device.retained_pd_curve`).

    Returns
    -------
    amplitudes_V : numpy.ndarray, V
    conductance_S : numpy.ndarray, S
    """
    params = device_of(n_or_params)
    pv = protocol_values_of(params)
    pot, dep = pv["pd_potentiation"], pv["pd_depression"]
    amps = np.concatenate([np.full(int(pot["pulses"]), float(pot["amplitude_V"])),
                           np.full(int(dep["pulses"]), float(dep["amplitude_V"]))])
    wds = np.concatenate([np.full(int(pot["pulses"]), float(pot["width_s"])),
                          np.full(int(dep["pulses"]), float(dep["width_s"]))])
    train = PulseTrain.regular(amps.size, amps, wds, gap_s=pv["train_gap_s"])
    reads = pulse_responses(params, train.onsets_s, train.widths_s, train.amplitudes_V,
                            read_delay_s=read_delay_s)[0]
    return amps, params.conductance(reads, area_um2=area_um2)


# --------------------------------------------------------------------------- fits over the protocol windows
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
