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


NOMINAL_V0 = 0.45


def v0_model(sample):
    """Cheap stand-in for the device model: the metric is the assumption V0 itself (its nominal
    value where the design does not sample the physics)."""
    v0 = float(sample["physics"].get("characteristic_voltage", NOMINAL_V0))
    if v0 > 2.5:                                         # part of the wide prior is infeasible
        raise rb.Infeasible("Table 2 out of reach")
    return {}, {"synthetic": {"v0": v0}}


def slow_v0_model(sample):
    """v0_model taking a noticeable, varying wall time (as the real model does)."""
    import time
    time.sleep(0.01 + 0.02 * np.random.default_rng().random())
    return v0_model(sample)


def test_design_is_seeded_inside_the_prior_and_integer_where_stated():
    a, b = rb.design("plausible", 16), rb.design("plausible", 16)
    assert a == b
    table = rb.priors()
    for name, p in table.items():
        if p["kind"] == "analysis":
            continue
        x = np.array([s["physics"][name] for s in a])
        lo, hi = p["plausible"]
        assert np.all((x >= lo) & (x <= hi)), name
    assert all(s["physics"]["trap_classes"] == round(s["physics"]["trap_classes"]) for s in a)
    wide = rb.design("wide", 16)
    assert [s["physics"]["temperature"] for s in wide] != [s["physics"]["temperature"] for s in a]
    with pytest.raises(ValueError, match="design='narrow' is unknown"):
        rb.design("narrow", 4)


def test_designs_vary_the_physics_the_choices_or_both():
    from analysis.evidence import choices
    defaults = choices.defaults()
    plaus, analysis, joint = (rb.design(d, 12) for d in ("plausible", "analysis", "joint"))
    physics_names = [k for k, p in rb.priors().items() if p["kind"] != "analysis"]
    assert all(s["analysis"] == defaults for s in plaus)                 # physics only
    assert all(not set(physics_names) & set(s["physics"]) for s in analysis)   # nominal physics
    assert any(s["analysis"] != defaults for s in analysis)
    assert any(s["analysis"] != defaults for s in joint) and all(set(physics_names) <= set(s["physics"]) for s in joint)


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
    ledger = [synthetic("part", 0.5), synthetic("everywhere", 0.01), synthetic("nowhere", 5.0)]
    plaus = rb.merge([rb.run_chunk("plausible", 24, c, 2, ledger=ledger, model=v0_model) for c in range(2)])
    wide = rb.run_chunk("wide", 24, ledger=ledger, model=v0_model)
    assert 0 < wide["feasible"].mean() < 1                      # infeasible samples recorded
    summary = rb.summarise({"plausible": plaus, "wide": wide})
    metrics = {"synthetic": {"v0": 0.6}, "robustness": summary}
    part, every, never = (claims.evaluate(c, metrics) for c in ledger)
    assert part["class"] == "prediction" and 0 < part["robustness_physics"] < 1
    lo, hi = part["robustness_interval"]
    assert lo < part["robustness"] < hi
    top = list(part["sensitivities"])[0]
    assert top == "characteristic_voltage" and part["sensitivities"][top]["kind"] == "physics"
    assert part["sensitivities"][top]["delta"] > 0.5 and part["sensitivities"][top]["rho"] == pytest.approx(1.0)
    assert every["class"] == "consistent by construction" and "wide prior" in every["construction_basis"]
    assert never["class"] == "inconsistent by construction" and "fails in all" in never["construction_basis"]
    assert claims.headline([part, every, never])["predictions"] == 1


def test_a_verdict_that_flips_with_an_analysis_choice_is_robust_over_the_analysis_between_0_and_1():
    """Issue 17 acceptance: V0 > 0.2 f (f the 'comparable' factor, options 1, 3, 10): at the
    nominal V0 = 0.45 V it holds for f = 1 only, whatever the physics."""
    claim = {**synthetic("by_choice", 0.0), "compare": {"op": "gt", "value": {"choice": "comparable_factor", "times": 0.2}}}
    analysis = rb.run_chunk("analysis", 24, ledger=[claim], model=v0_model)
    plaus = rb.run_chunk("plausible", 12, ledger=[claim], model=v0_model)
    s = rb.summarise({"plausible": plaus, "analysis": analysis})["claims"]["by_choice"]
    assert 0 < s["robustness_analysis"] < 1
    codes = analysis["choice__comparable_factor"].values
    holds = analysis["holds__by_choice"].values
    assert set(holds[codes == 0]) == {1} and set(holds[codes > 0]) == {0}
    assert "comparable_factor" in analysis["choice__comparable_factor"].attrs["long_name"]
    assert analysis["choice__comparable_factor"].attrs["options"].split(rb.OPTION_SEP) == ["1", "3", "10"]


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
    for cid in ("fig2_gap_decreasing", "heldout_law_in_sample", "figS11_almost_linear"):
        assert ds[f"holds__{cid}"].item() in (0, 1), cid
    # two films: the law fits them exactly in-sample and no leave-one-out runs (needs 3 films), so
    # the leave-one-out claim is not evaluated in this sample (-1), not failed
    assert ds["holds__heldout_table2_from_structure"].item() == -1
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


def test_specification_curve_draws_one_point_per_judged_specification():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plotting import robustness_figures as rf
    claim = {**synthetic("by_choice", 0.0), "compare": {"op": "gt", "value": {"choice": "comparable_factor", "times": 0.2}}}
    ds = rb.run_chunk("joint", 10, ledger=[claim, synthetic("part", 0.5)], model=v0_model)
    fig, (a, b) = plt.subplots(2, 1)
    n = rf.specification_curve(a, b, ds, ["by_choice", "part"], ["comparable_factor"],
                               {"comparable_factor": ["1", "3", "10"]})
    assert n == 20 and len(a.collections[0].get_offsets()) == 20
    summary = rb.summarise({"plausible": ds, "joint": ds})
    fig2, ax = plt.subplots()
    rf.robustness_overview(summary, ["by_choice", "part"], ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["by_choice", "part"]
    plt.close(fig)
    plt.close(fig2)


def test_sweep_jobs_follow_the_profile_sizes():
    """Each profile's sweep is split into the configured chunks; the design size is in the name."""
    import re
    import subprocess
    import sys

    from analysis.stage_io import ROOT
    out = {}
    for profile, expected in (("quick", 5), ("sweep", 54 + 90)):   # + the drift-diffusion design's 90
        proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--config", f"profile={profile}",
                               "--forcerun", "robustness_chunk"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        count = re.search(r"robustness_chunk\s+(\d+)", proc.stdout)
        assert count and int(count.group(1)) == expected, proc.stdout[-2000:]
        out[profile] = proc.stdout
    assert "plausible_n3600_17of18.nc" in out["sweep"] and "driftdiffusion_n3600_89of90.nc" in out["sweep"]


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
        v0 = float(sample["physics"]["characteristic_voltage"])
        metrics = {"synthetic": {"v0": v0}}
        if v0 > 0.4:
            raise rb.Infeasible("Table 2 out of reach", metrics)
        return {}, metrics
    ds = rb.run_chunk("plausible", 12, ledger=[synthetic("part", 0.3)], model=half_feasible)
    assert 0 < ds["feasible"].sum() < 12
    assert np.all(ds["holds__part"].values >= 0)         # evaluated in every sample
    s = rb.summarise({"plausible": ds})
    assert s["claims"]["part"]["samples"]["plausible"] == 12
    assert s["claims"]["part"]["robustness_over"] == "physics"
    assert rb.stage_model("fig2_optics:xrd_peak_count") == "xrd" and rb.stage_model("fig2_optics:pl_colour") == "optics"
    assert rb.stage_model("fig3_plasticity:ppf_min") == "device"


def test_a_claim_without_varying_margin_states_why_it_has_no_sensitivities():
    never = {**synthetic("never", 0.0), "compare": {"op": "equals", "paper": 99.0}}   # margin -1 everywhere
    ledger = [never, synthetic("part", 0.5)]
    s = rb.summarise({"plausible": rb.run_chunk("plausible", 12, ledger=ledger, model=v0_model)})
    assert s["claims"]["never"]["sensitivities"] == {}
    assert "fails in every evaluated sample" in s["claims"]["never"]["sensitivity_note"]
    assert s["claims"]["part"]["sensitivity_note"] == ""
    record = claims.evaluate(ledger[0], {"synthetic": {"v0": 0.5}, "robustness": s})
    assert "fails in every evaluated sample" in record["sensitivity_note"]


def test_merge_keeps_a_claims_units_when_one_chunk_never_evaluated_it(tmp_path):
    """A chunk whose samples were all infeasible writes the default units '1' for a margin; the
    merged design keeps the units of the chunks that evaluated the claim and stays writable
    (the full profile's wide design failed here)."""
    from analysis.stage_io import read_netcdf, write_netcdf

    def infeasible(sample):
        raise rb.Infeasible("never reachable")

    claim = synthetic("part", 0.5)
    claim["compare"]["units"] = "V"
    ledger = [claim]
    first = rb.run_chunk("plausible", 6, 0, 2, ledger=ledger, model=infeasible)
    second = rb.run_chunk("plausible", 6, 1, 2, ledger=ledger, model=v0_model)
    var = [v for v in second.data_vars if str(v).startswith("margin__")][0]
    assert (first[var.replace("margin__", "holds__")] == -1).all()
    units = second[var].attrs["units"]
    assert units == "V" and first[var].attrs["units"] == "1"
    merged = rb.merge([first, second])
    assert merged[var].attrs["units"] == units
    write_netcdf(merged, tmp_path / "m.nc")
    assert read_netcdf(tmp_path / "m.nc")[var].attrs["units"] == units


def test_margins_whose_meaning_changes_with_an_analysis_choice_keep_their_common_units():
    """trend_effect makes a margin a relative change over the sweep in some samples and the
    smallest relative step in others (the full profile's analysis design merged chunks of both):
    the variable carries the common units and every meaning; different kinds of units raise."""
    assert rb.margin_units_attrs({"1 (relative change over the sweep)"}) == {
        "units": "1 (relative change over the sweep)"}
    both = rb.margin_units_attrs({"1 (relative change over the sweep)", "1 (smallest relative step)"})
    assert both["units"] == "1"
    assert set(both["margin_meanings"].split(rb.OPTION_SEP)) == {
        "1 (relative change over the sweep)", "1 (smallest relative step)"}
    with pytest.raises(ValueError, match="different units"):
        rb.margin_units_attrs({"V", "A"})
    claim = synthetic("part", 0.5)
    chunks = [rb.run_chunk("plausible", 6, c, 2, ledger=[claim], model=v0_model) for c in range(2)]
    var = [v for v in chunks[0].data_vars if str(v).startswith("margin__")][0]
    chunks[0][var].attrs["units"] = "1 (relative change over the sweep)"
    chunks[1][var].attrs["units"] = "1 (smallest relative step)"
    merged = rb.merge(chunks)
    assert merged[var].attrs["units"] == "1" and "smallest relative step" in merged[var].attrs["margin_meanings"]
