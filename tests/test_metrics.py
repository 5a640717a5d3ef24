"""One metrics function per figure: the notebooks and the robustness sweep compute a claim's
metric with the same function of analysis.evidence.metrics, and get the same numbers."""
import ast

import numpy as np
import pytest

from analysis.evidence import metrics, robustness as rb
from analysis.physics import multitrap as dev, simulation
from analysis.stage_io import ROOT

STAGE_FUNCTION = {"fig2_optics": ("metrics", "fig2_metrics"), "fig3_plasticity": ("metrics", "fig3_metrics"),
                  "fig4_retention": ("metrics", "fig4_metrics"), "fig6_energy": ("energy_audit", "fig6_metrics"),
                  "figS11_classification": ("metrics", "figS11_device_metrics")}
"""The stages whose metrics the sweep recomputes: the module (as the sweep imports it) and the
function that defines them."""
NOTEBOOK_ALIAS = {"metrics": "claim_metrics", "optics": "optics", "energy_audit": "energy_audit"}


def _calls(path, module_alias):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == module_alias}


@pytest.mark.parametrize("stage,where", sorted(STAGE_FUNCTION.items()))
def test_notebook_and_sweep_call_the_same_metrics_function(stage, where):
    module, function = where
    assert function in _calls(ROOT / "notebooks" / f"{stage}.py", NOTEBOOK_ALIAS[module]), stage
    assert function in _calls(ROOT / "analysis" / "evidence" / "robustness.py", module), stage
    assert set(rb.MODEL_STAGES) >= set(STAGE_FUNCTION)


def test_sweep_metrics_equal_the_notebooks_for_the_nominal_devices():
    """The sweep's subset simulation (no traces, two energy amplitudes) gives, for every metric
    the claims read, exactly the value the notebook path (the full simulation) gives."""
    devices = {n: dev.load_parameters(n) for n in ("1", "3", "inf")}
    sweep = rb.model_metrics(devices)
    sizes = {**rb.DEFAULT_SIZES, "energy_points": 2, "trace_samples": 50, "iv_step_V": 0.1}
    films = {n: simulation.simulate_device(d, sizes) for n, d in devices.items()}
    assert sweep["fig3_plasticity"] == metrics.fig3_metrics(films)
    assert sweep["fig4_retention"] == metrics.fig4_metrics(films)


def test_fig3_metrics_of_a_dataset():
    import xarray as xr
    ds = xr.Dataset({"ppf_index": ("ppf_interval", [1.2, 1.1]), "sfdp_index": ("f", [1.0, 1.5]),
                     "svdp_index": ("v", [1.0, 2.0]), "sddp_index": ("d", [1.0, 3.0]),
                     "sndp_index": ("k", [1.0, 4.0]), "epsc_peak_current": -2e-12,
                     "base_current": -1e-12, "ppf_a1": ("ppf_interval", [-2e-12, -2e-12]),
                     "sfdp_current": (("f", "p"), [[-2e-12, -2e-12], [-3e-12, -3e-12]]),
                     "svdp_current": ("v", [-2e-12, -4e-12]), "sddp_current": ("d", [-2e-12, -6e-12]),
                     "sndp_current": ("k", [-2e-12, -8e-12])})
    m = metrics.fig3_metrics({"1": ds})
    assert m["ppf_min"]["1"] == 1.1 and m["epsc_peak_pA"]["1"] == pytest.approx(2.0)
    assert m["epsc_gain"]["1"] == 2.0 and "ppf_tau1_s" not in m
    assert np.allclose(m["sndp_index"]["1"], [1.0, 4.0])
    # the PPF statistic of the default choice, and thresholds from the read noise at 2 pA
    from analysis.physics import measurement
    assert m["ppf_statistic_value"]["1"] in (1.1, 1.2)
    reads = metrics._reads("ppf_above_one")
    assert m["ppf_threshold"]["1"] == pytest.approx(measurement.threshold(2e-12, "pulse_reads", reads))
    # the SNDP threshold: the read noise at its first current, 2 pA
    assert m["sndp_threshold"]["1"] == pytest.approx(
        measurement.threshold(2e-12, "pulse_reads", metrics._reads("sndp_increasing")))
    assert m["base_current_step_thresholds"] == []          # one film: no step between films
