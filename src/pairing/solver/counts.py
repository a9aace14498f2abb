"""Counting figures of an instance shared by the pre-checks and ``explain`` (R15).

:class:`Counts` holds the arrays and region sums that :func:`pairing.precheck.precheck`
compares and that :func:`pairing.solver.conflicts.explain` starts from. It
lives in the solve layer (it builds on the R8 team arithmetic of
:mod:`pairing.solver.teams`) so that the conflict search needs nothing from
the check layer above it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

import numpy as np

from ..instance import Instance, IntArray
from ..tiers import LEVEL_NAMES, TIER_NAMES, Tier
from .teams import fieldable

Pos = int | np.integer[Any]
"""A row position: a Python int or a numpy integer (from ``np.flatnonzero`` …)."""


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
        self.field = fieldable(inst) | (self.tier == Tier.SOCIAL)
        self.raw_cap = inst.u_capacity
        self.cap = np.where(self.field, self.raw_cap, 0)
        self.cadres = inst.u_cadres
        self.raw_min = inst.u_min
        self.umax = np.where(self.tier == Tier.SOCIAL, 0, inst.u_max)
        self.umin = np.where(
            self.tier == Tier.SOCIAL, 0, np.minimum(inst.u_min, self.umax)
        )
        self.able = (self.tier < Tier.SOCIAL) & (self.umax >= 1) & self.field
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
        if lvl == Tier.PROVINCE:
            return np.ones(len(self.pv), dtype=bool)
        if lvl == Tier.PREFECTURE:
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
            inside = (
                (idx == r)
                if lvl == Tier.PREFECTURE
                else (self.level == Tier.PREFECTURE) & (lvl == Tier.PROVINCE)
            )
            inside &= self.level == Tier.PREFECTURE
        else:  # county / key_county
            inside = self.level == Tier.COUNTY
            if lvl == Tier.PREFECTURE:
                inside &= self.parent == r
            elif lvl == Tier.COUNTY:
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
        m = self.able & (self.tier == Tier.PROVINCE)
        prov = int(self.cap[m].max()) if m.any() else -1
        return (
            prov,
            self.tier_max(self.cap, Tier.PREFECTURE),
            self.tier_max(self.cap, Tier.COUNTY),
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
        fits = self.fits  # indexed by Tier: province, prefecture, county
        own = fits[tier]
        others = [x for t, x in enumerate(fits) if t != tier]
        only = own & ~others[0] & ~others[1]
        inside = self.in_region(r)
        forced = inside & only
        m = self.tier == tier
        if tier != Tier.PROVINCE:
            m = m & (self.u_region == r)
        k = int(self.umin[m & self.able].sum())
        rest = np.sort(self.d_lo[inside & own & ~only])
        extra = max(0, min(k - int(forced.sum()), len(rest)))
        return int(self.d_lo[forced].sum() + rest[:extra].sum()), int(forced.sum()), k
