"""R10 Heaviest task to the strongest unit (soft).

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


def test_r10_stronger_province_unit_takes_the_heavier_village():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 3.0, 6), ("v2", "C", True, 9.0, 6)],
        [
            unit("weak", "province", "P", strength=2.0, max_villages=1),
            unit("strong", "province", "P", strength=10.0, max_villages=1),
        ],
    )
    plan = solved(inst)
    assert leads(plan) == {"v2": "strong", "v1": "weak"}
    assert plan.info["soft"]["R10"]["strength_severity_by_tier"]["province"] == 1.0


def test_r10_strength_defaults_to_the_number_of_cadres():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 3.0, 6), ("v2", "C", True, 9.0, 6)],
        [
            unit("small", "province", "P", max_villages=1),
            unit("big", "province", "P", max_villages=1),
        ],
        size={"small": 6, "big": 9},
    )
    assert leads(solved(inst)) == {"v2": "big", "v1": "small"}
