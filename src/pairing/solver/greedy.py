"""Greedy construction with repair for the village stage (every hard rule kept).

Phases, each keeping R2, R3, R5, R6 (with its "every key village to the
province" case), R8 and the R4 maximum at every step (:class:`State` checks a
move in O(1)); R4 minimums are reached by phases 2 and 5:

1. preferred pairs (a start assignment) and continuity pairs first (R11: a
   resident team's unit keeps its village);
2. every unit below its ``min_villages`` takes its best free village (R4);
3. the other villages, the most constrained first (fewest candidate units),
   each to its best unit that can still take it;
4. repair of a village no unit can take: a bounded ejection chain
   (:func:`_insert`). At a candidate unit ``u`` holding ``w``, the village
   either replaces ``w`` (a *swap*: ``u`` keeps its count, so its R4 minimum
   is no obstacle, and its capacity, R8 team, R3 overflow and R6 share are
   checked on the result) and ``w`` is then placed the same way, or, when
   ``u`` can spare ``w``, ``w`` is placed elsewhere first and the village
   after it. Chains are at most :data:`CHAIN_DEPTH` steps deep, tried by
   iterative deepening (shortest first) within :data:`CHAIN_BUDGET` tried
   steps per village and :data:`REPAIR_BUDGET` per poor village in all;
5. repair of R4 minimums (:func:`_fill`): a unit below its minimum takes a
   free village or one moved from another unit, which, if that leaves it
   below its own minimum, refills itself the same way (bounded likewise).

Phases 4 and 5 run again while they place something (one village placed may
open the way for another). A chain that fails is undone move by move
(:meth:`State.undo`).

Every candidate pair is looked at a bounded number of times in phases 1–3,
and each unit's villages are held in a per-unit set, so construction is
linear in the candidate pairs; repair tries at most :data:`REPAIR_BUDGET`
moves per poor village (plus one :data:`CHAIN_BUDGET`) in all.

Every phase counts its work (candidate pairs looked at, moves tried) and
polls ``stop`` every :data:`~.poll.EVERY` of it (:class:`~.poll.Poll`, never
the clock). A stop ends the phase under way at once; the units left below
their minimum then release a village as at the end of repair, so what is
returned keeps every rule where it leads (with ``-1`` gaps).

The result is a full assignment that keeps every rule of the stage, or one
with ``-1`` for the villages left when repair fails (a unit left below its
minimum releases its best candidate village, so a complete result is always
valid); the caller then repairs the neighbourhood with CP-SAT, which may
prove infeasibility.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

from ..instance import IntArray
from .candidates import Candidates
from .greedy_state import State
from .poll import Halt, Poll

__all__ = ["CHAIN_BUDGET", "CHAIN_DEPTH", "REPAIR_BUDGET", "State", "greedy"]

CHAIN_DEPTH = 5
"""Steps an ejection chain may take to place one village (phase 4)."""
CHAIN_BUDGET = 20_000
"""Moves tried per village (or per unit below its minimum) in repair."""
REPAIR_BUDGET = 50
"""Moves tried in all repair, per poor village (keeps repair linear)."""


_CHUNK = 1 << 18
"""Values converted to Python lists between two polls in :func:`_groups`."""


def _groups(
    key: IntArray, val: IntArray, poll: Poll | None = None
) -> dict[int, list[int]]:
    """``val`` grouped by ``key`` (``key`` sorted), keeping the order within groups.

    Converted a chunk of about :data:`_CHUNK` values at a time, ``poll``
    ticked after each.
    """
    if len(key) == 0:
        return {}
    bounds = np.r_[0, np.flatnonzero(key[1:] != key[:-1]) + 1, len(key)]
    keys = key[bounds[:-1]].tolist()
    out: dict[int, list[int]] = {}
    g = 0
    while g < len(keys):
        # the groups starting before the next chunk's end (at least one)
        h = max(g + 1, int(np.searchsorted(bounds, bounds[g] + _CHUNK, "right")) - 1)
        h = min(h, len(keys))
        base = int(bounds[g])
        vals = val[base : int(bounds[h])].tolist()
        cut = (bounds[g : h + 1] - base).tolist()
        for k, a, b in zip(keys[g:h], cut[:-1], cut[1:], strict=True):
            out[k] = vals[a:b]
        if poll is not None:
            poll.tick(len(vals))
        g = h
    return out


def greedy(
    c: Candidates,
    n_regions: int,
    u_region: IntArray,
    u_tier: IntArray,
    *,
    start: IntArray | None = None,
    stop: Callable[[], bool] | None = None,
) -> IntArray:
    """A lead unit per village keeping every hard rule (-1 where repair failed).

    Parameters
    ----------
    c
        The candidates (fixed villages have a single candidate).
    n_regions
        Number of regions (rows of ``instance.regions``).
    u_region, u_tier
        Region index and tier code of each unit.
    start
        Optional preferred lead per village (a hint, e.g. LP rounding or a
        baseline): tried first.
    stop
        A stopping criterion, polled every :data:`~.poll.EVERY` units of
        work (:class:`~.poll.Poll`); once it says stop, the villages not yet
        placed are left ``-1``.

    Returns
    -------
    IntArray
        Lead unit per village index; ``-1`` for non-poor villages and for
        villages left when repair failed (or a stop came). When no poor
        village is ``-1`` the assignment keeps R1–R6 and R8.

    Examples
    --------
    >>> from pairing.generate import generate
    >>> from pairing.solver.candidates import build_candidates
    >>> inst = generate(2_000, seed=1)
    >>> c = build_candidates(inst, inst.v_households)
    >>> lead = greedy(c, len(inst.regions), inst.u_region, inst.u_tier)
    >>> bool((lead[c.villages] >= 0).all())
    True
    >>> stopped = greedy(
    ...     c, len(inst.regions), inst.u_region, inst.u_tier, stop=lambda: True
    ... )
    >>> bool((stopped[c.villages] < 0).all())  # stopped before its first phase
    True
    """
    s = State(c, n_regions, u_region, u_tier)
    by_unit: dict[int, list[int]] = {}
    with contextlib.suppress(Halt):  # a stop: keep what is placed so far
        _phases(s, c, start, Poll(stop), by_unit)
    _release(s, c, by_unit)
    if np.all(s.lead[c.villages] >= 0) and not s.valid():  # pragma: no cover
        raise AssertionError("greedy: a complete assignment breaks a rule")
    return s.lead


def _phases(
    s: State,
    c: Candidates,
    start: IntArray | None,
    poll: Poll,
    by_unit: dict[int, list[int]],
) -> None:
    """Phases 1-5 (:class:`~.poll.Halt` on a stop); ``by_unit`` is filled
    with each unit's candidate villages, best score first."""
    poll.check()
    # candidate units per village and villages per unit, best score first
    order = np.lexsort((-c.score, c.pv))
    poll.check()
    cand = _groups(c.pv[order], c.pu[order], poll)
    uorder = np.lexsort((-c.score, c.pu))
    poll.check()
    by_unit.update(_groups(c.pu[uorder], c.pv[uorder], poll))
    del uorder
    _place_first(s, c, order, start, poll)
    _place_short(s, c, by_unit, poll)
    _place_rest(s, c, cand, poll)
    _repair(s, c, cand, by_unit, poll)


def _place_first(
    s: State, c: Candidates, order: IntArray, start: IntArray | None, poll: Poll
) -> None:
    """Phase 1: preferred pairs (a start assignment) and continuity pairs (R11)."""
    n_u = c.n_units
    first: list[tuple[int, int, int]] = []
    if start is not None:
        # only candidate pairs (a hint may name a unit that may not lead)
        sv = start[c.villages]
        ok = (sv >= 0) & np.isin(c.villages * n_u + sv, c.pv * n_u + c.pu)
        for v in c.villages[ok].tolist():
            first.append((-(1 << 40), v, int(start[v])))
    cont = np.flatnonzero(c.team[order])
    sc = c.score[order]
    for i in cont[np.argsort(-sc[cont], kind="stable")].tolist():
        first.append((-int(sc[i]), int(c.pv[order[i]]), int(c.pu[order[i]])))
    poll.check()
    for _, v, u in sorted(first):
        poll.tick()
        if s.lead[v] < 0 and s.can_add(v, u):
            s.add(v, u)


def _place_short(
    s: State, c: Candidates, by_unit: dict[int, list[int]], poll: Poll
) -> None:
    """Phase 2: units below their minimum take their best free village (R4)."""
    short = np.flatnonzero(s.count < c.u_min).tolist()
    short.sort(key=lambda u: len(by_unit.get(u, [])))  # fewest options first
    for u in short:
        for v in by_unit.get(u, []):
            poll.tick()
            if s.count[u] >= c.u_min[u]:
                break
            if s.lead[v] < 0 and s.can_add(v, u):
                s.add(v, u)


def _place_rest(
    s: State, c: Candidates, cand: dict[int, list[int]], poll: Poll
) -> None:
    """Phase 3: the remaining villages, fewest options first, each to its best unit."""
    todo = c.villages[s.lead[c.villages] < 0].tolist()
    todo.sort(key=lambda v: len(cand.get(v, [])))
    for v in todo:
        for u in cand.get(v, []):
            poll.tick()
            if s.can_add(v, u):
                s.add(v, u)
                break


def _repair(
    s: State,
    c: Candidates,
    cand: dict[int, list[int]],
    by_unit: dict[int, list[int]],
    poll: Poll,
) -> None:
    """Phases 4 and 5: ejection chains, then R4 minimums, again while that helps.

    A village placed may open the way for another (:func:`_release` then
    deals with the units left below their minimum).
    """
    total = [REPAIR_BUDGET * len(c.villages) + CHAIN_BUDGET]
    progress = True
    while progress and total[0] > 0:
        poll.check()
        progress = False
        for v in c.villages[s.lead[c.villages] < 0].tolist():
            progress |= _insert(s, v, cand, total=total, poll=poll)
        for u in np.flatnonzero(s.count < c.u_min).tolist():
            while s.count[u] < c.u_min[u] and _fill(
                s, u, by_unit, total=total, poll=poll
            ):
                progress = True


def _release(s: State, c: Candidates, by_unit: dict[int, list[int]]) -> None:
    """A unit below its minimum releases its best candidate village (R4).

    So the caller sees the assignment as incomplete (and repairs around
    it): a complete result always keeps R4.
    """
    for u in np.flatnonzero(s.count < c.u_min).tolist():
        v = by_unit.get(u, [-1])[0]
        if v >= 0 and s.lead[v] >= 0:
            s.remove(v)


def _insert(
    s: State,
    v: int,
    cand: dict[int, list[int]],
    *,
    depth: int = CHAIN_DEPTH,
    budget: int = CHAIN_BUDGET,
    total: list[int] | None = None,
    poll: Poll | None = None,
) -> bool:
    """Place the free village ``v`` by an ejection chain of at most ``depth`` steps.

    Iterative deepening: chains of 0, 1, ... steps are tried in turn, all
    within ``budget`` tried steps (and what is left of a shared ``total``,
    which is reduced by the steps tried); ``poll`` ticked per step.
    """
    left = [min(budget, total[0])] if total is not None else [budget]
    start = left[0]
    p = poll or Poll(None)
    try:
        done = any(_chain(s, v, cand, d, left, {v}, -1, p) for d in range(depth + 1))
    finally:
        if total is not None:
            total[0] -= start - left[0]
    return done


def _chain(
    s: State,
    v: int,
    cand: dict[int, list[int]],
    depth: int,
    left: list[int],
    chain: set[int],
    avoid: int,
    poll: Poll,
) -> bool:
    """Depth-first search of :func:`_insert`.

    A step at a candidate unit ``u`` of ``v`` holding ``w`` either swaps
    ``w`` for ``v`` and places ``w``, or (when ``u`` can spare ``w``) places
    ``w`` elsewhere first and then ``v``. ``chain`` holds the villages moved
    so far, ``avoid`` a unit ``v`` has just left.
    """
    units = cand.get(v, [])
    poll.tick(len(units))
    for u in units:
        if u != avoid and s.can_add(v, u):
            s.add(v, u)
            return True
    if depth == 0:
        return False
    for u in units:
        if u == avoid:
            continue
        for w in list(s.held[u]):
            if w in chain:
                continue
            if left[0] <= 0:
                return False
            left[0] -= 1
            mark = len(s.log)
            chain.add(w)
            if s.swap(u, w, v):
                if _chain(s, w, cand, depth - 1, left, chain, u, poll):
                    return True
                s.undo(mark)
            if s.can_remove(w):
                before = set(chain)
                s.remove(w)
                if _chain(s, w, cand, depth - 1, left, chain, u, poll) and _chain(
                    s, v, cand, depth - 1, left, chain, -1, poll
                ):
                    return True
                s.undo(mark)
                chain &= before
            chain.discard(w)
    return False


def _fill(
    s: State,
    u: int,
    by_unit: dict[int, list[int]],
    *,
    depth: int = CHAIN_DEPTH,
    budget: int = CHAIN_BUDGET,
    total: list[int] | None = None,
    poll: Poll | None = None,
) -> bool:
    """Give ``u`` one more village (R4), moving one from a unit that can spare it.

    A unit that a move leaves below its own minimum refills itself the same
    way, up to ``depth`` moves deep, within ``budget`` tried moves (and what
    is left of a shared ``total``, reduced by the moves tried); ``poll``
    ticked per step.
    """
    left = [min(budget, total[0])] if total is not None else [budget]
    start = left[0]
    p = poll or Poll(None)
    try:
        done = any(_refill(s, u, by_unit, d, left, {u}, p) for d in range(depth + 1))
    finally:
        if total is not None:
            total[0] -= start - left[0]
    return done


def _refill(
    s: State,
    u: int,
    by_unit: dict[int, list[int]],
    depth: int,
    left: list[int],
    chain: set[int],
    poll: Poll,
) -> bool:
    """Depth-first search of :func:`_fill` (``chain``: units refilled so far)."""
    villages = by_unit.get(u, [])
    poll.tick(len(villages))
    for v in villages:
        if s.lead[v] < 0 and s.can_add(v, u):
            s.add(v, u)
            return True
    if depth == 0:
        return False
    for v in villages:
        old = int(s.lead[v])
        if old < 0 or old in chain:
            continue
        if left[0] <= 0:
            return False
        left[0] -= 1
        mark = len(s.log)
        if not s.move(v, u, below_min=True):
            continue
        if s.count[old] >= s.c.u_min[old]:
            return True
        chain.add(old)
        if _refill(s, old, by_unit, depth - 1, left, chain, poll):
            return True
        chain.discard(old)
        s.undo(mark)
    return False
