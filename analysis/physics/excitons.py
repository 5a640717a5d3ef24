"""Excitons of the layered phases: confinement law, binding energies, Saha equilibrium, Elliott absorption.

* **Exciton energies** from quantum and dielectric confinement, in the empirical form
  ``E_X(m) = E_inf + C / (m + n0)²`` (literature.md §1) for a phase of m octahedral layers.
  ``E_inf`` is the 3D exciton at the paper's 525 nm; ``C`` and ``n0`` are fitted by least
  squares to the paper's 401, 432 and 450 nm (phases m = 1, 2, 3) in :func:`confinement_fit`;
  m = 4, 5, … are predictions.  The form is that of an infinite well of width
  ``(m + n0) a_pc``, so ``C = ħ²π² / (2 μ a_pc²)`` defines an equivalent reduced mass μ
  (reported by the fit).
* **Binding energies** from the literature for m = 1 … 5 and MAPbBr3, interpolated between
  (:func:`binding_energy`).
* **Saha equilibrium** between excitons and free carriers (:func:`saha_exciton_fraction`).
* **Elliott absorption** of one phase — hydrogenic exciton lines (1s … 5s) plus the
  Coulomb-enhanced (Sommerfeld) continuum starting at the gap ``E_g = E_X + E_b`` — in its 2D
  form for layered phases and its 3D form for MAPbBr3, broadened by a Gaussian
  (:func:`elliott_absorption`).

The films' spectra and colours built from these are :mod:`analysis.physics.optics`.  Energies
in eV, wavelengths in nm (the units of ``data/parameters/optics.yaml``).
"""
from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import least_squares

from analysis.parameters import ParameterSet, default_parameters
from analysis.physics.structure import PHASE_3D

log = logging.getLogger(__name__)

HC_EV_NM = 1239.841984
"""h c in eV nm."""
K_B_EV = 8.617333262e-5
"""Boltzmann constant, eV/K."""
HBAR_SQ_OVER_2M0 = 0.0380998212
"""ħ² / (2 m0), eV nm²."""
HBAR_J_S = 1.054571817e-34
"""Reduced Planck constant, J s."""
M0_KG = 9.1093837015e-31
"""Electron mass, kg."""
Q_E_C = 1.602176634e-19
"""Elementary charge, C (J per eV)."""

_LINES = 5                                       # hydrogenic lines 1s … 5s


def _p(pset: ParameterSet) -> dict:
    return pset.topic("optics")


def _ps(pset: ParameterSet | None) -> ParameterSet:
    return pset or default_parameters()


# --------------------------------------------------------------------------- confinement
@dataclass(frozen=True)
class ConfinementFit:
    """Result of the confinement fit ``E_X(m) = e_inf + c / (m + n0)²`` (energies in eV)."""

    e_inf: float
    c: float
    n0: float
    c_stderr: float
    n0_stderr: float
    reduced_mass: float
    """Equivalent infinite-well reduced mass ħ²π²/(2 C a_pc²), in m0."""
    calibration_m: tuple[int, ...]
    calibration_nm: tuple[float, ...]
    residual_nm: tuple[float, ...]


def confinement_fit(pset: ParameterSet | None = None) -> ConfinementFit:
    """Fit C and n0 of the confinement law to the paper's phase absorption peaks.

    The calibration targets are ``absorption_peak_nm`` of ``data/paper/values.yaml``:
    ``"inf"`` fixes E_inf; ``"1"``, ``"2"``, ``"3"`` (the m = 1, 2, 3 phase peaks) fix C and n0
    by unweighted least squares in energy.

    Parameters
    ----------
    pset : ParameterSet, optional
        Paper values and parameters (default: data/).

    Returns
    -------
    ConfinementFit
    """
    return _confinement_fit(_ps(pset))


@functools.lru_cache(maxsize=64)
def _confinement_fit(pset: ParameterSet) -> ConfinementFit:
    peaks = pset.paper()["absorption_peak_nm"]["value"]
    e_inf = HC_EV_NM / float(peaks["inf"])
    ms = tuple(sorted(int(k) for k in peaks if k != "inf"))
    lam = np.array([float(peaks[str(m)]) for m in ms])
    e_obs = HC_EV_NM / lam
    m_arr = np.array(ms, dtype=float)

    def resid(par):
        c, n0 = par
        return e_inf + c / (m_arr + n0) ** 2 - e_obs

    # start: C and n0 from the m = 1 and m = 3 points of the closed form
    res = least_squares(resid, x0=[20.0, 4.0], bounds=([0.1, -0.9], [500.0, 50.0]))
    c, n0 = (float(v) for v in res.x)
    jac = res.jac
    dof = max(len(ms) - 2, 1)
    s2 = float(res.fun @ res.fun) / dof
    cov = np.linalg.pinv(jac.T @ jac) * s2
    cond = np.linalg.cond(jac.T @ jac)
    if cond > 1e12:
        log.warning("confinement fit: ill-conditioned normal matrix (cond = %.3g)", cond)
    if np.any(np.isclose(res.x, [0.1, -0.9])) or np.any(np.isclose(res.x, [500.0, 50.0])):
        log.warning("confinement fit: a parameter ended at its bound (C=%g, n0=%g)", c, n0)
    a_pc_nm = float(pset.topic("structure")["a_pseudocubic_layer"]) / 10.0
    mu = HBAR_SQ_OVER_2M0 * math.pi ** 2 / (c * a_pc_nm ** 2)
    fit_nm = HC_EV_NM / (e_inf + c / (m_arr + n0) ** 2)
    return ConfinementFit(e_inf=e_inf, c=c, n0=n0, c_stderr=float(np.sqrt(cov[0, 0])),
                          n0_stderr=float(np.sqrt(cov[1, 1])), reduced_mass=mu,
                          calibration_m=ms, calibration_nm=tuple(lam.tolist()),
                          residual_nm=tuple((fit_nm - lam).tolist()))


def _phase_m(phase) -> float:
    """Layer number of a phase label (``inf`` for the 3D phase)."""
    if isinstance(phase, str) and phase in (PHASE_3D, "inf"):
        return math.inf
    try:
        m = float(phase)
    except (TypeError, ValueError) as exc:
        msg = f"phase={phase!r} must be a layer number m >= 1 or '{PHASE_3D}'"
        raise ValueError(msg) from exc
    if math.isinf(m) and m > 0:
        return m
    if not (m >= 1 and m.is_integer()):
        msg = f"phase={phase!r} must be a layer number m >= 1 or '{PHASE_3D}'"
        raise ValueError(msg)
    return m


def exciton_energy(phase, pset: ParameterSet | None = None) -> float:
    """Exciton (1s absorption) energy of a phase from the confinement fit.

    Parameters
    ----------
    phase : int, str or float
        Layer number m ≥ 1, or ``"3D"`` / ``inf``.

    Returns
    -------
    float, eV

    Raises
    ------
    ValueError
        For a phase that is not a positive integer or 3D.

    Examples
    --------
    >>> round(HC_EV_NM / exciton_energy(1))
    401
    """
    m = _phase_m(phase)
    fit = confinement_fit(pset)
    return fit.e_inf if math.isinf(m) else fit.e_inf + fit.c / (m + fit.n0) ** 2


@functools.lru_cache(maxsize=64)
def _binding_fit(pset: ParameterSet) -> tuple[float, float]:
    p = _p(pset)
    eb = np.asarray(p["exciton_binding_energy_layered"], dtype=float)
    eb3 = float(p["exciton_binding_energy_3d"])
    m = np.arange(1, len(eb) + 1, dtype=float)
    res = least_squares(lambda q: eb3 + q[0] / (m + q[1]) - eb, x0=[0.5, 1.0],
                        bounds=([1e-3, -0.9], [10.0, 50.0]))
    return float(res.x[0]), float(res.x[1])


def binding_energy(phase, pset: ParameterSet | None = None) -> float:
    """Exciton binding energy of a phase.

    Literature values for m = 1 … 5 (``exciton_binding_energy_layered``), the MAPbBr3 value
    for ``"3D"``, and for 5 < m < ∞ the least-squares interpolation
    ``E_b(m) = E_b,3D + B / (m + m_b)`` through the literature points.

    Returns
    -------
    float, eV
    """
    m = _phase_m(phase)
    pset = _ps(pset)
    p = _p(pset)
    if math.isinf(m):
        return float(p["exciton_binding_energy_3d"])
    eb = p["exciton_binding_energy_layered"]
    if m <= len(eb):
        return float(eb[int(m) - 1])
    b, mb = _binding_fit(pset)
    return float(p["exciton_binding_energy_3d"]) + b / (m + mb)


def saha_exciton_fraction(density_cm3, binding_energy_ev, temperature_k: float,
                          reduced_mass: float | None = None, pset: ParameterSet | None = None):
    """Fraction of electron–hole pairs bound as excitons in Saha equilibrium.

    ``n_e n_h / n_X = K``, ``K = (μ kT / 2πħ²)^{3/2} exp(−E_b / kT)``, with
    ``n_e = n_h = (1 − x) n`` and ``n_X = x n``, so ``x = 1 − 2 / (1 + √(1 + 4 n / K))``.

    Parameters
    ----------
    density_cm3 : float or array, cm^-3
        Total density of excitations n (> 0).
    binding_energy_ev : float or array, eV
        Exciton binding energy (≥ 0).
    temperature_k : float, K
    reduced_mass : float, m0, optional
        Default ``exciton_reduced_mass`` of the optics parameters of *pset* (default: data/).

    Returns
    -------
    float or ndarray, 1

    Raises
    ------
    ValueError
        For a non-positive density, temperature or mass, or a negative binding energy.

    Examples
    --------
    >>> saha_exciton_fraction(1e13, 0.020, 300.0) < 1e-3       # MAPbBr3 under a UV lamp
    True
    """
    n = np.asarray(density_cm3, dtype=float)
    eb = np.asarray(binding_energy_ev, dtype=float)
    mu = float(_p(_ps(pset))["exciton_reduced_mass"] if reduced_mass is None else reduced_mass)
    if np.any(~(n > 0)):
        raise ValueError(f"density_cm3={density_cm3!r} must be > 0 cm^-3")
    if np.any(~(eb >= 0)):
        raise ValueError(f"binding_energy_ev={binding_energy_ev!r} must be >= 0 eV")
    if not temperature_k > 0:
        raise ValueError(f"temperature_k={temperature_k!r} must be > 0 K")
    if not mu > 0:
        raise ValueError(f"reduced_mass={reduced_mass!r} must be > 0 m0")
    kt_j = temperature_k * K_B_EV * Q_E_C
    nq = (mu * M0_KG * kt_j / (2 * math.pi * HBAR_J_S ** 2)) ** 1.5 * 1e-6      # cm^-3
    k = nq * np.exp(-eb / (K_B_EV * temperature_k))
    x = 1 - 2 / (1 + np.sqrt(1 + 4 * n / k))
    return float(x) if np.ndim(x) == 0 else x


# --------------------------------------------------------------------------- absorption
def elliott_absorption(energy_ev, exciton_ev: float, binding_ev: float, linewidth_ev: float,
                       dimension: int) -> np.ndarray:
    """Broadened Elliott absorption of one phase, unnormalised (continuum step → 1 in 2D).

    2D: lines ``4R/(k − ½)³`` at ``E_g − R/(k − ½)²`` with R = E_b/4, continuum
    ``2 / (1 + exp(−2π √(R/(E − E_g))))``.  3D: lines ``4π R^{3/2}/k³`` at ``E_g − R/k²``
    with R = E_b, continuum ``2π √R / (1 − exp(−2π √(R/(E − E_g))))``.  Lines are Gaussians of
    standard deviation *linewidth_ev*; the continuum is convolved with the same Gaussian.

    Parameters
    ----------
    energy_ev : array, eV
        Uniformly spaced photon energies.
    exciton_ev, binding_ev, linewidth_ev : float, eV
    dimension : int
        2 or 3.

    Returns
    -------
    ndarray, 1/eV (relative)
    """
    e = np.asarray(energy_ev, dtype=float)
    if dimension not in (2, 3):
        raise ValueError(f"dimension={dimension!r} must be 2 or 3")
    if not (binding_ev > 0 and linewidth_ev > 0):
        raise ValueError(f"binding_ev={binding_ev!r} and linewidth_ev={linewidth_ev!r} must be > 0 eV")
    step = e[1] - e[0]
    if not np.allclose(np.diff(e), step, rtol=1e-6, atol=1e-12):
        raise ValueError("energy_ev must be uniformly spaced")
    eg = exciton_ev + binding_ev
    de = np.clip(e - eg, 1e-12, None)
    if dimension == 2:
        r = binding_ev / 4
        k = np.arange(1, _LINES + 1) - 0.5
        amps, pos = 4 * r / k ** 3, eg - r / k ** 2
        cont = np.where(e > eg, 2 / (1 + np.exp(-2 * np.pi * np.sqrt(r / de))), 0.0)
    else:
        r = binding_ev
        k = np.arange(1, _LINES + 1, dtype=float)
        amps, pos = 4 * np.pi * r ** 1.5 / k ** 3, eg - r / k ** 2
        cont = np.where(e > eg, 2 * np.pi * np.sqrt(r) / -np.expm1(-2 * np.pi * np.sqrt(r / de)), 0.0)
    cont = gaussian_filter1d(cont, linewidth_ev / step, mode="nearest")
    lines = (amps[None, :] / (linewidth_ev * np.sqrt(2 * np.pi))
             * np.exp(-0.5 * ((e[:, None] - pos[None, :]) / linewidth_ev) ** 2)).sum(axis=1)
    return lines + cont


__all__ = ["ConfinementFit", "confinement_fit", "exciton_energy", "binding_energy", "saha_exciton_fraction",
           "elliott_absorption", "HC_EV_NM", "K_B_EV", "HBAR_SQ_OVER_2M0"]
