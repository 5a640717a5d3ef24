"""Tests of analysis.learning.pd_curves: P/D quantification (nonlinearity, asymmetry, states)."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from analysis.learning import lookup_device as ld
from analysis.learning import pd_curves as pdc


def _pd_train(device: ld.LookupDevice):
    """A 40-pulse P/D train (20 negative then 20 positive) read off a device."""
    g = np.concatenate([device.pot_g[1:], device.dep_g[1:]])
    v = np.r_[-np.ones(20), np.ones(20)]
    return g, v


@pytest.mark.parametrize("nl,a", sorted(pdc.NEUROSIM_NL_TABLE.items()))
def test_nl_label_reproduces_neurosim_table(nl, a):
    assert pdc.nl_label(a) == pytest.approx(nl, abs=0.05)
    assert pdc.a_over_pmax_from_nl(nl) == pytest.approx(a, rel=0.03)


def test_nl_label_sign_and_linear_limit():
    assert pdc.nl_label(np.inf) == 0.0
    assert pdc.nl_label(-0.609) == pytest.approx(-pdc.nl_label(0.609), abs=1e-6)
    assert pdc.nl_label(1000.0) == pytest.approx(0.0, abs=0.01)
    with pytest.raises(ValueError, match=r"nl=12.0 must be within -9.5…9.5"):
        pdc.a_over_pmax_from_nl(12.0)


@pytest.mark.parametrize("a_true", [5.0, 12.0, 40.0, -15.0])
def test_fit_recovers_known_a(a_true):
    p = np.arange(0, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    fit = pdc.fit_branch(p[1:], g[1:], p_max=20)
    assert fit.a_pulses == pytest.approx(a_true, rel=1e-3)
    assert fit.g0 == pytest.approx(1e-9, rel=1e-6)
    # depression written in depression pulses
    gd = 4e-9 - 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    assert pdc.fit_branch(p, gd).a_pulses == pytest.approx(a_true, rel=1e-3)


def test_fit_with_noise_and_linear_branch():
    rng = np.random.default_rng(1)
    p = np.arange(1, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / 10.0)) / (1 - np.exp(-2.0))
    fit = pdc.fit_branch(p, g + rng.normal(0, 2e-12, p.size), p_max=20)
    assert fit.a_pulses == pytest.approx(10.0, rel=0.05)
    lin = pdc.fit_branch(p, 1e-9 + 1e-10 * p, p_max=20)
    assert abs(lin.nl) < 0.01 and lin.rms_residual < 1e-15


def test_analyse_pd_on_known_device():
    dev = ld.neurosim_shaped_device(20, 2.0, 0.5, g_min=1e-9, g_max=4e-9)
    g, v = _pd_train(dev)
    r = pdc.analyse_pd(g, v, resolution_fraction=0.01)
    assert r["nl_potentiation"] == pytest.approx(2.0, abs=1e-3)
    assert r["nl_depression"] == pytest.approx(0.5, abs=1e-3)
    assert r["nonlinearity_abs_max"] == pytest.approx(2.0, abs=1e-3) and not r["almost_linear"]
    assert r["dynamic_range"] == pytest.approx(4.0, rel=1e-6)
    assert r["states_potentiation"] == 21 and r["states_depression"] == 21
    # a coarse resolution merges the small saturated steps of the NL-2 branch
    coarse = pdc.analyse_pd(g, v, resolution_fraction=0.04)
    assert coarse["states_potentiation"] < 21 and coarse["states_depression"] == 21
    lin = pdc.analyse_pd(*_pd_train(ld.neurosim_shaped_device(20, 0.3, 0.3, 1e-9, 2e-9)))
    assert lin["almost_linear"] and lin["asymmetry"] < 0.07
    sym = pdc.analyse_pd(*_pd_train(ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9)))
    assert sym["asymmetry"] == pytest.approx(0.197, abs=0.005)


def test_split_rejects_bad_trains():
    g = np.linspace(1, 2, 40)
    with pytest.raises(ValueError, match="pd_amplitude must be a block"):
        pdc.split_pd_curve(g, np.r_[np.ones(20), -np.ones(20)])
    with pytest.raises(ValueError, match="does not rise"):
        pdc.split_pd_curve(g[::-1], np.r_[-np.ones(20), np.ones(20)])
    with pytest.raises(ValueError, match="resolution_fraction=0"):
        pdc.analyse_pd(g, np.r_[-np.ones(20), np.ones(20)], resolution_fraction=0)


def test_pd_from_dataset_with_cycles():
    dev = ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9)
    g, v = _pd_train(dev)
    ds = xr.Dataset({"pd_conductance": (("pd_cycle", "pd_pulse"), np.vstack([g, g * 1.01]))},
                    coords={"pd_pulse": np.arange(1, 41), "pd_amplitude": ("pd_pulse", v)})
    g0, amp, cycles = pdc.pd_from_dataset(ds)
    np.testing.assert_array_equal(g0, g)
    assert cycles.shape == (2, 40)
    r = pdc.analyse_pd(g0, amp, cycles=cycles)
    assert r["cycle_to_cycle"] > 0
    with pytest.raises(ValueError, match="lacks pd_conductance"):
        pdc.pd_from_dataset(xr.Dataset())
