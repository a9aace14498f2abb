"""Leader stage (R7): golden cases of areas, contact villages and households."""

from __future__ import annotations

import numpy as np
import pytest
from builders import make_instance

from pairing.errors import Infeasible
from pairing.solver.leaders import assign_leaders

# Province P; prefectures A (severity 13) and B (severity 6 + 0).
# Counties: A1 key (10), A2 (3), B1 key (4), B2 (2), B3 (no poor village).
REGIONS = [
    {"region_id": "P", "level": "province"},
    {"region_id": "A", "level": "prefecture", "parent_id": "P"},
    {"region_id": "B", "level": "prefecture", "parent_id": "P"},
    {"region_id": "A1", "level": "county", "parent_id": "A", "key_county": True},
    {"region_id": "A2", "level": "county", "parent_id": "A"},
    {"region_id": "B1", "level": "county", "parent_id": "B", "key_county": True},
    {"region_id": "B2", "level": "county", "parent_id": "B"},
    {"region_id": "B3", "level": "county", "parent_id": "B"},
]
VILLAGES = [
    {"village_id": "a1x", "county_id": "A1", "poor": True, "severity": 9.0},
    {"village_id": "a1y", "county_id": "A1", "poor": True, "severity": 1.0},
    {"village_id": "a2x", "county_id": "A2", "poor": True, "severity": 3.0},
    {"village_id": "b1x", "county_id": "B1", "poor": True, "severity": 4.0},
    {"village_id": "b2x", "county_id": "B2", "poor": True, "severity": 2.0},
    {"village_id": "b2n", "county_id": "B2", "poor": False, "severity": 0.0},
    {"village_id": "b3n", "county_id": "B3", "poor": False, "severity": 0.0},
]
SIZES = {"a1x": 12, "a1y": 8, "a2x": 8, "b1x": 8, "b2x": 8, "b2n": 3, "b3n": 2}


def _households(sizes=SIZES):
    rows = []
    for v, n in sizes.items():
        for i in range(n):  # severity i: the last ones are the most severe
            rows.append(
                {
                    "household_id": f"{v}-{i:02d}",
                    "village_id": v,
                    "members": 1,
                    "severity": float(i),
                }
            )
    return rows


def _instance(leaders, sizes=SIZES, rules=None):
    return make_instance(
        rules,
        regions=REGIONS,
        villages=VILLAGES,
        households=_households(sizes),
        units=[{"unit_id": "U", "name": "u", "tier": "province", "region_id": "P"}],
        cadres=[{"cadre_id": "c", "unit_id": "U", "rank": 1}],
        leaders=leaders,
    )


def _leader(lid, tier="province", region="P", covers="prefecture", **extra):
    return {
        "leader_id": lid,
        "name": lid,
        "tier": tier,
        "region_id": region,
        "covers": covers,
        **extra,
    }


def _contacts(inst, res):
    return list(inst.village_index[res.contact])


def _ids_of(inst, res, leader):
    hh = res.households[res.household_leader == leader]
    return sorted(inst.households["household_id"].to_numpy()[hh])


def test_no_leaders_gives_empty_result():
    res = assign_leaders(_instance([]))
    assert len(res.area) == len(res.contact) == len(res.households) == 0


def test_equal_leaders_and_areas_cover_every_area():  # R7
    res = assign_leaders(_instance([_leader("L1"), _leader("L2")]))
    assert list(res.area) == ["A", "B"]  # most severe first, row order


def test_extra_leaders_double_up_on_the_most_severe():  # R7
    res = assign_leaders(_instance([_leader(f"L{i}") for i in range(4)]))
    assert sorted(res.area) == ["A", "A", "B", "B"]
    res = assign_leaders(_instance([_leader(f"L{i}") for i in range(3)]))
    assert list(res.area) == ["A", "B", "A"]


def test_fewer_leaders_take_the_most_severe_distinct_areas():  # R7
    res = assign_leaders(_instance([_leader("L1", covers="county")]))
    assert list(res.area) == ["A1"]
    res = assign_leaders(
        _instance([_leader("L1", covers="county"), _leader("L2", covers="county")])
    )
    assert list(res.area) == ["A1", "B1"]  # A1 10, B1 4, A2 3, B2 2


def test_fixed_area_is_kept_and_counts_as_covered():  # R7
    res = assign_leaders(_instance([_leader("L1", area_id="B"), _leader("L2")]))
    assert list(res.area) == ["B", "A"]
    # fewer leaders than areas: a fixed area is kept even if not the most severe
    inst = _instance([_leader("L1", covers="county", area_id="B2")])
    res = assign_leaders(inst)
    assert list(res.area) == ["B2"]
    assert _contacts(inst, res) == ["b2x"]


def test_fixed_leaders_doubling_up_leave_an_area_uncovered():  # R7
    leaders = [_leader("L1", area_id="A"), _leader("L2", area_id="A")]
    with pytest.raises(Infeasible) as err:
        assign_leaders(_instance(leaders))
    (cause,) = err.value.causes
    assert cause.rule == "R7" and cause.figures["uncovered"] == 1


def test_contact_point_is_honoured_when_valid():  # R7
    # L1's contact point b2x lies in B: L1 takes B although A is more severe
    inst = _instance([_leader("L1", contact_point_village_id="b2x"), _leader("L2")])
    res = assign_leaders(inst)
    assert list(res.area) == ["B", "A"]
    assert _contacts(inst, res) == ["b2x", "a1x"]


def test_contact_point_outside_the_area_or_not_poor_is_replaced():  # R7
    inst = _instance(
        [
            _leader("L1", area_id="A", contact_point_village_id="b1x"),  # outside
            _leader("L2", area_id="B", contact_point_village_id="b2n"),  # not poor
        ]
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a1x", "b1x"]  # most severe of each area


def test_leader_takes_the_most_severe_households():  # R7
    inst = _instance([_leader("L1", tier="county", region="A2", covers="")])
    res = assign_leaders(inst)
    assert list(res.area) == ["A2"]  # no covers: its own region
    assert _ids_of(inst, res, 0) == [f"a2x-{i:02d}" for i in range(3, 8)]
    assert np.all(res.household_leader == 0)


def test_two_leaders_sharing_a_village_take_its_top_ten():  # R7
    inst = _instance(
        [
            _leader(
                "L1", covers="county", area_id="A1", contact_point_village_id="a1x"
            ),
            _leader(
                "L2", covers="county", area_id="A1", contact_point_village_id="a1x"
            ),
        ]
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a1x", "a1x"]
    assert _ids_of(inst, res, 0) == [f"a1x-{i:02d}" for i in range(7, 12)]
    assert _ids_of(inst, res, 1) == [f"a1x-{i:02d}" for i in range(2, 7)]
    assert len(np.unique(res.households)) == 10


def test_leaders_avoid_sharing_a_village_when_possible():  # R7
    inst = _instance(
        [
            _leader("L1", covers="county", area_id="A1"),
            _leader("L2", covers="county", area_id="A1"),
        ]
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a1x", "a1y"]
    # a1y too small: the second leader shares a1x rather than take too few
    inst = _instance(
        [
            _leader("L1", covers="county", area_id="A1"),
            _leader("L2", covers="county", area_id="A1"),
        ],
        sizes={**SIZES, "a1y": 3},
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a1x", "a1x"]


def test_contact_point_leaders_choose_first():  # R7
    # L1 has no contact point, L2's is a1x: L1 must not take a1x's top five
    inst = _instance(
        [
            _leader("L1", covers="county", area_id="A1"),
            _leader(
                "L2", covers="county", area_id="A1", contact_point_village_id="a1x"
            ),
        ]
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a1y", "a1x"]
    assert _ids_of(inst, res, 1) == [f"a1x-{i:02d}" for i in range(7, 12)]


def test_fewer_households_than_wanted_takes_all():  # R7
    inst = _instance(
        [
            _leader("L1", tier="county", region="A2", covers="", contact_households=6),
            _leader("L2", tier="county", region="A2", covers="", contact_households=6),
        ]
    )
    res = assign_leaders(inst)
    assert _contacts(inst, res) == ["a2x", "a2x"]
    assert len(_ids_of(inst, res, 0)) == 6 and len(_ids_of(inst, res, 1)) == 2


def test_ties_broken_by_household_id():  # R7
    inst = make_instance(
        regions=REGIONS[:4],
        villages=VILLAGES[:1],
        households=[
            {"household_id": h, "village_id": "a1x", "members": 1, "severity": 1.0}
            for h in ["h9", "h3", "h7", "h1", "h5", "h2", "h8"]
        ],
        leaders=[_leader("L1", covers="county")],
    )
    res = assign_leaders(inst)
    assert _ids_of(inst, res, 0) == ["h1", "h2", "h3", "h5", "h7"]


def test_key_county_covers():  # R7
    res = assign_leaders(
        _instance([_leader(f"L{i}", covers="key_county") for i in range(3)])
    )
    assert list(res.area) == ["A1", "B1", "A1"]
    # a prefecture-tier leader covers the key counties of its own prefecture
    res = assign_leaders(
        _instance([_leader("L1", tier="prefecture", region="B", covers="key_county")])
    )
    assert list(res.area) == ["B1"]


def test_village_covers():  # R7
    inst = _instance(
        [
            _leader(f"L{i}", tier="county", region="A1", covers="village")
            for i in range(3)
        ]
    )
    res = assign_leaders(inst)
    assert list(res.area) == ["a1x", "a1y", "a1x"]
    assert _contacts(inst, res) == ["a1x", "a1y", "a1x"]
    # the second leader of a1x takes the next five
    assert _ids_of(inst, res, 2) == [f"a1x-{i:02d}" for i in range(2, 7)]


def test_groups_are_independent():  # R7
    inst = _instance(
        [
            _leader("P1"),
            _leader("F1", tier="prefecture", region="A", covers="county"),
            _leader("F2", tier="prefecture", region="B", covers="county"),
        ]
    )
    res = assign_leaders(inst)
    assert list(res.area) == ["A", "A1", "B1"]
    # P1 and F1 both land in A1's a1x? P1 has A → a1x; F1 avoids sharing
    assert _contacts(inst, res) == ["a1x", "a1y", "b1x"]


def test_wrong_region_for_tier_is_infeasible():  # R7
    with pytest.raises(Infeasible) as err:
        assign_leaders(_instance([_leader("L1", region="A")]))
    (cause,) = err.value.causes
    assert cause.rule == "R7" and cause.region == "L1"
    assert "prefecture" in cause.message


def test_area_without_poor_village_is_infeasible():  # R7
    leaders = [
        _leader("L1", tier="county", region="B3", covers=""),
        _leader("L2", area_id="b2n"),
        _leader("L3", tier="county", region="A2", covers="key_county"),
    ]
    with pytest.raises(Infeasible) as err:
        assign_leaders(_instance(leaders))
    assert sorted(c.region for c in err.value.causes) == ["L1", "L2", "L3"]
    assert all(c.rule == "R7" and c.fix for c in err.value.causes)


def test_households_are_disjoint_and_in_the_contact_village():  # R7
    inst = _instance(
        [_leader(f"L{i}") for i in range(5)]
        + [_leader(f"K{i}", covers="county") for i in range(5)]
    )
    res = assign_leaders(inst)
    assert len(np.unique(res.households)) == len(res.households)
    assert np.all(inst.h_village[res.households] == res.contact[res.household_leader])
    assert np.all(inst.v_poor[res.contact])
