"""Household stage (R3, R5, R10, R12): golden cases with a known best answer."""

from __future__ import annotations

import numpy as np
import pytest
from builders import make_instance

from pairing.errors import Infeasible
from pairing.rules import Rules, Weights
from pairing.solver.households import assign_households

REGIONS = [
    {"region_id": "P", "level": "province"},
    {"region_id": "A", "level": "prefecture", "parent_id": "P"},
    {"region_id": "C1", "level": "county", "parent_id": "A"},
    {"region_id": "C2", "level": "county", "parent_id": "A"},
]


def _instance(households, units, cadres, villages=None, rules=None, heads=True):
    """The test's instance; with ``heads``, every unit without a head gets one
    who carries nothing (max_households 0), so that a unit with one carrier
    can still field a first team of 2 (R8) and the flow is what is tested."""
    if heads:
        have = {c["unit_id"] for c in cadres if c.get("is_head")}
        cadres = cadres + [
            {
                "cadre_id": f"{u['unit_id']}-head",
                "unit_id": u["unit_id"],
                "rank": 6,
                "is_head": True,
                "max_households": 0,
            }
            for u in units
            if u["unit_id"] not in have
        ]
    villages = villages or [
        {"village_id": "V1", "county_id": "C1", "poor": True, "severity": 1.0},
        {"village_id": "W1", "county_id": "C1", "poor": False, "severity": 0.0},
        {"village_id": "W2", "county_id": "C2", "poor": False, "severity": 0.0},
    ]
    return make_instance(
        rules,
        regions=REGIONS,
        villages=villages,
        households=households,
        units=units,
        cadres=cadres,
    )


def _hh(village, severities, start=0):
    return [
        {
            "household_id": f"{village}-{start + i}",
            "village_id": village,
            "members": 1,
            "severity": s,
        }
        for i, s in enumerate(severities)
    ]


def test_senior_cadre_takes_most_severe_households():  # R10
    inst = _instance(
        _hh("V1", [1.0, 5.0, 2.0, 4.0]),
        [{"unit_id": "U", "name": "u", "tier": "county", "region_id": "C1"}],
        [
            {"cadre_id": "junior", "unit_id": "U", "rank": 1, "max_households": 2},
            {"cadre_id": "senior", "unit_id": "U", "rank": 5, "max_households": 2},
        ],
    )
    lead = np.array([0, -1, -1])
    res = assign_households(inst, lead, np.zeros(0, dtype=np.int64))
    cadre = inst.cadre_index[res.cadre].to_numpy()
    assert list(cadre) == ["junior", "senior", "junior", "senior"]


def test_loads_are_even_within_a_rank():  # R12
    inst = _instance(
        _hh("V1", [1.0, 1.0, 1.0, 1.0]),
        [{"unit_id": "U", "name": "u", "tier": "county", "region_id": "C1"}],
        [{"cadre_id": f"c{i}", "unit_id": "U", "rank": 2} for i in range(4)],
    )
    res = assign_households(inst, np.array([0, -1, -1]), np.zeros(0, dtype=np.int64))
    assert sorted(np.bincount(res.cadre, minlength=4)) == [1, 1, 1, 1]


def test_prefecture_takes_exactly_the_county_overflow():  # R3
    inst = _instance(
        _hh("V1", [1.0, 1.0]) + _hh("W1", [1.0, 1.0, 1.0, 1.0]) + _hh("W2", [1.0]),
        [
            {"unit_id": "K1", "name": "county 1", "tier": "county", "region_id": "C1"},
            {"unit_id": "K2", "name": "county 2", "tier": "county", "region_id": "C2"},
            {
                "unit_id": "F",
                "name": "prefecture",
                "tier": "prefecture",
                "region_id": "A",
            },
        ],
        [
            {"cadre_id": "k1", "unit_id": "K1", "rank": 1, "max_households": 5},
            {"cadre_id": "k2", "unit_id": "K2", "rank": 1, "max_households": 5},
            {"cadre_id": "f", "unit_id": "F", "rank": 1, "max_households": 5},
        ],
    )
    # K1 leads V1 (2 households) and has room for 3 of W1's 4 scattered ones.
    res = assign_households(inst, np.array([0, -1, -1]), np.zeros(0, dtype=np.int64))
    unit_of = inst.c_unit[res.cadre]
    assert res.overflow == 1
    assert np.bincount(unit_of, minlength=3).tolist() == [5, 1, 1]
    w2 = inst.households["village_id"].to_numpy() == "W2"
    assert (unit_of[w2] == 1).all()  # C2's household stays in C2


def test_leader_households_are_left_out():  # R7
    inst = _instance(
        _hh("V1", [3.0, 2.0, 1.0]),
        [{"unit_id": "U", "name": "u", "tier": "county", "region_id": "C1"}],
        [{"cadre_id": "c", "unit_id": "U", "rank": 1}],
    )
    res = assign_households(inst, np.array([0, -1, -1]), np.array([0]))
    assert res.cadre[0] == -1 and (res.cadre[1:] == 0).all()


def test_capacity_shortfall_is_infeasible():  # R5
    inst = _instance(
        _hh("V1", [1.0] * 6),
        [{"unit_id": "U", "name": "u", "tier": "county", "region_id": "C1"}],
        [{"cadre_id": "c", "unit_id": "U", "rank": 1}],
    )
    with pytest.raises(Infeasible):
        assign_households(inst, np.array([0, -1, -1]), np.zeros(0, dtype=np.int64))


def test_travel_picks_the_nearer_county_unit():  # R12 travel
    villages = [
        {
            "village_id": "V1",
            "county_id": "C1",
            "poor": True,
            "severity": 1.0,
            "x_km": 0.0,
            "y_km": 0.0,
        },
        {
            "village_id": "W1",
            "county_id": "C1",
            "poor": False,
            "severity": 0.0,
            "x_km": 50.0,
            "y_km": 0.0,
        },
        {"village_id": "W2", "county_id": "C2", "poor": False, "severity": 0.0},
    ]
    rules = Rules(weights=Weights(distance=1.0))
    inst = _instance(
        _hh("W1", [1.0, 2.0]),
        [
            {
                "unit_id": "far",
                "name": "far",
                "tier": "county",
                "region_id": "C1",
                "x_km": 0.0,
                "y_km": 0.0,
            },
            {
                "unit_id": "near",
                "name": "near",
                "tier": "county",
                "region_id": "C1",
                "x_km": 49.0,
                "y_km": 0.0,
            },
        ],
        [
            {"cadre_id": "a", "unit_id": "far", "rank": 1},
            {"cadre_id": "b", "unit_id": "near", "rank": 1},
        ],
        villages=villages,
        rules=rules,
    )
    res = assign_households(inst, np.array([-1, -1, -1]), np.zeros(0, dtype=np.int64))
    assert (inst.c_unit[res.cadre] == 1).all()


def test_keep_holds_valid_baseline_pairs_and_moves_the_rest():  # R14
    inst = _instance(
        _hh("V1", [1.0, 2.0, 3.0, 4.0]),
        [{"unit_id": "U", "name": "u", "tier": "county", "region_id": "C1"}],
        [
            {"cadre_id": "a", "unit_id": "U", "rank": 1, "max_households": 2},
            {"cadre_id": "b", "unit_id": "U", "rank": 1, "max_households": 2},
            {"cadre_id": "c", "unit_id": "U", "rank": 1, "max_households": 2},
        ],
    )
    lead = np.array([0, -1, -1])
    none = np.zeros(0, dtype=np.int64)
    # an unusual but valid baseline: a takes 0 and 3, c takes 1 and 2
    keep = np.array([0, 2, 2, 0])
    res = assign_households(inst, lead, none, keep=keep)
    assert res.cadre.tolist() == keep.tolist()
    # a over its cap: its least severe extra household moves, the rest stay
    keep = np.array([0, 0, 0, 2])
    res = assign_households(inst, lead, none, keep=keep)
    assert res.cadre[1:].tolist() == [0, 0, 2]
    assert res.cadre[0] != 0 and np.bincount(res.cadre).max() <= 2


def test_units_that_cannot_field_a_team_get_nothing():  # R8, R3
    """K1b (one cadre, no head) could never send the 2 its first team needs:
    C1's scattered households go to K1 only, the rest to the prefecture."""
    inst = _instance(
        _hh("W1", [1.0] * 7),
        [
            {"unit_id": "K1", "name": "k1", "tier": "county", "region_id": "C1"},
            {"unit_id": "K1b", "name": "k1b", "tier": "county", "region_id": "C1"},
            {"unit_id": "F", "name": "f", "tier": "prefecture", "region_id": "A"},
        ],
        [
            {"cadre_id": "a", "unit_id": "K1", "rank": 1, "max_households": 3},
            {"cadre_id": "b", "unit_id": "K1", "rank": 1, "max_households": 3},
            {"cadre_id": "lone", "unit_id": "K1b", "rank": 1, "max_households": 5},
            {"cadre_id": "f1", "unit_id": "F", "rank": 1},
            {"cadre_id": "f2", "unit_id": "F", "rank": 1},
        ],
        heads=False,
    )
    res = assign_households(inst, np.full(3, -1), np.zeros(0, dtype=np.int64))
    who = inst.cadre_index[res.cadre].to_numpy()
    assert "lone" not in who
    assert res.overflow == 1


def test_counties_on_their_own_keep_the_optimum(monkeypatch):  # R3, R12
    """Counties whose county tier can carry them are solved alone: the optimal
    cost and the prefecture overflow are those of whole prefectures."""
    from pairing.generate import generate_with_reference
    from pairing.solver import households as hs

    inst, ref = generate_with_reference(8_600, seed=1, short_counties=3)
    lead = np.full(len(inst.villages), -1, dtype=np.int64)
    lead[inst.village_index.get_indexer(ref["village_id"])] = (
        inst.unit_index.get_indexer(ref["unit_id"])
    )
    none = np.zeros(0, dtype=np.int64)
    split = assign_households(inst, lead, none, reserve=0.05)
    whole_parts = hs.components

    def whole(instance, lead, todo, cap):
        return whole_parts(instance, lead, todo, cap, split=False)

    monkeypatch.setattr(hs, "components", whole)
    joint = assign_households(inst, lead, none, reserve=0.05)
    assert split.overflow == joint.overflow > 0
    assert split.objective == joint.objective
    assert split.arcs < joint.arcs
    load = np.bincount(split.cadre[split.cadre >= 0], minlength=len(inst.cadres))
    assert np.all(load <= inst.c_cap)
