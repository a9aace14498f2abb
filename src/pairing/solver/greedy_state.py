"""The greedy's state: loads of a partial village assignment, O(1) move checks.

:class:`State` holds, per unit, the villages it leads and the households its
cadres carry, and per prefecture row the R3 overflow and per key set the R6
share, so that :func:`~pairing.solver.greedy.greedy` and its repairs check
one move (add, remove, swap, move) against R2–R6 and R8 in constant time.
"""

from __future__ import annotations

import numpy as np

from ..instance import IntArray
from .candidates import Candidates


class State:
    """Loads of a partial assignment and O(1) checks of one move.

    A move is either checked before it is made (:meth:`can_add`,
    :meth:`can_remove`) or made and checked on its result (:meth:`swap`,
    :meth:`move`, undone when a rule breaks); both look only at the units,
    prefecture rows (R3) and the R6 share the move touches.

    Attributes
    ----------
    lead
        Lead unit per village index (-1: none yet).
    count, load
        Per unit: villages led (R4) and households its cadres carry (R5, R8).
    held
        Per unit, its villages (an insertion-ordered set).
    log
        The moves made, ``(v, u)`` for an add and ``(v, -1 - u)`` for a
        removal, so that a chain of moves can be undone (:meth:`undo`).
    """

    def __init__(
        self, c: Candidates, n_regions: int, u_region: IntArray, u_tier: IntArray
    ) -> None:
        self.c = c
        self.region = u_region
        self.tier = u_tier
        self.lead = np.full(c.n_villages, -1, dtype=np.int64)
        self.count = np.zeros(c.n_units, dtype=np.int64)
        self.load = np.zeros(c.n_units, dtype=np.int64)
        self.held: list[dict[int, None]] = [{} for _ in range(c.n_units)]
        self.log: list[tuple[int, int]] = []  # (village, unit) or (village, -1-unit)
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

    def _r6(self, k: int, p: int) -> bool:
        """R6 with ``k`` of ``p`` province villages in key counties."""
        c = self.c
        return (not c.r6_active) or c.r6_den * k >= c.r6_num * p or k == c.key_total

    def can_add(self, v: int, u: int) -> bool:
        """Whether ``u`` may take the free village ``v`` (R3–R6, R8)."""
        c = self.c
        d = int(c.demand[v])
        if self.count[u] >= c.u_max[u] or self.load[u] + d > c.cap[u]:  # R4, R5
            return False
        if self.load[u] + d < c.need[u]:  # R8, conservative
            return False
        t = self.tier[u]
        r = int(self.region[u])
        if t == 2 and self.cpref[r] >= 0:  # R3: more county load, more overflow
            p = int(self.cpref[r])
            extra = self._overflow(r, int(self.cload[r]) + d) - self._overflow(
                r, int(self.cload[r])
            )
            if extra > 0 and self.pused[p] + extra > self.pcap[p]:
                return False
        elif t == 1 and self.pused[r] + d > self.pcap[r]:  # R3
            return False
        if t == 0 and not self.key[v]:  # R6
            return self._r6(self.k, self.p + 1)
        return True

    def can_remove(self, v: int) -> bool:
        """Whether ``v`` may leave its unit (R3, R4 minimum, R6, R8)."""
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
        if self.tier[u] == 0 and self.key[v]:
            return self._r6(self.k - 1, self.p - 1)
        return True

    def fits(self, u: int) -> bool:
        """Unit ``u`` within its R4 maximum, R5 capacity and R8 team need."""
        c = self.c
        n = self.count[u]
        if n > c.u_max[u] or self.load[u] > c.cap[u]:
            return False
        return n == 0 or self.load[u] >= c.need[u]

    def rows_ok(self, u: int) -> bool:
        """The R3 prefecture row that ``u``'s load enters, and R6, hold."""
        t = self.tier[u]
        r = int(self.region[u])
        if t == 2 and self.cpref[r] >= 0:
            p = int(self.cpref[r])
            if self.pused[p] > self.pcap[p]:
                return False
        elif t == 1 and self.pused[r] > self.pcap[r]:
            return False
        return t != 0 or self._r6(self.k, self.p)

    def swap(self, u: int, w: int, v: int) -> bool:
        """Replace ``u``'s village ``w`` by the free ``v``; undone if a rule breaks.

        ``u`` keeps its count, so its R4 minimum is no obstacle.
        """
        mark = len(self.log)
        self.remove(w)
        self.add(v, u)
        if self.fits(u) and self.rows_ok(u):
            return True
        self.undo(mark)
        return False

    def move(self, v: int, u: int, *, below_min: bool = False) -> bool:
        """Move ``v`` from its unit to ``u``; undone if a rule breaks.

        With ``below_min`` the unit left may fall below its R4 minimum (the
        caller then refills it).
        """
        old = int(self.lead[v])
        mark = len(self.log)
        self.remove(v)
        self.add(v, u)
        ok = self.fits(u) and self.fits(old)
        ok = ok and (below_min or self.count[old] >= self.c.u_min[old])
        if ok and self.rows_ok(u) and self.rows_ok(old):
            return True
        self.undo(mark)
        return False

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
        if sign > 0:
            self.lead[v] = u
            self.held[u][v] = None
        else:
            del self.held[u][v]
            self.lead[v] = -1

    def add(self, v: int, u: int) -> None:
        """Give the free village ``v`` to ``u`` (unchecked, logged)."""
        self._apply(v, u, 1)
        self.log.append((v, u))

    def remove(self, v: int) -> None:
        """Take ``v`` from its unit (unchecked, logged)."""
        u = int(self.lead[v])
        self._apply(v, u, -1)
        self.log.append((v, -1 - u))

    def undo(self, mark: int) -> None:
        """Undo the logged moves after position ``mark`` of :attr:`log`."""
        while len(self.log) > mark:
            v, u = self.log.pop()
            if u >= 0:
                self._apply(v, u, -1)
            else:
                self._apply(v, -1 - u, 1)

    def valid(self) -> bool:
        """Every unit within R4, R5 and R8, every R3 row and R6 hold (vectorised)."""
        c = self.c
        n, load = self.count, self.load
        ok = (n >= c.u_min) & (n <= c.u_max) & (load <= c.cap)
        ok &= (n == 0) | (load >= c.need)
        return bool(
            ok.all() and np.all(self.pused <= self.pcap) and self._r6(self.k, self.p)
        )
