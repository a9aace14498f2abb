"""Safe cells (`pairing.cells`): properties over arbitrary text.

Data CSVs round-trip every text exactly (the OWASP mark is reversible);
report CSVs never hold a cell a spreadsheet runs as a formula, a control
character or more than a cell holds; numbers stay numbers; file names from
ids never clash.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.cells import MAX_CELL_CHARS, escape_text, to_csv, unescape_text
from pairing.report._names import MAX_BYTES, file_stems

RISKY = ("=", "+", "-", "@", "\t", "\r")
_chars = st.characters(blacklist_categories=("Cs",))
texts = st.one_of(
    st.text(_chars, max_size=12),
    st.sampled_from(["=1+1", "'=x", "''-1", "'0012", "\r=1", "\t@x", "-1", "+", "'"]),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, newline="", encoding=encoding) as fh:
        return list(csv.reader(fh))


@SETTINGS
@given(st.lists(texts, min_size=1, max_size=8), st.lists(st.floats(-1e6, 1e6)))
def test_data_csv_round_trips_every_text(
    values: list[str], numbers: list[float]
) -> None:
    n = len(values)
    nums = (numbers + [0.0] * n)[:n]
    df = pd.DataFrame({"text": values, "x": nums})
    with tempfile.TemporaryDirectory() as d:
        to_csv(df, Path(d) / "t.csv")
        back = unescape_text(_read(Path(d) / "t.csv"))
        raw = _rows(Path(d) / "t.csv")
    assert back["text"].tolist() == values
    assert [float(v) for v in back["x"]] == nums  # numbers as numbers
    for row in raw[1:]:  # nothing a spreadsheet would run as a formula
        assert not row[0].startswith(RISKY)


@SETTINGS
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",))), max_size=8))
def test_report_csv_cells_are_safe(values: list[str]) -> None:
    values = [*values, "x" * (MAX_CELL_CHARS + 5)]
    df = pd.DataFrame({"name": values, "n": range(len(values))})
    with tempfile.TemporaryDirectory() as d:
        to_csv(df, Path(d) / "r.csv", report=True)
        rows = _rows(Path(d) / "r.csv", "utf-8-sig")
    assert len(rows) == len(values) + 1  # a CR or LF never starts a row
    for row, n in zip(rows[1:], range(len(values)), strict=True):
        name, number = row
        assert not name.startswith(RISKY)
        assert len(name) <= MAX_CELL_CHARS
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in name)
        assert int(number) == n


def test_escaping_is_reversible_and_leaves_numbers_alone() -> None:
    df = pd.DataFrame(
        {
            "=head": ["=1", "'=1", "''=1", "'x", "x", None],
            "n": [-1, 2, 3, 4, 5, 6],
            "mixed": pd.Series([-1, "-1", None, "=a", 2.5, "b"], dtype=object),
        }
    )
    out = escape_text(df)
    assert list(out.columns) == ["'=head", "n", "mixed"]
    assert out["'=head"].tolist()[:5] == ["'=1", "''=1", "'''=1", "'x", "x"]
    assert out["mixed"].tolist()[:4] == [-1, "'-1", None, "'=a"]
    assert out["n"].tolist() == df["n"].tolist()
    back = unescape_text(out)
    assert list(back.columns) == list(df.columns)
    assert back["=head"].tolist()[:5] == df["=head"].tolist()[:5]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)))
def test_file_stems_never_clash(ids: list[str]) -> None:
    stems = file_stems(ids)
    assert set(stems) == set(ids)
    values = list(stems.values())
    assert len({v.casefold() for v in values}) == len(values)
    assert all(0 < len(v.encode()) <= MAX_BYTES for v in values)
    assert all(not v.startswith(".") and "/" not in v and "\\" not in v for v in values)
