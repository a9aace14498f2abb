"""Input checks and normalisation (`pairing.checks.check_tables`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pairing.checks import ROWS_PER_KIND, check_tables, empty_frame
from pairing.errors import InputError, Problem
from pairing.schema import TABLES


def _as_csv(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every cell as text, as a CSV read all-as-string gives it."""
    out = {}
    for name, df in tables.items():
        out[name] = df.astype(object).where(df.notna(), "").astype(str).astype("str")
    return out


def _problems(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    with pytest.raises(InputError) as info:
        check_tables(tables)
    return info.value.problems


def _find(
    problems: list[Problem], table: str, id: str, column: str, expected: str
) -> Problem:
    for p in problems:
        if (
            p.table == table
            and p.id == id
            and p.column == column
            and expected in p.expected
        ):
            return p
    listed = "\n".join(str(p) for p in problems)
    raise AssertionError(f"no {table}/{id}/{column}/{expected!r} in:\n{listed}")


def _set(tables, table, row, column, value):
    df = tables[table].copy().astype(object)
    df.loc[row, column] = value
    tables[table] = df
    return tables


# -- a sound instance ------------------------------------------------------------


def test_tiny_instance_is_sound_and_normalised(tiny_tables):
    out = check_tables(tiny_tables)
    assert set(out) == set(TABLES)
    for name, spec in TABLES.items():
        df = out[name]
        assert list(df.columns[: len(spec.columns)]) == [c.name for c in spec.columns]
        assert isinstance(df.index, pd.RangeIndex)
        for col in spec.columns:
            dtype = df[col.name].dtype
            if col.kind in ("id", "str", "enum"):
                assert dtype == "str", (name, col.name)
                assert not df[col.name].isna().any()
            elif col.kind == "bool":
                assert dtype == np.bool_, (name, col.name)
            elif col.kind == "int" and col.required:
                assert dtype == np.int64, (name, col.name)
            else:
                assert dtype == np.float64, (name, col.name)


def test_csv_text_gives_the_same_frames(tiny_tables):
    direct = check_tables(tiny_tables)
    from_text = check_tables(_as_csv(tiny_tables))
    for name in TABLES:
        pd.testing.assert_frame_equal(direct[name], from_text[name])


def test_optional_tables_and_columns_may_be_missing(tiny_tables):
    for name in ("leaders", "resident_teams", "claims"):
        del tiny_tables[name]
    tiny_tables["villages"] = tiny_tables["villages"].drop(columns=["x_km", "name"])
    tiny_tables["regions"] = tiny_tables["regions"].drop(columns=["key_county"])
    out = check_tables(tiny_tables)
    for name in ("leaders", "resident_teams", "claims"):
        assert out[name].empty
        pd.testing.assert_frame_equal(out[name], empty_frame(name))
    assert out["villages"]["x_km"].isna().all()
    assert out["villages"]["x_km"].dtype == np.float64
    assert (out["villages"]["name"] == "").all()
    assert out["regions"]["key_county"].dtype == np.bool_
    assert not out["regions"]["key_county"].any()


def test_ids_keep_leading_zeros_and_integers_become_text(tiny_tables):
    out = check_tables(_as_csv(tiny_tables))
    assert out["households"]["household_id"].iloc[0] == "00001"
    # Parquet-like integer ids and float ids (an integer column with gaps).
    regions = tiny_tables["regions"].copy()
    regions["region_id"] = regions["region_id"].astype(np.int64)
    regions["parent_id"] = pd.to_numeric(regions["parent_id"]).astype(np.float64)
    tiny_tables["regions"] = regions
    out = check_tables(tiny_tables)
    assert out["regions"]["region_id"].tolist()[:2] == ["22", "2201"]
    assert out["regions"]["parent_id"].tolist()[:2] == ["", "22"]


def test_bool_spellings(tiny_tables):
    spellings = ["TRUE", "yes", "1", "No", "false", "0"]
    villages = tiny_tables["villages"].astype(object)
    villages["poor"] = spellings
    tiny_tables["villages"] = villages
    tiny_tables["claims"] = tiny_tables["claims"].iloc[:0]  # claim village not poor
    out = check_tables(tiny_tables)
    assert out["villages"]["poor"].tolist() == [True, True, True, False, False, False]


def test_nullable_extension_dtypes(tiny_tables):
    cadres = tiny_tables["cadres"].copy()
    cadres["max_households"] = cadres["max_households"].astype("Int64")
    cadres["rank"] = cadres["rank"].astype("Int64")
    cadres["is_head"] = cadres["is_head"].astype("boolean")
    tiny_tables["cadres"] = cadres
    out = check_tables(tiny_tables)["cadres"]
    assert out["rank"].dtype == np.int64
    assert out["max_households"].dtype == np.float64
    assert out["max_households"].iloc[1] == 3
    assert np.isnan(out["max_households"].iloc[0])


def test_extra_columns_are_kept(tiny_tables):
    tiny_tables["households"]["note"] = "x"
    out = check_tables(tiny_tables)["households"]
    assert out.columns[-1] == "note"
    assert (out["note"] == "x").all()


def test_extra_tables_are_ignored(tiny_tables):
    tiny_tables["notes"] = pd.DataFrame({"a": [1]})
    assert "notes" not in check_tables(tiny_tables)


# -- one problem of each kind ---------------------------------------------------


def test_missing_required_table(tiny_tables):
    del tiny_tables["households"]
    problems = _problems(tiny_tables)
    p = _find(problems, "households", "", "", "a households table")
    assert p.found == "missing"


def test_missing_required_column(tiny_tables):
    tiny_tables["villages"] = tiny_tables["villages"].drop(columns=["poor"])
    tiny_tables["claims"] = tiny_tables["claims"].iloc[:0]
    problems = _problems(tiny_tables)
    p = _find(problems, "villages", "", "poor", "the contract column")
    assert p.found == "missing"
    assert len(problems) == 1


def test_duplicate_ids(tiny_tables):
    _set(tiny_tables, "households", 1, "household_id", "00001")
    problems = _problems(tiny_tables)
    p = _find(problems, "households", "00001", "household_id", "a unique id")
    assert p.found == "2 rows"


def test_empty_id_is_named_by_row(tiny_tables):
    _set(tiny_tables, "households", 4, "household_id", "  ")
    p = _find(
        _problems(tiny_tables), "households", "row 5", "household_id", "non-empty"
    )
    assert p.found == "empty"


@pytest.mark.parametrize(
    ("table", "row", "column", "id"),
    [
        ("households", 0, "village_id", "00001"),
        ("villages", 0, "county_id", "220101001"),
        ("units", 0, "region_id", "22-A"),
        ("cadres", 0, "unit_id", "22-A-01"),
        ("leaders", 0, "region_id", "L-22-1"),
        ("leaders", 0, "contact_point_village_id", "L-22-1"),
        ("resident_teams", 0, "village_id", "row 1"),
        ("resident_teams", 0, "unit_id", "row 1"),
        ("claims", 0, "unit_id", "row 1"),
        ("claims", 0, "village_id", "row 1"),
        ("regions", 1, "parent_id", "2201"),
    ],
)
def test_unknown_references(tiny_tables, table, row, column, id):
    _set(tiny_tables, table, row, column, "nowhere")
    p = _find(_problems(tiny_tables), table, id, column, "an existing")
    assert p.found == "'nowhere'"


def test_leader_id_equal_to_a_cadre_id(tiny_tables):
    _set(tiny_tables, "leaders", 0, "leader_id", "22-A-01")
    _find(_problems(tiny_tables), "leaders", "22-A-01", "leader_id", "not also a cadre")


def test_leader_area_must_exist(tiny_tables):
    _set(tiny_tables, "leaders", 0, "area_id", "atlantis")
    p = _find(_problems(tiny_tables), "leaders", "L-22-1", "area_id", "region_id or")
    assert "atlantis" in p.found


def test_leader_area_may_be_a_region_or_a_village(tiny_tables):
    _set(tiny_tables, "leaders", 0, "area_id", "220101")
    _set(tiny_tables, "leaders", 1, "area_id", "220201001")
    check_tables(tiny_tables)


def test_village_county_must_be_a_county(tiny_tables):
    _set(tiny_tables, "villages", 0, "county_id", "2201")
    p = _find(_problems(tiny_tables), "villages", "220101001", "county_id", "a county")
    assert "prefecture" in p.found


def test_county_parent_must_be_a_prefecture(tiny_tables):
    _set(tiny_tables, "regions", 3, "parent_id", "22")
    p = _find(
        _problems(tiny_tables), "regions", "220101", "parent_id", "a prefecture region"
    )
    assert "province" in p.found


def test_county_needs_a_parent(tiny_tables):
    _set(tiny_tables, "regions", 3, "parent_id", "")
    p = _find(
        _problems(tiny_tables), "regions", "220101", "parent_id", "a prefecture region"
    )
    assert p.found == "empty"


def test_prefecture_parent_must_be_the_province(tiny_tables):
    _set(tiny_tables, "regions", 2, "parent_id", "2201")
    _find(_problems(tiny_tables), "regions", "2202", "parent_id", "a province region")


@pytest.mark.parametrize(("level", "found"), [("prefecture", "0"), ("province", "2")])
def test_exactly_one_province(tiny_tables, level, found):
    if level == "prefecture":
        _set(tiny_tables, "regions", 0, "level", "prefecture")
    else:
        _set(tiny_tables, "regions", 1, "level", "province")
    p = _find(_problems(tiny_tables), "regions", "", "level", "exactly one province")
    assert p.found == found


@pytest.mark.parametrize(
    ("table", "row", "column", "id"),
    [
        ("regions", 0, "level", "22"),
        ("units", 0, "tier", "22-A"),
        ("leaders", 0, "tier", "L-22-1"),
        ("leaders", 0, "covers", "L-22-1"),
        ("resident_teams", 0, "kind", "row 1"),
    ],
)
def test_wrong_enum_values(tiny_tables, table, row, column, id):
    _set(tiny_tables, table, row, column, "city")
    p = _find(_problems(tiny_tables), table, id, column, "one of")
    assert p.found == "'city'"


@pytest.mark.parametrize(
    ("table", "row", "column", "id", "value", "expected", "found"),
    [
        ("villages", 0, "severity", "220101001", "", "a number >= 0", "empty"),
        ("villages", 0, "severity", "220101001", None, "a number >= 0", "empty"),
        ("villages", 0, "severity", "220101001", "heavy", "a number >= 0", "'heavy'"),
        ("villages", 0, "severity", "220101001", "-1", "a number >= 0", "'-1'"),
        ("villages", 0, "severity", "220101001", "inf", "a number >= 0", "'inf'"),
        ("households", 0, "members", "00001", "0", "an integer >= 1", "'0'"),
        ("households", 0, "members", "00001", "2.5", "an integer >= 1", "'2.5'"),
        ("households", 0, "severity", "00001", "nan", "a number >= 0", "empty"),
        ("cadres", 0, "rank", "22-A-01", "x", "an integer >= 1", "'x'"),
        ("cadres", 0, "max_households", "22-A-01", "-2", "an integer >= 0", "'-2'"),
        ("units", 0, "strength", "22-A", "0", "a number > 0", "'0'"),
        ("units", 0, "min_villages", "22-A", "1.5", "an integer >= 0", "'1.5'"),
        ("leaders", 0, "contact_households", "L-22-1", "-1", "an integer >= 0", "'-1'"),
        ("villages", 0, "x_km", "220101001", "east", "a number", "'east'"),
    ],
)
def test_bad_numbers(tiny_tables, table, row, column, id, value, expected, found):
    _set(tiny_tables, table, row, column, value)
    tables = _as_csv(tiny_tables) if value is not None else tiny_tables
    p = _find(_problems(tables), table, id, column, expected)
    assert p.expected == expected
    assert p.found == found


def test_optional_numbers_may_be_empty(tiny_tables):
    _set(tiny_tables, "units", 0, "strength", "")
    _set(tiny_tables, "cadres", 0, "max_households", None)
    out = check_tables(_as_csv(tiny_tables))
    assert np.isnan(out["units"]["strength"].iloc[0])


@pytest.mark.parametrize(("value", "found"), [("maybe", "'maybe'"), ("", "empty")])
def test_bad_bools(tiny_tables, value, found):
    _set(tiny_tables, "villages", 4, "poor", value)
    p = _find(_problems(tiny_tables), "villages", "220102002", "poor", "true or false")
    assert p.found == found


def test_optional_bool_rejects_junk_but_not_empty(tiny_tables):
    _set(tiny_tables, "cadres", 0, "is_head", "")
    _set(tiny_tables, "cadres", 1, "is_head", "sometimes")
    problems = _problems(tiny_tables)
    assert len(problems) == 1
    _find(problems, "cadres", "22-A-02", "is_head", "true or false")


@pytest.mark.parametrize(
    ("row", "tier", "region", "expected"),
    [
        (0, "province", "220101", "a province region for tier province"),
        (2, "prefecture", "220101", "a prefecture region for tier prefecture"),
        (4, "county", "2201", "a county region for tier county"),
        (7, "social", "2202", "a province region for tier social"),
    ],
)
def test_unit_region_matches_its_tier(tiny_tables, row, tier, region, expected):
    uid = tiny_tables["units"]["unit_id"].iloc[row]
    assert tiny_tables["units"]["tier"].iloc[row] == tier
    _set(tiny_tables, "units", row, "region_id", region)
    p = _find(_problems(tiny_tables), "units", uid, "region_id", expected)
    assert region in p.found


def test_leader_region_matches_its_tier(tiny_tables):
    _set(tiny_tables, "leaders", 1, "region_id", "2202")
    _find(_problems(tiny_tables), "leaders", "L-220201-1", "region_id", "a county")


def test_claims_only_from_social_units(tiny_tables):
    _set(tiny_tables, "claims", 0, "unit_id", "22-A")
    p = _find(_problems(tiny_tables), "claims", "row 1", "unit_id", "tier social")
    assert "province" in p.found


def test_claims_only_on_poor_villages(tiny_tables):
    _set(tiny_tables, "claims", 0, "village_id", "220102002")
    _find(_problems(tiny_tables), "claims", "row 1", "village_id", "a poor village")


def test_min_villages_above_max(tiny_tables):
    units = tiny_tables["units"].astype(object)
    units["min_villages"] = [2, None, None, None, None, None, None, None]
    units["max_villages"] = [1, None, None, None, None, None, None, None]
    tiny_tables["units"] = units
    p = _find(_problems(tiny_tables), "units", "22-A", "min_villages", "<= max")
    assert p.found == "2 > 1"


def test_all_problems_in_one_pass(tiny_tables):
    _set(tiny_tables, "households", 0, "village_id", "nowhere")
    _set(tiny_tables, "cadres", 0, "rank", "0")
    _set(tiny_tables, "units", 0, "tier", "city")
    del tiny_tables["regions"]
    problems = _problems(tiny_tables)
    tables = {p.table for p in problems}
    assert tables == {"regions", "households", "cadres", "units"}
    text = str(InputError(problems))
    assert "households 00001, column village_id" in text


def test_many_bad_rows_are_counted_not_listed(tiny_tables):
    hh = tiny_tables["households"].astype(object)
    hh["members"] = "0"
    tiny_tables["households"] = hh
    with pytest.raises(InputError) as info:
        check_tables(tiny_tables)
    err = info.value
    assert len(err.problems) == ROWS_PER_KIND
    assert err.truncated == len(hh) - ROWS_PER_KIND
    assert f"and {err.truncated} more" in str(err)


def test_duplicated_ids_are_told_apart_by_row(tiny_tables):
    _set(tiny_tables, "households", 1, "household_id", "00001")
    _set(tiny_tables, "households", 1, "members", "0")
    _find(_problems(tiny_tables), "households", "00001 (row 2)", "members", ">= 1")
