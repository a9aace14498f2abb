"""Leader areas (R7, step 1 of :mod:`.leaders`): who covers which area.

:class:`_Areas` answers what an area holds; :func:`_initial_areas`,
:func:`_cover_group` and :func:`_check_areas` give every leader an area, group
by group, with a cause for every leader that cannot have one.
:mod:`.leaders` re-exports these names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Cause
from ..instance import Instance, IntArray
from ..schema import LEVELS

# Which region level a leader's region must have, by tier (R7).
_TIER_LEVEL = {"province": 0, "prefecture": 1, "county": 2}


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


Group = tuple[str, int, str]
"""A leader group: ``(tier, region index, covers)``."""
Area = tuple[str, int]
"""An area: ``("region", i)`` or ``("village", i)`` (``("", -1)``: unknown)."""


def _initial_areas(
    inst: Instance, areas: _Areas, causes: list[Cause]
) -> tuple[list[Area | None], dict[Group, list[int]], dict[Group, list[int]]]:
    """The areas known before any matching: a fixed ``area_id``, or the own
    region of a leader with no ``covers``; the free leaders of each group and
    the fixed leaders counted in their group too. A leader whose region has
    the wrong level for its tier gets a cause (R7) and no area."""
    leaders = inst.leaders
    lid = leaders["leader_id"].to_numpy(dtype=object)
    tier = leaders["tier"].to_numpy(dtype=object)
    covers = leaders["covers"].to_numpy(dtype=object)
    fixed_id = leaders["area_id"].to_numpy(dtype=object)
    region = inst.l_region
    area: list[Area | None] = [None] * len(leaders)
    groups: dict[Group, list[int]] = {}
    for leader in range(len(leaders)):
        tier_name, reg = str(tier[leader]), int(region[leader])
        want = _TIER_LEVEL.get(tier_name, -1)
        if reg < 0 or inst.r_level[reg] != want:
            have = "unknown" if reg < 0 else LEVELS[inst.r_level[reg]]
            causes.append(
                Cause(
                    "R7",
                    str(lid[leader]),
                    f"leader {lid[leader]} of tier {tier_name} belongs to region "
                    f"{leaders['region_id'].iat[leader]!r} (a {have}), not to a "
                    f"{LEVELS[want] if want >= 0 else 'known'} region",
                    {"tier": tier_name, "region_level": have},
                    fix=f"set the leader's region_id to a {tier_name}-level region",
                )
            )
            continue
        if fixed_id[leader] != "":
            area[leader] = areas.resolve(str(fixed_id[leader]))
        elif covers[leader] == "":
            area[leader] = ("region", reg)
        else:
            groups.setdefault((tier_name, reg, str(covers[leader])), []).append(leader)
    # fixed leaders count in the group of their (tier, region, covers) too
    fixed_in: dict[Group, list[int]] = {}
    for leader in range(len(leaders)):
        if area[leader] is not None and covers[leader] != "" and fixed_id[leader] != "":
            key = (str(tier[leader]), int(region[leader]), str(covers[leader]))
            fixed_in.setdefault(key, []).append(leader)
            groups.setdefault(key, [])
    return area, groups, fixed_in


def _no_candidate_areas(
    inst: Instance, key: Group, free: list[int], causes: list[Cause]
) -> None:
    """R7 causes of a group's free leaders when no area of theirs holds a poor
    village."""
    lid = inst.leaders["leader_id"].to_numpy(dtype=object)
    _, reg, cov = key
    for leader in free:
        causes.append(
            Cause(
                "R7",
                str(lid[leader]),
                f"leader {lid[leader]} covers a {cov} area inside region "
                f"{inst.region_index[reg]}, but no such area holds a poor "
                "village (0 candidate areas)",
                {"candidate_areas": 0},
                fix="give the leader an area_id or another covers kind",
            )
        )


def _short_cause(
    inst: Instance, key: Group, n_leaders: int, n_areas: int, n_need: int, n_free: int
) -> Cause:
    """R7: fixed ``area_id`` s double up and leave more areas uncovered than a
    group has free leaders."""
    tier_name, reg, cov = key
    return Cause(
        "R7",
        str(inst.region_index[reg]),
        f"{n_leaders} {tier_name}-tier leaders covering {cov} areas in "
        f"{inst.region_index[reg]} for {n_areas} areas, but fixed "
        f"area_ids leave {n_need} areas uncovered for "
        f"{n_free} free leaders — short by "
        f"{n_need - n_free}",
        {
            "leaders": n_leaders,
            "areas": n_areas,
            "uncovered": n_need,
            "free_leaders": n_free,
        },
        fix="remove a doubled-up fixed area_id or add leaders",
    )


def _cover_group(
    inst: Instance,
    areas: _Areas,
    key: Group,
    free: list[int],
    fixed: list[int],
    area: list[Area | None],
    contact_point: IntArray,
    causes: list[Cause],
) -> None:
    """Areas for one group's free leaders (step 1 of the module docstring)."""
    cands = areas.candidates(key[2], key[1])
    if not cands:
        _no_candidate_areas(inst, key, free, causes)
        return
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
                _short_cause(inst, key, n_leaders, len(cands), len(need), len(free))
            )
            return
    else:
        need = uncovered[: len(free)]
    if not free:
        return
    rest = _match(free, need, area, contact_point, areas)
    # extras double up (R7): own contact point first, else the area with
    # the fewest leaders so far, most severe first
    for a in need:
        count[a] += 1
    rank = {a: k for k, a in enumerate(cands)}
    for leader in rest:
        own = _area_of_contact(contact_point[leader], cands, areas)
        a = own if own is not None else min(cands, key=lambda x: (count[x], rank[x]))
        area[leader] = a
        count[a] += 1


def _check_areas(
    inst: Instance, areas: _Areas, area: list[Area | None], causes: list[Cause]
) -> None:
    """R7: every area must hold a poor village (fixed or own-region areas)."""
    leaders = inst.leaders
    lid = leaders["leader_id"].to_numpy(dtype=object)
    fixed_id = leaders["area_id"].to_numpy(dtype=object)
    for leader in range(len(leaders)):
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
