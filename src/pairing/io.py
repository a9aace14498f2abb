"""Reading and writing instances in the contract layout.

An instance is either

* a **folder** holding one ``<table>.parquet`` or ``<table>.csv`` per table
  (Parquet wins when both exist) and, optionally, ``rules.toml``; or
* a single **workbook** ``NAME.xlsx`` with one sheet per table (the sheet
  named like the table), with its optional rules in ``NAME.rules.toml``
  beside it (a workbook cannot hold TOML). A folder holding no table files
  but exactly one ``.xlsx`` workbook is read as that workbook, with the
  folder's ``rules.toml`` (or the workbook's ``NAME.rules.toml``).

CSV files are UTF-8 (a byte-order mark is allowed) and read all-as-string,
so an id like ``0990101`` keeps its leading zero; Parquet integer ids become
strings. Workbooks are read without evaluating anything: a cell whose
formula is a constant (``TRUE()``, ``FALSE()``, ``=1``, ``="text"``, as
LibreOffice saves booleans) is read by its cached value; any other formula
cell is bad input and is reported like any other problem, naming the cell.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import atomic
from .errors import InputError, Problem
from .instance import Instance
from .rules import Rules
from .schema import TABLES

__all__ = [
    "FORMATS",
    "load_instance",
    "read_tables",
    "read_xlsx",
    "save_instance",
    "write_xlsx",
]

FORMATS = ("parquet", "csv", "xlsx")
"""Formats :func:`save_instance` writes."""

RULES_FILE = "rules.toml"
WORKBOOK_FILE = "instance.xlsx"
"""The workbook's name when :func:`save_instance` writes ``xlsx`` into a folder."""


# -- loading -----------------------------------------------------------------


def load_instance(path: str | Path) -> Instance:
    """Read, check and normalise an instance.

    Parameters
    ----------
    path
        An instance folder (``<table>.parquet`` / ``<table>.csv`` and an
        optional ``rules.toml``) or an ``.xlsx`` workbook (one sheet per
        table; optional rules in ``<stem>.rules.toml`` beside it). See the
        module docstring for the details.

    Returns
    -------
    Instance
        The checked instance with its rules (the defaults when no rules file
        is given).

    Raises
    ------
    InputError
        When the path is missing or not an instance, a file cannot be read,
        the workbook holds formulas, the rules file is bad, or the tables
        break the data contract; every problem found is listed at once.
    """
    path = Path(path)
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    tables, rules_path = read_tables(path, problems, sources)
    if problems and not tables:  # nothing readable: don't list every table too
        raise InputError(problems)
    rules = Rules()
    if rules_path is not None:
        try:
            rules = Rules.load(rules_path)
            problems += _rules_range(rules, rules_path.name)
        except InputError as exc:
            problems += exc.problems
        except OSError as exc:
            problems.append(
                Problem(rules_path.name, "", "", "a readable file", str(exc))
            )
    try:
        instance = Instance.from_tables(tables, rules)
    except InputError as exc:
        found = _with_files(exc.problems, sources)
        if problems:  # file problems first, then the tables'
            # an unreadable table is not also "missing"
            unreadable = {p.table for p in problems}
            more = [
                p
                for p in found
                if not (p.table in unreadable and p.found == "missing" and not p.column)
            ]
            raise InputError(problems + more, exc.truncated) from None
        raise InputError(found, exc.truncated) from None
    if problems:
        raise InputError(problems)
    return instance


def _with_files(problems: list[Problem], sources: Mapping[str, str]) -> list[Problem]:
    """Problems of the tables, each naming the file its table was read from."""
    return [
        dataclasses.replace(p, file=sources[p.table])
        if p.table in sources and not p.file
        else p
        for p in problems
    ]


def read_tables(
    path: str | Path,
    problems: list[Problem] | None = None,
    sources: dict[str, str] | None = None,
) -> tuple[dict[str, pd.DataFrame], Path | None]:
    """The raw tables of an instance folder or workbook, and its rules file.

    Parameters
    ----------
    path
        As for :func:`load_instance`.
    problems
        Where to append problems with the files (unreadable files, formula
        cells); when ``None``, they are raised as :class:`InputError`.
    sources
        Filled with the file each table was read from (``households.csv``,
        ``instance.xlsx, sheet households``), when given.

    Returns
    -------
    tables, rules
        The raw frames by table name (only the tables found) and the path of
        the rules file, or ``None`` when there is none.
    """
    own: list[Problem] = []
    out = problems if problems is not None else own
    path = Path(path)
    tables: dict[str, pd.DataFrame] = {}
    rules: Path | None = None
    expected = "an instance folder or an .xlsx workbook"
    if not path.exists():
        out.append(Problem("instance", str(path), "", expected, "nothing at this path"))
    elif path.is_file() and path.suffix.lower() == ".xlsx":
        tables = read_xlsx(path, out)
        rules = _existing(path.with_name(f"{path.stem}.rules.toml"))
    elif path.is_dir():
        tables = _read_folder(path, out)
        rules = _existing(path / RULES_FILE)
        if not tables:
            books = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("."))
            if len(books) == 1:
                tables = read_xlsx(books[0], out)
                rules = rules or _existing(
                    books[0].with_name(f"{books[0].stem}.rules.toml")
                )
    else:
        out.append(Problem("instance", str(path), "", expected, "another kind of file"))
    if sources is not None:
        sources.update(_sources(path, tables))
    if problems is None and own:
        raise InputError(own)
    return tables, rules


def _sources(path: Path, tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """The file each table of ``tables`` came from (as :func:`read_tables` reads)."""
    book = path if path.is_file() else None
    if book is None and path.is_dir():
        found = [n for n in tables if (path / f"{n}.parquet").is_file()]
        found += [n for n in tables if (path / f"{n}.csv").is_file()]
        if found:
            return {
                n: f"{n}.parquet" if (path / f"{n}.parquet").is_file() else f"{n}.csv"
                for n in tables
            }
        books = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("."))
        book = books[0] if len(books) == 1 else None
    if book is None:
        return {}
    return {n: f"{book.name}, sheet {n}" for n in tables}


_RULES_MAX_INT = 1_000_000
_RULES_MAX_WEIGHT = 1_000.0


def _rules_range(rules: Rules, source: str) -> list[Problem]:
    """Rule values too large for the solvers' integer arithmetic.

    :meth:`Rules.from_dict` checks kinds and lower bounds; this adds the upper
    bounds (beyond them sums and scaled costs overflow ``int64``, so a
    feasible instance would be called infeasible or the solve would crash).
    """
    problems: list[Problem] = []

    def most(key: str, value: Any, limit: float, what: str) -> None:
        if not (isinstance(value, int | float) and abs(value) <= limit):
            expected = f"{what} <= {limit:,.0f}"
            problems.append(Problem(source, "", key, expected, repr(value)))

    for key in ("max_households", "contact_households"):
        most(key, getattr(rules, key), _RULES_MAX_INT, "an integer")
    for rank, cap in rules.max_households_by_rank.items():
        most(f"max_households_by_rank.{rank}", rank, _RULES_MAX_INT, "an integer")
        most(f"max_households_by_rank.{rank}", cap, _RULES_MAX_INT, "an integer")
    for tier, pair in rules.villages_per_unit.items():
        for value in pair:
            most(f"villages_per_unit.{tier}", value, _RULES_MAX_INT, "an integer")
    for name, value in dataclasses.asdict(rules.dispatch).items():
        most(f"dispatch.{name}", value, _RULES_MAX_INT, "an integer")
    for name, value in dataclasses.asdict(rules.weights).items():
        most(f"weights.{name}", value, _RULES_MAX_WEIGHT, "a number")
    return problems


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def _read_folder(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        pq, csv = path / f"{name}.parquet", path / f"{name}.csv"
        try:
            if pq.is_file():
                tables[name] = pd.read_parquet(pq)
            elif csv.is_file():
                tables[name] = pd.read_csv(
                    csv,
                    dtype=str,
                    keep_default_na=False,
                    encoding="utf-8-sig",
                )
        except Exception as exc:  # any unreadable file is bad input
            which = pq.name if pq.is_file() else csv.name
            problems.append(Problem(name, "", "", f"a readable {which}", _brief(exc)))
    return tables


def _brief(exc: BaseException, limit: int = 200) -> str:
    text = (
        f"{type(exc).__name__}: {exc}".splitlines()[0]
        if str(exc)
        else type(exc).__name__
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- workbooks -----------------------------------------------------------------


def read_xlsx(
    path: str | Path, problems: list[Problem] | None = None
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
            for name in TABLES:
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


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Write frames as a workbook, one sheet each, with no formula in it.

    Strings are always written as text cells: one starting with ``=``, ``+``,
    ``-`` or ``@`` is also marked quote-prefixed, so a spreadsheet shows it as
    text and never evaluates it. Numbers and booleans are written as such,
    ``NaN``/``None`` as empty cells. This is :func:`pairing.xlsx.write_xlsx`,
    the one spreadsheet writer (column-wise, seconds for 430,000 rows), with
    ``illegal="raise"``. The file is written as given (not atomically; wrap
    in :func:`pairing.atomic.write_file` for that).

    Raises
    ------
    ValueError
        When a table has more rows than a sheet can hold, or a string holds a
        character a workbook cannot store.
    """
    from .xlsx import write_xlsx as write

    write(path, sheets, illegal="raise")


# -- saving --------------------------------------------------------------------


def save_instance(
    instance: Instance, path: str | Path, format: str = "parquet"
) -> None:
    """Write an instance in the contract layout, atomically.

    Parameters
    ----------
    instance
        The instance; every contract table is written (empty optional tables
        too), with its extra columns.
    path
        For ``parquet`` and ``csv``: the instance folder (replaced whole once
        complete). For ``xlsx``: a path ending in ``.xlsx`` is the workbook
        (its rules go to ``<stem>.rules.toml`` beside it); any other path is a
        folder holding ``instance.xlsx`` and ``rules.toml``.
    format
        ``parquet`` (default), ``csv`` (UTF-8, no index) or ``xlsx``.

    Notes
    -----
    The rules are written as ``rules.toml`` only when they differ from the
    defaults. Optional integer columns are written as whole numbers with
    empty cells in CSV and workbooks (``Int64``), as ``float64`` in Parquet.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    path = Path(path)
    tables = {name: instance.tables[name] for name in TABLES}
    rules = None if instance.rules == Rules() else instance.rules.to_toml()
    if format == "xlsx" and path.suffix.lower() == ".xlsx":
        sheets = {name: _for_text(name, df) for name, df in tables.items()}
        atomic.write_file(path, lambda tmp: write_xlsx(tmp, sheets))
        side = path.with_name(f"{path.stem}.rules.toml")
        if rules is not None:
            atomic.write_text(side, rules)
        else:
            side.unlink(missing_ok=True)  # a stale file would change the rules
        return
    with atomic.folder(path) as tmp:
        if format == "xlsx":
            write_xlsx(
                tmp / WORKBOOK_FILE,
                {name: _for_text(name, df) for name, df in tables.items()},
            )
        for name, df in tables.items():
            out = df.reset_index(drop=True)
            if format == "parquet":
                out.to_parquet(tmp / f"{name}.parquet", index=False)
            elif format == "csv":
                _for_text(name, out).to_csv(tmp / f"{name}.csv", index=False)
        if rules is not None:
            (tmp / RULES_FILE).write_text(rules, encoding="utf-8")


def _for_text(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Optional integer columns as ``Int64`` (``2``, not ``2.0``) for CSV/xlsx."""
    out = df.reset_index(drop=True)
    changes: dict[str, pd.Series] = {}
    for col in TABLES[name].columns:
        if col.kind != "int" or col.name not in out.columns:
            continue
        values = out[col.name]
        if pd.api.types.is_float_dtype(values.dtype):
            arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = arr[~np.isnan(arr)]
            if np.all(finite == np.floor(finite)):
                changes[col.name] = values.astype("Int64")
    return out.assign(**changes) if changes else out
