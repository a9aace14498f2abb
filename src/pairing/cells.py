"""Cells that are safe to open: CSV and workbook text never runs as a formula.

A spreadsheet opening a CSV file (or a user editing a workbook cell) takes
text starting with ``=``, ``+``, ``-`` or ``@`` — and, in some programs, a
tab or carriage return before them — for a formula (OWASP "CSV injection").
Every CSV pairing writes goes through this module:

* **Text is marked as text.** A text cell at risk (a header too) is written
  with a leading apostrophe ``'``, the OWASP rule. For the data files (instance and plan
  CSVs, which must round-trip) the mark is undone on reading and made
  reversible on writing: text starting with apostrophes followed by a risky
  character gets one more apostrophe (:func:`escape_text`,
  :func:`unescape_text`), so ``=1+1`` → ``'=1+1`` → ``=1+1`` and a literal
  ``'=x`` → ``''=x`` → ``'=x``; any other text (``'0990101``) is written and
  read as it is.
* **Numbers stay numbers**: only text columns are touched; a numeric column's
  ``-1.5`` is written as the number it is.
* **Rows stay rows.** A carriage return inside a text cell is quoted, or a
  spreadsheet (and pandas) would start a new row there — one that may begin
  with ``=``: report CSVs end lines with CR LF (RFC 4180, as Excel writes
  them), which makes the writer quote any cell holding CR or LF; the data
  files keep LF line ends unless a cell holds a CR (:func:`to_csv`).
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

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import atomic

__all__ = [
    "MAX_CELL_CHARS",
    "RISKY_RE",
    "clip_arrow",
    "escape_text",
    "for_report",
    "mathtext_safe",
    "to_csv",
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


def _text_columns(df: pd.DataFrame) -> list[int]:
    """Positions of the text columns (object, ``str`` or categorical of text)."""
    out = []
    for i in range(df.shape[1]):
        dtype = df.iloc[:, i].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if pd.api.types.infer_dtype(dtype.categories, skipna=True) == "string":
                out.append(i)
        elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out.append(i)
    return out


def _apply(df: pd.DataFrame, fn: Any, header: str | None) -> pd.DataFrame:
    """``fn`` on every text column; headers matching ``header`` get a ``'``
    (``header=None``: headers starting with apostrophes then a risky
    character lose one)."""
    out = df.copy(deep=False)
    for i in _text_columns(df):
        out.isetitem(i, _map_text(df.iloc[:, i], fn).array)
    names = [str(c) for c in df.columns]
    if header is not None:
        new = ["'" + n if re.match(header, n) else n for n in names]
    else:
        new = [n[1:] if re.match(_UNESCAPE, n) else n for n in names]
    if new != names:
        out.columns = pd.Index(new)
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
    return _apply(df, _prefix(_ESCAPE), _ESCAPE)


def unescape_text(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`escape_text` (for CSV files read all-as-text)."""
    return _apply(df, _unprefix, None)


def _clip(s: pd.Series) -> pd.Series:
    s = s.str.replace(_CONTROL, "", regex=True)
    long = s.str.len() > MAX_CELL_CHARS
    if bool(long.fillna(False).any()):
        s = s.where(~long.fillna(False), s.str.slice(0, MAX_CELL_CHARS - 1) + "…")
    return _prefix(RISKY_RE)(s)


def for_report(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` ready for a spreadsheet: text marked, control characters dropped,
    cells cut to :data:`MAX_CELL_CHARS` (numbers unchanged)."""
    return _apply(df, _clip, RISKY_RE)


def _has_cr(df: pd.DataFrame) -> bool:
    for i in _text_columns(df):
        s = df.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = pd.Series(s.cat.categories)
        text = s[s.map(lambda v: isinstance(v, str))] if s.dtype == object else s
        if bool(text.astype("str").str.contains("\r", regex=False, na=False).any()):
            return True
    return False


def to_csv(df: pd.DataFrame, path: str | Path, *, report: bool = False) -> None:
    """``df.to_csv`` (no index) with its text made safe (see the module doc).

    ``report=False`` (the data files pairing reads back): :func:`escape_text`,
    UTF-8 without a byte-order mark. ``report=True``: :func:`for_report`,
    a byte-order mark and CR LF line ends. Not atomic (see :func:`write_csv`).
    """
    out = for_report(df) if report else escape_text(df)
    crlf = report or _has_cr(out)
    out.to_csv(
        path,
        index=False,
        encoding="utf-8-sig" if report else "utf-8",
        lineterminator="\r\n" if crlf else "\n",
    )


def write_csv(df: pd.DataFrame, path: str | Path, *, report: bool = True) -> None:
    """Write ``df`` as CSV with its text made safe, atomically (:func:`to_csv`).

    Parameters
    ----------
    df
        The table.
    path
        The ``.csv`` file.
    report
        ``True`` (reports, dashboards): for spreadsheets, see :func:`to_csv`.
        ``False``: a data file pairing reads back.
    """
    atomic.write_file(path, lambda tmp: to_csv(df, tmp, report=report))


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
    r"""Text for a matplotlib label, shown as it is (never parsed as mathtext);
    control characters, which no font draws, become spaces.

    Examples
    --------
    >>> print(mathtext_safe(r"$\undefinedcmd$ costs 5$"))
    \$\undefinedcmd\$ costs 5\$
    """
    return re.sub("[\x00-\x1f\x7f]", " ", str(text)).replace("$", r"\$")
