"""Share of the second device model (drift–diffusion) in a finished workflow run (issue 19 §5).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_model_share.py [--profile quick|full] [--results DIR]
    PYTHONPATH=. .venv/bin/python benchmarks/bench_model_share.py --run [--profile quick]

``--run`` measures instead of reading: it deletes the model's outputs of the profile (its
calibration, simulations, metrics, executed notebooks and benchmark files) and numba's cache of
the model's kernels (analysis/physics/__pycache__/dd_kernel.*: a cold run compiles them), runs
exactly the model's jobs with Snakemake (``--until model_metrics --cores 2``, under ``nice``),
and takes the CPU time of the whole process tree from the kernel (``os.wait4``: user + sys of
every process Snakemake started and waited for, so no job is missed), less the CPU time of
Snakemake's own start (a dry run of the same command, measured the same way). It prints that
CPU time, the wall time of the jobs, and the ratio to the 15 s target on 2 cores (CPU-s / 2).
Run it when no other Snakemake run works in this checkout; state the load it prints.

Reads Snakemake's benchmark files of the run (``<results>/benchmarks/*.tsv``: wall s, cpu_time)
and prints, per rule family, the wall and CPU seconds of the drift–diffusion model's jobs
(calibrate_driftdiffusion, simulate_driftdiffusion_n*, model_metrics_driftdiffusion) beside the
whole run's, and the machine's load average now (``os.getloadavg``): on the shared 2-core machine
wall seconds grow with the load, CPU seconds much less. The sum of the jobs' wall seconds is
not the run's wall time (2 jobs run at once); CPU seconds / 2 is the wall time on 2 idle cores.

Targets (issue 19 §5): the full profile cold ≤ 6 min including both models; the quick profile
adds ≤ 15 s. The per-film protocol and per-film calibration costs come from
benchmarks/bench_driftdiffusion.py.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "driftdiffusion"


def read(folder: Path) -> dict:
    """job stem -> (wall s, CPU s) of every benchmark file in *folder*."""
    out = {}
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            out[path.stem] = (float(rows[-1]["s"]), float(rows[-1]["cpu_time"]))
    return out


def is_model_job(stem: str) -> bool:
    return MODEL in stem


TARGET_S = 15.0
"""Issue 19 §5: the quick profile adds at most 15 s (wall, 2 cores)."""


def _timed(cmd: list[str]) -> tuple[float, float, int]:
    """Run *cmd*; (wall s, CPU s = user + sys of it and every descendant it waited for, status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def run(profile: str, results: Path) -> int:
    """Delete the model's outputs and compiled kernels, run its jobs cold and measure them."""
    for path in [results / "calibration" / f"{MODEL}.yaml", results / "simulate" / MODEL,
                 results / "metrics" / MODEL, *(results / "notebooks").glob(f"simulate_{MODEL}*"),
                 *(results / "benchmarks").glob(f"*{MODEL}*"),
                 *(ROOT / "analysis" / "physics" / "__pycache__").glob("dd_kernel.*.nb[ic]")]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    smk = ["nice", sys.executable, "-m", "snakemake", "--cores", "2", "--config", f"profile={profile}",
           "--until", "model_metrics"]
    load0 = os.getloadavg()
    wall, cpu, _ = _timed(smk)
    load1 = os.getloadavg()
    dry_wall, dry_cpu, _ = _timed(smk + ["--dry-run"])
    jobs = {k: v for k, v in read(results / "benchmarks").items() if is_model_job(k)}
    print(f"profile {profile}, cold {MODEL} jobs only (snakemake --until model_metrics --cores 2); "
          f"load average {load0[0]:.1f} before, {load1[0]:.1f} after (1 min, 2 cores)")
    for stem, (s, _) in sorted(jobs.items()):
        print(f"  {stem:40s} {s:8.1f} s wall")
    jobs_cpu = cpu - dry_cpu
    print(f"Snakemake with the jobs: {cpu:.1f} CPU-s, {wall:.1f} s wall; its own start (dry run): "
          f"{dry_cpu:.1f} CPU-s, {dry_wall:.1f} s wall")
    print(f"{MODEL} jobs: {jobs_cpu:.1f} CPU-s (user + sys) -> about {jobs_cpu / 2:.1f} s on 2 idle cores, "
          f"{jobs_cpu / 2 / TARGET_S:.2f} of the {TARGET_S:g} s target "
          f"({'met' if jobs_cpu / 2 <= TARGET_S else 'NOT met'}); jobs' wall time summed "
          f"{sum(v[0] for v in jobs.values()):.1f} s")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="quick", choices=("quick", "full"))
    ap.add_argument("--results", help="results folder of the run (default: the profile's)")
    ap.add_argument("--run", action="store_true",
                    help="delete the model's outputs and compiled kernels, run its jobs cold and measure "
                         "their CPU time (see above)")
    args = ap.parse_args(argv)
    results = Path(args.results) if args.results else ROOT / ("results/quick" if args.profile == "quick" else "results")
    if args.run:
        if args.results:
            ap.error("--run measures the profile's own results folder; leave out --results")
        return run(args.profile, results)
    jobs = read(results / "benchmarks")
    if not jobs:
        sys.exit(f"no benchmark files in {results / 'benchmarks'}: run the {args.profile} profile first")
    model = {k: v for k, v in jobs.items() if is_model_job(k)}
    load = os.getloadavg()
    print(f"profile {args.profile}: {len(jobs)} jobs, {len(model)} of the {MODEL} model; "
          f"load average now {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min, 2 cores)")
    for stem, (s, cpu) in sorted(model.items()):
        print(f"  {stem:40s} {s:8.1f} s wall {cpu:8.1f} CPU-s")
    tot_s, tot_cpu = sum(v[0] for v in jobs.values()), sum(v[1] for v in jobs.values())
    m_s, m_cpu = sum(v[0] for v in model.values()), sum(v[1] for v in model.values())
    print(f"{MODEL} jobs: {m_s:.1f} s wall summed, {m_cpu:.1f} CPU-s "
          f"({100 * m_cpu / max(tot_cpu, 1e-9):.0f} % of the run's {tot_cpu:.1f} CPU-s; "
          f"{100 * m_s / max(tot_s, 1e-9):.0f} % of its {tot_s:.1f} job-seconds)")
    print(f"on 2 idle cores the {MODEL} jobs add about {m_cpu / 2:.0f} s of wall time "
          f"(CPU-s / 2; Snakemake's cpu_time samples the job's processes and can miss short ones)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
