"""The Lagrangian relaxation of the village stage and its dual function.

The village stage's model (:mod:`..model`) is ``max c x`` subject to rows
``lo <= A x <= hi``. Relax the rows that tie units together — R1 (one lead
per village), R3 (the county and prefecture couplings) and R6 (the
province's key-county share) — with multipliers ``y``; keep each unit's own
rows (R4, R5, R8). For any ``y`` of the right signs (``y >= 0`` on a row
with only an upper side, ``y <= 0`` on one with only a lower side, free on
an equality),

.. math::

    \\mathrm{OPT} \\le D(y) =
      \\sum_r \\big(y_r^+ \\mathrm{hi}_r + y_r^- \\mathrm{lo}_r\\big)
      + \\sum_j \\max_{x_j \\in \\mathrm{box}} (c - A^T y)_j x_j
      + \\sum_u \\max_{S \\in \\mathcal{S}_u} \\sum_{p \\in S} (c - A^T y)_p ,

where ``j`` runs over the auxiliary columns (R3's overflow, R6's all-key:
they appear in relaxed rows only) and ``S_u`` are unit ``u``'s sets of
pairs that keep its R4, R5 and R8 rows, each maximum found exactly by
:class:`~.units.UnitProblems`. So ``D(y)`` is a proof at any ``y``; at the
LP relaxation's optimal duals it is at least as strong as the LP (each unit's
integer hull is tighter than its LP rows), and it is improved by
subgradient steps (:func:`ascend`).

Everything here is read from the labelled model's rows (by their rule and
owner), so no rule is written again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ...instance import BoolArray, FloatArray, IntArray
from ..model import LEAD, PAIR, R1, R3, R4, R5, R6, R8, SparseModel
from .units import UnitProblems

RELAXED = (R1, R3, R6)
"""Rules whose rows are relaxed (the others are each unit's own)."""


@dataclass(frozen=True)
class Evaluation:
    """The dual function at one point.

    Attributes
    ----------
    y
        The multipliers (one per relaxed row, projected onto their signs).
    value
        ``D(y)``, an upper bound on every plan's objective.
    chosen
        Per pair, whether it is in its unit's best set.
    reduced
        Per pair, its reduced value ``(c - A^T y)_p``.
    unit_value
        Per unit, the best value of its subproblem.
    slack
        Per relaxed row, the subgradient of ``D`` (``b - A x`` at the
        maximisers, with ``b`` the side the multiplier prices).
    """

    y: FloatArray
    value: float
    chosen: BoolArray
    reduced: FloatArray
    unit_value: FloatArray
    slack: FloatArray

    @property
    def bound(self) -> float:
        """``value`` rounded down to a whole objective, with a margin for
        floating-point error (objectives are integers), so it stays a proof."""
        return float(math.floor(self.value + 1e-7 * abs(self.value) + 1e-6))


class Relaxation:
    """The Lagrangian relaxation of a labelled model (R1, R3, R6 relaxed).

    Parameters
    ----------
    m
        The village stage's model (:func:`..model.build_model`).

    Examples
    --------
    >>> from pairing.generate import generate
    >>> from pairing.solver.candidates import build_candidates
    >>> from pairing.solver.model import build_model
    >>> inst = generate(2_000, seed=1)
    >>> m = build_model(build_candidates(inst, inst.v_households))
    >>> relax = Relaxation(m)
    >>> relax.evaluate(relax.zero()).bound >= 0
    True
    """

    def __init__(self, m: SparseModel) -> None:
        self.model = m
        n = m.n_pairs
        rows = np.flatnonzero(np.isin(m.row_rule, RELAXED))
        self.rows = rows
        a = m.a.tocsr()
        self.a_rel = a[rows].tocsc()
        self.at_pairs = self.a_rel[:, :n].T.tocsr()
        self.lo = m.lo[rows]
        self.hi = m.hi[rows]
        kind = m.col_kind
        self.aux = np.flatnonzero(kind[n:] != LEAD) + n
        self.at_aux = self.a_rel[:, self.aux].T.tocsr()
        self.cost = m.cost.astype(np.float64)
        self.units = UnitProblems(**_unit_rows(m, a))

    @property
    def n_rows(self) -> int:
        """Number of relaxed rows (multipliers)."""
        return len(self.rows)

    def zero(self) -> FloatArray:
        """Multipliers all zero."""
        return np.zeros(self.n_rows)

    def project(self, y: FloatArray) -> FloatArray:
        """``y`` with each multiplier on its row's sign (0 where not allowed)."""
        y = np.asarray(y, dtype=np.float64).copy()
        y[(y > 0) & ~np.isfinite(self.hi)] = 0.0
        y[(y < 0) & ~np.isfinite(self.lo)] = 0.0
        return y

    def from_duals(self, duals: FloatArray) -> FloatArray:
        """Multipliers from a maximising LP's row duals of the whole model.

        For a maximisation HiGHS reports each row's dual as the derivative
        of the optimum by the row's bound: the multiplier of this module's
        convention (``tests/test_engine.py`` checks it on a tiny LP).
        """
        return self.project(np.asarray(duals, dtype=np.float64)[self.rows])

    def reduced(self, y: FloatArray) -> FloatArray:
        """Reduced value of every pair at ``y``."""
        return self.cost[: self.model.n_pairs] - self.at_pairs @ y

    def evaluate(self, y: FloatArray) -> Evaluation:
        """``D(y)``, its maximisers and a subgradient."""
        y = self.project(y)
        m = self.model
        r = self.reduced(y)
        unit_value, chosen = self.units.solve(r)
        rc_aux = self.cost[self.aux] - self.at_aux @ y
        lo_aux, hi_aux = m.col_lo[self.aux], m.col_hi[self.aux]
        x_aux = np.where(rc_aux > 0, hi_aux, lo_aux).astype(np.float64)
        side = np.where(y > 0, self.hi, self.lo)
        rows = np.where(y != 0, y * np.where(np.isfinite(side), side, 0.0), 0.0)
        value = float(rows.sum() + (rc_aux * x_aux).sum() + unit_value.sum())
        act = self.a_rel[:, : m.n_pairs] @ chosen.astype(np.float64)
        act += self.a_rel[:, self.aux] @ x_aux
        slack = np.where(
            y > 0,
            self.hi - act,
            np.where(
                y < 0,
                self.lo - act,
                np.where(act > self.hi, self.hi - act, 0.0)
                + np.where(act < self.lo, self.lo - act, 0.0),
            ),
        )
        slack = np.where(np.isfinite(slack), slack, 0.0)
        return Evaluation(y, value, chosen, r, unit_value, slack)


def _unit_rows(m: SparseModel, a: sp.csr_matrix) -> dict[str, IntArray]:
    """Each pair's unit and demand, each unit's R4, R5 and R8 data, from the
    model's rows (so the subproblems keep exactly the rows the model has)."""
    n = m.n_pairs
    owner, rule = m.row_owner, m.row_rule
    n_units = int(owner[np.isin(rule, (R4, R5, R8))].max(initial=-1)) + 1
    lo = np.zeros(n_units, dtype=np.int64)
    hi = np.zeros(n_units, dtype=np.int64)
    cap = np.zeros(n_units, dtype=np.int64)
    need = np.zeros(n_units, dtype=np.int64)
    r4, r5 = m.rows(R4), m.rows(R5)
    r5 = r5[owner[r5] >= 0]  # not the capacity covers of the cut LP
    lo[owner[r4]] = np.rint(m.lo[r4]).astype(np.int64)
    hi[owner[r4]] = np.rint(m.hi[r4]).astype(np.int64)
    cap[owner[r5]] = np.rint(m.hi[r5]).astype(np.int64)
    sub4 = a[r4][:, :n].tocsc()
    pu = _column_owner(sub4, owner[r4])
    sub5 = a[r5][:, :n].tocsc()
    dem = np.zeros(n, dtype=np.int64)
    dem[_columns_of(sub5)] = np.rint(sub5.data).astype(np.int64)
    r8 = m.rows(R8)
    if len(r8):  # sum dem x - need lead >= 0: the lead column's coefficient
        lead_cols = np.flatnonzero(m.col_kind == LEAD)
        sub8 = a[r8][:, lead_cols].tocoo()
        ge = np.isinf(m.hi[r8][sub8.row])
        need[owner[r8][sub8.row[ge]]] = np.rint(-sub8.data[ge]).astype(np.int64)
    assert np.all(pu >= 0), "every pair has its unit's R4 row"
    assert np.all(m.col_kind[:n] == PAIR)
    return {"pu": pu, "dem": dem, "lo": lo, "hi": hi, "cap": cap, "need": need}


def _columns_of(csc: sp.csc_matrix) -> IntArray:
    """Column index of every stored entry of a CSC matrix."""
    return np.repeat(np.arange(csc.shape[1]), np.diff(csc.indptr))


def _column_owner(csc: sp.csc_matrix, row_owner: IntArray) -> IntArray:
    """Per column, the owner of its (single) row in ``csc``."""
    out = np.full(csc.shape[1], -1, dtype=np.int64)
    out[_columns_of(csc)] = row_owner[csc.indices]
    return out


@dataclass(frozen=True)
class Ascent:
    """Outcome of :func:`ascend`.

    Attributes
    ----------
    best
        The evaluation with the least ``D`` seen.
    last
        The last evaluation (for a warm restart).
    iterations
        Dual evaluations made.
    """

    best: Evaluation
    last: Evaluation
    iterations: int


def ascend(
    relax: Relaxation,
    start: Evaluation,
    *,
    target: float,
    iterations: int,
    should_stop: object = None,
    step: float = 0.5,
    patience: int = 5,
) -> Ascent:
    """Improve the multipliers by projected subgradient steps (Polyak's rule).

    Each step moves ``y`` against the subgradient by
    ``step * (D(y) - target) / |g|^2``; ``step`` halves after ``patience``
    steps without a better bound. ``target`` is a plan's objective (a lower
    bound on the optimum), so steps never undershoot by much.

    Parameters
    ----------
    relax
        The relaxation.
    start
        Where to start (its ``y``).
    target
        The best known plan's objective.
    iterations
        Most dual evaluations.
    should_stop
        A callable polled before every step; the ascent ends when it says so.
    step, patience
        Polyak's step factor and the steps without progress before it halves.
    """
    best = last = start
    stall = 0
    done = 0
    theta = step
    while done < iterations:
        if callable(should_stop) and should_stop():
            break
        g = last.slack
        norm = float(g @ g)
        gap = last.value - target
        if norm <= 0 or gap <= 0:
            break  # optimal multipliers, or the bound meets the plan
        y = last.y - theta * gap / norm * g
        last = relax.evaluate(y)
        done += 1
        if last.value < best.value - 1e-9 * abs(best.value):
            best, stall = last, 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
                last = best  # restart from the best point
            if theta < 1e-4:
                break
    return Ascent(best=best, last=last, iterations=done)
