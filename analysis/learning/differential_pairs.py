"""Differential pairs of lookup devices updated by pulses: the device-aware weight update.

A weight is a **differential pair** ``W = w_max (G⁺ − G⁻) / (G_max − G_min)`` of two
:class:`~analysis.learning.lookup_device.LookupDevice` (``w_max``: the layer's weight range;
the initial weights are mapped to ``G± = G_mid ± …``).  The float update ``ΔW`` of a training
step is converted to a pulse count ``|ΔW| / w_step`` (``w_step = 2 w_max / P_max``, the
nominal change of one push-pull pulse pair) by *stochastic rounding* (unbiased, seeded; 16
random bits per weight, a bias below 1/65,536 pulse), capped at ``P_max`` pulses.  With the
**push-pull** mapping a positive update potentiates G⁺ and depresses G⁻ by that many pulses,
a negative one the reverse; with **potentiation-only** pairs (Burr et al., IEEE TED 2015) an
update only potentiates (G⁺ up or G⁻ up), and a pair whose device nears G_max is *refreshed*
(:meth:`PairGroup._refresh`).  The conductance reached after the pulses comes from the
device's lookup table (the present G located on its branch as a fractional pulse index,
moved by the pulse count and read back), so the nonlinearity, the asymmetry, the finite
number of states and the bounds ``[G_min, G_max]`` all act.  Optional cycle-to-cycle noise
follows NeuroSim: ``σ = c (G_max − G_min) √n`` for ``n`` pulses.

With ``LookupDevice.decay`` (:class:`analysis.learning.lookup_device.Decay`, off by default) the
device's table is the retained one and the network reads, besides, the volatile part each pulse
leaves, decaying with the time since that device's last pulse (in update steps of a stated
interval), until it has relaxed to the table (:meth:`PairGroup._relax`).

Two implementations of one update
---------------------------------
The pass over all weights and the work on the pulsed pairs run in two numba kernels
(:mod:`analysis.learning.pair_kernels`, compiled once and cached; numba is a pinned dependency
and is always used).  The numpy path of :meth:`PairGroup.update` (:meth:`PairGroup._update_reference`)
is kept, on purpose, as the
**reference** the kernels are tested against: it states the update in whole-array operations
next to this description, and the kernels perform its operations in its order, so
``tests/test_training.py`` trains networks of every kind (both mappings, decay, pulse caps,
crowded lookup tables) both ways and requires the same bytes.  Without it the compiled update
would have no exact oracle.  It runs only when :data:`USE_KERNELS` is False (tests).
"""
from __future__ import annotations

from collections import deque

import numpy as np

from analysis.learning import pair_kernels
from analysis.learning.lookup_device import LookupDevice

USE_KERNELS = True
"""Update with the numba kernels (:mod:`analysis.learning.pair_kernels`); ``False`` runs the numpy
reference path instead (the same bytes; ``tests/test_training.py`` compares them)."""

MAPPINGS = ("push-pull", "potentiation-only")
"""Ways a signed weight update is applied to a differential pair (the ``mapping`` of :class:`analysis.learning.training.TrainSettings`)."""

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


_ROUNDING_SCALE = float(1 << pair_kernels.ROUNDING_BITS)
"""Stochastic rounding compares the scaled update with a 16-bit draw (:data:`pair_kernels.ROUNDING_BITS`)."""


class PairGroup:
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
    device : LookupDevice
    rngs : sequence of numpy.random.Generator
        Each member's device random stream.
    mapping : str
    stack : numpy.ndarray, optional
        C-contiguous float32 array ``(networks, *shape)`` holding the weights of all the
        networks trained together; member *m* owns ``stack[index[m]]``.
    index : sequence of int, optional
        Positions of the members in *stack* (default ``0 … M − 1``).
    """

    def __init__(self, ws, w_maxs, device: LookupDevice, rngs, mapping: str = "push-pull", stack=None, index=None):
        if mapping not in MAPPINGS:
            msg = f"mapping={mapping!r} must be one of {', '.join(MAPPINGS)}"
            raise ValueError(msg)
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
        self._tab, self._tab_offsets = pair_kernels.table_pack(device.lookups)
        # the pulses of one update: pair index, raised weight, pulse count (np.empty: the
        # pages of the worst case, every weight pulsed, are only mapped when written)
        self._k_flat = np.empty(n_members * self.size + 8, dtype=np.intp)   # 8 spare (find_pulses)
        self._k_pos = np.empty(n_members * self.size, dtype=bool)
        self._k_n = np.empty(n_members * self.size)
        self._k_gp, self._k_gm = np.empty(n_members * self.size), np.empty(n_members * self.size)
        self._k_mask = np.zeros(pair_kernels.BLOCK, dtype=bool)
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
        Without *rows*, *dws* may be one array ``(members, *shape)``.  The update runs in the
        numba kernels (:meth:`_update_compiled`), or with :data:`USE_KERNELS` False in the numpy
        reference (:meth:`_update_reference`): the same bytes.
        """
        if USE_KERNELS:
            return self._update_compiled(dws, scales, rows)
        return self._update_reference(dws, scales, rows)

    def _update_reference(self, dws, scales, rows=None):
        """:meth:`update` in numpy: the reference the compiled update is tested against (module doc)."""
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
        """:meth:`update` by the numba kernels (:mod:`analysis.learning.pair_kernels`): the same bytes.

        The same steps in the same order: each member's draws and stochastic rounding
        (:func:`analysis.learning.pair_kernels.find_pulses`), then the normal draws of the noise, then the
        lookups, noise, clip and weights of all pulsed pairs in one pass
        (:func:`analysis.learning.pair_kernels.apply_pulses`); refreshes and the volatile part (decay) as
        in the numpy reference (:meth:`_update_reference`).
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
            k_next, pulses = pair_kernels.find_pulses(d, factor, draws, r, n_col, m * self.size, scale < 0,
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
        pair_kernels.apply_pulses(flat, pos, n, self.g_all.reshape(-1), self._tab, self._tab_offsets, push_pull,
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
        :meth:`analysis.learning.lookup_device.Decay.read` of its table conductance; the
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


class PairLayer(PairGroup):
    """One network's layer of differential pairs (a :class:`PairGroup` of one member)."""

    def __init__(self, w, w_max, device: LookupDevice, rng, mapping: str = "push-pull"):
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
        """Apply the weight change ``scale · dw`` as pulses (see :meth:`PairGroup.update`)."""
        super().update([dw], [scale], None if rows is None else [rows])

    def refresh_all(self):
        """Refresh every pair near G_max (not only the ones just pulsed); layers without decay."""
        if self.decay is not None:
            msg = "refresh_all is for layers without decay (the reads of refreshed devices are not tracked)"
            raise ValueError(msg)
        flat = np.arange(self.size)
        self._refresh(flat, np.zeros(self.size, dtype=np.intp))
        self._write(flat, np.zeros(self.size, dtype=np.intp))
