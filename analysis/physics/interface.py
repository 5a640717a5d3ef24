"""What a device model must give the rest of the pipeline: the device-model interface.

The compendium simulates the paper's experiments on a *model* of the ITO/BCCP/OHP/Al synapse.
Everything after the model — the protocols of the paper (:mod:`analysis.physics.protocols`),
the simulated Datasets, the calibration to Table 2, the figure metrics, the robustness sweep,
the claims and the learning stage — uses only the two protocols below, so that a second model,
or a user's own device, plugs in without touching them.

:class:`Synapse`
    One device: one film, one temperature, calibrated or not. It has a *state* (an array whose
    last axis is the model's own, e.g. trap populations or a concentration profile) that evolves
    under piecewise-constant voltage, and it is read by a short read that does not disturb it.
    The protocols drive it spike by spike: ``rest_state``, ``evolve`` (a batch of devices, each
    with its own voltage and duration), ``evolve_times`` (one device sampled at many times of one
    segment, for traces and forgetting curves), ``read_current``/``conductance``,
    ``synaptic_weight`` and ``at_temperature``.
:class:`SynapseModel`
    The film-independent recipe: its name, its free parameters (what the calibration fits to
    Table 2) and how to build the :class:`Synapse` of a film from free values and a
    :class:`~analysis.parameters.ParameterSet`.

:func:`check_synapse` runs the interface's own contract tests on any object (the test suite runs
them on every model, and on the toy model of docs/device-model.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, runtime_checkable

import numpy as np

from analysis.parameters import ParameterSet


@runtime_checkable
class Synapse(Protocol):
    """One simulated device (one film at one temperature). Units: V, s, A, S, K, µm².

    Attributes
    ----------
    model : str
        Name of the model (``"multitrap"``, …); recorded in every output.
    n : str
        Film label (``"1"`` … ``"5"``, ``"inf"``).
    temperature_K : float, K
        Device temperature.
    read_delay_s : float, s
        Delay between the end of a spike and its read.
    relaxation_time_s : float, s
        The device's longest internal time constant (the monostability check relaxes for 1000 ×
        it).
    pset : ParameterSet
        The parameter set the device was built from; the protocols read their numbers from it.
    """

    model: str
    n: str
    temperature_K: float
    read_delay_s: float
    relaxation_time_s: float
    pset: ParameterSet

    def rest_state(self, shape=()) -> np.ndarray:
        """The pristine state, shape ``shape + (S,)``."""

    def evolve(self, state, voltage_V, duration_s) -> np.ndarray:
        """States after constant-voltage segments.

        *state* has shape ``(..., S)``; *voltage_V* [V] and *duration_s* [s] are scalars or arrays
        broadcast against ``state.shape[:-1]`` (a batch of independent devices). Returns ``(..., S)``.
        """

    def evolve_times(self, state, voltage_V: float, times_s) -> np.ndarray:
        """States of one device (*state* of shape ``(S,)``) at each of *times_s* (>= 0, s) after
        the start of one constant-voltage segment. Returns ``(T, S)``."""

    def read_current(self, state, read_voltage_V=-0.01, temperature_K=None, area_um2=62500.0):
        """Current [A] (signed like the read voltage) of states ``(..., S)``; *temperature_K*
        and *area_um2* may be arrays broadcast against the batch."""

    def conductance(self, state, temperature_K=None, area_um2=62500.0):
        """Small-signal conductance [S] at the paper's read voltage, shape ``(...)``."""

    def synaptic_weight(self, state, read_voltage_V=None) -> np.ndarray:
        """``y = (I − I0)/I0`` at the read voltage (default: the paper's −0.01 V), I0 the pristine
        current at the same read; shape ``(...)``.  A model whose weight does not depend on the
        read voltage may ignore *read_voltage_V*."""

    def at_temperature(self, temperature_K) -> "Synapse":
        """The same device held at another temperature [K]."""

    def attributes(self) -> dict:
        """What a simulated Dataset records of this device (``device_n``, its parameters, …)."""


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration fits, per film.

    Attributes
    ----------
    name, units, meaning : str
    lower, upper : float
        Bounds of the search, in *units*.
    target : str
        The Table 2 quantity it is tied to (``"Ea"``, ``"m"``, ``"b"``), or ``"energy"`` (the
        paper's energy per spike) for a scale parameter.
    """

    name: str
    units: str
    lower: float
    upper: float
    target: str
    meaning: str


@runtime_checkable
class SynapseModel(Protocol):
    """A device model: the recipe that builds a :class:`Synapse` per film.

    Attributes
    ----------
    name : str
    free_parameters : tuple of FreeParameter
        What the calibration fits to Table 2, per film.
    scale_parameters : tuple of FreeParameter
        Film-independent parameters fitted after the films (:meth:`calibrate_scale`; target
        ``"energy"``); empty for a model that has none.
    """

    name: str
    free_parameters: tuple
    scale_parameters: tuple

    def build(self, n, free: Mapping[str, float], pset: ParameterSet | None = None) -> Synapse:
        """The synapse of film *n* with the free parameters *free* (and the scale parameters,
        if the model has any) and everything else from *pset*."""

    def calibrated_free(self, n, calibrated: Mapping | None = None) -> dict:
        """The free and scale values of film *n* in a calibration (``name -> value`` of the
        model's calibrate-stage output; None: the model's reference calibration), ready for
        :meth:`build` and as the *start* of :meth:`calibrate`; raises ValueError when the
        calibration lacks the film."""

    def calibrate(self, n, target: Mapping[str, float], pset: ParameterSet | None = None,
                  start: Mapping[str, float] | None = None) -> dict:
        """Free values of film *n* whose simulated experiments reproduce *target* (``b``, ``m``,
        ``Ea``): ``{"free": {...}, "achieved": {...}, "target": {...}}``; raises ValueError
        when the target cannot be reached."""

    def calibrate_scale(self, n, free: Mapping[str, float], target: Mapping,
                        pset: ParameterSet | None = None) -> dict:
        """The film-independent :attr:`scale_parameters`, fitted after the films: on the
        device of film *n* (free values *free*) to *target*, the paper's energy per spike and
        its conditions (``energy_J``, ``n``, ``amplitude_V``, ``width_s``, ``area_um2``,
        ``read_voltage_V``). Returns ``{"free": {name: value}, "achieved_J": float | None}``;
        a model without scale parameters returns ``{"free": {}, "achieved_J": None}`` (its
        currents follow from its own parameters, and the energy is a prediction)."""


def check_synapse(device, atol: float = 1e-12) -> list[str]:
    """The interface's contract, checked on *device*: a list of what is wrong (empty: it holds).

    Checks that every member exists; that states keep their shape through ``evolve`` (scalar and
    batched, broadcast voltages and durations) and ``evolve_times``; that a batch evolves like
    its members one by one; that reads are finite, signed like the read voltage and scale with
    the area; that the pristine device has weight 0; that a −1 V, 20 ms spike changes the read
    current (the device is plastic) and that 0 V for 1000 × ``relaxation_time_s`` brings it back
    to the pristine current (monostable, as the BCCP layer ensures); and that ``at_temperature``
    returns a device at that temperature.
    """
    problems = []
    for name in ("model", "n", "temperature_K", "read_delay_s", "relaxation_time_s", "pset"):
        if not hasattr(device, name):
            problems.append(f"attribute {name} is missing")
    for name in ("rest_state", "evolve", "evolve_times", "read_current", "conductance",
                 "synaptic_weight", "at_temperature", "attributes"):
        if not callable(getattr(device, name, None)):
            problems.append(f"method {name} is missing")
    if problems:
        return problems
    x0 = np.asarray(device.rest_state())
    size = x0.shape[-1]
    batch = np.asarray(device.rest_state((3,)))
    if batch.shape != (3, size):
        problems.append(f"rest_state((3,)) has shape {batch.shape}; expected (3, {size})")
    one = np.asarray(device.evolve(x0, -1.0, 0.02))
    if one.shape != x0.shape:
        problems.append(f"evolve changed the state's shape {x0.shape} -> {one.shape}")
    volts, widths = np.array([-1.0, -0.5, 0.0]), np.array([0.02, 0.01, 0.05])
    many = np.asarray(device.evolve(np.broadcast_to(x0, (3, size)), volts, widths))
    singles = np.array([device.evolve(x0, v, d) for v, d in zip(volts, widths)])
    if many.shape != (3, size) or not np.allclose(many, singles, rtol=1e-9, atol=atol):
        problems.append("evolve of a batch differs from evolving its members one by one")
    times = np.array([0.0, 0.01, 0.1, 1.0])
    traj = np.asarray(device.evolve_times(one, 0.0, times))
    if traj.shape != (times.size, size):
        problems.append(f"evolve_times returned shape {traj.shape}; expected {(times.size, size)}")
    elif not np.allclose(traj[-1], device.evolve(one, 0.0, 1.0), rtol=1e-6, atol=atol):
        problems.append("evolve_times at 1 s differs from evolve for 1 s")
    i0 = float(np.asarray(device.read_current(x0, -0.01)))
    i1 = float(np.asarray(device.read_current(one, -0.01)))
    if not (np.isfinite(i0) and np.isfinite(i1)) or i0 >= 0:
        problems.append(f"read currents at -0.01 V must be finite and negative; got {i0}, {i1}")
    i_big = float(np.asarray(device.read_current(x0, -0.01, area_um2=4 * 62500.0)))
    if not np.isclose(i_big, 4 * i0, rtol=1e-9, atol=0.0):
        problems.append("the read current does not scale with the device area")
    if abs(float(np.asarray(device.synaptic_weight(x0)))) > 1e-12:
        problems.append("the pristine device must have synaptic weight 0")
    if not abs(i1) > abs(i0):
        problems.append("a -1 V, 20 ms spike does not raise the read current (no plasticity)")
    relaxed = device.evolve(one, 0.0, 1000.0 * float(device.relaxation_time_s))
    g0, g = float(np.asarray(device.conductance(x0))), float(np.asarray(device.conductance(relaxed)))
    if not np.isclose(g, g0, rtol=1e-6, atol=0.0):
        problems.append(f"after relaxing at 0 V the conductance is {g:g} S, not the pristine {g0:g} S")
    warm = device.at_temperature(float(device.temperature_K) + 10.0)
    if abs(float(warm.temperature_K) - float(device.temperature_K) - 10.0) > 1e-9:
        problems.append("at_temperature did not set the temperature")
    return problems


__all__ = ["Synapse", "SynapseModel", "FreeParameter", "check_synapse"]
