"""Conflict search (R15): groups of hard constraints that cannot hold together."""

from __future__ import annotations

from builders import make_instance
from conftest import tiny_rows
from test_precheck import base_rows, build

from pairing.generate import generate
from pairing.precheck import precheck
from pairing.solver.conflicts import explain


def test_feasible_instances_have_no_conflict():
    assert explain(build()) == []
    assert explain(make_instance(**tiny_rows())) == []


def test_generated_instance_has_no_conflict():
    assert explain(generate(households=4300, seed=0), time_limit=20) == []


def test_two_units_must_lead_the_one_village_that_fits_both():
    # P1 and P2 (capacity 10 each) must each lead a village; only V1 (8) fits
    # either: the others (50) go to county units. Counting sees nothing wrong.
    inst = build(
        hh={"V1": 8, "V2": 50, "V3": 50, "V4": 50},
        units={
            "P2": {"tier": "province", "region_id": "22"},
            "FA": {"min_villages": 0},
            "FB": {"min_villages": 0},
        },
        cadres={
            "P1": (5, 2),
            "P2": (5, 2),
            "K1": (20, 5),
            "K2": (20, 5),
            "K3": (40, 5),
        },
    )
    assert precheck(inst) == []
    causes = explain(inst)
    got = {(c.rule, c.region) for c in causes}
    assert got == {("R4", "P1"), ("R4", "P2"), ("R5", "P1"), ("R5", "P2")}
    assert all(c.figures["minimal"] for c in causes)
    cap = next(c for c in causes if c.rule == "R5" and c.region == "P1")
    assert cap.figures["capacity"] == 10
    assert cap.figures["fitting_villages"] == 1
    assert len(cap.figures["conflict"]) == 4


def test_key_share_conflict_counting_misses():
    # share 0.5; P1, P2 (capacity 10) must each lead one village and only small
    # non-key ones fit them; the two key villages (40) fit only P3 (max 1).
    # So P >= 3 with K <= 1 < 1.5, and not every key village is province-led.
    inst = build(
        hh={"V1": 5, "V2": 5, "V3": 40, "V4": 40, "V5": 5},
        units={
            "P2": {"tier": "province", "region_id": "22"},
            "P3": {"tier": "province", "region_id": "22", "max_villages": 1},
            "FB": {"min_villages": 0},
        },
        cadres={"P1": (5, 2), "P2": (5, 2), "P3": (10, 5), "K3": (20, 5)},
    )
    assert precheck(inst) == []
    causes = explain(inst)
    rules = {c.rule for c in causes}
    assert "R6" in rules
    assert all(c.figures["minimal"] for c in causes)
    regions = {(c.rule, c.region) for c in causes}
    assert {("R4", "P1"), ("R4", "P2"), ("R5", "P1"), ("R5", "P2")} <= regions
    assert ("R4", "P3") in regions or ("R5", "P3") in regions
    assert len(causes) == 6


def test_county_overflow_conflict_names_r3():
    inst = build(hh={"W1": 40})
    causes = explain(inst)
    assert ("R3", "C1") in {(c.rule, c.region) for c in causes}
    assert all(c.rule in ("R3", "R4", "R5") for c in causes)


def test_explicit_demand_is_used():
    rows = base_rows(hh={"V1": 32}, cadres={"FA": (6, 5)})
    rows["leaders"] = [{"leader_id": "L1", "tier": "county", "region_id": "C1"}]
    inst = make_instance(**rows)
    # with the leader's 5 households credited V1 (27) fits FA (30) ...
    assert explain(inst) == []
    # ... but not when the leader took nothing from it
    demand = inst.v_households.copy()
    causes = explain(inst, demand)
    assert {(c.rule, c.region) for c in causes} == {
        ("R5", "P1"),
        ("R5", "FA"),
        ("R5", "K1"),
    }
