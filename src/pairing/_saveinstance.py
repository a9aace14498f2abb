"""Writing instances in the contract layout (re-exported by :mod:`pairing.io`).

:func:`save_instance` writes a folder pairing owns (:mod:`pairing.atomic`): it
never replaces a folder or workbook it did not write, and never deletes a file
it did not write. A single workbook is pairing's when its zip comment is
:data:`WORKBOOK_MARK` (a spreadsheet program drops it on saving, so an edited
workbook is the user's); its side rules file when it starts with pairing's
header line.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import atomic
from .cells import to_csv
from .xlsx import write_xlsx as _write_xlsx

if TYPE_CHECKING:
    from .instance import Instance
from .rules import Rules
from .schema import TABLES

__all__ = [
    "FORMATS",
    "RULES_FILE",
    "WORKBOOK_FILE",
    "WORKBOOK_MARK",
    "check_instance_output",
    "own_workbook",
    "save_instance",
    "write_xlsx",
]

FORMATS = ("parquet", "csv", "xlsx")
"""Formats :func:`save_instance` writes."""

RULES_FILE = "rules.toml"
WORKBOOK_FILE = "instance.xlsx"
"""The workbook's name when :func:`save_instance` writes ``xlsx`` into a folder."""
WORKBOOK_MARK = "pairing:instance"
"""The zip comment of a workbook :func:`save_instance` wrote."""
_SIDE_HEADER = "# the rules of {name}, written by pairing\n"


def write_xlsx(
    path: str | Path, sheets: Mapping[str, pd.DataFrame], mark: str = ""
) -> None:
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
    _write_xlsx(path, sheets, illegal="raise", mark=mark)


# -- saving --------------------------------------------------------------------


def save_instance(
    instance: Instance,
    path: str | Path,
    format: str = "parquet",
    *,
    force: bool = False,
) -> None:
    """Write an instance in the contract layout, atomically.

    Parameters
    ----------
    instance
        The instance; every contract table is written (empty optional tables
        too), with its extra columns.
    path
        For ``parquet`` and ``csv``: the instance folder, replaced whole once
        complete (:func:`pairing.atomic.folder`: a new path, an empty folder
        or an instance folder pairing wrote; any file pairing did not write
        there is kept). For ``xlsx``: a path ending in ``.xlsx`` is the
        workbook (its rules go to ``<stem>.rules.toml`` beside it); any other
        path is a folder holding ``instance.xlsx`` and ``rules.toml``.
    format
        ``parquet`` (default), ``csv`` (UTF-8, no index; text at risk of
        running as a formula marked with ``'``, see :mod:`pairing.cells`) or
        ``xlsx``.
    force
        Also write into a folder pairing did not write (keeping every file
        in it). A workbook or rules file pairing did not write is never
        replaced.

    Raises
    ------
    pairing.atomic.OutputRefused
        When ``path`` may not be written (see :func:`pairing.atomic.folder`).

    Notes
    -----
    The rules are written as ``rules.toml`` only when they differ from the
    defaults. Optional integer columns are written as whole numbers with
    empty cells in CSV and workbooks (``Int64``), as ``float64`` in Parquet.

    Examples
    --------
    >>> import pairing, tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp()) / "jilin"
    >>> pairing.save_instance(pairing.generate(households=2000, seed=1), folder)
    >>> sorted(p.name for p in folder.glob("*.parquet"))[:3]
    ['cadres.parquet', 'claims.parquet', 'households.parquet']
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    path = Path(path)
    tables = {name: instance.tables[name] for name in TABLES}
    rules = None if instance.rules == Rules() else instance.rules.to_toml()
    if format == "xlsx" and path.suffix.lower() == ".xlsx":
        _save_workbook(path, tables, rules)
        return
    with atomic.folder(path, "instance", force=force) as tmp:
        if format == "xlsx":
            sheets = {name: _for_text(name, df) for name, df in tables.items()}
            write_xlsx(tmp / WORKBOOK_FILE, sheets, mark=WORKBOOK_MARK)
        for name, df in tables.items():
            out = df.reset_index(drop=True)
            if format == "parquet":
                out.to_parquet(tmp / f"{name}.parquet", index=False)
            elif format == "csv":
                to_csv(_for_text(name, out), tmp / f"{name}.csv")
        if rules is not None:
            (tmp / RULES_FILE).write_text(rules, encoding="utf-8")


def check_instance_output(
    path: str | Path, format: str = "parquet", *, force: bool = False
) -> None:
    """Raise :class:`pairing.atomic.OutputRefused` unless :func:`save_instance`
    may write ``path`` (checked before generating, so no work is lost)."""
    path = Path(path)
    if format == "xlsx" and path.suffix.lower() == ".xlsx":
        _check_workbook(path)
        return
    if format == "xlsx":
        names = [WORKBOOK_FILE, RULES_FILE]
    else:
        names = [f"{name}.{format}" for name in TABLES] + [RULES_FILE]
    atomic.check_output(path, "instance", force=force, names=names)


def own_workbook(path: str | Path) -> bool:
    """Whether ``path`` is a workbook :func:`save_instance` wrote, unedited."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.comment == WORKBOOK_MARK.encode("utf-8")
    except (OSError, zipfile.BadZipFile):
        return False


def _save_workbook(
    path: Path, tables: dict[str, pd.DataFrame], rules: str | None
) -> None:
    """One workbook and its side rules file, never over someone else's files."""
    side, header = _check_workbook(path)
    sheets = {name: _for_text(name, df) for name, df in tables.items()}
    atomic.write_file(path, lambda tmp: write_xlsx(tmp, sheets, mark=WORKBOOK_MARK))
    if rules is not None:
        atomic.write_text(side, header + rules)
    else:
        side.unlink(missing_ok=True)  # pairing's own: a stale one would change rules


def _check_workbook(path: Path) -> tuple[Path, str]:
    """Refuse a workbook or side rules file pairing did not write."""
    side = path.with_name(f"{path.stem}.rules.toml")
    header = _SIDE_HEADER.format(name=path.name)
    if os.path.lexists(path) and (not path.is_file() or not own_workbook(path)):
        raise atomic.OutputRefused(
            path,
            "pairing did not write this workbook (or it was edited since)",
            "give a new file name, or move the workbook away",
        )
    if os.path.lexists(side):
        try:
            ours = side.is_file() and side.read_text("utf-8").startswith(header)
        except (OSError, UnicodeDecodeError):
            ours = False
        if not ours:
            raise atomic.OutputRefused(
                side,
                "pairing did not write this rules file, and it would change the "
                "rules of the workbook",
                "move it away, or give the workbook another name",
            )
    return side, header


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
