"""Tests of analysis.learning.pd_curves: P/D quantification and lookup-table devices."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from analysis.learning import pd_curves as sw


def _pd_train(device: sw.Device):
    """A 40-pulse P/D train (20 negative then 20 positive) read off a device."""
    g = np.concatenate([device.pot_g[1:], device.dep_g[1:]])
    v = np.r_[-np.ones(20), np.ones(20)]
    return g, v


@pytest.mark.parametrize("nl,a", sorted(sw.NEUROSIM_NL_TABLE.items()))
def test_nl_label_reproduces_neurosim_table(nl, a):
    assert sw.nl_label(a) == pytest.approx(nl, abs=0.05)
    assert sw.a_over_pmax_from_nl(nl) == pytest.approx(a, rel=0.03)


def test_nl_label_sign_and_linear_limit():
    assert sw.nl_label(np.inf) == 0.0
    assert sw.nl_label(-0.609) == pytest.approx(-sw.nl_label(0.609), abs=1e-6)
    assert sw.nl_label(1000.0) == pytest.approx(0.0, abs=0.01)
    with pytest.raises(ValueError, match=r"nl=12.0 must be within -9.5…9.5"):
        sw.a_over_pmax_from_nl(12.0)


@pytest.mark.parametrize("a_true", [5.0, 12.0, 40.0, -15.0])
def test_fit_recovers_known_a(a_true):
    p = np.arange(0, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    fit = sw.fit_branch(p[1:], g[1:], p_max=20)
    assert fit.a_pulses == pytest.approx(a_true, rel=1e-3)
    assert fit.g0 == pytest.approx(1e-9, rel=1e-6)
    # depression written in depression pulses
    gd = 4e-9 - 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    assert sw.fit_branch(p, gd).a_pulses == pytest.approx(a_true, rel=1e-3)


def test_fit_with_noise_and_linear_branch():
    rng = np.random.default_rng(1)
    p = np.arange(1, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / 10.0)) / (1 - np.exp(-2.0))
    fit = sw.fit_branch(p, g + rng.normal(0, 2e-12, p.size), p_max=20)
    assert fit.a_pulses == pytest.approx(10.0, rel=0.05)
    lin = sw.fit_branch(p, 1e-9 + 1e-10 * p, p_max=20)
    assert abs(lin.nl) < 0.01 and lin.rms_residual < 1e-15


def test_analyse_pd_on_known_device():
    dev = sw.neurosim_device(20, 2.0, 0.5, g_min=1e-9, g_max=4e-9)
    g, v = _pd_train(dev)
    r = sw.analyse_pd(g, v, resolution_fraction=0.01)
    assert r["nl_potentiation"] == pytest.approx(2.0, abs=1e-3)
    assert r["nl_depression"] == pytest.approx(0.5, abs=1e-3)
    assert r["nonlinearity_abs_max"] == pytest.approx(2.0, abs=1e-3) and not r["almost_linear"]
    assert r["dynamic_range"] == pytest.approx(4.0, rel=1e-6)
    assert r["states_potentiation"] == 21 and r["states_depression"] == 21
    # a coarse resolution merges the small saturated steps of the NL-2 branch
    coarse = sw.analyse_pd(g, v, resolution_fraction=0.04)
    assert coarse["states_potentiation"] < 21 and coarse["states_depression"] == 21
    lin = sw.analyse_pd(*_pd_train(sw.neurosim_device(20, 0.3, 0.3, 1e-9, 2e-9)))
    assert lin["almost_linear"] and lin["asymmetry"] < 0.07
    sym = sw.analyse_pd(*_pd_train(sw.neurosim_device(20, 1.0, 1.0, 1e-9, 2e-9)))
    assert sym["asymmetry"] == pytest.approx(0.197, abs=0.005)


def test_split_rejects_bad_trains():
    g = np.linspace(1, 2, 40)
    with pytest.raises(ValueError, match="pd_amplitude must be a block"):
        sw.split_pd_curve(g, np.r_[np.ones(20), -np.ones(20)])
    with pytest.raises(ValueError, match="does not rise"):
        sw.split_pd_curve(g[::-1], np.r_[-np.ones(20), np.ones(20)])
    with pytest.raises(ValueError, match="resolution_fraction=0"):
        sw.analyse_pd(g, np.r_[-np.ones(20), np.ones(20)], resolution_fraction=0)


def test_pd_from_dataset_with_cycles():
    dev = sw.neurosim_device(20, 1.0, 1.0, 1e-9, 2e-9)
    g, v = _pd_train(dev)
    ds = xr.Dataset({"pd_conductance": (("pd_cycle", "pd_pulse"), np.vstack([g, g * 1.01]))},
                    coords={"pd_pulse": np.arange(1, 41), "pd_amplitude": ("pd_pulse", v)})
    g0, amp, cycles = sw.pd_from_dataset(ds)
    np.testing.assert_array_equal(g0, g)
    assert cycles.shape == (2, 40)
    r = sw.analyse_pd(g0, amp, cycles=cycles)
    assert r["cycle_to_cycle"] > 0
    with pytest.raises(ValueError, match="lacks pd_conductance"):
        sw.pd_from_dataset(xr.Dataset())


def test_device_pulses_walk_the_table_and_respect_bounds():
    dev = sw.neurosim_device(20, 1.5, 2.5, g_min=1e-9, g_max=5e-9)
    for k in range(0, 21):
        assert dev.potentiate(dev.g_min, k) == pytest.approx(dev.pot_g[k], rel=1e-9)
        assert dev.depress(dev.g_max, k) == pytest.approx(dev.dep_g[k], rel=1e-9)
    assert dev.potentiate(dev.g_min, 100) == pytest.approx(dev.g_max)
    assert dev.depress(dev.g_max, 100) == pytest.approx(dev.g_min)
    # from any state, one step is the table's ΔG(G): large at the bottom for a saturating branch
    g_pot, dg_pot, g_dep, dg_dep = dev.step_table()
    assert dg_pot[0] > dg_pot[-1] > 0 and dg_dep[0] < dg_dep[-1] < 0
    with pytest.raises(ValueError, match="noise=-0.1 must be ≥ 0"):
        sw.Device(pot_g=dev.pot_g, dep_g=dev.dep_g, noise=-0.1)


def test_device_from_measured_curve_with_flat_and_noisy_steps():
    g = np.concatenate([np.linspace(1.0, 2.0, 20), np.linspace(1.9, 1.0, 20)])
    g[5] = g[4]          # a flat step
    g[25] = g[24] + 0.01  # a non-monotone read
    dev = sw.device_from_pd_curve(g, np.r_[-np.ones(20), np.ones(20)])
    assert np.all(np.diff(dev.pot_g) > 0) and np.all(np.diff(dev.dep_g) < 0)
    assert dev.g_min == pytest.approx(1.0) and dev.g_max == pytest.approx(2.0)
    assert dev.n_pulses == 19  # the first potentiated read already sits at the lowest state
    out = dev.potentiate(np.array([1.0, 1.5, 2.0]), np.array([1.0, 3.0, 5.0]))
    assert np.all(out >= 1.0) and np.all(out <= 2.0)


def test_edge_bridge_extends_potentiation_with_first_step():
    pot = np.array([5.0, 6.0, 6.8, 7.4, 7.8])
    dep = np.array([4.0, 3.0, 2.5, 2.2])
    g = np.concatenate([pot, dep])
    v = np.r_[-np.ones(5), np.ones(4)]
    edge = sw.device_from_pd_curve(g, v)
    # from 2.2 to 5.0 in steps of 1.0 (the first measured step): 2.2 → 3 → 4 → 5 (partial first)
    np.testing.assert_allclose(edge.pot_g[:4], [2.2, 3.0, 4.0, 5.0], atol=1e-8)
    assert edge.n_pulses == 7 and edge.g_min == pytest.approx(2.2)
    cyc = sw.device_from_pd_curve(g, v, bridge="cyclic")
    np.testing.assert_allclose(cyc.pot_g[:2], [2.2, 5.0], atol=1e-8)
    with pytest.raises(ValueError, match="bridge='x' must be one of"):
        sw.device_from_pd_curve(g, v, bridge="x")


def test_retained_curve_equals_the_fresh_read_at_the_read_delay_and_shrinks_with_settle_time():
    from analysis.physics import protocols

    amp, fresh = protocols.potentiation_depression("3")
    amp_r, same = sw.retained_pd_curve("3", 1e-3)
    np.testing.assert_array_equal(amp_r, amp)
    np.testing.assert_allclose(same, fresh, rtol=1e-12)
    ranges = [np.ptp(sw.retained_pd_curve("3", t)[1]) for t in (1e-3, 0.18, 10.0)]
    assert ranges[0] > ranges[1] > ranges[2] > 0
    with pytest.raises(ValueError, match="settle_s=-1 must be finite and > 0"):
        sw.retained_pd_curve("3", -1)


@pytest.mark.parametrize("device", [sw.neurosim_device(20, 1.0, 3.0, 1e-9, 3e-9), sw.neurosim_device(4, 0.0, 0.0, 1.0, 2.0),
                                    sw.neurosim_device(50, -2.0, 5.0, 1e-9, 3e-9),
                                    # flat measured steps: points 1e-9 of the range apart share a bucket
                                    sw.Device(np.r_[1.0, 1.0, 1.0, np.linspace(1.0, 2.0, 10)] * 1e-9,
                                              np.r_[2.0, 2.0, np.linspace(2.0, 1.0, 8), 1.0, 1.0] * 1e-9)])
def test_table_interp_gives_numpy_interp_bits(device):
    # the device lookups use TableInterp; it must reproduce np.interp exactly, at and between
    # the table points, outside the table and for scalars
    rng = np.random.default_rng(4)
    for xp, fp in ((device.pot_g, np.arange(device.pot_g.size, dtype=float)),
                   (device.dep_g[::-1], np.arange(device.dep_g.size, dtype=float)[::-1]),
                   (np.arange(device.pot_g.size, dtype=float), device.pot_g)):
        lo, hi = xp[0], xp[-1]
        x = np.concatenate([rng.uniform(lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo), 20000), xp,
                            np.nextafter(xp, np.inf), np.nextafter(xp, -np.inf),
                            [lo - 1e6 * (hi - lo), hi + 1e6 * (hi - lo), -0.0, 0.0, -1.0]])   # far out, signed zeros
        f = sw.TableInterp(xp, fp)
        x = np.concatenate([x, np.repeat(xp, 50)])            # many values exactly at table points
        assert f(x).tobytes() == np.interp(x, xp, fp).tobytes()
        assert f(float(x[7])) == np.interp(float(x[7]), xp, fp)
    g = rng.uniform(device.g_min, device.g_max, 500)
    p = np.arange(device.pot_g.size)
    assert device.potentiate(g, 1.0).tobytes() == np.interp(np.interp(g, device.pot_g, p) + 1.0, p, device.pot_g).tobytes()
    with pytest.raises(ValueError, match="strictly increasing"):
        sw.TableInterp([0.0, 0.0, 1.0], [0.0, 1.0, 2.0])
