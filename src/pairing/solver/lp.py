"""LP relaxation of the village stage with HiGHS (the upper bound).

The relaxation of :class:`~pairing.solver.model.SparseModel` (every integer
column made continuous) bounds the objective of any plan from above; its
solution and reduced costs also guide the decomposed method (which pairs to
keep, which village to round to which unit).
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass

import highspy
import numpy as np

from ..instance import FloatArray
from .model import SparseModel

_quiet = False


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


@contextlib.contextmanager
def _no_banner():
    """HiGHS prints a banner to stdout the first time one is made: hide it."""
    global _quiet
    if _quiet:
        yield
        return
    try:
        fd = os.dup(1)
    except OSError:  # no stdout to redirect
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)
        _quiet = True


def solve_lp(m: SparseModel, *, time_limit: float = 60.0, threads: int = 1) -> LPResult:
    """Solve the LP relaxation of ``m`` (maximise) with HiGHS' dual simplex.

    Deterministic: the simplex does not depend on the clock unless the
    time limit stops it.
    """
    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", 0)
    lp = _lp(m)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    secs = float(h.getRunTime())
    n = lp.num_col_
    if status == highspy.HighsModelStatus.kOptimal:
        sol = h.getSolution()
        value = float(h.getInfo().objective_function_value)
        return LPResult(
            "optimal",
            float(math.floor(value + 1e-6 * max(1.0, abs(value)))),
            np.asarray(sol.col_value, dtype=np.float64),
            np.asarray(sol.col_dual, dtype=np.float64),
            secs,
        )
    if status == highspy.HighsModelStatus.kInfeasible:
        return LPResult("infeasible", -math.inf, np.full(n, np.nan), np.zeros(n), secs)
    return LPResult("unknown", math.inf, np.full(n, np.nan), np.zeros(n), secs)


def solve_mip(m: SparseModel, *, time_limit: float, threads: int = 1) -> LPResult:
    """Solve ``m`` as a MIP with HiGHS (used on restricted models).

    Bounded by the wall clock, so not used when the run must be
    deterministic. ``bound`` is HiGHS' dual bound of *this* model.
    """
    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("mip_rel_gap", 1e-4)
    lp = _lp(m)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
    h.passModel(lp)
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
