"""Exact pricing of the province tier's pruned pairs: the bound of the whole stage.

Above 4M (poor village, province unit) pairs the candidates keep only each
village's and each unit's best province pairs
(:func:`~..candidates._province_pairs`), so ``D(y)`` over the candidates
bounds the *pruned* model only. :class:`ProvinceTier` keeps every eligible
province pair's objective as one dense matrix (int32: 120 MB at 4.3M
households) and solves each province unit's subproblem over *all* of them
at given multipliers: the best village, and the best two that fit together
(R5), by a running maximum over the villages in demand order (the partners
that fit beside a village are a prefix). Adding, per province unit, the
difference to its value over the kept pairs makes ``D(y)`` a bound of the
whole stage again (:func:`full_bound`).

Exact for units that take one or two villages and whose kick-off team any
village can carry (the tier defaults); any other unit is bounded from above
by its ``max_villages`` best positive values (still a proof).

Examples
--------
>>> import numpy as np
>>> tier = ProvinceTier(villages=np.array([0, 1, 2]), units=np.array([0]),
...     score=np.array([[5], [4], [9]], dtype=np.int32), demand=np.array([3, 4, 8]),
...     cap=np.array([8]), lo=np.array([1]), hi=np.array([2]), need=np.array([0]),
...     key=np.zeros(3, bool), r6_num=1, r6_den=2)
>>> tier.unit_values(np.zeros(3), np.zeros(3)).tolist()  # 9 alone, or 5 + 4
[9.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...instance import FloatArray, IntArray
from ..model import R1, R6
from ..pair_value import SCALE, _value
from .dual import Evaluation, Relaxation

INELIGIBLE = np.iinfo(np.int32).min
"""Score of a (village, unit) pair that may not be formed (R5, a fixed lead)."""


@dataclass
class ProvinceTier:
    """Every eligible province pair's score, villages by units.

    Attributes
    ----------
    villages, units
        Poor village and province unit index of each row and column.
    score
        Objective of each pair (:data:`INELIGIBLE` where it may not be formed).
    demand
        Households of each row's village (R5).
    cap, lo, hi, need
        Per column: the unit's capacity (R5), least and most villages (R4)
        and the households its team needs (R8), as in the candidates.
    key, r6_num, r6_den
        Per row, whether its village lies in a key county; R6's share.
    """

    villages: IntArray
    units: IntArray
    score: np.ndarray
    demand: IntArray
    cap: IntArray
    lo: IntArray
    hi: IntArray
    need: IntArray
    key: np.ndarray
    r6_num: int
    r6_den: int

    def unit_values(
        self, price: FloatArray, extra: FloatArray, block: int = 64
    ) -> FloatArray:
        """Each unit's best set over all its pairs, a pair's reduced value
        being ``score - price[row] - extra[row]``."""
        order = np.argsort(self.demand, kind="stable")
        d = self.demand[order]
        shift = (np.asarray(price) + np.asarray(extra))[order]
        out = np.zeros(len(self.units))
        for a in range(0, len(self.units), block):
            cols = np.arange(a, min(a + block, len(self.units)))
            out[cols] = self._block(order, d, shift, cols)
        return out

    def _block(
        self, order: IntArray, d: IntArray, shift: FloatArray, cols: IntArray
    ) -> FloatArray:
        s = self.score[order][:, cols].T.astype(np.float64)  # units x villages
        ok = (s > INELIGIBLE) & (d[None, :] <= self.cap[cols][:, None])
        r = np.where(ok, s - shift[None, :], -np.inf)
        one = r.max(axis=1, initial=-np.inf)
        run = np.maximum.accumulate(r, axis=1)
        room = self.cap[cols][:, None] - d[None, :]
        q = np.searchsorted(d, room, side="right")
        q = np.minimum(q, np.arange(len(d))[None, :])  # lighter partners only
        partner = np.where(
            q > 0, np.take_along_axis(run, np.maximum(q - 1, 0), axis=1), -np.inf
        )
        two = (r + partner).max(axis=1, initial=-np.inf)
        lo, hi, need = self.lo[cols], self.hi[cols], self.need[cols]
        lightest = int(d.min()) if len(d) else 0
        exact = (hi <= 2) & (lo <= 1) & (need <= lightest)
        best = np.where(lo <= 0, 0.0, -np.inf)
        best = np.where(hi >= 1, np.maximum(best, one), best)
        best = np.where(hi >= 2, np.maximum(best, two), best)
        # other units: their hi best positive values bound every set
        pos = np.sort(np.where(np.isfinite(r), np.maximum(r, 0.0), 0.0), axis=1)
        k = np.arange(pos.shape[1])[None, ::-1] < hi[:, None]
        loose = np.maximum((pos * k).sum(axis=1), one)
        out: FloatArray = np.where(exact, best, loose)
        return out


def full_bound(relax: Relaxation, e: Evaluation, tier: ProvinceTier) -> float:
    """``D(y)`` of the whole stage: ``e`` (over the kept pairs) with each
    province unit's value taken over all its eligible pairs."""
    m = relax.model
    rule = m.row_rule[relax.rows]
    owner = m.row_owner[relax.rows]
    price = np.zeros(int(tier.villages.max(initial=0)) + 1)
    r1 = rule == R1
    price[owner[r1]] = e.y[r1]
    extra = np.zeros(len(tier.villages))
    r6 = np.flatnonzero(rule == R6)
    if len(r6):  # R6's share row (den K - num P), then its key-villages row
        share = np.where(tier.key, tier.r6_den - tier.r6_num, -tier.r6_num)
        extra += e.y[r6[0]] * share
        if len(r6) > 1:
            extra += e.y[r6[1]] * tier.key
    values = tier.unit_values(price[tier.villages], extra)
    kept = e.unit_value[tier.units]
    return float(e.value + np.maximum(values - kept, 0.0).sum())


def build_tier(
    instance: object,
    poor: IntArray,
    prov: IntArray,
    demand: IntArray,
    cap: IntArray,
    *,
    fixed: IntArray | None,
    prefer: IntArray | None,
    bonus: int,
    lo: IntArray,
    hi: IntArray,
    need: IntArray,
    r6: tuple[int, int],
) -> ProvinceTier:
    """Every eligible province pair's score, as the candidates score theirs
    (R9, R10, R11's teams, travel, R14's baseline bonus; R5 and fixed leads
    make a pair ineligible), built in blocks of villages."""
    from ...instance import Instance

    assert isinstance(instance, Instance)
    n_u, n_p = len(instance.units), len(prov)
    top = float(instance.v_severity[poor].max()) if len(poor) else 0.0
    teams = np.unique(instance.t_village * n_u + instance.t_unit)
    score = np.full((len(poor), n_p), INELIGIBLE, dtype=np.int32)
    step = max(1, 4_000_000 // max(n_p, 1))
    for a in range(0, len(poor), step):
        vs = poor[a : a + step]
        pv, pu = np.repeat(vs, n_p), np.tile(prov, len(vs))
        team = np.isin(pv * n_u + pu, teams)
        s = np.rint(SCALE * _value(instance, pv, pu, top, team)).astype(np.int64)
        if prefer is not None:
            s += bonus * (np.asarray(prefer)[pv] == pu)
        ok = demand[pv] <= cap[pu]
        if fixed is not None:
            fv = np.asarray(fixed)[pv]
            ok &= (fv < 0) | (fv == pu)
        score[a : a + step] = np.where(ok, s, INELIGIBLE).reshape(len(vs), n_p)
    return ProvinceTier(
        villages=poor,
        units=prov,
        score=score,
        demand=demand[poor],
        cap=cap[prov],
        lo=lo[prov],
        hi=hi[prov],
        need=need[prov],
        key=instance.v_key[poor],
        r6_num=r6[0],
        r6_den=r6[1],
    )
