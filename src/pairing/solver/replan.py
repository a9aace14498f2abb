"""Re-planning's village stage (R14, 一包到底): keep every village that can stay.

A village stays with its baseline unit whenever the unit can still carry it
after its households are re-spread among its own remaining cadres: the unit
still exists and may lead it (R2, R8 team), leads no more villages than
R4 now allows, and its cadres' places hold its villages' households (R5).
Where a unit can no longer carry them all, the fewest of its villages are
freed — as many as it can carry stay, and of equal counts those holding the
most households (so the fewest households move). Freed, new and orphaned
villages (their unit gone) are then placed by an exact block of the
labelled model (:func:`.model.restrict`: every kept lead fixed), solved by
HiGHS, where each pair is also charged for the scattered households it would
push out of the receiving unit (those must move too). When the block cannot
place them, the same tier and region's villages are freed as well, each
still worth R14's bonus for staying; when that fails too, the caller runs
the full stage.

``pin="villages"`` keeps every village whose unit still exists and may lead
it, whatever its capacity: the unit's R5 row is raised to its villages'
households, and the household stage leaves the ones its cadres cannot carry
uncovered, each listed with the shortfall to fix (a partial plan,
:mod:`.partial`).

Examples
--------
>>> import numpy as np
>>> fewest_freed(np.array([60, 50, 30]), capacity=90, most=3).tolist()
[False, True, False]
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np

from ..instance import Instance, IntArray
from .candidates import SCALE, build_candidates
from .leads import lead_of
from .lp import solve_mip
from .model import build_model, complete, restrict
from .teams import fieldable

__all__ = ["Pins", "fewest_freed", "keep_villages", "pins"]

Kept = tuple[IntArray, float, float, str]
"""``lead, objective, bound, status`` of :func:`keep_villages`."""
ENUMERATE = 6
"""A unit with at most this many villages has its kept set found exactly."""


@dataclass(frozen=True)
class Pins:
    """The baseline leads a re-plan keeps, and what it had to free.

    Attributes
    ----------
    fixed
        Per village, the baseline unit kept (-1: free).
    freed
        Villages whose unit is kept but could not carry them (R5, R4).
    floor
        Per unit, the R5 capacity its pinned villages need (``pin`` only:
        the households beyond its capacity are left uncovered).
    """

    fixed: IntArray
    freed: IntArray
    floor: IntArray | None


def fewest_freed(demand: np.ndarray, capacity: int, most: int) -> np.ndarray:
    """Which of one unit's villages to free so the rest fit (R4, R5).

    The most villages stay that fit ``capacity`` and ``most`` (R4's
    maximum); among those, the ones holding the most households.
    """
    k = len(demand)
    if k <= ENUMERATE:
        best: tuple[int, int] = (-1, -1)
        keep: tuple[int, ...] = ()
        for r in range(min(k, most), -1, -1):
            for combo in itertools.combinations(range(k), r):
                load = int(demand[list(combo)].sum())
                if load <= capacity and (r, load) > best:
                    best, keep = (r, load), combo
            if best[0] == r:
                break
        out = np.ones(k, dtype=bool)
        out[list(keep)] = False
        return out
    order = np.argsort(demand, kind="stable")  # many villages: lightest stay
    stay = np.cumsum(demand[order]) <= capacity
    stay &= np.arange(k) < most
    out = np.ones(k, dtype=bool)
    out[order[stay]] = False
    return out


def pins(
    instance: Instance, demand: IntArray, prefer: IntArray, pin: bool = False
) -> Pins:
    """The baseline leads that may stay (module docstring)."""
    poor = instance.poor_villages
    u = prefer[poor]
    tier, region = instance.u_tier, instance.u_region
    can = fieldable(instance) & (instance.u_max > 0)
    ok = u >= 0
    uu = np.maximum(u, 0)
    ok &= can[uu] & (
        (tier[uu] == 0)
        | ((tier[uu] == 1) & (region[uu] == instance.v_prefecture[poor]))
        | ((tier[uu] == 2) & (region[uu] == instance.v_county[poor]))
    )
    fixed = np.full(len(instance.villages), -1, dtype=np.int64)
    fixed[poor[ok]] = u[ok]
    n_u = len(instance.units)
    load = np.bincount(u[ok], weights=demand[poor[ok]], minlength=n_u)
    count = np.bincount(u[ok], minlength=n_u)
    cap = instance.u_capacity
    over = np.flatnonzero((count > instance.u_max) | (~pin & (load > cap)))
    freed: list[int] = []
    for unit in over.tolist():
        vs = poor[ok][u[ok] == unit]
        limit = int(load[unit]) if pin else int(cap[unit])
        free = fewest_freed(demand[vs], limit, int(instance.u_max[unit]))
        freed += vs[free].tolist()
    fixed[freed] = -1
    floor = None
    if pin:
        kept = fixed[poor] >= 0
        floor = np.bincount(
            fixed[poor][kept], weights=demand[poor][kept], minlength=n_u
        ).astype(np.int64)
    return Pins(fixed, np.asarray(sorted(freed), dtype=np.int64), floor)


def keep_villages(
    instance: Instance,
    demand: IntArray,
    prefer: IntArray,
    keep: IntArray,
    *,
    time_limit: float,
    seed: int = 0,
    deterministic: bool = False,
) -> Kept | None:
    """Leads that keep every village that can stay, the freed ones placed.

    Parameters
    ----------
    instance, demand
        As the village stage takes them.
    prefer
        The baseline lead per village (-1: none).
    keep
        The baseline cadre per household (-1: none): a unit's scattered
        households, which a village placed there would push out.
    time_limit
        Seconds for the block solves.

    Returns
    -------
    lead, objective, bound, status
        ``bound`` is the bound of the block solved (the kept leads fixed);
        None when no block placed the free villages (run the full stage).
    """
    t0 = time.perf_counter()
    p = pins(instance, demand, prefer)
    c = build_candidates(instance, demand)
    m = build_model(c)
    poor = instance.poor_villages
    fixed = p.fixed
    free_v = poor[fixed[poor] < 0]
    on = fixed[c.pv] == c.pu
    stay = (prefer[c.pv] == c.pu) & (prefer[c.pv] >= 0)
    # R14's bonus per baseline lead kept, as the full stage counts it
    bonus = 4 * int(np.abs(c.score).max(initial=0)) + SCALE

    def result(lead: IntArray, bound: float, status: str) -> Kept:
        kept = int(stay[c.pair_index(lead)].sum())
        value = float(c.objective(lead) + bonus * kept)
        return lead, value, max(value, bound + bonus * kept), status

    if not len(free_v):
        x = complete(m, on.astype(np.int64))
        return None if x is None else result(lead_of(c, x), -math.inf, "optimal")
    # in the block: villages kept first, then households not pushed out, then
    # the score (each weight outweighs everything after it)
    pushed = _pushed(instance, c, keep, fixed)
    w_push = 2 * int(np.abs(c.score).max(initial=0)) + 1
    w_stay = w_push * (int(c.dem.max(initial=0)) + 1)
    charge = w_push * pushed - w_stay * stay
    for free_villages in (free_v, _scope(instance, c, fixed, prefer)):
        free = np.isin(c.pv, free_villages)
        block = restrict(m, free, on & ~free)
        block.model.cost[: block.model.n_pairs] -= charge[block.pairs]
        r = solve_mip(
            block.model,
            time_limit=max(0.2, time_limit - (time.perf_counter() - t0)),
            seed=seed,
            nodes=2000 if deterministic else None,
        )
        if r.status in ("infeasible", "unknown") or not np.all(np.isfinite(r.x)):
            continue
        x = on & ~free
        x[block.pairs[np.rint(r.x[: block.model.n_pairs]) > 0]] = True
        lead = lead_of(c, x.astype(np.int64))
        if r.status == "optimal":
            return result(lead, -math.inf, "optimal")
        # HiGHS' bound of the block, its charges given back (kept leads fixed)
        rest = float(c.score[on & ~free].sum())
        bound = rest + float(r.bound) + float(np.maximum(charge[free], 0).sum())
        return result(lead, bound, "feasible")
    return None


def _pushed(
    instance: Instance, c: object, keep: IntArray, fixed: IntArray
) -> np.ndarray:
    """Per pair, the scattered households its unit would have to give up to
    take the village (they move too)."""
    from .candidates import Candidates

    assert isinstance(c, Candidates)
    n_u = len(instance.units)
    cadre = np.asarray(keep, dtype=np.int64)
    sc = np.flatnonzero(instance.h_scattered & (cadre >= 0))
    sc = sc[cadre[sc] < len(instance.cadres)]
    scattered = np.bincount(instance.c_unit[cadre[sc]], minlength=n_u)
    poor = instance.poor_villages
    kept = fixed[poor] >= 0
    village = np.bincount(
        fixed[poor][kept], weights=c.demand[poor][kept], minlength=n_u
    )
    room = instance.u_capacity - village - scattered
    pushed = np.maximum(0, c.dem - np.maximum(room[c.pu], 0))
    return np.minimum(pushed, scattered[c.pu]).astype(np.int64)


def _scope(
    instance: Instance, c: object, fixed: IntArray, prefer: IntArray
) -> IntArray:
    """The wider block: every village led in the baseline by a unit of the
    tier and region of a unit that may take a free village."""
    from .candidates import Candidates

    assert isinstance(c, Candidates)
    poor = instance.poor_villages
    free_v = poor[fixed[poor] < 0]
    units = np.unique(c.pu[np.isin(c.pv, free_v)])
    key = instance.u_tier * (len(instance.regions) + 1) + np.where(
        instance.u_tier == 0, -1, instance.u_region
    )
    groups = np.unique(key[units])
    base = prefer[poor]
    led = base >= 0
    wide = poor[led][np.isin(key[base[led]], groups)]
    return np.union1d(free_v, wide)
