"""`make lab`: JupyterLab opens notebooks/*.py as notebooks, from repository-level settings only.

The test starts the Makefile's own command headless on a loopback port, with every per-user
Jupyter folder pointed at an empty temporary one (so neither the user's configuration helps
the test pass, nor is it touched), and asks the running server for

* the default viewer of Python files (the docmanager plugin's settings, with the repository's
  overrides applied): "Jupytext Notebook", so a double-click opens a notebook;
* a notebook through the contents API: ``notebooks/<name>.py`` comes back as a notebook.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from analysis.stage_io import ROOT

PLUGIN = "@jupyterlab/docmanager-extension:plugin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 — loopback only
        return json.loads(resp.read().decode("utf-8"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter-home")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
            f"--ServerApp.port_retries=0 --IdentityProvider.token={token}"
            + (" --ServerApp.allow_root=True" if os.geteuid() == 0 else ""))
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a wait for start-up, not an assertion on speed
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read() if proc.poll() is not None else "(still running)"
                    pytest.fail(f"`make lab` did not start a server on port {port}:\n{out[-3000:]}")
                time.sleep(0.5)
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_python_files_open_as_notebooks_by_default(lab):
    base, token = lab
    settings = _get(f"{base}/lab/api/settings/{PLUGIN}?token={token}")
    default = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert default.get("python") == "Jupytext Notebook", default
    assert settings["raw"] in ("", "{}") or "defaultViewers" not in settings["raw"]  # not a user setting


def test_contents_api_serves_a_percent_script_as_a_notebook(lab):
    base, token = lab
    model = _get(f"{base}/api/contents/fig3_plasticity.py?type=notebook&content=1&token={token}")
    assert model["type"] == "notebook"
    cells = model["content"]["cells"]
    assert cells[0]["cell_type"] == "markdown" and any(c["cell_type"] == "code" for c in cells)
