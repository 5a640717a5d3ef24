"""Verification of the drift–diffusion model (analysis/physics/driftdiffusion.py).

Every check compares the simulation with something it could disagree with: closed forms of
the equilibrium (Debye–Hückel; Boltzmann; the Gouy–Chapman contact theorem), relaxation rates
of small perturbations, the exact count of ions, mesh and step refinement, the functional
form of forgetting without traps, and a deliberately broken flux that the equilibrium check
must catch.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.constants import e as Q_E
from scipy.constants import k as K_B

from analysis.physics import dd_calibration as cal
from analysis.physics import dd_parameters as ddp
from analysis.physics import driftdiffusion as dd
from analysis.physics import interface, protocols, table2

FREE = {"ea_eV": 0.1, "dispersion": 0.5, "gating_length_nm": 10.0}
V_T = K_B * 300.0 / Q_E


def device(n="inf", free=None, flux_mode=0, **overrides):
    params = dd.default_parameters(**overrides)
    return dd.DriftDiffusionDevice(n, FREE if free is None else free, params, _flux_mode=flux_mode)


# --------------------------------------------------------------------------- parameters
def test_parameters_from_values_names_missing_and_bad_values():
    vals = dd.default_values()
    params = dd.parameters_from_values(vals)
    assert hash(params) == hash(dd.parameters_from_values(dict(vals)))     # frozen, hashable
    with pytest.raises(AttributeError):
        params.vacancy_density_m3 = 1.0
    bad = dict(vals)
    del bad["vacancy_density"]
    with pytest.raises(ValueError, match="lack vacancy_density"):
        dd.parameters_from_values(bad)
    with pytest.raises(ValueError, match="relative_permittivity=-1"):
        dd.parameters_from_values({**vals, "relative_permittivity": -1})
    with pytest.raises(ValueError, match="trap_classes=2.5 must be an integer"):
        dd.parameters_from_values({**vals, "trap_classes": 2.5})
    with pytest.raises(ValueError, match="ionic_transport_number=1.5 must lie in"):
        dd.parameters_from_values({**vals, "ionic_transport_number": 1.5})
    with pytest.raises(ValueError, match="longest_release_time"):
        dd.parameters_from_values({**vals, "longest_release_time": 1e-4})
    with pytest.raises(ValueError, match="unknown drift-diffusion parameters"):
        dd.default_parameters(vacancy_densty=1.0)


def test_free_parameters_are_checked():
    with pytest.raises(ValueError, match="missing \\['gating_length_nm'\\]"):
        dd.build_device("3", {"ea_eV": 0.1, "dispersion": 0.5})
    with pytest.raises(ValueError, match="ea_eV=0.9 must lie within"):
        dd.build_device("3", {**FREE, "ea_eV": 0.9})
    with pytest.raises(ValueError, match="dimensionality n='7'"):
        dd.build_device("7", FREE)
    names = [p.name for p in dd.FREE_PARAMETERS]
    assert names == ["ea_eV", "dispersion", "gating_length_nm"]
    for p in dd.FREE_PARAMETERS:
        assert p.lower < dd.START[p.name] < p.upper and p.target in ("b", "m", "Ea")


def test_laminate_diffusivity():
    """D_⊥ of the slab/barrier stack: series formula, n = ∞ without barriers, n → large → D_s."""
    p = dd.default_parameters()
    kt = ddp.K_B_EV * 300.0
    d_s = p.diffusivity_prefactor_m2_s * math.exp(-0.1 / kt)
    assert ddp.out_of_plane_diffusivity(p, "inf", 0.1, 300.0) == pytest.approx(d_s, rel=1e-14)
    a, d_b = p.layer_spacing_m, p.barrier_thickness_m
    d_bar = d_s * math.exp(-p.barrier_extra_energy_eV / kt)
    expect = (a + d_b) / (a / d_s + d_b / d_bar)
    assert ddp.out_of_plane_diffusivity(p, "1", 0.1, 300.0) == pytest.approx(expect, rel=1e-14)
    values = [float(ddp.out_of_plane_diffusivity(p, n, 0.1, 300.0)) for n in ("1", "2", "3", "4", "5")]
    assert values == sorted(values) and values[-1] < d_s


# --------------------------------------------------------------------------- equilibrium
def equilibrium_failures(dev) -> list[str]:
    """The equilibrium check: what the steady state under a fixed bias gets wrong.

    (a) linear regime, V = 0.01 V_T: c and φ against the Debye–Hückel closed form
        c = 1 − (v/2) sinh((x − ½)/λ)/sinh(1/2λ), φ = v/2 + (v/2) sinh(…)/sinh(…)
        (zero flux + neutrality fix the chemical potential at v/2), within 1 % of v/2;
    (b) V = −0.5 V: the Boltzmann distribution ln c + φ/V_T = const (zero flux) to 1e-9;
    (c) V = −1 V: the Gouy–Chapman contact theorem at both contacts,
        Q²/(2λ²) = c_w − 1 − ln c_w (Q the charge between the neutral middle and the wall,
        c_w = C exp(−φ_w) the contact density), within 3 %.
    """
    fails = []
    lam = math.sqrt(dev._lam2)
    xc = dev.mesh.centres
    n = dev.n_cells
    try:
        v = 0.01 * V_T
        x = dev.evolve(dev.rest_state(), v, 2e-3)
        shape = np.sinh((xc - 0.5) / lam) / np.sinh(0.5 / lam)
        amp = 0.5 * v / V_T
        err_c = np.max(np.abs(x[:n] - (1.0 - amp * shape))) / amp
        err_phi = np.max(np.abs(dev.potential(x, v) / V_T - amp * (1.0 + shape))) / amp
        if not (err_c < 0.01 and err_phi < 0.01):
            fails.append(f"Debye-Hueckel: max error of c {err_c:.3g}, of phi {err_phi:.3g} (of v/2)")
        x = dev.evolve(dev.rest_state(), -0.5, 2e-3)
        mu = np.log(x[:n]) + dev.potential(x, -0.5) / V_T
        if not np.ptp(mu) < 1e-9:
            fails.append(f"Boltzmann: ln c + phi/V_T varies by {np.ptp(mu):.3g}")
        vv = -1.0
        x = dev.evolve(dev.rest_state(), vv, 2e-3)
        c = x[:n]
        mu = np.log(c) + dev.potential(x, vv) / V_T
        big_c = math.exp(float(np.mean(mu)))
        w = dev.mesh.widths
        for name, side, phi_w in (("Al", xc > 0.5, vv / V_T), ("BCCP", xc <= 0.5, 0.0)):
            q = float(np.sum((c[side] - 1.0) * w[side]))
            c_w = big_c * math.exp(-phi_w)
            rel = q * q / (2.0 * dev._lam2) / (c_w - 1.0 - math.log(c_w)) - 1.0
            if not abs(rel) < 0.03:
                fails.append(f"contact theorem at {name}: off by {rel:.3g}")
    except RuntimeError as exc:
        fails.append(f"no steady state reached: {exc}")
    return fails


def test_equilibrium_matches_closed_forms():
    assert equilibrium_failures(device(trap_fraction=0.0)) == []


def test_equilibrium_with_traps_is_boltzmann_and_trap_equilibrium():
    """With traps (release times 10 µs-10 ms here, so that all of them equilibrate in 1 s) the
    steady state under bias is Boltzmann for the free vacancies and n_k = K_k c in every cell."""
    dev = device("3", trap_fraction=3.0, shortest_release_time=1e-5, longest_release_time=1e-2)
    x = dev.evolve(dev.rest_state(), -0.5, 1.0)
    c, tr = dev._split(x)
    mu = np.log(c) + dev.potential(x, -0.5) / V_T
    assert np.ptp(mu) < 1e-9
    np.testing.assert_allclose(tr / c[None, :], np.broadcast_to(dev.ratios[:, None], tr.shape), rtol=1e-8)
    assert float(dev.ion_count(x)) == pytest.approx(float(dev.ion_count(dev.rest_state())), rel=1e-13)


@pytest.mark.parametrize("mode, what", [(1, "central-difference drift"), (2, "reversed drift")])
def test_equilibrium_check_detects_a_broken_flux(mode, what):
    """The same check fails for a flux broken on purpose (test-only hook)."""
    fails = equilibrium_failures(device(trap_fraction=0.0, flux_mode=mode))
    assert fails, f"the equilibrium check did not notice a {what}"


# --------------------------------------------------------------------------- relaxation
def test_slowest_diffusion_mode_uncharged_limit():
    """No Poisson coupling (ε huge): cos(πx/L) decays at rate π² D / L² (within 0.5 %)."""
    dev = device(trap_fraction=0.0, relative_permittivity=1e12, relative_tolerance=1e-10,
                 absolute_tolerance=1e-10)
    assert math.sqrt(dev._lam2) > 100.0
    xc, w = dev.mesh.centres, dev.mesh.widths
    x0 = dev.rest_state()
    x0[:dev.n_cells] = 1.0 + 1e-3 * np.cos(np.pi * xc)
    tau = dev.params.thickness_m ** 2 / (np.pi ** 2 * float(dev.diffusivity()))
    ts = tau * np.array([0.5, 1.0, 2.0, 3.0])
    amp = [2.0 * np.sum(w * (x[:dev.n_cells] - 1.0) * np.cos(np.pi * xc)) for x in dev.evolve_times(x0, 0.0, ts)]
    rate = -np.polyfit(ts, np.log(amp), 1)[0]
    assert rate * tau == pytest.approx(1.0, abs=5e-3)


def test_dielectric_relaxation_charged_case():
    """A small charge perturbation cos(2πx/L) decays at D (1/λ_D² + k²): for λ_D ≪ L the
    dielectric relaxation time ε/(q μ N0) = λ_D²/D (within 0.5 %)."""
    dev = device(trap_fraction=0.0, relative_tolerance=1e-10, absolute_tolerance=1e-10)
    lam2 = dev._lam2
    assert lam2 < 1e-4
    p = dev.params
    mu = float(dev.diffusivity()) / V_T
    tau_d = p.permittivity_F_m / (Q_E * mu * p.vacancy_density_m3)
    assert dev.dielectric_time() == pytest.approx(tau_d, rel=1e-12)
    xc = dev.mesh.centres
    x0 = dev.rest_state()
    x0[:dev.n_cells] = 1.0 + 1e-3 * np.cos(2.0 * np.pi * xc)
    rate_th = (1.0 + (2.0 * np.pi) ** 2 * lam2) / tau_d
    ts = np.array([1.0, 2.0, 3.0, 4.0]) / rate_th
    mid = int(np.argmin(np.abs(xc - 0.5)))
    d = [1.0 - x[mid] for x in dev.evolve_times(x0, 0.0, ts)]
    rate = -np.polyfit(ts, np.log(d), 1)[0]
    assert rate / rate_th == pytest.approx(1.0, abs=5e-3)


def test_no_traps_forget_exponentially_with_the_double_layer_time():
    """Without traps, what a small spike leaves decays as one exponential (a power-law fit is
    far worse) with the RC time λ_D L/(2D) of the two double layers (within 3 %): the ionic
    dipole from 0.5 τ on, the synaptic weight from 1.5 τ on (before, the second-order drop of
    the ionic conductance still shows).  With the trap distribution (the calibrated n = 3
    film) the forgetting over 0.05-15 s is the other way round: a power law fits better (in
    log-log, RMS 0.07 against 0.17 for the exponential)."""
    def rms(a, b):
        coef = np.polyfit(a, b, 1)
        return float(np.sqrt(np.mean((np.polyval(coef, a) - b) ** 2))), coef

    # a short gating length keeps y linear in the dipole (y ≈ t_e q d_s E/kT)
    dev = device(free={**FREE, "gating_length_nm": 0.1}, trap_fraction=0.0,
                 relative_tolerance=1e-8, absolute_tolerance=1e-9)
    tau_c = dev.double_layer_time()
    x = dev.evolve(dev.rest_state(), -0.02, 0.02)
    for quantity, start in (("dipole", 0.5), ("weight", 1.5)):
        ts = tau_c * np.linspace(start, start + 6.0, 40)
        xs = dev.evolve_times(x, 0.0, ts)
        y = np.asarray(dev.dipole(xs) if quantity == "dipole" else dev.synaptic_weight(xs, -0.1))
        assert np.all(y > 0)
        r_exp, coef = rms(ts, np.log(y))
        r_pow, _ = rms(np.log(ts), np.log(y))
        assert r_exp < 0.05 * r_pow, quantity
        assert -1.0 / coef[0] == pytest.approx(tau_c, rel=0.03), quantity
    dev3 = cal.calibrated_device("3")
    t, states = cal.retention_experiment(dev3)
    y3 = cal.retention_weight(dev3, states)
    r_exp3, _ = rms(t, np.log(y3))
    r_pow3, _ = rms(np.log(t), np.log(y3))
    assert r_pow3 < 0.5 * r_exp3


# --------------------------------------------------------------------------- conservation
SEGMENTS = [(-1.0, 0.02), (0.0, 0.18), (1.0, 0.02), (-1.8, 0.2), (0.0, 1e-6), (2.0, 1e-3),
            (-0.02, 0.5), (1.0, 2.0), (0.0, 15.0), (-1.0, 1e-9)]


@pytest.mark.parametrize("n", ["1", "3", "inf"])
def test_ions_conserved_and_densities_nonnegative(n):
    """Through spikes, rests, both polarities, long and short segments: the number of ions
    changes by < 1e-14 (relative; round-off — without the kernel's final correction of the
    Newton residual it drifts by up to 1.4e-13 here) and no density becomes negative."""
    dev = cal.calibrated_device(n)
    x = dev.rest_state()
    q0 = float(dev.ion_count(x))
    for v, d in SEGMENTS:
        x = dev.evolve(x, v, d)
        c, tr = dev._split(x)
        assert np.all(c > 0) and np.all(tr >= 0), (v, d)
        assert abs(float(dev.ion_count(x)) / q0 - 1.0) < 1e-14, (v, d)
    # evolve_times outputs too
    xs = dev.evolve_times(x, -1.0, np.linspace(0.0, 0.05, 11))
    assert np.all(xs >= 0) and np.all(xs[:, :dev.n_cells] > 0)
    assert np.max(np.abs(dev.ion_count(xs) / q0 - 1.0)) < 1e-14


# --------------------------------------------------------------------------- interface
def test_interface_shapes_batches_and_errors():
    dev = cal.calibrated_device("3")
    assert dev.model == "driftdiffusion" and dev.n == "3" and dev.temperature_K == 300.0
    assert dev.read_delay_s == pytest.approx(1e-3)
    s = dev.state_size
    x = dev.rest_state((2, 3))
    assert x.shape == (2, 3, s)
    v = np.array([[-1.0, 0.0, 1.0], [-0.5, -1.0, 0.0]])
    d = np.array([[0.02, 0.1, 0.02], [0.0, 0.01, 0.0]])
    out = dev.evolve(x, v, d)
    assert out.shape == (2, 3, s)
    np.testing.assert_array_equal(out[1, 0], x[1, 0])                # duration 0: a copy
    np.testing.assert_allclose(out[0, 0], dev.evolve(dev.rest_state(), -1.0, 0.02), rtol=0, atol=0)
    np.testing.assert_allclose(out[0, 1], dev.rest_state(), rtol=1e-12)   # rest stays at rest
    times = np.array([0.0, 0.005, 0.02])
    tr = dev.evolve_times(dev.rest_state(), -1.0, times)
    assert tr.shape == (3, s)
    np.testing.assert_array_equal(tr[0], dev.rest_state())
    np.testing.assert_allclose(tr[-1], out[0, 0], rtol=2e-3, atol=1e-6)
    assert dev.read_current(x, -0.01).shape == (2, 3)
    assert dev.conductance(x).shape == (2, 3) and dev.synaptic_weight(x).shape == (2, 3)
    assert np.all(dev.read_current(out, -0.01) < 0) and np.all(dev.read_current(out, 0.1) > 0)
    np.testing.assert_allclose(dev.synaptic_weight(x), 0.0, atol=1e-14)
    g = dev.read_current(x[0, 0], -0.01, temperature_K=np.array([250.0, 300.0]))
    assert g.shape == (2,) and abs(g[0]) < abs(g[1])
    with pytest.raises(ValueError, match="last axis must have"):
        dev.evolve(np.zeros(5), 0.0, 1.0)
    with pytest.raises(ValueError, match="duration_s=-1.0 must be finite and >= 0"):
        dev.evolve(dev.rest_state(), 0.0, -1.0)
    with pytest.raises(ValueError, match="times_s must be sorted"):
        dev.evolve_times(dev.rest_state(), 0.0, [0.2, 0.1])
    with pytest.raises(ValueError, match="free densities > 0"):
        bad = dev.rest_state()
        bad[0] = -1.0
        dev.evolve(bad, 0.0, 1.0)


def test_the_device_model_interface_holds():
    """The interface's own contract (check_synapse), the SynapseModel protocol, and the engine's
    Table 2 analysis of a calibrated film equal to the calibration's."""
    dev = dd.MODEL.build("3", cal.calibrated_free("3"))
    assert isinstance(dev, interface.Synapse) and isinstance(dd.MODEL, interface.SynapseModel)
    assert interface.check_synapse(dev) == []
    assert dd.MODEL.free_parameters == dd.FREE_PARAMETERS
    assert dev.attributes()["device_model"] == "driftdiffusion"
    assert dev.relaxation_time_s == pytest.approx(dev.params.longest_release_s)
    row = table2.table2_row(dev)
    mine = cal.table2_row(dev)
    for k in ("b", "m", "Ea"):
        assert row[k] == pytest.approx(mine[k], rel=1e-12)


def test_segment_cache_is_exact_and_batches_broadcast():
    """A repeated segment is looked up bit for bit; one state with an array of durations is a
    batch; identical rows of a batch are integrated once and equal the single results."""
    free = cal.calibrated_free("1")
    a = dd.build_device("1", free)
    b = dd.build_device("1", free)
    x = a.evolve(a.rest_state(), -1.0, 0.02)
    again = a.evolve(a.rest_state(), -1.0, 0.02)
    assert a.last_stats[0] == 0                                  # no integration: cached
    np.testing.assert_array_equal(x, again)
    np.testing.assert_array_equal(x, b.evolve(b.rest_state(), -1.0, 0.02))
    durations = np.array([0.0, 0.01, 0.05])
    many = a.evolve(x, 0.0, durations)
    assert many.shape == (3, a.state_size)
    for j, dur in enumerate(durations):
        np.testing.assert_array_equal(many[j], b.evolve(x, 0.0, dur))
    same = a.evolve(np.broadcast_to(a.rest_state(), (4, a.state_size)), -0.5, 0.02)
    np.testing.assert_array_equal(same, np.broadcast_to(b.evolve(b.rest_state(), -0.5, 0.02), same.shape))
    t = protocols.retention_times()
    np.testing.assert_array_equal(a.evolve_times(x, 0.0, t), a.evolve_times(x, 0.0, t))
    np.testing.assert_array_equal(a.evolve_times(x, 0.0, t)[-1], b.evolve(x, 0.0, t[-1]))


def test_potentiation_and_depression_signs():
    """A negative spike on Al raises the current of a negative read, a positive one lowers it."""
    dev = cal.calibrated_device("3")
    x0 = dev.rest_state()
    up = dev.evolve(dev.evolve(x0, -1.0, 0.02), 0.0, dev.read_delay_s)
    down = dev.evolve(dev.evolve(x0, 1.0, 0.02), 0.0, dev.read_delay_s)
    assert dev.synaptic_weight(up) > 0.05 and dev.synaptic_weight(down) < -0.01
    assert dev.dipole(up) > 0 > dev.dipole(down)
    # the conductance is the derivative of the read current at the read voltage
    vr = dev.params.read_voltage_V
    h = 1e-6
    num = (dev.read_current(up, vr + h) - dev.read_current(up, vr - h)) / (2 * h)
    assert float(dev.conductance(up)) == pytest.approx(float(num), rel=1e-6)


def test_arrhenius_slope_of_an_ionic_film_is_the_hop_energy():
    """With t_ion = 1 and n = ∞, R ∝ T exp(E_a/kT): the fitted E_A over 250-340 K is
    E_a − k/<1/T> to within 1 meV (the link of E_A to the vacancy diffusivity)."""
    dev = device("inf", ionic_transport_number=1.0)
    temps, r = cal.resistance_experiment(dev)
    fit = cal.protocols.fit_activation(temps, r)
    sel = temps >= 250.0
    expect = 0.1 - ddp.K_B_EV / np.mean(1.0 / temps[sel])
    assert fit["ea_eV"] == pytest.approx(expect, abs=1e-3)


# --------------------------------------------------------------------------- convergence
def claim_metrics(dev) -> dict:
    """EPSC peak I/I0, PPF A2/A1 at 20 ms, SFDP A5/A1 at 25 Hz, retention b and m."""
    vr, amp, wd = -0.01, -1.0, 0.02
    x0 = dev.rest_state()
    i0 = float(dev.read_current(x0, vr))

    def read(x):
        return float(dev.read_current(dev.evolve(x, 0.0, dev.read_delay_s), vr))

    s1 = dev.evolve(x0, amp, wd)
    a1 = read(s1)
    a2 = read(dev.evolve(dev.evolve(s1, 0.0, 0.02), amp, wd))
    x = s1
    for _ in range(4):
        x = dev.evolve(dev.evolve(x, 0.0, 0.04 - wd), amp, wd)
    a5 = read(x)
    t, states = cal.retention_experiment(dev)
    fit = cal.protocols.fit_retention(t, cal.retention_weight(dev, states))
    return {"epsc": a1 / i0, "ppf": a2 / a1, "sfdp": a5 / a1, "b": fit["b"], "m": fit["m"]}


def _relative_changes(a, b):
    out = {}
    for k in a:
        base = 1.0 if k in ("ppf", "sfdp") else 0.0       # indices: compare the excess over 1
        out[k] = abs(a[k] - b[k]) / abs(b[k] - base)
    return out


TOLERANCE = {"epsc": 0.01, "ppf": 0.02, "sfdp": 0.02, "b": 0.01, "m": 0.005}
"""Largest relative change of a claim metric under refinement (PPF, SFDP: of the index − 1)."""
TOLERANCE_QUICK = {"epsc": 0.02, "ppf": 0.03, "sfdp": 0.03, "b": 0.02, "m": 0.005}
"""The same for the coarser mesh of the quick profile (60 cells, wall cell 5e-4 L)."""


@pytest.mark.parametrize("n", ["1", "3"])
def test_claim_metrics_converge_under_mesh_and_step_refinement(n):
    free = cal.calibrated_free(n)
    base = claim_metrics(dd.build_device(n, free))
    fine = claim_metrics(dd.build_device(n, free, dd.default_parameters(
        mesh_cells=200, mesh_wall_spacing=1.5e-4, relative_tolerance=1e-7, absolute_tolerance=1e-7)))
    quick = claim_metrics(dd.build_device(n, free, dd.default_parameters(**dd.QUICK_MESH)))
    steps = claim_metrics(dd.build_device(n, free, dd.default_parameters(
        relative_tolerance=1e-7, absolute_tolerance=1e-7)))
    for k, r in _relative_changes(base, fine).items():
        assert r < TOLERANCE[k], (k, base[k], fine[k])
    for k, r in _relative_changes(quick, fine).items():
        assert r < TOLERANCE_QUICK[k], (k, quick[k], fine[k])
    for k, r in _relative_changes(base, steps).items():      # the step control alone
        assert r < 0.5 * TOLERANCE[k], (k, base[k], steps[k])


# --------------------------------------------------------------------------- calibration
def test_stored_calibration_is_reproduced_and_within_tolerance():
    """The simulated experiments of the stored calibrated film reproduce the stored achieved
    values, and those lie within the Table 2 tolerances."""
    from analysis.parameters import load_yaml
    stored = load_yaml("reference/calibration/driftdiffusion.yaml")
    for n in ("3",):
        row = cal.table2_row(cal.calibrated_device(n))
        for name, key in (("ea_eV", "Ea"), ("dispersion", "m"), ("gating_length_nm", "b")):
            assert row[key] == pytest.approx(stored[name]["achieved"][n], rel=1e-6)
    tgt = {n: cal.targets(n) for n in ("1", "2", "3", "4", "5", "inf")}
    for n, t in tgt.items():
        assert abs(stored["gating_length_nm"]["achieved"][n] / t["b"] - 1) <= cal.TOLERANCES["b"]
        assert abs(stored["dispersion"]["achieved"][n] / t["m"] - 1) <= cal.TOLERANCES["m"]
        assert abs(stored["ea_eV"]["achieved"][n] - t["Ea"]) <= cal.TOLERANCES["Ea"]


@pytest.mark.slow
def test_calibration_reaches_a_target_of_choice():
    res = cal.calibrate_film("3", target={"b": 0.05, "m": 0.6, "Ea": 0.12})
    assert all(res["within_tolerance"].values())
    assert res["achieved"]["b"] == pytest.approx(0.05, rel=1e-6)


# --------------------------------------------------------------------------- warm start (quick profile)
def _reference_mapping():
    import yaml
    return yaml.safe_load(cal.reference_path().read_text(encoding="utf-8"))


def test_warm_start_file_missing_or_not_a_calibration_is_named(tmp_path, capsys):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(FileNotFoundError, match=r"warm-start file .*absent\.yaml not found"):
        cal.warm_starts(missing)
    bad = tmp_path / "bad.yaml"
    bad.write_text("ea_eV: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"warm-start file .*bad\.yaml is not a calibration file"):
        cal.warm_starts(bad)
    with pytest.raises(SystemExit):            # the CLI stops before calibrating anything
        cal.main(["--n", "3", "--start", str(missing), "--output", str(tmp_path / "out.yaml")])
    assert "absent.yaml not found" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()


def test_warm_start_only_for_films_solved_for_todays_target(tmp_path):
    """A film gets its stored solution as start only when the file solved it for today's Table 2
    target, within the bounds; a stale, absent, failed or out-of-bounds film starts cold."""
    import yaml
    starts, cold = cal.warm_starts(cal.reference_path())
    assert cold == {} and set(starts) == {"1", "2", "3", "4", "5", "inf"}
    assert starts["3"] == cal.calibrated_free("3")
    m = _reference_mapping()
    m["gating_length_nm"]["target"]["3"] *= 1.5           # solved for another b
    m["dispersion"]["value"]["4"] = 9.0                    # beyond the bounds [-1.5, 4]
    del m["ea_eV"]["target"]["5"]                          # no entry
    for entry in m.values():                               # 2 failed there
        entry.setdefault("failed", {})["2"] = "m target not reached"
        for key in ("value", "achieved", "residual", "within_tolerance"):
            entry[key].pop("2")
    stale = tmp_path / "stale.yaml"
    stale.write_text(yaml.safe_dump(m), encoding="utf-8")
    starts, cold = cal.warm_starts(stale)
    assert set(starts) == {"1", "inf"}
    assert set(cold) == {"2", "3", "4", "5"}
    assert "not today's" in cold["3"] and "dispersion=9" in cold["4"]
    assert "no entry" in cold["5"] and "failed" in cold["2"]


def _count_retention(monkeypatch):
    calls = []
    original = cal.retention_experiment

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(cal, "retention_experiment", counted)
    return calls


@pytest.mark.parametrize("offset, budget", [(0.0, 1.0), (0.05, 2.0)])
def test_warm_start_ends_where_the_cold_start_ends(monkeypatch, offset, budget):
    """From the stored solution (offset 0) or one 0.05 off in α, the warm search ends at the
    cold search's result within the search's tolerance (xtol 1e-6 in α); from the stored
    solution with fewer retention simulations than the cold search (also than the cold search's
    steps from that start), from the start 0.05 off with fewer than twice as many (the growing
    step: fixed 1e-4 steps would need 500)."""
    params = dd.default_parameters(**dd.QUICK_MESH)
    calls = _count_retention(monkeypatch)
    cold = cal.calibrate_film("3", params=params)
    n_cold = len(calls)
    start = dict(cal.calibrated_free("3"))
    start["dispersion"] += offset
    calls.clear()
    warm = cal.calibrate_film("3", params=params, start=start, warm=True)
    assert len(calls) < budget * n_cold, (len(calls), n_cold)
    if offset == 0.0:          # the warm steps, not only the start, save simulations
        n_warm = len(calls)
        calls.clear()
        cal.calibrate_film("3", params=params, start=start)
        assert n_warm < len(calls), (n_warm, len(calls))
    assert warm["free"]["dispersion"] == pytest.approx(cold["free"]["dispersion"], abs=2e-6)
    assert warm["free"]["gating_length_nm"] == pytest.approx(cold["free"]["gating_length_nm"], rel=1e-5)
    assert warm["free"]["ea_eV"] == pytest.approx(cold["free"]["ea_eV"], abs=1e-8)
    assert all(warm["within_tolerance"].values())
    for key, tol in (("b", 1e-6), ("m", 1e-5), ("Ea", 1e-8)):
        assert warm["achieved"][key] == pytest.approx(cold["achieved"][key], rel=tol, abs=1e-12)
