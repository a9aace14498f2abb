"""The household flow's network for one component: nodes and arcs (R3, R5,
R10, R12, R14).

:func:`_number_nodes` numbers the nodes block by block (:class:`_Nodes`); the
arc builders write one rule's arcs each into an :class:`_Arcs`, in the order
:mod:`.household_flow` reads the flow back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
