"""The village stage's engine: Lagrangian bound, priced columns, exact core.

Steps, each anytime and stoppable (the stop, with the time limit unless
``deterministic``, is polled between steps, by counted work in the greedy
and the CP-SAT build, and handed to HiGHS and CP-SAT during their solves):

1. **start** — the greedy (:func:`~..greedy.greedy`) gives a plan in a
   fraction of a second; if it leaves villages, CP-SAT repairs their
   neighbourhood (:func:`~..repair.repair`).
2. **warm start** — a sifting LP in HiGHS: the model on each village's best
   few pairs per tier, pricing every pair each round, until no pair prices
   in (:func:`~..lp.solve_lp`); its row duals are the first multipliers.
3. **column generation** — the Lagrangian dual by Dantzig–Wolfe column
   generation with Wentges' smoothing (:mod:`.master`); every pricing pass
   is one exact bound (:mod:`.dual`), and the least of them is the stage's
   bound.
4. **core** — HiGHS solves the stage's model on the master's support and
   the cheapest pairs by forcing cost (:mod:`.primal`), from the incumbent.

The engine keeps its incumbent itself: a step's plan replaces it only when
better, and every plan has kept every row of the stage's model. Its result
carries the final :class:`~.prices.Prices`.

With ``deterministic=True`` no step reads the clock: the LP runs to its
optimum, column generation for a fixed number of iterations and the core
MIP for a fixed number of branch-and-bound nodes, so the same inputs and
seed give the same plan.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import Infeasible, NoPlanFound
from ...instance import IntArray
from ..candidates import Candidates, _top_mask
from ..greedy import greedy
from ..leads import least_possible, stage_cause
from ..lp import solve_lp
from ..model import build_model
from .columns import Columns as _Columns
from .columns import prices_of as _prices
from .dual import Evaluation, Relaxation
from .master import Master
from .prices import Prices
from .regional import run_regional
from .run import Run
from .settings import EngineParams as EngineParams  # re-exported


@dataclass
class EngineResult:
    """Outcome of :func:`run_engine`.

    Attributes
    ----------
    lead
        Lead unit per village index (-1 for villages that are not poor).
    objective
        Its objective.
    bound
        The least Lagrangian bound found (a proof: no plan scores more).
    prices
        The multipliers of the bound, and each pair's reduced value and
        forcing cost.
    iterations
        Per step, how much work it did (LP columns, master solves, core pairs).
    seconds
        Per step, its wall time.
    """

    lead: IntArray
    objective: float
    bound: float
    prices: Prices
    iterations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_engine(
    c: Candidates,
    *,
    n_regions: int,
    u_region: IntArray,
    u_tier: IntArray,
    time_limit: float,
    stop: Callable[[], bool] | None = None,
    seed: int = 0,
    deterministic: bool = False,
    hint: IntArray | None = None,
    params: EngineParams | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    v_block: IntArray | None = None,
) -> EngineResult:
    """Lead units for every poor village, a proven bound and the prices.

    Parameters
    ----------
    c
        The stage's candidate pairs.
    n_regions, u_region, u_tier
        As the greedy needs them (``len(instance.regions)``,
        ``instance.u_region``, ``instance.u_tier``).
    time_limit
        Seconds for the stage (wall clock; ignored for the work budgets
        under ``deterministic``, which only stops when asked).
    stop
        A stopping criterion: the engine returns its incumbent soon after it
        says so (``NoPlanFound`` when there is none yet).
    seed
        HiGHS' seed.
    deterministic
        Count work, never the clock.
    hint
        A lead unit per village the greedy tries first (-1: none).
    params
        The engine's settings (:class:`EngineParams`).
    progress
        Called with ``{"phase", "elapsed", "incumbent", "bound"}``.
    v_block
        Per village, its block for the regional strategy (its prefecture).

    Raises
    ------
    NoPlanFound
        When stopped before any plan was found.
    """
    p = params or EngineParams()
    if v_block is not None and c.n >= p.regional_pairs:
        return _regional(
            c,
            n_regions=n_regions,
            u_region=u_region,
            u_tier=u_tier,
            v_block=v_block,
            time_limit=time_limit,
            stop=stop,
            seed=seed,
            deterministic=deterministic,
            hint=hint,
            progress=progress,
        )
    run = Run(c, time_limit, stop, deterministic, progress)

    def begin() -> Relaxation:
        relax = Relaxation(build_model(c))
        run.model = relax.model  # a start that breaks a row is no plan
        _start(run, (n_regions, u_region, u_tier), hint, seed)
        return relax

    relax = run.timed("start", begin)
    run.report("start", None)
    master, bound = run.timed("warm start", lambda: _warm(run, relax, u_tier, p))
    run.proof = bound.bound
    run.report("warm start", bound.bound)
    columns = _Columns(run, relax, master, bound, p, seed)
    columns.solve()
    if run.lead is None and columns.bound.bound < least_possible(c) - 0.5:
        # no plan scores less than every village's worst pair, so a valid
        # bound below that proves the model has no plan (a pruned model's
        # is then solved again with every pair)
        raise Infeasible([stage_cause()])
    if run.lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({c.n} candidate pairs); allow more time"
        )
    return EngineResult(
        lead=run.lead,
        objective=run.objective,
        bound=max(columns.bound.bound, run.objective),
        prices=_prices(c, relax, columns.bound),
        iterations=run.work,
        seconds=run.seconds,
    )


def _start(
    run: Run, regions: tuple[int, IntArray, IntArray], hint: IntArray | None, seed: int
) -> None:
    """Step 1: the greedy's plan, repaired by CP-SAT where it leaves villages
    (both polling the stop and the time limit)."""
    c = run.c
    g = greedy(c, *regions, start=hint, stop=run.stopped)
    if np.all(g[c.villages] >= 0):
        run.offer(g)
        return
    if run.stopped():
        return
    from ..repair import repair

    fixed, _ = repair(
        c,
        g,
        time_limit=0.2 * run.time_limit,
        seed=seed,
        deterministic=run.deterministic,
        stop=run.stopped,
    )
    run.offer(fixed)


def _warm(
    run: Run, relax: Relaxation, u_tier: IntArray, p: EngineParams
) -> tuple[Master, Evaluation]:
    """Step 2: the master's first sets and the first multipliers, from a
    sifting LP's duals or the first master's."""
    c, m = run.c, relax.model
    tier = u_tier[c.pu]
    active = _top_mask(c.pv * 4 + tier, c.score.astype(float), p.warm_per_tier)
    active |= _top_mask(c.pu, c.score.astype(float), 3) | c.team
    if run.lead is not None:
        active |= run.lead[c.pv] == c.pu
    master = Master(relax)
    if run.lead is not None:
        chosen = np.zeros(c.n, dtype=bool)
        chosen[c.pair_index(run.lead)] = True
        master.add_chosen(chosen)
    if not p.warm_lp:  # the master itself, from the best pairs by objective
        master.add_singletons(np.flatnonzero(active))
        master.h.setOptionValue("presolve", "on")
        first = master.solve(stop=run.until(p.warm_share))
        master.h.setOptionValue("presolve", "off")
        y = first.y if first.status == "optimal" else relax.zero()
        return master, relax.evaluate(y)
    lp = solve_lp(
        m,
        time_limit=math.inf if run.deterministic else p.warm_share * run.time_limit,
        active=active,
        group=c.pv,
        stop=run.until(p.warm_share),
    )
    y0 = relax.from_duals(lp.duals) if lp.duals is not None else relax.zero()
    bound = relax.evaluate(y0)
    run.work["warm start LP status"] = int(lp.status == "optimal")
    master.add_singletons(np.flatnonzero(_top_mask(c.pv, bound.reduced, 5)))
    if lp.status == "optimal":  # the LP's own pairs, alone and two by two
        support = np.flatnonzero(np.nan_to_num(lp.x[: c.n]) > 1e-6)
        master.add_singletons(support)
        master.add_combinations(support)
    return master, bound


def _regional(c: Candidates, **kw: Any) -> EngineResult:
    """:func:`~.regional.run_regional`'s outcome as an :class:`EngineResult`."""
    res = run_regional(c, **kw)
    assert res.lead is not None
    prices = dataclasses.replace(_prices(c, res.relax, res.bound), bound=res.proof)
    return EngineResult(
        lead=res.lead,
        objective=res.objective,
        bound=max(res.proof, res.objective),
        prices=prices,
        iterations=res.work,
        seconds=res.seconds,
    )
