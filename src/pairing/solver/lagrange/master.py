"""The Dantzig–Wolfe master: the Lagrangian dual solved by column generation.

Minimising the dual function :math:`D(y)` of :mod:`.dual` is the linear
programme over *sets*: each unit ``u`` picks a convex combination of the
sets of pairs its own rows allow (R4, R5, R8), and the relaxed rows (R1, R3,
R6) must hold on the combination. This master is solved on a growing
family of sets by HiGHS; its row duals are new multipliers, and pricing a
multiplier is exactly one pass of the units' subproblems
(:class:`~.units.UnitProblems`), whose best sets enter the master. This is
Kelley's cutting-plane method on ``D``; pricing at a point between the best
multipliers so far (the *centre*) and the master's duals (Wentges'
smoothing) keeps the steps short, so few iterations reach the optimum. At
convergence the master's value equals :math:`\\min_y D(y)` — the strongest
bound this relaxation gives, at least as strong as the LP relaxation with
every capacity cover of every unit.

The master's solution also tells which pairs the optimum uses: its
*support* (:meth:`Master.flows`) is a small core on which an exact MIP finds
near-optimal plans quickly (:mod:`.primal`).

Examples
--------
>>> from pairing.generate import generate
>>> from pairing.solver.candidates import build_candidates
>>> from pairing.solver.model import build_model
>>> from pairing.solver.lagrange.dual import Relaxation
>>> inst = generate(2_000, seed=1)
>>> relax = Relaxation(build_model(build_candidates(inst, inst.v_households)))
>>> master = Master(relax)
>>> master.add_singletons(np.arange(relax.model.n_pairs)) > 0
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from ...instance import BoolArray, FloatArray, IntArray
from ..highs import new_highs, stop_callbacks
from ..model import R1
from .dual import Evaluation, Relaxation


@dataclass(frozen=True)
class MasterSolution:
    """One solve of the master.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible`` or ``stopped``.
    objective
        The master's value (not a bound: the master holds only some sets).
    y
        Multipliers of the relaxed rows (in :class:`~.dual.Relaxation`'s
        sign convention), from the master's row duals.
    """

    status: str
    objective: float
    y: FloatArray


class Master:
    """The restricted Dantzig–Wolfe master of one :class:`~.dual.Relaxation`.

    Parameters
    ----------
    relax
        The relaxation whose dual the master solves.
    threads
        HiGHS threads.
    """

    def __init__(self, relax: Relaxation, *, threads: int = 1) -> None:
        self.relax = relax
        units = relax.units
        n = relax.model.n_pairs
        self.pair_unit = np.empty(n, dtype=np.int64)
        self.pair_unit[units.order] = units.seg
        count = np.bincount(self.pair_unit, minlength=units.n_units)
        self.units = np.flatnonzero((units.hi > 0) & (count > 0))
        self.upos = np.full(units.n_units, -1, dtype=np.int64)
        self.upos[self.units] = np.arange(len(self.units))
        self.a_pairs = relax.a_rel[:, :n].tocsc()
        self.cost = relax.cost[:n]
        self.n_rel = relax.n_rows
        inf = highspy.kHighsInf
        h = new_highs(threads=threads)
        h.setOptionValue("presolve", "off")
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        lo = np.r_[
            np.where(np.isfinite(relax.lo), relax.lo, -inf),
            (units.lo[self.units] > 0).astype(np.float64),  # R4's least: a set
        ]
        hi = np.r_[
            np.where(np.isfinite(relax.hi), relax.hi, inf), np.ones(len(self.units))
        ]
        empty = np.zeros(0, dtype=np.int32)
        h.addRows(len(lo), lo, hi, 0, empty, empty, np.zeros(0))
        m = relax.model
        aux = relax.a_rel[:, relax.aux].tocsc()
        aux.sort_indices()
        h.addCols(
            len(relax.aux),
            relax.cost[relax.aux],
            m.col_lo[relax.aux].astype(np.float64),
            m.col_hi[relax.aux].astype(np.float64),
            int(aux.nnz),
            aux.indptr[:-1].astype(np.int32),
            aux.indices.astype(np.int32),
            aux.data.astype(np.float64),
        )
        # artificial columns (Phase 1): each R1 row, and the convexity row of
        # each unit R4 obliges to lead, may be met by a column that costs far
        # more than any plan gains, so the master is always feasible and its
        # duals always exist; an optimal master still using one proves that
        # no plan exists
        art_rows = np.r_[
            np.flatnonzero(relax.model.row_rule[relax.rows] == R1),
            self.n_rel + np.flatnonzero(units.lo[self.units] > 0),
        ]
        big = 100.0 * (float(np.abs(relax.cost).max(initial=0.0)) * 4 + 1.0)
        k = len(art_rows)
        h.addCols(
            k,
            np.full(k, -big),
            np.zeros(k),
            np.ones(k),
            k,
            np.arange(k, dtype=np.int32),
            art_rows.astype(np.int32),
            np.ones(k),
        )
        self.h = h
        self.n_aux = len(relax.aux) + k
        self._seen: set[tuple[int, ...]] = set()
        self._sets: list[IntArray] = []  # pairs of each set column

    @property
    def n_sets(self) -> int:
        """Set columns in the master."""
        return len(self._sets)

    def add_singletons(self, pairs: IntArray) -> int:
        """Add the one-village set of each of ``pairs`` that its unit's rows
        allow alone (R4's least at most 1, R8's households); returns how
        many were new."""
        units = self.relax.units
        pairs = np.asarray(pairs, dtype=np.int64)
        u = self.pair_unit[pairs]
        dem = units.pair_dem[pairs]
        ok = (units.lo[u] <= 1) & (dem >= units.need[u]) & (dem <= units.cap[u])
        pairs = pairs[ok]
        return self._add([pairs[i : i + 1] for i in range(len(pairs))])

    def add_combinations(self, pairs: IntArray, most: int = 8) -> int:
        """Add, per unit, the two-village sets among its ``pairs`` that fit
        (R5) and that its rows allow (R4's most at least 2), for units with
        at most ``most`` of them: an LP solution's pairs, recombined, give
        the master the sets it would otherwise need several rounds to find."""
        units = self.relax.units
        pairs = np.asarray(pairs, dtype=np.int64)
        pairs = pairs[np.argsort(self.pair_unit[pairs], kind="stable")]
        u = self.pair_unit[pairs]
        cut = np.r_[0, np.flatnonzero(u[1:] != u[:-1]) + 1, len(pairs)]
        sets: list[IntArray] = []
        for a, b in zip(cut[:-1].tolist(), cut[1:].tolist(), strict=True):
            unit = int(u[a])
            if b - a < 2 or b - a > most or units.hi[unit] < 2:
                continue
            ps = pairs[a:b]
            i, j = np.triu_indices(len(ps), 1)
            fit = units.pair_dem[ps[i]] + units.pair_dem[ps[j]] <= units.cap[unit]
            sets.extend(np.stack([ps[i[fit]], ps[j[fit]]], axis=1))
        return self._add(sets)

    def add_chosen(self, chosen: BoolArray) -> int:
        """Add, per unit, the set of its pairs marked in ``chosen``."""
        ps = np.flatnonzero(chosen)
        ps = ps[np.argsort(self.pair_unit[ps], kind="stable")]
        us = self.pair_unit[ps]
        cut = np.flatnonzero(us[1:] != us[:-1]) + 1
        return self._add(np.split(ps, cut) if len(ps) else [])

    def _add(self, sets: list[IntArray]) -> int:
        new: list[IntArray] = []
        for s in sets:
            key = (int(self.pair_unit[s[0]]), *sorted(s.tolist()))
            if key not in self._seen and self.upos[key[0]] >= 0:
                self._seen.add(key)
                new.append(np.asarray(s, dtype=np.int64))
        if not new:
            return 0
        k = len(new)
        sizes = np.array([len(s) for s in new])
        pairs = np.concatenate(new)
        which = np.repeat(np.arange(k), sizes)
        incidence = sp.csc_matrix(
            (np.ones(len(pairs)), (pairs, which)), shape=(len(self.cost), k)
        )
        rel = (self.a_pairs @ incidence).tocsc()
        conv = sp.csc_matrix(
            (
                np.ones(k),
                (self.upos[self.pair_unit[pairs[np.cumsum(sizes) - 1]]], np.arange(k)),
            ),
            shape=(len(self.units), k),
        )
        col = sp.vstack([rel, conv]).tocsc()
        col.sort_indices()
        cost = np.bincount(which, weights=self.cost[pairs], minlength=k).astype(float)
        self.h.addCols(
            k,
            cost,
            np.zeros(k),
            np.full(k, highspy.kHighsInf),
            int(col.nnz),
            col.indptr[:-1].astype(np.int32),
            col.indices.astype(np.int32),
            col.data.astype(np.float64),
        )
        self._sets.extend(new)
        return k

    def solve(self, *, stop: Callable[[], bool] | None = None) -> MasterSolution:
        """Solve the master (warm from its last basis)."""
        with stop_callbacks(self.h, stop):
            self.h.run()
        st = self.h.getModelStatus()
        if st == highspy.HighsModelStatus.kInfeasible:
            return MasterSolution("infeasible", -np.inf, self.relax.zero())
        if st != highspy.HighsModelStatus.kOptimal:
            return MasterSolution("stopped", np.nan, self.relax.zero())
        duals = np.asarray(self.h.getSolution().row_dual, dtype=np.float64)
        # for a maximisation, HiGHS' row dual is d optimum / d bound: the
        # multiplier of this module's convention (tests/test_engine.py holds it)
        y = self.relax.project(duals[: self.n_rel])
        return MasterSolution(
            "optimal", float(self.h.getInfo().objective_function_value), y
        )

    def whole_sets(self) -> BoolArray:
        """Per pair, whether a set the master takes whole (value 1) holds it:
        the units whose part of the master's solution is already a plan."""
        z = np.asarray(self.h.getSolution().col_value, dtype=np.float64)[self.n_aux :]
        out = np.zeros(len(self.cost), dtype=bool)
        if len(self._sets) and len(z) == len(self._sets):
            whole = np.flatnonzero(z > 1 - 1e-6)
            if len(whole):
                out[np.concatenate([self._sets[i] for i in whole])] = True
        return out

    def flows(self) -> FloatArray:
        """Per pair, the master's value of it (the sum over the sets holding it)."""
        z = np.asarray(self.h.getSolution().col_value, dtype=np.float64)[self.n_aux :]
        out = np.zeros(len(self.cost))
        if len(self._sets) and len(z) == len(self._sets):
            sizes = np.array([len(s) for s in self._sets])
            np.add.at(out, np.concatenate(self._sets), np.repeat(z, sizes))
        return out


@dataclass(frozen=True)
class Generation:
    """Outcome of :func:`generate_columns`.

    Attributes
    ----------
    best
        The evaluation with the least ``D`` (the bound and its multipliers).
    objective
        The last master value (``D`` meets it at convergence).
    iterations
        Master solves.
    converged
        Whether no set could improve the master (``best`` is then optimal
        up to the tolerance).
    """

    best: Evaluation
    objective: float
    iterations: int
    converged: bool


def generate_columns(
    master: Master,
    centre: Evaluation,
    *,
    iterations: int,
    stop: Callable[[], bool],
    smoothing: float = 0.8,
    tolerance: float = 1e-6,
    on_step: Callable[[Evaluation, float], None] | None = None,
) -> Generation:
    """Column generation with Wentges' smoothing, from the centre ``centre``.

    Each iteration solves the master, prices at
    ``smoothing * centre + (1 - smoothing) * master duals`` and adds every
    unit's best set; when that point is no better than the centre
    (mispricing) the master's own duals are priced too. Stops at
    ``iterations``, on ``stop``, or when the bound meets the master's value
    within ``tolerance`` (relative).
    """
    relax = master.relax
    master.add_chosen(centre.chosen)
    best = centre
    objective = np.nan
    done = 0
    converged = False
    while done < iterations and not stop():
        sol = master.solve(stop=stop)
        done += 1
        if sol.status != "optimal":
            break
        objective = sol.objective
        point = relax.project(smoothing * best.y + (1 - smoothing) * sol.y)
        e = relax.evaluate(point)
        added = master.add_chosen(e.chosen)
        improved = e.value < best.value
        if improved:
            best = e
        if added == 0 or not improved:
            # mispricing at the smoothed point: price the master's own duals;
            # when they bring no new set either, the master is optimal
            e2 = relax.evaluate(sol.y)
            more = master.add_chosen(e2.chosen)
            if e2.value < best.value:
                best = e2
            if added + more == 0:
                converged = True
            added += more
        if on_step is not None:
            on_step(best, objective)
        if converged or best.value - objective <= tolerance * abs(objective):
            converged = True
            break
    return Generation(
        best=best, objective=objective, iterations=done, converged=converged
    )
