"""Log-partition functions of the units' sets of one and two villages.

The soft maximum of :mod:`.smooth` needs, per unit ``u`` and temperature
``tau``, ``tau log sum_{S in S_u} exp(r(S) / tau)`` over the sets the unit
may lead (R4, R5, R8), and each pair's Gibbs probability. Sets of one and
two villages are enumerated implicitly: with a unit's pairs in demand order,
the partners that fit beside a village are a prefix (lighter ones) or a
suffix-sorted prefix (heavier ones), so both sums are segmented prefix
log-sum-exps, one vectorised pass over the pairs.

Examples
--------
>>> import numpy as np
>>> v = np.log(np.array([1.0, 2.0, 3.0, 4.0]))
>>> np.exp(prefix_lse(v, np.array([0, 0, 1, 1]))).round(6).tolist()
[1.0, 3.0, 3.0, 7.0]
"""

from __future__ import annotations

import numpy as np

from ...instance import FloatArray, IntArray
from .dual import Relaxation
from .units import UnitProblems


class UnitSets:
    """One group of units' pairs, sorted by unit and demand, and the index
    structure of their sets of one and two villages."""

    def __init__(self, relax: Relaxation, pairs: IntArray) -> None:
        u = relax.units
        pu = np.empty(relax.model.n_pairs, dtype=np.int64)
        pu[u.order] = u.seg
        sub = UnitProblems(pu[pairs], u.pair_dem[pairs], u.lo, u.hi, u.cap, u.need)
        self.pairs = pairs[sub.order]  # relaxation pair index, unit/demand order
        seg, starts = sub.seg, sub.starts
        self.seg, self.starts = seg, starts
        n, n_u = len(seg), sub.n_units
        self.n_units = n_u
        first = starts[seg]
        lo, hi = u.lo[seg], u.hi[seg]
        self.single = sub.fits & (lo <= 1) & (hi >= 1)
        pair_ok = (lo <= 2) & (hi >= 2)
        pe = sub.partner_end  # lighter partners of i: [first, pe)
        self.light_at = np.maximum(pe - 1, 0).astype(np.int32)
        self.light_ok = pair_ok & (pe > first)
        # heavier partners of i: the j of its unit with pe_j > i, a prefix of
        # the unit's pairs sorted by pe descending
        self.by_end = np.lexsort((-pe, seg)).astype(np.int32)
        big = n + 2
        key = seg[self.by_end] * (2 * big) + (big - pe[self.by_end])
        at = np.searchsorted(key, seg * (2 * big) + (big - np.arange(n)), "left")
        self.heavy_at = np.maximum(at - 1, 0).astype(np.int32)
        self.heavy_ok = pair_ok & (at > first)
        self.empty = u.lo == 0
        self.active = (u.hi > 0) & (np.diff(starts) > 0)
        self.nonempty = np.flatnonzero(np.diff(starts) > 0)
        self.ragged = Ragged(starts, seg)

    def evaluate(self, r: FloatArray, tau: float) -> tuple[float, FloatArray]:
        """Sum of the units' soft maxima at reduced values ``r`` (this group's
        pairs, in its order) and each pair's probability of being led."""
        v = r / tau
        seg = self.seg
        light, heavy = self._partners(v)
        ones = segment_lse(np.where(self.single, v, -np.inf), self.starts, self)
        twos = segment_lse(v + light, self.starts, self)
        log_z = np.logaddexp(np.where(self.empty, 0.0, -np.inf), ones)
        log_z = np.logaddexp(log_z, twos)
        log_z = np.where(self.active & np.isfinite(log_z), log_z, 0.0)
        lz = log_z[seg]
        with np.errstate(invalid="ignore", over="ignore"):
            p = np.where(self.single, np.exp(v - lz), 0.0)
            p += np.exp(v + np.logaddexp(light, heavy) - lz)
        p = np.nan_to_num(p, nan=0.0, posinf=0.0)
        return float(tau * log_z[self.active].sum()), p

    def _partners(self, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per pair, the log of the summed weights of its lighter and of its
        heavier partners (villages that fit beside it, R5).

        Prefix sums in linear space, each unit shifted so that its weights
        that can matter stay within floating-point range (half its best
        value: a pair that matters is within ~40 of the best set, so both of
        its villages are above -40); units whose best exceeds
        :data:`SAFE` (a resident team's pair at a low temperature) are
        summed in log space instead.
        """
        seg = self.seg
        top = np.full(self.n_units, -np.inf)
        top[self.nonempty] = np.maximum.reduceat(v, self.starts[self.nonempty])
        finite = np.isfinite(top)
        safe = top <= SAFE
        shift = np.where(finite, np.where(safe, 0.5 * top, top - 0.5 * SAFE), 0.0)
        sh = shift[seg]
        with np.errstate(over="ignore", invalid="ignore"):
            w = np.exp(v - sh)
        w = np.where(np.isfinite(w), w, 0.0)
        with np.errstate(divide="ignore"):
            light = np.log(self.ragged.cumsum(w)[self.light_at]) + sh
            heavy = np.log(self.ragged.cumsum(w[self.by_end])[self.heavy_at]) + sh
        light = np.where(self.light_ok, light, -np.inf)
        heavy = np.where(self.heavy_ok, heavy, -np.inf)
        bad = (~safe & finite)[seg]
        if bad.any():  # log space for the few units of very high value
            pos = np.cumsum(bad) - 1
            pre = prefix_lse(v[bad], seg[bad])
            i = np.flatnonzero(bad)
            light[i] = np.where(self.light_ok[i], pre[pos[self.light_at[i]]], -np.inf)
            bad2 = bad[self.by_end]
            pos2 = np.cumsum(bad2) - 1
            pre2 = prefix_lse(v[self.by_end][bad2], seg[self.by_end][bad2])
            heavy[i] = np.where(self.heavy_ok[i], pre2[pos2[self.heavy_at[i]]], -np.inf)
        return light, heavy


SAFE = 1300.0
"""Largest best value (in temperature units) of a unit whose partner sums
are taken in linear space (``exp`` stays within float range over
``[-40 - SAFE / 2, SAFE / 2]``)."""


class Ragged:
    """Prefix sums restarting at every segment, exactly: the segments are laid
    out as rows of padded 2-D blocks (one block per power-of-two length), so
    no sum carries another segment's magnitude."""

    def __init__(self, starts: IntArray, seg: IntArray) -> None:
        length = np.diff(starts)
        live = np.flatnonzero(length > 0)
        width = np.ones(len(length), dtype=np.int64)
        width[live] = 2 ** np.ceil(np.log2(length[live])).astype(np.int64)
        self.blocks: list[tuple[int, int, int]] = []  # (base, rows, width)
        base_of = np.zeros(len(length), dtype=np.int64)
        base = 0
        for w in np.unique(width[live]).tolist():
            segs = live[width[live] == w]
            base_of[segs] = base + np.arange(len(segs)) * w
            self.blocks.append((base, len(segs), w))
            base += len(segs) * w
        self.size = base
        self.flat = base_of[seg] + (np.arange(len(seg)) - starts[seg])

    def cumsum(self, x: FloatArray) -> FloatArray:
        """Inclusive prefix sums of ``x`` (in segment order) per segment."""
        buf = np.zeros(self.size)
        buf[self.flat] = x
        for base, rows, w in self.blocks:
            block = buf[base : base + rows * w].reshape(rows, w)
            np.cumsum(block, axis=1, out=block)
        out: FloatArray = buf[self.flat]
        return out


def prefix_lse(v: FloatArray, seg: IntArray) -> FloatArray:
    """Inclusive log-sum-exp prefix of ``v`` restarting at each new ``seg``.

    Each segment is lifted above everything before it (by more than the
    values' spread), so one accumulation restarts exactly at every segment.
    """
    if len(v) == 0:
        return v
    finite = np.isfinite(v)
    spread = float(np.abs(v[finite]).max(initial=1.0))
    lift = 4.0 * spread + 800.0
    off = seg.astype(np.float64) - float(seg[0])
    out: FloatArray = np.logaddexp.accumulate(v + lift * off) - lift * off
    return out


def segment_lse(v: FloatArray, starts: IntArray, g: UnitSets) -> FloatArray:
    """Log-sum-exp of ``v`` over each unit's segment (``-inf`` when empty)."""
    out = np.full(g.n_units, -np.inf)
    if len(v) == 0:
        return out
    top = np.full(g.n_units, -np.inf)
    top[g.nonempty] = np.maximum.reduceat(v, starts[g.nonempty])
    shift = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(invalid="ignore"):
        s = np.bincount(g.seg, weights=np.exp(v - shift[g.seg]), minlength=g.n_units)
    with np.errstate(divide="ignore"):
        out = np.where(np.isfinite(top), shift + np.log(s), -np.inf)
    return out
