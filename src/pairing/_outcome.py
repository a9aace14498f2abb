"""The end of a solve: the plan's tables and its :class:`~pairing.result.SolveResult`.

:func:`finish` builds them once, from what the stages of a
:class:`~pairing._pipeline.Pipeline` run found: the tables (with ``changes``
against a baseline, ``uncovered`` in a partial plan), the soft figures, the
stages' results, the recorded score and the R8 dispatch by tier. Nothing
changes the result afterwards.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .plan import Plan
from .result import Provenance, SoftFigures, SolveResult, StageResult, Status

if TYPE_CHECKING:
    from ._pipeline import Pipeline

__all__ = ["finish", "relative_gap"]


def finish(
    run: Pipeline,
    vres: Any,
    hres: Any,
    leaders: Any,
    h_cadre: np.ndarray,
    teams: Any,
    shortfall: list[tuple[int, int, int]],
    baseline: Plan | None,
    provenance: Provenance,
) -> Plan:
    """The plan's tables and its result, built once, at the end of ``run``."""
    from ._build import build_plan, counts
    from .metrics import dispatch_by_tier, soft_figures

    instance = run.instance
    t0 = time.perf_counter()
    tables = build_plan(
        instance, vres.lead, vres.supplementary, leaders, h_cadre, teams
    )
    run.seconds["total"] = run.elapsed()
    if baseline is not None:
        from .solver.baseline import changes

        tables = dataclasses.replace(
            tables, changes=changes(instance, baseline, tables)
        )
    if run.left_out is not None:  # a partial plan: what is left, and why
        table = run.left_out.table(instance, vres.lead, run.demand)
        tables = dataclasses.replace(tables, uncovered=table)
    stopped = run.stop.at
    # a stopped solve returns at once: the figures are left to the validator
    soft = (
        SoftFigures()
        if stopped
        else SoftFigures.from_dict(soft_figures(instance, tables))
    )
    run.seconds["report"] = time.perf_counter() - t0
    sizes = counts(instance, vres.lead, vres.supplementary, leaders, h_cadre, teams)
    result = solve_result(run, vres, hres, sizes, shortfall, soft, provenance, stopped)
    result = dataclasses.replace(
        result,
        status=Status.PARTIAL if len(tables.uncovered) else result.status,
        uncovered=uncovered_counts(run, vres.lead),
        score=recorded_score(run, vres, h_cadre, stopped),
    )
    # R8: the kick-off dispatch by tier, beside the seed's
    by_tier = dispatch_by_tier(instance, tables)
    result = dataclasses.replace(result, dispatch_by_tier=by_tier)
    return dataclasses.replace(tables, result=result)


def uncovered_counts(run: Pipeline, lead: np.ndarray) -> dict[str, Any]:
    """``summary.json``'s ``uncovered``: what a partial plan leaves."""
    if run.left_out is None:
        return {}
    poor = run.instance.poor_villages
    return {"villages": int((lead[poor] < 0).sum()), **run.left_out.counts()}


def recorded_score(
    run: Pipeline, vres: Any, h_cadre: np.ndarray, stopped: str | None
) -> Any:
    """``summary.json``'s ``score``: the objective by rule term, R14's
    keep-bonus apart (:func:`pairing.score.solved_score`); left out, as the
    soft figures are, by a stopped solve."""
    if stopped:
        return {}
    from .score import solved_score

    return solved_score(run.instance, vres, h_cadre, run.prefer)


def solve_result(
    run: Pipeline,
    vres: Any,
    hres: Any,
    sizes: dict[str, int],
    shortfall: list[tuple[int, int, int]],
    soft: SoftFigures,
    provenance: Provenance,
    stopped: str | None,
) -> SolveResult:
    """The result of ``run``, before the partial status, score and dispatch."""
    gap = relative_gap(vres.objective, vres.bound)
    status = Status.OPTIMAL if vres.status == "optimal" else Status.FEASIBLE
    uid = run.instance.unit_index
    return SolveResult(
        status=status,
        method=vres.method,
        objective=round(float(vres.objective), 6),
        bound=round(float(vres.bound), 6),
        gap=gap,
        seconds={k: round(v, 3) for k, v in run.seconds.items()},
        stages=stage_results(run, vres, hres, status, gap, stopped),
        parameters={
            "time_limit": run.limit,
            "seed": run.seed,
            "workers": run.workers,
            "deterministic": run.deterministic,
            "method": run.method,
            "capacity_reserve": run.reserve,
            "partial": run.partial,
            "pin": run.pin,
        },
        params=run.params,
        soft=soft,
        counts=sizes,
        dispatch_shortfall=tuple(
            {"unit_id": str(uid[u]), "needed": int(n), "available": int(a)}
            for u, n, a in shortfall
        ),
        provenance=provenance,
        stopped=stopped,
    )


def stage_results(
    run: Pipeline,
    vres: Any,
    hres: Any,
    status: Status,
    gap: float,
    stopped: str | None,
) -> dict[str, StageResult]:
    """The village and household stages' results."""
    villages = StageResult(
        "villages",
        status,
        vres.method,
        objective=float(vres.objective),
        bound=float(vres.bound),
        gap=gap,
        seconds=round(run.seconds["villages"], 3),
        work=dict(vres.work),
    )
    households = StageResult(
        "households",
        Status.OPTIMAL,
        "min-cost flow",
        objective=float(hres.objective),
        seconds=round(run.seconds["households"], 3),
        details={
            "prefecture_overflow": int(hres.overflow),
            "arcs": int(hres.arcs),
            # components solved on the coarser network once stopped
            "coarse": stopped is not None,
        },
    )
    return {"villages": villages, "households": households}


def relative_gap(objective: float, bound: float) -> float:
    """Relative gap of a maximised objective to its upper bound."""
    if bound is None or not np.isfinite(bound):
        return float("nan")
    return round(max(0.0, bound - objective) / max(abs(bound), 1e-9), 6)
