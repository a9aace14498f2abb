"""Re-planning (R14), decided: a village stays whenever its unit can still carry
it; otherwise the fewest villages move, each saying what would have kept it;
``pin="villages"`` keeps every one and lists the shortfalls to fix."""

from __future__ import annotations

import numpy as np
import pytest
from test_solve import leads, province, solved, unit

import pairing
from pairing.scenario import CadresLeave
from pairing.solver.replan import fewest_freed


def test_fewest_freed_keeps_the_most_villages_then_households():
    # 90 places: two of three stay; of the pairs that fit, the fullest
    assert fewest_freed(np.array([60, 50, 30]), 90, 3).tolist() == [False, True, False]
    assert fewest_freed(np.array([40, 40]), 100, 1).tolist() == [False, True]  # R4
    assert fewest_freed(np.array([50]), 40, 2).tolist() == [True]
    assert fewest_freed(np.array([10, 10]), 40, 2).tolist() == [False, False]


@pytest.fixture
def county():
    """County C: units c1, c2, c3 (4 cadres, 20 places each); v1, v2 of 18."""
    inst = province(
        {"C": "A"},
        [("v1", "C", True, 2.0, 18), ("v2", "C", True, 1.0, 18)],
        [unit(u, "county", "C") for u in ("c1", "c2", "c3")],
    )
    plan = solved(inst)
    lead = leads(plan)
    u = lead["v1"]
    cadres = inst.cadres.loc[inst.cadres["unit_id"] == u, "cadre_id"].tolist()
    left = CadresLeave([cadres[-1]]).apply(inst)  # v1's unit: 15 places for 18
    return inst, plan, left, u


def test_a_village_moves_only_when_its_unit_cannot_carry_it(county):
    inst, plan, left, u = county
    new = solved(left, baseline=plan)
    before, after = leads(plan), leads(new)
    assert after["v2"] == before["v2"]  # its unit still carries it: it stays
    assert after["v1"] != u  # 18 households, 15 places: it moves, alone
    ch = new.changes[new.changes["kind"] == "village"]
    assert ch["id"].tolist() == ["v1"]
    detail = ch["detail"].iloc[0]
    assert detail.startswith(f"R5: unit {u}") and "18 households" in detail
    assert "3 more places (1 more cadre at 5 households) would have kept it" in detail


def test_pin_keeps_every_village_and_lists_the_shortfall(county):
    inst, plan, left, u = county
    new = pairing.solve(left, baseline=plan, pin="villages", time_limit=10)
    assert leads(new) == leads(plan)  # nothing moved
    assert new.status == "partial"
    un = new.uncovered
    assert (un["kind"] == "household").sum() == 3  # 18 households, 15 places
    cause = un["cause"].iloc[0]
    assert cause.startswith(f"R5 unit {u}") and "short by 3" in cause
    assert "give unit" in cause and "3 more places (1 more cadre" in cause
    hh = left.households.set_index("household_id")
    assert set(hh.loc[un["id"], "village_id"]) == {"v1"}
    report = pairing.validate(left, new)
    assert report.status == "partial" and report.uncovered["households"] == 3


def test_pin_without_shortfall_is_a_full_plan(county):
    inst, plan, _, _ = county
    again = pairing.solve(inst, baseline=plan, pin="villages", time_limit=10)
    assert again.status != "partial" and len(again.changes) == 0
    assert pairing.validate(inst, again).ok
    with pytest.raises(ValueError):
        pairing.solve(inst, pin="villages")  # pin needs a baseline
