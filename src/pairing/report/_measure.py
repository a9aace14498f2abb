"""How wide and tall report cells are: text widths (a CJK character counts 2), kinds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def text_widths(values: Any) -> np.ndarray:
    """Each value's width in character widths (CJK characters count 2; missing 0)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        arr = pa.array(values.array, from_pandas=True).cast(pa.string())
    else:
        arr = pa.array(
            np.asarray(values, dtype=object), type=pa.string(), from_pandas=True
        )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    chars = pc.utf8_length(arr)
    nbytes = pc.binary_length(arr)
    # 1 byte -> 1, 3 bytes (CJK) -> 2: chars + (bytes - chars) // 2
    width = pc.add(chars, pc.divide(pc.subtract(nbytes, chars), 2))
    return np.asarray(pc.fill_null(width, 0).to_numpy(zero_copy_only=False))


def display_width(values: Any) -> int:
    """Widest text among ``values`` in character widths (CJK characters count 2).

    Vectorised (Arrow kernels): a UTF-8 character of 3 or 4 bytes is taken as
    double width, one of 1 byte as single; missing values count 0.

    Examples
    --------
    >>> display_width(["长春市", "ab", None])
    6
    """
    widths = text_widths(values)
    return int(widths.max()) if len(widths) else 0


def _kind(values: pd.Series) -> str:
    """``int``, ``float`` or ``text``: how a body column is written."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = arr[np.isfinite(arr)]
        return "int" if np.all(finite == np.floor(finite)) else "float"
    return "text"


def _as_written(body: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Body columns as they are written (whole numbers as ``Int64``), and kinds."""
    body = body.reset_index(drop=True).infer_objects()
    kinds = [_kind(body[c]) for c in body.columns]
    out = {}
    for col, kind in zip(body.columns, kinds, strict=True):
        s = body[col]
        if kind == "int" and not pd.api.types.is_integer_dtype(s.dtype):
            s = s.round().astype("Int64")
        elif kind == "text" and pd.api.types.is_bool_dtype(s.dtype):
            s = s.map({True: "是", False: "否"})
        out[col] = s
    return pd.DataFrame(out), kinds


def _number_text(values: pd.Series, kind: str) -> pd.Series:
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    fmt = "{:,.0f}" if kind == "int" else "{:,.2f}"
    finite = arr[np.isfinite(arr)]
    if not len(finite):
        return pd.Series([], dtype=object)
    return pd.Series([fmt.format(finite.max()), fmt.format(finite.min())])


def _text_width(values: pd.Series, kind: str) -> int:
    """The widest value of a body column as shown (categories counted once)."""
    if kind != "text":
        return display_width(_number_text(values, kind).to_numpy(dtype=object))
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = pd.Series(values.cat.categories.astype(str))
    return display_width(values)


LINE_HEIGHT = 14.5
"""Points per line of 10-point text (CJK fonts set lines about 1.4 em apart)."""


def _heights(
    body: pd.DataFrame, kinds: list[str], widths: list[float], wrap: frozenset[str]
) -> np.ndarray:
    """Row heights (points) that show every line of the wrapped columns; 0: default.

    A line holds about 80% of the column's width (wrapping breaks between
    words, so lines end short).
    """
    lines = np.ones(len(body))
    for col, kind, w in zip(body.columns, kinds, widths, strict=True):
        if col in wrap and kind == "text":
            usable = max(1.0, (w - 2.5) / 1.1 * 0.9)
            need = np.ceil(text_widths(body[col]) / usable)
            lines = np.maximum(lines, need)
    return np.where(lines > 1, LINE_HEIGHT * lines + 3, 0.0)


def _cell_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)
