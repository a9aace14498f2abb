"""R1 Full coverage: every poor village has one lead unit, every household
one responsible person.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from fixtures_validate import (
    check,
    cid,
    hid,
    only,
    plan_rows,
    set_responsible,
)
from hypothesis import given
from strategies import RULE_SETTINGS, lead_rows, provinces, solved_province

# -- validator cases ---------------------------------------------------------


def test_r1_missing_lead_row(instance):
    data = plan_rows()
    data["village_pairs"] = [
        r
        for r in data["village_pairs"]
        if not (r["village_id"] == "a2p1" and r["role"] == "lead")
    ]
    # a2p1 loses its lead: its households' unit UA no longer leads it (R3 is
    # not checked without a lead), UA leads 0 villages (R4); it still carries
    # households, so its team is due (R8 as amended: no R8 violation)
    report = check(instance, data)
    assert ("a2p1",) in [v.ids for v in report.by_rule("R1")]
    assert {"R1", "R4"} == report.rules()


def test_r1_two_leads_and_nonpoor_lead(instance):
    data = plan_rows()
    data["village_pairs"].append(dict(data["village_pairs"][0]))  # duplicate
    report = check(instance, data)
    assert only(report, "R1") == [("a1p1", "UP1", "UP1")]

    data = plan_rows()
    data["village_pairs"].append(
        {"village_id": "a1n", "unit_id": "UP1", "tier": "province", "role": "lead"}
    )
    assert only(check(instance, data), "R1") == [("a1n", "UP1")]


def test_r1_bad_role_and_unknown_ids(instance):
    data = plan_rows()
    data["village_pairs"][-1]["role"] = "helper"  # the supplementary row
    assert only(check(instance, data), "R1") == [("b1p2", "S")]

    data = plan_rows()
    data["village_pairs"].append(
        {"village_id": "zz", "unit_id": "UP1", "tier": "province", "role": "lead"}
    )
    assert only(check(instance, data), "R1") == [("zz", "UP1")]


def test_r1_households(instance):
    h = hid("a1p2", 4)  # UP2-02 keeps another household (still eligible, R8)
    data = plan_rows()
    data["household_pairs"] = [
        r for r in data["household_pairs"] if r["household_id"] != h
    ]
    assert only(check(instance, data), "R1") == [(h,)]

    data = plan_rows()
    row = next(r for r in data["household_pairs"] if r["household_id"] == h)
    data["household_pairs"].append(dict(row))
    assert only(check(instance, data), "R1") == [(h,)]

    data = plan_rows()
    data["household_pairs"].append(dict(row, household_id="ghost"))
    assert only(check(instance, data), "R1") == [("ghost",)]

    data = plan_rows()
    set_responsible(data, h, "UP2", "UP2-99")  # unknown cadre
    assert only(check(instance, data), "R1") == [(h, "UP2-99")]

    data = plan_rows()
    for r in data["household_pairs"]:
        if r["household_id"] == h:
            r["responsible_kind"] = "person"
    assert only(check(instance, data), "R1") == [(h, cid("UP2", 2))]


# -- solver cases (property) -------------------------------------------------


@RULE_SETTINGS
@given(provinces())
def test_r1_every_poor_village_one_lead_every_household_one_responsible(case):
    inst, plan = solved_province(case)
    lead = lead_rows(plan)
    poor = set(inst.villages.loc[inst.villages["poor"], "village_id"])
    assert lead["village_id"].is_unique
    assert set(lead["village_id"]) == poor  # every poor village, nothing else
    hp = plan.household_pairs
    assert hp["household_id"].is_unique
    assert set(hp["household_id"]) == set(inst.households["household_id"])
    assert (hp["responsible_id"] != "").all()
    cadres = set(inst.cadres["cadre_id"])
    leaders = set(inst.leaders["leader_id"])
    kind = hp["responsible_kind"]
    assert hp.loc[kind == "cadre", "responsible_id"].isin(cadres).all()
    assert hp.loc[kind == "leader", "responsible_id"].isin(leaders).all()
    assert set(kind) <= {"cadre", "leader"}
