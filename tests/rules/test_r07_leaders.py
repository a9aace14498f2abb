"""R7 Leaders: areas covered, a contact village and its most severe households.

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

import copy

from builders import (
    households,
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
    regions_with_key,
    rows,
    set_responsible,
)

# -- solver cases ------------------------------------------------------------


def test_r7_leader_takes_the_most_severe_households_of_the_contact_village():
    sev = [1.0, 7.0, 3.0, 9.0, 2.0, 8.0, 4.0, 5.0]
    inst = province(
        {"C": "A", "D": "A"},
        [
            ("v1", "C", True, 5.0, 0),
            ("v2", "C", True, 4.0, 6),
            ("w1", "D", True, 6.0, 6),
        ],
        [unit("c1", "county", "C", max_villages=2), unit("d1", "county", "D")],
        households=households("v1", 8, sev) + households("v2", 6) + households("w1", 6),
        leaders=[
            {
                "leader_id": "L1",
                "tier": "county",
                "region_id": "C",
                "contact_point_village_id": "v1",
                "contact_households": 3,
            },
            {
                "leader_id": "L2",
                "tier": "prefecture",
                "region_id": "A",
                "covers": "county",
            },
        ],
    )
    plan = solved(inst)
    hp = plan.household_pairs.set_index("household_id")
    mine = hp[hp["responsible_id"] == "L1"]
    # the three most severe of v1: severities 9, 8, 7
    assert sorted(mine.index) == ["v1-h01", "v1-h03", "v1-h05"]
    assert set(mine["responsible_kind"]) == {"leader"} and set(mine["unit_id"]) == {""}
    areas = dict(
        zip(plan.leader_areas["leader_id"], plan.leader_areas["area_id"], strict=True)
    )
    contacts = dict(
        zip(
            plan.leader_contacts["leader_id"],
            plan.leader_contacts["village_id"],
            strict=True,
        )
    )
    assert areas["L1"] == "C" and contacts["L1"] == "v1"
    # L2 covers one county of A: the most severe (C: 5 + 4 > D: 6), and since
    # L1 already uses v1 it takes v2, its five most severe households
    assert areas["L2"] == "C" and contacts["L2"] == "v2"
    assert (hp["responsible_id"] == "L2").sum() == 5
    # the rest of v1 goes to the lead unit's cadres (R3)
    rest = hp.loc[[f"v1-h{i:02d}" for i in (0, 2, 4, 6, 7)]]
    assert set(rest["responsible_kind"]) == {"cadre"} and set(rest["unit_id"]) == {"c1"}


def test_r7_fewer_leaders_than_areas_cover_the_most_severe():
    inst = province(
        {"C": "A", "D": "B", "E": "B"},
        [
            ("c", "C", True, 5.0, 6),
            ("d", "D", True, 3.0, 6),
            ("e", "E", True, 4.0, 6),
        ],
        [
            unit("c1", "county", "C"),
            unit("d1", "county", "D"),
            unit("e1", "county", "E"),
        ],
        leaders=[
            {
                "leader_id": "L",
                "tier": "province",
                "region_id": "P",
                "covers": "prefecture",
            }
        ],
    )
    plan = solved(inst)
    # prefecture B (3 + 4) is more severe than A (5)
    assert plan.leader_areas.to_dict("records") == [{"leader_id": "L", "area_id": "B"}]
    # contact: the most severe poor village of B
    assert plan.leader_contacts["village_id"].tolist() == ["e"]


# -- validator cases ---------------------------------------------------------


def test_r7_fewer_leaders_take_the_most_severe(instance):
    data = plan_rows()
    data["leader_areas"][1]["area_id"] = "a1p2"  # LA: a lighter village
    ids = only(check(instance, data), "R7")
    assert ("LA", "a1p2", "a1p1") in ids  # a1p1 (9) uncovered, a1p2 (7) covered


def test_r7_fixed_area_is_kept():
    leaders = changed_rows("leaders", "leader_id", "LA", area_id="a1p2")
    ids = only(check(make_instance(leaders=leaders), plan_rows()), "R7")
    assert ("LA", "a1p1") in ids


def test_r7_every_area_covered_when_enough_leaders():
    """B1 becomes key: 2 province key-county leaders for 2 key counties."""
    leaders = copy.deepcopy(rows()["leaders"]) + [
        {
            "leader_id": "LP2",
            "name": "省领导二",
            "tier": "province",
            "region_id": "P",
            "covers": "key_county",
            "contact_households": 0,
        }
    ]
    inst = make_instance(regions=regions_with_key(B1=True), leaders=leaders)
    data = plan_rows()
    data["leader_areas"].append({"leader_id": "LP2", "area_id": "A1"})
    data["leader_contacts"].append({"leader_id": "LP2", "village_id": "a1p2"})
    assert only(check(inst, data), "R7") == [("B1",)]
    data["leader_areas"][-1]["area_id"] = "B1"
    data["leader_contacts"][-1]["village_id"] = "b1p2"
    assert check(inst, data).ok


def test_r7_contact_village(instance):
    data = plan_rows()
    data["leader_contacts"][0]["village_id"] = "a1p2"  # ignores contact point a1p1
    ids = only(check(instance, data), "R7")
    assert ("LP", "a1p2", "a1p1") in ids

    data = plan_rows()
    data["leader_contacts"][2]["village_id"] = "b1n"  # not poor
    ids = only(check(instance, data), "R7")
    assert ("LB", "b1n") in ids


def test_r7_household_count_and_severity(instance):
    data = plan_rows()
    set_responsible(data, hid("a1p1", 1), None, "LA")  # LP 1, LA 2
    ids = only(check(instance, data), "R7")
    assert ("LP", "a1p1") in ids and ("LA", "a1p1") in ids

    # a leader takes a lighter household than a cadre of the same village
    data = plan_rows()
    set_responsible(data, hid("a1p1", 2), "UP1", cid("UP1", 2))
    set_responsible(data, hid("a1p1", 3), None, "LA")
    assert only(check(instance, data), "R7") == [("a1p1",)]


def test_r7_fewer_households_than_asked():
    """LB asks for 5 of b1p1's 4 households: it takes all 4."""
    leaders = changed_rows("leaders", "leader_id", "LB", contact_households=5)
    inst = make_instance(leaders=leaders)
    data = plan_rows()
    for k in (2, 3):
        set_responsible(data, hid("b1p1", k), None, "LB")
    # UB's team member UB-02 has no household left in UB's village (R8)
    report = check(inst, data)
    assert report.rules() == {"R8"}
    data = plan_rows()  # only 2 of 4: too few
    assert only(check(inst, data), "R7") == [("LB", "b1p1")]


def test_r7_leader_table_rows(instance):
    data = plan_rows()
    data["leader_areas"] = data["leader_areas"][1:]
    assert only(check(instance, data), "R7") == [("LP",), ("A1",)]  # A1 uncovered
    data = plan_rows()
    data["leader_contacts"].append(dict(data["leader_contacts"][2]))
    assert only(check(instance, data), "R7")[0] == ("LB",)
    data = plan_rows()
    data["leader_areas"].append({"leader_id": "LX", "area_id": "A"})
    assert only(check(instance, data), "R7") == [("LX",)]
