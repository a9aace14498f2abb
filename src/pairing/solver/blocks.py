"""Blocks of the village stage's model: some pairs free, the rest fixed.

:func:`restrict` cuts a :class:`Block` out of a full model for CP-SAT or
HiGHS to decide (large-neighbourhood search, re-planning, explanations).
:mod:`.model` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..instance import BoolArray, IntArray
from .sparse import R1, SparseModel


@dataclass
class Block:
    """A piece of a model: some pairs free, every other pair fixed.

    Attributes
    ----------
    model
        The block's own model: the free pairs, the auxiliary columns their
        rows need, and those rows, with the fixed pairs' part moved into the
        bounds. Its labels are the full model's.
    pairs
        Pair index (in the full model) of each of the block's pair columns.
    aux
        Column index (in the full model) of each of its auxiliary columns.
    rows
        Row index (in the full model) of each of its rows.
    """

    model: SparseModel
    pairs: IntArray
    aux: IntArray
    rows: IntArray


def restrict(model: SparseModel, free: BoolArray, on: BoolArray) -> Block:
    """The block of ``model`` where the pairs ``free`` are decided and the rest
    fixed.

    Parameters
    ----------
    model
        The full model.
    free
        Per pair column, whether the block decides it.
    on
        Per pair column, whether a fixed pair is 1 (a lead the block keeps);
        ignored where ``free``.

    Notes
    -----
    The block keeps every row with a free pair, every auxiliary column
    (overflow, lead, all-key) of those rows, and every row of those columns,
    until nothing is added; a row left out holds only fixed pairs and so
    keeps its current value. Any solution of the block, with the fixed pairs
    as given, keeps every row of ``model`` that the fixed plan kept.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from pairing.solver.model import SparseModel, restrict
    >>> m = SparseModel(  # one village, two units, each within capacity
    ...     a=sp.csr_matrix(np.array([[1.0, 1.0]])), lo=np.ones(1), hi=np.ones(1),
    ...     cost=np.array([3, 5]), col_lo=np.zeros(2, int), col_hi=np.ones(2, int),
    ...     n_pairs=2, village_rows=np.zeros(1, int), county_row0=1,
    ...     row_rule=np.zeros(1, int), row_owner=np.zeros(1, int),
    ...     col_kind=np.zeros(2, int), col_owner=np.arange(2))
    >>> block = restrict(m, np.array([True, True]), np.zeros(2, bool))
    >>> block.pairs.tolist(), block.model.lo.tolist()
    ([0, 1], [1.0])
    """
    n = model.n_pairs
    a = model.a.tocsc()
    free = np.asarray(free, dtype=bool)
    fixed_on = np.flatnonzero(np.asarray(on, dtype=bool) & ~free)
    cols = np.flatnonzero(free)
    rows, aux = _closure(a, n, cols)
    keep = np.r_[cols, aux]
    base = np.asarray(a[:, fixed_on].sum(axis=1)).ravel()[rows]
    sub = a[rows][:, keep].tocsr()
    block_model = SparseModel(
        a=sub,
        lo=model.lo[rows] - base,
        hi=model.hi[rows] - base,
        cost=model.cost[keep],
        col_lo=model.col_lo[keep],
        col_hi=model.col_hi[keep],
        n_pairs=len(cols),
        village_rows=np.flatnonzero(model.row_rule[rows] == R1),
        county_row0=int(np.searchsorted(rows, model.county_row0)),
        row_rule=model.row_rule[rows],
        row_owner=model.row_owner[rows],
        col_kind=model.col_kind[keep],
        col_owner=model.col_owner[keep],
    )
    return Block(model=block_model, pairs=cols, aux=aux, rows=rows)


def _closure(a: sp.csc_matrix, n: int, cols: IntArray) -> tuple[IntArray, IntArray]:
    """Rows and auxiliary columns of the block of the pair columns ``cols``:
    their rows, those rows' auxiliary columns, those columns' rows, until
    nothing is added (``a``: the model's matrix, ``n`` its pair columns)."""
    row_in = np.zeros(a.shape[0], dtype=bool)
    row_in[np.unique(a[:, cols].indices)] = True
    aux_in = np.zeros(a.shape[1] - n, dtype=bool)
    a_aux = a[:, n:]
    a_aux_r = a_aux.tocsr()
    while True:
        grow = np.zeros_like(aux_in)
        grow[np.unique(a_aux_r[np.flatnonzero(row_in)].indices)] = True
        new_aux = grow & ~aux_in
        if not new_aux.any():
            break
        aux_in |= new_aux
        more = np.zeros_like(row_in)
        more[np.unique(a_aux[:, np.flatnonzero(new_aux)].indices)] = True
        row_in |= more
    return np.flatnonzero(row_in), n + np.flatnonzero(aux_in)
