"""The second device model's jobs (rules/models.smk) in the quick profile: its calibration
starts warm from the reference calibration, and its films are simulated in one job that writes
the same per-film files as one job per film (config driftdiffusion.calibration_start,
one_simulate_job). The full profile keeps a cold start and one job per film."""
import re
import shutil
import subprocess
import sys

import pytest

from analysis import stage_io as io
from analysis.physics import dd_calibration
from analysis.stage_io import ROOT

TINY = {"ppf_points": 2, "sfdp_points": 2, "energy_points": 2, "trace_samples": 20, "iv_step_V": 0.5}
"""The smallest run sizes the schema allows (the files are compared, not judged)."""


def _simulate(results, **params):
    """The simulate notebook, as rule simulate_model runs it, into *results*."""
    from analysis.workflow.runner import run_notebook
    stem = f"simulate_{params.get('n', 'all')}"
    run_notebook(ROOT / "notebooks" / "simulate.py", results / "notebooks" / f"{stem}.ipynb",
                 parameters={"results_dir": str(results), "profile": "quick", "device_settings": TINY,
                             "model": "driftdiffusion", "mesh": "quick", **params})


@pytest.mark.slow
def test_one_simulate_job_writes_the_files_of_the_jobs_per_film(tmp_path):
    films = ["1", "inf"]
    runs = {}
    for kind in ("one", "per_film"):
        results = tmp_path / kind
        cal = io.calibration_path(results, "driftdiffusion")
        cal.parent.mkdir(parents=True)
        shutil.copy(dd_calibration.reference_path(), cal)
        if kind == "one":
            _simulate(results, films=films)
        else:
            for n in films:
                _simulate(results, n=n)
        runs[kind] = {p.name: p.read_bytes() for p in (results / "simulate" / "driftdiffusion").glob("*.nc")}
    assert sorted(runs["one"]) == ["n1.nc", "ninf.nc"]
    assert runs["one"] == runs["per_film"]


def _dry_run(profile):
    cmd = [sys.executable, "-m", "snakemake", "-n", "-p", "-F", "--cores", "2", "--until", "model_metrics",
           "--config", f"profile={profile}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", out.split("Job stats:")[1], re.M))
    return out, jobs


def test_quick_profile_starts_warm_and_simulates_the_films_in_one_job():
    out, jobs = _dry_run("quick")
    assert jobs["simulate_model"] == "1" and jobs["calibrate_driftdiffusion"] == "1"
    assert "--start data/reference/calibration/driftdiffusion.yaml" in out
    assert "simulate_driftdiffusion.ipynb" in out and "--parameters-yaml '{device_settings" in out and "films: [" in out
    out, jobs = _dry_run("full")
    assert jobs["simulate_model"] == "6"
    assert "--start" not in out and "simulate_driftdiffusion_n3.ipynb" in out
