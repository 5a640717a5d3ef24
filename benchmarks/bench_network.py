"""Aggregate training throughput of 784-300-10 for S networks at once, beside the GEMM limit.

Usage::

    PYTHONPATH=. python benchmarks/bench_network.py [--mirror DIR] [--results results]
                                                    [--samples 10000] [--seeds 1 5 10]

For each S, S networks (seeds 0…S−1) are trained together by :func:`analysis.learning.training.train_many`
for one epoch on ``--samples`` MNIST images (batch 100, learning rate 1, with the test evaluation
on ``--test`` images before and after the epoch; no training-set accuracy), float and
device-aware.  Two rates are printed:

* **aggregate samples/s**: S × samples / wall time of the whole call (evaluation included);
* **training steps, samples per CPU-second**: S × samples / CPU time the training threads spent
  in training steps (``TrainResult.extras["group_cpu_s"]["steps"]``, per-thread CPU time, so
  other jobs on a shared machine hardly change it; evaluation excluded).

The GEMM limit is measured in the same run, both ways: the five matrix products of one training
step of these shapes (forward through both layers, the hidden-layer error, both weight
gradients), timed on the same number of threads (:data:`analysis.learning.training.TRAIN_THREADS`,
one BLAS thread each) as training uses — the rate training would reach if everything but
those products were free.  The ratio of the training-step rate to the per-CPU-second GEMM limit
is the fraction of the machine's matrix-product speed that training reaches.

The device is the n = 3 lookup table from ``{results}/simulate/n3.nc`` when it exists, else a
NeuroSim-shaped 20-pulse device with NL = 1 on both branches (the cost depends on the pulse
statistics, hardly on the shape).  On a shared machine the numbers vary from run to run:
report the load (``uptime``) beside them.  A short device-aware run before the timed ones
compiles the numba kernels of the device update or loads them from their cache (the time is
printed; a cold process pays it once).  Goal (issue 11): ≥ 100,000 device-aware samples/s
at S ≥ 5, and ≥ 0.7 × the float rate.
"""
from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from analysis.learning import lookup_device as ld
from analysis.learning import pd_curves as pdc
from analysis.learning import training as tr
from analysis.learning.digits import load_mnist
from analysis.stage_io import read_netcdf, simulation_path


def _device(results: str) -> ld.LookupDevice:
    path = simulation_path(results, "3")
    if path.is_file():
        g, amp, _ = pdc.pd_from_dataset(read_netcdf(path))
        return ld.device_from_pd_curve(g, amp, name=f"lookup table of {path}")
    return ld.neurosim_shaped_device(20, 1.0, 1.0, 1e-9, 2e-9, name="synthetic NeuroSim device, 20 pulses, NL 1/1")


def gemm_limit(batch: int = 100, n_in: int = 784, hidden: int = 300, n_out: int = 10,
               threads: int = tr.TRAIN_THREADS, steps: int = 400) -> float:
    """Samples/s if a training step cost only its five matrix products (on *threads* threads)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    xa = rng.random((batch, n_in + 1), dtype=np.float32)
    w1 = rng.random((n_in + 1, hidden), dtype=np.float32)
    w2 = rng.random((hidden + 1, n_out), dtype=np.float32)
    ha = rng.random((batch, hidden + 1), dtype=np.float32)
    dz = rng.random((batch, n_out), dtype=np.float32)
    dh = rng.random((batch, hidden), dtype=np.float32)

    def loop():
        for _ in range(steps):
            xa @ w1
            ha @ w2
            ha.T @ dz
            dz @ w2[:-1].T
            xa.T @ dh

    with threadpool_limits(limits=tr.BLAS_THREADS, user_api="blas"):
        loop()  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(threads) as pool:
            for f in [pool.submit(loop) for _ in range(threads)]:
                f.result()
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return threads * steps * batch / dt, threads * steps * batch / cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", default=None, help="MNIST mirror folder (default: SYNAPSE_DATA_MIRROR / download)")
    ap.add_argument("--results", default="results", help="results folder holding simulate/n3.nc")
    ap.add_argument("--samples", type=int, default=10000, help="training images per network")
    ap.add_argument("--test", type=int, default=2000, help="test images of the evaluation before and after the epoch")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 5, 10], help="numbers of networks S")
    args = ap.parse_args(argv)
    device = _device(args.results)
    print(f"device: {device.name}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (2-core machine; other jobs slow every wall-clock number)")
    x_tr, y_tr, x_te, y_te = load_mnist(args.samples, args.test, mirror=args.mirror)
    s = tr.TrainSettings(hidden=300, epochs=1, batch_size=100, lr=1.0, w_max=(0.5, 2.5), seed=0)
    # the numba kernels of the device update (analysis.learning.pair_kernels) are compiled on a process's first
    # device update, or loaded from analysis/__pycache__: paid once, outside the timed runs
    t0 = time.perf_counter()
    tr.train_many(x_tr[:200], y_tr[:200], x_te[:100], y_te[:100], [(s, device)], train_accuracy=False)
    print(f"warm-up (numba kernels loaded or compiled, "
          f"one short device-aware run): {time.perf_counter() - t0:.2f} s")
    limit, limit_cpu = gemm_limit()
    print(f"GEMM limit (5 products of a 784-300-10 step, batch 100, {tr.TRAIN_THREADS} threads): "
          f"{limit:9.0f} samples/s wall, {limit_cpu:9.0f} samples per CPU-second")
    print(f"{'S':>3} {'training':>13} {'aggregate/s':>12} {'of GEMM':>8} {'steps/CPU-s':>12} {'of GEMM':>8} {'test acc.':>9}")
    for n_seeds in args.seeds:
        rates, step_rates = {}, {}
        for name, dev in (("float", None), ("device-aware", device)):
            members = [(replace(s, seed=k), dev) for k in range(n_seeds)]
            t0 = time.perf_counter()
            res = tr.train_many(x_tr, y_tr, x_te, y_te, members, train_accuracy=False)
            dt = time.perf_counter() - t0
            # one CPU account per training thread (its members share it)
            groups = {id(r.extras["group_cpu_s"]): r.extras["group_cpu_s"] for r in res}
            step_cpu = sum(g["steps"] for g in groups.values())
            rates[name] = n_seeds * args.samples / dt
            step_rates[name] = n_seeds * args.samples / step_cpu
            acc = np.mean([r.test_accuracy[-1] for r in res])
            print(f"{n_seeds:3d} {name:>13} {rates[name]:12.0f} {rates[name] / limit:8.2f} {step_rates[name]:12.0f} "
                  f"{step_rates[name] / limit_cpu:8.2f} {100 * acc:8.1f}%")
        print(f"{n_seeds:3d} device-aware / float: {rates['device-aware'] / rates['float']:.2f} aggregate, "
              f"{step_rates['device-aware'] / step_rates['float']:.2f} training steps")
    after, after_cpu = gemm_limit()
    print(f"GEMM limit after: {after:9.0f} samples/s wall, {after_cpu:9.0f} per CPU-second; "
          f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
