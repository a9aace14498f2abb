"""The village stage's engine: Lagrangian bound, priced columns, exact core.

Steps, each anytime and stoppable (the stop is polled between steps, and
handed to HiGHS, which polls it during its solves):

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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import NoPlanFound
from ...instance import IntArray
from ..candidates import Candidates, _top_mask
from ..greedy import greedy
from ..lp import solve_lp
from ..model import R1, build_model
from .dual import Evaluation, Relaxation
from .master import Master, generate_columns
from .prices import Prices
from .primal import CoreResult, CoreRunner, core_mask
from .regional import run_regional


@dataclass(frozen=True)
class EngineParams:
    """Settings of the engine, each with its reason.

    Attributes
    ----------
    warm_lp
        Start from a sifting LP's duals (else from the first master's, with
        presolve: cheaper on large instances, where the LP is slow).
    warm_per_tier
        Pairs per village and tier the warm-start LP starts from (the best
        by objective); pricing adds the rest as they are needed.
    warm_share
        Most of the stage's time the warm-start LP may take.
    generation_share
        Most of the stage's time the warm-start LP and column generation
        take together; the core MIP gets the rest.
    generation_iterations
        Most master solves (under ``deterministic``: exactly this many,
        unless the bound meets the master first).
    smoothing
        Wentges' smoothing: the share of the best multipliers in each
        pricing point (0: plain Kelley cutting planes).
    core_per_village
        Cheapest pairs by forcing cost each village adds to the core.
    core_per_unit
        Cheapest pairs by forcing cost, to villages the fixed core leaves
        free, that each unit R4 obliges to lead keeps when the fixed core
        leaves it free too (else its minimum may have no village left).
    core_per_village_max
        Widest core: once a core is solved to optimality and time remains,
        its cheapest pairs per village double up to this.
    core_nodes
        Branch-and-bound nodes of the core MIP under ``deterministic``.
    core_every, first_core, core_trigger, core_seconds
        While columns are generated, a core MIP of ``core_seconds`` runs every
        ``core_every`` master solves, from the ``first_core``-th on and once
        the master's value is within ``core_trigger`` (relative) of the
        bound: before, the master's support is a poor core (measured on the
        430k default: 2.68M at the 8th solve against 2.734M once the master
        is within 0.2%) and the MIP only slows column generation down.
        After, the core MIP gets the rest of the time.
    gap_tolerance
        The engine stops once its plan is proven within this share of the
        bound (as a MIP solver's relative gap).
    core_thread
        Run the core MIPs during column generation in a second thread (the
        machine's second core; never under ``deterministic``).
    regional_pairs
        From this many candidate pairs on, when the villages' blocks are
        given, the engine takes the regional strategy of :mod:`.regional`
        (smoothed dual, regional MIPs; its own defaults,
        :class:`~.regional.RegionalParams`) instead of column generation,
        whose master LP grows too slow: the 1.29M instance has 2.2M pairs,
        the 430k default about 240k. 0 takes it always. Every field here is
        a plain number, so the settings round-trip through TOML.

    Examples
    --------
    >>> EngineParams(core_seconds=3.0).core_seconds
    3.0
    """

    warm_lp: bool = True
    warm_per_tier: int = 6
    warm_share: float = 0.35
    generation_share: float = 0.65
    generation_iterations: int = 60
    smoothing: float = 0.8
    core_per_village: int = 4
    core_per_unit: int = 3
    core_per_village_max: int = 16
    core_nodes: int = 200
    core_every: int = 6
    first_core: int = 8
    core_trigger: float = 2e-3
    core_seconds: float = 3.0
    gap_tolerance: float = 2e-3
    core_thread: bool = True
    regional_pairs: int = 1_000_000


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
    start = time.perf_counter()
    deadline = start + time_limit

    def stopped() -> bool:
        if stop is not None and stop():
            return True
        return not deterministic and time.perf_counter() >= deadline

    def until(share: float) -> Callable[[], bool]:
        end = start + share * time_limit

        def check() -> bool:
            return stopped() or (not deterministic and time.perf_counter() >= end)

        return check

    seconds: dict[str, float] = {}
    work: dict[str, int] = {}
    state = _Incumbent(c)

    def report(phase: str) -> None:
        if progress is not None:
            progress(
                {
                    "phase": phase,
                    "elapsed": time.perf_counter() - start,
                    "incumbent": state.objective if state.lead is not None else None,
                    "bound": bound.bound if bound is not None else None,
                }
            )

    bound: Evaluation | None = None
    t0 = time.perf_counter()
    m = build_model(c)
    relax = Relaxation(m)
    g = greedy(c, n_regions, u_region, u_tier, start=hint, stop=stopped)
    if np.all(g[c.villages] >= 0):
        state.offer(g)
    elif not stopped():
        from ..repair import repair

        fixed, _ = repair(
            c,
            g,
            time_limit=0.2 * time_limit,
            seed=seed,
            deterministic=deterministic,
            stop=stopped,
        )
        if fixed is not None:
            state.offer(fixed)
    seconds["start"] = time.perf_counter() - t0
    report("start")

    # warm start: a sifting LP's duals, or the first master's
    t0 = time.perf_counter()
    tier = u_tier[c.pu]
    active = _top_mask(c.pv * 4 + tier, c.score.astype(float), p.warm_per_tier)
    active |= _top_mask(c.pu, c.score.astype(float), 3) | c.team
    if state.lead is not None:
        active |= state.lead[c.pv] == c.pu
    master = Master(relax)
    if state.lead is not None:
        chosen = np.zeros(c.n, dtype=bool)
        chosen[c.pair_index(state.lead)] = True
        master.add_chosen(chosen)
    if p.warm_lp:
        lp = solve_lp(
            m,
            time_limit=math.inf if deterministic else p.warm_share * time_limit,
            active=active,
            group=c.pv,
            stop=until(p.warm_share),
        )
        y0 = relax.from_duals(lp.duals) if lp.duals is not None else relax.zero()
        bound = relax.evaluate(y0)
        work["warm start LP status"] = int(lp.status == "optimal")
        master.add_singletons(np.flatnonzero(_top_mask(c.pv, bound.reduced, 5)))
        if lp.status == "optimal":  # the LP's own pairs, alone and two by two
            support = np.flatnonzero(np.nan_to_num(lp.x[: c.n]) > 1e-6)
            master.add_singletons(support)
            master.add_combinations(support)
    else:  # the master itself, from the best pairs by objective
        master.add_singletons(np.flatnonzero(active))
        master.h.setOptionValue("presolve", "on")
        first = master.solve(stop=until(p.warm_share))
        master.h.setOptionValue("presolve", "off")
        bound = relax.evaluate(first.y if first.status == "optimal" else relax.zero())
    seconds["warm start"] = time.perf_counter() - t0
    report("warm start")

    # column generation (the Lagrangian dual), with the core MIP in between
    t0 = time.perf_counter()
    t_core = 0.0
    solves = 0
    converged = False
    per_village = p.core_per_village
    core_stop = (
        stop if deterministic else _or(stop, lambda: time.perf_counter() >= deadline)
    )
    runner = CoreRunner(
        c,
        m,
        seed=seed,
        nodes=p.core_nodes if deterministic else None,
        stop=core_stop,
        threaded=not deterministic and p.core_thread,
    )

    def take(res: CoreResult | None) -> None:
        if res is not None:
            work["core pairs"] = res.pairs
            if res.lead is not None and state.offer(res.lead):
                report("core")

    def core_args() -> tuple[Any, Any]:
        assert bound is not None
        prices = _prices(c, relax, bound)
        flows = master.flows() if solves else np.zeros(c.n)
        keep = core_mask(c, flows, prices.loss, state.lead, per_village=per_village)
        if state.lead is not None:
            keep &= ~prices.fixable(state.objective) | (state.lead[c.pv] == c.pu)
        whole = master.whole_sets() if solves else np.zeros(c.n, dtype=bool)
        whole &= keep
        # every unit R4 obliges to lead and left free keeps a few pairs to the
        # villages left free, so the fixed core is rarely infeasible
        decided = np.zeros(c.n_villages, dtype=bool)
        decided[c.pv[whole]] = True
        fixed_unit = np.zeros(c.n_units, dtype=bool)
        fixed_unit[c.pu[whole]] = True
        open_ = ~decided[c.pv] & (c.u_min[c.pu] > 0) & ~fixed_unit[c.pu]
        idx = np.flatnonzero(open_)
        keep[idx[_top_mask(c.pu[idx], -prices.loss[idx], p.core_per_unit)]] = True
        return keep, whole

    master_value = -math.inf
    try:
        while not stopped():
            gen_over = converged or until(p.generation_share)()
            if not gen_over:
                gen = generate_columns(
                    master,
                    bound,
                    iterations=p.core_every,
                    stop=_or(stop, until(p.generation_share)),
                    smoothing=p.smoothing,
                )
                solves += gen.iterations
                converged = gen.converged
                master_value = gen.objective
                if gen.best.value < bound.value:
                    bound = gen.best
                report("columns")
                gen_over = converged or until(p.generation_share)()
            take(runner.poll())
            if _close(state.objective, bound.bound, p.gap_tolerance):
                break
            ripe = solves >= p.first_core and _close(
                master_value, bound.value, p.core_trigger
            )
            if not gen_over and (not ripe or runner.busy):
                continue
            t1 = time.perf_counter()
            if not gen_over and runner._pool is not None:
                keep, fixed = core_args()
                runner.submit(keep, fixed, state.lead, p.core_seconds, p.core_seconds)
                continue
            take(runner.poll(wait=True))  # the background attempt, if any
            if _close(state.objective, bound.bound, p.gap_tolerance):
                break
            keep, fixed = core_args()
            budget = deadline - time.perf_counter() if gen_over else p.core_seconds
            # the fixed core finds the plans; the whole core is the fallback
            lead_first = max(p.core_seconds, 0.6 * budget)
            res = runner.attempt(keep, fixed, state.lead, budget, lead_first)
            take(res)
            t_core += time.perf_counter() - t1
            if _close(state.objective, bound.bound, p.gap_tolerance):
                break
            if gen_over:
                if res.status != "optimal" or per_village >= p.core_per_village_max:
                    break
                per_village *= 2  # the core was solved: widen it while time remains
    finally:
        runner.close()
    take(runner.poll(wait=True))
    work["master solves"] = solves
    work["master sets"] = master.n_sets
    work["core solves"] = runner.attempts
    seconds["columns"] = time.perf_counter() - t0 - t_core
    seconds["core"] = t_core
    prices = _prices(c, relax, bound)
    if state.lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({c.n} candidate pairs); allow more time"
        )
    return EngineResult(
        lead=state.lead,
        objective=state.objective,
        bound=max(bound.bound, state.objective),
        prices=prices,
        iterations=work,
        seconds=seconds,
    )


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


class _Incumbent:
    """The best plan so far, kept by the engine (never a solver's word)."""

    def __init__(self, c: Candidates) -> None:
        self.c = c
        self.lead: IntArray | None = None
        self.objective = -math.inf

    def offer(self, lead: IntArray) -> bool:
        """Keep ``lead`` if it is complete and better; whether it was kept."""
        c = self.c
        if not np.all(lead[c.villages] >= 0):
            return False
        value = float(c.objective(lead))
        if value > self.objective:
            self.lead, self.objective = lead.copy(), value
            return True
        return False


def _prices(c: Candidates, relax: Relaxation, e: Evaluation) -> Prices:
    """The prices of an evaluation: village prices, reduced values, forcing costs."""
    upper = relax.units.forcing_bounds(e.reduced)
    loss = np.maximum(e.unit_value[c.pu] - upper, 0.0)
    village = np.full(c.n_villages, np.nan)
    r1 = relax.model.row_rule[relax.rows] == R1
    village[relax.model.row_owner[relax.rows][r1]] = e.y[r1]
    return Prices(
        multipliers=e.y,
        village=village,
        reduced=e.reduced,
        loss=loss,
        bound=e.bound,
        pair_village=c.pv,
        pair_unit=c.pu,
    )


def _close(objective: float, bound: float, tolerance: float) -> bool:
    """Whether ``objective`` is within ``tolerance`` (relative) of ``bound``."""
    if not math.isfinite(objective):
        return False
    return bound - objective <= tolerance * max(abs(bound), 1e-9)


def _or(*stops: Callable[[], bool] | None) -> Callable[[], bool]:
    live = [s for s in stops if s is not None]
    return lambda: any(s() for s in live)
