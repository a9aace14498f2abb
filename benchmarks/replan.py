"""Re-planning benchmark (R14): 2% of cadres leave, re-plan against the plan.

Run as its own process by the harness (so its wall time and peak memory are
measured like the others)::

    python -m benchmarks.replan INSTANCE PLAN --out RESULT.json [--time-limit S]

It loads the instance and its plan, applies
``CadresLeaveShare(0.02, seed=0)``, times ``solve(changed, baseline=plan)``
(the solve only: loading and validating are timed apart), counts the villages
whose lead unit and the households whose responsible person changed, checks
the new plan with ``pairing.validate`` and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replan")
    parser.add_argument("instance")
    parser.add_argument("plan")
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--share", type=float, default=0.02)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    instance = load_instance(args.instance)
    plan = Plan.load(args.plan)
    change = CadresLeaveShare(args.share, seed=0)
    changed = change.apply(instance)
    left = len(change.chosen(instance))
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    new = solve(changed, baseline=plan, time_limit=args.time_limit)
    solve_s = time.perf_counter() - t0

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
    result = {
        "share": args.share,
        "cadres_left": left,
        "households_of_leavers": forced,
        **moved(plan, new),
        "changes_by_reason": {f"{k}/{r}": int(n) for (k, r), n in reasons.items()},
        "load_seconds": round(load_s, 3),
        "solve_seconds": round(solve_s, 3),
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
