"""The scenario table codec: changes to and from one table of text cells.

:meth:`~pairing.scenario.Scenario.to_table` and
:meth:`~pairing.scenario.Scenario.from_table` are the front doors; this module
holds the row layout (``step, kind, id, value`` then field columns).

Examples
--------
>>> from pairing.scenario import CadresLeave, KeyCountyAdd
>>> table = changes_to_table([CadresLeave(["c1", "c2"]), KeyCountyAdd("220524")])
>>> table[["step", "kind", "id"]].values.tolist()
[[1, 'cadres_leave', 'c1'], [1, 'cadres_leave', 'c2'], [2, 'key_county_add', '220524']]
>>> changes_from_table(table)
(CadresLeave(cadre_ids=('c1', 'c2')), KeyCountyAdd(county_id='220524'))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ._common import _cell, _flat
from .cadres import CadresJoin, CadresLeave, CadresLeaveShare
from .change import CHANGES, Change, _kind
from .households import HouseholdsAdd, HouseholdsLeave
from .settings import KeyCountyAdd, RuleChange, UnitStrength
from .units import UnitsMerge, UnitSplit

TABLE_COLUMNS = ("step", "kind", "id", "value")
"""The leading columns of :meth:`Scenario.to_table` (further columns: fields)."""

_SINGLE = {"key_county_add", "unit_strength", "cadres_leave_share"}
"""Kinds whose every row is one change of its own."""


def changes_to_table(changes: Sequence[Change]) -> pd.DataFrame:
    """One row per item of each change, text but ``step`` (``Scenario.to_table``)."""
    rows = [row for step, c in enumerate(changes, start=1) for row in _rows(step, c)]
    df = pd.DataFrame(rows)
    for col in TABLE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.Series(dtype=object)
    cols = [*TABLE_COLUMNS, *[c for c in df.columns if c not in TABLE_COLUMNS]]
    df = df[cols]
    out: dict[str, pd.Series] = (
        {"step": df["step"].astype(np.int64)}
        if len(df)
        else {"step": pd.Series([], dtype=np.int64)}
    )
    for col in cols[1:]:
        out[col] = df[col].map(_cell).astype("str")
    return pd.DataFrame(out)


def _rows(step: int, c: Change) -> list[dict[str, Any]]:
    """The table rows of change ``c``, step ``step``."""
    base: dict[str, Any] = {"step": step, "kind": c.kind}
    if isinstance(c, CadresLeave):
        return [{**base, "id": i} for i in c.cadre_ids]
    if isinstance(c, HouseholdsLeave):
        return [{**base, "id": i} for i in c.household_ids]
    if isinstance(c, CadresJoin | HouseholdsAdd):
        key = c.id_column
        return [
            {
                **base,
                "id": r.get(key, ""),
                **{k: v for k, v in r.items() if k != key},
            }
            for r in c.rows
        ]
    if isinstance(c, CadresLeaveShare):
        return [
            {
                **base,
                "value": c.share,
                "seed": c.seed,
                "include_heads": c.include_heads,
            }
        ]
    if isinstance(c, UnitsMerge):
        return [{**base, "id": u, "value": c.into} for u in c.unit_ids]
    if isinstance(c, UnitSplit):
        extra = {"unit_id": c.unit_id, "name": c.name, "strength": c.strength}
        return [{**base, "id": i, "value": c.new_unit_id, **extra} for i in c.cadre_ids]
    if isinstance(c, KeyCountyAdd):
        return [{**base, "id": c.county_id}]
    if isinstance(c, UnitStrength):
        return [{**base, "id": c.unit_id, "value": c.strength}]
    if isinstance(c, RuleChange):
        return [
            {**base, "id": k, "value": json.dumps(v, ensure_ascii=False)}
            for k, v in _flat(c.params)
        ]
    return []


def changes_from_table(table: pd.DataFrame) -> tuple[Change, ...]:
    """The changes a table holds (``Scenario.from_table`` documents the grouping)."""
    df = table.reset_index(drop=True)
    if "kind" not in df.columns:
        raise InputError(
            [Problem("scenario table", "", "kind", "a kind column", "missing")]
        )
    df = df.astype(object).where(df.notna(), None)
    kinds = [_kind(k).kind for k in df["kind"]]
    order: dict[Any, list[int]] = {}
    for i, key in enumerate(_group_keys(df, kinds)):
        order.setdefault(key, []).append(i)
    return tuple(_change_of_rows(df, rows, kinds) for rows in order.values())


def _group_keys(df: pd.DataFrame, kinds: list[str]) -> list[Any]:
    """One key per row; rows with equal keys form one change."""
    keys: list[Any] = []
    for i, k in enumerate(kinds):
        if "step" in df.columns and _cell(df["step"].iat[i]) != "":
            keys.append(("step", _cell(df["step"].iat[i])))
            continue
        value = _cell(df["value"].iat[i]) if "value" in df.columns else ""
        group = (
            k,
            value,
            _cell(df["unit_id"].iat[i]) if "unit_id" in df.columns else "",
        )
        same = (
            k not in _SINGLE
            and i > 0
            and keys[-1][0] == "run"
            and keys[-1][2]
            == (group if k in ("units_merge", "unit_split") else (k, "", ""))
        )
        if same:
            keys.append(keys[-1])
        else:
            keys.append(
                (
                    "run",
                    i,
                    group if k in ("units_merge", "unit_split") else (k, "", ""),
                )
            )
    return keys


def _change_of_rows(df: pd.DataFrame, rows: list[int], kinds: list[str]) -> Change:
    """The one change that table rows ``rows`` (all of one kind) describe."""
    kind = kinds[rows[0]]
    if any(kinds[i] != kind for i in rows):
        raise InputError(
            [
                Problem(
                    "scenario table",
                    f"row {rows[0] + 1}",
                    "kind",
                    "one kind per step",
                    ", ".join(sorted({kinds[i] for i in rows})),
                )
            ]
        )
    sub = df.iloc[rows]

    def col(name: str) -> list[str]:
        return [_cell(v) for v in sub[name]] if name in sub.columns else [""] * len(sub)

    ids, values = col("id"), col("value")
    label = f"row {rows[0] + 1}"

    def number(text: str, what: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise InputError(
                [Problem("scenario table", label, what, "a number", repr(text))]
            ) from None

    if kind == "cadres_leave":
        return CadresLeave(tuple(ids))
    if kind == "households_leave":
        return HouseholdsLeave(tuple(ids))
    if kind in ("cadres_join", "households_add"):
        key = CHANGES[kind].id_column  # type: ignore[attr-defined]
        return CHANGES[kind](_new_rows(df, rows, ids, key))  # type: ignore[call-arg]
    if kind == "cadres_leave_share":
        seed = col("seed")[0] or "0"
        heads = col("include_heads")[0].lower() in ("true", "1", "yes")
        return CadresLeaveShare(
            number(values[0], "value"), int(number(seed, "seed")), heads
        )
    if kind == "units_merge":
        return UnitsMerge(tuple(ids), values[0])
    if kind == "unit_split":
        strength = col("strength")[0]
        return UnitSplit(
            col("unit_id")[0],
            values[0],
            tuple(ids),
            name=col("name")[0],
            strength=number(strength, "strength") if strength else None,
        )
    if kind == "key_county_add":
        return KeyCountyAdd(ids[0])
    if kind == "unit_strength":
        return UnitStrength(ids[0], number(values[0], "value"))
    return RuleChange(_rule_params(ids, values))


def _new_rows(
    df: pd.DataFrame, rows: list[int], ids: list[str], key: str
) -> tuple[dict[str, str], ...]:
    """A ``cadres_join`` / ``households_add``'s rows: the id, then each filled field."""
    skip = {"step", "kind", "id", "value"}
    recs = []
    for j, i in enumerate(rows):
        rec = {key: ids[j]}
        for c in df.columns:
            if c not in skip and (v := _cell(df[c].iat[i])) != "":
                rec[str(c)] = v
        recs.append(rec)
    return tuple(recs)


def _rule_params(ids: list[str], values: list[str]) -> dict[str, Any]:
    """``weights.tier`` / ``2`` rows → ``{"weights": {"tier": 2}}`` (values as JSON)."""
    params: dict[str, Any] = {}
    for key, text in zip(ids, values, strict=True):
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        *path, last = key.split(".")
        at = params
        for p in path:
            at = at.setdefault(p, {})
        at[last] = value
    return params
