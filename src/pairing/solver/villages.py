"""Village stage: the lead unit of every poor village, and R13 claims.

Rules kept (``docs/semantics.md``): R1 one lead per poor village, R2 tiers in
their region, R3 the county tier carries its scattered households before the
prefecture tier does (as capacity coupling), R4 villages per unit, R5 unit
capacity, R6 key-county share of the province tier, R8 a kick-off team is
possible. Objective (maximised, :data:`~.candidates.SCALE` units): R9 tier,
R10 strength, R11 continuity, travel, and R14 baseline leads when given.

:func:`solve_villages` is a thin front door: it builds the candidate pairs
(:mod:`.candidates`) and hands them to one method, each in its own module
and each reading its rows from the one labelled model (:mod:`.model`):

* ``lagrangian`` — the default for large instances (:mod:`.lagrange`): a
  Lagrangian bound by column generation, a plan from the exact MIP on the
  priced core, and the prices kept;
* ``cpsat`` — one CP-SAT model over every pair (:mod:`.cpsat`), the default
  up to :data:`MONOLITHIC_PAIRS` pairs, where it proves optimality;
* ``heuristic`` — the greedy (:mod:`.greedy`) with CP-SAT repair of what it
  leaves (:mod:`.repair`), and a Lagrangian bound;
* ``decomposed`` — the earlier cut-LP, restricted-MIP and regional-polish
  method (:mod:`.decomposed`), kept as a baseline for the benchmark.

The methods' runners live in :mod:`.village_methods`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np

from ..errors import NoPlanFound
from ..instance import Instance, IntArray
from .candidates import CandidateParams, Candidates, build_candidates
from .decomposed import DecomposedParams
from .lagrange.engine import EngineParams
from .lagrange.prices import Prices
from .uncovered import Uncovered, real_leads
from .village_methods import (
    _begin,
    _cpsat,
    _decomposed,
    _heuristic,
    _lagrangian,
    _Outcome,
    _start,
    _WithVirtual,
)

__all__ = [
    "METHODS",
    "MONOLITHIC_PAIRS",
    "Method",
    "VillageResult",
    "_Outcome",
    "_WithVirtual",
    "_begin",
    "_cpsat",
    "_decomposed",
    "_heuristic",
    "_lagrangian",
    "_start",
    "claims",
    "solve_villages",
]

Method = Literal["auto", "lagrangian", "cpsat", "heuristic", "decomposed"]
METHODS: tuple[str, ...] = ("auto", "lagrangian", "cpsat", "heuristic", "decomposed")
MONOLITHIC_PAIRS = 1_000
"""``auto`` solves one CP-SAT model up to this many candidate pairs (small
instances, about 25,000 households and fewer, where it proves optimality in
a second), the Lagrangian engine above. Measured on 2 loaded cores with a
14 s limit: at 43,000 households (2,754 pairs) CP-SAT ended 5.7% under its
bound where the engine ended 0.014% under its own in 1.8 s; at 129,000
(23,859 pairs) CP-SAT found nothing better than the greedy (no bound) where
the engine ended 0.04% under in 3.4 s."""


@dataclass
class VillageResult:
    """Outcome of the village stage.

    Attributes
    ----------
    lead
        Lead unit index per village row, -1 for non-poor villages.
    supplementary
        Honoured R13 claims, shape ``(k, 2)``: (unit index, village index).
    objective
        Objective of ``lead`` (maximised, scaled units).
    bound
        Best proven upper bound on the objective.
    status
        ``optimal`` or ``feasible``.
    method
        The method that found ``lead``.
    seconds
        Wall time of the stage.
    prices
        The Lagrangian engine's prices (``None`` for other methods).
    work
        What the method counted (master solves, core pairs, …).
    """

    lead: IntArray
    supplementary: IntArray
    objective: float
    bound: float
    status: str
    method: str
    seconds: float
    prices: Prices | None = None
    work: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap of the objective to the bound."""
        if not math.isfinite(self.bound):
            return math.nan
        return max(0.0, self.bound - self.objective) / max(abs(self.bound), 1e-9)


def solve_villages(
    instance: Instance,
    demand: np.ndarray,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = False,
    method: str = "auto",
    hint: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    prefer: np.ndarray | None = None,
    reserve: float = 0.0,
    prune: bool = True,
    progress: Callable[[dict[str, Any]], None] | None = None,
    executor: Executor | None = None,
    stop: Callable[[], bool] | None = None,
    params: EngineParams | None = None,
    candidates: CandidateParams | None = None,
    decomposed: DecomposedParams | None = None,
    monolithic_pairs: int = MONOLITHIC_PAIRS,
    uncovered: Uncovered | None = None,
) -> VillageResult:
    """Choose the lead unit of every poor village (R1–R6, R8) and honour claims (R13).

    Parameters
    ----------
    instance
        The instance.
    demand
        Per village, households its lead unit's cadres must carry (its poor
        households minus those leaders take, R7).
    time_limit
        Seconds for the stage; with ``deterministic=True`` the methods count
        work instead (never the wall clock).
    seed, workers
        The solvers' random seed and CP-SAT's search workers.
    deterministic
        Same inputs, seed and workers give the same result.
    method
        ``auto``, ``lagrangian``, ``cpsat``, ``heuristic`` or ``decomposed``.
    hint
        A lead unit per village to start from (-1: none).
    fixed
        Per village, a lead unit that must be kept (-1: free).
    prefer
        Per village, a baseline lead kept wherever the rules allow (R14).
    reserve
        Share of each unit's capacity left free for later changes (R14, the
        rules' ``capacity_reserve``; see :func:`~.candidates.build_candidates`).
    prune
        Prune the province tier's pairs on very large instances (see
        :func:`~.candidates.build_candidates`); the caller retries without
        when the pruned model is infeasible.
    progress
        Called with ``{"elapsed", "incumbent", "bound", "phase"}``.
    executor
        Where the ``decomposed`` method's regional polish runs.
    stop
        A stopping criterion (:mod:`pairing.stop`), polled during the stage.
    params
        The Lagrangian engine's settings.
    candidates
        How far the candidate pairs of very large instances are pruned.
    decomposed
        The ``decomposed`` method's settings.
    monolithic_pairs
        ``auto`` runs ``cpsat`` up to this many candidate pairs.
    uncovered
        Partial coverage (R1 relaxed, :mod:`.uncovered`): what may be left
        uncovered and at what value; ``lead`` is then -1 on the villages
        left.

    Raises
    ------
    Infeasible
        When the rules provably cannot all hold.
    NoPlanFound
        When time ran out, or a stop came, before a plan was found.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    start = time.perf_counter()

    def report(phase: str, **d: Any) -> None:
        if progress is not None:
            progress({"phase": phase, "elapsed": time.perf_counter() - start, **d})

    cands = build_candidates(
        instance, demand, fixed=fixed, prefer=prefer, reserve=reserve,
        prune=prune, params=candidates, uncovered=uncovered,
    )  # fmt: skip
    if cands.n_units > cands.real_units:  # the methods see the virtual units too
        instance = cast(
            Instance, _WithVirtual(instance, cands.n_units - cands.real_units)
        )
    if method == "auto":
        method = "cpsat" if cands.n <= monolithic_pairs else "lagrangian"
    run = {
        "lagrangian": _lagrangian,
        "cpsat": _cpsat,
        "heuristic": _heuristic,
        "decomposed": _decomposed,
    }[method]
    out = run(
        cands, instance, time_limit=time_limit, seed=seed, workers=workers,
        deterministic=deterministic, hint=hint, stop=stop, params=params,
        decomposed=decomposed, executor=executor, report=report,
    )  # fmt: skip
    return _result(instance, cands, out, time_limit, start)


def _result(
    instance: Instance,
    cands: Candidates,
    out: _Outcome,
    time_limit: float,
    start: float,
) -> VillageResult:
    """The stage's result from its method's outcome (R13 claims added);
    raises :class:`NoPlanFound` when the method found no plan."""
    lead, objective, bound, status, used, prices, work = out
    if lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({cands.n} candidate pairs); allow more time"
        )
    if status != "optimal" and objective >= bound:
        status = "optimal"
    bound = max(bound, objective) if math.isfinite(bound) else bound
    lead = real_leads(lead, cands.real_units)  # a virtual unit: left uncovered
    return VillageResult(
        lead=lead,
        supplementary=claims(instance, lead),
        objective=float(objective),
        bound=float(bound),
        status=status,
        method=used,
        seconds=time.perf_counter() - start,
        prices=prices,
        work=work,
    )


def claims(instance: Instance, lead: IntArray) -> IntArray:
    """R13: honoured claims, (unit, village) rows, most severe villages first.

    A social unit's claims on poor villages are honoured up to its
    ``max_villages``; a claim never replaces the lead unit.
    """
    if len(instance.claims) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    u = instance.cl_unit
    v = instance.cl_village
    ok = (u >= 0) & (v >= 0)
    ok[ok] &= (instance.u_tier[u[ok]] == 3) & instance.v_poor[v[ok]]
    ok[ok] &= lead[v[ok]] != u[ok]
    pairs = np.unique(np.stack([u[ok], v[ok]], axis=1), axis=0)
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    sev = instance.v_severity[pairs[:, 1]]
    order = np.lexsort((pairs[:, 1], -sev, pairs[:, 0]))
    pairs = pairs[order]
    first = np.r_[0, np.flatnonzero(pairs[1:, 0] != pairs[:-1, 0]) + 1]
    size = np.diff(np.r_[first, len(pairs)])
    rank = np.arange(len(pairs)) - np.repeat(first, size)
    take = rank < instance.u_max[pairs[:, 0]]
    return pairs[take].astype(np.int64)
