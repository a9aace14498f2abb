"""Reading plan folders as leniently as instances (:meth:`pairing.Plan.load`).

The plan tables are read the way :mod:`pairing.io` reads instance tables:
Parquet, CSV all-as-text (a byte-order mark allowed, CSV-injection marks
undone), or one ``.xlsx`` workbook; ids and enums become trimmed text and are
never missing values; flags take every spelling instance flags take. Every
problem is collected and raised at once, naming the table, the row and the
column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._readinstance import read_csv
from ._readxlsx import _brief, read_xlsx
from .checks import ROWS_PER_KIND, as_bool, as_text, duplicate_columns
from .errors import InputError, Problem
from .schema import PLAN_TABLES

_DTYPES: dict[str, dict[str, str]] = {
    "village_pairs": {"continuity": "bool"},
    "dispatch": {"is_head": "bool"},
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty plan table with the contract's columns and dtypes."""
    cols = PLAN_TABLES[name]
    types = _DTYPES.get(name, {})
    return pd.DataFrame({c: pd.Series([], dtype=types.get(c, "str")) for c in cols})


__all__ = ["read_plan"]

BOOL_COLUMNS = {"village_pairs": ("continuity",), "dispatch": ("is_head",)}
"""Plan columns holding flags."""
FREE_TEXT = {"changes": ("reason",), "uncovered": ("cause",)}
"""Plan columns of free text (kept as written: not trimmed)."""
OPTIONAL = ("changes", "uncovered")
"""Plan tables that may be missing (read as empty)."""

_NUM = (int, float)
_OPT_NUM = (int, float, type(None))
_SUMMARY: dict[str, Any] = {
    "status": str,
    "method": str,
    "objective": _OPT_NUM,
    "best_bound": _OPT_NUM,
    "gap": _OPT_NUM,
    "seconds": {"*": _NUM},
    "counts": {"*": _OPT_NUM},
    "parameters": {},
    "stages": {},
    "soft": {
        "R9": {"inverted_share": _OPT_NUM},
        "R10": {
            "strength_severity_by_tier": {"*": _OPT_NUM},
            "rank_severity": _OPT_NUM,
        },
        "R11": {"kept": _NUM, "keepable": _NUM},
        "R12": {
            "mean_load": _OPT_NUM,
            "max_load": _OPT_NUM,
            "idle_while_full": _OPT_NUM,
            "mean_travel_km": _OPT_NUM,
        },
        "R13": {"honoured": _NUM, "claims": _NUM},
    },
}
"""The kinds of the ``summary.json`` figures pairing reads (others: any)."""


def read_plan(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The normalised plan tables of ``path`` and its ``summary.json``.

    An optional table that is absent is left out: :class:`pairing.Plan`'s
    default, an empty table with the contract's columns, stands in (so this
    module needs nothing from :mod:`pairing.plan`, which calls it).

    Raises
    ------
    InputError
        Listing every problem found.
    """
    problems: list[Problem] = []
    raw, summary = _raw_tables(path, problems)
    if problems and not raw:
        raise InputError(problems)
    tables: dict[str, pd.DataFrame] = {}
    for name in PLAN_TABLES:
        df = raw.get(name)
        if df is None:
            if name not in OPTIONAL:  # an optional one: the Plan's default
                problems.append(
                    Problem(name, "", "", f"{name}.parquet, .csv or a sheet", "none")
                )
            continue
        tables[name] = _normalise(name, df, problems)
    info = _summary(summary, problems) if summary is not None else {}
    if problems:
        raise InputError(problems)
    return tables, info


def _raw_tables(
    path: Path, problems: list[Problem]
) -> tuple[dict[str, pd.DataFrame], Path | None]:
    tables: dict[str, pd.DataFrame] = {}
    expected = "a plan folder (or a plan .xlsx workbook)"
    if not path.exists():
        problems.append(Problem("plan", str(path), "", expected, "nothing"))
        return tables, None
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return read_xlsx(path, problems, names=PLAN_TABLES), None
    if not path.is_dir():
        problems.append(
            Problem("plan", str(path), "", expected, "another kind of file")
        )
        return tables, None
    for name in PLAN_TABLES:
        pq, text = path / f"{name}.parquet", path / f"{name}.csv"
        try:
            if pq.is_file():
                tables[name] = pd.read_parquet(pq)
            elif text.is_file():
                tables[name] = read_csv(text, name, problems)
        except Exception as exc:  # a corrupt file: report, don't trace back
            which = pq.name if pq.is_file() else text.name
            problems.append(Problem(name, "", "", f"a readable {which}", _brief(exc)))
            tables[name] = pd.DataFrame()
    if not tables:
        books = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("."))
        if len(books) == 1:
            tables = read_xlsx(books[0], problems, names=PLAN_TABLES)
        elif len(books) > 1:
            names = ", ".join(b.name for b in books[:5])
            problems.append(
                Problem(
                    "plan",
                    str(path),
                    "",
                    "one file per table, or a single .xlsx workbook",
                    f"{len(books)} workbooks ({names}) and no table files",
                )
            )
    return tables, path / "summary.json"


def _normalise(name: str, df: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Contract columns as text (ids trimmed) or flags; extra columns kept."""
    if df.empty and len(df.columns) == 0:  # unreadable: reported already
        return df
    for col, count in duplicate_columns(df):
        problems.append(Problem(name, "", col, "one column of each name", f"{count}"))
    names = pd.Index([str(c).strip() for c in df.columns])
    df = df.loc[:, ~names.duplicated()].reset_index(drop=True)
    df.columns = names[~names.duplicated()]
    out: dict[str, Any] = {}
    for col in PLAN_TABLES[name]:
        if col not in df.columns:
            problems.append(Problem(name, "", col, "the contract column", "missing"))
            continue
        if col in BOOL_COLUMNS.get(name, ()):
            flags, bad = as_bool(df[col])
            for i in np.flatnonzero(bad)[:ROWS_PER_KIND]:
                problems.append(
                    Problem(
                        name, f"row {i + 1}", col, "true or false", repr(df[col].iat[i])
                    )
                )
            out[col] = flags
        else:
            out[col] = as_text(df[col], strip=col not in FREE_TEXT.get(name, ()))
    for col in df.columns:
        if col not in out and col not in PLAN_TABLES[name]:
            out[col] = df[col]
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _summary(path: Path, problems: list[Problem]) -> dict[str, Any]:
    """``summary.json`` as a dict, its known figures of the right kinds."""
    if not path.exists():
        return {}
    where = "summary.json"
    if not path.is_file():
        problems.append(Problem(where, "", "", "a JSON file", "a folder"))
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, OSError) as exc:
        problems.append(Problem(where, "", "", "valid JSON", str(exc)[:200]))
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(where, "", "", "a JSON object", _kind(data)))
        return {}
    _check(data, _SUMMARY, "", problems)
    return data


def _kind(value: Any) -> str:
    names = {list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _check(data: Any, spec: Any, key: str, problems: list[Problem]) -> None:
    """Problems where ``data`` does not have the kinds ``spec`` gives."""
    if isinstance(spec, dict):
        if not isinstance(data, dict):
            problems.append(Problem("summary.json", "", key, "an object", _kind(data)))
            return
        for k, v in data.items():
            sub = spec.get(str(k), spec.get("*"))
            if sub is not None:
                _check(v, sub, f"{key}.{k}" if key else str(k), problems)
        return
    kinds = spec if isinstance(spec, tuple) else (spec,)
    ok = isinstance(data, kinds) and not (isinstance(data, bool) and str not in kinds)
    if not ok:
        want = "text" if kinds == (str,) else "a number"
        want += " or null" if type(None) in kinds else ""
        problems.append(Problem("summary.json", "", key, want, repr(data)[:60]))
