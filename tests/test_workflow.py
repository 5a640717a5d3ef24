"""End to end: the quick profile runs, the report lists every claim, outputs are deterministic."""
import json

import pytest

from analysis import claims

from .conftest import run_snakemake

pytestmark = pytest.mark.slow


def test_report_lists_every_ledger_claim(quick_runs):
    work = quick_runs[0]
    report = json.loads((work / "results" / "quick" / "report" / "claims.json").read_text())
    ledger = claims.load_ledger(work / "data" / "paper" / "claims")
    assert [r["id"] for r in report] == [c["id"] for c in ledger]
    for r in report:
        assert set(r) == {"id", "figure", "kind", "basis", "paper", "compendium", "status", "note"}
        assert r["status"] in ("pass", "fail", "missing")
        assert r["status"] != "missing", f"claim {r['id']} has no output: {r['note']}"
    html = (work / "results" / "quick" / "report" / "index.html").read_text()
    assert all(r["id"] in html for r in report)
    assert "data:image/png;base64" in html


def test_every_notebook_produced_its_figures(quick_runs):
    import yaml
    work = quick_runs[0]
    table = yaml.safe_load((work / "rules" / "notebooks.yaml").read_text())
    for name, spec in table.items():
        for stem in spec["figures"]:
            for ext in ("png", "pdf"):
                assert (work / "figures" / "quick" / f"{stem}.{ext}").stat().st_size > 1000, (name, stem)
        assert (work / "results" / "quick" / "notebooks" / f"{name}.html").is_file()


def test_netcdf_outputs_carry_units(quick_runs):
    from analysis.io import check_units, read_netcdf
    for path in sorted((quick_runs[0] / "results" / "quick" / "simulate").glob("n*.nc")):
        check_units(read_netcdf(path))


def test_two_runs_give_identical_bytes(quick_runs):
    a, b = quick_runs
    patterns = ["results/quick/simulate/*.nc", "results/quick/calibration/*.nc",
                "results/quick/metrics/*.json", "results/quick/tables/*.csv",
                "figures/quick/*.png", "figures/quick/*.pdf"]
    compared = 0
    for pattern in patterns:
        files = sorted(a.glob(pattern))
        assert files, pattern
        for fa in files:
            fb = b / fa.relative_to(a)
            assert fa.read_bytes() == fb.read_bytes(), f"{fa.relative_to(a)} differs between runs"
            compared += 1
    assert compared > 20


def test_finished_tree_has_nothing_to_do(quick_runs):
    proc = run_snakemake(quick_runs[0], "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr
