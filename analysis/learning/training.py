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
potentiation table below the first measured point is bridged, :func:`analysis.learning.pd_curves.device_from_pd_curve`) — so the
nonlinearity, the asymmetry, the finite number of states and the bounds
``[G_min, G_max]`` all act.  Optional cycle-to-cycle noise follows NeuroSim:
``σ = c (G_max − G_min) √n`` for ``n`` pulses.  Initial conductances are set as
analogue values (a write-verify step is assumed) from the same random weights as the
float baseline, which shares the network, the initialisation and the minibatch order.

With ``Device.decay`` (:class:`analysis.learning.pd_curves.Decay`, off by default) the device's
table is the retained one and the network reads, besides, the volatile part each pulse leaves,
decaying with the time since that device's last pulse (in update steps of a stated interval),
until it has relaxed to the table (:meth:`_DeviceGroup._relax`).

Stochastic rounding draws 16 random bits per weight (a bias below 1/65,536 pulse), and the
weight rows of inputs that are zero in the whole minibatch are skipped (their gradient is
exactly zero).

Many networks at once
---------------------
:func:`train_many` trains networks of one shape together: stacked weights, batched matrix
products over a leading network axis, the device layers of networks that share a device and
a mapping updated in one pass, the networks split over :data:`TRAIN_THREADS` threads.  Each
network's arithmetic is the one it performs alone, so it gives the same bytes as
:func:`train` with its seed.  :func:`run_seeds` trains float baselines and device networks
for a list of seeds; :func:`seed_summary` reduces them to the statistic the report uses (per
seed the mean of the last k epochs, then mean ± sd over seeds).

NeuroSim-compatible mode
------------------------
:func:`train_neurosim` follows MLP+NeuroSim V3.0's own network, training and device model
(:class:`NeuroSimDevice`; each choice and its source line in ``data/parameters/learning.yaml``)
so that accuracies can be set beside NeuroSim-based papers.

Everything is numpy (float32 matmuls), vectorised and seeded: two runs with the same
seed give identical accuracies.  The device update's pass over all weights and its work on the
pulsed pairs run in two numba kernels (:mod:`analysis.learning._kernels`, compiled once and cached) that
perform numpy's operations in numpy's order, so they give the same bytes; without numba the
numpy path runs (:data:`USE_KERNELS`).
"""
from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from analysis.learning.pd_curves import Device, neurosim_device

try:                                         # the compiled device update (same bytes, faster)
    from analysis.learning import _kernels
except ImportError:                          # numba is not installed: the numpy path
    _kernels = None

log = logging.getLogger(__name__)

USE_KERNELS = True
"""Use the numba kernels of :mod:`analysis.learning._kernels` for the device update when numba is
installed (``False``: the numpy path; both give the same bytes, ``tests/test_training.py``)."""


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
        device runs (:func:`run_seeds` takes it from the float baseline, :func:`weight_range`).
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


def _flatnonzero_sparse(hit, words):
    """``np.flatnonzero(hit)`` for a sparse boolean *hit*, the first ``hit.size`` bytes of *words*.

    *words* (bool, a whole number of 8-byte words) is read as uint64: only the words that are
    not zero are expanded (the indices come out sorted, as from ``np.flatnonzero``).  The bytes
    of *words* after ``hit.size`` are set to False.
    """
    size = hit.size
    end = -(-size // 8) * 8
    words[size:end] = False
    w = words[:end].view(np.uint64)
    nz = np.flatnonzero(w != 0)                               # (nonzero of a bool array: the fast path)
    if nz.size * 4 > w.size:                                  # dense: expanding would cost more
        return np.flatnonzero(hit)
    k = np.flatnonzero(w.take(nz).view(bool))
    out = nz.take(k >> 3)
    out <<= 3
    out += k & 7
    return out


_ROUNDING_BITS = 16
_ROUNDING_SCALE = float(1 << _ROUNDING_BITS)


class _DeviceGroup:
    """Differential conductance pairs of one layer for several networks, updated by pulses.

    All members share the device and the weight mapping; each has its own weight range,
    random stream and weights.  The random draws of each member come from its own stream,
    in the order a lone network draws them; everything else — pulse counts, lookups, noise,
    refreshes — is done in one pass over the members' stacked weights, and each member's
    float32 weights ``W = w_max (G⁺ − G⁻)/(G_max − G_min)`` are rewritten in its slice of
    *stack* only where a conductance changed.

    Parameters
    ----------
    ws : sequence of numpy.ndarray
        Initial weights of each member (same shape).
    w_maxs : sequence of float
        Weight range of each member.
    device : Device
    rngs : sequence of numpy.random.Generator
        Each member's device random stream.
    mapping : str
    stack : numpy.ndarray, optional
        C-contiguous float32 array ``(networks, *shape)`` holding the weights of all the
        networks trained together; member *m* owns ``stack[index[m]]``.
    index : sequence of int, optional
        Positions of the members in *stack* (default ``0 … M − 1``).
    """

    def __init__(self, ws, w_maxs, device: Device, rngs, mapping: str = "push-pull", stack=None, index=None):
        self.device, self.mapping, self.rngs = device, mapping, list(rngs)
        self.shape = ws[0].shape
        self.size = int(np.prod(self.shape))
        self.span = device.g_max - device.g_min
        mid = 0.5 * (device.g_max + device.g_min)
        n_members = len(ws)
        # the two conductances of a pair side by side (one cache line per pair when it is pulsed)
        self.g_all = np.empty((n_members, self.size, 2))
        self.gp_all, self.gm_all = self.g_all[..., 0], self.g_all[..., 1]
        self._pairs = self.g_all.reshape(-1, 2)
        # the same bytes seen as one complex number per pair (real G⁺, imaginary G⁻): the pulsed
        # pairs are gathered and scattered by a 1-D take/put instead of a row-wise (N, 2) copy
        self._cpairs = self.g_all.reshape(-1).view(np.complex128)
        self._gp_f, self._gm_f = self._pairs[:, 0], self._pairs[:, 1]
        self.w_max = [float(wm) for wm in w_maxs]
        for m, (w, wm) in enumerate(zip(ws, self.w_max)):
            d = np.clip(w.astype(float), -wm, wm) * self.span / wm
            # G+ − G− = d, centred; clip keeps both inside the device bounds
            self.gp_all[m] = np.clip(mid + 0.5 * d, device.g_min, device.g_max).ravel()
            self.gm_all[m] = np.clip(mid - 0.5 * d, device.g_min, device.g_max).ravel()
        self.w_step = [2.0 * wm / device.n_pulses for wm in self.w_max]
        self._ratio = np.array([wm / self.span for wm in self.w_max])     # weight per siemens
        self.n_cap = device.n_pulses
        self.pulses_m = np.zeros(n_members, dtype=np.int64)
        self.refreshes_m = np.zeros(n_members, dtype=np.int64)
        self.decay = device.decay
        if self.decay is not None:
            # per device (pair · 2 + side): the conductance the network reads (g_all keeps the
            # table's conductance, i.e. the device's position on its branch, which only pulses
            # move), whether its last pulse depressed it, the update step of that pulse; and
            # the devices pulsed in each of the last steps
            n_dev = 2 * n_members * self.size
            self._read = self.g_all.reshape(-1).copy()
            self._depressed = np.zeros(n_dev, dtype=bool)
            self._last = np.full(n_dev, -(1 << 40), dtype=np.int64)
            self._step = 0
            self._recent = deque(maxlen=self.decay.steps)
        self._q = np.empty(self.size, dtype=np.float32)                  # scratch of the pulse counts
        if _kernels is not None:
            self._tab, self._tab_offsets = _kernels.table_pack(device._lookups)
            # the pulses of one update: pair index, raised weight, pulse count (np.empty: the
            # pages of the worst case, every weight pulsed, are only mapped when written)
            self._k_flat = np.empty(n_members * self.size + 8, dtype=np.intp)   # 8 spare (find_pulses)
            self._k_pos = np.empty(n_members * self.size, dtype=bool)
            self._k_n = np.empty(n_members * self.size)
            self._k_gp, self._k_gm = np.empty(n_members * self.size), np.empty(n_members * self.size)
            self._k_mask = np.zeros(_kernels._BLOCK, dtype=bool)
        self._hit = np.zeros(-(-self.size // 8) * 8, dtype=bool)          # whole 8-byte words
        if stack is None:
            stack = np.empty((n_members, *self.shape), dtype=np.float32)
        if stack.shape[1:] != self.shape or stack.dtype != np.float32 or not stack.flags.c_contiguous:
            msg = (f"stack must be a C-contiguous float32 array of shape (networks, {self.shape}); "
                   f"got {stack.dtype} {stack.shape}")
            raise ValueError(msg)
        self.stack = stack
        self.index = np.arange(n_members) if index is None else np.asarray(index, dtype=np.intp)
        self._flat2d = stack.reshape(stack.shape[0], -1)
        self._stack_flat = stack.reshape(-1)
        self._offset = (self.index - np.arange(n_members)) * self.size   # member's flat index -> stack's
        self._in_place = not self._offset.any()                          # members at 0 … M − 1 of stack
        for m in range(n_members):
            self._flat2d[self.index[m]] = self.member_weights(m).reshape(-1)

    def member_weights(self, m: int):
        """Float32 weights of member *m* computed from its conductances."""
        return (self.w_max[m] / self.span * (self.gp_all[m] - self.gm_all[m])).reshape(self.shape).astype(np.float32)

    def _draws(self, m: int, size: int):
        """*size* 16-bit uniform draws from member *m*'s stream (4 per 64-bit word)."""
        return self.rngs[m].bit_generator.random_raw(-(-size // 4)).view(np.uint16)[:size]

    def _pulse_counts(self, d, factor, m: int):
        """Positions and pulse counts of the update ``factor · |d|`` of member *m* (stochastic rounding).

        *d* is the flat float32 update, *factor* the float32 ``|scale|·65,536/w_step`` of the
        member; the counts are ``None`` when every weight gets one pulse (the usual case).
        ``|scale · d| / w_step`` pulses, rounded down or up at random with the
        probability of its fractional part (unbiased), from 16 random bits per weight (a
        bias below 1/65,536 pulse), capped at ``P_max``.  A weight pulses only if its scaled
        update exceeds its draw, so everything after that comparison runs on the few weights
        that pulse.
        """
        q = np.abs(d, out=self._q[:d.size])
        q *= factor
        draws = self._draws(m, d.size)
        flat = _flatnonzero_sparse(np.greater(q, draws, out=self._hit[:d.size]), self._hit)
        qf = q.take(flat)
        if not qf.size or float(qf.max()) < _ROUNDING_SCALE:   # the usual case: one pulse each
            return flat, None
        whole = np.floor(qf / np.float32(_ROUNDING_SCALE))
        n = np.minimum(whole + (qf - whole * np.float32(_ROUNDING_SCALE) > draws[flat]), self.n_cap)
        return flat, n.astype(float)

    def update(self, dws, scales, rows=None):
        """Apply each member's weight change ``scales[m] · dws[m]`` as pulses (module doc).

        With ``rows[m]`` (indices of weight rows), ``dws[m]`` holds only those rows; the
        others do not change (e.g. the rows of inputs that were zero in the whole minibatch).
        Without *rows*, *dws* may be one array ``(members, *shape)``.
        """
        if USE_KERNELS and _kernels is not None:
            return self._update_compiled(dws, scales, rows)
        n_members = len(self.rngs)
        n_col = self.shape[1] if len(self.shape) > 1 else 1
        flats, ns, poss, counts = [], [], [], np.zeros(n_members, dtype=np.intp)
        if rows is None:
            # all members in one stacked pass (small layers: fewer, larger array operations)
            dw = np.stack([np.asarray(d, dtype=np.float32).reshape(-1) for d in dws]) if isinstance(dws, list) \
                else np.ascontiguousarray(dws, dtype=np.float32).reshape(n_members, self.size)
            factors = np.array([abs(s) * _ROUNDING_SCALE / w for s, w in zip(scales, self.w_step)], dtype=np.float32)
            negative = np.array([s < 0 for s in scales])
            draws = np.stack([self._draws(m, self.size) for m in range(n_members)])
            q = np.abs(dw)
            q *= factors[:, None]
            flat = np.flatnonzero(q > draws)
            qf = q.reshape(-1)[flat]
            if qf.size and float(qf.max()) >= _ROUNDING_SCALE:
                whole = np.floor(qf / np.float32(_ROUNDING_SCALE))
                n = np.minimum(whole + (qf - whole * np.float32(_ROUNDING_SCALE) > draws.reshape(-1)[flat]),
                               self.n_cap).astype(float)
            else:                                             # the usual case: one pulse each
                n = None
            member = flat // self.size
            counts = np.bincount(member, minlength=n_members)
            flats, ns, poss = [flat], [n], [(dw.reshape(-1)[flat] > 0) != negative[member]]
            if not flat.size:
                flats = []
        for m in range(n_members) if rows is not None else ():
            d = np.ascontiguousarray(dws[m], dtype=np.float32).reshape(-1)
            scale = scales[m]
            f, nn = self._pulse_counts(d, np.float32(abs(scale) * _ROUNDING_SCALE / self.w_step[m]), m)
            if not f.size:
                continue
            # d ≠ 0 where a weight pulses (|d|·factor exceeds a draw ≥ 0): the sign is d's
            poss.append(np.less(d.take(f), 0) if scale < 0 else np.greater(d.take(f), 0))
            if rows is not None:
                # compact index i of row r -> i + (rows[r] − r)·n_col (+ the member's offset)
                r = np.asarray(rows[m], dtype=np.intp)
                shift = (r - np.arange(r.size)) * n_col + m * self.size
                f = shift.take(f // n_col) + f
            else:
                f = f + m * self.size
            flats.append(f)
            ns.append(nn)
            counts[m] = f.size
        if not flats:
            if self.decay is not None:
                self._relax(np.empty(0, dtype=np.intp), np.empty(0, dtype=bool))
            return
        flat, pos = (np.concatenate(a) for a in (flats, poss))
        member = np.repeat(np.arange(n_members), counts)
        # pulse counts: 1.0 for every pulsed weight (the usual case; x + 1.0 is x + n bit for bit)
        if all(nn is None for nn in ns):
            n, pulses_m = 1.0, counts
        else:
            n = np.concatenate([np.ones(f.size) if nn is None else nn for f, nn in zip(flats, ns)])
            pulses_m = np.rint(np.bincount(member, weights=n, minlength=n_members)).astype(np.int64)
        dev = self.device
        pairs = self._cpairs.take(flat)                       # (pulsed,): G⁺ + i G⁻
        gp, gm = pairs.real, pairs.imag
        up = dev.potentiate(np.where(pos, gp, gm), n)         # G⁺ to raise a weight, G⁻ to lower it
        if self.mapping == "potentiation-only":
            gp[...] = np.where(pos, up, gp)
            gm[...] = np.where(pos, gm, up)
        else:                                                 # push-pull: the other one is depressed
            down = dev.depress(np.where(pos, gm, gp), n)
            gp[...] = np.where(pos, up, down)
            gm[...] = np.where(pos, down, up)
            pulses_m = 2 * pulses_m
        if self.decay is not None and self.mapping == "potentiation-only":
            partner, partner_before = self._partners(flat, pos)
        if dev.noise > 0:
            za, zb = self._noise_draws(counts)
            sig = dev.noise * self.span * np.sqrt(n)
            gp[...] = np.clip(gp + sig * za, dev.g_min, dev.g_max)
            gm[...] = np.clip(gm + sig * zb, dev.g_min, dev.g_max)
        self._cpairs[flat] = pairs
        self.pulses_m += pulses_m
        refreshed = self._refresh(flat, member) if self.mapping == "potentiation-only" else None
        if self.decay is not None:
            # the devices pulsed now: the potentiated one of each pair, in push-pull the depressed
            # one too, and both devices of a refreshed pair (depressed, then potentiated if n > 0)
            devices = [2 * flat + (~pos), 2 * flat + pos] if self.mapping == "push-pull" else [2 * flat + (~pos)]
            depressed = [np.zeros(flat.size, dtype=bool), np.ones(flat.size, dtype=bool)][:len(devices)]
            if refreshed is not None:
                idx, n_p, n_m = refreshed
                devices += [2 * idx, 2 * idx + 1]
                depressed += [n_p == 0, n_m == 0]
            if self.mapping == "potentiation-only":
                # an unpulsed partner keeps its volatile part; its table conductance moved by noise
                now, read = self.g_all.reshape(-1)[partner], self._read[partner]
                self._read[partner] = np.where(read == partner_before, now, read + (now - partner_before))
            self._relax(np.concatenate(devices), np.concatenate(depressed))
            return
        if refreshed is not None:
            pairs = self._cpairs.take(flat)
        self._write(flat, member, pairs)

    def _partners(self, flat, pos):
        """The unpulsed device of each potentiation-only pair (noise may still move it) and its
        table conductance before the update."""
        partner = 2 * flat + pos
        return partner, self.g_all.reshape(-1)[partner]

    def _noise_draws(self, counts):
        """Cycle-to-cycle noise draws of the pulsed pairs, member after member (G⁺ then G⁻ of
        each member: the order both update paths use)."""
        z = [(self.rngs[m].standard_normal(c), self.rngs[m].standard_normal(c)) for m, c in enumerate(counts)]
        return np.concatenate([a for a, _ in z]), np.concatenate([b for _, b in z])

    def _update_compiled(self, dws, scales, rows=None):
        """:meth:`update` by the numba kernels (:mod:`analysis.learning._kernels`): the same bytes.

        The same steps in the same order: each member's draws and stochastic rounding
        (:func:`analysis.learning._kernels.find_pulses`), then the normal draws of the noise, then the
        lookups, noise, clip and weights of all pulsed pairs in one pass
        (:func:`analysis.learning._kernels.apply_pulses`); refreshes and the volatile part (decay) as
        in the numpy path.
        """
        n_members = len(self.rngs)
        n_col = self.shape[1] if len(self.shape) > 1 else 1
        counts = np.zeros(n_members, dtype=np.intp)
        pulses_m = np.zeros(n_members, dtype=np.int64)
        no_rows = np.empty(0, dtype=np.intp)
        stacked = rows is None and not isinstance(dws, list)
        if stacked:
            dws = np.ascontiguousarray(dws, dtype=np.float32).reshape(n_members, self.size)
        k = 0
        for m in range(n_members):
            d = dws[m] if stacked else np.ascontiguousarray(dws[m], dtype=np.float32).reshape(-1)
            scale = scales[m]
            factor = np.float32(abs(scale) * _ROUNDING_SCALE / self.w_step[m])
            draws = self._draws(m, d.size)
            r = no_rows if rows is None else np.asarray(rows[m], dtype=np.intp)
            k_next, pulses = _kernels.find_pulses(d, factor, draws, r, n_col, m * self.size, scale < 0,
                                                  self.n_cap, self._k_flat, self._k_pos, self._k_n, k,
                                                  self._k_mask)
            counts[m], pulses_m[m], k = k_next - k, pulses, k_next
        if k == 0:
            if self.decay is not None:
                self._relax(np.empty(0, dtype=np.intp), np.empty(0, dtype=bool))
            return
        flat, pos, n = self._k_flat[:k], self._k_pos[:k], self._k_n[:k]
        dev = self.device
        if self.decay is not None and self.mapping == "potentiation-only":
            partner, partner_before = self._partners(flat, pos)
        if dev.noise > 0:
            za, zb = self._noise_draws(counts)
            sigma = dev.noise * self.span
        else:
            za = zb = np.empty(0)
            sigma = 0.0
        push_pull = self.mapping == "push-pull"
        write = self.decay is None
        _kernels.apply_pulses(flat, pos, n, self.g_all.reshape(-1), self._tab, self._tab_offsets, push_pull,
                              sigma, za, zb, dev.g_min, dev.g_max, self.size, self._ratio,
                              self._offset, self._stack_flat, write, self._k_gp, self._k_gm)
        self.pulses_m += 2 * pulses_m if push_pull else pulses_m
        if push_pull and write:
            return
        member = flat // self.size
        refreshed = self._refresh(flat, member) if not push_pull else None
        if self.decay is not None:
            devices = [2 * flat + (~pos), 2 * flat + pos] if push_pull else [2 * flat + (~pos)]
            depressed = [np.zeros(flat.size, dtype=bool), np.ones(flat.size, dtype=bool)][:len(devices)]
            if refreshed is not None:
                idx, n_p, n_m = refreshed
                devices += [2 * idx, 2 * idx + 1]
                depressed += [n_p == 0, n_m == 0]
            if not push_pull:
                now, read = self.g_all.reshape(-1)[partner], self._read[partner]
                self._read[partner] = np.where(read == partner_before, now, read + (now - partner_before))
            self._relax(np.concatenate(devices), np.concatenate(depressed))
            return
        if refreshed is not None:
            self._write(flat, member)

    def _relax(self, devices, depressed):
        """Record the devices pulsed in this update step and relax every recently pulsed device.

        Pulses move a device along its lookup table (``g_all``: the conductance it keeps); what
        the network reads carries the decaying volatile part.  A device pulsed ``j`` steps ago
        (``j = 1`` for this step's) reads, at the next step,
        :meth:`analysis.learning.pd_curves.Decay.read` of its table conductance; the
        weights of the pairs concerned are rewritten from these reads.  Later entries of
        *devices* win (a refreshed device is recorded after its ordinary pulse).
        """
        g_dev = self.g_all.reshape(-1)
        step, decay = self._step, self.decay
        self._depressed[devices] = depressed
        self._last[devices] = step
        self._recent.appendleft(devices)
        # every device pulsed in the last steps (one pulsed again appears twice, same value)
        d = np.concatenate(self._recent)
        j = step + 1 - self._last[d]                        # steps from its last pulse to the next read
        self._read[d] = decay.read(g_dev[d], self._depressed[d], j)   # may exceed the table
        self._step += 1
        if d.size:
            pairs = d // 2                                  # repeated pairs are written twice, alike
            self._write(pairs, pairs // self.size)

    def _write(self, flat, member, pairs=None):
        """Rewrite the float32 weights of the pairs *flat* (of members *member*) from their conductances.

        *pairs*, if given, holds the pairs' conductances as ``G⁺ + i G⁻`` (complex128).
        """
        if pairs is None:
            pairs = (self._cpairs if self.decay is None else self._read.view(np.complex128)).take(flat)
        values = (self._ratio.take(member) * (pairs.real - pairs.imag)).astype(np.float32)
        self._stack_flat[flat if self._in_place else flat + self._offset.take(member)] = values

    def _refresh(self, candidates, member):
        """Rewrite pairs whose device nears G_max, using device pulses only.

        Both devices are depressed through their whole depression table (to its bottom),
        then the larger one is potentiated by the whole number of pulses that best restores
        G⁺ − G⁻.  The weight survives up to the quantisation of one potentiation step.
        Only *candidates* (flat indices of the pairs just pulsed, of members *member*) are
        checked: a pair that was not pulsed cannot have moved towards G_max.
        """
        dev = self.device
        gp_f, gm_f = self._gp_f, self._gm_f
        top = dev.g_max - REFRESH_MARGIN * self.span
        hit = (gp_f[candidates] > top) | (gm_f[candidates] > top)
        idx, who = candidates[hit], member[hit]
        if idx.size == 0:
            return None
        d = gp_f[idx] - gm_f[idx]
        full = float(dev.dep_g.size - 1)
        bottom_p = dev.depress(gp_f[idx], full)
        bottom_m = dev.depress(gm_f[idx], full)
        grid = np.arange(dev.pot_g.size, dtype=float)
        start_p = np.interp(bottom_p, dev.pot_g, grid)
        start_m = np.interp(bottom_m, dev.pot_g, grid)
        # pulses on the larger side so that the difference is restored as closely as possible
        target_p = np.where(d > 0, np.interp(bottom_m + d, dev.pot_g, grid) - start_p, 0.0)
        target_m = np.where(d < 0, np.interp(bottom_p - d, dev.pot_g, grid) - start_m, 0.0)
        n_p, n_m = np.rint(np.maximum(target_p, 0)), np.rint(np.maximum(target_m, 0))
        gp_f[idx] = dev.potentiate(bottom_p, n_p)
        gm_f[idx] = dev.potentiate(bottom_m, n_m)
        n_members = len(self.rngs)
        self.pulses_m += np.rint(np.bincount(who, weights=2 * full + n_p + n_m, minlength=n_members)).astype(np.int64)
        self.refreshes_m += np.bincount(who, minlength=n_members)
        return idx, n_p, n_m


class _DeviceLayer(_DeviceGroup):
    """One network's layer of differential pairs (a :class:`_DeviceGroup` of one member)."""

    def __init__(self, w, w_max, device: Device, rng, mapping: str = "push-pull"):
        super().__init__([w], [w_max], device, [rng], mapping)

    @property
    def gp(self):
        return self.gp_all[0]

    @property
    def gm(self):
        return self.gm_all[0]

    @property
    def pulses(self) -> int:
        return int(self.pulses_m[0])

    @property
    def refreshes(self) -> int:
        return int(self.refreshes_m[0])

    @property
    def out(self):
        return self.stack[0]

    def weights(self):
        return self.member_weights(0)

    def update(self, dw, scale: float = 1.0, rows=None):
        """Apply the weight change ``scale · dw`` as pulses (see :meth:`_DeviceGroup.update`)."""
        super().update([dw], [scale], None if rows is None else [rows])

    def refresh_all(self):
        """Refresh every pair near G_max (not only the ones just pulsed); layers without decay."""
        if self.decay is not None:
            msg = "refresh_all is for layers without decay (the reads of refreshed devices are not tracked)"
            raise ValueError(msg)
        flat = np.arange(self.size)
        self._refresh(flat, np.zeros(self.size, dtype=np.intp))
        self._write(flat, np.zeros(self.size, dtype=np.intp))


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


def train(x_train, y_train, x_test, y_test, settings: TrainSettings, device: Device | None = None,
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
    device : Device, optional
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
    members : sequence of (TrainSettings, Device or None)
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
        msg = "members is empty; expected at least one (TrainSettings, Device or None)"
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
    _check_data(x_train, y_train, x_test, y_test)
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
        layers.append((ms, *[_DeviceGroup([inits[m][i] for m in ms], [members[m][0].w_max[i] for m in ms],
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


def last_k_mean(test_accuracy, k: int) -> float:
    """Mean of the last *k* epochs of a test-accuracy curve (index 0 = before training), 1."""
    curve = list(test_accuracy)[1:]
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= len(curve):
        msg = f"k={k!r} must be an integer within 1…{len(curve)} (epochs averaged at the end of training)"
        raise ValueError(msg)
    return float(np.mean(curve[-int(k):]))


def seed_summary(results, k: int) -> dict:
    """Accuracy over seeds, in percent: per seed the mean of the last *k* epochs.

    Returns
    -------
    dict
        ``mean``, ``sd`` (ddof = 1; 0 for one seed), ``per_seed`` (list), ``k``, ``seeds``,
        and the curves' ``curve_mean`` / ``curve_sd`` per epoch (percent).
    """
    per_seed = [100.0 * last_k_mean(r.test_accuracy, k) for r in results]
    curves = 100.0 * np.array([r.test_accuracy for r in results], dtype=float)
    sd = float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0.0
    return {"mean": float(np.mean(per_seed)), "sd": sd, "per_seed": per_seed, "k": int(k),
            "seeds": len(per_seed), "curve_mean": curves.mean(axis=0).tolist(),
            "curve_sd": (curves.std(axis=0, ddof=1) if len(per_seed) > 1 else 0 * curves[0]).tolist()}


def _device_key(device: Device, mapping: str) -> tuple:
    """What makes two device settings train alike: tables, noise, decay and mapping."""
    decay = device.decay
    decay_key = None if decay is None else (np.asarray(decay.times_s).tobytes(), decay.pot_g.tobytes(),
                                            decay.pot_gain.tobytes(), decay.dep_g.tobytes(), decay.dep_gain.tobytes())
    return device.pot_g.tobytes(), device.dep_g.tobytes(), float(device.noise), decay_key, mapping


def run_seeds(x_train, y_train, x_test, y_test, settings: TrainSettings, devices: dict, seeds,
              label: str = "") -> dict:
    """Float baselines and device-aware networks for every seed, trained together.

    Each seed's device networks use the weight range of that seed's float baseline
    (:func:`weight_range`).  Settings with the same device tables, noise and mapping are
    trained once and share their results.

    Parameters
    ----------
    settings : TrainSettings
        Shared settings (``seed``, ``w_max`` and ``mapping`` are set per member).
    devices : dict
        ``name -> (Device, mapping)``.
    seeds : sequence of int

    Returns
    -------
    dict
        ``"float"`` and each device name -> list of :class:`TrainResult` (one per seed),
        and ``"w_max"`` -> list of per-seed weight ranges.  The training-set accuracy is not
        evaluated (``train_accuracy`` is ``nan``; nothing in the notebooks uses it).
    """
    seeds = [int(s) for s in seeds]
    data = (x_train, y_train, x_test, y_test)
    flt = train_many(*data, [(replace(settings, seed=s), None) for s in seeds],
                     labels=[f"{label} float seed {s}" for s in seeds], train_accuracy=False)
    w_max = [weight_range(r.weights) for r in flt]
    # settings that are the same device (same tables and noise) and mapping are trained once
    first_of, unique = {}, []
    for name, (device, mapping) in devices.items():
        key = _device_key(device, mapping)
        if key not in first_of:
            first_of[key] = name
            unique.append(name)
    members, names = [], []
    for name in unique:
        device, mapping = devices[name]
        for s, wm in zip(seeds, w_max):
            members.append((replace(settings, seed=s, w_max=wm, mapping=mapping), device))
            names.append(name)
    res = train_many(*data, members, labels=[f"{label} {n}" for n in names], train_accuracy=False) if members else []
    out = {"float": flt, "w_max": w_max}
    for name, (device, mapping) in devices.items():
        key = _device_key(device, mapping)
        out[name] = [r for r, n in zip(res, names) if n == first_of[key]]
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


def sensitivity_devices_map(rows: list[dict], mapping: str = "push-pull", prefix: str = "sensitivity") -> dict:
    """``name -> (Device, mapping)`` of the sensitivity *rows*, for :func:`run_seeds`."""
    return {f"{prefix} {i}": (r["device"], r.get("overrides", {}).get("mapping", mapping))
            for i, r in enumerate(rows)}


def sensitivity_records(rows: list[dict], runs: dict, k: int, dataset: str, prefix: str = "sensitivity") -> list[dict]:
    """Records of the sensitivity table from :func:`run_seeds` results (see :func:`run_sensitivity`)."""
    f = seed_summary(runs["float"], k)
    out = []
    for i, r in enumerate(rows):
        d = seed_summary(runs[f"{prefix} {i}"], k)
        rec = {key: v for key, v in r.items() if key not in ("device", "overrides")}
        rec.update(dataset=dataset, accuracy=d["mean"] / 100, accuracy_sd=d["sd"] / 100,
                   float_accuracy=f["mean"] / 100, gap_pp=f["mean"] - d["mean"], seeds=d["seeds"], k=k)
        out.append(rec)
    return out


def run_sensitivity(data: dict, settings: dict, rows: list[dict], seeds=(0,), k: dict | None = None) -> list[dict]:
    """Accuracy of every device of *rows* on every data set, over seeds.

    Parameters
    ----------
    data : dict
        ``name -> (x_train, y_train, x_test, y_test)``.
    settings : dict
        ``name -> TrainSettings``; ``w_max`` is filled per seed from the float baseline.
    rows : list of dict
        From :func:`sensitivity_devices`.
    seeds : sequence of int
    k : dict, optional
        ``name -> epochs averaged at the end`` (default 1: the final epoch).

    Returns
    -------
    list of dict
        One record per (data set, device): the row's fields without the device, plus
        ``dataset``, ``accuracy`` and ``accuracy_sd`` (mean and sd over seeds of the last-k
        mean, 1), ``float_accuracy`` (1), ``gap_pp`` (float − device, percentage points),
        ``seeds`` and ``k``.
    """
    out = []
    for name, arrays in data.items():
        runs = run_seeds(*arrays, settings[name], sensitivity_devices_map(rows, settings[name].mapping),
                         seeds, label=name)
        out += sensitivity_records(rows, runs, (k or {}).get(name, 1), name)
    return out


SENSITIVITY_COLUMNS = ("dataset", "factor", "setting", "pulses", "nl_potentiation", "nl_depression",
                       "noise", "accuracy", "accuracy_sd", "float_accuracy", "gap_pp", "seeds", "k")


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


# =========================================================================== NeuroSim mode
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
    _check_data(x_train, y_train, x_test, y_test)
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
