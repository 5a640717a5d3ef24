"""Digit classifiers whose weights are pairs of synaptic devices: the network and its training loop.

The paper does not state its network or simulator.  **Assumption** (literature.md §5,
[M]): the CrossSim benchmarks that device papers of 2017–2019 reported as "8 × 8" and
"28 × 28" accuracies — a 64-36-10 network on the 8 × 8 UCI digits and 784-300-10 on
MNIST (:data:`NETWORKS`), sigmoid hidden layer, backpropagation, minibatch SGD.  Here the
output layer is a softmax with cross-entropy loss; biases are an extra crossbar row with
input 1, so they are device weights too.

Each weight is a **differential pair** ``W = w_max (G⁺ − G⁻) / (G_max − G_min)`` of
:class:`~analysis.learning.lookup_device.LookupDevice` (``w_max`` is the per-layer weight
range: the largest |w| the float baseline reached with the same settings,
:func:`weight_range`).  Weights change only through pulses: the float update ``ΔW = −lr ∇W``
of each step is applied to the pairs by :mod:`analysis.learning.differential_pairs` (pulse
counts by stochastic rounding, the device's lookup tables, cycle-to-cycle noise, the volatile
part between updates; the mappings of :data:`MAPPINGS`).  Initial conductances are set as
analogue values (a write-verify step is assumed) from the same random weights as the float
baseline, which shares the network, the initialisation and the minibatch order: without a
device the same loop is plain float32 SGD.  The weight rows of inputs that are zero in the
whole minibatch are skipped (their gradient is exactly zero).

Many networks at once
---------------------
:func:`train_many` trains networks of one shape together: stacked weights, batched matrix
products over a leading network axis, the device layers of networks that share a device and
a mapping updated in one pass, the networks split over :data:`TRAIN_THREADS` threads.  Each
network's arithmetic is the one it performs alone, so it gives the same bytes as
:func:`train` with its seed.

The experiments built on this loop (float baselines and device networks over seeds, the
sensitivity table) are :mod:`analysis.learning.experiments`; NeuroSim's own network and
device model, for comparison with NeuroSim-based papers, are :mod:`analysis.learning.neurosim`.

Everything is numpy (float32 matmuls), vectorised and seeded: two runs with the same
seed give identical accuracies.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from analysis.learning.differential_pairs import MAPPINGS, PairGroup
from analysis.learning.lookup_device import LookupDevice

log = logging.getLogger(__name__)

NETWORKS = {"8x8": {"hidden": 36}, "28x28": {"hidden": 300}}
"""Assumed CrossSim benchmark networks: 64-36-10 and 784-300-10 (literature.md §5, [M])."""


@dataclass
class TrainSettings:
    """Hyper-parameters of one training run.

    Attributes
    ----------
    hidden : int
        Hidden-layer width (36 for 8 × 8, 300 for 28 × 28).
    epochs : int
        Passes over the training set.
    batch_size : int
        Minibatch size.
    lr : float, 1
        SGD learning rate.
    w_max : tuple of float or None, 1
        Weight range of each layer (device weights lie in ±w_max); needed by
        device runs (:func:`analysis.learning.experiments.run_seeds` takes it from the float
        baseline, :func:`weight_range`).
    seed : int
        Seed of initialisation, minibatch order and stochastic rounding/noise.
    mapping : str
        How a signed update becomes pulses on the pair (device runs; :data:`MAPPINGS`, imported
        from :mod:`analysis.learning.differential_pairs`, which applies them): ``"push-pull"``
        (default; potentiate one device and depress the other) or ``"potentiation-only"``
        (potentiate G⁺ to increase and G⁻ to decrease the weight, never using the depression
        branch for learning; a pair whose device nears G_max is *refreshed*: both devices are
        depressed to the bottom of their range and the weight is rewritten with potentiation
        pulses — the scheme of Burr et al., IEEE TED 2015, for devices with an abrupt branch).
    """

    hidden: int
    epochs: int
    batch_size: int
    lr: float
    w_max: tuple | None = None
    seed: int = 0
    mapping: str = "push-pull"

    def __post_init__(self):
        for name in ("hidden", "epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < 1:
                msg = f"{name}={value!r} must be an integer ≥ 1"
                raise ValueError(msg)
        if not self.lr > 0:
            msg = f"lr={self.lr!r} must be > 0 (learning rate)"
            raise ValueError(msg)
        if self.w_max is not None and (len(self.w_max) != 2 or not all(w > 0 for w in self.w_max)):
            msg = f"w_max={self.w_max!r} must be two positive weight ranges (one per layer)"
            raise ValueError(msg)
        if self.mapping not in MAPPINGS:
            msg = f"mapping={self.mapping!r} must be one of {', '.join(MAPPINGS)}"
            raise ValueError(msg)


@dataclass
class TrainResult:
    """Outcome of one training run.

    Attributes
    ----------
    test_accuracy : list of float, 1
        Test accuracy before training (index 0) and after each epoch.
    train_accuracy : float, 1
        Final training-set accuracy.
    weights : list of numpy.ndarray
        Final weight matrices (bias in the last row).
    pulses : int
        Total pulses applied (device runs; 0 for float).
    seconds : float, s
        Wall time of the run (diagnostic only; not used in any result).
    """

    test_accuracy: list
    train_accuracy: float
    weights: list
    pulses: int = 0
    seconds: float = 0.0
    label: str = ""
    extras: dict = field(default_factory=dict)


def _sigmoid(z):
    return np.float32(0.5) * (np.tanh(np.float32(0.5) * z) + np.float32(1.0))


def _sigmoid_(z):
    """:func:`_sigmoid` in place (the same float32 operations in the same order)."""
    z *= np.float32(0.5)
    np.tanh(z, out=z)
    z += np.float32(1.0)
    z *= np.float32(0.5)
    return z


class _StepBuffers:
    """Preallocated float32 arrays of one training step of *members* networks."""

    def __init__(self, members, batch, n_in, hidden, n_out, full_gradient: bool = True):
        self.ha = np.empty((members, batch, hidden + 1), dtype=np.float32)
        self.ha[..., -1] = 1.0                                # the bias input of the second layer
        self.h = self.ha[..., :-1]
        self.z = np.empty((members, batch, n_out), dtype=np.float32)
        self.g2 = np.empty((members, hidden + 1, n_out), dtype=np.float32)
        self.dh = np.empty((members, batch, hidden), dtype=np.float32)
        self.tmp = np.empty((members, batch, hidden), dtype=np.float32)
        # the first layer's gradient of every row (networks that skip inactive rows make their own)
        self.g1 = np.empty((members, n_in + 1, hidden), dtype=np.float32) if full_gradient else None


def _augment(x):
    return np.concatenate([x, np.ones(x.shape[:-1] + (1,), dtype=np.float32)], axis=-1)


def _forward(xa, w1, w2):
    h = _sigmoid(xa @ w1)
    ha = _augment(h)
    return h, ha, ha @ w2


def accuracy(x, y, weights, batch: int = 4096) -> float:
    """Classification accuracy (fraction) of the network *weights* on (x, y)."""
    correct = 0
    for i in range(0, x.shape[0], batch):
        _, _, z = _forward(_augment(x[i:i + batch]), *weights)
        correct += int(np.sum(np.argmax(z, axis=1) == y[i:i + batch]))
    return correct / x.shape[0]


def check_data(x_train, y_train, x_test, y_test):
    """Raise ValueError unless the inputs are (samples, features) arrays with labels of matching
    length and the same number of features in training and test set."""
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 2 or y.shape != (x.shape[0],):
            msg = f"x_{name} must be (samples, features) with y_{name} of matching length; got {x.shape}, {y.shape}"
            raise ValueError(msg)
    if x_train.shape[1] != x_test.shape[1]:
        msg = f"x_train has {x_train.shape[1]} features but x_test has {x_test.shape[1]}"
        raise ValueError(msg)


def init_weights(n_in: int, hidden: int, n_out: int, seed: int):
    """Xavier-uniform weights (bias rows zero) for n_in-hidden-n_out, float32."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    out = []
    for fan_in, fan_out in ((n_in, hidden), (hidden, n_out)):
        r = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-r, r, size=(fan_in + 1, fan_out)).astype(np.float32)
        w[-1] = 0.0
        out.append(w)
    return out


def weight_range(weights, step: float = 0.1) -> tuple:
    """Per-layer weight range ``w_max``: the largest |w| of *weights*, rounded up to *step*.

    This is the rule used to map a network onto devices: the conductance window
    spans exactly the weights the float network needed (no clipping for an ideal
    device, no unused range).
    """
    return tuple(round(float(np.ceil(np.max(np.abs(w)) / step) * step), 6) for w in weights)


SKIP_ROWS_MIN_INPUTS = 256
"""Networks with at least this many inputs skip the weight rows of inputs that are zero in
the whole minibatch (MNIST: a third of the rows); smaller ones update all rows in one
stacked pass, which costs less than gathering rows.  Either way the result is the same
for a network trained alone or with others."""

BLAS_THREADS = 1
"""BLAS threads per training thread: one thread gives bit-identical results whatever the
machine's core count (parallelism comes from training several networks at once on
:data:`TRAIN_THREADS` threads instead)."""

TRAIN_THREADS = 2
"""Python threads that share the networks of :func:`train_many` (numpy and BLAS release
the GIL); each network's arithmetic is the same on any thread, so results do not depend
on it."""


def train(x_train, y_train, x_test, y_test, settings: TrainSettings, device: LookupDevice | None = None,
          label: str = "") -> TrainResult:
    """Train one network (float or device-aware); :func:`train_many` with one member.

    Parameters
    ----------
    x_train, x_test : numpy.ndarray, float32, 1
        Flattened inputs in [0, 1].
    y_train, y_test : numpy.ndarray, int
        Labels 0…9.
    settings : TrainSettings
        Network width and hyper-parameters.
    device : LookupDevice, optional
        If given, every weight is a differential pair of this device, updated by
        pulses (module doc); otherwise plain float32 SGD (the baseline).
    label : str
        Name of the run.

    Returns
    -------
    TrainResult
    """
    return train_many(x_train, y_train, x_test, y_test, [(settings, device)], labels=[label])[0]


def train_many(x_train, y_train, x_test, y_test, members, labels=None,
               threads: int | None = None, train_accuracy: bool = True) -> list[TrainResult]:
    """Train several networks of the same shape at once (stacked weights, batched matmuls).

    Each member is trained exactly as :func:`train` trains it alone: its own
    initialisation, minibatch order and device random stream come from its seed, and every
    operation on its weights is the one a single run performs, so the results are the same
    bytes (``tests/test_training.py`` checks this).  The members share the data, the
    network shape and the loop; their forward and backward passes are batched matrix
    products over a leading member axis, and they are split over *threads* threads.

    Parameters
    ----------
    x_train, y_train, x_test, y_test : numpy.ndarray
        As for :func:`train`.
    members : sequence of (TrainSettings, LookupDevice or None)
        One entry per network.  ``hidden``, ``epochs`` and ``batch_size`` must agree
        (they fix the shapes); ``lr``, ``w_max``, ``seed``, ``mapping`` and the device may
        differ (float and device members can be mixed).
    labels : sequence of str, optional
        Names of the runs.
    threads : int, optional
        Training threads (default :data:`TRAIN_THREADS`, at most one per member).
    train_accuracy : bool
        Evaluate the final weights on the whole training set (``TrainResult.train_accuracy``;
        ``nan`` if False, which saves one forward pass over the training set per network).

    Returns
    -------
    list of TrainResult
        In the order of *members*.  ``extras`` holds the CPU time of the thread that trained
        the member's group (``group_cpu_s``: ``steps`` = training steps, ``evaluation`` =
        accuracies) and the group's size (``group_members``), for benchmarks.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    members = [(s, d) for s, d in members]
    if not members:
        msg = "members is empty; expected at least one (TrainSettings, LookupDevice or None)"
        raise ValueError(msg)
    first = members[0][0]
    for i, (s, d) in enumerate(members):
        for name in ("hidden", "epochs", "batch_size"):
            if getattr(s, name) != getattr(first, name):
                msg = (f"members[{i}].{name}={getattr(s, name)!r} differs from members[0].{name}="
                       f"{getattr(first, name)!r}; networks trained together must share their shapes")
                raise ValueError(msg)
        if d is not None and s.w_max is None:
            msg = (f"members[{i}]: settings.w_max=None: a device run needs the weight range of each "
                   "layer (see weight_range)")
            raise ValueError(msg)
    labels = list(labels) if labels is not None else [""] * len(members)
    if len(labels) != len(members):
        msg = f"labels has {len(labels)} entries for {len(members)} members"
        raise ValueError(msg)
    check_data(x_train, y_train, x_test, y_test)
    x_train = np.ascontiguousarray(x_train, dtype=np.float32)
    x_test = np.ascontiguousarray(x_test, dtype=np.float32)
    n_threads = max(1, min(int(threads or TRAIN_THREADS), len(members)))
    chunks = [list(range(len(members)))[i::n_threads] for i in range(n_threads)]
    xa_all = _augment(x_train)
    # which inputs of each sample are non-zero, as bits: the active rows of a minibatch are an OR
    data = (x_train, np.asarray(y_train), x_test, np.asarray(y_test), xa_all, np.packbits(xa_all != 0, axis=1))
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        if n_threads == 1:
            parts = [_train_group(data, [members[i] for i in chunks[0]], [labels[i] for i in chunks[0]],
                                  train_accuracy)]
        else:
            with ThreadPoolExecutor(n_threads) as pool:
                futures = [pool.submit(_train_group, data, [members[i] for i in c], [labels[i] for i in c],
                                       train_accuracy) for c in chunks]
                parts = [f.result() for f in futures]
    out = [None] * len(members)
    for chunk, results in zip(chunks, parts):
        for i, r in zip(chunk, results):
            out[i] = r
    return out


def _row_gradient(xa, rows, dh, m):
    """First-layer gradient of member *m*'s active weight rows (``rows[m]``)."""
    return xa[m][:, rows[m]].T @ dh[m]


class _RowGradients:
    """The first-layer gradients of members *ms*, each computed when it is read (``[i]``: ``ms[i]``)."""

    def __init__(self, xa, rows, dh, ms):
        self.xa, self.rows, self.dh, self.ms = xa, rows, dh, ms

    def __len__(self):
        return len(self.ms)

    def __getitem__(self, i):
        return _row_gradient(self.xa, self.rows, self.dh, self.ms[i])


def _train_group(data, members, labels, train_accuracy: bool = True) -> list[TrainResult]:
    """Train *members* together on one thread (see :func:`train_many`)."""
    x_train, y_train, x_test, y_test, xa_all, nonzero_bits = data
    t0 = time.perf_counter()
    cpu = {"steps": 0.0, "evaluation": 0.0}
    first = members[0][0]
    n_members, n_in, hidden = len(members), x_train.shape[1], first.hidden
    n_out = int(max(y_train.max(), y_test.max())) + 1
    w1 = np.empty((n_members, n_in + 1, hidden), dtype=np.float32)
    w2 = np.empty((n_members, hidden + 1, n_out), dtype=np.float32)
    order_rngs, dev_rngs, inits = [], [], []
    for s, _ in members:
        inits.append(init_weights(n_in, hidden, n_out, s.seed))
        order_rngs.append(np.random.default_rng(np.random.SeedSequence([s.seed, 2])))
        dev_rngs.append(np.random.default_rng(np.random.SeedSequence([s.seed, 3])))
    floats = [m for m, (_, d) in enumerate(members) if d is None]
    for m in floats:
        w1[m], w2[m] = inits[m]
    groups = {}                       # members sharing a device and a mapping: one pass
    for m, (s, d) in enumerate(members):
        if d is not None:
            groups.setdefault((id(d), s.mapping), []).append(m)
    layers = []                       # (member indices, layer-1 group, layer-2 group)
    for (_, mapping), ms in groups.items():
        device = members[ms[0]][1]
        layers.append((ms, *[PairGroup([inits[m][i] for m in ms], [members[m][0].w_max[i] for m in ms],
                                          device, [dev_rngs[m] for m in ms], mapping,
                                          stack=(w1, w2)[i], index=ms) for i in (0, 1)]))
    lrs = [np.float32(s.lr) for s, _ in members]
    onehot = np.eye(n_out, dtype=np.float32)
    c0 = time.thread_time()
    acc = [[accuracy(x_test, y_test, (w1[m], w2[m]))] for m in range(n_members)]
    cpu["evaluation"] += time.thread_time() - c0
    n, bsz = x_train.shape[0], first.batch_size
    skip_rows = n_in >= SKIP_ROWS_MIN_INPUTS
    buffers = {}
    for epoch in range(first.epochs):
        c0 = time.thread_time()
        perms = np.stack([rng.permutation(n) for rng in order_rngs])
        for start in range(0, n, bsz):
            b = perms[:, start:start + bsz]
            if b.shape[1] not in buffers:
                buffers[b.shape[1]] = _StepBuffers(n_members, b.shape[1], n_in, hidden, n_out, not skip_rows)
            buf = buffers[b.shape[1]]
            xa = xa_all[b]                                    # (members, batch, n_in + 1)
            h, ha = buf.h, buf.ha
            np.matmul(xa, w1, out=h)                          # forward, written into ha[..., :-1]
            _sigmoid_(h)
            z = np.matmul(ha, w2, out=buf.z)
            z -= z.max(axis=-1, keepdims=True)
            p = np.exp(z, out=z)
            p /= p.sum(axis=-1, keepdims=True)
            p -= onehot[y_train[b]]
            dz = p
            dz /= np.float32(b.shape[1])
            g2 = np.matmul(ha.transpose(0, 2, 1), dz, out=buf.g2)
            dh = np.matmul(dz, w2[:, :-1].transpose(0, 2, 1), out=buf.dh)
            dh *= h
            dh *= np.subtract(np.float32(1.0), h, out=buf.tmp)
            if skip_rows:
                # rows of inputs that are 0 in the whole minibatch have a zero gradient: skipped
                active = np.bitwise_or.reduce(nonzero_bits[b], axis=1)
                active = np.unpackbits(active, axis=1, count=n_in + 1).view(bool)
                rows = [np.flatnonzero(active[m]) for m in range(n_members)]
                for m in floats:
                    w1[m][rows[m]] -= lrs[m] * _row_gradient(xa, rows, dh, m)
            else:
                g1 = np.matmul(xa.transpose(0, 2, 1), dh, out=buf.g1)
                for m in floats:
                    w1[m] -= lrs[m] * g1[m]
            for m in floats:
                w2[m] -= lrs[m] * g2[m]
            for ms, layer1, layer2 in layers:
                scales = [-float(lrs[m]) for m in ms]
                if skip_rows:
                    # each member's gradient is computed when its update reads it (still in cache)
                    layer1.update(_RowGradients(xa, rows, dh, ms), scales, [rows[m] for m in ms])
                else:
                    layer1.update(g1[ms], scales)
                layer2.update(g2[ms], scales)
        c1 = time.thread_time()
        cpu["steps"] += c1 - c0
        for m in range(n_members):
            acc[m].append(accuracy(x_test, y_test, (w1[m], w2[m])))
            log.debug("%s epoch %d: test accuracy %.4f", labels[m] or "run", epoch + 1, acc[m][-1])
        log.info("%s: epoch %d/%d of %d network(s), mean test accuracy %.1f %%", labels[0] or "run",
                 epoch + 1, first.epochs, n_members, 100 * float(np.mean([a[-1] for a in acc])))
        cpu["evaluation"] += time.thread_time() - c1
    c0 = time.thread_time()
    weights = [[w1[m].copy(), w2[m].copy()] for m in range(n_members)]
    train_acc = [accuracy(x_train, y_train, w) if train_accuracy else float("nan") for w in weights]
    cpu["evaluation"] += time.thread_time() - c0
    seconds = time.perf_counter() - t0
    out = []
    for m in range(n_members):
        pulses = sum(int(l1.pulses_m[ms.index(m)] + l2.pulses_m[ms.index(m)])
                     for ms, l1, l2 in layers if m in ms)
        out.append(TrainResult(test_accuracy=acc[m], train_accuracy=train_acc[m], weights=weights[m], pulses=pulses,
                               seconds=seconds, label=labels[m],
                               extras={"group_cpu_s": cpu, "group_members": n_members}))
    return out
