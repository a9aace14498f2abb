"""Regional polish of the village stage: one exact CP-SAT model per prefecture.

The village stage is coupled across the province by the province-tier units
only (R2: they may lead anywhere; R4, R5 their capacity; R6 their key-county
share). Once the province tier's villages are fixed, every prefecture-level
region is an independent model: its prefecture- and county-tier units may
only lead its villages (R2), and every other row that involves them stays
inside it —

* R1 one lead per village, for the region's villages not led by the
  province tier;
* R4, R5, R8 per unit: all of a prefecture- or county-tier unit's villages lie
  in its prefecture;
* R3 per county of the region (the county tier's spare capacity against its
  scattered households) and the region's prefecture-overflow row (the
  prefecture tier's capacity shared with its counties' overflow);
* R6 involves province-tier pairs only, which are fixed, so it is unchanged.

:func:`polish_regions` re-solves each region exactly as one CP-SAT model over
*all* its prefecture- and county-tier candidate pairs (the decomposed
method's restricted model may have dropped some), hinted with the current
plan, and keeps a region's result only when its objective (the same
:attr:`~.candidates.Candidates.score`) is at least the current one, so the
plan never gets worse. The regions' improvements add up because the regions
share no variable and no row.

Jobs are plain dataclasses of numpy arrays (picklable), solved with one
CP-SAT worker and a fixed seed, so a run on any
:class:`concurrent.futures.Executor` gives the same plan as a run in this
process under ``deterministic=True``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..instance import IntArray
from .candidates import Candidates
from .cpsat import solve_cpsat
from .model import build_model, complete

MIN_JOB_SECONDS = 0.05
"""Least time (or deterministic time) given to one region's model."""
MIN_POLISH_SECONDS = 0.5
"""The polish is skipped when its budget is smaller."""
CPSAT_PARAMS = {"cp_model_probing_level": 0, "linearization_level": 2}
"""CP-SAT settings of a region's model. Probing alone took the whole budget of
the largest regions (27,000 pairs) in presolve; the full linearisation closes
more of their gap (measured on the 430k default: +4,529 against +937 with
CP-SAT's defaults in 12 s)."""


@dataclass
class RegionJob:
    """One prefecture's subproblem, as shipped to an executor.

    Attributes
    ----------
    region
        Region index of the prefecture.
    cands
        Its candidates: prefecture- and county-tier pairs of its villages not
        led by the province tier, with R3 rows of its counties only and R6 off.
    hint
        0/1 per pair of ``cands``: the current plan.
    current
        Objective of the current plan on these pairs.
    time_limit
        Seconds (deterministic time when ``deterministic``) for CP-SAT.
    seed, deterministic
        CP-SAT's seed; whether to bound the search by deterministic time.
    """

    region: int
    cands: Candidates
    hint: IntArray
    current: int
    time_limit: float
    seed: int
    deterministic: bool


@dataclass
class JobResult:
    """Outcome of one :class:`RegionJob`.

    Attributes
    ----------
    x
        0/1 per pair of the job's candidates (``None`` without a solution).
    objective
        Objective of ``x`` (the job's ``current`` without a solution).
    status
        CP-SAT's status.
    """

    x: IntArray | None
    objective: int
    status: str


@dataclass
class PolishResult:
    """Outcome of :func:`polish_regions`.

    Attributes
    ----------
    lead
        Lead unit per village (the input where no region improved).
    objective
        Objective of ``lead``.
    regions, improved, optimal
        Regions solved, regions whose plan changed for a strictly better
        objective, regions CP-SAT proved optimal.
    seconds
        Wall time of the step.
    """

    lead: IntArray
    objective: int
    regions: int
    improved: int
    optimal: int
    seconds: float


def region_jobs(
    c: Candidates,
    lead: IntArray,
    v_prefecture: IntArray,
    u_tier: IntArray,
    *,
    time_limit: float,
    seed: int = 0,
    deterministic: bool = False,
) -> list[RegionJob]:
    """One :class:`RegionJob` per prefecture with free villages, largest first.

    Parameters
    ----------
    c
        The village stage's candidates (all pairs).
    lead
        A complete plan: lead unit per village.
    v_prefecture
        Prefecture region index per village (``instance.v_prefecture``).
    u_tier
        Tier code per unit (``instance.u_tier``; 0 province, 1 prefecture,
        2 county).
    time_limit
        Total budget, shared among the jobs in proportion to their pairs.
    seed, deterministic
        Passed to every job.
    """
    n_v = c.n_villages
    local = np.zeros(n_v, dtype=bool)  # villages led by the prefecture/county tier
    led = c.villages[lead[c.villages] >= 0]
    local[led] = (u_tier[lead[led]] == 1) | (u_tier[lead[led]] == 2)
    # R2: a prefecture- or county-tier pair of a village lies in its prefecture
    pair_ok = local[c.pv] & ((u_tier[c.pu] == 1) | (u_tier[c.pu] == 2))
    pair_region = np.where(pair_ok, v_prefecture[c.pv], -1)
    pair_ok &= pair_region >= 0
    current = (lead[c.pv] == c.pu).astype(np.int64)
    regions, sizes = np.unique(pair_region[pair_ok], return_counts=True)
    total = max(int(sizes.sum()), 1)
    jobs: list[RegionJob] = []
    for p, size in sorted(
        zip(regions.tolist(), sizes.tolist(), strict=True), key=lambda t: (-t[1], t[0])
    ):
        keep = pair_ok & (pair_region == p)
        sub = _region_candidates(c, keep, p)
        hint = current[keep]
        jobs.append(
            RegionJob(
                region=int(p),
                cands=sub,
                hint=hint,
                current=int(sub.score @ hint),
                time_limit=max(MIN_JOB_SECONDS, time_limit * size / total),
                seed=seed,
                deterministic=deterministic,
            )
        )
    return jobs


def _region_candidates(c: Candidates, keep: np.ndarray, region: int) -> Candidates:
    """``c`` restricted to one prefecture's pairs ``keep`` and rows."""
    sub = c.subset(keep)
    units = np.zeros(c.n_units, dtype=bool)
    units[sub.pu] = True
    # R3: the region's counties only, pair positions renumbered
    mine = c.r3_pref == region
    pos = np.full(len(c.r3_county) + 1, -1, dtype=np.int64)
    pos[np.flatnonzero(mine)] = np.arange(int(mine.sum()))
    return dataclasses.replace(
        sub,
        villages=np.unique(sub.pv),
        # R4, R5, R8 rows for the region's units only (the others keep their
        # villages, outside this model)
        u_min=np.where(units, c.u_min, 0),
        u_max=np.where(units, c.u_max, 0),
        need=np.where(units, c.need, 0),
        r3_county=c.r3_county[mine],
        r3_rhs=c.r3_rhs[mine],
        r3_scattered=c.r3_scattered[mine],
        r3_pref=c.r3_pref[mine],
        r3_county_of_pair=pos[sub.r3_county_of_pair],
        # R6: only province-tier pairs enter it, and they are fixed
        key_total=0,
    )


def solve_region(job: RegionJob) -> JobResult:
    """Solve one region's model with CP-SAT (one worker; picklable in and out)."""
    sub = job.cands
    m = build_model(sub)
    hint = complete(m, job.hint)
    if hint is None:  # the current plan must fit its own region's rows
        raise RuntimeError(f"regional polish: plan breaks region {job.region}'s rows")
    r = solve_cpsat(
        m,
        time_limit=job.time_limit,
        hint=hint,
        seed=job.seed,
        workers=1,
        deterministic=job.deterministic,
        params=CPSAT_PARAMS,
    )
    if r.x is None:
        return JobResult(None, job.current, r.status)
    x = r.x[: sub.n]
    return JobResult(x, int(sub.score @ x), r.status)


def polish_regions(
    c: Candidates,
    lead: IntArray,
    v_prefecture: IntArray,
    u_tier: IntArray,
    *,
    time_limit: float,
    seed: int = 0,
    deterministic: bool = False,
    executor: Executor | None = None,
) -> PolishResult:
    """Re-optimise every prefecture's non-province villages exactly (R1–R5, R8).

    Parameters
    ----------
    c
        The village stage's candidates (all pairs).
    lead
        A complete, feasible plan (lead unit per village).
    v_prefecture, u_tier
        ``instance.v_prefecture`` and ``instance.u_tier``.
    time_limit
        Budget of the step: wall seconds, or CP-SAT deterministic time with
        ``deterministic=True``, shared among regions by their pairs.
        In this process, time a region leaves unused goes to the next ones
        (unless ``deterministic``).
    seed
        CP-SAT's seed of every region.
    deterministic
        Bound every region's search by deterministic time only: the result
        is the same with or without an executor.
    executor
        Where the regions are solved (``executor.submit``); in this process,
        one after the other, when None.

    Returns
    -------
    PolishResult
        A plan at least as good as ``lead``.
    """
    start = time.perf_counter()
    jobs = region_jobs(
        c,
        lead,
        v_prefecture,
        u_tier,
        time_limit=time_limit,
        seed=seed,
        deterministic=deterministic,
    )
    results: list[JobResult]
    if executor is not None and len(jobs) > 1:
        futures = [executor.submit(solve_region, job) for job in jobs]
        results = [f.result() for f in futures]
    else:
        # smallest first, so that the time small regions leave (they are
        # often proved optimal early) goes to the large ones
        results = [JobResult(None, 0, "")] * len(jobs)
        left_w = float(sum(j.cands.n for j in jobs))
        for i in sorted(range(len(jobs)), key=lambda i: (jobs[i].cands.n, i)):
            job = jobs[i]
            if not deterministic:  # pass unused time on
                rest = time_limit - (time.perf_counter() - start)
                share = rest * job.cands.n / max(left_w, 1.0)
                job = dataclasses.replace(job, time_limit=max(MIN_JOB_SECONDS, share))
            left_w -= job.cands.n
            results[i] = solve_region(job)
    out = lead.copy()
    improved = optimal = 0
    for job, res in zip(jobs, results, strict=True):
        optimal += res.status == "optimal"
        if res.x is None or res.objective < job.current:
            continue
        sub = job.cands
        out[sub.pv[res.x > 0]] = sub.pu[res.x > 0]
        improved += res.objective > job.current
    if not np.all(out[c.villages] >= 0):  # R1 (cannot happen: rows hold it)
        raise RuntimeError("regional polish: a village lost its lead")
    objective = c.objective(out)
    if objective < c.objective(lead):  # cannot happen: each region is >=
        out, objective = lead, c.objective(lead)
    return PolishResult(
        lead=out,
        objective=int(objective),
        regions=len(jobs),
        improved=improved,
        optimal=optimal,
        seconds=time.perf_counter() - start,
    )


def polish_budget(
    time_limit: float, left: float, share: float, deterministic: bool
) -> float:
    """Budget of the polish: ``share`` of the stage (deterministic) or what is left.

    Returns 0 when the polish should be skipped.
    """
    if share <= 0 or not math.isfinite(time_limit):
        return 0.0
    budget = share * time_limit if deterministic else left
    return budget if budget >= MIN_POLISH_SECONDS else 0.0
