"""Valid cuts of the village stage's model: capacity covers (R4 with R5).

:func:`cover_cuts` finds the covers an LP solution violates and
:func:`with_rows` adds them to a model; every such row holds for every plan.
:mod:`.model` re-exports both.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..instance import FloatArray, IntArray
from .sparse import R5, SparseModel

if TYPE_CHECKING:  # annotations only: the candidates reach the model lazily
    from .candidates import Candidates


def cover_cuts(
    cands: Candidates, x: np.ndarray, *, eps: float = 1e-4, per_unit: int = 3
) -> tuple[sp.csr_matrix, FloatArray]:
    """Violated capacity covers of the units (R4 with R5), rows ``cut x <= rhs``.

    A unit may lead at most ``max_u`` villages whose demand fits its
    capacity. For a set ``T`` of its candidate villages in which any ``r``
    exceed the capacity, at most ``r - 1`` of ``T`` can be led (``r - 1 <
    max_u``); ``T`` is the unit's villages from a position on in demand
    order (ties broken by pair order), possibly with one lighter village
    ``j`` when ``j`` with the ``r - 1``
    lightest of the rest already exceeds the capacity. Every such row holds
    for every plan, so adding it keeps the LP a true upper bound and only
    cuts off fractional points (the LP otherwise fills capacity with a part
    of a village). Returns the ``per_unit`` most violated rows per unit.

    Parameters
    ----------
    cands
        The candidates.
    x
        A value per pair (the LP solution).
    """
    order = np.lexsort((cands.dem, cands.pu))
    pu = cands.pu[order]
    dem = cands.dem[order]
    xo = np.asarray(x, dtype=np.float64)[order]
    if len(pu) == 0:
        return sp.csr_matrix((0, cands.n)), np.zeros(0)
    bounds = np.r_[0, np.flatnonzero(pu[1:] != pu[:-1]) + 1, len(pu)]
    unit_sum = np.add.reduceat(xo, bounds[:-1])
    rows: list[IntArray] = []
    rhs: list[int] = []
    for i in np.flatnonzero(unit_sum > 1 + eps).tolist():
        start, stop = int(bounds[i]), int(bounds[i + 1])
        u = int(pu[start])
        found = _unit_covers(
            xo[start:stop],
            dem[start:stop],
            order[start:stop],
            int(cands.cap[u]),
            int(cands.u_max[u]),
            eps,
            per_unit,
        )
        found.sort(key=lambda f: -f[0])
        for _, members, most in found[:per_unit]:
            rows.append(members)
            rhs.append(most)
    if not rows:
        return sp.csr_matrix((0, cands.n)), np.zeros(0)
    ri = np.repeat(np.arange(len(rows)), [len(members) for members in rows])
    cut = sp.csr_matrix(
        (np.ones(len(ri)), (ri, np.concatenate(rows))), shape=(len(rows), cands.n)
    )
    return cut, np.asarray(rhs, dtype=np.float64)


def _unit_covers(
    xs: FloatArray,
    d: IntArray,
    pairs: IntArray,
    cap: int,
    k: int,
    eps: float,
    per_unit: int,
) -> list[tuple[float, IntArray, int]]:
    """One unit's violated covers as ``(violation, pairs, rhs)``.

    ``xs``, ``d`` and ``pairs`` are the LP values, demands and pair indices
    of the unit's candidates in demand order; ``cap`` and ``k`` its capacity
    (R5) and most villages (R4).
    """
    n = len(xs)
    suf = np.r_[np.cumsum(xs[::-1])[::-1], 0.0]
    found: list[tuple[float, IntArray, int]] = []
    for r in range(2, k + 1):
        if n < r:
            break
        roll = np.convolve(d, np.ones(r, dtype=np.int64), "valid")
        s = int(np.searchsorted(roll, cap, "right"))
        if s >= len(roll):
            continue
        if suf[s] - (r - 1) > eps:
            found.append((suf[s] - (r - 1), pairs[s:], r - 1))
        # one lighter village j with the r-1 lightest of [s', n) over the cap
        roll1 = np.convolve(d, np.ones(r - 1, dtype=np.int64), "valid")
        js = np.arange(s)
        sp_ = np.maximum(np.searchsorted(roll1, cap - d[js], "right"), s)
        ok = sp_ < n
        js, sp_ = js[ok], sp_[ok]
        viol = xs[js] + suf[sp_] - (r - 1)
        for t in np.argsort(-viol)[:per_unit].tolist():
            if viol[t] > eps:
                j, q = int(js[t]), int(sp_[t])
                found.append((viol[t], np.r_[pairs[j], pairs[q:]], r - 1))
    return found


def with_rows(m: SparseModel, rows: sp.csr_matrix, hi: FloatArray) -> SparseModel:
    """``m`` with extra rows ``rows x <= hi`` over its pair columns (valid cuts)."""
    if rows.shape[0] == 0:
        return m
    extra = sp.csr_matrix(
        (rows.data, rows.indices, rows.indptr), shape=(rows.shape[0], m.a.shape[1])
    )
    return dataclasses.replace(
        m,
        a=sp.vstack([m.a, extra], format="csr"),
        lo=np.r_[m.lo, np.full(rows.shape[0], -np.inf)],
        hi=np.r_[m.hi, hi],
        # capacity covers are implied by R4 and R5 together: labelled R5
        row_rule=np.r_[m.row_rule, np.full(rows.shape[0], R5)],
        row_owner=np.r_[m.row_owner, np.full(rows.shape[0], -1)],
    )
