"""Shared fixtures: a runnable copy of the repository and the MNIST mirror."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.stage_io import ROOT

IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake", "__pycache__",
                                ".pytest_cache", ".cache", "*.png", "*.pdf", "*.egg-info")


def mnist_mirror() -> str | None:
    """SYNAPSE_DATA_MIRROR if set, else ../shared/data/mnist beside the repository, if present."""
    env = os.environ.get("SYNAPSE_DATA_MIRROR")
    if env:
        return env
    local = ROOT.parent / "shared" / "data" / "mnist"
    return str(local) if local.is_dir() else None


def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def snakemake_env(workdir: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(workdir), MPLBACKEND="Agg")
    mirror = mnist_mirror()
    if mirror:
        env["SYNAPSE_DATA_MIRROR"] = mirror
    return env


def snakemake_cmd(*args, config=("profile=quick",)):
    """Targets and options first: Snakemake reads whatever follows --config as config values."""
    return [sys.executable, "-m", "snakemake", "--cores", "2", *args, "--config", *config]


def run_snakemake(workdir: Path, *args, check=True, config=("profile=quick",)):
    cmd = snakemake_cmd(*args, config=config)
    proc = subprocess.run(cmd, cwd=workdir, env=snakemake_env(workdir), capture_output=True,
                          text=True, timeout=1800)
    if check and proc.returncode != 0:
        logs = "\n".join(f"--- {p}\n{p.read_text()[-3000:]}" for p in (workdir / "logs").rglob("*.log"))
        pytest.fail(f"snakemake failed ({proc.returncode}):\n{proc.stderr[-6000:]}\n{logs}")
    return proc


@pytest.fixture(scope="session")
def quick_runs():
    """Two independent quick-profile runs of the whole workflow, in two copies.

    The copies live in a folder of their own (not pytest's numbered base folder, which test
    sessions running side by side on one machine have been seen to share).
    """
    if mnist_mirror() is None and not os.environ.get("SYNAPSE_ALLOW_DOWNLOAD"):
        pytest.skip("no MNIST mirror (set SYNAPSE_DATA_MIRROR) and downloads not allowed")
    import tempfile
    top = Path(tempfile.mkdtemp(prefix="synapse-quick-runs-"))
    runs = []
    for i in range(2):
        work = copy_repo(top / f"run{i}" / "repo")
        run_snakemake(work)
        runs.append(work)
    yield runs
    shutil.rmtree(top, ignore_errors=True)
