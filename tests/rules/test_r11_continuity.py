"""R11 Continuity with resident work teams (soft).

A soft rule: solver cases show the plan follows the rule (golden plans, and
the rule's weight moving the plan its way); validator cases show a plan made
worse on purpose in the validator's soft-rule figures.
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
from fixtures_validate import (
    check,
    make_instance,
    plan_rows,
)
from hypothesis import given
from strategies import SETTINGS, provinces, solve_drawn

# -- solver cases ------------------------------------------------------------


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


@SETTINGS
@given(provinces())
def test_continuity_kept_wherever_the_rules_allow(case):
    inst, _ = case
    plan = solve_drawn(inst)
    r11 = plan.info["soft"]["R11"]
    # every team is a county unit of the village's county that can carry the
    # whole county and has a free village slot in the witness
    assert r11["kept"] == r11["teams"] == r11["keepable"], r11["breaks"]
    vp = plan.village_pairs
    assert int(vp["continuity"].sum()) == r11["kept"]


# -- validator cases: the figure shows a plan made worse on purpose --------------


def test_r11_a_broken_team_is_counted_and_listed(instance):
    assert (check(instance, plan_rows()).soft.continuity_kept) == 1  # UA in a2p1
    # the team in a2p1 is CA2's, which could lead it; the plan gives it to UA
    teams = [{"village_id": "a2p1", "unit_id": "CA2", "kind": "work_team"}]
    data = plan_rows()
    for r in data["village_pairs"]:
        r["continuity"] = False
    report = check(make_instance(resident_teams=teams), data)
    assert report.ok, report.summary()  # a soft rule: reported, not a violation
    r11 = report.soft.detail["R11"]
    assert (r11["kept"], r11["keepable"], r11["breaks_total"]) == (0, 1, 1)
    (brk,) = r11["breaks"]
    assert (brk["village_id"], brk["unit_id"], brk["lead_unit_id"]) == (
        "a2p1",
        "CA2",
        "UA",
    )
    assert brk["reason"]
