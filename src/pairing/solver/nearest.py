"""Nearest and farthest county-tier units of villages, for the household flow (R12).

The household stage gives each scattered household's group direct arcs to
its ``k`` nearest county-tier units of its county (by rounded travel cost,
then unit index) and charges the rest of the county's units its farthest
unit's travel (the pool). Computing every village × unit distance of a county
grows with the square of the instance (3× the villages times 3× the units);
here a k-d tree finds each village's nearest units and the county units'
convex hull its farthest one (the farthest point of a set is a vertex of its
hull), so the work grows as ``villages × log(units)``. The result is exactly
the all-pairs one: candidates are ``k + SPARE`` nearest by true distance, and
a village whose last candidate ties the ``k``-th in rounded cost (or a county
with units or villages without coordinates, or too few units for a hull) is
computed over all pairs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.spatial import ConvexHull, QhullError, cKDTree

from ..instance import IntArray

SPARE = 8
"""Candidates beyond ``k`` taken from the k-d tree, to resolve rounding ties."""

Cost = Callable[[IntArray, IntArray], IntArray]
"""Rounded travel cost of element-wise (unit, village) pairs."""


def nearest_units(
    units: IntArray,
    villages: IntArray,
    u_xy: np.ndarray,
    v_xy: np.ndarray,
    cost: Cost,
    k: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """The ``k`` nearest ``units`` of each of ``villages`` (one county), and far.

    Parameters
    ----------
    units, villages
        Indices (into ``u_xy`` and ``v_xy``) of the county's county-tier units
        and of the villages to serve.
    u_xy, v_xy
        Planar positions (NaN when unknown: travel 0).
    cost
        Rounded travel cost of (unit, village) pairs, element-wise.
    k
        Direct arcs per village.

    Returns
    -------
    near, near_cost, far
        ``near`` and ``near_cost`` of shape ``(len(villages), min(k, n))``:
        per village its nearest units sorted by (cost, unit index); ``far``:
        per village the largest cost over all of ``units``.

    Examples
    --------
    >>> u_xy = np.array([[0.0, 0.0], [10.0, 0.0], [3.0, 0.0]])
    >>> v_xy = np.array([[1.0, 0.0]])
    >>> def cost(u, v):
    ...     return np.rint(np.hypot(*(u_xy[u] - v_xy[v]).T)).astype(np.int64)
    >>> near, c, far = nearest_units(np.arange(3), np.array([0]), u_xy, v_xy, cost, 2)
    >>> near.tolist(), c.tolist(), far.tolist()
    ([[0, 2]], [[1, 2]], [9])
    """
    units = np.asarray(units, dtype=np.int64)
    villages = np.asarray(villages, dtype=np.int64)
    n, m = len(units), len(villages)
    kk = min(k, n)
    unknown = np.isnan(u_xy[units]).any() or np.isnan(v_xy[villages]).any()
    if n <= kk + SPARE or unknown:
        return _all_pairs(units, villages, cost, kk)
    tree = cKDTree(u_xy[units])
    _, idx = tree.query(v_xy[villages], k=kk + SPARE)
    cand = units[idx]
    c = cost(cand.ravel(), np.repeat(villages, kk + SPARE)).reshape(m, -1)
    order = np.lexsort((cand, c), axis=1)
    cand = np.take_along_axis(cand, order, axis=1)
    c = np.take_along_axis(c, order, axis=1)
    near, near_cost = cand[:, :kk], c[:, :kk]
    # a unit outside the candidates may tie the k-th in rounded cost
    tie = np.flatnonzero(c[:, kk - 1] >= c[:, -1])
    far = _farthest(units, villages, u_xy, cost)
    if len(tie):
        n2, c2, _ = _all_pairs(units, villages[tie], cost, kk)
        near[tie], near_cost[tie] = n2, c2
    return near, near_cost, far


def _all_pairs(
    units: IntArray, villages: IntArray, cost: Cost, k: int
) -> tuple[IntArray, IntArray, IntArray]:
    """:func:`nearest_units` over every (village, unit) pair."""
    n, m = len(units), len(villages)
    u = np.tile(units, m)
    c = cost(u, np.repeat(villages, n)).reshape(m, n)
    u = u.reshape(m, n)
    order = np.lexsort((u, c), axis=1)
    u = np.take_along_axis(u, order, axis=1)
    c = np.take_along_axis(c, order, axis=1)
    far = c.max(axis=1) if n else np.zeros(m, dtype=np.int64)
    return u[:, :k], c[:, :k], far


def _farthest(
    units: IntArray, villages: IntArray, u_xy: np.ndarray, cost: Cost
) -> IntArray:
    """Largest cost from each village to the units: over the hull's vertices."""
    pts = u_xy[units]
    try:
        hull = units[ConvexHull(pts).vertices]
    except (QhullError, ValueError):  # collinear or too few points
        hull = units
    _, _, far = _all_pairs(hull, villages, cost, 0)
    return far
