"""Wall time of the device model: all protocols for all six n, and the full calibration.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_device.py [--sizes '{"ppf_points": 9, ...}']``
(default: the paper-scale sizes, the simulate notebook's defaults = config profiles.full).
Targets (one core): protocols <= 10 s, calibration <= 60 s.
"""
from __future__ import annotations

import argparse
import json
import time

from _defaults import notebook_defaults

from analysis.evidence import calibration
from analysis.physics import multitrap as device, simulation
from analysis.physics.dimensionality import N_VALUES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=json.loads, default=None,
                        help="JSON run sizes of analysis.physics.simulation.simulate_device (default: paper scale)")
    parser.add_argument("--skip-calibration", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.sizes or notebook_defaults("simulate")["device_settings"]
    label = "paper-scale sizes" if args.sizes is None else f"sizes {sizes}"

    t0 = time.perf_counter()
    per_n = {}
    for n in N_VALUES:
        t1 = time.perf_counter()
        simulation.simulate_device(n, sizes)
        per_n[n] = time.perf_counter() - t1
    total = time.perf_counter() - t0
    print(f"protocols ({label}), all six n: {total:.2f} s (target <= 10 s)")
    print("  per n: " + ", ".join(f"{n}: {t:.2f} s" for n, t in per_n.items()))
    if not args.skip_calibration:
        t0 = time.perf_counter()
        calibration.calibrate_all()
        print(f"calibration, all six n + current scale: {time.perf_counter() - t0:.2f} s (target <= 60 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
