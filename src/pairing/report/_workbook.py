"""Print-ready report workbooks (R16): XlsxWriter lays them out, rows go in fast.

Every report workbook (the annexes, the rosters) is written here, in the
layout a provincial office files: a label (``附件1``) and a title above the
table, one header row repeated on every printed page, borders, column widths
that fit the text (a CJK character counts twice), numbers as numbers, the
header frozen, A4 fitted to the page width with page numbers in the footer,
a bold 合计 row and notes below.

XlsxWriter does the whole layout: styles, merged title, print setup, frozen
panes, the header, the first body row, the totals and the notes. The other
body rows are written by :func:`pairing.xlsx.styled_rows` in the styles
XlsxWriter registered, and spliced into XlsxWriter's sheet right under the
first body row. XlsxWriter writes about 100,000 rows of 13 columns in 26 s
(cell by cell, constant-memory mode; 2-core machine) where the column-wise
writer takes 0.8 s: the 430,000 rows of a provincial roster would add about
two minutes to a report that otherwise takes under ten seconds.

No cell holds a formula: XlsxWriter is told never to turn strings into
formulas, numbers or links, every string style is quote-prefixed, and the
column-wise rows have no formula element.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._measure import _as_written, _cell_text, _heights, _text_width, display_width

__all__ = ["Sheet", "display_width", "write_workbook"]


FONT = "宋体"
"""Body font: the one Chinese offices print tables in (falls back to any CJK font)."""


HEADING_FONT = "黑体"


PORTRAIT_WIDTH = 100
"""Widest table (in character widths) printed portrait; wider ones go landscape."""


SHORT = 4
"""Text columns no wider than this (是/否, 省直, 干部) are centred."""


MAX_WIDTH = 40
"""Widest column; longer text wraps in the columns marked ``wrap``."""


@dataclass(frozen=True)
class Sheet:
    """One printed table.

    Parameters
    ----------
    name
        The sheet's tab name (at most 31 characters).
    frame
        The table, headers in the report's language. With ``total``, its last
        row is the totals row (printed bold).
    title
        The printed title, centred above the table.
    label
        A line above the title (``附件1``), or empty.
    subtitle
        A line under the title (area, date, plan), or empty.
    total
        Whether the last row of ``frame`` is the totals row.
    notes
        Lines printed under the table (注：…).
    wrap
        Columns whose long text wraps rather than widening the column.
    frozen_columns
        Columns kept in view when scrolling right.
    row_height
        Height of the body rows in points (``None``: the default, about 14);
        rows with wrapped text grow to fit it.
    """

    name: str
    frame: pd.DataFrame
    title: str
    label: str = ""
    subtitle: str = ""
    total: bool = False
    notes: tuple[str, ...] = ()
    wrap: frozenset[str] = frozenset()
    frozen_columns: int = 0
    row_height: float | None = None


def _widths(
    sheet: Sheet, body: pd.DataFrame, kinds: list[str], text: list[int]
) -> list[float]:
    total = sheet.frame.iloc[-1] if sheet.total and len(sheet.frame) else None
    out = []
    for j, col in enumerate(body.columns):
        w = text[j]
        if total is not None:
            w = max(w, display_width([_cell_text(total.iloc[j])]))
        cap = MAX_WIDTH if col in sheet.wrap else 2 * MAX_WIDTH
        head = display_width([str(col)])
        w = max(min(w, cap), min(head, 12))  # long headers wrap over two lines
        out.append(min(w * 1.1 + 2.5, cap + 2))
    return out


def _formats(wb: Any) -> dict[str, Any]:
    """The workbook's cell formats (every string one quote-prefixed)."""
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    cell = base | {"border": 1, "quote_prefix": True}
    bold = {"bold": True, "font_name": HEADING_FONT}
    spec = {
        "label": base | bold | {"font_size": 12, "quote_prefix": True},
        "title": base
        | bold
        | {"font_size": 16, "align": "center", "quote_prefix": True},
        "subtitle": base | {"align": "right", "quote_prefix": True},
        "note": base | {"text_wrap": True, "valign": "top", "quote_prefix": True},
        "header": cell
        | bold
        | {"align": "center", "text_wrap": True, "bg_color": "#E7E6E6"},
        "text": cell,
        "short": cell | {"align": "center"},
        "wrap": cell | {"text_wrap": True},
        "int": cell | {"num_format": "#,##0"},
        "no": cell | {"num_format": "0", "align": "center"},
        "float": cell | {"num_format": "0.00"},
    }
    out = {k: wb.add_format(v) for k, v in spec.items()}
    for k in ("text", "short", "wrap", "int", "no", "float"):
        out[f"total_{k}"] = wb.add_format(spec[k] | {"bold": True})
    return out


def _style_keys(
    body: pd.DataFrame, kinds: list[str], sheet: Sheet, text: list[int]
) -> list[str]:
    keys = []
    for j, (col, kind) in enumerate(zip(body.columns, kinds, strict=True)):
        if kind == "text" and col in sheet.wrap:
            keys.append("wrap")
        elif kind == "text":
            keys.append("short" if text[j] <= SHORT else "text")
        elif kind == "int" and j == 0:
            keys.append("no")  # 序号
        else:
            keys.append(kind)
    return keys


def _write_value(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, int | float | np.integer | np.floating):
        ws.write_number(r, c, float(value), fmt)
    else:
        text = str(value)
        if text:
            ws.write_string(r, c, text, fmt)
        else:
            ws.write_blank(r, c, None, fmt)


@dataclass
class _Laid:
    """Where a laid-out sheet wants its column-wise rows."""

    rows: pd.DataFrame  # body rows 2 … n
    heights: np.ndarray  # their heights (0: default)
    first_row: int  # 1-based sheet row of ``rows``' first row
    after: int  # 1-based sheet row the rows follow
    styles: list[Any]  # the XlsxWriter formats of the columns


def _lay_out(wb: Any, fmt: dict[str, Any], sheet: Sheet, footer: str) -> _Laid:
    """Lay one sheet out with XlsxWriter; returns what is left to splice."""
    ws = wb.add_worksheet(sheet.name)
    frame = sheet.frame.reset_index(drop=True)
    n = len(frame) - (1 if sheet.total and len(frame) else 0)
    body, kinds = _as_written(frame.iloc[:n])
    text = [_text_width(body[c], k) for c, k in zip(body.columns, kinds, strict=True)]
    keys = _style_keys(body, kinds, sheet, text)
    widths = _widths(sheet, body, kinds, text)
    ncol = len(body.columns)
    last = max(ncol - 1, 0)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    r = 0
    if sheet.label:
        ws.write_string(r, 0, sheet.label, fmt["label"])
        r += 1
    _merged(ws, r, last, sheet.title, fmt["title"])
    ws.set_row(r, 30)
    r += 1
    if sheet.subtitle:
        _merged(ws, r, last, sheet.subtitle, fmt["subtitle"])
        r += 1
    header = r
    for j, col in enumerate(body.columns):
        ws.write_string(r, j, str(col), fmt["header"])
    r += 1
    first = r
    heights = _heights(body, kinds, widths, sheet.wrap)
    if sheet.row_height:
        heights = np.maximum(heights, sheet.row_height)
    if n:
        for j, col in enumerate(body.columns):
            _write_value(ws, r, j, body[col].iat[0], fmt[keys[j]])
        if heights[0] > 0:
            ws.set_row(r, float(heights[0]))
    r += n
    if sheet.total and len(frame):
        total = frame.iloc[-1]
        for j in range(ncol):
            _write_value(ws, r, j, total.iloc[j], fmt[f"total_{keys[j]}"])
        if sheet.row_height:
            ws.set_row(r, sheet.row_height)
        r += 1
    for note in sheet.notes:
        _merged(ws, r, last, note, fmt["note"])
        lines = max(1, math.ceil(display_width([note]) / max(1.0, sum(widths) / 1.1)))
        ws.set_row(r, 14 * lines + 4)
        r += 1
    ws.repeat_rows(header)
    ws.freeze_panes(header + 1, sheet.frozen_columns)
    if n:
        ws.autofilter(header, 0, first + n - 1, last)
    ws.set_paper(9)  # A4
    if sum(widths) > PORTRAIT_WIDTH:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)  # the page width; as many pages down as needed
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(footer)
    return _Laid(
        rows=body.iloc[1:],
        heights=heights[1:],
        first_row=first + 2,
        after=first + 1,
        styles=[fmt[k] for k in keys],
    )


def _merged(ws: Any, r: int, last: int, text: str, fmt: Any) -> None:
    if last > 0:
        ws.merge_range(r, 0, r, last, text, fmt)
    else:
        ws.write_string(r, 0, text, fmt)


FOOTERS = {"zh": "&C第 &P 页，共 &N 页", "en": "&CPage &P of &N"}


def write_workbook(path: str | Path, sheets: Sequence[Sheet], lang: str = "zh") -> None:
    """Write print-ready sheets as one workbook.

    Parameters
    ----------
    path
        The ``.xlsx`` file (not atomically: wrap in
        :func:`pairing.atomic.write_file` for that).
    sheets
        The tables, in tab order.
    lang
        ``zh`` or ``en``: the footer's words.

    Raises
    ------
    ValueError
        When a table has more rows than a sheet can hold or a sheet name is
        not allowed.
    """
    import xlsxwriter

    from ..xlsx import MAX_ROWS

    for sheet in sheets:
        if len(sheet.frame) + 8 > MAX_ROWS:
            raise ValueError(f"{sheet.name}: {len(sheet.frame)} rows do not fit")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    fmt = _formats(wb)
    laid = [_lay_out(wb, fmt, s, FOOTERS.get(lang, FOOTERS["en"])) for s in sheets]
    try:
        wb.close()
    except xlsxwriter.exceptions.XlsxWriterException as exc:
        raise ValueError(str(exc)) from None
    _splice(buf.getvalue(), Path(path), laid)


def _splice(book: bytes, path: Path, laid: list[_Laid]) -> None:
    """Copy XlsxWriter's workbook to ``path`` with the column-wise rows put in."""
    from ..xlsx import styled_rows, xml_bytes

    with (
        zipfile.ZipFile(io.BytesIO(book)) as src,
        zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        ) as out,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            k = _sheet_number(info.filename)
            if k is None or k > len(laid) or laid[k - 1].rows.empty:
                out.writestr(info.filename, data)
                continue
            part = laid[k - 1]
            text = _dimension(data.decode("utf-8"), part.first_row + len(part.rows) - 1)
            at = text.index(f'<row r="{part.after}"')
            at = text.index("</row>", at) + len("</row>")
            styles = [f.xf_index for f in part.styles]
            with out.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(text[:at].encode("utf-8"))
                for chunk in styled_rows(
                    part.rows, part.first_row, styles, heights=part.heights
                ):
                    fh.write(xml_bytes(chunk))
                fh.write(text[at:].encode("utf-8"))


def _dimension(sheet: str, last_row: int) -> str:
    """The sheet's ``<dimension>`` stretched down to ``last_row`` at least
    (XlsxWriter measured the sheet without the spliced rows)."""
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>', sheet)
    if m is None:
        return sheet
    first_col, first, last_col, last = m.groups()
    rows = max(int(last or first), last_row)
    ref = f"{first_col}{first}:{last_col or first_col}{rows}"
    return sheet[: m.start()] + f'<dimension ref="{ref}"/>' + sheet[m.end() :]


def _sheet_number(name: str) -> int | None:
    prefix, suffix = "xl/worksheets/sheet", ".xml"
    if name.startswith(prefix) and name.endswith(suffix):
        middle = name[len(prefix) : -len(suffix)]
        return int(middle) if middle.isdigit() else None
    return None
