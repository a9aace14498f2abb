"""Re-planning benchmark (R14): 2% of cadres leave, re-plan against the plan.

Run as its own process by the harness (so its wall time and peak memory are
measured like the others)::

    python -m benchmarks.replan INSTANCE PLAN --out RESULT.json [--time-limit S]

It loads the instance and its plan, applies
``CadresLeaveShare(0.02, seed=0)``, times ``solve(changed, baseline=plan)``
(the solve only: loading and validating are timed apart; with ``--repeat N``
the solve runs N times and the fastest is ``solve_seconds``, the first
``first_solve_seconds``), counts the villages whose lead unit and the
households whose responsible person changed, checks the new plan with
``pairing.validate`` and writes the figures as JSON.

What had to move (R14's "no needless change"): the households whose cadre
left (``households_of_leavers``); the households of the villages that moved
(``households_of_moved_villages``); and ``households_shed`` — per unit, at
least ``its villages' households + the scattered households it kept - its
new capacity`` of its scattered households must leave it (R3 ties the
village households to it, R5 caps it), a lower bound of the moves the new
capacities force. ``households_extra`` is what moved beyond the leavers' and
the moved villages' households, ``households_needless`` beyond the shed too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import pandas as pd

from pairing import Plan, load_instance, solve, validate
from pairing.scenario import CadresLeaveShare

__all__ = ["main", "moved"]


def moved(before: Plan, after: Plan) -> dict[str, int]:
    """Villages whose lead changed and households whose responsible person changed."""

    def leads(p: Plan) -> pd.Series:
        vp = p.village_pairs
        vp = vp[vp["role"] == "lead"]
        return pd.Series(vp["unit_id"].to_numpy(), index=vp["village_id"].to_numpy())

    def people(p: Plan) -> pd.Series:
        hp = p.household_pairs
        return pd.Series(
            hp["responsible_id"].to_numpy(), index=hp["household_id"].to_numpy()
        )

    lb, la = leads(before).align(leads(after), join="inner")
    pb, pa = people(before).align(people(after), join="inner")
    return {
        "villages_moved": int((lb != la).sum()),
        "households_moved": int((pb != pa).sum()),
    }


def forced_moves(changed: Any, before: Plan, after: Plan) -> dict[str, int]:
    """Households of the villages that moved (their cadre still there), and the
    scattered households the new capacities force out of their units (a
    lower bound; module docstring)."""
    import numpy as np

    from pairing.solver.baseline import baseline_cadres, baseline_leads

    lb, la = baseline_leads(changed, before), baseline_leads(changed, after)
    poor = changed.poor_villages
    gone = poor[(lb[poor] != la[poor]) & (lb[poor] >= 0)]
    in_moved = np.isin(changed.h_village, gone)
    keep = baseline_cadres(changed, before)
    # the leavers' households are counted apart (households_of_leavers)
    hp0 = before.household_pairs
    was_cadre = (
        changed.households["household_id"]
        .isin(hp0.loc[hp0["responsible_kind"] == "cadre", "household_id"])
        .to_numpy(dtype=bool)
    )
    left = was_cadre & (keep < 0)
    hp = after.household_pairs
    by_leader = (
        changed.households["household_id"]
        .isin(hp.loc[hp["responsible_kind"] == "leader", "household_id"])
        .to_numpy(dtype=bool)
    )
    n_u = len(changed.units)
    village = ~changed.h_scattered & ~by_leader & (la[changed.h_village] >= 0)
    v_load = np.bincount(la[changed.h_village[village]], minlength=n_u)
    sc = changed.h_scattered & (keep >= 0)
    s_load = np.bincount(changed.c_unit[keep[sc]], minlength=n_u)
    shed = np.maximum(0, v_load + s_load - changed.u_capacity)
    shed = np.minimum(shed, s_load)
    return {
        "households_of_moved_villages": int(
            np.count_nonzero(in_moved & ~by_leader & ~left)
        ),
        "households_shed": int(shed.sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replan")
    parser.add_argument("instance")
    parser.add_argument("plan")
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--share", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=1, help="solves to time")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    instance = load_instance(args.instance)
    plan = Plan.load(args.plan)
    change = CadresLeaveShare(args.share, seed=0)
    changed = change.apply(instance)
    left = len(change.chosen(instance))
    load_s = time.perf_counter() - t0

    times = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        new = solve(changed, baseline=plan, time_limit=args.time_limit)
        times.append(time.perf_counter() - t0)
    solve_s = min(times)

    t0 = time.perf_counter()
    report = validate(changed, new)
    validate_s = time.perf_counter() - t0
    # households whose cadre left: they must move
    gone = set(change.chosen(instance))
    hp = plan.household_pairs
    forced = int(hp["responsible_id"].isin(gone).sum())
    reasons = (
        new.changes.groupby(["kind", "reason"]).size().to_dict()
        if len(new.changes)
        else {}
    )
    counts = moved(plan, new)
    forced_more = forced_moves(changed, plan, new)
    result = {
        "share": args.share,
        "households": len(changed.households),
        "cadres_left": left,
        "households_of_leavers": forced,
        **counts,
        **forced_more,
        "households_extra": counts["households_moved"]
        - forced
        - forced_more["households_of_moved_villages"],
        "households_needless": max(
            0,
            counts["households_moved"]
            - forced
            - forced_more["households_of_moved_villages"]
            - forced_more["households_shed"],
        ),
        "changes_by_reason": {f"{k}/{r}": int(n) for (k, r), n in reasons.items()},
        "load_seconds": round(load_s, 3),
        "solve_seconds": round(solve_s, 3),
        "first_solve_seconds": round(times[0], 3),
        "solve_runs": [round(t, 3) for t in times],
        "validate_seconds": round(validate_s, 3),
        "valid": bool(report.ok),
        "violations": int(sum(report.counts().values())),
        "status": new.status,
        "gap": new.gap,
        "stage_seconds": new.seconds,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
