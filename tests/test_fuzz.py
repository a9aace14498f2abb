"""Hostile input: every malformed instance ends in ``InputError`` (exit 2).

Hypothesis mutates the tiny instance of ``conftest.py`` (wrong types, missing
columns, empty tables, unicode and 10,000-character ids, huge, negative and
non-finite numbers, duplicate ids, dangling references), corrupts its files
(BOMs, other encodings, ragged rows, binary garbage, Parquet that is text,
odd Arrow types, workbooks with formulas) and its ``rules.toml``. The loader
must answer with :class:`~pairing.InputError` and a message naming the table,
never another exception. A few cases go through the command line to check
the exit status 2 and that no traceback is printed.

Examples are derandomised and few, so the suite is stable and fast in CI.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import tiny_frames
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.errors import InputError
from pairing.figures import inspect_figures
from pairing.instance import Instance
from pairing.io import load_instance, save_instance
from pairing.precheck import precheck
from pairing.schema import TABLES

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

REQUIRED = [name for name, spec in TABLES.items() if spec.required]
COLUMNS = [(name, col.name) for name, spec in TABLES.items() for col in spec.columns]


def _check(load: Any) -> Instance | None:
    """Run ``load()``: an instance, or ``None`` on ``InputError``; else fail.

    A loaded instance must also go through the figures and the pre-checks
    without an exception (a value the checks let through must be usable).
    Numpy warnings (overflow, invalid casts) count as failures too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            inst = load()
        except InputError as exc:
            assert exc.problems or exc.truncated
            text = exc.describe()
            assert "problem(s) in the input" in text
            for p in exc.problems:
                assert p.table and p.expected
            return None
        inspect_figures(inst)
        precheck(inst)
        return inst


# -- values --------------------------------------------------------------------

LONG_ID = "x" * 10_000
odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "abc",
            "True",
            "false",
            "yes",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e308",
            "-1e308",
            str(2**70),
            "-1",
            "1.5",
            "0x10",
            "1,5",
            "١٢٣",
            "\u202e\u0000",
            "村\U0001f600",
            "=1+1",
            LONG_ID,
        ]
    ),
)
odd_numbers = st.one_of(
    st.sampled_from(
        [1e308, -1e308, 2**70, -(2**70), 2**63, 2**64, -1, 0, 1.5, -0.0, 1e-320]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**80), max_value=2**80),
)
odd_values = st.one_of(
    odd_text,
    odd_numbers,
    st.booleans(),
    st.none(),
    st.sampled_from([pd.NA, np.nan, np.float64("inf"), np.int64(7), b"\xff\x00"]),
)


@st.composite
def mutated_tables(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """The tiny instance with one to three hostile mutations."""
    tables = tiny_frames()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                [
                    "cell",
                    "column",
                    "drop_column",
                    "empty",
                    "drop_table",
                    "dup",
                    "dangle",
                ]
            )
        )
        name, column = draw(st.sampled_from(COLUMNS))
        df = tables.get(name)
        if df is None:
            continue
        df = df.copy()
        n = len(df)
        if kind == "cell" and n:
            values = df[column].astype(object).tolist() if column in df else [None] * n
            values[draw(st.integers(0, n - 1))] = draw(odd_values)
            df[column] = pd.Series(values, dtype=object)
        elif kind == "column":
            df[column] = pd.Series([draw(odd_values)] * n, dtype=object)
        elif kind == "drop_column" and column in df:
            df = df.drop(columns=[column])
        elif kind == "empty":
            df = df.iloc[:0]
        elif kind == "drop_table":
            del tables[name]
            continue
        elif kind in ("dup", "dangle") and n >= 2 and column in df:
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            df[column] = df[column].astype(object)
            df.loc[j, column] = df.loc[i, column] if kind == "dup" else "nowhere"
        tables[name] = df
    return tables


@FUZZ
@given(mutated_tables())
def test_mutated_tables_give_input_error(tables: dict[str, pd.DataFrame]) -> None:
    _check(lambda: Instance.from_tables(tables))


@pytest.mark.parametrize("name", REQUIRED)
def test_missing_required_table(name: str) -> None:
    tables = tiny_frames()
    del tables[name]
    with pytest.raises(InputError) as info:
        Instance.from_tables(tables)
    assert any(p.table == name and p.found == "missing" for p in info.value.problems)


@pytest.mark.parametrize(("name", "column"), COLUMNS)
def test_missing_required_column(name: str, column: str) -> None:
    tables = tiny_frames()
    if column not in tables[name]:
        return
    tables[name] = tables[name].drop(columns=[column])
    if not TABLES[name].column(column).required:
        _check(lambda: Instance.from_tables(tables))
        return
    with pytest.raises(InputError) as info:
        Instance.from_tables(tables)
    assert any(
        p.table == name and p.column == column and p.found == "missing"
        for p in info.value.problems
    )


@pytest.mark.parametrize(
    ("name", "column", "value", "shown"),
    [
        ("households", "members", "three", "'three'"),  # string in an int column
        ("households", "members", 2.5, "'2.5'"),  # float in an int column
        ("households", "members", 2**70, str(2**70)),  # too large for int64
        ("households", "members", 1e308, "1e+308"),
        ("households", "severity", float("inf"), "inf"),
        ("households", "severity", -1.0, "-1"),
        ("households", "severity", 1e308, "1e+308"),
        ("villages", "x_km", -1e308, "-1e+308"),
        ("cadres", "rank", "1e400", "1e400"),
        ("cadres", "max_households", 2**40, str(2**40)),
        ("units", "strength", 0, "0"),
        ("villages", "poor", "maybe", "'maybe'"),  # a bool column
        ("villages", "poor", "2", "'2'"),
        ("regions", "level", "city", "'city'"),
    ],
)
def test_bad_values_are_named(name: str, column: str, value: Any, shown: str) -> None:
    tables = tiny_frames()
    df = tables[name]
    df[column] = df[column].astype(object) if column in df else None
    df.loc[0, column] = value
    with pytest.raises(InputError) as info:
        Instance.from_tables(tables)
    problems = [p for p in info.value.problems if p.column == column]
    assert problems, info.value.describe()
    assert problems[0].table == name
    assert shown in problems[0].found


@pytest.mark.parametrize("name", ["regions", "villages", "units", "cadres"])
def test_duplicated_referenced_ids(name: str) -> None:
    """A duplicated id that other tables refer to is reported, not a crash."""
    tables = tiny_frames()
    key = TABLES[name].key
    df = tables[name]
    df.loc[len(df) - 1, key] = df.loc[0, key]
    with pytest.raises(InputError) as info:
        Instance.from_tables(tables)
    assert any(
        p.table == name and p.column == key and p.expected == "a unique id"
        for p in info.value.problems
    )


def test_every_id_the_same() -> None:
    tables = tiny_frames()
    for name in ("regions", "villages", "units"):
        tables[name][TABLES[name].key] = "same"
    with pytest.raises(InputError):
        Instance.from_tables(tables)


def test_long_and_unicode_ids_are_shortened_in_messages() -> None:
    tables = tiny_frames()
    tables["households"].loc[0, "village_id"] = LONG_ID
    tables["households"].loc[1, "village_id"] = "村\u202e\U0001f600"
    with pytest.raises(InputError) as info:
        Instance.from_tables(tables)
    text = info.value.describe()
    assert len(text) < 2_000
    assert "村" in text


# -- files -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny instance saved once per format."""
    root = tmp_path_factory.mktemp("fuzz")
    inst = Instance.from_tables(tiny_frames())
    out = {}
    for fmt in ("csv", "parquet"):
        save_instance(inst, root / fmt, format=fmt)
        out[fmt] = root / fmt
    save_instance(inst, root / "tiny.xlsx", format="xlsx")
    out["xlsx"] = root / "tiny.xlsx"
    return out


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


@st.composite
def corrupt_csv(draw: st.DrawFn) -> tuple[str, bytes]:
    """A table name and hostile bytes for its CSV file."""
    name = draw(st.sampled_from(list(TABLES)))
    header = ",".join(c.name for c in TABLES[name].columns)
    body = f"{header}\nA1,22,1,1,1\n"
    how = draw(
        st.sampled_from(
            [
                "bom",
                "utf16",
                "gbk",
                "latin1",
                "ragged",
                "short",
                "garbage",
                "cut",
                "quote",
            ]
        )
    )
    if how == "bom":
        data = b"\xef\xbb\xbf\xef\xbb\xbf" + body.encode()  # a doubled BOM
    elif how == "utf16":
        data = body.encode("utf-16")
    elif how == "gbk":
        data = (body + "村,县,是,严重,因病\n").encode("gbk")
    elif how == "latin1":
        data = (body + "\xff\xe9,1,1,1,1\n").encode("latin-1")
    elif how == "ragged":
        data = (body + "1,2,3,4,5,6,7,8,9,10,11\n").encode()
    elif how == "short":
        data = (body + "1\n\n,\n").encode()
    elif how == "garbage":
        data = draw(st.binary(max_size=300))
    elif how == "cut":
        data = body.encode()[: draw(st.integers(0, len(body)))]
    else:
        data = (body + '"unterminated,1,2\n').encode()
    return name, data


@FUZZ
@given(corrupt_csv())
def test_corrupt_csv_files(saved: dict[str, Path], tmp_path_factory, case) -> None:
    name, data = case
    folder = _copy(saved["csv"], tmp_path_factory.getbasetemp() / "csv-case")
    (folder / f"{name}.csv").write_bytes(data)
    _check(lambda: load_instance(folder))


def test_csv_with_a_bom_loads(saved: dict[str, Path], tmp_path: Path) -> None:
    folder = _copy(saved["csv"], tmp_path / "t")
    path = folder / "households.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_instance(folder).households) == 46


@pytest.mark.parametrize(
    "data",
    [
        b"this is text, not parquet\n",
        b"",
        b"PAR1",
        b"PAR1\x00\x00PAR1",
        bytes(range(256)),
    ],
)
def test_parquet_that_is_not_parquet(saved, tmp_path: Path, data: bytes) -> None:
    folder = _copy(saved["parquet"], tmp_path / "t")
    (folder / "units.parquet").write_bytes(data)
    with pytest.raises(InputError) as info:
        load_instance(folder)
    assert [p.table for p in info.value.problems] == ["units"]
    assert "readable units.parquet" in info.value.problems[0].expected


def _arrow_columns(n: int) -> dict[str, pa.Array]:
    import datetime
    import decimal

    return {
        "list": pa.array([[1, 2]] * n),
        "struct": pa.array([{"a": 1}] * n),
        "binary": pa.array([b"\xff\x00"] * n),
        "date": pa.array([datetime.date(2020, 1, 1)] * n),
        "timestamp": pa.array([datetime.datetime(2020, 1, 1)] * n),
        "duration": pa.array([datetime.timedelta(1)] * n),
        "decimal": pa.array([decimal.Decimal("1e30")] * n, pa.decimal128(38, 0)),
        "dictionary": pa.array(["a"] * n).dictionary_encode(),
        "null": pa.nulls(n),
        "uint64": pa.array([2**64 - 1] * n, pa.uint64()),
        "float16": pa.array(np.full(n, 2.0, np.float16)),
        "bool": pa.array([True] * n),
    }


@pytest.mark.parametrize("arrow", sorted(_arrow_columns(1)))
def test_parquet_with_odd_arrow_types(saved, tmp_path: Path, arrow: str) -> None:
    folder = _copy(saved["parquet"], tmp_path / "t")
    path = folder / "households.parquet"
    table = pq.read_table(path)
    col = _arrow_columns(table.num_rows)[arrow]
    for name in ("household_id", "village_id", "members", "severity", "cause"):
        t = table.set_column(table.schema.get_field_index(name), name, col)
        pq.write_table(t, path)
        _check(lambda: load_instance(folder))


def test_parquet_with_huge_and_non_finite_numbers(saved, tmp_path: Path) -> None:
    folder = _copy(saved["parquet"], tmp_path / "t")
    path = folder / "households.parquet"
    df = pd.read_parquet(path)
    df["members"] = np.int64(2**62)
    df["severity"] = np.where(np.arange(len(df)) % 2 == 0, np.inf, np.nan)
    df.to_parquet(path)
    with pytest.raises(InputError) as info:
        load_instance(folder)
    columns = {p.column for p in info.value.problems}
    assert {"members", "severity"} <= columns


def test_workbook_with_formulas(tmp_path: Path) -> None:
    """Formula cells written with openpyxl directly are reported, never evaluated."""
    book = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in tiny_frames().items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append(
                [None if isinstance(v, float) and math.isnan(v) else v for v in row]
            )
    ws = wb["households"]
    ws["C2"] = "=1+1"
    ws["D3"] = '=HYPERLINK("http://example.com","x")'
    ws["A4"] = "=cmd|' /C calc'!A0"
    wb.save(book)
    with pytest.raises(InputError) as info:
        load_instance(book)
    formulas = [p for p in info.value.problems if "formula" in p.found]
    assert len(formulas) == 3
    assert {p.table for p in formulas} == {"households"}
    assert {p.column for p in formulas} == {"members", "severity", "household_id"}


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04broken", b"not a zip at all", bytes(range(256)) * 4],
)
def test_workbook_that_is_not_a_workbook(tmp_path: Path, data: bytes) -> None:
    book = tmp_path / "t.xlsx"
    book.write_bytes(data)
    with pytest.raises(InputError, match="readable .xlsx workbook"):
        load_instance(book)


def test_workbook_with_odd_cells(saved, tmp_path: Path) -> None:
    import datetime

    book = tmp_path / "t.xlsx"
    wb = openpyxl.load_workbook(saved["xlsx"])
    ws = wb["households"]
    ws["C2"] = datetime.datetime(2020, 1, 1)  # a date in an int column
    ws["D2"] = True  # a bool in a float column
    ws["C3"] = 1e308
    ws["D3"] = "#DIV/0!"
    ws["A5"] = LONG_ID
    ws.cell(row=6, column=40, value="ragged")  # beyond the header
    wb.save(book)
    with pytest.raises(InputError) as info:
        load_instance(book)
    assert {p.column for p in info.value.problems} >= {"members", "severity"}


# -- rules.toml ------------------------------------------------------------------

toml_values = st.one_of(
    st.sampled_from(
        [
            "1",
            "-1",
            "0",
            "1.5",
            "nan",
            "inf",
            "-inf",
            "1e308",
            str(2**70),
            "9223372036854775807",
            "true",
            '"five"',
            "[]",
            "[1, 2]",
            "[2, 1]",
            "[1, 2, 3]",
            '["a", "b"]',
            "{}",
            "{ a = 1 }",
            "1979-05-27",
        ]
    ),
    st.integers(-(2**63), 2**63 - 1).map(str),
)
toml_keys = st.sampled_from(
    [
        "max_households",
        "contact_households",
        "province_key_county_share",
        "time_limit",
        "unknown_key",
        "villages_per_unit.county",
        "villages_per_unit.province",
        "villages_per_unit.moon",
        "max_households_by_rank.1",
        'max_households_by_rank."x"',
        "dispatch.province_min",
        "dispatch.local_max",
        "dispatch.colour",
        "weights.tier",
        "weights.distance",
        "weights.nope",
    ]
)


@st.composite
def rules_texts(draw: st.DrawFn) -> str:
    """A rules.toml: dotted keys with odd values, or text that is not TOML."""
    if draw(st.integers(0, 4)) == 0:
        return draw(
            st.one_of(
                st.text(max_size=40),
                st.sampled_from(["max_households = ", "[weights\n", "a = 1\na = 2\n"]),
            )
        )
    pairs = draw(st.dictionaries(toml_keys, toml_values, min_size=1, max_size=4))
    return "".join(f"{k} = {v}\n" for k, v in pairs.items())


@FUZZ
@given(rules_texts())
def test_rules_files(saved: dict[str, Path], tmp_path_factory, text: str) -> None:
    folder = _copy(saved["csv"], tmp_path_factory.getbasetemp() / "rules-case")
    (folder / "rules.toml").write_text(text, encoding="utf-8")
    inst = _check(lambda: load_instance(folder))
    if inst is not None:  # accepted rules must stay in a sane range
        r = inst.rules
        assert 0 <= r.max_households <= 1_000_000
        assert all(0 <= a <= b <= 1_000_000 for a, b in r.villages_per_unit.values())
        assert all(math.isfinite(v) for v in vars(r.weights).values())


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00bad", "max_households = 5\n".encode("utf-16"), b"\x00" * 10],
)
def test_rules_file_in_another_encoding(saved, tmp_path: Path, data: bytes) -> None:
    folder = _copy(saved["csv"], tmp_path / "t")
    (folder / "rules.toml").write_bytes(data)
    with pytest.raises(InputError) as info:
        load_instance(folder)
    assert info.value.problems[0].table == "rules.toml"


def test_rules_file_that_is_a_folder(saved, tmp_path: Path) -> None:
    folder = _copy(saved["csv"], tmp_path / "t")
    (folder / "rules.toml").mkdir()
    # not ignored: the plan would be made with the default rules unnoticed
    with pytest.raises(InputError) as info:
        load_instance(folder)
    assert [(p.table, p.found) for p in info.value.problems] == [
        ("rules.toml", "a folder")
    ]


# -- spreadsheet injection -----------------------------------------------------


def test_formula_looking_text_is_written_as_text(tmp_path: Path) -> None:
    tables = tiny_frames()
    risky = [
        "=1+1",
        "+86 431",
        "-3",
        "@SUM(A1)",
        '=HYPERLINK("http://x","y")',
        "=cmd|x",
    ]
    units = tables["units"]
    units["name"] = [risky[i % len(risky)] for i in range(len(units))]
    units["kind"] = "=SUM(1,2)"
    tables["regions"].loc[1, "name"] = "=2+2"
    tables["households"]["cause"] = "@risk"
    inst = Instance.from_tables(tables)
    book = tmp_path / "t.xlsx"
    save_instance(inst, book, format="xlsx")
    wb = openpyxl.load_workbook(book)  # not read-only: every cell's type
    formulas = [
        (ws.title, cell.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    names = [c.value for c in wb["units"]["B"][1:]]
    assert names == list(units["name"])
    back = load_instance(book)
    assert list(back.units["name"]) == list(units["name"])
    assert set(back.households["cause"]) == {"@risk"}


# -- through the command line ------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pairing", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_2_on_hostile_files(saved, tmp_path: Path) -> None:
    """A few hostile instances through ``pairing inspect``: exit 2, no traceback."""
    cases: list[Path] = []
    a = _copy(saved["csv"], tmp_path / "garbage")
    (a / "households.csv").write_bytes(bytes(range(256)) * 8)
    b = _copy(saved["parquet"], tmp_path / "text-parquet")
    (b / "units.parquet").write_text("not parquet")
    c = _copy(saved["csv"], tmp_path / "toml")
    (c / "rules.toml").write_text("[dispatch]\nlocal_max = 99999999999999999999999\n")
    d = _copy(saved["csv"], tmp_path / "huge")
    hh = pd.read_csv(d / "households.csv", dtype=str, keep_default_na=False)
    hh.loc[0, "members"] = str(2**70)
    hh.loc[1, "severity"] = "inf"
    hh.to_csv(d / "households.csv", index=False)
    e = tmp_path / "formula.xlsx"
    wb = openpyxl.load_workbook(saved["xlsx"])
    wb["cadres"]["C2"] = "=1/0"
    wb.save(e)
    cases = [a, b, c, d, e]
    for case in cases:
        run = _cli("inspect", str(case))
        assert run.returncode == 2, (case, run.stderr)
        assert "Traceback" not in run.stderr
        assert "problem(s) in the input" in run.stderr
