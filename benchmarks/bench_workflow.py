"""Time the workflow: cold quick run, cold full run, and a no-op rerun.

    python benchmarks/bench_workflow.py [--skip-full]

Each run happens in a fresh copy of the repository (no results), on all cores of the
machine (`--cores 2` here). Prints one line per measurement; targets from the issues:
quick <= 60 s, no-op <= 3 s.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import IGNORE, mnist_mirror  # noqa: E402


def run(work: Path, profile: str, *extra) -> float:
    env = dict(os.environ, PYTHONPATH=str(work), MPLBACKEND="Agg")
    if mnist_mirror():
        env["SYNAPSE_DATA_MIRROR"] = mnist_mirror()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--config",
                           f"profile={profile}", *extra], cwd=work, env=env,
                          capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{profile} run failed:\n{proc.stderr[-4000:]}")
    return dt


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-full", action="store_true")
    args = ap.parse_args()
    profiles = ["quick"] + ([] if args.skip_full else ["full"])
    with tempfile.TemporaryDirectory() as tmp:
        for profile in profiles:
            work = Path(tmp) / profile
            shutil.copytree(ROOT, work, ignore=IGNORE)
            cold = run(work, profile)
            noop = run(work, profile)
            print(f"{profile:5s} cold run : {cold:7.1f} s")
            print(f"{profile:5s} no-op rerun: {noop:7.1f} s")


if __name__ == "__main__":
    main()
