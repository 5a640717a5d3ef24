"""Fits recover known parameters from noisy synthetic data (seeded)."""
import numpy as np
import pytest

from analysis.physics import fits
from analysis.physics.multitrap import K_B_EV


def test_power_law_recovers_parameters():
    rng = np.random.default_rng(42)
    t = np.arange(0.05, 15.0001, 0.05)
    y = fits.power_law(t, 0.1, 0.5) * (1 + 0.02 * rng.standard_normal(t.size))
    r = fits.fit_power_law(t, y, (0.0, 15.0))
    assert r["b"] == pytest.approx(0.1, rel=0.02)
    assert r["m"] == pytest.approx(0.5, rel=0.03)
    assert r.errors["m"] > 0 and not r.any_at_bound
    assert r.units == {"b": "1", "m": "1"}


def test_power_law_window_and_errors():
    t = np.array([0.0, 0.5, 1.0, 2.0])
    y = np.array([1.0, 2.0, 1.0, 0.5])
    r = fits.fit_power_law(t, y, (0.1, 5.0))      # t = 0 excluded
    assert r.n_points == 3
    assert r["m"] == pytest.approx(1.0, rel=1e-3)
    with pytest.raises(ValueError, match="needs >= 3 points"):
        fits.fit_power_law(t, y, (0.9, 5.0))
    with pytest.raises(ValueError, match="weight has 4 points but time_s has 3"):
        fits.fit_power_law(t[:3], y, (0.0, 5.0))


def test_arrhenius_recovers_activation_energy():
    rng = np.random.default_rng(7)
    temps = np.arange(250.0, 341.0, 10.0)
    r = np.exp(5.0 + 0.12 / (K_B_EV * temps)) * (1 + 0.01 * rng.standard_normal(temps.size))
    res = fits.fit_arrhenius(temps, r)
    assert res["ea_eV"] == pytest.approx(0.12, abs=0.004)
    assert res.units["ea_eV"] == "eV"
    with pytest.raises(ValueError, match="must be > 0"):
        fits.fit_arrhenius([-1.0, 300.0, 310.0], [1.0, 2.0, 3.0])


def test_arrhenius_range_selects_linear_region():
    temps = np.arange(180.0, 341.0, 10.0)
    g = np.exp(-0.15 / (K_B_EV * temps)) + 0.05 * np.exp(-0.15 / (K_B_EV * 300.0))
    full = fits.fit_arrhenius(temps, 1 / g)
    lin = fits.fit_arrhenius(temps, 1 / g, (280.0, 340.0))
    assert abs(lin["ea_eV"] - 0.15) < abs(full["ea_eV"] - 0.15)


def test_ppf_double_exponential_recovers_parameters():
    rng = np.random.default_rng(3)
    dt = np.linspace(0.02, 0.18, 17)
    truth = (0.3, 0.015, 0.2, 0.15)
    y = fits.ppf_model(dt, *truth) + 0.001 * rng.standard_normal(dt.size)
    r = fits.fit_ppf(dt, y)
    assert r["tau1_s"] < r["tau2_s"]
    assert r["tau2_s"] == pytest.approx(0.15, rel=0.15)
    assert r["c2"] == pytest.approx(0.2, rel=0.15)
    pred = fits.ppf_model(dt, r["c1"], r["tau1_s"], r["c2"], r["tau2_s"])
    assert np.max(np.abs(pred - fits.ppf_model(dt, *truth))) < 0.003


def test_bound_flag():
    t = np.linspace(0.1, 10, 50)
    y = np.full_like(t, 0.3) + 0.01 * t          # rising: best m is negative, clipped at 0
    r = fits.fit_power_law(t, y)
    assert r.at_bound["m"] and r.any_at_bound


def test_indices_and_pulse_responses():
    t = np.linspace(0, 1, 1001)
    i = 1.0 + t
    a = fits.pulse_responses(t, i, [0.1, 0.5], delay_s=0.001)
    np.testing.assert_allclose(a, [1.101, 1.501])
    assert fits.ppf_index(2.0, 3.0) == 1.5
    np.testing.assert_allclose(fits.relative_index([2.0, 3.0, 4.0]), [1.0, 1.5, 2.0])
    with pytest.raises(ValueError, match="beyond the trace"):
        fits.pulse_responses(t, i, [2.0])
    with pytest.raises(ValueError, match="a1 .* must be non-zero"):
        fits.ppf_index(0.0, 1.0)
