"""Cells that are safe to open: CSV and workbook text never runs as a formula.

A spreadsheet opening a CSV file (or a user editing a workbook cell) takes
text starting with ``=``, ``+``, ``-`` or ``@`` — and, in some programs, a
tab or carriage return before them — for a formula (OWASP "CSV injection").
Every CSV pairing writes goes through this module:

* **Text is marked as text.** A text cell at risk is written with a leading
  apostrophe ``'``, the OWASP rule. For the data files (instance and plan
  CSVs, which must round-trip) the mark is undone on reading and made
  reversible on writing: text starting with apostrophes followed by a risky
  character gets one more apostrophe (:func:`escape_text`,
  :func:`unescape_text`), so ``=1+1`` → ``'=1+1`` → ``=1+1`` and a literal
  ``'=x`` → ``''=x`` → ``'=x``; any other text (``'0990101``) is written and
  read as it is.
* **Numbers stay numbers**: only text columns are touched; a numeric column's
  ``-1.5`` is written as the number it is.
* **Excel's limits** (:func:`for_report`): report CSVs drop the control
  characters no spreadsheet shows (``\\x00``–``\\x1f`` but tab, line feed and
  carriage return) and cut text to :data:`MAX_CELL_CHARS` characters, the
  most an Excel cell holds, ending it with ``…``.

The workbook writer (:mod:`pairing.xlsx`) writes every string as a text cell
(never a formula) and marks those matching :data:`RISKY_RE` quote-prefixed;
:func:`clip_arrow` applies the same length limit there.

Examples
--------
>>> import pandas as pd
>>> names = ["=HYPERLINK(1)", "'=x", "ok", "-1"]
>>> df = pd.DataFrame({"name": names, "x": [-1.5, 2, 3, 4]})
>>> out = escape_text(df)
>>> out["name"].tolist(), out["x"].tolist()
(["'=HYPERLINK(1)", "''=x", 'ok', "'-1"], [-1.5, 2.0, 3.0, 4.0])
>>> unescape_text(out)["name"].tolist() == df["name"].tolist()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MAX_CELL_CHARS",
    "RISKY_RE",
    "clip_arrow",
    "escape_text",
    "for_report",
    "mathtext_safe",
    "unescape_text",
    "write_csv",
]

RISKY_RE = r"^[=+\-@\t\r]"
"""Text a spreadsheet may take for a formula (OWASP): the first character."""

MAX_CELL_CHARS = 32_767
"""The most characters an Excel cell holds."""

_ESCAPE = r"^'*[=+\-@\t\r]"
_UNESCAPE = r"^'+[=+\-@\t\r]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _text_columns(df: pd.DataFrame) -> list[Any]:
    out = []
    for col in df.columns:
        dtype = df[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if pd.api.types.infer_dtype(dtype.categories, skipna=True) == "string":
                out.append(col)
        elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out.append(col)
    return out


def _map_text(s: pd.Series, fn: Any) -> pd.Series:
    """``fn`` (on a ``str`` Series) applied to the text values of ``s``."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        new = fn(pd.Series(cats, dtype="str"))
        return s.cat.rename_categories(list(new))
    if isinstance(s.dtype, pd.StringDtype):
        return fn(s)
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in ("string", "empty"):
        text = fn(s.astype("str"))
        return text.where(s.notna(), s).astype(object)
    # mixed objects: only the str values are text (a number stays a number)
    is_str = np.fromiter((isinstance(v, str) for v in s), dtype=bool, count=len(s))
    if not is_str.any():
        return s
    out = s.copy()
    out[is_str] = fn(s[is_str].astype("str")).to_numpy(dtype=object)
    return out


def _prefix(pattern: str) -> Any:
    def fn(s: pd.Series) -> pd.Series:
        hit = s.str.contains(pattern, regex=True, na=False)
        return s.where(~hit, "'" + s) if bool(hit.any()) else s

    return fn


def _unprefix(s: pd.Series) -> pd.Series:
    hit = s.str.contains(_UNESCAPE, regex=True, na=False)
    return s.where(~hit, s.str.slice(1)) if bool(hit.any()) else s


def escape_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell at risk marked by a leading ``'`` (reversibly).

    Only text columns change (numbers stay numbers); see the module
    docstring. :func:`unescape_text` undoes it exactly.
    """
    cols = _text_columns(df)
    if not cols:
        return df
    return df.assign(**{str(c): _map_text(df[c], _prefix(_ESCAPE)) for c in cols})


def unescape_text(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`escape_text` (for CSV files read all-as-text)."""
    cols = _text_columns(df)
    if not cols:
        return df
    return df.assign(**{str(c): _map_text(df[c], _unprefix) for c in cols})


def _clip(s: pd.Series) -> pd.Series:
    s = s.str.replace(_CONTROL, "", regex=True)
    long = s.str.len() > MAX_CELL_CHARS
    if bool(long.fillna(False).any()):
        s = s.where(~long.fillna(False), s.str.slice(0, MAX_CELL_CHARS - 1) + "…")
    return _prefix(RISKY_RE)(s)


def for_report(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` ready for a spreadsheet: text marked, control characters dropped,
    cells cut to :data:`MAX_CELL_CHARS` (numbers unchanged)."""
    cols = _text_columns(df)
    if not cols:
        return df
    return df.assign(**{str(c): _map_text(df[c], _clip) for c in cols})


def write_csv(
    df: pd.DataFrame, path: str | Path, *, report: bool = True, bom: bool | None = None
) -> None:
    """Write ``df`` as CSV (no index) with its text made safe, atomically.

    Parameters
    ----------
    df
        The table.
    path
        The ``.csv`` file.
    report
        ``True`` (reports, dashboards): :func:`for_report`, and a byte-order
        mark so spreadsheet programs read UTF-8. ``False`` (instance and plan
        files, which pairing reads back): :func:`escape_text` only, no mark.
    bom
        Override the byte-order mark.
    """
    from . import atomic

    out = for_report(df) if report else escape_text(df)
    encoding = "utf-8-sig" if (report if bom is None else bom) else "utf-8"
    atomic.write_file(path, lambda tmp: out.to_csv(tmp, index=False, encoding=encoding))


def clip_arrow(arr: Any, illegal: str) -> Any:
    """Arrow strings cut to :data:`MAX_CELL_CHARS` (``illegal="raise"``: raise).

    Raises
    ------
    ValueError
        With ``illegal="raise"``, when a string is longer than a cell holds.
    """
    import pyarrow.compute as pc

    if len(arr) == 0:
        return arr
    long = pc.greater(pc.utf8_length(arr), MAX_CELL_CHARS)
    if not pc.any(long).as_py():
        return arr
    if illegal == "raise":
        raise ValueError(f"a text longer than {MAX_CELL_CHARS:,} characters")
    cut = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, MAX_CELL_CHARS - 1), "…", ""
    )
    return pc.if_else(long, cut, arr)


def mathtext_safe(text: str) -> str:
    """Text for a matplotlib label, shown as it is (never parsed as mathtext).

    Examples
    --------
    >>> mathtext_safe(r"$\\undefinedcmd$ 5$")
    '\\\\$\\\\undefinedcmd\\\\$ 5\\\\$'
    """
    return str(text).replace("$", r"\$")
