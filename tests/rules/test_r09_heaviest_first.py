"""R9 Heaviest first, level by level (soft).

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


def test_r9_heavier_village_to_the_province_unit():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 9.0, 6), ("v2", "C", True, 3.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
    )
    plan = solved(inst)
    assert leads(plan) == {"v1": "prov", "v2": "c1"}
    assert plan.info["status"] == "optimal"
    assert plan.info["soft"]["R9"]["inverted_share"] == 0.0


def test_r9_three_tiers_in_order():
    inst = province(
        ONE_COUNTY,
        [
            ("v1", "C", True, 2.0, 6),
            ("v2", "C", True, 9.0, 6),
            ("v3", "C", True, 5.0, 6),
        ],
        [
            unit("prov", "province", "P", max_villages=1),
            unit("pref", "prefecture", "A", max_villages=1),
            unit("c1", "county", "C"),
        ],
    )
    plan = solved(inst)
    assert leads(plan) == {"v2": "prov", "v3": "pref", "v1": "c1"}
