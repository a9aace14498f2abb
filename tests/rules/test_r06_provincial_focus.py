"""R6 Provincial focus: a share of province-tier villages in key counties.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from builders import (
    leads,
    province,
    solved,
    unit,
)
from fixtures_validate import (
    check,
    lp_fixed_on_a,
    make_instance,
    only,
    plan_rows,
    regions_with_key,
)

from pairing import Rules

# -- solver cases ------------------------------------------------------------


def test_r6_forces_a_key_county_village_to_the_province():
    # R9 alone would give the province unit the heavier v1; R6 (share 0.5 of
    # one village) makes it take the key-county village v2
    inst = province(
        {"C": "A", "K": "A"},
        [("v1", "C", True, 9.0, 6), ("v2", "K", True, 2.0, 6)],
        [
            unit("prov", "province", "P", max_villages=1),
            unit("c1", "county", "C"),
            unit("k1", "county", "K"),
        ],
        key=("K",),
    )
    assert leads(solved(inst)) == {"v1": "c1", "v2": "prov"}
    # with the share at 0 the province unit goes back to the heavier village
    free = inst.replace(rules=Rules(province_key_county_share=0.0))
    assert leads(solved(free)) == {"v1": "prov", "v2": "k1"}


def test_r6_half_share_lets_one_of_two_villages_lie_elsewhere():
    inst = province(
        {"C": "A", "K": "A"},
        [
            ("v1", "C", True, 9.0, 6),
            ("v2", "K", True, 2.0, 6),
            ("v3", "K", True, 1.0, 6),
        ],
        [
            unit("prov", "province", "P", max_villages=2, min_villages=2),
            unit("c1", "county", "C"),
            unit("k1", "county", "K"),
        ],
        key=("K",),
    )
    # 2 province villages, at least 1 in the key county: the heaviest of each
    assert leads(solved(inst)) == {"v1": "prov", "v2": "prov", "v3": "k1"}


# -- validator cases ---------------------------------------------------------


def test_r6_share_and_exception():
    leaders = lp_fixed_on_a()
    data = plan_rows()
    data["leader_areas"][0]["area_id"] = "A"
    # B1 key instead of A1: 0 of 2 province villages in key counties
    inst = make_instance(regions=regions_with_key(A1=False, B1=True), leaders=leaders)
    assert only(check(inst, data), "R6") == [("P",)]
    # no key county at all: the exception (every key-county village is province-led)
    inst = make_instance(regions=regions_with_key(A1=False), leaders=leaders)
    assert check(inst, data).ok
    # the share itself: A1 and A2 key, province leads 2 of 2 key -> fine
    inst = make_instance(regions=regions_with_key(A2=True), leaders=leaders)
    assert check(inst, data).ok
