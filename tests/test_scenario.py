"""What-if changes (pairing.scenario): each does what it says, none mutates."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from builders import make_instance
from conftest import tiny_frames, tiny_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing import InputError, Instance
from pairing.plan import Plan
from pairing.scenario import (
    CHANGES,
    CadresJoin,
    CadresLeave,
    CadresLeaveShare,
    Change,
    HouseholdsAdd,
    HouseholdsLeave,
    KeyCountyAdd,
    RuleChange,
    Scenario,
    UnitsMerge,
    UnitSplit,
    UnitStrength,
)


def _copy(instance: Instance) -> dict[str, pd.DataFrame]:
    return {k: v.copy(deep=True) for k, v in instance.tables.items()}


def _same(instance: Instance, before: dict[str, pd.DataFrame]) -> None:
    assert set(instance.tables) == set(before)
    for name, df in before.items():
        pd.testing.assert_frame_equal(instance.tables[name], df, check_exact=True)


@pytest.fixture
def inst() -> Instance:
    return Instance.from_tables(tiny_frames())


def _problem(exc: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


# -- each change ---------------------------------------------------------------


def test_cadres_leave(inst: Instance) -> None:
    before = _copy(inst)
    new = CadresLeave(["22-A-02", "2201-A-03"]).apply(inst)
    assert len(new.cadres) == len(inst.cadres) - 2
    assert not new.cadres["cadre_id"].isin(["22-A-02", "2201-A-03"]).any()
    assert new is not inst
    _same(inst, before)


def test_cadres_leave_unknown_names_the_change(inst: Instance) -> None:
    with pytest.raises(InputError) as exc:
        Scenario("s", (KeyCountyAdd("220102"), CadresLeave(["nope"]))).apply(inst)
    p = exc.value.problems[0]
    assert p.table == "scenario"
    assert p.id == "s step 2: cadres_leave"
    assert p.column == "cadre_ids"
    assert "nope" in p.found


def test_cadres_leave_share_is_deterministic_and_spares_heads(inst: Instance) -> None:
    change = CadresLeaveShare(0.2, seed=7)
    a, b = change.chosen(inst), change.chosen(inst)
    assert a == b
    assert len(a) == round(0.2 * len(inst.cadres))
    heads = set(inst.cadres.loc[inst.cadres["is_head"], "cadre_id"])
    assert not heads & set(a)
    # independent of row order
    shuffled = Instance.from_tables(
        {**inst.tables, "cadres": inst.cadres.sample(frac=1, random_state=3)}
    )
    assert change.chosen(shuffled) == a
    assert CadresLeaveShare(0.2, seed=8).chosen(inst) != a
    new = change.apply(inst)
    assert len(new.cadres) == len(inst.cadres) - len(a)
    assert change.resolve(inst) == CadresLeave(a)


def test_cadres_leave_share_heads_and_bounds(inst: Instance) -> None:
    everyone = CadresLeaveShare(1.0, seed=0)
    n_heads = int(inst.cadres["is_head"].sum())
    assert len(everyone.chosen(inst)) == len(inst.cadres) - n_heads
    with_heads = CadresLeaveShare(1.0, seed=0, include_heads=True)
    assert len(with_heads.chosen(inst)) == len(inst.cadres)
    with pytest.raises(InputError):
        CadresLeaveShare(1.5)


def test_cadres_join(inst: Instance) -> None:
    before = _copy(inst)
    rows = [
        {"cadre_id": "N-1", "unit_id": "22-A", "rank": 2},
        {"cadre_id": "N-2", "unit_id": "2201-A", "rank": "3", "max_households": 4},
    ]
    new = CadresJoin(rows).apply(inst)
    _same(inst, before)
    c = new.cadres.set_index("cadre_id")
    assert c.loc["N-1", "unit_id"] == "22-A"
    assert c.loc["N-2", "rank"] == 3
    assert c.loc["N-2", "max_households"] == 4
    assert not c.loc["N-1", "is_head"]
    assert new.u_cadres[new.unit_index.get_loc("22-A")] == 7


def test_cadres_join_bad_references(inst: Instance) -> None:
    with pytest.raises(InputError) as exc:
        CadresJoin([{"cadre_id": "22-A-01", "unit_id": "zz", "rank": 1}]).apply(inst)
    text = _problem(exc)
    assert "zz" in text and "22-A-01" in text


def test_units_merge(inst: Instance) -> None:
    before = _copy(inst)
    # move the resident team and the claim onto units that merge
    tables = dict(inst.tables)
    tables["resident_teams"] = pd.DataFrame(
        {"village_id": ["220102001"], "unit_id": ["2202-A"], "kind": ["work_team"]}
    )
    base = Instance.from_tables(tables)
    new = UnitsMerge(["2202-A"], into="2201-A").apply(base)
    assert "2202-A" not in set(new.units["unit_id"])
    moved = new.cadres[new.cadres["cadre_id"].str.startswith("2202-A")]
    assert (moved["unit_id"] == "2201-A").all()
    assert not moved["is_head"].any()  # 2201-A keeps its own head
    assert new.c_head[new.c_unit == new.unit_index.get_loc("2201-A")].sum() == 1
    assert list(new.resident_teams["unit_id"]) == ["2201-A"]
    _same(inst, before)


def test_units_merge_strength_sums_and_tiers_checked(inst: Instance) -> None:
    new = UnitsMerge(["22-B"], into="22-A").apply(inst)
    # 22-B states 12; 22-A has none: its 6 cadres count
    assert new.units.set_index("unit_id").loc["22-A", "strength"] == 18.0
    with pytest.raises(InputError) as exc:
        UnitsMerge(["22-A"], into="2201-A").apply(inst)
    assert "tier" in _problem(exc)
    with pytest.raises(InputError):
        UnitsMerge(["nope"], into="22-A").apply(inst)


def test_units_merge_head_when_survivor_has_none(inst: Instance) -> None:
    tables = dict(inst.tables)
    tables["cadres"] = inst.cadres.assign(
        is_head=inst.cadres["is_head"] & (inst.cadres["unit_id"] != "22-A")
    )
    base = Instance.from_tables(tables)
    new = UnitsMerge(["22-B"], into="22-A").apply(base)
    heads = new.cadres.loc[new.cadres["is_head"] & (new.cadres["unit_id"] == "22-A")]
    assert list(heads["cadre_id"]) == ["22-B-01"]


def test_units_merge_moves_claims(inst: Instance) -> None:
    tables = dict(inst.tables)
    units = inst.units
    extra = units[units["unit_id"] == "S-1"].assign(unit_id="S-2", name="另一企业")
    tables["units"] = pd.concat([units, extra], ignore_index=True)
    tables["claims"] = pd.DataFrame(
        {"unit_id": ["S-1", "S-2"], "village_id": ["220101002", "220101002"]}
    )
    base = Instance.from_tables(tables)
    new = UnitsMerge(["S-2"], into="S-1").apply(base)
    assert new.claims.to_dict("records") == [
        {"unit_id": "S-1", "village_id": "220101002"}
    ]


def test_unit_split(inst: Instance) -> None:
    before = _copy(inst)
    change = UnitSplit("22-B", "22-C", ["22-B-05", "22-B-06"])
    new = change.apply(inst)
    _same(inst, before)
    units = new.units.set_index("unit_id")
    assert units.loc["22-C", "tier"] == "province"
    assert units.loc["22-C", "region_id"] == "22"
    # 22-B stated strength 12: split 4/6 and 2/6
    assert units.loc["22-B", "strength"] == pytest.approx(8.0)
    assert units.loc["22-C", "strength"] == pytest.approx(4.0)
    c = new.cadres.set_index("cadre_id")["unit_id"]
    assert c["22-B-05"] == c["22-B-06"] == "22-C"
    assert c["22-B-01"] == "22-B"


def test_unit_split_checks(inst: Instance) -> None:
    with pytest.raises(InputError) as exc:
        UnitSplit("22-B", "22-C", ["22-A-02"]).apply(inst)
    assert "a cadre of unit 22-B" in _problem(exc)
    every = tuple(inst.cadres.loc[inst.cadres["unit_id"] == "22-B", "cadre_id"])
    with pytest.raises(InputError):
        UnitSplit("22-B", "22-C", every).apply(inst)
    with pytest.raises(InputError):
        UnitSplit("22-B", "22-A", ["22-B-02"]).apply(inst)


def test_households_add_and_leave(inst: Instance) -> None:
    before = _copy(inst)
    add = HouseholdsAdd(
        [
            {
                "household_id": "90001",
                "village_id": "220101001",
                "members": 3,
                "severity": 2.5,
            },
            {
                "household_id": "90002",
                "village_id": "220102002",
                "members": 1,
                "severity": 1.0,
                "cause": "因病",
            },
        ]
    )
    new = add.apply(inst)
    assert len(new.households) == len(inst.households) + 2
    assert new.h_scattered[-1]  # 220102002 is not a poor village
    gone = HouseholdsLeave(["00001", "90002"]).apply(new)
    assert len(gone.households) == len(inst.households)
    assert "00001" not in set(gone.households["household_id"])
    _same(inst, before)
    with pytest.raises(InputError) as exc:
        HouseholdsLeave(["99999"]).apply(inst)
    assert "99999" in _problem(exc)
    with pytest.raises(InputError) as exc:
        HouseholdsAdd(
            [{"household_id": "00001", "village_id": "x", "members": 1, "severity": 1}]
        ).apply(inst)
    assert "00001" in _problem(exc) and "'x'" in _problem(exc)


def test_households_add_bad_value_names_the_change(inst: Instance) -> None:
    bad = HouseholdsAdd(
        [{"household_id": "9", "village_id": "220101001", "members": 0, "severity": 1}]
    )
    with pytest.raises(InputError) as exc:
        Scenario("bad", (bad,)).apply(inst)
    assert exc.value.problems[0].id == "bad step 1: households_add"
    assert exc.value.problems[1].table == "households"


def test_key_county_add(inst: Instance) -> None:
    before = _copy(inst)
    assert not inst.r_key[inst.region_index.get_loc("220102")]
    new = KeyCountyAdd("220102").apply(inst)
    assert new.r_key[new.region_index.get_loc("220102")]
    assert new.r_key.sum() == inst.r_key.sum() + 1
    _same(inst, before)
    with pytest.raises(InputError) as exc:
        KeyCountyAdd("2201").apply(inst)
    assert "prefecture" in _problem(exc)
    with pytest.raises(InputError):
        KeyCountyAdd("999").apply(inst)


def test_unit_strength(inst: Instance) -> None:
    new = UnitStrength("22-A", 30).apply(inst)
    assert new.u_strength[new.unit_index.get_loc("22-A")] == 30.0
    assert np.isnan(inst.units.set_index("unit_id").loc["22-A", "strength"])
    with pytest.raises(InputError):
        UnitStrength("22-A", 0)
    with pytest.raises(InputError):
        UnitStrength("zz", 3).apply(inst)


def test_rule_change(inst: Instance) -> None:
    change = RuleChange(max_households=4, weights={"continuity": 5})
    new = change.apply(inst)
    assert new.rules.max_households == 4
    assert new.rules.weights.continuity == 5
    assert new.rules.weights.tier == inst.rules.weights.tier
    assert inst.rules.max_households == 5
    assert (new.c_cap <= 4).all()
    vpu = RuleChange(villages_per_unit={"county": [0, 2]}).apply(inst).rules
    assert vpu.villages_per_unit["county"] == (0, 2)
    assert vpu.villages_per_unit["province"] == inst.rules.villages_per_unit["province"]
    assert RuleChange({"max_households": 4}) == RuleChange(max_households=4)
    with pytest.raises(InputError):
        RuleChange(max_household=4)
    with pytest.raises(InputError):
        RuleChange(max_households=-1)


def test_make_instance_builder_works_too() -> None:
    rows = tiny_rows()
    inst = make_instance(**rows)
    new = CadresLeave(["22-A-02"]).apply(inst)
    assert len(new.cadres) == len(inst.cadres) - 1


# -- scenarios -------------------------------------------------------------------


def _every_change() -> Scenario:
    return Scenario(
        "every change",
        (
            CadresLeave(["22-A-02"]),
            CadresLeaveShare(0.1, seed=3),
            CadresJoin([{"cadre_id": "N1", "unit_id": "22-A", "rank": 2}]),
            UnitsMerge(["22-B"], into="22-A"),
            UnitSplit("2201-A", "2201-B", ["2201-A-03", "2201-A-04"], name="新单位"),
            HouseholdsAdd(
                [
                    {
                        "household_id": "X1",
                        "village_id": "220101001",
                        "members": 3,
                        "severity": 2.5,
                    }
                ]
            ),
            HouseholdsLeave(["00001"]),
            KeyCountyAdd("220102"),
            UnitStrength("22-A", 30),
            RuleChange(max_households=4, weights={"continuity": 5}),
        ),
    )


def test_scenario_applies_in_order(inst: Instance) -> None:
    before = _copy(inst)
    s = _every_change()
    assert {c.kind for c in s} == set(CHANGES)
    new = s.apply(inst)
    _same(inst, before)
    assert "22-B" not in set(new.units["unit_id"])
    assert "2201-B" in set(new.units["unit_id"])
    assert new.rules.max_households == 4
    text = s.describe()
    assert text.count("\n") == len(s)
    assert "merge into 22-A" in text


def test_scenario_json_round_trip(tmp_path, inst: Instance) -> None:
    s = _every_change()
    path = tmp_path / "what_if.json"
    s.save(path)
    back = Scenario.load(path)
    assert back == s
    json.loads(path.read_text(encoding="utf-8"))  # plain JSON
    pd.testing.assert_frame_equal(back.apply(inst).cadres, s.apply(inst).cadres)
    for c in s:
        assert Change.from_dict(c.to_dict()) == c


def test_scenario_table_round_trip(inst: Instance) -> None:
    s = _every_change()
    table = s.to_table()
    assert list(table.columns[:4]) == ["step", "kind", "id", "value"]
    assert Scenario.from_table(table, name=s.name) == s
    # without the step column, runs of the same kind group
    assert Scenario.from_table(table.drop(columns="step"), name=s.name) == s
    # as a CSV would give it back
    csv = pd.read_csv(
        pd.io.common.StringIO(table.to_csv(index=False)),
        dtype=str,
        keep_default_na=False,
    )
    assert Scenario.from_table(csv, name=s.name) == s


def test_scenario_from_hand_written_table(inst: Instance) -> None:
    table = pd.DataFrame(
        {
            "kind": ["CadresLeave", "cadres_leave", "key_county_add", "rule_change"],
            "id": ["22-A-02", "22-A-03", "220102", "max_households"],
            "value": ["", "", "", "4"],
        }
    )
    s = Scenario.from_table(table, name="hand")
    assert s.changes == (
        CadresLeave(["22-A-02", "22-A-03"]),
        KeyCountyAdd("220102"),
        RuleChange(max_households=4),
    )
    with pytest.raises(InputError):
        Scenario.from_table(pd.DataFrame({"kind": ["fly_away"], "id": ["x"]}))


def test_scenario_load_errors(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        Scenario.load(path)
    path.write_text(
        json.dumps({"name": "x", "changes": [{"kind": "cadres_leave", "who": []}]}),
        encoding="utf-8",
    )
    with pytest.raises(InputError):
        Scenario.load(path)


def test_scenario_composes(inst: Instance) -> None:
    a = Scenario("a", (KeyCountyAdd("220102"),))
    b = a + RuleChange(max_households=4)
    c = Scenario("c", (b, CadresLeave(["22-A-02"])))
    assert len(b) == 2 and len(c) == 3
    assert c.apply(inst).rules.max_households == 4
    assert Scenario("empty").apply(inst) is not inst


def test_rebase_renames_merged_units() -> None:
    plan = Plan(
        village_pairs=pd.DataFrame(
            {
                "village_id": ["v1", "v2"],
                "unit_id": ["22-B", "22-A"],
                "tier": ["province", "province"],
                "role": ["lead", "lead"],
                "continuity": [False, False],
            }
        ),
        household_pairs=pd.DataFrame(
            {
                "household_id": ["h1", "h2", "h3"],
                "responsible_id": ["22-B-02", "22-A-02", "L1"],
                "responsible_kind": ["cadre", "cadre", "leader"],
                "unit_id": ["22-B", "22-A", ""],
            }
        ),
        dispatch=pd.DataFrame(
            {"unit_id": ["22-B"], "cadre_id": ["22-B-01"], "is_head": [True]}
        ),
    )
    s = Scenario(
        "m",
        (UnitsMerge(["22-B"], into="22-A"), UnitSplit("22-A", "22-Z", ["22-A-02"])),
    )
    out = s.rebase(plan)
    assert list(out.village_pairs["unit_id"]) == ["22-A", "22-A"]
    assert list(out.household_pairs["unit_id"]) == ["22-A", "22-Z", ""]
    assert list(out.dispatch["unit_id"]) == ["22-A"]
    assert list(plan.village_pairs["unit_id"]) == ["22-B", "22-A"]  # untouched
    assert Scenario("none", (KeyCountyAdd("1"),)).rebase(plan) is plan


# -- property: no change ever mutates its input ----------------------------------

_INST = Instance.from_tables(tiny_frames())
_CADRES = list(_INST.cadres["cadre_id"])
_UNITS = list(_INST.units["unit_id"])
_HOUSEHOLDS = list(_INST.households["household_id"])
_COUNTIES = ["220101", "220102", "220201", "2201"]

_change = st.one_of(
    st.lists(st.sampled_from(_CADRES + ["nope"]), min_size=1, max_size=4).map(
        CadresLeave
    ),
    st.builds(
        CadresLeaveShare,
        st.floats(0, 0.5),
        st.integers(0, 50),
        st.booleans(),
    ),
    st.builds(
        lambda u, k: CadresJoin(
            [{"cadre_id": f"N{k}", "unit_id": u, "rank": 1 + k % 4}]
        ),
        st.sampled_from(_UNITS + ["zz"]),
        st.integers(0, 3),
    ),
    st.builds(
        lambda a, b: UnitsMerge([a], into=b),
        st.sampled_from(_UNITS),
        st.sampled_from(_UNITS),
    ),
    st.builds(
        lambda u, k: UnitSplit(u, f"{u}-new", [f"{u}-0{k}"]),
        st.sampled_from(_UNITS),
        st.integers(1, 4),
    ),
    st.builds(
        lambda v, k: HouseholdsAdd(
            [{"household_id": f"9{k}", "village_id": v, "members": 2, "severity": 1}]
        ),
        st.sampled_from(["220101001", "220102002", "nope"]),
        st.integers(0, 3),
    ),
    st.lists(st.sampled_from(_HOUSEHOLDS), min_size=1, max_size=5).map(HouseholdsLeave),
    st.sampled_from(_COUNTIES).map(KeyCountyAdd),
    st.builds(UnitStrength, st.sampled_from(_UNITS), st.floats(0.5, 50)),
    st.builds(
        lambda m, c: RuleChange(max_households=m, weights={"continuity": c}),
        st.integers(0, 8),
        st.floats(0, 20),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_change, min_size=1, max_size=5))
def test_random_change_sequences_never_mutate_the_input(changes) -> None:
    inst = Instance(dict(_INST.tables), _INST.rules)
    before = _copy(inst)
    rules = inst.rules
    s = Scenario("random", tuple(changes))
    try:
        new = s.apply(inst)
    except InputError as exc:
        assert exc.problems[0].table == "scenario"
        assert exc.problems[0].id.startswith("random step ")
    else:
        assert new is not inst
        assert Scenario.from_dict(json.loads(s.to_json())).apply(inst).tables.keys()
    _same(inst, before)
    assert inst.rules is rules
