"""Run settings: read once by Snakemake, validated fully at start-up (one line per error),
and every Makefile target runs (as a dry run)."""
import os
import subprocess
import sys
import time

import pytest
import yaml

from analysis.workflow import preflight
from analysis.physics.dimensionality import N_VALUES
from analysis.stage_io import ROOT

SCHEMA = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_shipped_config_is_valid():
    assert preflight.config_errors(CONFIG, SCHEMA, N_VALUES) == []


@pytest.mark.parametrize("change, expected", [
    ({"n_value": ["1"]}, "unknown key 'n_value'"),
    ({"n_values": "inf"}, "n_values='inf' has the wrong type; expected array"),
    ({"n_values": ["7"]}, "n_values[0]='7' is not allowed; expected one of 1, 2, 3, 4, 5, inf"),
    ({"n_values": ["inf "]}, "n_values[0]='inf ' is not allowed"),
    ({"profiles": {"quick": {"figS11_classification": {"mnist_epoch": 3}}}}, "unknown key 'mnist_epoch' in profiles.quick.figS11_classification"),
    ({"profiles": {"full": {"simulate": {"device_settings": {"ppf_points": 1}}}}}, "ppf_points=1"),
    ({"regression": {"rtol": -1}}, "regression.rtol=-1"),
])
def test_each_mistake_is_named(change, expected):
    import copy

    def merge(base, upd):
        for k, v in upd.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                merge(base[k], v)
            else:
                base[k] = v
    cfg = copy.deepcopy(CONFIG)
    merge(cfg, change)
    errors = preflight.config_errors(cfg, SCHEMA, N_VALUES)
    assert len(errors) == 1 and expected in errors[0], errors


def _snakemake(*args, configfile=None):
    cmd = [sys.executable, "-m", "snakemake", "-n", *args]
    if configfile:
        cmd += ["--configfile", str(configfile)]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc, time.monotonic() - t0


@pytest.mark.parametrize("text, names", [
    ("n_value: ['1']\n", "'n_value'"),
    ("n_values: inf\n", "n_values='inf'"),
    ("n_values: ['7']\n", "n_values[0]='7'"),
    ("profile: quik\n", "profile='quik' is not defined"),
])
def test_workflow_stops_at_start_with_one_line(tmp_path, text, names):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc, _ = _snakemake(configfile=bad)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and names in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_profiles_write_to_different_folders():
    seen = {}
    for name, profile in CONFIG["profiles"].items():
        for kind, folder in profile["outputs"].items():
            assert (kind, folder) not in seen, f"{name} and {seen[(kind, folder)]} share {folder}"
            seen[(kind, folder)] = name
    assert CONFIG["profiles"]["full"]["outputs"] == {"results": "results", "figures": "figures", "logs": "logs"}


SNAKEMAKE_TARGETS = ["figures", "quick", "data", "references", "unlock"]


@pytest.mark.parametrize("target", SNAKEMAKE_TARGETS)
def test_make_target_dry_run(target):
    """The target's real Snakemake command, as a dry run (no job runs, nothing is written)."""
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("make targets need the project's .venv (make setup)")
    proc = subprocess.run(["make", "--no-print-directory", target, "ARGS=--dry-run"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "error" not in proc.stderr.lower().replace("show-failed-logs", "")


@pytest.mark.parametrize("target", ["figures", "cluster"])
def test_a_profile_in_args_is_refused_not_overridden(target):
    """`make figures ARGS="--config profile=quick"` would run the full profile (the Makefile's
    own --config comes last and wins): it stops at once, naming PROFILE=."""
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("make targets need the project's .venv (make setup)")
    proc = subprocess.run(["make", "--no-print-directory", target, "ARGS=--dry-run --config profile=quick"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "use PROFILE=<name>" in proc.stderr and "ARGS=" in proc.stderr
    assert "snakemake" not in proc.stdout.lower()


@pytest.mark.parametrize("target", ["figures", "cluster"])
def test_a_config_in_args_is_refused_and_set_is_honoured(target):
    """`make figures ARGS="--config n_values=[3]"` ran all six films without a word (the Makefile's
    --config profile=... comes last and replaces it whole): it stops at once naming SET=; SET's
    values reach the run (an impossible film is refused by the config check)."""
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("make targets need the project's .venv (make setup)")
    proc = subprocess.run(["make", "--no-print-directory", target, "PROFILE=quick", "ARGS=--dry-run --config n_values=[3]"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "has --config" in proc.stderr and "SET=" in proc.stderr
    assert "snakemake" not in proc.stdout.lower()
    if target == "figures":
        proc = subprocess.run(["make", "--no-print-directory", target, "PROFILE=quick", 'SET=n_values=["7"]',
                               "ARGS=--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode != 0 and "n_values[0]='7' is not allowed" in proc.stdout + proc.stderr


@pytest.mark.parametrize("target", ["setup", "test", "test-fast", "benchmark", "lab", "dag", "clean", "help"])
def test_make_target_parses(target):
    proc = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("mistake", ["tab", "empty"])
def test_config_file_mistakes_stop_naming_file_and_line(tmp_path, mistake):
    """A YAML mistake in config/config.yaml, or an emptied file, stops the workflow with one line
    naming the file and line (Snakemake's own message names neither)."""
    from .conftest import copy_repo
    work = copy_repo(tmp_path / "repo")
    config = work / "config" / "config.yaml"
    lines = config.read_text().splitlines(keepends=True)
    if mistake == "tab":
        number = next(i for i, ln in enumerate(lines, start=1) if ln.startswith("  rtol:"))
        lines[number - 1] = "\t" + lines[number - 1].lstrip()
        expected = f"error: config/config.yaml, line {number}, column 1: YAML syntax error"
    else:
        lines = []
        expected = "error: config/config.yaml, line 1: the file is empty"
    config.write_text("".join(lines))
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n"], cwd=work, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(expected), proc.stderr
    assert "Traceback" not in proc.stderr and "WorkflowError" not in proc.stderr


def test_make_help_lists_dry_run_every_profile_and_lab_args():
    proc = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    for profile in CONFIG["profiles"]:  # every profile config/config.yaml defines, described
        assert any(ln.split()[:1] == [profile] and len(ln.split()) > 3 for ln in lines), (profile, proc.stdout)
    assert "ARGS=--dry-run" in proc.stdout and "LAB_ARGS" in proc.stdout and "PROFILE=" in proc.stdout


@pytest.mark.parametrize("uid, root", [("0", True), ("1000", False)])
def test_make_lab_allows_root_only_as_root(tmp_path, uid, root):
    """JupyterLab refuses to run as root without --allow-root: the Makefile adds it for root."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(["make", "-n", "--no-print-directory", "lab", "LAB_ARGS=--no-browser"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    command = next(ln for ln in proc.stdout.splitlines() if "jupyter lab" in ln)
    assert ("--allow-root" in command) is root, command
    assert "--no-browser" in command


def test_a_subset_of_films_skips_the_stages_that_need_others(tmp_path):
    """n_values: ["3"] runs every stage that can work on n = 3 alone and skips, naming why, the
    ones that need other films (Fig. 5a: 3D; Fig. 6: the 2D device; the held-out law: ≥ 3 films).
    The report lists them (tests/test_report.py renders the list); a full subset run was made by
    hand (CONTRIBUTING.md)."""
    sub = tmp_path / "subset.yaml"
    sub.write_text('n_values: ["3"]\nprofile: quick\n')
    proc, _ = _snakemake("-p", "--forceall", configfile=sub)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    table = out.split("Job stats:", 1)[1].split("total", 1)[0]
    scheduled = {line.split()[0] for line in table.splitlines()[2:] if line.strip()}
    assert {"simulate", "calibrate", "fig3_plasticity", "figS11_classification", "report"} <= scheduled
    assert not {"fig5a_migration", "fig6_energy", "heldout_dimensionality"} & scheduled
    assert "simulate/n3.nc" in out and "simulate/n1.nc" not in out
    flat = " ".join(out.split())   # the printed YAML parameters wrap lines anywhere
    assert "not_run" in flat and "needs at least 3 films" in flat
