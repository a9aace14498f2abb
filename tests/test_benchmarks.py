"""The benchmark harness runs end to end (``python -m benchmarks --quick``).

A smoke run on a 0.01 × Jilin instance (4,300 households), one repeat, a
short time limit: every planner runs as its own process, the plans are
validated, the tables are written and ``benchmarks/README.md`` is untouched.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), env.get("PYTHONPATH", "")) if p
    )
    return env


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    readme = (REPO / "benchmarks" / "README.md").read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--sizes",
            "0.01",
            "--repeats",
            "1",
            "--time-limit",
            "5",
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (REPO / "benchmarks" / "README.md").read_bytes() == readme
    return out


def test_quick_run_writes_tables(quick_run: Path) -> None:
    with open(quick_run / "results.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by = {r["method"]: r for r in rows}
    assert set(by) == {"pairing", "decomposed", "greedy", "cpsat-mono"}
    for r in rows:
        assert r["households"] == "4300"
        assert float(r["wall_s"]) > 0
        assert float(r["rss_mb"]) > 10  # a Python process with numpy and pandas
    for name in ("pairing", "decomposed"):  # the engine and the baseline method
        p = by[name]
        assert p["valid"] == "1/1" and p["exit"] in ("0", "0.0")
        assert float(p["objective"]) <= float(p["bound"]) + 1e-6
        assert float(p["uncovered_villages"]) == 0
        for key in ("R9_inverted", "R11_keepable", "R12_mean_load", "t_villages"):
            assert p[key] != ""
    table = (quick_run / "results.md").read_text(encoding="utf-8")
    assert "| size | households |" in table and "cpsat-mono" in table
    assert "Machine:" in table and "OR-Tools" in table
    with open(quick_run / "runs.csv", encoding="utf-8") as f:
        runs = list(csv.DictReader(f))
    assert len(runs) == 4


def test_quick_run_replans(quick_run: Path) -> None:
    res = json.loads((quick_run / "replan.json").read_text())
    assert res["valid"] is True
    assert res["cadres_left"] > 0
    # every household of a leaving cadre moves; few others do
    assert res["households_moved"] >= res["households_of_leavers"]
    assert res["solve_seconds"] > 0 and res["rss_mb"] > 10


def test_instance_is_cached(quick_run: Path) -> None:
    assert (quick_run / "instances" / "h4300-s0" / "villages.parquet").exists()
    assert (quick_run / "logs" / "h4300-pairing-0.time").exists()


def test_baseline_objective_is_pairings() -> None:
    """The baselines score pairs with the village stage's own coefficients."""
    import pairing
    from benchmarks.baselines import pair_score, round_robin
    from pairing.solver.candidates import build_candidates

    inst = pairing.generate(4300, seed=1)
    c = build_candidates(inst, inst.v_households)
    assert np.array_equal(pair_score(inst, c.pv, c.pu), c.score)
    # round-robin: every household of a led village gets a cadre of its lead unit
    lead = np.full(len(inst.villages), -1, dtype=np.int64)
    first = np.r_[0, np.flatnonzero(np.diff(c.pv)) + 1]
    lead[c.pv[first]] = c.pu[first]
    h = round_robin(inst, lead, np.zeros(0, dtype=np.int64))
    mine = ~inst.h_scattered
    assert np.array_equal(inst.c_unit[h[mine]], lead[inst.h_village[mine]])
