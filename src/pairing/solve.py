"""The planner: :func:`solve` turns an :class:`Instance` into a :class:`Plan`.

Stages, in order (``docs/model.md`` maps each rule to its constraints):

1. **checks** — counting pre-checks of the hard rules (R15);
2. **leaders** — areas, contact villages and their households (R7);
3. **villages** — the lead unit of every poor village and R13 claims
   (R1–R4, R6; objective R9–R11 and travel);
4. **households** — a responsible cadre for every other poor household
   (R1, R3, R5; objective R10, R12), an exact min-cost flow;
5. **dispatch** — the kick-off teams (R8).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from .errors import Infeasible, NoPlanFound, PairingError
from .instance import Instance
from .plan import Plan

Progress = Callable[[dict[str, Any]], None]

from .solver.villages import METHODS  # noqa: E402


def solve(
    instance: Instance,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    deterministic: bool = False,
    method: str = "auto",
    baseline: Plan | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    stop: Callable[[], bool] | None = None,
) -> Plan:
    """Plan an instance: every hard rule kept, the soft rules optimised.

    Parameters
    ----------
    instance
        The instance to plan.
    time_limit
        Wall-clock budget in seconds for the whole solve (default: the rules'
        ``time_limit``). With ``deterministic=True`` it is turned into a CP-SAT
        work limit instead, so the run does not depend on the machine's load.
    seed
        Random seed of the solvers.
    workers
        CP-SAT search workers (default: the machine's cores, at most 8).
    deterministic
        Bound the search by work rather than wall-clock time: the same
        inputs, seed and workers then give the same plan, byte for byte.
    method
        ``auto`` (choose per stage by size and time left), ``cpsat`` (exact
        CP-SAT models) or ``heuristic`` (greedy construction with repair).
    baseline
        A previous plan to keep as much of as the hard rules allow (R14).
    progress
        Called with ``{"stage", "elapsed", "incumbent", "bound"}`` as the
        solve advances.
    executor
        Where independent subproblems run (any ``concurrent.futures``
        executor, e.g. a Dask ``Client.get_executor()``).
    stop
        A stopping criterion (:mod:`pairing.stop`): any callable returning
        whether to stop, polled between the solve's steps; a stopped solve
        returns the best valid plan found so far or raises ``NoPlanFound``.

    Returns
    -------
    Plan
        The plan, its objective, bound, gap, timings and soft-rule figures.

    Raises
    ------
    Infeasible
        When the hard rules cannot all hold; carries the causes (R15).
    NoPlanFound
        When the time limit ran out before any plan was found.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    start = time.perf_counter()
    limit = float(instance.rules.time_limit if time_limit is None else time_limit)
    if workers is None:
        workers = max(1, min(8, os.cpu_count() or 1))
    seconds: dict[str, float] = {}

    def report(stage: str, **extra: Any) -> None:
        if progress is not None:
            progress({"stage": stage, "elapsed": time.perf_counter() - start, **extra})

    def left() -> float:
        return max(0.5, limit - (time.perf_counter() - start))

    def stopped() -> None:
        # before the village stage there is no plan to return
        if stop is not None and stop():
            raise NoPlanFound("the solve was stopped before any plan was found")

    # 1. counting pre-checks (R15)
    report("checks")
    t0 = time.perf_counter()
    from .precheck import precheck

    causes = precheck(instance)
    if causes:
        raise Infeasible(causes)
    seconds["checks"] = time.perf_counter() - t0

    # 2. leaders (R7)
    report("leaders")
    t0 = time.perf_counter()
    from .solver.leaders import assign_leaders

    leaders = assign_leaders(instance)
    taken = np.bincount(
        instance.h_village[leaders.households], minlength=len(instance.villages)
    )
    demand = instance.v_households - taken
    seconds["leaders"] = time.perf_counter() - t0
    stopped()

    # 3. villages (R1–R4, R6, R9–R11, R13)
    report("villages")
    t0 = time.perf_counter()
    from .solver.villages import solve_villages

    prefer = keep = None
    if baseline is not None:  # R14: keep what is still valid
        from .solver.baseline import baseline_cadres, baseline_leads

        prefer = baseline_leads(instance, baseline)
        keep = baseline_cadres(instance, baseline)
    vres = None
    if prefer is not None:  # R14 fast path: keep every baseline lead if the rules allow
        vres = _keep_villages(
            solve_villages, instance, demand, prefer, seed, workers, deterministic
        )
    # R14: leave each unit a reserve for later changes, except when re-planning
    # (keeping the baseline's villages comes first)
    reserve = instance.rules.capacity_reserve if baseline is None else 0.0

    def villages(reserve: float, prune: bool = True) -> Any:
        on: dict[str, Any] = {"executor": executor} if executor is not None else {}
        return solve_villages(
            instance,
            demand,
            # a work budget must not depend on the wall clock (byte-for-byte runs)
            time_limit=limit * 0.75 if deterministic else left() * 0.75,
            seed=seed,
            workers=workers,
            deterministic=deterministic,
            method=method,
            prefer=prefer,
            reserve=reserve,
            prune=prune,
            progress=(lambda d: report("villages", **d)) if progress else None,
            stop=stop,
            **on,
        )

    # the reserve is kept only where the rules allow, and pruned pairs (10x
    # sizes) are only a restriction: when either makes the stage infeasible,
    # it runs again without
    from .solver.candidates import may_prune

    attempts = [(reserve, True)] if reserve > 0 else []
    attempts += [(0.0, True)] + ([(0.0, False)] if may_prune(instance) else [])
    try:
        for i, (reserve, prune) in enumerate(attempts if vres is None else []):
            try:
                vres = villages(reserve, prune)
                break
            except Infeasible:
                if i == len(attempts) - 1:
                    raise
    except Infeasible as exc:  # R15: name the conflicting rule groups
        from .solver.conflicts import explain

        causes = explain(instance, demand, time_limit=min(10.0, left()))
        raise Infeasible(causes or exc.causes) from None
    assert vres is not None  # the last attempt either succeeds or raises
    seconds["villages"] = time.perf_counter() - t0

    # 4. households (R1, R3, R5, R10, R12)
    report("households", incumbent=vres.objective, bound=vres.bound)
    t0 = time.perf_counter()
    from .solver.households import assign_households

    hres = assign_households(
        instance,
        vres.lead,
        leaders.households,
        keep=keep,
        reserve=instance.rules.capacity_reserve,
        executor=executor,
    )
    seconds["households"] = time.perf_counter() - t0

    # 5. dispatch (R8)
    report("dispatch")
    t0 = time.perf_counter()
    from .solver.dispatch import dispatch, repair_for_dispatch

    h_cadre = repair_for_dispatch(instance, vres.lead, hres.cadre)
    teams, shortfall = dispatch(instance, vres.lead, h_cadre)
    seconds["dispatch"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    plan = build_plan(instance, vres.lead, vres.supplementary, leaders, h_cadre, teams)
    seconds["total"] = time.perf_counter() - start
    gap = _gap(vres.objective, vres.bound)
    plan.info = {
        "status": "optimal" if vres.status == "optimal" else "feasible",
        "method": vres.method,
        "objective": round(float(vres.objective), 6),
        "best_bound": round(float(vres.bound), 6),
        "gap": gap,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "stages": {
            "villages": {
                "status": vres.status,
                "method": vres.method,
                "objective": float(vres.objective),
                "bound": float(vres.bound),
                "gap": gap,
                "work": dict(vres.work),
            },
            "households": {
                "status": "optimal",
                "method": "min-cost flow",
                "objective": hres.objective,
                "prefecture_overflow": hres.overflow,
                "arcs": hres.arcs,
            },
        },
        "parameters": {
            "time_limit": limit,
            "seed": seed,
            "workers": workers,
            "deterministic": deterministic,
            "method": method,
            "capacity_reserve": reserve,
        },
        "counts": _counts(instance, plan),
        "dispatch_shortfall": [
            {
                "unit_id": str(instance.unit_index[u]),
                "needed": int(n),
                "available": int(a),
            }
            for u, n, a in shortfall
        ],
    }
    if baseline is not None:
        from .solver.baseline import changes

        plan.changes = changes(instance, baseline, plan)
    from .metrics import dispatch_by_tier, soft_figures

    plan.info["dispatch_by_tier"] = dispatch_by_tier(instance, plan)  # R8, seed
    plan.info["soft"] = soft_figures(instance, plan)
    plan.info["seconds"]["report"] = round(time.perf_counter() - t0, 3)
    report("done", incumbent=vres.objective, bound=vres.bound)
    return plan


def _keep_villages(
    solve_villages: Callable[..., Any],
    instance: Instance,
    demand: np.ndarray,
    prefer: np.ndarray,
    seed: int,
    workers: int,
    deterministic: bool,
) -> Any:
    """The village stage with the baseline's leads fixed where possible (R14), or None.

    When the baseline's leads still keep every hard rule, nothing needs to
    move and the stage is a few milliseconds; villages without a baseline
    lead (new ones) are solved around the fixed ones. When a unit can no
    longer carry its villages (R5), its villages are freed; when that is
    not enough (a unit left without a village that fits it, R4), every
    village led by the same tier in the same region is freed too, each
    still worth a bonus for staying (the fewest moves). Returns None when
    neither works: the full stage then runs with the bonus instead.
    """
    poor = instance.poor_villages
    baseline = prefer
    fixed = prefer.copy()
    # free the villages of units that can no longer carry them all (R5)
    led = fixed[poor] >= 0
    load = np.bincount(
        fixed[poor][led], weights=demand[poor][led], minlength=len(instance.units)
    )
    over = load > instance.u_capacity
    fixed[poor[led][over[fixed[poor][led]]]] = -1
    # the wider neighbourhood: the villages led by the over units' tier and region
    wide = fixed.copy()
    tier, scope = instance.u_tier, _scope(instance)
    trouble = np.unique(tier[over] * (len(instance.regions) + 1) + scope[over])
    key = tier * (len(instance.regions) + 1) + scope
    lead_v = poor[led]
    wide[lead_v[np.isin(key[baseline[lead_v]], trouble)]] = -1
    for free, most in ((fixed, len(poor) // 4), (wide, len(poor) // 2)):
        if int((free[poor] < 0).sum()) > max(50, most):
            return None
        try:
            res = solve_villages(
                instance,
                demand,
                time_limit=10.0,
                seed=seed,
                workers=workers,
                deterministic=deterministic,
                fixed=free,
                prefer=baseline,  # freed villages still stay where they fit
                hint=baseline,
            )
        except PairingError:
            continue
        res.method = "baseline kept"
        return res
    return None


def _scope(instance: Instance) -> np.ndarray:
    """Region whose villages a unit may lead: -1 for the province tier (R2)."""
    return np.where(instance.u_tier == 0, -1, instance.u_region)


def build_plan(
    instance: Instance,
    lead: np.ndarray,
    supplementary: np.ndarray,
    leaders: Any,
    h_cadre: np.ndarray,
    teams: pd.DataFrame,
) -> Plan:
    """The contract's plan tables from the stages' index arrays."""
    uid = instance.unit_index.to_numpy(dtype=object)
    vid = instance.village_index.to_numpy(dtype=object)
    tier = instance.units["tier"].to_numpy(dtype=object)

    # village_pairs: one lead row per poor village (R1), then R13 claims
    pv = instance.poor_villages
    lu = lead[pv]
    team_key = set(
        zip(instance.t_village.tolist(), instance.t_unit.tolist(), strict=True)
    )
    continuity = np.fromiter(
        ((v, u) in team_key for v, u in zip(pv.tolist(), lu.tolist(), strict=True)),
        dtype=bool,
        count=len(pv),
    )
    sup = np.asarray(supplementary, dtype=np.int64).reshape(-1, 2)
    village_pairs = pd.DataFrame(
        {
            "village_id": np.concatenate([vid[pv], vid[sup[:, 1]]]),
            "unit_id": np.concatenate([uid[lu], uid[sup[:, 0]]]),
            "tier": np.concatenate([tier[lu], tier[sup[:, 0]]]),
            "role": np.array(
                ["lead"] * len(pv) + ["supplementary"] * len(sup), dtype=object
            ),
            "continuity": np.concatenate([continuity, np.zeros(len(sup), dtype=bool)]),
        }
    )

    # household_pairs: a cadre, or the leader who took the household (R7)
    n_h = len(instance.households)
    cid = instance.cadre_index.to_numpy(dtype=object)
    lid = instance.leader_index.to_numpy(dtype=object)
    resp = np.empty(n_h, dtype=object)
    kind = np.empty(n_h, dtype=object)
    unit = np.empty(n_h, dtype=object)
    by_cadre = h_cadre >= 0
    resp[by_cadre] = cid[h_cadre[by_cadre]]
    kind[by_cadre] = "cadre"
    unit[by_cadre] = uid[instance.c_unit[h_cadre[by_cadre]]]
    lh = np.asarray(leaders.households, dtype=np.int64)
    resp[lh] = lid[np.asarray(leaders.household_leader, dtype=np.int64)]
    kind[lh] = "leader"
    unit[lh] = ""
    household_pairs = pd.DataFrame(
        {
            "household_id": instance.households["household_id"].to_numpy(dtype=object),
            "responsible_id": resp,
            "responsible_kind": kind,
            "unit_id": unit,
        }
    )
    leader_areas = pd.DataFrame(
        {"leader_id": lid, "area_id": np.asarray(leaders.area, dtype=object)}
    )
    leader_contacts = pd.DataFrame(
        {
            "leader_id": lid,
            "village_id": vid[np.asarray(leaders.contact, dtype=np.int64)],
        }
    )
    plan = Plan(
        village_pairs=_str(village_pairs),
        household_pairs=_str(household_pairs),
        leader_areas=_str(leader_areas),
        leader_contacts=_str(leader_contacts),
        dispatch=_str(teams.reset_index(drop=True)),
    )
    return plan


def _str(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].astype("str")
    return df


def _gap(objective: float, bound: float) -> float:
    """Relative gap of a maximised objective to its upper bound."""
    if bound is None or not np.isfinite(bound):
        return float("nan")
    return round(max(0.0, bound - objective) / max(abs(bound), 1e-9), 6)


def _counts(instance: Instance, plan: Plan) -> dict[str, int]:
    hp = plan.household_pairs
    vp = plan.village_pairs
    return {
        "poor_villages": int(instance.v_poor.sum()),
        "lead_pairs": int((vp["role"] == "lead").sum()),
        "supplementary_pairs": int((vp["role"] == "supplementary").sum()),
        "households": len(instance.households),
        "households_by_cadres": int((hp["responsible_kind"] == "cadre").sum()),
        "households_by_leaders": int((hp["responsible_kind"] == "leader").sum()),
        "cadres_responsible": int(
            hp.loc[hp["responsible_kind"] == "cadre", "responsible_id"].nunique()
        ),
        "units_leading": int(vp.loc[vp["role"] == "lead", "unit_id"].nunique()),
        "dispatched": len(plan.dispatch),
        "leaders": len(plan.leader_areas),
    }
