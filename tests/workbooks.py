"""Reading the print-ready report workbooks back (title rows above the table)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

HEADS = ("序号", "No.")


def read_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Each sheet's table: the rows under the header (序号 / No.) down to the last
    numbered row or the 合计 row, with the header as columns."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        top = next(i for i, r in enumerate(rows) if r and r[0] in HEADS)
        body = []
        for r in rows[top + 1 :]:
            if r[0] is None:
                break
            body.append(r)
            if isinstance(r[0], str):  # 合计 / Total: the last row
                break
        out[ws.title] = pd.DataFrame(body, columns=rows[top])
    return out


def header_row(path: Path, sheet: str) -> int:
    """The 1-based row of a sheet's header."""
    ws = openpyxl.load_workbook(path)[sheet]
    for row in ws.iter_rows():
        if row[0].value in HEADS:
            return row[0].row
    raise AssertionError(f"{sheet}: no header row")
