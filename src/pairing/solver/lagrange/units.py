"""Exact per-unit subproblems of the Lagrangian relaxation.

With R1 ("one lead per village"), R3 and R6 relaxed, the village stage falls
apart into one small problem per unit ``u``: choose a set ``S`` of its
candidate villages maximising the sum of the pairs' reduced values ``r``,
subject to the unit's own rows

* R4: ``lo_u <= |S| <= hi_u``;
* R5: ``sum_{v in S} d_v <= cap_u``;
* R8: ``sum_{v in S} d_v >= need_u`` when ``S`` is not empty.

:class:`UnitProblems` solves all of them exactly in a few vectorised passes
over the pairs, so a bound computed from them is valid at any multipliers.
The fast path covers the tier defaults (``hi <= 3``, ``lo <= 2``) on units
where R8 cannot bind (every candidate village alone holds the team's
households); it rests on two facts:

* a best set of size at most 2 is the best single or the best pair, and the
  best pair is found for every unit at once: in each unit's pairs sorted by
  demand, the partner of pair ``i`` ranges over the lighter pairs that fit
  beside it, a prefix, so a segmented running maximum gives it;
* a best set of size 3 either holds only pairs with ``r > 0``, or dropping
  its worst pair leaves a set of size 2 that is no worse (and still keeps
  R4's minimum, R5 and R8), so only triples of positive pairs are searched:
  each is its heaviest pair and the best pair that fits beside it among the
  lighter ones, the same prefix search once more.

Any other unit (larger ``hi`` or ``lo``, R8 able to bind, many positive
pairs) is solved by an exact dynamic programme over its capacity
(:func:`_knapsack`), in a Python loop: rare on real data, exact always.

Examples
--------
>>> import numpy as np
>>> units = UnitProblems(
...     pu=np.array([0, 0, 0]), dem=np.array([3, 4, 5]),
...     lo=np.array([1]), hi=np.array([2]), cap=np.array([8]), need=np.array([0]),
... )
>>> value, chosen = units.solve(np.array([2.0, 3.0, 4.0]))
>>> value.tolist(), chosen.tolist()
([6.0], [True, False, True])
"""

from __future__ import annotations

import numpy as np

from ...instance import BoolArray, FloatArray, IntArray

TRIPLE_MAX = 256
"""Most positive pairs of a unit whose triples are searched in vectorised form
(about ``m**2 / 2`` work for ``m`` of them); units with more go to the
dynamic programme."""


def _segment_max(values: FloatArray, starts: IntArray, n_seg: int) -> FloatArray:
    """Maximum of ``values`` over each segment ``[starts[s], starts[s+1])``.

    Empty segments give ``-inf``.
    """
    out = np.full(n_seg, -np.inf)
    if len(values) == 0:
        return out
    sizes = np.diff(starts)
    full = np.flatnonzero(sizes > 0)
    out[full] = np.maximum.reduceat(values, starts[full])
    return out


def _first_at(values: FloatArray, best: FloatArray, seg: IntArray) -> IntArray:
    """Per segment, the first position holding its best value (-1: none)."""
    hit = np.flatnonzero((values == best[seg]) & np.isfinite(values))
    out = np.full(len(best), -1, dtype=np.int64)
    out[seg[hit[::-1]]] = hit[::-1]
    return out


class UnitProblems:
    """All units' subproblems over a fixed set of pairs, solved per call.

    Parameters
    ----------
    pu
        Unit of each pair.
    dem
        Households of each pair's village (its demand, R5).
    lo, hi, cap, need
        Per unit: R4's least and most villages, R5's capacity, R8's
        households needed for the kick-off team (0: none).

    Notes
    -----
    Everything that does not depend on the reduced values (the sort by
    demand, each pair's range of partners that fit beside it) is computed
    once here; :meth:`solve` then costs a few passes over the pairs.
    """

    def __init__(
        self,
        pu: IntArray,
        dem: IntArray,
        lo: IntArray,
        hi: IntArray,
        cap: IntArray,
        need: IntArray,
    ) -> None:
        pu = np.asarray(pu, dtype=np.int64)
        dem = np.asarray(dem, dtype=np.int64)
        self.n_units = n_u = len(lo)
        self.lo = np.asarray(lo, dtype=np.int64)
        self.hi = np.asarray(hi, dtype=np.int64)
        self.cap = np.asarray(cap, dtype=np.int64)
        self.need = np.asarray(need, dtype=np.int64)
        # pairs by unit, lightest village first
        self.order = np.lexsort((np.arange(len(pu)), dem, pu))
        self.seg = pu[self.order]
        self.dem = dem[self.order]
        self.pair_dem = dem
        """Demand of each pair, in the input order."""
        self.starts = np.searchsorted(self.seg, np.arange(n_u + 1))
        count = np.diff(self.starts)
        # partners of position i: [start, partner_end[i]) fit beside it (R5)
        self.partner_end = _partner_ends(self.dem, self.seg, self.starts, self.cap)
        self.fits = (self.dem <= self.cap[self.seg]) & (self.dem >= self.need[self.seg])
        lightest = np.full(n_u, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lightest, self.seg, self.dem)
        safe = self.need <= np.minimum(lightest, np.iinfo(np.int64).max)
        active = (self.hi > 0) & (count > 0)
        self.fast = active & safe & (self.hi <= 3) & (self.lo <= 2)
        self.slow = np.flatnonzero(active & ~self.fast)

    def solve(self, r: FloatArray) -> tuple[FloatArray, BoolArray]:
        """Each unit's best value and set for the reduced values ``r``.

        Parameters
        ----------
        r
            Reduced value of each pair (input order).

        Returns
        -------
        value
            Per unit, the best objective of its subproblem (0 for a unit
            that may lead nothing; ``-inf`` when its rows cannot hold).
        chosen
            Per pair (input order), whether it is in its unit's best set.
        """
        rd = np.asarray(r, dtype=np.float64)[self.order]
        n_u, seg, starts = self.n_units, self.seg, self.starts
        value = np.where(self.lo > 0, -np.inf, 0.0)
        value[(self.hi <= 0) & (self.lo <= 0)] = 0.0
        pick = np.full((n_u, 3), -1, dtype=np.int64)  # chosen positions

        def offer(cand: FloatArray, units: BoolArray, picks: list[IntArray]) -> None:
            better = units & (cand > value)
            value[better] = cand[better]
            pick[better] = -1
            for j, p in enumerate(picks):
                pick[better, j] = p[better]

        fast = self.fast
        # the empty set, where R4 allows it
        # a single village (R5, R8 on its own)
        single = np.where(self.fits, rd, -np.inf)
        s_best = _segment_max(single, starts, n_u)
        s_at = _first_at(single, s_best, seg)
        offer(s_best, fast & (self.lo <= 1) & (self.hi >= 1), [s_at])
        # a pair: the best partner among the lighter ones that fit beside
        p_val, p_i, p_j = self._pairs(rd)
        offer(p_val, fast & (self.hi >= 2), [p_i, p_j])
        # a triple of positive pairs
        t_units = fast & (self.hi >= 3)
        t_val, t_at, overflow = self._triples(rd, t_units)
        offer(t_val, t_units, [t_at[:, 0], t_at[:, 1], t_at[:, 2]])
        chosen_pos = pick[pick >= 0]
        chosen = np.zeros(len(rd), dtype=bool)
        chosen[chosen_pos] = True
        for u in np.r_[self.slow, np.flatnonzero(overflow)].tolist():
            v, sel = _knapsack(
                rd[starts[u] : starts[u + 1]],
                self.dem[starts[u] : starts[u + 1]],
                int(self.lo[u]),
                int(self.hi[u]),
                int(self.cap[u]),
                int(self.need[u]),
            )
            value[u] = v
            chosen[starts[u] : starts[u + 1]] = sel
        out = np.zeros(len(rd), dtype=bool)
        out[self.order] = chosen
        return value, out

    def forcing_bounds(self, r: FloatArray) -> FloatArray:
        """Per pair, an upper bound on its unit's best set *containing* it.

        The Lagrangian cost of forcing pair ``p`` into the plan is at least
        ``value[u] - bound[p]`` (its unit's best without the constraint
        minus this bound), so ``D - (value[u] - bound[p])`` bounds every
        plan that uses ``p``: below the incumbent, ``p`` cannot improve it
        (reduced-cost fixing), and small costs mark the pairs worth keeping
        in an exact block. Exact for sets of one or two villages on the
        fast path (the partner bound may count ``p`` itself, which only
        loosens it); a set of three is bounded by the unit's best pair.
        Other units get ``r_p`` plus their ``hi - 1`` best positive values.
        """
        rd = np.asarray(r, dtype=np.float64)[self.order]
        n_u, seg, starts = self.n_units, self.seg, self.starts
        fast = self.fast[seg]
        out = np.full(len(rd), -np.inf)
        lo, hi = self.lo[seg], self.hi[seg]
        single = self.fits & (lo <= 1) & (hi >= 1)
        out = np.where(single, rd, out)
        # pairs: the best partner among every pair that fits beside p
        finite = np.isfinite(rd)
        low = float(rd[finite].min(initial=0.0)) - 1.0
        lifted = np.where(finite, rd, low)
        width = 2.0 * (float(lifted.max(initial=0.0)) - low) + 2.0
        key = lifted + seg * width
        run = np.maximum.accumulate(key) if len(key) else key
        at = np.maximum.accumulate(np.where(key >= run, np.arange(len(rd)), 0))
        room = self.cap[seg] - self.dem
        dkey = seg * (int(self.dem.max(initial=0)) + int(self.cap.max(initial=0)) + 2)
        q = np.searchsorted(dkey + self.dem, dkey + np.maximum(room, -1), "right")
        ok = (q > starts[seg]) & (room >= 0) & (hi >= 2) & (lo <= 2)
        partner = rd[at[np.maximum(q - 1, 0)]]
        out = np.where(ok, np.maximum(out, rd + partner), out)
        # triples: r_p plus the unit's best pair (of any weight within cap)
        p_val, _, _ = self._pairs(rd)
        s_best = _segment_max(np.where(self.fits, rd, -np.inf), starts, n_u)
        rest = np.maximum(np.maximum(p_val, s_best), 0.0)[seg]
        out = np.where(fast & (hi >= 3), np.maximum(out, rd + rest), out)
        # other units: r_p plus their best hi - 1 positive values
        slow = ~fast
        if slow.any():
            pos = np.maximum(rd, 0.0)
            order = np.lexsort((-pos, seg))
            s_sorted = seg[order]
            first = np.searchsorted(s_sorted, np.arange(n_u))
            rank = np.arange(len(rd)) - first[s_sorted]
            take = rank < (self.hi[s_sorted] - 1)
            top = np.bincount(s_sorted[take], weights=pos[order][take], minlength=n_u)
            out = np.where(slow, rd + top[seg], out)
        bound = np.empty(len(rd))
        bound[self.order] = out
        return bound

    def _pairs(self, rd: FloatArray) -> tuple[FloatArray, IntArray, IntArray]:
        """Per unit, the best pair of villages that fit together (R5)."""
        return _best_pairs(rd, self.seg, self.starts, self.partner_end)

    def _triples(
        self, rd: FloatArray, units: BoolArray
    ) -> tuple[FloatArray, IntArray, BoolArray]:
        """Per unit in ``units``, the best triple of positive pairs (R5, R4).

        A triple is its heaviest pair ``i`` (last in demand order) and the
        best pair among the positive pairs before ``i`` that fit in the
        room ``i`` leaves: one :func:`_best_pairs` over a segment per
        ``(unit, i)``. Returns the value (``-inf`` without one), the three
        positions, and the units with more than :data:`TRIPLE_MAX` positive
        pairs, left to the dynamic programme.
        """
        n_u, seg = self.n_units, self.seg
        value = np.full(n_u, -np.inf)
        at = np.full((n_u, 3), -1, dtype=np.int64)
        pos = np.flatnonzero((rd > 0) & units[seg])
        count = np.bincount(seg[pos], minlength=n_u)
        overflow = units & (count > TRIPLE_MAX)
        pos = pos[(count[seg[pos]] >= 3) & ~overflow[seg[pos]]]
        if len(pos) == 0:
            return value, at, overflow
        # rank of each positive pair within its unit (demand order)
        first = np.r_[0, np.flatnonzero(seg[pos][1:] != seg[pos][:-1]) + 1]
        size = np.diff(np.r_[first, len(pos)])
        rank = np.arange(len(pos)) - np.repeat(first, size)
        # segment per heaviest pair i: the positive pairs before it
        heavy = np.flatnonzero(rank >= 2)
        lengths = rank[heavy]
        seg_start = np.r_[0, np.cumsum(lengths)]
        owner = np.repeat(np.arange(len(heavy)), lengths)
        offset = np.arange(int(seg_start[-1])) - seg_start[owner]
        elems = pos[heavy[owner] - rank[heavy[owner]] + offset]
        room = self.cap[seg[pos[heavy]]] - self.dem[pos[heavy]]
        ends = _partner_ends(self.dem[elems], owner, seg_start, room)
        best, i, j = _best_pairs(rd[elems], owner, seg_start, ends)
        total = rd[pos[heavy]] + best
        unit = seg[pos[heavy]]
        top = np.full(n_u, -np.inf)
        np.maximum.at(top, unit, total)
        hit = np.flatnonzero(np.isfinite(total) & (total == top[unit]))
        hit = hit[np.unique(unit[hit], return_index=True)[1]]
        u = unit[hit]
        value[u] = total[hit]
        at[u, 0] = pos[heavy[hit]]
        at[u, 1] = elems[i[hit]]
        at[u, 2] = elems[j[hit]]
        return value, at, overflow


def _partner_ends(
    weight: IntArray, seg: IntArray, starts: IntArray, room: IntArray
) -> IntArray:
    """Per position ``i`` (segments sorted by weight), the end of the prefix
    ``[start, end)`` of the positions before ``i`` whose weight fits beside it
    (``weight_j <= room_seg - weight_i``)."""
    n = len(weight)
    width = int(weight.max(initial=0)) + max(int(room.max(initial=0)), 0) + 2
    key = seg * width + weight
    left = room[seg] - weight
    q = np.searchsorted(key, seg * width + np.maximum(left, -1), "right")
    q = np.where(left < 0, starts[seg], q)
    return np.minimum(np.arange(n), q)


def _best_pairs(
    vals: FloatArray, seg: IntArray, starts: IntArray, ends: IntArray
) -> tuple[FloatArray, IntArray, IntArray]:
    """Per segment, the best ``vals[i] + vals[j]`` over ``j`` in ``[start, ends[i])``.

    ``ends`` comes from :func:`_partner_ends` (or the same rule): each
    position's partners are a prefix of its segment, so a running maximum
    that restarts at every segment gives every position its best partner.
    Returns the best value per segment (``-inf`` without a pair) and its
    two positions (-1 without).
    """
    n_seg = len(starts) - 1
    if len(vals) == 0:
        none = np.full(n_seg, -1, dtype=np.int64)
        return np.full(n_seg, -np.inf), none, none
    finite = np.isfinite(vals)
    low = float(vals[finite].min(initial=0.0)) - 1.0
    lifted = np.where(finite, vals, low)
    width = 2.0 * (float(lifted.max()) - low) + 2.0
    key = lifted + seg * width  # a later segment always ranks higher
    run = np.maximum.accumulate(key)
    at = np.maximum.accumulate(np.where(key >= run, np.arange(len(vals)), 0))
    ok = ends > starts[seg]
    partner = np.where(ok, at[np.maximum(ends - 1, 0)], -1)
    total = np.where(ok & finite, vals + vals[np.maximum(partner, 0)], -np.inf)
    total = np.where(np.isfinite(total), total, -np.inf)
    best = _segment_max(total, starts, n_seg)
    i = _first_at(total, best, seg)
    j = np.where(i >= 0, partner[np.maximum(i, 0)], -1)
    return best, i, j


def _knapsack(
    r: FloatArray, dem: IntArray, lo: int, hi: int, cap: int, need: int
) -> tuple[float, BoolArray]:
    """One unit's subproblem exactly: a dynamic programme over (count, weight).

    ``best[j, w]`` is the best value of ``j`` villages of total demand ``w``;
    items that cannot improve any set (``r <= 0`` when R4's minimum is met
    without them is *not* assumed: every item is tried) are processed one by
    one, and the choice is recovered by walking the items backwards.
    """
    n = len(r)
    hi = min(hi, n)
    if hi < lo or cap < 0:
        return -np.inf, np.zeros(n, dtype=bool)
    best = np.full((hi + 1, cap + 1), -np.inf)
    best[0, 0] = 0.0
    took = np.zeros((n, hi, cap + 1), dtype=bool) if hi > 0 else None
    for i in range(n):
        d = int(dem[i])
        if d > cap or not np.isfinite(r[i]) or hi == 0:
            continue
        cand = best[:-1, : cap + 1 - d] + r[i]
        better = cand > best[1:, d:]
        best[1:, d:] = np.where(better, cand, best[1:, d:])
        assert took is not None
        took[i, :, d:] = better
    value, count, weight = -np.inf, 0, 0
    for j in range(lo, hi + 1):
        w0 = 0 if j == 0 else max(0, need)
        if w0 > cap:
            continue
        row = best[j, w0:]
        if row.max() > value:
            value, count, weight = float(row.max()), j, w0 + int(row.argmax())
    chosen = np.zeros(n, dtype=bool)
    if not np.isfinite(value):
        return value, chosen
    for i in range(n - 1, -1, -1):
        if count == 0:
            break
        assert took is not None
        if took[i, count - 1, weight]:
            chosen[i] = True
            count -= 1
            weight -= int(dem[i])
    return value, chosen
