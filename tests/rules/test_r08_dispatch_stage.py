"""Dispatch stage (R8): golden kick-off teams and the repair before them."""

from __future__ import annotations

import numpy as np
from builders import cadres, make_instance, province, solved, unit

from pairing.solver.dispatch import dispatch, repair_for_dispatch

REGIONS = [
    {"region_id": "P", "level": "province"},
    {"region_id": "A", "level": "prefecture", "parent_id": "P"},
    {"region_id": "C1", "level": "county", "parent_id": "A"},
]
VILLAGES = [
    {"village_id": "V1", "county_id": "C1", "poor": True, "severity": 3.0},
    {"village_id": "V2", "county_id": "C1", "poor": True, "severity": 2.0},
    {"village_id": "V3", "county_id": "C1", "poor": True, "severity": 1.0},
    {"village_id": "W", "county_id": "C1", "poor": False, "severity": 0.0},
]
UNITS = [
    {"unit_id": "PU", "name": "province unit", "tier": "province", "region_id": "P"},
    {
        "unit_id": "FU",
        "name": "prefecture unit",
        "tier": "prefecture",
        "region_id": "A",
    },
    {"unit_id": "KU", "name": "county unit", "tier": "county", "region_id": "C1"},
    {"unit_id": "IDLE", "name": "no village", "tier": "county", "region_id": "C1"},
]


def _instance(cadres, households):
    return make_instance(
        regions=REGIONS,
        villages=VILLAGES,
        households=households,
        units=UNITS,
        cadres=cadres,
    )


def _hh(village, n, start=0):
    return [
        {
            "household_id": f"{village}-{start + i}",
            "village_id": village,
            "members": 1,
            "severity": float(i),
        }
        for i in range(n)
    ]


def _cad(cid, unit, rank=1, **extra):
    return {"cadre_id": cid, "unit_id": unit, "rank": rank, **extra}


def _team(teams, unit):
    return list(teams.loc[teams["unit_id"] == unit, "cadre_id"])


def _assign(inst, pairs):
    """h_cadre from ``{household_id: cadre_id}`` (-1 elsewhere)."""
    out = np.full(len(inst.households), -1, dtype=np.int64)
    hid = list(inst.households["household_id"])
    for h, c in pairs.items():
        out[hid.index(h)] = inst.cadre_index.get_loc(c)
    return out


LEAD = np.array([0, 1, 2, -1])  # V1→PU, V2→FU, V3→KU; W not poor


def test_team_sizes_per_tier_and_head_first():  # R8
    cadres = (
        [_cad("p-head", "PU", 9, is_head=True)]
        + [_cad(f"p{i}", "PU", rank=i) for i in range(1, 8)]
        + [_cad(f"f{i}", "FU", rank=i) for i in range(1, 5)]
        + [_cad(f"k{i}", "KU", rank=1) for i in range(1, 4)]
        + [_cad("k-head", "KU", 5, is_head=True)]
        + [_cad("i1", "IDLE"), _cad("i2", "IDLE")]
    )
    hh = _hh("V1", 7) + _hh("V2", 4) + _hh("V3", 3) + _hh("W", 3)
    inst = _instance(cadres, hh)
    pairs = {f"V1-{i}": f"p{i + 1}" for i in range(7)}
    pairs |= {f"V2-{i}": f"f{i + 1}" for i in range(4)}
    pairs |= {"V3-0": "k1", "V3-1": "k2", "V3-2": "k2", "W-0": "k3"}
    pairs |= {"W-1": "i2", "W-2": "i1"}
    teams, shortfall = dispatch(inst, LEAD, _assign(inst, pairs))
    assert list(teams.columns) == ["unit_id", "cadre_id", "is_head"]
    # province: exactly 5, the head (not responsible for any household) first
    assert _team(teams, "PU") == ["p-head", "p7", "p6", "p5", "p4"]
    # prefecture: local_max 3, most senior
    assert _team(teams, "FU") == ["f4", "f3", "f2"]
    # county: head + 2 (the heavier of C1's two units with a task sends 3);
    # k2 (2 households) first, then k1 and k3 (one each) by cadre id
    assert _team(teams, "KU") == ["k-head", "k2", "k1"]
    # amended R8: a unit leading no village but carrying (scattered)
    # households sends a team too; the lighter half of the county sends 2
    assert _team(teams, "IDLE") == ["i1", "i2"]
    assert teams["is_head"].tolist() == [True] + [False] * 4 + [False] * 3 + [
        True,
        False,
        False,
    ] + [False, False]
    assert shortfall == []


def test_ties_by_households_then_cadre_id():  # R8
    cadres = [_cad(c, "FU", rank=2) for c in ("b", "a", "c", "d")]
    inst = _instance(cadres, _hh("V2", 5))
    h = _assign(inst, {"V2-0": "b", "V2-1": "a", "V2-2": "c", "V2-3": "d", "V2-4": "d"})
    teams, _ = dispatch(inst, LEAD, h)
    assert _team(teams, "FU") == ["d", "a", "b"]


def test_shortfall_is_reported_and_all_eligible_dispatched():  # R8
    cadres = [_cad(f"p{i}", "PU") for i in range(3)] + [_cad("k1", "KU")]
    inst = _instance(cadres, _hh("V1", 6) + _hh("V3", 2))
    pairs = {f"V1-{i}": f"p{i % 3}" for i in range(6)} | {"V3-0": "k1", "V3-1": "k1"}
    teams, shortfall = dispatch(inst, np.array([0, -1, 2, -1]), _assign(inst, pairs))
    assert sorted(_team(teams, "PU")) == ["p0", "p1", "p2"]
    assert _team(teams, "KU") == ["k1"]
    assert shortfall == [(0, 5, 3), (2, 2, 1)]


def test_head_alone_counts_towards_the_minimum():  # R8
    cadres = [_cad("h", "KU", 3, is_head=True), _cad("k1", "KU")]
    inst = _instance(cadres, _hh("V3", 2))
    teams, shortfall = dispatch(
        inst, np.array([-1, -1, 2, -1]), _assign(inst, {"V3-0": "k1", "V3-1": "k1"})
    )
    assert _team(teams, "KU") == ["h", "k1"] and shortfall == []


def test_empty_when_no_unit_has_a_task():  # R8
    inst = _instance([_cad("k1", "KU")], _hh("W", 1))
    teams, shortfall = dispatch(inst, np.full(4, -1), np.full(1, -1))
    assert len(teams) == 0 and shortfall == []
    assert list(teams.columns) == ["unit_id", "cadre_id", "is_head"]


def test_scattered_households_alone_are_a_task():  # R8 as amended
    # the old reading (only units leading a village send a team) sent no one
    inst = _instance([_cad("k1", "KU"), _cad("k2", "KU")], _hh("W", 1))
    teams, shortfall = dispatch(inst, np.full(4, -1), _assign(inst, {"W-0": "k1"}))
    assert _team(teams, "KU") == ["k1"]
    assert shortfall == [(2, 2, 1)]


def test_repair_hands_households_to_idle_cadres():  # R8, R5, R3
    cadres = (
        [_cad("busy1", "PU", 3), _cad("busy2", "PU", 3)]
        + [_cad(f"idle{i}", "PU", rank=i) for i in range(1, 5)]
        + [_cad("zero", "PU", 9, max_households=0)]
        + [_cad("k1", "KU"), _cad("k2", "KU", 2)]
    )
    inst = _instance(cadres, _hh("V1", 10) + _hh("V3", 4) + _hh("W", 1))
    pairs = {f"V1-{i}": "busy1" if i % 2 else "busy2" for i in range(10)}
    pairs |= {f"V3-{i}": "k1" for i in range(3)} | {"W-0": "k1"}  # V3-3: leader
    h0 = _assign(inst, pairs)
    lead = np.array([0, -1, 2, -1])
    h1 = repair_for_dispatch(inst, lead, h0)
    teams, shortfall = dispatch(inst, lead, h1)
    assert shortfall == []
    assert sorted(_team(teams, "PU")) == ["busy1", "busy2", "idle2", "idle3", "idle4"]
    assert sorted(_team(teams, "KU")) == ["k1", "k2"]
    # every household keeps its unit; leaders' households untouched; caps kept
    assert np.array_equal(inst.c_unit[h1[h1 >= 0]], inst.c_unit[h0[h0 >= 0]])
    assert np.array_equal(h1 < 0, h0 < 0)
    load = np.bincount(h1[h1 >= 0], minlength=len(cadres))
    assert np.all(load <= inst.c_cap)
    # only the least severe households moved, one each
    moved = inst.households["household_id"].to_numpy()[h1 != h0]
    assert sorted(moved) == ["V1-0", "V1-1", "V1-3", "V3-0"]
    # the scattered household stays put
    assert h1[list(inst.households["household_id"]).index("W-0")] == h0[-1]


def test_repair_without_idle_cadres_changes_nothing():  # R8
    cadres = [_cad("k1", "KU"), _cad("k2", "KU", max_households=0)]
    inst = _instance(cadres, _hh("V3", 3))
    h0 = _assign(inst, {f"V3-{i}": "k1" for i in range(3)})
    h1 = repair_for_dispatch(inst, np.array([-1, -1, 2, -1]), h0)
    assert np.array_equal(h0, h1) and h1 is not h0
    _, shortfall = dispatch(inst, np.array([-1, -1, 2, -1]), h1)
    assert shortfall == [(2, 2, 1)]


def test_repair_keeps_single_household_cadres():  # R8
    # three cadres with one household each: no donor, nothing moves
    cadres = [_cad(f"p{i}", "PU") for i in range(3)] + [_cad("idle", "PU")]
    inst = _instance(cadres, _hh("V1", 3))
    h0 = _assign(inst, {f"V1-{i}": f"p{i}" for i in range(3)})
    h1 = repair_for_dispatch(inst, np.array([0, -1, -1, -1]), h0)
    assert np.array_equal(h0, h1)


def _county_case(idle_cadres):
    cadres = [_cad("k-head", "KU", 5, is_head=True)]
    cadres += [_cad(f"k{i}", "KU") for i in range(1, 4)] + idle_cadres
    inst = _instance(cadres, _hh("V3", 2) + _hh("W", 6))
    pairs = {"V3-0": "k3", "V3-1": "k3"} | {f"W-{i}": "k1" for i in range(5)}
    return inst, _assign(inst, pairs | {"W-5": "i1"})


def test_repair_takes_a_scattered_household_from_the_county():  # R8, R3, R5
    # a head-less county unit with one scattered household needs 2 carriers
    inst, h0 = _county_case([_cad("i1", "IDLE"), _cad("i2", "IDLE")])
    lead = np.array([-1, -1, 2, -1])
    assert dispatch(inst, lead, h0)[1] == [(3, 2, 1)]
    h1 = repair_for_dispatch(inst, lead, h0)
    teams, shortfall = dispatch(inst, lead, h1)
    assert shortfall == []
    assert _team(teams, "IDLE") == ["i1", "i2"]
    assert _team(teams, "KU") == ["k-head", "k1", "k3"]
    moved = inst.households["household_id"].to_numpy()[h1 != h0]
    assert list(moved) == ["W-0"]  # k1's least severe scattered household
    assert inst.cadre_index[h1[h1 != h0][0]] == "i2"
    load = np.bincount(h1[h1 >= 0], minlength=len(inst.cadres))
    assert np.all(load <= inst.c_cap)


def test_repair_gives_away_what_a_unit_cannot_field():  # R8, R3, R5
    # one cadre only: it can never send 2, so its household goes to a peer
    inst, h0 = _county_case([_cad("i1", "IDLE")])
    lead = np.array([-1, -1, 2, -1])
    h1 = repair_for_dispatch(inst, lead, h0)
    teams, shortfall = dispatch(inst, lead, h1)
    assert shortfall == [] and _team(teams, "IDLE") == []
    w5 = list(inst.households["household_id"]).index("W-5")
    assert inst.c_unit[h1[w5]] == inst.unit_index.get_loc("KU")
    load = np.bincount(h1[h1 >= 0], minlength=len(inst.cadres))
    assert np.all(load <= inst.c_cap)


def test_repair_never_moves_a_leading_units_village_households():  # R8, R3
    # IDLE leads nothing; KU's village households stay with KU
    inst, h0 = _county_case([_cad("i1", "IDLE")])
    lead = np.array([-1, -1, 2, -1])
    h1 = repair_for_dispatch(inst, lead, h0)
    village = inst.h_village
    poor = inst.v_poor[village]
    assert np.array_equal(h1[poor], h0[poor])


def _county_province(s_cadres):

    units = [
        unit("K", "county", "C", min_villages=1),
        unit("S", "county", "C", max_villages=0),
    ]
    return province(
        {"C": "A"},
        [("v1", "C", True, 2.0, 6), ("w1", "C", False, 0.0, 1)],
        units,
        cadres=cadres("K", 4) + s_cadres,
    )


def test_solve_gives_a_scattered_only_unit_a_team_or_no_task(monkeypatch):  # R8

    import pairing
    from pairing.solver import dispatch as dispatch_module

    # S has two cadres and no head: one scattered household cannot make its
    # team of 2, so the solver gives it away (the flow would have put it on an
    # idle S cadre: the even-load cost)
    s = [
        {"cadre_id": f"S-{i}", "unit_id": "S", "rank": 1, "is_head": False}
        for i in range(2)
    ]
    inst = _county_province(s)
    with monkeypatch.context() as m:  # without the repair: R8 is broken
        m.setattr(dispatch_module, "repair_teams", lambda i, lead, h: h.copy())
        raw = pairing.solve(inst, time_limit=10, seed=0)
        assert pairing.validate(inst, raw).rules() == {"R8"}
    plan = solved(inst)  # validated under the amended R8
    hp = plan.household_pairs.set_index("household_id")
    assert hp.loc["w1-h00", "unit_id"] == "K"
    assert "S" not in set(plan.dispatch["unit_id"])
    # with a head, one carrier is enough: S keeps it and sends head + carrier
    inst = _county_province([dict(s[0], is_head=True, rank=4, max_households=0), s[1]])
    plan = solved(inst)
    hp = plan.household_pairs.set_index("household_id")
    assert hp.loc["w1-h00", "unit_id"] == "S"
    assert sorted(plan.dispatch.loc[plan.dispatch["unit_id"] == "S", "cadre_id"]) == [
        "S-0",
        "S-1",
    ]
