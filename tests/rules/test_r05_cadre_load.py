"""R5 Cadre load: at most max_households per cadre.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from builders import (
    ONE_COUNTY,
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
)
from hypothesis import given
from strategies import RULE_SETTINGS, provinces, solved_province

from pairing import Rules

# -- validator cases ---------------------------------------------------------


def test_r5_cap_resolution(instance):
    # UA-02 carries 3: a personal cap of 2 is broken
    cadres = changed_rows("cadres", "cadre_id", cid("UA", 2), max_households=2)
    assert only(check(make_instance(cadres=cadres), plan_rows()), "R5") == [
        (cid("UA", 2),)
    ]
    # by rank (UA-02 has rank 1): cap 2 for rank 1 breaks UA-02 and CB1-02 (3 each)
    rules = Rules().replace(max_households_by_rank={1: 2})
    ids = only(check(make_instance(rules=rules), plan_rows()), "R5")
    assert sorted(ids) == [(cid("CB1", 2),), (cid("UA", 2),)]
    # the cadre's own column beats the rank's cap
    cadres = changed_rows("cadres", "cadre_id", cid("UA", 2), max_households=3)
    cadres = [
        dict(r, max_households=3) if r["cadre_id"] == cid("CB1", 2) else r
        for r in cadres
    ]
    assert check(make_instance(rules=rules, cadres=cadres), plan_rows()).ok
    # the default cap
    rules = Rules().replace(max_households=2)
    ids = only(check(make_instance(rules=rules), plan_rows()), "R5")
    assert sorted(ids) == [(cid("CB1", 2),), (cid("UA", 2),)]


def test_r5_unit_id_is_the_cadres_unit(instance):
    data = plan_rows()
    h = hid("a2p1", 0)
    for r in data["household_pairs"]:
        if r["household_id"] == h:
            r["unit_id"] = "UB"
    assert only(check(instance, data), "R5") == [(h, cid("UA", 2))]


# -- solver cases ------------------------------------------------------------


@RULE_SETTINGS
@given(provinces())
def test_r5_no_cadre_above_its_cap(case):
    inst, plan = solved_province(case)
    hp = plan.household_pairs
    load = hp.loc[hp["responsible_kind"] == "cadre", "responsible_id"].value_counts()
    own = inst.cadres.set_index("cadre_id")["max_households"]
    cap = own.fillna(inst.rules.max_households).astype(int)  # no rank caps drawn
    assert (load <= cap.reindex(load.index)).all(), (load - cap).max()


def test_r5_personal_caps_are_kept_in_a_golden_province():
    # v1's 12 households need all three cadres of c1 at caps 5, 4 and 3
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 5.0, 12)],
        [unit("c1", "county", "C")],
        cadres=[
            {"cadre_id": "c1-c0", "unit_id": "c1", "rank": 4, "is_head": True},
            {"cadre_id": "c1-c1", "unit_id": "c1", "rank": 1, "max_households": 4},
            {"cadre_id": "c1-c2", "unit_id": "c1", "rank": 1, "max_households": 3},
        ],
    )
    hp = solved(inst).household_pairs
    load = hp["responsible_id"].value_counts().to_dict()
    assert load == {"c1-c0": 5, "c1-c1": 4, "c1-c2": 3}
