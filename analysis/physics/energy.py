"""Energy per synaptic event (Fig. 6a, 6b, Fig. S10) and an audit of the paper's energy numbers.

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

Every paper number comes from :func:`analysis.parameters.paper_values` (``["energy"]`` and
``["device"]``); literature values for Fig. 6b from ``data/literature/energy_comparison.csv``.
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
from analysis.parameters import data_dir, paper_values
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

FJ = 1e-15
"""One femtojoule [J]."""
PA = 1e-12
"""One picoampere [A]."""

def _energy_tolerance() -> float:
    from analysis.evidence.claims import effect_sizes
    return float(effect_sizes()["energy_per_event"]["value"])


TOLERANCE = _energy_tolerance()
"""Relative tolerance of every energy per event the paper quotes as "≈" (18 fJ, 0.7 fJ, 20 fJ):
the quantity type ``energy_per_event`` of data/evidence/effect_sizes.yaml, stated once."""

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


# --------------------------------------------------------------------------- paper values
def paper_energy() -> dict:
    """The paper's energy statements and device areas, in SI units where a unit applies.

    Returns
    -------
    dict
        ``e18_J``, ``e18_conditions`` (the ≈18 fJ at −1 V), ``e07_J``, ``e07_conditions``
        (the ≈0.7 fJ at −0.02 V), ``bio_min_J``, ``bio_max_J``, ``e3d_J`` (earlier 3D
        MAPbBr3), ``areas_um2``, ``read_voltage_V``, ``default_amplitude_V``,
        ``default_width_s``, ``formula`` and ``location`` — all read from
        ``data/paper/values.yaml``.
    """
    pv = paper_values()
    en, dev, prot = pv["energy"], pv["device"], pv["protocols"]
    return {
        "e18_J": float(en["two_d_250um_minus1V_fJ"]["value"]) * FJ,
        "e18_conditions": dict(en["two_d_250um_minus1V_fJ"]["conditions"]),
        "e18_location": en["two_d_250um_minus1V_fJ"]["location"],
        "e07_J": float(en["two_d_minus0p02V_fJ"]["value"]) * FJ,
        "e07_conditions": dict(en["two_d_minus0p02V_fJ"]["conditions"]),
        "e07_location": en["two_d_minus0p02V_fJ"]["location"],
        "bio_min_J": float(en["biological_fJ"]["min"]) * FJ,
        "bio_max_J": float(en["biological_fJ"]["max"]) * FJ,
        "bio_location": en["biological_fJ"]["location"],
        "e3d_J": float(en["earlier_3d_mapbbr3_fJ"]["value"]) * FJ,
        "e3d_location": en["earlier_3d_mapbbr3_fJ"]["location"],
        "areas_um2": [float(a) for a in dev["areas_um2"]["value"]],
        "read_voltage_V": float(prot["read_voltage_V"]["value"]),
        "default_amplitude_V": float(prot["default_spike"]["amplitude_V"]),
        "default_width_s": float(prot["default_spike"]["width_s"]),
        "min_amplitude_V": float(prot["figS10_min_amplitude_V"]["value"]),
        "formula": en["formula"],
        "location": en["location"],
    }


# --------------------------------------------------------------------------- simulation data
def load_psc(results_dir: str | os.PathLike, n_values=N_VALUES) -> xr.Dataset:
    """Stack the simulated postsynaptic currents of all n into one Dataset.

    Parameters
    ----------
    results_dir : str or path
        Folder holding ``simulate/n{n}.nc``.
    n_values : iterable of str
        Dimensionalities to load (default all six).

    Returns
    -------
    xarray.Dataset
        ``psc_current`` [A] on (``n``, ``energy_amplitude`` [V], ``area`` [um^2]) with
        ``attrs["psc_pulse_width_s"]`` [s].

    Raises
    ------
    FileNotFoundError
        If a per-n file is missing.
    ValueError
        If ``psc_current`` is absent, lacks the pulse width, has a non-positive area or
        width, or the files disagree on their coordinates or pulse width.
    """
    results_dir = resolve(results_dir)
    labels = [parse_n(n) for n in n_values]
    currents, width = [], None
    for n in labels:
        path = simulation_path(results_dir, n)
        ds = read_netcdf(path)
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
    try:
        stacked = xr.concat(currents, dim=pd.Index(labels, name=N_DIM), join="exact")
    except ValueError as exc:
        msg = (f"the per-n files in {results_dir / 'simulate'} disagree on their "
               f"{AMPLITUDE_DIM}/{AREA_DIM} coordinates: {exc}")
        raise ValueError(msg) from exc
    stacked.attrs = {"units": "A", "long_name": "postsynaptic current read at -0.01 V after one pulse",
                     WIDTH_ATTR: width}
    out = xr.Dataset({PSC_VARIABLE: stacked})
    out[N_DIM].attrs = {"long_name": "dimensionality (PbBr6 layers)", "units": "1"}
    log.info("loaded %s for n = %s from %s", PSC_VARIABLE, ", ".join(labels), results_dir)
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


# --------------------------------------------------------------------------- literature
def literature_path() -> Path:
    """``data/literature/energy_comparison.csv``."""
    return data_dir() / "literature" / "energy_comparison.csv"


def load_literature(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The Fig. 6b comparison table (see data/literature/README.md for the columns)."""
    path = Path(path) if path else literature_path()
    if not path.is_file():
        msg = f"literature table {path} not found"
        raise FileNotFoundError(msg)
    df = pd.read_csv(path, dtype={"ref": str, "year": "Int64"}, keep_default_na=True)
    df["cited_in_fig6b"] = df["cited_in_fig6b"].astype(str).str.lower().eq("true")
    return df


def plottable_literature(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that report an energy per event of an artificial device (a number, not power)."""
    has_value = df["energy_max_fJ"].notna() | df["energy_min_fJ"].notna()
    return df[(df["quantity_reported"] == "energy per event") & has_value].copy()


def literature_summary(df: pd.DataFrame) -> dict:
    """How many of the paper's comparison points could be sourced.

    Returns
    -------
    dict
        ``cited`` references in the Fig. 6b list; ``sourced`` of those with a per-event energy
        of an artificial device; ``sourced_refs``; ``not_per_event_refs`` (power or current
        density, not plotted); ``biological_refs``; ``extra_refs`` (plotted, outside the list).
    """
    cited = df[df["cited_in_fig6b"]]
    plot = plottable_literature(df)
    sourced = plot[plot["cited_in_fig6b"]]
    not_per_event = df[df["quantity_reported"].isin(["system power", "current density"])]
    return {"cited": int(len(cited)), "sourced": int(len(sourced)),
            "sourced_refs": sourced["ref"].tolist(),
            "not_per_event_refs": not_per_event["ref"].tolist(),
            "biological_refs": df[df["quantity_reported"] == "biological energy per event"]["ref"].tolist(),
            "extra_refs": plot[~plot["cited_in_fig6b"]]["ref"].tolist()}


# --------------------------------------------------------------------------- audit
def _sim_value(energy: xr.Dataset | None, var: str, n, amplitude_V, area_um2, scale):
    if energy is None:
        return math.nan
    try:
        return abs(float(select(energy[var], n, amplitude_V, area_um2))) / scale
    except (KeyError, ValueError) as exc:
        log.warning("no simulated %s for n=%s, P=%s V, A=%s um^2: %s", var, n, amplitude_V,
                    area_um2, exc)
        return math.nan


def _yn(flag) -> str:
    if flag is None or (isinstance(flag, float) and math.isnan(flag)):
        return "n/a"
    return "yes" if flag else "no"


AUDIT_COLUMNS = ["id", "location", "statement", "paper_energy_fJ", "n", "area_um2", "amplitude_V",
                 "width_s", "read_voltage_V", "implied_current_pA", "implied_R_read_ohm",
                 "implied_R_pulse_ohm", "sim_energy_fJ", "sim_current_pA", "sim_over_paper", "basis",
                 "consistent_with_paper", "agrees_with_simulation", "assumptions", "finding"]
_CONDITION_KEYS = ("n", "area_um2", "amplitude_V", "width_s", "read_voltage_V")


def audit_statements_path() -> Path:
    """``data/paper/energy/audit.yaml``: the audited statements, as data."""
    return data_dir() / "paper" / "energy" / "audit.yaml"


def consistency_bounds(pe: dict | None = None) -> dict:
    """Pulse width and device area at which the 0.7 fJ and the 18 fJ become consistent.

    The two statements are consistent if the smaller pulse does not give a *larger*
    postsynaptic current than −1 V on the same device (I₀.₇ ≤ I₁₈, the paper's own SVDP
    trend). With I = E/(|P| t) and I ∝ area, that holds only for a pulse width
    ``t ≥ E₀.₇ / (|P₀.₇| I₁₈)`` (at 250 µm × 250 µm) or a device area
    ``A ≥ A₁₈ · I₀.₇/I₁₈`` (at 20 ms).

    Returns
    -------
    dict
        ``width_s`` [s], ``area_um2`` [µm²], ``assumed_width_s``, ``assumed_area_um2``.
    """
    pe = pe or paper_energy()
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    i18 = implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"])
    i07 = implied_current(pe["e07_J"], c07["amplitude_V"], c07["width_s"])
    return {"width_s": pe["e07_J"] / (abs(c07["amplitude_V"]) * i18),
            "area_um2": c18["area_um2"] * i07 / i18,
            "assumed_width_s": c07["width_s"], "assumed_area_um2": c07["area_um2"]}


def _nan_if(*values):
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def _audit_context(energy, literature) -> dict:
    """Every quantity the audit statements refer to (J, fJ, pA; NaN where not simulated)."""
    pe = paper_energy()
    lit = load_literature() if literature is None else literature
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    e18, e07, e3d = pe["e18_J"], pe["e07_J"], pe["e3d_J"]

    def sim(n, amp, area, var="energy", scale=FJ):
        return _sim_value(energy, var, n, amp, area, scale)

    lin, argmin = None, None
    if energy is not None:
        try:
            e_n1 = select(energy["energy"], c18["n"], c18["amplitude_V"])
            lin = area_linearity(e_n1[AREA_DIM].values, e_n1.values)
        except (KeyError, ValueError) as exc:
            log.warning("area linearity not computed: %s", exc)
        try:
            e_ref = select(energy["energy"], None, c18["amplitude_V"], c18["area_um2"])
            argmin = str(e_ref[N_DIM].values[int(np.argmin(e_ref.values))])
        except (KeyError, ValueError) as exc:
            log.warning("argmin n not computed: %s", exc)
    plot = plottable_literature(lit)
    plot = plot[plot["cited_in_fig6b"]]
    lit_min = float(np.nanmin(plot[["energy_min_fJ", "energy_max_fJ"]].to_numpy())) if len(plot) else math.nan
    lit_min_ref = (plot.loc[plot[["energy_min_fJ", "energy_max_fJ"]].min(axis=1).idxmin(), "ref"]
                   if len(plot) else "")
    bio_lo, bio_hi = pe["bio_min_J"], pe["bio_max_J"]
    i18 = implied_current(e18, c18["amplitude_V"], c18["width_s"])
    cond3d = {"n": "inf", "area_um2": c18["area_um2"], "amplitude_V": pe["default_amplitude_V"],
              "width_s": pe["default_width_s"], "read_voltage_V": pe["read_voltage_V"]}
    bounds = consistency_bounds(pe)

    def in_bio(value_J):
        return math.nan if _nan_if(value_J) else bio_lo <= value_J <= bio_hi

    def within(sim_fJ, paper_J, tol):
        return math.nan if _nan_if(sim_fJ) else abs(sim_fJ * FJ - paper_J) <= tol * paper_J

    return {
        "pe": pe, "e18": e18, "e07": e07, "e3d": e3d, "bio_lo": bio_lo, "bio_hi": bio_hi,
        "i18": i18, "i07": implied_current(e07, c07["amplitude_V"], c07["width_s"]),
        "i3d": implied_current(e3d, cond3d["amplitude_V"], cond3d["width_s"]),
        "e07_const_i": energy_per_event(c07["amplitude_V"], i18, c07["width_s"]),
        "cond18": {k: c18[k] for k in _CONDITION_KEYS}, "cond07": {k: c07[k] for k in _CONDITION_KEYS},
        "cond3d": cond3d,
        "s18": sim(c18["n"], c18["amplitude_V"], c18["area_um2"]),
        "s07": sim(c07["n"], c07["amplitude_V"], c07["area_um2"]),
        "si18": sim(c18["n"], c18["amplitude_V"], c18["area_um2"], PSC_VARIABLE, PA),
        "si07": sim(c07["n"], c07["amplitude_V"], c07["area_um2"], PSC_VARIABLE, PA),
        "s3d": sim("inf", pe["default_amplitude_V"], c18["area_um2"]),
        "si3d": sim("inf", pe["default_amplitude_V"], c18["area_um2"], PSC_VARIABLE, PA),
        "r2_2d": math.nan if lin is None else lin["r2_origin"],
        "spread_2d": math.nan if lin is None else lin["per_area_spread"],
        "scaled_text": ", ".join(f"{e18 / FJ * a / c18['area_um2']:.3g} fJ at {a:.4g} µm²"
                                 for a in pe["areas_um2"]),
        "argmin": argmin, "lit_min": lit_min, "lit_min_ref": lit_min_ref,
        "n_sourced": len(plot), "n_cited": int(lit["cited_in_fig6b"].sum()),
        "width_consistent": bounds["width_s"], "area_consistent": bounds["area_um2"],
        "TOLERANCE": TOLERANCE, "FJ": FJ, "PA": PA, "isnan": lambda x: _nan_if(x),
        "in_bio": in_bio, "within": within,
        "gt": lambda a, b: math.nan if _nan_if(a, b) else a > b,
        "lt": lambda a, b: math.nan if _nan_if(a, b) else a < b,
        "eq": lambda a, b: math.nan if _nan_if(a, b) else a == b,
        "either": lambda a, b: math.nan if _nan_if(a) else (a or b),
    }


class _ExpressionFormatter(__import__("string").Formatter):
    """``str.format`` whose fields are expressions over the audit context."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def get_field(self, field_name, args, kwargs):
        return _expr(field_name, self.ctx), field_name


def _expr(text, ctx):
    scope = {"__builtins__": {"float": float, "abs": abs}, **ctx}
    return eval(str(text), scope)  # noqa: S307 — expressions of data/paper/energy/audit.yaml


def _part(part, ctx, fmt) -> str:
    if isinstance(part, dict):
        return _part(part["then"] if _expr(part["if"], ctx) else part["else"], ctx, fmt)
    return fmt.format(part)


def audit_table(energy: xr.Dataset | None = None,
                literature: pd.DataFrame | None = None,
                statements: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per energy statement of the paper: what it implies and whether it holds.

    The statements are data (``data/paper/energy/audit.yaml``, :func:`audit_statements_path`);
    for each, the table gives the stated energy and conditions, the postsynaptic current and
    resistances it implies (:func:`implied_current`; resistance at the read voltage, and — for
    comparison — at the pulse amplitude, as if I flowed during the pulse), the simulated energy
    and current at the same conditions, whether it agrees with the paper's other statements
    and with the simulation, the assumptions the check makes and the finding.

    Parameters
    ----------
    energy : xarray.Dataset, optional
        :func:`energy_dataset` output; without it the simulation columns are NaN / "n/a".
    literature : pandas.DataFrame, optional
        :func:`load_literature` output (default: the compendium's table).
    statements : path, optional
        Another statements file (default the compendium's).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`.
    """
    import yaml
    ctx = _audit_context(energy, literature)
    fmt = _ExpressionFormatter(ctx)
    path = Path(statements) if statements else audit_statements_path()
    rows = []
    for st in yaml.safe_load(path.read_text(encoding="utf-8")):
        paper = _expr(st["paper_energy"], ctx) / FJ if "paper_energy" in st else math.nan
        cond = _expr(st["conditions"], ctx) if "conditions" in st else {}
        row = {"id": st["id"], "n": "", "area_um2": math.nan, "amplitude_V": math.nan,
               "width_s": math.nan, "read_voltage_V": math.nan, "implied_current_pA": math.nan,
               "implied_R_read_ohm": math.nan, "implied_R_pulse_ohm": math.nan,
               "location": st["location"] if "location" in st else _expr(st["location_expr"], ctx),
               "statement": st["statement"], "paper_energy_fJ": paper, **cond,
               "sim_energy_fJ": _expr(st.get("sim_energy", "float('nan')"), ctx),
               "sim_current_pA": _expr(st.get("sim_current", "float('nan')"), ctx),
               "basis": st["basis"], "assumptions": st.get("assumptions", ""),
               "consistent_with_paper": _yn_text(_expr(st["consistent_with_paper"], ctx)),
               "agrees_with_simulation": _yn_text(_expr(st["agrees_with_simulation"], ctx)),
               "finding": "".join(_part(p, ctx, fmt) for p in st["finding"])}
        if st.get("implied"):
            i = implied_current(paper * FJ, cond["amplitude_V"], cond["width_s"])
            row.update(implied_current_pA=i / PA,
                       implied_R_read_ohm=implied_resistance(i, cond["read_voltage_V"]),
                       implied_R_pulse_ohm=implied_resistance(i, cond["amplitude_V"]))
        both = not math.isnan(row["sim_energy_fJ"]) and not math.isnan(paper)
        row["sim_over_paper"] = row["sim_energy_fJ"] / paper if both else math.nan
        rows.append(row)
    return pd.DataFrame(rows)[AUDIT_COLUMNS]


def _yn_text(flag) -> str:
    return flag if isinstance(flag, str) else _yn(flag)


GAMMA_GRID = (1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 20.0, 50.0)
"""Conductance gains γ of :func:`model_energy_vs_gamma` (the nominal 5 and the wide prior's span)."""


def model_energy_vs_gamma(gammas=GAMMA_GRID) -> pd.DataFrame:
    """The model's energy of the 0.7 fJ event as a function of the conductance gain γ.

    For each γ the 2D film is recalibrated to its Table 2 row and the current scale to the
    18 fJ (:mod:`analysis.evidence.calibration`, same targets and analysis), then ``E = |P| I t`` is
    computed at the paper's −0.02 V condition (20 ms, 250 µm × 250 µm assumed).

    Returns
    -------
    pandas.DataFrame
        ``gamma`` [1], ``energy_fJ`` and ``current_pA`` at −0.02 V (NaN where Table 2 cannot
        be reached with that γ), ``energy_over_paper`` (÷ 0.7 fJ).
    """
    from analysis.evidence import calibration
    from analysis.physics import multitrap as dev, protocols
    pe = paper_energy()
    c07 = pe["e07_conditions"]
    rows = []
    for g in gammas:
        with dev.assumptions({"device": {"conductance_sensitivity": float(g)}}):
            try:
                c = calibration.calibrate_n(c07["n"], start=dev.calibrated_values(c07["n"]))
                sigma0, _ = calibration.calibrate_sigma0(c["ea_eV"], c["e0_eV"], c["nu_m_per_s"])
                p = dev.build_parameters(c07["n"], c["ea_eV"], c["e0_eV"], c["nu_m_per_s"], sigma0)
                i = float(protocols.psc_currents(p, [c07["amplitude_V"]], [c07["area_um2"]],
                                                 width_s=c07["width_s"],
                                                 read_voltage_V=c07["read_voltage_V"])[0, 0])
            except ValueError as exc:
                log.info("gamma=%g: Table 2 not reachable (%s)", g, exc)
                i = math.nan
        e = energy_per_event(c07["amplitude_V"], i, c07["width_s"]) if math.isfinite(i) else math.nan
        rows.append({"gamma": float(g), "energy_fJ": e / FJ, "current_pA": i / PA,
                     "energy_over_paper": e / pe["e07_J"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- metrics
def fig6_metrics(energy: xr.Dataset, literature: pd.DataFrame | None = None) -> dict:
    """Metrics of the fig6_energy stage (checked by data/paper/claims/fig6.yaml).

    Returns
    -------
    dict
        ``energy_fJ_minus1V_62500um2`` {n: fJ}; ``energy_fJ_minus0p02V_62500um2`` {n: fJ};
        ``energy_fJ_2d_minus1V``, ``energy_fJ_2d_minus0p02V`` (fJ);
        ``energy_fJ_by_area_minus1V`` {n: [fJ per area]}; ``areas_um2``;
        ``area_linearity_r2`` {n: R²} at −1 V, ``area_linearity_r2_min`` (all n and amplitudes),
        ``energy_per_area_spread_max`` (all n and amplitudes); ``argmin_n_minus1V_62500um2``;
        ``two_d_lowest_all_conditions`` (bool, every amplitude and area);
        ``psc_current_pA_2d_minus1V``, ``psc_current_pA_2d_minus0p02V``,
        ``psc_current_ratio_2d_0p02_over_1V`` (simulated I at −0.02 V over I at −1 V);
        ``paper_implied_current_pA_minus1V``, ``paper_implied_current_pA_minus0p02V``,
        ``paper_implied_current_ratio_0p02_over_1V``;
        ``paper_implied_resistance_read_ohm_minus1V``, ``..._minus0p02V``;
        ``sim_over_paper_minus0p02V``; ``literature_cited``, ``literature_sourced``,
        ``literature_min_fJ``, ``literature_min_ref``; ``sim_2d_minus1V_over_literature_min``; ``pulse_width_s``.
    """
    pe = paper_energy()
    lit = load_literature() if literature is None else literature
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    area_ref = c18["area_um2"]
    e = energy["energy"]
    labels = [str(v) for v in e[N_DIM].values]
    e18 = select(e, None, c18["amplitude_V"], area_ref) / FJ
    e07 = select(e, None, c07["amplitude_V"], c07["area_um2"]) / FJ
    by_area = select(e, None, c18["amplitude_V"]) / FJ
    r2, r2_all, spread_all = {}, [], []
    for n in labels:
        for amp in e[AMPLITUDE_DIM].values:
            lin = area_linearity(e[AREA_DIM].values, select(e, n, float(amp)).values)
            r2_all.append(lin["r2_origin"])
            spread_all.append(lin["per_area_spread"])
            if math.isclose(float(amp), c18["amplitude_V"]):
                r2[n] = lin["r2_origin"]
    lowest = e.argmin(dim=N_DIM)
    i18 = implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"])
    i07 = implied_current(pe["e07_J"], c07["amplitude_V"], c07["width_s"])
    summary = literature_summary(lit)
    plot = plottable_literature(lit)
    plot = plot[plot["cited_in_fig6b"]]
    lit_min = float(np.nanmin(plot[["energy_min_fJ", "energy_max_fJ"]].to_numpy())) if len(plot) else math.nan
    lit_min_ref = (str(plot.loc[plot[["energy_min_fJ", "energy_max_fJ"]].min(axis=1).idxmin(), "ref"])
                   if len(plot) else "")
    e2d18 = float(e18.sel({N_DIM: c18["n"]}))
    e2d07 = float(e07.sel({N_DIM: c07["n"]}))
    psc = energy[PSC_VARIABLE]
    i2d18 = abs(float(select(psc, c18["n"], c18["amplitude_V"], area_ref)))
    i2d07 = abs(float(select(psc, c07["n"], c07["amplitude_V"], c07["area_um2"])))
    return {
        "energy_fJ_minus1V_62500um2": {n: float(e18.sel({N_DIM: n})) for n in labels},
        "energy_fJ_minus0p02V_62500um2": {n: float(e07.sel({N_DIM: n})) for n in labels},
        "energy_fJ_2d_minus1V": e2d18,
        "energy_fJ_2d_minus0p02V": e2d07,
        "energy_fJ_by_area_minus1V": {n: [float(v) for v in by_area.sel({N_DIM: n}).values]
                                      for n in labels},
        "areas_um2": [float(a) for a in e[AREA_DIM].values],
        "area_linearity_r2": r2,
        "area_linearity_r2_min": float(min(r2_all)),
        "energy_per_area_spread_max": float(max(spread_all)),
        "argmin_n_minus1V_62500um2": labels[int(np.argmin(e18.values))],
        "two_d_lowest_all_conditions": bool(np.all(e[N_DIM].values[lowest.values] == "1")),
        "psc_current_pA_2d_minus1V": i2d18 / PA,
        "psc_current_pA_2d_minus0p02V": i2d07 / PA,
        "psc_current_ratio_2d_0p02_over_1V": i2d07 / i2d18,
        "paper_implied_current_pA_minus1V": i18 / PA,
        "paper_implied_current_pA_minus0p02V": i07 / PA,
        "paper_implied_current_ratio_0p02_over_1V": i07 / i18,
        "paper_implied_resistance_read_ohm_minus1V": implied_resistance(i18, c18["read_voltage_V"]),
        "paper_implied_resistance_read_ohm_minus0p02V": implied_resistance(i07, c07["read_voltage_V"]),
        "sim_over_paper_minus0p02V": e2d07 * FJ / pe["e07_J"],
        "literature_cited": summary["cited"],
        "literature_sourced": summary["sourced"],
        "literature_min_fJ": lit_min,
        "literature_min_ref": lit_min_ref,
        "sim_2d_minus1V_over_literature_min": e2d18 / lit_min,
        "pulse_width_s": float(energy.attrs["pulse_width_s"]),
    }


__all__ = ["CURRENT_DEFINITION", "FJ", "PA", "energy_per_event", "implied_current",
           "implied_resistance", "energy_per_area", "area_linearity", "paper_energy", "load_psc",
           "energy_dataset", "select", "load_literature", "plottable_literature",
           "literature_summary", "audit_table", "audit_statements_path", "consistency_bounds",
           "model_energy_vs_gamma", "fig6_metrics", "AUDIT_COLUMNS", "TOLERANCE"]
