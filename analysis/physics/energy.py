"""Energy per synaptic event (Fig. 6a, Fig. S10): the physics; the audit of the paper's numbers
is :mod:`analysis.evidence.energy_audit`.

The paper computes the energy of one synaptic event as

    E = |P| · I · t

with P the pulse amplitude [V], t the pulse width [s] and I the **postsynaptic current** [A].
This module is the *one* place where the meaning of I is fixed (:data:`CURRENT_DEFINITION`):
I is the postsynaptic current read at the small read voltage (−0.01 V, the paper's p. 7
"read voltage = −0.01 V") after one pulse — the EPSC peak of the simulated device — and *not*
the (much larger) current that flows through the film while the pulse is applied.  Read this
way, E = |P|·I·t is a figure of merit rather than the dissipated energy (which would be
|P|·I_pulse·t); the paper's numbers only make sense with this reading, and every quantity below
(energies, implied currents and resistances) uses it.

Inputs
------
The per-n simulation datasets ``{results_dir}/simulate/n{n}.nc`` (written by the device model)
hold ``psc_current`` [A] on dims (``energy_amplitude`` [V], ``area`` [µm²]): the postsynaptic
current read at −0.01 V after one pulse of the given amplitude, with the pulse width in
``attrs["psc_pulse_width_s"]`` [s].  :func:`load_psc` stacks them along a new ``n`` dimension.

This module holds no paper number: the paper's statements, the literature of Fig. 6b and their
audit are in :mod:`analysis.evidence.energy_audit`.
"""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from analysis.physics.dimensionality import N_VALUES, parse_n
from analysis.stage_io import read_netcdf, resolve, simulation_path
from analysis.validation import finite, positive

log = logging.getLogger(__name__)

CURRENT_DEFINITION = (
    "I is the postsynaptic current: the peak EPSC read at the read voltage (-0.01 V) after one "
    "presynaptic pulse, as the paper states ('read voltage = -0.01 V', p. 7). It is not the "
    "current that flows during the pulse; E = |P|*I*t is therefore the paper's figure of merit, "
    "not the energy dissipated in the film.")
"""The interpretation of I in E = |P|·I·t used everywhere in the compendium."""

PSC_VARIABLE = "psc_current"
AMPLITUDE_DIM = "energy_amplitude"
AREA_DIM = "area"
N_DIM = "n"
WIDTH_ATTR = "psc_pulse_width_s"
EVENT_VARIABLE = "psc_event_current"
"""The current after one spike of the smallest amplitude, by spike width (the ≈0.7 fJ event)."""

FJ = 1e-15
"""One femtojoule [J]."""
PA = 1e-12
"""One picoampere [A]."""

_COORD_ATOL = 1e-9


# --------------------------------------------------------------------------- validation
def _check_nonzero(value, name: str, what: str) -> None:
    arr = finite(value, name, what)
    if np.any(arr == 0):
        msg = f"{name}=0 must be non-zero ({what}); energy per event is undefined without a pulse"
        raise ValueError(msg)


# --------------------------------------------------------------------------- physics
def energy_per_event(amplitude_V, current_A, width_s):
    """Energy of one synaptic event, E = |P|·|I|·t (paper p. 7, Fig. 6 caption).

    Parameters
    ----------
    amplitude_V : float, array or xarray.DataArray, V
        Pulse amplitude P (the paper's pulses are negative; only |P| enters). Must be non-zero.
    current_A : float, array or xarray.DataArray, A
        Postsynaptic current I as defined in :data:`CURRENT_DEFINITION` (sign ignored).
    width_s : float, array or xarray.DataArray, s
        Pulse width t, > 0.

    Returns
    -------
    float, array or xarray.DataArray, J
        Energy per event (broadcast like the inputs).

    Raises
    ------
    ValueError
        If an amplitude is zero, a width is not positive, or an input is not finite.

    Examples
    --------
    >>> round(energy_per_event(-1.0, 0.9e-12, 0.02) / FJ, 6)
    18.0
    """
    _check_nonzero(amplitude_V, "amplitude_V", "pulse amplitude, V")
    positive(width_s, "width_s", "pulse width, s")
    finite(current_A, "current_A", "postsynaptic current, A")
    amplitude_V, current_A, width_s = (np.asarray(v, dtype=float) if isinstance(v, (list, tuple)) else v
                                       for v in (amplitude_V, current_A, width_s))
    return abs(amplitude_V) * abs(current_A) * width_s


def implied_current(energy_J, amplitude_V, width_s):
    """Postsynaptic current that a stated energy implies, I = E / (|P|·t).

    Parameters
    ----------
    energy_J : float or array, J
        Energy per event, > 0.
    amplitude_V : float or array, V
        Pulse amplitude, non-zero.
    width_s : float or array, s
        Pulse width, > 0.

    Returns
    -------
    float or array, A

    Examples
    --------
    >>> round(implied_current(0.7 * FJ, -0.02, 0.02) / PA, 6)
    1.75
    """
    positive(energy_J, "energy_J", "energy per event, J")
    _check_nonzero(amplitude_V, "amplitude_V", "pulse amplitude, V")
    positive(width_s, "width_s", "pulse width, s")
    return energy_J / (abs(amplitude_V) * width_s)


def implied_resistance(current_A, voltage_V):
    """Resistance |V| / |I| of a device carrying *current_A* at *voltage_V*.

    Parameters
    ----------
    current_A : float or array, A
        Current, non-zero.
    voltage_V : float or array, V
        Voltage across the device (the read voltage −0.01 V for the postsynaptic current),
        non-zero.

    Returns
    -------
    float or array, ohm

    Examples
    --------
    >>> f"{implied_resistance(0.9e-12, -0.01):.3e}"
    '1.111e+10'
    """
    _check_nonzero(current_A, "current_A", "current, A")
    _check_nonzero(voltage_V, "voltage_V", "voltage, V")
    return abs(voltage_V) / abs(current_A)


def energy_per_area(energy_J, area_um2):
    """Energy per unit device area, E / A.

    Parameters
    ----------
    energy_J : float or array, J
    area_um2 : float or array, um^2
        Device (electrode overlap) area, > 0.

    Returns
    -------
    float or array, J/um^2
    """
    positive(area_um2, "area_um2", "device area, um^2")
    finite(energy_J, "energy_J", "energy per event, J")
    return energy_J / area_um2


def area_linearity(area_um2, energy_J) -> dict:
    """How well energy scales linearly with device area (a line through the origin).

    Parameters
    ----------
    area_um2 : array, um^2
        Device areas, > 0, at least two distinct values.
    energy_J : array, J
        Energies at those areas (same shape).

    Returns
    -------
    dict
        ``slope_J_per_um2`` least-squares slope k of E = k·A;
        ``r2_origin`` 1 − Σ(E − kA)² / Σ(E − Ē)² (centred denominator, so a constant E
        scores ≤ 0, not ≈1); ``per_area_spread`` (max − min)/mean of E/A (0 for exact
        proportionality).

    Examples
    --------
    >>> r = area_linearity([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    >>> r["r2_origin"], r["per_area_spread"]
    (1.0, 0.0)
    """
    area = finite(area_um2, "area_um2", "device area, um^2").ravel()
    energy = finite(energy_J, "energy_J", "energy per event, J").ravel()
    positive(area, "area_um2", "device area, um^2")
    if area.shape != energy.shape:
        msg = f"energy_J has {energy.size} values but area_um2 has {area.size}; they must match"
        raise ValueError(msg)
    if np.unique(area).size < 2:
        msg = f"area_um2={area.tolist()} needs at least two distinct areas to test linearity"
        raise ValueError(msg)
    slope = float(np.sum(area * energy) / np.sum(area * area))
    ss_res = float(np.sum((energy - slope * area) ** 2))
    ss_tot = float(np.sum((energy - energy.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else -math.inf)
    per_area = energy / area
    mean = float(per_area.mean())
    spread = float((per_area.max() - per_area.min()) / abs(mean)) if mean != 0 else math.inf
    return {"slope_J_per_um2": slope, "r2_origin": float(r2), "per_area_spread": spread}


# --------------------------------------------------------------------------- simulation data
def load_psc(results_dir: str | os.PathLike, n_values=N_VALUES) -> xr.Dataset:
    """Stack the simulated postsynaptic currents of all n into one Dataset (:func:`stack_psc` of
    the files ``simulate/n{n}.nc`` below *results_dir*).

    Raises
    ------
    FileNotFoundError
        If a per-n file is missing.
    ValueError
        As :func:`stack_psc`.
    """
    results_dir = resolve(results_dir)
    films = {}
    for n in (parse_n(n) for n in n_values):
        path = simulation_path(results_dir, n)
        films[n] = read_netcdf(path)
        films[n].attrs["source_path"] = str(path)
    out = stack_psc(films, where=results_dir / "simulate")
    log.info("loaded %s for n = %s from %s", PSC_VARIABLE, ", ".join(films), results_dir)
    return out


def stack_psc(films: dict, where="the simulated films") -> xr.Dataset:
    """Stack the postsynaptic currents of simulated films into one Dataset.

    Parameters
    ----------
    films : dict
        label -> Dataset of :func:`analysis.physics.simulation.simulate_device` (at least its
        ``psc`` part).

    Returns
    -------
    xarray.Dataset
        ``psc_current`` [A] on (``n``, ``energy_amplitude`` [V], ``area`` [um^2]) with
        ``attrs["psc_pulse_width_s"]`` [s].

    Raises
    ------
    ValueError
        If ``psc_current`` is absent, lacks the pulse width, has a non-positive area or
        width, or the films disagree on their coordinates or pulse width.
    """
    labels = [parse_n(n) for n in films]
    currents, width = [], None
    for n in labels:
        ds = films[n]
        path = ds.attrs.get("source_path", f"film n = {n}")
        if PSC_VARIABLE not in ds:
            msg = (f"{path} has no variable {PSC_VARIABLE!r} (postsynaptic current on "
                   f"({AMPLITUDE_DIM}, {AREA_DIM})); variables present: {sorted(ds.data_vars)}")
            raise ValueError(msg)
        da = ds[PSC_VARIABLE]
        if set(da.dims) != {AMPLITUDE_DIM, AREA_DIM}:
            msg = (f"{path}: {PSC_VARIABLE} has dims {da.dims}; expected "
                   f"({AMPLITUDE_DIM!r}, {AREA_DIM!r})")
            raise ValueError(msg)
        if WIDTH_ATTR not in da.attrs:
            msg = f"{path}: {PSC_VARIABLE} lacks attrs[{WIDTH_ATTR!r}] (pulse width, s)"
            raise ValueError(msg)
        w = float(da.attrs[WIDTH_ATTR])
        positive(w, WIDTH_ATTR, f"pulse width in {path}, s")
        positive(da[AREA_DIM].values, "area_um2", f"device area coordinate in {path}")
        _check_nonzero(da[AMPLITUDE_DIM].values, "amplitude_V",
                       f"pulse amplitude coordinate in {path}")
        if width is not None and not math.isclose(w, width, rel_tol=1e-9):
            msg = f"{path}: {WIDTH_ATTR}={w} differs from {width} in the other files"
            raise ValueError(msg)
        width = w
        currents.append(da.transpose(AMPLITUDE_DIM, AREA_DIM).drop_attrs(deep=False))
    events = [films[n][EVENT_VARIABLE].drop_attrs(deep=False) for n in labels
              if EVENT_VARIABLE in films[n]]
    try:
        stacked = xr.concat(currents, dim=pd.Index(labels, name=N_DIM), join="exact")
    except ValueError as exc:
        msg = (f"the per-n files in {where} disagree on their "
               f"{AMPLITUDE_DIM}/{AREA_DIM} coordinates: {exc}")
        raise ValueError(msg) from exc
    stacked.attrs = {"units": "A", "long_name": "postsynaptic current read at -0.01 V after one pulse",
                     WIDTH_ATTR: width}
    out = xr.Dataset({PSC_VARIABLE: stacked})
    if len(events) == len(labels):
        ev = xr.concat(events, dim=pd.Index(labels, name=N_DIM), join="exact")
        ev.attrs = {"units": "A", "long_name": "postsynaptic current after one spike of the smallest amplitude, by width",
                    "psc_amplitude_V": float(films[labels[0]][EVENT_VARIABLE].attrs["psc_amplitude_V"])}
        out[EVENT_VARIABLE] = ev
    out[N_DIM].attrs = {"long_name": "dimensionality (PbBr6 layers)", "units": "1"}
    return out


def energy_dataset(psc: xr.Dataset) -> xr.Dataset:
    """Energy per event for every n, amplitude and area from :func:`load_psc` output.

    Returns
    -------
    xarray.Dataset
        ``energy`` [J] and ``psc_current`` [A] on (``n``, ``energy_amplitude``, ``area``);
        ``energy_per_area`` [J/um^2]; attrs ``pulse_width_s`` and ``current_definition``.
    """
    current = psc[PSC_VARIABLE]
    width = float(current.attrs[WIDTH_ATTR])
    amplitude = current[AMPLITUDE_DIM]
    energy = energy_per_event(amplitude, current, width)
    energy.attrs = {"units": "J", "long_name": "energy per synaptic event |P| I t"}
    per_area = energy_per_area(energy, current[AREA_DIM])
    per_area.attrs = {"units": "J um-2", "long_name": "energy per event per device area"}
    ds = xr.Dataset({"energy": energy, PSC_VARIABLE: current, "energy_per_area": per_area})
    if EVENT_VARIABLE in psc:
        ds[EVENT_VARIABLE] = psc[EVENT_VARIABLE]
    ds.attrs = {"pulse_width_s": width, "current_definition": CURRENT_DEFINITION}
    return ds


def select(da: xr.DataArray, n=None, amplitude_V: float | None = None,
           area_um2: float | None = None) -> xr.DataArray:
    """Pick one n / amplitude / area of a simulation array, exactly (within 1e-9).

    Raises
    ------
    ValueError
        If the requested amplitude or area is not on the grid (naming the grid).
    """
    out = da
    if n is not None:
        out = out.sel({N_DIM: parse_n(n)})
    for dim, value, name in ((AMPLITUDE_DIM, amplitude_V, "amplitude_V"),
                             (AREA_DIM, area_um2, "area_um2")):
        if value is None:
            continue
        grid = out[dim].values
        idx = int(np.argmin(np.abs(grid - value)))
        if abs(grid[idx] - value) > _COORD_ATOL * max(1.0, abs(value)):
            msg = (f"{name}={value:g} is not on the simulated {dim} grid "
                   f"({grid.min():g} … {grid.max():g}, {grid.size} points)")
            raise ValueError(msg)
        out = out.isel({dim: idx})
    return out


__all__ = ["CURRENT_DEFINITION", "FJ", "PA", "PSC_VARIABLE", "AMPLITUDE_DIM", "AREA_DIM", "N_DIM",
           "WIDTH_ATTR", "energy_per_event", "implied_current", "implied_resistance",
           "energy_per_area", "area_linearity", "load_psc", "stack_psc", "energy_dataset", "select"]
