"""The decomposed village stage: cut LP, restricted MIP, regional polish.

Kept as a *baseline* method (``method="decomposed"``) for the benchmark,
until the Lagrangian engine (:mod:`.lagrange`) beats it at every size:

1. HiGHS solves the LP relaxation of the full model by column generation,
   with two rounds of capacity covers (:func:`~.model.cover_cuts`); its
   optimum, rounded down, is the bound;
2. the restricted model keeps the LP support, the best pairs per village
   and per unit by reduced cost, the continuity pairs and the start's
   pairs; HiGHS' MIP solves it (CP-SAT's search is deterministic under
   ``deterministic=True``), widening 4x when it is proven infeasible;
3. the regional polish (:func:`~.regional.polish_regions`) re-solves each
   prefecture with the province tier fixed.

Measured on the 430k default (2 cores): the LP over every pair does not
finish at 3x, and 37 of 41 seconds at 1x go to the last 2% of the
objective; see ``docs/scaling.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..errors import Infeasible
from ..instance import Instance, IntArray
from .candidates import Candidates, _top_mask
from .greedy import greedy
from .leads import lead_of, least_possible, pairs_of, stage_cause
from .lp import solve_lp, solve_mip
from .model import build_model, complete, cover_cuts, with_rows
from .regional import polish_budget, polish_regions


@dataclass(frozen=True)
class DecomposedParams:
    """Settings of the decomposed method, each with its reason.

    Attributes
    ----------
    keep_per_village, keep_per_unit
        Pairs the restricted model keeps per village and per unit by reduced
        cost, besides the LP support, the continuity pairs and the start's
        pairs (widened 4x per village when the restricted model is proven
        infeasible).
    cut_rounds
        Rounds of capacity covers added to the LP (the first closes most of
        its gap).
    deterministic_nodes
        Branch-and-bound nodes of the restricted MIP under
        ``deterministic=True``.
    polish_share
        Share of the stage's time kept for the regional polish
        (deterministic time under ``deterministic=True``); 0 turns the polish
        off.

    Examples
    --------
    >>> DecomposedParams(polish_share=0.0).polish_share
    0.0
    """

    keep_per_village: int = 8
    keep_per_unit: int = 3
    cut_rounds: int = 2
    deterministic_nodes: int = 20
    polish_share: float = 0.3


@dataclass
class Decomposed:
    """Outcome of :func:`solve_decomposed`: the plan (None without one), its
    objective, the cut LP's bound and which step found the plan."""

    lead: IntArray | None
    objective: float
    bound: float
    used: str


def solve_decomposed(
    c: Candidates,
    instance: Instance,
    lead: IntArray | None,
    *,
    time_limit: float,
    seed: int,
    deterministic: bool,
    executor: Executor | None,
    report: Callable[..., None],
    params: DecomposedParams | None = None,
    stop: Callable[[], bool] | None = None,
) -> Decomposed:
    """The decomposed method from a start plan ``lead`` (None: none yet).

    ``stop`` (a stopping criterion) is polled between the steps and handed to
    HiGHS' LP; the polish is skipped once it says so.
    """
    p = params or DecomposedParams()
    start = time.perf_counter()
    _top = _top_mask
    n_r = len(instance.regions)
    m_full = build_model(c)
    x_hint = pairs_of(c, lead) if lead is not None else None
    objective = float(c.objective(lead)) if lead is not None else -math.inf
    used = "heuristic"

    def left() -> float:
        return max(0.2, time_limit - (time.perf_counter() - start))

    # LP bound: column generation over the pairs, then valid capacity
    # covers (the plain LP fills capacity with parts of villages)
    act = _top(c.pv, c.score.astype(float), 25)
    act |= _top(c.pu, c.score.astype(float), p.keep_per_unit) | c.team
    if x_hint is not None:
        act |= x_hint.astype(bool)
    lp = solve_lp(
        m_full,
        time_limit=(4 * time_limit) if deterministic else left() * 0.45,
        active=act,
        separate=lambda x: cover_cuts(c, x),
        rounds=p.cut_rounds,
        stop=stop,
        group=c.pv,
    )
    if lp.status == "infeasible":
        raise Infeasible([stage_cause()])
    bound = lp.bound
    if bound < least_possible(c):  # a valid bound below every plan's objective
        raise Infeasible([stage_cause()])
    report("lp", bound=bound)
    if lead is None and np.isfinite(lp.x[: c.n]).all():
        # the greedy alone left villages (tight R6/R3 at 10x sizes):
        # start it again from the LP's rounding, which already
        # balances the capacities
        g = greedy(c, n_r, instance.u_region, instance.u_tier, start=_rounded(c, lp.x))
        if np.all(g[c.villages] >= 0):
            lead, objective = g, float(c.objective(g))
            x_hint = pairs_of(c, g)
            report("lp greedy", incumbent=objective)
    per_village = p.keep_per_village
    while True:
        keep = _restrict(c, lp.x[: c.n], lp.reduced[: c.n], per_village, p)
        if x_hint is not None:
            keep |= x_hint.astype(bool)
        sub = c.subset(keep)
        m_sub = build_model(sub)
        if lp.cuts is not None and lp.cut_rhs is not None and lp.cuts.shape[0]:
            m_sub = with_rows(m_sub, lp.cuts[:, keep], lp.cut_rhs)
        start_x = None
        if lead is not None:
            start_x = complete(m_sub, pairs_of(sub, lead))
        # HiGHS on the restricted pairs (CP-SAT from the same start
        # improved far less, measured on the 430k default)
        mr = solve_mip(
            m_sub,
            # the regional polish gets polish_share of the stage
            time_limit=(4 * time_limit)
            if deterministic
            else max(0.2, left() - p.polish_share * time_limit),
            start=start_x,
            seed=seed,
            nodes=p.deterministic_nodes if deterministic else None,
            stop=stop,
        )
        x_sub = None if mr.status in ("infeasible", "unknown") else mr.x
        sub_obj = float(m_sub.cost @ x_sub) if x_sub is not None else -math.inf
        report("restricted", incumbent=sub_obj, bound=bound, pairs=int(sub.n))
        if x_sub is not None and sub_obj >= objective:
            lead = lead_of(sub, x_sub)
            objective = sub_obj
            used = "decomposed"
        stopped = stop is not None and stop()
        if (
            stopped
            or mr.status != "infeasible"
            or per_village >= 4 * p.keep_per_village
        ):
            break
        per_village *= 4  # restricted model proven too tight: widen it
    # regional polish: province tier fixed, one exact CP-SAT model per
    # prefecture (R1, R3 county and prefecture-overflow rows, R4, R5,
    # R8), on the executor when given; never worse than ``lead``
    budget = polish_budget(
        time_limit,
        time_limit - (time.perf_counter() - start),
        p.polish_share,
        deterministic,
    )
    if stop is not None and stop():
        budget = 0.0
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
    return Decomposed(lead, objective, bound, used)


def _rounded(c: Candidates, x: np.ndarray) -> IntArray:
    """Per village, the unit of its largest LP value (-1 where all are 0)."""
    x = x[: c.n]
    best = _top_mask(c.pv, x + 1e-9 * c.score / max(1, int(np.abs(c.score).max())), 1)
    best &= x > 1e-6
    start = np.full(c.n_villages, -1, dtype=np.int64)
    start[c.pv[best]] = c.pu[best]
    return start


def _restrict(
    c: Candidates,
    x: np.ndarray,
    reduced: np.ndarray,
    per_village: int,
    p: DecomposedParams,
) -> np.ndarray:
    """Pairs the restricted model keeps: LP support, best reduced costs, continuity."""
    keep = x > 1e-6
    keep |= _top_mask(c.pv, reduced, per_village)
    keep |= _top_mask(c.pu, reduced, p.keep_per_unit)
    keep |= c.team
    return keep
