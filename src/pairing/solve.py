"""The planner: :func:`solve` turns an :class:`Instance` into a :class:`Plan`.

Stages, in order (``docs/model.md`` maps each rule to its constraints):

1. **checks** — counting pre-checks of the hard rules (R15);
2. **leaders** — areas, contact villages and their households (R7);
3. **villages** — the lead unit of every poor village and R13 claims
   (R1–R4, R6; objective R9–R11 and travel);
4. **households** — a responsible cadre for every other poor household
   (R1, R3, R5; objective R10, R12), an exact min-cost flow;
5. **dispatch** — the kick-off teams (R8).

The stages run in :mod:`pairing._pipeline`; this module is the front door.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor

from ._build import build_plan as build_plan
from .instance import Instance
from .params import SolveParams
from .plan import Plan
from .progress import ProgressEvent
from .solver.villages import METHODS, Method

__all__ = ["Method", "Progress", "solve"]

Progress = Callable[[ProgressEvent], None]
"""A ``progress`` callback: called with each
:class:`~pairing.progress.ProgressEvent`."""


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    deterministic: bool = False,
    method: Method = "auto",
    baseline: Plan | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    stop: Callable[[], bool] | None = None,
    params: SolveParams | None = None,
    display: bool = False,
    partial: bool = False,
    pin: str | None = None,
) -> Plan:
    """Plan an instance: every hard rule kept, the soft rules optimised.

    Parameters
    ----------
    instance
        The instance to plan.
    time_limit
        Wall-clock budget in seconds for the whole solve (default: the rules'
        ``time_limit``): the stages' budgets are sized from it. With
        ``deterministic=True`` it is turned into work limits instead, so the
        run does not depend on the machine's load. For a hard stop, pass
        ``stop=MaxRuntime(seconds)`` as well.
    seed
        Random seed of the solvers.
    workers
        CP-SAT search workers (default: the machine's cores, at most 8).
    deterministic
        Bound the search by work rather than wall-clock time: the same
        inputs, seed and workers then give the same plan, byte for byte.
    method
        The village stage's method: ``auto`` (CP-SAT up to
        ``params.villages.monolithic_pairs`` candidate pairs, the Lagrangian
        engine above), ``lagrangian``, ``cpsat``, ``heuristic`` (greedy with
        repair) or ``decomposed`` (the earlier baseline).
    baseline
        A previous plan to keep as much of as the hard rules allow (R14).
    progress
        Called with a :class:`~pairing.progress.ProgressEvent` as the solve
        advances, at every stage, always from the thread that called
        ``solve``; every event's ``elapsed`` is on one monotonic clock from
        the solve's start.
    executor
        Where independent subproblems run (any ``concurrent.futures``
        executor, e.g. a Dask ``Client.get_executor()``).
    stop
        A stopping criterion (:mod:`pairing.stop`): any callable returning
        whether to stop. Every stage polls it between its steps (and hands
        it to HiGHS and CP-SAT, so it may also be polled from their helper
        threads: it must be thread-safe, as the ready ones are). Once the
        village stage has a plan, a stop returns it at once: the household
        stage finishes on a coarser network (as exact for the hard rules)
        and the soft figures are left out; ``result.stopped`` names the
        stage. Before that, ``NoPlanFound`` is raised.
    params
        The components' settings (:class:`~pairing.params.SolveParams`).
    display
        Show a live line of the solve's progress (a notebook cell or the
        terminal's standard error, :class:`pairing.progress.SolveProgress`).
    partial
        When the hard rules cannot all hold, return the plan that covers the
        most (every village first, then the most households, the heaviest
        first; R2–R8 still hold) with status ``partial`` and every village and
        household left in ``plan.uncovered`` with its cause (R15), instead of
        raising ``Infeasible`` (:mod:`pairing.solver.partial`).
    pin
        ``"villages"`` (with ``baseline``): keep every baseline village with
        its unit whatever its capacity; the households its cadres cannot
        carry are left uncovered, each with the shortfall to fix (a partial
        plan when any is). Default: a village moves only when its unit can no
        longer carry it, the fewest villages, each move saying what would have
        kept it (:mod:`pairing.solver.replan`).

    Returns
    -------
    Plan
        The plan; :attr:`Plan.result` is its typed
        :class:`~pairing.result.SolveResult` (objective, bound, gap, timings,
        stages, soft-rule figures, provenance).

    Raises
    ------
    Infeasible
        When the hard rules cannot all hold; carries the causes (R15).
    NoPlanFound
        When the time limit ran out, or a stop came, before any plan was found.
    ValueError
        When ``method`` is not one of :data:`~pairing.solver.villages.METHODS`,
        or ``pin`` is not None or ``"villages"`` with a baseline.

    See Also
    --------
    pairing.validate : the independent check of every hard rule.
    pairing.stop : ready stopping criteria.

    Examples
    --------
    >>> import pairing
    >>> from pairing.stop import MaxRuntime
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, stop=MaxRuntime(30), seed=0)
    >>> plan.result.status.value in ("optimal", "feasible")
    True
    >>> pairing.validate(instance, plan).ok
    True
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if pin not in (None, "villages") or (pin is not None and baseline is None):
        raise ValueError(f"pin must be None or 'villages' with a baseline, not {pin!r}")
    if display:
        from .progress import SolveProgress

        with SolveProgress() as shown:
            both = shown if progress is None else _both(progress, shown)
            return solve(
                instance,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                deterministic=deterministic,
                method=method,
                baseline=baseline,
                progress=both,
                executor=executor,
                stop=stop,
                params=params,
                partial=partial,
                pin=pin,
            )
    from ._pipeline import Pipeline

    if workers is None:
        workers = max(1, min(8, os.cpu_count() or 1))
    return Pipeline(
        instance,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
        method=method,
        params=params or SolveParams(),
        progress=progress,
        stop=stop,
        executor=executor,
        partial=partial,
        pin=pin,
    ).run(baseline)


def _both(a: Progress, b: Progress) -> Progress:
    def call(event: ProgressEvent) -> None:
        a(event)
        b(event)

    return call
