"""Tests of the training of analysis.learning: training (network and loop), differential_pairs (the
pulse update; the numba kernels against its numpy reference), experiments (seeds, sensitivity) and
neurosim (the NeuroSim-compatible mode)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analysis.learning import lookup_device as ld
from analysis.learning import pd_curves as pdc
from analysis.learning import differential_pairs as dp
from analysis.learning import experiments as ex
from analysis.learning import neurosim as ns
from analysis.learning import pair_kernels
from analysis.learning import training as tr
from analysis.learning.digits import load_digits_8x8


def _pd_train(device: ld.LookupDevice):
    """A 40-pulse P/D train (20 negative then 20 positive) read off a device."""
    g = np.concatenate([device.pot_g[1:], device.dep_g[1:]])
    v = np.r_[-np.ones(20), np.ones(20)]
    return g, v


@pytest.fixture(scope="module")
def digits_small():
    x_tr, y_tr, x_te, y_te = load_digits_8x8()
    return x_tr[:600], y_tr[:600], x_te[:300], y_te[:300]


def _decay(device: ld.LookupDevice, fractions, dep_fraction: float = -0.1) -> ld.Decay:
    """A synthetic Decay: after a potentiation pulse the device reads fractions[j − 1] of its range
    more than its table j steps later (dep_fraction after a depression pulse, until the last step)."""
    span = device.g_max - device.g_min
    f = np.asarray(fractions, dtype=float)[:, None]
    dep = np.where(f > 0, dep_fraction, 0.0)
    return ld.Decay(times_s=np.arange(1.0, f.size + 1), pot_g=device.pot_g, dep_g=np.sort(device.dep_g),
                    pot_gain=f * span * np.ones(device.pot_g.size), dep_gain=dep * span * np.ones(device.dep_g.size),
                    interval_s=1.0, name="synthetic")


def test_device_layer_updates_stay_in_bounds_and_on_states():
    dev = ld.neurosim_shaped_device(20, 0.0, 0.0, g_min=1e-9, g_max=3e-9, noise=0.0)
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, (30, 20)).astype(np.float32)
    layer = dp.PairLayer(np.round(w * 10) / 10, 1.0, dev, np.random.default_rng(1))
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
    noisy = dp.PairLayer(w, 1.0, ld.neurosim_shaped_device(20, 1, 1, 1e-9, 3e-9, noise=0.1),
                            np.random.default_rng(2))
    for _ in range(20):
        noisy.update(rng.normal(0, 0.5, w.shape).astype(np.float32))
        assert noisy.gp.min() >= 1e-9 and noisy.gp.max() <= 3e-9


def test_states_limit_distinct_weights():
    dev = ld.neurosim_shaped_device(4, 0.0, 0.0, g_min=1.0, g_max=2.0)
    layer = dp.PairLayer(np.zeros((50, 50), np.float32), 1.0, dev, np.random.default_rng(0))
    rng = np.random.default_rng(3)
    for _ in range(30):
        layer.update(rng.normal(0, 0.6, (50, 50)).astype(np.float32))
    # each device has 5 states (0…4 pulses); from the centred start, G± sit on the half-states
    assert len(np.unique(np.round(layer.gp, 9))) <= 5
    assert len(np.unique(np.round(layer.weights(), 5))) <= 9


def test_ideal_device_reproduces_float_training(digits_small):
    s = tr.TrainSettings(hidden=36, epochs=8, batch_size=10, lr=0.3, seed=0)
    flt = tr.train(*digits_small, s)
    ideal = ld.neurosim_shaped_device(100000, 0.0, 0.0, g_min=1e-9, g_max=5e-9)
    dev = tr.train(*digits_small, tr.TrainSettings(**{**s.__dict__, "w_max": (6.0, 6.0)}), device=ideal)
    # tolerance: 1 percentage point per epoch curve point, weights within 0.02 RMS
    np.testing.assert_allclose(dev.test_accuracy, flt.test_accuracy, atol=0.01)
    for a, b in zip(dev.weights, flt.weights):
        assert np.sqrt(np.mean((a - b) ** 2)) < 0.02


def test_training_is_deterministic_and_device_limited(digits_small):
    s = tr.TrainSettings(hidden=36, epochs=4, batch_size=10, lr=0.3, w_max=(2.0, 3.0), seed=7)
    dev = ld.neurosim_shaped_device(6, 3.0, 3.0, 1e-9, 2e-9, noise=0.02)
    a = tr.train(*digits_small, s, device=dev)
    b = tr.train(*digits_small, s, device=dev)
    assert a.test_accuracy == b.test_accuracy and a.pulses == b.pulses
    flt = tr.train(*digits_small, s)
    assert flt.test_accuracy == tr.train(*digits_small, s).test_accuracy
    assert a.test_accuracy[-1] < flt.test_accuracy[-1]  # 6 states, NL 3, noise: clearly worse
    assert a.test_accuracy[0] == flt.test_accuracy[0]   # same initial weights


def test_settings_validation():
    with pytest.raises(ValueError, match="lr=0 must be > 0"):
        tr.TrainSettings(hidden=3, epochs=1, batch_size=1, lr=0)
    with pytest.raises(ValueError, match="epochs=0 must be an integer ≥ 1"):
        tr.TrainSettings(hidden=3, epochs=0, batch_size=1, lr=0.1)
    with pytest.raises(ValueError, match="settings.w_max=None"):
        x = np.zeros((4, 2), np.float32)
        y = np.array([0, 1, 0, 1])
        tr.train(x, y, x, y, tr.TrainSettings(hidden=3, epochs=1, batch_size=2, lr=0.1),
                 device=ld.neurosim_shaped_device(5))


def test_sensitivity_rows_and_csv(digits_small):
    ref = ld.device_from_pd_curve(*_pd_train(ld.neurosim_shaped_device(20, 1.0, 1.5, 1e-9, 3e-9)))
    rows = ex.sensitivity_devices(ref, 1.0, 1.5, states=(5,), nls=(2.0,), noises=(0.01,))
    assert [r["factor"] for r in rows] == ["measured", "mapping", "nonlinearity", "nonlinearity",
                                          "nonlinearity", "states", "noise"]
    assert rows[1]["overrides"] == {"mapping": "potentiation-only"}
    s = tr.TrainSettings(hidden=12, epochs=1, batch_size=20, lr=0.3)
    recs = ex.run_sensitivity({"8x8": digits_small}, {"8x8": s}, rows[:2], seeds=(0, 1))
    text = ex.sensitivity_csv(recs)
    assert text.splitlines()[0] == ",".join(ex.SENSITIVITY_COLUMNS)
    assert len(text.splitlines()) == 3
    assert all(0 <= r["accuracy"] <= 1 and r["seeds"] == 2 and r["accuracy_sd"] >= 0 for r in recs)


def test_weight_range_rounds_up():
    assert tr.weight_range([np.array([0.31, -0.05]), np.array([-2.41])]) == (0.4, 2.5)


def test_claims_ledger_matches_paper_values_and_uses_the_accuracy_rule():
    import yaml

    from analysis.evidence.claims import validate_claim
    from analysis.parameters import data_dir, paper_values

    claims = yaml.safe_load((data_dir() / "paper" / "claims" / "figS11.yaml").read_text(encoding="utf-8"))
    for claim in claims:
        validate_claim(claim, source="figS11.yaml")
    rule = yaml.safe_load((data_dir() / "paper" / "accuracy_rule.yaml").read_text(encoding="utf-8"))
    pv = paper_values()["classification"]
    accuracy = [c for c in claims if c["id"].startswith("figS11-accuracy-")]
    assert len(accuracy) == 8  # 2 data sets x 2 device readings x 2 mappings
    for c in accuracy:
        ds = "8x8" if "-8x8-" in c["id"] else "28x28"
        assert c["compare"]["paper"] == pv[f"accuracy_{ds}_percent"]["value"]
        assert c["compare"]["op"] == "equivalence" and c["compare"]["data"] == ds
        assert c["compare"]["data"] in rule["equivalence_margin_pp"]["value"]
        assert c["metric"].endswith("_per_seed")


def test_potentiation_only_mapping_never_depresses_between_refreshes():
    dev = ld.neurosim_shaped_device(50, 2.0, 2.0, 1e-9, 3e-9)
    rng = np.random.default_rng(0)
    w = rng.uniform(-0.5, 0.5, size=(8, 4)).astype(np.float32)
    layer = dp.PairLayer(w, 1.0, dev, np.random.default_rng(1), "potentiation-only")
    gp0, gm0 = layer.gp.copy(), layer.gm.copy()
    layer.update(np.full(w.shape, 0.03, dtype=np.float32))     # small: no device reaches the top
    assert layer.refreshes == 0
    assert np.all(layer.gp >= gp0) and np.array_equal(layer.gm, gm0)
    layer.update(np.full(w.shape, -0.03, dtype=np.float32))
    assert np.all(layer.gm >= gm0)


def test_refresh_keeps_weight_and_bounds():
    dev = ld.neurosim_shaped_device(50, 2.0, 2.0, 1e-9, 3e-9)
    w = np.linspace(-0.9, 0.9, 12, dtype=np.float32).reshape(3, 4)
    layer = dp.PairLayer(w, 1.0, dev, np.random.default_rng(1), "potentiation-only")
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
    layer.refresh_all()
    step = layer.w_max[0] / layer.span * np.max(np.diff(dev.pot_g))
    assert np.max(np.abs(layer.weights() - w_forced)) <= step + 1e-6
    assert before.shape == layer.weights().shape


def test_unknown_mapping_rejected():
    with pytest.raises(ValueError, match="mapping='pull' must be one of push-pull, potentiation-only"):
        tr.TrainSettings(hidden=4, epochs=1, batch_size=2, lr=0.1, mapping="pull")
    with pytest.raises(ValueError, match="mapping='pull' must be one of push-pull, potentiation-only"):
        dp.PairLayer(np.zeros((2, 2), np.float32), 1.0, ld.neurosim_shaped_device(5), np.random.default_rng(0), "pull")


@pytest.mark.parametrize("skip_rows_from", [tr.SKIP_ROWS_MIN_INPUTS, 1])   # stacked rows / skipped rows
def test_train_many_gives_the_same_bytes_as_training_each_alone(digits_small, monkeypatch, skip_rows_from):
    monkeypatch.setattr(tr, "SKIP_ROWS_MIN_INPUTS", skip_rows_from)
    base = tr.TrainSettings(hidden=16, epochs=3, batch_size=20, lr=0.3, w_max=(2.0, 3.0))
    noisy = ld.neurosim_shaped_device(10, 2.0, 3.0, 1e-9, 2e-9, noise=0.02)
    linear = ld.neurosim_shaped_device(30, 0.0, 0.0, 1e-9, 3e-9)
    members = [(replace(base, seed=0), noisy),
               (replace(base, seed=1, lr=0.2), None),
               (replace(base, seed=2, mapping="potentiation-only"), linear),
               (replace(base, seed=3, w_max=(1.0, 1.5)), noisy),
               (replace(base, seed=4), replace(noisy, decay=_decay(noisy, [0.4, 0.2, 0.0]))),
               (replace(base, seed=5, mapping="potentiation-only"), replace(linear, decay=_decay(linear, [0.3, 0.0])))]
    alone = [tr.train(*digits_small, s, device=d) for s, d in members]
    for threads in (1, 2):
        together = tr.train_many(*digits_small, members, threads=threads)
        for a, b in zip(alone, together):
            assert a.test_accuracy == b.test_accuracy and a.pulses == b.pulses
            assert a.train_accuracy == b.train_accuracy
            for wa, wb in zip(a.weights, b.weights):
                assert wa.tobytes() == wb.tobytes()
    # and the members really differ (the test would pass trivially otherwise)
    assert len({r.weights[0].tobytes() for r in alone}) == len(alone)


@pytest.mark.parametrize("skip_rows_from", [tr.SKIP_ROWS_MIN_INPUTS, 1])   # stacked rows / skipped rows
def test_numba_kernels_give_the_numpy_paths_bytes(digits_small, monkeypatch, skip_rows_from):
    monkeypatch.setattr(tr, "SKIP_ROWS_MIN_INPUTS", skip_rows_from)
    base = tr.TrainSettings(hidden=16, epochs=2, batch_size=20, lr=0.3, w_max=(2.0, 3.0))
    noisy = ld.neurosim_shaped_device(10, 2.0, 3.0, 1e-9, 2e-9, noise=0.02)
    linear = ld.neurosim_shaped_device(30, 0.0, 0.0, 1e-9, 3e-9)
    # points 1e-5 of the range apart share a bucket of the lookup (the binary-search branch)
    crowded = ld.LookupDevice(np.r_[1.0, 1.00001, 1.00002, 1.5, 1.8, 2.0] * 1e-9, np.r_[2.0, 1.99999, 1.6, 1.2, 1.1, 1.0] * 1e-9,
                        noise=0.05)
    assert crowded.lookups[0].any_crowded and crowded.lookups[2].any_crowded
    members = [(replace(base, seed=0), noisy),
               (replace(base, seed=1, w_max=(0.2, 0.3)), noisy),            # several pulses per update, the cap
               (replace(base, seed=2, mapping="potentiation-only"), linear),
               (replace(base, seed=3, lr=0.2), None),
               (replace(base, seed=4), replace(noisy, decay=_decay(noisy, [0.4, 0.2, 0.0]))),
               (replace(base, seed=5, mapping="potentiation-only"), replace(noisy, decay=_decay(noisy, [0.3, 0.0]))),
               (replace(base, seed=6, w_max=(0.5, 0.5)), crowded),
               (replace(base, seed=7, w_max=(0.5, 0.5), mapping="potentiation-only"), crowded)]
    calls = {"find": 0, "apply": 0}
    find, apply = pair_kernels.find_pulses, pair_kernels.apply_pulses

    def counted(name, f):
        def call(*args):
            calls[name] += 1
            return f(*args)
        return call

    monkeypatch.setattr(pair_kernels, "find_pulses", counted("find", find))
    monkeypatch.setattr(pair_kernels, "apply_pulses", counted("apply", apply))
    compiled = tr.train_many(*digits_small, members, threads=1)
    assert calls["find"] > 0 and calls["apply"] > 0           # the kernels did the updates
    monkeypatch.setattr(dp, "USE_KERNELS", False)
    before = dict(calls)
    numpy_path = tr.train_many(*digits_small, members, threads=1)
    assert calls == before                                    # ... and not these
    for a, b in zip(compiled, numpy_path):
        assert a.test_accuracy == b.test_accuracy and a.pulses == b.pulses
        assert [w.tobytes() for w in a.weights] == [w.tobytes() for w in b.weights]
    assert compiled[1].pulses > 0 and compiled[6].pulses > 0
    assert len({r.weights[0].tobytes() for r in compiled}) == len(compiled)


def test_numba_lookup_gives_numpy_interp_bits():
    rng = np.random.default_rng(9)
    for device in (ld.neurosim_shaped_device(20, 1.0, 3.0, 1e-9, 3e-9),
                   ld.LookupDevice(np.r_[1.0, 1.00001, 1.00002, 1.5, 1.8, 2.0] * 1e-9, np.r_[2.0, 1.99999, 1.6, 1.2, 1.1, 1.0] * 1e-9)):
        tab, offsets = pair_kernels.table_pack(device.lookups)
        for lookup, offset in zip(device.lookups, offsets):
            xp, fp = lookup.xp, lookup.fp
            lo, hi = xp[0], xp[-1]
            x = np.concatenate([rng.uniform(lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo), 400), xp,
                                np.nextafter(xp, np.inf), np.nextafter(xp, -np.inf),
                                [lo - 1e6 * (hi - lo), hi + 1e6 * (hi - lo), -0.0, 0.0, -1.0]])
            table = pair_kernels._table(tab, offset)
            got = np.array([pair_kernels._interp(tab, table, v) for v in x])
            assert got.tobytes() == np.interp(x, xp, fp).tobytes()


def test_sparse_flatnonzero_is_numpys():
    rng = np.random.default_rng(5)
    words = np.ones(1008, dtype=bool)                     # stale True bytes beyond each size
    for size in (1, 7, 8, 9, 1000, 1001):
        for density in (0.0, 0.001, 0.02, 0.5, 1.0):
            hit = words[:size]
            hit[...] = rng.random(size) < density
            expected = np.flatnonzero(hit.copy())
            got = dp._flatnonzero_sparse(hit, words)
            assert got.dtype == expected.dtype and np.array_equal(got, expected)
            words[size:] = True


def test_train_many_rejects_mismatched_shapes(digits_small):
    s = tr.TrainSettings(hidden=16, epochs=1, batch_size=20, lr=0.3)
    with pytest.raises(ValueError, match=r"members\[1\].hidden=8 differs from members\[0\].hidden=16"):
        tr.train_many(*digits_small, [(s, None), (replace(s, hidden=8), None)])
    with pytest.raises(ValueError, match="members is empty"):
        tr.train_many(*digits_small, [])


# ------------------------------------------------------------------ NeuroSim-compatible mode
def test_neurosim_device_defaults_are_the_documented_ones():
    from analysis.parameters import parameter_values

    p = parameter_values("learning")
    d = ns.NeuroSimDevice()
    assert [d.a_over_levels_ltp, d.a_over_levels_ltd] == p["neurosim_a_over_levels"]
    assert [d.levels_ltp, d.levels_ltd] == p["neurosim_levels"]
    assert d.c2c == p["neurosim_cycle_to_cycle"] and [d.g_min, d.g_max] == p["neurosim_conductance"]
    # NeuroSim's A/levels table agrees with this compendium's NL definition within 2 %
    assert pdc.a_over_pmax_from_nl(2.4) == pytest.approx(d.a_over_levels_ltp, rel=0.02)
    assert pdc.a_over_pmax_from_nl(4.88) == pytest.approx(-d.a_over_levels_ltd, rel=0.02)


def test_neurosim_write_rounds_pulses_and_walks_the_curves():
    ideal = ns.NEUROSIM_IDEAL
    span = ideal.g_max - ideal.g_min
    rng = np.random.default_rng(0)
    g0 = np.full(5, ideal.g_min + 0.5 * span)
    # ΔW/2 × 97 = 0.49 pulse is lost, 0.51 becomes one pulse; depression uses 100 levels
    dw = np.array([0.49 * 2 / 97, 0.51 * 2 / 97, 3 * 2 / 97, -0.51 * 2 / 100, -0.49 * 2 / 100])
    g, pulses = ideal.write(g0, dw, rng)
    assert pulses.tolist() == [0, 1, 3, -1, 0]
    np.testing.assert_allclose(g - g0, [0, span / 97, 3 * span / 97, -span / 100, 0], rtol=1e-9)
    # nonlinear default: potentiation steps shrink along the branch, depression steps too
    dev = ns.NeuroSimDevice(c2c=0.0)
    lo, hi = np.array([dev.g_min]), np.array([dev.g_max])
    step_lo = dev.write(lo, np.array([2 / 97]), rng)[0] - lo
    step_hi = dev.write(hi - 0.2 * span, np.array([2 / 97]), rng)[0] - (hi - 0.2 * span)
    assert step_lo[0] > step_hi[0] > 0
    down_top = dev.write(hi, np.array([-2 / 100]), rng)[0] - hi
    down_low = dev.write(lo + 0.2 * span, np.array([-2 / 100]), rng)[0] - (lo + 0.2 * span)
    assert down_top[0] < down_low[0] < 0
    # 97 potentiation pulses from G_min reach G_max; clipping holds
    assert dev.write(lo, np.array([2.0]), rng)[0][0] == pytest.approx(dev.g_max, rel=1e-9)
    noisy = ns.NeuroSimDevice()
    g_n, _ = noisy.write(np.full(1000, dev.g_min + 0.5 * span), np.full(1000, 2 / 97), rng)
    assert 0.02 < np.std(g_n) / span < 0.05 and g_n.min() >= dev.g_min
    with pytest.raises(ValueError, match="levels_ltp=0 must be an integer ≥ 1"):
        ns.NeuroSimDevice(levels_ltp=0)


def test_neurosim_inputs_crop_and_binarise():
    x = np.zeros((2, 784))
    img = x.reshape(2, 28, 28)
    img[0, 4, 4], img[0, 3, 3], img[1, 23, 23], img[1, 10, 10] = 0.5, 1.0, 0.9, 0.49
    out = ns.neurosim_inputs(x)
    assert out.shape == (2, 400)
    assert out[0].reshape(20, 20)[0, 0] == 1 and out[0].sum() == 1     # (3, 3) is outside the crop
    assert out[1].reshape(20, 20)[19, 19] == 1 and out[1].sum() == 1   # 0.49 < 0.5
    with pytest.raises(ValueError, match=r"expected \(samples, 784\)"):
        ns.neurosim_inputs(np.zeros((2, 64)))


def test_neurosim_training_learns_and_is_deterministic():
    rng = np.random.default_rng(0)
    proto = (rng.random((4, 400)) < 0.3).astype(float)
    y = rng.integers(0, 4, 400)
    x = np.abs(proto[y] - (rng.random((400, 400)) < 0.05))   # four noisy binary prototypes
    s = ns.NeuroSimSettings(hidden=20, epochs=2, images_per_epoch=400, seed=1)
    soft = ns.train_neurosim(x[:300], y[:300], x[300:], y[300:], s)
    ideal = ns.train_neurosim(x[:300], y[:300], x[300:], y[300:], s, ns.NEUROSIM_IDEAL)
    again = ns.train_neurosim(x[:300], y[:300], x[300:], y[300:], s, ns.NEUROSIM_IDEAL)
    assert soft.test_accuracy[-1] > 0.9 and ideal.test_accuracy[-1] > 0.9
    assert ideal.test_accuracy == again.test_accuracy and ideal.pulses == again.pulses > 0


def test_seed_summary_and_last_k():
    r = [tr.TrainResult(test_accuracy=[0.1, 0.5, 0.7, 0.9], train_accuracy=0, weights=[]),
         tr.TrainResult(test_accuracy=[0.1, 0.5, 0.6, 0.8], train_accuracy=0, weights=[])]
    assert ex.last_k_mean(r[0].test_accuracy, 2) == pytest.approx(0.8)
    out = ex.seed_summary(r, 2)
    assert out["per_seed"] == pytest.approx([80.0, 70.0]) and out["mean"] == pytest.approx(75.0)
    assert out["sd"] == pytest.approx(np.std([80.0, 70.0], ddof=1)) and out["k"] == 2 and out["seeds"] == 2
    assert out["curve_mean"] == pytest.approx([10.0, 50.0, 65.0, 85.0])
    with pytest.raises(ValueError, match="k=4 must be an integer within 1…3"):
        ex.last_k_mean(r[0].test_accuracy, 4)


def test_run_seeds_uses_each_seeds_float_range(digits_small):
    s = tr.TrainSettings(hidden=12, epochs=2, batch_size=20, lr=0.3)
    dev = ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9)
    runs = ex.run_seeds(*digits_small, s, {"pp": (dev, "push-pull"), "po": (dev, "potentiation-only")}, [0, 3])
    assert [len(runs[k]) for k in ("float", "pp", "po")] == [2, 2, 2]
    assert runs["w_max"][1] == tr.weight_range(runs["float"][1].weights)
    alone = tr.train(*digits_small, replace(s, seed=3, w_max=runs["w_max"][1], mapping="potentiation-only"), device=dev)
    assert alone.test_accuracy == runs["po"][1].test_accuracy


def test_run_seeds_trains_identical_settings_once(digits_small):
    s = tr.TrainSettings(hidden=12, epochs=1, batch_size=20, lr=0.3)
    a = ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9)
    twin = ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9, name="same tables")
    runs = ex.run_seeds(*digits_small, s, {"a": (a, "push-pull"), "twin": (twin, "push-pull"),
                                           "other mapping": (twin, "potentiation-only")}, [0, 1])
    assert runs["a"] == runs["twin"] and runs["a"][0] is runs["twin"][0]
    assert runs["other mapping"][0] is not runs["a"][0]


# ------------------------------------------------------------------ volatile part read between updates
def test_decay_reads_the_volatile_part_until_it_has_relaxed():
    dev = ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 3e-9)
    decayed = replace(dev, decay=_decay(dev, [0.3, 0.1, 0.0]))
    w = np.random.default_rng(0).uniform(-0.5, 0.5, (6, 5)).astype(np.float32)
    layer = dp.PairLayer(w, 1.0, decayed, np.random.default_rng(1))
    plain = dp.PairLayer(w, 1.0, dev, np.random.default_rng(1))
    dw = np.zeros(w.shape, dtype=np.float32)
    dw[:3] = 0.2                                          # rows 0-2 pulsed (one pulse each), rows 3-5 not
    for lay in (layer, plain):
        lay.update(dw)
    np.testing.assert_array_equal(layer.gp, plain.gp)      # pulses move the table conductance alike
    span, ratio = dev.g_max - dev.g_min, 1.0 / (dev.g_max - dev.g_min)
    # G+ potentiated: reads 0.3 of the range more; G- depressed: 0.1 less; unpulsed rows: the table
    expected = plain.weights().astype(float)
    expected[:3] += ratio * (0.3 * span + 0.1 * span)
    np.testing.assert_allclose(layer.out, expected, atol=1e-6)
    layer.update(np.zeros(w.shape, dtype=np.float32))      # one step later, no pulse: less volatile part
    expected[:3] -= ratio * 0.2 * span                    # G+ 0.3 -> 0.1 of the range; G- still -0.1
    np.testing.assert_allclose(layer.out, expected, atol=1e-6)
    layer.update(np.zeros(w.shape, dtype=np.float32))      # relaxed: the device reads its table again
    assert layer.out.tobytes() == plain.out.tobytes()


def test_decay_that_has_relaxed_by_the_next_step_is_decay_off_bit_for_bit(digits_small):
    # long intervals: the gain is zero at the first following step -> the table device, byte for byte
    s = tr.TrainSettings(hidden=16, epochs=2, batch_size=20, lr=0.3, w_max=(2.0, 3.0), seed=3)
    dev = ld.neurosim_shaped_device(10, 2.0, 3.0, 1e-9, 2e-9, noise=0.02)
    for mapping in dp.MAPPINGS:
        a = tr.train(*digits_small, replace(s, mapping=mapping), device=dev)
        b = tr.train(*digits_small, replace(s, mapping=mapping), device=replace(dev, decay=_decay(dev, [0.0, 0.0])))
        c = tr.train(*digits_small, replace(s, mapping=mapping), device=replace(dev, decay=_decay(dev, [0.2, 0.0])))
        assert [w.tobytes() for w in a.weights] == [w.tobytes() for w in b.weights] and a.pulses == b.pulses
        assert a.test_accuracy == b.test_accuracy
        assert [w.tobytes() for w in a.weights] != [w.tobytes() for w in c.weights]   # a gain does act


def test_decay_from_the_device_model_relaxes_towards_the_retained_table():
    settle = 0.18
    assert ld.decay_from_model("3", 0.2, settle) is None     # next step after the settle time: the table
    fast, slow = ld.decay_from_model("3", 0.04, settle), ld.decay_from_model("3", 0.1, settle)
    np.testing.assert_allclose(fast.times_s, [0.02, 0.06, 0.10, 0.14, 0.18], atol=1e-12)
    np.testing.assert_allclose(slow.times_s, [0.08, 0.18], atol=1e-12)
    for d in (fast, slow):
        assert np.all(d.pot_gain[-1] == 0) and np.all(d.dep_gain[-1] == 0)   # relaxed at the settle time
        assert np.all(np.diff(d.pot_gain, axis=0) <= 1e-18)                  # the volatile part only shrinks
        assert np.all(d.pot_gain[0] > 0)
    # trained weights read closer to the retained table with longer intervals
    amp, g = ld.retained_pd_curve("3", settle)
    table = ld.device_from_pd_curve(g, amp)
    rng = np.random.default_rng(5)
    w = rng.uniform(-0.5, 0.5, (40, 30)).astype(np.float32)
    gap = {}
    for name, d in (("fast", fast), ("slow", slow)):
        layer = dp.PairLayer(w, 1.0, replace(table, decay=d), np.random.default_rng(6))
        upd = np.random.default_rng(7)
        for _ in range(12):
            layer.update(upd.normal(0, 0.05, w.shape).astype(np.float32))
        gap[name] = float(np.mean(np.abs(layer.out - layer.weights())))
    assert gap["slow"] < 0.5 * gap["fast"] and gap["fast"] > 0
