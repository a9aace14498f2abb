"""The village stage's methods behind :func:`~.villages.solve_villages`.

Each runner takes the candidate pairs and returns one :data:`_Outcome`:
``lagrangian`` (:mod:`.lagrange`), ``cpsat`` (:mod:`.cpsat`), ``heuristic``
(:mod:`.greedy` with :mod:`.repair`, and a Lagrangian bound) and
``decomposed`` (:mod:`.decomposed`). :mod:`.villages` re-exports these names.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import Infeasible
from ..instance import Instance, IntArray
from .candidates import Candidates
from .cpsat import solve_cpsat
from .greedy import greedy
from .lagrange.engine import run_engine
from .lagrange.prices import Prices
from .leads import best_possible, lead_of, least_possible, pairs_of, stage_cause
from .model import R1, build_model, complete

_Outcome = tuple[IntArray | None, float, float, str, str, Prices | None, dict[str, int]]


def _start(
    cands: Candidates,
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
    lead = greedy(
        cands, len(instance.regions), instance.u_region, instance.u_tier, start=hint
    )
    if np.all(lead[cands.villages] >= 0):
        return lead
    from .repair import repair

    fixed_lead, outcome = repair(
        cands,
        lead,
        time_limit=repair_seconds,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
        stop=stop,
    )
    if outcome == "infeasible":
        raise Infeasible([stage_cause()])
    if fixed_lead is not None:
        report("repair", incumbent=float(cands.objective(fixed_lead)))
    return fixed_lead


def _begin(
    cands: Candidates, instance: Instance, kw: dict[str, Any], *, share: float
) -> IntArray | None:
    """The method's start: :func:`_start` with ``share`` of the stage for repair."""
    return _start(
        cands,
        instance,
        kw["hint"],
        repair_seconds=share * kw["time_limit"],
        seed=kw["seed"],
        workers=kw["workers"],
        deterministic=kw["deterministic"],
        report=kw["report"],
        stop=kw["stop"],
    )


def _lagrangian(cands: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    res = run_engine(
        cands,
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


def _cpsat(cands: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    t0 = time.perf_counter()
    lead = _begin(cands, instance, kw, share=0.2)
    model = build_model(cands)
    full_hint = complete(model, pairs_of(cands, lead)) if lead is not None else None
    if full_hint is None:  # the greedy's plan breaks a row (R4's least, R8): none
        lead = None
    left = kw["time_limit"] - (time.perf_counter() - t0)
    result = solve_cpsat(
        model,
        time_limit=max(0.2, left),
        hint=full_hint,
        seed=kw["seed"],
        workers=kw["workers"],
        deterministic=kw["deterministic"],
        progress=(lambda d: kw["report"]("cpsat", **d)),
        stop=kw["stop"],
    )
    if result.status == "infeasible":
        raise Infeasible([stage_cause()])
    objective = float(cands.objective(lead)) if lead is not None else -math.inf
    if result.x is not None and result.objective >= objective:
        return (
            lead_of(cands, result.x),
            result.objective,
            result.bound,
            result.status,
            "cpsat",
            None,
            {},
        )
    return lead, objective, result.bound, "feasible", "heuristic", None, {}


def _heuristic(cands: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    lead = _begin(cands, instance, kw, share=1.0)
    # the bound: the Lagrangian dual at the LP-free start (one exact pass
    # at the best pairs' prices), never worse than the trivial bound
    from .lagrange.dual import Relaxation

    bound = best_possible(cands)
    relax = Relaxation(build_model(cands))
    top = np.full(cands.n_villages, 0.0)
    np.maximum.at(top, cands.pv, cands.score.astype(float))
    y = relax.zero()
    r1 = relax.model.row_rule[relax.rows] == R1
    y[r1] = top[relax.model.row_owner[relax.rows][r1]]
    bound = min(bound, relax.evaluate(y).bound)
    if lead is not None and complete(relax.model, pairs_of(cands, lead)) is None:
        lead = None  # the greedy's plan breaks a row (R4's least, R8): no plan
    if lead is None and bound < least_possible(cands) - 0.5:
        raise Infeasible([stage_cause()])  # no plan scores below that
    objective = float(cands.objective(lead)) if lead is not None else -math.inf
    return lead, objective, bound, "feasible", "heuristic", None, {}


def _decomposed(cands: Candidates, instance: Instance, **kw: Any) -> _Outcome:
    from .decomposed import solve_decomposed

    t0 = time.perf_counter()
    lead = _begin(cands, instance, kw, share=0.2)
    res = solve_decomposed(
        cands,
        instance,
        lead,
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
