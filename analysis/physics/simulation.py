"""One device, every protocol: the per-film Dataset of the simulation stage.

:func:`simulate_device` runs the paper's protocols (:mod:`analysis.physics.protocols`) on one
device — all of them, or the *parts* of :data:`PROTOCOLS` a metrics function reads — and returns
one xarray Dataset with units and long names on every variable; each entry of :data:`PROTOCOLS`
builds its part of the Dataset.  The run sizes (points of the PPF, SFDP and energy sweeps,
samples per trace, the I–V step) are run settings of ``config/config.yaml``
(:data:`SETTINGS`, checked by :func:`resolve_settings`).
"""
from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from analysis.parameters import analysis_options
from analysis.physics.dimensionality import parse_n
from analysis.physics.protocols import (arrhenius_temperatures, epsc_trace, frequency_train, iv_sweep,
                                        paired_pulse, potentiation_depression, protocol_values_of,
                                        psc_currents, relaxed_deviation, resistance_vs_temperature,
                                        retention, retention_times, sequence_train, train_trace)
from analysis.physics.pulses import PulseTrain, at_temperature, device_of, pulse_responses, run_train, trace_times
from analysis.validation import positive

log = logging.getLogger(__name__)

SETTINGS = ("ppf_points", "sfdp_points", "energy_points", "trace_samples", "iv_step_V")
"""Run sizes of :func:`simulate_device` (points in the PPF, SFDP and energy sweeps, samples per
trace, I-V voltage step in V); their values are run settings, kept in ``config/config.yaml``
(``profiles.<profile>.simulate.device_settings``) and passed in by the workflow."""


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
    pv = protocol_values_of(params)
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
    pv = protocol_values_of(params)
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
    dts = np.linspace(*protocol_values_of(params)["ppf_interval_s"], cfg["ppf_points"])
    a1, a2 = paired_pulse(params, dts)
    c = {"ppf_interval": _da(dts, "ppf_interval", "s", "inter-spike interval (end of spike 1 to start of spike 2)")}
    v = {"ppf_a1": _da(a1, "ppf_interval", "A", "postsynaptic current after spike 1 (A1)"),
         "ppf_a2": _da(a2, "ppf_interval", "A", "postsynaptic current after spike 2 (A2)"),
         "ppf_index": _da(a2 / a1, "ppf_interval", "1", "paired-pulse facilitation index A2/A1")}
    return c, v


def _sfdp(params, cfg):
    """Fig. 3c: trains of spikes over the spike frequency."""
    fr = np.geomspace(*protocol_values_of(params)["sfdp_frequency_Hz"], cfg["sfdp_points"])
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
    pv = protocol_values_of(params)
    lo, hi = pv["svdp_amplitude_V"]
    amps = np.round(np.linspace(lo, hi, pv["svdp_pulses"]), 9)
    return _sequence(params, cfg, "svdp", "amplitude", amps, "V", "amplitude of spike n", amps,
                     pv["spike_width_s"], "Fig. S5")


def _sddp(params, cfg):
    """Fig. 3e / S6: one spike per width."""
    pv = protocol_values_of(params)
    lo, hi = pv["sddp_width_s"]
    widths = np.round(np.linspace(lo, hi, pv["sddp_pulses"]), 12)
    return _sequence(params, cfg, "sddp", "width", widths, "s", "width of spike n",
                     pv["spike_amplitude_V"], widths, "Fig. S6")


def _sndp(params, cfg):
    """Fig. 3f / S7: trains of n spikes, their last currents and traces."""
    pv = protocol_values_of(params)
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
    pv = protocol_values_of(params)
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
                                     fit_min_K=protocol_values_of(params)["arrhenius_fit_min_K"])}
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
    pv = protocol_values_of(params)
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
