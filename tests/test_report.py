"""The report: claims.json schema, the regression gate, and reference regeneration."""
import json

import pytest

from analysis import claims, report
from analysis.io import write_json

LEDGER = """
- id: t.peak
  figure: Fig. 2b
  quote: "absorption peak near 401 nm"
  location: p. 3
  kind: quantitative
  basis: calibrated
  metric: "fig2:peak_nm"
  key: "1"
  compare: {op: abs, paper: 401, tolerance: 2, units: nm}
- id: t.trend
  figure: Fig. 5b
  quote: "E_A decreased as n increased"
  location: p. 6
  kind: trend
  basis: predicted
  metric: "fig5:ea"
  compare: {op: decreasing}
- id: t.absent
  figure: Fig. 6a
  quote: "linear in area"
  location: p. 7
  kind: trend
  basis: predicted
  metric: "fig6:linear"
  compare: {op: "true"}
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "t.yaml").write_text(LEDGER)
    write_json({"peak_nm": {"1": 401.5}}, tmp_path / "results" / "metrics" / "fig2.json")
    write_json({"ea": {"1": 0.16, "2": 0.17}}, tmp_path / "results" / "metrics" / "fig5.json")
    (tmp_path / "figures").mkdir()
    (tmp_path / "nb.yaml").write_text("fig2:\n  title: Fig. 2\n  figures: [fig2_optics]\n")
    return tmp_path


def _build(tree, reference):
    return report.build(results_dir=tree / "results", figures_dir=tree / "figures", profile="quick",
                        reference=reference, ledger_dir=tree / "claims",
                        notebooks_table=tree / "nb.yaml", run_config={"profile": "quick"})


def test_claims_json_has_every_claim_with_status(tree):
    summary = _build(tree, tree / "noref.json")
    out = json.loads((tree / "results" / "report" / "claims.json").read_text())
    assert [r["id"] for r in out] == ["t.peak", "t.trend", "t.absent"]
    assert [r["status"] for r in out] == ["pass", "fail", "missing"]
    assert set(out[0]) == {"id", "figure", "kind", "basis", "paper", "compendium", "status", "note"}
    assert summary["status"] == {"pass": 1, "fail": 1, "missing": 1}
    html = (tree / "results" / "report" / "index.html").read_text()
    assert "t.trend" in html and "fig2_optics.png</code> was not produced" in html


def test_gate_fails_on_regression_and_passes_otherwise(tree, capsys):
    metrics = claims.load_metrics(tree / "results" / "metrics")
    ref = tree / "ref.json"
    write_json(claims.flatten_metrics(metrics), ref)
    _build(tree, ref)
    reg = tree / "results" / "report" / "regression.json"
    assert report.gate(reg, tree / "ok") == 0 and (tree / "ok").is_file()
    write_json({"peak_nm": {"1": 403.0}}, tree / "results" / "metrics" / "fig2.json")
    _build(tree, ref)
    assert report.gate(reg, tree / "ok2") == 1
    assert "fig2:peak_nm.1" in capsys.readouterr().err
    assert not (tree / "ok2").exists()
