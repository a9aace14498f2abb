"""Reading instances in the contract layout (the front door is :mod:`pairing.io`).

This module knows files, not :class:`pairing.Instance`: :func:`read_checked`
returns the checked tables and rules, so that both :func:`pairing.load_instance`
and :meth:`pairing.Instance.load` build on it without an import circle.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ._saveinstance import RULES_FILE
from .cells import unescape_text
from .checks import check_tables
from .errors import InputError, Problem
from .rules import Rules
from .schema import TABLES


def read_checked(path: str | Path) -> tuple[dict[str, pd.DataFrame], Rules]:
    """The checked, normalised tables and the rules of an instance.

    See :func:`pairing.load_instance`, which wraps them in an
    :class:`~pairing.Instance`; the errors are the same.
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
        checked = check_tables(tables)
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
    return checked, rules


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
        rules = _existing(path.with_name(f"{path.stem}.rules.toml"), out)
    elif path.is_dir():
        tables = _read_folder(path, out)
        rules = _existing(path / RULES_FILE, out)
        if not tables:
            books = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("."))
            if len(books) == 1:
                tables = read_xlsx(books[0], out)
                rules = rules or _existing(
                    books[0].with_name(f"{books[0].stem}.rules.toml"), out
                )
            elif len(books) > 1:
                names = ", ".join(b.name for b in books[:5])
                out.append(
                    Problem(
                        "instance",
                        str(path),
                        "",
                        "one file per table, or a single .xlsx workbook",
                        f"{len(books)} workbooks ({names}) and no table files",
                    )
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


def _existing(path: Path, problems: list[Problem]) -> Path | None:
    """``path`` when it is a file; a problem when it is something else."""
    if path.is_file():
        return path
    if path.exists():
        problems.append(Problem(path.name, "", "", "a TOML file", "a folder"))
    return None


def _read_folder(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        pq, text = path / f"{name}.parquet", path / f"{name}.csv"
        try:
            if pq.is_file():
                tables[name] = pd.read_parquet(pq)
            elif text.is_file():
                tables[name] = read_csv(text, name, problems)
        except Exception as exc:  # any unreadable file is bad input
            which = pq.name if pq.is_file() else text.name
            problems.append(Problem(name, "", "", f"a readable {which}", _brief(exc)))
    return tables


def read_csv(path: Path, table: str, problems: list[Problem]) -> pd.DataFrame:
    """A contract CSV file, every cell as text (see the module docstring).

    Two columns with the same name (after trimming blanks) are a problem:
    pandas would silently rename the second ``severity.1``.
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    names = [h.strip() for h in header]
    for col in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            Problem(
                table,
                "",
                col,
                "one column of each name",
                f"{names.count(col)} columns named {col!r} in {path.name}",
            )
        )
    df = pd.read_csv(
        path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
    )
    return unescape_text(df)


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
