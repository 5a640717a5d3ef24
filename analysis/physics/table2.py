"""Table 2 from simulated experiments: the analyses that tie a device model to the paper.

The paper's Table 2 gives, per film, the fit constant *b* and rate *m* of the forgetting curve
after the 30th rehearsal (Fig. 4b, ``y = b t^−m``) and the activation energy E_A of the Arrhenius
plot of the pristine device's resistance (Fig. 5b). A model is compared with (and calibrated to)
those numbers only through *the same analysis of its simulated experiments*, never by equating
one of its parameters with a paper number. The functions here run those experiments on any
:class:`~analysis.physics.interface.Synapse` and analyse them; they hold no model-specific code.

======================  ==================================================================
:func:`retention_fit`   30 rehearsals (−1 V, 20 ms, gap of device.yaml), reads at −0.1 V
                        every 50 ms; fit ``y = b t^−m`` over 0.05–15 s
:func:`arrhenius_fit`   R(T) of the pristine device at −0.01 V, 180–340 K; fit
                        ``ln R = ln R0 + E_A/kT`` over the "linear region"
:func:`spike_energy`    ``E = |P| I t`` of one spike, I the peak EPSC read after it
:func:`table2_row`      ``{"b", "m", "Ea"}`` of a device
======================  ==================================================================
"""
from __future__ import annotations

from analysis.physics import fits, protocols


def retention_fit(device) -> fits.FitResult:
    """Power-law fit of the simulated decay after the 30th rehearsal (Fig. 4b).

    Parameters
    ----------
    device : Synapse
        Any device model; the protocol numbers come from its parameter set.
    """
    pset = getattr(device, "pset", None)
    pv = protocols.protocol_values(pset)
    t = protocols.retention_times(pset)
    states = protocols.retention(device, [pv["retention_pulses"]], t)[0]
    current = device.read_current(states, pv["retention_read_voltage_V"])
    weight = device.synaptic_weight(states, pv["retention_read_voltage_V"])
    return protocols.fit_retention(t, weight, pset, current_A=current)


def arrhenius_fit(device) -> fits.FitResult:
    """Arrhenius fit of the simulated R(T) of the pristine device over the linear region (Fig. 5b)."""
    pset = getattr(device, "pset", None)
    temps = protocols.arrhenius_temperatures(pset)
    return protocols.fit_activation(temps, protocols.resistance_vs_temperature(device, temps), pset)


def spike_energy(device, amplitude_V: float, width_s: float, area_um2: float,
                 read_voltage_V: float) -> float:
    """``E = |P| I t`` [J] of one spike of *amplitude_V* [V] and *width_s* [s] on a device of
    *area_um2* [µm²], I the current read at *read_voltage_V* [V] after the spike."""
    i = protocols.psc_currents(device, [amplitude_V], [area_um2], width_s=width_s,
                               read_voltage_V=read_voltage_V)
    return abs(amplitude_V) * float(i[0, 0]) * width_s


def table2_row(device) -> dict:
    """``{"b", "m", "Ea"}`` obtained by analysing the simulated experiments of *device*."""
    pl = retention_fit(device)
    ar = arrhenius_fit(device)
    return {"b": pl["b"], "m": pl["m"], "Ea": ar["ea_eV"]}


__all__ = ["retention_fit", "arrhenius_fit", "spike_energy", "table2_row"]
