"""LP relaxation of the village stage with HiGHS (the upper bound).

The relaxation of :class:`~pairing.solver.model.SparseModel` (every integer
column made continuous) bounds the objective of any plan from above; its
solution and reduced costs also guide the decomposed method (which pairs to
keep, which village to round to which unit).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from ..instance import FloatArray
from .candidates import _top_mask
from .highs import new_highs, stop_callbacks
from .model import SparseModel

Separator = Callable[[np.ndarray], tuple[sp.csr_matrix, np.ndarray]]
"""Pair values -> valid rows ``cut x <= rhs`` over the pair columns."""


@dataclass
class LPResult:
    """Outcome of the LP relaxation.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible`` or ``unknown`` (time limit, numerics).
    bound
        Upper bound on the integer objective (``-inf`` when infeasible,
        ``+inf`` when unknown), rounded down to an integer.
    x
        Column values (NaN when not optimal).
    reduced
        Reduced costs of the columns (how much an increase of the column
        changes the objective; ``<= 0`` for a column at 0 in an optimum).
    seconds
        HiGHS run time.
    """

    status: str
    bound: float
    x: FloatArray
    reduced: FloatArray
    seconds: float
    cuts: sp.csr_matrix | None = None
    """Valid cut rows ``cuts x <= cut_rhs`` over the pair columns, when separated."""
    cut_rhs: FloatArray | None = None
    duals: FloatArray | None = None
    """Row duals of the model's own rows (HiGHS' sign), when the LP was solved."""


def solve_lp(
    m: SparseModel,
    *,
    time_limit: float = 60.0,
    threads: int = 1,
    active: np.ndarray | None = None,
    separate: Separator | None = None,
    rounds: int = 6,
    group: np.ndarray | None = None,
    stop: Callable[[], bool] | None = None,
) -> LPResult:
    """Solve the LP relaxation of ``m`` (maximise) with HiGHS' dual simplex.

    Parameters
    ----------
    m
        The model.
    time_limit
        Seconds (HiGHS' clock; the loop stops adding columns or cuts after it).
    active
        Optional mask of the pair columns to start from; the others enter by
        pricing (column generation) until none has a positive reduced cost.
    separate
        Optional cut separator: given the pair values, rows ``cut x <= rhs``
        valid for every integer plan (:func:`~.model.cover_cuts`); called
        for up to ``rounds`` rounds once the columns are priced out.
    group
        Per pair, its village: pricing adds the best few columns per village
        (all columns with a positive reduced cost when not given).
    stop
        A stopping criterion, polled by HiGHS during the simplex and between
        rounds: the LP then ends with the bound of its last duals.

    The bound is the Lagrangian bound of the duals over *every* column and
    row of ``m`` (and the valid cuts), so it is a true upper bound of the
    integer model whatever the loop reached. Deterministic: simplex pivots do
    not depend on the clock unless the time limit stops a solve.
    """
    start = time.perf_counter()
    n, ncol = m.n_pairs, m.a.shape[1]
    a_full = m.a.tocsc()
    lo_full, hi_full = m.lo.astype(np.float64), m.hi.astype(np.float64)
    cut_rows = sp.csr_matrix((0, n))
    cut_hi = np.zeros(0)
    on = np.ones(ncol, dtype=bool)
    if active is not None:
        on[:n] = np.asarray(active, dtype=bool)
    cols = np.flatnonzero(on)
    pos = np.full(ncol, -1, dtype=np.int64)
    pos[cols] = np.arange(len(cols))
    h = new_highs(threads=threads)
    h.setOptionValue("presolve", "off")
    h.passModel(_lp(_columns(m, cols)))
    best = math.inf
    x_full = np.full(ncol, np.nan)
    rc_full = np.zeros(ncol)
    done_rounds = 0
    status = "unknown"
    duals: np.ndarray | None = None
    while True:
        # HiGHS' clock runs across calls on one object: the limit is cumulative
        h.setOptionValue("time_limit", float(max(0.1, time_limit)))
        with stop_callbacks(h, stop):
            h.run()
        st = h.getModelStatus()
        if st == highspy.HighsModelStatus.kInfeasible:
            if len(cols) < ncol:  # restricted columns: open them all
                new = np.flatnonzero(~on)
                _add_cols(h, a_full, cut_rows, m, new)
                on[new] = True
                pos[new] = len(cols) + np.arange(len(new))
                cols = np.r_[cols, new]
                continue
            status = "infeasible"
            break
        if st != highspy.HighsModelStatus.kOptimal:
            # stopped early (time): any multipliers still give a valid
            # Lagrangian bound, usually far better than none
            y = np.asarray(h.getSolution().row_dual, dtype=np.float64)
            if len(y) == a_full.shape[0] + cut_rows.shape[0] and np.all(np.isfinite(y)):
                _, bound = _lagrangian(m, a_full, cut_rows, lo_full, hi_full, cut_hi, y)
                best = min(best, bound)
            break
        sol = h.getSolution()
        y = np.asarray(sol.row_dual, dtype=np.float64)
        xr = np.asarray(sol.col_value, dtype=np.float64)
        rc, bound = _lagrangian(m, a_full, cut_rows, lo_full, hi_full, cut_hi, y)
        best = min(best, bound)
        x_full = np.zeros(ncol)
        x_full[cols] = xr
        rc_full = rc
        duals = y[: a_full.shape[0]].copy()
        status = "optimal"
        if time.perf_counter() - start > time_limit or (stop is not None and stop()):
            break
        # price: pairs outside the LP with a positive reduced cost enter
        cand = np.flatnonzero(~on[:n] & (rc[:n] > 1e-6))
        if len(cand):
            new = (
                cand[_top_mask(group[cand], rc[cand], 5)] if group is not None else cand
            )
            _add_cols(h, a_full, cut_rows, m, new)
            on[new] = True
            pos[new] = len(cols) + np.arange(len(new))
            cols = np.r_[cols, new]
            continue
        if separate is None or done_rounds >= rounds:
            break
        cut, rhs = separate(x_full[:n])
        done_rounds += 1
        if cut.shape[0] == 0:
            break
        cut = cut.tocsr()
        sub = cut[:, cols[cols < n]].tocsr()  # cut rows on the LP's columns
        h.addRows(
            sub.shape[0],
            np.full(sub.shape[0], -highspy.kHighsInf),
            rhs.astype(np.float64),
            int(sub.nnz),
            sub.indptr[:-1].astype(np.int32),
            pos[cols[cols < n]][sub.indices].astype(np.int32),
            sub.data.astype(np.float64),
        )
        cut_rows = sp.vstack([cut_rows, cut], format="csr")
        cut_hi = np.r_[cut_hi, rhs]
    secs = time.perf_counter() - start
    if status == "infeasible":
        return LPResult(
            "infeasible", -math.inf, np.full(ncol, np.nan), np.zeros(ncol), secs
        )
    if not math.isfinite(best):
        return LPResult("unknown", math.inf, x_full, rc_full, secs)
    value = float(math.floor(best + 1e-9 * abs(best) + 1e-6))
    if status != "optimal":  # a bound from early duals, no LP solution
        return LPResult("unknown", value, x_full, rc_full, secs)
    return LPResult(status, value, x_full, rc_full, secs, cut_rows, cut_hi, duals)


def _columns(m: SparseModel, cols: np.ndarray) -> SparseModel:
    """``m`` restricted to the columns ``cols`` (every row kept)."""
    return dataclasses.replace(
        m,
        a=m.a.tocsc()[:, cols],
        cost=m.cost[cols],
        col_lo=m.col_lo[cols],
        col_hi=m.col_hi[cols],
        n_pairs=int((cols < m.n_pairs).sum()),
        col_kind=m.col_kind[cols],
        col_owner=m.col_owner[cols],
    )


def _add_cols(
    h: highspy.Highs,
    a_full: sp.csc_matrix,
    cut_rows: sp.csr_matrix,
    m: SparseModel,
    new: np.ndarray,
) -> None:
    """Add columns ``new`` of ``m`` (with their entries in the cut rows) to ``h``."""
    block = a_full[:, new]
    if cut_rows.shape[0]:
        ext = sp.csr_matrix(
            (cut_rows.data, cut_rows.indices, cut_rows.indptr),
            shape=(cut_rows.shape[0], a_full.shape[1]),
        )
        block = sp.vstack([block, ext[:, new]])
    block = sp.csc_matrix(block)
    block.sort_indices()
    h.addCols(
        len(new),
        m.cost[new].astype(np.float64),
        m.col_lo[new].astype(np.float64),
        m.col_hi[new].astype(np.float64),
        int(block.nnz),
        block.indptr[:-1].astype(np.int32),
        block.indices.astype(np.int32),
        block.data.astype(np.float64),
    )


def _lagrangian(
    m: SparseModel,
    a_full: sp.csc_matrix,
    cut_rows: sp.csr_matrix,
    lo: np.ndarray,
    hi: np.ndarray,
    cut_hi: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Reduced costs and the Lagrangian upper bound of multipliers ``y``.

    For any ``y`` (signs clipped to the rows' finite sides),
    ``max cost x <= sum_r y_r b_r + sum_j max_{x_j in box} (cost - A^T y)_j x_j``.
    HiGHS' sign convention is not assumed: both signs are tried and the
    smaller bound (both are valid) is kept, with its reduced costs.
    """
    n_rows = a_full.shape[0]
    y_m, y_c = y[:n_rows], y[n_rows:]
    ext = sp.csr_matrix(
        (cut_rows.data, cut_rows.indices, cut_rows.indptr),
        shape=(cut_rows.shape[0], a_full.shape[1]),
    )
    best: tuple[np.ndarray, float] | None = None
    for sign in (1.0, -1.0):
        ym = sign * y_m
        ym = np.where((ym > 0) & ~np.isfinite(hi), 0.0, ym)
        ym = np.where((ym < 0) & ~np.isfinite(lo), 0.0, ym)
        yc = np.maximum(sign * y_c, 0.0)  # cut rows are <= rows
        rc = m.cost.astype(np.float64) - a_full.T @ ym - ext.T @ yc
        rows = np.where(ym > 0, ym * np.where(np.isfinite(hi), hi, 0.0), 0.0).sum()
        rows += np.where(ym < 0, ym * np.where(np.isfinite(lo), lo, 0.0), 0.0).sum()
        rows += float(yc @ cut_hi)
        cols = np.where(rc > 0, rc * m.col_hi, rc * m.col_lo).sum()
        value = float(rows + cols)
        if best is None or value < best[1]:
            best = (rc, value)
    assert best is not None
    return best


def solve_mip(
    m: SparseModel,
    *,
    time_limit: float,
    threads: int = 1,
    start: np.ndarray | None = None,
    seed: int = 0,
    nodes: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> LPResult:
    """Solve ``m`` as a MIP with HiGHS (used on restricted models).

    ``start`` (full column values of a feasible plan) seeds the incumbent.
    With ``nodes`` the search stops after that many branch-and-bound nodes:
    single-threaded, with a fixed seed and a ``time_limit`` that is not
    reached, the result is then reproducible (HiGHS' MIP is deterministic
    for a given work bound). ``bound`` is HiGHS' dual bound of *this* model.
    """
    h = new_highs(threads=threads, seed=seed)
    h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
    h.setOptionValue("mip_rel_gap", 1e-4)
    if nodes is not None:
        h.setOptionValue("mip_max_nodes", int(nodes))
    lp = _lp(m)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    with stop_callbacks(h, stop):
        h.run()
    status = h.getModelStatus()
    secs = float(h.getRunTime())
    info = h.getInfo()
    n = lp.num_col_
    if info.primal_solution_status == 2:  # a feasible solution
        x = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
        st = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
        return LPResult(
            st, float(info.mip_dual_bound), x.astype(np.float64), np.zeros(n), secs
        )
    if status == highspy.HighsModelStatus.kInfeasible:
        return LPResult("infeasible", -math.inf, np.full(n, np.nan), np.zeros(n), secs)
    return LPResult("unknown", math.inf, np.full(n, np.nan), np.zeros(n), secs)


def _lp(m: SparseModel) -> highspy.HighsLp:
    """HiGHS' form of ``m`` (maximise, column-wise matrix)."""
    lp = highspy.HighsLp()
    a = m.a.tocsc()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = m.cost.astype(np.float64)
    lp.col_lower_ = m.col_lo.astype(np.float64)
    lp.col_upper_ = m.col_hi.astype(np.float64)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(m.lo), m.lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(m.hi), m.hi, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    return lp
