"""Recommend-fit benchmark: new households placed in a plan without re-planning.

Run as its own process::

    python -m benchmarks.recommend INSTANCE PLAN --out RESULT.json [--n 1000]

It loads the instance and its plan, draws ``--n`` new households (villages
uniformly among the instance's, severities from the instance's, seed 0),
and times:

* ``index_seconds`` — the one-time index (:class:`pairing.recommend.Recommender`);
* ``one_ms`` — one household's query (median of ``--n`` single queries, each
  without taking the place, so every one sees the same plan), and its 95th
  percentile;
* ``batch_seconds`` — the ``--n`` households one after another, each taking
  the top choice's place (what :func:`pairing.recommend` does);

then applies the top choices (of the households that have one) to the
changed instance
(:class:`~pairing.scenario.HouseholdsAdd`) and checks the plan with
``pairing.validate``. Targets (issue #12): index <= 2 s, one household <= 20
ms, 1,000 households <= 2 s at 430,000 households.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

from pairing import Plan, load_instance, validate
from pairing.recommend import Recommendations, Recommender
from pairing.scenario import HouseholdsAdd

__all__ = ["main", "new_households"]


def new_households(instance: object, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` new households in random villages, severities as the instance's."""
    rng = np.random.default_rng(seed)
    inst = instance  # an Instance
    villages = inst.villages["village_id"].to_numpy()  # type: ignore[attr-defined]
    sev = inst.households["severity"].to_numpy()  # type: ignore[attr-defined]
    return pd.DataFrame(
        {
            "household_id": [f"NEW{i:06d}" for i in range(n)],
            "village_id": rng.choice(villages, n),
            "members": rng.integers(1, 6, n),
            "severity": rng.choice(sev, n),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommend")
    parser.add_argument("instance")
    parser.add_argument("plan")
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    parser.add_argument("--n", type=int, default=1000, help="new households")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)

    instance = load_instance(args.instance)
    plan = Plan.load(args.plan)
    new = new_households(instance, args.n)
    rows = [{str(k): v for k, v in r.items()} for r in new.to_dict(orient="records")]

    t0 = time.perf_counter()
    rec = Recommender(instance, plan)
    index_s = time.perf_counter() - t0

    single = []
    for row in rows:
        t0 = time.perf_counter()
        rec.household(row, args.k, take=False)
        single.append(1000 * (time.perf_counter() - t0))

    batch = Recommender(instance, plan)
    t0 = time.perf_counter()
    recs = Recommendations([batch.household(row, args.k) for row in rows])
    batch_s = time.perf_counter() - t0

    # a household whose unit has no place left (R3 ties a poor village's
    # households to its lead unit) needs a re-plan: it is counted, not applied
    placed = Recommendations([r for r in recs if r.choices])
    ids = {r.id for r in placed}
    changed = HouseholdsAdd(new[new["household_id"].isin(ids)]).apply(instance)
    t0 = time.perf_counter()
    applied = placed.apply(changed, plan)
    apply_s = time.perf_counter() - t0
    report = validate(changed, applied)
    result = {
        "households": len(instance.households),
        "new_households": args.n,
        "k": args.k,
        "index_seconds": round(index_s, 3),
        "one_ms_median": round(float(np.median(single)), 3),
        "one_ms_p95": round(float(np.percentile(single, 95)), 3),
        "one_ms_max": round(float(np.max(single)), 3),
        "batch_seconds": round(batch_s, 3),
        "apply_seconds": round(apply_s, 3),
        "without_choice": int(sum(not r.choices for r in recs)),
        "to_leaders": int(sum(r.leader is not None for r in recs)),
        "valid": bool(report.ok),
        "violations": report.counts(),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
