"""``solve(..., executor=...)``: a Dask cluster gives the same plan as a local run.

With ``deterministic=True`` the plan depends only on the instance, the seed
and the workers, never on where the subproblems ran: a Dask
``distributed.LocalCluster`` (two worker processes) and a
``ProcessPoolExecutor`` must both give exactly the local plan.

The instance is planned with the ``decomposed`` village method (the size
threshold is lowered), so the executor also runs the village stage's
per-prefecture polish (``solver/regional.py``), not only the household flows.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

import pairing

distributed = pytest.importorskip("distributed")

# 3 s: the village stage's polish needs 0.3 x 0.75 x 3 s of deterministic time
SOLVE = {
    "time_limit": 3.0,
    "seed": 0,
    "workers": 2,
    "deterministic": True,
    "method": "decomposed",  # its regional polish runs on the executor
}


@pytest.fixture(scope="module")
def instance() -> pairing.Instance:
    return pairing.generate(43_000, seed=3)


@pytest.fixture(scope="module")
def local_plan(instance: pairing.Instance) -> pairing.Plan:
    phases: list[dict] = []
    plan = pairing.solve(instance, progress=phases.append, **SOLVE)
    assert plan.info["method"] == "decomposed"
    polish = [d for d in phases if d.get("phase") == "regional"]
    assert len(polish) == 1 and polish[0]["regions"] > 1
    return plan


@pytest.fixture(scope="module")
def dask_executor():
    try:
        cluster = distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=40,
        )
        client = distributed.Client(cluster)
    except Exception as exc:  # no sockets, no process spawning …
        pytest.skip(f"distributed cannot start a local cluster here: {exc}")
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


def assert_same_plan(a: pairing.Plan, b: pairing.Plan) -> None:
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(
            table.reset_index(drop=True), b.tables[name].reset_index(drop=True)
        )
    for key in ("status", "method", "objective", "best_bound", "gap", "counts"):
        assert a.info[key] == b.info[key], key


def test_dask_executor_gives_the_local_plan(
    instance: pairing.Instance, local_plan: pairing.Plan, dask_executor
) -> None:
    plan = pairing.solve(instance, executor=dask_executor, **SOLVE)
    assert_same_plan(local_plan, plan)
    assert pairing.validate(instance, plan).ok


def test_process_pool_gives_the_local_plan(
    instance: pairing.Instance, local_plan: pairing.Plan
) -> None:
    with ProcessPoolExecutor(2) as pool:
        plan = pairing.solve(instance, executor=pool, **SOLVE)
    assert_same_plan(local_plan, plan)
