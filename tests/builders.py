"""Build small normalised instances by hand in tests.

``make_instance(regions=[...], villages=[...], ...)`` takes lists of dicts (or
DataFrames) with only the columns a test cares about; every other contract
column is filled with its empty value, and the result is an
:class:`~pairing.Instance` built without the input checks (so tests of the
solver do not depend on the loader).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pairing.instance import Instance
from pairing.rules import Rules
from pairing.schema import TABLES


def frame(name: str, rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A normalised contract table from a few rows."""
    df = pd.DataFrame(rows).copy()
    out: dict[str, Any] = {}
    n = len(df)
    for col in TABLES[name].columns:
        values = (
            df[col.name]
            if col.name in df.columns
            else pd.Series([None] * n, dtype=object)
        )
        if col.kind in ("id", "str", "enum"):
            s = values.astype(object).where(values.notna(), "")
            out[col.name] = s.astype(str).astype("str")
        elif col.kind == "bool":
            out[col.name] = values.fillna(False).astype(bool).to_numpy()
        elif col.kind == "int" and col.required:
            out[col.name] = values.astype(np.int64).to_numpy()
        else:
            out[col.name] = pd.to_numeric(values, errors="coerce").astype(np.float64)
    for extra in df.columns:  # extra columns are kept
        if extra not in out:
            out[extra] = df[extra]
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def make_instance(rules: Rules | None = None, **tables: Any) -> Instance:
    """An instance from rows per table (missing optional tables are empty)."""
    frames = {name: frame(name, tables.get(name, [])) for name in TABLES}
    return Instance(frames, rules or Rules())
