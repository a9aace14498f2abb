"""Eligible pairs of the village stage, checked: R2, R5, R8 and fixed leads.

The steps of :func:`~.candidates.build_candidates` that decide which
(village, unit) pairs are candidates: the units able to field their kick-off
team (R8), the pairs R2 allows them, the capacities R14's reserve leaves
(R5), the fixed leads, pruning, and the causes when a village or a unit that
must lead is left without a pair (R1, R4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import Cause, Infeasible
from ..instance import BoolArray, Instance, IntArray
from .pair_value import team_size
from .pruning import CandidateParams, _local_pruned, _province_pairs

if TYPE_CHECKING:  # annotations only: uncovered reads the candidates
    from .uncovered import Uncovered


def _join(left: IntArray, right: IntArray) -> tuple[IntArray, IntArray]:
    """All position pairs ``(i, j)`` with ``left[i] == right[j]`` (vectorised)."""
    order = np.argsort(right, kind="stable")
    r = right[order]
    lo = np.searchsorted(r, left, side="left")
    hi = np.searchsorted(r, left, side="right")
    cnt = hi - lo
    i = np.repeat(np.arange(len(left)), cnt)
    pos = (
        np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
    )
    return i.astype(np.int64), order[pos].astype(np.int64)


def _reserved(
    instance: Instance,
    reserve: float,
    pu: IntArray,
    pv_demand: IntArray,
    team: BoolArray,
) -> IntArray:
    """R14: capacity left to a unit's villages once ``reserve`` is kept free.

    A unit keeps its full capacity when it must lead villages (R4) and no
    village of its region fits the reduced capacity, or when the village of
    its resident team (R11, which outweighs the reserve) does not fit it.
    """
    cap = instance.u_capacity
    if reserve <= 0:
        return cap
    reduced = instance.u_reserved_capacity(reserve)
    smallest = np.full(len(cap), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, pu, pv_demand)
    team_need = np.zeros(len(cap), dtype=np.int64)
    np.maximum.at(team_need, pu[team], pv_demand[team])
    stuck = ((instance.u_min > 0) & (smallest > reduced)) | (team_need > reduced)
    return np.where(stuck, cap, reduced)


def _able_to_lead(instance: Instance) -> tuple[BoolArray, IntArray, list[Cause]]:
    """R8: the units that can field their kick-off team, and its carriers.

    A unit leads only if it can field its kick-off team: the head plus cadres
    who carry households of its villages (so ``need`` that many households).
    Returns the units able to lead, ``need`` per unit and the causes of the
    units that must lead (R4) but cannot.
    """
    n_u = len(instance.units)
    tier = instance.u_tier
    size = team_size(instance)
    head = instance.u_head
    is_head = np.zeros(len(instance.cadres), dtype=bool)
    is_head[head[head >= 0]] = True
    carriers = np.bincount(
        instance.c_unit, weights=(instance.c_cap > 0) & ~is_head, minlength=n_u
    ).astype(np.int64)
    need = np.maximum(size - (head >= 0), 0).astype(np.int64)
    can_lead = (tier <= 2) & (carriers >= need) & (instance.u_max > 0)
    causes: list[Cause] = []
    for u in np.flatnonzero((tier <= 2) & ~can_lead & (instance.u_min > 0)):
        unit = instance.unit_index[int(u)]
        causes.append(
            Cause(
                "R8",
                str(unit),
                f"unit {unit} must lead {instance.u_min[u]} village(s) (R4) but has "
                f"{carriers[u]} cadre(s) able to carry households for a kick-off team "
                f"of {size[u]}",
                {"min_villages": int(instance.u_min[u]), "cadres": int(carriers[u])},
                "add cadres to the unit or set its min_villages to 0",
            )
        )
    return can_lead, need, causes


def _eligible_pairs(
    instance: Instance,
    units: IntArray,
    demand: IntArray,
    fixed: IntArray | None,
    prefer: IntArray | None,
    prune: bool,
    pruning: CandidateParams,
) -> tuple[IntArray, IntArray, BoolArray]:
    """R2: pairs of the ``units`` able to lead with the poor villages they may
    lead (province anywhere, prefecture in its prefecture, county in its
    county), and whether each pair's unit has its resident team there (R11)."""
    n_u = len(instance.units)
    tier, region = instance.u_tier, instance.u_region
    poor = instance.poor_villages
    prov = units[tier[units] == 0]
    if prune:
        pv_p, pu_p = _province_pairs(
            instance, poor, prov, demand, fixed, prefer, pruning
        )
    else:
        pv_p, pu_p = np.repeat(poor, len(prov)), np.tile(prov, len(poor))
    pv_list, pu_list = [pv_p], [pu_p]
    for code, v_key in (
        (1, instance.v_prefecture[poor]),
        (2, instance.v_county[poor]),
    ):
        us = units[tier[units] == code]
        i, j = _join(v_key, region[us])
        pv_list.append(poor[i])
        pu_list.append(us[j])
    pv = np.concatenate(pv_list)
    pu = np.concatenate(pu_list)
    team = np.zeros(len(pv), dtype=bool)
    if len(instance.resident_teams):
        tk = np.unique(instance.t_village * n_u + instance.t_unit)
        team = np.isin(pv * n_u + pu, tk)
    return pv, pu, team


def _allowed(
    instance: Instance,
    pv: IntArray,
    pu: IntArray,
    demand: IntArray,
    cap: IntArray,
    fixed: IntArray | None,
    fit: bool,
) -> tuple[BoolArray, list[Cause]]:
    """Pairs R5 (unless not ``fit``) and the fixed leads allow, and the causes
    of the fixed leads no candidate allows (R2)."""
    # R5: a village whose demand exceeds a unit's capacity cannot go to it
    ok = (demand[pv] <= cap[pu]) | (not fit)
    causes: list[Cause] = []
    if fixed is None:
        return ok, causes
    uid, vid = instance.unit_index, instance.village_index
    poor = instance.poor_villages
    ok &= (fixed[pv] < 0) | (fixed[pv] == pu)
    bad = poor[fixed[poor] >= 0]
    allowed = set(zip(pv[ok].tolist(), pu[ok].tolist(), strict=True))
    for v in bad:
        if (int(v), int(fixed[v])) not in allowed:
            causes.append(
                Cause(
                    "R2",
                    str(vid[v]),
                    f"village {vid[v]} is fixed to unit {uid[fixed[v]]}, which may "
                    "not lead it (region, tier, team or capacity)",
                    {},
                    "free the village or fix it to an eligible unit",
                )
            )
    return ok, causes


def _coverage_causes(
    instance: Instance,
    can_lead: BoolArray,
    pv: IntArray,
    pu: IntArray,
    cap: IntArray,
    demand: IntArray,
    uncovered: Uncovered | None,
) -> list[Cause]:
    """R4: units that must lead more villages than they have candidates; R1:
    poor villages with no candidate (unless they may stay uncovered, R15)."""
    uid, vid = instance.unit_index, instance.village_index
    causes: list[Cause] = []
    counts = np.bincount(pu, minlength=len(instance.units))
    for u in np.flatnonzero(can_lead & (counts < instance.u_min)):
        unit = uid[int(u)]
        causes.append(
            Cause(
                "R4",
                str(unit),
                f"unit {unit} must lead {instance.u_min[u]} poor village(s) but only "
                f"{counts[u]} in its region fit its capacity ({cap[u]} households)",
                {"min_villages": int(instance.u_min[u]), "candidates": int(counts[u])},
                "set the unit's min_villages lower or add cadres",
            )
        )
    poor = instance.poor_villages
    covered = np.bincount(pv, minlength=len(instance.villages))
    lacking = poor[covered[poor] == 0]
    if uncovered is not None:  # left uncovered rather than a cause (R15)
        lacking = lacking[~uncovered.allows(lacking)]
    for v in lacking:
        causes.append(
            Cause(
                "R1",
                str(vid[v]),
                f"poor village {vid[v]} has no unit that may lead it "
                f"({demand[v]} households to carry)",
                {"households": int(demand[v])},
                "add a unit in its county or prefecture, or raise capacities",
            )
        )
    return causes


@dataclass
class _Pairs:
    """The candidate pairs once checked, and the unit data they were built
    with (the steps of :func:`build_candidates`)."""

    pv: IntArray
    pu: IntArray
    team: BoolArray
    cap: IntArray
    can_lead: BoolArray
    need: IntArray


def _checked_pairs(
    instance: Instance,
    demand: IntArray,
    fixed: IntArray | None,
    prefer: IntArray | None,
    reserve: float,
    prune: bool,
    fit: bool,
    pruning: CandidateParams,
    uncovered: Uncovered | None,
) -> _Pairs:
    """The eligible pairs (R2, R5, R8, fixed leads), pruned and sorted by
    village then unit; raises :class:`Infeasible` with every cause found."""
    can_lead, need, causes = _able_to_lead(instance)
    units = np.flatnonzero(can_lead)
    pv, pu, team = _eligible_pairs(
        instance, units, demand, fixed, prefer, prune, pruning
    )
    cap = _reserved(instance, reserve, pu, demand[pv], team)
    floor = None if uncovered is None else uncovered.capacity_floor
    if floor is not None:  # --pin villages: the R5 row holds the pinned load
        cap = np.maximum(cap, floor)
    ok, fixed_causes = _allowed(instance, pv, pu, demand, cap, fixed, fit)
    causes += fixed_causes
    pv, pu, team = pv[ok], pu[ok], team[ok]
    if prune and len(pv) > pruning.pairs_max:
        keep = _local_pruned(instance, pv, pu, fixed, prefer, pruning)
        pv, pu, team = pv[keep], pu[keep], team[keep]
    order = np.lexsort((pu, pv))
    pv, pu, team = pv[order], pu[order], team[order]
    causes += _coverage_causes(instance, can_lead, pv, pu, cap, demand, uncovered)
    if causes:
        raise Infeasible(causes)
    return _Pairs(pv, pu, team, cap, can_lead, need)
