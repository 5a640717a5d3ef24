"""environment.yml, the rules' conda environment: pinned like the lock, only what rules need,
and no install of the project (the rules import ``analysis`` from the workflow's directory).

Conda channels are not reachable here, so the environment itself is never built by these tests.
What is tested: the file parses; Python and every package are pinned at the lock's versions; it
lists exactly pyproject.toml's ``dependencies`` (which tests/test_lock.py shows to be all the rules
import); it has no pip section and no project install; and a job's command works in an
environment that holds the third-party packages but not the project (an emulation of the conda
environment, built from this .venv's packages).
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name

from analysis.stage_io import ROOT
from tests.test_lock import declared, read_lock

ENV_FILE = ROOT / "environment.yml"


def conda_pins(path: Path = ENV_FILE) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` entries of a conda environment file."""
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str) or "==" not in dep:
            raise ValueError(f"{path.name}: dependency {dep!r} is not pinned as name==version")
        name, version = dep.split("==")
        pins[canonicalize_name(name)] = version
    return pins


def test_environment_parses_and_pins_everything():
    env = yaml.safe_load(ENV_FILE.read_text(encoding="utf-8"))
    assert env["channels"][0] == "conda-forge"
    assert all(isinstance(d, str) for d in env["dependencies"]), (
        "environment.yml has a pip section: the rules' environment installs conda packages only")
    conda_pins()  # raises on an unpinned entry


def test_python_is_the_lock_python():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    lock_python = re.search(r"^LOCK_PYTHON\s*:=\s*(\S+)", make, re.M).group(1)
    assert conda_pins()["python"] == lock_python


def test_packages_are_the_dependencies_at_the_locked_versions():
    pins = {k: v for k, v in conda_pins().items() if k != "python"}
    rules = declared(groups=("dependencies",))
    assert set(pins) == set(rules), (
        f"environment.yml and pyproject.toml's dependencies differ: only in environment.yml "
        f"{sorted(set(pins) - set(rules))}, only in pyproject.toml {sorted(set(rules) - set(pins))}")
    lock = read_lock()
    wrong = {n: (v, lock[n]["version"]) for n, v in pins.items() if lock[n]["version"] != v}
    assert not wrong, f"environment.yml vs requirements.lock (name: (env, lock)): {wrong}"


def test_no_tools_the_rules_do_not_use():
    names = set(conda_pins())
    for tool in ("snakemake", "snakemake-executor-plugin-slurm", "jupyterlab", "pytest",
                 "playwright", "pip", "perovskite-synapse-compendium"):
        assert tool not in names, f"environment.yml carries {tool} into every rule"
    assert "-e" not in ENV_FILE.read_text(encoding="utf-8").split()


def test_every_rule_uses_this_file():
    common = (ROOT / "rules" / "common.smk").read_text(encoding="utf-8")
    env = re.search(r'^ENV = "([^"]+)"', common, re.M).group(1)
    assert (ROOT / "rules" / env).resolve() == ENV_FILE  # relative to the rule files
    for smk in (ROOT / "rules").glob("*.smk"):
        text = smk.read_text(encoding="utf-8")
        rules = re.findall(r"^\s*rule\b[^\n]*:", text, re.M)
        assert re.findall(r"^\s*conda:\s*\n\s*(\S+)", text, re.M) == ["ENV"] * len(rules), smk.name


def _third_party_only_python(where: Path) -> Path:
    """A Python that sees this .venv's packages but not the project: a fresh venv whose one
    .pth line adds the .venv's site-packages (whose own .pth files, among them the project's
    editable install, are therefore not run)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(where), "platbase": str(where)})["purelib"])
    site.mkdir(parents=True, exist_ok=True)
    (site / "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return where / "bin" / "python"


def test_a_job_runs_without_the_project_installed(tmp_path):
    """A rule's command, `python -m analysis.workflow.runner notebooks/<name>.py …` in the workflow's
    directory, in an environment without the project: the runner and the notebook's kernel
    import ``analysis`` from that directory (here a copy of the checkout elsewhere)."""
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "analysis", work / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (work / "notebooks").mkdir()
    (work / "notebooks" / "where.py").write_text(
        "# %%\nimport sys\nimport analysis.stage_io\n"
        "print('analysis from', analysis.stage_io.ROOT)\nprint('python', sys.prefix)\n")
    python = _third_party_only_python(tmp_path / "env")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = subprocess.run([str(python), "-c", "import analysis"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'analysis'" in probe.stderr
    proc = subprocess.run(
        [str(python), "-m", "analysis.workflow.runner", "notebooks/where.py", "--output",
         "results/where.ipynb"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"analysis from {work}" in proc.stdout
    assert f"python {tmp_path / 'env'}" in proc.stdout
    assert (work / "results" / "where.ipynb").is_file()
