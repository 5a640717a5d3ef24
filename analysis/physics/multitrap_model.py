"""The multi-trap model as a device model: its free parameters and their calibration to Table 2.

For every dimensionality n three parameters of :mod:`analysis.physics.multitrap` are free and
each is tied to one target, always through *the analysis of a simulated experiment*
(:mod:`analysis.physics.table2`; never by equating a parameter with a paper number):

======================  ===========================================================  =========
parameter               simulated experiment and analysis                             target
======================  ===========================================================  =========
``ea_eV`` (Ea)          R(T) of the pristine device, 180–340 K; Arrhenius fit         Table 2 Ea
                        ``ln R = ln R0 + Ea/kT`` over the linear region 250–340 K
``e0_eV`` (E0)          30 rehearsals (−1 V, 20 ms, gap 0.18 s), reads at −0.1 V      Table 2 m
                        every 50 ms; fit ``y = b t^−m`` over 0.05–15 s
``nu_m_per_s`` (ν_m)    same fit                                                       Table 2 b
======================  ===========================================================  =========

Ea is found first (the Arrhenius slope depends on Ea alone; the leakage makes the fitted
slope differ slightly from the parameter), then (E0, ν_m) by nested bracketed root searches:
for each E0 the ν_m that reproduces b (b rises monotonically with ν_m), and the E0 whose
b-matched curve has the target m (m falls monotonically with E0). One global current scale
``sigma0`` then makes the 2D device give the paper's energy per spike (:func:`calibrate_sigma0`).
All searches are deterministic (Brent's method from fixed brackets).

:data:`MODEL` is the :class:`~analysis.physics.interface.SynapseModel` of the multi-trap model.
"""
from __future__ import annotations

import logging
import math

import numpy as np
from scipy.optimize import brentq

from analysis.parameters import ParameterSet, default_parameters
from analysis.physics import multitrap as dev
from analysis.physics import table2
from analysis.physics.dimensionality import parse_n
from analysis.physics.interface import FreeParameter

log = logging.getLogger(__name__)


def _bracket_root(fun, lo, hi, name, target, xtol):
    flo, fhi = fun(lo), fun(hi)
    if np.sign(flo) == np.sign(fhi):
        msg = (f"calibration cannot bracket {name}: target {target:g} not reached within "
               f"[{lo:g}, {hi:g}] (mismatch {flo:g} … {fhi:g}); widen the bounds in device.yaml")
        raise ValueError(msg)
    return brentq(fun, lo, hi, xtol=xtol, rtol=1e-13, maxiter=200)


def check_target(target) -> dict:
    """The caller's ``{"b", "m", "Ea"}`` (checked: finite, > 0) as floats."""
    if target is None:
        raise ValueError("target is required: {'b': ..., 'm': ..., 'Ea': eV} (Table 2 or your device)")
    missing = sorted({"b", "m", "Ea"} - set(target))
    if missing:
        raise ValueError(f"target lacks {', '.join(missing)}; expected keys b, m, Ea")
    out = {k: float(target[k]) for k in ("b", "m", "Ea")}
    for key, what in (("b", "fit constant b"), ("m", "power-law rate m"), ("Ea", "activation energy [eV]")):
        if not math.isfinite(out[key]) or out[key] <= 0:
            raise ValueError(f"target {key}={target[key]!r} must be finite and > 0 ({what})")
    return out


def calibrate_ea(n, target: dict, pset: ParameterSet | None = None) -> float:
    """The Ea parameter [eV] whose simulated Arrhenius slope equals the target Ea.

    *target* is ``{"b", "m", "Ea"}``: a Table 2 row, or values measured on your own device.
    """
    label = parse_n(n)
    pset = pset or default_parameters()
    target = check_target(target)["Ea"]
    half = float(dev.shared_parameters(pset)["ea_search_halfwidth"])

    def mismatch(ea):
        p = dev.build_parameters(label, ea, 0.05, 1.0, pset=pset)
        return table2.arrhenius_fit(p)["ea_eV"] - target

    return _bracket_root(mismatch, max(target - half, 1e-4), target + half, "Ea", target, 1e-12)


def _retention_from_start(label, ea, tgt, start, pset, xtol=1e-9, max_evals=25):
    """(E0, ν_m) matching b and m by Broyden's method from *start*, or None.

    Same analysis and targets as the bracketed search, in the variables (ln E0, log10 ν_m);
    used when a nearby solution is known (sweeps over the assumptions). Returns None if the
    mismatch (ln b/b_target, m − m_target) does not fall below *xtol* within *max_evals*
    simulated experiments, and the caller falls back to the bracketed search.
    """
    def mismatch(u):
        p = dev.build_parameters(label, ea, math.exp(u[0]), 10.0 ** u[1], pset=pset)
        fit = table2.retention_fit(p)
        return np.array([math.log(fit["b"] / tgt["b"]), fit["m"] - tgt["m"]])

    u = np.array([math.log(float(start["e0_eV"])), math.log10(float(start["nu_m_per_s"]))])
    try:
        f = mismatch(u)
        h = 1e-4
        jac = np.column_stack([(mismatch(u + h * e) - f) / h for e in np.eye(2)])
        for _ in range(max_evals - 3):
            if np.max(np.abs(f)) <= xtol:
                return math.exp(u[0]), 10.0 ** u[1]
            du = np.linalg.solve(jac, -f)
            du *= min(1.0, 0.5 / np.max(np.abs(du)))        # at most a factor 1.6 in E0 per step
            f_new = mismatch(u + du)
            jac += np.outer(f_new - f - jac @ du, du) / (du @ du)
            u, f = u + du, f_new
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return None
    return (math.exp(u[0]), 10.0 ** u[1]) if np.max(np.abs(f)) <= xtol else None


def calibrate_n(n, target: dict, start: dict | None = None, pset: ParameterSet | None = None) -> dict:
    """Calibrate Ea, E0 and ν_m of one dimensionality.

    Parameters
    ----------
    n : int or str
        Dimensionality (sets the inorganic fraction of the conductance).
    target : dict
        ``{"b": …, "m": …, "Ea": eV}``: the paper's Table 2 row of *n*
        (:func:`analysis.evidence.calibration.targets`) or your own device's.
        The same analysis (power-law fit after 30 rehearsals, Arrhenius fit) is applied to
        the simulated experiments, so measured values of another device can be used.
    start : dict, optional
        ``{"e0_eV", "nu_m_per_s"}`` near the solution (e.g. the stored calibration when the
        assumptions change a little): (E0, ν_m) are then found by a quasi-Newton search from
        it, with the bracketed search as fall-back. Same targets, same analysis; faster.
    pset : ParameterSet, optional
        Every other parameter (default: data/).

    Returns
    -------
    dict
        ``ea_eV``, ``e0_eV``, ``nu_m_per_s``, ``target`` (b, m, Ea), ``achieved`` and
        ``residual`` (achieved − target).

    Raises
    ------
    ValueError
        If a target cannot be bracketed within the bounds of device.yaml.
    """
    label = parse_n(n)
    pset = pset or default_parameters()
    tgt = check_target(target)
    ea = calibrate_ea(label, tgt, pset)
    found = _retention_from_start(label, ea, tgt, start, pset) if start else None
    if found is not None:
        return _result(label, ea, *found, tgt, pset)
    s = dev.shared_parameters(pset)
    e0_lo, e0_hi = (float(v) for v in s["e0_bounds"])
    lnu_lo, lnu_hi = (float(v) for v in s["log10_nu_bounds"])

    def nu_for(e0):
        def mismatch(lnu):
            p = dev.build_parameters(label, ea, e0, 10.0 ** lnu, pset=pset)
            return math.log(table2.retention_fit(p)["b"] / tgt["b"])
        return 10.0 ** _bracket_root(mismatch, lnu_lo, lnu_hi, "b (via nu_m)", tgt["b"], 1e-11)

    def m_mismatch(e0):
        p = dev.build_parameters(label, ea, e0, nu_for(e0), pset=pset)
        return table2.retention_fit(p)["m"] - tgt["m"]

    # b saturates (every resting ion migrates during a spike) for narrow trap distributions:
    # start the E0 search where the target b is still reachable with the largest nu_m.
    def b_reach(e0):
        p = dev.build_parameters(label, ea, e0, 10.0 ** lnu_hi, pset=pset)
        return math.log(table2.retention_fit(p)["b"] / tgt["b"])

    if b_reach(e0_lo) < 0:
        edge = _bracket_root(b_reach, e0_lo, e0_hi, "reachable b (via E0)", tgt["b"], 1e-11)
        e0_lo = edge * (1.0 + 1e-6)
        log.info("n=%s: b reachable only for E0 >= %.5f eV", label, edge)
    e0 = _bracket_root(m_mismatch, e0_lo, e0_hi, "m (via E0)", tgt["m"], 1e-11)
    return _result(label, ea, e0, nu_for(e0), tgt, pset)


def _result(label, ea, e0, nu, tgt, pset) -> dict:
    achieved = table2.table2_row(dev.build_parameters(label, ea, e0, nu, pset=pset))
    residual = {k: achieved[k] - tgt[k] for k in tgt}
    log.info("n=%s calibrated: Ea=%.5f eV E0=%.5f eV nu=%.4g 1/s -> %s", label, ea, e0, nu, achieved)
    return {"ea_eV": ea, "e0_eV": e0, "nu_m_per_s": nu, "target": tgt, "achieved": achieved,
            "residual": residual}


def calibrate_sigma0(ea_eV: float, e0_eV: float, nu_m_per_s: float, energy_target: dict,
                     pset: ParameterSet | None = None) -> tuple[float, float]:
    """Current scale [S/µm²] giving a target energy per spike (the paper's 18 fJ of the n = 1
    device: :func:`analysis.evidence.calibration.energy_target`).

    Parameters
    ----------
    energy_target : dict
        ``energy_J``, ``n``, ``amplitude_V``, ``width_s``, ``area_um2``, ``read_voltage_V``.

    Returns
    -------
    sigma0 : float, S/µm²
    energy : float, J
        Energy achieved with it.
    """
    cond = energy_target
    label = parse_n(cond["n"])
    unit = dev.build_parameters(label, ea_eV, e0_eV, nu_m_per_s, 1.0, pset=pset)
    args = (cond["amplitude_V"], cond["width_s"], cond["area_um2"], cond["read_voltage_V"])
    sigma0 = cond["energy_J"] / table2.spike_energy(unit, *args)      # E is linear in sigma0
    achieved = table2.spike_energy(dev.build_parameters(label, ea_eV, e0_eV, nu_m_per_s, sigma0,
                                                        pset=pset), *args)
    return sigma0, achieved


class MultiTrapModel:
    """The multi-trap model of :mod:`analysis.physics.multitrap` as a
    :class:`~analysis.physics.interface.SynapseModel`."""

    name = dev.MODEL_NAME
    free_parameters = (
        FreeParameter("ea_eV", "eV", 1e-4, 1.0, "Ea", "migration barrier of Br- vacancies"),
        FreeParameter("e0_eV", "eV", 1e-3, 1.0, "m", "width of the trap-depth distribution"),
        FreeParameter("nu_m_per_s", "1/s", 1e-6, 1e30, "b", "prefactor of the field-assisted migration rate"),
    )
    scale_parameters = (
        FreeParameter("sigma0_S_per_um2", "S/um^2", 0.0, math.inf, "energy",
                      "conductance prefactor per area (one for every film)"),
    )

    def build(self, n, free, pset: ParameterSet | None = None) -> dev.MultiTrapSynapse:
        """The synapse of film *n* with the free values *free* (and ``sigma0_S_per_um2``, default 1)."""
        return dev.build_parameters(n, free["ea_eV"], free["e0_eV"], free["nu_m_per_s"],
                                    free.get("sigma0_S_per_um2", 1.0), pset=pset)

    def calibrated_free(self, n, calibrated=None) -> dict:
        """``ea_eV``, ``e0_eV``, ``nu_m_per_s`` of film *n* and the scale ``sigma0_S_per_um2``
        in *calibrated* (default: the reference calibration; :func:`~analysis.physics.multitrap.calibrated_values`)."""
        return dev.calibrated_values(n, calibrated)

    def calibrate(self, n, target, pset: ParameterSet | None = None, start=None) -> dict:
        """Free values of film *n* reproducing *target* (:func:`calibrate_n`)."""
        r = calibrate_n(n, target, start, pset)
        return {"free": {k: r[k] for k in ("ea_eV", "e0_eV", "nu_m_per_s")}, **r}

    def calibrate_scale(self, n, free, target, pset: ParameterSet | None = None) -> dict:
        """The current scale ``sigma0_S_per_um2`` giving *target*'s energy per spike on film
        *n*'s device with the free values *free* (:func:`calibrate_sigma0`)."""
        if parse_n(target["n"]) != parse_n(n):
            raise ValueError(f"the energy target is stated for n={target['n']!r}, not for film n={n!r}")
        sigma0, achieved = calibrate_sigma0(free["ea_eV"], free["e0_eV"], free["nu_m_per_s"], target, pset)
        return {"free": {"sigma0_S_per_um2": sigma0}, "achieved_J": achieved}


MODEL = MultiTrapModel()
"""The multi-trap synapse model."""

__all__ = ["MODEL", "MultiTrapModel", "calibrate_n", "calibrate_ea", "calibrate_sigma0", "check_target"]
