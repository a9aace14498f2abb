"""Pre-checks of the villages' lead units (R2, R4, R4 with R5, R6)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..errors import Cause
from ..instance import IntArray
from ..solver.counts import Counts, Pos
from ..tiers import Tier
from ._words import _cadres_for, _n


def village_fit(c: Counts) -> list[Cause]:
    """R2: a poor village no unit allowed to lead it can carry."""
    prov, pref, cty = c.maxcap
    fp, ff, fc = c.fits
    bad = np.flatnonzero(~(fp | ff | fc))
    out = []
    for i in bad:
        p, k = int(c.pv_pref[i]), int(c.pv_county[i])
        d = int(c.d_lo[i])
        vid = str(c.inst.village_index[c.pv[i]])
        best = max(prov, pref[p] if p >= 0 else -1, cty[k])
        where = c.region(k)
        if best < 0:
            out.append(
                Cause(
                    "R2",
                    vid,
                    f"{c.village(i)} ({where}, {_n(d)} households): no province unit, "
                    "no "
                    "prefecture unit of its prefecture and no county unit of its "
                    "county "
                    "may lead a village",
                    {"village_id": vid, "households": d, "largest_capacity": 0},
                    f"add a unit able to lead it in {where}, or raise max_villages of "
                    "one",
                )
            )
            continue
        # the eligible able unit with the largest capacity
        elig = c.able & (
            (c.tier == Tier.PROVINCE)
            | ((c.tier == Tier.PREFECTURE) & (c.u_region == p))
            | ((c.tier == Tier.COUNTY) & (c.u_region == k))
        )
        u = int(np.flatnonzero(elig)[np.argmax(c.cap[elig])])
        per = math.ceil(d / max(1, int(c.cadres[u])))
        fix = (
            f"add {_n(d - best)} households of capacity to {c.u_id[u]} "
            f"({_cadres_for(c, d - best)})"
        )
        if c.cadres[u] > 0:
            fix += f", or raise its cadres' max_households to {per}"
        out.append(
            Cause(
                "R2",
                vid,
                f"{c.village(i)} ({where}) has {_n(d)} households to carry, more than "
                f"any unit allowed to lead it: the largest, {c.unit(u)}, can carry "
                f"{_n(best)}",
                {
                    "village_id": vid,
                    "households": d,
                    "largest_capacity": best,
                    "unit_id": str(c.u_id[u]),
                },
                fix,
            )
        )
    return out


def village_counts(c: Counts) -> list[Cause]:
    """R4: villages per unit against poor villages, tier by tier (exact count).

    Eligibility is nested (county ⊂ prefecture ⊂ province), so the counting
    problem is solved exactly bottom-up: each county passes up the range of
    villages its county units leave, each prefecture the range its units
    leave, and the province units must fit the rest.
    """
    umin, umax = c.umin * c.able, c.umax * c.able
    prov = c.tier == Tier.PROVINCE
    mn_v, mx_v = int(umin[prov].sum()), int(umax[prov].sum())
    n_c = np.bincount(c.pv_county, minlength=c.nr)
    out, lo_up, hi_up = _counties(c, umin, umax, n_c)
    found, lo_v, hi_v, left_per_pref = _prefectures(c, umin, umax, n_c, lo_up, hi_up)
    out += found
    out += _province_minimum(c, mn_v, hi_v)
    if lo_v > mx_v:
        out += _province_maximum(c, lo_v, mx_v, left_per_pref)
    return out


def _counties(
    c: Counts, umin: IntArray, umax: IntArray, n_c: IntArray
) -> tuple[list[Cause], IntArray, IntArray]:
    """R4 per county: its units' least villages against its poor villages;
    and the range of villages each county leaves to the tiers above."""
    out = []
    mn_c, mx_c = c.tier_sum(umin, Tier.COUNTY), c.tier_sum(umax, Tier.COUNTY)
    lo_up = np.zeros(c.nr, dtype=np.int64)
    hi_up = np.zeros(c.nr, dtype=np.int64)
    for r in np.flatnonzero(c.level == Tier.COUNTY):
        n, lo, hi = int(n_c[r]), int(mn_c[r]), int(mx_c[r])
        if lo > n:
            out.append(
                Cause(
                    "R4",
                    c.r_id[r],
                    f"{c.region(r)}: its county units must lead at least {_n(lo)} "
                    "villages "
                    f"(sum of min_villages) but it has {_n(n)} poor villages",
                    {
                        "region_id": str(c.r_id[r]),
                        "min_villages": lo,
                        "poor_villages": n,
                    },
                    f"lower min_villages of county units of {c.r_id[r]} by "
                    f"{_n(lo - n)} in all",
                )
            )
        lo_up[r], hi_up[r] = n - min(hi, n), n - min(lo, n)
    return out, lo_up, hi_up


def _prefectures(
    c: Counts,
    umin: IntArray,
    umax: IntArray,
    n_c: IntArray,
    lo_up: IntArray,
    hi_up: IntArray,
) -> tuple[list[Cause], int, int, dict[Pos, int]]:
    """R4 per prefecture, from its counties' ranges; and the range of
    villages left to the province units, with each prefecture's share."""
    out = []
    mn_p, mx_p = c.tier_sum(umin, Tier.PREFECTURE), c.tier_sum(umax, Tier.PREFECTURE)
    lo_v = hi_v = 0
    left_per_pref: dict[Pos, int] = {}
    p: Pos
    for p in np.flatnonzero(c.level == Tier.PREFECTURE):
        kids = (c.level == Tier.COUNTY) & (c.parent == p)
        lo, hi = int(lo_up[kids].sum()), int(hi_up[kids].sum())
        mn, mx = int(mn_p[p]), int(mx_p[p])
        n = int(n_c[kids].sum())
        if mn > hi:
            out.append(prefecture_minimums(c, p, mn, hi, n))
        left_per_pref[p] = max(0, lo - mx)
        lo_v += left_per_pref[p]
        hi_v += hi - min(mn, hi)
    # counties directly under the province (not in the contract; be safe)
    orphan = (c.level == Tier.COUNTY) & (
        c.level[np.maximum(c.parent, 0)] != Tier.PREFECTURE
    )
    lo_v += int(lo_up[orphan].sum())
    hi_v += int(hi_up[orphan].sum())
    return out, lo_v, hi_v, left_per_pref


def _province_minimum(c: Counts, mn_v: int, hi_v: int) -> list[Cause]:
    """R4: the province units' least villages against the villages left."""
    out = []
    if mn_v > hi_v:
        out.append(
            Cause(
                "R4",
                c.r_id[c.inst.province],
                f"province units must lead at least {_n(mn_v)} villages but only "
                f"{_n(hi_v)} of {_n(len(c.pv))} poor villages are left after the "
                "prefecture and county units' minimums",
                {"min_villages": mn_v, "available": hi_v, "poor_villages": len(c.pv)},
                f"lower min_villages of province units by {_n(mn_v - hi_v)} in all",
            )
        )
    return out


def _province_maximum(
    c: Counts, lo_v: int, mx_v: int, left_per_pref: dict[Pos, int]
) -> list[Cause]:
    """R4: villages no lower tier may lead, more than the province units'
    most (per prefecture where one alone is too many, else in all)."""
    out = []
    if lo_v > mx_v:
        worst = [p for p, k in left_per_pref.items() if k > mx_v]
        for p in worst:
            k = left_per_pref[p]
            out.append(
                Cause(
                    "R4",
                    c.r_id[p],
                    f"{c.region(p)}: {_n(k)} of its poor villages exceed what its "
                    "county "
                    f"and prefecture units may lead (max_villages), and province units "
                    f"may lead at most {_n(mx_v)} village(s) in all",
                    {
                        "region_id": str(c.r_id[p]),
                        "unplaced": k,
                        "province_max_villages": mx_v,
                    },
                    f"raise max_villages of units in {c.r_id[p]} by {_n(k - mx_v)} in "
                    "all "
                    "(or add units)",
                )
            )
        if not worst:
            out.append(
                Cause(
                    "R4",
                    c.r_id[c.inst.province],
                    f"{_n(lo_v)} poor villages exceed what county and prefecture units "
                    "may "
                    "lead (max_villages), and province units may lead at most "
                    f"{_n(mx_v)}",
                    {
                        "unplaced": lo_v,
                        "province_max_villages": mx_v,
                        "by_prefecture": {
                            str(c.r_id[p]): k for p, k in left_per_pref.items() if k
                        },
                    },
                    f"raise max_villages by {_n(lo_v - mx_v)} in all (or add units)",
                )
            )
    return out


def prefecture_minimums(c: Counts, p: Pos, mn: int, hi: int, n: int) -> Cause:
    """R4: a prefecture's units must lead more villages than it has left.

    With the tier default (prefecture 1–2), every prefecture-tier unit takes
    a village ("原则上，市（州）直部门都要承担贫困村包保任务"), so an area
    needs at least as many poor villages as prefecture units.
    """
    mine = np.flatnonzero(
        (c.tier == Tier.PREFECTURE) & (c.u_region == p) & c.able & (c.umin >= 1)
    )
    own = ~np.isnan(c.inst.units["min_villages"].to_numpy(dtype=float)[mine])
    short = mn - hi
    ids = [str(x) for x in c.u_id[mine]]
    listed = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
    default = c.rules.villages_per_unit["prefecture"][0]
    return Cause(
        "R4",
        str(c.r_id[p]),
        f"{c.region(p)}: its {_n(len(mine))} prefecture units must lead at least "
        f"{_n(mn)} villages ({_n(len(mine) - int(own.sum()))} by the tier default "
        f"of {default}, {_n(int(own.sum()))} by their own min_villages: {listed}) "
        f"but only {_n(hi)} of its {_n(n)} poor villages are left after its county "
        f"units' minimums — {_n(short)} village(s) short",
        {
            "region_id": str(c.r_id[p]),
            "min_villages": mn,
            "available": hi,
            "poor_villages": n,
            "short": short,
            "units": ids,
        },
        f"set min_villages = 0 on {_n(short)} of these units (a unit's own "
        f"min_villages overrides the tier default), or lower their minimums by "
        f"{_n(short)} in all",
    )


def forced_units(c: Counts) -> list[Cause]:
    """R4 + R5: a unit that must lead villages none of which its cadres can carry."""
    out = []
    sorted_by: dict[int, np.ndarray] = {}
    for u in np.flatnonzero(c.able & (c.umin >= 1)):
        r = c.inst.province if c.tier[u] == Tier.PROVINCE else int(c.u_region[u])
        if r < 0:
            continue
        if r not in sorted_by:
            sorted_by[r] = np.sort(c.d_lo[c.in_region(r)])
        d = sorted_by[r]
        k = int(c.umin[u])
        if len(d) < k:
            continue  # a counting cause (R4) already
        need = int(d[:k].sum())
        cap = int(c.cap[u])
        if need > cap:
            what = "village holds" if k == 1 else f"{k} villages hold"
            out.append(
                Cause(
                    "R5",
                    str(c.u_id[u]),
                    f"{c.unit(u)} must lead at least {k} village(s), but its smallest "
                    f"possible {what} {_n(need)} households and its "
                    f"{_n(c.cadres[u])} cadres can carry {_n(cap)}",
                    {
                        "unit_id": str(c.u_id[u]),
                        "min_villages": k,
                        "households": need,
                        "capacity": cap,
                        "cadres": int(c.cadres[u]),
                    },
                    f"add {_n(need - cap)} households of capacity to {c.u_id[u]} "
                    f"({_cadres_for(c, need - cap)}), or set its min_villages to "
                    f"{k - 1}",
                )
            )
    return out


def key_share(c: Counts) -> list[Cause]:
    """R6: province units forced to lead too few key-county villages."""
    share = Fraction(c.rules.province_key_county_share).limit_denominator(10**6)
    prov = c.able & (c.tier == Tier.PROVINCE)
    if share == 0 or not prov.any():
        return []
    fp, ff, fc = c.fits
    nk = int(c.pv_key.sum())
    nk_fit = int((c.pv_key & fp).sum())
    nn_fit = int((~c.pv_key & fp).sum())
    only = fp & ~ff & ~fc
    forced_nonkey = int((only & ~c.pv_key).sum())
    p_lo = max(int(c.umin[prov].sum()), int(only.sum()))
    p_hi = min(int(c.umax[prov].sum()), nk_fit + nn_fit)
    if p_lo > p_hi:
        return []  # an R4/R2 cause already
    for p in range(p_lo, p_hi + 1):
        k = min(nk_fit, p - forced_nonkey)
        if k < 0 or p - k > nn_fit:
            continue
        if k * share.denominator >= share.numerator * p or (k == nk):
            return []
    need = math.ceil(share * p_lo)
    return [
        Cause(
            "R6",
            c.r_id[c.inst.province],
            f"province units must lead at least {_n(p_lo)} village(s), "
            f"{float(share):.0%} of them ({_n(need)}) in key counties, but only "
            f"{_n(nk_fit)} of the {_n(nk)} key-county poor villages are small enough "
            "for a province unit"
            + (
                f" and {_n(forced_nonkey)} non-key villages only they can carry"
                if forced_nonkey
                else ""
            ),
            {
                "province_villages_min": p_lo,
                "share": float(c.rules.province_key_county_share),
                "key_villages": nk,
                "key_villages_fit": nk_fit,
                "forced_non_key": forced_nonkey,
            },
            "raise the capacity of province units (so they can carry more key-county "
            "villages), lower their min_villages, or lower province_key_county_share",
        )
    ]
