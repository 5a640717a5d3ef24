"""Live SLURM: the workflow through snakemake-executor-plugin-slurm on a real single-node cluster.

The cluster is started by .ci/slurm-up (slurm-wlm + munge from Debian's packages, as root,
without systemd) and stopped by .ci/slurm-down. Where that cannot work (not root, no apt-get,
a foreign /etc/slurm/slurm.conf) the tests are skipped with the reason; with CI=true they fail
instead, because CI must run them.

1. The quick profile submitted with profiles/slurm gives byte-identical outputs to a local quick
   run, and every job went through the scheduler (SLURM job ids in Snakemake's log, squeue
   records of this run, SLURM log files of each job).
2. A job killed by the scheduler (scancel) is reported with its rule and log and retried per the
   profile; a rerun after a run that gave up resumes without recomputing finished jobs.
"""
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from analysis.stage_io import ROOT

from .conftest import copy_repo, run_snakemake

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

UP = ROOT / ".ci" / "slurm-up"
DOWN = ROOT / ".ci" / "slurm-down"
LOCK = Path(tempfile.gettempdir()) / "perovskite-synapse-slurm-test.lock"
SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.\n")


def _cannot_start_slurm():
    """Why .ci/slurm-up cannot run on this machine, or None if it can."""
    if shutil.which("bash") is None:
        return "no bash to run .ci/slurm-up"
    proc = subprocess.run(["bash", str(UP), "--check"], capture_output=True, text=True)
    if proc.returncode != 0:
        return (proc.stdout + proc.stderr).strip() or f"{UP} --check failed ({proc.returncode})"
    return None


@pytest.fixture(scope="module")
def slurm():
    """A running single-node SLURM for this module; stopped afterwards if this fixture started it.

    A lock file serialises test sessions on one machine (one may not stop the cluster
    under another's jobs).
    """
    reason = _cannot_start_slurm()
    if reason:
        message = f"cannot start a local SLURM cluster: {reason}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: the SLURM integration tests must run in CI)")
        pytest.skip(message)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        up = subprocess.run(["bash", str(UP)], capture_output=True, text=True, timeout=900)
        if up.returncode != 0:
            pytest.fail(f".ci/slurm-up failed ({up.returncode}):\n{up.stdout}\n{up.stderr}")
        started = "already running" not in up.stdout
        try:
            yield
        finally:
            if started:
                subprocess.run(["bash", str(DOWN)], capture_output=True, text=True, timeout=120)


@pytest.fixture
def private_tmp():
    """A temporary folder of this test's own: pytest's numbered base folder can be cleaned up by
    another test session on the same machine while SLURM jobs still work in it."""
    folder = Path(tempfile.mkdtemp(prefix="synapse-slurm-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def main_log(workdir: Path, index=-1) -> str:
    logs = sorted((workdir / ".snakemake" / "log").glob("*.snakemake.log"))
    assert logs, f"no Snakemake log in {workdir}/.snakemake/log"
    return logs[index].read_text()


def squeue_records(job_ids):
    """{job id: (name, state, comment)} for the given SLURM jobs, finished ones included."""
    out = subprocess.run(["squeue", "-h", "-t", "all", "-j", ",".join(job_ids), "-o", "%i|%j|%T|%k"],
                         capture_output=True, text=True, check=True).stdout
    records = {}
    for line in out.splitlines():
        job_id, name, state, comment = line.split("|", 3)
        records[job_id] = (name, state, comment)
    return records


def output_files(workdir: Path):
    """Every generated file under results/ and figures/, relative to workdir."""
    files = set()
    for top in ("results", "figures"):
        files |= {p.relative_to(workdir) for p in (workdir / top).rglob("*") if p.is_file()}
    return files


# Outputs that differ between two local runs too, so they cannot be compared byte for byte:
# Snakemake's timing files, the executed notebooks (papermill records start/end times) and the
# report's Provenance section (time written, run time per stage): the report is compared up to it.
VOLATILE = re.compile(r"(^|/)(benchmarks/.*\.tsv|notebooks/.*\.(ipynb|html))$")
STAMPED = re.compile(r"(^|/)report/index\.html$")
PROVENANCE = b"<h2>Provenance</h2>"


def test_quick_profile_through_slurm_is_identical_to_local(quick_run, slurm, private_tmp):
    local = quick_run
    work = copy_repo(private_tmp / "repo")
    run_snakemake(work, "--profile", str(work / "profiles" / "slurm"))

    # every job went through the scheduler
    log = main_log(work)
    submitted = SUBMITTED.findall(log)
    assert submitted, "no job was submitted to SLURM:\n" + log[-3000:]
    job_ids = [jid for _, jid, _ in submitted]
    records = squeue_records(job_ids)
    assert set(records) == set(job_ids), f"SLURM has no record of jobs {set(job_ids) - set(records)}"
    assert len({name for name, _, _ in records.values()}) == 1, "jobs of one run share one job name"
    assert {state for _, state, _ in records.values()} == {"COMPLETED"}, records
    ran_rules = set(re.findall(r"^\s*rule (\w+):$", log, re.M))
    in_slurm = set()
    for _, jid, slurm_log in submitted:
        text = Path(slurm_log).read_text()
        assert Path(slurm_log).stem == jid
        in_slurm |= set(re.findall(r"^\s*rule (\w+):$", text, re.M))
    assert ran_rules and ran_rules <= in_slurm, f"rules not run inside a SLURM job: {ran_rules - in_slurm}"

    # byte-identical to the local quick run
    files = output_files(local)
    assert output_files(work) == files, "the SLURM run wrote a different set of files"
    volatile = {f for f in files if VOLATILE.search(f.as_posix())}
    compared = sorted(files - volatile)

    def content(path):
        data = path.read_bytes()
        if STAMPED.search(path.as_posix()):
            assert data.count(PROVENANCE) == 1, f"{path}: no single Provenance section"
            data = data.split(PROVENANCE)[0]
        return data

    differ = [f for f in compared if content(work / f) != content(local / f)]

    def first_difference(f):
        a, b = content(local / f), content(work / f)
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        return f"{f} at byte {i}:\n  local: {a[max(0, i - 150):i + 150]!r}\n  SLURM: {b[max(0, i - 150):i + 150]!r}"

    assert not differ, ("outputs of the SLURM run differ from the local run:\n"
                        + "\n".join(first_difference(f) for f in differ[:5]))
    for pattern in ("simulate/*.nc", "*.png", "*.pdf", "metrics/fig3_plasticity.json"):
        assert any(f.match(pattern) for f in compared), pattern
    assert len(compared) > 50


# --- failure behaviour: a job killed by the scheduler ---------------------------------------

KILL_SNAKEFILE = """
# attempt 1 of `slow` sleeps until the test scancels it; a retry (attempt 2) finishes at once.
rule all:
    input: expand("out/quick{i}.txt", i=range(3)), "out/slow.txt"

rule quick:
    output: "out/quick{i}.txt"
    log: "logs/quick{i}.log"
    shell: "echo $SLURM_JOB_ID > {output} 2> {log}"

rule slow:
    output: "out/slow.txt"
    log: "logs/slow.log"
    resources: nap=lambda wildcards, attempt: 600 if attempt == 1 else 0
    shell: "echo attempt {resources.nap} $SLURM_JOB_ID > {log}; sleep {resources.nap}; echo $SLURM_JOB_ID > {output}"
"""


def _start(workdir: Path, *args):
    (workdir / "logs" / "slow.log").unlink(missing_ok=True)   # written anew by the next `slow` job
    cmd = [sys.executable, "-m", "snakemake", "--profile", str(ROOT / "profiles" / "slurm"), *args]
    return subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _scancel_slow_when_running(workdir: Path, proc, limit_s=600):
    """Wait until the `slow` job runs in SLURM (its log is written), then scancel it."""
    slow_log = workdir / "logs" / "slow.log"
    deadline = time.monotonic() + limit_s
    while not (slow_log.is_file() and slow_log.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the slow job never started:\n{proc.communicate()[0][-4000:]}")
        time.sleep(0.5)
    job_id = slow_log.read_text().split()[-1]
    assert squeue_records([job_id])[job_id][1] == "RUNNING"
    subprocess.run(["scancel", job_id], check=True)
    return job_id


def processes_in(folder: Path):
    """PIDs of processes whose working directory is *folder* (Linux /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if os.path.realpath(entry / "cwd") == os.path.realpath(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_scancelled_job_is_retried_and_rerun_resumes(slurm, private_tmp):
    (private_tmp / "Snakefile").write_text(KILL_SNAKEFILE)

    # 1. killed once, retried per the profile (retries: 2): the workflow completes
    proc = _start(private_tmp)
    killed = _scancel_slow_when_running(private_tmp, proc)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-6000:]
    assert f"SLURM-job '{killed}' failed, SLURM status is: 'CANCELLED'" in out, out[-6000:]
    assert re.search(r"Error in rule slow:.*?log: logs/slow\.log", out, re.S), out[-6000:]
    assert "Trying to restart job" in out, out[-6000:]
    assert (private_tmp / "out" / "slow.txt").read_text().strip() != killed   # the retry's job
    assert (private_tmp / "logs" / "slow.log").read_text().split()[:2] == ["attempt", "0"]
    assert squeue_records([killed])[killed][1] == "CANCELLED"

    # 2. without retries the run gives up after the kill; the finished jobs are kept ...
    shutil.rmtree(private_tmp / "out")
    proc = _start(private_tmp, "--retries", "0")
    _scancel_slow_when_running(private_tmp, proc)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode != 0, out[-6000:]
    assert re.search(r"Error in rule slow:.*?log: logs/slow\.log", out, re.S), out[-6000:]
    done = {p.name: p.stat().st_mtime_ns for p in (private_tmp / "out").glob("quick*.txt")}
    assert sorted(done) == ["quick0.txt", "quick1.txt", "quick2.txt"], out[-6000:]
    assert not (private_tmp / "out" / "slow.txt").exists()

    # ... and the rerun submits only `slow` (its attempt 1 sleeps again: cancelled, then retried)
    proc = _start(private_tmp, "--retries", "1")
    _scancel_slow_when_running(private_tmp, proc)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-6000:]
    rerun = SUBMITTED.findall(main_log(private_tmp))
    rules = re.findall(r"^\s*rule (\w+):$", main_log(private_tmp), re.M)
    assert set(rules) == {"slow"}, f"the rerun recomputed finished jobs: {rules}"
    assert len(rerun) == 2   # the killed attempt and its retry
    assert {p.name: p.stat().st_mtime_ns for p in (private_tmp / "out").glob("quick*.txt")} == done

    # the killed jobs left no process behind (SLURM signals the job's process groups, then
    # kills them KillWait=5 s later)
    deadline = time.monotonic() + 120
    while processes_in(private_tmp) and time.monotonic() < deadline:
        time.sleep(1)
    assert not processes_in(private_tmp), f"processes left by the killed jobs: {processes_in(private_tmp)}"
