"""Reading instances in the contract layout (the front door is :mod:`pairing.io`).

This module knows files, not :class:`pairing.Instance`: :func:`read_checked`
returns the checked tables and rules, so that both :func:`pairing.load_instance`
and :meth:`pairing.Instance.load` build on it without an import circle.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ._readxlsx import _brief, read_xlsx
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
