"""Pre-checks of the households' carriers: scattered (R3) and capacity (R5)."""

from __future__ import annotations

import numpy as np

from ..errors import Cause
from ..instance import IntArray
from ..solver.counts import Counts, Pos
from ..tiers import LEAD_TIERS, TIER_NAMES, Tier
from ._words import _cadres_for, _n


def scattered_balance(c: Counts) -> dict[int, dict[str, int]]:
    """R3 by county: scattered households against what the tiers have left.

    The one reading of R3's "县级兜底" that :func:`precheck` proves causes
    from and ``pairing inspect`` prints.

    Returns
    -------
    dict
        Per county position: ``prefecture`` (position, -1 when none),
        ``scattered``, ``county_capacity``, ``county_villages_min`` (least
        households of the villages its county units must lead, R4),
        ``overflow`` (scattered households the county tier cannot take, >= 0),
        ``prefecture_villages_min`` and ``prefecture_spare`` (most the
        prefecture tier can take once it carries its own least villages).
    """
    cap_c = c.tier_sum(c.cap, Tier.COUNTY)
    cap_p = c.tier_sum(c.cap, Tier.PREFECTURE)
    pref_need: dict[int, int] = {}
    out = {}
    for k in np.flatnonzero(c.level == Tier.COUNTY).tolist():
        p = (
            int(c.parent[k])
            if c.parent[k] >= 0 and c.level[c.parent[k]] == Tier.PREFECTURE
            else -1
        )
        s = int(c.scattered[k])
        forced = c.forced_lb(Tier.COUNTY, k)[0]
        if p >= 0 and p not in pref_need:
            pref_need[p] = c.forced_lb(Tier.PREFECTURE, p)[0]
        need_p = pref_need.get(p, 0)
        out[k] = {
            "prefecture": p,
            "scattered": s,
            "county_capacity": int(cap_c[k]),
            "county_villages_min": forced,
            "overflow": max(0, s - (int(cap_c[k]) - forced)),
            "prefecture_villages_min": need_p,
            "prefecture_spare": max(0, int(cap_p[p]) - need_p) if p >= 0 else 0,
        }
    return out


def scattered(c: Counts) -> list[Cause]:
    """R3: scattered households of a county against county and prefecture spare."""
    out = []
    cap_c = c.tier_sum(c.cap, Tier.COUNTY)
    cap_p = c.tier_sum(c.cap, Tier.PREFECTURE)
    balance = scattered_balance(c)
    # R8: county units that cannot field a first team carry nothing
    no_team = (c.tier == Tier.COUNTY) & ~c.field
    lost_cap = c.tier_sum(c.raw_cap, Tier.COUNTY, no_team)
    lost_n = c.tier_sum(np.ones(len(c.tier), dtype=np.int64), Tier.COUNTY, no_team)
    for p in np.flatnonzero(c.level == Tier.PREFECTURE):
        kids = [k for k, b in balance.items() if b["prefecture"] == p]
        kids = [k for k in kids if balance[k]["scattered"] > 0]
        if not kids:
            continue
        pref_need = balance[kids[0]]["prefecture_villages_min"]
        spare_p = balance[kids[0]]["prefecture_spare"]
        over = {
            k: (b["overflow"], b["scattered"], b["county_villages_min"])
            for k in kids
            if (b := balance[k])["overflow"] > 0
        }
        singles = [k for k, (o, _, _) in over.items() if o > spare_p]
        lost = (no_team, lost_cap, lost_n)
        for k in singles:
            out.append(_county_cause(c, k, p, over[k], spare_p, cap_c, lost))
        if not singles:
            found = _prefecture_cause(c, p, over, spare_p, pref_need, cap_p)
            if found is not None:
                out.append(found)
    return out


def _county_cause(
    c: Counts,
    k: int,
    p: Pos,
    over_k: tuple[int, int, int],
    spare_p: int,
    cap_c: IntArray,
    lost: tuple[np.ndarray, IntArray, IntArray],
) -> Cause:
    """R3: county ``k``'s scattered households overflow more than its
    prefecture ``p`` can spare (``lost``: units without a team, R8)."""
    o, s, forced = over_k
    no_team, lost_cap, lost_n = lost
    short = o - spare_p
    cap_txt = f"county-tier capacity {_n(cap_c[k])}"
    if forced:
        cap_txt += f" ({_n(forced)} of it needed by villages its units must lead)"
    figures = {}
    if lost_n[k]:
        units = np.flatnonzero(no_team & (c.u_region == k))
        cap_txt += (
            f", not counting {_n(lost_n[k])} unit(s) with "
            f"{_n(lost_cap[k])} more that cannot field a first team (R8: "
            + ", ".join(str(x) for x in c.u_id[units[:5]])
            + (" …" if len(units) > 5 else "")
            + ")"
        )
        figures = {
            "units_without_team": int(lost_n[k]),
            "capacity_without_team": int(lost_cap[k]),
        }
    return Cause(
        "R3",
        str(c.r_id[k]),
        f"{c.region(k)}: {_n(s)} scattered households, {cap_txt}, "
        f"prefecture spare {_n(spare_p)} — short by {_n(short)}",
        {
            "region_id": str(c.r_id[k]),
            "prefecture_id": str(c.r_id[p]),
            "scattered": s,
            "county_capacity": int(cap_c[k]),
            "county_villages_min": forced,
            "prefecture_spare": spare_p,
            "short": short,
            **figures,
        },
        f"add {_n(short)} households of county-tier capacity in "
        f"{c.r_name[k] or c.r_id[k]} ({_cadres_for(c, short)})",
    )


def _prefecture_cause(
    c: Counts,
    p: Pos,
    over: dict[int, tuple[int, int, int]],
    spare_p: int,
    pref_need: int,
    cap_p: IntArray,
) -> Cause | None:
    """R3: prefecture ``p``'s counties overflow more than it can spare in all."""
    total = sum(o for o, _, _ in over.values())
    if total <= spare_p:
        return None
    short = total - spare_p
    return Cause(
        "R3",
        str(c.r_id[p]),
        f"{c.region(p)}: its counties' scattered households exceed their "
        f"county-tier spare by {_n(total)} in all ("
        + ", ".join(f"{c.r_id[k]}: {_n(o)}" for k, (o, _, _) in over.items())
        + f"), prefecture spare {_n(spare_p)} — short by {_n(short)}",
        {
            "region_id": str(c.r_id[p]),
            "prefecture_id": str(c.r_id[p]),
            "overflow": total,
            "by_county": {str(c.r_id[k]): o for k, (o, _, _) in over.items()},
            "prefecture_capacity": int(cap_p[p]),
            "prefecture_villages_min": pref_need,
            "prefecture_spare": spare_p,
            "short": short,
        },
        f"add {_n(short)} households of county- or prefecture-tier "
        "capacity "
        f"in {c.r_name[p] or c.r_id[p]} ({_cadres_for(c, short)})",
    )


def capacity(c: Counts, skip: set) -> list[Cause]:
    """R5 (with R2, R3): households against the cadres who may carry them.

    The province's total first, then each tier's villages it must lead per
    region, then each prefecture with what province units could take there
    (not for the prefectures in ``skip``, whose R3 causes say it already),
    then the prefectures' deficits together; each step only when the ones
    before it found nothing.
    """
    return _province_total(c) or _tier_regions(c) or _prefectures(c, skip)


def _province_total(c: Counts) -> list[Cause]:
    """R5: every household of the province against every leading cadre."""
    lead = c.tier < Tier.SOCIAL
    total_cap = int(c.cap[lead].sum())
    s_total = int(c.scattered.sum())
    all_pv = np.ones(len(c.pv), dtype=bool)
    total_need = c.demand_lb(all_pv, c.credit_total) + s_total
    if total_need > total_cap:
        short = total_need - total_cap
        return [
            Cause(
                "R5",
                c.r_id[c.inst.province],
                f"the province has {_n(total_need)} households to carry "
                f"({_n(total_need - s_total)} in poor villages, {_n(s_total)} "
                "scattered) "
                f"and its cadres can carry {_n(total_cap)} — short by {_n(short)}",
                {
                    "households": total_need,
                    "scattered": s_total,
                    "capacity": total_cap,
                    "short": short,
                },
                f"add {_n(short)} households of capacity ({_cadres_for(c, short)}), "
                "or raise max_households",
            )
        ]
    return []


def _tier_regions(c: Counts) -> list[Cause]:
    """R5 with R2, R4: a tier's units of a region must lead villages heavier
    than they can carry."""
    out = []
    for tier in LEAD_TIERS:
        cap_r = c.tier_sum(c.cap, tier)
        for r in np.flatnonzero(c.level == tier):
            need, forced, k = c.forced_lb(tier, r)
            cap = (
                int(c.cap[c.tier == tier].sum())
                if tier == Tier.PROVINCE
                else int(cap_r[r])
            )
            if need > cap and (forced or k):
                short = need - cap
                out.append(
                    Cause(
                        "R5",
                        str(c.r_id[r]),
                        f"{c.region(r)}: its {TIER_NAMES[tier]} units must lead "
                        f"villages with at least {_n(need)} households ({_n(forced)} "
                        f"villages no other tier can carry, minimum villages {_n(k)}) "
                        f"and can carry {_n(cap)} — short by {_n(short)}",
                        {
                            "region_id": str(c.r_id[r]),
                            "tier": TIER_NAMES[tier],
                            "households": need,
                            "forced_villages": forced,
                            "min_villages": k,
                            "capacity": cap,
                            "short": short,
                        },
                        f"add {_n(short)} households of {TIER_NAMES[tier]}-tier "
                        "capacity "
                        f"in {c.r_name[r] or c.r_id[r]} ({_cadres_for(c, short)})",
                    )
                )
    return out


def _province_use(c: Counts, mask: np.ndarray) -> int:
    """Most households province units could carry in the villages ``mask``
    (each its heaviest villages up to its most villages and its capacity)."""
    prov = c.able & (c.tier == Tier.PROVINCE)
    pcap, pmax = c.cap[prov], c.umax[prov]
    top = np.sort(c.d_hi[mask])[::-1]
    prefix = np.concatenate([[0], np.cumsum(top)])
    return int(np.minimum(pcap, prefix[np.minimum(pmax, len(top))]).sum())


def _prefectures(c: Counts, skip: set) -> list[Cause]:
    """R5 per prefecture: local tiers plus what province units could take
    there; then the prefectures' deficits against the province units."""
    out = []
    cap_c = c.tier_sum(c.cap, Tier.COUNTY)
    cap_p = c.tier_sum(c.cap, Tier.PREFECTURE)
    deficit = 0
    for p in np.flatnonzero(c.level == Tier.PREFECTURE):
        kids = (c.level == Tier.COUNTY) & (c.parent == p)
        mask = c.pv_pref == p
        s = int(c.scattered[kids].sum())
        need = c.demand_lb(mask, int(c.credit_pref[p])) + s
        local = int(cap_c[kids].sum() + cap_p[p])
        deficit += max(0, need - local)
        use = _province_use(c, mask)
        if need > local + use and str(c.r_id[p]) not in skip:
            short = need - local - use
            out.append(
                Cause(
                    "R5",
                    str(c.r_id[p]),
                    f"{c.region(p)}: {_n(need)} households to carry ({_n(need - s)} in "
                    "poor "
                    f"villages, {_n(s)} scattered); its county and prefecture units "
                    "can "
                    f"carry {_n(local)} and province units at most {_n(use)} there — "
                    f"short by {_n(short)}",
                    {
                        "region_id": str(c.r_id[p]),
                        "households": need,
                        "scattered": s,
                        "local_capacity": local,
                        "province_capacity": use,
                        "short": short,
                    },
                    f"add {_n(short)} households of capacity in "
                    f"{c.r_name[p] or c.r_id[p]} "
                    f"({_cadres_for(c, short)})",
                )
            )
    if out or skip - {None}:
        return out
    return _deficit(c, deficit)


def _deficit(c: Counts, deficit: int) -> list[Cause]:
    """R5: the prefectures' deficits together against the province units."""
    use = _province_use(c, np.ones(len(c.pv), dtype=bool))
    if deficit <= use:
        return []
    short = deficit - use
    return [
        Cause(
            "R5",
            c.r_id[c.inst.province],
            f"prefectures' households exceed their own county and prefecture "
            f"units' capacity by {_n(deficit)} in all, and province units can "
            "carry "
            f"at most {_n(use)} in the villages they may lead — short by "
            f"{_n(short)}",
            {"deficit": deficit, "province_capacity": use, "short": short},
            f"add {_n(short)} households of capacity ({_cadres_for(c, short)})",
        )
    ]
