"""Neighbourhood repair of a partial village assignment with CP-SAT.

When the greedy (:func:`~.greedy.greedy`) leaves villages without a lead, a
small CP-SAT model re-solves only their neighbourhood: the villages left,
and every village led by one of their candidate units, are free among their
candidate pairs; every other village keeps its lead (a single pair). The
neighbourhood widens (candidate units of the free villages, and so on) when
the model is proven infeasible, up to the full model, so a plan is found
whenever one exists and the time allows, and infeasibility is proven
otherwise. Every rule of the stage (R1–R6, R8) is a row of the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..instance import BoolArray, IntArray
from .candidates import Candidates
from .cpsat import solve_cpsat
from .model import build_model

WIDEN = 2
"""Neighbourhoods tried before the full model (each one hop wider)."""


def repair(
    c: Candidates,
    lead: IntArray,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = False,
    stop: Callable[[], bool] | None = None,
    movable: BoolArray | None = None,
) -> tuple[IntArray | None, str]:
    """A complete lead assignment that changes ``lead`` only near its gaps.

    Parameters
    ----------
    c
        The candidates.
    lead
        Lead unit per village index, ``-1`` where the greedy left a poor
        village (its other leads keep every rule).
    time_limit
        Seconds in all; with ``deterministic=True``, CP-SAT's deterministic
        time instead (a share per neighbourhood, ``time_limit`` for the full
        model), so the result does not depend on the wall clock.
    seed, workers, deterministic, stop
        As for :func:`~.cpsat.solve_cpsat`; ``stop`` is also polled before
        each neighbourhood's subset and model are built (a stop then
        returns ``None``, ``unknown``).
    movable
        Per unit, whether the villages it leads may join a neighbourhood
        (all units when ``None``). Every province-tier unit is a candidate
        of every village, so a neighbourhood over all tiers holds most of
        the province; with only the local tiers movable it stays within the
        gaps' prefectures (the free villages keep all their pairs, province
        units' spare room included). The last step is the full model either
        way.

    Returns
    -------
    tuple
        The repaired assignment (``None`` without one) and the outcome:
        ``feasible``, ``infeasible`` (the full model is proven infeasible)
        or ``unknown`` (time ran out).
    """
    start = time.perf_counter()
    lead = np.asarray(lead, dtype=np.int64)
    free = np.zeros(c.n_villages, dtype=bool)
    free[c.villages[lead[c.villages] < 0]] = True
    status = "unknown"
    for step in range(WIDEN + 1):
        if stop is not None and stop():  # before each (possibly large) build
            return None, "unknown"
        full = _widen(c, lead, free, movable) or step == WIDEN
        keep = free[c.pv] | (c.pu == lead[c.pv])
        if full:
            keep[:] = True
        sub = c.subset(keep)
        if stop is not None and stop():
            return None, "unknown"
        m = build_model(sub)
        share = _share(time_limit, start, full=full, deterministic=deterministic)
        if share <= 0:
            return None, "unknown"
        r = solve_cpsat(
            m,
            time_limit=share,
            hint=(sub.pu == lead[sub.pv]).astype(np.int64),
            seed=seed,
            workers=workers,
            deterministic=deterministic,
            stop=stop,
        )
        status = r.status
        if r.x is not None:
            return _leads(c, sub, r.x), "feasible"
        if full:
            break
    return None, "infeasible" if status == "infeasible" else "unknown"


def _widen(
    c: Candidates, lead: IntArray, free: BoolArray, movable: BoolArray | None
) -> bool:
    """One hop wider, in place: ``free`` gains the villages led by a
    (movable) candidate unit of a free village; whether all are free."""
    units = np.zeros(c.n_units, dtype=bool)
    units[c.pu[free[c.pv]]] = True
    if movable is not None:
        units &= movable
    led = lead >= 0
    free[led] |= units[lead[led]]
    return bool(free[c.villages].all())


def _share(
    time_limit: float, start: float, *, full: bool, deterministic: bool
) -> float:
    """A neighbourhood's time limit (at most 0: the time is up)."""
    if deterministic:  # fixed shares of deterministic time, never the clock
        return time_limit if full else time_limit / (2 * WIDEN)
    left = time_limit - (time.perf_counter() - start)
    if left <= 0:
        return 0.0
    # the neighbourhoods share the time; the full model gets what is left
    return left if full else max(left / 2, 0.5)


def _leads(c: Candidates, sub: Candidates, x: IntArray) -> IntArray:
    """The lead per village of ``sub``'s solution ``x`` (-1 elsewhere)."""
    out = np.full(c.n_villages, -1, dtype=np.int64)
    on = np.flatnonzero(x[: sub.n] > 0)
    out[sub.pv[on]] = sub.pu[on]
    return out
