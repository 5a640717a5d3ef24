"""Parameters, mesh and film quantities of the drift–diffusion model
(:mod:`analysis.physics.driftdiffusion`).

The film-independent parameters form ONE frozen, hashable dataclass, :class:`DDParameters`,
built by :func:`parameters_from_values` from a flat ``name -> value`` mapping in the units of
the parameter files; :func:`values_from_pset` collects that mapping from a
:class:`~analysis.parameters.ParameterSet` (its ``driftdiffusion`` topic, or
data/parameters/driftdiffusion.yaml while the set does not hold that topic; the film thickness
of ``geometry``, the layer spacings of ``structure``, the temperature and read delay of
``device`` and the paper's read voltage).  Nothing here keeps parameters in module-level state.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_E
from scipy.constants import epsilon_0
from scipy.constants import k as K_B

from analysis.physics.dimensionality import n_numeric
from analysis.validation import finite, nonnegative, positive

K_B_EV = K_B / Q_E
"""Boltzmann constant [eV/K]."""

TOPIC = "driftdiffusion"
"""Parameter file data/parameters/driftdiffusion.yaml."""

SHARED_KEYS = {
    "ohp_thickness": "geometry.yaml (nm)",
    "a_pseudocubic_layer": "structure.yaml (angstrom)",
    "pea_bilayer_thickness": "structure.yaml (angstrom)",
    "temperature": "device.yaml (K)",
    "read_delay": "device.yaml (s)",
    "read_voltage": "paper values, protocols.read_voltage_V (V)",
}
"""Keys of the value mapping that come from other files than driftdiffusion.yaml."""


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class DDParameters:
    """Film-independent parameters of the drift–diffusion model (SI units; frozen, hashable).

    Attributes
    ----------
    thickness_m : float, m
        Perovskite film thickness L.
    vacancy_density_m3 : float, m⁻³
        Mean vacancy density N0 (= the compensating background).
    relative_permittivity : float, 1
        Static relative permittivity ε_r.
    diffusivity_prefactor_m2_s : float, m²/s
        D0 of D = D0 exp(−E_a/kT).
    layer_spacing_m, barrier_thickness_m : float, m
        Octahedral layer spacing a and PEA bilayer thickness d_b.
    barrier_extra_energy_eV : float, eV
        Extra activation ΔE_b of a hop across a PEA bilayer.
    attempt_time_s : float, s
        τ0 of the trap release times τ_k = τ0 exp(E_k/kT).
    trap_classes : int
        Number K of trap classes.
    shortest_release_s, longest_release_s : float, s
        Release times of the shallowest and deepest class at the reference temperature.
    reference_temperature_K : float, K
        Reference temperature of the release-time window and of the transport number.
    trap_fraction : float, 1
        Σ_k K_k, the equilibrium ratio of trapped to free vacancies.
    ionic_transport_number : float, 1
        G_ion/(G_ion + G_e) of the pristine film at the reference temperature.
    injection_barrier_eV : float, eV
        Electron injection barrier Φ_B at the contacts.
    read_voltage_V : float, V
        The paper's read voltage (for :meth:`conductance` and :meth:`synaptic_weight`).
    temperature_K : float, K
        Default device temperature.
    read_delay_s : float, s
        Delay between the end of a spike and its read.
    mesh_cells : int
        Finite-volume cells across the film.
    mesh_wall_spacing : float, 1
        Width of the cells at the contacts in units of L.
    rtol, atol : float, 1
        Tolerances of the step-size control (atol in units of N0).
    first_step : float, 1
        First step of every segment in units of the dielectric time λ_D²/D.
    """

    thickness_m: float
    vacancy_density_m3: float
    relative_permittivity: float
    diffusivity_prefactor_m2_s: float
    layer_spacing_m: float
    barrier_thickness_m: float
    barrier_extra_energy_eV: float
    attempt_time_s: float
    trap_classes: int
    shortest_release_s: float
    longest_release_s: float
    reference_temperature_K: float
    trap_fraction: float
    ionic_transport_number: float
    injection_barrier_eV: float
    read_voltage_V: float
    temperature_K: float
    read_delay_s: float
    mesh_cells: int
    mesh_wall_spacing: float
    rtol: float
    atol: float
    first_step: float

    @property
    def permittivity_F_m(self) -> float:
        """ε = ε_r ε0 [F/m]."""
        return self.relative_permittivity * epsilon_0

    def debye_length_m(self, temperature_K: float | None = None) -> float:
        """Debye length λ_D = sqrt(ε kT/(q² N0)) [m] at *temperature_K* (default: the default T)."""
        t = self.temperature_K if temperature_K is None else float(temperature_K)
        return math.sqrt(self.permittivity_F_m * K_B * t / (Q_E ** 2 * self.vacancy_density_m3))


_FIELDS = {
    # key of the value mapping: (dataclass field, factor to SI, check)
    "ohp_thickness": ("thickness_m", 1e-9, "positive"),
    "vacancy_density": ("vacancy_density_m3", 1.0, "positive"),
    "relative_permittivity": ("relative_permittivity", 1.0, "positive"),
    "diffusivity_prefactor": ("diffusivity_prefactor_m2_s", 1.0, "positive"),
    "a_pseudocubic_layer": ("layer_spacing_m", 1e-10, "positive"),
    "pea_bilayer_thickness": ("barrier_thickness_m", 1e-10, "positive"),
    "pea_barrier_extra_energy": ("barrier_extra_energy_eV", 1.0, "nonnegative"),
    "attempt_time": ("attempt_time_s", 1.0, "positive"),
    "trap_classes": ("trap_classes", 1, "integer"),
    "shortest_release_time": ("shortest_release_s", 1.0, "positive"),
    "longest_release_time": ("longest_release_s", 1.0, "positive"),
    "trap_reference_temperature": ("reference_temperature_K", 1.0, "positive"),
    "trap_fraction": ("trap_fraction", 1.0, "nonnegative"),
    "ionic_transport_number": ("ionic_transport_number", 1.0, "fraction"),
    "injection_barrier": ("injection_barrier_eV", 1.0, "nonnegative"),
    "read_voltage": ("read_voltage_V", 1.0, "nonzero"),
    "temperature": ("temperature_K", 1.0, "positive"),
    "read_delay": ("read_delay_s", 1.0, "nonnegative"),
    "mesh_cells": ("mesh_cells", 1, "integer"),
    "mesh_wall_spacing": ("mesh_wall_spacing", 1.0, "positive"),
    "relative_tolerance": ("rtol", 1.0, "positive"),
    "absolute_tolerance": ("atol", 1.0, "positive"),
    "first_step": ("first_step", 1.0, "positive"),
}
"""Keys of the value mapping, the dataclass field each fills, its factor to SI and its check."""

PARAMETER_KEYS = tuple(_FIELDS)
"""Every key :func:`parameters_from_values` needs."""


def parameters_from_values(values: dict) -> DDParameters:
    """The frozen parameter set from a flat mapping ``name -> value`` (units of the files).

    Parameters
    ----------
    values : dict
        Every key of :data:`PARAMETER_KEYS`: the entries of data/parameters/driftdiffusion.yaml
        and the keys of :data:`SHARED_KEYS`; extra keys are ignored.

    Returns
    -------
    DDParameters

    Raises
    ------
    ValueError
        Naming a missing key or a value out of range.
    """
    missing = sorted(set(_FIELDS) - set(values))
    if missing:
        msg = (f"drift-diffusion parameters lack {', '.join(missing)}; expected the entries of "
               f"data/parameters/{TOPIC}.yaml plus {', '.join(SHARED_KEYS)}")
        raise ValueError(msg)
    out = {}
    for key, (field, factor, check) in _FIELDS.items():
        raw = values[key]
        what = f"drift-diffusion parameter {key}"
        if check == "integer":
            if isinstance(raw, bool) or not float(finite(raw, key, what)).is_integer() or int(raw) < 1:
                raise ValueError(f"{key}={raw!r} must be an integer >= 1 ({what})")
            out[field] = int(raw)
            continue
        if check == "positive":
            val = float(positive(raw, key, what))
        elif check == "nonnegative":
            val = float(nonnegative(raw, key, what))
        elif check == "fraction":
            val = float(positive(raw, key, what))
            if val > 1.0:
                raise ValueError(f"{key}={raw!r} must lie in (0, 1] ({what})")
        else:
            val = float(finite(raw, key, what))
            if val == 0.0:
                raise ValueError(f"{key}={raw!r} must be nonzero ({what})")
        out[field] = val * factor
    if out["longest_release_s"] <= out["shortest_release_s"]:
        msg = (f"longest_release_time={values['longest_release_time']!r} must exceed "
               f"shortest_release_time={values['shortest_release_time']!r} (s)")
        raise ValueError(msg)
    if out["mesh_cells"] < 8:
        raise ValueError(f"mesh_cells={out['mesh_cells']} must be >= 8 (finite-volume cells)")
    if out["mesh_wall_spacing"] >= 0.5:
        raise ValueError(f"mesh_wall_spacing={values['mesh_wall_spacing']!r} must be < 0.5 (units of L)")
    return DDParameters(**out)


def values_from_pset(pset=None) -> dict:
    """The flat value mapping of :func:`parameters_from_values` from a parameter set.

    Parameters
    ----------
    pset : analysis.parameters.ParameterSet, optional
        Default: the parameter set of data/.  Its topics ``geometry``, ``structure`` and
        ``device`` and its paper values give the shared keys (:data:`SHARED_KEYS`); the model's
        own entries come from its topic ``driftdiffusion`` when it holds one, else from
        data/parameters/driftdiffusion.yaml.
    """
    from analysis.parameters import default_parameters, parameter_values
    pset = default_parameters() if pset is None else pset
    vals = dict(pset.topic(TOPIC) if TOPIC in pset.topics else parameter_values(TOPIC))
    geometry = pset.topic("geometry")
    structure = pset.topic("structure")
    device = pset.topic("device")
    vals["ohp_thickness"] = geometry["ohp_thickness"]
    vals["a_pseudocubic_layer"] = structure["a_pseudocubic_layer"]
    vals["pea_bilayer_thickness"] = structure["pea_bilayer_thickness"]
    vals["temperature"] = device["temperature"]
    vals["read_delay"] = device["read_delay"]
    vals["read_voltage"] = float(pset.paper()["protocols"]["read_voltage_V"]["value"])
    return vals


def parameters_from_pset(pset=None) -> DDParameters:
    """:func:`parameters_from_values` of :func:`values_from_pset` (default: data/)."""
    return parameters_from_values(values_from_pset(pset))


def default_values() -> dict:
    """The flat value mapping of the repository's data files."""
    return values_from_pset(None)


def default_parameters(**overrides) -> DDParameters:
    """The parameters of data/ with *overrides* (keys of :data:`PARAMETER_KEYS`, file units).

    Raises
    ------
    ValueError
        For a key that is not one of :data:`PARAMETER_KEYS`.
    """
    unknown = sorted(set(overrides) - set(_FIELDS))
    if unknown:
        raise ValueError(f"unknown drift-diffusion parameters {unknown}; expected some of {sorted(_FIELDS)}")
    return parameters_from_values({**default_values(), **overrides})


# --------------------------------------------------------------------------- mesh
@dataclass(frozen=True, eq=False)
class Mesh:
    """Finite-volume cells on [0, 1] (x in units of L), graded towards both contacts.

    Attributes
    ----------
    faces : numpy.ndarray, shape (N+1,)
    widths, centres : numpy.ndarray, shape (N,)
    dist : numpy.ndarray, shape (N+1,)
        Distances between neighbouring centres; the first and last are wall-to-centre.
    """

    faces: np.ndarray
    widths: np.ndarray
    centres: np.ndarray
    dist: np.ndarray


def graded_mesh(cells: int, wall_spacing: float) -> Mesh:
    """Symmetric tanh mesh whose first and last cells have width *wall_spacing* (units of L).

    ``x_j = (1 + tanh(s (2j/N − 1))/tanh s)/2`` (the mesh type of IonMonger, Courtier et al.
    2019); the stretching s is chosen so that ``x_1 = wall_spacing`` (uniform if that is ≥ 1/N).
    """
    n = int(cells)
    if wall_spacing >= 1.0 / n:
        faces = np.linspace(0.0, 1.0, n + 1)
    else:
        from scipy.optimize import brentq

        def first(s):
            return 0.5 * (1.0 + math.tanh(s * (2.0 / n - 1.0)) / math.tanh(s)) - wall_spacing

        s = brentq(first, 1e-6, 50.0, xtol=1e-14)
        j = np.arange(n + 1)
        faces = 0.5 * (1.0 + np.tanh(s * (2.0 * j / n - 1.0)) / math.tanh(s))
        faces[0], faces[-1] = 0.0, 1.0
    widths = np.diff(faces)
    centres = 0.5 * (faces[1:] + faces[:-1])
    dist = np.empty(n + 1)
    dist[0] = centres[0]
    dist[-1] = 1.0 - centres[-1]
    dist[1:-1] = np.diff(centres)
    for a in (faces, widths, centres, dist):
        a.setflags(write=False)
    return Mesh(faces, widths, centres, dist)


# --------------------------------------------------------------------------- film quantities
def out_of_plane_diffusivity(params: DDParameters, n, ea_eV: float, temperature_K) -> np.ndarray:
    """Vacancy diffusivity across the film D_⊥ [m²/s] of dimensionality *n*.

    The film is a stack of inorganic slabs (n octahedral layers of spacing a, hop barrier
    E_a) and PEA bilayers (thickness d_b, barrier E_a + ΔE_b); across a stack of layers the
    diffusive resistances add (laminate in series, J. Crank, *The Mathematics of Diffusion*,
    2nd ed., Oxford 1975, section 12.2 [M])::

        (n a + d_b) / D_⊥ = n a / D_s + d_b / D_b,
        D_s = D0 exp(−E_a/kT),  D_b = D0 exp(−(E_a + ΔE_b)/kT).

    n = ∞ (MAPbBr3) has no barriers: D_⊥ = D_s.  Vectorised over *temperature_K*.
    """
    kt = K_B_EV * np.asarray(temperature_K, dtype=float)
    d_s = params.diffusivity_prefactor_m2_s * np.exp(-float(ea_eV) / kt)
    nn = n_numeric(n)
    if math.isinf(nn):
        return d_s
    d_b = d_s * np.exp(-params.barrier_extra_energy_eV / kt)
    slab = nn * params.layer_spacing_m
    return (slab + params.barrier_thickness_m) / (slab / d_s + params.barrier_thickness_m / d_b)


def release_barriers(params: DDParameters) -> np.ndarray:
    """Release barriers E_k [eV], evenly spaced so that τ_k = τ0 exp(E_k/kT_ref) runs from the
    shortest to the longest release time (log-spaced) at the reference temperature."""
    kt = K_B_EV * params.reference_temperature_K
    return np.linspace(kt * math.log(params.shortest_release_s / params.attempt_time_s),
                       kt * math.log(params.longest_release_s / params.attempt_time_s),
                       params.trap_classes)


def trap_occupancy_ratios(params: DDParameters, dispersion: float, trap_fraction: float) -> np.ndarray:
    """Equilibrium ratios K_k = n_k/c of trapped to free vacancies per class [1].

    ``K_k = g w_k`` with ``w_k ∝ exp(−α (E_k − E_1)/kT_ref)``, Σ w_k = 1: g the trap fraction,
    α the dispersion parameter of the exponential distribution of release barriers (width
    E_t = kT_ref/α; α = 0 flat, α < 0 more sites with higher barriers).
    """
    e = release_barriers(params)
    logw = -float(dispersion) * (e - e[0]) / (K_B_EV * params.reference_temperature_K)
    wgt = np.exp(logw - logw.max())
    return float(trap_fraction) * wgt / wgt.sum()


def barrier_change(lowering_eV, barrier_eV: float) -> np.ndarray:
    """Effective lowering [eV] of an injection barrier of height *barrier_eV* by a field
    lowering ``q E d_s`` = *lowering_eV*.

    Linear for a raised barrier (negative values) and for small lowering; a barrier cannot be
    lowered by more than its height, so the lowering saturates: ``Φ (1 − exp(−Δ/Φ))``.
    """
    d = np.asarray(lowering_eV, dtype=float)
    if barrier_eV <= 0.0:
        return np.minimum(d, 0.0)
    return np.where(d > 0.0, -barrier_eV * np.expm1(-np.maximum(d, 0.0) / barrier_eV), d)


def barrier_change_slope(lowering_eV, barrier_eV: float) -> np.ndarray:
    """d(:func:`barrier_change`)/dΔ [1]."""
    d = np.asarray(lowering_eV, dtype=float)
    if barrier_eV <= 0.0:
        return np.where(d > 0.0, 0.0, 1.0)
    return np.where(d > 0.0, np.exp(-np.maximum(d, 0.0) / barrier_eV), 1.0)
