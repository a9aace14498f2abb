"""A stable fingerprint of an instance: which data a plan or report was made from.

:func:`fingerprint` hashes the contract tables of an instance (every contract
column, in the contract's order, row by row as loaded) and its rules. The
same data gives the same fingerprint whichever file format it was read from
(Parquet, CSV or a workbook) and whichever pandas or pyarrow version reads
it; extra columns that pairing does not read are left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .schema import TABLES

if TYPE_CHECKING:
    from .instance import Instance

__all__ = ["fingerprint"]

VERSION = "pairing-instance-v1"
"""Changes whenever the hashed byte layout changes (never for the same data)."""


def fingerprint(instance: Instance) -> str:
    """The SHA-256 fingerprint of an instance's tables and rules, as hex.

    Parameters
    ----------
    instance
        A checked instance (:func:`pairing.load_instance`,
        :meth:`pairing.Instance.from_tables`, :func:`pairing.generate`).

    Returns
    -------
    str
        64 hexadecimal digits. Reports show the first 12.

    Notes
    -----
    Each contract column is hashed from its normalised values: ids and text
    as UTF-8 with their lengths, numbers as IEEE doubles (every NaN alike),
    flags as bytes. Row order counts (the solver reads rows in order).

    Examples
    --------
    >>> import pairing
    >>> a = pairing.generate(households=2000, seed=3)
    >>> b = pairing.generate(households=2000, seed=3)
    >>> pairing.fingerprint(a) == pairing.fingerprint(b)
    True
    >>> len(pairing.fingerprint(a))
    64
    """
    return instance.fingerprint  # computed once per (read-only) instance


def compute(instance: Instance) -> str:
    """:func:`fingerprint`, computed afresh (what ``Instance.fingerprint`` caches)."""
    h = hashlib.sha256(VERSION.encode())
    for name, spec in TABLES.items():
        df = instance.tables[name]
        h.update(f"\x1e{name}\x1f{len(df)}".encode())
        for col in spec.columns:
            h.update(f"\x1d{col.name}\x1f{col.kind}".encode())
            if col.name in df.columns:
                _column(h, df[col.name], col.kind)
    rules = json.dumps(instance.rules.to_dict(), sort_keys=True, default=str)
    h.update(b"\x1crules\x1f" + rules.encode())
    return h.hexdigest()


def _column(h: Any, values: pd.Series, kind: str) -> None:
    if kind in ("float", "int"):
        arr = pd.to_numeric(values, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        arr = np.where(np.isnan(arr), np.nan, arr + 0.0)  # one NaN, no -0.0
        h.update(arr.astype("<f8").tobytes())
    elif kind == "bool":
        h.update(values.to_numpy(dtype=bool).astype(np.uint8).tobytes())
    else:
        raw = values.to_numpy(dtype=object, na_value="")
        arr = pa.array(raw, type=pa.large_string(), from_pandas=True)
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
        offsets = offsets[arr.offset : arr.offset + len(arr) + 1]
        h.update((offsets - offsets[0]).astype("<i8").tobytes())
        data = arr.buffers()[2]
        if data is not None:
            h.update(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
