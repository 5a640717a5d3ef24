"""Share of the second device model (drift–diffusion) in a finished workflow run (issue 19 §5).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_model_share.py [--profile quick|full] [--results DIR]

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
import sys
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="quick", choices=("quick", "full"))
    ap.add_argument("--results", help="results folder of the run (default: the profile's)")
    args = ap.parse_args(argv)
    results = Path(args.results) if args.results else ROOT / ("results/quick" if args.profile == "quick" else "results")
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
