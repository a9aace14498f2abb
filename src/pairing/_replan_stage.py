"""The village stage's re-plan (R14) and partial (R1 relaxed, R15) paths.

:class:`pairing._pipeline.Pipeline` calls these when ``solve`` is given a
``baseline`` (keep every village its unit can still carry, the fewest freed:
:func:`pairing.solver.replan.keep_villages`), ``pin="villages"`` (every
baseline village kept, the shortfalls left uncovered) or ``partial=True``
(the plan that covers the most: :mod:`pairing.solver.partial`). They are
apart from the pipeline so that it stays one concern: running the stages.

Examples
--------
>>> import pairing
>>> instance = pairing.generate(households=2000, seed=2)
>>> plan = pairing.solve(instance, time_limit=30)
>>> again = pairing.solve(instance, baseline=plan, time_limit=30)
>>> again.result.method, len(again.changes)
('baseline kept', 0)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ._budget import after_villages

if TYPE_CHECKING:
    from ._pipeline import Pipeline


def kept_villages(run: Pipeline, demand: np.ndarray, prefer: np.ndarray) -> Any:
    """The village stage of a re-plan (R14), or None.

    Every baseline lead that can stay is kept, the fewest villages freed
    and placed by an exact block; None when that cannot be done (the full
    stage then runs with the keep-bonus instead).
    """
    from .solver.replan import keep_villages
    from .solver.villages import VillageResult, claims

    instance = run.instance
    t0 = time.perf_counter()
    none = np.full(len(instance.households), -1, dtype=np.int64)
    got = keep_villages(
        instance,
        demand,
        prefer,
        none if run.keep is None else run.keep,
        time_limit=min(10.0, run.left()),
        seed=run.seed,
        deterministic=run.deterministic,
    )
    if got is None:
        return None
    lead, objective, bound, status = got
    return VillageResult(
        lead=lead,
        supplementary=claims(instance, lead),
        objective=objective,
        bound=bound,
        status=status,
        method="baseline kept",
        seconds=time.perf_counter() - t0,
    )


def partial_villages(
    run: Pipeline,
    demand: np.ndarray,
    prefer: np.ndarray | None,
    leader_households: np.ndarray,
) -> tuple[Any, Any]:
    """The village stage of a partial plan or a pinned re-plan, and what its
    leads leave uncovered (:func:`pairing.solver.partial.villages_left_or_pinned`).

    Raises ``Infeasible`` when a rule other than R1's coverage cannot hold.
    """
    from .solver.partial import villages_left_or_pinned

    # as the full stage: a work budget off the clock, else the later stages'
    # share kept
    budget = (
        run.limit * 0.75
        if run.deterministic
        else max(0.5, run.left() - after_villages(run.instance))
    )
    return villages_left_or_pinned(
        run.instance,
        demand,
        prefer,
        pin=run.pin is not None,
        time_limit=budget,
        leader_households=leader_households,
        seed=run.seed,
        workers=run.workers,
        deterministic=run.deterministic,
        method=run.method,
        stop=run.stop,
    )
