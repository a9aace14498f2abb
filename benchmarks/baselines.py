"""Two baselines written the way a user would write them, to compare with ``pairing``.

Each is run as its own process on the same instance as ``pairing solve``, writes
a plan folder in the contract's layout (``data-contract.md``) and is then passed
through ``pairing validate`` by the harness::

    python -m benchmarks.baselines greedy INSTANCE --out PLAN [--time-limit S]
    python -m benchmarks.baselines cpsat  INSTANCE --out PLAN [--time-limit S]

* ``greedy`` — the plain greedy: villages heaviest first, each to the strongest
  eligible unit (R2 tier and region) that still has room (R4 ``max_villages``,
  R5 capacity of its cadres); households then go to the cadres of the lead
  unit round-robin (scattered households to the cadres of their county's
  county-tier units, round-robin). No repair of any kind.
* ``cpsat`` — the monolithic CP-SAT model of the village stage: one boolean
  per eligible (village, unit) pair, the same constraints (R1, R3 coupling, R4,
  R5, R6, R8) and the same objective as ``pairing``'s village stage, the same
  time limit and workers, no hint and no decomposition; households as in the
  greedy. Its objective, bound and gap are written to ``summary.json``, or
  ``"status": "no plan"`` (exit status 3) when CP-SAT finds none in time.

Both use ``pairing``'s leader stage (R7) and kick-off dispatch (R8) unchanged,
so that they differ from ``pairing`` only in the village and household stages.
The objective is ``pairing``'s village-stage objective (R9 tier, R10 strength,
R11 continuity, travel; ``docs/model.md``), so the three can be compared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from pairing.instance import Instance
from pairing.io import load_instance

__all__ = ["cpsat_villages", "greedy_villages", "main", "pair_score", "round_robin"]

NO_PLAN = 3
"""Exit status when no plan was found (as ``pairing solve``)."""


# -- objective ---------------------------------------------------------------


def pair_score(instance: Instance, pv: np.ndarray, pu: np.ndarray) -> np.ndarray:
    """``pairing``'s village-stage coefficient of each (village, unit) pair.

    R9 tier value and R10 strength percentile, both scaled by the village's
    severity, plus R11 continuity, minus travel (``docs/model.md``).
    """
    from pairing.solver.candidates import SCALE, TIER_VALUE, strength_percentile

    w = instance.rules.weights
    poor = instance.poor_villages
    sev = instance.v_severity
    top = float(sev[poor].max()) if len(poor) else 0.0
    s = sev[pv] / top if top > 0 else np.zeros(len(pv))
    n_u = len(instance.units)
    team = np.zeros(len(pv), dtype=bool)
    if len(instance.resident_teams):
        team = np.isin(pv * n_u + pu, instance.t_village * n_u + instance.t_unit)
    value = (
        w.tier * s * TIER_VALUE[instance.u_tier[pu]]
        + w.strength * s * strength_percentile(instance)[pu]
        + w.continuity * team
        - w.distance * instance.distance(pu, pv) / 100.0
    )
    return np.rint(SCALE * value).astype(np.int64)


# -- the village stage -------------------------------------------------------


def greedy_villages(instance: Instance, demand: np.ndarray) -> np.ndarray:
    """Heaviest village to the strongest eligible unit with room (-1: none had room).

    Eligible (R2): a province-tier unit anywhere, a prefecture-tier unit in the
    village's prefecture, a county-tier unit in its county. Room: fewer than
    ``max_villages`` villages (R4) and cadre capacity for the village's
    households (R5).
    """
    tier = instance.u_tier
    region = instance.u_region
    strength = instance.u_strength
    cap = instance.u_capacity.astype(np.int64)
    room = instance.u_max.astype(np.int64).copy()
    load = np.zeros(len(instance.units), dtype=np.int64)
    lead = np.full(len(instance.villages), -1, dtype=np.int64)
    # units by strength, strongest first, per tier and region
    order = np.lexsort((-strength,))
    province = order[tier[order] == 0]
    by_region: dict[int, np.ndarray] = {}
    for t in (1, 2):
        ts = order[tier[order] == t]
        for r in np.unique(region[ts]).tolist():
            by_region[r] = ts[region[ts] == r]
    empty = np.zeros(0, dtype=np.int64)
    poor = instance.poor_villages
    heaviest = poor[np.argsort(-instance.v_severity[poor], kind="stable")]
    for v in heaviest.tolist():  # one loop over villages (1,500 in Jilin)
        units = np.concatenate(
            [
                province,
                by_region.get(int(instance.v_prefecture[v]), empty),
                by_region.get(int(instance.v_county[v]), empty),
            ]
        )
        ok = (room[units] > 0) & (load[units] + demand[v] <= cap[units])
        if not ok.any():
            continue
        best = units[ok]
        u = int(best[np.argmax(strength[best])])
        lead[v] = u
        room[u] -= 1
        load[u] += demand[v]
    return lead


def cpsat_villages(
    instance: Instance,
    demand: np.ndarray,
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
) -> tuple[np.ndarray | None, dict[str, Any]]:
    """The monolithic CP-SAT model of the village stage, with no help.

    Every eligible pair (``pairing``'s candidate pairs: R2, R5 per village, R8
    teams possible) is a boolean, and the rows are ``pairing``'s one labelled
    model (:func:`pairing.solver.model.build_model`: R1, R3, R4, R5, R6, R8),
    handed whole to CP-SAT: the same constraints and objective as the engine,
    written once. No hint, no decomposition, no pruning, no capacity reserve.

    Returns
    -------
    lead, info
        Lead unit per village (``None`` without a plan) and CP-SAT's
        status, objective, bound and timings.
    """
    from pairing.solver.candidates import build_candidates
    from pairing.solver.cpsat import solve_cpsat
    from pairing.solver.leads import lead_of
    from pairing.solver.model import build_model

    t0 = time.perf_counter()
    c = build_candidates(instance, demand)
    m = build_model(c)
    built = time.perf_counter() - t0
    r = solve_cpsat(
        m, time_limit=max(1.0, time_limit - built), seed=seed, workers=workers
    )
    info: dict[str, Any] = {
        "pairs": c.n,
        "build_seconds": round(built, 3),
        "cpsat_seconds": round(r.seconds, 3),
        "cpsat_status": r.status.upper(),
    }
    if r.x is None:
        # without a solution CP-SAT's bound is only meaningful once its search
        # has started; report none rather than its initial value
        info["best_bound"] = None
        return None, info
    info["objective"] = float(r.objective)
    info["best_bound"] = _finite(r.bound)
    info["status"] = r.status
    return lead_of(c, r.x), info


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# -- the household stage -----------------------------------------------------


def round_robin(instance: Instance, lead: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Households to cadres round-robin, no repair (-1: no cadre).

    Households of poor villages first: each goes to the cadres of its
    village's lead unit in turn, skipping a cadre at its cap (R5). Scattered
    households then go, in turn, to the cadres of their county's county-tier
    units that still have room. When a pool runs out of room, the deal simply
    goes round again (overloads are left for the validator to find); a
    household with no cadre at all in its pool stays uncovered. Households
    ``taken`` by leaders (R7) are skipped.
    """
    n_h = len(instance.households)
    h_cadre = np.full(n_h, -1, dtype=np.int64)
    free = np.ones(n_h, dtype=bool)
    free[taken] = False
    c_unit = instance.c_unit
    cap = instance.c_cap.astype(np.int64)
    cadres = np.arange(len(c_unit), dtype=np.int64)
    used = np.zeros(len(c_unit), dtype=np.int64)
    scattered = instance.h_scattered
    # 1. households of poor villages: pool = the lead unit
    h = np.flatnonzero(free & ~scattered & (lead[instance.h_village] >= 0))
    h_cadre[h] = _deal(lead[instance.h_village[h]], c_unit, cadres, used, cap)
    used = np.bincount(h_cadre[h_cadre >= 0], minlength=len(c_unit))
    # 2. scattered households: pool = the county, its county-tier units' cadres
    h = np.flatnonzero(free & scattered)
    county = instance.u_tier[c_unit] == 2
    c_pool = instance.u_region[c_unit[county]]
    h_cadre[h] = _deal(instance.h_county[h], c_pool, cadres[county], used, cap)
    return h_cadre


def _deal(
    h_pool: np.ndarray,
    c_pool: np.ndarray,
    c_ids: np.ndarray,
    used: np.ndarray,
    cap: np.ndarray,
) -> np.ndarray:
    """Deal households (their pools, in order) to the cadres of their pool in turn.

    A cadre's free places are slots ``used..cap-1``; slots are dealt level by
    level (every cadre's first free place, then every second …), which is
    round-robin skipping full cadres. Past the last slot the deal goes round
    the slots again; with no slot it goes round the pool's cadres.
    """
    out = np.full(len(h_pool), -1, dtype=np.int64)
    if len(h_pool) == 0 or len(c_ids) == 0:
        return out
    start = used[c_ids]
    n_free = np.maximum(cap[c_ids] - start, 0)
    s_cadre = np.repeat(c_ids, n_free)
    s_pool = np.repeat(c_pool, n_free)
    s_level = np.arange(len(s_cadre)) - np.repeat(np.cumsum(n_free) - n_free, n_free)
    s_level += np.repeat(start, n_free)
    o = np.lexsort((s_cadre, s_level, s_pool))
    s_cadre, s_pool = s_cadre[o], s_pool[o]
    o = np.lexsort((c_ids, c_pool))
    k_cadre, k_pool = c_ids[o], c_pool[o]
    # rank of each household within its pool (in the given order)
    ho = np.argsort(h_pool, kind="stable")
    hs = h_pool[ho]
    first = np.r_[0, np.flatnonzero(hs[1:] != hs[:-1]) + 1]
    rank = np.empty(len(h_pool), dtype=np.int64)
    rank[ho] = np.arange(len(hs)) - np.repeat(first, np.diff(np.r_[first, len(hs)]))
    s0 = np.searchsorted(s_pool, h_pool, side="left")
    sn = np.searchsorted(s_pool, h_pool, side="right") - s0
    k0 = np.searchsorted(k_pool, h_pool, side="left")
    kn = np.searchsorted(k_pool, h_pool, side="right") - k0
    slot = sn > 0
    out[slot] = s_cadre[s0[slot] + rank[slot] % sn[slot]]
    wrap = ~slot & (kn > 0)
    out[wrap] = k_cadre[k0[wrap] + rank[wrap] % kn[wrap]]
    return out


# -- running a baseline ------------------------------------------------------


def run(
    method: str, instance_dir: str, out: str, time_limit: float, workers: int
) -> int:
    """Plan ``instance_dir`` with a baseline and write the plan to ``out``."""
    from pairing.solve import build_plan
    from pairing.solver.dispatch import dispatch
    from pairing.solver.leaders import assign_leaders
    from pairing.solver.villages import claims

    instance = load_instance(instance_dir)
    start = time.perf_counter()
    seconds: dict[str, float] = {}
    leaders = assign_leaders(instance)
    taken = np.bincount(
        instance.h_village[leaders.households], minlength=len(instance.villages)
    )
    demand = (instance.v_households - taken).astype(np.int64)
    seconds["leaders"] = time.perf_counter() - start
    t0 = time.perf_counter()
    info: dict[str, Any] = {"method": f"baseline-{method}"}
    if method == "greedy":
        lead = greedy_villages(instance, demand)
        info["status"] = "feasible"
    else:
        lead, more = cpsat_villages(
            instance, demand, time_limit=time_limit, workers=workers
        )
        info.update(more)
    seconds["villages"] = time.perf_counter() - t0
    if lead is None:
        info["status"] = "no plan"
        info["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "summary.json").write_text(json.dumps(info, indent=2))
        print(f"{method}: no plan in {time_limit:g} s", file=sys.stderr)
        return NO_PLAN
    poor = instance.poor_villages
    done = poor[lead[poor] >= 0]
    info["uncovered_villages"] = int(len(poor) - len(done))
    if "objective" not in info:
        info["objective"] = float(pair_score(instance, done, lead[done]).sum())
    t0 = time.perf_counter()
    h_cadre = round_robin(instance, lead, leaders.households)
    seconds["households"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    teams, _ = dispatch(instance, lead, h_cadre)
    seconds["dispatch"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - start
    plan = build_plan(instance, lead, claims(instance, lead), leaders, h_cadre, teams)
    # build_plan writes a lead row per poor village: drop those left without a unit,
    # and leave households without a cadre uncovered (empty responsible_id)
    missing = set(instance.village_index[poor[lead[poor] < 0]].tolist())
    vp = plan.village_pairs
    drop = (vp["role"] == "lead") & vp["village_id"].isin(missing)
    plan.village_pairs = vp[~drop].reset_index(drop=True)
    # build_plan leaves out the household rows without a cadre or leader
    # (what the validator counts as uncovered, R1)
    none = h_cadre < 0
    none[np.asarray(leaders.households, dtype=np.int64)] = False
    info["uncovered_households"] = int(none.sum())
    bound = info.get("best_bound")
    if bound is not None:
        info["gap"] = round(
            max(0.0, bound - info["objective"]) / max(abs(bound), 1e-9), 6
        )
    info["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    plan.info = info
    plan.save(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baselines")
    parser.add_argument("method", choices=("greedy", "cpsat"))
    parser.add_argument("instance")
    parser.add_argument("--out", required=True)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--workers", type=int, default=max(1, min(8, os.cpu_count() or 1))
    )
    args = parser.parse_args(argv)
    return run(args.method, args.instance, args.out, args.time_limit, args.workers)


if __name__ == "__main__":
    sys.exit(main())
