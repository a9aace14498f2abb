"""The one spreadsheet writer of pairing: fast, and never a formula in a cell.

:func:`pairing.io.write_xlsx` (instance workbooks) writes through
:func:`write_xlsx`, and the R16 report workbooks put their body rows in with
:func:`styled_rows` (XlsxWriter lays those sheets out:
:mod:`pairing.report._workbook`). Both build a sheet's XML column-wise with
Arrow string kernels: about 2 s for 430,000 rows of eleven columns, where
openpyxl writes cell by cell at about 10 s per 100,000 rows of ten columns
and XlsxWriter at about 26 s per 100,000 rows of thirteen (measured on the
2-core machine). Text columns with few distinct values (names, tiers) are
escaped once per value.

No cell is ever a formula: the writer never emits a formula element (``<f>``);
every string is an inline string (``t="inlineStr"``). Strings a spreadsheet
might take for a formula once edited (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: :data:`pairing.cells.RISKY_RE`) are also
marked quote-prefixed, headers too. Text longer than a cell holds (32,767
characters) is cut (reports) or refused (instance files).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._xlsx_parts import (
    _NS,
    _RNS,
    _ROOT_RELS,
    _STYLES,
    _content_types,
    _workbook,
    _workbook_rels,
)
from .cells import RISKY_RE, clip_arrow

__all__ = ["styled_rows", "write_xlsx", "xml_bytes"]


MAX_ROWS = 1_048_576
"""Rows a sheet can hold (the header included)."""


_RISKY = RISKY_RE


_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
"""Characters XML 1.0 cannot hold (RE2 syntax)."""


_ILLEGAL_PY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<worksheet {_NS} {_RNS}>"
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews>"
)


def write_xlsx(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    illegal: Literal["drop", "raise"] = "drop",
    mark: str = "",
) -> None:
    """Write frames as a workbook, one sheet each, with no formula in it.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (not atomically: wrap in
        :func:`pairing.atomic.write_file` for that).
    sheets
        Sheet name (at most 31 characters) to frame. Strings become text
        cells, numbers numeric cells (non-finite ones empty), booleans
        boolean cells, missing values empty cells; anything else its text.
    illegal
        What to do with a character a workbook cannot hold (a control
        character, or text longer than a cell holds): ``drop`` it or cut it
        (reports), or ``raise`` (instance files, whose values must round-trip).
    mark
        Written as the zip archive's comment (spreadsheet programs ignore it
        and drop it on saving): how pairing knows a workbook is its own.

    Raises
    ------
    ValueError
        When a frame has more rows than a sheet can hold, a sheet name is not
        allowed, or (with ``illegal="raise"``) a string holds a character a
        workbook cannot store.
    """
    names = list(sheets)
    for name in names:
        if not name or len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
            raise ValueError(f"sheet name not allowed in a workbook: {name!r}")
        if _ILLEGAL_PY.search(name):
            raise ValueError(f"sheet name not allowed in a workbook: {name!r}")
        if len(sheets[name]) + 1 > MAX_ROWS:
            raise ValueError(
                f"{name}: {len(sheets[name])} rows do not fit in one sheet"
            )
    if illegal not in ("drop", "raise"):
        raise ValueError(f"illegal must be 'drop' or 'raise', not {illegal!r}")
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
    ) as zf:
        zf.comment = mark.encode("utf-8")
        zf.writestr("[Content_Types].xml", _content_types(len(names)))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(names))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
        zf.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                for chunk in _sheet_xml(sheets[name], name, illegal):
                    fh.write(xml_bytes(chunk))


def _col_letters(n: int) -> list[str]:
    out = []
    for j in range(n):
        s, k = "", j + 1
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out


class _Illegal(ValueError):
    pass


def _strings(series: pd.Series, illegal: str) -> pa.Array:
    """A column as an Arrow string array (missing values as nulls)."""
    if isinstance(series.dtype, pd.StringDtype):
        try:
            arr = pa.array(series.array, from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            return arr.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            pass
    # pandas-stubs leave None out of ``na_value``; pandas takes it (NA -> None)
    raw = series.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    values = [None if v is None or v != v else str(v) for v in raw]
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # lone surrogates
        if illegal == "raise":
            raise _Illegal("a lone surrogate") from None
        values = [None if v is None else _ILLEGAL_PY.sub("", v) for v in values]
        return pa.array(values, type=pa.string(), from_pandas=True)


def _text(arr: pa.Array, illegal: str) -> pa.Array:
    """Strings made safe for XML text."""
    if pc.any(pc.match_substring_regex(arr, _ILLEGAL)).as_py():
        if illegal == "raise":
            raise _Illegal("a control character")
        arr = pc.replace_substring_regex(arr, _ILLEGAL, "")
    try:
        arr = clip_arrow(arr, illegal)
    except ValueError as exc:
        raise _Illegal(str(exc)) from None
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        if pc.any(pc.match_substring(arr, old)).as_py():
            arr = pc.replace_substring(arr, old, new)
    return arr


def _join(*parts: object) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _string_cells(arr: pa.Array, illegal: str, style: int | None = None) -> pa.Array:
    """The ``<c>`` elements of strings (an empty cell for missing or empty ones).

    With ``style``, every cell carries that style (a report's, quote-prefixed
    already); without, strings a spreadsheet might run are quote-prefixed.
    """
    arr = _text(pc.fill_null(arr, ""), illegal)
    spaced = pc.or_(
        pc.match_substring_regex(arr, r"^\s"), pc.match_substring_regex(arr, r"\s$")
    )
    if style is None:
        risky = pc.or_(  # a carriage return is escaped as &#13; by now
            pc.match_substring_regex(arr, _RISKY), pc.starts_with(arr, "&#13;")
        )
        head = pc.if_else(
            risky, '<c s="1" t="inlineStr"><is><t', '<c t="inlineStr"><is><t'
        )
    else:
        head = f'<c s="{style}" t="inlineStr"><is><t'
    space = pc.if_else(spaced, ' xml:space="preserve">', ">")
    cells = _join(head, space, arr, "</t></is></c>")
    return pc.if_else(pc.equal(arr, ""), _empty(style), cells)


def _empty(style: int | None) -> str:
    return "<c/>" if style is None else f'<c s="{style}"/>'


def _column_cells(
    series: pd.Series, illegal: str, style: int | None = None
) -> pa.Array:
    """The ``<c>`` elements of one column (empty cells for missing values)."""
    dtype = series.dtype
    empty = _empty(style)
    s = "" if style is None else f' s="{style}"'
    if isinstance(dtype, pd.CategoricalDtype):  # escape each category once
        codes = pa.array(series.cat.codes.to_numpy(), mask=series.isna().to_numpy())
        cats = _column_cells(pd.Series(series.cat.categories), illegal, style)
        return pc.fill_null(pc.take(cats, codes), empty)
    if pd.api.types.is_bool_dtype(dtype):
        missing = series.isna().to_numpy()
        v = np.where(series.to_numpy(dtype=bool, na_value=False), "1", "0")
        cells = _join(f'<c{s} t="b"><v>', pa.array(v, mask=missing), "</v></c>")
        return pc.fill_null(cells, empty)
    if pd.api.types.is_numeric_dtype(dtype):
        arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = np.isfinite(arr)
        if pd.api.types.is_integer_dtype(dtype):
            ints = series.to_numpy(dtype=np.int64, na_value=0)
            text = pc.cast(pa.array(ints), pa.string())
        else:
            text = pc.cast(pa.array(np.where(ok, arr, 0.0)), pa.string())
        return pc.if_else(pa.array(ok), _join(f"<c{s}><v>", text, "</v></c>"), empty)
    arr = _strings(series, illegal)
    if len(arr) > 1000:  # names, tiers …: escape each distinct value once
        enc = pc.dictionary_encode(arr)
        if 2 * len(enc.dictionary) < len(arr):
            cells = _string_cells(enc.dictionary, illegal, style)
            return pc.fill_null(pc.take(cells, enc.indices), empty)
    return _string_cells(arr, illegal, style)


def styled_rows(
    df: pd.DataFrame,
    first_row: int,
    styles: Sequence[int],
    *,
    illegal: Literal["drop", "raise"] = "drop",
    heights: np.ndarray | None = None,
    chunk: int = 100_000,
) -> Iterator[str | pa.Array]:
    """The ``<row>`` elements of a frame's rows, each cell in its column's style.

    The column-wise half of the report workbooks (see
    :mod:`pairing.report._workbook`): a library lays the sheet out and these
    rows are placed under its header.

    Parameters
    ----------
    df
        The rows to write (strings, numbers, booleans, categoricals).
    first_row
        The sheet row (1-based) of ``df``'s first row.
    styles
        A cell style index (``<c s=…>``) per column; string styles should be
        quote-prefixed (so that no string is ever run as a formula).
    illegal
        As for :func:`write_xlsx`.
    heights
        Row heights in points (0 or NaN: the default height), e.g. for rows
        whose text wraps over several lines.

    Yields
    ------
    str or pyarrow.Array
        XML text, or an array of row elements (write with :func:`xml_bytes`).
    """
    if len(styles) != df.shape[1]:
        raise ValueError(f"{df.shape[1]} columns but {len(styles)} styles")
    for start in range(0, len(df), chunk):
        part = df.iloc[start : start + chunk]
        rows = pc.cast(
            pa.array(np.arange(first_row + start, first_row + start + len(part))),
            pa.string(),
        )
        try:
            cells = [
                _column_cells(part[col], illegal, int(style))
                for col, style in zip(df.columns, styles, strict=True)
            ]
        except _Illegal as exc:
            raise ValueError(f"a string a workbook cannot hold ({exc})") from None
        tall: str | pa.Array = ""
        if heights is not None:
            ht = np.nan_to_num(np.asarray(heights[start : start + len(part)], float))
            text = pc.cast(pa.array(np.round(ht, 1)), pa.string())
            attr = _join(' ht="', text, '" customHeight="1"')
            tall = pc.if_else(pa.array(ht > 0), attr, "")
        yield _join('<row r="', rows, '"', tall, ">", *cells, "</row>")


def _sheet_xml(df: pd.DataFrame, name: str, illegal: str, chunk: int = 100_000):
    letters = _col_letters(df.shape[1])
    widths = [
        max(8, min(60, 2 * len(str(c)) + 2)) for c in df.columns
    ]  # CJK headers are double width
    cols = "".join(
        f'<col min="{j + 1}" max="{j + 1}" width="{w}" customWidth="1"/>'
        for j, w in enumerate(widths)
    )
    yield _SHEET_HEAD + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
    header = "".join(
        _header_cell(f"{letters[j]}1", c, name, illegal)
        for j, c in enumerate(df.columns)
    )
    yield f'<row r="1">{header}</row>'
    for start in range(0, len(df), chunk):
        part = df.iloc[start : start + chunk]
        rows = pc.cast(
            pa.array(np.arange(start + 2, start + 2 + len(part))), pa.string()
        )
        try:
            cells = [_column_cells(part[col], illegal) for col in df.columns]
        except _Illegal as exc:
            raise ValueError(
                f"{name}: a string a workbook cannot hold ({exc})"
            ) from None
        yield _join('<row r="', rows, '">', *cells, "</row>")
    yield "</sheetData></worksheet>"


def _header_cell(ref: str, value: object, name: str, illegal: str) -> str:
    text = str(value)
    if _ILLEGAL_PY.search(text):
        if illegal == "raise":
            raise ValueError(f"{name}: a header a workbook cannot hold: {text!r}")
        text = _ILLEGAL_PY.sub("", text)
    style = "3" if re.match(_RISKY, text) else "2"
    return (
        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(text)}</t></is></c>"
    )


def xml_bytes(chunk: str | pa.Array) -> bytes | memoryview:
    """UTF-8 bytes of a string, or of an Arrow string array's values end to end."""
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    if len(chunk) == 0:
        return b""
    arr = pa.concat_arrays([chunk]) if chunk.offset else chunk
    wide = pa.types.is_large_string(arr.type)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if wide else np.int32)
    data = arr.buffers()[2]
    lo, hi = int(offsets[0]), int(offsets[len(arr)])
    return memoryview(data)[lo:hi] if data is not None else b""
