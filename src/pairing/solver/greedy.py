"""Greedy construction with repair for the village stage (every hard rule kept).

Phases, each keeping R2–R6 and R8 at every step (:class:`State` checks a move
in O(1)):

1. continuity pairs first (R11: a resident team's unit keeps its village);
2. every unit below its ``min_villages`` takes its best free village (R4);
3. the other villages, the most constrained first (fewest units that can
   still take them), each to its best unit;
4. repair: a village no unit can take is inserted by an ejection chain (a
   village of a candidate unit moves to another unit to make room);
5. repair of R4 minimums by moving a village from a unit above its minimum.

The result is a full assignment or, when repair fails, one with ``-1`` for
the villages left (the caller then asks CP-SAT, which may prove
infeasibility).
"""

from __future__ import annotations

import numpy as np

from ..instance import IntArray
from .candidates import Candidates


class State:
    """Loads of a partial assignment and O(1) checks of one move."""

    def __init__(
        self, c: Candidates, n_regions: int, u_region: IntArray, u_tier: IntArray
    ) -> None:
        self.c = c
        self.region = u_region
        self.tier = u_tier
        self.lead = np.full(c.n_villages, -1, dtype=np.int64)
        self.count = np.zeros(c.n_units, dtype=np.int64)
        self.load = np.zeros(c.n_units, dtype=np.int64)
        # R3 per region: county rhs (S_c - county capacity), county load,
        # prefecture capacity and use (its units' loads + overflow of its counties)
        self.rhs = np.full(n_regions, np.iinfo(np.int64).min // 4, dtype=np.int64)
        self.rhs[c.r3_county] = c.r3_rhs
        self.cpref = np.full(n_regions, -1, dtype=np.int64)
        self.cpref[c.r3_county] = c.r3_pref
        self.cload = np.zeros(n_regions, dtype=np.int64)
        self.pused = np.zeros(n_regions, dtype=np.int64)
        self.pcap = c.pref_cap
        for r, p in zip(c.r3_county.tolist(), c.r3_pref.tolist(), strict=True):
            if p >= 0:
                self.pused[p] += max(0, int(self.rhs[r]))
        self.k = 0  # R6: province villages in key counties
        self.p = 0  # R6: province villages
        self.key = np.zeros(c.n_villages, dtype=bool)
        self.key[c.pv[c.key]] = True

    def _overflow(self, r: int, cload: int) -> int:
        return max(0, int(self.rhs[r]) + cload)  # S_c - (cap_c - load_c)

    def can_add(self, v: int, u: int) -> bool:
        c = self.c
        d = int(c.demand[v])
        if self.count[u] >= c.u_max[u] or self.load[u] + d > c.cap[u]:
            return False
        if self.load[u] + d < c.need[u]:  # R8, conservative
            return False
        t = self.tier[u]
        r = int(self.region[u])
        if t == 2 and self.cpref[r] >= 0:
            p = int(self.cpref[r])
            extra = self._overflow(r, int(self.cload[r]) + d) - self._overflow(
                r, int(self.cload[r])
            )
            if extra > 0 and self.pused[p] + extra > self.pcap[p]:
                return False
        elif t == 1 and self.pused[r] + d > self.pcap[r]:
            return False
        if t == 0 and c.r6_active and not self.key[v]:
            return c.r6_den * self.k >= c.r6_num * (self.p + 1)
        return True

    def can_remove(self, v: int) -> bool:
        u = int(self.lead[v])
        c = self.c
        if self.count[u] - 1 < c.u_min[u]:
            return False
        if self.count[u] > 1 and self.load[u] - c.demand[v] < c.need[u]:
            return False
        if self.tier[u] == 2:
            r = int(self.region[u])
            if self.cpref[r] >= 0:
                p = int(self.cpref[r])
                d = int(c.demand[v])
                extra = self._overflow(r, int(self.cload[r]) - d) - self._overflow(
                    r, int(self.cload[r])
                )
                if self.pused[p] + extra > self.pcap[p]:
                    return False
        if self.tier[u] == 0 and self.c.r6_active and self.key[v]:
            return c.r6_den * (self.k - 1) >= c.r6_num * (self.p - 1)
        return True

    def _apply(self, v: int, u: int, sign: int) -> None:
        d = int(self.c.demand[v]) * sign
        self.count[u] += sign
        self.load[u] += d
        r = int(self.region[u])
        t = self.tier[u]
        if t == 2:
            if self.cpref[r] >= 0:
                p = int(self.cpref[r])
                before = self._overflow(r, int(self.cload[r]))
                self.pused[p] += self._overflow(r, int(self.cload[r]) + d) - before
            self.cload[r] += d
        elif t == 1:
            self.pused[r] += d
        elif t == 0:
            self.p += sign
            self.k += sign * int(self.key[v])

    def add(self, v: int, u: int) -> None:
        self.lead[v] = u
        self._apply(v, u, 1)

    def remove(self, v: int) -> None:
        u = int(self.lead[v])
        self._apply(v, u, -1)
        self.lead[v] = -1


def greedy(
    c: Candidates,
    n_regions: int,
    u_region: IntArray,
    u_tier: IntArray,
    *,
    start: IntArray | None = None,
) -> IntArray:
    """A lead unit per village keeping every hard rule (-1 where repair failed).

    Parameters
    ----------
    c
        The candidates (fixed villages have a single candidate).
    start
        Optional preferred lead per village (a hint, e.g. LP rounding or a
        baseline): tried first, in the order of its pairs' scores.
    """
    s = State(c, n_regions, u_region, u_tier)
    n_u = c.n_units
    # candidate lists per village, best score first
    order = np.lexsort((-c.score, c.pv))
    pv, pu, sc = c.pv[order], c.pu[order], c.score[order]
    bounds = np.r_[0, np.flatnonzero(pv[1:] != pv[:-1]) + 1, len(pv)]
    cand: dict[int, list[int]] = {}
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        cand[int(pv[a])] = pu[a:b].tolist()
    by_unit: dict[int, list[int]] = {}
    uorder = np.lexsort((-sc, pu))
    for v, u in zip(pv[uorder].tolist(), pu[uorder].tolist(), strict=True):
        by_unit.setdefault(u, []).append(v)

    # 1. preferred pairs (a start assignment) and continuity pairs, best first
    first: list[tuple[int, int, int]] = []
    if start is not None:
        for v in c.villages.tolist():
            if start[v] >= 0:
                first.append((-(1 << 40), v, int(start[v])))
    cont = np.flatnonzero(c.team[order])
    for i in cont[np.argsort(-sc[cont], kind="stable")].tolist():
        first.append((-int(sc[i]), int(pv[i]), int(pu[i])))
    for _, v, u in sorted(first):
        if s.lead[v] < 0 and s.can_add(v, u):
            s.add(v, u)

    # 2. units below their minimum take their best free village (fewest options first)
    short = [u for u in range(n_u) if s.count[u] < c.u_min[u]]
    short.sort(key=lambda u: len(by_unit.get(u, [])))
    for u in short:
        for v in by_unit.get(u, []):
            if s.count[u] >= c.u_min[u]:
                break
            if s.lead[v] < 0 and s.can_add(v, u):
                s.add(v, u)

    # 3. the remaining villages, fewest open options first, each to its best unit
    todo = [v for v in c.villages.tolist() if s.lead[v] < 0]
    todo.sort(key=lambda v: len(cand.get(v, [])))
    for v in todo:
        for u in cand.get(v, []):
            if s.can_add(v, u):
                s.add(v, u)
                break

    # 4. ejection chains for villages left
    for v in [v for v in c.villages.tolist() if s.lead[v] < 0]:
        _insert(s, v, cand)

    # 5. R4 minimums: move a village from a unit above its minimum
    for u in [u for u in range(n_u) if s.count[u] < c.u_min[u]]:
        for v in by_unit.get(u, []):
            if s.count[u] >= c.u_min[u]:
                break
            if s.lead[v] < 0:
                if s.can_add(v, u):
                    s.add(v, u)
                continue
            if s.can_remove(v):
                old = int(s.lead[v])
                s.remove(v)
                if s.can_add(v, u):
                    s.add(v, u)
                else:
                    s.add(v, old)
    return s.lead


def _insert(s: State, v: int, cand: dict[int, list[int]]) -> bool:
    """Place ``v``, moving at most one other village out of the way."""
    for u in cand.get(v, []):
        if s.can_add(v, u):
            s.add(v, u)
            return True
    for u in cand.get(v, []):
        held = np.flatnonzero(s.lead == u).tolist()
        for w in held:
            if not s.can_remove(w):
                continue
            s.remove(w)
            if s.can_add(v, u):
                s.add(v, u)
                for u2 in cand.get(w, []):
                    if u2 != u and s.can_add(w, u2):
                        s.add(w, u2)
                        return True
                s.remove(v)
            s.add(w, u)
    return False
