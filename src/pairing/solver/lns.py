"""Large-neighbourhood steps of the village stage with CP-SAT.

A neighbourhood frees some villages (all their candidate pairs) and keeps
every other village with its current lead; CP-SAT then re-solves that model.
Used to repair a partial greedy assignment and to improve a complete one
prefecture by prefecture.
"""

from __future__ import annotations

import numpy as np

from ..instance import IntArray
from .candidates import Candidates
from .cpsat import solve_cpsat
from .model import build_model, complete


def neighbourhood(
    c: Candidates,
    lead: IntArray,
    free: np.ndarray,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = False,
) -> tuple[IntArray | None, str]:
    """Re-solve the villages where ``free`` (a village mask) holds.

    Returns the new lead per village (``None`` without a solution) and
    CP-SAT's status.
    """
    cur = lead[c.pv] == c.pu
    keep = free[c.pv] | cur
    sub = c.subset(keep)
    m = build_model(sub)
    x0 = (lead[sub.pv] == sub.pu).astype(np.int64)
    hint = None
    if np.all(lead[c.villages] >= 0):
        hint = complete(sub, m, x0)
    if hint is None:  # a partial hint: the pairs only
        hint = np.concatenate([x0, np.zeros(m.a.shape[1] - sub.n, dtype=np.int64)])
    r = solve_cpsat(
        m,
        time_limit=time_limit,
        hint=hint,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
    )
    if r.x is None:
        return None, r.status
    out = np.full(c.n_villages, -1, dtype=np.int64)
    on = np.flatnonzero(r.x[: sub.n] > 0)
    out[sub.pv[on]] = sub.pu[on]
    return out, r.status
