"""Exact blocks: pieces of the village stage small enough for CP-SAT.

A *block* frees the villages of a neighbourhood among their *core* pairs
(the few whose Lagrangian forcing cost, :attr:`~.prices.Prices.loss`, is
smallest, plus the current lead) and keeps every other lead fixed. Its model
is the labelled model restricted by :func:`~..model.restrict`, so it carries
exactly the full model's rows (R1, R3, R4, R5, R6, R8) on what it frees,
with the fixed leads' part moved into the bounds: any solution of a block is
a valid plan of the whole stage. CP-SAT solves it from the current plan as a
hint; the engine keeps the result only when it is better.

Two kinds of neighbourhood:

* :func:`regional_blocks` — one per prefecture, its villages led by the
  prefecture and county tiers, the province tier fixed. No row links two of
  them (R2 keeps local units in their prefecture; R3's rows stay inside it;
  R6 counts province pairs only), so they are solved side by side and all
  kept together.
* :func:`province_blocks` — groups of prefectures with every tier free,
  province units included: the province tier's villages move between
  prefectures. Groups share province units, so they are solved one at a
  time.

Jobs (:class:`BlockJob`) are plain numpy data, picklable for any
:class:`concurrent.futures.Executor`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from ...instance import BoolArray, IntArray
from ..candidates import Candidates
from ..cpsat import build_proto, watchdog
from ..model import SparseModel, complete, restrict

CPSAT_PARAMS = {"cp_model_probing_level": 0, "linearization_level": 2}
"""CP-SAT settings of a block (as measured for the regional polish: probing
spent the whole budget of large regions in presolve; full linearisation
closes more of the gap)."""


@dataclass
class BlockJob:
    """One block, as shipped to a worker.

    Attributes
    ----------
    name
        What the block frees (for progress and statistics).
    model
        The block's model (:func:`~..model.restrict`).
    pairs
        Pair index in the full candidates of each of the block's pair columns.
    hint
        Full column values of the block's model for the current plan.
    current
        Objective of the current plan on the block's pairs.
    seconds
        CP-SAT's budget: wall seconds, or deterministic time.
    seed, deterministic
        CP-SAT's seed; whether to bound it by deterministic time only.
    """

    name: str
    model: SparseModel
    pairs: IntArray
    hint: IntArray
    current: int
    seconds: float
    seed: int
    deterministic: bool


@dataclass
class BlockResult:
    """A block's outcome: its pairs' values (``None`` without a better plan)."""

    name: str
    x: IntArray | None
    objective: int
    status: str
    seconds: float


def make_job(
    name: str,
    m: SparseModel,
    c: Candidates,
    lead: IntArray,
    free_villages: BoolArray,
    core: BoolArray,
    *,
    seconds: float,
    seed: int,
    deterministic: bool,
) -> BlockJob | None:
    """The block freeing ``free_villages`` among their ``core`` pairs.

    The current lead of every free village is always among its pairs (so
    the current plan is a solution of the block). Returns None when the
    block frees nothing.
    """
    current = lead[c.pv] == c.pu
    free = free_villages[c.pv] & (core | current)
    if not free.any():
        return None
    block = restrict(m, free, current)
    x0 = current[block.pairs].astype(np.int64)
    hint = complete(block.model, x0)
    if hint is None:
        return None  # cannot happen for a plan that keeps every row
    return BlockJob(
        name=name,
        model=block.model,
        pairs=block.pairs,
        hint=hint,
        current=int(c.score[block.pairs] @ x0),
        seconds=seconds,
        seed=seed,
        deterministic=deterministic,
    )


def solve_job(job: BlockJob, stop: Callable[[], bool] | None = None) -> BlockResult:
    """Solve one block with CP-SAT (one worker), from its hint.

    ``stop`` is polled every 50 ms by a watchdog thread that stops the
    search (CP-SAT then returns its best solution so far).
    """
    start = time.perf_counter()
    model = build_proto(job.model, job.hint)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = 1
    prm.random_seed = int(job.seed)
    prm.catch_sigint_signal = False
    for k, v in CPSAT_PARAMS.items():
        setattr(prm, k, v)
    if job.deterministic:
        prm.max_deterministic_time = max(0.01, float(job.seconds))
    else:
        prm.max_time_in_seconds = max(0.01, float(job.seconds))
    with watchdog(solver, stop):
        code = solver.solve(model)
    secs = time.perf_counter() - start
    status = solver.status_name(code).lower()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return BlockResult(job.name, None, job.current, status, secs)
    x = np.asarray(solver.response_proto.solution, dtype=np.int64)[: job.model.n_pairs]
    return BlockResult(job.name, x, int(-solver.objective_value), status, secs)
