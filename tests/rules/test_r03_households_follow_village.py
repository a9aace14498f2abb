"""R3 Households follow their village; scattered households stay in their
county (县级兜底).

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

import pytest
from builders import (
    ONE_COUNTY,
    by_unit,
    leads,
    province,
    solved,
    unit,
)
from fixtures_validate import (
    changed_rows,
    check,
    cid,
    hid,
    make_instance,
    only,
    plan_rows,
    set_responsible,
)

import pairing
from pairing import Infeasible

# -- solver cases ------------------------------------------------------------


def _r3(scattered: int):
    return province(
        ONE_COUNTY,
        [("v1", "C", True, 5.0, 4), ("n1", "C", False, 0.0, scattered)],
        [
            unit("c1", "county", "C"),
            unit("pref", "prefecture", "A", min_villages=0, max_villages=0),
        ],
        size={"c1": 2, "pref": 4},  # county tier: 2 cadres x 5 = 10 places
    )


def test_r3_county_tier_carries_its_scattered_households():
    plan = solved(_r3(scattered=6))
    assert leads(plan) == {"v1": "c1"}
    assert by_unit(plan) == {"c1": 10}
    assert plan.info["stages"]["households"]["prefecture_overflow"] == 0


def test_r3_overflow_to_the_prefecture_only_beyond_county_capacity():
    # 4 village households + 12 scattered, 10 county-tier places: exactly 6
    # scattered households go to the prefecture tier ("县级兜底")
    plan = solved(_r3(scattered=12))
    assert leads(plan) == {"v1": "c1"}
    assert by_unit(plan) == {"c1": 10, "pref": 6}
    assert plan.info["stages"]["households"]["prefecture_overflow"] == 6
    hp = plan.household_pairs.set_index("household_id")
    village_hh = [f"v1-h{i:02d}" for i in range(4)]
    assert set(hp.loc[village_hh, "unit_id"]) == {"c1"}  # R3: village → lead unit


def test_r3_no_overflow_to_another_prefecture():
    inst = province(
        {"C": "A", "D": "B"},
        [("v1", "C", True, 5.0, 4), ("n1", "C", False, 0.0, 12)],
        [
            unit("c1", "county", "C"),
            unit("prefB", "prefecture", "B", min_villages=0, max_villages=0),
        ],
        size={"c1": 2},
    )
    with pytest.raises(Infeasible) as exc:
        pairing.solve(inst, time_limit=10, seed=0)
    assert exc.value.causes
    assert {c.rule for c in exc.value.causes} & {"R3", "R5", "R15"}


# -- validator cases ---------------------------------------------------------


def test_r3_household_of_another_unit(instance):
    data = plan_rows()
    h = hid("a1p2", 4)  # UP2-02 keeps another household (still eligible, R8)
    set_responsible(data, h, "UP1", cid("UP1", 2))
    assert only(check(instance, data), "R3") == [(h, cid("UP1", 2))]


def test_r3_scattered_household_of_another_county(instance):
    data = plan_rows()
    h = hid("a1n", 0)  # the head's: CA1-02 keeps its household (R8)
    set_responsible(data, h, "CB1", cid("CB1", 3))
    assert only(check(instance, data), "R3") == [(h, cid("CB1", 3))]


def test_r3_scattered_household_of_another_prefecture(instance):
    data = plan_rows()
    h = hid("a2n", 2)  # A2's overflow household goes to UB (prefecture B)
    set_responsible(data, h, "UB", cid("UB", 3))
    assert only(check(instance, data), "R3") == [(h, cid("UB", 3))]


def test_r3_prefecture_overflow_while_county_has_room(instance):
    data = plan_rows()
    set_responsible(data, hid("a1n", 0), "UA", cid("UA", 3))  # CA1 has 13 free
    ids = only(check(instance, data), "R3")
    assert ids == [("A1",)]


def test_r3_overflow_limit_is_exact(instance):
    """A2: 3 scattered, county capacity 2: exactly 1 may go to the prefecture."""
    data = plan_rows()
    set_responsible(data, hid("a2n", 0), "UA", cid("UA", 3))  # now 2 by UA
    ids = only(check(instance, data), "R3")
    assert ids == [("A2",)]
    # with CA2 capacity 2 x 2 the single overflow household is one too many
    cadres = changed_rows("cadres", "unit_id", "CA2", max_households=2)
    report = check(make_instance(cadres=cadres), plan_rows())
    assert only(report, "R3") == [("A2",)]


def test_r3_overflow_counts_only_units_that_can_field_a_team():  # R3, R8
    """CA2-02 cannot carry (cap 0): CA2 can never send 2, so A2's county tier
    carries nothing and the prefecture tier may take all 3 (县级兜底)."""
    cadres = changed_rows("cadres", "cadre_id", cid("CA2", 2), max_households=0)
    inst = make_instance(cadres=cadres)
    data = plan_rows()
    for k in range(3):
        set_responsible(data, hid("a2n", k), "UA", cid("UA", 3))
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CA2"]
    assert check(inst, data).ok
    # CA2's head still able to carry: taking even one to UA needs A2 full
    data = plan_rows()
    set_responsible(data, hid("a2n", 0), "UA", cid("UA", 3))
    assert only(check(make_instance(), data), "R3") == [("A2",)]
