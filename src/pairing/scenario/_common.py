"""Helpers shared by the change kinds and the codecs: plain values, ids, checks."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ..rules import Rules
from ..schema import TABLES


def _plain(value: Any) -> Any:
    """A JSON-friendly Python value (numpy scalars unwrapped, NaN/NA → None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _ids(values: Iterable[Any] | str) -> tuple[str, ...]:
    """Ids as a tuple of strings (one id given alone is accepted)."""
    if isinstance(values, str):
        return (values,)
    return tuple(str(_plain(v)) for v in values)


def _records(rows: Any, table: str) -> tuple[dict[str, Any], ...]:
    """Rows (a DataFrame, a list of dicts, one dict) as plain-valued dicts.

    Values of the contract's columns are converted to their kind where they
    can be (``"2"`` → ``2`` for an ``int``), so equal rows compare equal
    however they were written; the checks report what cannot be converted.
    """
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict(orient="records")
    elif isinstance(rows, Mapping):
        rows = [rows]
    spec = {c.name: c for c in TABLES[table].columns}
    out = []
    for r in rows:
        rec = {}
        for k, v in dict(r).items():
            v = _plain(v)
            col = spec.get(str(k))
            if col is not None and v is not None:
                v = _typed(v, col.kind)
            rec[str(k)] = v
        out.append(rec)
    return tuple(out)


def _typed(value: Any, kind: str) -> Any:
    """``value`` as the column kind, or unchanged when it does not convert."""
    try:
        if kind in ("id", "str", "enum"):
            return _cell(value) if kind != "str" else str(value)
        if kind == "bool":
            text = str(value).strip().lower()
            if text in ("true", "1", "yes", "y", "t", "是", "1.0"):
                return True
            if text in ("false", "0", "no", "n", "f", "否", "0.0", ""):
                return False
            return value
        number = float(value)
        if kind == "int" and number == int(number):
            return int(number)
        return number
    except (TypeError, ValueError):
        return value


def _unknown(
    label: str, column: str, wanted: Sequence[str], known: pd.Index, what: str
) -> list[Problem]:
    """One problem per id of ``wanted`` not in ``known``."""
    pos: np.ndarray | list[int] = (
        known.get_indexer(pd.Index(np.asarray(wanted, dtype=object))) if wanted else []
    )
    return [
        Problem("scenario", label, column, f"an existing {what}", repr(w))
        for w, p in zip(wanted, pos, strict=True)
        if p < 0
    ]


def _index(instance: Instance, table: str, key: str) -> pd.Index:
    index: pd.Index = pd.Index(instance.tables[table][key].to_numpy(dtype=object))
    return index


def _build(tables: Mapping[str, pd.DataFrame], rules: Rules, label: str) -> Instance:
    """A checked instance (``Instance.from_tables``), naming the change on errors."""
    if importlib.util.find_spec("pairing.checks") is None:  # checks not there yet
        return Instance(dict(tables), rules)
    try:
        return Instance.from_tables(tables, rules)
    except InputError as exc:
        head = Problem(
            "scenario",
            label,
            "",
            "a change that leaves the instance valid",
            "the problems below",
        )
        raise InputError([head, *exc.problems], exc.truncated) from None


def _fail(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def _flat(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``{"weights": {"tier": 2}}`` → ``[("weights.tier", 2)]`` (lists stay whole)."""
    out: list[tuple[str, Any]] = []
    for k, v in params.items():
        if isinstance(v, Mapping):
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return str(int(value)) if not isinstance(value, bool) else str(value)
    return str(value).strip()


def _short(ids: Sequence[str], n: int = 5) -> str:
    ids = list(ids)
    text = ", ".join(ids[:n])
    return text + (f" … (+{len(ids) - n:,})" if len(ids) > n else "")


def _columns(rows: Sequence[Mapping[str, Any]], table: str) -> list[str]:
    """The columns of new rows: the contract's key columns first, then theirs."""
    cols = [c.name for c in TABLES[table].columns if c.required]
    for r in rows:
        cols += [k for k in r if k not in cols]
    return cols


def _taken(label: str, column: str, ids: pd.Series, known: pd.Index) -> list[Problem]:
    ids = ids.astype(object).map(_cell)
    clash = known.get_indexer(pd.Index(ids.to_numpy(dtype=object))) >= 0
    dup = ids.duplicated().to_numpy()
    return [
        Problem("scenario", label, column, "a new id", f"{i!r} (exists)")
        for i in ids[clash]
    ] + [
        Problem("scenario", label, column, "a new id", f"{i!r} (twice)")
        for i in ids[dup & ~clash]
    ]


def _append(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` then ``new`` (new rows are normalised by the checks)."""
    new = new.astype(object)
    return pd.concat([old.astype(object), new], ignore_index=True)
