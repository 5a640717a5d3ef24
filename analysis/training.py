"""Device-aware training of digit classifiers whose weights are pairs of synaptic devices.

The paper does not state its network or simulator.  **Assumption** (literature.md §5,
[M]): the CrossSim benchmarks that device papers of 2017–2019 reported as "8 × 8" and
"28 × 28" accuracies — a 64-36-10 network on the 8 × 8 UCI digits and 784-300-10 on
MNIST, sigmoid hidden layer, backpropagation, minibatch SGD.  Here the output layer is
a softmax with cross-entropy loss; biases are an extra crossbar row with input 1, so
they are device weights too.

Each weight is a **differential pair** ``W = w_max (G⁺ − G⁻) / (G_max − G_min)``
(``w_max`` is the per-layer weight range: the largest |w| the float baseline reached with the
same settings, :func:`weight_range`; the initial weights are mapped to ``G± = G_mid ± …``).  Weights change only through pulses:
the float update ``ΔW = −lr ∇W`` is converted to a pulse count
``|ΔW| / w_step`` (``w_step = 2 w_max / P_max``, the nominal change of one
push-pull pulse pair) by *stochastic rounding* (unbiased, seeded), capped at
``P_max`` pulses.  A positive update potentiates G⁺ and depresses G⁻ by that many
pulses, a negative one the reverse (push-pull).  The conductance reached after the
pulses comes from a **lookup table** of the device's own branch (as in CrossSim,
ΔG per pulse is a function of G): the present G is located on the branch (a
fractional pulse index), moved by the pulse count, and read back (the part of the
potentiation table below the first measured point is bridged, :func:`analysis.synaptic_weights.device_from_pd_curve`) — so the
nonlinearity, the asymmetry, the finite number of states and the bounds
``[G_min, G_max]`` all act.  Optional cycle-to-cycle noise follows NeuroSim:
``σ = c (G_max − G_min) √n`` for ``n`` pulses.  Initial conductances are set as
analogue values (a write-verify step is assumed) from the same random weights as the
float baseline, which shares the network, the initialisation and the minibatch order.

Everything is numpy (float32 matmuls), vectorised and seeded: two runs with the same
seed give identical accuracies.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np

from .synaptic_weights import Device, neurosim_device

log = logging.getLogger(__name__)


# =========================================================================== network
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
        device runs (:func:`run_pair` takes it from the float baseline, :func:`weight_range`).
    seed : int
        Seed of initialisation, minibatch order and stochastic rounding/noise.
    mapping : str
        How a signed update becomes pulses on the pair (device runs): ``"push-pull"``
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


def _augment(x):
    return np.concatenate([x, np.ones((x.shape[0], 1), dtype=np.float32)], axis=1)


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


def _check_data(x_train, y_train, x_test, y_test):
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


MAPPINGS = ("push-pull", "potentiation-only")
"""Ways a signed weight update is applied to a differential pair (:class:`TrainSettings`)."""

REFRESH_MARGIN = 0.05
"""Potentiation-only mapping: a pair is refreshed when one of its devices is within this
fraction of the conductance range of G_max."""


class _DeviceLayer:
    """Differential conductance pairs of one layer, updated by pulses."""

    def __init__(self, w, w_max, device: Device, rng, mapping: str = "push-pull"):
        self.device, self.w_max, self.rng, self.mapping = device, float(w_max), rng, mapping
        self.span = device.g_max - device.g_min
        mid = 0.5 * (device.g_max + device.g_min)
        d = np.clip(w.astype(float), -self.w_max, self.w_max) * self.span / self.w_max
        # G+ − G− = d, centred; clip keeps both inside the device bounds
        self.gp = np.clip(mid + 0.5 * d, device.g_min, device.g_max).ravel()
        self.gm = np.clip(mid - 0.5 * d, device.g_min, device.g_max).ravel()
        self.shape = w.shape
        self.w_step = 2.0 * self.w_max / device.n_pulses
        self.n_cap = device.n_pulses
        self.pulses = 0
        self.refreshes = 0

    def weights(self):
        return (self.w_max / self.span * (self.gp - self.gm)).reshape(self.shape).astype(np.float32)

    def update(self, dw):
        k = np.abs(dw.ravel()) / np.float32(self.w_step)
        u = self.rng.random(k.size, dtype=np.float32)
        n = np.minimum(np.floor(k + u), self.n_cap)
        idx = np.flatnonzero(n)
        if idx.size == 0:
            return
        n = n[idx].astype(float)
        pos = dw.ravel()[idx] > 0
        dev = self.device
        gp, gm = self.gp[idx], self.gm[idx]
        if self.mapping == "potentiation-only":
            new_p = np.where(pos, dev.potentiate(gp, n), gp)
            new_m = np.where(pos, gm, dev.potentiate(gm, n))
            pulses = n
        else:
            new_p = np.where(pos, dev.potentiate(gp, n), dev.depress(gp, n))
            new_m = np.where(pos, dev.depress(gm, n), dev.potentiate(gm, n))
            pulses = 2 * n
        if dev.noise > 0:
            sig = dev.noise * self.span * np.sqrt(n)
            new_p = new_p + sig * self.rng.standard_normal(idx.size)
            new_m = new_m + sig * self.rng.standard_normal(idx.size)
            new_p = np.clip(new_p, dev.g_min, dev.g_max)
            new_m = np.clip(new_m, dev.g_min, dev.g_max)
        self.gp[idx], self.gm[idx] = new_p, new_m
        self.pulses += int(pulses.sum())
        if self.mapping == "potentiation-only":
            self._refresh()

    def _refresh(self):
        """Rewrite pairs whose device nears G_max, using device pulses only.

        Both devices are depressed through their whole depression table (to its bottom),
        then the larger one is potentiated by the whole number of pulses that best restores
        G⁺ − G⁻.  The weight survives up to the quantisation of one potentiation step.
        """
        dev = self.device
        top = dev.g_max - REFRESH_MARGIN * self.span
        idx = np.flatnonzero((self.gp > top) | (self.gm > top))
        if idx.size == 0:
            return
        d = self.gp[idx] - self.gm[idx]
        full = float(dev.dep_g.size - 1)
        bottom_p = dev.depress(self.gp[idx], full)
        bottom_m = dev.depress(self.gm[idx], full)
        grid = np.arange(dev.pot_g.size, dtype=float)
        start_p = np.interp(bottom_p, dev.pot_g, grid)
        start_m = np.interp(bottom_m, dev.pot_g, grid)
        # pulses on the larger side so that the difference is restored as closely as possible
        target_p = np.where(d > 0, np.interp(bottom_m + d, dev.pot_g, grid) - start_p, 0.0)
        target_m = np.where(d < 0, np.interp(bottom_p - d, dev.pot_g, grid) - start_m, 0.0)
        n_p, n_m = np.rint(np.maximum(target_p, 0)), np.rint(np.maximum(target_m, 0))
        self.gp[idx] = dev.potentiate(bottom_p, n_p)
        self.gm[idx] = dev.potentiate(bottom_m, n_m)
        self.pulses += int(2 * full * idx.size + n_p.sum() + n_m.sum())
        self.refreshes += int(idx.size)


BLAS_THREADS = 1
"""BLAS threads used in training: one thread gives bit-identical results whatever the
machine's core count, and on a shared 2-core machine it is also the fastest (no
barrier stalls between BLAS threads)."""


def train(x_train, y_train, x_test, y_test, settings: TrainSettings, device: Device | None = None,
          label: str = "") -> TrainResult:
    """Train a network (see :func:`_train`), with BLAS limited to :data:`BLAS_THREADS`."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        return _train(x_train, y_train, x_test, y_test, settings, device, label)


def _train(x_train, y_train, x_test, y_test, settings: TrainSettings, device: Device | None = None,
           label: str = "") -> TrainResult:
    """Train an n_in-hidden-10 sigmoid network by minibatch SGD, float or device-aware.

    Parameters
    ----------
    x_train, x_test : numpy.ndarray, float32, 1
        Flattened inputs in [0, 1].
    y_train, y_test : numpy.ndarray, int
        Labels 0…9.
    settings : TrainSettings
        Network width and hyper-parameters.
    device : Device, optional
        If given, every weight is a differential pair of this device, updated by
        pulses (module doc); otherwise plain float32 SGD (the baseline).
    label : str
        Name of the run.

    Returns
    -------
    TrainResult
    """
    _check_data(x_train, y_train, x_test, y_test)
    t0 = time.perf_counter()
    x_train = np.ascontiguousarray(x_train, dtype=np.float32)
    x_test = np.ascontiguousarray(x_test, dtype=np.float32)
    n_out = int(max(y_train.max(), y_test.max())) + 1
    w1, w2 = init_weights(x_train.shape[1], settings.hidden, n_out, settings.seed)
    order_rng = np.random.default_rng(np.random.SeedSequence([settings.seed, 2]))
    dev_rng = np.random.default_rng(np.random.SeedSequence([settings.seed, 3]))
    layers = None
    if device is not None:
        if settings.w_max is None:
            msg = "settings.w_max=None: a device run needs the weight range of each layer (see weight_range)"
            raise ValueError(msg)
        layers = [_DeviceLayer(w, wm, device, dev_rng, settings.mapping)
                  for w, wm in zip((w1, w2), settings.w_max)]
        w1, w2 = layers[0].weights(), layers[1].weights()
    onehot = np.eye(n_out, dtype=np.float32)
    xa_all = _augment(x_train)
    acc = [accuracy(x_test, y_test, (w1, w2))]
    lr = np.float32(settings.lr)
    n = x_train.shape[0]
    for epoch in range(settings.epochs):
        perm = order_rng.permutation(n)
        for start in range(0, n, settings.batch_size):
            b = perm[start:start + settings.batch_size]
            xa = xa_all[b]
            h, ha, z = _forward(xa, w1, w2)
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            dz = (p - onehot[y_train[b]]) / np.float32(b.size)
            g2 = ha.T @ dz
            dh = (dz @ w2[:-1].T) * h * (np.float32(1.0) - h)
            g1 = xa.T @ dh
            if layers is None:
                w1 -= lr * g1
                w2 -= lr * g2
            else:
                layers[0].update(-lr * g1)
                layers[1].update(-lr * g2)
                w1, w2 = layers[0].weights(), layers[1].weights()
        acc.append(accuracy(x_test, y_test, (w1, w2)))
        log.info("%s epoch %d: test accuracy %.4f", label or "run", epoch + 1, acc[-1])
    train_acc = accuracy(x_train, y_train, (w1, w2))
    pulses = sum(layer.pulses for layer in layers) if layers else 0
    return TrainResult(test_accuracy=acc, train_accuracy=train_acc, weights=[w1, w2],
                       pulses=pulses, seconds=time.perf_counter() - t0, label=label)


# =========================================================================== experiments
NETWORKS = {"8x8": {"hidden": 36}, "28x28": {"hidden": 300}}
"""Assumed CrossSim benchmark networks: 64-36-10 and 784-300-10 (literature.md §5, [M])."""


def weight_range(weights, step: float = 0.1) -> tuple:
    """Per-layer weight range ``w_max``: the largest |w| of *weights*, rounded up to *step*.

    This is the rule used to map a network onto devices: the conductance window
    spans exactly the weights the float network needed (no clipping for an ideal
    device, no unused range).
    """
    return tuple(round(float(np.ceil(np.max(np.abs(w)) / step) * step), 6) for w in weights)


def run_pair(x_train, y_train, x_test, y_test, settings: TrainSettings, device: Device,
             label: str = "", alt_mapping: str | None = None) -> dict:
    """Float baseline, then the device-aware run with ``w_max`` from the baseline.

    With *alt_mapping* (one of :data:`MAPPINGS`), the same device is also trained with that
    weight mapping instead of ``settings.mapping``.

    Returns
    -------
    dict
        ``float`` and ``device`` (:class:`TrainResult`), ``w_max`` (tuple, 1) and, with
        *alt_mapping*, ``device_alt`` (:class:`TrainResult`).
    """
    flt = train(x_train, y_train, x_test, y_test, settings, label=f"{label} float")
    w_max = weight_range(flt.weights)
    dev = train(x_train, y_train, x_test, y_test, replace(settings, w_max=w_max), device=device,
                label=f"{label} device")
    out = {"float": flt, "device": dev, "w_max": w_max}
    if alt_mapping is not None:
        out["device_alt"] = train(x_train, y_train, x_test, y_test,
                                  replace(settings, w_max=w_max, mapping=alt_mapping), device=device,
                                  label=f"{label} device, {alt_mapping}")
    return out


def sensitivity_devices(reference: Device, nl_potentiation: float, nl_depression: float,
                        states=(10, 20, 50, 200, 1000), nls=(1.0, 3.0, 5.0),
                        noises=(0.005, 0.02, 0.05), alternatives=(),
                        mappings=("potentiation-only",)) -> list[dict]:
    """The devices of the sensitivity table.

    Parameters
    ----------
    reference : Device
        The measured (lookup-table) device.
    nl_potentiation, nl_depression : float, 1
        Its fitted nonlinearity labels.
    states, nls, noises : sequences
        Pulse counts (linear, noise-free), symmetric NL labels (at the pulse count of
        the measured depression branch, 20 in Fig. S11a) and cycle-to-cycle σ (linear,
        same pulse count) to scan.
    alternatives : sequence of (str, Device)
        Further variants of the measured device (e.g. another bridge of the unmeasured
        part of the table), listed with factor ``"measured"``.
    mappings : sequence of str
        Other weight mappings (:data:`MAPPINGS`) tried with the measured device, listed with
        factor ``"mapping"``; such rows carry ``overrides = {"mapping": …}``.

    Returns
    -------
    list of dict
        ``factor`` (``measured``/``mapping``/``states``/``nonlinearity``/``noise``), ``setting`` (str),
        ``pulses``, ``nl_potentiation``, ``nl_depression``, ``noise`` and ``device``.
        The ``nonlinearity`` rows include the fitted NLs at 1000 pulses, which isolate
        the nonlinearity from the finite number of states.
    """
    p = int(reference.dep_g.size - 1)  # pulses of one measured branch (20 in Fig. S11a)
    g0, g1 = reference.g_min, reference.g_max

    def row(factor, setting, pulses, nlp, nld, c, dev):
        return {"factor": factor, "setting": setting, "pulses": int(pulses), "nl_potentiation": float(nlp),
                "nl_depression": float(nld), "noise": float(c), "device": dev}

    rows = [row("measured", f"device lookup table ({reference.name})", reference.n_pulses,
                nl_potentiation, nl_depression,
                reference.noise, reference)]
    rows += [row("measured", setting, dev.n_pulses, nl_potentiation, nl_depression, dev.noise, dev)
             for setting, dev in alternatives]
    for mapping in mappings:
        r = row("mapping", f"device lookup table ({reference.name}), {mapping} pairs",
                reference.n_pulses, nl_potentiation, nl_depression, reference.noise, reference)
        r["overrides"] = {"mapping": mapping}
        rows.append(r)
    rows.append(row("nonlinearity", f"fitted NL {nl_potentiation:.2f}/{nl_depression:.2f}, {p} pulses",
                    p, nl_potentiation, nl_depression, 0.0,
                    neurosim_device(p, nl_potentiation, nl_depression, g0, g1)))
    rows.append(row("nonlinearity", f"fitted NL {nl_potentiation:.2f}/{nl_depression:.2f}, 1000 pulses",
                    1000, nl_potentiation, nl_depression, 0.0,
                    neurosim_device(1000, nl_potentiation, nl_depression, g0, g1)))
    rows += [row("nonlinearity", f"NL {nl:g}/{nl:g}, {p} pulses", p, nl, nl, 0.0,
                 neurosim_device(p, nl, nl, g0, g1)) for nl in nls]
    rows += [row("states", f"linear, {s} pulses", s, 0.0, 0.0, 0.0, neurosim_device(s, 0, 0, g0, g1))
             for s in states]
    rows += [row("noise", f"linear, {p} pulses, sigma {c:g}", p, 0.0, 0.0, c,
                  neurosim_device(p, 0, 0, g0, g1, noise=c)) for c in noises]
    return rows


def run_sensitivity(data: dict, settings: dict, rows: list[dict]) -> list[dict]:
    """Accuracy of every device of *rows* on every data set.

    Parameters
    ----------
    data : dict
        ``name -> (x_train, y_train, x_test, y_test)``.
    settings : dict
        ``name -> TrainSettings``; ``w_max`` None is filled from the float baseline.
    rows : list of dict
        From :func:`sensitivity_devices`.

    Returns
    -------
    list of dict
        One record per (data set, device): the row's fields without the device, plus
        ``dataset``, ``accuracy`` (final test accuracy, 1), ``float_accuracy`` (1) and
        ``gap_pp`` (float − device, percentage points).
    """
    out = []
    for name, arrays in data.items():
        s = settings[name]
        flt = train(*arrays, s, label=f"{name} float")
        s_dev = replace(s, w_max=weight_range(flt.weights))
        f_acc = flt.test_accuracy[-1]
        for r in rows:
            res = train(*arrays, replace(s_dev, **r.get("overrides", {})), device=r["device"],
                        label=f"{name} {r['setting']}")
            rec = {k: v for k, v in r.items() if k not in ("device", "overrides")}
            rec.update(dataset=name, accuracy=res.test_accuracy[-1], float_accuracy=f_acc,
                       gap_pp=100.0 * (f_acc - res.test_accuracy[-1]))
            out.append(rec)
    return out


SENSITIVITY_COLUMNS = ("dataset", "factor", "setting", "pulses", "nl_potentiation", "nl_depression",
                       "noise", "accuracy", "float_accuracy", "gap_pp")


def sensitivity_csv(records: list[dict]) -> str:
    """The sensitivity records as CSV text (columns :data:`SENSITIVITY_COLUMNS`)."""
    import csv
    import io
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SENSITIVITY_COLUMNS)
    for rec in records:
        writer.writerow([f"{rec[c]:.6g}" if isinstance(rec[c], float) else rec[c]
                         for c in SENSITIVITY_COLUMNS])
    return buf.getvalue()
