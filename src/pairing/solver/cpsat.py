"""CP-SAT on the village stage's :class:`~pairing.solver.model.SparseModel`.

The model proto is written straight from the sparse rows (no Python
expression objects), so even the monolithic full-scale model builds in about
a second. The build counts its work (columns and nonzeros written) and
polls a stop between chunks of it (:class:`~.poll.Poll`), so a stop is acted
on during the build of a large model too.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..instance import IntArray
from .model import SparseModel
from .poll import Halt, Poll

_BIG = 2**53
"""Stand-in for an infinite row bound (CP-SAT domains are int64)."""


@dataclass
class CpResult:
    """Outcome of one CP-SAT solve.

    Attributes
    ----------
    status
        ``optimal``, ``feasible``, ``infeasible`` or ``unknown``.
    x
        Column values of the best solution (``None`` without one).
    objective, bound
        Its objective and CP-SAT's best bound (maximised).
    seconds
        Wall time of the solve.
    """

    status: str
    x: IntArray | None
    objective: float
    bound: float
    seconds: float


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, progress: Callable[[dict[str, Any]], None], start: float
    ) -> None:
        super().__init__()
        self._progress = progress
        self._start = start

    def on_solution_callback(self) -> None:
        self._progress(
            {
                "elapsed": time.perf_counter() - self._start,
                "incumbent": -self.objective_value,
                "bound": -self.best_objective_bound,
            }
        )


@contextlib.contextmanager
def watchdog(
    solver: cp_model.CpSolver, stop: Callable[[], bool] | None
) -> Iterator[None]:
    """While inside, a thread polls ``stop`` every 50 ms and stops the search
    when it says so (CP-SAT then returns its best solution so far)."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if stop():
                solver.stop_search()
                return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def build_proto(
    m: SparseModel,
    hint: IntArray | None = None,
    *,
    sides: IntArray | None = None,
    literals: int = 0,
    stop: Callable[[], bool] | None = None,
) -> cp_model.CpModel:
    """A CP-SAT model of ``m`` (minimising ``-cost``), with an optional full hint.

    Parameters
    ----------
    m
        The labelled model.
    hint
        Values of ``m``'s columns to start from.
    sides
        Optional, shape ``(rows, 2)``: per row, the boolean variable (an index
        among the ``literals`` extra ones, -1 for none) under which its lower
        and its upper side hold. A row whose two sides have different
        literals is written as two half rows. Used by the conflict search of
        R15, which switches the rules' row groups on and off.
    literals
        Extra boolean variables to add after ``m``'s columns (for ``sides``).
    stop
        A stopping criterion, polled every :data:`~.poll.EVERY` columns or
        nonzeros written.

    Raises
    ------
    Halt
        When ``stop`` said stop (the model is then incomplete).
    """
    poll = Poll(stop)
    poll.check()
    model = cp_model.CpModel()
    p = model.proto
    lo, hi = m.col_lo.tolist(), m.col_hi.tolist()
    for j in range(0, len(lo), poll.every):  # a chunk of columns per poll
        poll.check()
        for a, b in zip(lo[j : j + poll.every], hi[j : j + poll.every], strict=True):
            p.variables.add().domain.extend([a, b])
    n = len(lo)
    for _ in range(literals):
        p.variables.add().domain.extend([0, 1])
    _rows(p, m, n, sides, poll)
    nz = np.flatnonzero(m.cost)
    p.objective.vars.extend(nz.tolist())
    p.objective.coeffs.extend((-m.cost[nz]).tolist())
    if hint is not None:
        p.solution_hint.vars.extend(range(len(hint)))
        p.solution_hint.values.extend(np.asarray(hint, dtype=np.int64).tolist())
    return model


def _rows(p: Any, m: SparseModel, n: int, sides: IntArray | None, poll: Poll) -> None:
    """:func:`build_proto`'s rows, into the proto ``p`` (``n``: ``m``'s
    columns, the extra literals after them); ``poll`` ticked per nonzero."""
    a = m.a.tocsr()
    indptr = a.indptr
    idx = a.indices.tolist()
    val = np.rint(a.data).astype(np.int64).tolist()
    rlo = np.where(np.isfinite(m.lo), m.lo, -_BIG).astype(np.int64).tolist()
    rhi = np.where(np.isfinite(m.hi), m.hi, _BIG).astype(np.int64).tolist()
    bounds = indptr.tolist()
    side = (
        np.full((a.shape[0], 2), -1, dtype=np.int64) if sides is None else sides
    ).tolist()
    poll.check()
    for r in range(a.shape[0]):
        s, e = bounds[r], bounds[r + 1]
        poll.tick(1 + e - s)
        if s == e:  # an empty row: 0 must lie in it (build_candidates checks R4)
            if (rlo[r] > 0 or rhi[r] < 0) and side[r] == [-1, -1]:
                p.constraints.add().bool_or.literals.extend([])
            continue
        l_lo, l_hi = side[r]
        halves = (
            [(rlo[r], rhi[r], l_lo)]
            if l_lo == l_hi
            else [(rlo[r], _BIG, l_lo), (-_BIG, rhi[r], l_hi)]
        )
        for d_lo, d_hi, lit in halves:
            if d_lo <= -_BIG and d_hi >= _BIG:
                continue
            ct = p.constraints.add()
            if lit >= 0:
                ct.enforcement_literal.append(n + lit)
            ct.linear.vars.extend(idx[s:e])
            ct.linear.coeffs.extend(val[s:e])
            ct.linear.domain.extend([d_lo, d_hi])


def solve_cpsat(
    m: SparseModel,
    *,
    time_limit: float,
    hint: IntArray | None = None,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = False,
    progress: Callable[[dict[str, Any]], None] | None = None,
    params: dict[str, Any] | None = None,
    stop: Callable[[], bool] | None = None,
) -> CpResult:
    """Solve ``m`` with CP-SAT.

    With ``deterministic=True`` the search is bounded by CP-SAT's
    deterministic time (``time_limit`` of it) and interleaved across workers,
    so the same model, seed and workers give the same solution. ``stop`` is
    polled while the model is built (by counted work, :func:`build_proto`)
    and every 50 ms of the search (:func:`watchdog`); stopped during the
    build, the result is ``unknown`` without a solution.

    With ``progress``, CP-SAT searches in a helper thread while the calling
    thread calls ``progress`` with the solutions CP-SAT reports: it is only
    ever called from the calling thread.
    """
    start = time.perf_counter()
    try:
        model = build_proto(m, hint, stop=stop)
    except Halt:
        return CpResult(
            "unknown", None, -math.inf, math.inf, time.perf_counter() - start
        )
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = max(1, int(workers))
    prm.random_seed = int(seed)
    # let Ctrl-C raise KeyboardInterrupt after the solve instead of being
    # swallowed by CP-SAT (which would return the incumbent and write a plan)
    prm.catch_sigint_signal = False
    if deterministic:
        prm.max_deterministic_time = max(0.05, float(time_limit))
        if workers > 1:
            prm.interleave_search = True
    else:
        prm.max_time_in_seconds = max(
            0.05, float(time_limit) - (time.perf_counter() - start)
        )
    for k, v in (params or {}).items():
        setattr(prm, k, v)
    with watchdog(solver, stop):
        if progress is None:
            code = solver.solve(model)
        else:
            code = _relayed(solver, model, start, progress)
    secs = time.perf_counter() - start
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        x = np.asarray(solver.response_proto.solution, dtype=np.int64)
        return CpResult(
            "optimal" if code == cp_model.OPTIMAL else "feasible",
            x,
            -float(solver.objective_value),
            -float(solver.best_objective_bound),
            secs,
        )
    if code == cp_model.INFEASIBLE:
        return CpResult("infeasible", None, -math.inf, -math.inf, secs)
    return CpResult("unknown", None, -math.inf, math.inf, secs)


def _relayed(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    start: float,
    progress: Callable[[dict[str, Any]], None],
) -> Any:
    """``solver.solve(model)`` in a helper thread; ``progress`` called here."""
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    done: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(solver.solve(model, _Progress(events.put, start)))
        except BaseException as exc:  # handed to the calling thread
            failed.append(exc)

    worker = threading.Thread(target=run, name="pairing-cpsat", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            try:
                event = events.get(timeout=0.05)
            except queue.Empty:
                continue
            progress(event)
    finally:  # also on KeyboardInterrupt: end the search, never leave it running
        if worker.is_alive():
            solver.stop_search()
        worker.join()
    while not events.empty():
        progress(events.get())
    if failed:
        raise failed[0]
    return done[0]
