"""Model-form robustness (issue 19 §4): per-model verdicts, their agreement, the paths of a second
model's outputs, and the config's model list."""
import copy

import pytest
import yaml

from analysis import stage_io as io
from analysis.evidence import model_form
from analysis.physics import models
from analysis.physics.dimensionality import N_VALUES
from analysis.workflow import preflight


def claim(metric="fig3_plasticity:x", op="gt", **cmp):
    return {"id": "t", "figure": "Fig. 3", "quote": "q", "location": "p. 1", "kind": "trend",
            "basis": "predicted", "metric": metric, "compare": {"op": op, **cmp},
            "condition": {"stated": True, "figure": "Fig. 3"}}


def judged(c, primary, other):
    from analysis.evidence import claims
    rec = claims.evaluate(c, primary)
    return model_form.per_model(c, rec, {"driftdiffusion": model_form.model_view(primary, other)})


def test_agreement_agree_and_differ():
    c = claim(value=1.0)
    same = judged(c, {"fig3_plasticity": {"x": 2.0}}, {"fig3_plasticity": {"x": 3.0}})
    assert same["model_agreement"] == "agree"
    assert same["models"]["driftdiffusion"]["outcome"] == "reproduced"
    diff = judged(c, {"fig3_plasticity": {"x": 2.0}}, {"fig3_plasticity": {"x": 0.5}})
    assert diff["model_agreement"] == "differ"
    assert diff["models"]["multitrap"]["status"] == "pass" and diff["models"]["driftdiffusion"]["status"] == "fail"


def test_other_model_never_borrows_the_primary_metrics():
    """A device stage the second model lacks leaves its claims missing under it (one model)."""
    c = claim(value=1.0)
    out = judged(c, {"fig3_plasticity": {"x": 2.0}}, {})
    assert out["models"]["driftdiffusion"]["outcome"] == "not evaluated"
    assert out["model_agreement"] == "one model"
    s11 = claim("figS11_classification:nonlinearity_abs_max", op="lt", value=1.0)
    view = model_form.model_view({"figS11_classification": {"nonlinearity_abs_max": 0.5, "accuracy": 90}},
                                 {"figS11_classification": {"nonlinearity_abs_max": 3.0}})
    assert view["figS11_classification"] == {"nonlinearity_abs_max": 3.0}
    assert judged(s11, {"figS11_classification": {"nonlinearity_abs_max": 0.5}},
                  {"figS11_classification": {"nonlinearity_abs_max": 3.0}})["model_agreement"] == "differ"


def test_non_device_claims_get_no_model_fields():
    c = claim("fig2_optics:x", value=1.0)
    assert judged(c, {"fig2_optics": {"x": 2.0}}, {"fig3_plasticity": {}}) == {}
    accuracy = claim("figS11_classification:accuracy_8x8", value=1.0)
    assert not model_form.is_device_claim(accuracy)


def test_summary_counts_predictions_and_lists_the_dependent():
    recs = [{"id": "a", "class": "prediction", "model_agreement": "agree"},
            {"id": "b", "class": "prediction", "model_agreement": "differ"},
            {"id": "c", "class": "calibration", "model_agreement": "differ"},
            {"id": "d", "class": "prediction"}]
    s = model_form.agreement_summary(recs)
    assert (s["device_claims"], s["model_robust"], s["predictions"], s["predictions_model_robust"]) == (3, 1, 2, 1)
    assert s["predictions_model_dependent"] == ["b"] and s["model_dependent"] == ["b", "c"]


def test_paths_of_a_second_model():
    assert io.simulation_path("results", "3") == io.resolve("results") / "simulate" / "n3.nc"
    assert io.simulation_path("results", "3", "driftdiffusion") == io.resolve("results") / "simulate" / "driftdiffusion" / "n3.nc"
    assert io.metrics_folder("results") == io.resolve("results") / "metrics"
    assert io.metrics_folder("r", "driftdiffusion") == io.resolve("r") / "metrics" / "driftdiffusion"


def test_unknown_model_and_mesh_are_named():
    with pytest.raises(ValueError, match="model='ionmonger'"):
        models.check_model("ionmonger")
    with pytest.raises(ValueError, match="mesh='fine'"):
        models.device("driftdiffusion", "3", {}, mesh="fine")


@pytest.mark.parametrize("value, expected", [
    (["driftdiffusion"], "models"),
    (["multitrap", "ionmonger"], "models[1]='ionmonger'"),
])
def test_config_models_checked(value, expected):
    schema = yaml.safe_load((io.ROOT / "config" / "schema.yaml").read_text())
    cfg = copy.deepcopy(yaml.safe_load((io.ROOT / "config" / "config.yaml").read_text()))
    assert preflight.config_errors(cfg, schema, N_VALUES) == []
    cfg["models"] = value
    errors = preflight.config_errors(cfg, schema, N_VALUES)
    assert errors and expected in errors[0], errors


def test_current_scale_changes_currents_not_ratios():
    """Judging at the paper's current scale multiplies currents and conductances, divides
    resistances and leaves every dimensionless variable as it was."""
    import numpy as np
    import xarray as xr
    ds = xr.Dataset({"i": ("t", np.array([1.0, 2.0]), {"units": "A"}),
                     "g": ((), 3.0, {"units": "S"}), "r": ((), 4.0, {"units": "ohm"}),
                     "y": ("t", np.array([0.5, 0.25]), {"units": "1"})})
    out = model_form.scaled({"1": ds}, 1e-3)["1"]
    assert np.allclose(out["i"], [1e-3, 2e-3]) and float(out["g"]) == 3e-3 and float(out["r"]) == 4e3
    assert np.array_equal(out["y"], ds["y"]) and out["i"].attrs["units"] == "A"
    assert float(ds["i"][0]) == 1.0   # the input is not changed


def test_a_second_model_outcome_that_changes_with_the_current_anchor_is_not_counted_as_model_form():
    """The drift-diffusion model is judged at each of the paper's energy anchors
    (data/evidence/model_form.yaml); an outcome that flips between them gives the agreement
    "anchor", one that does not keeps "agree"/"differ"."""
    from analysis.evidence import claims
    c = claim(value=1.0)
    primary, dd18 = {"fig3_plasticity": {"x": 2.0}}, {"fig3_plasticity": {"x": 0.5}}
    rec = claims.evaluate(c, primary)
    view = {"driftdiffusion": model_form.model_view(primary, dd18)}
    flips = model_form.per_model(c, rec, view, anchor_metrics={
        "driftdiffusion": {"e07": model_form.model_view(primary, {"fig3_plasticity": {"x": 2.5}})}})
    assert flips["model_agreement"] == "anchor"
    assert flips["models"]["driftdiffusion"]["anchors"] == {"e18": "contradicted", "e07": "reproduced"}
    steady = model_form.per_model(c, rec, view, anchor_metrics={
        "driftdiffusion": {"e07": model_form.model_view(primary, {"fig3_plasticity": {"x": 0.7}})}})
    assert steady["model_agreement"] == "differ"
    s = model_form.agreement_summary([{"id": "f", "class": "prediction", **flips},
                                      {"id": "s", "class": "prediction", **steady}])
    assert s["predictions_anchor_dependent"] == ["f"] and s["predictions_model_dependent"] == ["s"]


def test_the_anchors_are_the_papers_two_energies_and_scale_to_them():
    """anchors() reads the rule (default first); current_scale makes the 2D device's energy the
    paper's at each anchor's conditions, for a model whose energy is not linear in amplitude."""
    from analysis.evidence import energy_audit
    from analysis.physics import energy, simulation
    assert model_form.anchors() == ("e18", "e07")
    device = models.device("multitrap", "1", None)
    ds = simulation.simulate_device(device, {"ppf_points": 3, "sfdp_points": 3, "energy_points": 10,
                                             "trace_samples": 2, "iv_step_V": 0.5, "traces": False},
                                    parts=("psc",))
    pe = energy_audit.paper_energy()
    for anchor in model_form.anchors():
        s = model_form.current_scale({"1": ds}, anchor=anchor)
        e = energy.energy_dataset(energy.stack_psc(model_form.scaled({"1": ds}, s)))
        cond = pe[f"{anchor}_conditions"]
        assert float(energy.select(e["energy"], "1", cond["amplitude_V"], cond["area_um2"])) == \
            pytest.approx(pe[f"{anchor}_J"], rel=1e-9)
    with pytest.raises(ValueError, match="anchor='e5'"):
        model_form.current_scale({"1": ds}, anchor="e5")


def test_without_the_2d_film_a_second_model_is_not_anchored_and_its_thresholded_claims_not_evaluated(tmp_path):
    """A run on n_values ["3"]: no n = 1 film anchors a second model's currents, so its metrics
    keep the model's own scale, carry no detection threshold (NaN, whatever the currents) and no
    Fig. 6 stage (it needs the 2D device), and a claim judged against a threshold is not
    evaluated — never decided on currents that are not the paper's."""
    import math

    from analysis.evidence import claims, metrics
    from analysis.physics import simulation
    assert math.isnan(model_form.current_scale({"3": None}))
    assert math.isnan(metrics.detection_threshold(1.0, "pulse_reads", 2))        # 1 A: beyond every instrument
    assert metrics.detection_threshold(1e-10, "pulse_reads", 2) > 0
    device = models.device("multitrap", "3", None)
    ds = simulation.simulate_device(device, {"ppf_points": 5, "sfdp_points": 4, "energy_points": 10,
                                             "trace_samples": 20, "iv_step_V": 0.1, "traces": False})
    out = model_form.device_metrics({"3": ds})
    assert "fig6_energy" not in out and {"fig3_plasticity", "fig4_retention"} <= set(out)
    f3 = out["fig3_plasticity"]
    assert math.isnan(f3["ppf_threshold"]["3"]) and math.isnan(out["fig4_retention"]["retention_detection_threshold"]["3"])
    assert f3["ppf_index"]["3"] == pytest.approx(list(ds["ppf_index"].values))     # ratios unchanged
    c = dict(claim(metric="fig3_plasticity:ppf_statistic_value", op="gt", value=1.0,
                   threshold={"metric": "fig3_plasticity:ppf_threshold"}), key="3")
    rec = claims.evaluate(c, out)
    assert rec["status"] == "missing" and rec["note"] == claims.UNKNOWN_THRESHOLD, rec
    # as the report reads it: through the metrics files, where NaN is written as null
    for stage, m in out.items():
        io.write_metrics(m, tmp_path / f"{stage}.json")
    from_file = io.load_metrics(tmp_path)
    rec = claims.evaluate(c, from_file)
    assert from_file["fig3_plasticity"]["ppf_threshold"]["3"] is None
    assert rec["status"] == "missing" and rec["outcome"] == "not evaluated", rec


def test_overlays_draw_a_model_without_a_scale_of_its_own_at_the_papers_current_scale(tmp_path):
    """The overlay figures show the drift-diffusion model's currents as its claims are judged:
    times the default anchor's factor (its 2D device at the paper's 18 fJ), recorded in the
    Datasets' attrs; without an n = 1 simulation (a subset run) at its own scale, factor NaN."""
    import math

    import numpy as np

    from analysis.evidence import energy_audit
    from analysis.physics import energy, simulation
    from analysis.plotting import model_overlay
    sets = {"ppf_points": 3, "sfdp_points": 3, "energy_points": 10, "trace_samples": 2, "iv_step_V": 0.5,
            "traces": False}
    # a model 10^6 times too conductive: the multi-trap films (already at 18 fJ) with currents x 1e6
    sims = model_form.scaled({n: simulation.simulate_device(models.device("multitrap", n, None), sets, parts=("psc",))
                              for n in ("1", "3")}, 1e6)
    io.write_netcdf(sims["3"], io.simulation_path(tmp_path, "3", "driftdiffusion"))
    alone = model_overlay.other_films(tmp_path, ["3"], ["multitrap", "driftdiffusion"])["driftdiffusion"]["3"]
    assert math.isnan(alone.attrs["current_scale"])
    assert np.array_equal(alone["psc_current"], sims["3"]["psc_current"])
    io.write_netcdf(sims["1"], io.simulation_path(tmp_path, "1", "driftdiffusion"))
    for n_values in (["3"], ["1", "3"]):        # the anchor film is read even when not drawn
        drawn = model_overlay.other_films(tmp_path, n_values, ["multitrap", "driftdiffusion"])["driftdiffusion"]
        s = drawn["3"].attrs["current_scale"]
        assert s == pytest.approx(model_form.current_scale(sims)) and s == pytest.approx(1e-6, rel=1e-9)
        assert np.allclose(drawn["3"]["psc_current"], s * sims["3"]["psc_current"], rtol=1e-12, atol=0)
    e = energy.energy_dataset(energy.stack_psc({"1": drawn["1"]}))
    pe = energy_audit.paper_energy()
    cond = pe["e18_conditions"]
    assert float(energy.select(e["energy"], "1", cond["amplitude_V"], cond["area_um2"])) == \
        pytest.approx(pe["e18_J"], rel=1e-9)


@pytest.mark.parametrize("unknown", [None, float("nan")])
def test_a_claim_compared_with_an_unknown_value_is_not_evaluated(unknown):
    """Not only a `threshold` operand: the retention claims compare the weight with the detection
    threshold as their `value` (data/paper/claims/fig4.yaml negligible_retention_*). Unknown
    (NaN, or null read back from a metrics file), the claim is not evaluated — it was
    'contradicted (cannot compare)' — and a known value still decides it."""
    from analysis.evidence import claims
    c = dict(claim(metric="fig4_retention:retained_weight_at_evaluation", op="lt",
                   value={"metric": "fig4_retention:retention_detection_threshold"}), key="2")
    rec = claims.evaluate(c, {"fig4_retention": {"retained_weight_at_evaluation": {"2": 1e-4},
                                                 "retention_detection_threshold": {"2": unknown}}})
    assert (rec["status"], rec["outcome"], rec["note"]) == ("missing", "not evaluated", claims.UNKNOWN_THRESHOLD)
    rec = claims.evaluate(c, {"fig4_retention": {"retained_weight_at_evaluation": {"2": 1e-4},
                                                 "retention_detection_threshold": {"2": 1e-3}}})
    assert rec["status"] == "pass"
