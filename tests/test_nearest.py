"""Nearest and farthest county units of villages (household flow, R12)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pairing.solver.nearest import _all_pairs, nearest_units


def _case(seed: int, n_units: int, n_villages: int, grid: int):
    rng = np.random.default_rng(seed)
    # integer coordinates on a small grid: many exact and rounded ties
    u_xy = rng.integers(0, grid, (n_units, 2)).astype(float)
    v_xy = rng.integers(0, grid, (n_villages, 2)).astype(float)

    def cost(u, v):
        d = np.hypot(*(u_xy[u] - v_xy[v]).T)
        return np.rint(0.4 * d).astype(np.int64)

    return u_xy, v_xy, cost


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_units=st.integers(1, 60),
    n_villages=st.integers(1, 30),
    grid=st.sampled_from([3, 10, 100]),
    k=st.integers(1, 8),
)
def test_same_as_every_pair(seed, n_units, n_villages, grid, k):
    u_xy, v_xy, cost = _case(seed, n_units, n_villages, grid)
    units, villages = np.arange(n_units), np.arange(n_villages)
    near, c, far = nearest_units(units, villages, u_xy, v_xy, cost, k)
    near2, c2, far2 = _all_pairs(units, villages, cost, min(k, n_units))
    assert np.array_equal(near, near2)
    assert np.array_equal(c, c2)
    assert np.array_equal(far, far2)


def test_unknown_positions_fall_back_to_every_pair():
    u_xy, v_xy, cost = _case(1, 40, 5, 50)
    u_xy[3] = np.nan

    def safe(u, v):
        d = np.nan_to_num(np.hypot(*(u_xy[u] - v_xy[v]).T), nan=0.0)
        return np.rint(d).astype(np.int64)

    near, c, _ = nearest_units(np.arange(40), np.arange(5), u_xy, v_xy, safe, 4)
    assert (near[:, 0] == 3).all() and (c[:, 0] == 0).all()  # travel 0
