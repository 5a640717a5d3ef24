"""The robustness sweep: designs, chunks, statistics, and classes computed from data."""
import json

import numpy as np
import pytest
import xarray as xr

from analysis.evidence import claims, robustness as rb
from analysis.parameters import default_parameters
from analysis.physics import multitrap as dev


def synthetic(cid, threshold):
    """A claim on a synthetic metric: V0 > threshold (in V)."""
    return {"id": cid, "figure": "Fig. X", "quote": "q", "location": "p. 1", "kind": "trend",
            "basis": "predicted", "metric": "synthetic:v0", "compare": {"op": "gt", "value": threshold},
            "condition": {"stated": True, "figure": "Fig. X"}}


def v0_model(sample):
    """Cheap stand-in for the device model: the metric is the assumption V0 itself."""
    if sample["characteristic_voltage"] > 2.5:          # part of the wide prior is infeasible
        raise rb.Infeasible("Table 2 out of reach")
    return {}, {"synthetic": {"v0": float(sample["characteristic_voltage"])}}


def slow_v0_model(sample):
    """v0_model taking a noticeable, varying wall time (as the real model does)."""
    import time
    time.sleep(0.01 + 0.02 * np.random.default_rng().random())
    return v0_model(sample)


def test_design_is_seeded_inside_the_prior_and_integer_where_stated():
    a, b = rb.design("plausible", 16), rb.design("plausible", 16)
    table = rb.priors()
    for name, p in table.items():
        np.testing.assert_array_equal(a[name], b[name])
        lo, hi = p["plausible"]
        assert np.all((a[name] >= lo) & (a[name] <= hi)), name
    assert np.all(a["trap_classes"] == np.round(a["trap_classes"]))
    assert not np.array_equal(rb.design("wide", 16)["temperature"], a["temperature"])
    with pytest.raises(ValueError, match="prior='narrow' is unknown"):
        rb.design("narrow", 4)


def test_priors_have_sources_and_wide_contains_plausible():
    for name, p in rb.priors().items():
        assert p["source"] and p["units"] is not None, name
        assert p["wide"][0] <= p["plausible"][0] and p["plausible"][1] <= p["wide"][1], name


def test_chunks_partition_the_design():
    idx = np.concatenate([rb.chunk_indices(10, c, 3) for c in range(3)])
    assert idx.tolist() == list(range(10))
    with pytest.raises(ValueError, match="chunk=3"):
        rb.chunk_indices(10, 3, 3)


def test_classes_are_computed_from_the_sweep_not_typed():
    ledger = [synthetic("part", 0.5), synthetic("everywhere", 0.01)]
    plaus = rb.merge([rb.run_chunk("plausible", 24, c, 2, ledger=ledger, model=v0_model) for c in range(2)])
    wide = rb.run_chunk("wide", 24, ledger=ledger, model=v0_model)
    assert 0 < wide["feasible"].mean() < 1                      # infeasible samples recorded
    summary = rb.summarise(plaus, wide)
    metrics = {"synthetic": {"v0": 0.6}, "robustness": summary}
    part = claims.evaluate(ledger[0], metrics)
    every = claims.evaluate(ledger[1], metrics)
    assert part["class"] == "prediction" and 0 < part["robustness"] < 1
    lo, hi = part["robustness_interval"]
    assert lo < part["robustness"] < hi
    assert list(part["sensitivities"])[0] == "characteristic_voltage"
    assert part["sensitivities"]["characteristic_voltage"] == pytest.approx(1.0)
    assert every["class"] == "structural" and "wide prior" in every["structural_basis"]


def test_a_chunk_is_the_same_bytes_every_time(tmp_path):
    """Nothing run-dependent (wall time, host) is stored: a chunk computed on a cluster node is
    byte-identical to one computed locally (tests/test_slurm.py compares the whole tree)."""
    from analysis.stage_io import write_netcdf
    ledger = [synthetic("part", 0.5)]
    paths = []
    for k in range(2):
        ds = rb.run_chunk("plausible", 6, 1, 2, ledger=ledger, model=slow_v0_model)
        paths.append(tmp_path / f"c{k}.nc")
        write_netcdf(ds, paths[-1])
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_wilson_interval():
    lo, hi = rb.wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    assert rb.wilson(10, 10)[1] == pytest.approx(1.0) and rb.wilson(10, 10)[0] < 1.0
    assert all(np.isnan(rb.wilson(0, 0)))


def test_a_sample_is_a_parameter_set_and_changes_nothing_else():
    from analysis.physics import protocols
    before = dev.shared_parameters()["train_gap"]
    ps = rb.sample_parameters({"train_gap": 0.05})
    assert protocols.protocol_values(ps)["train_gap_s"] == 0.05
    assert dev.shared_parameters()["train_gap"] == before
    assert protocols.protocol_values()["train_gap_s"] == before
    with pytest.raises(ValueError, match="not entries of data/parameters/device.yaml"):
        default_parameters().replace({"device": {"train_gapp": 0.05}})


def test_two_parameter_sets_in_threads_give_the_serial_results():
    """No hidden global state: two samples evaluated at once, in two threads, give exactly what
    each gives alone (optics, XRD, calibration to Table 2, protocols)."""
    from concurrent.futures import ThreadPoolExecutor
    samples = [{"train_gap": 0.12, "characteristic_voltage": 0.5, "exciton_linewidth_layered": 0.03},
               {"train_gap": 0.2, "characteristic_voltage": 0.4, "exciton_linewidth_layered": 0.045}]

    def evaluate(sample):
        return rb.device_model(sample, ["1", "3"])

    serial = [evaluate(s) for s in samples]
    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(evaluate, samples * 2))
    assert serial[0] != serial[1]
    for k, (params, metrics) in enumerate(together):
        want_params, want_metrics = serial[k % 2]
        assert params == want_params
        assert json.dumps(metrics, sort_keys=True, default=str) == json.dumps(want_metrics, sort_keys=True, default=str)


def test_model_metrics_match_the_claims_of_the_nominal_device():
    params = {n: dev.load_parameters(n) for n in dev.N_VALUES}
    m = rb.model_metrics(params)
    # Table 2 through the same fit the calibration uses (the nominal parameters reproduce it)
    assert m["fig4_retention"]["power_law_m"]["3"] == pytest.approx(0.4092, rel=1e-6)
    assert m["fig6_energy"]["energy_fJ_2d_minus1V"] == pytest.approx(18.0, rel=1e-6)
    assert set(m) == set(rb.DEVICE_STAGES)


def test_one_real_sample_recalibrates_and_evaluates(tmp_path):
    nominal_ish = {"train_gap": 0.15, "characteristic_voltage": 0.45}    # near the stored calibration
    ds = rb.run_chunk("plausible", 1, model=lambda s: rb.device_model(nominal_ish, ["1", "3"]),
                      n_values=["1", "3"])
    assert ds["feasible"].item() == 1
    assert np.all(np.isfinite(ds["ea_eV"].values))
    assert any(v.startswith("margin__ppf_above_one_n3") for v in ds.data_vars)
    # the optics claims, the held-out law and the Fig. S11a device curve are evaluated too
    for cid in ("fig2_gap_decreasing", "heldout_table2_from_structure", "figS11_almost_linear"):
        assert ds[f"holds__{cid}"].item() in (0, 1), cid
    assert not any(v.startswith("holds__figS11_accuracy") for v in ds.data_vars)
    for v in ds.data_vars:
        assert "units" in ds[v].attrs, v
    from analysis.stage_io import write_netcdf, read_netcdf
    write_netcdf(ds, tmp_path / "c.nc")
    back = read_netcdf(tmp_path / "c.nc")
    xr.testing.assert_allclose(back["ea_eV"], ds["ea_eV"])


def test_infeasible_assumptions_are_recorded_not_raised():
    far = {"shortest_release_time": 1e-3}     # device.yaml: calibration fails below 5e-3 s
    with pytest.raises(rb.Infeasible, match="calibration cannot bracket"):
        rb.device_model(far, ["inf"])


def test_heatmap_draws_all_outcomes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ledger = [synthetic("never", 10.0), synthetic("always", 0.01), synthetic("part", 0.5)]
    plaus = rb.run_chunk("plausible", 12, ledger=ledger, model=v0_model)
    summary = rb.summarise(plaus, rb.run_chunk("wide", 8, ledger=ledger, model=v0_model))
    fig, (a, b) = plt.subplots(1, 2)
    rb.heatmap(summary, a, b)
    assert len(b.patches) == 3
    plt.close(fig)


def test_sweep_jobs_follow_the_profile_sizes():
    """Each profile's sweep is split into the configured chunks; the design size is in the name."""
    import re
    import subprocess
    import sys

    from analysis.stage_io import ROOT
    out = {}
    for profile, expected in (("quick", 3), ("sweep", 24)):
        proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--config", f"profile={profile}",
                               "--forcerun", "robustness_chunk"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        count = re.search(r"robustness_chunk\s+(\d+)", proc.stdout)
        assert count and int(count.group(1)) == expected, proc.stdout[-2000:]
        out[profile] = proc.stdout
    assert "plausible_n3600_17of18.nc" in out["sweep"]


# --------------------------------------------------------------------------- optics, held-out law
def test_sweep_computes_the_fig2_notebooks_metric_names():
    """The sweep's optics metrics are the Fig. 2 notebook's (its stored reference names), and
    every swept Fig. 2 claim finds its metric."""
    import json
    from analysis.parameters import data_dir
    ref = json.loads((data_dir() / "reference" / "quick.json").read_text())
    notebook_names = {k.split(":", 1)[1].split(".")[0].split("[")[0] for k in ref if k.startswith("fig2_optics:")}
    m = rb.optics_metrics()
    assert set(m) == notebook_names
    fig2 = [c for c in rb.swept_claims() if c["metric"].startswith("fig2_optics:")]
    assert len(fig2) >= 16
    for c in fig2:
        assert claims.evaluate(c, {"fig2_optics": m})["status"] in ("pass", "fail"), c["id"]


def test_extreme_optics_assumptions_change_optics_margins_and_are_restored():
    fig2 = {c["id"]: c for c in rb.swept_claims() if c["metric"].startswith("fig2_optics:")}

    def margins(pset=None):
        m = rb.optics_metrics(pset=pset)
        return {cid: claims.evaluate(c, {"fig2_optics": m}).get("margin") for cid, c in fig2.items()}

    nominal = margins()
    extreme = {"optics": {"exciton_linewidth_layered": 0.08, "absorbance_3d_at_400nm": 3.0,
                          "stokes_shift_layered": 0.15},
               "structure": {"march_dollase_layered": 1.0, "xrd_crystallite_size": 8.0}}
    changed = margins(default_parameters().replace(extreme))
    moved = [cid for cid in fig2 if nominal[cid] is not None and changed[cid] is not None
             and abs(changed[cid] - nominal[cid]) > 1e-6]
    assert "fig2-gap-decreasing" in moved and "fig2-films-yellowish-bstar" in moved, moved
    assert margins() == nominal          # the default parameter set is untouched


def test_priors_name_existing_parameters_of_their_model():
    from analysis.parameters import parameter_values
    for key, p in rb.priors().items():
        assert p["name"] in parameter_values(p["topic"]), key
        assert p["model"] in ("device", "optics", "xrd"), key
    assert rb.overrides({"optics_temperature": 310.0}) == {"optics": {"temperature": 310.0}}


def test_claims_without_table2_are_evaluated_in_infeasible_samples():
    def half_feasible(sample):
        metrics = {"synthetic": {"v0": float(sample["characteristic_voltage"])}}
        if sample["characteristic_voltage"] > 0.4:
            raise rb.Infeasible("Table 2 out of reach", metrics)
        return {}, metrics
    ds = rb.run_chunk("plausible", 12, ledger=[synthetic("part", 0.3)], model=half_feasible)
    assert 0 < ds["feasible"].sum() < 12
    assert np.all(ds["holds__part"].values >= 0)         # evaluated in every sample
    s = rb.summarise(ds)
    assert s["claims"]["part"]["plausible_samples"] == 12
    assert s["claims"]["part"]["robustness_over"] == "assumptions"
    assert rb.stage_model("fig2_optics:xrd_peak_count") == "xrd" and rb.stage_model("fig2_optics:pl_colour") == "optics"
    assert rb.stage_model("fig3_plasticity:ppf_min") == "device"


def test_a_claim_without_varying_margin_states_why_it_has_no_sensitivities():
    never = {**synthetic("never", 0.0), "compare": {"op": "equals", "paper": 99.0}}   # margin -1 everywhere
    ledger = [never, synthetic("part", 0.5)]
    s = rb.summarise(rb.run_chunk("plausible", 12, ledger=ledger, model=v0_model))
    assert s["claims"]["never"]["sensitivities"] == {}
    assert "fails in all of them" in s["claims"]["never"]["sensitivity_note"]
    assert s["claims"]["part"]["sensitivity_note"] == ""
    record = claims.evaluate(ledger[0], {"synthetic": {"v0": 0.5}, "robustness": s})
    assert "fails in all of them" in record["sensitivity_note"]
