"""Input checks: raw tables in, normalised contract tables out.

:func:`check_tables` reads frames of any dtypes (a CSV read all-as-string, a
Parquet file with integer ids, a workbook's cells, hand-made frames), converts
every contract column to its normalised dtype and checks the data contract
and the structural parts of the rules in one vectorised pass. Every problem
found is collected and raised together as one :class:`~pairing.InputError`.

Normalised dtypes (see :class:`~pairing.Instance`):

* ``id``, ``str`` and ``enum`` columns: pandas ``str`` dtype, ``""`` for empty.
  Ids and enum values are stripped of surrounding blanks; free text is not.
  Integral numbers become their integer text (``220524.0`` → ``"220524"``).
* ``float`` columns and optional ``int`` columns: ``float64``, ``NaN`` for empty.
* required ``int`` columns: ``int64``.
* ``bool`` columns: numpy ``bool``; ``true/false``, ``1/0``, ``yes/no``,
  ``y/n``, ``t/f`` and ``是/否`` (any case) and real booleans are accepted;
  an empty optional flag is ``False``.

The package is laid out by concern: :mod:`~pairing.checks.columns` reads
each table's columns, :mod:`~pairing.checks.links` checks across tables;
:func:`check_tables` runs both.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import InputError, Problem
from ..schema import TABLES
from ._frame import MAX_FLOAT as MAX_FLOAT
from ._frame import MAX_INT as MAX_INT
from ._frame import ROWS_PER_KIND, _Collector, _Frame
from .columns import _normalise, as_bool, as_text, duplicate_columns
from .links import (
    _check_claims,
    _check_keys,
    _check_leaders,
    _check_references,
    _check_regions,
    _check_tiers,
    _check_units,
)

__all__ = ["ROWS_PER_KIND", "as_bool", "as_text", "check_tables", "empty_frame"]


def empty_frame(name: str) -> pd.DataFrame:
    """An empty normalised contract table."""
    frame = _Frame(TABLES[name], pd.DataFrame())
    _normalise(frame, _Collector())
    return frame.frame()


def check_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check raw instance tables and return them normalised.

    Parameters
    ----------
    tables
        Raw frames by table name (``regions``, ``villages`` …), of any dtypes.
        Tables not in the contract are ignored; optional tables (``leaders``,
        ``resident_teams``, ``claims``) may be absent.

    Returns
    -------
    dict[str, pandas.DataFrame]
        Every contract table, normalised (see the module docstring), with a
        fresh ``RangeIndex``; extra columns are kept untouched after the
        contract's columns.

    Raises
    ------
    InputError
        Listing every problem found (table, id or ``row N``, column, what was
        expected, what was found): missing tables or columns, bad values,
        duplicate ids, unknown references, a region tree that is not
        province → prefecture → county, units or leaders whose region does not
        match their tier, claims by non-social units or on non-poor villages.
        At most :data:`ROWS_PER_KIND` rows are listed per kind of problem;
        the rest are counted in ``InputError.truncated``.
    """
    acc = _Collector()
    frames: dict[str, _Frame] = {}
    for name, spec in TABLES.items():
        raw = tables.get(name)
        if raw is None and spec.required:
            acc.add(Problem(name, "", "", f"a {name} table", "missing"))
        dups = duplicate_columns(raw) if isinstance(raw, pd.DataFrame) else []
        for col, count in dups:
            acc.add(Problem(name, "", col, "one column of each name", f"{count}"))
        frame = _Frame(spec, raw)
        _normalise(frame, acc)
        frames[name] = frame
    _check_keys(frames, acc)
    _check_references(frames, acc)
    _check_regions(frames, acc)
    _check_tiers(frames, acc)
    _check_units(frames, acc)
    _check_leaders(frames, acc)
    _check_claims(frames, acc)
    if acc.problems or acc.truncated:
        raise InputError(acc.problems, acc.truncated)
    return {name: f.frame() for name, f in frames.items()}
