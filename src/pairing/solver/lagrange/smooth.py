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
from .units import UnitProblems


class _Stop(Exception):
    """Raised inside an evaluation to end the minimisation on a stop request."""


class _Units:
    """One group of units' pairs, sorted by unit and demand, and the index
    structure of their sets of one and two villages."""

    def __init__(self, relax: Relaxation, pairs: IntArray) -> None:
        u = relax.units
        pu = np.empty(relax.model.n_pairs, dtype=np.int64)
        pu[u.order] = u.seg
        sub = UnitProblems(pu[pairs], u.pair_dem[pairs], u.lo, u.hi, u.cap, u.need)
        self.pairs = pairs[sub.order]  # relaxation pair index, unit/demand order
        seg, starts = sub.seg, sub.starts
        self.seg, self.starts = seg, starts
        n, n_u = len(seg), sub.n_units
        self.n_units = n_u
        first = starts[seg]
        lo, hi = u.lo[seg], u.hi[seg]
        self.single = sub.fits & (lo <= 1) & (hi >= 1)
        pair_ok = (lo <= 2) & (hi >= 2)
        pe = sub.partner_end  # lighter partners of i: [first, pe)
        self.light_at = np.maximum(pe - 1, 0).astype(np.int32)
        self.light_ok = pair_ok & (pe > first)
        # heavier partners of i: the j of its unit with pe_j > i, a prefix of
        # the unit's pairs sorted by pe descending
        self.by_end = np.lexsort((-pe, seg)).astype(np.int32)
        big = n + 2
        key = seg[self.by_end] * (2 * big) + (big - pe[self.by_end])
        at = np.searchsorted(key, seg * (2 * big) + (big - np.arange(n)), "left")
        self.heavy_at = np.maximum(at - 1, 0).astype(np.int32)
        self.heavy_ok = pair_ok & (at > first)
        self.empty = u.lo == 0
        self.active = (u.hi > 0) & (np.diff(starts) > 0)
        self.nonempty = np.flatnonzero(np.diff(starts) > 0)
        self.ragged = _Ragged(starts, seg)

    def evaluate(self, r: FloatArray, tau: float) -> tuple[float, FloatArray]:
        """Sum of the units' soft maxima at reduced values ``r`` (this group's
        pairs, in its order) and each pair's probability of being led."""
        v = r / tau
        seg = self.seg
        light, heavy = self._partners(v)
        ones = _segment_lse(np.where(self.single, v, -np.inf), self.starts, self)
        twos = _segment_lse(v + light, self.starts, self)
        log_z = np.logaddexp(np.where(self.empty, 0.0, -np.inf), ones)
        log_z = np.logaddexp(log_z, twos)
        log_z = np.where(self.active & np.isfinite(log_z), log_z, 0.0)
        lz = log_z[seg]
        with np.errstate(invalid="ignore", over="ignore"):
            p = np.where(self.single, np.exp(v - lz), 0.0)
            p += np.exp(v + np.logaddexp(light, heavy) - lz)
        p = np.nan_to_num(p, nan=0.0, posinf=0.0)
        return float(tau * log_z[self.active].sum()), p

    def _partners(self, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per pair, the log of the summed weights of its lighter and of its
        heavier partners (villages that fit beside it, R5).

        Prefix sums in linear space, each unit shifted so that its weights
        that can matter stay within floating-point range (half its best
        value: a pair that matters is within ~40 of the best set, so both of
        its villages are above -40); units whose best exceeds
        :data:`SAFE` (a resident team's pair at a low temperature) are
        summed in log space instead.
        """
        seg = self.seg
        top = np.full(self.n_units, -np.inf)
        top[self.nonempty] = np.maximum.reduceat(v, self.starts[self.nonempty])
        finite = np.isfinite(top)
        safe = top <= SAFE
        shift = np.where(finite, np.where(safe, 0.5 * top, top - 0.5 * SAFE), 0.0)
        sh = shift[seg]
        with np.errstate(over="ignore", invalid="ignore"):
            w = np.exp(v - sh)
        w = np.where(np.isfinite(w), w, 0.0)
        with np.errstate(divide="ignore"):
            light = np.log(self.ragged.cumsum(w)[self.light_at]) + sh
            heavy = np.log(self.ragged.cumsum(w[self.by_end])[self.heavy_at]) + sh
        light = np.where(self.light_ok, light, -np.inf)
        heavy = np.where(self.heavy_ok, heavy, -np.inf)
        bad = (~safe & finite)[seg]
        if bad.any():  # log space for the few units of very high value
            pos = np.cumsum(bad) - 1
            pre = _prefix_lse(v[bad], seg[bad])
            i = np.flatnonzero(bad)
            light[i] = np.where(self.light_ok[i], pre[pos[self.light_at[i]]], -np.inf)
            bad2 = bad[self.by_end]
            pos2 = np.cumsum(bad2) - 1
            pre2 = _prefix_lse(v[self.by_end][bad2], seg[self.by_end][bad2])
            heavy[i] = np.where(self.heavy_ok[i], pre2[pos2[self.heavy_at[i]]], -np.inf)
        return light, heavy


SAFE = 1300.0
"""Largest best value (in temperature units) of a unit whose partner sums
are taken in linear space (``exp`` stays within float range over
``[-40 - SAFE / 2, SAFE / 2]``)."""


class _Ragged:
    """Prefix sums restarting at every segment, exactly: the segments are laid
    out as rows of padded 2-D blocks (one block per power-of-two length), so
    no sum carries another segment's magnitude."""

    def __init__(self, starts: IntArray, seg: IntArray) -> None:
        length = np.diff(starts)
        live = np.flatnonzero(length > 0)
        width = np.ones(len(length), dtype=np.int64)
        width[live] = 2 ** np.ceil(np.log2(length[live])).astype(np.int64)
        self.blocks: list[tuple[int, int, int]] = []  # (base, rows, width)
        base_of = np.zeros(len(length), dtype=np.int64)
        base = 0
        for w in np.unique(width[live]).tolist():
            segs = live[width[live] == w]
            base_of[segs] = base + np.arange(len(segs)) * w
            self.blocks.append((base, len(segs), w))
            base += len(segs) * w
        self.size = base
        self.flat = base_of[seg] + (np.arange(len(seg)) - starts[seg])

    def cumsum(self, x: FloatArray) -> FloatArray:
        """Inclusive prefix sums of ``x`` (in segment order) per segment."""
        buf = np.zeros(self.size)
        buf[self.flat] = x
        for base, rows, w in self.blocks:
            block = buf[base : base + rows * w].reshape(rows, w)
            np.cumsum(block, axis=1, out=block)
        out: FloatArray = buf[self.flat]
        return out


def _prefix_lse(v: FloatArray, seg: IntArray) -> FloatArray:
    """Inclusive log-sum-exp prefix of ``v`` restarting at each new ``seg``.

    Each segment is lifted above everything before it (by more than the
    values' spread), so one accumulation restarts exactly at every segment.
    """
    if len(v) == 0:
        return v
    finite = np.isfinite(v)
    spread = float(np.abs(v[finite]).max(initial=1.0))
    lift = 4.0 * spread + 800.0
    off = seg.astype(np.float64) - float(seg[0])
    out: FloatArray = np.logaddexp.accumulate(v + lift * off) - lift * off
    return out


def _segment_lse(v: FloatArray, starts: IntArray, g: _Units) -> FloatArray:
    """Log-sum-exp of ``v`` over each unit's segment (``-inf`` when empty)."""
    out = np.full(g.n_units, -np.inf)
    if len(v) == 0:
        return out
    top = np.full(g.n_units, -np.inf)
    top[g.nonempty] = np.maximum.reduceat(v, starts[g.nonempty])
    shift = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(invalid="ignore"):
        s = np.bincount(g.seg, weights=np.exp(v - shift[g.seg]), minlength=g.n_units)
    with np.errstate(divide="ignore"):
        out = np.where(np.isfinite(top), shift + np.log(s), -np.inf)
    return out


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
        self.groups = [_Units(relax, pairs[g]) for g in groups]
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
