"""Scaling on SLURM: the jobs of one rule, locally and through the SLURM executor.

    python benchmarks/bench_slurm.py [--rule simulate] [--profile quick] [--slurm-jobs 1 2 4]
                                     [--local-cores 1 2] [--group 0]
                                     [--sweep PLAUSIBLE_SAMPLES PLAUSIBLE_CHUNKS WIDE_SAMPLES WIDE_CHUNKS]

Needs a running SLURM cluster (`.ci/slurm-up` starts one on this machine; `.ci/slurm-down`
stops it). In a fresh copy of the repository, the upstream of RULE is made once; then every
setting recomputes all jobs of RULE (`--until RULE --forcerun RULE`) and is timed:

* local, `--cores c` for each c of --local-cores;
* SLURM (profiles/slurm), `--jobs k` for each k of --slurm-jobs (k jobs queued or running at
  once; the node runs as many as it has CPUs for);
* with --group G > 0, also SLURM with the jobs of RULE grouped G per SLURM job.

Prints, per setting: wall time, jobs/s, and the scheduler's overhead per job,
    (wall - wall of local --cores p) * p / jobs,   p = min(k, CPUs of the machine),
i.e. the extra CPU-seconds a job costs when it goes through SLURM. `work/job` is the mean of
the rule's Snakemake benchmark files (seconds inside the job) from the first local run, and
overhead/work = overhead per job / work per job.
The default rule, `simulate`, is the six per-n jobs. The sweep (issue 12's main workload):
    --rule robustness_chunk --sweep 42 7 6 1      # 8 chunks of 6 samples (the scaling table)
    --rule robustness_chunk --sweep 100 1 100 1 --slurm-jobs 2 --local-cores 2
                                                  # 2 chunks of the `sweep` profile's size
--sweep sets the profile's robustness sizes in the copy's config/config.yaml; a chunk's work
depends only on its samples, not on the profile, so the quick profile with the `sweep`
profile's chunk size measures the sweep's per-job work and overhead. The load average
(`uptime`) before and after is printed with the table: the machine may be shared.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import IGNORE, mnist_mirror  # noqa: E402

SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+)")


def snakemake(work: Path, profile: str, *args) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(work), MPLBACKEND="Agg")
    if mnist_mirror():
        env["SYNAPSE_DATA_MIRROR"] = mnist_mirror()
    cmd = [sys.executable, "-m", "snakemake", *args, "--config", f"profile={profile}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return wall, proc.stdout + proc.stderr


def benchmark_seconds(work: Path, since: float) -> list[float]:
    """Wall seconds of every Snakemake benchmark file written after *since*."""
    out = []
    for tsv in work.rglob("benchmarks/*.tsv"):
        if tsv.stat().st_mtime >= since:
            with open(tsv, newline="") as fh:
                rows = list(csv.DictReader(fh, delimiter="\t"))
            out.append(float(rows[-1]["s"]))
    return out


def elapsed_seconds(job_ids: list[str]) -> list[float]:
    """Elapsed time of finished SLURM jobs as squeue reports it (whole seconds; MinJobAge keeps
    finished jobs listed on the local cluster), [] where squeue no longer knows them."""
    if not job_ids:
        return []
    proc = subprocess.run(["squeue", "-h", "-t", "all", "-j", ",".join(job_ids), "-o", "%M"],
                          capture_output=True, text=True)
    out = []
    for field in proc.stdout.split():
        days, _, clock = field.rpartition("-")
        parts = [int(x) for x in clock.split(":")]
        while len(parts) < 3:
            parts.insert(0, 0)
        out.append(int(days or 0) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2])
    return out


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def set_sweep(work: Path, profile: str, sizes: list[int]):
    """The robustness sweep sizes of *profile* in the copy's config/config.yaml."""
    path = work / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    keys = ("plausible_samples", "plausible_chunks", "wide_samples", "wide_chunks")
    config["profiles"][profile]["robustness"] = dict(zip(keys, sizes))
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rule", default="simulate", help="rule whose jobs are timed (default: simulate)")
    ap.add_argument("--profile", default="quick", help="config profile (default: quick)")
    ap.add_argument("--slurm-jobs", type=int, nargs="*", default=[1, 2, 4])
    ap.add_argument("--local-cores", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--group", type=int, default=0, help="also run with G jobs per SLURM job")
    ap.add_argument("--sweep", type=int, nargs=4, metavar="N",
                    help="robustness sizes: plausible samples, chunks, wide samples, chunks")
    args = ap.parse_args()
    if shutil.which("sbatch") is None or subprocess.run(["sinfo"], capture_output=True).returncode:
        sys.exit("no SLURM cluster answers (sbatch/sinfo); start the local one with .ci/slurm-up")
    cpus = os.cpu_count() or 1
    until = ["--until", args.rule, "--forcerun", args.rule]
    slurm = ["--profile", "profiles/slurm"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-slurm-") as tmp:
        work = Path(tmp) / "repo"
        shutil.copytree(ROOT, work, ignore=IGNORE)
        if args.sweep:
            set_sweep(work, args.profile, args.sweep)
        load_before = load()
        _, plan = snakemake(work, args.profile, "-n", "--until", args.rule)
        upstream = set(re.findall(r"^(\w+)\s+\d+$", plan, re.M)) - {args.rule, "total"}
        if upstream:   # make the upstream once (with a first pass of RULE), outside the timings
            snakemake(work, args.profile, "--cores", str(cpus), "--until", args.rule)
        _, dry = snakemake(work, args.profile, "-n", *until)
        jobs = int(re.search(rf"^{re.escape(args.rule)}\s+(\d+)$", dry, re.M).group(1))

        local = {}
        work_s = []
        for cores in args.local_cores:
            t0 = time.time()
            wall, _ = snakemake(work, args.profile, "--cores", str(cores), *until)
            local[cores] = wall
            if not work_s:   # the first (fewest cores) local run
                work_s = benchmark_seconds(work, t0)
            rows.append((f"local --cores {cores}", wall, None, None, None))
        settings = [(f"slurm --jobs {k}", k, ["--jobs", str(k)]) for k in args.slurm_jobs]
        if args.group:
            k = max(args.slurm_jobs)
            settings.append((f"slurm --jobs {k}, {args.group} per group", k,
                             ["--jobs", str(k), "--groups", f"{args.rule}=bench",
                              "--group-components", f"bench={args.group}"]))
        for label, k, extra in settings:
            t0 = time.time()
            wall, log = snakemake(work, args.profile, *slurm, *extra, *until)
            ids = SUBMITTED.findall(log)
            p = min(k, cpus)
            base = local.get(p)
            over = (wall - base) * p / jobs if base is not None else None
            inside = benchmark_seconds(work, t0)          # work inside the SLURM jobs
            elapsed = elapsed_seconds(ids)                # whole SLURM jobs
            in_job = (sum(elapsed) - sum(inside)) / len(ids) if elapsed and len(elapsed) == len(ids) else None
            rows.append((label, wall, len(ids), over, in_job))
        load_after = load()

    work_job = sum(work_s) / len(work_s) if work_s else None
    sweep = f", sweep sizes {' '.join(map(str, args.sweep))}" if args.sweep else ""
    print(f"rule {args.rule}, profile {args.profile}{sweep}: {jobs} jobs on {cpus} CPUs"
          + (f"; work/job {work_job:.1f} s (Snakemake benchmark files, first local run)" if work_s else ""))
    print(f"{load_before} at the start, {load_after} at the end")
    print(f"{'setting':32s} {'wall s':>8s} {'jobs/s':>7s} {'SLURM jobs':>10s} {'overhead/job s':>15s} "
          f"{'overhead/work':>14s} {'in-job start s':>15s}")
    for label, wall, submitted, over, in_job in rows:
        frac = f"{over / work_job:.1%}" if over is not None and work_job else ""
        print(f"{label:32s} {wall:8.1f} {jobs / wall:7.3f} {'' if submitted is None else submitted:>10} "
              f"{'' if over is None else f'{over:.1f}':>15s} {frac:>14s} "
              f"{'' if in_job is None else f'{in_job:.1f}':>15s}")
    print("overhead/job = (wall - wall of local --cores p) * p / jobs, p = min(SLURM jobs at once, CPUs); "
          "overhead/work = overhead/job / work/job;\nin-job start = mean (SLURM elapsed - the rule's "
          "benchmark seconds) per job: Snakemake's start-up inside the job, the part that occupies "
          "the node (the rest of overhead/job is submission and status-check latency)")


if __name__ == "__main__":
    main()
