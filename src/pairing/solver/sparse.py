"""The village stage's sparse linear model: its labels, its type and builder.

A :class:`SparseModel` holds rows ``lo <= A x <= hi`` over labelled columns;
each row carries its rule (:data:`RULES`) and each column its kind
(:data:`COLUMNS`). :func:`complete` fills a pair vector's auxiliary columns.
:mod:`.model` builds the village stage's model and re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..instance import FloatArray, IntArray

RULES = ("R1", "R4", "R5", "R8", "R3", "R6")
"""Row labels: ``row_rule`` holds an index into this tuple."""
R1, R4, R5, R8, R3, R6 = range(len(RULES))
COLUMNS = ("pair", "overflow", "lead", "all_key", "covered")
"""Column kinds: ``x[v,u]``, R3's ``overflow_c``, R8's ``lead_u``, R6's
``all_key``, and with partial coverage R3's ``covered_c`` (:mod:`.uncovered`)."""
PAIR, OVERFLOW, LEAD, ALL_KEY, COVERED = range(len(COLUMNS))


@dataclass
class SparseModel:
    """A maximisation ``max cost x, lo <= A x <= hi, col_lo <= x <= col_hi``."""

    a: sp.csr_matrix
    lo: FloatArray
    hi: FloatArray
    cost: IntArray
    col_lo: IntArray
    col_hi: IntArray
    n_pairs: int
    village_rows: IntArray
    """Row of each poor village's R1 constraint (positions in ``cands.villages``)."""
    county_row0: int
    """First R3 county row (one per ``cands.r3_county``)."""
    row_rule: IntArray
    """Per row, its rule as an index into :data:`RULES`."""
    row_owner: IntArray
    """Per row: village (R1), unit (R4, R5, R8), region (R3) or -1 (R6)."""
    col_kind: IntArray
    """Per column, its kind as an index into :data:`COLUMNS`."""
    col_owner: IntArray
    """Per column: pair index, county position in ``cands.r3_county``, unit, -1."""

    def rows(self, rule: int) -> IntArray:
        """The rows of one rule (an index of :data:`RULES`)."""
        return np.flatnonzero(self.row_rule == rule)


class _Rows:
    """Collects the model's labelled rows, columns and entries as numpy blocks."""

    def __init__(self) -> None:
        self.entries: list[tuple[IntArray, IntArray, FloatArray]] = []
        self.lo: list[FloatArray] = []
        self.hi: list[FloatArray] = []
        self.rule: list[IntArray] = []
        self.owner: list[IntArray] = []
        self.nrow = 0
        self.cols: list[tuple[int, IntArray, FloatArray, FloatArray, FloatArray]] = []
        self.ncol = 0

    def block(self, rule: int, owner: IntArray, lo: np.ndarray, hi: np.ndarray) -> int:
        """Append rows of ``rule`` (one per ``owner``); returns the first row."""
        first = self.nrow
        self.lo.append(np.asarray(lo, dtype=np.float64))
        self.hi.append(np.asarray(hi, dtype=np.float64))
        self.rule.append(np.full(len(owner), rule, dtype=np.int64))
        self.owner.append(np.asarray(owner, dtype=np.int64))
        self.nrow += len(owner)
        return first

    def columns(
        self,
        kind: int,
        owner: IntArray,
        lo: np.ndarray,
        hi: np.ndarray,
        cost: np.ndarray,
    ) -> int:
        """Append columns of ``kind``; returns the first column."""
        first = self.ncol
        self.cols.append(
            (
                kind,
                np.asarray(owner, dtype=np.int64),
                np.asarray(lo, dtype=np.float64),
                np.asarray(hi, dtype=np.float64),
                np.asarray(cost, dtype=np.float64),
            )
        )
        self.ncol += len(owner)
        return first

    def add(self, r: IntArray, col: IntArray, v: np.ndarray) -> None:
        self.entries.append(
            (
                np.asarray(r, dtype=np.int64),
                np.asarray(col, dtype=np.int64),
                np.asarray(v, dtype=np.float64),
            )
        )

    def model(self, n: int, village_rows: IntArray, county_row0: int) -> SparseModel:
        rows, cols, vals = (np.concatenate(x) for x in zip(*self.entries, strict=True))
        a = sp.csr_matrix((vals, (rows, cols)), shape=(self.nrow, self.ncol))
        kind, owner, col_lo, col_hi, cost = (
            np.concatenate(
                [np.full(len(c[1]), c[0], dtype=np.int64) for c in self.cols]
            ),
            *(np.concatenate([c[i] for c in self.cols]) for i in range(1, 5)),
        )
        return SparseModel(
            a=a,
            lo=np.concatenate(self.lo),
            hi=np.concatenate(self.hi),
            cost=np.rint(cost).astype(np.int64),
            col_lo=np.rint(col_lo).astype(np.int64),
            col_hi=np.rint(col_hi).astype(np.int64),
            n_pairs=n,
            village_rows=village_rows,
            county_row0=county_row0,
            row_rule=np.concatenate(self.rule),
            row_owner=np.concatenate(self.owner),
            col_kind=kind,
            col_owner=owner,
        )


def complete(m: SparseModel, x: IntArray) -> IntArray | None:
    """Full column values of a 0/1 pair vector (auxiliaries set minimally).

    Read from the labelled model alone, so it serves a whole model and any
    block of one (:func:`restrict`): each overflow column takes the least
    value its county row (R3) allows, each boolean (R8's lead, R6's
    all-key) the first of its bounds that keeps its rows. Returns ``None``
    when the pairs break a row.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> m = SparseModel(  # one village and two candidate units
    ...     a=sp.csr_matrix(np.array([[1.0, 1.0]])), lo=np.ones(1), hi=np.ones(1),
    ...     cost=np.array([3, 5]), col_lo=np.zeros(2, int), col_hi=np.ones(2, int),
    ...     n_pairs=2, village_rows=np.zeros(1, int), county_row0=1,
    ...     row_rule=np.zeros(1, int), row_owner=np.zeros(1, int),
    ...     col_kind=np.zeros(2, int), col_owner=np.arange(2))
    >>> complete(m, np.array([0, 1])).tolist(), complete(m, np.array([1, 1]))
    ([0, 1], None)
    """
    n = m.n_pairs
    ncol = m.a.shape[1]
    full = np.zeros(ncol, dtype=np.int64)
    full[:n] = x
    if ncol > n:
        a_csc = m.a.tocsc()
        kind = m.col_kind
        covered = kind == COVERED  # partial coverage: at their least (R3)
        full[covered] = m.col_lo[covered]
        base = m.a @ full
        over = np.flatnonzero(kind == OVERFLOW)
        if len(over):
            # an overflow column's county row is its row with a finite lower side
            sub = a_csc[:, over].tocoo()
            lower = np.isfinite(m.lo[sub.row])
            need = np.zeros(len(over))
            need[sub.col[lower]] = m.lo[sub.row[lower]] - base[sub.row[lower]]
            full[over] = np.clip(np.ceil(need - 1e-9), m.col_lo[over], m.col_hi[over])
        for j in np.flatnonzero((kind == LEAD) | (kind == ALL_KEY)).tolist():
            r = a_csc[:, j].indices  # at most a few hundred lead columns
            for val in (int(m.col_lo[j]), int(m.col_hi[j])):
                full[j] = val
                act = m.a[r] @ full
                if np.all(act >= m.lo[r] - 1e-9) and np.all(act <= m.hi[r] + 1e-9):
                    break
    act = m.a @ full
    if np.all(act >= m.lo - 1e-6) and np.all(act <= m.hi + 1e-6):
        return full
    return None
