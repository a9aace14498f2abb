"""Counting pre-checks (R15): one hand-made instance per cause; none if feasible."""

from __future__ import annotations

import time

import pytest
from builders import make_instance
from conftest import tiny_rows

from pairing.generate import generate
from pairing.precheck import precheck
from pairing.rules import Rules


def base_rows(
    hh: dict[str, int] | None = None,
    units: dict[str, dict] | None = None,
    cadres: dict[str, tuple[int, int]] | None = None,
) -> dict[str, list[dict]]:
    """A small feasible province.

    Prefecture A (counties C1 柳河县, C2) and B (key county C3); poor villages
    V1 (C1), V2 (C2), V3 and V4 (C3), 10 households each; non-poor W1, W2, W3
    with 5 scattered households each. Units: province P1 (6 cadres, 30),
    prefecture FA and FB (4 cadres, 20), county K1, K2, K3 (3 cadres, 15).
    A plan: P1 → V3, FB → V4, FA → V1 and V2.
    """
    regions = [
        {"region_id": "22", "name": "吉林省", "level": "province"},
        {"region_id": "A", "name": "通化市", "level": "prefecture", "parent_id": "22"},
        {"region_id": "B", "name": "延边州", "level": "prefecture", "parent_id": "22"},
        {"region_id": "C1", "name": "柳河县", "level": "county", "parent_id": "A"},
        {"region_id": "C2", "name": "辉南县", "level": "county", "parent_id": "A"},
        {
            "region_id": "C3",
            "name": "汪清县",
            "level": "county",
            "parent_id": "B",
            "key_county": True,
        },
    ]
    counts = {"V1": 10, "V2": 10, "V3": 10, "V4": 10, "W1": 5, "W2": 5, "W3": 5}
    counts.update(hh or {})
    where = {"V": {"1": "C1", "2": "C2", "3": "C3", "4": "C3", "5": "C1", "6": "C2"}}
    villages, households = [], []
    for vid, n in counts.items():
        poor = vid.startswith("V")
        county = where["V"].get(vid[1:], "C3") if poor else f"C{vid[1:]}"
        villages.append(
            {"village_id": vid, "county_id": county, "poor": poor, "severity": 1.0}
        )
        households += [
            {
                "household_id": f"{vid}-{i}",
                "village_id": vid,
                "members": 1,
                "severity": 1.0,
            }
            for i in range(n)
        ]
    unit_rows = {
        "P1": {"tier": "province", "region_id": "22"},
        "FA": {"tier": "prefecture", "region_id": "A"},
        "FB": {"tier": "prefecture", "region_id": "B"},
        "K1": {"tier": "county", "region_id": "C1"},
        "K2": {"tier": "county", "region_id": "C2"},
        "K3": {"tier": "county", "region_id": "C3"},
    }
    for uid, extra in (units or {}).items():
        unit_rows.setdefault(uid, {}).update(extra)
    size = {"province": 6, "prefecture": 4, "county": 3}
    cadre_rows = []
    for uid, row in unit_rows.items():
        n, cap = (cadres or {}).get(uid, (size[row["tier"]], 5))
        cadre_rows += [
            {"cadre_id": f"{uid}-{i}", "unit_id": uid, "rank": 1, "max_households": cap}
            for i in range(n)
        ]
    return {
        "regions": regions,
        "villages": villages,
        "households": households,
        "units": [
            {"unit_id": k, "name": f"单位{k}", **v} for k, v in unit_rows.items()
        ],
        "cadres": cadre_rows,
    }


def build(rules: Rules | None = None, leaders=None, **kw):
    rows = base_rows(**kw)
    if leaders:
        rows["leaders"] = leaders
    return make_instance(rules, **rows)


def only(causes, rule):
    assert len(causes) == 1, [str(c) for c in causes]
    assert causes[0].rule == rule, str(causes[0])
    return causes[0]


# -- feasible instances give no cause --------------------------------------------------


def test_base_is_feasible():
    inst = build()
    assert precheck(inst) == []
    assert precheck(inst, inst.v_households) == []


def test_tiny_is_feasible():
    inst = make_instance(**tiny_rows())
    assert precheck(inst) == []


@pytest.mark.parametrize("households", [4300, 43000])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_are_feasible(households, seed):
    inst = generate(households=households, seed=seed)
    assert precheck(inst) == []
    assert precheck(inst, inst.v_households) == []


def test_generated_tight_are_feasible():
    for seed in range(5):
        inst = generate(households=4300, seed=seed, slack=0.0, short_counties=3)
        assert precheck(inst) == []


# -- R3 --------------------------------------------------------------------------------


def test_r3_county_short():
    # C1: 40 scattered, county tier 15, prefecture A spare 20 - 10 (FA must lead one)
    c = only(precheck(build(hh={"W1": 40})), "R3")
    assert c.region == "C1"
    assert c.figures["scattered"] == 40
    assert c.figures["county_capacity"] == 15
    assert c.figures["prefecture_spare"] == 10
    assert c.figures["short"] == 15
    assert "40 scattered households" in c.message and "柳河县" in c.message
    assert "add 15 households of county-tier capacity in 柳河县" in c.fix
    assert "3 cadres at 5" in c.fix


def test_r3_county_short_thousands_separator():
    rows = base_rows(
        hh={"W1": 5130}, cadres={"K1": (920, 5), "FA": (62, 5), "K3": (100, 5)}
    )
    c = only(precheck(make_instance(**rows)), "R3")
    # 5,130 scattered, 4,600 county tier, prefecture spare 310 - 10 = 300
    assert c.figures["short"] == 230
    assert "5,130 scattered households, county-tier capacity 4,600" in c.message
    assert "prefecture spare 300 — short by 230" in c.message
    assert "46 cadres at 5" in c.fix


def test_r3_prefecture_short():
    # C1 overflows by 7, C2 by 8: each fits the prefecture spare of 10, both do not
    c = only(precheck(build(hh={"W1": 22, "W2": 23})), "R3")
    assert c.region == "A"
    assert c.figures["by_county"] == {"C1": 7, "C2": 8}
    assert c.figures["short"] == 5


def test_r3_county_villages_it_must_lead_count():
    # K1 must lead V1 (min 1): its spare is 15 - 10 = 5 for 12 scattered;
    # FA (cap 20) must lead V2 (10): spare 10 >= 7, so feasible
    assert precheck(build(hh={"W1": 12}, units={"K1": {"min_villages": 1}})) == []
    # with 18 scattered the overflow 13 exceeds the prefecture's spare 10
    c = only(precheck(build(hh={"W1": 18}, units={"K1": {"min_villages": 1}})), "R3")
    assert c.figures["county_villages_min"] == 10
    assert c.figures["short"] == 3


# -- R2, R5 ----------------------------------------------------------------------------


def test_r2_village_too_large():
    c = only(precheck(build(hh={"V1": 40})), "R2")
    assert c.region == "V1"
    assert c.figures == {
        "village_id": "V1",
        "households": 40,
        "largest_capacity": 30,
        "unit_id": "P1",
    }
    assert "raise its cadres' max_households to 7" in c.fix


def test_r2_no_unit_may_lead():
    rows = base_rows(
        units={"K1": {"max_villages": 0}, "FA": {"min_villages": 0, "max_villages": 0}}
    )
    rows["units"] = [u for u in rows["units"] if u["unit_id"] != "P1"]
    rows["cadres"] = [c for c in rows["cadres"] if c["unit_id"] != "P1"]
    causes = precheck(make_instance(**rows))
    r2 = [c for c in causes if c.rule == "R2"]
    assert [c.region for c in r2] == ["V1"]
    assert r2[0].figures["largest_capacity"] == 0
    assert {c.rule for c in causes} <= {"R2", "R4"}


def test_r5_total_capacity():
    # one prefecture, one county; three villages of 25 that only P1 (30) can carry
    rows = {
        "regions": [
            {"region_id": "22", "name": "吉林省", "level": "province"},
            {
                "region_id": "A",
                "name": "通化市",
                "level": "prefecture",
                "parent_id": "22",
            },
            {"region_id": "C1", "name": "柳河县", "level": "county", "parent_id": "A"},
        ],
        "villages": [
            {"village_id": f"V{i}", "county_id": "C1", "poor": True, "severity": 1.0}
            for i in range(3)
        ],
        "households": [
            {
                "household_id": f"h{i}-{k}",
                "village_id": f"V{i}",
                "members": 1,
                "severity": 1.0,
            }
            for i in range(3)
            for k in range(25)
        ],
        "units": [
            {"unit_id": "P1", "tier": "province", "region_id": "22", "max_villages": 3},
            {
                "unit_id": "FA",
                "tier": "prefecture",
                "region_id": "A",
                "min_villages": 0,
            },
            {"unit_id": "K1", "tier": "county", "region_id": "C1"},
        ],
        "cadres": [
            {"cadre_id": f"{u}-{i}", "unit_id": u, "rank": 1}
            for u, n in (("P1", 6), ("FA", 4), ("K1", 3))
            for i in range(n)
        ],
    }
    c = only(precheck(make_instance(**rows)), "R5")
    assert c.figures == {"households": 75, "scattered": 0, "capacity": 65, "short": 10}


def test_r5_prefecture_capacity():
    # four villages of 16 in A: too big for county units (10), fit FA (20) and P1 (30);
    # A needs 64 + 10 scattered, its units carry 40 and P1 at most 30 there
    c = only(
        precheck(
            build(
                hh={"V1": 16, "V2": 16, "V5": 16, "V6": 16},
                cadres={"K1": (2, 5), "K2": (2, 5)},
            )
        ),
        "R5",
    )
    assert c.region == "A"
    assert c.figures["households"] == 74
    assert c.figures["local_capacity"] == 40
    assert c.figures["province_capacity"] == 30
    assert c.figures["short"] == 4


def test_r5_unit_must_lead_but_cannot_carry():
    c = only(precheck(build(cadres={"FA": (2, 4)})), "R5")
    assert c.region == "FA"
    assert c.figures["households"] == 10
    assert c.figures["capacity"] == 8
    assert "set its min_villages to 0" in c.fix


def test_zero_capacity_unit_must_lead():
    # no cadre can carry a household, so no cadre can be in its first team
    # either: R8 names it (it used to be reported as R5, capacity 0)
    c = only(precheck(build(cadres={"FA": (2, 0)})), "R8")
    assert c.region == "FA" and c.figures["carriers"] == 0
    assert "2 more with max_households 0" in c.message


# -- R4 --------------------------------------------------------------------------------


def test_r4_min_above_max():
    c = only(precheck(build(units={"FA": {"min_villages": 3}})), "R4")
    assert c.region == "FA"
    assert c.figures == {"unit_id": "FA", "min_villages": 3, "max_villages": 2}


def test_r4_county_minimums():
    c = only(precheck(build(units={"K1": {"min_villages": 2}})), "R4")
    assert c.region == "C1"
    assert c.figures == {"region_id": "C1", "min_villages": 2, "poor_villages": 1}


def test_r4_prefecture_minimums():
    c = only(
        precheck(
            build(
                units={
                    "FA": {"min_villages": 1},
                    "K1": {"min_villages": 1},
                    "K2": {"min_villages": 1},
                }
            )
        ),
        "R4",
    )
    assert c.region == "A"
    assert c.figures["min_villages"] == 1
    assert c.figures["available"] == 0


def test_r4_province_minimums():
    c = only(
        precheck(
            build(
                units={
                    "P1": {"min_villages": 2},
                    "P2": {"tier": "province", "region_id": "22", "min_villages": 2},
                }
            )
        ),
        "R4",
    )
    assert c.region == "22"
    assert c.figures == {"min_villages": 4, "available": 2, "poor_villages": 4}


def test_r4_villages_nobody_may_take():
    c = only(
        precheck(
            build(
                units={
                    "FA": {"min_villages": 0, "max_villages": 0},
                    "K1": {"max_villages": 0},
                    "K2": {"max_villages": 0},
                    "P1": {"max_villages": 1},
                }
            )
        ),
        "R4",
    )
    assert c.region == "A"
    assert c.figures["unplaced"] == 2
    assert c.figures["province_max_villages"] == 1


# -- R6, R7, R8 ------------------------------------------------------------------------


def test_r6_key_villages_too_large_for_province_units():
    c = only(
        precheck(build(hh={"V3": 35, "V4": 35}, cadres={"FB": (8, 5), "K3": (8, 5)})),
        "R6",
    )
    assert c.figures["key_villages"] == 2
    assert c.figures["key_villages_fit"] == 0
    assert c.figures["province_villages_min"] == 1


def test_r6_not_reported_when_province_can_reach_share():
    # one key village fits P1: P = 1, K = 1 is possible
    assert precheck(build(hh={"V3": 35}, cadres={"FB": (8, 5), "K3": (8, 5)})) == []


def test_r7_area_without_poor_village():
    rows = base_rows()
    rows["regions"].append(
        {"region_id": "C4", "name": "空县", "level": "county", "parent_id": "B"}
    )
    leaders = [
        {"leader_id": "L1", "tier": "county", "region_id": "C4", "area_id": "C4"}
    ]
    c = only(precheck(make_instance(leaders=leaders, **rows)), "R7")
    assert c.region == "L1" and c.figures["poor_villages"] == 0


def test_r7_no_candidate_area():
    leaders = [
        {
            "leader_id": "L1",
            "tier": "prefecture",
            "region_id": "A",
            "covers": "key_county",
        }
    ]
    c = only(precheck(build(leaders=leaders)), "R7")
    assert c.region == "L1" and c.figures["covers"] == "key_county"


def test_r7_fixed_areas_leave_an_area_uncovered():
    leaders = [
        {
            "leader_id": f"L{i}",
            "tier": "province",
            "region_id": "22",
            "covers": "prefecture",
            "area_id": "A",
        }
        for i in range(2)
    ]
    c = only(precheck(build(leaders=leaders)), "R7")
    assert c.region == "22"
    assert c.figures["areas"] == 2 and c.figures["uncovered"] == 1


def test_r7_fewer_leaders_sharing_a_fixed_area():
    leaders = [
        {
            "leader_id": f"L{i}",
            "tier": "province",
            "region_id": "22",
            "covers": "village",
            "area_id": "V1",
        }
        for i in range(2)
    ]
    c = only(precheck(build(leaders=leaders)), "R7")
    assert c.figures["shared"] == 1


def test_r7_contact_need_larger_than_village_is_allowed():
    # semantics R7: a leader takes all of a village's households when it has fewer
    leaders = [
        {
            "leader_id": "L1",
            "tier": "county",
            "region_id": "C1",
            "contact_households": 50,
        }
    ]
    assert precheck(build(leaders=leaders)) == []


def test_leaders_households_are_credited():
    # V1 holds 32 > 30 (P1); a county leader of C1 takes 5 of them (R7)
    leaders = [{"leader_id": "L1", "tier": "county", "region_id": "C1"}]
    inst = build(hh={"V1": 32}, leaders=leaders)
    assert precheck(inst) == []
    c = only(precheck(inst, inst.v_households), "R2")
    assert c.figures["households"] == 32


def test_r8_unit_must_lead_without_team():
    c = only(precheck(build(cadres={"P1": (4, 8)})), "R8")
    assert c.region == "P1"
    assert c.figures == {
        "unit_id": "P1",
        "cadres": 4,
        "carriers": 4,
        "head": False,
        "team_min": 5,
        "min_villages": 1,
    }


def test_r8_not_reported_when_unit_need_not_lead():
    assert (
        precheck(build(units={"K1": {"min_villages": 0}}, cadres={"K1": (1, 15)})) == []
    )


# -- speed -----------------------------------------------------------------------------


def test_precheck_is_fast_on_a_large_instance():
    inst = generate(households=43000, seed=0)
    _ = inst.v_households, inst.u_capacity, inst.h_scattered  # arrays built once
    t = time.perf_counter()
    precheck(inst)
    assert time.perf_counter() - t < 1.0


def test_r3_units_that_cannot_field_a_team_carry_nothing():  # R3, R8
    """K1b (one cadre, no head) can never send the 2 its first team needs, so
    its capacity does not count for C1's scattered households; under the old
    R8 (teams only for units leading a village) this instance passed."""
    k1b = {"K1b": {"tier": "county", "region_id": "C1"}}
    # C1: 30 scattered; K1 carries 15, FA has 10 spare beyond its village
    rows = base_rows(hh={"W1": 30}, units=k1b)
    rows["cadres"] = [c for c in rows["cadres"] if not c["cadre_id"].startswith("K1b")]
    rows["cadres"].append(
        {"cadre_id": "K1b-0", "unit_id": "K1b", "rank": 1, "max_households": 5}
    )
    c = only(precheck(make_instance(**rows)), "R3")
    assert c.region == "C1" and c.figures["short"] == 5
    assert c.figures["units_without_team"] == 1
    assert c.figures["capacity_without_team"] == 5
    assert "K1b" in c.message
    # a head makes head + K1b-0 a team of 2: its capacity counts again
    rows["cadres"].append(
        {"cadre_id": "K1b-1", "unit_id": "K1b", "rank": 3, "is_head": True}
    )
    assert precheck(make_instance(**rows)) == []


def test_r4_prefecture_tier_default_needs_a_village_per_unit():  # R4, R15
    """Three prefecture units of A take a village each by the tier default
    (1–2), but A has 2 poor villages: which units, how many short, the fix."""
    extra = {f"FA{k}": {"tier": "prefecture", "region_id": "A"} for k in (2, 3)}
    c = only(precheck(build(units=extra)), "R4")
    assert c.region == "A"
    assert c.figures["short"] == 1 and c.figures["available"] == 2
    assert c.figures["units"] == ["FA", "FA2", "FA3"]
    assert "3 by the tier default of 1" in c.message
    assert "min_villages = 0 on 1" in c.fix
    # a unit's own min_villages relaxes it
    extra["FA3"]["min_villages"] = 0
    assert precheck(build(units=extra)) == []
