"""Counting pre-checks of the hard rules (R15).

:func:`precheck` looks for reasons, visible from counts and sums alone, why
the hard rules R1–R8 cannot all hold, and names each one in the planners'
terms with its numbers and a fix (``docs/infeasibility.md`` lists them all).

Every check compares a *lower* bound on what must be carried with an *upper*
bound on what can carry it, so a reported cause is a proof of infeasibility:
a feasible instance never gets one. What counting cannot see (interactions
between units, capacities and R3/R6 together) is left to
:func:`pairing.solver.conflicts.explain`.

Bounds on a village's demand (households its lead unit's cadres must carry):
with an explicit ``demand`` they are exact; without one, the households that
leaders may take personally (R7) are credited optimistically: a village's
demand is at least its households minus the contact households of every
leader who could choose it, and a region's at least its households minus the
contact households of every leader who could choose a village in it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any, cast

import numpy as np

from .errors import Cause
from .instance import Instance, IntArray
from .solver.teams import carriers_needed, fieldable, heads_mask

PROVINCE, PREFECTURE, COUNTY, SOCIAL = 0, 1, 2, 3
TIER_NAMES = ("province", "prefecture", "county", "social")
LEVEL_NAMES = ("province", "prefecture", "county")

Pos = int | np.integer[Any]
"""A row position: a Python int or a numpy integer (from ``np.flatnonzero`` …)."""


def precheck(instance: Instance, demand: np.ndarray | None = None) -> list[Cause]:
    """Counting causes why the hard rules cannot all hold (R15).

    Parameters
    ----------
    instance
        The instance.
    demand
        Households per village that its lead unit's cadres must carry (the
        village stage's demand, after leaders took theirs). Default: every
        village's poor households, less what leaders could take (R7),
        counted optimistically.

    Returns
    -------
    list[Cause]
        One cause per counting contradiction found (empty when none is
        found: the instance may still be infeasible in ways only a search
        can show, see :func:`pairing.solver.conflicts.explain`).
    """
    from .precheck_teams import team_households

    c = Counts(instance, demand)
    causes: list[Cause] = []
    causes += _unit_bounds(c)  # R4
    causes += _dispatch(c)  # R8
    causes += team_households(c)  # R8 (households for the teams), R7
    causes += _leaders(c)  # R7
    causes += _village_fit(c)  # R2
    causes += _village_counts(c)  # R4
    causes += _forced_units(c)  # R4 + R5
    causes += _key_share(c)  # R6
    r3 = _scattered(c)  # R3
    causes += r3
    causes += _capacity(c, {x.figures.get("prefecture_id") for x in r3})  # R5
    return causes


# -- shared figures -----------------------------------------------------------


class Counts:
    """Arrays and region sums shared by the checks (and by ``explain``).

    Village arrays are over the poor villages only (``pv`` positions).
    """

    def __init__(self, instance: Instance, demand: np.ndarray | None = None) -> None:
        self.inst = inst = instance
        self.rules = inst.rules
        self.nr = len(inst.regions)
        self.level = inst.r_level
        self.parent = inst.r_parent
        self.r_pref = inst.r_prefecture
        self.r_key = inst.r_key
        self.r_id = inst.region_index.to_numpy(dtype=object)
        self.r_name = inst.regions["name"].to_numpy(dtype=object)
        # poor villages
        self.pv = inst.poor_villages
        self.pv_county = inst.v_county[self.pv]
        self.pv_pref = inst.v_prefecture[self.pv]
        self.pv_key = inst.v_key[self.pv]
        self.explicit = demand is not None
        if demand is None:
            self.d_hi = inst.v_households[self.pv].astype(np.int64)
        else:
            self.d_hi = np.asarray(demand, dtype=np.int64)[self.pv]
        # units
        self.tier = inst.u_tier
        self.u_region = inst.u_region
        # R8: a unit that cannot field its first team can have no task at all,
        # so it neither leads nor carries: its capacity counts for nothing
        self.field = fieldable(inst) | (self.tier == SOCIAL)
        self.raw_cap = inst.u_capacity
        self.cap = np.where(self.field, self.raw_cap, 0)
        self.cadres = inst.u_cadres
        self.raw_min = inst.u_min
        self.umax = np.where(self.tier == SOCIAL, 0, inst.u_max)
        self.umin = np.where(self.tier == SOCIAL, 0, np.minimum(inst.u_min, self.umax))
        self.able = (self.tier < SOCIAL) & (self.umax >= 1) & self.field
        self.u_id = inst.unit_index.to_numpy(dtype=object)
        self.u_name = inst.units["name"].to_numpy(dtype=object)
        # scattered households per county (R3)
        h = inst.h_scattered
        self.scattered = np.bincount(inst.h_county[h], minlength=self.nr).astype(
            np.int64
        )
        self.leader_credit()

    # -- labels ---------------------------------------------------------------

    def region(self, r: Pos) -> str:
        name = self.r_name[r]
        text = f"{LEVEL_NAMES[self.level[r]]} {self.r_id[r]}"
        return f"{text} {name}" if name else text

    def unit(self, u: Pos) -> str:
        name = self.u_name[u]
        text = f"{TIER_NAMES[self.tier[u]]} unit {self.u_id[u]}"
        return f"{text} {name}" if name else text

    def village(self, i: Pos) -> str:
        v = self.pv[i]
        vid = self.inst.village_index[v]
        name = cast(str, self.inst.villages["name"].iat[v])
        return f"village {vid} {name}" if name else f"village {vid}"

    # -- region sums ----------------------------------------------------------

    def tier_sum(self, values: np.ndarray, tier: int, mask: np.ndarray | None = None):
        """Sum of a unit array per region, over units of one tier."""
        m = self.tier == tier
        if mask is not None:
            m &= mask
        return np.bincount(
            self.u_region[m], weights=values[m], minlength=self.nr
        ).astype(np.int64)

    def tier_max(self, values: np.ndarray, tier: int) -> IntArray:
        """Largest value per region over *able* units of one tier (-1: none)."""
        out = np.full(self.nr, -1, dtype=np.int64)
        m = self.able & (self.tier == tier)
        np.maximum.at(out, self.u_region[m], values[m])
        return out

    def in_region(self, r: Pos) -> np.ndarray:
        """Poor-village mask of a region."""
        lvl = self.level[r]
        if lvl == 0:
            return np.ones(len(self.pv), dtype=bool)
        if lvl == 1:
            return self.pv_pref == r
        return self.pv_county == r

    # -- leaders (R7) -----------------------------------------------------------

    def leader_areas(self) -> list[tuple[list[tuple[str, int]], bool, str]]:
        """Per leader: its possible areas, whether fixed, and a problem text.

        An area is ``("r", region)`` or ``("v", poor village position)``;
        only areas holding a poor village are listed.
        """
        inst = self.inst
        lead = inst.leaders
        out = []
        poor_count = self.poor_per_region
        vpos = np.full(len(inst.villages), -1, dtype=np.int64)
        vpos[self.pv] = np.arange(len(self.pv))
        cache: dict[tuple[int, str], list[tuple[str, int]]] = {}
        for i in range(len(lead)):
            area = str(lead["area_id"].iat[i])
            if area:
                if area in inst.region_index:
                    r = int(cast(int, inst.region_index.get_loc(area)))
                    ok = poor_count[r] > 0
                    out.append(([("r", r)] if ok else [], True, "" if ok else "empty"))
                elif area in inst.village_index:
                    p = int(vpos[inst.village_index.get_loc(area)])
                    out.append(
                        ([("v", p)] if p >= 0 else [], True, "" if p >= 0 else "empty")
                    )
                else:
                    out.append(([], True, "unknown"))
                continue
            key = (int(self.l_region[i]), str(lead["covers"].iat[i]))
            if key not in cache:
                cache[key] = self.candidate_areas(*key)
            out.append((cache[key], False, "" if cache[key] else "none"))
        return out

    @cached_property
    def l_region(self) -> IntArray:
        return self.inst.l_region

    @cached_property
    def poor_per_region(self) -> IntArray:
        n = np.bincount(self.pv_county, minlength=self.nr)
        n += np.bincount(self.pv_pref[self.pv_pref >= 0], minlength=self.nr)
        n[self.inst.province] = len(self.pv)
        return n

    def candidate_areas(self, r: int, covers: str) -> list[tuple[str, int]]:
        """R7 candidate areas of a leader group (region ``r``, ``covers``)."""
        if r < 0:
            return []
        lvl = self.level[r]
        n = self.poor_per_region
        if covers == "":
            return [("r", r)] if n[r] > 0 else []
        if covers == "village":
            return [("v", int(p)) for p in np.flatnonzero(self.in_region(r))]
        idx = np.arange(self.nr)
        if covers == "prefecture":
            inside = (idx == r) if lvl == 1 else (self.level == 1) & (lvl == 0)
            inside &= self.level == 1
        else:  # county / key_county
            inside = self.level == 2
            if lvl == 1:
                inside &= self.parent == r
            elif lvl == 2:
                inside &= idx == r
            if covers == "key_county":
                inside &= self.r_key
        return [("r", int(a)) for a in np.flatnonzero(inside & (n > 0))]

    def area_mask(self, area: tuple[str, int]) -> np.ndarray:
        if area[0] == "v":
            m = np.zeros(len(self.pv), dtype=bool)
            m[area[1]] = True
            return m
        return self.in_region(area[1])

    def leader_credit(self) -> None:
        """Optimistic credit of leaders' contact households (R7), see module doc."""
        np_ = len(self.pv)
        self.credit_county = np.zeros(self.nr, dtype=np.int64)
        self.credit_pref = np.zeros(self.nr, dtype=np.int64)
        self.credit_total = 0
        per_village = np.zeros(np_, dtype=np.int64)
        if not self.explicit and len(self.inst.leaders):
            need = self.inst.l_contact_households
            for i, (areas, _, _) in enumerate(self.leader_areas()):
                if not areas:
                    continue
                mask = np.zeros(np_, dtype=bool)
                for a in areas:
                    mask |= self.area_mask(a)
                k = int(need[i])
                per_village[mask] += k
                self.credit_county[np.unique(self.pv_county[mask])] += k
                prefs = np.unique(self.pv_pref[mask])
                self.credit_pref[prefs[prefs >= 0]] += k
                self.credit_total += k
        self.d_lo = np.maximum(0, self.d_hi - per_village)

    def demand_lb(self, mask: np.ndarray, credit: int) -> int:
        """Lower bound of the demand of a set of poor villages (one region)."""
        return int(max(self.d_lo[mask].sum(), self.d_hi[mask].sum() - credit))

    # -- who can lead which village --------------------------------------------

    @cached_property
    def maxcap(self) -> tuple[int, IntArray, IntArray]:
        """Largest capacity of an able unit: province, per prefecture, per county."""
        m = self.able & (self.tier == PROVINCE)
        prov = int(self.cap[m].max()) if m.any() else -1
        return (
            prov,
            self.tier_max(self.cap, PREFECTURE),
            self.tier_max(self.cap, COUNTY),
        )

    @cached_property
    def fits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per poor village: may some able unit of each tier carry it (R2, R5)?"""
        prov, pref, cty = self.maxcap
        d = self.d_lo
        pref_v = np.where(self.pv_pref >= 0, pref[np.maximum(self.pv_pref, 0)], -1)
        return d <= prov, d <= pref_v, d <= cty[self.pv_county]

    def forced_lb(self, tier: int, r: Pos) -> tuple[int, int, int]:
        """Least demand the tier's units of region ``r`` must lead (R4 mins, R2).

        Villages of ``r`` that no other tier can carry are theirs; their
        minimum villages add the smallest villages they could carry.

        Returns
        -------
        (demand, villages forced by capacity, minimum villages)
        """
        fp, ff, fc = self.fits
        own = {PROVINCE: fp, PREFECTURE: ff, COUNTY: fc}[tier]
        others = [
            x for t, x in ((PROVINCE, fp), (PREFECTURE, ff), (COUNTY, fc)) if t != tier
        ]
        only = own & ~others[0] & ~others[1]
        inside = self.in_region(r)
        forced = inside & only
        m = self.tier == tier
        if tier != PROVINCE:
            m = m & (self.u_region == r)
        k = int(self.umin[m & self.able].sum())
        rest = np.sort(self.d_lo[inside & own & ~only])
        extra = max(0, min(k - int(forced.sum()), len(rest)))
        return int(self.d_lo[forced].sum() + rest[:extra].sum()), int(forced.sum()), k


# -- the checks -----------------------------------------------------------------


def _n(x: int) -> str:
    return f"{int(x):,}"


def _cadres_for(c: Counts, households: int) -> str:
    per = max(1, c.rules.max_households)
    n = math.ceil(households / per)
    return f"e.g. {_n(n)} cadre{'s' if n != 1 else ''} at {per}"


def _unit_bounds(c: Counts) -> list[Cause]:
    """R4: a unit whose least villages exceed its most."""
    out = []
    bad = np.flatnonzero((c.tier < SOCIAL) & (c.raw_min > c.inst.u_max))
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


def _dispatch(c: Counts) -> list[Cause]:
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
    lacking = (c.tier < SOCIAL) & (c.umax >= 1) & ~c.field
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


def _leaders(c: Counts) -> list[Cause]:
    """R7: leaders without a possible area, or groups that cannot cover theirs."""
    inst = c.inst
    lead = inst.leaders
    if not len(lead):
        return []
    out = []
    lid = lead["leader_id"].to_numpy(dtype=object)
    areas = c.leader_areas()
    groups: dict[tuple[str, int, str], list[int]] = {}
    for i, (_, _, problem) in enumerate(areas):
        r = int(c.l_region[i])
        covers = str(lead["covers"].iat[i])
        groups.setdefault((str(lead["tier"].iat[i]), r, covers), []).append(i)
        area = str(lead["area_id"].iat[i])
        if problem == "unknown":
            out.append(
                Cause(
                    "R7",
                    str(lid[i]),
                    f"leader {lid[i]}: area {area} is neither a region nor a village",
                    {"leader_id": str(lid[i]), "area_id": area},
                    f"set area_id of {lid[i]} to an existing area, or clear it",
                )
            )
        elif problem == "empty":
            out.append(
                Cause(
                    "R7",
                    str(lid[i]),
                    f"leader {lid[i]}: area {area} has no poor village, so no contact "
                    "village can be chosen",
                    {"leader_id": str(lid[i]), "area_id": area, "poor_villages": 0},
                    f"set area_id of {lid[i]} to an area with a poor village, or clear "
                    "it",
                )
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
            out.append(
                Cause(
                    "R7",
                    str(lid[i]),
                    f"leader {lid[i]} covers {what} inside {where}, but none of them "
                    "holds a poor village",
                    {
                        "leader_id": str(lid[i]),
                        "region_id": str(lead["region_id"].iat[i]),
                        "covers": covers,
                        "areas": 0,
                    },
                    f"change covers or region_id of {lid[i]}, or give it an area_id",
                )
            )
    # coverage inside a group: every area when leaders >= areas, else distinct
    for (tier, r, covers), members in groups.items():
        if r < 0 or covers == "" or any(areas[i][2] == "none" for i in members):
            continue
        cand = set(c.candidate_areas(r, covers))
        if not cand:
            continue
        fixed = [areas[i][0][0] for i in members if areas[i][1] and areas[i][0]]
        n_fixed = sum(1 for i in members if areas[i][1])
        n, m = len(members), len(cand)
        free = n - n_fixed
        if n >= m:
            uncovered = m - len(cand & set(fixed))
            if uncovered > free:
                out.append(
                    Cause(
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
                        f"clear area_id of {uncovered - free} leader(s) sharing an "
                        "area",
                    )
                )
        else:
            inside = [a for a in fixed if a in cand]
            dup = len(inside) - len(set(inside))
            if dup > 0:
                out.append(
                    Cause(
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
                )
    return out


def _village_fit(c: Counts) -> list[Cause]:
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
            (c.tier == PROVINCE)
            | ((c.tier == PREFECTURE) & (c.u_region == p))
            | ((c.tier == COUNTY) & (c.u_region == k))
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


def _village_counts(c: Counts) -> list[Cause]:
    """R4: villages per unit against poor villages, tier by tier (exact count).

    Eligibility is nested (county ⊂ prefecture ⊂ province), so the counting
    problem is solved exactly bottom-up: each county passes up the range of
    villages its county units leave, each prefecture the range its units
    leave, and the province units must fit the rest.
    """
    out = []
    umin, umax = c.umin * c.able, c.umax * c.able
    mn_c, mx_c = c.tier_sum(umin, COUNTY), c.tier_sum(umax, COUNTY)
    mn_p, mx_p = c.tier_sum(umin, PREFECTURE), c.tier_sum(umax, PREFECTURE)
    prov = c.tier == PROVINCE
    mn_v, mx_v = int(umin[prov].sum()), int(umax[prov].sum())
    n_c = np.bincount(c.pv_county, minlength=c.nr)
    lo_up = np.zeros(c.nr, dtype=np.int64)
    hi_up = np.zeros(c.nr, dtype=np.int64)
    for r in np.flatnonzero(c.level == 2):
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
    lo_v = hi_v = 0
    left_per_pref: dict[Pos, int] = {}
    p: Pos
    for p in np.flatnonzero(c.level == 1):
        kids = (c.level == 2) & (c.parent == p)
        lo, hi = int(lo_up[kids].sum()), int(hi_up[kids].sum())
        mn, mx = int(mn_p[p]), int(mx_p[p])
        n = int(n_c[kids].sum())
        if mn > hi:
            out.append(_prefecture_minimums(c, p, mn, hi, n))
        left_per_pref[p] = max(0, lo - mx)
        lo_v += left_per_pref[p]
        hi_v += hi - min(mn, hi)
    # counties directly under the province (not in the contract; be safe)
    orphan = (c.level == 2) & (c.level[np.maximum(c.parent, 0)] != 1)
    lo_v += int(lo_up[orphan].sum())
    hi_v += int(hi_up[orphan].sum())
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


def _prefecture_minimums(c: Counts, p: Pos, mn: int, hi: int, n: int) -> Cause:
    """R4: a prefecture's units must lead more villages than it has left.

    With the tier default (prefecture 1–2), every prefecture-tier unit takes
    a village ("原则上，市（州）直部门都要承担贫困村包保任务"), so an area
    needs at least as many poor villages as prefecture units.
    """
    mine = np.flatnonzero(
        (c.tier == PREFECTURE) & (c.u_region == p) & c.able & (c.umin >= 1)
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


def _forced_units(c: Counts) -> list[Cause]:
    """R4 + R5: a unit that must lead villages none of which its cadres can carry."""
    out = []
    sorted_by: dict[int, np.ndarray] = {}
    for u in np.flatnonzero(c.able & (c.umin >= 1)):
        r = c.inst.province if c.tier[u] == PROVINCE else int(c.u_region[u])
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


def _key_share(c: Counts) -> list[Cause]:
    """R6: province units forced to lead too few key-county villages."""
    share = Fraction(c.rules.province_key_county_share).limit_denominator(10**6)
    prov = c.able & (c.tier == PROVINCE)
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
    cap_c = c.tier_sum(c.cap, COUNTY)
    cap_p = c.tier_sum(c.cap, PREFECTURE)
    pref_need: dict[int, int] = {}
    out = {}
    for k in np.flatnonzero(c.level == 2).tolist():
        p = int(c.parent[k]) if c.parent[k] >= 0 and c.level[c.parent[k]] == 1 else -1
        s = int(c.scattered[k])
        forced = c.forced_lb(COUNTY, k)[0]
        if p >= 0 and p not in pref_need:
            pref_need[p] = c.forced_lb(PREFECTURE, p)[0]
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


def _scattered(c: Counts) -> list[Cause]:
    """R3: scattered households of a county against county and prefecture spare."""
    out = []
    cap_c = c.tier_sum(c.cap, COUNTY)
    cap_p = c.tier_sum(c.cap, PREFECTURE)
    balance = scattered_balance(c)
    # R8: county units that cannot field a first team carry nothing
    no_team = (c.tier == COUNTY) & ~c.field
    lost_cap = c.tier_sum(c.raw_cap, COUNTY, no_team)
    lost_n = c.tier_sum(np.ones(len(c.tier), dtype=np.int64), COUNTY, no_team)
    for p in np.flatnonzero(c.level == 1):
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
        for k in singles:
            o, s, forced = over[k]
            short = o - spare_p
            cap_txt = f"county-tier capacity {_n(cap_c[k])}"
            if forced:
                cap_txt += (
                    f" ({_n(forced)} of it needed by villages its units must lead)"
                )
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
            out.append(
                Cause(
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
            )
        total = sum(o for o, _, _ in over.values())
        if not singles and total > spare_p:
            short = total - spare_p
            out.append(
                Cause(
                    "R3",
                    str(c.r_id[p]),
                    f"{c.region(p)}: its counties' scattered households exceed their "
                    f"county-tier spare by {_n(total)} in all ("
                    + ", ".join(
                        f"{c.r_id[k]}: {_n(o)}" for k, (o, _, _) in over.items()
                    )
                    + f"), prefecture spare {_n(spare_p)} — short by {_n(short)}",
                    {
                        "region_id": str(c.r_id[p]),
                        "prefecture_id": str(c.r_id[p]),
                        "overflow": total,
                        "by_county": {
                            str(c.r_id[k]): o for k, (o, _, _) in over.items()
                        },
                        "prefecture_capacity": int(cap_p[p]),
                        "prefecture_villages_min": pref_need,
                        "prefecture_spare": spare_p,
                        "short": short,
                    },
                    f"add {_n(short)} households of county- or prefecture-tier "
                    "capacity "
                    f"in {c.r_name[p] or c.r_id[p]} ({_cadres_for(c, short)})",
                )
            )
    return out


def _capacity(c: Counts, skip: set) -> list[Cause]:
    """R5 (with R2, R3): households against the cadres who may carry them."""
    out = []
    lead = c.tier < SOCIAL
    total_cap = int(c.cap[lead].sum())
    prov = c.able & (c.tier == PROVINCE)
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
    # the tier's units of a region must lead villages heavier than they can carry
    for tier, levels in ((PROVINCE, (0,)), (PREFECTURE, (1,)), (COUNTY, (2,))):
        cap_r = c.tier_sum(c.cap, tier)
        for r in np.flatnonzero(np.isin(c.level, levels)):
            need, forced, k = c.forced_lb(tier, r)
            cap = (
                int(c.cap[c.tier == tier].sum()) if tier == PROVINCE else int(cap_r[r])
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
    if out:
        return out
    # per prefecture: local tiers plus what province units could take there
    cap_c = c.tier_sum(c.cap, COUNTY)
    cap_p = c.tier_sum(c.cap, PREFECTURE)
    pcap, pmax = c.cap[prov], c.umax[prov]

    def province_use(mask: np.ndarray) -> int:
        top = np.sort(c.d_hi[mask])[::-1]
        prefix = np.concatenate([[0], np.cumsum(top)])
        return int(np.minimum(pcap, prefix[np.minimum(pmax, len(top))]).sum())

    deficit = 0
    for p in np.flatnonzero(c.level == 1):
        kids = (c.level == 2) & (c.parent == p)
        mask = c.pv_pref == p
        s = int(c.scattered[kids].sum())
        need = c.demand_lb(mask, int(c.credit_pref[p])) + s
        local = int(cap_c[kids].sum() + cap_p[p])
        deficit += max(0, need - local)
        use = province_use(mask)
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
    use = province_use(all_pv)
    if deficit > use:
        short = deficit - use
        out.append(
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
        )
    return out
