"""Pre-checks of the units' own bounds and kick-off teams (R4, R8, with R7).

A unit whose least villages exceed its most (R4); a tier that cannot send
its kick-off teams (R8); and households enough for the first teams of the
units that must lead (R8): a unit that must lead a village (its R4 minimum)
sends a first team whose members other than its head are each responsible
for households of the unit. When the households that can be theirs are
fewer, the hard rules cannot all hold — for example with no households at
all, or when leaders' ``contact_households`` (R7) take every household of the
poor villages.
"""

from __future__ import annotations

import numpy as np

from ..errors import Cause
from ..instance import IntArray
from ..solver.counts import Counts
from ..solver.teams import carriers_needed, heads_mask
from ..tiers import TIER_NAMES, Tier
from ._words import _n


def unit_bounds(c: Counts) -> list[Cause]:
    """R4: a unit whose least villages exceed its most."""
    out = []
    bad = np.flatnonzero((c.tier < Tier.SOCIAL) & (c.raw_min > c.inst.u_max))
    for u in bad:
        lo, hi = int(c.raw_min[u]), int(c.inst.u_max[u])
        out.append(
            Cause(
                "R4",
                str(c.u_id[u]),
                f"{c.unit(u)} must lead at least {lo} villages but at most {hi}",
                {"unit_id": str(c.u_id[u]), "min_villages": lo, "max_villages": hi},
                f"set min_villages <= max_villages for {c.u_id[u]} "
                f"(e.g. max_villages = {lo})",
            )
        )
    return out


def dispatch_teams(c: Counts) -> list[Cause]:
    """R8: a unit that must lead a village but cannot send its first team.

    Its team is its head plus cadres responsible for its households; a cadre
    with a cap of 0 can carry none, so it can only be there as the head.
    """
    out = []
    inst = c.inst
    need = carriers_needed(inst)
    team = need + (inst.u_head >= 0)
    head = (inst.u_head >= 0).astype(np.int64)
    able = (inst.c_cap >= 1) & ~heads_mask(inst)
    carriers = np.bincount(inst.c_unit, weights=able, minlength=len(c.tier))
    lacking = (c.tier < Tier.SOCIAL) & (c.umax >= 1) & ~c.field
    for u in np.flatnonzero(lacking & (c.umin >= 1)):
        n, k, h = int(team[u]), int(carriers[u]), int(head[u])
        zero = int(c.cadres[u]) - k - h
        what = f"{k} cadre(s) able to carry households" + (" and its head" if h else "")
        if zero > 0:
            what += f" ({zero} more with max_households 0)"
        out.append(
            Cause(
                "R8",
                str(c.u_id[u]),
                f"{c.unit(u)} must lead at least {int(c.umin[u])} village(s) but has "
                f"{what}; its first team needs at least {n}",
                {
                    "unit_id": str(c.u_id[u]),
                    "cadres": int(c.cadres[u]),
                    "carriers": k,
                    "head": bool(h),
                    "team_min": n,
                    "min_villages": int(c.umin[u]),
                },
                f"add {n - k - h} cadre(s) able to carry households to {c.u_id[u]}, "
                "or set its min_villages to 0",
            )
        )
    return out


def forced_take(c: Counts) -> IntArray:
    """Per poor village: households leaders surely take there (R7).

    A leader whose area holds a single poor village has it as contact
    village, and takes ``contact_households`` of it (all when fewer), so at
    least ``min(households, sum of those leaders' contact households)`` go.
    """
    take = np.zeros(len(c.pv), dtype=np.int64)
    if c.explicit or not len(c.inst.leaders):
        return take  # an explicit demand is after the leaders already
    need = c.inst.l_contact_households
    for i, (areas, _, _) in enumerate(c.leader_areas()):
        if len(areas) == 1 and areas[0][0] == "v":
            take[areas[0][1]] += int(need[i])
        elif len(areas) == 1:
            only = np.flatnonzero(c.area_mask(areas[0]))
            if len(only) == 1:
                take[only[0]] += int(need[i])
    return np.minimum(take, c.d_hi)


def team_households(c: Counts) -> list[Cause]:
    """R8: households enough for the first teams of the units that must lead.

    A unit that must lead (R4 minimum) sends a team whose members other than
    its head are each responsible for households of the unit (R8): at least
    ``min(team size, cadres) - head`` households, in its own villages for a
    province-tier unit (R3), or there and among the scattered households of
    its prefecture or county for the others. Villages' households are
    counted after what leaders surely take at their contact villages (R7).
    """
    inst = c.inst
    size, _ = c.rules.dispatch.team_bounds(c.tier)  # the least team
    head = (inst.u_head >= 0).astype(np.int64)
    need = np.maximum(np.minimum(size, c.cadres) - head, 0)
    must = c.able & (c.umin >= 1) & (need > 0)
    taken = forced_take(c)
    left = c.d_hi - taken
    k = c.rules.contact_households
    out = []
    groups: list[tuple[int, int]] = [(Tier.PROVINCE, -1)]
    for local in (Tier.PREFECTURE, Tier.COUNTY):
        regions = np.unique(c.u_region[must & (c.tier == local)])
        groups += [(local, int(r)) for r in regions if r >= 0]
    county = c.level == Tier.COUNTY
    for tier, r in groups:
        if r < 0:
            units = must & (c.tier == Tier.PROVINCE)
            inside = np.ones(len(c.pv), dtype=bool)
            extra = 0
        else:
            units = must & (c.tier == tier) & (c.u_region == r)
            inside = c.in_region(r)
            scattered = c.scattered[county & (c.parent == r)].sum()
            extra = int(c.scattered[r] if tier == Tier.COUNTY else scattered)
        needed, avail = int(need[units].sum()), int(left[inside].sum()) + extra
        if needed <= avail or not units.any():
            continue
        n, total, gone = (
            int(units.sum()),
            int(c.d_hi[inside].sum()),
            int(taken[inside].sum()),
        )
        where = "" if r < 0 else f" in {c.region(r)}"
        held = f"the poor villages{where} hold {_n(total)} households"
        if gone:
            held += f", {_n(gone)} of them taken by leaders at contact villages (R7)"
        if extra:
            held += f", and {_n(extra)} scattered households"
        out.append(
            Cause(
                "R8",
                "" if r < 0 else str(c.r_id[r]),
                f"{n} {TIER_NAMES[tier]}-tier unit(s){where} must each lead a village "
                f"(R4) and send a first team whose {_n(needed)} members besides "
                f"the heads are responsible for households of the unit, but "
                f"{held}: at most {_n(avail)} for their teams",
                {
                    "tier": TIER_NAMES[tier],
                    "region_id": "" if r < 0 else str(c.r_id[r]),
                    "units": n,
                    "team_households_needed": needed,
                    "households_available": avail,
                    "poor_village_households": total,
                    "taken_by_leaders": gone,
                    "scattered": extra,
                },
                "add poor households"
                + (f", lower contact_households (now {k:,})" if gone else "")
                + ", or set min_villages = 0 for units that cannot field a team",
            )
        )
    return out
