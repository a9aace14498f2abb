"""Loading and saving instances (`pairing.io`): round trips and hostile input."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.errors import InputError
from pairing.instance import Instance
from pairing.io import load_instance, read_xlsx, save_instance, write_xlsx
from pairing.rules import Rules
from pairing.schema import CAUSES, TABLES

FORMULA_LOOKING = ["=1+1", '=HYPERLINK("http://x","y")', "+86 431", "-3", "@SUM(A1)"]


def assert_same(a: Instance, b: Instance) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    assert a.rules == b.rules


# -- random small instances ------------------------------------------------------

_chars = st.characters(blacklist_categories=("Cs", "Cc"))
names = st.one_of(st.text(_chars, max_size=8), st.sampled_from(FORMULA_LOOKING))
severities = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
coords = st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False))


def _ids(prefix: str, n: int) -> st.SearchStrategy[list[str]]:
    """Unique ids with leading zeros (``0…``) and a table prefix."""
    digits = st.text("0123456789", min_size=1, max_size=5)
    return st.lists(digits, min_size=n, max_size=n, unique=True).map(
        lambda xs: [f"0{prefix}{x}" for x in xs]
    )


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    n_pref = draw(st.integers(1, 2))
    n_county = draw(st.integers(n_pref, 3))
    prov = draw(_ids("", 1))[0] + "p"
    prefs = draw(_ids("1", n_pref))
    counties = draw(_ids("2", n_county))
    regions: list[dict[str, Any]] = [
        {"region_id": prov, "name": draw(names), "level": "province", "parent_id": ""}
    ]
    for p in prefs:
        regions.append(
            {
                "region_id": p,
                "name": draw(names),
                "level": "prefecture",
                "parent_id": prov,
            }
        )
    for k, c in enumerate(counties):
        regions.append(
            {
                "region_id": c,
                "name": draw(names),
                "level": "county",
                "parent_id": prefs[k % n_pref],
                "key_county": draw(st.booleans()),
            }
        )
    n_v = draw(st.integers(1, 5))
    vids = draw(_ids("3", n_v))
    villages = [
        {
            "village_id": v,
            "county_id": draw(st.sampled_from(counties)),
            "name": draw(names),
            "poor": draw(st.booleans()),
            "severity": draw(severities),
            "x_km": draw(coords),
            "y_km": draw(coords),
        }
        for v in vids
    ]
    n_h = draw(st.integers(0, 8))
    households = [
        {
            "household_id": h,
            "village_id": draw(st.sampled_from(vids)),
            "members": draw(st.integers(1, 12)),
            "severity": draw(severities),
            "cause": draw(st.sampled_from(("", *CAUSES))),
        }
        for h in draw(_ids("4", n_h))
    ]
    tiers = {"province": prov, "social": prov}
    n_u = draw(st.integers(1, 4))
    units = []
    for u in draw(_ids("5", n_u)):
        tier = draw(st.sampled_from(("province", "prefecture", "county", "social")))
        region = tiers.get(tier) or draw(
            st.sampled_from(prefs if tier == "prefecture" else counties)
        )
        lo = draw(st.one_of(st.none(), st.integers(0, 2)))
        units.append(
            {
                "unit_id": u,
                "name": draw(names),
                "tier": tier,
                "region_id": region,
                "kind": draw(st.sampled_from(("", "高校", "企业"))),
                "strength": draw(st.one_of(st.none(), st.floats(0.5, 100))),
                "min_villages": lo,
                "max_villages": None if lo is None else lo + draw(st.integers(0, 2)),
                "x_km": draw(coords),
                "y_km": draw(coords),
            }
        )
    uids = [u["unit_id"] for u in units]
    cadres = [
        {
            "cadre_id": c,
            "unit_id": draw(st.sampled_from(uids)),
            "rank": draw(st.integers(1, 6)),
            "max_households": draw(st.one_of(st.none(), st.integers(0, 9))),
            "is_head": draw(st.booleans()),
        }
        for c in draw(_ids("6", draw(st.integers(0, 6))))
    ]
    leaders = [
        {
            "leader_id": lid,
            "name": draw(names),
            "tier": "province",
            "region_id": prov,
            "covers": draw(st.sampled_from(("", "prefecture", "county"))),
            "area_id": draw(st.sampled_from(["", *counties])),
            "contact_point_village_id": draw(st.sampled_from(["", *vids])),
            "contact_households": draw(st.one_of(st.none(), st.integers(0, 5))),
        }
        for lid in draw(_ids("7", draw(st.integers(0, 2))))
    ]
    teams = [
        {
            "village_id": draw(st.sampled_from(vids)),
            "unit_id": draw(st.sampled_from(uids)),
            "kind": draw(st.sampled_from(("work_team", "first_secretary"))),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    social = [u["unit_id"] for u in units if u["tier"] == "social"]
    poor = [v["village_id"] for v in villages if v["poor"]]
    claims = [{"unit_id": social[0], "village_id": poor[0]}] if social and poor else []
    rules = draw(
        st.sampled_from(
            [Rules(), Rules(max_households=7, max_households_by_rank={3: 4})]
        )
    )
    raw = {
        "regions": regions,
        "villages": villages,
        "households": households,
        "units": units,
        "cadres": cadres,
        "leaders": leaders,
        "resident_teams": teams,
        "claims": claims,
    }
    return Instance.from_tables(
        {
            name: pd.DataFrame(rows, columns=_columns(name))
            for name, rows in raw.items()
        },
        rules,
    )


def _columns(name: str) -> list[str]:
    return [c.name for c in TABLES[name].columns]


_settings = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
@_settings
@given(inst=instances())
def test_round_trip_folder(fmt: str, inst: Instance) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inst"
        save_instance(inst, path, format=fmt)
        assert_same(inst, load_instance(path))


@_settings
@given(inst=instances())
def test_round_trip_workbook(inst: Instance) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inst.xlsx"
        save_instance(inst, path, format="xlsx")
        assert path.with_name("inst.rules.toml").exists() == (inst.rules != Rules())
        assert_same(inst, load_instance(path))


# -- the tiny instance -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_tiny_round_trip(tiny_instance, tmp_path, fmt):
    save_instance(tiny_instance, tmp_path / "tiny", format=fmt)
    assert_same(tiny_instance, load_instance(tmp_path / "tiny"))
    assert not (tmp_path / "tiny" / "rules.toml").exists()  # default rules


def test_instance_methods(tiny_instance, tmp_path):
    tiny_instance.save(tmp_path / "t")
    assert_same(tiny_instance, Instance.load(tmp_path / "t"))


def test_rules_are_written_when_not_default(tiny_instance, tmp_path):
    rules = Rules(max_households=6, villages_per_unit={**Rules().villages_per_unit})
    inst = Instance(tiny_instance.tables, rules.replace(province_key_county_share=0.6))
    save_instance(inst, tmp_path / "t", format="csv")
    assert (tmp_path / "t" / "rules.toml").exists()
    assert load_instance(tmp_path / "t").rules == inst.rules


def test_save_replaces_a_folder_whole(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="csv")
    save_instance(tiny_instance, tmp_path / "t", format="parquet")
    assert not list((tmp_path / "t").glob("*.csv"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_stale_rules_beside_a_workbook_are_removed(tiny_instance, tmp_path):
    book = tmp_path / "t.xlsx"
    inst = Instance(tiny_instance.tables, Rules(max_households=7))
    save_instance(inst, book, format="xlsx")
    assert load_instance(book).rules.max_households == 7
    save_instance(tiny_instance, book, format="xlsx")
    assert load_instance(book).rules == Rules()


def test_unknown_format(tiny_instance, tmp_path):
    with pytest.raises(ValueError, match="format"):
        save_instance(tiny_instance, tmp_path / "t", format="json")


# -- ids ---------------------------------------------------------------------------


def test_csv_ids_keep_leading_zeros(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="csv")
    text = (tmp_path / "t" / "households.csv").read_text(encoding="utf-8")
    assert "\n00001," in text
    inst = load_instance(tmp_path / "t")
    assert inst.households["household_id"].iloc[0] == "00001"


def test_csv_with_a_byte_order_mark(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="csv")
    f = tmp_path / "t" / "regions.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    assert load_instance(tmp_path / "t").regions["region_id"].iloc[0] == "22"


def test_parquet_integer_ids_become_strings(tiny_tables, tmp_path):
    regions = tiny_tables["regions"].copy()
    regions["region_id"] = regions["region_id"].astype(np.int64)
    regions["parent_id"] = pd.to_numeric(regions["parent_id"]).astype("Int64")
    tiny_tables["regions"] = regions
    villages = tiny_tables["villages"].copy()
    villages["county_id"] = villages["county_id"].astype(np.int64)
    tiny_tables["villages"] = villages
    units = tiny_tables["units"].copy()
    units["region_id"] = units["region_id"].astype(np.int64)
    tiny_tables["units"] = units
    leaders = tiny_tables["leaders"].copy()
    leaders["region_id"] = leaders["region_id"].astype(np.int64)
    tiny_tables["leaders"] = leaders
    (tmp_path / "t").mkdir()
    for name, df in tiny_tables.items():
        df.to_parquet(tmp_path / "t" / f"{name}.parquet")
    inst = load_instance(tmp_path / "t")
    assert inst.regions["region_id"].tolist()[:2] == ["22", "2201"]
    assert inst.regions["parent_id"].tolist()[:2] == ["", "22"]
    assert inst.villages["county_id"].iloc[0] == "220101"
    assert inst.v_county[0] == 3


# -- workbooks ---------------------------------------------------------------------


def test_formula_looking_strings_stay_text(tmp_path):
    book = tmp_path / "x.xlsx"
    df = pd.DataFrame({"=1+2": FORMULA_LOOKING, "n": range(len(FORMULA_LOOKING))})
    write_xlsx(book, {"t": df})
    wb = openpyxl.load_workbook(book)  # not read-only: every cell's type
    cells = [c for row in wb["t"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in wb["t"]["A"]] == ["=1+2", *FORMULA_LOOKING]
    assert all(c.quotePrefix for c in wb["t"]["A"])


def test_formula_looking_names_round_trip(tiny_tables, tmp_path):
    units = tiny_tables["units"].copy()
    units["name"] = (FORMULA_LOOKING * 2)[: len(units)]
    tiny_tables["units"] = units
    inst = Instance.from_tables(tiny_tables)
    save_instance(inst, tmp_path / "t.xlsx", format="xlsx")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert not any(
        c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row
    )
    assert_same(inst, load_instance(tmp_path / "t.xlsx"))


def test_formula_cells_in_input_are_reported(tiny_instance, tmp_path):
    book = tmp_path / "t.xlsx"
    save_instance(tiny_instance, book, format="xlsx")
    wb = openpyxl.load_workbook(book)
    wb["villages"]["E2"] = "=1+1"  # severity of the first village
    wb["households"]["C3"] = "=SUM(C1:C2)"
    wb.save(book)
    with pytest.raises(InputError) as info:
        load_instance(book)
    problems = info.value.problems
    found = {(p.table, p.id, p.column) for p in problems if "formula" in p.found}
    assert ("villages", "row 1", "severity") in found
    assert ("households", "row 2", "members") in found
    assert any("cell E2" in p.found for p in problems)
    with pytest.raises(InputError, match="not a formula"):
        read_xlsx(book)


def test_workbook_in_a_folder(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="xlsx")
    assert (tmp_path / "t" / "instance.xlsx").exists()
    assert_same(tiny_instance, load_instance(tmp_path / "t"))


def test_workbook_numbers_and_blank_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "t"
    ws.append(["id", "x", "flag"])
    ws.append([220524, 0.25, True])
    ws.append([None, None, None])
    ws.append(["0990101", 2.0, False])
    wb.save(tmp_path / "b.xlsx")
    from pairing import io

    table, constants = io._read_sheet(
        openpyxl.load_workbook(tmp_path / "b.xlsx", read_only=True)["t"], "t", []
    )
    assert constants == {}
    assert table.to_dict("list") == {
        "id": ["220524", "0990101"],
        "x": ["0.25", "2"],
        "flag": ["true", "false"],
    }


# -- bad paths and files -------------------------------------------------------------


def test_missing_path(tmp_path):
    with pytest.raises(InputError) as info:
        load_instance(tmp_path / "nothing")
    assert [p.found for p in info.value.problems] == ["nothing at this path"]


def test_not_an_instance(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("hello")
    with pytest.raises(InputError, match="an instance folder or an .xlsx workbook"):
        load_instance(f)


def test_empty_folder_lists_the_missing_tables(tmp_path):
    with pytest.raises(InputError) as info:
        load_instance(tmp_path)
    missing = {p.table for p in info.value.problems if p.found == "missing"}
    assert missing == {"regions", "villages", "households", "units", "cadres"}


def test_unreadable_files(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="parquet")
    (tmp_path / "t" / "units.parquet").write_bytes(b"not parquet")
    (tmp_path / "t" / "cadres.parquet").unlink()
    (tmp_path / "t" / "cadres.csv").write_bytes(b"cadre_id,unit_id\n\xff\xfe,1\n")
    with pytest.raises(InputError) as info:
        load_instance(tmp_path / "t")
    tables = {p.table for p in info.value.problems if "readable" in p.expected}
    assert tables == {"units", "cadres"}


def test_corrupt_workbook(tmp_path):
    book = tmp_path / "t.xlsx"
    book.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InputError, match="a readable .xlsx workbook"):
        load_instance(book)


def test_bad_rules_are_listed_with_the_tables(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="csv")
    (tmp_path / "t" / "rules.toml").write_text("max_households = -1\nfoo = 1\n")
    (tmp_path / "t" / "claims.csv").write_text("unit_id,village_id\nS-1,nowhere\n")
    with pytest.raises(InputError) as info:
        load_instance(tmp_path / "t")
    tables = [p.table for p in info.value.problems]
    assert tables.count("rules.toml") == 2
    assert "claims" in tables


def test_invalid_toml(tiny_instance, tmp_path):
    save_instance(tiny_instance, tmp_path / "t", format="csv")
    (tmp_path / "t" / "rules.toml").write_text("max_households = \n")
    with pytest.raises(InputError, match="valid TOML"):
        load_instance(tmp_path / "t")
