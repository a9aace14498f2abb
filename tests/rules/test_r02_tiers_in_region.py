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
from hypothesis import given
from strategies import RULE_SETTINGS, lead_rows, provinces, solved_province

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


# -- solver cases (property) -------------------------------------------------


@RULE_SETTINGS
@given(provinces())
def test_r2_every_lead_unit_stays_in_its_region(case):
    inst, plan = solved_province(case)
    lead = lead_rows(plan)
    parent = dict(
        zip(inst.regions["region_id"], inst.regions["parent_id"], strict=True)
    )
    county = dict(
        zip(inst.villages["village_id"], inst.villages["county_id"], strict=True)
    )
    units = inst.units.set_index("unit_id")
    for v, u in zip(lead["village_id"], lead["unit_id"], strict=True):
        tier, region = units.at[u, "tier"], units.at[u, "region_id"]
        c = county[v]
        allowed = {
            "province": True,
            "prefecture": region == parent[c],
            "county": region == c,
        }
        assert allowed[tier], (v, u, tier, region, c)  # a social unit never leads
