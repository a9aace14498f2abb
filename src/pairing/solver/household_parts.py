"""The parts of the household flow (R3, R12, R14): views, components, arcs.

:mod:`pairing.solver.households` builds one min-cost flow per independent
part of the province; this module cuts the instance into those parts
(:func:`components`), gives each part its local arrays (:class:`FlowView`),
keeps a baseline's still-valid pairings (:func:`keepable`, R14) and finds each
scattered group's direct arcs to its nearest county units (:func:`direct_arcs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..instance import Instance, IntArray
from .nearest import nearest_units
from .teams import fieldable

SCALE = 1000
"""Cost units per unit of a normalised objective term."""


# -- the household stage's objective terms (written once: the flow's arc costs
# and pairing.score read them) ------------------------------------------------


def rank_value(
    w_rank: float, rank_norm: np.ndarray, severity_norm: np.ndarray
) -> np.ndarray:
    """R10: value of a cadre of normalised rank taking a household of normalised
    severity (``SCALE w_rank r s``; the flow's arc cost is its negative)."""
    return np.asarray(SCALE * w_rank * rank_norm * severity_norm, dtype=np.float64)


def load_step(w_even_load: float, kmax: int) -> float:
    """R12: cost of each further household of a cadre: the k-th costs
    ``(k - 1)`` steps, so loads are even (``kmax`` the largest cap)."""
    return SCALE * w_even_load / max(kmax - 1, 1)


def travel_cost(w_distance: float, km: np.ndarray) -> np.ndarray:
    """R12: cost of a scattered household's travel to its unit (``km``)."""
    return np.asarray(SCALE * w_distance * km / 100.0, dtype=np.float64)


@dataclass
class FlowView:
    """The arrays of one independent component of the household flow.

    Households, units and cadres are renumbered locally; villages and
    regions keep their global indices. Picklable, so a component can run on
    any executor.
    """

    households: IntArray
    cadres: IntArray
    h_village: IntArray
    h_scattered: np.ndarray
    lead: IntArray
    u_tier: IntArray
    u_region: IntArray
    u_xy: np.ndarray
    c_unit: IntArray
    c_rank: IntArray
    cap: IntArray
    u_free: IntArray
    v_county: IntArray
    v_xy: np.ndarray
    r_prefecture: IntArray

    @property
    def n_h(self) -> int:
        return len(self.households)

    @property
    def n_u(self) -> int:
        return len(self.u_tier)

    @property
    def n_c(self) -> int:
        return len(self.cadres)

    def distance(self, units: IntArray, villages: IntArray) -> np.ndarray:
        d = np.hypot(*(self.u_xy[units] - self.v_xy[villages]).T)
        return np.nan_to_num(d, nan=0.0)

    @classmethod
    def of(
        cls,
        instance: Instance,
        lead: IntArray,
        cap: IntArray,
        free: IntArray,
        households: IntArray,
        u_mask: np.ndarray,
    ) -> FlowView:
        units = np.flatnonzero(u_mask)
        local = np.full(len(instance.units), -1, dtype=np.int64)
        local[units] = np.arange(len(units))
        cadres = np.flatnonzero(u_mask[instance.c_unit])
        return cls(
            households=households,
            cadres=cadres,
            h_village=instance.h_village[households],
            h_scattered=instance.h_scattered[households],
            lead=np.where(lead >= 0, local[np.maximum(lead, 0)], -1),
            u_tier=instance.u_tier[units],
            u_region=instance.u_region[units],
            u_xy=instance.u_xy[units],
            c_unit=local[instance.c_unit[cadres]],
            c_rank=instance.c_rank[cadres],
            cap=cap[cadres],
            u_free=free[units],
            v_county=instance.v_county,
            v_xy=instance.v_xy,
            r_prefecture=instance.r_prefecture,
        )


def components(
    instance: Instance,
    lead: IntArray,
    todo: np.ndarray,
    cap: IntArray,
    split: bool = True,
) -> tuple[IntArray, IntArray]:
    """Independent parts of the flow, as component numbers per household and unit.

    The province tier's units with their villages' households are one part.
    A county whose county-tier cadres can carry all of its households (its
    scattered ones and its county units' villages') is a part of its own:
    the overflow to the prefecture tier costs more than any other path
    (module docstring), so an optimal flow sends none while one of the
    county's cadres has room, and nothing else links the county to the rest.
    Each prefecture's other counties, its prefecture-tier units and their
    villages' households are one part ("县级兜底"). Smaller parts keep the
    flow's cost near linear in the province's size (the min-cost flow is not:
    it took 5.7× the time for 3× the households on whole prefectures). With
    ``split=False`` every county stays with its prefecture (for tests).
    """
    nr = len(instance.regions)
    tier, region = instance.u_tier, instance.u_region
    hv = instance.h_village
    h_lead = lead[hv]
    in_poor = ~instance.h_scattered & (h_lead >= 0)
    # county k carries alone when its county cadres' capacity covers it (R3)
    county_cap = np.bincount(
        region[instance.c_unit],
        weights=np.where(tier[instance.c_unit] == 2, cap, 0),
        minlength=nr,
    )
    by_county = todo & (
        instance.h_scattered | (in_poor & (tier[np.maximum(h_lead, 0)] == 2))
    )
    demand = np.bincount(instance.h_county[by_county], minlength=nr)
    alone = (county_cap >= demand) & split
    pref = instance.r_prefecture
    own = (tier == 2) & alone[region]  # a county unit of a county on its own
    u_key = 2 + pref[region] * (nr + 1) + np.where(own, region + 1, 0)
    u_key[tier == 0] = 0
    u_key[tier == 3] = -1  # social units carry no household
    hc = instance.h_county
    h_key = np.where(
        instance.h_scattered | (h_lead < 0),
        np.where(alone[hc], 2 + pref[hc] * (nr + 1) + hc + 1, 2 + pref[hc] * (nr + 1)),
        u_key[np.maximum(h_lead, 0)],
    )
    # renumber densely, keeping order
    used, inv = np.unique(np.concatenate([u_key, h_key]), return_inverse=True)
    offset = int(used[0] < 0)
    inv = inv - offset
    return inv[len(u_key) :], inv[: len(u_key)]


def keepable(
    instance: Instance, lead: IntArray, todo: np.ndarray, keep: IntArray
) -> IntArray:
    """Households whose baseline cadre may stay responsible (R14).

    A pairing is kept when the cadre still exists, the household is still to
    be covered by a cadre, the cadre's unit is one the rules allow (the lead
    unit for a poor village; a county-tier unit of the county, or a
    prefecture-tier unit of the prefecture, for a scattered household), the
    cadre stays within its cap (the most severe households are kept first)
    and the prefecture tier keeps no more scattered households of a county
    than the county tier cannot carry (R3).
    """
    n_c = len(instance.cadres)
    hv = instance.h_village
    ok = todo & (keep >= 0) & (keep < n_c)
    can = fieldable(instance)  # R8: a unit that cannot field a team keeps none
    ok[ok] &= can[instance.c_unit[keep[ok]]]
    h = np.flatnonzero(ok)
    u = instance.c_unit[keep[h]]
    v = hv[h]
    poor = instance.v_poor[v]
    tier = instance.u_tier[u]
    region = instance.u_region[u]
    county = instance.v_county[v]
    allowed = np.where(
        poor,
        lead[v] == u,
        ((tier == 2) & (region == county))
        | ((tier == 1) & (region == instance.r_prefecture[county])),
    )
    h = h[allowed]
    # R5: within the cap, most severe first
    order = np.lexsort((h, -instance.h_severity[h], keep[h]))
    h = h[order]
    c = keep[h]
    first = np.searchsorted(c, c, side="left")
    h = h[(np.arange(len(h)) - first) < instance.c_cap[c]]
    # R3: prefecture tier keeps at most the county's unavoidable overflow
    county_h = instance.v_county[hv[h]]
    pref_kept = (instance.u_tier[instance.c_unit[keep[h]]] == 1) & instance.h_scattered[
        h
    ]
    if pref_kept.any():
        n_r = len(instance.regions)
        scattered = np.bincount(
            instance.h_county[todo & instance.h_scattered], minlength=n_r
        )
        county_cap = np.bincount(
            instance.u_region[instance.c_unit],
            weights=np.where(
                (instance.u_tier == 2)[instance.c_unit] & can[instance.c_unit],
                instance.c_cap,
                0,
            ),
            minlength=n_r,
        )
        led = instance.v_poor & (lead >= 0)
        vl = np.flatnonzero(led)
        from_county = instance.u_tier[lead[vl]] == 2
        village_need = np.bincount(
            instance.u_region[lead[vl[from_county]]],
            weights=np.bincount(hv[todo], minlength=len(instance.villages))[
                vl[from_county]
            ],
            minlength=n_r,
        )
        allowed_of = np.maximum(0, scattered - (county_cap - village_need)).astype(
            np.int64
        )
        idx = np.flatnonzero(pref_kept)
        o = np.lexsort((idx, county_h[idx]))
        idx = idx[o]
        cc = county_h[idx]
        rank_in_county = np.arange(len(idx)) - np.searchsorted(cc, cc, side="left")
        drop = idx[rank_in_county >= allowed_of[cc]]
        h = np.delete(h, drop)
    # R3 + R5: a unit's own villages' households have nowhere else to go, so
    # kept scattered households may only fill what they leave free
    n_u = len(instance.units)
    in_poor = todo & ~instance.h_scattered
    forced = np.bincount(lead[hv[in_poor]], minlength=n_u)
    room = np.maximum(0, instance.u_capacity - forced)
    sc = h[instance.h_scattered[h]]
    su = instance.c_unit[keep[sc]]
    o = np.lexsort((sc, -instance.h_severity[sc], su))
    sc, su = sc[o], su[o]
    rank_in_unit = np.arange(len(sc)) - np.searchsorted(su, su, side="left")
    kept = np.zeros(len(instance.households), dtype=bool)
    kept[h] = True
    kept[sc[rank_in_unit >= room[su]]] = False  # (a mask: setdiff1d sorts 430k)
    return np.flatnonzero(kept)


def direct_arcs(
    view: FlowView, weight: float, sg_village: IntArray, sg_county: IntArray, k: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Each scattered group's ``k`` nearest county units of its county (R12).

    Returns the arcs ``(group, unit, travel cost)`` sorted by group, cost and
    unit, and each group's farthest unit's cost (the pool's price). Groups of
    one village share its units, so the search runs per village, county by
    county (:func:`pairing.solver.nearest.nearest_units`).
    """

    def cost(u: IntArray, v: IntArray) -> IntArray:
        return np.asarray(
            np.rint(travel_cost(weight, view.distance(u, v))), dtype=np.int64
        )

    n_g = len(sg_village)
    villages, g_first, g_village = np.unique(
        sg_village, return_index=True, return_inverse=True
    )
    v_county = sg_county[g_first]
    near_v: list[IntArray] = []
    cost_v: list[IntArray] = []
    far_v = np.zeros(len(villages), dtype=np.int64)
    rows = np.zeros(len(villages), dtype=np.int64)  # arcs per village
    county_units, lo, cnt = members(view.u_region, view.u_tier == 2, v_county)
    order = np.argsort(v_county, kind="stable")
    bounds = np.flatnonzero(np.diff(v_county[order])) + 1
    for part in np.split(order, bounds) if len(order) else []:
        i = int(part[0])
        units = county_units[lo[i] : lo[i] + cnt[i]]
        if not len(units):
            continue
        near, c, far = nearest_units(
            units, villages[part], view.u_xy, view.v_xy, cost, k
        )
        far_v[part] = far
        rows[part] = near.shape[1]
        near_v.append(near.ravel())
        cost_v.append(c.ravel())
    # arcs of each village, in village order
    flat_u = np.concatenate(near_v) if near_v else np.zeros(0, dtype=np.int64)
    flat_c = np.concatenate(cost_v) if cost_v else np.zeros(0, dtype=np.int64)
    start = np.zeros(len(villages), dtype=np.int64)
    start[order] = np.cumsum(rows[order]) - rows[order]  # parts are in this order
    g_rep = np.repeat(np.arange(n_g), rows[g_village])
    pos = spread(start[g_village], rows[g_village])
    return g_rep, flat_u[pos], flat_c[pos], far_v[g_village]


def members(
    region: IntArray, mask: np.ndarray, keys: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Units with ``mask`` grouped by region: the sorted units, and for each
    key its first position and count among them."""
    units = np.flatnonzero(mask)
    units = units[np.argsort(region[units], kind="stable")]
    r = region[units]
    lo = np.searchsorted(r, keys, side="left")
    return units, lo, np.searchsorted(r, keys, side="right") - lo


def spread(lo: IntArray, cnt: IntArray) -> IntArray:
    """Concatenated ranges ``lo[i] .. lo[i] + cnt[i]``."""
    return (
        np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
    )
