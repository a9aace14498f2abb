"""Input checks: raw tables in, normalised contract tables out.

:func:`check_tables` reads frames of any dtypes (a CSV read all-as-string, a
Parquet file with integer ids, a workbook's cells, hand-made frames), converts
every contract column to its normalised dtype and checks the data contract
and the structural parts of the rules in one vectorised pass. Every problem
found is collected and raised together as one :class:`~pairing.InputError`.

Normalised dtypes (see :class:`~pairing.Instance`):

* ``id``, ``str`` and ``enum`` columns: pandas ``str`` dtype, ``""`` for empty.
  Ids and enum values are stripped of surrounding blanks; free text is not.
  Integral numbers become their integer text (``220524.0`` → ``"220524"``).
* ``float`` columns and optional ``int`` columns: ``float64``, ``NaN`` for empty.
* required ``int`` columns: ``int64``.
* ``bool`` columns: numpy ``bool``; ``true/false``, ``1/0``, ``yes/no``,
  ``y/n``, ``t/f`` and ``是/否`` (any case) and real booleans are accepted;
  an empty optional flag is ``False``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import InputError, Problem
from .schema import TABLES, Column, Table

__all__ = ["ROWS_PER_KIND", "as_bool", "as_text", "check_tables", "empty_frame"]

ROWS_PER_KIND = 20
"""Rows listed per (table, column, kind of problem); the rest are counted."""

_TRUE = ("true", "1", "yes", "y", "t", "是", "1.0")
_FALSE = ("false", "0", "no", "n", "f", "否", "0.0")

# Which region level a unit's / leader's region must have, by tier.
_TIER_LEVEL = {
    "province": "province",
    "prefecture": "prefecture",
    "county": "county",
    "social": "province",
}

# Largest magnitudes accepted in number columns: beyond these, sums and the
# solvers' scaled integer costs overflow int64 (a feasible instance would be
# called infeasible, or an array per unit of capacity would not fit in memory).
MAX_INT = 1_000_000
MAX_FLOAT = 1e9

BoolArray = npt.NDArray[np.bool_]


class _Collector:
    """Problems found so far, at most :data:`ROWS_PER_KIND` per kind."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.truncated = 0

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def rows(
        self,
        table: _Frame,
        column: str,
        bad: BoolArray,
        expected: str,
        found: Callable[[int], str],
    ) -> None:
        """One problem per bad row (the first few), counting the rest."""
        pos = np.flatnonzero(bad)
        if len(pos) == 0:
            return
        for i in pos[:ROWS_PER_KIND]:
            self.problems.append(
                Problem(
                    table.name, table.label(int(i)), column, expected, found(int(i))
                )
            )
        self.truncated += max(0, len(pos) - ROWS_PER_KIND)


class _Frame:
    """A table being checked: raw columns in, normalised columns out."""

    def __init__(self, spec: Table, raw: pd.DataFrame | None) -> None:
        self.spec = spec
        self.name = spec.name
        self.present = raw is not None
        raw = _frame(raw) if raw is not None else pd.DataFrame()
        self.raw = raw
        self.n = len(raw)
        self.out: dict[str, Any] = {}
        self.missing: set[str] = set()  # contract columns absent from the input
        self.bad: dict[str, BoolArray] = {}  # rows whose value is unusable
        self._dup: BoolArray | None = None  # rows whose key id is duplicated

    def label(self, i: int) -> str:
        """The row's key id, or ``row N`` (1-based) when it has none.

        A duplicated id is followed by its row: ``0990101 (row 7)``.
        """
        key = self.spec.key
        if key is not None and key in self.out and key not in self.missing:
            value = self.out[key].iat[i]
            if value:
                if self._dup is None:
                    self._dup = self.out[key].duplicated(keep=False).to_numpy()
                return f"{value} (row {i + 1})" if self._dup[i] else str(value)
        return f"row {i + 1}"

    def text(self, name: str) -> pd.Series:
        return self.out[name]

    def usable(self, name: str) -> bool:
        return self.present and name not in self.missing

    def frame(self) -> pd.DataFrame:
        cols = dict(self.out)
        for extra in self.raw.columns:
            if extra not in cols:
                cols[extra] = self.raw[extra]
        return pd.DataFrame(cols, index=pd.RangeIndex(self.n))


def empty_frame(name: str) -> pd.DataFrame:
    """An empty normalised contract table."""
    frame = _Frame(TABLES[name], pd.DataFrame())
    _normalise(frame, _Collector())
    return frame.frame()


def check_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check raw instance tables and return them normalised.

    Parameters
    ----------
    tables
        Raw frames by table name (``regions``, ``villages`` …), of any dtypes.
        Tables not in the contract are ignored; optional tables (``leaders``,
        ``resident_teams``, ``claims``) may be absent.

    Returns
    -------
    dict[str, pandas.DataFrame]
        Every contract table, normalised (see the module docstring), with a
        fresh ``RangeIndex``; extra columns are kept untouched after the
        contract's columns.

    Raises
    ------
    InputError
        Listing every problem found (table, id or ``row N``, column, what was
        expected, what was found): missing tables or columns, bad values,
        duplicate ids, unknown references, a region tree that is not
        province → prefecture → county, units or leaders whose region does not
        match their tier, claims by non-social units or on non-poor villages.
        At most :data:`ROWS_PER_KIND` rows are listed per kind of problem;
        the rest are counted in ``InputError.truncated``.
    """
    acc = _Collector()
    frames: dict[str, _Frame] = {}
    for name, spec in TABLES.items():
        raw = tables.get(name)
        if raw is None and spec.required:
            acc.add(Problem(name, "", "", f"a {name} table", "missing"))
        dups = duplicate_columns(raw) if isinstance(raw, pd.DataFrame) else []
        for col, count in dups:
            acc.add(Problem(name, "", col, "one column of each name", f"{count}"))
        frame = _Frame(spec, raw)
        _normalise(frame, acc)
        frames[name] = frame
    _check_keys(frames, acc)
    _check_references(frames, acc)
    _check_regions(frames, acc)
    _check_tiers(frames, acc)
    _check_units(frames, acc)
    _check_leaders(frames, acc)
    _check_claims(frames, acc)
    if acc.problems or acc.truncated:
        raise InputError(acc.problems, acc.truncated)
    return {name: f.frame() for name, f in frames.items()}


def as_text(values: pd.Series, *, strip: bool = True) -> pd.Series:
    """Values of any dtype as text the way instance columns are read.

    ``str`` dtype, ``""`` for a missing value; integral numbers as their
    integer text (``220524.0`` → ``"220524"``); text such as ``nan`` or
    ``None`` stays text. ``strip`` trims surrounding blanks (ids, enums).

    Examples
    --------
    >>> as_text(pd.Series([" 007 ", "nan", None, 3.0], dtype=object)).tolist()
    ['007', 'nan', '', '3']
    """
    return _text(values.reset_index(drop=True), strip=strip)


def as_bool(values: pd.Series) -> tuple[BoolArray, BoolArray]:
    """Flags read as instance flags are (``true``/``false``, ``1``/``0``,
    ``yes``/``no``, ``是``/``否`` …); an empty value is ``False``.

    Returns
    -------
    flags, bad
        The flags, and where a value is no flag at all.

    Examples
    --------
    >>> flags, bad = as_bool(pd.Series(["是", "否", "", "maybe"]))
    >>> flags.tolist(), bad.tolist()
    ([True, False, False, False], [False, False, False, True])
    """
    values = values.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return values.to_numpy(dtype=bool), np.zeros(len(values), dtype=bool)
    text = _text(values, strip=True).str.lower()
    empty = (text == "").to_numpy()
    yes = text.isin(_TRUE).to_numpy()
    no = text.isin(_FALSE).to_numpy()
    return yes, ~empty & ~yes & ~no


def duplicate_columns(df: pd.DataFrame) -> list[tuple[str, int]]:
    """Column names (blanks trimmed) that occur more than once, with counts."""
    names = [str(c).strip() for c in df.columns]
    return sorted((n, names.count(n)) for n in set(names) if names.count(n) > 1)


# -- one table ---------------------------------------------------------------


def _frame(raw: Any) -> pd.DataFrame:
    df = raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(raw)
    df = df.reset_index(drop=True)
    names = pd.Index([str(c).strip() for c in df.columns])
    if names.has_duplicates:  # reported by check_tables; the first one is read
        df = df.loc[:, ~names.duplicated()]
        names = names[~names.duplicated()]
    df.columns = names
    return df


def _normalise(frame: _Frame, acc: _Collector) -> None:
    names = {c.name for c in frame.spec.columns}
    unexpected = [str(c) for c in frame.raw.columns if c not in names]
    for col in frame.spec.columns:
        if col.name in frame.raw.columns:
            values = frame.raw[col.name]
        else:
            typo = _did_you_mean(col.name, unexpected) if frame.present else None
            if typo is not None:  # a misspelt contract column, required or not
                acc.add(
                    Problem(
                        frame.name,
                        "",
                        col.name,
                        "the contract column",
                        f"missing, and an unexpected column {typo!r} "
                        f"(did you mean {col.name}?)",
                    )
                )
            elif frame.present and col.required:
                acc.add(
                    Problem(frame.name, "", col.name, "the contract column", "missing")
                )
            frame.missing.add(col.name)
            frame.out[col.name] = _default(col, frame.n)
            frame.bad[col.name] = np.zeros(frame.n, dtype=bool)
            continue
        frame.out[col.name], frame.bad[col.name] = _column(frame, col, values, acc)


def _did_you_mean(name: str, unexpected: list[str]) -> str | None:
    """The unexpected column most like the contract column ``name``, if close.

    Examples
    --------
    >>> _did_you_mean("severity", ["severty", "notes"])
    'severty'
    >>> _did_you_mean("severity", ["Severity "]), _did_you_mean("x_km", ["notes"])
    ('Severity ', None)
    """
    folded = {c.strip().lower().replace(" ", "_"): c for c in unexpected}
    if name in folded:
        return folded[name]
    close = difflib.get_close_matches(name, list(folded), n=1, cutoff=0.7)
    return folded[close[0]] if close else None


def _default(col: Column, n: int) -> Any:
    """The normalised column of a missing contract column."""
    if col.kind in ("id", "str", "enum"):
        return pd.Series([""] * n, dtype="str")
    if col.kind == "bool":
        return np.zeros(n, dtype=bool)
    if col.kind == "int" and col.required:
        return np.zeros(n, dtype=np.int64)
    return np.full(n, np.nan, dtype=np.float64)


def _column(
    frame: _Frame, col: Column, values: pd.Series, acc: _Collector
) -> tuple[Any, BoolArray]:
    """One normalised column and the mask of its unusable rows."""
    none = np.zeros(frame.n, dtype=bool)
    required = not col.nullable

    if col.kind in ("id", "str", "enum"):
        text = _text(values, strip=col.kind != "str")
        empty = (text == "").to_numpy()
        bad = none
        if required and empty.any():
            what = "a non-empty id" if col.kind == "id" else "a value"
            if col.kind == "enum":
                what = f"one of {', '.join(col.values)}"
            acc.rows(frame, col.name, empty, what, lambda i: "empty")
            bad = empty
        if col.kind == "enum":
            wrong = ~text.isin(col.values).to_numpy() & ~empty
            acc.rows(
                frame,
                col.name,
                wrong,
                f"one of {', '.join(col.values)}",
                lambda i: _show(text.iat[i]),
            )
            bad = bad | wrong
        return text, bad

    if col.kind == "bool":
        return _bools(frame, col, values, acc, required)

    # float / int
    number, empty, junk = _numbers(values)
    bad = none.copy()
    if required:
        acc.rows(frame, col.name, empty, _expect_number(col), lambda i: "empty")
        bad |= empty
    show = _shower(values)
    acc.rows(frame, col.name, junk, _expect_number(col), show)
    bad |= junk
    ok = ~empty & ~junk
    if col.kind == "int":
        frac = ok & (number != np.floor(np.where(ok, number, 0.0)))
        acc.rows(frame, col.name, frac, _expect_number(col), show)
        bad |= frac
        ok &= ~frac
    if col.low is not None:
        low = col.low
        with np.errstate(invalid="ignore"):
            small = ok & ((number <= low) if col.strict_low else (number < low))
        acc.rows(frame, col.name, small, _expect_number(col), show)
        bad |= small
        ok &= ~small
    limit = MAX_INT if col.kind == "int" else MAX_FLOAT
    huge = ok & (np.abs(np.where(ok, number, 0.0)) > limit)
    most = f"{MAX_INT:,}" if col.kind == "int" else f"{MAX_FLOAT:.0e}"
    acc.rows(frame, col.name, huge, f"{_expect_number(col)}, at most {most}", show)
    bad |= huge
    if col.kind == "int" and col.required:
        out = np.where(bad | empty, 0.0, number).astype(np.int64)
        return out, bad
    return np.where(bad, np.nan, number).astype(np.float64), bad


def _expect_number(col: Column) -> str:
    kind = "an integer" if col.kind == "int" else "a number"
    if col.low is None:
        return kind
    op = ">" if col.strict_low else ">="
    return f"{kind} {op} {col.low:g}"


def _text(values: pd.Series, *, strip: bool) -> pd.Series:
    """Values as ``str`` dtype text, ``""`` for empty."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        text = values.map(lambda v: "" if pd.isna(v) else str(bool(v)).lower())
    elif pd.api.types.is_integer_dtype(dtype):
        text = values.astype("str")
    elif pd.api.types.is_float_dtype(dtype):
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
        integral = np.isfinite(arr) & (arr == np.floor(np.nan_to_num(arr)))
        integral &= np.abs(np.nan_to_num(arr)) < 2**63
        text = values.astype("str")
        if integral.any():
            ints = arr[integral].astype(np.int64).astype(str)
            text = text.copy()
            text[integral] = ints
    elif isinstance(dtype, pd.StringDtype):
        text = values
    else:
        text = values.map(_cell_text, na_action=None)
    text = pd.Series(text, dtype="str").fillna("").reset_index(drop=True)
    if strip:
        text = text.str.strip()
    return text.astype("str")


def _cell_text(value: Any) -> str:
    """One cell as text (objects, e.g. from a workbook or a hand-made frame)."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        if value != value:
            return ""
        if np.isfinite(value) and value == int(value) and abs(float(value)) < 2**63:
            return str(int(value))
        return repr(float(value))
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def _numbers(values: pd.Series) -> tuple[npt.NDArray[np.float64], BoolArray, BoolArray]:
    """Values as float64, with masks of empty and non-numeric (or infinite) rows.

    Text ``nan`` counts as empty.
    """
    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        number = values.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = np.isnan(number)
    else:
        text = _text(values, strip=True)
        number = pd.to_numeric(text, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        # "nan" (as pandas writes a missing number) counts as empty.
        empty = (text == "").to_numpy() | (
            np.isnan(number) & (text.str.lower() == "nan").to_numpy()
        )
    junk = ~empty & ~np.isfinite(number)
    return number, empty, junk


def _bools(
    frame: _Frame, col: Column, values: pd.Series, acc: _Collector, required: bool
) -> tuple[BoolArray, BoolArray]:
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        out = values.to_numpy(dtype=bool)
        return out, np.zeros(frame.n, dtype=bool)
    text = _text(values, strip=True).str.lower()
    empty = (text == "").to_numpy()
    yes = text.isin(_TRUE).to_numpy()
    no = text.isin(_FALSE).to_numpy()
    bad = np.zeros(frame.n, dtype=bool)
    expected = "true or false"
    if required:
        acc.rows(frame, col.name, empty, expected, lambda i: "empty")
        bad |= empty
    wrong = ~empty & ~yes & ~no
    acc.rows(frame, col.name, wrong, expected, lambda i: _show(text.iat[i]))
    return yes, bad | wrong


def _shower(values: pd.Series) -> Callable[[int], str]:
    return lambda i: _show(values.iat[i])


def _at(text: pd.Series) -> Callable[[int], str]:
    """Shows row ``i`` of a text column."""
    return lambda i: _show(text.iat[i])


def _region_at(ids: pd.Series, levels: npt.NDArray[np.object_]) -> Callable[[int], str]:
    """Shows row ``i``'s region and its level."""
    return lambda i: _is(str(ids.iat[i]), str(levels[i]))


def _positions(
    index: pd.Index, values: pd.Series | npt.NDArray[Any]
) -> npt.NDArray[np.intp]:
    """Positions of ``values`` in ``index`` (-1 where absent)."""
    target = pd.Index(np.asarray(values, dtype=object))
    if index.is_unique:
        return np.asarray(index.get_indexer(target))
    # duplicated ids (reported by _check_keys): match each id's first row
    first = ~index.duplicated()
    rows = np.flatnonzero(first)
    pos = np.asarray(index[first].get_indexer(target))
    return np.where(pos >= 0, rows[np.maximum(pos, 0)], -1)


def _show(value: Any, limit: int = 60) -> str:
    """A raw value for a message (quoted, shortened)."""
    text = repr(value) if isinstance(value, str) else repr(_cell_text(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- across tables -----------------------------------------------------------


def _check_keys(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Duplicate ids (each duplicated id once)."""
    for frame in frames.values():
        key = frame.spec.key
        if key is None or not frame.usable(key):
            continue
        ids = frame.text(key)
        dup = ids.duplicated(keep=False).to_numpy() & (ids != "").to_numpy()
        if not dup.any():
            continue
        counts = ids[dup].value_counts(sort=False)
        for value, count in list(counts.items())[:ROWS_PER_KIND]:
            acc.add(
                Problem(frame.name, str(value), key, "a unique id", f"{count} rows")
            )
        acc.truncated += max(0, len(counts) - ROWS_PER_KIND)


def _ids(frames: Mapping[str, _Frame], table: str) -> pd.Index | None:
    """The key ids of a table, or None when they cannot be used."""
    frame = frames[table]
    key = frame.spec.key
    if key is None or not frame.usable(key):
        return None
    return pd.Index(frame.text(key).to_numpy(dtype=object))


def _check_references(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Every ``ref`` column names an existing row (empty allowed where nullable)."""
    for frame in frames.values():
        for col in frame.spec.columns:
            if col.ref is None or not frame.usable(col.name):
                continue
            target = _ids(frames, col.ref[0])
            if target is None:
                continue
            text = frame.text(col.name)
            values = text.to_numpy(dtype=object)
            unknown = (_positions(target, values) < 0) & (values != "")
            acc.rows(
                frame,
                col.name,
                unknown,
                f"an existing {col.ref[1]} of {col.ref[0]}",
                _at(text),
            )


def _levels(frames: Mapping[str, _Frame]) -> pd.Series | None:
    """Region level by region id (first row of duplicated ids)."""
    regions = frames["regions"]
    if not (regions.usable("region_id") and regions.usable("level")):
        return None
    ids = regions.text("region_id")
    levels = pd.Series(regions.text("level").to_numpy(), index=ids.to_numpy())
    return levels[~levels.index.duplicated()]


def _level_of(levels: pd.Series, ids: pd.Series) -> npt.NDArray[np.object_]:
    """Level of each referenced region ("" when unknown or empty)."""
    pos = _positions(pd.Index(levels.index), ids)
    lv = levels.to_numpy(dtype=object)
    return np.where(pos >= 0, lv[np.maximum(pos, 0)] if len(lv) else "", "")


def _check_regions(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """One province; prefecture → province → county; villages in counties."""
    regions = frames["regions"]
    levels = _levels(frames)
    if levels is None:
        return
    level = regions.text("level")
    n_prov = int((level == "province").sum())
    if n_prov != 1 and regions.present:
        acc.add(
            Problem("regions", "", "level", "exactly one province row", f"{n_prov}")
        )
    if regions.usable("parent_id"):
        parent = regions.text("parent_id")
        plevel = _level_of(levels, parent)
        known = plevel != ""
        empty = (parent == "").to_numpy()
        lv = level.to_numpy(dtype=object)
        for child, want in (("prefecture", "province"), ("county", "prefecture")):
            mine = lv == child
            wrong = mine & (empty | (known & (plevel != want)))
            acc.rows(
                regions,
                "parent_id",
                wrong,
                f"a {want} region as the parent of a {child}",
                _region_at(parent, plevel),
            )
        has_parent = (lv == "province") & ~empty
        acc.rows(
            regions,
            "parent_id",
            has_parent,
            "no parent for the province",
            _at(parent),
        )
    villages = frames["villages"]
    if villages.usable("county_id"):
        county = villages.text("county_id")
        clevel = _level_of(levels, county)
        wrong = (clevel != "") & (clevel != "county")
        acc.rows(
            villages,
            "county_id",
            wrong,
            "a county region",
            _region_at(county, clevel),
        )


def _is(region: str, level: str) -> str:
    return f"{region!r} (a {level})" if region else "empty"


def _check_tiers(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """A unit's or leader's region has the level of its tier."""
    levels = _levels(frames)
    if levels is None:
        return
    for name in ("units", "leaders"):
        frame = frames[name]
        if not (frame.usable("tier") and frame.usable("region_id")):
            continue
        tier = frame.text("tier").to_numpy(dtype=object)
        region = frame.text("region_id")
        have = _level_of(levels, region)
        for t, want in _TIER_LEVEL.items():
            wrong = (tier == t) & (have != "") & (have != want)
            acc.rows(
                frame,
                "region_id",
                wrong,
                f"a {want} region for tier {t}",
                _region_at(region, have),
            )


def _check_units(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """``min_villages <= max_villages`` where both are given (R4)."""
    units = frames["units"]
    if not (units.usable("min_villages") and units.usable("max_villages")):
        return
    lo = np.asarray(units.out["min_villages"], dtype=np.float64)
    hi = np.asarray(units.out["max_villages"], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        wrong = lo > hi
    acc.rows(
        units,
        "min_villages",
        wrong,
        "min_villages <= max_villages",
        lambda i: f"{lo[i]:g} > {hi[i]:g}",
    )


def _check_leaders(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Leader ids are not cadre ids; a fixed area is a region or a village."""
    leaders = frames["leaders"]
    if not leaders.present or leaders.n == 0:
        return
    cadres = _ids(frames, "cadres")
    if cadres is not None and leaders.usable("leader_id"):
        ids = leaders.text("leader_id")
        clash = (_positions(cadres, ids) >= 0) & (ids != "").to_numpy()
        acc.rows(
            leaders,
            "leader_id",
            clash,
            "an id that is not also a cadre_id",
            lambda i: "also a cadre_id",
        )
    regions, villages = _ids(frames, "regions"), _ids(frames, "villages")
    if regions is not None and villages is not None and leaders.usable("area_id"):
        area = leaders.text("area_id")
        values = area.to_numpy(dtype=object)
        unknown = (
            (values != "")
            & (_positions(regions, values) < 0)
            & (_positions(villages, values) < 0)
        )
        acc.rows(
            leaders,
            "area_id",
            unknown,
            "an existing region_id or village_id",
            lambda i: _show(area.iat[i]),
        )


def _check_claims(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Claims come from ``social`` units, on poor villages (R13)."""
    claims = frames["claims"]
    if not claims.present or claims.n == 0:
        return
    units, villages = frames["units"], frames["villages"]
    if claims.usable("unit_id") and units.usable("tier"):
        ids = _ids(frames, "units")
        if ids is not None:
            unit = claims.text("unit_id")
            pos = _positions(ids, unit)
            tier = units.text("tier").to_numpy(dtype=object)
            have = np.where(pos >= 0, tier[np.maximum(pos, 0)] if len(tier) else "", "")
            wrong = (pos >= 0) & (have != "social")
            acc.rows(
                claims,
                "unit_id",
                wrong,
                "a unit of tier social",
                lambda i: f"{unit.iat[i]!r} (tier {have[i]})",
            )
    if claims.usable("village_id") and villages.usable("poor"):
        ids = _ids(frames, "villages")
        if ids is not None:
            village = claims.text("village_id")
            pos = _positions(ids, village)
            poor = np.asarray(villages.out["poor"], dtype=bool)
            known = pos >= 0
            wrong = known & ~(poor[np.maximum(pos, 0)] if len(poor) else known)
            acc.rows(
                claims,
                "village_id",
                wrong,
                "a poor village",
                lambda i: f"{village.iat[i]!r} (not poor)",
            )
