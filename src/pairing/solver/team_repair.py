"""Repair before the dispatch stage (R8): every unit with a task fields its team.

The household stage's flow knows nothing of R8's "a unit with a task sends
at least 2 (or 5) cadres responsible for its households", so it may leave a
unit with too few carriers: all of a unit's households on one cadre, or a
county unit without a head given a single scattered household. Units short
of their least team are repaired one at a time with single-household moves
(:func:`repair_teams`, documented at
:func:`pairing.solver.dispatch.repair_for_dispatch`). Only short units are
visited; the households of a cadre are found through one sort of the
households by cadre, never by a scan per move.
"""

from __future__ import annotations

import numpy as np

from ..instance import Instance, IntArray
from .teams import carriers_needed, heads_mask, task_of


class _State:
    """Responsible cadres and loads while households move (R5 kept)."""

    def __init__(self, inst: Instance, lead: IntArray, h_cadre: IntArray) -> None:
        self.inst = inst
        self.lead = np.asarray(lead, dtype=np.int64)
        self.out = np.array(h_cadre, dtype=np.int64, copy=True)
        n_c = len(inst.cadres)
        self.load, self.task, _, self.villages = task_of(inst, self.lead, self.out)
        self.is_head = heads_mask(inst)
        self.need = carriers_needed(inst)
        self.carriers = np.bincount(
            inst.c_unit,
            weights=(self.load > 0) & ~self.is_head,
            minlength=len(inst.units),
        ).astype(np.int64)
        every = np.flatnonzero(self.out >= 0)
        sc = every[inst.h_scattered[every]]
        self.scat = np.bincount(self.out[sc], minlength=n_c).astype(np.int64)
        self.by_cadre = every[np.argsort(self.out[every], kind="stable")]
        self.first = np.searchsorted(self.out[self.by_cadre], np.arange(n_c + 1))
        self.extra: dict[int, list[int]] = {}
        order = np.argsort(inst.c_unit, kind="stable")
        self.c_by_unit = order
        self.c_first = np.searchsorted(
            inst.c_unit[order], np.arange(len(inst.units) + 1)
        )

    def cadres(self, u: int) -> IntArray:
        return self.c_by_unit[self.c_first[u] : self.c_first[u + 1]]

    def households(self, c: int) -> IntArray:
        """Households cadre ``c`` carries now."""
        mine = self.by_cadre[self.first[c] : self.first[c + 1]]
        got = np.array(self.extra.get(c, []), dtype=np.int64)
        both = np.concatenate([mine, got])
        return both[self.out[both] == c]

    def short(self, u: int) -> bool:
        return bool(self.task[u] and self.carriers[u] < self.need[u])

    def move(self, h: int, to: int) -> None:
        """Household ``h`` to cadre ``to``; loads, carriers and tasks follow."""
        inst = self.inst
        frm = int(self.out[h])
        for c, step in ((frm, -1), (to, 1)):
            before = self.load[c] > 0
            self.load[c] += step
            if not self.is_head[c] and before != (self.load[c] > 0):
                self.carriers[inst.c_unit[c]] += step
        if inst.h_scattered[h]:
            self.scat[frm] -= 1
            self.scat[to] += 1
        self.out[h] = to
        self.extra.setdefault(to, []).append(h)
        for u in (inst.c_unit[frm], inst.c_unit[to]):
            unit_load = self.load[self.cadres(u)].sum()
            self.task[u] = bool(unit_load > 0 or self.villages[u] > 0)

    def idle(self, u: int) -> list[int]:
        """Non-head cadres of ``u`` without a household (cap ≥ 1), senior first."""
        cad = self.cadres(u)
        cad = cad[(self.load[cad] == 0) & (self.inst.c_cap[cad] >= 1)]
        cad = cad[~self.is_head[cad]]
        return [int(c) for c in cad[np.lexsort((cad, -self.inst.c_rank[cad]))]]

    def lightest(self, c: int, scattered: bool) -> int:
        """Cadre ``c``'s least severe household (scattered only if asked)."""
        hh = self.households(c)
        if scattered:
            hh = hh[self.inst.h_scattered[hh]]
        return int(hh[np.lexsort((hh, self.inst.h_severity[hh]))[0]])


def repair_teams(instance: Instance, lead: IntArray, h_cadre: IntArray) -> IntArray:
    """See :func:`pairing.solver.dispatch.repair_for_dispatch` (R8, R3, R5)."""
    s = _State(instance, lead, h_cadre)
    for u in np.flatnonzero(s.task & (s.carriers < s.need)).tolist():
        _within(s, u)
        if s.short(u):
            _take(s, u)
        if s.short(u):
            _give(s, u)
    return s.out


def _within(s: _State, u: int) -> None:
    """Step 1: hand single households to idle cadres of the same unit."""
    idle = s.idle(u)
    cad = s.cadres(u)
    while s.short(u) and idle:
        keep = np.where(s.is_head[cad], 1, 2)
        donors = cad[s.load[cad] >= keep]
        if not len(donors):
            return
        donor = int(donors[np.lexsort((donors, -s.load[donors]))[0]])
        s.move(s.lightest(donor, scattered=False), idle.pop(0))


def _peers(s: _State, u: int) -> IntArray:
    """Cadres of the other units of ``u``'s tier and region (R3's choice)."""
    inst = s.inst
    same = (inst.u_tier == inst.u_tier[u]) & (inst.u_region == inst.u_region[u])
    same[u] = False
    return np.flatnonzero(same[inst.c_unit])


def _take(s: _State, u: int) -> None:
    """Step 2: take scattered households from peers who carry at least 2."""
    inst = s.inst
    if inst.u_tier[u] not in (1, 2):
        return  # the province tier carries no scattered household (R3)
    idle = s.idle(u)
    missing = int(s.need[u] - s.carriers[u])
    if len(idle) < missing:
        return
    peers = _peers(s, u)
    donors = peers[(s.load[peers] >= 2) & (s.scat[peers] >= 1)]
    if len(donors) < missing:
        return
    donors = donors[np.lexsort((donors, -s.load[donors]))][:missing]
    for donor, to in zip(donors.tolist(), idle, strict=False):
        s.move(s.lightest(donor, scattered=True), to)


def _give(s: _State, u: int) -> None:
    """Step 3: a unit leading no village hands all its households to peers."""
    inst = s.inst
    if s.villages[u] > 0 or inst.u_tier[u] not in (1, 2):
        return
    mine = np.concatenate([s.households(int(c)) for c in s.cadres(u)])
    if not len(mine) or not inst.h_scattered[mine].all():
        return
    peers = _peers(s, u)
    fields = s.task & (s.carriers >= s.need)
    peers = peers[fields[inst.c_unit[peers]]]
    room = inst.c_cap[peers] - s.load[peers]
    # cadres who already carry first (no new carrier needed), then the rest
    order = np.lexsort((peers, -room, s.load[peers] == 0))
    peers, room = peers[order], room[order]
    if int(np.maximum(room, 0).sum()) < len(mine):
        return
    slots = np.repeat(peers, np.maximum(room, 0))[: len(mine)]
    for h, to in zip(mine.tolist(), slots.tolist(), strict=True):
        s.move(int(h), int(to))
