"""R11 Continuity with resident work teams (soft).

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
"""

from __future__ import annotations

from builders import (
    ONE_COUNTY,
    leads,
    province,
    soft,
    solved,
    unit,
)


def test_r11_team_unit_keeps_its_village_against_r9():
    # without the team, the province unit would take the heavier v1 (R9)
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 9.0, 6), ("v2", "C", True, 3.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
        resident_teams=[{"village_id": "v1", "unit_id": "c1", "kind": "work_team"}],
    )
    plan = solved(inst)
    assert leads(plan) == {"v1": "c1", "v2": "prov"}
    vp = plan.village_pairs.set_index("village_id")
    assert bool(vp.loc["v1", "continuity"]) and not bool(vp.loc["v2", "continuity"])
    r11 = plan.info["soft"]["R11"]
    assert (r11["kept"], r11["keepable"], r11["breaks_total"]) == (1, 1, 0)


def test_r11_team_unit_keeps_its_village_against_r10():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 3.0, 6), ("v2", "C", True, 9.0, 6)],
        [
            unit("weak", "province", "P", strength=2.0, max_villages=1),
            unit("strong", "province", "P", strength=10.0, max_villages=1),
        ],
        resident_teams=[
            {"village_id": "v2", "unit_id": "weak", "kind": "first_secretary"}
        ],
    )
    assert leads(solved(inst)) == {"v2": "weak", "v1": "strong"}


def test_r11_break_when_the_team_unit_may_not_lead():
    # the team's county unit is in another county (R2): the break is reported
    inst = province(
        {"C": "A", "D": "A"},
        [("v1", "C", True, 9.0, 6), ("v2", "D", True, 3.0, 6)],
        [unit("c1", "county", "C"), unit("d1", "county", "D")],
        resident_teams=[{"village_id": "v2", "unit_id": "c1", "kind": "work_team"}],
    )
    plan = solved(inst)
    assert leads(plan) == {"v1": "c1", "v2": "d1"}
    r11 = plan.info["soft"]["R11"]
    assert (r11["kept"], r11["keepable"]) == (0, 0)
    assert r11["breaks"][0]["reason"] == "unit may not lead it (R2)"


# -- solver cases: the rule's weight ------------------------------------------


def test_continuity_weight_keeps_the_team():
    inst = province(
        {"C": "A"},
        [("v1", "C", True, 9.0, 6), ("v2", "C", True, 3.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
        resident_teams=[{"village_id": "v1", "unit_id": "c1", "kind": "work_team"}],
    )
    low_plan, low = soft(inst, continuity=0.0)
    high_plan, high = soft(inst, continuity=10.0)
    assert leads(low_plan)["v1"] == "prov"  # R9 wins without continuity
    assert leads(high_plan)["v1"] == "c1"
    assert high["R11"]["kept"] >= low["R11"]["kept"]
    assert (low["R11"]["kept"], high["R11"]["kept"]) == (0, 1)


def test_continuity_weight_on_generated(gen):
    _, low = soft(gen, continuity=0.0)
    _, high = soft(gen, continuity=10.0)
    assert high["R11"]["kept"] >= low["R11"]["kept"]
