"""Partial plans (``solve(..., partial=True)``, R1 relaxed, R15): the plan that
covers the most, what it leaves and why, and how the validator reports it.

The hand-made case: the tiny instance (``conftest.py``) with 30 more scattered
households in county 220102 and 40 more households in poor village
220201001. Known answer, worked out by hand:

* 220201001 must hold 43 households for its lead unit (48, less the 5 its
  county leader takes, R7), more than any unit allowed to lead it has (the
  largest, province unit 22-B, has 30 places): it is left, with its 43;
* county 220102 has 35 scattered households; its county unit 220102-A has 15
  places and the prefecture unit 2201-A 20, of which it needs at least 6 for
  the smallest village it can lead (R4: it must lead one): 29 can be covered,
  so the 6 lightest are left (heaviest first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_frames

import pairing
from pairing.cli import main
from pairing.instance import Instance


def short_instance() -> Instance:
    t = tiny_frames()
    rows = [
        {
            "household_id": f"S{k:03d}",
            "village_id": "220102002",
            "members": 2,
            "severity": round(1.0 + k * 0.1, 2),
        }
        for k in range(30)
    ]
    rows += [
        {
            "household_id": f"V{k:03d}",
            "village_id": "220201001",
            "members": 2,
            "severity": round(2.0 + k * 0.05, 2),
        }
        for k in range(40)
    ]
    t["households"] = pd.concat(
        [t["households"], pd.DataFrame(rows)], ignore_index=True
    )
    units = t["units"]
    units["min_villages"] = None
    units.loc[units["unit_id"] == "2202-A", "min_villages"] = 0  # nothing to lead
    return Instance.from_tables(t)


def _expected_scattered(inst: Instance) -> set[str]:
    hh = inst.households
    s = hh[hh["village_id"] == "220102002"].copy()
    s["pos"] = np.arange(len(s))
    return set(s.sort_values(["severity", "pos"])["household_id"].head(6))


@pytest.fixture(scope="module")
def short() -> Instance:
    return short_instance()


@pytest.mark.parametrize("method", ["cpsat", "lagrangian", "heuristic"])
def test_partial_plan_leaves_the_known_shortfall(short, method):
    with pytest.raises(pairing.Infeasible):
        pairing.solve(short, time_limit=10)
    plan = pairing.solve(short, time_limit=10, partial=True, method=method)
    assert plan.status == "partial"
    un = plan.uncovered
    assert list(un.loc[un["kind"] == "village", "id"]) == ["220201001"]
    left = set(un.loc[un["kind"] == "household", "id"])
    hh = short.households
    in_village = set(hh.loc[hh["village_id"] == "220201001", "household_id"])
    led = plan.household_pairs
    by_leader = set(led.loc[led["responsible_kind"] == "leader", "household_id"])
    assert left & in_village == in_village - by_leader  # its 43 households
    assert len(in_village - by_leader) == 43
    assert left - in_village == _expected_scattered(short)  # the 6 lightest
    assert plan.info["uncovered"]["coverage_proved"]
    # every other hard rule holds, and the validator says partial, never valid
    report = pairing.validate(short, plan)
    assert report.status == "partial" and not report.ok
    assert report.counts() == {}
    assert report.uncovered == {"villages": 1, "households": 49}
    assert report.summary().startswith("PARTIAL")


def test_each_uncovered_item_has_its_cause_with_numbers(short):
    plan = pairing.solve(short, time_limit=10, partial=True)
    cause = plan.uncovered.set_index("id")["cause"]
    assert cause["220201001"].startswith("R1 poor village 220201001")
    assert (
        "43 households" in cause["220201001"] and "largest has 30" in cause["220201001"]
    )
    assert "13 more places" in cause["220201001"]  # the fix: 43 - 30
    scattered = cause[sorted(_expected_scattered(short))[0]]
    assert scattered.startswith("R3 county 220102") and "6 of them" in scattered


def test_partial_on_a_feasible_instance_is_the_plan(tiny_instance):
    plan = pairing.solve(tiny_instance, time_limit=10, partial=True)
    assert plan.status in ("optimal", "feasible")
    assert plan.uncovered.empty
    assert pairing.validate(tiny_instance, plan).ok


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_only_a_partial_plan_folder_has_the_uncovered_table(
    short, tiny_instance, tmp_path, fmt
):
    # the contract: ``uncovered`` is "only in a partial plan (--partial)"
    full = pairing.solve(tiny_instance, time_limit=10, partial=True)
    assert full.status in ("optimal", "feasible")
    full.save(tmp_path / "full", format=fmt)
    assert not (tmp_path / "full" / f"uncovered.{fmt}").exists()
    assert (tmp_path / "full" / f"changes.{fmt}").exists()  # the others, as before
    back = pairing.Plan.load(tmp_path / "full")  # absent: read as empty
    assert back.uncovered.empty and list(back.uncovered) == ["kind", "id", "cause"]
    assert pairing.validate(tiny_instance, back).ok
    part = pairing.solve(short, time_limit=10, partial=True)
    part.save(tmp_path / "part", format=fmt)
    assert (tmp_path / "part" / f"uncovered.{fmt}").exists()
    again = pairing.Plan.load(tmp_path / "part")
    assert len(again.uncovered) == len(part.uncovered) == 50
    # a full plan written over the partial one leaves no stale uncovered table
    rewritten = pairing.Plan(**{**part.tables, "uncovered": part.uncovered.iloc[0:0]})
    rewritten.save(tmp_path / "part", format=fmt)
    assert not (tmp_path / "part" / f"uncovered.{fmt}").exists()


def test_a_hand_built_plan_with_uncovered_rows_keeps_them(short, tmp_path):
    # no result, status unknown ("feasible"), but rows to keep: written
    part = pairing.solve(short, time_limit=10, partial=True)
    by_hand = pairing.Plan(**part.tables)
    assert by_hand.result is None and by_hand.status == "feasible"
    by_hand.save(tmp_path / "plan", format="xlsx")
    back = pairing.Plan.load(tmp_path / "plan")
    assert len(back.uncovered) == len(part.uncovered) == 50


def test_validate_report_diff_read_a_full_plan_without_uncovered(
    short, tiny_instance, tmp_path, capsys
):
    pairing.save_instance(tiny_instance, tmp_path / "inst")
    inst, plan = str(tmp_path / "inst"), str(tmp_path / "plan")
    assert main(["solve", inst, "--quiet", "--time-limit", "10", "--out", plan]) == 0
    assert not (tmp_path / "plan" / "uncovered.parquet").exists()
    assert main(["validate", inst, plan]) == 0
    assert main(["report", inst, plan, "--out", str(tmp_path / "rep")]) == 0
    assert main(["diff", plan, plan]) == 0
    # a full plan against a partial one (only one of them has the table)
    part = pairing.solve(short, time_limit=10, partial=True)
    part.save(tmp_path / "part")
    assert main(["diff", plan, str(tmp_path / "part")]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_validator_checks_the_uncovered_table(short):
    plan = pairing.solve(short, time_limit=10, partial=True)
    # a household listed as uncovered that has a responsible: a violation
    covered = plan.household_pairs["household_id"].iloc[0]
    extra = pd.DataFrame([{"kind": "household", "id": covered, "cause": "x"}])
    bad = pairing.Plan(
        **{**plan.tables, "uncovered": pd.concat([plan.uncovered, extra])}
    )
    assert pairing.validate(short, bad).status == "invalid"
    # an uncovered household not listed: a violation of R1
    unlisted = pairing.Plan(**{**plan.tables, "uncovered": plan.uncovered.iloc[:-1]})
    report = pairing.validate(short, unlisted)
    assert report.status == "invalid" and report.counts() == {"R1": 1}


def test_cli_writes_a_partial_plan_with_exit_4(short, tmp_path, capsys):
    pairing.save_instance(short, tmp_path / "inst")
    args = ["solve", str(tmp_path / "inst"), "--quiet", "--time-limit", "10"]
    assert main([*args, "--out", str(tmp_path / "none")]) == 1
    assert not (tmp_path / "none").exists()
    assert main([*args, "--out", str(tmp_path / "plan"), "--partial"]) == 4
    assert "partial plan" in capsys.readouterr().err
    back = pairing.Plan.load(tmp_path / "plan")
    assert back.status == "partial" and len(back.uncovered) == 50
    assert main(["validate", str(tmp_path / "inst"), str(tmp_path / "plan")]) == 1
    assert "PARTIAL" in capsys.readouterr().out


def test_partial_status_flows_through_the_result_and_summary(short, tmp_path):
    # the typed result carries it; summary.json adds keys, renames none
    import json

    from pairing.result import SolveResult, Status

    plan = pairing.solve(short, time_limit=10, partial=True)
    assert plan.result is not None and plan.result.status is Status.PARTIAL
    assert not plan.result.is_feasible()
    assert plan.result.uncovered["villages"] == 1
    assert plan.result.uncovered["households"] == 49
    assert plan.result.counts["lead_pairs"] == plan.result.counts["poor_villages"] - 1
    plan.save(tmp_path / "plan")
    data = json.loads((tmp_path / "plan" / "summary.json").read_text("utf-8"))
    for key in ("status", "method", "objective", "best_bound", "gap", "seconds"):
        assert key in data  # the contract's keys, as before
    assert data["status"] == "partial" and data["uncovered"]["villages"] == 1
    assert data["parameters"]["partial"] is True
    assert {t["term"] for t in data["score"]["terms"]} >= {"tier", "strength"}
    back = SolveResult.from_dict(data)
    assert back.status is Status.PARTIAL and back.uncovered == plan.result.uncovered
    assert pairing.Plan.load(tmp_path / "plan").score().total == plan.score().total
