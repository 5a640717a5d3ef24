"""Physical model of the ITO/BCCP/(PEA)2MA(n-1)PbnBr(3n+1)/Al artificial synapse.

Mechanism (Kim et al. 2019, pp. 4-6): a negative presynaptic spike on the Al electrode drives
Br- vacancies out of their resting positions ("migration"); the migrated ions bend the bands at
the interface and raise the film's conductance; when the spike ends they diffuse back.  PEA
cations raise the migration barrier Ea and hinder the back-diffusion.  The model makes these
statements quantitative with a *multiple-trapping* state vector:

``x = (p_0, p_1, …, p_K)``
    ``p_0`` fraction of the mobile ions at rest, ``p_k`` fraction in migrated trap class k,
    ``Σ x = 1``.  Migrated fraction ``P = Σ_{k≥1} p_k``.

Rates (all first order, so ``dx/dt = A(V, T) x`` with a Markov generator ``A``):

* field-assisted, thermally activated migration (Chang, Jo, Lu, ACS Nano 2011:
  ``dw/dt = λ sinh(ηV) − w/τ``)::

      g(V, T) = nu_m · exp(−Ea/kT) · sinh(|V|/V0)

  a negative V moves resting ions into class k with probability ``w_k``
  (``p_0 → p_k`` at rate ``g w_k``); a positive V drives every migrated ion back (``p_k → p_0``
  at rate ``g``: depression);
* thermal back-diffusion from class k at any bias, release time
  ``tau_k = tau0 · exp(E_k/kT)``.  The release barriers ``E_k`` (> Ea: a trapped ion must
  climb out of its trap of depth ``eps_k = E_k − Ea`` and over the migration saddle) are
  evenly spaced; the capture weights fall exponentially with the barrier,
  ``w_k ∝ exp(−E_k/E0)``, so that per logarithmic interval of release time
  ``w ∝ tau^(−kT/E0)`` and the forgetting after a stimulus is a power law with
  ``m ≈ kT/E0`` (literature.md §3).

During a segment of constant voltage ``A`` is constant and the state is propagated *exactly*
with the matrix exponential ``x(t + d) = expm(A d) x(t)`` (cached per distinct
``(V, d, T)``); at zero bias ``A`` is triangular and the propagation is the closed form
``p_k ← p_k exp(−d/tau_k)``.  ``expm`` of a Markov generator is a stochastic matrix, so the
ions are conserved and the populations stay non-negative (both are tested).

Conductance at a small read voltage::

    G = G_base(n, T, area) · (1 + gamma · P)
    G_base = sigma0 · area · f_inorg(n) · [exp(−Ea/kT) + L · exp(−Ea/kT_ref)]

``f_inorg(n)`` is the volume fraction of the Pb–Br slabs (from data/parameters/structure.yaml),
the exponential the ion-assisted, activated conduction that the paper's Arrhenius analysis
(Fig. 5b) measures and ``L`` a small temperature-independent leakage.  The BCCP layer blocks
filaments, so the model has no filament state and no second stable state at zero bias.

The synaptic weight of Fig. 4b is the normalised current increase at the read voltage,
``y(t) = (I(t) − I_0)/I_0 = gamma · P(t)`` (:func:`synaptic_weight`); the paper's fit constant
``b`` of ``y = b t^−m`` is the fitted ``y`` at ``t = 1 s``.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from scipy.constants import physical_constants
from scipy.linalg import expm

from analysis.parameters import ParameterSet, calibration_values, data_dir, default_parameters
from analysis.physics.dimensionality import N_VALUES, parse_n
from analysis.physics.structure import inorganic_fraction
from analysis.validation import check_temperature, nonnegative, positive

log = logging.getLogger(__name__)

K_B_EV = physical_constants["Boltzmann constant in eV/K"][0]
"""Boltzmann constant [eV/K] (CODATA via scipy)."""

MODEL_NAME = "multitrap"
"""Name of the model (its calibration file is ``calibration/multitrap.yaml``)."""

_EXPM_CACHE_SIZE = 4096


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True, eq=False)
class MultiTrapSynapse:
    """The multi-trap synapse of one dimensionality: all its parameters, and the methods of the
    device-model interface (:class:`analysis.physics.interface.Synapse`) that the protocols use.

    Attributes
    ----------
    n : str
        Dimensionality label (``"1"`` … ``"5"``, ``"inf"``).
    ea_eV : float, eV
        Migration barrier of Br- vacancies (calibrated to Table 2 Ea).
    e0_eV : float, eV
        Width of the exponential trap-depth distribution (calibrated to Table 2 m).
    nu_m_per_s : float, 1/s
        Prefactor of the field-assisted migration rate (calibrated to Table 2 b).
    trap_depths_eV : numpy.ndarray, eV
        Depths ``eps_k = E_k − Ea`` of the trap classes below the migration saddle.
    trap_energies_eV : numpy.ndarray, eV
        Release barriers ``E_k`` (n-independent, evenly spaced grid).
    trap_weights : numpy.ndarray, 1
        Capture probabilities ``w_k`` (sum 1), ``∝ exp(−E_k/E0)``.
    attempt_time_s : float, s
        ``tau0`` of ``tau_k = tau0 exp(E_k/kT)``.
    v0_V : float, V
        Characteristic voltage of the sinh field enhancement.
    gamma : float, 1
        Conductance gain per migrated fraction.
    sigma0_S_per_um2 : float, S/µm²
        Conductance prefactor per area (calibrated to the 18 fJ energy of the 2D device).
    inorganic_fraction : float, 1
        Volume fraction of Pb–Br slabs, ``n a_pc / (n a_pc + d_PEA)``.
    leakage_fraction : float, 1
        Leakage conductance relative to the activated conductance at the reference temperature.
    leakage_reference_K : float, K
        Reference temperature of the leakage fraction.
    temperature_K : float, K
        Default device temperature.
    read_delay_s : float, s
        Delay between the end of a spike and the read.
    pset : analysis.parameters.ParameterSet
        The parameter set the device was built from (the protocols read their numbers from it).
    """

    model: ClassVar[str] = "multitrap"

    n: str
    ea_eV: float
    e0_eV: float
    nu_m_per_s: float
    trap_depths_eV: np.ndarray
    trap_energies_eV: np.ndarray
    trap_weights: np.ndarray
    attempt_time_s: float
    v0_V: float
    gamma: float
    sigma0_S_per_um2: float
    inorganic_fraction: float
    leakage_fraction: float
    leakage_reference_K: float
    temperature_K: float
    read_delay_s: float
    pset: ParameterSet = field(default=None, repr=False)
    extra: dict = field(default_factory=dict, repr=False)

    def key(self) -> tuple:
        """A hashable summary used to cache propagators."""
        return (self.n, self.ea_eV, self.e0_eV, self.nu_m_per_s, self.attempt_time_s,
                self.v0_V, tuple(self.trap_energies_eV.tolist()))

    # ------------------------------------------------------------ the Synapse interface
    @property
    def state_size(self) -> int:
        """Length of the state vector ``(p_0, p_1, …, p_K)``."""
        return int(self.trap_weights.size + 1)

    @property
    def relaxation_time_s(self) -> float:
        """Longest internal time constant [s] (the slowest trap class's release time)."""
        return float(release_times(self).max())

    def rest_state(self, shape=()) -> np.ndarray:
        """The pristine state (every ion at rest), shape ``shape + (K+1,)``."""
        return rest_state(self, shape)

    def evolve(self, state, voltage_V, duration_s) -> np.ndarray:
        """States after constant-voltage segments (batch broadcast; see :func:`apply_segment`).

        A scalar 0 V segment is the closed-form relaxation :func:`relax` (durations may then be
        an array broadcast against the batch)."""
        v = np.asarray(voltage_V, dtype=float)
        if v.ndim == 0 and v == 0:
            return relax(self, state, duration_s, self.temperature_K)
        return apply_segment(self, state, voltage_V, duration_s, self.temperature_K)

    def evolve_times(self, state, voltage_V: float, times_s) -> np.ndarray:
        """States of one device at each of *times_s* after the start of one segment, shape (T, K+1)."""
        x = np.asarray(state, dtype=float)
        t = np.asarray(times_s, dtype=float).reshape(-1)
        if float(voltage_V) == 0:
            return relax(self, x, t, self.temperature_K)
        return apply_segment(self, np.broadcast_to(x, (t.size, x.size)), float(voltage_V), t,
                             self.temperature_K)

    def read_current(self, state, read_voltage_V=-0.01, temperature_K=None, area_um2=62500.0):
        """Current [A] at the read voltage (:func:`read_current`)."""
        return read_current(self, state, read_voltage_V, temperature_K, area_um2)

    def conductance(self, state, temperature_K=None, area_um2=62500.0):
        """Small-signal conductance [S] (:func:`conductance`)."""
        return conductance(self, state, temperature_K, area_um2)

    def synaptic_weight(self, state, read_voltage_V=None) -> np.ndarray:
        """Synaptic weight ``y = gamma P`` (:func:`synaptic_weight`; independent of the read
        voltage, so *read_voltage_V* is not used)."""
        return synaptic_weight(self, state)

    def attributes(self) -> dict:
        """What a simulated Dataset records of this device (its calibrated values)."""
        return {"device_n": self.n, "device_ea_eV": self.ea_eV, "device_e0_eV": self.e0_eV,
                "device_nu_m_per_s": self.nu_m_per_s, "device_sigma0_S_per_um2": self.sigma0_S_per_um2,
                "device_temperature_K": self.temperature_K}

    def at_temperature(self, temperature_K) -> "MultiTrapSynapse":
        """The same device held at *temperature_K* [K]."""
        return dataclasses.replace(self, temperature_K=check_temperature(temperature_K))


def release_barrier_grid(n_classes: int, shortest_s: float, longest_s: float,
                         attempt_time_s: float, temperature_K: float) -> np.ndarray:
    """Evenly spaced release barriers ``E_k`` [eV].

    Chosen so that at *temperature_K* the release times ``tau0 exp(E_k/kT)`` run from
    *shortest_s* to *longest_s* (log-spaced).
    """
    kt = K_B_EV * temperature_K
    return np.linspace(kt * np.log(shortest_s / attempt_time_s),
                       kt * np.log(longest_s / attempt_time_s), int(n_classes))


def trap_weights(depths_eV, e0_eV: float) -> np.ndarray:
    """Capture probabilities ``w_k ∝ exp(−E_k/E0)``, normalised to 1.

    Parameters
    ----------
    depths_eV : array_like, eV
        Release barriers (or depths: only differences matter).
    e0_eV : float, eV
        Width of the exponential trap-depth distribution, > 0.
    """
    e0 = float(positive(e0_eV, "e0_eV", "trap-depth width in eV, accepted range (0, inf)"))
    d = np.asarray(depths_eV, dtype=float)
    logw = -(d - d.min()) / e0
    w = np.exp(logw - logw.max())
    return w / w.sum()


def shared_parameters(pset: ParameterSet | None = None) -> dict:
    """The n-independent parameters of the device model (topic ``device`` of *pset*, default
    data/parameters/device.yaml)."""
    return (pset or default_parameters()).topic("device")


def reference_calibration() -> dict:
    """The reference calibration, data/reference/calibration/multitrap.yaml: the calibrate
    stage's output as last regenerated on purpose (``make references``). The workflow builds its
    devices from its own calibration output; the reference serves library use, the tests and the
    searches' starting points."""
    return calibration_values(data_dir() / "reference" / "calibration" / "multitrap.yaml")


def calibrated_values(n, calibrated: dict | None = None) -> dict:
    """Calibrated ``ea_eV``, ``e0_eV``, ``nu_m_per_s`` of *n* and the global ``sigma0``.

    *calibrated* is a calibration (``name -> value`` of a calibration file); default the
    reference (:func:`reference_calibration`)."""
    label = parse_n(n)
    cal = reference_calibration() if calibrated is None else calibrated
    try:
        return {"ea_eV": float(cal["ea_eV"][label]), "e0_eV": float(cal["e0_eV"][label]),
                "nu_m_per_s": float(cal["nu_m_per_s"][label]),
                "sigma0_S_per_um2": float(cal["sigma0_S_per_um2"])}
    except (KeyError, TypeError) as exc:
        msg = (f"the calibration lacks a calibrated value for n={label}: {exc}; the calibrate "
               "stage calibrates the films of config n_values (make figures)")
        raise ValueError(msg) from exc


def build_parameters(n, ea_eV: float, e0_eV: float, nu_m_per_s: float,
                     sigma0_S_per_um2: float = 1.0, pset: ParameterSet | None = None) -> MultiTrapSynapse:
    """The synapse of *n* with explicitly given calibrated quantities (used by the calibration);
    every other parameter from *pset* (default: data/).

    Raises
    ------
    ValueError
        For an unknown *n* or a non-positive value.
    """
    label = parse_n(n)
    positive(ea_eV, "ea_eV", "migration barrier in eV, accepted range (0, inf)")
    positive(nu_m_per_s, "nu_m_per_s", "migration prefactor in 1/s, accepted range (0, inf)")
    positive(sigma0_S_per_um2, "sigma0_S_per_um2", "conductance per area in S/um^2, (0, inf)")
    pset = pset or default_parameters()
    s = pset.topic("device")
    t_k = float(s["temperature"])
    energies = release_barrier_grid(int(s["trap_classes"]), float(s["shortest_release_time"]),
                                    float(s["longest_release_time"]), float(s["attempt_time"]), t_k)
    if energies[0] <= ea_eV:
        msg = (f"ea_eV={ea_eV!r} must be below the shallowest release barrier {energies[0]:.3f} eV "
               "(a migrated ion must at least cross the migration barrier to return)")
        raise ValueError(msg)
    depths = energies - ea_eV
    weights = trap_weights(energies, e0_eV)
    for arr in (energies, depths, weights):
        arr.setflags(write=False)
    return MultiTrapSynapse(
        n=label, ea_eV=float(ea_eV), e0_eV=float(e0_eV), nu_m_per_s=float(nu_m_per_s),
        trap_depths_eV=depths, trap_energies_eV=energies, trap_weights=weights,
        attempt_time_s=float(s["attempt_time"]), v0_V=float(s["characteristic_voltage"]),
        gamma=float(s["conductance_sensitivity"]), sigma0_S_per_um2=float(sigma0_S_per_um2),
        inorganic_fraction=inorganic_fraction(label, pset), leakage_fraction=float(s["leakage_fraction"]),
        leakage_reference_K=float(s["leakage_reference_temperature"]), temperature_K=t_k,
        read_delay_s=float(s["read_delay"]), pset=pset)


def load_parameters(n, pset: ParameterSet | None = None, calibrated: dict | None = None) -> MultiTrapSynapse:
    """The calibrated synapse of dimensionality *n*.

    Parameters
    ----------
    n : int, float or str
        Dimensionality (1 … 5 or inf).
    pset : ParameterSet, optional
        Every parameter but the calibrated ones (default: data/).
    calibrated : dict, optional
        The calibration (``name -> value`` of a calibration file, :func:`analysis.parameters.calibration_values`;
        default: the reference, :func:`reference_calibration`).

    Returns
    -------
    MultiTrapSynapse
        Frozen; at least ``ea_eV``, ``trap_energies_eV`` and ``trap_weights``.

    Raises
    ------
    ValueError
        If *n* is not one of the six dimensionalities or is not calibrated.
    """
    label = parse_n(n)
    c = calibrated_values(label, calibrated)
    return build_parameters(label, c["ea_eV"], c["e0_eV"], c["nu_m_per_s"], c["sigma0_S_per_um2"], pset)


# --------------------------------------------------------------------------- rates
def release_times(params: MultiTrapSynapse, temperature_K: float | None = None) -> np.ndarray:
    """Thermal release times ``tau_k = tau0 exp(E_k/kT)`` [s]."""
    t = check_temperature(params.temperature_K if temperature_K is None else temperature_K)
    return params.attempt_time_s * np.exp(params.trap_energies_eV / (K_B_EV * t))


def migration_rate(params: MultiTrapSynapse, voltage_V, temperature_K: float | None = None):
    """Field-assisted migration rate ``g = nu_m exp(−Ea/kT) sinh(|V|/V0)`` [1/s].

    Parameters
    ----------
    voltage_V : float or array_like, V
        Presynaptic voltage (sign ignored here; it selects the direction in :func:`generator`).
    """
    t = check_temperature(params.temperature_K if temperature_K is None else temperature_K)
    v = np.asarray(voltage_V, dtype=float)
    return params.nu_m_per_s * np.exp(-params.ea_eV / (K_B_EV * t)) * np.sinh(np.abs(v) / params.v0_V)


def generator(params: MultiTrapSynapse, voltage_V: float,
              temperature_K: float | None = None) -> np.ndarray:
    """Markov generator ``A`` of ``dx/dt = A x`` at constant voltage, shape (K+1, K+1).

    State order ``(p_0, p_1, …, p_K)``.  Columns sum to zero (ion conservation) and
    off-diagonal entries are non-negative.
    """
    t = check_temperature(params.temperature_K if temperature_K is None else temperature_K)
    rel = 1.0 / release_times(params, t)
    g = float(migration_rate(params, voltage_V, t))
    k = rel.size
    a = np.zeros((k + 1, k + 1))
    # thermal release p_k -> p_0
    a[0, 1:] += rel
    a[np.arange(1, k + 1), np.arange(1, k + 1)] -= rel
    if voltage_V < 0:      # capture p_0 -> p_k
        a[1:, 0] += g * params.trap_weights
        a[0, 0] -= g
    elif voltage_V > 0:    # field-driven return p_k -> p_0
        a[0, 1:] += g
        a[np.arange(1, k + 1), np.arange(1, k + 1)] -= g
    return a


@functools.lru_cache(maxsize=_EXPM_CACHE_SIZE)
def _propagator_cached(pkey, voltage_V: float, duration_s: float, temperature_K: float,
                       params_ref) -> np.ndarray:
    a = generator(params_ref.value, voltage_V, temperature_K)
    m = expm(a * duration_s)
    m[m < 0] = 0.0                       # rounding only (|neg| < 1e-15)
    m /= m.sum(axis=0, keepdims=True)    # columns of a stochastic matrix sum to 1
    m.setflags(write=False)
    return m


class _Ref:
    """Carry the parameters into the lru cache without hashing the arrays."""

    __slots__ = ("value", "_key")

    def __init__(self, value: MultiTrapSynapse):
        self.value = value
        self._key = value.key()

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _Ref) and self._key == other._key


def _propagator(params: MultiTrapSynapse, voltage_V: float, duration_s: float,
                temperature_K: float) -> np.ndarray:
    return _propagator_cached(params.key(), float(voltage_V), float(duration_s),
                              float(temperature_K), _Ref(params))


_propagator.cache_clear = _propagator_cached.cache_clear  # type: ignore[attr-defined]


def propagator(params: MultiTrapSynapse, voltage_V: float, duration_s: float,
               temperature_K: float | None = None) -> np.ndarray:
    """Exact transition matrix ``expm(A(V) d)`` for one constant-voltage segment.

    Parameters
    ----------
    voltage_V : float, V
        Segment voltage.
    duration_s : float, s
        Segment duration, > 0.

    Returns
    -------
    numpy.ndarray, shape (K+1, K+1)
        Column-stochastic matrix (read-only, cached).
    """
    positive(duration_s, "duration_s", "segment duration in s, accepted range (0, inf)")
    t = check_temperature(params.temperature_K if temperature_K is None else temperature_K)
    return _propagator(params, float(voltage_V), float(duration_s), t)


# --------------------------------------------------------------------------- states
def rest_state(params: MultiTrapSynapse, shape=()) -> np.ndarray:
    """The pristine state (every ion at rest), shape ``shape + (K+1,)``."""
    x = np.zeros(tuple(shape) + (params.trap_weights.size + 1,))
    x[..., 0] = 1.0
    return x


def relax(params: MultiTrapSynapse, state, duration_s, temperature_K: float | None = None):
    """Exact evolution at zero bias: ``p_k ← p_k exp(−d/tau_k)``, ``p_0 = 1 − Σ p_k``.

    Parameters
    ----------
    state : array_like, shape (..., K+1)
        States.
    duration_s : float or array_like, s
        Durations (>= 0), broadcast against ``state[..., 0]``.

    Returns
    -------
    numpy.ndarray, shape broadcast(...) + (K+1,)
    """
    d = nonnegative(duration_s, "duration_s", "rest duration in s, accepted range [0, inf)")
    tau = release_times(params, temperature_K)
    x = np.asarray(state, dtype=float)
    p = x[..., 1:] * np.exp(-d[..., None] / tau)
    out = np.empty(p.shape[:-1] + (p.shape[-1] + 1,))
    out[..., 1:] = p
    out[..., 0] = 1.0 - p.sum(axis=-1)
    return out


def apply_segment(params: MultiTrapSynapse, state, voltage_V, duration_s,
                  temperature_K: float | None = None) -> np.ndarray:
    """Propagate states through constant-voltage segments (vectorised).

    *voltage_V* and *duration_s* may be scalars or arrays broadcast against the batch shape
    ``state.shape[:-1]``; each distinct ``(V, d)`` pair is exponentiated once (cached).
    Zero-voltage segments use the closed form of :func:`relax`.
    """
    x = np.asarray(state, dtype=float)
    batch = x.shape[:-1]
    v = np.broadcast_to(np.asarray(voltage_V, dtype=float), batch)
    d = np.broadcast_to(nonnegative(duration_s, "duration_s",
                                           "segment duration in s, accepted range [0, inf)"), batch)
    t = check_temperature(params.temperature_K if temperature_K is None else temperature_K)
    if v.ndim == 0:
        if d == 0:
            return x.copy()
        if v == 0:
            return relax(params, x, d, t)
        return x @ _propagator(params, float(v), float(d), t).T
    out = np.empty_like(x)
    flat_v, flat_d = v.reshape(-1), d.reshape(-1)
    xf, of = x.reshape(-1, x.shape[-1]), out.reshape(-1, x.shape[-1])
    pairs = np.stack([flat_v, flat_d], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for j, (vj, dj) in enumerate(uniq):
        sel = inverse == j
        if dj == 0:
            of[sel] = xf[sel]
        elif vj == 0:
            of[sel] = relax(params, xf[sel], dj, t)
        else:
            of[sel] = xf[sel] @ _propagator(params, float(vj), float(dj), t).T
    return out


def migrated_fraction(state) -> np.ndarray:
    """``P = Σ_{k≥1} p_k`` of states of shape (..., K+1)."""
    return np.asarray(state)[..., 1:].sum(axis=-1)


# --------------------------------------------------------------------------- conductance
def base_conductance(params: MultiTrapSynapse, temperature_K=None, area_um2=62500.0):
    """Conductance of the pristine film [S].

    ``G_base = sigma0 · area · f_inorg · [exp(−Ea/kT) + L exp(−Ea/kT_ref)]``.

    Parameters
    ----------
    temperature_K : float or array_like, K
        Temperature(s), > 0.
    area_um2 : float or array_like, µm²
        Device area(s), > 0.
    """
    t = positive(params.temperature_K if temperature_K is None else temperature_K,
                        "temperature_K", "absolute temperature in K, accepted range (0, inf)")
    area = positive(area_um2, "area_um2", "device area in um^2, accepted range (0, inf)")
    act = np.exp(-params.ea_eV / (K_B_EV * t))
    leak = params.leakage_fraction * np.exp(-params.ea_eV / (K_B_EV * params.leakage_reference_K))
    return params.sigma0_S_per_um2 * area * params.inorganic_fraction * (act + leak)


def conductance(params: MultiTrapSynapse, state, temperature_K=None, area_um2=62500.0):
    """Small-signal conductance ``G_base (1 + gamma P)`` [S] of states (..., K+1)."""
    return base_conductance(params, temperature_K, area_um2) * (
        1.0 + params.gamma * migrated_fraction(state))


def read_current(params: MultiTrapSynapse, state, read_voltage_V: float = -0.01,
                 temperature_K=None, area_um2=62500.0):
    """Current [A] at the read voltage (signed like the voltage): ``I = G · V_read``.

    The read is short and does not change the state.
    """
    return conductance(params, state, temperature_K, area_um2) * float(read_voltage_V)


def synaptic_weight(params: MultiTrapSynapse, state) -> np.ndarray:
    """Synaptic weight ``y = (I − I_0)/I_0 = gamma · P`` [1] (Fig. 4b).

    ``I_0`` is the pristine current at the same read voltage and temperature; because the read
    does not disturb the state, ``y`` is independent of the read voltage.
    """
    return params.gamma * migrated_fraction(state)


__all__ = ["K_B_EV", "N_VALUES", "MultiTrapSynapse", "load_parameters", "build_parameters",
           "calibrated_values", "reference_calibration", "MODEL_NAME", "shared_parameters", "release_barrier_grid",
           "trap_weights", "inorganic_fraction", "release_times", "migration_rate", "generator",
           "propagator", "rest_state", "relax", "apply_segment", "migrated_fraction",
           "base_conductance", "conductance", "read_current", "synaptic_weight",
           "check_temperature"]
