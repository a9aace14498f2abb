"""The village stage's engine for large instances: smoothed dual, core, regions.

Column generation (:mod:`.engine`) solves the Lagrangian dual exactly, but
its master LP grows faster than the instance: at 1.29M households one
master solve takes 2-9 s and the sifting LP that warm-starts it 40-60 s
(measured on 2 shared cores), so it cannot run within the time of a solve.
This strategy keeps the same relaxation and the same proof, and replaces
every LP by passes over the pairs:

1. **dual** — the entropic smoothing of the dual function, minimised by
   L-BFGS at falling temperatures (:mod:`.smooth`), each stage on a working
   set of the pairs that can matter; after each, the *exact* ``D(y)`` over
   every pair (:meth:`~.dual.Relaxation.evaluate`) is the bound, a proof at
   any multipliers;
2. **start** — the greedy from the smoothed dual's likeliest lead of each
   village (from the scores alone if that leaves villages), repaired by
   CP-SAT where it still leaves some;
3. **core** — the smoothed dual's fractional plan names the likely pairs;
   HiGHS solves the stage's model on them (:func:`~.primal.solve_core`);
4. **regions** — one exact MIP per prefecture on a wider core, side by
   side, the rest of the plan fixed (:mod:`.lns`), repeated while it gains.

The incumbent is the engine's own (every plan is checked against the whole
model); the result carries the prices of the best bound.

Examples
--------
>>> RegionalParams().temperatures
(10.0, 3.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import NoPlanFound
from ...instance import FloatArray, IntArray
from ..candidates import Candidates
from ..greedy import greedy
from ..model import SparseModel, build_model
from .dense import full_bound
from .dual import Evaluation, Relaxation
from .lns import lns_blocks, lns_round
from .primal import solve_core
from .regional_dual import _dual, _floor, _likeliest, _loss
from .regional_params import RegionalParams
from .run import Run
from .smooth import Smoothed, minimise, start_multipliers, working_set

__all__ = [
    "Regional",
    "RegionalParams",
    "Smoothed",
    "_dual",
    "_floor",
    "_likeliest",
    "_loss",
    "minimise",
    "run_regional",
    "start_multipliers",
    "working_set",
]


@dataclass
class Regional:
    """What :func:`run_regional` found (read by :func:`~.engine.run_engine`)."""

    lead: IntArray | None
    objective: float
    bound: Evaluation
    proof: float
    """The bound of the whole stage at ``bound.y`` (with the pruned
    province pairs priced, :mod:`.dense`), rounded down: a proof."""
    relax: Relaxation
    likely: FloatArray
    work: dict[str, int]
    seconds: dict[str, float]


def run_regional(
    cands: Candidates,
    *,
    n_regions: int,
    u_region: IntArray,
    u_tier: IntArray,
    v_block: IntArray,
    time_limit: float,
    stop: Callable[[], bool] | None = None,
    seed: int = 0,
    deterministic: bool = False,
    hint: IntArray | None = None,
    params: RegionalParams | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> Regional:
    """Lead units, the exact bound at the smoothed multipliers, and the work done.

    Parameters are those of :func:`~.engine.run_engine`, with ``v_block``
    the block (prefecture) of each village. Under ``deterministic`` the
    work is counted: fixed L-BFGS iterations, MIP node limits, blocks
    merged in a fixed order. A stop (or the time limit) ends the step under
    way at its next check and returns the best plan so far.

    Raises
    ------
    NoPlanFound
        When stopped before any plan was found.
    """
    run = Run(cands, time_limit, stop, deterministic, progress)
    settings = params or RegionalParams()
    model, relax = run.timed("model", lambda: _relaxation(cands))

    def value(e: Evaluation) -> float:  # the whole stage's D(y), pruned pairs too
        if cands.province_tier is None:
            return e.value
        return full_bound(relax, e, cands.province_tier)

    # the dual first: it needs no plan, and its likeliest leads are a far
    # better start for the greedy than the scores alone (1.29M: 7.662M
    # against 7.569M), which also leaves it fewer villages to repair
    bound, proof, likely, counts = run.timed(
        "dual",
        lambda: _dual(
            relax,
            settings,
            run.until(settings.dual_share),
            deterministic,
            run.report,
            value,
        ),
    )
    run.work.update(counts)
    run.work["regional rounds"] = 0
    passes = counts["smoothed passes"]
    run.proof = proof
    hints = ([_likeliest(cands, likely)] if passes else []) + [hint]
    # the greedy and its repair poll the time limit too (not only a stop)
    _first_plan(run, hints, (n_regions, u_region, u_tier), seed, run.stopped)
    run.report("start", proof)
    nodes = settings.block_nodes if deterministic else None
    _improve(run, model, cands, v_block, likely, (relax, bound), settings, seed, nodes)
    if run.lead is None:
        raise NoPlanFound(
            f"the village stage found no plan in {time_limit:g} s "
            f"({cands.n} candidate pairs); allow more time"
        )
    return Regional(
        run.lead, run.objective, bound, proof, relax, likely, run.work, run.seconds
    )


def _improve(
    run: Run,
    model: SparseModel,
    cands: Candidates,
    v_block: IntArray,
    likely: FloatArray,
    dual: tuple[Relaxation, Evaluation],
    settings: RegionalParams,
    seed: int,
    nodes: int | None,
) -> None:
    """The plan improved on the priced core, then block by block (``v_block``:
    each village's block; ``dual``: the relaxation and its best evaluation,
    for the forcing costs), unless a stop came first."""
    if not run.stopped():
        run.timed("core", lambda: _core(run, model, likely, settings, seed, nodes))
    if not run.stopped():  # the forcing costs only when the regions run
        loss = _loss(*dual)
        run.timed(
            "regions",
            lambda: _regions(
                run, model, lns_blocks(v_block, cands.villages), likely, loss,
                settings, seed, nodes,
            ),
        )  # fmt: skip


def _relaxation(c: Candidates) -> tuple[SparseModel, Relaxation]:
    """The stage's labelled model and its relaxation."""
    m = build_model(c)
    return m, Relaxation(m)


def _core(
    run: Run,
    m: SparseModel,
    likely: FloatArray,
    p: RegionalParams,
    seed: int,
    nodes: int | None,
) -> None:
    """HiGHS on the smoothed dual's likely pairs (and the incumbent's)."""
    c = run.c
    keep = (likely >= p.core_probability) | c.team
    if run.lead is not None:
        keep |= run.lead[c.pv] == c.pu
    core = solve_core(
        c,
        m,
        keep,
        run.lead,
        seconds=min(p.core_seconds, max(0.1, run.left())),
        seed=seed,
        nodes=nodes,
        stop=run.stopped,
    )
    run.work["core pairs"] = core.pairs
    run.offer(core.lead, "core")


def _regions(
    run: Run,
    m: SparseModel,
    blocks: list[list[int]],
    likely: FloatArray,
    loss: FloatArray,
    p: RegionalParams,
    seed: int,
    nodes: int | None,
) -> None:
    """Rounds of per-prefecture MIPs from the incumbent while they gain."""
    rounds = 0
    while run.lead is not None and not run.stopped():
        new = lns_round(
            run.c,
            m,
            run.lead,
            blocks,
            likely,
            loss,
            probability=p.block_probability,
            per_village=p.block_per_village,
            seconds=max(0.1, min(p.block_seconds, 0.9 * run.left())),
            seed=seed,
            nodes=nodes,
            stop=run.stopped,
            threads=p.threads,
        )
        rounds += 1
        if not run.offer(new, "regions"):
            break
    run.work["regional rounds"] = rounds


def _first_plan(
    run: Run,
    hints: list[IntArray | None],
    regions: tuple[int, IntArray, IntArray],
    seed: int,
    stop: Callable[[], bool] | None,
) -> None:
    """The first plan: the greedy (with repair) from each hint in turn until
    one completes a plan (the user's hint, or none, only if needed)."""
    for hint in hints:
        if run.lead is not None:
            break

        def begin(h: IntArray | None = hint) -> IntArray | None:
            return _start(
                run.c,
                regions,
                h,
                seed,
                run.deterministic,
                stop,
                run.time_limit,
                run.work,
            )

        run.offer(run.timed("start", begin), "start")


def _start(
    c: Candidates,
    regions: tuple[int, IntArray, IntArray],
    hint: IntArray | None,
    seed: int,
    deterministic: bool,
    stop: Callable[[], bool] | None,
    time_limit: float,
    work: dict[str, int],
) -> IntArray | None:
    """The greedy's plan, repaired by CP-SAT where it leaves villages.

    ``regions`` is ``(n_regions, u_region, u_tier)``; ``work`` records the
    villages each greedy left (``start gaps``) and the repairs that
    completed a plan (``repaired``).
    """
    n_regions, u_region, u_tier = regions
    g = greedy(c, n_regions, u_region, u_tier, start=hint, stop=stop)
    gaps = int((g[c.villages] < 0).sum())
    work["start gaps"] = work.get("start gaps", 0) + gaps
    if gaps == 0:
        return g
    if stop is not None and stop():  # the greedy was stopped: no repair
        return None
    from ..repair import repair

    fixed, _ = repair(
        c,
        g,
        time_limit=0.2 * time_limit,
        seed=seed,
        deterministic=deterministic,
        stop=stop,
        movable=u_tier > 0,  # the local tiers: the neighbourhood stays regional
    )
    work["repaired"] = work.get("repaired", 0) + (fixed is not None)
    return fixed
