"""Village stage: the lead unit of every poor village, and R13 claims.

Rules kept (``docs/semantics.md``): R1 one lead per poor village, R2 tiers in
their region, R3 the county tier carries its scattered households before the
prefecture tier does (as capacity coupling), R4 villages per unit, R5 unit
capacity, R6 key-county share of the province tier, R8 a kick-off team is
possible. Objective (maximised, :data:`~.candidates.SCALE` units): R9 tier,
R10 strength, R11 continuity, travel, and R14 baseline leads when given.

Methods:

* ``cpsat`` — one CP-SAT model over every candidate pair, hinted by the greedy;
* ``decomposed`` — the LP relaxation (HiGHS) of the full model gives the bound
  and picks the pairs worth keeping (its support and, per village and per
  unit, the pairs of best reduced cost); HiGHS' MIP then solves that
  restricted model from the greedy's plan (repaired by CP-SAT, or restarted
  from the LP's rounding, when the greedy leaves villages), and the regional
  polish (:func:`~.regional.polish_regions`) re-solves each prefecture with
  the province tier fixed;
* ``heuristic`` — :func:`~.greedy.greedy` (ejection chains and R4 repair,
  near-linear in the pairs); villages it leaves are placed by a CP-SAT model
  of their neighbourhood (:func:`~.repair.repair`), widened until a plan is
  found or infeasibility proven;
* ``auto`` — ``cpsat`` for small instances, ``decomposed`` for large ones
  (chosen by size only, so ``deterministic=True`` stays deterministic).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import Cause, Infeasible, NoPlanFound
from ..instance import Instance, IntArray
from .candidates import Candidates, build_candidates
from .candidates import _top_mask as _top
from .cpsat import solve_cpsat
from .greedy import greedy
from .lp import solve_lp, solve_mip
from .model import build_model, complete, cover_cuts, with_rows
from .regional import polish_budget, polish_regions

METHODS = ("auto", "cpsat", "decomposed", "heuristic")
MONOLITHIC_PAIRS = 40_000
"""``auto`` solves one CP-SAT model up to this many candidate pairs."""
KEEP_PER_VILLAGE = 8
KEEP_PER_UNIT = 3
CUT_ROUNDS = 2
"""Rounds of capacity covers added to the LP (the first closes most of its gap)."""
DETERMINISTIC_NODES = 20
"""Branch-and-bound nodes of the restricted MIP under ``deterministic=True``."""
POLISH_SHARE = 0.3
"""Share of the stage's time kept for the decomposed method's regional polish
(deterministic time under ``deterministic=True``); 0 turns the polish off."""


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
        ``cpsat``, ``decomposed`` or ``heuristic``.
    seconds
        Wall time of the stage.
    """

    lead: IntArray
    supplementary: IntArray
    objective: float
    bound: float
    status: str
    method: str
    seconds: float

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
        Seconds for the stage; with ``deterministic=True`` CP-SAT gets that
        much deterministic time instead (never the wall clock).
    seed, workers
        CP-SAT's random seed and search workers.
    deterministic
        Same inputs, seed and workers give the same result.
    method
        ``auto``, ``cpsat``, ``decomposed`` or ``heuristic``.
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
        Where the ``decomposed`` method's regional polish solves its
        per-prefecture CP-SAT models (:func:`~.regional.polish_regions`,
        ``executor.submit``); in this process when None. Under
        ``deterministic=True`` the result does not depend on it.

    Raises
    ------
    Infeasible
        When the rules provably cannot all hold.
    NoPlanFound
        When time ran out before a plan was found.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    start = time.perf_counter()

    def left() -> float:
        return max(0.2, time_limit - (time.perf_counter() - start))

    def report(phase: str, **d: Any) -> None:
        if progress is not None:
            progress({"phase": phase, "elapsed": time.perf_counter() - start, **d})

    c = build_candidates(
        instance, demand, fixed=fixed, prefer=prefer, reserve=reserve, prune=prune
    )
    if method == "auto":
        method = "cpsat" if c.n <= MONOLITHIC_PAIRS else "decomposed"
    n_r = len(instance.regions)
    g = greedy(c, n_r, instance.u_region, instance.u_tier, start=hint)
    complete_greedy = bool(np.all(g[c.villages] >= 0))
    g_obj = c.objective(g) if complete_greedy else -math.inf
    report("greedy", incumbent=g_obj if complete_greedy else None)

    if not complete_greedy and method in ("decomposed", "heuristic"):
        # CP-SAT places the villages the greedy left in their neighbourhood
        # (the heuristic's repair; for the decomposed method, the MIP's start)
        from .repair import repair

        share = 1.0 if method == "heuristic" else 0.2
        fixed_lead, outcome = repair(
            c,
            g,
            time_limit=share * (time_limit if deterministic else left()),
            seed=seed,
            workers=workers,
            deterministic=deterministic,
        )
        if outcome == "infeasible":
            raise Infeasible([_cause()])
        if fixed_lead is not None:
            g, complete_greedy = fixed_lead, True
            g_obj = c.objective(g)
            report("repair", incumbent=g_obj)
    lead: IntArray | None = g if complete_greedy else None
    objective = g_obj
    bound = math.inf
    status = "feasible"
    used = "heuristic"

    if method == "heuristic":
        bound = _trivial_bound(c)
        if c.n <= 4 * MONOLITHIC_PAIRS:
            lp = solve_lp(build_model(c), time_limit=left())
            if lp.status == "infeasible":
                raise Infeasible([_cause()])
            bound = min(bound, lp.bound)
    else:
        m_full = build_model(c)
        x_hint = _pairs(c, g) if complete_greedy else None
        if method == "cpsat":
            full_hint = complete(c, m_full, x_hint) if x_hint is not None else None
            r = solve_cpsat(
                m_full,
                time_limit=left(),
                hint=full_hint,
                seed=seed,
                workers=workers,
                deterministic=deterministic,
                progress=(lambda d: report("cpsat", **d)) if progress else None,
            )
            if r.status == "infeasible":
                raise Infeasible([_cause()])
            bound = r.bound
            if r.x is not None and r.objective >= objective:
                lead = _lead(c, r.x)
                objective = r.objective
                status = r.status
                used = "cpsat"
        else:  # decomposed
            # LP bound: column generation over the pairs, then valid capacity
            # covers (the plain LP fills capacity with parts of villages)
            act = _top(c.pv, c.score.astype(float), 25)
            act |= _top(c.pu, c.score.astype(float), KEEP_PER_UNIT) | c.team
            if x_hint is not None:
                act |= x_hint.astype(bool)
            lp = solve_lp(
                m_full,
                time_limit=(4 * time_limit) if deterministic else left() * 0.45,
                active=act,
                separate=lambda x: cover_cuts(c, x),
                rounds=CUT_ROUNDS,
                group=c.pv,
            )
            if lp.status == "infeasible":
                raise Infeasible([_cause()])
            bound = lp.bound
            if bound < _least(c):  # a valid bound below every plan's objective
                raise Infeasible([_cause()])
            report("lp", bound=bound)
            if lead is None and np.isfinite(lp.x[: c.n]).all():
                # the greedy alone left villages (tight R6/R3 at 10x sizes):
                # start it again from the LP's rounding, which already
                # balances the capacities
                g = greedy(
                    c, n_r, instance.u_region, instance.u_tier, start=_rounded(c, lp.x)
                )
                if np.all(g[c.villages] >= 0):
                    lead, objective = g, float(c.objective(g))
                    x_hint = _pairs(c, g)
                    report("lp greedy", incumbent=objective)
            per_village = KEEP_PER_VILLAGE
            while True:
                keep = _restrict(c, lp.x[: c.n], lp.reduced[: c.n], per_village)
                if x_hint is not None:
                    keep |= x_hint.astype(bool)
                sub = c.subset(keep)
                m_sub = build_model(sub)
                if lp.cuts is not None and lp.cut_rhs is not None and lp.cuts.shape[0]:
                    m_sub = with_rows(m_sub, lp.cuts[:, keep], lp.cut_rhs)
                start_x = None
                if lead is not None:
                    start_x = complete(sub, m_sub, _pairs(sub, lead))
                # HiGHS on the restricted pairs (CP-SAT from the same start
                # improved far less, measured on the 430k default)
                mr = solve_mip(
                    m_sub,
                    # the regional polish gets POLISH_SHARE of the stage
                    time_limit=(4 * time_limit)
                    if deterministic
                    else max(0.2, left() - POLISH_SHARE * time_limit),
                    start=start_x,
                    seed=seed,
                    nodes=DETERMINISTIC_NODES if deterministic else None,
                )
                x_sub = None if mr.status in ("infeasible", "unknown") else mr.x
                sub_obj = float(m_sub.cost @ x_sub) if x_sub is not None else -math.inf
                report("restricted", incumbent=sub_obj, bound=bound, pairs=int(sub.n))
                if x_sub is not None and sub_obj >= objective:
                    lead = _lead(sub, x_sub)
                    objective = sub_obj
                    used = "decomposed"
                if mr.status != "infeasible" or per_village >= 4 * KEEP_PER_VILLAGE:
                    break
                per_village *= 4  # restricted model proven too tight: widen it
            # regional polish: province tier fixed, one exact CP-SAT model per
            # prefecture (R1, R3 county and prefecture-overflow rows, R4, R5,
            # R8), on the executor when given; never worse than ``lead``
            budget = polish_budget(
                time_limit,
                time_limit - (time.perf_counter() - start),
                POLISH_SHARE,
                deterministic,
            )
            if lead is not None and budget > 0:
                pr = polish_regions(
                    c,
                    lead,
                    instance.v_prefecture,
                    instance.u_tier,
                    time_limit=budget,
                    seed=seed,
                    deterministic=deterministic,
                    executor=executor,
                )
                if pr.objective >= objective:
                    lead, objective = pr.lead, float(pr.objective)
                report(
                    "regional",
                    incumbent=objective,
                    bound=bound,
                    regions=pr.regions,
                    improved=pr.improved,
                )
    if lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({c.n} candidate pairs); allow more time"
        )
    if status != "optimal" and objective >= bound:
        status = "optimal"
    bound = max(bound, objective) if math.isfinite(bound) else bound
    return VillageResult(
        lead=lead,
        supplementary=claims(instance, lead),
        objective=float(objective),
        bound=float(bound),
        status=status,
        method=used,
        seconds=time.perf_counter() - start,
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


def _rounded(c: Candidates, x: np.ndarray) -> IntArray:
    """Per village, the unit of its largest LP value (-1 where all are 0)."""
    x = x[: c.n]
    best = _top(c.pv, x + 1e-9 * c.score / max(1, int(np.abs(c.score).max())), 1)
    best &= x > 1e-6
    start = np.full(c.n_villages, -1, dtype=np.int64)
    start[c.pv[best]] = c.pu[best]
    return start


def _pairs(c: Candidates, lead: IntArray) -> IntArray:
    """0/1 pair vector of a complete lead assignment."""
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    return x


def _lead(c: Candidates, x: np.ndarray) -> IntArray:
    lead = np.full(c.n_villages, -1, dtype=np.int64)
    on = np.flatnonzero(x[: c.n] > 0)
    lead[c.pv[on]] = c.pu[on]
    return lead


def _restrict(
    c: Candidates,
    x: np.ndarray,
    reduced: np.ndarray,
    per_village: int = KEEP_PER_VILLAGE,
) -> np.ndarray:
    """Pairs the restricted model keeps: LP support, best reduced costs, continuity."""
    keep = x > 1e-6
    keep |= _top(c.pv, reduced, per_village)
    keep |= _top(c.pu, reduced, KEEP_PER_UNIT)
    keep |= c.team
    return keep


def _trivial_bound(c: Candidates) -> float:
    """Sum over villages of their best pair's score (valid, loose)."""
    return _per_village(c, np.maximum)


def _least(c: Candidates) -> float:
    """Sum over villages of their worst pair's score: no plan scores less
    (the model's other columns cost nothing), so a valid upper bound below
    it proves the model infeasible."""
    return _per_village(c, np.minimum)


def _per_village(c: Candidates, pick: np.ufunc) -> float:
    """Sum over poor villages of ``pick`` (max or min) of their pairs' scores."""
    info = np.iinfo(np.int64)
    start = info.min if pick is np.maximum else info.max
    out = np.full(c.n_villages, start, dtype=np.int64)
    pick.at(out, c.pv, c.score)
    return float(out[c.villages].sum())


def _cause() -> Cause:
    return Cause(
        "R15",
        "",
        "the village stage's rules (R1–R6, R8) cannot all hold together: "
        "capacity, villages per unit, the R3 coupling or the R6 share conflict",
        {},
        "run the pre-checks (`pairing inspect`) for the detailed causes",
    )
