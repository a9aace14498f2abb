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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import Cause, Infeasible
from ..instance import Instance, IntArray
from ..schema import LEVELS

# Which region level a leader's region must have, by tier (R7).
_TIER_LEVEL = {"province": 0, "prefecture": 1, "county": 2}


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


class _Areas:
    """Poor villages, severity and size of any area (a region or a village)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        n_r = len(inst.regions)
        pv = inst.poor_villages
        sev = inst.v_severity[pv]
        hh = inst.v_households[pv].astype(np.float64)
        county, pref = inst.v_county[pv], inst.v_prefecture[pv]
        ok_c, ok_p = county >= 0, pref >= 0
        # per region: poor villages, their severity and households (R7)
        self.r_count = np.bincount(county[ok_c], minlength=n_r) + np.bincount(
            pref[ok_p], minlength=n_r
        )
        self.r_severity = np.bincount(
            county[ok_c], weights=sev[ok_c], minlength=n_r
        ) + np.bincount(pref[ok_p], weights=sev[ok_p], minlength=n_r)
        self.r_households = np.bincount(
            county[ok_c], weights=hh[ok_c], minlength=n_r
        ) + np.bincount(pref[ok_p], weights=hh[ok_p], minlength=n_r)
        if n_r and inst.province >= 0:
            p = inst.province
            self.r_count[p] = len(pv)
            self.r_severity[p] = float(sev.sum())
            self.r_households[p] = float(hh.sum())
        self.region_ids = inst.region_index
        self.village_ids = inst.village_index

    def resolve(self, area_id: str) -> tuple[str, int]:
        """``("region", i)``, ``("village", i)`` or ``("", -1)`` for an id."""
        i = int(self.region_ids.get_indexer(pd.Index([area_id]))[0])
        if i >= 0:
            return "region", i
        i = int(self.village_ids.get_indexer(pd.Index([area_id]))[0])
        if i >= 0:
            return "village", i
        return "", -1

    def villages(self, kind: str, i: int) -> IntArray:
        """Poor villages inside an area, as indices."""
        inst = self.inst
        if kind == "village":
            return np.array([i] if inst.v_poor[i] else [], dtype=np.int64)
        if kind != "region":
            return np.zeros(0, dtype=np.int64)
        level = inst.r_level[i]
        if level == 0:
            return inst.poor_villages
        col = inst.v_county if level == 2 else inst.v_prefecture
        return np.flatnonzero(inst.v_poor & (col == i)).astype(np.int64)

    def candidates(self, covers: str, region: int) -> list[tuple[str, int]]:
        """The candidate areas of a group, most severe (then largest) first."""
        inst = self.inst
        level = inst.r_level[region]
        if covers == "village":
            vs = self.villages("region", region)
            order = np.lexsort((vs, -inst.v_households[vs], -inst.v_severity[vs]))
            return [("village", int(v)) for v in vs[order]]
        r = np.arange(len(inst.regions))
        if level == 0:
            within = np.ones(len(r), dtype=bool)
        elif level == 1:
            within = (r == region) | (inst.r_prefecture == region)
        else:
            within = r == region
        want = {"prefecture": 1, "key_county": 2, "county": 2}[covers]
        mask = within & (inst.r_level == want) & (self.r_count > 0)
        if covers == "key_county":
            mask &= inst.r_key
        rs = np.flatnonzero(mask)
        order = np.lexsort((rs, -self.r_households[rs], -self.r_severity[rs]))
        return [("region", int(x)) for x in rs[order]]

    def severity(self, kind: str, i: int) -> float:
        if kind == "village":
            return float(self.inst.v_severity[i])
        return float(self.r_severity[i])

    def area_id(self, kind: str, i: int) -> str:
        ids = self.village_ids if kind == "village" else self.region_ids
        return str(ids[i])


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
    leaders = inst.leaders
    n_l = len(leaders)
    if n_l == 0:
        empty = np.zeros(0, dtype=np.int64)
        return LeaderResult(np.zeros(0, dtype=object), empty, empty, empty.copy())

    lid = leaders["leader_id"].to_numpy(dtype=object)
    tier = leaders["tier"].to_numpy(dtype=object)
    covers = leaders["covers"].to_numpy(dtype=object)
    fixed_id = leaders["area_id"].to_numpy(dtype=object)
    region = inst.l_region
    areas = _Areas(inst)
    causes: list[Cause] = []

    # -- areas -----------------------------------------------------------------
    area: list[tuple[str, int] | None] = [None] * n_l
    groups: dict[tuple[str, int, str], list[int]] = {}
    for leader in range(n_l):
        t, r = str(tier[leader]), int(region[leader])
        want = _TIER_LEVEL.get(t, -1)
        if r < 0 or inst.r_level[r] != want:
            have = "unknown" if r < 0 else LEVELS[inst.r_level[r]]
            causes.append(
                Cause(
                    "R7",
                    str(lid[leader]),
                    f"leader {lid[leader]} of tier {t} belongs to region "
                    f"{leaders['region_id'].iat[leader]!r} (a {have}), not to a "
                    f"{LEVELS[want] if want >= 0 else 'known'} region",
                    {"tier": t, "region_level": have},
                    fix=f"set the leader's region_id to a {t}-level region",
                )
            )
            continue
        if fixed_id[leader] != "":
            kind, i = areas.resolve(str(fixed_id[leader]))
            area[leader] = (kind, i)
        elif covers[leader] == "":
            area[leader] = ("region", r)
        else:
            groups.setdefault((t, r, str(covers[leader])), []).append(leader)

    # fixed leaders count in the group of their (tier, region, covers) too
    fixed_in: dict[tuple[str, int, str], list[int]] = {}
    for leader in range(n_l):
        if area[leader] is not None and covers[leader] != "" and fixed_id[leader] != "":
            key = (str(tier[leader]), int(region[leader]), str(covers[leader]))
            fixed_in.setdefault(key, []).append(leader)
            groups.setdefault(key, [])

    contact_point = _contact_points(inst)
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2])):
        free = groups[key]
        t, r, cov = key
        cands = areas.candidates(cov, r)
        if not cands:
            for leader in free:
                causes.append(
                    Cause(
                        "R7",
                        str(lid[leader]),
                        f"leader {lid[leader]} covers a {cov} area inside region "
                        f"{inst.region_index[r]}, but no such area holds a poor "
                        "village (0 candidate areas)",
                        {"candidate_areas": 0},
                        fix="give the leader an area_id or another covers kind",
                    )
                )
            continue
        fixed = fixed_in.get(key, [])
        count = {a: 0 for a in cands}
        for leader in fixed:
            a = area[leader]
            if a in count:
                count[a] += 1
        uncovered = [a for a in cands if count[a] == 0]
        n_leaders = len(free) + len(fixed)
        if n_leaders >= len(cands):
            need = uncovered
            if len(need) > len(free):
                causes.append(
                    Cause(
                        "R7",
                        str(inst.region_index[r]),
                        f"{n_leaders} {t}-tier leaders covering {cov} areas in "
                        f"{inst.region_index[r]} for {len(cands)} areas, but fixed "
                        f"area_ids leave {len(need)} areas uncovered for "
                        f"{len(free)} free leaders — short by "
                        f"{len(need) - len(free)}",
                        {
                            "leaders": n_leaders,
                            "areas": len(cands),
                            "uncovered": len(need),
                            "free_leaders": len(free),
                        },
                        fix="remove a doubled-up fixed area_id or add leaders",
                    )
                )
                continue
        else:
            need = uncovered[: len(free)]
        if not free:
            continue
        rest = _match(free, need, area, contact_point, areas)
        # extras double up (R7): own contact point first, else the area with
        # the fewest leaders so far, most severe first
        for a in need:
            count[a] += 1
        rank = {a: k for k, a in enumerate(cands)}
        for leader in rest:
            own = _area_of_contact(contact_point[leader], cands, areas)
            a = (
                own
                if own is not None
                else min(cands, key=lambda x: (count[x], rank[x]))
            )
            area[leader] = a
            count[a] += 1

    # every area must hold a poor village (fixed or own-region areas)
    for leader in range(n_l):
        a = area[leader]
        if a is None:
            continue
        kind, i = a
        if i < 0 or len(areas.villages(kind, i)) == 0:
            what = str(fixed_id[leader]) or str(leaders["region_id"].iat[leader])
            found = "an unknown id" if i < 0 else "0 poor villages"
            causes.append(
                Cause(
                    "R7",
                    str(lid[leader]),
                    f"leader {lid[leader]}'s area {what} holds no poor village "
                    f"({found})",
                    {"poor_villages": 0},
                    fix="give the leader an area_id holding a poor village",
                )
            )
    if causes:
        raise Infeasible(causes)

    # -- contact villages and households -----------------------------------
    order, start, avail = _village_queues(inst)
    taken = np.zeros(len(inst.villages), dtype=np.int64)
    users = np.zeros(len(inst.villages), dtype=np.int64)
    contact = np.full(n_l, -1, dtype=np.int64)
    k_want = inst.l_contact_households
    # every leader has an area by now (a leader without one raised a cause above)
    placed = cast("list[tuple[str, int]]", area)
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

    area_ids = np.array([areas.area_id(*a) for a in placed], dtype=object)
    households = np.concatenate(picks).astype(np.int64)
    household_leader = np.concatenate(owners).astype(np.int64)
    srt = np.argsort(households, kind="stable")
    return LeaderResult(area_ids, contact, households[srt], household_leader[srt])


def _contact_points(inst: Instance) -> IntArray:
    """Contact point village index per leader (-1 when none or unknown)."""
    ids = inst.leaders["contact_point_village_id"].to_numpy(dtype=object)
    return inst.village_index.get_indexer(pd.Index(ids)).astype(np.int64)


def _area_of_contact(
    v: int, cands: list[tuple[str, int]], areas: _Areas
) -> tuple[str, int] | None:
    """The candidate area holding poor village ``v``, if any."""
    inst = areas.inst
    if v < 0 or not inst.v_poor[v]:
        return None
    for kind, i in (
        ("village", v),
        ("region", int(inst.v_county[v])),
        ("region", int(inst.v_prefecture[v])),
    ):
        if (kind, i) in cands:
            return (kind, i)
    return None


def _match(
    free: list[int],
    need: list[tuple[str, int]],
    area: list[tuple[str, int] | None],
    contact_point: IntArray,
    areas: _Areas,
) -> list[int]:
    """Give each area of ``need`` one free leader; return the leaders left.

    A leader whose contact point lies in a needed area gets it; the other
    needed areas, most severe first, go to the other leaders in row order.
    """
    open_ = list(need)
    rest = []
    for leader in free:
        a = _area_of_contact(contact_point[leader], open_, areas)
        if a is not None:
            area[leader] = a
            open_.remove(a)
        else:
            rest.append(leader)
    left = []
    for leader in rest:
        if open_:
            area[leader] = open_.pop(0)
        else:
            left.append(leader)
    return left


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
