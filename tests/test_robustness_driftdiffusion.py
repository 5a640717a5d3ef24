"""The drift-diffusion model's own robustness sweep (issue 19 §4): its priors, its design, its
chunks, its summary beside the multi-trap designs and the model row of the specification curves."""
import math

import numpy as np
import pytest
import xarray as xr

from analysis.evidence import choices, claims, robustness as rb
from analysis.parameters import parameter_values

DD = rb.DD_DESIGN
NUMERICS = {"mesh_cells", "mesh_wall_spacing", "relative_tolerance", "absolute_tolerance", "first_step"}


def synthetic(cid, threshold, metric="synthetic:g"):
    """A claim on a synthetic metric: the metric > threshold."""
    return {"id": cid, "figure": "Fig. X", "quote": "q", "location": "p. 1", "kind": "trend",
            "basis": "predicted", "metric": metric, "compare": {"op": "gt", "value": threshold},
            "condition": {"stated": True, "figure": "Fig. X"}}


def g_model(sample):
    """Cheap stand-in for the drift-diffusion model: the metric is the sampled trap fraction g;
    g > 2.5 is 'infeasible'."""
    g = float(sample["physics"]["dd_trap_fraction"])
    if g > 2.5:
        raise rb.Infeasible("Table 2 out of reach")
    return {"1": (0.1, 0.5, 10.0)}, {"synthetic": {"g": g}}


# --------------------------------------------------------------------------- priors
def test_dd_priors_are_the_models_own_unfixed_entries_with_nominal_inside():
    table = rb.priors(DD)
    nominal = parameter_values(DD)
    assert len(table) >= 8
    for name, p in table.items():
        assert p["model"] == DD and p["topic"] == DD and p["name"] in nominal, name
        assert p["name"] not in NUMERICS, f"{name} is a numerical setting, not an assumption"
        assert p["source"].strip(), name
        lo, hi = p["plausible"]
        wlo, whi = p["wide"]
        assert wlo <= lo < hi <= whi, name
        assert lo <= float(nominal[p["name"]]) <= hi, f"{name}: nominal outside the plausible range"


@pytest.mark.parametrize("key, entry, message", [
    ("dd_vacancy_density", {"plausibel": [1.0, 2.0]},
     r"priors_driftdiffusion.yaml: dd_vacancy_density: unknown keys \['plausibel'\]"),
    ("dd_vacancy_density", {"plausible": [2.0, 1.0]}, r"dd_vacancy_density.plausible=\[2.0, 1.0\] must be \[low, high\]"),
    ("dd_vacancy_density", {"topic": "device"}, r"dd_vacancy_density: model='driftdiffusion', topic='device'; expected both"),
    ("dd_vacancy_density", {"name": "no_such_entry"},
     r"'no_such_entry' is not an entry of data/parameters/driftdiffusion.yaml"),
    ("dd_vacancy_density", {"scale": "ln"}, r"dd_vacancy_density.scale='ln'; expected log or linear"),
    ("attempt_time", {"name": "attempt_time"}, r"keys \['attempt_time'\] are also keys of data/evidence/priors.yaml"),
])
def test_a_bad_dd_prior_is_named_with_file_entry_and_key(monkeypatch, key, entry, message):
    good = {"topic": DD, "name": "vacancy_density", "units": "m^-3", "scale": "log", "plausible": [4e24, 6.4e25],
            "wide": [1e23, 1e26], "source": "s"}
    real = rb.load_yaml
    monkeypatch.setattr(rb, "load_yaml", lambda path: {key: {**good, **entry}} if "driftdiffusion" in path else real(path))
    with pytest.raises(ValueError, match=message):
        rb.priors(DD)


def test_dd_design_samples_only_its_own_priors_inside_the_plausible_range():
    samples = rb.design(DD, 8)
    table = rb.priors(DD)
    assert samples == rb.design(DD, 8)
    for s in samples:
        assert s["model"] == DD and set(s["physics"]) == set(table)
        assert s["analysis"] == choices.defaults()
        for k, v in s["physics"].items():
            lo, hi = table[k]["plausible"]
            assert lo <= v <= hi
    pset = rb.sample_parameters(samples[0])
    assert pset.topic(DD)["vacancy_density"] == samples[0]["physics"]["dd_vacancy_density"]
    assert pset.topic("device") == rb.default_parameters().topic("device")
    # the multi-trap designs do not see the drift-diffusion priors
    assert not set(rb.design("plausible", 2)[0]["physics"]) & set(table)


# --------------------------------------------------------------------------- the real sample path
def test_one_dd_sample_on_one_film_recalibrates_and_judges_a_claim():
    """Quick mesh, the n = 1 film only: the sample's metrics are finite and a claim is judged."""
    sample = rb.design(DD, 1)[0]
    params, found = rb.dd_model(sample, ["1"], mesh="quick")
    assert set(params) == {"1"} and all(math.isfinite(v) for v in params["1"])
    assert math.isfinite(found["fig4_retention"]["power_law_b"]["1"])
    assert math.isfinite(found["fig4_retention"]["power_law_m"]["1"])
    assert math.isfinite(found["fig6_energy"]["current_scale"])
    ledger = [c for c in rb.dd_swept_claims() if c["id"] == "ppf_above_one_n1"]
    assert ledger, "the claim ppf_above_one_n1 is a device claim of the sweep"
    res = rb.evaluate_sample(sample, ledger, lambda s: (params, found))
    rec = res["records"]["ppf_above_one_n1"]
    assert res["feasible"] and rec is not None and rec["outcome"] in claims.OUTCOMES


def test_dd_infeasible_assumptions_are_recorded_not_raised():
    """A PEA barrier beyond 0.09 eV puts Table 2's E_A of n = 4 out of the calibration's reach
    (data/parameters/driftdiffusion.yaml): the sample is infeasible and counted."""
    sample = {"physics": {"dd_pea_barrier_extra_energy": 0.15}, "analysis": choices.defaults(), "model": DD}
    with pytest.raises(rb.Infeasible, match="n=4"):
        rb.dd_model(sample, ["4"], mesh="quick")
    ds = rb.run_chunk(DD, 1, n_values=["4"], ledger=rb.dd_swept_claims()[:3],
                      model=lambda s: rb.dd_model(sample, ["4"], mesh="quick"))
    assert int(ds["feasible"].sum()) == 0 and ds.sizes["sample"] == 1
    assert np.isnan(ds["gating_length_nm"].values).all()


@pytest.mark.slow
def test_dd_chunks_merged_equal_the_unchunked_computation():
    """Two samples of the real model on the n = 1 film: two chunks merged give the unchunked
    Dataset (every variable and attribute but the chunk count)."""
    ledger = [c for c in rb.dd_swept_claims() if c["id"].endswith("_n1")]
    whole = rb.run_chunk(DD, 2, 0, 1, n_values=["1"], ledger=ledger)
    parts = [rb.run_chunk(DD, 2, k, 2, n_values=["1"], ledger=ledger) for k in range(2)]
    merged = rb.merge(parts)
    assert merged.attrs.pop("n_chunks") == 2 and whole.attrs.pop("n_chunks") == 1
    whole.attrs.pop("chunk")
    xr.testing.assert_identical(merged, whole)
    assert merged.attrs["model"] == DD and merged.attrs["mesh"] == "quick"
    assert np.isfinite(merged["dispersion"].values).all()


def test_dd_chunks_of_a_stand_in_model_merge_to_the_unchunked_design():
    ledger = [synthetic("g_above_1", 1.0)]
    whole = rb.run_chunk(DD, 7, ledger=ledger, model=g_model)
    merged = rb.merge([rb.run_chunk(DD, 7, k, 3, ledger=ledger, model=g_model) for k in range(3)])
    merged.attrs.pop("n_chunks"), whole.attrs.pop("n_chunks"), whole.attrs.pop("chunk")
    xr.testing.assert_identical(merged, whole)
    assert set(rb.priors(DD)) <= set(merged.data_vars)
    assert [str(v) for v in merged.data_vars if "recalibrated" in merged[v].attrs.get("long_name", "")] == [
        "ea_eV", "dispersion", "gating_length_nm"]


# --------------------------------------------------------------------------- the summary
def test_summary_gives_the_dd_robustness_beside_and_never_pooled_into_the_multitrap_verdicts():
    mt_claim = {**synthetic("g_above_1", 0.0, "synthetic:g")}

    def mt_model(sample):
        return {}, {"synthetic": {"g": -1.0}}                 # fails in every multi-trap sample
    designs = {"plausible": rb.run_chunk("plausible", 6, ledger=[mt_claim], model=mt_model),
               "joint": rb.run_chunk("joint", 6, ledger=[mt_claim], model=mt_model)}
    without = rb.summarise(designs)["claims"]["g_above_1"]
    dd = rb.run_chunk(DD, 12, ledger=[mt_claim], model=g_model)
    summary = rb.summarise({**designs, DD: dd})
    entry = summary["claims"]["g_above_1"]
    held = dd["holds__g_above_1"].values
    assert entry["samples"][DD] == int((held != -1).sum()) < 12      # infeasible samples not judged
    assert summary["feasible_fraction"][DD] == float(dd["feasible"].mean()) < 1
    assert entry["robustness_driftdiffusion"] == pytest.approx((held == 1).sum() / (held != -1).sum())
    assert entry["robustness_driftdiffusion_interval"] == list(
        rb.wilson(int((held == 1).sum()), int((held != -1).sum()), float(rb.rules()["confidence"])))
    assert entry["robustness_driftdiffusion"] == 1.0 and entry["verdict_driftdiffusion"] in ("holds", "depends")
    for key in ("robustness", "verdict_robust", "wide_holds_all", "wide_fails_all", "wide_samples"):
        assert entry[key] == without[key], key
    assert entry["wide_fails_all"] is True
    record = claims.evaluate(mt_claim, {"synthetic": {"g": -1.0}, "robustness": summary})
    assert record["robustness_driftdiffusion"] == 1.0 and record["verdict_driftdiffusion"] == entry["verdict_driftdiffusion"]
    table = rb.claim_table(summary, [mt_claim])
    assert table.loc[0, "robustness_driftdiffusion"] == 1.0


def test_report_text_shows_the_dd_robustness():
    from analysis.evidence import report
    text = report._robustness_text({"robustness_joint": 0.5, "robustness_joint_interval": [0.3, 0.7],
                                    "robustness_driftdiffusion": 0.8,
                                    "robustness_driftdiffusion_interval": [0.4, 0.96]})
    assert "jointly 50 % [30–70]" in text and "drift–diffusion model over its own assumptions 80 % [40–96]" in text


# --------------------------------------------------------------------------- the figure
def test_specification_curve_has_the_model_row_with_both_designs_specifications():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plotting import robustness_figures as rf
    claim = synthetic("g_above_1", 1.0)

    def mt_model(sample):
        return {}, {"synthetic": {"g": 2.0}}
    joint = rb.run_chunk("joint", 5, ledger=[claim], model=mt_model)
    dd = rb.run_chunk(DD, 9, ledger=[claim], model=g_model)
    n_dd = int((dd["holds__g_above_1"].values != -1).sum())
    fig, (a, b) = plt.subplots(2, 1)
    n = rf.specification_curve(a, b, {"multi-trap model": joint, "drift–diffusion model": dd},
                               ["g_above_1"], ["comparable_factor"], {"comparable_factor": ["1", "3", "10"]})
    assert n == 5 + n_dd and len(a.collections[0].get_offsets()) == n
    labels = [t.get_text() for t in b.get_yticklabels()]
    assert labels == [rf.MODEL_ROW, "comparable factor"]
    model_row = b.collections[0]
    assert len(model_row.get_offsets()) == n and len({tuple(c) for c in model_row.get_facecolor()}) == 2
    # one design alone: no model row
    fig2, (c, d) = plt.subplots(2, 1)
    assert rf.specification_curve(c, d, joint, ["g_above_1"], ["comparable_factor"],
                                  {"comparable_factor": ["1", "3", "10"]}) == 5
    assert [t.get_text() for t in d.get_yticklabels()] == ["comparable factor"]
    plt.close(fig)
    plt.close(fig2)


# --------------------------------------------------------------------------- the notebook
@pytest.mark.slow
def test_robustness_notebook_reads_the_dd_design_and_draws_both_figures(tmp_path):
    """The robustness notebook with all five designs: it checks the drift-diffusion design's size
    and mesh, writes its robustness per claim into robustness.json, and draws both figures (the
    layout check passes with the fifth legend entry and the model row). The designs are judged on
    the metrics of one real drift-diffusion sample of the n = 1 film, reused in every sample (a
    stand-in: what is tested is the notebook's path, not the numbers)."""
    import json

    from analysis.stage_io import write_netcdf
    from analysis.workflow.runner import run_notebook
    found = rb.dd_model(rb.design(DD, 1)[0], ["1"], mesh="quick")[1]
    sizes = {"plausible": (3, 1), "analysis": (2, 1), "joint": (3, 2), "wide": (2, 1), DD: (3, 1)}
    for design, (n, chunks) in sizes.items():
        ledger = rb.dd_swept_claims() if design == DD else rb.swept_claims()
        parts = [rb.run_chunk(design, n, k, chunks, n_values=["1"], ledger=ledger,
                              model=lambda s: ({}, found)) for k in range(chunks)]
        write_netcdf(rb.merge(parts), tmp_path / "robustness" / f"{design}.nc")
    params = {"results_dir": str(tmp_path), "figures_dir": str(tmp_path / "figures"),
              **{f"{d}_samples": n for d, (n, _) in sizes.items()},
              **{f"{d}_chunks": c for d, (_, c) in sizes.items()}, "driftdiffusion_mesh": "quick"}
    run_notebook("notebooks/robustness.py", tmp_path / "nb.ipynb", failed=tmp_path / "failed.ipynb",
                 parameters=params)
    out = json.loads((tmp_path / "metrics" / "robustness.json").read_text())
    assert out["samples"][DD] == 3
    dd = {cid: s for cid, s in out["claims"].items() if s.get("robustness_driftdiffusion") is not None}
    assert "ppf_above_one_n1" in dd and dd["ppf_above_one_n1"]["samples"][DD] == 3
    assert {p.name for p in (tmp_path / "figures").glob("*.png")} == {"robustness.png", "specification_curves.png"}
    with pytest.raises(RuntimeError, match="made on the .quick. mesh"):   # another mesh than the setting
        run_notebook("notebooks/robustness.py", tmp_path / "nb2.ipynb", failed=tmp_path / "failed2.ipynb",
                     parameters={**params, "driftdiffusion_mesh": "full"})
