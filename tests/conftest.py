"""Shared fixtures: a runnable copy of the repository, the MNIST mirror, and the quick-profile
runs that the slow tests share (each is made once per test session)."""
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


def needs_mnist():
    """Skip where the quick workflow cannot get its data."""
    if mnist_mirror() is None and not os.environ.get("SYNAPSE_ALLOW_DOWNLOAD"):
        pytest.skip("no MNIST mirror (set SYNAPSE_DATA_MIRROR) and downloads not allowed")


def own_folder(prefix: str) -> Path:
    """A temporary folder of the session's own (not pytest's numbered base folder, which test
    sessions running side by side on one machine have been seen to share)."""
    import tempfile
    return Path(tempfile.mkdtemp(prefix=prefix))


def run_and_stop(work: Path, sig, wait_for: str, check_second_run=False, config=("profile=quick",)):
    """Start the workflow in *work*, wait until *wait_for* (a path relative to *work*) exists,
    then send *sig* to the whole process group (as a terminal's Ctrl-C, or a kill of everything,
    would). With *check_second_run*, a second run is started meanwhile in the same folder (it
    must stop at once; its CompletedProcess is returned for the test to judge).

    Returns (the stopped run's pid, its return code, the second run or None)."""
    import signal
    import time
    proc = subprocess.Popen(snakemake_cmd(config=config), cwd=work, env=snakemake_env(work),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 900
        while not (work / wait_for).exists():
            if proc.poll() is not None:
                pytest.fail(f"the run in {work} ended ({proc.returncode}) before {wait_for} appeared: "
                            "it could not be interrupted")
            if time.time() > deadline:
                pytest.fail(f"{wait_for} did not appear within 900 s")
            time.sleep(0.2)
        time.sleep(1.0)
        second = run_snakemake(work, check=False, config=config) if check_second_run else None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        proc.wait(timeout=120)
    if sig == signal.SIGINT:  # jobs of a Ctrl-C'd run are stopped, not orphaned
        time.sleep(1.0)
    return proc.pid, proc.returncode, second


def _make_resumed_run(top: Path):
    """The second whole quick run (see resumed_quick_run), made in *top*."""
    import signal
    from types import SimpleNamespace
    work = copy_repo(top / "repo")
    pid, code, second = run_and_stop(work, signal.SIGINT, "results/quick/simulate/n2.nc",
                                     check_second_run=True)
    resume = run_snakemake(work)  # no flags: resume is the default
    return SimpleNamespace(work=work, pid=pid, stop_code=code, second=second, resume=resume)


class _Background:
    """_make_resumed_run in a thread; ``result()`` waits for it and raises what it raised."""

    def __init__(self, top: Path):
        import threading
        self.top, self.value, self.error = top, None, None
        self.thread = threading.Thread(target=self._run, name="resumed-quick-run", daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.value = _make_resumed_run(self.top)
        except BaseException as exc:  # pytest.fail raises an OutcomeException (a BaseException)
            self.error = exc

    def result(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.value


_RESUMED = {}
"""The session's second quick run, started beside the first (see quick_run)."""


@pytest.fixture(scope="session")
def quick_run(request):
    """One quick-profile run of the whole workflow, cold, in a copy of the checkout; shared by
    every test that only reads its outputs or dry-runs on it (tests that change it restore it).

    When the session also has a test of the second run (resumed_quick_run), that run is
    started at the same time in a thread: a quick run keeps about one of two cores busy (its
    jobs wait on each other), so the two together take little longer than one."""
    needs_mnist()
    if any("resumed_quick_run" in getattr(item, "fixturenames", ()) for item in request.session.items):
        _RESUMED.setdefault("run", _Background(own_folder("synapse-resumed-run-")))
    top = own_folder("synapse-quick-run-")
    try:
        work = copy_repo(top / "repo")
        run_snakemake(work)
        yield work
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="session")
def resumed_quick_run():
    """A second, independent quick-profile run of the whole workflow, made the way a user's run
    is most often made twice: started cold in a copy of its own, stopped by Ctrl-C (SIGINT to the
    process group) once results/quick/simulate/n2.nc exists, with a second run started in the
    same folder meanwhile (it must refuse to start), then resumed by a plain rerun.

    It is the second run of the determinism test and of the archive's verify test, and the
    subject of the Ctrl-C test (tests/test_workflow.py), which judges what is recorded here:
    ``pid`` and ``stop_code`` (the stopped run's process id and exit status), ``second`` (the run
    started meanwhile) and ``resume`` (the rerun), besides ``work`` (the finished tree).
    Made beside quick_run when both are needed (see there), else here."""
    needs_mnist()
    background = _RESUMED.pop("run", None) or _Background(own_folder("synapse-resumed-run-"))
    try:
        yield background.result()
    finally:
        shutil.rmtree(background.top, ignore_errors=True)
