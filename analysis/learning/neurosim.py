"""NeuroSim-compatible mode: MLP+NeuroSim V3.0's own network, training and device model.

:func:`train_neurosim` follows MLP+NeuroSim V3.0 (:class:`NeuroSimSettings`: 400-100-10
network, online SGD on randomly drawn images; :class:`NeuroSimDevice`: one device per weight,
NeuroSim's ``RealDevice`` write; each choice and its source line in
``data/parameters/learning.yaml``) so that accuracies can be set beside NeuroSim-based papers.
It is separate from the compendium's own device-aware training (:mod:`analysis.learning.training`,
lookup-table devices in differential pairs).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from analysis.learning.training import TrainResult, check_data

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NeuroSimDevice:
    """The weight-update model of MLP+NeuroSim V3.0's ``RealDevice`` (``Cell.cpp``).

    One device per weight, read against a mid-range reference:
    ``W = 2 (G − G_min)/(G_max − G_min) − 1``.  A weight change ΔW is normalised by the
    weight range (2), rounded to the nearest whole number of pulses of the branch's
    ``levels`` (``truncate`` with threshold 0.5: changes below half a pulse are lost) and
    applied along ``G(x) = B (1 − e^(−x/A)) + G_min`` from the device's present pulse
    position (potentiation for ΔW > 0 with ``A_LTP``, depression for ΔW < 0 with
    ``A_LTD < 0``), plus cycle-to-cycle noise ``N(0, σ (G_max − G_min)) · √|pulses|`` and
    clipping to ``[G_min, G_max]``.

    Attributes
    ----------
    a_over_levels_ltp, a_over_levels_ltd : float, 1
        ``A / levels`` of each branch (NeuroSim's ``getParamA`` table: 0.499181 for NL 2.4,
        −0.200303 for NL −4.88); ``None`` for a linear branch.
    levels_ltp, levels_ltd : int, pulse
        ``maxNumLevelLTP`` / ``maxNumLevelLTD`` (97 / 100).
    c2c : float, 1
        Cycle-to-cycle σ as a fraction of the range (0.035).
    g_min, g_max : float, S
        Conductance bounds (3.0769e-9, 3.8462e-8 S).
    name : str
    """

    a_over_levels_ltp: float | None = 0.499181
    a_over_levels_ltd: float | None = -0.200303
    levels_ltp: int = 97
    levels_ltd: int = 100
    c2c: float = 0.035
    g_min: float = 3.0769e-9
    g_max: float = 3.8462e-8
    name: str = "NeuroSim default (NL 2.4/−4.88, 97/100 levels, σ 0.035)"

    def __post_init__(self):
        for attr in ("levels_ltp", "levels_ltd"):
            v = getattr(self, attr)
            if isinstance(v, bool) or int(v) != v or v < 1:
                msg = f"{attr}={v!r} must be an integer ≥ 1 (pulses across the conductance range)"
                raise ValueError(msg)
        if not self.c2c >= 0:
            msg = f"c2c={self.c2c!r} must be ≥ 0 (cycle-to-cycle σ, fraction of the range)"
            raise ValueError(msg)
        if not 0 <= self.g_min < self.g_max:
            msg = f"g_min={self.g_min!r}, g_max={self.g_max!r} must satisfy 0 ≤ g_min < g_max (S)"
            raise ValueError(msg)
        if self.a_over_levels_ltp is not None and not self.a_over_levels_ltp > 0:
            msg = f"a_over_levels_ltp={self.a_over_levels_ltp!r} must be > 0 (saturating potentiation) or None"
            raise ValueError(msg)
        if self.a_over_levels_ltd is not None and not self.a_over_levels_ltd < 0:
            msg = f"a_over_levels_ltd={self.a_over_levels_ltd!r} must be < 0 (NeuroSim's LTD sign) or None"
            raise ValueError(msg)

    def write(self, g, dw, rng):
        """Conductances [S] after the weight changes *dw* (NeuroSim ``RealDevice::Write``).

        Returns ``(g_new, pulses)`` with the signed whole pulse counts.
        """
        span = self.g_max - self.g_min
        dwn = np.asarray(dw, dtype=float) / 2.0          # (maxWeight − minWeight) = 2
        ltp = dwn > 0
        levels = np.where(ltp, self.levels_ltp, self.levels_ltd)
        pulses = np.sign(dwn) * np.floor(np.abs(dwn) * levels + 0.5)
        g_new = np.array(g, dtype=float, copy=True)
        for mask, a_rel, lv in ((ltp & (pulses != 0), self.a_over_levels_ltp, self.levels_ltp),
                                (~ltp & (pulses != 0), self.a_over_levels_ltd, self.levels_ltd)):
            if not mask.any():
                continue
            gm, n = g[mask], pulses[mask]
            if a_rel is None:
                x = (gm - self.g_min) / span * lv
                g_new[mask] = (x + n) / lv * span + self.g_min
            else:
                a = a_rel * lv
                b = span / (1.0 - np.exp(-lv / a))
                x = -a * np.log(1.0 - (gm - self.g_min) / b)
                g_new[mask] = b * (1.0 - np.exp(-(x + n) / a)) + self.g_min
        moved = pulses != 0
        if self.c2c > 0 and moved.any():
            g_new[moved] += rng.standard_normal(int(moved.sum())) * (self.c2c * span) * np.sqrt(np.abs(pulses[moved]))
        return np.clip(g_new, self.g_min, self.g_max), pulses

    def weights(self, g):
        """Weights read against the mid-range reference, in [−1, 1]."""
        return 2.0 * (g - self.g_min) / (self.g_max - self.g_min) - 1.0

    def initial_conductance(self, w):
        """Conductance of the initial weights, as ``Array::WriteCell`` writes them (ideal write).

        NeuroSim V3.0 computes ``(w + 1)/2 · (G_max − G_min)`` here, without adding G_min,
        then clips to ``[G_min, G_max]``; followed as written so that this mode starts where
        NeuroSim starts.
        """
        return np.clip((np.asarray(w, dtype=float) + 1.0) / 2.0 * (self.g_max - self.g_min),
                       self.g_min, self.g_max)


NEUROSIM_IDEAL = NeuroSimDevice(a_over_levels_ltp=None, a_over_levels_ltd=None, c2c=0.0,
                                name="ideal (linear, 97/100 levels, no noise)")
"""NeuroSim's device with ``nonlinearWrite = false`` and no cycle-to-cycle noise."""


@dataclass(frozen=True)
class NeuroSimSettings:
    """Training of MLP+NeuroSim V3.0 (``Param.cpp``, ``Train.cpp``).

    Attributes
    ----------
    hidden : int
        ``nHide`` (100).
    epochs : int
        Epochs (NeuroSim's default ``totalNumEpochs`` is 125).
    images_per_epoch : int
        ``numTrainImagesPerEpoch`` (8,000), each drawn at random with replacement
        (``rand() % numMnistTrainImages``).
    alpha1, alpha2 : float, 1
        Learning rates of the two layers (0.4, 0.2).
    seed : int
        Seed of the initial weights, the image draws and the cycle-to-cycle noise.
    """

    hidden: int = 100
    epochs: int = 125
    images_per_epoch: int = 8000
    alpha1: float = 0.4
    alpha2: float = 0.2
    seed: int = 0

    def __post_init__(self):
        for name in ("hidden", "epochs", "images_per_epoch"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or value < 1:
                msg = f"{name}={value!r} must be an integer ≥ 1"
                raise ValueError(msg)
        for name in ("alpha1", "alpha2"):
            if not getattr(self, name) > 0:
                msg = f"{name}={getattr(self, name)!r} must be > 0 (learning rate)"
                raise ValueError(msg)


def neurosim_inputs(x, side: int = 28, crop: int = 20, threshold: float = 0.5):
    """MNIST as NeuroSim reads it: the centre *crop* × *crop* pixels, binarised at *threshold*.

    Parameters
    ----------
    x : numpy.ndarray, shape (samples, side²), 1
        Images with pixels in [0, 1].

    Returns
    -------
    numpy.ndarray, float64, shape (samples, crop²)
        0 or 1 (NeuroSim ``truncate(x, 1, BWthreshold)``: pixel ≥ 0.5 → 1).
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != side * side:
        msg = f"x has shape {x.shape}; expected (samples, {side * side}) images of {side} × {side} pixels"
        raise ValueError(msg)
    if not 0 < crop <= side:
        msg = f"crop={crop!r} must be within 1…{side} (pixels)"
        raise ValueError(msg)
    lo = (side - crop) // 2
    img = x.reshape(-1, side, side)[:, lo:lo + crop, lo:lo + crop]
    return (img.reshape(-1, crop * crop) >= threshold).astype(float)


def _sigmoid64(z):
    return 1.0 / (1.0 + np.exp(-z))


def train_neurosim(x_train, y_train, x_test, y_test, settings: NeuroSimSettings,
                   device: NeuroSimDevice | None = None, label: str = "") -> TrainResult:
    """Train NeuroSim V3.0's 400-100-10 network by online SGD, on a device or in software.

    Sigmoid hidden and output units, no biases, squared error against one-hot targets
    (``s2 = −2 a2 (1 − a2)(t − a2)``), ``ΔW = −α · δ · input``; with a *device*, every
    weight is one :class:`NeuroSimDevice` written by ``ΔW`` after each image (the
    feed-forward reads the weights ideally, i.e. NeuroSim with ``useHardwareInTrainingFF``
    and ``useHardwareInTestingFF`` false: no ADC, analogue hidden outputs); without one,
    plain float64 weights clipped to ``[−1, 1]``.  Initial weights are ``k/3``,
    ``k ∈ {−3, …, 3}`` uniformly (``WeightInitialize``).

    Parameters
    ----------
    x_train, x_test : numpy.ndarray, shape (samples, 400)
        Binary inputs (:func:`neurosim_inputs`).
    y_train, y_test : numpy.ndarray, int
    settings : NeuroSimSettings
    device : NeuroSimDevice, optional
    label : str

    Returns
    -------
    TrainResult
        ``test_accuracy`` before training and after each epoch; ``pulses`` = Σ|pulses|.
    """
    check_data(x_train, y_train, x_test, y_test)
    t0 = time.perf_counter()
    s = settings
    n_in, n_out = x_train.shape[1], int(max(y_train.max(), y_test.max())) + 1
    init = np.random.default_rng(np.random.SeedSequence([s.seed, 11]))
    draw = np.random.default_rng(np.random.SeedSequence([s.seed, 12]))
    noise = np.random.default_rng(np.random.SeedSequence([s.seed, 13]))
    w1 = init.integers(-3, 4, size=(n_in, s.hidden)) / 3.0
    w2 = init.integers(-3, 4, size=(s.hidden, n_out)) / 3.0
    g1 = g2 = None
    if device is not None:
        g1, g2 = device.initial_conductance(w1), device.initial_conductance(w2)
        w1, w2 = device.weights(g1), device.weights(g2)
    targets = np.eye(n_out)
    levels_max = max(device.levels_ltp, device.levels_ltd) if device is not None else 1
    x_train = np.asarray(x_train, dtype=float)
    x_test = np.asarray(x_test, dtype=float)

    def test_accuracy():
        a2 = _sigmoid64(_sigmoid64(x_test @ w1) @ w2)
        return float(np.mean(np.argmax(a2, axis=1) == y_test))

    acc, pulses = [test_accuracy()], 0
    for epoch in range(s.epochs):
        for i in draw.integers(0, x_train.shape[0], size=s.images_per_epoch):
            x = x_train[i]
            a1 = _sigmoid64(x @ w1)
            a2 = _sigmoid64(a1 @ w2)
            s2 = -2.0 * a2 * (1.0 - a2) * (targets[y_train[i]] - a2)
            s1 = a1 * (1.0 - a1) * (w2 @ s2)
            rows = np.flatnonzero(x)
            if device is None:
                w1[rows] = np.clip(w1[rows] - s.alpha1 * np.outer(x[rows], s1), -1.0, 1.0)
                w2 = np.clip(w2 - s.alpha2 * np.outer(a1, s2), -1.0, 1.0)
                continue
            # only columns whose largest change reaches half a pulse can move (the rest round to 0)
            half = 0.5 * 2.0 / levels_max
            cols = np.flatnonzero(s.alpha1 * np.abs(s1) * (x.max() if rows.size else 0.0) >= half)
            if rows.size and cols.size:
                block = np.ix_(rows, cols)
                g1[block], p1 = device.write(g1[block], -s.alpha1 * np.outer(x[rows], s1[cols]), noise)
                w1[block] = device.weights(g1[block])
                pulses += int(np.abs(p1).sum())
            g2, p2 = device.write(g2, -s.alpha2 * np.outer(a1, s2), noise)
            w2 = device.weights(g2)
            pulses += int(np.abs(p2).sum())
        acc.append(test_accuracy())
        log.info("%s: epoch %d/%d, test accuracy %.1f %%", label or "neurosim", epoch + 1, s.epochs,
                 100 * acc[-1])
    return TrainResult(test_accuracy=acc, train_accuracy=float("nan"), weights=[w1, w2], pulses=pulses,
                       seconds=time.perf_counter() - t0, label=label)
