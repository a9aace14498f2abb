"""Household stage: a responsible cadre for every poor household (R1, R3, R5).

A min-cost flow, solved exactly. It falls apart into independent
components — the province tier's units with their villages' households, and
one per prefecture (its prefecture- and county-tier units, their villages'
households and its scattered households) — which are solved separately, on
an executor when one is given. Households are aggregated into
interchangeable groups so the network stays small:

* a household of a poor village can only go to its lead unit (R3), so it
  enters at the node ``(unit, severity bucket)``;
* a scattered household (插花户) of village ``w`` enters at ``(w, bucket)``
  and flows to any county-tier unit of its county (cost: travel, R12), or
  through the county's overflow node to a prefecture-tier unit of its
  prefecture at a cost that dominates everything else, so the prefecture
  tier takes exactly what the county tier cannot carry (R3, "县级兜底");
* inside a unit, ``(unit, bucket)`` flows to ``(unit, rank)`` at a cost that
  rewards senior cadres for severe households (R10), and ``(unit, rank)``
  flows to the sink through *load levels*: the k-th household of a cadre
  costs more than the (k-1)-th (R12 even loads), and level k's capacity is
  the number of that class's cadres whose cap is at least k (R5);
* the levels of a unit meet at the unit's node, which reaches the sink at no
  cost up to the unit's capacity less its reserve (R14, the rules'
  ``capacity_reserve``) and beyond it at a cost that dominates every R10,
  R12 and travel term: scattered households fill the free capacity of the
  county's other units before any reserve. R3's overflow cost dominates
  that in turn.

Cadres of one unit and rank are interchangeable, and households of one group
are too, so any flow is turned back into a household → cadre assignment
without loss: the model is solved to optimality (for severities rounded to
``buckets`` quantile classes).
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from ..errors import Cause, Infeasible
from ..instance import Instance, IntArray
from ..rules import Weights
from .nearest import nearest_units
from .teams import fieldable

SCALE = 1000
"""Cost units per unit of a normalised objective term."""


@dataclass
class HouseholdResult:
    """Outcome of the household stage.

    Attributes
    ----------
    cadre
        Responsible cadre index per household; -1 for households a leader
        covers (R7).
    objective
        Optimal flow cost (minimised, scaled by :data:`SCALE`), without the
        R3 overflow and R14 reserve parts.
    overflow
        Scattered households carried by the prefecture tier (R3).
    seconds
        Wall time of the stage.
    arcs
        Size of the flow network.
    """

    cadre: IntArray
    objective: float
    overflow: int
    seconds: float
    arcs: int


def _buckets(severity: np.ndarray, n: int) -> tuple[IntArray, np.ndarray]:
    """Quantile classes of severity and each class's mean, normalised to [0, 1]."""
    if len(severity) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1)
    edges = np.unique(np.quantile(severity, np.linspace(0, 1, n + 1)[1:-1]))
    b = np.searchsorted(edges, severity, side="right").astype(np.int64)
    nb = len(edges) + 1
    counts = np.bincount(b, minlength=nb)
    mean = np.bincount(b, weights=severity, minlength=nb) / np.maximum(counts, 1)
    top = max(float(severity.max()), 1e-12)
    return b, mean / top


def assign_households(
    instance: Instance,
    lead: IntArray,
    leader_households: IntArray,
    *,
    buckets: int = 16,
    nearest: int = 6,
    keep: IntArray | None = None,
    reserve: float = 0.0,
    executor: Executor | None = None,
) -> HouseholdResult:
    """Give every poor household not covered by a leader a responsible cadre.

    Parameters
    ----------
    instance
        The instance.
    lead
        Lead unit index per village (-1 for non-poor villages).
    leader_households
        Indices of households that leaders take personally (R7).
    buckets
        Number of severity classes households are grouped into.
    nearest
        Scattered households reach their ``nearest`` closest county-tier
        units at their exact travel; the county's other units through a pool
        charged the farthest unit's travel.
    executor
        Where the independent components (the province tier, then one per
        prefecture) are solved; in this process when None.
    keep
        Re-planning (R14): a baseline cadre index per household (-1 for
        none). Each pairing that is still valid (same unit as the rules now
        require, within the cadre's cap, R3's overflow not exceeded) is kept;
        the rest of the households go through the flow with what capacity is
        left.
    reserve
        Share of each unit's capacity filled last (R14): households that may
        go elsewhere (scattered ones) avoid it while other units have room.

    Returns
    -------
    HouseholdResult
        The optimal assignment.

    Raises
    ------
    Infeasible
        When the cadres cannot carry the households (the village stage's
        capacity constraints make this impossible for its own output).
    """
    start = time.perf_counter()
    w = instance.rules.weights
    n_h = len(instance.households)
    n_c = len(instance.cadres)

    todo = np.ones(n_h, dtype=bool)
    todo[leader_households] = False
    cadre = np.full(n_h, -1, dtype=np.int64)
    cap = instance.c_cap.copy()
    # R8: a unit that can never field its first team must carry nothing
    cap[~fieldable(instance)[instance.c_unit]] = 0
    if keep is not None:
        kept = _keepable(instance, lead, todo, np.asarray(keep, dtype=np.int64))
        cadre[kept] = keep[kept]
        todo[kept] = False
        cap -= np.bincount(keep[kept], minlength=n_c)
    # R14: households a unit may take before touching its reserve
    kept_per_unit = np.bincount(
        instance.c_unit, weights=instance.c_cap - cap, minlength=len(instance.units)
    ).astype(np.int64)
    free = np.maximum(0, instance.u_reserved_capacity(reserve) - kept_per_unit)
    hb, bmean = _buckets(instance.h_severity, buckets)
    comp_h, comp_u = _components(instance, lead, todo, cap)
    n_comp = int(comp_u.max(initial=-1)) + 1
    jobs = []
    h_sorted = np.flatnonzero(todo)
    h_sorted = h_sorted[np.argsort(comp_h[h_sorted], kind="stable")]
    h_first = np.searchsorted(comp_h[h_sorted], np.arange(n_comp + 1))
    for k in range(n_comp):
        hh = h_sorted[h_first[k] : h_first[k + 1]]
        view = _View.of(instance, lead, cap, free, hh, comp_u == k)
        jobs.append((view, hb[view.households], bmean, w, nearest))
    if executor is not None and len(jobs) > 1:
        results = list(executor.map(_flow_job, jobs))
    else:
        results = [_flow_job(job) for job in jobs]
    objective = 0.0
    overflow = n_arcs = 0
    for (view, *_), (local, cost, over, arcs_k) in zip(jobs, results, strict=True):
        done = local >= 0
        cadre[view.households[done]] = view.cadres[local[done]]
        objective += cost
        overflow += over
        n_arcs += arcs_k
    poor = todo & ~instance.h_scattered & (cadre >= 0)
    if np.any(instance.c_unit[cadre[poor]] != lead[instance.h_village[poor]]):
        raise RuntimeError("household stage: internal error, household off its unit")
    if np.any(cadre[todo] < 0):
        raise Infeasible(
            [Cause("R1", "", "households of a poor village without a lead unit")]
        )
    return HouseholdResult(
        cadre=cadre,
        objective=objective,
        overflow=overflow,
        seconds=time.perf_counter() - start,
        arcs=n_arcs,
    )


def _flow_job(
    job: tuple[_View, IntArray, np.ndarray, Weights, int],
) -> tuple[IntArray, float, int, int]:
    """One independent component's min-cost flow (picklable, for executors)."""
    view, hb, bmean, w, nearest = job
    instance, lead, cap = view, view.lead, view.cap
    n_h, n_u, n_c = view.n_h, view.n_u, view.n_c
    hv = view.h_village
    todo = np.ones(n_h, dtype=bool)
    cadre = np.full(n_h, -1, dtype=np.int64)
    nb = len(bmean)
    scattered = instance.h_scattered & todo
    in_poor = ~instance.h_scattered & todo

    # -- node numbering ------------------------------------------------------
    # (unit, bucket): u * nb + b
    ub0 = 0
    # (unit, rank class): per unit, one node per distinct rank of its cadres
    ranks, c_class = np.unique(
        instance.c_unit * (instance.c_rank.max(initial=1) + 1) + instance.c_rank,
        return_inverse=True,
    )
    n_cls = len(ranks)
    cls_unit = ranks // (instance.c_rank.max(initial=1) + 1)
    cls_rank = ranks % (instance.c_rank.max(initial=1) + 1)
    cls0 = ub0 + n_u * nb
    # scattered groups (village, bucket)
    sg_key = hv[scattered] * nb + hb[scattered]
    sg, s_group = np.unique(sg_key, return_inverse=True)
    sg0 = cls0 + n_cls
    sg_village = sg // nb
    sg_bucket = sg % nb
    # intermediate nodes per (county, bucket): a pool reaching every county
    # unit of the county, and the overflow to the prefecture tier
    sg_county = instance.v_county[sg_village]
    cb, cb_of_sg = np.unique(sg_county * nb + sg_bucket, return_inverse=True)
    pool0 = sg0 + len(sg)
    of0 = pool0 + len(cb)
    cb_county = cb // nb
    cb_bucket = cb % nb
    unode0 = of0 + len(cb)  # one node per unit, where its load levels meet (R14)
    sink = unode0 + n_u
    n_nodes = sink + 1

    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    caps: list[np.ndarray] = []
    costs: list[np.ndarray] = []

    def arcs(
        t: np.ndarray, h: np.ndarray, c: np.ndarray | int, k: np.ndarray | int
    ) -> None:
        """Append arcs ``t -> h``; capacity ``c`` and cost ``k`` broadcast."""
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        caps.append(np.broadcast_to(np.asarray(c, dtype=np.int64), len(t)).copy())
        costs.append(np.broadcast_to(np.asarray(k, dtype=np.int64), len(t)).copy())

    big = int(n_h + 1)
    u_tier, u_region = instance.u_tier, instance.u_region

    # R3 + R12 travel: scattered group -> its `nearest` closest county-tier
    # units directly (exact travel), or -> the county pool (charged the
    # farthest unit's travel) -> any county-tier unit of the county
    county_units, cu_lo, cu_cnt = _members(u_region, u_tier == 2, sg_county)
    g_rep, units, travel, far = _direct_arcs(
        instance, w.distance, sg_village, sg_county, nearest
    )
    via_pool = np.flatnonzero(cu_cnt > nearest)
    arcs(sg0 + g_rep, ub0 + units * nb + sg_bucket[g_rep], big, travel)
    arcs(sg0 + via_pool, pool0 + cb_of_sg[via_pool], big, far[via_pool])
    # a household in a unit's reserve costs more than any R10/R12/travel
    # saving (R14); the overflow to the prefecture tier more than that (R3)
    reserve_cost = int(SCALE * (w.rank + w.even_load) + 2 * int(far.max(initial=0)) + 1)
    overflow_cost = 2 * reserve_cost
    arcs(sg0 + np.arange(len(sg)), of0 + cb_of_sg, big, overflow_cost)
    # pool -> county units; overflow -> prefecture units (R3)
    pool_units, p_lo, p_cnt = _members(u_region, u_tier == 2, cb_county)
    pool_cb = np.repeat(np.arange(len(cb)), p_cnt)
    pool_to = ub0 + pool_units[_spread(p_lo, p_cnt)] * nb + cb_bucket[pool_cb]
    pref_units, f_lo, f_cnt = _members(
        u_region, u_tier == 1, instance.r_prefecture[cb_county]
    )
    of_cb = np.repeat(np.arange(len(cb)), f_cnt)
    of_to = ub0 + pref_units[_spread(f_lo, f_cnt)] * nb + cb_bucket[of_cb]
    via_tail = np.concatenate([pool0 + pool_cb, of0 + of_cb])
    via_head = np.concatenate([pool_to, of_to])
    arcs(via_tail, via_head, big, 0)

    # R10: (unit, bucket) -> (unit, rank class); senior cadres, severe households
    max_rank = max(int(instance.c_rank.max(initial=1)), 1)
    cls_of_unit_order = np.argsort(cls_unit, kind="stable")
    cu = cls_unit[cls_of_unit_order]
    per_unit = np.bincount(cu, minlength=n_u)
    cls_rep = np.repeat(cls_of_unit_order, nb)
    b_rep = np.tile(np.arange(nb), len(cls_of_unit_order))
    rank_norm = cls_rank[cls_rep] / max_rank
    arcs(
        ub0 + cls_unit[cls_rep] * nb + b_rep,
        cls0 + cls_rep,
        big,
        -np.rint(SCALE * w.rank * rank_norm * bmean[b_rep]).astype(np.int64),
    )
    del per_unit

    # R5 + R12: (unit, rank class) -> sink by load levels
    kmax = int(cap.max(initial=0))
    if kmax > 0:
        levels = np.arange(1, kmax + 1)
        # cadres of each class with cap >= k
        at_least = np.zeros((n_cls, kmax), dtype=np.int64)
        has = cap > 0  # a cadre with no place left has no level at all
        np.add.at(at_least, (c_class[has], np.minimum(cap[has], kmax) - 1), 1)
        at_least = np.cumsum(at_least[:, ::-1], axis=1)[:, ::-1]
        cls_i, lvl_i = np.nonzero(at_least)
        step = SCALE * w.even_load / max(kmax - 1, 1)
        arcs(
            cls0 + cls_i,
            unode0 + cls_unit[cls_i],
            at_least[cls_i, lvl_i],
            np.rint(step * (levels[lvl_i] - 1)).astype(np.int64),
        )
    # R14: a unit's free capacity first, then its reserve
    n_lvl_arcs = len(cls_i) if kmax > 0 else 0
    arcs(unode0 + np.arange(n_u), np.full(n_u, sink), view.u_free, 0)
    arcs(unode0 + np.arange(n_u), np.full(n_u, sink), big, reserve_cost)

    # supplies
    supply = np.zeros(n_nodes, dtype=np.int64)
    hu = lead[hv[in_poor]]
    if np.any(hu < 0):
        raise Infeasible(
            [Cause("R1", "", "households of a poor village without a lead unit")]
        )
    np.add.at(supply, ub0 + hu * nb + hb[in_poor], 1)
    supply[sg0 : sg0 + len(sg)] = np.bincount(s_group, minlength=len(sg))
    supply[sink] = -int(todo.sum())

    t = np.concatenate(tails) if tails else np.zeros(0, dtype=np.int64)
    h = np.concatenate(heads) if heads else np.zeros(0, dtype=np.int64)
    c = np.concatenate(caps) if caps else np.zeros(0, dtype=np.int64)
    k = np.concatenate(costs) if costs else np.zeros(0, dtype=np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    if len(t):
        flow.add_arcs_with_capacity_and_unit_cost(t, h, c, k)
    flow.set_nodes_supplies(np.arange(n_nodes), supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise Infeasible(
            [
                Cause(
                    "R5",
                    "",
                    "the cadres cannot carry every household of their units' "
                    f"villages and the scattered households (flow status {status})",
                )
            ]
        )
    f = flow.flows(np.arange(len(t)))

    # -- turn the flow back into households ----------------------------------
    # 1. scattered households: group -> (unit, bucket), pool or overflow node
    n_direct, n_pool = len(g_rep), len(via_pool)
    f_direct = f[:n_direct]
    f_pool = f[n_direct : n_direct + n_pool]
    off = n_direct + n_pool
    f_over = f[off : off + len(sg)]
    off += len(sg)
    f_via = f[off : off + len(via_tail)]
    off += len(via_tail)
    overflow = int(f_over.sum())

    s_idx = np.flatnonzero(scattered)
    s_order = np.argsort(s_group, kind="stable")
    dest_node = np.concatenate(
        [
            ub0 + units * nb + sg_bucket[g_rep],
            pool0 + cb_of_sg[via_pool],
            of0 + cb_of_sg,
        ]
    )
    dest_group = np.concatenate([g_rep, via_pool, np.arange(len(sg))])
    dest_flow = np.concatenate([f_direct, f_pool, f_over])
    o = np.lexsort((dest_node, dest_group))
    h_node = np.empty(n_h, dtype=np.int64)
    h_node[s_idx[s_order]] = np.repeat(dest_node[o], dest_flow[o])
    # pools and overflow nodes pass households on to units
    via_h = s_idx[h_node[s_idx] >= pool0]
    if len(via_h):
        via_h = via_h[np.argsort(h_node[via_h], kind="stable")]
        o = np.argsort(via_tail, kind="stable")
        h_node[via_h] = np.repeat(via_head[o], f_via[o])
    h_node[in_poor] = ub0 + hu * nb + hb[in_poor]

    # 2. (unit, bucket) -> rank class
    n_arc_cls = len(cls_rep)
    f_cls = f[off : off + n_arc_cls]
    off += n_arc_cls
    ub_node = ub0 + cls_unit[cls_rep] * nb + b_rep
    o = np.lexsort((cls_rep, ub_node))
    cls_dest = np.repeat(cls_rep[o], f_cls[o])
    active = np.flatnonzero(todo)
    active = active[np.lexsort((hv[active], h_node[active]))]  # by node, then village
    h_cls = np.empty(n_h, dtype=np.int64)
    h_cls[active] = cls_dest

    # 3. rank class -> cadres by load levels (cadres sorted by cap, descending)
    f_lvl = f[off : off + n_lvl_arcs]
    in_reserve = int(f[off + n_lvl_arcs + n_u :].sum())
    loads = np.zeros(n_c, dtype=np.int64)
    if kmax > 0:
        lvl_flow = np.zeros((n_cls, kmax), dtype=np.int64)
        lvl_flow[cls_i, lvl_i] = f_lvl
        lvl_flow = -np.sort(-lvl_flow, axis=1)  # non-increasing per class
        c_order = np.lexsort((np.arange(n_c), -cap, c_class))
        first = np.searchsorted(c_class[c_order], np.arange(n_cls))
        pos_in_cls = np.arange(n_c) - first[c_class[c_order]]
        loads[c_order] = (lvl_flow[c_class[c_order]] > pos_in_cls[:, None]).sum(axis=1)
    if np.any(loads > cap):
        raise RuntimeError("household stage: internal error, load above cap")
    c_order = np.lexsort((np.arange(n_c), c_class))
    slots = np.repeat(c_order, loads[c_order])  # cadre per slot, grouped by class
    o = np.lexsort((hv[active], h_cls[active]))  # households by class, then village
    cadre[active[o]] = slots
    objective = float(flow.optimal_cost())
    objective -= overflow_cost * overflow + reserve_cost * in_reserve
    return cadre, objective, overflow, len(t)


@dataclass
class _View:
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
    ) -> _View:
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


def _components(
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


def _keepable(
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
    h = np.setdiff1d(h, sc[rank_in_unit >= room[su]])
    return np.sort(h)


def _direct_arcs(
    view: _View, weight: float, sg_village: IntArray, sg_county: IntArray, k: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Each scattered group's ``k`` nearest county units of its county (R12).

    Returns the arcs ``(group, unit, travel cost)`` sorted by group, cost and
    unit, and each group's farthest unit's cost (the pool's price). Groups of
    one village share its units, so the search runs per village, county by
    county (:func:`pairing.solver.nearest.nearest_units`).
    """

    def cost(u: IntArray, v: IntArray) -> IntArray:
        d = view.distance(u, v)
        return np.asarray(np.rint(SCALE * weight * d / 100.0), dtype=np.int64)

    n_g = len(sg_village)
    villages, g_first, g_village = np.unique(
        sg_village, return_index=True, return_inverse=True
    )
    v_county = sg_county[g_first]
    near_v: list[IntArray] = []
    cost_v: list[IntArray] = []
    far_v = np.zeros(len(villages), dtype=np.int64)
    rows = np.zeros(len(villages), dtype=np.int64)  # arcs per village
    county_units, lo, cnt = _members(view.u_region, view.u_tier == 2, v_county)
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
    pos = _spread(start[g_village], rows[g_village])
    return g_rep, flat_u[pos], flat_c[pos], far_v[g_village]


def _members(
    region: IntArray, mask: np.ndarray, keys: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Units with ``mask`` grouped by region: the sorted units, and for each
    key its first position and count among them."""
    units = np.flatnonzero(mask)
    units = units[np.argsort(region[units], kind="stable")]
    r = region[units]
    lo = np.searchsorted(r, keys, side="left")
    return units, lo, np.searchsorted(r, keys, side="right") - lo


def _spread(lo: IntArray, cnt: IntArray) -> IntArray:
    """Concatenated ranges ``lo[i] .. lo[i] + cnt[i]``."""
    return (
        np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
    )
