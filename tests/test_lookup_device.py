"""Tests of analysis.learning.lookup_device: lookup-table devices, their tables and lookups."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.learning import lookup_device as ld


def test_device_pulses_walk_the_table_and_respect_bounds():
    dev = ld.neurosim_shaped_device(20, 1.5, 2.5, g_min=1e-9, g_max=5e-9)
    for k in range(0, 21):
        assert dev.potentiate(dev.g_min, k) == pytest.approx(dev.pot_g[k], rel=1e-9)
        assert dev.depress(dev.g_max, k) == pytest.approx(dev.dep_g[k], rel=1e-9)
    assert dev.potentiate(dev.g_min, 100) == pytest.approx(dev.g_max)
    assert dev.depress(dev.g_max, 100) == pytest.approx(dev.g_min)
    # from any state, one step is the table's ΔG(G): large at the bottom for a saturating branch
    g_pot, dg_pot, g_dep, dg_dep = dev.step_table()
    assert dg_pot[0] > dg_pot[-1] > 0 and dg_dep[0] < dg_dep[-1] < 0
    with pytest.raises(ValueError, match="noise=-0.1 must be ≥ 0"):
        ld.LookupDevice(pot_g=dev.pot_g, dep_g=dev.dep_g, noise=-0.1)


def test_device_from_measured_curve_with_flat_and_noisy_steps():
    g = np.concatenate([np.linspace(1.0, 2.0, 20), np.linspace(1.9, 1.0, 20)])
    g[5] = g[4]          # a flat step
    g[25] = g[24] + 0.01  # a non-monotone read
    dev = ld.device_from_pd_curve(g, np.r_[-np.ones(20), np.ones(20)])
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
    edge = ld.device_from_pd_curve(g, v)
    # from 2.2 to 5.0 in steps of 1.0 (the first measured step): 2.2 → 3 → 4 → 5 (partial first)
    np.testing.assert_allclose(edge.pot_g[:4], [2.2, 3.0, 4.0, 5.0], atol=1e-8)
    assert edge.n_pulses == 7 and edge.g_min == pytest.approx(2.2)
    cyc = ld.device_from_pd_curve(g, v, bridge="cyclic")
    np.testing.assert_allclose(cyc.pot_g[:2], [2.2, 5.0], atol=1e-8)
    with pytest.raises(ValueError, match="bridge='x' must be one of"):
        ld.device_from_pd_curve(g, v, bridge="x")


def test_retained_curve_equals_the_fresh_read_at_the_read_delay_and_shrinks_with_settle_time():
    from analysis.physics import protocols

    amp, fresh = protocols.potentiation_depression("3")
    amp_r, same = ld.retained_pd_curve("3", 1e-3)
    np.testing.assert_array_equal(amp_r, amp)
    np.testing.assert_allclose(same, fresh, rtol=1e-12)
    ranges = [np.ptp(ld.retained_pd_curve("3", t)[1]) for t in (1e-3, 0.18, 10.0)]
    assert ranges[0] > ranges[1] > ranges[2] > 0
    with pytest.raises(ValueError, match="settle_s=-1 must be finite and > 0"):
        ld.retained_pd_curve("3", -1)


@pytest.mark.parametrize("device", [ld.neurosim_shaped_device(20, 1.0, 3.0, 1e-9, 3e-9), ld.neurosim_shaped_device(4, 0.0, 0.0, 1.0, 2.0),
                                    ld.neurosim_shaped_device(50, -2.0, 5.0, 1e-9, 3e-9),
                                    # flat measured steps: points 1e-9 of the range apart share a bucket
                                    ld.LookupDevice(np.r_[1.0, 1.0, 1.0, np.linspace(1.0, 2.0, 10)] * 1e-9,
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
        f = ld.TableInterp(xp, fp)
        x = np.concatenate([x, np.repeat(xp, 50)])            # many values exactly at table points
        assert f(x).tobytes() == np.interp(x, xp, fp).tobytes()
        assert f(float(x[7])) == np.interp(float(x[7]), xp, fp)
    g = rng.uniform(device.g_min, device.g_max, 500)
    p = np.arange(device.pot_g.size)
    assert device.potentiate(g, 1.0).tobytes() == np.interp(np.interp(g, device.pot_g, p) + 1.0, p, device.pot_g).tobytes()
    with pytest.raises(ValueError, match="strictly increasing"):
        ld.TableInterp([0.0, 0.0, 1.0], [0.0, 1.0, 2.0])
