"""No shared state: solves and reports in threads equal their sequential twins.

Four deterministic solves and two reports run at once in threads, each
printing to standard output while the others build HiGHS and CP-SAT models:
every line arrives (nothing points file descriptor 1 elsewhere), no solver
banner is printed, and every plan, result and report equals the one the same
call made alone.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pairing
from pairing.report import write_report

SOLVES = [
    (3000, 31, "lagrangian"),
    (3000, 32, "cpsat"),
    (4000, 33, "lagrangian"),
    (3000, 34, "heuristic"),
]
"""(households, generator seed, method) of each solve."""


def _solve(inst: pairing.Instance, method: str) -> pairing.Plan:
    return pairing.solve(
        inst, deterministic=True, time_limit=5, workers=1, seed=0, method=method
    )


def _timeless(result: Any) -> Any:
    """The result without its wall times (every other figure is deterministic)."""
    stages = {k: dataclasses.replace(s, seconds=None) for k, s in result.stages.items()}
    villages = stages["villages"]
    work = {k: v for k, v in villages.work.items() if not k.startswith("seconds")}
    stages["villages"] = dataclasses.replace(villages, work=work)
    return dataclasses.replace(result, seconds={}, stages=stages)


def _report(inst: pairing.Instance, plan: pairing.Plan, out: Path) -> dict[str, Any]:
    files = write_report(inst, plan, out, lang="en", charts=False, graph=False)
    tables = {
        k: pd.read_csv(p, dtype=str, keep_default_na=False)
        for k, p in files.items()
        if p.suffix == ".csv"
    }
    return {"tables": tables, "figures": json.loads(files["figures"].read_text())}


@pytest.fixture(scope="module")
def instances() -> list[pairing.Instance]:
    return [pairing.generate(households=n, seed=s) for n, s, _ in SOLVES]


def test_solves_and_reports_in_threads_equal_their_sequential_twins(
    instances, tmp_path, capfd
):
    alone = [_solve(inst, m) for inst, (_, _, m) in zip(instances, SOLVES, strict=True)]
    reports_alone = [
        _report(instances[k], alone[k], tmp_path / f"alone{k}") for k in (0, 1)
    ]
    capfd.readouterr()
    start = threading.Barrier(6)

    def solve(k: int) -> pairing.Plan:
        start.wait()
        print(f"solve {k} started", flush=True)
        plan = _solve(instances[k], SOLVES[k][2])
        print(f"solve {k} done", flush=True)
        return plan

    def report(k: int) -> dict[str, Any]:
        start.wait()
        print(f"report {k} started", flush=True)
        out = _report(instances[k], alone[k], tmp_path / f"threaded{k}")
        print(f"report {k} done", flush=True)
        return out

    with ThreadPoolExecutor(6) as pool:
        plans = [pool.submit(solve, k) for k in range(4)]
        reports = [pool.submit(report, k) for k in (0, 1)]
        plans_t = [f.result() for f in plans]
        reports_t = [f.result() for f in reports]
    print("stdout still works", flush=True)
    out = capfd.readouterr().out
    for k in range(4):
        assert f"solve {k} started" in out and f"solve {k} done" in out
    for k in (0, 1):
        assert f"report {k} started" in out and f"report {k} done" in out
    assert out.rstrip().endswith("stdout still works")
    assert "HiGHS" not in out and "Running" not in out  # no solver banner
    for k, (a, b) in enumerate(zip(alone, plans_t, strict=True)):
        for name, table in a.tables.items():
            pd.testing.assert_frame_equal(table, b.tables[name], obj=f"{k} {name}")
        assert _timeless(a.result) == _timeless(b.result), k
        assert pairing.validate(instances[k], b).ok
    for k, (a, b) in enumerate(zip(reports_alone, reports_t, strict=True)):
        assert a["figures"] == b["figures"], k
        assert a["tables"].keys() == b["tables"].keys()
        for name, table in a["tables"].items():
            pd.testing.assert_frame_equal(table, b["tables"][name], obj=name)


def test_an_instance_is_read_only(instances):
    inst = instances[0]
    units = inst.tables["units"]
    units["strength"] = 0.0  # a copy: the instance keeps its own
    assert (inst.units["strength"] != 0.0).any()
    with pytest.raises(TypeError):
        inst.tables["units"] = units  # type: ignore[index]
    with pytest.raises(AttributeError):
        inst.rules = inst.rules.replace(max_households=9)  # type: ignore[misc]
    with pytest.raises(ValueError):
        inst.u_capacity[0] = 1
    with pytest.raises(TypeError):
        inst.rules.villages_per_unit["county"] = (0, 9)  # type: ignore[index]
    wider = inst.replace(rules=inst.rules.replace(max_households=9))
    assert int(wider.c_cap.max()) == 9 and int(inst.c_cap.max()) < 9
    assert pairing.fingerprint(wider) != pairing.fingerprint(inst)
    hash(inst.rules)  # frozen all the way down
