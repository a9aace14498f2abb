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
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from ..errors import Cause, Infeasible
from ..instance import Instance, IntArray
from ..rules import Weights
from .household_parts import (
    SCALE,
    FlowView,
    components,
    direct_arcs,
    keepable,
    load_step,
    members,
    rank_value,
    spread,
)
from .teams import fieldable


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
    stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stopped_buckets: int = 1,
    stopped_nearest: int = 1,
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
        kept = keepable(instance, lead, todo, np.asarray(keep, dtype=np.int64))
        cadre[kept] = keep[kept]
        todo[kept] = False
        cap -= np.bincount(keep[kept], minlength=n_c)
    # R14: households a unit may take before touching its reserve
    kept_per_unit = np.bincount(
        instance.c_unit, weights=instance.c_cap - cap, minlength=len(instance.units)
    ).astype(np.int64)
    free = np.maximum(0, instance.u_reserved_capacity(reserve) - kept_per_unit)
    hb, bmean = _buckets(instance.h_severity, buckets)
    comp_h, comp_u = components(instance, lead, todo, cap)
    n_comp = int(comp_u.max(initial=-1)) + 1
    jobs = []
    h_sorted = np.flatnonzero(todo)
    h_sorted = h_sorted[np.argsort(comp_h[h_sorted], kind="stable")]
    h_first = np.searchsorted(comp_h[h_sorted], np.arange(n_comp + 1))
    for k in range(n_comp):
        hh = h_sorted[h_first[k] : h_first[k + 1]]
        if not len(hh):  # nothing to place (a re-plan keeps the part whole)
            continue
        view = FlowView.of(instance, lead, cap, free, hh, comp_u == k)
        jobs.append((view, hb[view.households], bmean, w, nearest))
    results = _run_jobs(
        jobs, executor, stop, progress, instance.h_severity, stopped_buckets,
        stopped_nearest,
    )  # fmt: skip
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


def _run_jobs(
    jobs: list[tuple[FlowView, IntArray, np.ndarray, Weights, int]],
    executor: Executor | None,
    stop: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
    severity: np.ndarray,
    stopped_buckets: int,
    stopped_nearest: int,
) -> list[tuple[IntArray, float, int, int]]:
    """Each component's flow, in order; coarser ones once ``stop`` says so."""
    if executor is not None and len(jobs) > 1:
        futures = [executor.submit(_flow_job, job) for job in jobs]
        results = []
        for k, future in enumerate(futures):
            results.append(future.result())
            if progress is not None:
                progress(k + 1, len(jobs))
        return results
    coarse: tuple[IntArray, np.ndarray] | None = None
    results = []
    for k, job in enumerate(jobs):
        if stop is not None and stop():
            if coarse is None:
                coarse = _buckets(severity, stopped_buckets)
            view, _, _, w, _ = job
            job = (view, coarse[0][view.households], coarse[1], w, stopped_nearest)
        results.append(_flow_job(job))
        if progress is not None:
            progress(k + 1, len(jobs))
    return results


def _flow_job(
    job: tuple[FlowView, IntArray, np.ndarray, Weights, int],
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
    county_units, cu_lo, cu_cnt = members(u_region, u_tier == 2, sg_county)
    g_rep, units, travel, far = direct_arcs(
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
    pool_units, p_lo, p_cnt = members(u_region, u_tier == 2, cb_county)
    pool_cb = np.repeat(np.arange(len(cb)), p_cnt)
    pool_to = ub0 + pool_units[spread(p_lo, p_cnt)] * nb + cb_bucket[pool_cb]
    pref_units, f_lo, f_cnt = members(
        u_region, u_tier == 1, instance.r_prefecture[cb_county]
    )
    of_cb = np.repeat(np.arange(len(cb)), f_cnt)
    of_to = ub0 + pref_units[spread(f_lo, f_cnt)] * nb + cb_bucket[of_cb]
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
        -np.rint(rank_value(w.rank, rank_norm, bmean[b_rep])).astype(np.int64),
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
        step = load_step(w.even_load, kmax)
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
