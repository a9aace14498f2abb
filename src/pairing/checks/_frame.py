"""The checks' working state: a table being read, and the problems found so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import Problem
from ..schema import Table

ROWS_PER_KIND = 20
"""Rows listed per (table, column, kind of problem); the rest are counted."""


_TRUE = ("true", "1", "yes", "y", "t", "是", "1.0")


_FALSE = ("false", "0", "no", "n", "f", "否", "0.0")


# Largest magnitudes accepted in number columns: beyond these, sums and the
# solvers' scaled integer costs overflow int64 (a feasible instance would be
# called infeasible, or an array per unit of capacity would not fit in memory).
MAX_INT = 1_000_000


MAX_FLOAT = 1e9


BoolArray = npt.NDArray[np.bool_]


class _Collector:
    """Problems found so far, at most :data:`ROWS_PER_KIND` per kind."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.truncated = 0

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def rows(
        self,
        table: _Frame,
        column: str,
        bad: BoolArray,
        expected: str,
        found: Callable[[int], str],
    ) -> None:
        """One problem per bad row (the first few), counting the rest."""
        pos = np.flatnonzero(bad)
        if len(pos) == 0:
            return
        for i in pos[:ROWS_PER_KIND]:
            self.problems.append(
                Problem(
                    table.name, table.label(int(i)), column, expected, found(int(i))
                )
            )
        self.truncated += max(0, len(pos) - ROWS_PER_KIND)


class _Frame:
    """A table being checked: raw columns in, normalised columns out."""

    def __init__(self, spec: Table, raw: pd.DataFrame | None) -> None:
        self.spec = spec
        self.name = spec.name
        self.present = raw is not None
        raw = _frame(raw) if raw is not None else pd.DataFrame()
        self.raw = raw
        self.n = len(raw)
        self.out: dict[str, Any] = {}
        self.missing: set[str] = set()  # contract columns absent from the input
        self.bad: dict[str, BoolArray] = {}  # rows whose value is unusable
        self._dup: BoolArray | None = None  # rows whose key id is duplicated

    def label(self, i: int) -> str:
        """The row's key id, or ``row N`` (1-based) when it has none.

        A duplicated id is followed by its row: ``0990101 (row 7)``.
        """
        key = self.spec.key
        if key is not None and key in self.out and key not in self.missing:
            value = self.out[key].iat[i]
            if value:
                if self._dup is None:
                    self._dup = self.out[key].duplicated(keep=False).to_numpy()
                return f"{value} (row {i + 1})" if self._dup[i] else str(value)
        return f"row {i + 1}"

    def text(self, name: str) -> pd.Series:
        return self.out[name]

    def usable(self, name: str) -> bool:
        return self.present and name not in self.missing

    def frame(self) -> pd.DataFrame:
        cols = dict(self.out)
        for extra in self.raw.columns:
            if extra not in cols:
                cols[extra] = self.raw[extra]
        return pd.DataFrame(cols, index=pd.RangeIndex(self.n))


def _frame(raw: Any) -> pd.DataFrame:
    df = raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(raw)
    df = df.reset_index(drop=True)
    names = pd.Index([str(c).strip() for c in df.columns])
    if names.has_duplicates:  # reported by check_tables; the first one is read
        df = df.loc[:, ~names.duplicated()]
        names = names[~names.duplicated()]
    df.columns = names
    return df
