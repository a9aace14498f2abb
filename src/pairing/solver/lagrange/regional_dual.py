"""The regional engine's dual: smoothed stages, the exact bound, the leads
the fractional plan finds likeliest, and each pair's forcing cost.

:func:`_dual` runs the temperatures of :class:`~.regional.RegionalParams`;
:mod:`.regional` re-exports these names.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...instance import FloatArray, IntArray
from ..candidates import Candidates
from .dual import Evaluation, Relaxation
from .regional_params import RegionalParams
from .smooth import Smoothed, minimise, start_multipliers, working_set


def _dual(
    relax: Relaxation,
    p: RegionalParams,
    stop: Callable[[], bool],
    deterministic: bool,
    report: Callable[[str, float | None], None],
    value: Callable[[Evaluation], float],
) -> tuple[Evaluation, float, FloatArray, dict[str, int]]:
    """The smoothed dual's stages: the best exact evaluation (by ``value``,
    the whole stage's bound), that bound, the last fractional plan and the
    work done (``smoothed passes``; ``smoothed stages``, the temperatures
    minimised to the end, not cut by the stop)."""
    y = start_multipliers(relax)
    best = relax.evaluate(y)
    best_value = value(best)
    likely = np.zeros(relax.model.n_pairs)
    passes = stages = 0
    for k, tau in enumerate(p.temperatures):
        if stop():
            break
        pairs = None
        if k > 0:  # the pairs that can matter at this temperature
            here = relax.evaluate(y)
            pairs = np.flatnonzero(
                working_set(here, relax, p.delta * tau, p.per_village)
            )
        smooth = Smoothed(relax, pairs, threads=p.threads)
        del pairs
        try:
            res = minimise(
                smooth,
                y,
                tau=tau,
                iterations=p.iterations,
                stop=None if deterministic else stop,
            )
            passes += res.evaluations
            smooth.value(res.y, tau)  # the fractional plan at the point kept
            likely = smooth.pair_marginals()
        finally:
            smooth.close()
            del smooth  # before the next stage builds its own (peak memory)
        y = res.y
        e = relax.evaluate(y)
        v = value(e)
        if v < best_value:
            best, best_value = e, v
        report(f"dual tau={tau:g}", _floor(best_value))
        if res.stopped:
            break
        stages += 1
    counts = {"smoothed passes": passes, "smoothed stages": stages}
    return best, _floor(best_value), likely, counts


def _floor(value: float) -> float:
    """A bound rounded down to a whole objective, with a margin for
    floating-point error (objectives are integers), as
    :attr:`~.dual.Evaluation.bound` does."""
    return float(math.floor(value + 1e-7 * abs(value) + 1e-6))


def _likeliest(c: Candidates, likely: FloatArray) -> IntArray:
    """Per village, the unit of its most likely pair (-1 for other villages)."""
    order = np.lexsort((-likely, c.pv))
    g = c.pv[order]
    first = order[np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]] if c.n else order
    out = np.full(c.n_villages, -1, dtype=np.int64)
    out[c.pv[first]] = c.pu[first]
    return out


def _loss(relax: Relaxation, e: Evaluation) -> FloatArray:
    """Each pair's forcing cost at ``e`` (see :class:`~.prices.Prices`)."""
    units = relax.units
    upper = units.forcing_bounds(e.reduced)
    pu = np.empty(relax.model.n_pairs, dtype=np.int64)
    pu[units.order] = units.seg
    out: FloatArray = np.maximum(e.unit_value[pu] - upper, 0.0)
    return out
