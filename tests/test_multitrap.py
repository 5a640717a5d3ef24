"""Tests of the synapse model (analysis/physics/multitrap.py): exactness, conservation, physics."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from analysis.physics import multitrap as dev
from analysis.physics.dimensionality import N_VALUES


@pytest.fixture(scope="module")
def p3():
    return dev.load_parameters("3")


def test_load_parameters_has_schematic_attributes():
    for n in N_VALUES:
        p = dev.load_parameters(n)
        assert p.n == n
        assert 0 < p.ea_eV < 0.5
        assert p.trap_energies_eV.shape == p.trap_weights.shape
        assert np.all(p.trap_energies_eV > p.ea_eV)
        assert np.all(np.diff(p.trap_energies_eV) > 0)
        assert np.isclose(p.trap_weights.sum(), 1.0)
        assert np.all(p.trap_weights > 0)


def test_unknown_dimensionality_raises():
    with pytest.raises(ValueError, match="dimensionality n=7"):
        dev.load_parameters(7)


def test_parameters_frozen(p3):
    with pytest.raises(AttributeError):
        p3.ea_eV = 0.2
    with pytest.raises(ValueError):
        p3.trap_weights[0] = 1.0


def test_generator_is_markov(p3):
    for v in (-1.0, 0.0, 0.7):
        a = dev.generator(p3, v)
        np.testing.assert_allclose(a.sum(axis=0), 0.0, atol=1e-9 * np.abs(a).max())
        off = a - np.diag(np.diag(a))
        assert np.all(off >= 0)


def test_propagator_conserves_and_nonnegative(p3):
    rng = np.random.default_rng(1)
    x = rng.random((50, p3.trap_weights.size + 1))
    x /= x.sum(axis=1, keepdims=True)
    for v, d in ((-1.8, 0.2), (-1.0, 0.02), (1.0, 0.02), (0.0, 3.0), (-0.02, 1e-4)):
        y = dev.apply_segment(p3, x, v, d)
        np.testing.assert_allclose(y.sum(axis=1), 1.0, atol=1e-12)
        assert np.all(y >= 0)


def test_propagator_matches_ode_solution(p3):
    """expm propagation equals a tight numerical integration of dx/dt = A x."""
    a = dev.generator(p3, -1.0)
    x0 = dev.rest_state(p3)
    sol = solve_ivp(lambda t, x: a @ x, (0, 0.02), x0, method="Radau", rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dev.apply_segment(p3, x0, -1.0, 0.02), sol.y[:, -1], atol=1e-8)


def test_propagator_semigroup(p3):
    """No time-step error: two half segments equal one full segment."""
    x0 = dev.rest_state(p3)
    half = dev.apply_segment(p3, dev.apply_segment(p3, x0, -1.0, 0.01), -1.0, 0.01)
    np.testing.assert_allclose(half, dev.apply_segment(p3, x0, -1.0, 0.02), atol=1e-13)


def test_relax_closed_form_equals_zero_bias_expm(p3):
    x = dev.apply_segment(p3, dev.rest_state(p3), -1.0, 0.02)
    from scipy.linalg import expm
    ref = expm(dev.generator(p3, 0.0) * 0.37) @ x
    np.testing.assert_allclose(dev.relax(p3, x, 0.37), ref, atol=1e-13)


def test_negative_spike_potentiates_positive_depresses(p3):
    x = dev.apply_segment(p3, dev.rest_state(p3), -1.0, 0.02)
    p_after = dev.migrated_fraction(x)
    assert p_after > 0
    y = dev.apply_segment(p3, x, 1.0, 0.02)
    z = dev.relax(p3, x, 0.02)
    assert dev.migrated_fraction(y) < dev.migrated_fraction(z) < p_after


def test_migration_rate_superlinear(p3):
    g = dev.migration_rate(p3, np.array([-0.5, -1.0, -2.0]))
    assert g[1] > 2 * g[0] and g[2] > 2 * g[1]
    assert dev.migration_rate(p3, -1.0, 250.0) < dev.migration_rate(p3, -1.0, 300.0)


def test_power_law_from_multiple_trapping():
    """Known answer: weights ~ tau^(-kT/E0) per decade give y ~ t^(-kT/E0) after a weak kick."""
    p = dev.build_parameters("3", 0.1, 0.05, 1e-3)
    x = dev.apply_segment(p, dev.rest_state(p), -1.0, 1e-3)   # weak, short kick
    t = np.geomspace(1.0, 100.0, 20)
    y = dev.migrated_fraction(dev.relax(p, np.broadcast_to(x, (t.size, x.size)), t))
    slope = np.polyfit(np.log(t), np.log(y), 1)[0]
    assert -slope == pytest.approx(dev.K_B_EV * 300.0 / 0.05, rel=0.05)


def test_conductance_scales_with_area_and_gain(p3):
    x = dev.apply_segment(p3, dev.rest_state(p3), -1.0, 0.02)
    g1 = dev.conductance(p3, x, area_um2=62500.0)
    g4 = dev.conductance(p3, x, area_um2=250000.0)
    assert g4 == pytest.approx(4 * g1)
    assert dev.synaptic_weight(p3, x) == pytest.approx(dev.conductance(p3, x) / dev.base_conductance(p3) - 1)


def test_inorganic_fraction_increases_with_n():
    f = [dev.inorganic_fraction(n) for n in N_VALUES]
    assert all(b > a for a, b in zip(f, f[1:]))
    assert f[-1] == 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"temperature_K": -5.0}, "temperature_K=-5.0 must be finite and > 0"),
    ({"area_um2": 0.0}, "area_um2=0.0 must be finite and > 0"),
])
def test_bad_inputs(p3, kwargs, match):
    with pytest.raises(ValueError, match=match):
        dev.base_conductance(p3, **kwargs)


def test_bad_duration(p3):
    with pytest.raises(ValueError, match="duration_s=-0.1 must be finite and > 0"):
        dev.propagator(p3, -1.0, -0.1)
    with pytest.raises(ValueError, match="duration_s=-1.0 must be finite and >= 0"):
        dev.relax(p3, dev.rest_state(p3), -1.0)
