"""Throughput of float and device-aware training of 784-300-10, and the full 28 × 28 wall time.

Usage::

    PYTHONPATH=. python benchmarks/bench_network.py [--mirror DIR] [--results results]
                                                    [--samples 10000] [--skip-full]

Prints training samples per second (one epoch on ``--samples`` MNIST images, batch 100,
including the per-epoch test evaluation on 2,000 images) for the float baseline and for the
device-aware network, then the wall time of the full Fig. S11c experiment (load MNIST,
float baseline + device run with the full-profile sizes), which must stay ≤ 120 s on the
2-core reference machine.  The device is the n = 3 lookup table from
``{results}/simulate/n3.nc`` when it exists, else a NeuroSim-shaped 20-pulse device with
NL = 1 on both branches (the cost depends on the pulse statistics, hardly on the shape).
"""
from __future__ import annotations

import argparse
import time

from _defaults import notebook_defaults

from analysis import synaptic_weights as sw
from analysis import training as tr
from analysis.datasets import load_mnist
from analysis.io import read_netcdf, simulation_path


def _device(results: str) -> sw.Device:
    path = simulation_path(results, "3")
    if path.is_file():
        g, amp, _ = sw.pd_from_dataset(read_netcdf(path))
        return sw.device_from_pd_curve(g, amp, name=f"lookup table of {path}")
    return sw.neurosim_device(20, 1.0, 1.0, 1e-9, 2e-9, name="synthetic NeuroSim device, 20 pulses, NL 1/1")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", default=None, help="MNIST mirror folder (default: SYNAPSE_DATA_MIRROR / download)")
    ap.add_argument("--results", default="results", help="results folder holding simulate/n3.nc")
    ap.add_argument("--samples", type=int, default=10000, help="training images for the throughput runs")
    ap.add_argument("--skip-full", action="store_true", help="skip the full 28 x 28 experiment")
    args = ap.parse_args(argv)
    device = _device(args.results)
    full = notebook_defaults("figS11_classification")  # = config profiles.full
    print(f"device: {device.name}")
    x_tr, y_tr, x_te, y_te = load_mnist(args.samples, 2000, mirror=args.mirror)
    s = tr.TrainSettings(hidden=300, epochs=1, batch_size=full["mnist_batch_size"], lr=full["mnist_lr"],
                         w_max=(0.5, 2.5), seed=0)
    for name, dev in (("float", None), ("device-aware", device)):
        t0 = time.perf_counter()
        res = tr.train(x_tr, y_tr, x_te, y_te, s, device=dev)
        dt = time.perf_counter() - t0
        print(f"784-300-10 {name:>12}: {args.samples / dt:9.0f} samples/s "
              f"({dt:.2f} s for {args.samples} samples, test accuracy {100 * res.test_accuracy[-1]:.1f} %)")
    if not args.skip_full:
        t0 = time.perf_counter()
        data = load_mnist(full["mnist_train"], full["mnist_test"], mirror=args.mirror)
        s = tr.TrainSettings(hidden=300, epochs=full["mnist_epochs"], batch_size=full["mnist_batch_size"],
                             lr=full["mnist_lr"], seed=0)
        res = tr.run_pair(*data, s, device)
        dt = time.perf_counter() - t0
        print(f"full 28x28 experiment ({full['mnist_train']} train, {full['mnist_epochs']} epochs, "
              f"float + device): {dt:.1f} s wall (budget 120 s); float "
              f"{100 * res['float'].test_accuracy[-1]:.2f} %, device {100 * res['device'].test_accuracy[-1]:.2f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
