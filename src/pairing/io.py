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
so an id like ``0990101`` keeps its leading zero and ``nan``, ``None``,
``NA`` or ``null`` stay ids, never missing values; Parquet integer ids become
strings. Text that pairing marked with a leading apostrophe against CSV
injection (:mod:`pairing.cells`) is read back as it was. A CSV file with two
columns of the same name is bad input. Workbooks are read without evaluating
anything: a cell whose formula is a constant (``TRUE()``, ``FALSE()``,
``=1``, ``="text"``, as LibreOffice saves booleans) is read by its cached
value; any other formula cell is bad input and is reported like any other
problem, naming the cell.

:func:`save_instance` writes a folder pairing owns (:mod:`pairing.atomic`): it
never replaces a folder or workbook it did not write, and never deletes a file
it did not write.
"""

from __future__ import annotations

from pathlib import Path

from ._readinstance import (  # the readers, re-exported
    read_checked,
    read_csv,
    read_tables,
)
from ._readxlsx import _brief, _constant, _read_sheet, read_xlsx
from ._saveinstance import (  # the writers, re-exported
    FORMATS,
    RULES_FILE,
    WORKBOOK_FILE,
    WORKBOOK_MARK,
    check_instance_output,
    own_workbook,
    save_instance,
    write_xlsx,
)
from .instance import Instance

__all__ = [
    "FORMATS",
    "RULES_FILE",
    "WORKBOOK_FILE",
    "WORKBOOK_MARK",
    "check_instance_output",
    "load_instance",
    "own_workbook",
    "read_checked",
    "read_csv",
    "read_tables",
    "read_xlsx",
    "save_instance",
    "write_xlsx",
]
# private readers kept importable from here for callers that used them
_PRIVATE = (_brief, _constant, _read_sheet)

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

    Examples
    --------
    >>> import pairing, tempfile
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> folder = tempfile.mkdtemp() + "/jilin"
    >>> pairing.save_instance(instance, folder, format="csv")
    >>> back = pairing.load_instance(folder)
    >>> pairing.fingerprint(back) == pairing.fingerprint(instance)
    True
    """
    return Instance.load(path)
