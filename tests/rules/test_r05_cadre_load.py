"""R5 Cadre load: at most max_households per cadre.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from fixtures_validate import (
    changed_rows,
    check,
    cid,
    hid,
    make_instance,
    only,
    plan_rows,
)

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
