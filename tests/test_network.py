"""Tests of analysis.network: P/D quantification, lookup-table devices, device-aware training."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from analysis import network as nw
from analysis.datasets import load_digits_8x8


def _pd_train(device: nw.Device):
    """A 40-pulse P/D train (20 negative then 20 positive) read off a device."""
    g = np.concatenate([device.pot_g[1:], device.dep_g[1:]])
    v = np.r_[-np.ones(20), np.ones(20)]
    return g, v


@pytest.fixture(scope="module")
def digits_small():
    x_tr, y_tr, x_te, y_te = load_digits_8x8()
    return x_tr[:600], y_tr[:600], x_te[:300], y_te[:300]


# ------------------------------------------------------------------ nonlinearity
@pytest.mark.parametrize("nl,a", sorted(nw.NEUROSIM_NL_TABLE.items()))
def test_nl_label_reproduces_neurosim_table(nl, a):
    assert nw.nl_label(a) == pytest.approx(nl, abs=0.05)
    assert nw.a_over_pmax_from_nl(nl) == pytest.approx(a, rel=0.03)


def test_nl_label_sign_and_linear_limit():
    assert nw.nl_label(np.inf) == 0.0
    assert nw.nl_label(-0.609) == pytest.approx(-nw.nl_label(0.609), abs=1e-6)
    assert nw.nl_label(1000.0) == pytest.approx(0.0, abs=0.01)
    with pytest.raises(ValueError, match=r"nl=12.0 must be within -9.5…9.5"):
        nw.a_over_pmax_from_nl(12.0)


@pytest.mark.parametrize("a_true", [5.0, 12.0, 40.0, -15.0])
def test_fit_recovers_known_a(a_true):
    p = np.arange(0, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    fit = nw.fit_branch(p[1:], g[1:], p_max=20)
    assert fit.a_pulses == pytest.approx(a_true, rel=1e-3)
    assert fit.g0 == pytest.approx(1e-9, rel=1e-6)
    # depression written in depression pulses
    gd = 4e-9 - 3e-9 * (1 - np.exp(-p / a_true)) / (1 - np.exp(-20 / a_true))
    assert nw.fit_branch(p, gd).a_pulses == pytest.approx(a_true, rel=1e-3)


def test_fit_with_noise_and_linear_branch():
    rng = np.random.default_rng(1)
    p = np.arange(1, 21)
    g = 1e-9 + 3e-9 * (1 - np.exp(-p / 10.0)) / (1 - np.exp(-2.0))
    fit = nw.fit_branch(p, g + rng.normal(0, 2e-12, p.size), p_max=20)
    assert fit.a_pulses == pytest.approx(10.0, rel=0.05)
    lin = nw.fit_branch(p, 1e-9 + 1e-10 * p, p_max=20)
    assert abs(lin.nl) < 0.01 and lin.rms_residual < 1e-15


def test_analyse_pd_on_known_device():
    dev = nw.neurosim_device(20, 2.0, 0.5, g_min=1e-9, g_max=4e-9)
    g, v = _pd_train(dev)
    r = nw.analyse_pd(g, v, resolution_fraction=0.01)
    assert r["nl_potentiation"] == pytest.approx(2.0, abs=1e-3)
    assert r["nl_depression"] == pytest.approx(0.5, abs=1e-3)
    assert r["nonlinearity_abs_max"] == pytest.approx(2.0, abs=1e-3) and not r["almost_linear"]
    assert r["dynamic_range"] == pytest.approx(4.0, rel=1e-6)
    assert r["states_potentiation"] == 21 and r["states_depression"] == 21
    # a coarse resolution merges the small saturated steps of the NL-2 branch
    coarse = nw.analyse_pd(g, v, resolution_fraction=0.04)
    assert coarse["states_potentiation"] < 21 and coarse["states_depression"] == 21
    lin = nw.analyse_pd(*_pd_train(nw.neurosim_device(20, 0.3, 0.3, 1e-9, 2e-9)))
    assert lin["almost_linear"] and lin["asymmetry"] < 0.07
    sym = nw.analyse_pd(*_pd_train(nw.neurosim_device(20, 1.0, 1.0, 1e-9, 2e-9)))
    assert sym["asymmetry"] == pytest.approx(0.197, abs=0.005)


def test_split_rejects_bad_trains():
    g = np.linspace(1, 2, 40)
    with pytest.raises(ValueError, match="pd_amplitude must be a block"):
        nw.split_pd_curve(g, np.r_[np.ones(20), -np.ones(20)])
    with pytest.raises(ValueError, match="does not rise"):
        nw.split_pd_curve(g[::-1], np.r_[-np.ones(20), np.ones(20)])
    with pytest.raises(ValueError, match="resolution_fraction=0"):
        nw.analyse_pd(g, np.r_[-np.ones(20), np.ones(20)], resolution_fraction=0)


def test_pd_from_dataset_with_cycles():
    dev = nw.neurosim_device(20, 1.0, 1.0, 1e-9, 2e-9)
    g, v = _pd_train(dev)
    ds = xr.Dataset({"pd_conductance": (("pd_cycle", "pd_pulse"), np.vstack([g, g * 1.01]))},
                    coords={"pd_pulse": np.arange(1, 41), "pd_amplitude": ("pd_pulse", v)})
    g0, amp, cycles = nw.pd_from_dataset(ds)
    np.testing.assert_array_equal(g0, g)
    assert cycles.shape == (2, 40)
    r = nw.analyse_pd(g0, amp, cycles=cycles)
    assert r["cycle_to_cycle"] > 0
    with pytest.raises(ValueError, match="lacks pd_conductance"):
        nw.pd_from_dataset(xr.Dataset())


# ------------------------------------------------------------------ devices
def test_device_pulses_walk_the_table_and_respect_bounds():
    dev = nw.neurosim_device(20, 1.5, 2.5, g_min=1e-9, g_max=5e-9)
    for k in range(0, 21):
        assert dev.potentiate(dev.g_min, k) == pytest.approx(dev.pot_g[k], rel=1e-9)
        assert dev.depress(dev.g_max, k) == pytest.approx(dev.dep_g[k], rel=1e-9)
    assert dev.potentiate(dev.g_min, 100) == pytest.approx(dev.g_max)
    assert dev.depress(dev.g_max, 100) == pytest.approx(dev.g_min)
    # from any state, one step is the table's ΔG(G): large at the bottom for a saturating branch
    g_pot, dg_pot, g_dep, dg_dep = dev.step_table()
    assert dg_pot[0] > dg_pot[-1] > 0 and dg_dep[0] < dg_dep[-1] < 0
    with pytest.raises(ValueError, match="noise=-0.1 must be ≥ 0"):
        nw.Device(pot_g=dev.pot_g, dep_g=dev.dep_g, noise=-0.1)


def test_device_layer_updates_stay_in_bounds_and_on_states():
    dev = nw.neurosim_device(20, 0.0, 0.0, g_min=1e-9, g_max=3e-9, noise=0.0)
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, (30, 20)).astype(np.float32)
    layer = nw._DeviceLayer(np.round(w * 10) / 10, 1.0, dev, np.random.default_rng(1))
    step = (dev.g_max - dev.g_min) / 20
    for _ in range(50):
        layer.update(rng.normal(0, 0.5, w.shape).astype(np.float32))
        for g in (layer.gp, layer.gm):
            assert g.min() >= dev.g_min - 1e-18 and g.max() <= dev.g_max + 1e-18
        assert np.abs(layer.weights()).max() <= 1.0 + 1e-6
    # weights initialised on the 0.1 grid stay on the device's states (integer pulses)
    for g in (layer.gp, layer.gm):
        k = (g - dev.g_min) / step
        np.testing.assert_allclose(k, np.round(k * 2) / 2, atol=1e-6)  # half-states from the centred start
    assert layer.pulses > 0
    noisy = nw._DeviceLayer(w, 1.0, nw.neurosim_device(20, 1, 1, 1e-9, 3e-9, noise=0.1),
                            np.random.default_rng(2))
    for _ in range(20):
        noisy.update(rng.normal(0, 0.5, w.shape).astype(np.float32))
        assert noisy.gp.min() >= 1e-9 and noisy.gp.max() <= 3e-9


def test_states_limit_distinct_weights():
    dev = nw.neurosim_device(4, 0.0, 0.0, g_min=1.0, g_max=2.0)
    layer = nw._DeviceLayer(np.zeros((50, 50), np.float32), 1.0, dev, np.random.default_rng(0))
    rng = np.random.default_rng(3)
    for _ in range(30):
        layer.update(rng.normal(0, 0.6, (50, 50)).astype(np.float32))
    # each device has 5 states (0…4 pulses); from the centred start, G± sit on the half-states
    assert len(np.unique(np.round(layer.gp, 9))) <= 5
    assert len(np.unique(np.round(layer.weights(), 5))) <= 9


# ------------------------------------------------------------------ training
def test_ideal_device_reproduces_float_training(digits_small):
    s = nw.TrainSettings(hidden=36, epochs=8, batch_size=10, lr=0.3, seed=0)
    flt = nw.train(*digits_small, s)
    ideal = nw.neurosim_device(100000, 0.0, 0.0, g_min=1e-9, g_max=5e-9)
    dev = nw.train(*digits_small, nw.TrainSettings(**{**s.__dict__, "w_max": (6.0, 6.0)}), device=ideal)
    # tolerance: 1 percentage point per epoch curve point, weights within 0.02 RMS
    np.testing.assert_allclose(dev.test_accuracy, flt.test_accuracy, atol=0.01)
    for a, b in zip(dev.weights, flt.weights):
        assert np.sqrt(np.mean((a - b) ** 2)) < 0.02


def test_training_is_deterministic_and_device_limited(digits_small):
    s = nw.TrainSettings(hidden=36, epochs=4, batch_size=10, lr=0.3, w_max=(2.0, 3.0), seed=7)
    dev = nw.neurosim_device(6, 3.0, 3.0, 1e-9, 2e-9, noise=0.02)
    a = nw.train(*digits_small, s, device=dev)
    b = nw.train(*digits_small, s, device=dev)
    assert a.test_accuracy == b.test_accuracy and a.pulses == b.pulses
    flt = nw.train(*digits_small, s)
    assert flt.test_accuracy == nw.train(*digits_small, s).test_accuracy
    assert a.test_accuracy[-1] < flt.test_accuracy[-1]  # 6 states, NL 3, noise: clearly worse
    assert a.test_accuracy[0] == flt.test_accuracy[0]   # same initial weights


def test_settings_validation():
    with pytest.raises(ValueError, match="lr=0 must be > 0"):
        nw.TrainSettings(hidden=3, epochs=1, batch_size=1, lr=0)
    with pytest.raises(ValueError, match="epochs=0 must be an integer ≥ 1"):
        nw.TrainSettings(hidden=3, epochs=0, batch_size=1, lr=0.1)
    with pytest.raises(ValueError, match="settings.w_max=None"):
        x = np.zeros((4, 2), np.float32)
        y = np.array([0, 1, 0, 1])
        nw.train(x, y, x, y, nw.TrainSettings(hidden=3, epochs=1, batch_size=2, lr=0.1),
                 device=nw.neurosim_device(5))


def test_sensitivity_rows_and_csv(digits_small):
    ref = nw.device_from_pd_curve(*_pd_train(nw.neurosim_device(20, 1.0, 1.5, 1e-9, 3e-9)))
    rows = nw.sensitivity_devices(ref, 1.0, 1.5, states=(5,), nls=(2.0,), noises=(0.01,))
    assert [r["factor"] for r in rows] == ["measured", "mapping", "nonlinearity", "nonlinearity",
                                          "nonlinearity", "states", "noise"]
    assert rows[1]["overrides"] == {"mapping": "potentiation-only"}
    s = nw.TrainSettings(hidden=12, epochs=1, batch_size=20, lr=0.3)
    recs = nw.run_sensitivity({"8x8": digits_small}, {"8x8": s}, rows[:2])
    text = nw.sensitivity_csv(recs)
    assert text.splitlines()[0] == ",".join(nw.SENSITIVITY_COLUMNS)
    assert len(text.splitlines()) == 3
    assert all(0 <= r["accuracy"] <= 1 for r in recs)


def test_weight_range_rounds_up():
    assert nw.weight_range([np.array([0.31, -0.05]), np.array([-2.41])]) == (0.4, 2.5)


def test_device_from_measured_curve_with_flat_and_noisy_steps():
    g = np.concatenate([np.linspace(1.0, 2.0, 20), np.linspace(1.9, 1.0, 20)])
    g[5] = g[4]          # a flat step
    g[25] = g[24] + 0.01  # a non-monotone read
    dev = nw.device_from_pd_curve(g, np.r_[-np.ones(20), np.ones(20)])
    assert np.all(np.diff(dev.pot_g) > 0) and np.all(np.diff(dev.dep_g) < 0)
    assert dev.g_min == pytest.approx(1.0) and dev.g_max == pytest.approx(2.0)
    assert dev.n_pulses == 19  # the first potentiated read already sits at the lowest state
    out = dev.potentiate(np.array([1.0, 1.5, 2.0]), np.array([1.0, 3.0, 5.0]))
    assert np.all(out >= 1.0) and np.all(out <= 2.0)


def test_claims_ledger_matches_paper_values():
    import yaml

    from analysis.claims import validate_claim
    from analysis.datafiles import data_dir, paper_values

    claims = yaml.safe_load((data_dir() / "paper" / "claims" / "figS11.yaml").read_text(encoding="utf-8"))
    for claim in claims:
        validate_claim(claim, source="figS11.yaml")
    by_id = {c["id"]: c for c in claims}
    pv = paper_values()["classification"]
    assert by_id["figS11-accuracy-8x8"]["compare"]["paper"] == pv["accuracy_8x8_percent"]["value"]
    assert by_id["figS11-accuracy-28x28"]["compare"]["paper"] == pv["accuracy_28x28_percent"]["value"]


def test_edge_bridge_extends_potentiation_with_first_step():
    pot = np.array([5.0, 6.0, 6.8, 7.4, 7.8])
    dep = np.array([4.0, 3.0, 2.5, 2.2])
    g = np.concatenate([pot, dep])
    v = np.r_[-np.ones(5), np.ones(4)]
    edge = nw.device_from_pd_curve(g, v)
    # from 2.2 to 5.0 in steps of 1.0 (the first measured step): 2.2 → 3 → 4 → 5 (partial first)
    np.testing.assert_allclose(edge.pot_g[:4], [2.2, 3.0, 4.0, 5.0], atol=1e-8)
    assert edge.n_pulses == 7 and edge.g_min == pytest.approx(2.2)
    cyc = nw.device_from_pd_curve(g, v, bridge="cyclic")
    np.testing.assert_allclose(cyc.pot_g[:2], [2.2, 5.0], atol=1e-8)
    with pytest.raises(ValueError, match="bridge='x' must be one of"):
        nw.device_from_pd_curve(g, v, bridge="x")


def test_potentiation_only_mapping_never_depresses_between_refreshes():
    dev = nw.neurosim_device(50, 2.0, 2.0, 1e-9, 3e-9)
    rng = np.random.default_rng(0)
    w = rng.uniform(-0.5, 0.5, size=(8, 4)).astype(np.float32)
    layer = nw._DeviceLayer(w, 1.0, dev, np.random.default_rng(1), "potentiation-only")
    gp0, gm0 = layer.gp.copy(), layer.gm.copy()
    layer.update(np.full(w.shape, 0.03, dtype=np.float32))     # small: no device reaches the top
    assert layer.refreshes == 0
    assert np.all(layer.gp >= gp0) and np.array_equal(layer.gm, gm0)
    layer.update(np.full(w.shape, -0.03, dtype=np.float32))
    assert np.all(layer.gm >= gm0)


def test_refresh_keeps_weight_and_bounds():
    dev = nw.neurosim_device(50, 2.0, 2.0, 1e-9, 3e-9)
    w = np.linspace(-0.9, 0.9, 12, dtype=np.float32).reshape(3, 4)
    layer = nw._DeviceLayer(w, 1.0, dev, np.random.default_rng(1), "potentiation-only")
    for _ in range(60):                                        # drive every pair to the top
        layer.update(np.full(w.shape, 0.05, dtype=np.float32))
        layer.update(np.full(w.shape, -0.05, dtype=np.float32))
    assert layer.refreshes > 0
    assert np.all(layer.gp >= dev.g_min - 1e-18) and np.all(layer.gp <= dev.g_max + 1e-18)
    assert np.all(layer.gm >= dev.g_min - 1e-18) and np.all(layer.gm <= dev.g_max + 1e-18)
    # a refresh alone moves a weight by at most about one potentiation step
    before = layer.weights().copy()
    layer.gp[:] = np.maximum(layer.gp, dev.g_max - 0.01 * layer.span)   # force a refresh
    w_forced = layer.weights().copy()
    layer._refresh()
    step = layer.w_max / layer.span * np.max(np.diff(dev.pot_g))
    assert np.max(np.abs(layer.weights() - w_forced)) <= step + 1e-6
    assert before.shape == layer.weights().shape


def test_unknown_mapping_rejected():
    with pytest.raises(ValueError, match="mapping='pull' must be one of push-pull, potentiation-only"):
        nw.TrainSettings(hidden=4, epochs=1, batch_size=2, lr=0.1, mapping="pull")
