"""Compiled (numba) kernels of the pulse update of :mod:`analysis.learning.differential_pairs`.

Two kernels replace the numpy operations of the update of
:class:`analysis.learning.differential_pairs.PairGroup` that touch every weight or every pulsed
pair, doing the same IEEE operations in the same order on the same types as its numpy reference,
so that every result is the same bits (``tests/test_training.py`` trains with both and compares
the bytes):

:func:`find_pulses`
    one member's stochastic rounding: ``q = |d| · factor`` (float32), ``q > draw`` against its
    16-bit draw, and for the weights that pulse their position, the sign of the update and the
    pulse count — the pass over all weights fused into one loop that looks twice only at the
    64-weight blocks holding a pulse.
:func:`apply_pulses`
    the pulsed pairs of all members: the four lookups (:class:`analysis.learning.lookup_device.TableInterp`'s
    arithmetic, ``np.interp``'s bits), the push-pull or potentiation-only choice, the
    cycle-to-cycle noise (the normal draws stay numpy's), the clip and the float32 weights.

The random draws stay numpy's (same streams, same order).  Compiled with ``cache=True`` (the
machine code is kept in ``analysis/__pycache__``, so only the first run after a change pays the
compilation), ``nogil=True`` (the training threads run the kernels in parallel) and *without*
``fastmath``: LLVM then neither reassociates nor contracts ``a·b + c`` into a fused multiply-add,
so each operation is rounded as numpy rounds it.

numba is a pinned dependency of the compendium (``pyproject.toml``): the training always runs
these kernels; the numpy reference runs only in the test that compares the two.
"""
from __future__ import annotations

import numba
import numpy as np

ROUNDING_BITS = 16
"""Random bits per weight of the stochastic rounding (a bias below 1/65,536 pulse)."""
BLOCK = 256
"""Weights per block of the first pass of :func:`find_pulses` (a multiple of 8)."""
_ROUNDING_SCALE = np.float32(1 << ROUNDING_BITS)

# Layout of one lookup table in the packed float64 array (table_pack): a header of
# _HEADER numbers, then the arrays of TableInterp.
_HEADER = 12
_UNIFORM, _LAST, _LO, _SCALE, _BUCKETS, _LOWER, _SLOPE, _VALUE, _BELOW, _SPLIT, _CROWDED, _XP = range(_HEADER)


def table_pack(lookups) -> tuple[np.ndarray, np.ndarray]:
    """The tables of :class:`~analysis.learning.lookup_device.TableInterp` objects as one float64 array.

    Returns the array and the offset of each table in it.  Integers (bucket counts, interval
    indices) are stored as float64, exactly.
    """
    parts, offsets, at = [], [], 0
    for t in lookups:
        arrays = [t.interval_origin, t.interval_slope, t.interval_value, t.bucket_below.astype(float),
                  t.bucket_split, t.bucket_crowded.astype(float), t.xp]
        header = np.zeros(_HEADER)
        header[_UNIFORM], header[_LAST], header[_LO], header[_SCALE], header[_BUCKETS] = (
            float(t.uniform), t.last, t.lo, t.scale, t.buckets)
        pos = at + _HEADER
        for slot, a in zip((_LOWER, _SLOPE, _VALUE, _BELOW, _SPLIT, _CROWDED, _XP), arrays):
            header[slot] = pos
            pos += a.size
        header_and_arrays = np.concatenate([header, *arrays])
        offsets.append(at)
        parts.append(header_and_arrays)
        at += header_and_arrays.size
    return np.ascontiguousarray(np.concatenate(parts)), np.array(offsets, dtype=np.int64)


@numba.njit(cache=True, nogil=True, inline="always")
def _table(tab, t):
    """The scalars of the table at offset *t* of *tab* (:func:`table_pack`): its header, with the
    offsets of its arrays in *tab* (scalars only: no array views, no reference counting)."""
    return (tab[t + _UNIFORM] != 0.0, int(tab[t + _LAST]), tab[t + _LO], tab[t + _SCALE], tab[t + _BUCKETS],
            int(tab[t + _LOWER]), int(tab[t + _SLOPE]), int(tab[t + _VALUE]), int(tab[t + _BELOW]),
            int(tab[t + _SPLIT]), int(tab[t + _CROWDED]), int(tab[t + _XP]))


@numba.njit(cache=True, nogil=True, inline="always")
def _interp(tab, table, x):
    """``np.interp(x, xp, fp)`` of *table* (:func:`_table`) for finite *x*: TableInterp's arithmetic.

    Branch-free but for the binary search in crowded buckets (the interval and the clips are
    selects, so that unpredictable data does not cost mispredicted branches).
    """
    uniform, last, lo, scale, buckets, lower, slope, value, below, split, crowded, xp = table
    wrap = last + 3                                  # interval −1 is the last entry, last + 2
    if uniform:
        # xp = 0, 1, …: the interval is floor(x), clipped to the sentinels; origin = that floor
        origin = min(max(np.floor(x), -1.0), last + 1.0)     # np.clip: max, then min
        j = int(origin)
        j += wrap * (j < 0)
    else:
        b = x - lo
        b *= scale
        k = int(min(max(b, -1.0), buckets))          # np.clip, then truncation as astype(np.intp)
        k += (int(buckets) + 2) * (k < 0)            # bucket −1: the last entry
        j = int(tab[below + k]) + (x >= tab[split + k])
        if tab[crowded + k] != 0.0:
            # np.searchsorted(xp, x, side="right") − 1
            i, hi = 0, last + 2                      # xp has last + 2 points
            while i < hi:
                mid = (i + hi) >> 1
                if tab[xp + mid] <= x:
                    i = mid + 1
                else:
                    hi = mid
            j = i - 1
        j += wrap * (j < 0)
        origin = tab[lower + j]
    out = x - origin                                 # numpy's order: (x − origin)·slope + value
    out *= tab[slope + j]
    out += tab[value + j]
    return out


@numba.njit(cache=True, nogil=True)
def find_pulses(d, factor, draws, rows, n_col, base, negative, n_cap, flat, pos, n, k, mask):
    """Stochastic rounding of one member's update *d* (flat float32); appends the pulses at *k*.

    A weight ``i`` pulses when ``|d[i]| · factor > draws[i]`` (float32, the draw converted
    exactly); its pair's index — ``rows[i // n_col] · n_col + i % n_col + base`` with *rows*
    (the compact rows' layer rows), ``i + base`` when *rows* is empty — goes to ``flat[k]``,
    whether it raises the weight to ``pos[k]`` (``d < 0`` if *negative* else ``d > 0``) and
    its pulse count to ``n[k]``: ``min(floor(q / 65536) + (q − 65536·floor(q / 65536) > draw),
    n_cap)`` in float32 (1 for ``q < 65536``), as ``PairGroup._pulse_counts`` (:mod:`analysis.learning.differential_pairs`).  *mask* is
    scratch (bool, BLOCK bytes): per block of weights the comparison is stored without a
    branch, then read 8 bytes at a time, and only the words holding a pulse are looked at;
    *flat* needs 8 entries beyond the last pulse.

    Returns the new *k* and the member's pulses (the sum of the counts).
    """
    size = d.size
    cap = np.float32(n_cap)
    use_rows = rows.size > 0
    words = mask.view(np.uint64)
    first = k
    for start in range(0, size, BLOCK):
        stop = min(start + BLOCK, size)
        if stop - start < BLOCK:
            mask[:] = False
        block, block_draws = d[start:stop], draws[start:stop]
        for j in range(block.size):                  # vectorised (slices: no index checks), no branch
            mask[j] = abs(block[j]) * factor > np.float32(block_draws[j])
        for w in range(words.size):
            if words[w] != 0:                        # 8 weights, one of them at least pulses:
                for j in range(8 * w, 8 * w + 8):    # append each, advance past the pulsing ones
                    flat[k] = start + j              # (no branch; flat has 8 spare entries)
                    k += mask[j]
    pulses = 0
    for h in range(first, k):
        i = flat[h]
        q = abs(d[i]) * factor
        r = np.float32(draws[i])
        if use_rows:
            row = i // n_col
            flat[h] = rows[row] * n_col + (i - row * n_col) + base
        else:
            flat[h] = i + base
        pos[h] = d[i] < 0 if negative else d[i] > 0
        count = np.float32(1.0)                      # q < 65,536 (whole = 0, q > r): one pulse
        if q >= _ROUNDING_SCALE:
            whole = np.floor(q / _ROUNDING_SCALE)
            count = whole + (np.float32(1.0) if q - whole * _ROUNDING_SCALE > r else np.float32(0.0))
            count = min(count, cap)                  # np.minimum (cap ≥ 1)
        n[h] = np.float64(count)
        pulses += int(count)
    return k, pulses


@numba.njit(cache=True, nogil=True)
def apply_pulses(flat, pos, n, g, tab, offsets, push_pull, sigma, za, zb, g_min, g_max,
                 size, ratio, shift, out, write, gp_new, gm_new):
    """Move the pulsed pairs *flat* along the device's tables; optionally write their weights.

    *g* holds G⁺, G⁻ of pair ``f`` at ``2f``, ``2f + 1``; *tab*/*offsets* the four lookups
    (pulse index of a potentiation conductance, its conductance, the same for depression;
    :func:`table_pack`).  With ``sigma > 0`` the pair gets ``σ √n · za`` and ``σ √n · zb``
    added and is clipped to [g_min, g_max].  With *write*, ``out[f + shift[m]]`` (member
    ``m = f // size``; *flat* is sorted) becomes the float32 ``ratio[m] · (G⁺ − G⁻)``.  *gp_new*, *gm_new*:
    scratch of at least ``flat.size`` values: the conductances of the devices to potentiate and
    to depress are gathered first (a loop of independent loads, so that their cache misses
    overlap), moved along their tables (loops without data-dependent branches), then written.
    """
    pi, pg = _table(tab, offsets[0]), _table(tab, offsets[1])
    di, dg = _table(tab, offsets[2]), _table(tab, offsets[3])
    count = flat.size
    for i in range(count):                           # the device to potentiate: G⁺ if pos, else G⁻
        f = flat[i]
        gp_new[i] = g[2 * f + 1 - pos[i]]
        gm_new[i] = g[2 * f + pos[i]]
    for i in range(count):
        gp_new[i] = _interp(tab, pg, _interp(tab, pi, gp_new[i]) + n[i])
    if push_pull:                                    # the other one is depressed
        for i in range(count):
            gm_new[i] = _interp(tab, dg, _interp(tab, di, gm_new[i]) + n[i])
    m, member_end = 0, size                          # flat is sorted: the members come in order
    for i in range(count):
        f = flat[i]
        while f >= member_end:
            m += 1
            member_end += size
        g[2 * f + 1 - pos[i]] = gp_new[i]
        if push_pull:
            g[2 * f + pos[i]] = gm_new[i]
        gp = g[2 * f]
        gm = g[2 * f + 1]
        if sigma > 0.0:
            s = sigma * np.sqrt(n[i])
            gp = min(max(gp + s * za[i], g_min), g_max)     # np.clip: max, then min
            gm = min(max(gm + s * zb[i], g_min), g_max)
            g[2 * f] = gp
            g[2 * f + 1] = gm
        if write:
            out[f + shift[m]] = np.float32(ratio[m] * (gp - gm))
