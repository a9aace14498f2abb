"""Regional large-neighbourhood search: one exact MIP per prefecture, side by side.

From a plan that keeps every rule, each prefecture becomes a *block*: its
villages are freed among a core of their pairs (the smoothed dual's likely
pairs, each village's cheapest by forcing cost, the current lead), every
other lead stays fixed, and HiGHS solves the stage's own model restricted
to that (:func:`~..model.restrict`: every row of the stage, the fixed
leads' part moved into the bounds) from the current plan. Prefectures share
no row but R6 (R2 keeps local units in their prefecture, R3's rows stay
inside it) and the province units, so:

* a province unit that leads villages of one prefecture only may move
  among that prefecture's villages; one spanning two stays fixed;
* R6's slack at the current plan is shared out equally: each block keeps at
  least its own contribution less its share of the slack,

and every block's result can be kept *together* with all the others. The
blocks run in threads (HiGHS releases the GIL); the assembled plan is
checked against the whole model (:func:`~..model.complete`) before it is
offered.

Examples
--------
>>> import numpy as np
>>> lns_blocks(np.array([0, 0, 1]), np.array([0, 1, 2]))
[[0, 1], [2]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ...instance import BoolArray, FloatArray, IntArray
from ..candidates import Candidates, _top_mask
from ..lp import solve_mip
from ..model import ALL_KEY, R6, SparseModel, complete, restrict


def lns_blocks(v_block: IntArray, villages: IntArray) -> list[list[int]]:
    """Poor villages grouped by block (their prefecture), largest block first."""
    vb = np.asarray(v_block)[villages]
    groups = [villages[vb == b].tolist() for b in np.unique(vb).tolist()]
    return sorted(groups, key=lambda g: -len(g))


@dataclass(frozen=True)
class BlockOutcome:
    """One block's MIP: its pairs and their values (``None``: no plan)."""

    pairs: IntArray
    x: IntArray | None
    status: str


def _block_model(
    m: SparseModel, free: BoolArray, current: BoolArray, r6_floor: float
) -> tuple[SparseModel, IntArray, IntArray | None]:
    """The block's model, its pairs and the current plan's column values."""
    block = restrict(m, free, current)
    bm = block.model
    lo = bm.lo.copy()
    col_lo, col_hi = bm.col_lo.copy(), bm.col_hi.copy()
    r6 = np.flatnonzero(bm.row_rule == R6)
    if len(r6):  # the share row: its first R6 row (den K - num P + M a >= 0)
        lo[r6[0]] = max(lo[r6[0]], r6_floor)
    x0 = current[block.pairs].astype(np.int64)
    start = complete(bm, x0)
    if start is not None:  # R6's "every key village" switch keeps its value
        key = np.flatnonzero(bm.col_kind == ALL_KEY)
        col_lo[key] = col_hi[key] = start[key]
    bm = dataclasses.replace(bm, lo=lo, col_lo=col_lo, col_hi=col_hi)
    start = complete(bm, x0)
    return bm, block.pairs, start


def lns_round(
    c: Candidates,
    m: SparseModel,
    lead: IntArray,
    blocks: list[list[int]],
    likely: FloatArray,
    loss: FloatArray,
    *,
    probability: float,
    per_village: int,
    seconds: float,
    seed: int,
    nodes: int | None,
    stop: Callable[[], bool] | None,
    threads: int,
) -> IntArray | None:
    """One pass over the blocks; the assembled plan, or ``None`` when no
    block improved or the assembly broke a row (never expected)."""
    current = lead[c.pv] == c.pu
    pair_block, core = _cores(
        c, current, blocks, likely, loss, probability, per_village
    )
    coef = _r6_coefficients(c)
    own = np.bincount(pair_block[current], weights=coef[current], minlength=len(blocks))
    slack = float(own.sum())  # the R6 row's left side (its floor is 0)

    def solve(k: int) -> BlockOutcome:
        if stop is not None and stop():  # no model is built after a stop
            return BlockOutcome(np.zeros(0, dtype=np.int64), None, "stopped")
        free = (pair_block == k) & (core | current)
        floor = own[k] - max(slack, 0.0) / len(blocks)
        bm, pairs, start = _block_model(m, free, current, floor)
        if start is None:
            return BlockOutcome(pairs, None, "no start")
        r = solve_mip(
            bm, time_limit=seconds, start=start, seed=seed, nodes=nodes, stop=stop
        )
        if r.status in ("infeasible", "unknown") or not np.all(np.isfinite(r.x)):
            return BlockOutcome(pairs, None, r.status)
        return BlockOutcome(
            pairs, np.rint(r.x[: bm.n_pairs]).astype(np.int64), r.status
        )

    order = list(range(len(blocks)))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            outcomes = list(pool.map(solve, order))
    else:
        outcomes = [solve(k) for k in order]
    return _assemble(c, m, lead, current, outcomes)


def _cores(
    c: Candidates,
    current: BoolArray,
    blocks: list[list[int]],
    likely: FloatArray,
    loss: FloatArray,
    probability: float,
    per_village: int,
) -> tuple[IntArray, BoolArray]:
    """Each pair's block and whether it is in its block's core.

    A province unit leading in exactly one block may move within it (one
    spanning two stays fixed); a core pair is movable and likely, or among
    its village's ``per_village`` cheapest by forcing cost.
    """
    block_of = np.full(c.n_villages, -1, dtype=np.int64)
    for k, vs in enumerate(blocks):
        block_of[vs] = k
    pair_block = block_of[c.pv]
    home = np.full(c.n_units, -1, dtype=np.int64)
    home[c.pu[current]] = pair_block[current]
    spans = np.zeros(c.n_units, dtype=bool)
    spans[c.pu[current][home[c.pu[current]] != pair_block[current]]] = True
    movable = ~c.province | ((home[c.pu] == pair_block) & ~spans[c.pu])
    cost = np.where(movable, loss, np.inf)
    core = movable & ((likely >= probability) | _top_mask(c.pv, -cost, per_village))
    return pair_block, core


def _assemble(
    c: Candidates,
    m: SparseModel,
    lead: IntArray,
    current: BoolArray,
    outcomes: list[BlockOutcome],
) -> IntArray | None:
    """Every changed block's result in one plan, checked against the whole
    model (``None`` when no block changed or a row breaks)."""
    new = lead.copy()
    changed = False
    for out in outcomes:
        if out.x is None:
            continue
        on = out.pairs[out.x > 0]
        if np.array_equal(np.sort(on), np.sort(out.pairs[current[out.pairs]])):
            continue
        new[np.unique(c.pv[out.pairs])] = -1
        new[c.pv[on]] = c.pu[on]
        changed = True
    if not changed or np.any(new[c.villages] < 0):
        return None
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(new)] = 1
    return new if complete(m, x) is not None else None


def _r6_coefficients(c: Candidates) -> FloatArray:
    """Per pair, its coefficient in R6's share row (``den K - num P``)."""
    if not c.r6_active:
        return np.zeros(c.n)
    coef = np.where(c.key, c.r6_den - c.r6_num, -c.r6_num).astype(np.float64)
    return np.where(c.province, coef, 0.0)
