"""R4 Villages per unit: between min_villages and max_villages.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

import pytest
from builders import (
    ONE_COUNTY,
    province,
    unit,
)
from fixtures_validate import (
    changed_rows,
    check,
    make_instance,
    only,
    plan_rows,
)
from hypothesis import given
from strategies import RULE_SETTINGS, lead_rows, provinces, solved_province

import pairing
from pairing import Infeasible, Rules

# -- solver cases ------------------------------------------------------------


def test_infeasible_r4_minimum_with_no_village():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 5.0, 6)],
        [unit("prov1", "province", "P"), unit("prov2", "province", "P")],
    )  # two province units must each lead a village (R4): one village only
    with pytest.raises(Infeasible) as exc:
        pairing.solve(inst, time_limit=10, seed=0)
    assert exc.value.causes


@RULE_SETTINGS
@given(provinces())
def test_r4_every_unit_between_its_bounds(case):
    inst, plan = solved_province(case)
    count = lead_rows(plan)["unit_id"].value_counts()
    n = count.reindex(inst.units["unit_id"]).fillna(0).to_numpy()
    leads_ok = inst.units["tier"].isin(["province", "prefecture", "county"]).to_numpy()
    assert (n[leads_ok] >= inst.u_min[leads_ok]).all()
    assert (n[leads_ok] <= inst.u_max[leads_ok]).all()
    assert (n[~leads_ok] == 0).all()  # social units only supplement (R13)


# -- validator cases ---------------------------------------------------------


def test_r4_bounds(instance):
    units = changed_rows("units", "unit_id", "CA1", min_villages=1)
    assert only(check(make_instance(units=units), plan_rows()), "R4") == [("CA1",)]
    units = changed_rows("units", "unit_id", "UB", max_villages=0)
    assert only(check(make_instance(units=units), plan_rows()), "R4") == [("UB",)]
    rules = Rules().replace(
        villages_per_unit={**Rules().villages_per_unit, "province": (2, 2)}
    )
    report = check(make_instance(rules=rules), plan_rows())
    assert sorted(only(report, "R4")) == [("UP1",), ("UP2",)]
