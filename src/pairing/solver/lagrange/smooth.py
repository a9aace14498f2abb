"""The entropic smoothing of the Lagrangian dual, minimised by L-BFGS.

The dual function of :mod:`.dual` is a sum of maxima,
``D(y) = b.y + sum_j max_x (c - A^T y)_j x_j + sum_u max_{S in S_u} r(S)``,
and so has kinks wherever a unit is indifferent between two sets: on the
village stage, with hundreds of near-identical province units competing for
the same villages, it is kinked almost everywhere near its minimum, and
subgradient steps barely move it. Replacing every maximum by a *soft*
maximum at a temperature ``tau``,

.. math::

    D_\\tau(y) = b \\cdot y
      + \\sum_j \\tau \\log \\big(e^{lo_j rc_j / \\tau} + e^{hi_j rc_j / \\tau}\\big)
      + \\sum_u \\tau \\log \\sum_{S \\in \\mathcal{S}_u} e^{r(S) / \\tau},

gives a smooth convex function whose gradient is ``b - A xbar``, with
``xbar`` the sets' Gibbs probabilities: a *fractional plan* (each pair's
probability of being led, :attr:`Smoothed.marginals`) that covers every
village once at the minimum. L-BFGS minimises it in a few dozen passes per
temperature; lowering ``tau`` (10, 3, 1 score units) brings its minimiser
to the dual's (measured: within 0.01% of the column-generation optimum on
the 430k and 1.29M instances).

Each unit's log-partition is exact over its sets of one and two villages
(R4, R5, R8's households on single villages), computed in log space with
segmented prefix sums over its pairs in demand order (the partners that fit
beside a village are a prefix). Sets of three or more villages are left out
(a county unit taking three is rare), so ``D_tau`` is a guide, not a bound:
the bound is always the exact ``D(y)`` of :meth:`~.dual.Relaxation.evaluate`
at the multipliers found, a proof at any ``y``.

Examples
--------
>>> from pairing.generate import generate
>>> from pairing.solver.candidates import build_candidates
>>> from pairing.solver.model import build_model
>>> from pairing.solver.lagrange.dual import Relaxation
>>> inst = generate(2_000, seed=1)
>>> relax = Relaxation(build_model(build_candidates(inst, inst.v_households)))
>>> smooth = Smoothed(relax)
>>> y = minimise(smooth, start_multipliers(relax), tau=10.0, iterations=50).y
>>> relax.evaluate(y).value < relax.evaluate(start_multipliers(relax)).value
True
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from ...instance import BoolArray, FloatArray, IntArray
from ..model import R1
from .dual import Evaluation, Relaxation
from .logpart import UnitSets


class _Stop(Exception):
    """Raised inside an evaluation to end the minimisation on a stop request."""


class Smoothed:
    """``D_tau`` of a relaxation, on all its pairs or a working set of them.

    Parameters
    ----------
    relax
        The relaxation (its rows, signs and unit subproblems).
    pairs
        The pairs kept (relaxation pair index); all when ``None``. Pairs
        left out are treated as never led (their sets' weight is tiny at
        the multipliers the working set was chosen at).
    threads
        Groups of units evaluated side by side (numpy releases the GIL).
    """

    def __init__(
        self, relax: Relaxation, pairs: IntArray | None = None, *, threads: int = 1
    ) -> None:
        self.relax = relax
        n = relax.model.n_pairs
        pairs = np.arange(n) if pairs is None else np.asarray(pairs, dtype=np.int64)
        self.n_pairs = len(pairs)
        u = relax.units
        pu = np.empty(n, dtype=np.int64)
        pu[u.order] = u.seg
        groups = _split(pu[pairs], max(1, threads))
        self.groups = [UnitSets(relax, pairs[g]) for g in groups]
        self.at = [relax.at_pairs[g.pairs] for g in self.groups]
        self.cost = [relax.cost[g.pairs] for g in self.groups]
        lo, hi = relax.lo, relax.hi
        self.side = np.where(np.isfinite(hi), hi, np.where(np.isfinite(lo), lo, 0.0))
        m = relax.model
        self.aux_lo = m.col_lo[relax.aux].astype(np.float64)
        self.aux_hi = m.col_hi[relax.aux].astype(np.float64)
        self.a_aux = relax.a_rel[:, relax.aux].tocsr()
        self.pool = (
            ThreadPoolExecutor(len(self.groups)) if len(self.groups) > 1 else None
        )
        self.marginals: list[FloatArray] = [np.zeros(len(g.seg)) for g in self.groups]
        self.coupling = m.row_rule[relax.rows] != R1
        """Per multiplier, whether it prices a coupling row (R3, R6)."""
        self.evaluations = 0

    def bounds(
        self, hold: FloatArray | None = None
    ) -> list[tuple[float | None, float | None]]:
        """Per multiplier, the interval its sign allows (for L-BFGS-B); with
        ``hold``, the coupling rows' multipliers are held at its values."""
        lo, hi = self.relax.lo, self.relax.hi
        out: list[tuple[float | None, float | None]] = []
        for a, b in zip(
            np.isfinite(lo).tolist(), np.isfinite(hi).tolist(), strict=True
        ):
            out.append((None if a else 0.0, None if b else 0.0))
        if hold is not None:
            for i in np.flatnonzero(self.coupling).tolist():
                out[i] = (float(hold[i]), float(hold[i]))
        return out

    def value(self, y: FloatArray, tau: float) -> tuple[float, FloatArray]:
        """``D_tau(y)`` and its gradient; keeps the pairs' probabilities."""
        self.evaluations += 1
        relax = self.relax

        def part(k: int) -> tuple[float, FloatArray]:
            r = self.cost[k] - self.at[k] @ y
            return self.groups[k].evaluate(r, tau)

        if self.pool is not None:
            parts = list(self.pool.map(part, range(len(self.groups))))
        else:
            parts = [part(0)]
        total = float(self.side @ y)
        act = np.zeros(relax.n_rows)
        for k, (val, p) in enumerate(parts):
            total += val
            self.marginals[k] = p
            act += self.at[k].T @ p
        if len(relax.aux):
            rc = relax.cost[relax.aux] - relax.at_aux @ y
            a, b = self.aux_lo * rc / tau, self.aux_hi * rc / tau
            total += float(tau * np.logaddexp(a, b).sum())
            with np.errstate(over="ignore"):
                x = self.aux_lo + (self.aux_hi - self.aux_lo) / (1.0 + np.exp(a - b))
            act += self.a_aux @ x
        return total, self.side - act

    def pair_marginals(self) -> FloatArray:
        """Per pair of the relaxation, its probability of being led at the
        last evaluation (0 outside the working set)."""
        out = np.zeros(self.relax.model.n_pairs)
        for g, p in zip(self.groups, self.marginals, strict=True):
            out[g.pairs] = p
        return out

    def close(self) -> None:
        """Release the evaluation threads."""
        if self.pool is not None:
            self.pool.shutdown()


def _split(unit: IntArray, k: int) -> list[IntArray]:
    """``k`` groups of pair positions, whole units each, of similar size."""
    if k <= 1 or len(unit) == 0:
        return [np.arange(len(unit))]
    count = np.bincount(unit)
    order = np.argsort(-count, kind="stable")
    load = np.zeros(k)
    owner = np.zeros(len(count), dtype=np.int64)
    for u in order[count[order] > 0].tolist():  # units, largest first
        g = int(load.argmin())
        owner[u] = g
        load[g] += count[u]
    return [np.flatnonzero(owner[unit] == g) for g in range(k)]


@dataclass(frozen=True)
class Minimum:
    """Outcome of :func:`minimise`.

    Attributes
    ----------
    y
        The multipliers reached.
    value
        ``D_tau`` there.
    evaluations
        Passes made.
    stopped
        Whether a stop request ended it.
    """

    y: FloatArray
    value: float
    evaluations: int
    stopped: bool


def minimise(
    smooth: Smoothed,
    y0: FloatArray,
    *,
    tau: float,
    iterations: int,
    stop: Callable[[], bool] | None = None,
    coupling: bool = False,
) -> Minimum:
    """Minimise ``D_tau`` by L-BFGS-B from ``y0`` (multipliers on their signs).

    With ``coupling`` off, the multipliers of the coupling rows (R3, R6)
    stay as in ``y0`` and only the villages' move: the coupling rows are
    slack at the optimum on the instances measured, and moving them along
    costs L-BFGS (the 430k instance: 2.773M after 70 passes with them, 2.753M
    without). Each evaluation polls ``stop`` first (one pass takes well
    under a second); a stop ends the search at the best point evaluated so
    far.
    """
    best: list[tuple[float, FloatArray]] = []
    start = smooth.evaluations
    y0 = smooth.relax.project(y0)
    # the coupling rows' gradients are counted in households (R3) or in
    # villages over the whole province (R6), the villages' in single
    # villages: each multiplier is scaled by its first gradient, so that
    # L-BFGS's first steps treat them alike (measured: unscaled, the R3 rows
    # held the 430k instance 4% above the bound the R1 rows alone reach)
    _, g0 = smooth.value(y0, tau)
    scale = np.where(smooth.coupling, np.maximum(1.0, np.abs(g0)), 1.0)

    def fun(z: FloatArray) -> tuple[float, FloatArray]:
        if stop is not None and stop():
            raise _Stop
        y = z / scale
        val, grad = smooth.value(y, tau)
        if not best or val < best[0][0]:
            best[:] = [(val, y.copy())]
        return val, grad / scale

    stopped = False
    try:
        minimize(
            fun,
            y0 * scale,
            jac=True,
            method="L-BFGS-B",
            bounds=smooth.bounds(None if coupling else y0 * scale),
            options={"maxiter": int(iterations), "maxcor": 30},
        )
    except _Stop:
        stopped = True
    if not best:
        return Minimum(y0, np.inf, smooth.evaluations - start, stopped)
    return Minimum(best[0][1], best[0][0], smooth.evaluations - start, stopped)


def start_multipliers(relax: Relaxation) -> FloatArray:
    """A cheap start: each village's price is its second-best pair's score
    (its best unit would still gain on it; the others would not), the other
    multipliers zero."""
    m = relax.model
    n = m.n_pairs
    pv = np.zeros(n, dtype=np.int64)
    r1 = np.flatnonzero(m.row_rule[relax.rows] == R1)
    coo = relax.a_rel[r1][:, :n].tocoo()
    pv[coo.col] = coo.row  # position of the pair's village among the R1 rows
    score = relax.cost[:n]
    order = np.lexsort((-score, pv))
    g = pv[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if n else np.zeros(0, int)
    size = np.diff(np.r_[first, n])
    second = np.where(size > 1, score[order][np.minimum(first + 1, n - 1)], 0.0)
    y = relax.zero()
    y[r1[g[first]]] = np.where(size > 1, second, score[order][first])
    return relax.project(y)


def working_set(
    e: Evaluation, relax: Relaxation, delta: float, per_village: int
) -> BoolArray:
    """Pairs worth keeping near ``e.y``: those whose unit's best set holding
    them is within ``delta`` of the unit's best (by the forcing bounds), and
    each village's ``per_village`` best by reduced value."""
    from ..candidates import _top_mask

    units = relax.units
    upper = units.forcing_bounds(e.reduced)
    pu = np.empty(relax.model.n_pairs, dtype=np.int64)
    pu[units.order] = units.seg
    keep: BoolArray = upper >= e.unit_value[pu] - delta
    m = relax.model
    r1 = np.flatnonzero(m.row_rule[relax.rows] == R1)
    coo = relax.a_rel[r1][:, : m.n_pairs].tocoo()
    pv = np.zeros(m.n_pairs, dtype=np.int64)
    pv[coo.col] = coo.row
    keep |= _top_mask(pv, e.reduced, per_village)
    return keep
