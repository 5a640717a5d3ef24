"""Wall time of the device model: all protocols for all six n, and the full calibration.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_device.py [--profile quick]``.
Targets (one core): protocols <= 10 s, calibration <= 60 s.
"""
from __future__ import annotations

import argparse
import time

from analysis import calibration, device, protocols
from analysis.dimensionality import N_VALUES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=sorted(protocols.PROFILES))
    parser.add_argument("--skip-calibration", action="store_true")
    args = parser.parse_args(argv)

    device.clear_caches()
    t0 = time.perf_counter()
    per_n = {}
    for n in N_VALUES:
        t1 = time.perf_counter()
        protocols.simulate_device(n, {"profile": args.profile})
        per_n[n] = time.perf_counter() - t1
    total = time.perf_counter() - t0
    print(f"protocols ({args.profile}), all six n: {total:.2f} s (target <= 10 s)")
    print("  per n: " + ", ".join(f"{n}: {t:.2f} s" for n, t in per_n.items()))
    if not args.skip_calibration:
        t0 = time.perf_counter()
        calibration.calibrate_all()
        print(f"calibration, all six n + current scale: {time.perf_counter() - t0:.2f} s (target <= 60 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
