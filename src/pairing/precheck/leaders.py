"""Pre-check of the leaders' areas and contact villages (R7)."""

from __future__ import annotations

from ..errors import Cause
from ..solver.counts import Counts
from ._words import _n


def leader_areas_fit(c: Counts) -> list[Cause]:
    """R7: leaders without a possible area, or groups that cannot cover theirs."""
    lead = c.inst.leaders
    if not len(lead):
        return []
    out = []
    areas = c.leader_areas()
    groups: dict[tuple[str, int, str], list[int]] = {}
    for i, (_, _, problem) in enumerate(areas):
        r = int(c.l_region[i])
        covers = str(lead["covers"].iat[i])
        groups.setdefault((str(lead["tier"].iat[i]), r, covers), []).append(i)
        found = _leader_cause(c, i, problem)
        if found is not None:
            out.append(found)
    for key, members in groups.items():
        found = _group_cause(c, key, members, areas)
        if found is not None:
            out.append(found)
    return out


def _leader_cause(c: Counts, i: int, problem: str) -> Cause | None:
    """R7: leader ``i`` has no possible area (``problem`` of its areas)."""
    lead = c.inst.leaders
    lid = lead["leader_id"].iat[i]
    r = int(c.l_region[i])
    covers = str(lead["covers"].iat[i])
    area = str(lead["area_id"].iat[i])
    if problem == "unknown":
        return Cause(
            "R7",
            str(lid),
            f"leader {lid}: area {area} is neither a region nor a village",
            {"leader_id": str(lid), "area_id": area},
            f"set area_id of {lid} to an existing area, or clear it",
        )
    elif problem == "empty":
        return Cause(
            "R7",
            str(lid),
            f"leader {lid}: area {area} has no poor village, so no contact "
            "village can be chosen",
            {"leader_id": str(lid), "area_id": area, "poor_villages": 0},
            f"set area_id of {lid} to an area with a poor village, or clear it",
        )
    elif problem == "none":
        what = {
            "": "its own region",
            "village": "poor villages",
            "prefecture": "prefectures",
            "county": "counties",
            "key_county": "key counties",
        }.get(covers, covers)
        where = c.region(r) if r >= 0 else str(lead["region_id"].iat[i])
        return Cause(
            "R7",
            str(lid),
            f"leader {lid} covers {what} inside {where}, but none of them "
            "holds a poor village",
            {
                "leader_id": str(lid),
                "region_id": str(lead["region_id"].iat[i]),
                "covers": covers,
                "areas": 0,
            },
            f"change covers or region_id of {lid}, or give it an area_id",
        )
    return None


def _group_cause(
    c: Counts,
    key: tuple[str, int, str],
    members: list[int],
    areas: list[tuple[list[tuple[str, int]], bool, str]],
) -> Cause | None:
    """R7: the leaders ``members`` of one tier, region and ``covers`` cannot
    cover their areas: every area when they are as many as the areas, else
    distinct ones."""
    tier, r, covers = key
    if r < 0 or covers == "" or any(areas[i][2] == "none" for i in members):
        return None
    cand = set(c.candidate_areas(r, covers))
    if not cand:
        return None
    fixed = [areas[i][0][0] for i in members if areas[i][1] and areas[i][0]]
    n_fixed = sum(1 for i in members if areas[i][1])
    n, m = len(members), len(cand)
    free = n - n_fixed
    if n >= m:
        uncovered = m - len(cand & set(fixed))
        if uncovered > free:
            return Cause(
                "R7",
                c.r_id[r],
                f"{n} {tier} leaders covering {covers or 'their region'} in "
                f"{c.region(r)} must cover all {m} areas, but {n_fixed} have "
                f"fixed areas leaving {_n(uncovered)} areas for {free} free "
                "leaders",
                {
                    "region_id": str(c.r_id[r]),
                    "tier": tier,
                    "covers": covers,
                    "leaders": n,
                    "areas": m,
                    "fixed": n_fixed,
                    "uncovered": uncovered,
                },
                f"clear area_id of {uncovered - free} leader(s) sharing an area",
            )
    else:
        inside = [a for a in fixed if a in cand]
        dup = len(inside) - len(set(inside))
        if dup > 0:
            return Cause(
                "R7",
                c.r_id[r],
                f"{n} {tier} leaders covering {covers or 'their region'} in "
                f"{c.region(r)} must cover distinct areas (fewer leaders than "
                f"{m} areas), but {dup} fixed area(s) are shared",
                {
                    "region_id": str(c.r_id[r]),
                    "tier": tier,
                    "covers": covers,
                    "leaders": n,
                    "areas": m,
                    "shared": dup,
                },
                "give the leaders sharing a fixed area_id distinct areas",
            )
    return None
