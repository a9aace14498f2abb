"""R2 Tiers stay in their region.

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

# -- validator cases ---------------------------------------------------------


def test_r2_county_unit_outside_its_county(instance):
    """CA1 (county A1) leads b1p2 of county B1, with its households and team."""
    data = plan_rows()
    for r in data["village_pairs"]:
        if r["village_id"] == "b1p2" and r["role"] == "lead":
            r.update(unit_id="CA1", tier="county")
    for k in range(3):
        set_responsible(data, hid("b1p2", k), "CA1", cid("CA1", 2))
    # CB1 keeps a task (its scattered households on CB1-03): its team changes
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CB1"] + [
        {"unit_id": "CB1", "cadre_id": cid("CB1", 1), "is_head": True},
        {"unit_id": "CB1", "cadre_id": cid("CB1", 3), "is_head": False},
    ]
    # CA1-02 now carries 1 + 3 = 4 households (cap 5)
    assert only(check(instance, data), "R2") == [("b1p2", "CA1")]


def test_r2_tier_column(instance):
    data = plan_rows()
    data["village_pairs"][0]["tier"] = "county"
    assert only(check(instance, data), "R2") == [("a1p1", "UP1")]
