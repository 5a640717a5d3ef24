"""binder/ (repo2docker): the locked packages, the project, and notebooks/*.py opening as
notebooks. The image itself is not built here (no container engine): docs/packaging.md says what was
checked with `jupyter-repo2docker --no-build`."""
import json
import os
import re
import tomllib

from analysis.stage_io import ROOT

BINDER = ROOT / "binder"


def test_binder_installs_the_lock_only():
    lines = [line.split("#", 1)[0].strip() for line in
             (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    assert lines == ["-r ../requirements.lock"]
    assert (BINDER / "../requirements.lock").resolve() == ROOT / "requirements.lock"


def test_binder_python_is_the_lock_python():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    lock_python = re.search(r"^LOCK_PYTHON\s*:=\s*(\d+\.\d+)", make, re.M).group(1)
    assert runtime == f"python-{lock_python}"


def test_post_build_installs_the_project_and_the_jupytext_default():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text(encoding="utf-8")
    assert "pip install --no-cache-dir --no-deps --no-build-isolation -e ." in text
    assert "cp .jupyter/lab-settings/overrides.json" in text
    assert "share/jupyter/lab/settings" in text
    settings = json.loads((ROOT / ".jupyter" / "lab-settings" / "overrides.json").read_text())
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"


def test_notebook_server_matches_the_locked_jupyterlab():
    """repo2docker's image starts `jupyter notebook`; the lock must carry a Notebook that
    accepts the locked JupyterLab (the image's own notebook 7.4 requires jupyterlab < 4.5)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lab = project["project"]["optional-dependencies"]["lab"]
    assert any(r.startswith("notebook==") for r in lab) and any(r.startswith("jupyterlab==") for r in lab)
