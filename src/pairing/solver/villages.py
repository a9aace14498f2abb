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
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np

from ..errors import Infeasible, NoPlanFound
from ..instance import Instance, IntArray
from .candidates import CandidateParams, Candidates, build_candidates
from .cpsat import solve_cpsat
from .decomposed import DecomposedParams
from .greedy import greedy
from .lagrange.engine import EngineParams, run_engine
from .lagrange.prices import Prices
from .leads import best_possible, lead_of, pairs_of, stage_cause
from .model import R1, build_model, complete
from .uncovered import Uncovered, real_leads

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

    c = build_candidates(
        instance,
        demand,
        fixed=fixed,
        prefer=prefer,
        reserve=reserve,
        prune=prune,
        params=candidates,
        uncovered=uncovered,
    )
    if c.n_units > c.real_units:  # the methods see the virtual units too
        instance = cast(Instance, _WithVirtual(instance, c.n_units - c.real_units))
    if method == "auto":
        method = "cpsat" if c.n <= monolithic_pairs else "lagrangian"
    run = {
        "lagrangian": _lagrangian,
        "cpsat": _cpsat,
        "heuristic": _heuristic,
        "decomposed": _decomposed,
    }[method]
    out = run(
        c,
        instance,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
        hint=hint,
        stop=stop,
        params=params,
        decomposed=decomposed,
        executor=executor,
        report=report,
    )
    lead, objective, bound, status, used, prices, work = out
    if lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({c.n} candidate pairs); allow more time"
        )
    if status != "optimal" and objective >= bound:
        status = "optimal"
    bound = max(bound, objective) if math.isfinite(bound) else bound
    lead = real_leads(lead, c.real_units)  # a virtual unit: left uncovered
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


_Outcome = tuple[IntArray | None, float, float, str, str, Prices | None, dict[str, int]]


def _start(
    c: Candidates,
    instance: Instance,
    hint: np.ndarray | None,
    *,
    repair_seconds: float,
    seed: int,
    workers: int,
    deterministic: bool,
    report: Callable[..., None],
    stop: Callable[[], bool] | None = None,
) -> IntArray | None:
    """The greedy's plan, its gaps repaired by CP-SAT; None without a plan.

    Raises ``Infeasible`` when the repair proves the stage infeasible.
    """
    g = greedy(c, len(instance.regions), instance.u_region, instance.u_tier, start=hint)
    if np.all(g[c.villages] >= 0):
        return g
    from .repair import repair

    fixed_lead, outcome = repair(
        c,
        g,
        time_limit=repair_seconds,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
        stop=stop,
    )
    if outcome == "infeasible":
        raise Infeasible([stage_cause()])
    if fixed_lead is not None:
        report("repair", incumbent=float(c.objective(fixed_lead)))
    return fixed_lead


def _begin(
    c: Candidates, instance: Instance, kw: dict[str, Any], *, share: float
) -> IntArray | None:
    """The method's start: :func:`_start` with ``share`` of the stage for repair."""
    return _start(
        c,
        instance,
        kw["hint"],
        repair_seconds=share * kw["time_limit"],
        seed=kw["seed"],
        workers=kw["workers"],
        deterministic=kw["deterministic"],
        report=kw["report"],
        stop=kw["stop"],
    )


def _lagrangian(c: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    res = run_engine(
        c,
        n_regions=len(instance.regions),
        u_region=instance.u_region,
        u_tier=instance.u_tier,
        time_limit=kw["time_limit"],
        stop=kw["stop"],
        seed=kw["seed"],
        deterministic=kw["deterministic"],
        hint=kw["hint"],
        params=kw["params"],
        progress=lambda d: kw["report"](d.pop("phase"), **d),
        v_block=instance.v_prefecture,
    )
    work = dict(res.iterations)
    work.update({f"seconds {k}": int(round(1000 * v)) for k, v in res.seconds.items()})
    return (
        res.lead,
        res.objective,
        res.bound,
        "feasible",
        "lagrangian",
        res.prices,
        work,
    )


def _cpsat(c: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    t0 = time.perf_counter()
    g = _begin(c, instance, kw, share=0.2)
    m = build_model(c)
    full_hint = complete(m, pairs_of(c, g)) if g is not None else None
    left = kw["time_limit"] - (time.perf_counter() - t0)
    r = solve_cpsat(
        m,
        time_limit=max(0.2, left),
        hint=full_hint,
        seed=kw["seed"],
        workers=kw["workers"],
        deterministic=kw["deterministic"],
        progress=(lambda d: kw["report"]("cpsat", **d)),
        stop=kw["stop"],
    )
    if r.status == "infeasible":
        raise Infeasible([stage_cause()])
    objective = float(c.objective(g)) if g is not None else -math.inf
    if r.x is not None and r.objective >= objective:
        return lead_of(c, r.x), r.objective, r.bound, r.status, "cpsat", None, {}
    return g, objective, r.bound, "feasible", "heuristic", None, {}


def _heuristic(c: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    g = _begin(c, instance, kw, share=1.0)
    # the bound: the Lagrangian dual at the LP-free start (one exact pass
    # at the best pairs' prices), never worse than the trivial bound
    from .lagrange.dual import Relaxation

    bound = best_possible(c)
    relax = Relaxation(build_model(c))
    top = np.full(c.n_villages, 0.0)
    np.maximum.at(top, c.pv, c.score.astype(float))
    y = relax.zero()
    r1 = relax.model.row_rule[relax.rows] == R1
    y[r1] = top[relax.model.row_owner[relax.rows][r1]]
    bound = min(bound, relax.evaluate(y).bound)
    objective = float(c.objective(g)) if g is not None else -math.inf
    return g, objective, bound, "feasible", "heuristic", None, {}


def _decomposed(c: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    from .decomposed import solve_decomposed

    t0 = time.perf_counter()
    g = _begin(c, instance, kw, share=0.2)
    res = solve_decomposed(
        c,
        instance,
        g,
        time_limit=max(0.2, kw["time_limit"] - (time.perf_counter() - t0)),
        seed=kw["seed"],
        deterministic=kw["deterministic"],
        executor=kw["executor"],
        report=kw["report"],
        params=kw["decomposed"],
        stop=kw["stop"],
    )
    return res.lead, res.objective, res.bound, "feasible", res.used, None, {}


class _WithVirtual:
    """An instance seen with ``k`` virtual "uncovered" units after its own
    (tier 3, no region: they lead only their own village, :mod:`.uncovered`),
    as the methods index units by candidate pairs."""

    def __init__(self, instance: Instance, k: int) -> None:
        self._instance = instance
        self.u_tier = np.r_[instance.u_tier, np.full(k, 3, dtype=np.int64)]
        self.u_region = np.r_[instance.u_region, np.full(k, -1, dtype=np.int64)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._instance, name)


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
