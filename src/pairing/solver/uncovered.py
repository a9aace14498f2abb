"""Partial coverage in the village stage's model (R1 relaxed, R15): the option.

When the hard rules cannot all hold, a planner still needs the plan that
covers the most: every village first, then the most households (``solve(...,
partial=True)``, :mod:`pairing.solver.partial`). This module is that option's
part of the labelled model (:mod:`.model`); every method — the Lagrangian
engine, CP-SAT, HiGHS, the greedy, the exact blocks — reads it unchanged:

* **an uncovered column per poor village**, in the village's R1 row. It is a
  pair column to a *virtual unit* of its own ("nobody": index ``n_real +
  k`` for the village at position ``k`` of ``cands.villages``), so every
  method sees an ordinary candidate pair: its own R4 row ``0..1``, an R5
  capacity of the village's demand, no R3 or R6 entry. Its value is
  ``village_value`` (large and negative: a village left uncovered costs more
  than every household). A plan's lead on a virtual unit means "uncovered"
  and is read back as ``-1`` (:func:`real_leads`).
* **a covered column per county with scattered households** (kind
  ``covered``), in the county's R3 row: ``overflow_c - covered_c - sum load
  >= -cap_c`` with ``0 <= covered_c <= S_c``, worth ``scattered_value`` per
  household. With ``covered_c = S_c`` it is the full model's row; below it,
  the county's other scattered households are left (the household stage
  picks which: the lightest, :func:`pairing.solver.partial.left_households`).
  The row's constant ``S_c - cap_c`` becomes ``-cap_c``, so the greedy —
  which reads only the constant — plans as if none were covered, which is
  always allowed.

:meth:`~.candidates.Candidates.objective` adds the covered households a lead
assignment allows at best (:func:`covered_scattered`), so every method's
incumbent is valued as the model values it.

Examples
--------
>>> import numpy as np
>>> u = Uncovered(village_value=np.array([-10, -20]))
>>> u.allows(np.array([0, 1])).tolist()
[True, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..instance import BoolArray, IntArray

if TYPE_CHECKING:
    from .candidates import Candidates

__all__ = ["Uncovered", "covered_scattered", "real_leads"]

VILLAGE, SCATTERED, UNIT = 0, 1, 2
"""Why a household is left: its village is, its county is short, its
(pinned) unit is short."""


@dataclass(frozen=True)
class Uncovered:
    """What the village stage may leave uncovered, and what that is worth.

    Attributes
    ----------
    village_value
        Per village (row of ``instance.villages``): the value of leaving it
        uncovered (``<= 0``); ignored where ``may_leave`` is false.
    may_leave
        Per village: whether it may be left uncovered (default: every poor
        village).
    must_leave
        Per village: whether it must be (its only pair is the virtual one).
    scattered_value
        Value per scattered household covered (``> 0``: the ``covered``
        columns are in the model; ``0``: they are not).
    scattered_covered
        Per region (county): scattered households that must be coverable;
        with ``scattered_value == 0`` the R3 rows ask for exactly these
        (default: all of them, the full model's rows).
    coverage_only
        Value the real pairs 0 (1 for a pair of ``keep``): the plan then
        maximises coverage, and of equal coverage keeps the most baseline leads.
    keep
        Per village, a baseline lead unit (R14; -1: none), for ``coverage_only``.
    capacity_floor
        Per unit: a capacity its R5 row is raised to (``--pin villages``
        keeps villages whose households its cadres cannot all carry: the
        rest are left uncovered by the household stage).
    """

    village_value: IntArray
    may_leave: BoolArray | None = None
    must_leave: BoolArray | None = None
    scattered_value: int = 0
    scattered_covered: IntArray | None = None
    coverage_only: bool = False
    capacity_floor: IntArray | None = None
    keep: IntArray | None = None

    def allows(self, villages: IntArray) -> BoolArray:
        """Which of ``villages`` get an uncovered column."""
        if self.may_leave is None:
            return np.ones(len(villages), dtype=bool)
        return np.asarray(self.may_leave[villages], dtype=bool)

    def forces(self, villages: IntArray) -> BoolArray:
        """Which of ``villages`` must be left uncovered."""
        if self.must_leave is None:
            return np.zeros(len(villages), dtype=bool)
        return np.asarray(self.must_leave[villages], dtype=bool)


def virtual_pairs(
    u: Uncovered, poor: IntArray, demand: IntArray, n_real: int
) -> tuple[IntArray, IntArray, IntArray]:
    """The uncovered pairs: their villages, virtual units and values."""
    pos = np.arange(len(poor), dtype=np.int64)
    on = u.allows(poor) | u.forces(poor)
    return poor[on], n_real + pos[on], np.asarray(u.village_value)[poor[on]]


def real_leads(lead: IntArray, n_real: int) -> IntArray:
    """``lead`` with every virtual unit (uncovered) read back as ``-1``."""
    out = np.asarray(lead, dtype=np.int64).copy()
    out[out >= n_real] = -1
    return out


def covered_scattered(c: Candidates, lead: IntArray) -> IntArray:
    """Per R3 county (positions of ``c.r3_county``): the most scattered
    households ``lead`` lets the county and prefecture tiers cover.

    County ``i`` covers ``min(S_i, F_i)`` on its own (``F_i`` its county
    tier's places its villages leave), and its prefecture's spare places
    take the rest of its counties' households up to what they hold (R3).
    """
    m3 = len(c.r3_county)
    if m3 == 0:
        return np.zeros(0, dtype=np.int64)
    on = c.pair_index(lead)
    county_load = np.bincount(
        c.r3_county_of_pair[on][c.r3_county_of_pair[on] >= 0],
        weights=c.dem[on][c.r3_county_of_pair[on] >= 0],
        minlength=m3,
    ).astype(np.int64)
    pref_load = np.bincount(
        c.r3_pref_of_pair[on][c.r3_pref_of_pair[on] >= 0],
        weights=c.dem[on][c.r3_pref_of_pair[on] >= 0],
        minlength=len(c.pref_cap),
    ).astype(np.int64)
    scattered = c.r3_scattered.astype(np.int64)
    free = np.maximum(0, -c.r3_rhs - county_load)  # rows read -cap_c here
    own = np.minimum(scattered, free)
    rest = scattered - own
    out = own.copy()
    has = c.r3_pref >= 0
    for p in np.unique(c.r3_pref[has]).tolist():
        spare = max(0, int(c.pref_cap[p] - pref_load[p]))
        for i in np.flatnonzero(c.r3_pref == p).tolist():
            take = min(spare, int(rest[i]))
            out[i] += take
            spare -= take
    return out


def needs_columns(c: Candidates) -> bool:
    """Whether the model carries ``covered`` columns (see the module)."""
    return c.r3_cover_value > 0 and len(c.r3_county) > 0


def with_uncovered(c: Candidates, u: Uncovered) -> Candidates:
    """``c`` with the option's columns: virtual pairs and R3's ``covered``.

    Called by :func:`~.candidates.build_candidates` once the real pairs
    (and their R14 bonus) are made.
    """
    out = type(c)(**c.__dict__)
    n_real = c.n_units
    keep = ~u.forces(c.pv)  # a village that must be left keeps no real pair
    out = out.subset(keep)
    if u.coverage_only:
        stay = np.zeros(len(out.pv), dtype=np.int64)
        if u.keep is not None:
            stay = (np.asarray(u.keep)[out.pv] == out.pu).astype(np.int64)
        out.score = stay
    vv, vu, value = virtual_pairs(u, c.villages, c.demand, n_real)
    k = len(c.villages)
    pv = np.concatenate([out.pv, vv])
    pu = np.concatenate([out.pu, vu])
    order = np.lexsort((pu, pv))
    false = np.zeros(len(vv), dtype=bool)
    none = np.full(len(vv), -1, dtype=np.int64)
    for name, extra in (
        ("score", np.asarray(value, dtype=np.int64)),
        ("dem", c.demand[vv]),
        ("province", false),
        ("key", false),
        ("team", false),
        ("r3_county_of_pair", none),
        ("r3_pref_of_pair", none),
    ):
        setattr(out, name, np.concatenate([getattr(out, name), extra])[order])
    out.pv, out.pu = pv[order], pu[order]
    cap_v = np.zeros(k, dtype=np.int64)
    cap_v[vu - n_real] = c.demand[vv]
    out.u_min = np.r_[c.u_min, np.zeros(k, dtype=np.int64)]
    out.u_max = np.r_[c.u_max, np.ones(k, dtype=np.int64)]
    out.cap = np.r_[c.cap, cap_v]
    out.need = np.r_[c.need, np.zeros(k, dtype=np.int64)]
    out.n_units = n_real + k
    out.n_real = n_real
    if u.scattered_value > 0:  # the row's constant S_c - cap_c becomes -cap_c
        out.r3_rhs = c.r3_rhs - c.r3_scattered
        out.r3_cover_value = int(u.scattered_value)
    elif u.scattered_covered is not None:  # exactly this many to cover
        out.r3_rhs = c.r3_rhs - c.r3_scattered + u.scattered_covered[c.r3_county]
    return out
