"""Candidate (village, unit) pairs of the village stage and their data.

Everything the village-stage models share is built here once, vectorised:
the eligible pairs (R2, R8), their objective coefficients (R9–R11, travel,
R14), and the data of the coupling rules (R3 overflow, R4, R5 capacity, R6).
The CP-SAT model, the LP relaxation and the greedy all read a
:class:`Candidates`. The pairs' objective terms live in :mod:`.pair_value`,
the pruning of very large instances in :mod:`.pruning`, the R3 and R6 rows in
:mod:`.coupling`; their names stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..instance import BoolArray, Instance, IntArray
from .coupling import _r3_rows, _r6_rows, _share
from .eligible import _checked_pairs, _join, _Pairs, _reserved
from .pair_value import (
    SCALE,
    TIER_VALUE,
    VALUE_TERMS,
    _value,
    strength_percentile,
    team_size,
    value_terms,
)
from .pruning import (
    CandidateParams,
    _local_pruned,
    _province_pairs,
    _required,
    _top_mask,
    may_prune,
)
from .uncovered import Uncovered, with_uncovered

__all__ = [
    "SCALE",
    "TIER_VALUE",
    "VALUE_TERMS",
    "CandidateParams",
    "Candidates",
    "_join",
    "_local_pruned",
    "_province_pairs",
    "_required",
    "_reserved",
    "_share",
    "_top_mask",
    "_value",
    "build_candidates",
    "may_prune",
    "strength_percentile",
    "team_size",
    "value_terms",
]


@dataclass
class Candidates:
    """The village stage's pairs and constraint data (all index arrays).

    Attributes
    ----------
    villages
        Poor village indices (rows of ``instance.villages``).
    pv, pu
        Village and unit index of each candidate pair.
    score
        Integer objective coefficient of each pair (maximised).
    dem
        ``demand`` of the pair's village: households the unit's cadres carry.
    province, key, team
        Whether the pair's unit is province-tier; whether its village lies in
        a key county (R6); whether the unit has a resident team there (R11).
    u_min, u_max, cap, need
        Per unit: villages it leads (R4), households its cadres carry (R5),
        households its villages must hold for its kick-off team (R8).
    r3_county, r3_rhs, r3_scattered, r3_pref
        R3 per county with scattered households: the county, the right-hand
        side ``S_c - county-tier capacity``, ``S_c`` and the county's prefecture.
    pref_cap
        Capacity of the prefecture tier per region index (R3).
    r3_county_of_pair, r3_pref_of_pair
        Per pair, the position in ``r3_county`` whose county row it enters
        (county-tier pair of such a county) or the prefecture whose row it
        enters (prefecture-tier pair), else -1.
    key_total, r6_num, r6_den, r6_all_possible
        R6: key-county poor villages, the share as ``num / den`` (rounded up),
        and whether "every key village led by the province" can happen.
    """

    villages: IntArray
    pv: IntArray
    pu: IntArray
    score: IntArray
    dem: IntArray
    province: BoolArray
    key: BoolArray
    team: BoolArray
    u_min: IntArray
    u_max: IntArray
    cap: IntArray
    need: IntArray
    r3_county: IntArray
    r3_rhs: IntArray
    r3_scattered: IntArray
    r3_pref: IntArray
    pref_cap: IntArray
    r3_county_of_pair: IntArray
    r3_pref_of_pair: IntArray
    key_total: int
    r6_num: int
    r6_den: int
    r6_all_possible: bool
    demand: IntArray
    n_villages: int
    n_units: int
    province_tier: Any = None
    """When the province tier was pruned: every eligible province pair's
    score (:class:`~.lagrange.dense.ProvinceTier`), so a bound can price
    the pairs pruning left out."""
    n_real: int = -1
    """Units of the instance; more (``n_units``) when partial coverage adds
    virtual "uncovered" units (:mod:`.uncovered`); -1: ``n_units``."""
    r3_cover_value: int = 0
    """Value per scattered household covered, with the partial option's
    ``covered`` columns (:mod:`.uncovered`); 0 without."""

    @property
    def real_units(self) -> int:
        """Units of the instance (virtual "uncovered" units come after them)."""
        return self.n_units if self.n_real < 0 else self.n_real

    @property
    def n(self) -> int:
        """Number of candidate pairs."""
        return len(self.pv)

    @property
    def r6_active(self) -> bool:
        """Whether R6 constrains anything."""
        return self.key_total > 0 and self.r6_num > 0

    def subset(self, keep: BoolArray) -> Candidates:
        """The same data restricted to the pairs where ``keep`` holds."""
        out = Candidates(**self.__dict__)
        for name in (
            "pv",
            "pu",
            "score",
            "dem",
            "province",
            "key",
            "team",
            "r3_county_of_pair",
            "r3_pref_of_pair",
        ):
            setattr(out, name, getattr(self, name)[keep])
        return out

    def objective(self, lead: IntArray) -> int:
        """Objective of a lead assignment (sum of its pairs' scores, and with
        partial coverage its covered scattered households' value)."""
        idx = self.pair_index(lead)
        value = int(self.score[idx].sum())
        if self.r3_cover_value > 0:
            from .uncovered import covered_scattered

            value += self.r3_cover_value * int(covered_scattered(self, lead).sum())
        return value

    def pair_index(self, lead: IntArray) -> IntArray:
        """Pair index of each poor village's lead (raises if one is no candidate)."""
        key = self.pv * self.n_units + self.pu
        order = np.argsort(key, kind="stable")
        want = self.villages * self.n_units + lead[self.villages]
        pos = np.searchsorted(key[order], want)
        pos = np.minimum(pos, len(order) - 1)
        idx = order[pos]
        if len(idx) and not np.all(key[idx] == want):
            raise ValueError("lead assignment uses a pair that is not a candidate")
        return idx


def _scores(
    instance: Instance,
    pv: IntArray,
    pu: IntArray,
    team: BoolArray,
    prefer: IntArray | None,
) -> tuple[IntArray, int]:
    """Integer objective coefficient of each pair (R9 tier, R10 strength, R11
    continuity, travel, R14 baseline) and the R14 bonus (0 without a
    baseline)."""
    poor = instance.poor_villages
    top = float(instance.v_severity[poor].max()) if len(poor) else 0.0
    value = _value(instance, pv, pu, top, team)
    score = np.rint(SCALE * value).astype(np.int64)
    if prefer is None:
        return score, 0
    bonus = int(np.abs(score).max(initial=0)) * 4 + SCALE
    return score + bonus * (prefer[pv] == pu), bonus


def _province_tier(
    instance: Instance,
    demand: IntArray,
    pairs: _Pairs,
    fixed: IntArray | None,
    prefer: IntArray | None,
    bonus: int,
    r6: tuple[int, int],
) -> Any:
    """Every eligible province pair's score when the province tier was pruned
    (:func:`~.lagrange.dense.build_tier`), so a bound can price the rest."""
    from .lagrange.dense import build_tier

    units = np.flatnonzero(pairs.can_lead)
    return build_tier(
        instance,
        instance.poor_villages,
        units[instance.u_tier[units] == 0],
        demand,
        pairs.cap,
        fixed=fixed,
        prefer=prefer,
        bonus=bonus,
        lo=np.where(pairs.can_lead, instance.u_min, 0).astype(np.int64),
        hi=np.where(pairs.can_lead, instance.u_max, 0).astype(np.int64),
        need=np.where(pairs.can_lead, pairs.need, 0).astype(np.int64),
        r6=r6,
    )


def build_candidates(
    instance: Instance,
    demand: IntArray,
    *,
    fixed: IntArray | None = None,
    prefer: IntArray | None = None,
    reserve: float = 0.0,
    prune: bool = False,
    fit: bool = True,
    params: CandidateParams | None = None,
    uncovered: Uncovered | None = None,
) -> Candidates:
    """Every eligible (village, unit) pair with its coefficient, and rule data.

    Parameters
    ----------
    instance
        The instance.
    demand
        Households of each village the lead unit's cadres must carry.
    fixed
        Per village, a forced lead unit (-1: free).
    prefer
        Per village, a baseline lead unit to keep where possible (R14; -1:
        none). Keeping it is worth more than all other terms of a pair.
    reserve
        R14: share of each unit's capacity its villages leave free (the
        rules' ``capacity_reserve``). A unit that must lead a village (R4)
        but has none small enough for its reduced capacity keeps its full
        capacity. R3's rows use the reduced capacities too, in each
        prefecture where its scattered households still fit them.
    prune
        Prune the province tier's pairs on very large instances
        (:func:`_province_pairs`); off, every eligible pair is a candidate.
    fit
        Drop the pairs whose village alone exceeds the unit's capacity (R5).
        Off for the conflict search of R15, which must see R5's rows bind.
    params
        How far pruning goes (:class:`CandidateParams`; default: the module
        settings).
    uncovered
        Partial coverage (``solve(..., partial=True)``): what may be left
        uncovered and its value (:mod:`.uncovered`); a poor village that no
        unit may lead is then no cause.

    Raises
    ------
    Infeasible
        When a village has no eligible unit, or a unit that must lead (R4)
        cannot (R8 team, capacity), or a fixed lead is not allowed.
    """
    pruning = params or CandidateParams()
    demand = np.asarray(demand, dtype=np.int64)
    fixed = None if fixed is None else np.asarray(fixed, dtype=np.int64)
    prefer = None if prefer is None else np.asarray(prefer, dtype=np.int64)
    pairs = _checked_pairs(
        instance, demand, fixed, prefer, reserve, prune, fit, pruning, uncovered
    )
    score, bonus = _scores(instance, pairs.pv, pairs.pu, pairs.team, prefer)
    floor = None if uncovered is None else uncovered.capacity_floor
    r3 = _r3_rows(instance, pairs.pu, pairs.cap, floor, reserve)
    r6 = _r6_rows(instance, pairs.can_lead)
    n_prov = int((pairs.can_lead & (instance.u_tier == 0)).sum())
    dense = None
    if prune and len(instance.poor_villages) * n_prov > pruning.province_pairs_max:
        r6_share = (r6["r6_num"], r6["r6_den"])
        dense = _province_tier(instance, demand, pairs, fixed, prefer, bonus, r6_share)
    rows = {**r3, **r6, "province_tier": dense}
    out = _assemble(instance, demand, pairs, score, rows)
    return out if uncovered is None else with_uncovered(out, uncovered)


def _assemble(
    instance: Instance,
    demand: IntArray,
    pairs: _Pairs,
    score: IntArray,
    rows: dict[str, Any],
) -> Candidates:
    """The :class:`Candidates` of checked ``pairs`` with their ``score`` and
    the coupling ``rows`` (R3, R6, the pruned province tier)."""
    pv, pu, can_lead = pairs.pv, pairs.pu, pairs.can_lead
    return Candidates(
        villages=instance.poor_villages,
        pv=pv,
        pu=pu,
        score=score,
        dem=demand[pv],
        province=instance.u_tier[pu] == 0,
        key=instance.v_key[pv],
        team=pairs.team,
        u_min=np.where(can_lead, instance.u_min, 0).astype(np.int64),
        u_max=np.where(can_lead, instance.u_max, 0).astype(np.int64),
        cap=pairs.cap,
        need=np.where(can_lead, pairs.need, 0).astype(np.int64),
        demand=demand,
        n_villages=len(instance.villages),
        n_units=len(instance.units),
        **rows,
    )
