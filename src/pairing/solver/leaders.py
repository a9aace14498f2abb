"""Leader stage (R7): areas, contact villages and the leaders' own households.

Runs before the village stage and does not depend on which unit leads a
village: a leader's households are simply taken out of the village's demand.

Steps, following ``docs/semantics.md``:

1. **Areas.** Leaders are grouped by ``(tier, region_id, covers)``. A
   group's candidate areas are, inside the leader's region (the whole
   province for a province-tier leader), the ``prefecture`` regions, the key
   counties, the counties or the poor villages that hold at least one poor
   village. A leader with no ``covers`` covers its own region; a leader with
   an ``area_id`` keeps it. With at least as many leaders as areas, the free
   leaders first cover the areas no fixed leader covers (most severe first);
   the extras then double up, each on the area with the fewest leaders so far
   (most severe first). With fewer leaders, the free leaders take the most
   severe areas no fixed leader covers, one each. Among the areas a step must
   cover, a free leader whose contact point lies in one of them gets that one.
2. **Contact villages.** The leader's ``contact_point_village_id`` when it is
   a poor village inside the area; otherwise the poor village of the area
   that still has enough households, preferring a village no other leader
   uses, then the most severe one.
3. **Households.** Exactly ``contact_households`` of the contact village (all
   that remain when fewer), its most severe ones not yet taken by another
   leader; ties by household id.

Step 1 lives in :mod:`.leader_areas`, whose names stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import Cause, Infeasible
from ..instance import Instance, IntArray
from .leader_areas import (
    _TIER_LEVEL,
    _area_of_contact,
    _Areas,
    _check_areas,
    _contact_points,
    _cover_group,
    _initial_areas,
    _match,
)

__all__ = [
    "_TIER_LEVEL",
    "LeaderResult",
    "_Areas",
    "_area_of_contact",
    "_contact_points",
    "_match",
    "assign_leaders",
]


@dataclass
class LeaderResult:
    """Outcome of the leader stage (R7).

    Attributes
    ----------
    area
        Area id (a region id, or a village id for ``covers = village``) per
        leader, in ``leaders`` row order.
    contact
        Contact village index per leader.
    households
        Indices of the households the leaders take personally, ascending.
    household_leader
        Leader index per entry of ``households`` (same length).
    """

    area: npt.NDArray[np.object_]
    contact: IntArray
    households: IntArray
    household_leader: IntArray


def assign_leaders(instance: Instance) -> LeaderResult:
    """Give every leader an area, a contact village and its households (R7).

    Parameters
    ----------
    instance
        The instance; its ``leaders`` table may be empty.

    Returns
    -------
    LeaderResult
        Area, contact village and households per leader.

    Raises
    ------
    Infeasible
        When a leader's region has the wrong level for its tier, its area
        (fixed or by ``covers``) holds no poor village, or a group with at
        least as many leaders as areas cannot cover them all because fixed
        leaders double up (R7). Every such leader is listed.
    """
    inst = instance
    n_l = len(inst.leaders)
    if n_l == 0:
        empty = np.zeros(0, dtype=np.int64)
        return LeaderResult(np.zeros(0, dtype=object), empty, empty, empty.copy())
    areas = _Areas(inst)
    causes: list[Cause] = []
    # -- areas -----------------------------------------------------------------
    area, groups, fixed_in = _initial_areas(inst, areas, causes)
    contact_point = _contact_points(inst)
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2])):
        _cover_group(
            inst, areas, key, groups[key], fixed_in.get(key, []), area,
            contact_point, causes,
        )  # fmt: skip
    _check_areas(inst, areas, area, causes)
    if causes:
        raise Infeasible(causes)
    # every leader has an area by now (a leader without one raised a cause above)
    placed = cast("list[tuple[str, int]]", area)
    contact, households, household_leader = _contacts(
        inst, areas, placed, contact_point
    )
    area_ids = np.array([areas.area_id(*a) for a in placed], dtype=object)
    srt = np.argsort(households, kind="stable")
    return LeaderResult(area_ids, contact, households[srt], household_leader[srt])


def _contacts(
    inst: Instance,
    areas: _Areas,
    placed: list[tuple[str, int]],
    contact_point: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """Steps 2 and 3: each leader's contact village, and the households the
    leaders take (with their leader), in the order they were taken."""
    n_l = len(placed)
    order, start, avail = _village_queues(inst)
    taken = np.zeros(len(inst.villages), dtype=np.int64)
    users = np.zeros(len(inst.villages), dtype=np.int64)
    contact = np.full(n_l, -1, dtype=np.int64)
    k_want = inst.l_contact_households
    inside = [areas.villages(*placed[leader]) for leader in range(n_l)]
    honoured = [
        contact_point[leader] >= 0
        and contact_point[leader] in set(inside[leader].tolist())
        for leader in range(n_l)
    ]
    for leader in range(n_l):  # contact points first: they are fixed
        if honoured[leader]:
            contact[leader] = contact_point[leader]
            users[contact[leader]] += 1
    picks: list[IntArray] = []
    owners: list[IntArray] = []
    for leader in [i for i in range(n_l) if honoured[i]] + [
        i for i in range(n_l) if not honoured[i]
    ]:
        if contact[leader] < 0:
            vs = inside[leader]
            left = avail[vs] - taken[vs]
            short = left < k_want[leader]
            best = np.lexsort((vs, -inst.v_severity[vs], users[vs] > 0, short))
            contact[leader] = vs[best[0]]
            users[contact[leader]] += 1
        v = contact[leader]
        k = int(min(k_want[leader], avail[v] - taken[v]))
        got = order[start[v] + taken[v] : start[v] + taken[v] + k]
        taken[v] += k
        picks.append(got)
        owners.append(np.full(k, leader, dtype=np.int64))
    households = np.concatenate(picks).astype(np.int64)
    return contact, households, np.concatenate(owners).astype(np.int64)


def _id_rank(ids: pd.Series) -> IntArray:
    """Each id's rank in sorted order (text order; Arrow's sort on Arrow-backed
    ids, ten times faster than sorting 430,000 Python strings)."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        ranks = pc.rank(pa.array(ids.array), sort_keys="ascending", tiebreaker="dense")
        return np.asarray(ranks.to_numpy(), dtype=np.int64) - 1
    except Exception:  # no pyarrow, or ids Arrow cannot take as text
        hid = ids.to_numpy(dtype=object)
        return np.asarray(pd.factorize(hid, sort=True)[0], dtype=np.int64)


def _village_queues(inst: Instance) -> tuple[IntArray, IntArray, IntArray]:
    """Households grouped by village, most severe first (ties by id).

    Returns ``order`` (household indices), ``start`` (first position of each
    village in ``order``) and ``count`` (households per village).
    """
    id_rank = _id_rank(inst.households["household_id"])
    order = np.lexsort((id_rank, -inst.h_severity, inst.h_village)).astype(np.int64)
    count = inst.v_households
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return order, start, count
