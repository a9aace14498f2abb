"""`pairing inspect` figures (`pairing.figures`)."""

from __future__ import annotations

import pandas as pd

from pairing.figures import format_figures, inspect_figures
from pairing.instance import Instance


def test_counts_of_the_tiny_instance(tiny_instance):
    c = inspect_figures(tiny_instance)["counts"]
    assert c["regions_province"] == 1
    assert c["regions_prefecture"] == 2
    assert c["regions_county"] == 3
    assert c["key_counties"] == 1
    assert (c["villages_poor"], c["villages_non_poor"]) == (4, 2)
    assert c["households"] == 46
    assert c["households_scattered"] == 8
    assert c["people"] == int(tiny_instance.households["members"].sum())
    assert [
        c[f"units_{t}"] for t in ("province", "prefecture", "county", "social")
    ] == [
        2,
        2,
        3,
        1,
    ]
    assert [
        c[f"cadres_{t}"] for t in ("province", "prefecture", "county", "social")
    ] == [
        12,
        8,
        9,
        2,
    ]
    assert (c["leaders_province"], c["leaders_prefecture"], c["leaders_county"]) == (
        1,
        0,
        1,
    )
    assert (c["resident_teams"], c["claims"]) == (1, 1)


def test_county_table_matches_a_groupby(tiny_instance):
    figs = inspect_figures(tiny_instance)
    table = figs["counties"].set_index("county_id")
    inst = tiny_instance
    hh = inst.households.merge(inst.villages, on="village_id", suffixes=("", "_v"))
    scattered = hh[~hh["poor"]].groupby("county_id").size()
    in_poor = hh[hh["poor"]].groupby("county_id").size()
    assert (
        table["scattered"].to_dict()
        == scattered.reindex(table.index, fill_value=0).to_dict()
    )
    assert (
        table["poor_village_households"].to_dict()
        == in_poor.reindex(table.index, fill_value=0).to_dict()
    )
    assert table.loc["220101", "key"]
    assert table.loc["220102", "prefecture"] == "2201"
    # County-tier capacity: 3 cadres of 5 households in each county.
    assert table["county_capacity"].tolist() == [15, 15, 15]
    assert table["county_spare"].tolist() == [15, 10, 12]
    assert not table["short"].any()
    assert figs["flagged"] == []


def test_tier_table(tiny_instance):
    tiers = inspect_figures(tiny_instance)["tiers"].set_index("tier")
    assert tiers.loc["province", "capacity"] == 28 + 30  # one cadre capped at 3
    assert tiers.loc["province", "min_villages"] == 2
    assert tiers.loc["province", "max_villages"] == 4
    assert tiers.loc["social", "max_villages"] == 0  # social units never lead
    # Two province units, each at least one village of the mean size 38 / 4.
    assert tiers.loc["province", "households_needed"] == round(2 * 38 / 4)
    assert tiers.loc["county", "households_needed"] == 8  # the scattered ones


def test_a_county_short_of_capacity_is_flagged(tiny_tables):
    cadres = tiny_tables["cadres"].copy()
    cadres["max_households"] = cadres["max_households"].astype(object)
    cadres.loc[cadres["unit_id"] == "220102-A", "max_households"] = 0
    cadres.loc[cadres["unit_id"] == "2201-A", "max_households"] = 1
    tiny_tables["cadres"] = cadres
    figs = inspect_figures(Instance.from_tables(tiny_tables))
    table = figs["counties"].set_index("county_id")
    assert table.loc["220102", "county_spare"] == -5
    assert table.loc["220102", "short"]
    assert figs["flagged"] == ["220102"]
    text = format_figures(figs)
    assert "cannot all hold" in text and "R3 county 220102" in text


def test_inspect_reads_r3_as_the_prechecks_do(tiny_tables):
    """One reading (R3, R15): the counties ``inspect`` marks short are those the
    pre-checks name, directly or through their prefecture, and no others."""
    from pairing.precheck import precheck

    cadres = tiny_tables["cadres"].copy()
    cadres["max_households"] = cadres["max_households"].astype(object)
    seen = set()
    for cap in (5, 2, 1, 0):
        cadres.loc[cadres["unit_id"].str.endswith("-A"), "max_households"] = cap
        tiny_tables["cadres"] = cadres
        inst = Instance.from_tables(tiny_tables)
        causes = precheck(inst)
        figs = inspect_figures(inst)
        assert [str(c) for c in figs["causes"]] == [str(c) for c in causes]
        r3 = {c.region for c in causes if c.rule == "R3"}
        assert set(figs["flagged"]) == r3
        table = figs["counties"]
        short = set(table.loc[table["short"], "county_id"])
        by_pref = table["prefecture"].isin(r3) & (table["county_spare"] < 0)
        assert short == (set(table["county_id"]) & r3) | set(
            table.loc[by_pref, "county_id"]
        )
        assert all(c in format_figures(figs) for c in map(str, causes))
        seen.add(bool(r3))
    assert seen == {True, False}  # sound and unsound instances both met


def test_format_figures(tiny_instance):
    text = format_figures(inspect_figures(tiny_instance))
    assert "4 poor, 2 non-poor" in text
    assert "46 (138 people), 8 scattered" in text
    assert "农安县" in text
    assert "cannot all hold" not in text


def test_empty_optional_tables(tiny_tables):
    for name in ("leaders", "resident_teams", "claims"):
        del tiny_tables[name]
    tiny_tables["households"] = tiny_tables["households"].iloc[:0]
    figs = inspect_figures(Instance.from_tables(tiny_tables))
    assert figs["counts"]["households"] == 0
    assert isinstance(figs["counties"], pd.DataFrame)
    assert format_figures(figs)
