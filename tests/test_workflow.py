"""End to end: the quick profile runs, the report lists every claim, outputs are deterministic,
and the workflow keeps its promise — a moved checkout is up to date, a deleted or damaged
output is rebuilt, an interrupted run resumes to the same bytes, errors reach the terminal.

Two whole quick runs are made per session (tests/conftest.py): ``quick_run``, cold, and
``resumed_quick_run``, cold in a copy of its own but stopped by Ctrl-C and resumed; the
determinism test compares the two. The other tests read them or work on copies of them."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from analysis.evidence import claims
from analysis.stage_io import PARTIAL_MARKER

from .conftest import copy_repo, mnist_mirror, run_and_stop, run_snakemake, snakemake_cmd, snakemake_env

pytestmark = pytest.mark.slow
needs_data = pytest.mark.skipif(mnist_mirror() is None and not os.environ.get("SYNAPSE_ALLOW_DOWNLOAD"),
                                reason="no MNIST mirror (set SYNAPSE_DATA_MIRROR) and downloads not allowed")

OUTPUT_PATTERNS = ["results/quick/simulate/*.nc", "results/quick/calibration/*.nc",
                   "results/quick/metrics/*.json", "results/quick/tables/*.csv",
                   "results/quick/robustness/*.nc", "results/quick/robustness/chunks/*.nc",
                   "figures/quick/*.png", "figures/quick/*.pdf"]


def digests(tree):
    out = {}
    for pattern in OUTPUT_PATTERNS:
        for path in sorted(tree.glob(pattern)):
            out[path.relative_to(tree).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def partial_files(tree):
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob(f".*{PARTIAL_MARKER}*"))


def test_report_lists_every_ledger_claim(quick_run):
    work = quick_run
    report = json.loads((work / "results" / "quick" / "report" / "claims.json").read_text())
    ledger = claims.load_ledger(work / "data" / "paper" / "claims")
    assert [r["id"] for r in report] == [c["id"] for c in ledger]
    by_id = {c["id"]: c for c in ledger}
    for r in report:
        assert {"id", "figure", "kind", "basis", "paper", "compendium", "status", "note"} <= set(r)
        assert r["status"] in ("pass", "fail", "missing", "shown")   # shown: an [M] reference
        if r["status"] == "missing":
            # allowed only where the ledger says why the output can be null (a leave-one-out that
            # runs only for a law that fits in-sample): "not evaluated", with that reason shown
            why = by_id[r["id"]].get("when_null")
            assert why, f"claim {r['id']} has no output: {r['note']}"
            assert r["outcome"] == "not evaluated" and why in r["note"], r
    html = (work / "results" / "quick" / "report" / "index.html").read_text()
    assert all(r["id"] in html for r in report)
    # figures are linked, not embedded (the page stays small): every one resolves to a PNG
    sources = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert sources
    report_dir = work / "results" / "quick" / "report"
    for src in sources:
        assert not src.startswith("data:") and (report_dir / src).resolve().is_file(), src


def test_every_notebook_produced_its_figures(quick_run):
    import yaml
    work = quick_run
    table = yaml.safe_load((work / "rules" / "notebooks.yaml").read_text())
    for name, spec in table.items():
        for stem in spec["figures"]:
            for ext in ("png", "pdf"):
                assert (work / "figures" / "quick" / f"{stem}.{ext}").stat().st_size > 1000, (name, stem)
        assert (work / "results" / "quick" / "notebooks" / f"{name}.html").is_file()


def test_quick_profile_writes_only_its_own_folders(quick_run):
    work = quick_run
    assert sorted(p.name for p in (work / "figures").iterdir()) == ["README.md", "quick"]
    assert sorted(p.name for p in (work / "results").iterdir()) == ["quick"]
    assert not partial_files(work), "no temporary file may remain after a run"


def test_netcdf_outputs_carry_units(quick_run):
    from analysis.stage_io import check_units, read_netcdf
    for path in sorted((quick_run / "results" / "quick" / "simulate").glob("n*.nc")):
        check_units(read_netcdf(path))


def test_two_runs_give_identical_bytes(quick_run, resumed_quick_run):
    """Two independent runs (the second stopped and resumed on the way) give the same bytes."""
    a, b = digests(quick_run), digests(resumed_quick_run.work)
    assert len(a) > 20
    assert a == b, sorted(k for k in a if a[k] != b.get(k))


def test_every_file_a_run_writes_is_a_declared_output(quick_run):
    """What the notebooks write must be Snakemake outputs: an undeclared file is neither rebuilt
    when damaged nor archived (make verify found two: the held-out law's NetCDF and Fig. 6's
    gamma table). Timing files, the lock and README files excepted."""
    work = quick_run
    proc = run_snakemake(work, "--summary")
    declared = {line.split("\t")[0] for line in proc.stdout.splitlines()[1:] if "\t" in line}
    written = {p.relative_to(work).as_posix() for top in ("results/quick", "figures/quick")
               for p in (work / top).rglob("*") if p.is_file()}
    undeclared = sorted(w for w in written if w not in declared and "/benchmarks/" not in w
                        and not w.endswith("README.md"))
    assert undeclared == [], undeclared


def test_finished_tree_has_nothing_to_do(quick_run):
    proc = run_snakemake(quick_run, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_moved_copy_is_up_to_date_and_rebuilds_deleted_or_damaged_outputs(quick_run, tmp_path):
    moved = tmp_path / "elsewhere" / "repo"
    shutil.copytree(quick_run, moved, symlinks=True)  # keeps modification times
    proc = run_snakemake(moved, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr, "a moved checkout must be up to date"
    reference = digests(quick_run)
    (moved / "figures" / "quick" / "fig6_energy.png").unlink()
    png = moved / "figures" / "quick" / "fig2_optics.png"
    png.write_bytes(png.read_bytes()[:2000])  # truncated, as by a full disk
    table = moved / "results" / "quick" / "tables" / "table2.csv"
    table.write_bytes(table.read_bytes()[:-7])
    # damage the old check let through: a PDF with 100 bytes cut out of its middle (header and
    # %%EOF intact) and the merged sweep cut in half (merged sweep files were not checked at all)
    pdf = moved / "figures" / "quick" / "figS10_energy_amplitude.pdf"
    data = pdf.read_bytes()
    pdf.write_bytes(data[:len(data) // 2] + data[len(data) // 2 + 100:])
    sweep = moved / "results" / "quick" / "robustness" / "wide.nc"
    sweep.write_bytes(sweep.read_bytes()[:sweep.stat().st_size // 2])
    proc = run_snakemake(moved)
    notes = [ln for ln in proc.stderr.splitlines() if ln.startswith("note:") and "is damaged" in ln]
    for name in ("fig2_optics.png is damaged (PNG:", "table2.csv is damaged (CSV:",
                 "figS10_energy_amplitude.pdf is damaged (PDF:", "robustness/wide.nc is damaged (NetCDF:"):
        assert sum(name in ln for ln in notes) == 1, (name, notes)
    assert len(notes) == 4, notes
    assert digests(moved) == reference
    assert not partial_files(moved)


def test_ctrl_c_stops_a_run_and_a_plain_rerun_resumes_it_to_the_same_outputs(quick_run, resumed_quick_run):
    """The second whole run was stopped by Ctrl-C once simulate/n2.nc existed (a run started in
    the same folder meanwhile refused to start, naming the working one), then resumed by a
    rerun without flags (tests/conftest.py, resumed_quick_run)."""
    run = resumed_quick_run
    assert run.stop_code != 0
    assert run.second.returncode != 0, run.second.stderr[-3000:]
    assert f"another Snakemake run (pid {run.pid}" in run.second.stderr, run.second.stderr[-3000:]
    assert digests(run.work) == digests(quick_run)
    assert not partial_files(run.work)
    assert "Nothing to be done" in run_snakemake(run.work, "-n").stdout


# A killed run is killed inside a job: figS11_classification (the longest notebook job of the
# quick profile, ≈ 15 s) is made to rerun in a copy of the finished tree, by deleting one of
# its outputs and its log; the run is killed once the job's log appears.
KILLED_JOB_OUTPUT = "figures/quick/figS11_classification.png"
KILLED_JOB_LOG = "logs/quick/figS11_classification.log"


def test_killed_run_resumes_to_the_same_outputs(quick_run, tmp_path):
    """SIGKILL to the whole process group in the middle of a job (as a crash or an OOM kill of
    everything would): the rerun removes the dead run's lock, saying so, reruns the job left
    incomplete and what follows it, and ends with the bytes of the uninterrupted run."""
    work = tmp_path / "repo"
    shutil.copytree(quick_run, work, symlinks=True)  # keeps modification times: up to date
    (work / KILLED_JOB_OUTPUT).unlink()
    (work / KILLED_JOB_LOG).unlink()
    _, code, _ = run_and_stop(work, signal.SIGKILL, KILLED_JOB_LOG)
    assert code != 0
    assert not (work / KILLED_JOB_OUTPUT).exists(), "the job finished before the kill"
    proc = run_snakemake(work)  # no flags: resume is the default
    assert "removed the lock of an earlier run that was killed" in proc.stderr
    assert re.search(r"^\s*(local)?rule figS11_classification:$", proc.stdout + proc.stderr, re.M), \
        "the rerun did not redo the killed job"
    assert digests(work) == digests(quick_run)
    assert not partial_files(work)
    assert "Nothing to be done" in run_snakemake(work, "-n").stdout


@needs_data
def test_failed_rule_prints_its_cause_in_the_terminal_once(tmp_path):
    """A job that fails prints the cause from its log, once (the data job is not retried)."""
    work = copy_repo(tmp_path / "repo")
    module = work / "analysis" / "learning" / "digits.py"
    text = module.read_text()
    hook = "    args = ap.parse_args(argv)\n"
    assert hook in text
    module.write_text(text.replace(hook, hook + "    print('ERROR: the manifest cannot be written (a failure put in by the test)', "
                                               "file=sys.stderr)\n    return 1\n"))
    proc = run_snakemake(work, "data", check=False)
    assert proc.returncode != 0
    assert proc.stderr.count("cause (from logs/quick/data.log)") == 1, proc.stderr
    assert proc.stderr.count("ERROR: the manifest cannot be written") == 1, proc.stderr


def _no_network(env):
    """Downloads fail at once: every proxy variable points at a closed local port."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env[var] = "http://127.0.0.1:9"
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


@pytest.mark.parametrize("mirror, expected", [
    (None, ["no local mirror is set", "SYNAPSE_DATA_MIRROR is unset", "data.mirror",
            "the download addresses do not answer"]),
    ("/nonexistent/mnist", ["SYNAPSE_DATA_MIRROR='/nonexistent/mnist'", "is not a folder"]),
], ids=["offline-no-mirror", "mirror-not-a-folder"])
def test_data_are_checked_before_any_job_starts(tmp_path, mirror, expected):
    """Without the data, the run stops before its first job with one message naming the mirror
    settings (it used to stop minutes in, when the data job's turn came, twice)."""
    work = copy_repo(tmp_path / "repo")
    env = _no_network(snakemake_env(work))
    env["SYNAPSE_DATA_CACHE"] = str(tmp_path / "empty-cache")
    env.pop("SYNAPSE_DATA_MIRROR", None)
    if mirror:
        env["SYNAPSE_DATA_MIRROR"] = mirror
    proc = subprocess.run(snakemake_cmd(), cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert all(part in errors[0] for part in expected), errors[0]
    assert "rule " not in proc.stderr  # no job started
    assert not (work / "results").exists() and not (work / "logs").exists()


def _start(work, log):
    with log.open("w") as fh:
        return subprocess.Popen(snakemake_cmd(), cwd=work, env=snakemake_env(work), stdout=subprocess.DEVNULL,
                                stderr=fh, start_new_session=True)


_JOB_STARTED = ("localrule ", "rule ")


@pytest.fixture(scope="module")
def lock_copy(tmp_path_factory):
    """A copy without outputs: a run there has many jobs ahead of it."""
    return copy_repo(tmp_path_factory.mktemp("lock") / "repo")


@needs_data
@pytest.mark.parametrize("gap_s", [0.0, 1.0], ids=["0s-apart", "1s-apart"])
def test_of_two_runs_started_together_one_works_the_other_names_it(lock_copy, tmp_path, gap_s):
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = _start(lock_copy, logs[0])
    time.sleep(gap_s)
    second = _start(lock_copy, logs[1])
    runs = [first, second]
    try:
        deadline = time.time() + 600
        while all(run.poll() is None for run in runs):
            assert time.time() < deadline, "neither run stopped"
            time.sleep(0.2)
        stopped = next(i for i, run in enumerate(runs) if run.poll() is not None)
        working = 1 - stopped
        message = logs[stopped].read_text()
        assert runs[stopped].returncode != 0
        assert f"another Snakemake run (pid {runs[working].pid}) is working in" in message, message
        # the other one works: it goes on to start jobs
        while not any(ln.startswith(_JOB_STARTED) for ln in logs[working].read_text().splitlines()):
            assert runs[working].poll() is None, logs[working].read_text()[-3000:]
            assert time.time() < deadline, "the working run started no job"
            time.sleep(0.2)
        assert "another Snakemake run" not in logs[working].read_text()
    finally:
        for run in runs:  # a kill, as of a crashed run: its lock must not stop the next test
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=120)
