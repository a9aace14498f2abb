"""R8 Kick-off dispatch: a first team per unit with a task, its head included.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from builders import (
    ONE_COUNTY,
    leads,
    province,
    solved,
    unit,
)
from fixtures_validate import (
    check,
    cid,
    hid,
    make_instance,
    only,
    plan_rows,
    rows,
    set_responsible,
)

# -- solver cases ------------------------------------------------------------


def test_r8_kick_off_teams():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 9.0, 12), ("v2", "C", True, 3.0, 12)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
        size={"prov": 8, "c1": 6},
    )
    plan = solved(inst)
    d = plan.dispatch
    team = {u: g for u, g in d.groupby("unit_id")}
    assert len(team["prov"]) == 5 and len(team["c1"]) == 3  # province 5, local max 3
    for u, g in team.items():
        assert g["cadre_id"].iat[0] == f"{u}-c0" and bool(g["is_head"].iat[0])
        assert g["is_head"].sum() == 1
    # every dispatched non-head cadre carries households of its unit's village
    hp = plan.household_pairs
    carriers = set(hp.loc[hp["responsible_kind"] == "cadre", "responsible_id"])
    assert set(d.loc[~d["is_head"], "cadre_id"]) <= carriers
    assert plan.info["dispatch_shortfall"] == []


def test_r8_units_leading_nothing_dispatch_no_one():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 9.0, 6)],
        [unit("c1", "county", "C"), unit("c2", "county", "C")],
    )
    plan = solved(inst)
    led = set(leads(plan).values())
    assert set(plan.dispatch["unit_id"]) == led and len(led) == 1


# -- validator cases ---------------------------------------------------------


def test_r8_head_and_sizes(instance):
    data = plan_rows()
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] != cid("UP1", 1)]
    assert only(check(instance, data), "R8") == [("UP1",)]  # 5 left, head missing

    data = plan_rows()
    drop = {cid("UP2", 4), cid("UP2", 5)}
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] not in drop]
    assert only(check(instance, data), "R8") == [("UP2",)]  # 3 < 5

    data = plan_rows()
    data["dispatch"] += [
        {"unit_id": "UP1", "cadre_id": cid("UP1", 1), "is_head": True}
    ]  # duplicate row
    assert only(check(instance, data), "R8") == [("UP1", cid("UP1", 1))]


def test_r8_local_team_too_large_and_ineligible(instance):
    data = plan_rows()
    data["dispatch"] += [
        {"unit_id": "UB", "cadre_id": cid("UB", 3), "is_head": False},
    ]
    assert check(instance, data).ok  # UB-03 covers a b1p1 household: 3 is fine
    data["dispatch"] += [
        {"unit_id": "UA", "cadre_id": cid("UA", 3), "is_head": False},
    ]  # UA-03 covers only a scattered household: eligible too (R8 as amended)
    assert check(instance, data).ok
    data["dispatch"] += [
        {"unit_id": "UP2", "cadre_id": cid("UP2", 6), "is_head": False},
    ]  # UP2-06 is responsible for no household: not eligible
    assert only(check(instance, data), "R8") == [("UP2", cid("UP2", 6))]
    cadres = rows()["cadres"] + [
        {"cadre_id": "UA-04", "unit_id": "UA", "rank": 1, "is_head": False}
    ]
    data = plan_rows()
    set_responsible(data, hid("a2p1", 2), "UA", "UA-04")
    data["dispatch"] += [
        {"unit_id": "UA", "cadre_id": c, "is_head": False} for c in ("UA-03", "UA-04")
    ]  # 4 > local_max
    assert only(check(make_instance(cadres=cadres), data), "R8") == [("UA",)]


def test_r8_units_without_a_task_and_foreign_cadres(instance):
    data = plan_rows()
    data["dispatch"].append({"unit_id": "S", "cadre_id": cid("S", 1), "is_head": True})
    assert only(check(instance, data), "R8") == [("S",)]  # no village, no household

    data = plan_rows()
    data["dispatch"].append(
        {"unit_id": "UA", "cadre_id": cid("UB", 3), "is_head": False}
    )
    assert only(check(instance, data), "R8") == [("UA", cid("UB", 3))]


def test_r8_scattered_households_alone_need_a_team(instance):
    """CA1 leads no village but carries A1's scattered households (R8 as
    amended): without a team it is a violation; the old reading passed it."""
    data = plan_rows()
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CA1"]
    report = check(instance, data)
    assert only(report, "R8") == [("CA1",), ("CA1",)]  # size, head
    assert "leads no village but carries households" in report.violations[0].message
    # a team of one: still short
    data["dispatch"].append(
        {"unit_id": "CA1", "cadre_id": cid("CA1", 1), "is_head": True}
    )
    assert only(check(instance, data), "R8") == [("CA1",)]


def test_r8_shortfall_is_reported():
    """UP2 with only 4 cadres (3 eligible + head) cannot send 5."""
    cadres = [
        r
        for r in rows()["cadres"]
        if r["cadre_id"] not in {cid("UP2", 5), cid("UP2", 6)}
    ]
    inst = make_instance(cadres=cadres)
    data = plan_rows()
    set_responsible(data, hid("a1p2", 3), "UP2", cid("UP2", 4))
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] != cid("UP2", 5)]
    report = check(inst, data)
    assert only(report, "R8") == [("UP2",)]
    assert "only 4 eligible" in report.violations[0].message
