"""Reading instance workbooks (``.xlsx``) without evaluating anything.

A cell whose formula is a constant (``TRUE()``, ``=1``, ``="text"``, as
LibreOffice saves booleans) is read by its cached value; any other formula
cell is bad input, reported naming the cell (see :mod:`pairing.io`).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, Problem
from .schema import TABLES


def _brief(exc: BaseException, limit: int = 200) -> str:
    text = (
        f"{type(exc).__name__}: {exc}".splitlines()[0]
        if str(exc)
        else type(exc).__name__
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- workbooks -----------------------------------------------------------------


def read_xlsx(
    path: str | Path,
    problems: list[Problem] | None = None,
    names: Iterable[str] = TABLES,
) -> dict[str, pd.DataFrame]:
    """The contract tables of a workbook, every cell read as text.

    Sheets named like a contract table are read (others are ignored); the
    first row is the header; entirely blank rows are skipped. Numbers become
    their text (``220524``, ``0.25``), booleans ``true``/``false``, empty
    cells ``""``. Nothing is evaluated: a formula that is only a constant
    (``TRUE()``, ``FALSE()``, ``=1``, ``="x"``; LibreOffice saves booleans
    so) is read by the value the spreadsheet cached for it (the constant
    itself when none is cached); any other formula cell is reported as a
    problem naming the cell.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    problems
        Where to append problems (formula cells, an unreadable workbook);
        when ``None``, they are raised as :class:`InputError`.
    names
        The sheets to read (default: the instance tables; plans pass theirs).
    """
    import openpyxl

    path = Path(path)
    own: list[Problem] = []
    out = problems if problems is not None else own
    tables: dict[str, pd.DataFrame] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        out.append(Problem(path.name, "", "", "a readable .xlsx workbook", _brief(exc)))
    except Exception as exc:  # openpyxl raises many kinds on corrupt input
        out.append(Problem(path.name, "", "", "a readable .xlsx workbook", _brief(exc)))
    else:
        constants: dict[str, dict[tuple[int, int], tuple[int, int, str]]] = {}
        try:
            sheets = {str(s).strip(): s for s in wb.sheetnames}
            for name in names:
                if name in sheets:
                    tables[name], constants[sheets[name]] = _read_sheet(
                        wb[sheets[name]], name, out, f"{path.name}, sheet {name}"
                    )
        except Exception as exc:
            out.append(
                Problem(path.name, "", "", "a readable .xlsx workbook", _brief(exc))
            )
        finally:
            wb.close()
        if any(constants.values()):
            _cached_values(path, tables, constants, out)
    if problems is None and own:
        raise InputError(own)
    return tables


_CONSTANT = re.compile(
    r"""^=\s*(?:
        (?P<bool>TRUE|FALSE)\s*(?:\(\s*\))?
      | (?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      | "(?P<str>(?:[^"]|"")*)"
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def _constant(formula: object) -> str | None:
    """The text of a formula that is only a constant, else ``None``.

    Examples
    --------
    >>> _constant("=FALSE()"), _constant("=1"), _constant('="a""b"')
    ('false', '1', 'a"b')
    >>> _constant("=1+1") is None and _constant("=A1") is None
    True
    """
    m = _CONSTANT.match(formula) if isinstance(formula, str) else None
    if m is None:
        return None
    if m["bool"] is not None:
        return m["bool"].lower()
    if m["num"] is not None:
        return _xlsx_text(float(m["num"]))
    return m["str"].replace('""', '"')


def _read_sheet(
    ws: Any, name: str, problems: list[Problem], source: str = ""
) -> tuple[pd.DataFrame, dict[tuple[int, int], tuple[int, int, str]]]:
    """One sheet as text, and its constant formula cells.

    The constants are ``{(sheet row, sheet column): (data row, column,
    the constant's own text)}``; their cells hold that text until
    :func:`_cached_values` puts in the cached value.
    """
    rows = ws.iter_rows()
    header_cells = next(rows, ())
    header = [_xlsx_text(c.value) for c in header_cells]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    header = [h or f"column {j + 1}" for j, h in enumerate(header)]
    data: list[list[str]] = []
    constants: dict[tuple[int, int], tuple[int, int, str]] = {}
    formulas = 0
    for cells in rows:
        values = [""] * width
        blank = True
        for j, cell in enumerate(cells):
            if cell.data_type == "f":
                blank = False
                text = _constant(cell.value)
                if text is not None:
                    if j < width:
                        values[j] = text
                        constants[(cell.row, cell.column)] = (len(data), j, text)
                    continue
                formulas += 1
                if formulas <= 20:
                    col = header[j] if j < width else ""
                    problems.append(
                        Problem(
                            name,
                            f"row {len(data) + 1}",
                            col,
                            "a value, not a formula",
                            f"a formula in cell {cell.coordinate}",
                            source,
                        )
                    )
                continue
            value = cell.value
            if value is None:
                continue
            blank = False
            if j < width:
                values[j] = _xlsx_text(value)
        if not blank:
            data.append(values)
    if formulas > 20:
        problems.append(
            Problem(
                name,
                "",
                "",
                "values, not formulas",
                f"{formulas} formula cells",
                source,
            )
        )
    return pd.DataFrame(data, columns=header, dtype="str"), constants


def _cached_values(
    path: Path,
    tables: dict[str, pd.DataFrame],
    constants: dict[str, dict[tuple[int, int], tuple[int, int, str]]],
    problems: list[Problem],
) -> None:
    """Put the cached values of constant formula cells in (a second, read-only pass)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # read once already: only a race can get here
        problems.append(Problem(path.name, "", "", "a readable workbook", _brief(exc)))
        return
    try:
        for sheet, cells in constants.items():
            if not cells:
                continue
            name = str(sheet).strip()
            frame = tables[name]
            rows = [r for r, _ in cells]
            cols = [c for _, c in cells]
            for row in wb[sheet].iter_rows(
                min_row=min(rows),
                max_row=max(rows),
                min_col=min(cols),
                max_col=max(cols),
            ):
                for cell in row:
                    hit = cells.get(
                        (getattr(cell, "row", -1), getattr(cell, "column", -1))
                    )
                    if hit is not None and cell.value is not None:
                        i, j, _ = hit
                        frame.iat[i, j] = _xlsx_text(cell.value)
    finally:
        wb.close()


def _xlsx_text(value: Any) -> str:
    """A workbook cell as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 2**63:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
