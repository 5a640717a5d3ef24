"""Cost of the drift–diffusion model: single segments, the two calibration experiments, all
protocols of every film (the generic engine, :func:`analysis.physics.simulation.simulate_device`,
on the model's devices) and the calibration.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_driftdiffusion.py [--n 3] [--quick]
[--calibrate all|one|none] [--repeat 3]``.  Single segments and experiments: best of *repeat*
runs on a fresh device (no cached segments); protocols and calibration: one run each on a
fresh device.  Numba's compilation (or its cache load) is reported separately.

The protocol set is the workflow's (full profile: the simulate notebook's defaults — EPSC trace,
PPF 17 intervals × 2 spikes, SFDP 12 frequencies × 5 spikes, SVDP 18 and SDDP 10 spikes with
traces, SNDP a 50-spike train and 8 traces, retention after 1, 10, 30 rehearsals with 300
reads each and the rehearsal trace, R(T), the ±2 V I–V staircase with its relaxation check,
P/D 20 + 20 spikes, peak currents of 50 amplitudes × 3 areas; quick profile: the sizes of
config/config.yaml and a 60-cell mesh).  Budget of issue 19: all protocols of all six films
plus their calibration well under 3 CPU-minutes; the quick profile adds at most 15 s.
"""
from __future__ import annotations

import argparse
import time

from analysis.physics import dd_calibration as cal
from analysis.physics import driftdiffusion as dd
from analysis.physics import simulation
from analysis.physics.dimensionality import N_VALUES

def best(fn, repeat):
    """Best CPU time [s] of *repeat* calls of *fn* (this process, one core), and its result."""
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return min(times), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="3", help="film for the single-film timings (default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="the quick profile: its run sizes (config/config.yaml) and the coarser mesh")
    ap.add_argument("--calibrate", choices=("all", "one", "none"), default="all")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if args.quick:
        import yaml
        from analysis.stage_io import ROOT
        cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
        sizes = cfg["profiles"]["quick"]["simulate"]["device_settings"]
    else:
        from _defaults import notebook_defaults
        sizes = notebook_defaults("simulate")["device_settings"]
    params = dd.default_parameters(**(dd.QUICK_MESH if args.quick else {}))
    label = "quick profile (sizes and mesh)" if args.quick else "full profile"
    print(f"drift-diffusion model, {label}: {params.mesh_cells} cells, {params.trap_classes} trap "
          f"classes, rtol {params.rtol:g}")

    t0 = time.perf_counter()
    dev = dd.build_device(args.n, cal.calibrated_free(args.n), params)
    dev.evolve(dev.rest_state(), -1.0, 0.02)
    dev.evolve_times(dev.rest_state(), 0.0, [0.1, 0.2])
    print(f"first call (numba compile or cache load): {time.perf_counter() - t0:.2f} s wall")

    free = cal.calibrated_free(args.n)

    def fresh():
        return dd.build_device(args.n, free, params)

    x0 = dev.rest_state()
    x1 = dev.evolve(x0, -1.0, 0.02)
    t, _ = best(lambda: fresh().evolve(x0, -1.0, 0.02), args.repeat)
    d = fresh()
    d.evolve(x0, -1.0, 0.02)
    s = d.last_stats
    print(f"evolve, one 20 ms spike (-1 V):   {t * 1e3:7.2f} CPU-ms  ({s[0]} steps, {s[1]} rejected, {s[2]} Newton iterations)")
    t, _ = best(lambda: fresh().evolve(x1, 0.0, 15.0), args.repeat)
    d = fresh()
    d.evolve(x1, 0.0, 15.0)
    s = d.last_stats
    print(f"evolve, one 15 s rest (0 V):       {t * 1e3:7.2f} CPU-ms  ({s[0]} steps, {s[1]} rejected, {s[2]} Newton iterations)")
    t, _ = best(lambda: cal.retention_experiment(fresh()), args.repeat)
    print(f"retention experiment (30 rehearsals + 300 reads over 15 s): {t * 1e3:7.1f} CPU-ms")
    t, _ = best(lambda: cal.resistance_experiment(fresh()), args.repeat)
    print(f"R(T) experiment (17 temperatures):  {t * 1e3:7.2f} CPU-ms")

    per_film = {}
    films = [args.n] if args.calibrate == "none" else list(N_VALUES)
    for n in films:
        d = dd.build_device(n, cal.calibrated_free(n), params)
        timings = {}
        for part in simulation.PROTOCOLS:
            t0 = time.process_time()
            simulation.simulate_device(d, sizes, parts=[part])
            timings[part] = time.process_time() - t0
        per_film[n] = timings
    tm = per_film[args.n]
    print(f"all protocols of n = {args.n}: {sum(tm.values()):.2f} CPU-s  ("
          + ", ".join(f"{k} {v:.2f}" for k, v in tm.items()) + ")")
    tot = sum(sum(v.values()) for v in per_film.values())
    if len(per_film) > 1:
        print(f"all protocols of all six films: {tot:.1f} CPU-s  ("
              + ", ".join(f"{n} {sum(v.values()):.2f}" for n, v in per_film.items()) + ")")

    if args.calibrate != "none":
        films = [args.n] if args.calibrate == "one" else list(N_VALUES)
        t0 = time.process_time()
        res = cal.calibrate_all(films, params=params)
        total = time.process_time() - t0
        print("calibration per film: " + ", ".join(f"{n} {r.get('seconds', float('nan')):.1f} s wall"
                                                   for n, r in res.items()) + f"; total {total:.1f} CPU-s")
        if len(per_film) > 1:
            print(f"protocols + calibration, all six films: {tot + total:.1f} CPU-s (budget: well under 180 CPU-s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
