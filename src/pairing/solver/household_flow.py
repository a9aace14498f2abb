"""One component's min-cost flow of the household stage (R3, R5, R10, R12, R14).

:func:`_flow_job` builds the network of :mod:`.household_network` (nodes, then
arcs one rule at a time: scattered households and R3's overflow, R10's rank
classes, R5 and R12's load levels, R14's reserve), solves it exactly and turns
the flow back into a responsible cadre per household. The network is the one
:mod:`.households` describes; it re-exports :func:`_flow_job`.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from ..errors import Cause, Infeasible
from ..instance import IntArray
from .household_network import (
    Job,
    _Arcs,
    _level_arcs,
    _Nodes,
    _number_nodes,
    _rank_arcs,
    _Scattered,
    _scattered_arcs,
)
from .household_parts import FlowView


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
