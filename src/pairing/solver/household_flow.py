"""One component's min-cost flow of the household stage (R3, R5, R10, R12, R14).

:func:`_flow_job` numbers the network's nodes (:class:`_Nodes`), writes its
arcs one rule at a time (scattered households and R3's overflow, R10's rank
classes, R5 and R12's load levels, R14's reserve), solves it exactly and turns
the flow back into a responsible cadre per household. The network is the one
:mod:`.households` describes; it re-exports :func:`_flow_job`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from ..errors import Cause, Infeasible
from ..instance import IntArray
from ..rules import Weights
from .household_parts import (
    SCALE,
    FlowView,
    direct_arcs,
    load_step,
    members,
    rank_value,
    spread,
)

Job = tuple[FlowView, IntArray, np.ndarray, Weights, int]
"""A component's flow: its view, household buckets, bucket means, weights and
how many nearest county units scattered households reach directly."""


@dataclass
class _Nodes:
    """Node numbering of one component's network, block by block.

    ``(unit, bucket)`` nodes from 0 (``unit * nb + bucket``), then ``(unit,
    rank class)`` from ``cls0``, scattered groups ``(village, bucket)`` from
    ``group0``, the ``(county, bucket)`` pools from ``pool0`` and overflow
    nodes from ``overflow0``, one node per unit from ``unit0``, the sink.
    """

    nb: int
    c_class: IntArray
    cls_unit: IntArray
    cls_rank: IntArray
    cls0: int
    group_of_h: IntArray
    """Scattered group of each scattered household."""
    group_village: IntArray
    group_bucket: IntArray
    group_county: IntArray
    group0: int
    cb_of_group: IntArray
    """``(county, bucket)`` of each scattered group."""
    cb_county: IntArray
    cb_bucket: IntArray
    pool0: int
    overflow0: int
    unit0: int
    sink: int

    @property
    def n_groups(self) -> int:
        """Scattered groups."""
        return len(self.group_village)

    @property
    def n_cls(self) -> int:
        """Rank classes."""
        return len(self.cls_unit)


def _number_nodes(view: FlowView, hb: IntArray, nb: int) -> _Nodes:
    """The node blocks of ``view``'s network (``hb``: bucket per household)."""
    scattered = view.h_scattered
    base = view.c_rank.max(initial=1) + 1
    # (unit, rank class): per unit, one node per distinct rank of its cadres
    ranks, c_class = np.unique(view.c_unit * base + view.c_rank, return_inverse=True)
    cls0 = view.n_u * nb
    # scattered groups (village, bucket)
    groups, group_of_h = np.unique(
        view.h_village[scattered] * nb + hb[scattered], return_inverse=True
    )
    group0 = cls0 + len(ranks)
    group_village = groups // nb
    group_bucket = groups % nb
    # intermediate nodes per (county, bucket): a pool reaching every county
    # unit of the county, and the overflow to the prefecture tier
    group_county = view.v_county[group_village]
    cb, cb_of_group = np.unique(group_county * nb + group_bucket, return_inverse=True)
    pool0 = group0 + len(groups)
    overflow0 = pool0 + len(cb)
    unit0 = overflow0 + len(cb)  # one node per unit, where its levels meet (R14)
    return _Nodes(
        nb=nb,
        c_class=c_class,
        cls_unit=ranks // base,
        cls_rank=ranks % base,
        cls0=cls0,
        group_of_h=group_of_h,
        group_village=group_village,
        group_bucket=group_bucket,
        group_county=group_county,
        group0=group0,
        cb_of_group=cb_of_group,
        cb_county=cb // nb,
        cb_bucket=cb % nb,
        pool0=pool0,
        overflow0=overflow0,
        unit0=unit0,
        sink=unit0 + view.n_u,
    )


class _Arcs:
    """Collects the network's arcs as numpy blocks, in order."""

    def __init__(self) -> None:
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.caps: list[np.ndarray] = []
        self.costs: list[np.ndarray] = []

    def add(
        self,
        tail: np.ndarray,
        head: np.ndarray,
        cap: np.ndarray | int,
        cost: np.ndarray | int,
    ) -> None:
        """Append arcs ``tail -> head``; ``cap`` and ``cost`` broadcast."""
        n = len(tail)
        self.tails.append(np.asarray(tail, dtype=np.int64))
        self.heads.append(np.asarray(head, dtype=np.int64))
        self.caps.append(np.broadcast_to(np.asarray(cap, dtype=np.int64), n).copy())
        self.costs.append(np.broadcast_to(np.asarray(cost, dtype=np.int64), n).copy())

    def arrays(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Tails, heads, capacities and costs of every arc."""
        out = [
            np.concatenate(part) if part else np.zeros(0, dtype=np.int64)
            for part in (self.tails, self.heads, self.caps, self.costs)
        ]
        return out[0], out[1], out[2], out[3]


@dataclass
class _Scattered:
    """The scattered households' arcs, kept for reading the flow back."""

    g_rep: IntArray
    units: IntArray
    via_pool: IntArray
    via_tail: IntArray
    via_head: IntArray
    reserve_cost: int
    overflow_cost: int


def _scattered_arcs(
    view: FlowView, nodes: _Nodes, arcs: _Arcs, w: Weights, nearest: int, big: int
) -> _Scattered:
    """R3 + R12 travel: scattered group -> its ``nearest`` closest county-tier
    units directly (exact travel), or -> the county pool (charged the farthest
    unit's travel) -> any county-tier unit of the county; or -> the overflow
    node -> a prefecture-tier unit (R3)."""
    nb, u_tier, u_region = nodes.nb, view.u_tier, view.u_region
    _, _, cu_cnt = members(u_region, u_tier == 2, nodes.group_county)
    g_rep, units, travel, far = direct_arcs(
        view, w.distance, nodes.group_village, nodes.group_county, nearest
    )
    via_pool = np.flatnonzero(cu_cnt > nearest)
    arcs.add(nodes.group0 + g_rep, units * nb + nodes.group_bucket[g_rep], big, travel)
    arcs.add(
        nodes.group0 + via_pool, nodes.pool0 + nodes.cb_of_group[via_pool], big,
        far[via_pool],
    )  # fmt: skip
    # a household in a unit's reserve costs more than any R10/R12/travel
    # saving (R14); the overflow to the prefecture tier more than that (R3)
    reserve_cost = int(SCALE * (w.rank + w.even_load) + 2 * int(far.max(initial=0)) + 1)
    overflow_cost = 2 * reserve_cost
    groups = np.arange(nodes.n_groups)
    arcs.add(
        nodes.group0 + groups, nodes.overflow0 + nodes.cb_of_group, big, overflow_cost
    )
    # pool -> county units; overflow -> prefecture units (R3)
    n_cb = len(nodes.cb_county)
    pool_units, p_lo, p_cnt = members(u_region, u_tier == 2, nodes.cb_county)
    pool_cb = np.repeat(np.arange(n_cb), p_cnt)
    pool_to = pool_units[spread(p_lo, p_cnt)] * nb + nodes.cb_bucket[pool_cb]
    pref_units, f_lo, f_cnt = members(
        u_region, u_tier == 1, view.r_prefecture[nodes.cb_county]
    )
    of_cb = np.repeat(np.arange(n_cb), f_cnt)
    of_to = pref_units[spread(f_lo, f_cnt)] * nb + nodes.cb_bucket[of_cb]
    via_tail = np.concatenate([nodes.pool0 + pool_cb, nodes.overflow0 + of_cb])
    via_head = np.concatenate([pool_to, of_to])
    arcs.add(via_tail, via_head, big, 0)
    return _Scattered(
        g_rep, units, via_pool, via_tail, via_head, reserve_cost, overflow_cost
    )


def _rank_arcs(
    view: FlowView, nodes: _Nodes, arcs: _Arcs, w: Weights, bmean: np.ndarray, big: int
) -> tuple[IntArray, IntArray]:
    """R10: (unit, bucket) -> (unit, rank class), senior cadres for severe
    households; returns each arc's class and bucket."""
    nb = nodes.nb
    max_rank = max(int(view.c_rank.max(initial=1)), 1)
    cls_order = np.argsort(nodes.cls_unit, kind="stable")
    cls_rep = np.repeat(cls_order, nb)
    b_rep = np.tile(np.arange(nb), len(cls_order))
    rank_norm = nodes.cls_rank[cls_rep] / max_rank
    arcs.add(
        nodes.cls_unit[cls_rep] * nb + b_rep,
        nodes.cls0 + cls_rep,
        big,
        -np.rint(rank_value(w.rank, rank_norm, bmean[b_rep])).astype(np.int64),
    )
    return cls_rep, b_rep


def _level_arcs(
    view: FlowView, nodes: _Nodes, arcs: _Arcs, w: Weights
) -> tuple[IntArray, IntArray]:
    """R5 + R12: (unit, rank class) -> the unit's node by load levels (level
    k's capacity: the class's cadres whose cap is at least k); returns each
    arc's class and level (empty when no cadre has room)."""
    cap = view.cap
    kmax = int(cap.max(initial=0))
    if kmax <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    levels = np.arange(1, kmax + 1)
    at_least = np.zeros((nodes.n_cls, kmax), dtype=np.int64)
    has = cap > 0  # a cadre with no place left has no level at all
    np.add.at(at_least, (nodes.c_class[has], np.minimum(cap[has], kmax) - 1), 1)
    at_least = np.cumsum(at_least[:, ::-1], axis=1)[:, ::-1]
    cls_i, lvl_i = np.nonzero(at_least)
    step = load_step(w.even_load, kmax)
    arcs.add(
        nodes.cls0 + cls_i,
        nodes.unit0 + nodes.cls_unit[cls_i],
        at_least[cls_i, lvl_i],
        np.rint(step * (levels[lvl_i] - 1)).astype(np.int64),
    )
    return cls_i, lvl_i


def _no_lead() -> Infeasible:
    return Infeasible(
        [Cause("R1", "", "households of a poor village without a lead unit")]
    )


def _supplies(view: FlowView, nodes: _Nodes, hb: IntArray) -> tuple[IntArray, IntArray]:
    """Supply per node (households at their entry nodes, the sink takes them
    all) and the ``(unit, bucket)`` node of each household of a poor village."""
    in_poor = ~view.h_scattered
    hu = view.lead[view.h_village[in_poor]]
    if np.any(hu < 0):
        raise _no_lead()
    supply = np.zeros(nodes.sink + 1, dtype=np.int64)
    entry = hu * nodes.nb + hb[in_poor]
    np.add.at(supply, entry, 1)
    supply[nodes.group0 : nodes.group0 + nodes.n_groups] = np.bincount(
        nodes.group_of_h, minlength=nodes.n_groups
    )
    supply[nodes.sink] = -view.n_h
    return supply, entry


def _solve(
    arcs: _Arcs, supply: IntArray
) -> tuple[min_cost_flow.SimpleMinCostFlow, IntArray, int]:
    """The optimal flow, its flow per arc and the number of arcs."""
    tail, head, cap, cost = arcs.arrays()
    flow = min_cost_flow.SimpleMinCostFlow()
    if len(tail):
        flow.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    flow.set_nodes_supplies(np.arange(len(supply)), supply)
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
    return flow, flow.flows(np.arange(len(tail))), len(tail)


def _scattered_nodes(
    view: FlowView, nodes: _Nodes, scattered: _Scattered, f: IntArray
) -> tuple[IntArray, int, int]:
    """Step 1 of reading the flow back: the ``(unit, bucket)`` node each
    scattered household reaches (directly, through its county's pool or
    overflow node); returns the nodes, the offset of the arcs after the
    scattered ones and the households that overflowed (R3)."""
    nb, n_groups = nodes.nb, nodes.n_groups
    g_rep, via_pool, via_tail = scattered.g_rep, scattered.via_pool, scattered.via_tail
    n_direct, n_pool = len(g_rep), len(via_pool)
    f_direct = f[:n_direct]
    f_pool = f[n_direct : n_direct + n_pool]
    off = n_direct + n_pool
    f_over = f[off : off + n_groups]
    off += n_groups
    f_via = f[off : off + len(via_tail)]
    off += len(via_tail)
    s_idx = np.flatnonzero(view.h_scattered)
    s_order = np.argsort(nodes.group_of_h, kind="stable")
    dest_node = np.concatenate(
        [
            scattered.units * nb + nodes.group_bucket[g_rep],
            nodes.pool0 + nodes.cb_of_group[via_pool],
            nodes.overflow0 + nodes.cb_of_group,
        ]
    )
    dest_group = np.concatenate([g_rep, via_pool, np.arange(n_groups)])
    dest_flow = np.concatenate([f_direct, f_pool, f_over])
    o = np.lexsort((dest_node, dest_group))
    h_node = np.empty(view.n_h, dtype=np.int64)
    h_node[s_idx[s_order]] = np.repeat(dest_node[o], dest_flow[o])
    # pools and overflow nodes pass households on to units
    via_h = s_idx[h_node[s_idx] >= nodes.pool0]
    if len(via_h):
        via_h = via_h[np.argsort(h_node[via_h], kind="stable")]
        o = np.argsort(via_tail, kind="stable")
        h_node[via_h] = np.repeat(scattered.via_head[o], f_via[o])
    return h_node, off, int(f_over.sum())


def _rank_classes(
    view: FlowView,
    nodes: _Nodes,
    cls_rep: IntArray,
    b_rep: IntArray,
    f_cls: IntArray,
    h_node: IntArray,
) -> tuple[IntArray, IntArray]:
    """Step 2: the rank class of each household from the flow ``f_cls`` on the
    R10 arcs; returns it and the households sorted by node, then village."""
    hv = view.h_village
    ub_node = nodes.cls_unit[cls_rep] * nodes.nb + b_rep
    o = np.lexsort((cls_rep, ub_node))
    cls_dest = np.repeat(cls_rep[o], f_cls[o])
    active = np.arange(view.n_h)
    active = active[np.lexsort((hv[active], h_node[active]))]  # by node, then village
    h_cls = np.empty(view.n_h, dtype=np.int64)
    h_cls[active] = cls_dest
    return h_cls, active


def _loads(
    view: FlowView, nodes: _Nodes, cls_i: IntArray, lvl_i: IntArray, f_lvl: IntArray
) -> IntArray:
    """Step 3: each cadre's load from the flow ``f_lvl`` on the load levels
    (cadres of a class sorted by cap, descending, fill its levels)."""
    cap, n_c, n_cls = view.cap, view.n_c, nodes.n_cls
    kmax = int(cap.max(initial=0))
    loads = np.zeros(n_c, dtype=np.int64)
    if kmax > 0:
        c_class = nodes.c_class
        lvl_flow = np.zeros((n_cls, kmax), dtype=np.int64)
        lvl_flow[cls_i, lvl_i] = f_lvl
        lvl_flow = -np.sort(-lvl_flow, axis=1)  # non-increasing per class
        c_order = np.lexsort((np.arange(n_c), -cap, c_class))
        first = np.searchsorted(c_class[c_order], np.arange(n_cls))
        pos_in_cls = np.arange(n_c) - first[c_class[c_order]]
        loads[c_order] = (lvl_flow[c_class[c_order]] > pos_in_cls[:, None]).sum(axis=1)
    if np.any(loads > cap):
        raise RuntimeError("household stage: internal error, load above cap")
    return loads


def _flow_job(job: Job) -> tuple[IntArray, float, int, int]:
    """One independent component's min-cost flow (picklable, for executors)."""
    view, hb, bmean, w, nearest = job
    nodes = _number_nodes(view, hb, len(bmean))
    arcs = _Arcs()
    big = int(view.n_h + 1)
    scattered = _scattered_arcs(view, nodes, arcs, w, nearest, big)
    cls_rep, b_rep = _rank_arcs(view, nodes, arcs, w, bmean, big)
    cls_i, lvl_i = _level_arcs(view, nodes, arcs, w)
    # R14: a unit's free capacity first, then its reserve
    unit_nodes = nodes.unit0 + np.arange(view.n_u)
    sinks = np.full(view.n_u, nodes.sink)
    arcs.add(unit_nodes, sinks, view.u_free, 0)
    arcs.add(unit_nodes, sinks, big, scattered.reserve_cost)
    supply, entry = _supplies(view, nodes, hb)
    flow, f, n_arcs = _solve(arcs, supply)
    # -- turn the flow back into households ----------------------------------
    h_node, off, overflow = _scattered_nodes(view, nodes, scattered, f)
    h_node[~view.h_scattered] = entry
    n_arc_cls = len(cls_rep)
    h_cls, active = _rank_classes(
        view, nodes, cls_rep, b_rep, f[off : off + n_arc_cls], h_node
    )
    off += n_arc_cls
    n_lvl_arcs = len(cls_i)
    in_reserve = int(f[off + n_lvl_arcs + view.n_u :].sum())
    loads = _loads(view, nodes, cls_i, lvl_i, f[off : off + n_lvl_arcs])
    cadre = np.full(view.n_h, -1, dtype=np.int64)
    c_order = np.lexsort((np.arange(view.n_c), nodes.c_class))
    slots = np.repeat(c_order, loads[c_order])  # cadre per slot, grouped by class
    hv = view.h_village
    o = np.lexsort((hv[active], h_cls[active]))  # households by class, then village
    cadre[active[o]] = slots
    objective = float(flow.optimal_cost())
    objective -= (
        scattered.overflow_cost * overflow + scattered.reserve_cost * in_reserve
    )
    return cadre, objective, overflow, n_arcs
