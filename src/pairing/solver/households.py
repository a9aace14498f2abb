"""Household stage: a responsible cadre for every poor household (R1, R3, R5).

A min-cost flow, solved exactly. It falls apart into independent
components — the province tier's units with their villages' households, and
one per prefecture (its prefecture- and county-tier units, their villages'
households and its scattered households) — which are solved separately, on
an executor when one is given. Households are aggregated into
interchangeable groups so the network stays small:

* a household of a poor village can only go to its lead unit (R3), so it
  enters at the node ``(unit, severity bucket)``;
* a scattered household (插花户) of village ``w`` enters at ``(w, bucket)``
  and flows to any county-tier unit of its county (cost: travel, R12), or
  through the county's overflow node to a prefecture-tier unit of its
  prefecture at a cost that dominates everything else, so the prefecture
  tier takes exactly what the county tier cannot carry (R3, "县级兜底");
* inside a unit, ``(unit, bucket)`` flows to ``(unit, rank)`` at a cost that
  rewards senior cadres for severe households (R10), and ``(unit, rank)``
  flows to the sink through *load levels*: the k-th household of a cadre
  costs more than the (k-1)-th (R12 even loads), and level k's capacity is
  the number of that class's cadres whose cap is at least k (R5);
* the levels of a unit meet at the unit's node, which reaches the sink at no
  cost up to the unit's capacity less its reserve (R14, the rules'
  ``capacity_reserve``) and beyond it at a cost that dominates every R10,
  R12 and travel term: scattered households fill the free capacity of the
  county's other units before any reserve. R3's overflow cost dominates
  that in turn.

Cadres of one unit and rank are interchangeable, and households of one group
are too, so any flow is turned back into a household → cadre assignment
without loss: the model is solved to optimality (for severities rounded to
``buckets`` quantile classes). One component's network is built and read back
in :mod:`.household_flow`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..errors import Cause, Infeasible
from ..instance import Instance, IntArray
from .household_flow import Job, _flow_job
from .household_parts import (
    SCALE,
    FlowView,
    components,
    direct_arcs,
    keepable,
    load_step,
    members,
    rank_value,
    spread,
)
from .teams import fieldable

__all__ = [
    "SCALE",
    "FlowView",
    "HouseholdResult",
    "_flow_job",
    "assign_households",
    "components",
    "direct_arcs",
    "keepable",
    "load_step",
    "members",
    "rank_value",
    "spread",
]


@dataclass
class HouseholdResult:
    """Outcome of the household stage.

    Attributes
    ----------
    cadre
        Responsible cadre index per household; -1 for households a leader
        covers (R7).
    objective
        Optimal flow cost (minimised, scaled by :data:`SCALE`), without the
        R3 overflow and R14 reserve parts.
    overflow
        Scattered households carried by the prefecture tier (R3).
    seconds
        Wall time of the stage.
    arcs
        Size of the flow network.
    """

    cadre: IntArray
    objective: float
    overflow: int
    seconds: float
    arcs: int


def _buckets(severity: np.ndarray, n: int) -> tuple[IntArray, np.ndarray]:
    """Quantile classes of severity and each class's mean, normalised to [0, 1]."""
    if len(severity) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1)
    edges = np.unique(np.quantile(severity, np.linspace(0, 1, n + 1)[1:-1]))
    b = np.searchsorted(edges, severity, side="right").astype(np.int64)
    nb = len(edges) + 1
    counts = np.bincount(b, minlength=nb)
    mean = np.bincount(b, weights=severity, minlength=nb) / np.maximum(counts, 1)
    top = max(float(severity.max()), 1e-12)
    return b, mean / top


def assign_households(
    instance: Instance,
    lead: IntArray,
    leader_households: IntArray,
    *,
    buckets: int = 16,
    nearest: int = 6,
    keep: IntArray | None = None,
    reserve: float = 0.0,
    executor: Executor | None = None,
    stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stopped_buckets: int = 1,
    stopped_nearest: int = 1,
) -> HouseholdResult:
    """Give every poor household not covered by a leader a responsible cadre.

    Parameters
    ----------
    instance
        The instance.
    lead
        Lead unit index per village (-1 for non-poor villages).
    leader_households
        Indices of households that leaders take personally (R7).
    buckets
        Number of severity classes households are grouped into.
    nearest
        Scattered households reach their ``nearest`` closest county-tier
        units at their exact travel; the county's other units through a pool
        charged the farthest unit's travel.
    executor
        Where the independent components (the province tier, then one per
        prefecture) are solved; in this process when None.
    keep
        Re-planning (R14): a baseline cadre index per household (-1 for
        none). Each pairing that is still valid (same unit as the rules now
        require, within the cadre's cap, R3's overflow not exceeded) is kept;
        the rest of the households go through the flow with what capacity is
        left.
    reserve
        Share of each unit's capacity filled last (R14): households that may
        go elsewhere (scattered ones) avoid it while other units have room.

    Returns
    -------
    HouseholdResult
        The optimal assignment.

    Raises
    ------
    Infeasible
        When the cadres cannot carry the households (the village stage's
        capacity constraints make this impossible for its own output).
    """
    start = time.perf_counter()
    todo, cadre, cap, free = _starting_point(
        instance, lead, leader_households, keep, reserve
    )
    jobs = _jobs(instance, lead, todo, cap, free, buckets, nearest)
    results = _run_jobs(
        jobs, executor, stop, progress, instance.h_severity, stopped_buckets,
        stopped_nearest,
    )  # fmt: skip
    objective, overflow, n_arcs = _collect(jobs, results, cadre)
    poor = todo & ~instance.h_scattered & (cadre >= 0)
    if np.any(instance.c_unit[cadre[poor]] != lead[instance.h_village[poor]]):
        raise RuntimeError("household stage: internal error, household off its unit")
    if np.any(cadre[todo] < 0):
        raise Infeasible(
            [Cause("R1", "", "households of a poor village without a lead unit")]
        )
    return HouseholdResult(
        cadre=cadre,
        objective=objective,
        overflow=overflow,
        seconds=time.perf_counter() - start,
        arcs=n_arcs,
    )


def _collect(
    jobs: list[Job],
    results: list[tuple[IntArray, float, int, int]],
    cadre: IntArray,
) -> tuple[float, int, int]:
    """Write each component's cadres into ``cadre``; returns the summed
    objective, overflow (R3) and arcs."""
    objective = 0.0
    overflow = n_arcs = 0
    for (view, *_), (local, cost, over, arcs_k) in zip(jobs, results, strict=True):
        done = local >= 0
        cadre[view.households[done]] = view.cadres[local[done]]
        objective += cost
        overflow += over
        n_arcs += arcs_k
    return objective, overflow, n_arcs


def _starting_point(
    instance: Instance,
    lead: IntArray,
    leader_households: IntArray,
    keep: IntArray | None,
    reserve: float,
) -> tuple[np.ndarray, IntArray, IntArray, IntArray]:
    """Households still to place, the cadres kept from a baseline (R14), each
    cadre's room left and each unit's room before its reserve (R14)."""
    n_h = len(instance.households)
    todo = np.ones(n_h, dtype=bool)
    todo[leader_households] = False
    cadre = np.full(n_h, -1, dtype=np.int64)
    cap = instance.c_cap.copy()
    # R8: a unit that can never field its first team must carry nothing
    cap[~fieldable(instance)[instance.c_unit]] = 0
    if keep is not None:
        kept = keepable(instance, lead, todo, np.asarray(keep, dtype=np.int64))
        cadre[kept] = keep[kept]
        todo[kept] = False
        cap -= np.bincount(keep[kept], minlength=len(instance.cadres))
    # R14: households a unit may take before touching its reserve
    kept_per_unit = np.bincount(
        instance.c_unit, weights=instance.c_cap - cap, minlength=len(instance.units)
    ).astype(np.int64)
    free = np.maximum(0, instance.u_reserved_capacity(reserve) - kept_per_unit)
    return todo, cadre, cap, free


def _jobs(
    instance: Instance,
    lead: IntArray,
    todo: np.ndarray,
    cap: IntArray,
    free: IntArray,
    buckets: int,
    nearest: int,
) -> list[Job]:
    """One flow per independent component with households to place."""
    w = instance.rules.weights
    hb, bmean = _buckets(instance.h_severity, buckets)
    comp_h, comp_u = components(instance, lead, todo, cap)
    n_comp = int(comp_u.max(initial=-1)) + 1
    jobs: list[Job] = []
    h_sorted = np.flatnonzero(todo)
    h_sorted = h_sorted[np.argsort(comp_h[h_sorted], kind="stable")]
    h_first = np.searchsorted(comp_h[h_sorted], np.arange(n_comp + 1))
    for k in range(n_comp):
        hh = h_sorted[h_first[k] : h_first[k + 1]]
        if not len(hh):  # nothing to place (a re-plan keeps the part whole)
            continue
        view = FlowView.of(instance, lead, cap, free, hh, comp_u == k)
        jobs.append((view, hb[view.households], bmean, w, nearest))
    return jobs


def _run_jobs(
    jobs: list[Job],
    executor: Executor | None,
    stop: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
    severity: np.ndarray,
    stopped_buckets: int,
    stopped_nearest: int,
) -> list[tuple[IntArray, float, int, int]]:
    """Each component's flow, in order; coarser ones once ``stop`` says so."""
    if executor is not None and len(jobs) > 1:
        futures = [executor.submit(_flow_job, job) for job in jobs]
        results = []
        for k, future in enumerate(futures):
            results.append(future.result())
            if progress is not None:
                progress(k + 1, len(jobs))
        return results
    coarse: tuple[IntArray, np.ndarray] | None = None
    results = []
    for k, job in enumerate(jobs):
        if stop is not None and stop():
            if coarse is None:
                coarse = _buckets(severity, stopped_buckets)
            view, _, _, w, _ = job
            job = (view, coarse[0][view.households], coarse[1], w, stopped_nearest)
        results.append(_flow_job(job))
        if progress is not None:
            progress(k + 1, len(jobs))
    return results
