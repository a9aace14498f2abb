"""Small shared pieces of the village stage's methods: leads as pair vectors,
the objective's extremes, and the generic R15 cause of an infeasible stage."""

from __future__ import annotations

import numpy as np

from ..errors import Cause
from ..instance import IntArray
from .candidates import Candidates


def pairs_of(c: Candidates, lead: IntArray) -> IntArray:
    """0/1 pair vector of a complete lead assignment."""
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    return x


def lead_of(c: Candidates, x: np.ndarray) -> IntArray:
    """Lead unit per village of a 0/1 pair vector (-1 where none)."""
    lead = np.full(c.n_villages, -1, dtype=np.int64)
    on = np.flatnonzero(x[: c.n] > 0)
    lead[c.pv[on]] = c.pu[on]
    return lead


def best_possible(c: Candidates) -> float:
    """Sum over villages of their best pair's score (a valid, loose bound)."""
    return _per_village(c, np.maximum)


def least_possible(c: Candidates) -> float:
    """Sum over villages of their worst pair's score: no plan scores less
    (the model's other columns cost nothing), so a valid upper bound below
    it proves the model infeasible."""
    return _per_village(c, np.minimum)


def _per_village(c: Candidates, pick: np.ufunc) -> float:
    info = np.iinfo(np.int64)
    start = info.min if pick is np.maximum else info.max
    out = np.full(c.n_villages, start, dtype=np.int64)
    pick.at(out, c.pv, c.score)
    return float(out[c.villages].sum())


def stage_cause() -> Cause:
    """R15's cause when the stage's model is proven infeasible as a whole."""
    return Cause(
        "R15",
        "",
        "the village stage's rules (R1–R6, R8) cannot all hold together: "
        "capacity, villages per unit, the R3 coupling or the R6 share conflict",
        {},
        "run the pre-checks (`pairing inspect`) for the detailed causes",
    )
