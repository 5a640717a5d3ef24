r"""Drift–diffusion model of bromide vacancies with multiple trapping: the second device model.

A spatially resolved, one-dimensional model of the ITO/BCCP/(PEA)2MA(n-1)PbnBr(3n+1)/Al
synapse, written against the PulsedDevice interface (``model = "driftdiffusion"``).  It shares
no equation with the compact model (:mod:`analysis.physics.multitrap`): there, a Markov chain
of "migrated fractions" with a conductance linear in the migrated fraction; here, vacancy
profiles across the film, their electrostatics, and a current that follows from them.

Geometry and species
--------------------
x runs across the perovskite film from the BCCP contact (x = 0, bottom, ITO side) to the Al
contact (x = L, top); L = ``ohp_thickness`` of data/parameters/geometry.yaml, the area is the
read's ``area_um2`` (the paper's 250/500/750 µm lines).  BCCP and Al block ions (zero ionic
flux; the BCCP buffer also blocks filaments, so the model has no filament state).  The mobile
species are bromide vacancies V_Br• (charge +q): a free density ``c(x, t)`` and trapped
densities ``n_k(x, t)`` in K classes; a static background of density N0 compensates them.
The presynaptic spike V is applied to Al, ITO is grounded: a negative spike drives the
vacancies towards Al.

Equations as implemented (φ the electrostatic potential, V_T = kT/q)
---------------------------------------------------------------------
.. math::

    \partial_t c &= -\partial_x F - \textstyle\sum_k (\gamma_k c - n_k/\tau_k), \qquad
    F = -D\,(\partial_x c + c\,\partial_x \varphi / V_T)          \quad\text{(Nernst–Planck)}\\
    \partial_t n_k &= \gamma_k c - n_k/\tau_k                     \quad\text{(multiple trapping, local)}\\
    -\varepsilon\,\partial_x^2\varphi &= q\,(c + \textstyle\sum_k n_k - N_0) \quad\text{(Poisson)}\\
    F(0) &= F(L) = 0, \quad \varphi(0) = 0, \quad \varphi(L) = V.

* **Diffusivity.**  ``D = D_⊥(n, T)``: inorganic slabs of n octahedral layers (spacing a,
  ``a_pseudocubic_layer``) with hop barrier E_a, ``D_s = D0 exp(−E_a/kT)``, in series with PEA
  bilayers (thickness d_b = ``pea_bilayer_thickness``) crossed over E_a + ΔE_b:
  ``(n a + d_b)/D_⊥ = n a/D_s + d_b/D_b`` (laminate formula, Crank 1975, §12.2);
  n = ∞ has no barriers (:func:`~analysis.physics.dd_parameters.out_of_plane_diffusivity`).
* **Traps.**  K classes of metastable sites with release barriers E_k evenly spaced so that
  ``τ_k = τ0 exp(E_k/kT)`` spans ``shortest_release_time`` … ``longest_release_time`` at 300 K.
  Capture and release cross the *same* barrier (the sites lie at the energy of a lattice site:
  the random-barrier picture of disordered ionic conductors, Dyre & Schrøder, Rev. Mod. Phys.
  72, 873 (2000) [M]), so the equilibrium ratio ``K_k = n_k/c = γ_k τ_k`` is temperature
  independent: ``K_k = g w_k``, ``w_k ∝ exp(−α (E_k − E_1)/kT_ref)`` (g = ``trap_fraction``,
  α the dispersion parameter, E_t = kT_ref/α the width of the barrier distribution).  Binding
  traps (capture barrier below the release barrier) would, for release times of seconds, hold
  every vacancy at equilibrium and make the pristine conductance activated by the binding
  energy instead of E_a; metastable sites avoid that.  A spike loads the classes near the
  contacts (capture from the accumulation layer at Al, release in the depletion layer at
  BCCP); the trapped dipole then relaxes through the whole spread of τ_k, which is where the
  power law comes from: at time t the classes with τ_k ≈ t dominate.  Without traps (g = 0)
  the free vacancies relax with the single RC time of the double layers and the forgetting
  is exponential (tested).

Read current (the mapping from the ionic state to the current)
--------------------------------------------------------------
A read at voltage V_r (short, so the vacancy profile is frozen) drives two currents through
the film in parallel::

    I = V_r [G_ion + G_e],
    G_ion = (q² D N0 / kT) (A / L) / ∫₀¹ dξ / c(ξ)                 (Nernst–Einstein, in series)
    G_e   = G_e,ref (T/T_ref) exp(−Φ_B/k (1/T − 1/T_ref)) exp(Δ_eff / kT),
    Δ     = d_s (s E_int + |V_r|/L),   E_int = p/(εL),  p = ∫ x ρ dx,  s = −sign(V_r),
    Δ_eff = Δ for Δ ≤ 0,  Φ_B (1 − e^{−Δ/Φ_B}) for Δ > 0,
    G_e,ref = (1 − t_ion)/t_ion · G_ion(pristine, T_ref).

*Why.*  The paper attributes the conductance to ion migration ("ion migration may cause not
only conductance enhancement but also ion concentration gradient across the OHP film which
induces band bending at the interface and facilitates charge injection into OHP films";
"as PEA concentration increased, ion migration is suppressed … thus resistance of the film is
increased").  The pristine conductance is therefore taken as mainly *ionic*: perovskite-type
bromides conduct by Br vacancies with an ionic transport number above 0.9 (Mizusaki, Arai,
Fueki, Solid State Ionics 11, 203 (1983) [V, abstract]; t_ion = ``ionic_transport_number``).
The *change* of the current after a spike is electronic: the interfacial ionic charge gates
the energy barrier for injection at the contacts — the "ionically gated transistor"
interfaces of Moia et al., Energy Environ. Sci. 12, 1296 (2019) [V, abstract], here as a
field lowering ``q E d_s`` of a thermionic injection barrier Φ_B (``injection_barrier``) at
the distance d_s (the gating length, calibrated), saturating when the barrier is gone.  With
both contacts grounded at a read, Gauss's law gives the ionic field at either contact as
E_int = p/(εL), p the dipole moment per area of the net ionic charge.

*What it implies.*  (i) Sign: a negative spike on Al piles vacancies up at Al (and traps
them there) and depletes them at BCCP: p > 0, the field at the contacts points from BCCP to
Al, which lowers the barrier for the carriers a negative read injects — the current rises
(potentiation).  A positive spike reverses p and the current falls (depression), as in the
paper and Fig. S11a.  The ionic part changes only in second order for small profiles
(depletion sheets add series resistance: a small opposite contribution).
(ii) Read-voltage dependence: the read field adds ``d_s |V_r|/L`` to the lowering, so the
electronic share of the current, and with it y = I/I0 − 1, grows with |V_r| (y at −0.1 V is
larger than at −0.01 V).  A positive read after a negative spike sees the barrier *raised*
(the dipole rectifies, like the switchable perovskite diodes of Xiao et al., Nat. Mater. 14,
193 (2015) [M]).  Under a sustained bias the vacancies screen the field and the ionic
conductance of the polarised profile vanishes: the steady current is electronic.
(iii) Arrhenius slope (Fig. 5b): the pristine profile is uniform, ``c0 = N0/(1 + g)`` with g
temperature independent, so ``G_ion ∝ D_⊥(T)/T`` and ln R(1/kT) has the slope of the vacancy
diffusivity (E_a, plus ΔE_b weighted by the barrier share of the laminate) minus kT, bent by
the electronic 1 − t_ion share (activation Φ_B).  The calibration ties E_a to Table 2's E_A
through the *simulated* Arrhenius fit.  Caveat (a finding, see the report): with the
calibrated E_a ≈ 0.06–0.12 eV and D0, N0 of IonMonger, the vacancies are fast (D ~ 1e-10
m²/s, RC time of the double layers ~ 1 µs) and the pristine film conducts ~6 mS: the link of
E_A to ion migration needs a read shorter than that RC time, which is the non-disturbing read
of the interface; a slower read would see the vacancies screen it and only the electronic
current.

Numerics (:mod:`analysis.physics.dd_kernel`)
---------------------------------------------
Conservative finite volumes on a tanh mesh graded towards both contacts (cells of
``mesh_wall_spacing`` L at the walls, a fraction of λ_D = sqrt(εkT/(q²N0)) ≈ 1.5 nm), with
Scharfetter–Gummel fluxes; Poisson in the same finite-volume form.  Time stepping is our own
implicit scheme, chosen over scipy's BDF/Radau because (a) the K trap populations are
eliminated analytically in every cell (exponential integrator, exact release), leaving a
2N-unknown Newton system instead of (K+2)N; (b) that system is block-tridiagonal with an
analytic Jacobian and is solved in O(N) by a compiled (numba) block Thomas algorithm, ~5 µs per
Newton iteration for N = 100 against ~1 ms of Python overhead per step of solve_ivp;
(c) solving for ln c keeps c > 0 and the exponential trap update keeps n_k ≥ 0 by
construction; (d) the total density obeys variable-step BDF2 (L-stable start by backward
Euler at every voltage step), whose fluxes telescope, so the number of vacancies is conserved
up to the Newton residual, which is then removed (scaling c by 1 − O(1e-14)): conservation to
round-off.  Steps are controlled by the predictor–corrector difference of the trapped density
(the memory; the free density's microsecond transients are controlled 30× more loosely);
states between steps are interpolated (dense output), so the steps, and the state at the end
of a segment, do not depend on the output times.  A device keeps an exact cache of the
segments it has integrated (the protocols repeat identical segments from identical states).
Mesh and step convergence of the claim metrics, equilibria against closed forms, relaxation
rates, conservation, positivity and the detection of a broken flux are tested in
tests/test_driftdiffusion.py.

Free parameters per film (:data:`FREE_PARAMETERS`): ``ea_eV`` → Table 2 E_A, ``dispersion`` →
m, ``gating_length_nm`` → b (:mod:`analysis.physics.dd_calibration`).

Size: one module because the device (state layout, step control, segment cache, reads) and
the model object are one concept, the drift–diffusion synapse; its parameters
(:mod:`analysis.physics.dd_parameters`), numerics (:mod:`analysis.physics.dd_kernel`) and
calibration (:mod:`analysis.physics.dd_calibration`) are already separate, and what remains is
mostly this docstring (the equations as implemented, about 130 lines).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.constants import e as Q_E
from scipy.constants import k as K_B

from analysis.parameters import ParameterSet
from analysis.parameters import default_parameters as default_parameter_set
from analysis.physics import dd_kernel as kern
from analysis.physics import interface
from analysis.physics.dd_parameters import (K_B_EV, DDParameters, barrier_change,
                                            barrier_change_slope, default_parameters,
                                            default_values, graded_mesh,
                                            out_of_plane_diffusivity, parameters_from_pset,
                                            parameters_from_values, release_barriers,
                                            trap_occupancy_ratios, values_from_pset)
from analysis.physics.dimensionality import parse_n
from analysis.validation import finite, nonnegative, positive

log = logging.getLogger(__name__)

NAME = "driftdiffusion"
"""The model's name (the ``model`` attribute of its devices)."""


QUICK_MESH = {"mesh_cells": 60, "mesh_wall_spacing": 5e-4}
"""Coarser mesh for the quick profile (``default_parameters(**QUICK_MESH)``): the claim metrics
stay within the quick tolerances of tests/test_driftdiffusion.py (≤ 2 % for b, EPSC; ≤ 3 %
for the PPF/SFDP excess over 1; ≤ 0.5 % for m) of a refined solution."""


# --------------------------------------------------------------------------- free parameters
FreeParameter = interface.FreeParameter

FREE_PARAMETERS = (
    FreeParameter("ea_eV", "eV", 0.02, 0.40, "Ea",
                  "vacancy hop activation energy E_a inside the slabs (D_s = D0 exp(−E_a/kT))"),
    FreeParameter("dispersion", "1", -1.5, 4.0, "m",
                  "dispersion parameter α = kT_ref/E_t of the exponential distribution of trap "
                  "release barriers (E_t its width; α < 0: more sites with higher barriers)"),
    FreeParameter("gating_length_nm", "nm", 0.01, 200.0, "b",
                  "gating length d_s: the interfacial field E lowers the injection barrier by "
                  "q E d_s (at most the film thickness)"),
)
"""The three free parameters of a film: name, units, bounds, Table 2 target, meaning."""

START = {"ea_eV": 0.10, "dispersion": 0.5, "gating_length_nm": 10.0}
"""Start values of the calibration search (the dispersion start is then set from the target m)."""


def check_free(free: dict) -> dict:
    """The free values as floats, checked against :data:`FREE_PARAMETERS` (names and bounds).

    Raises
    ------
    ValueError
        For a missing or unknown name or a value outside its bounds.
    """
    names = [p.name for p in FREE_PARAMETERS]
    missing = sorted(set(names) - set(free))
    unknown = sorted(set(free) - set(names))
    if missing or unknown:
        msg = (f"free parameters: missing {missing or 'none'}, unknown {unknown or 'none'}; "
               f"expected exactly {', '.join(names)}")
        raise ValueError(msg)
    out = {}
    for p in FREE_PARAMETERS:
        v = float(finite(free[p.name], p.name, p.meaning, p.units))
        if not p.lower <= v <= p.upper:
            msg = (f"{p.name}={free[p.name]!r} must lie within [{p.lower:g}, {p.upper:g}] {p.units} "
                   f"({p.meaning})")
            raise ValueError(msg)
        out[p.name] = v
    return out


# --------------------------------------------------------------------------- the device
class _SegmentCache:
    """Results of segments already integrated, keyed by (state, voltage, duration or times).

    The protocols integrate the same segment from the same state more than once (the SNDP
    traces repeat the prefix of the 50-spike train, the PPF/SFDP batches start with the same
    first spike); the integration is deterministic, so a repeat is looked up, bit for bit.
    Least-recently-used entries are dropped beyond *max_bytes*.
    """

    def __init__(self, max_bytes: int = 64 * 2 ** 20):
        from collections import OrderedDict
        self._data = OrderedDict()
        self._bytes = 0
        self.max_bytes = int(max_bytes)

    @staticmethod
    def key(state, voltage, duration) -> bytes:
        import hashlib
        h = hashlib.blake2b(digest_size=20)
        h.update(np.ascontiguousarray(state, dtype=float).tobytes())
        h.update(np.float64(voltage).tobytes())
        h.update(np.ascontiguousarray(duration, dtype=float).tobytes())
        return h.digest()

    def get(self, key):
        hit = self._data.get(key)
        if hit is not None:
            self._data.move_to_end(key)
        return hit

    def put(self, key, value):
        value = np.array(value, dtype=float)
        value.setflags(write=False)
        if key in self._data or value.nbytes > self.max_bytes:
            return
        self._data[key] = value
        self._bytes += value.nbytes
        while self._bytes > self.max_bytes:
            _, old = self._data.popitem(last=False)
            self._bytes -= old.nbytes


class DriftDiffusionDevice:
    """One film at one temperature: the PulsedDevice of the drift–diffusion model.

    The state vector (length S = N (K + 1)) holds the free vacancy density of the N cells
    followed by the trapped densities of the K classes (class-major), in units of N0.

    Parameters
    ----------
    n : str, int or float
        Film label (``"1"`` … ``"5"``, ``"inf"``).
    free : dict
        The three free values (:data:`FREE_PARAMETERS`).
    params : DDParameters
        The film-independent parameters.
    temperature_K : float, K, optional
        Device temperature (default ``params.temperature_K``).
    pset : analysis.parameters.ParameterSet, optional
        The parameter set the protocols read their numbers from (default: data/); *params*
        is normally built from it (:meth:`DriftDiffusionModel.build`).
    _flux_mode : int
        Test-only hook: 0 Scharfetter–Gummel (the model); 1 central-difference drift and
        2 reversed drift, both wrong on purpose (tests show that they are detected).
    """

    model = NAME

    def __init__(self, n, free: dict, params: DDParameters, temperature_K: float | None = None,
                 _flux_mode: int = 0, pset: ParameterSet | None = None):
        if not isinstance(params, DDParameters):
            msg = f"params must be a DDParameters (see parameters_from_values); got {type(params).__name__}"
            raise ValueError(msg)
        if _flux_mode not in (0, 1, 2):
            raise ValueError(f"_flux_mode={_flux_mode!r} must be 0, 1 or 2 (test hook)")
        self.n = parse_n(n)
        self.free = check_free(free)
        self.params = params
        self.pset = default_parameter_set() if pset is None else pset
        t = params.temperature_K if temperature_K is None else temperature_K
        self.temperature_K = float(positive(t, "temperature_K", "device temperature", "K"))
        self.read_delay_s = params.read_delay_s
        self._flux_mode = int(_flux_mode)
        self.mesh = graded_mesh(params.mesh_cells, params.mesh_wall_spacing)
        self.n_cells = params.mesh_cells
        self.n_classes = params.trap_classes
        self.state_size = self.n_cells * (self.n_classes + 1)
        self.gating_length_m = self.free["gating_length_nm"] * 1e-9
        self.ratios = trap_occupancy_ratios(params, self.free["dispersion"], params.trap_fraction)
        self.free_fraction = 1.0 / (1.0 + self.ratios.sum())
        self.barriers_eV = release_barriers(params)
        t = self.temperature_K
        length = params.thickness_m
        self._lam2 = (params.debye_length_m(t) / length) ** 2
        self._dn = float(self.diffusivity(t)) / length ** 2
        tau = self.release_times(t)
        self._rel = 1.0 / tau
        self._gam = self.ratios / tau
        # first step: a fraction of the fastest physical time (dielectric relaxation, or the
        # slowest diffusion mode when the film is nearly uncharged)
        self._h0 = params.first_step * min(self._lam2, 1.0 / np.pi ** 2) / self._dn
        # electronic conductance per area at the reference temperature: the share 1 − t_ion
        # of the pristine conductance there
        g_ref = self._ionic_per_area(np.full(self.n_cells, self.free_fraction),
                                     params.reference_temperature_K)
        t_ion = params.ionic_transport_number
        self._g_e_ref = float(g_ref) * (1.0 - t_ion) / t_ion
        rest = np.empty(self.state_size)
        rest[:self.n_cells] = self.free_fraction
        rest[self.n_cells:] = np.repeat(self.ratios * self.free_fraction, self.n_cells)
        rest.setflags(write=False)
        self._rest = rest
        self.last_stats = np.zeros(4, dtype=np.int64)
        self._cache = _SegmentCache()

    def __repr__(self):
        return (f"DriftDiffusionDevice(n={self.n!r}, free={self.free}, "
                f"temperature_K={self.temperature_K:g})")

    # ------------------------------------------------------------------ rates
    def diffusivity(self, temperature_K=None):
        """Out-of-plane vacancy diffusivity D_⊥ [m²/s] (default: at the device temperature)."""
        t = self.temperature_K if temperature_K is None else temperature_K
        return out_of_plane_diffusivity(self.params, self.n, self.free["ea_eV"], t)

    def release_times(self, temperature_K: float | None = None) -> np.ndarray:
        """Trap release times τ_k = τ0 exp(E_k/kT) [s]."""
        t = self.temperature_K if temperature_K is None else float(temperature_K)
        return self.params.attempt_time_s * np.exp(self.barriers_eV / (K_B_EV * t))

    def dielectric_time(self) -> float:
        """Dielectric relaxation time λ_D²/D = ε/(q μ N0) [s]."""
        return self._lam2 / self._dn

    @property
    def relaxation_time_s(self) -> float:
        """Longest internal time constant [s]: the release time of the slowest trap class (or
        the double-layer RC time, if longer)."""
        return float(max(self.release_times().max(), self.double_layer_time()))

    def attributes(self) -> dict:
        """What a simulated Dataset records of this device (model, film, free values, T)."""
        return {"device_model": self.model, "device_n": self.n,
                **{f"device_{k}": v for k, v in self.free.items()},
                "device_temperature_K": self.temperature_K}

    def double_layer_time(self) -> float:
        """RC time λ_D L/(2D) [s] of the two double layers (Bazant, Thornton, Ajdari, Phys.
        Rev. E 70, 021506 (2004) [M])."""
        return self.dielectric_time() / (2.0 * self._lam2 ** 0.5)

    # ------------------------------------------------------------------ states
    def _split(self, state):
        x = np.asarray(state, dtype=float)
        if x.shape[-1:] != (self.state_size,):
            msg = (f"state has shape {x.shape}; its last axis must have {self.state_size} entries "
                   f"({self.n_cells} cells x (1 + {self.n_classes} trap classes))")
            raise ValueError(msg)
        c = x[..., :self.n_cells]
        tr = x[..., self.n_cells:].reshape(x.shape[:-1] + (self.n_classes, self.n_cells))
        return c, tr

    def rest_state(self, shape: tuple = ()) -> np.ndarray:
        """Pristine state, shape ``shape + (S,)``: uniform free density c0 = 1/(1 + g) (units
        of N0) and every class at equilibrium, n_k = K_k c0 — the zero-bias steady state."""
        return np.broadcast_to(self._rest, tuple(shape) + (self.state_size,)).copy()

    def _check_state(self, c, tr):
        if not (np.all(np.isfinite(c)) and np.all(c > 0) and np.all(np.isfinite(tr)) and np.all(tr >= 0)):
            raise ValueError("state must be finite with free densities > 0 and trapped densities >= 0")

    def evolve(self, state, voltage_V, duration_s) -> np.ndarray:
        """States after constant-voltage segments.

        Parameters
        ----------
        state : array_like, shape (..., S)
            States (a batch of independent devices over the leading axes).
        voltage_V : float or array_like, V
            Voltage on Al, broadcast with ``state.shape[:-1]`` (one state and an array of
            voltages or durations give a batch of that array's shape).
        duration_s : float or array_like, s
            Durations (>= 0; 0 returns the state unchanged), broadcast likewise.

        Returns
        -------
        numpy.ndarray, shape (..., S)

        Raises
        ------
        RuntimeError
            If the integrator fails (naming the device of the batch and its segment).
        """
        c, tr = self._split(state)
        v = finite(voltage_V, "voltage_V", "segment voltage", "V")
        d = nonnegative(duration_s, "duration_s", "segment duration", "s")
        try:
            batch = np.broadcast_shapes(c.shape[:-1], v.shape, d.shape)
        except ValueError as exc:
            msg = (f"voltage_V (shape {v.shape}) and duration_s (shape {d.shape}) must broadcast "
                   f"against the batch of states (shape {c.shape[:-1]})")
            raise ValueError(msg) from exc
        self._check_state(c, tr)
        c = np.broadcast_to(c, batch + (self.n_cells,))
        tr = np.broadcast_to(tr, batch + (self.n_classes, self.n_cells))
        v = np.broadcast_to(v, batch)
        d = np.broadcast_to(d, batch)
        nb = int(np.prod(batch, dtype=np.int64))
        flat = np.empty((nb, self.state_size))
        flat[:, :self.n_cells] = c.reshape(nb, self.n_cells)
        flat[:, self.n_cells:] = tr.reshape(nb, -1)
        vf = np.ascontiguousarray(v.reshape(nb), dtype=float)
        df = np.ascontiguousarray(d.reshape(nb), dtype=float)
        out = np.empty((nb, self.state_size))
        todo: dict = {}
        keys = []
        for i in range(nb):
            key = self._cache.key(flat[i], vf[i], df[i])
            keys.append(key)
            hit = self._cache.get(key)
            if hit is not None:
                out[i] = hit
            else:
                todo.setdefault(key, []).append(i)
        self.last_stats = np.zeros(4, dtype=np.int64)
        if todo:
            rows = np.array([idx[0] for idx in todo.values()])
            res = self._integrate_rows(flat[rows], vf[rows], df[rows])
            for r, (key, idx) in zip(res, todo.items()):
                out[idx] = r
                self._cache.put(key, r)
        return out.reshape(batch + (self.state_size,))

    def _integrate_rows(self, flat, vf, df):
        """:func:`~analysis.physics.dd_kernel.integrate_batch` of independent states (B, S)."""
        nb = flat.shape[0]
        cf = np.ascontiguousarray(flat[:, :self.n_cells])
        nf = np.ascontiguousarray(flat[:, self.n_cells:].reshape(nb, self.n_classes, self.n_cells))
        vt = K_B * self.temperature_K / Q_E
        out_c = np.empty_like(cf)
        out_n = np.empty_like(nf)
        stats = np.zeros(4, dtype=np.int64)
        status = np.zeros(nb, dtype=np.int64)
        m = self.mesh
        kern.integrate_batch(cf, nf, np.ascontiguousarray(vf) / vt, np.ascontiguousarray(df),
                             m.widths, m.centres, m.dist, self._lam2, self._dn, self._gam,
                             self._rel, self.params.rtol, self.params.atol, self._h0,
                             self._flux_mode, out_c, out_n, stats, status)
        self.last_stats = stats
        self._raise_on(status, vf, df)
        return np.concatenate([out_c, out_n.reshape(nb, -1)], axis=1)

    def _raise_on(self, status, v, d):
        bad = np.flatnonzero(status != kern.STATUS_OK)
        if bad.size:
            j = int(bad[0])
            msg = (f"drift-diffusion integration failed (status {int(status[j])}) for device {j} "
                   f"of the batch: voltage {float(v[j]):g} V, duration {float(d[j]):g} s, "
                   f"n={self.n}, free={self.free}")
            raise RuntimeError(msg)

    def evolve_times(self, state, voltage_V: float, times_s) -> np.ndarray:
        """States of ONE device at each of the sorted *times_s* (>= 0) after the start of one
        constant-voltage segment, from one integration.  Returns shape (T, S)."""
        c, tr = self._split(state)
        if c.ndim != 1:
            msg = f"evolve_times takes the state of ONE device, shape ({self.state_size},); got {np.shape(state)}"
            raise ValueError(msg)
        self._check_state(c, tr)
        t = nonnegative(times_s, "times_s", "times after the segment start", "s").reshape(-1)
        if np.any(np.diff(t) < 0):
            raise ValueError("times_s must be sorted in non-decreasing order (s)")
        v = float(finite(voltage_V, "voltage_V", "segment voltage", "V"))
        if t[-1] == 0.0:
            return np.broadcast_to(np.asarray(state, float), (t.size, self.state_size)).copy()
        x = np.ascontiguousarray(state, dtype=float)
        key = self._cache.key(x, v, t)
        hit = self._cache.get(key)
        if hit is not None:
            self.last_stats = np.zeros(4, dtype=np.int64)
            return hit.copy()
        out_c = np.empty((t.size, self.n_cells))
        out_n = np.empty((t.size, self.n_classes, self.n_cells))
        stats = np.zeros(4, dtype=np.int64)
        m = self.mesh
        vt = K_B * self.temperature_K / Q_E
        st = kern.integrate(np.ascontiguousarray(c, dtype=float), np.ascontiguousarray(tr, dtype=float),
                            v / vt, float(t[-1]), np.ascontiguousarray(t), m.widths, m.centres,
                            m.dist, self._lam2, self._dn, self._gam, self._rel, self.params.rtol,
                            self.params.atol, self._h0, self._flux_mode, out_c, out_n, stats)
        self.last_stats = stats
        self._raise_on(np.array([st]), np.array([v]), np.array([t[-1]]))
        out = np.concatenate([out_c, out_n.reshape(t.size, -1)], axis=1)
        self._cache.put(key, out)
        return out

    def at_temperature(self, temperature_K: float) -> "DriftDiffusionDevice":
        """The same film held at *temperature_K* [K]."""
        return DriftDiffusionDevice(self.n, self.free, self.params, temperature_K, self._flux_mode,
                                    self.pset)

    # ------------------------------------------------------------------ ionic observables
    def ion_count(self, state) -> np.ndarray:
        """Vacancies per area, ∫ (c + Σ_k n_k) dx [N0 L], shape (...)."""
        c, tr = self._split(state)
        return (c + tr.sum(axis=-2)) @ self.mesh.widths

    def dipole(self, state) -> np.ndarray:
        """Dipole moment per area of the net ionic charge, ∫ x ρ dx [q N0 L²], shape (...)."""
        c, tr = self._split(state)
        return (c + tr.sum(axis=-2) - 1.0) @ (self.mesh.widths * self.mesh.centres)

    def interfacial_field(self, state) -> np.ndarray:
        """Field of the ionic charge at either contact, E = p/(εL) [V/m] (both contacts grounded;
        positive = pointing from BCCP to Al), shape (...)."""
        p = self.params
        return self.dipole(state) * Q_E * p.vacancy_density_m3 * p.thickness_m / p.permittivity_F_m

    def potential(self, state, voltage_V: float = 0.0) -> np.ndarray:
        """Cell potentials φ [V] of ONE state at the applied voltage *voltage_V* (Poisson)."""
        c, tr = self._split(state)
        if c.ndim != 1:
            raise ValueError("potential takes the state of ONE device")
        rho = np.ascontiguousarray(c + tr.sum(axis=0) - 1.0)
        vt = K_B * self.temperature_K / Q_E
        phi = np.empty(self.n_cells)
        m = self.mesh
        kern.poisson_potential(rho, m.widths, m.dist, self._lam2, float(voltage_V) / vt, phi)
        return phi * vt

    # ------------------------------------------------------------------ read current
    def _ionic_per_area(self, free_profile, temperature_K):
        """Nernst–Einstein conductance of the free vacancies across the film [S/m²]."""
        p = self.params
        t = np.asarray(temperature_K, dtype=float)
        sigma = Q_E ** 2 * self.diffusivity(t) * p.vacancy_density_m3 / (K_B * t)   # S/m at c = N0
        resist = (1.0 / np.asarray(free_profile, dtype=float)) @ self.mesh.widths    # ∫ dξ / c
        return sigma / (p.thickness_m * resist)

    def _lowering(self, state, read_voltage_V: float):
        """Field lowering q E d_s of the injection barrier [eV] at a read of *read_voltage_V*:
        E is the field along the direction in which the read drives injected carriers into the
        film, the ionic p/(εL) plus the read field |V|/L."""
        sign = 1.0 if read_voltage_V <= 0.0 else -1.0
        return self.gating_length_m * (sign * self.interfacial_field(state)
                                       + abs(read_voltage_V) / self.params.thickness_m)

    def _conductances(self, state, read_voltage_V, temperature_K, area_um2):
        p = self.params
        t = positive(self.temperature_K if temperature_K is None else temperature_K,
                     "temperature_K", "read temperature", "K")
        area = positive(area_um2, "area_um2", "device area", "um^2") * 1e-12
        vr = float(finite(read_voltage_V, "read_voltage_V", "read voltage", "V"))
        c, _ = self._split(state)
        g_ion = self._ionic_per_area(c, t) * area
        low = self._lowering(state, vr)
        tr = p.reference_temperature_K
        g_e = (self._g_e_ref * area * (t / tr)
               * np.exp(-p.injection_barrier_eV / K_B_EV * (1.0 / t - 1.0 / tr))
               * np.exp(barrier_change(low, p.injection_barrier_eV) / (K_B_EV * t)))
        return g_ion, g_e, low, t

    def read_current(self, state, read_voltage_V=-0.01, temperature_K=None, area_um2=62500.0) -> np.ndarray:
        """Current [A] (signed like the read voltage) of states (..., S) at a short read that
        does not disturb them; *temperature_K* and *area_um2* broadcast against the batch."""
        g_ion, g_e, _, _ = self._conductances(state, read_voltage_V, temperature_K, area_um2)
        return float(read_voltage_V) * (g_ion + g_e)

    def conductance(self, state, temperature_K=None, area_um2=62500.0) -> np.ndarray:
        """Small-signal conductance dI/dV [S] at the paper's read voltage, shape (...)."""
        p = self.params
        vr = p.read_voltage_V
        g_ion, g_e, low, t = self._conductances(state, vr, temperature_K, area_um2)
        slope = barrier_change_slope(low, p.injection_barrier_eV)
        return g_ion + g_e * (1.0 + slope * self.gating_length_m * abs(vr) / (p.thickness_m * K_B_EV * t))

    def synaptic_weight(self, state, read_voltage_V: float | None = None) -> np.ndarray:
        """y = (I − I0)/I0 at the read voltage (default: the paper's), I0 of the pristine
        device at the same read; shape (...)."""
        vr = self.params.read_voltage_V if read_voltage_V is None else float(read_voltage_V)
        i0 = float(self.read_current(self._rest, vr))
        return np.asarray(self.read_current(state, vr)) / i0 - 1.0


def build_device(n, free: dict, params: DDParameters | None = None,
                 temperature_K: float | None = None, pset: ParameterSet | None = None) -> DriftDiffusionDevice:
    """The device of film *n* for the free values *free*: physics from *params* (default: built
    from *pset*), protocol numbers from *pset* (default: data/)."""
    pset = default_parameter_set() if pset is None else pset
    params = parameters_from_pset(pset) if params is None else params
    return DriftDiffusionDevice(n, free, params, temperature_K, pset=pset)


class DriftDiffusionModel:
    """The drift–diffusion model as a :class:`~analysis.physics.interface.SynapseModel`.

    Parameters
    ----------
    mesh : dict, optional
        Mesh settings that replace those of the parameter set (e.g. :data:`QUICK_MESH`, the
        quick profile's coarser mesh); default none (the mesh of data/).
    """

    name = NAME
    free_parameters = FREE_PARAMETERS
    scale_parameters = ()

    def __init__(self, mesh: dict | None = None):
        self.mesh = dict(mesh or {})

    def parameters(self, pset: ParameterSet | None = None) -> DDParameters:
        """The model's parameters under *pset* (default data/), with this model's mesh."""
        if not self.mesh:
            return parameters_from_pset(pset)
        return parameters_from_values({**values_from_pset(pset), **self.mesh})

    def build(self, n, free, pset: ParameterSet | None = None) -> DriftDiffusionDevice:
        """The synapse of film *n* with the free values *free*, everything else from *pset*."""
        return build_device(n, free, self.parameters(pset), pset=pset)

    def calibrated_free(self, n, calibrated=None) -> dict:
        """The free values of film *n* in *calibrated* (default: the reference calibration,
        data/reference/calibration/driftdiffusion.yaml)."""
        from analysis.physics import dd_calibration
        return dd_calibration.calibrated_free(n, calibrated)

    def calibrate(self, n, target, pset: ParameterSet | None = None, start=None) -> dict:
        """Free values of film *n* reproducing *target* ``{"b", "m", "Ea"}``
        (:func:`analysis.physics.dd_calibration.calibrate_film`)."""
        from analysis.physics import dd_calibration
        return dd_calibration.calibrate_film(n, target=target, pset=pset, start=start,
                                             params=self.parameters(pset))

    def calibrate_scale(self, n, free, target, pset: ParameterSet | None = None) -> dict:
        """No scale parameter: the read current follows from the model's own electronic
        parameters (data/parameters/driftdiffusion.yaml), so the energy per spike is a
        prediction of this model, not a calibration target."""
        return {"free": {}, "achieved_J": None}


MODEL = DriftDiffusionModel()
"""The drift–diffusion synapse model (the :class:`~analysis.physics.interface.SynapseModel`)."""

__all__ = ["NAME", "MODEL", "QUICK_MESH", "DriftDiffusionModel", "FREE_PARAMETERS", "START", "FreeParameter",
           "check_free", "DriftDiffusionDevice", "build_device", "DDParameters",
           "parameters_from_values", "parameters_from_pset", "values_from_pset", "default_values",
           "default_parameters"]
