"""Checks of one table: every contract column read into its normalised dtype."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import Problem
from ..schema import Column
from ._frame import _FALSE, _TRUE, MAX_FLOAT, MAX_INT, BoolArray, _Collector, _Frame


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


def _is(region: str, level: str) -> str:
    return f"{region!r} (a {level})" if region else "empty"
