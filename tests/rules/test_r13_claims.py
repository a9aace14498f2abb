"""R13 Claims by social forces: supplementary pairings up to max_villages.

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
    changed_rows,
    check,
    make_instance,
    only,
    plan_rows,
)

# -- solver cases ------------------------------------------------------------


def test_r13_claims_honoured_up_to_max_most_severe_first():
    inst = province(
        ONE_COUNTY,
        [
            ("v1", "C", True, 2.0, 6),
            ("v2", "C", True, 9.0, 6),
            ("v3", "C", True, 5.0, 6),
            ("n1", "C", False, 0.0, 2),
        ],
        [
            unit("c1", "county", "C"),
            unit("s1", "social", "P", max_villages=1),
            unit("s2", "social", "P"),
        ],
        size={"c1": 8, "s1": 0, "s2": 0},
        claims=[
            {"unit_id": "s1", "village_id": "v1"},
            {"unit_id": "s1", "village_id": "v2"},
            {"unit_id": "s2", "village_id": "v1"},
            {"unit_id": "s2", "village_id": "v3"},
            {"unit_id": "s2", "village_id": "n1"},  # not poor: never honoured
        ],
    )
    plan = solved(inst)
    vp = plan.village_pairs
    sup = vp[vp["role"] == "supplementary"]
    got = sorted(zip(sup["unit_id"], sup["village_id"], strict=True))
    assert got == [("s1", "v2"), ("s2", "v1"), ("s2", "v3")]
    assert set(sup["tier"]) == {"social"}
    assert leads(plan) == {"v1": "c1", "v2": "c1", "v3": "c1"}  # claims never lead
    assert plan.info["soft"]["R13"] == {"claims": 5, "honoured": 3}


# -- validator cases ---------------------------------------------------------


def test_r13_supplementary_rows(instance):
    data = plan_rows()
    data["village_pairs"][-1]["village_id"] = "b1p1"  # not claimed
    assert only(check(instance, data), "R13") == [("b1p1", "S")]

    data = plan_rows()
    data["village_pairs"].append(
        {
            "village_id": "a1p2",
            "unit_id": "UA",
            "tier": "prefecture",
            "role": "supplementary",
        }
    )
    assert set(only(check(instance, data), "R13")) == {("a1p2", "UA")}

    units = changed_rows("units", "unit_id", "S", max_villages=0)
    assert only(check(make_instance(units=units), plan_rows()), "R13") == [("S",)]
