"""The comparisons of two plans' tables: vectorised lookups on ids.

:func:`_compare` finds the rows whose columns differ (``moved``, ``added``,
``removed``, ``unit``); :func:`_set_diff` the rows only in one plan; the
tier lookups label a unit (or a leader) with its tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..instance import Instance

if TYPE_CHECKING:  # Plan.diff calls this package: no circle at run time
    from ..plan import Plan


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """Id/text columns as ``str`` with ``""`` for missing (bools untouched)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out, index=df.index)


def _lead(p: Plan) -> pd.DataFrame:
    vp = p.village_pairs
    return vp.loc[vp["role"] == "lead", ["village_id", "unit_id"]]


def _supp(p: Plan) -> pd.DataFrame:
    vp = p.village_pairs
    return vp.loc[vp["role"] == "supplementary", ["village_id", "unit_id"]]


def _compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    key: str,
    columns: dict[str, tuple[str, str]],
    *,
    same_unit: bool = False,
) -> pd.DataFrame:
    """Rows of ``a``/``b`` (keyed by ``key``) whose ``columns`` differ.

    The first entry of ``columns`` decides ``moved``; with ``same_unit``, a
    difference only in ``unit_id`` is the change ``unit``. Rows are matched
    by position lookups on the key (no sort-merge), in B's order, then the
    rows only in A.
    """
    a = a.drop_duplicates(subset=[key]) if not a[key].is_unique else a
    b = b.drop_duplicates(subset=[key]) if not b[key].is_unique else b
    ka, kb = _col(a[key]), _col(b[key])
    if len(ka) == len(kb) and bool((ka == kb).all()):
        pos = np.arange(len(kb))
    else:
        pos = pd.Index(ka).get_indexer(kb)
    hit = pos >= 0
    only_a = np.ones(len(ka), dtype=bool)
    only_a[pos[hit]] = False
    n_b, n_a_only = len(kb), int(only_a.sum())
    ia = np.concatenate([pos, np.flatnonzero(only_a)])
    found = ia >= 0
    empty = pd.Series([""] * n_a_only, dtype="str")
    cols: dict[str, pd.Series] = {key: pd.concat([kb, ka[only_a]], ignore_index=True)}
    differs = np.zeros(n_b + n_a_only, dtype=bool)
    primary = differs
    for k, (col, (before, after)) in enumerate(columns.items()):
        va, vb = _col(a[col]), _col(b[col])
        bef = va.take(np.maximum(ia, 0)).reset_index(drop=True) if len(va) else None
        bef = (
            bef.where(found, "")
            if bef is not None
            else pd.Series([""] * len(ia), dtype="str")
        )
        aft = pd.concat([vb, empty], ignore_index=True)
        cols[before], cols[after] = bef, aft
        d = (bef != aft).to_numpy(dtype=bool)
        differs = differs | d
        if k == 0:
            primary = d
    added = np.concatenate([~hit, np.zeros(n_a_only, dtype=bool)])
    removed = np.concatenate([np.zeros(n_b, dtype=bool), np.ones(n_a_only, dtype=bool)])
    change = np.select(
        [added, removed, primary, differs],
        ["added", "removed", "moved", "unit" if same_unit else "moved"],
        default="",
    )
    keep = np.flatnonzero(change != "")
    out = pd.DataFrame(
        {c: v.take(keep).reset_index(drop=True) for c, v in cols.items()}
    )
    out["change"] = pd.Series(change[keep], dtype="str")
    return out


def _col(s: pd.Series) -> pd.Series:
    """A column as ``str`` dtype (``""`` for missing) with a fresh index."""
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype(object).where(s.notna(), "").astype("str")
    elif s.hasnans:
        s = s.fillna("")
    return s.reset_index(drop=True)


def _set_diff(
    a: pd.DataFrame, b: pd.DataFrame, on: list[str], keep: list[str] | None = None
) -> pd.DataFrame:
    """Rows (by ``on``) only in ``a`` (``removed``) or only in ``b`` (``added``)."""
    keep = keep or []
    a, b = _text(a[on + keep]), _text(b[on + keep])
    m = a.merge(b[on], on=on, how="outer", indicator=True)
    removed = m.loc[m["_merge"] == "left_only", on + keep]
    m2 = b.merge(a[on], on=on, how="left", indicator=True)
    added = m2.loc[m2["_merge"] == "left_only", on + keep]
    out = pd.concat(
        [added.assign(change="added"), removed.assign(change="removed")],
        ignore_index=True,
    )
    for col in on:
        out[col] = out[col].astype(str)
    if "is_head" in out.columns:
        out["is_head"] = out["is_head"].astype(bool)
    return out[on + keep + ["change"]]


def _unit_tiers(a: Plan, b: Plan, instance: Instance | None) -> pd.Series:
    """Tier by unit id: from the instance, else from the plans' village pairs."""
    parts = [
        p.village_pairs[["unit_id", "tier"]]
        for p in (b, a)
        if "tier" in p.village_pairs
    ]
    if instance is not None:
        parts.insert(0, instance.units[["unit_id", "tier"]])
    both = _text(pd.concat(parts, ignore_index=True))
    both = both[both["tier"] != ""].drop_duplicates(subset=["unit_id"])
    return both.set_index("unit_id")["tier"]


def _map(ids: pd.Series, table: pd.Series) -> pd.Series:
    out = ids.map(table) if len(table) else pd.Series("", index=ids.index)
    return out.astype(object).where(out.notna(), "").astype("str")


def _unit_or_leader_tier(
    unit: pd.Series, kind: pd.Series, tier_of: pd.Series
) -> pd.Series:
    out = _map(unit, tier_of)
    return out.where(kind != "leader", "leader")
