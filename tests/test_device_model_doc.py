"""The toy model of docs/device-model.md implements the device-model interface and runs the
paper's protocols: the doc's code blocks are run here, so the doc cannot drift from the code."""
from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from analysis.physics.interface import Synapse, check_synapse
from analysis.stage_io import ROOT, check_units

DOC = ROOT / "docs" / "device-model.md"
SECTION = "## A minimal toy model"


def toy_blocks(text: str) -> list[str]:
    """The ```python blocks of the doc's toy-model section, in order."""
    start = text.find(SECTION)
    if start < 0:
        raise AssertionError(f"{DOC.name} has no section {SECTION!r}")
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end > 0 else len(text)]
    return re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)


@pytest.fixture(scope="module")
def doc_namespace():
    blocks = toy_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 2, f"{DOC.name}: expected the toy model and its use, found {len(blocks)} blocks"
    namespace = {"__name__": "device_model_doc"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec", dont_inherit=True), namespace)   # as a user runs it
    return namespace


def test_the_toy_model_passes_the_interface_contract(doc_namespace):
    toy = doc_namespace["toy"]
    assert isinstance(toy, Synapse)
    assert check_synapse(toy) == []


def test_the_toy_model_runs_every_protocol_and_the_metrics(doc_namespace):
    ds = doc_namespace["films"]["3"]
    check_units(ds)
    for var in ("epsc_current", "ppf_index", "sfdp_index", "svdp_index", "sddp_index", "sndp_index",
                "retention_weight", "arrhenius_resistance", "iv_current", "pd_conductance", "psc_current"):
        assert var in ds.data_vars, var
    assert ds.attrs["device_model"] == "toy" and ds.attrs["device_n"] == "3"
    row = doc_namespace["row"]
    assert row["Ea"] == pytest.approx(0.1, abs=1e-6)           # the toy's conductance barrier, fitted back
    assert 0 < row["b"] < 1 and 0 < row["m"] < 5
    assert all(math.isfinite(v) for v in np.ravel(doc_namespace["fig3"]["ppf_index"]["3"]))
    assert doc_namespace["fig4"]["power_law_m"]["3"] == pytest.approx(row["m"], rel=1e-9)


def test_a_toy_that_breaks_the_contract_is_named(doc_namespace):
    toy_class = doc_namespace["ToySynapse"]

    @dataclasses.dataclass(frozen=True)
    class NoArea(toy_class):
        def read_current(self, state, read_voltage_V=-0.01, temperature_K=None, area_um2=62500.0):
            return self.conductance(state, temperature_K) * float(read_voltage_V)

    assert check_synapse(NoArea()) == ["the read current does not scale with the device area"]
    inert = dataclasses.replace(doc_namespace["toy"], rate_per_V_s=0.0)    # spikes fill nothing
    assert "no plasticity" in " ".join(check_synapse(inert))

    @dataclasses.dataclass(frozen=True)
    class Understated(toy_class):         # claims a relaxation time 10^4 times too short
        @property
        def relaxation_time_s(self):
            return self.tau_s * 1e-4

    assert "after relaxing at 0 V the conductance is" in " ".join(check_synapse(Understated()))


def test_the_readme_links_the_doc():
    assert "docs/device-model.md" in (ROOT / "README.md").read_text(encoding="utf-8")
