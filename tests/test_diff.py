"""Plan comparison (pairing.diff): empty on itself, exact on hand-made moves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_frames

from pairing import Instance
from pairing.cli import main
from pairing.diff import PlanDiff, diff_plans
from pairing.plan import Plan


@pytest.fixture
def inst() -> Instance:
    return Instance.from_tables(tiny_frames())


def _plan(inst: Instance) -> Plan:
    """A hand-made plan of the tiny instance (every household by a cadre -02)."""
    vp = pd.DataFrame(
        {
            "village_id": ["220101001", "220101002", "220102001", "220201001"]
            + ["220101002"],
            "unit_id": ["22-A", "22-B", "2201-A", "2202-A", "S-1"],
            "tier": ["province", "province", "prefecture", "prefecture", "social"],
            "role": ["lead"] * 4 + ["supplementary"],
            "continuity": [False, False, True, False, False],
        }
    )
    lead = dict(zip(vp["village_id"][:4], vp["unit_id"][:4], strict=True))
    lead |= {"220102002": "220102-A", "220201002": "220201-A"}
    hh = inst.households
    unit = hh["village_id"].map(lead)
    hp = pd.DataFrame(
        {
            "household_id": hh["household_id"],
            "responsible_id": unit + "-02",
            "responsible_kind": "cadre",
            "unit_id": unit,
        }
    )
    return Plan(
        village_pairs=vp,
        household_pairs=hp.astype("str"),
        leader_areas=pd.DataFrame(
            {"leader_id": ["L-22-1", "L-220201-1"], "area_id": ["220101", "220201"]}
        ),
        leader_contacts=pd.DataFrame(
            {
                "leader_id": ["L-22-1", "L-220201-1"],
                "village_id": ["220101001", "220201001"],
            }
        ),
        dispatch=pd.DataFrame(
            {
                "unit_id": ["22-A", "22-B", "22-B"],
                "cadre_id": ["22-A-01", "22-B-01", "22-B-02"],
                "is_head": [True, True, False],
            }
        ),
        info={
            "status": "optimal",
            "objective": 3.0,
            "gap": 0.0,
            "seconds": {"total": 1.5},
            "soft": {
                "R9": {"inverted_share": 0.1},
                "R11": {"kept": 1, "keepable": 1, "breaks": []},
            },
        },
    )


def _moved(p: Plan) -> Plan:
    """``p`` with known moves (see the test below)."""
    vp = p.village_pairs.copy()
    vp.loc[0, "unit_id"], vp.loc[1, "unit_id"] = "22-B", "22-A"  # swap province
    vp.loc[3, ["unit_id", "tier"]] = ["220201-A", "county"]  # down a tier
    vp = vp[vp["role"] == "lead"]  # the claim is dropped
    hp = p.household_pairs.copy()
    hp.loc[0, "responsible_id"] = "22-A-03"  # same unit, another cadre
    hp.loc[1, "unit_id"] = "22-X"  # same person, renamed unit
    hp = hp.iloc[:-1]  # the last household left
    extra = pd.DataFrame(
        {
            "household_id": ["NEW"],
            "responsible_id": ["22-A-04"],
            "responsible_kind": ["cadre"],
            "unit_id": ["22-A"],
        }
    )
    hp = pd.concat([hp, extra], ignore_index=True).sample(frac=1, random_state=1)
    lc = p.leader_contacts.assign(village_id=["220101002", "220201001"])
    dp = pd.concat(
        [
            p.dispatch.iloc[:2],
            pd.DataFrame(
                {
                    "unit_id": ["220201-A"],
                    "cadre_id": ["220201-A-01"],
                    "is_head": [True],
                }
            ),
        ],
        ignore_index=True,
    )
    info = {
        "status": "feasible",
        "objective": 2.5,
        "soft": {"R9": {"inverted_share": 0.25}, "R11": {"kept": 1}},
    }
    return Plan(
        village_pairs=vp,
        household_pairs=hp,
        leader_areas=p.leader_areas,
        leader_contacts=lc,
        dispatch=dp,
        info=info,
    )


def test_diff_with_itself_is_empty(inst: Instance) -> None:
    p = _plan(inst)
    for d in (diff_plans(p, p), diff_plans(p, p, inst)):
        assert isinstance(d, PlanDiff)
        assert d.empty
        assert all(v == 0 for v in d.counts().values())
        assert "no pairing changed" in d.summary()
        assert (d.soft["delta"].fillna(0) == 0).all()


def test_diff_of_reordered_copy_is_empty(inst: Instance) -> None:
    p = _plan(inst)
    q = Plan(
        village_pairs=p.village_pairs.iloc[::-1],
        household_pairs=p.household_pairs.sample(frac=1, random_state=0),
        leader_areas=p.leader_areas,
        leader_contacts=p.leader_contacts,
        dispatch=p.dispatch.iloc[::-1],
    )
    assert diff_plans(p, q).empty


def test_diff_finds_known_moves(inst: Instance) -> None:
    a = _plan(inst)
    a_copy = {k: v.copy() for k, v in a.tables.items()}
    b = _moved(a)
    d = diff_plans(a, b, inst)
    for k, v in a.tables.items():  # inputs untouched
        pd.testing.assert_frame_equal(v, a_copy[k])

    v = d.villages.set_index("village_id")
    assert set(v.index) == {"220101001", "220101002", "220201001"}
    assert v.loc["220101001", ["before", "after"]].tolist() == ["22-A", "22-B"]
    assert v.loc["220201001", ["tier_before", "tier_after"]].tolist() == [
        "prefecture",
        "county",
    ]
    assert v.loc["220201001", "county_id"] == "220201"
    assert v.loc["220201001", "prefecture_id"] == "2202"
    assert (v["change"] == "moved").all()

    assert d.supplementary.to_dict("records") == [
        {"village_id": "220101002", "unit_id": "S-1", "change": "removed"}
    ]

    h = d.households.set_index("household_id")
    assert h.loc["00001", ["before", "after", "change"]].tolist() == [
        "22-A-02",
        "22-A-03",
        "moved",
    ]
    assert h.loc["00002", "change"] == "unit"
    assert h.loc["00002", ["unit_before", "unit_after"]].tolist() == ["22-A", "22-X"]
    assert h.loc["00046", "change"] == "removed"
    assert h.loc["00046", "after"] == ""
    assert h.loc["NEW", "change"] == "added"
    assert h.loc["NEW", "before"] == ""
    # the 8 households of 220201001 (led by 2202-A before) keep 2202-A-02 here
    counts = d.counts()
    assert counts["villages_moved"] == 3
    assert counts["households_moved"] == 1
    assert counts["households_unit"] == 1
    assert counts["households_added"] == counts["households_removed"] == 1
    assert counts["supplementary_removed"] == 1
    assert counts["leaders_moved"] == 1
    assert counts["dispatch_added"] == 1 and counts["dispatch_removed"] == 1

    lead = d.leaders.set_index("leader_id")
    assert lead.loc["L-22-1", ["contact_before", "contact_after"]].tolist() == [
        "220101001",
        "220101002",
    ]
    dp = d.dispatch.set_index("cadre_id")
    assert dp.loc["22-B-02", "change"] == "removed"
    assert dp.loc["220201-A-01", "change"] == "added"
    assert bool(dp.loc["220201-A-01", "is_head"])

    t = d.by_tier
    assert t.loc["province", "villages_out"] == 2
    assert t.loc["prefecture", "villages_a"] == 2
    assert t.loc["prefecture", "villages_b"] == 1
    assert t.loc["county", "villages_in"] == 1
    assert t.loc["province", "households_out"] == 1

    c = d.by_county.set_index("region_id")
    assert c.loc["220101", "villages_moved"] == 2
    assert c.loc["220201", "villages_moved"] == 1
    assert c.loc["220102", "villages_moved"] == 0
    assert c.loc["220101", "households_moved"] == 1
    pref = d.by_prefecture.set_index("region_id")
    assert pref.loc["2201", "villages"] == 3
    assert pref.loc["2202", "villages_moved"] == 1

    soft = d.soft.set_index("figure")
    assert soft.loc["objective", "delta"] == pytest.approx(-0.5)
    assert soft.loc["soft.R9.inverted_share", "delta"] == pytest.approx(0.15)
    assert soft.loc["soft.R11.keepable", "b"] is None

    text = d.summary()
    assert "3 of 4 changed lead unit" in text
    assert "prefecture → county 1" in text
    assert "1 of 46 changed responsible person" in text
    assert "inverted_share" in text
    assert set(d.to_frames()) >= {"villages", "households", "by_tier", "soft"}


def test_diff_tolerates_missing_figures(inst: Instance) -> None:
    a = _plan(inst)
    b = Plan(**{k: v for k, v in a.tables.items()})  # no info at all
    d = diff_plans(a, b)
    assert d.empty
    assert d.by_prefecture is None
    assert "no pairing changed" in d.summary()
    assert diff_plans(Plan(), Plan()).soft.empty


def test_diff_cli(tmp_path, inst: Instance, capsys) -> None:
    a = _plan(inst)
    a.save(tmp_path / "a")
    _moved(a).save(tmp_path / "b", format="csv")
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "3 of 4 changed lead unit" in out


def test_diff_scales(inst: Instance) -> None:
    """A 430,000-household comparison is vectorised (a couple of seconds)."""
    import time

    n = 430_000
    ids = pd.Series(np.arange(n).astype(str), dtype="str")
    cadre = pd.Series((np.arange(n) // 5).astype(str), dtype="str")
    hp = pd.DataFrame(
        {
            "household_id": ids,
            "responsible_id": cadre,
            "responsible_kind": "cadre",
            "unit_id": "u",
        }
    ).astype("str")
    hp2 = hp.copy()
    hp2.loc[::100, "responsible_id"] = "x"
    a = Plan(household_pairs=hp)
    b = Plan(household_pairs=hp2.sample(frac=1, random_state=0))
    t0 = time.perf_counter()
    d = diff_plans(a, b)
    assert time.perf_counter() - t0 < 20
    assert d.counts()["households_moved"] == n // 100
