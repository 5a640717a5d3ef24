"""The SLURM profile and its pre-flight check, without a cluster (fake sinfo/scontrol on PATH).

The live-cluster tests are in tests/test_slurm.py.
"""
import os
import subprocess
import sys

import pytest
import yaml

from analysis.stage_io import ROOT

PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
CHECK = ROOT / "profiles" / "slurm" / "check"


def fake_cluster(tmp_path, partitions="local*", enforce="none"):
    """A bin folder with stand-ins for the SLURM client tools."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tools = {
        "sbatch": "exit 0",
        "squeue": "exit 0",
        "sinfo": f"printf '%s\\n' {' '.join(partitions.split())}",
        "scontrol": f"echo 'AccountingStorageEnforce = {enforce}'",
    }
    for name, body in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def run_check(bin_dir, **env):
    path = f"{bin_dir}:/usr/bin:/bin" if bin_dir else "/nonexistent"
    full = {"PATH": path, **env}
    return subprocess.run(["/bin/bash", str(CHECK)], env=full, capture_output=True, text=True)


def test_check_uses_the_default_partition_and_no_account(tmp_path):
    proc = run_check(fake_cluster(tmp_path, "debug long* short"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "SLURM: partition long, account (none)"


def test_check_without_slurm_tools_says_where_to_run():
    proc = run_check(None)
    assert proc.returncode == 1
    assert "'sbatch' not found" in proc.stderr and ".ci/slurm-up" in proc.stderr


def test_check_names_the_partition_variable(tmp_path):
    bin_dir = fake_cluster(tmp_path, "debug short")
    proc = run_check(bin_dir)
    assert proc.returncode == 1
    assert "no default partition: set SYNAPSE_SLURM_PARTITION to one of: debug short" in proc.stderr
    proc = run_check(bin_dir, SYNAPSE_SLURM_PARTITION="gpu")
    assert proc.returncode == 1
    assert "SYNAPSE_SLURM_PARTITION=gpu is not a partition of this cluster" in proc.stderr
    proc = run_check(bin_dir, SYNAPSE_SLURM_PARTITION="short")
    assert proc.returncode == 0 and "partition short" in proc.stdout


def test_check_names_the_account_variable(tmp_path):
    bin_dir = fake_cluster(tmp_path, enforce="associations,limits")
    proc = run_check(bin_dir)
    assert proc.returncode == 1
    assert "requires an account" in proc.stderr and "set SYNAPSE_SLURM_ACCOUNT" in proc.stderr
    proc = run_check(bin_dir, SYNAPSE_SLURM_ACCOUNT="proj42")
    assert proc.returncode == 0 and "account proj42" in proc.stdout


def test_profile_settings():
    profile = yaml.safe_load(PROFILE.read_text())
    assert profile["executor"] == "slurm"
    assert profile["retries"] >= 1
    assert profile["latency-wait"] >= 30
    assert profile["slurm-status-command"] == "squeue"  # works without accounting
    for key in ("mem_mb", "runtime"):
        assert key in profile["default-resources"]


@pytest.mark.parametrize("resource, variable", [("slurm_partition", "SYNAPSE_SLURM_PARTITION"),
                                                ("slurm_account", "SYNAPSE_SLURM_ACCOUNT")])
def test_partition_and_account_come_from_the_environment(resource, variable, monkeypatch):
    expression = yaml.safe_load(PROFILE.read_text())["default-resources"][resource]
    monkeypatch.delenv(variable, raising=False)
    assert eval(expression, {}) == ""           # unset: the cluster's default / no account
    monkeypatch.setenv(variable, "p1")
    assert eval(expression, {}) == "p1"


def test_every_profile_option_exists():
    """Every key of the profile is an option of this Snakemake with the pinned SLURM plugin."""
    help_text = subprocess.run([sys.executable, "-m", "snakemake", "--help"], capture_output=True,
                               text=True, check=True, env=dict(os.environ, COLUMNS="200")).stdout
    profile = yaml.safe_load(PROFILE.read_text())
    missing = [key for key in profile if f"--{key}" not in help_text]
    assert not missing, f"not options of snakemake {missing}"
