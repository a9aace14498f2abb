"""Candidate (village, unit) pairs of the village stage and their data.

Everything the village-stage models share is built here once, vectorised:
the eligible pairs (R2, R8), their objective coefficients (R9–R11, travel,
R14), and the data of the coupling rules (R3 overflow, R4, R5 capacity, R6).
The CP-SAT model, the LP relaxation and the greedy all read a
:class:`Candidates`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import Cause, Infeasible
from ..instance import BoolArray, FloatArray, Instance, IntArray
from .uncovered import Uncovered, with_uncovered

SCALE = 1000
"""Objective units per unit of a normalised objective term."""
TIER_VALUE = np.array([1.0, 0.5, 0.0, 0.0])
"""R9: value of a village's severity at each tier (province, prefecture, county)."""


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


def team_size(instance: Instance) -> IntArray:
    """R8: least kick-off team per unit (province_min or local_min)."""
    d = instance.rules.dispatch
    return np.where(instance.u_tier == 0, d.province_min, d.local_min).astype(np.int64)


def strength_percentile(instance: Instance) -> FloatArray:
    """R10: a unit's strength percentile within its tier, in ``[0, 1]``."""
    s = pd.Series(instance.u_strength)
    tier = pd.Series(instance.u_tier)
    rank = s.groupby(tier).rank(method="average")
    size = tier.map(tier.value_counts())
    out = ((rank - 1) / (size - 1).where(size > 1, 1)).to_numpy(
        dtype=np.float64, copy=True
    )
    out[(size == 1).to_numpy()] = 1.0
    return cast(FloatArray, out)


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


def _share(share: float) -> tuple[int, int]:
    """R6 share as ``num / den`` with ``num / den >= share`` (never looser)."""
    f = Fraction(share).limit_denominator(10_000)
    if f < share:
        f = Fraction(math.ceil(share * 10_000), 10_000)
    return f.numerator, f.denominator


VALUE_TERMS = ("tier", "strength", "continuity", "travel")
"""The village stage's objective terms, in :func:`value_terms`' order: R9 tier,
R10 strength, R11 continuity, R12 travel."""


def value_terms(
    instance: Instance,
    pv: IntArray,
    pu: IntArray,
    top: float,
    team: BoolArray | None = None,
) -> dict[str, FloatArray]:
    """Objective value of pairs by term (normalised units; ``SCALE`` per unit).

    The one place the village stage's terms are written (:data:`VALUE_TERMS`):
    R9 ``tier`` (``w_tier s_v tau_T``), R10 ``strength`` (``w_strength s_v
    pi_u``), R11 ``continuity`` (``w_continuity`` where ``team`` says the
    unit's resident team is there) and R12 ``travel`` (``-w_distance
    km / 100``), with ``top`` the heaviest poor village's severity
    (``s_v = severity / top``). R14's baseline bonus comes on top.
    :mod:`pairing.score` reports these terms and :func:`_value` sums them.
    """
    w = instance.rules.weights
    s = instance.v_severity[pv] / top if top > 0 else np.zeros(len(pv))
    st = strength_percentile(instance)
    team = np.zeros(len(pv), dtype=bool) if team is None else team
    d = instance.distance(pu, pv) / 100.0
    return {
        "tier": w.tier * s * TIER_VALUE[instance.u_tier[pu]],
        "strength": w.strength * s * st[pu],
        "continuity": w.continuity * team,
        "travel": -(w.distance * d),
    }


def _value(
    instance: Instance,
    pv: IntArray,
    pu: IntArray,
    top: float,
    team: BoolArray | None = None,
) -> FloatArray:
    """Objective value of pairs: the sum of :func:`value_terms`."""
    t = value_terms(instance, pv, pu, top, team)
    return cast(FloatArray, t["tier"] + t["strength"] + t["continuity"] + t["travel"])


def _required(
    instance: Instance, fixed: IntArray | None, prefer: IntArray | None
) -> IntArray:
    """Keys ``village * units + unit`` of the pairs pruning never drops:
    resident teams (R11), the baseline (R14) and fixed leads, poor villages
    only."""
    n_u = len(instance.units)
    v, u = [instance.t_village], [instance.t_unit]
    for given in (fixed, prefer):
        if given is not None:
            g = np.asarray(given, dtype=np.int64)
            v.append(np.arange(len(g)))
            u.append(g)
    vv, uu = np.concatenate(v), np.concatenate(u)
    ok = (vv >= 0) & (uu >= 0)
    ok[ok] &= instance.v_poor[vv[ok]]
    return np.unique(vv[ok] * n_u + uu[ok])


@dataclass(frozen=True)
class CandidateParams:
    """How far :func:`build_candidates` prunes the pairs of very large instances.

    Pruning only ever restricts the model (the caller retries unpruned when it is
    infeasible), so these trade the village stage's size for its reach.

    Attributes
    ----------
    province_pairs_max
        Above this many (poor village, province unit) pairs, the province
        tier is pruned: every pair is kept up to about 3x Jilin, and a 10x
        instance no longer needs ~20M pairs.
    province_per_village, province_per_unit
        A pruned province tier keeps each village's best units and each
        unit's best villages by the objective (R9, R10, travel).
    pairs_max
        Above this many pairs in all, the prefecture and county tiers are
        pruned too. A 10x Jilin has ~9M pairs once the province tier is
        pruned and is left whole: pruning its counties to 32 pairs per
        village left the greedy 2,570 villages it could not place.
    local_per_village, local_per_unit
        A pruned prefecture or county tier keeps each village's best pairs
        per tier and each unit's best villages.

    Examples
    --------
    >>> CandidateParams().province_pairs_max
    4000000
    """

    province_pairs_max: int = 4_000_000
    province_per_village: int = 64
    province_per_unit: int = 64
    pairs_max: int = 16_000_000
    local_per_village: int = 32
    local_per_unit: int = 32


def _province_pairs(
    instance: Instance,
    poor: IntArray,
    prov: IntArray,
    demand: IntArray,
    fixed: IntArray | None,
    prefer: IntArray | None,
    params: CandidateParams,
) -> tuple[IntArray, IntArray]:
    """The province tier's candidate pairs (R2: any village of the province).

    All of them up to ``params.province_pairs_max``. Beyond, the pairs of each
    village with its ``province_per_village`` best province units by the
    objective (R9, R10, travel; pairs the unit cannot carry, R5, excluded)
    and of each unit with its ``province_per_unit`` best villages, plus
    every resident-team (R11), baseline (R14) and fixed pair. The score
    matrix is built in blocks of villages, so memory stays bounded. The
    stage's bound is then the bound of this restricted model
    (``docs/scaling.md``).
    """
    n_v, n_p, n_u = len(poor), len(prov), len(instance.units)
    if n_v * n_p <= params.province_pairs_max:
        return np.repeat(poor, n_p), np.tile(prov, n_v)
    top = float(instance.v_severity[poor].max())
    cap = instance.u_capacity[prov]
    k_v = min(params.province_per_village, n_p)
    k_u = min(params.province_per_unit, n_v)
    block = max(1, params.province_pairs_max // (4 * n_p))
    keys: list[np.ndarray] = []
    best_u: list[tuple[np.ndarray, np.ndarray]] = []  # (score, village) per unit
    for lo in range(0, n_v, block):
        vs = poor[lo : lo + block]
        score = _value(instance, np.repeat(vs, n_p), np.tile(prov, len(vs)), top)
        score = score.reshape(len(vs), n_p)
        score[demand[vs][:, None] > cap[None, :]] = -np.inf  # R5
        cols = np.argpartition(-score, k_v - 1, axis=1)[:, :k_v]
        rows = np.repeat(np.arange(len(vs)), k_v)
        ok = np.isfinite(score[rows, cols.ravel()])
        keys.append(vs[rows[ok]] * n_u + prov[cols.ravel()[ok]])
        k = min(k_u, len(vs))
        r = np.argpartition(-score, k - 1, axis=0)[:k]
        best_u.append((np.take_along_axis(score, r, axis=0), vs[r]))
    sc = np.concatenate([b[0] for b in best_u])
    vv = np.concatenate([b[1] for b in best_u])
    r = np.argpartition(-sc, k_u - 1, axis=0)[:k_u]
    u_rep = np.broadcast_to(prov, r.shape)
    ok = np.isfinite(np.take_along_axis(sc, r, axis=0))
    keys.append(np.take_along_axis(vv, r, axis=0)[ok] * n_u + u_rep[ok])
    must = _required(instance, fixed, prefer)
    is_prov = np.zeros(n_u, dtype=bool)
    is_prov[prov] = True
    keys.append(must[is_prov[must % n_u]])
    key = np.unique(np.concatenate(keys))
    return key // n_u, key % n_u


def may_prune(instance: Instance, params: CandidateParams | None = None) -> bool:
    """Whether ``build_candidates(..., prune=True)`` prunes the province tier."""
    most = (params or CandidateParams()).province_pairs_max
    n_prov = int(((instance.u_tier == 0) & (instance.u_max > 0)).sum())
    return len(instance.poor_villages) * n_prov > most


def _local_pruned(
    instance: Instance,
    pv: IntArray,
    pu: IntArray,
    fixed: IntArray | None,
    prefer: IntArray | None,
    params: CandidateParams,
) -> BoolArray:
    """Pairs kept when the prefecture and county tiers are pruned.

    Those tiers' pairs grow with the villages times the units of a region
    (R2). Kept: every province-tier pair (pruned already by
    :func:`_province_pairs`), and of the others each village's
    ``params.local_per_village`` best per tier and each unit's
    ``local_per_unit`` best villages by the objective (R9, R10, travel),
    plus every resident-team (R11), baseline (R14) and fixed pair.
    """
    tier = instance.u_tier[pu]
    value = _value(instance, pv, pu, float(instance.v_severity[pv].max(initial=0.0)))
    keep = tier == 0
    keep |= _top_mask(pv * 4 + tier, value, params.local_per_village)
    keep |= _top_mask(pu, value, params.local_per_unit)
    keep |= np.isin(pv * len(instance.units) + pu, _required(instance, fixed, prefer))
    return keep


def _top_mask(group: IntArray, value: np.ndarray, k: int) -> BoolArray:
    """Mask of the ``k`` largest ``value`` within each ``group``."""
    order = np.lexsort((-value, group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if len(g) else g
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    mask = np.zeros(len(group), dtype=bool)
    mask[order[rank < k]] = True
    return mask


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
    p = params or CandidateParams()
    demand = np.asarray(demand, dtype=np.int64)
    n_u = len(instance.units)
    tier = instance.u_tier
    region = instance.u_region
    poor = instance.poor_villages
    cap = instance.u_capacity.astype(np.int64)
    uid = instance.unit_index
    vid = instance.village_index

    # R8: a unit leads only if it can field its kick-off team: the head plus
    # cadres who carry households of its villages (so need that many households)
    size = team_size(instance)
    head = instance.u_head
    c_is_head = np.zeros(len(instance.cadres), dtype=bool)
    c_is_head[head[head >= 0]] = True
    carriers = np.bincount(
        instance.c_unit, weights=(instance.c_cap > 0) & ~c_is_head, minlength=n_u
    ).astype(np.int64)
    need = np.maximum(size - (head >= 0), 0).astype(np.int64)
    can_lead = (tier <= 2) & (carriers >= need) & (instance.u_max > 0)

    causes: list[Cause] = []
    for u in np.flatnonzero((tier <= 2) & ~can_lead & (instance.u_min > 0)):
        unit = uid[int(u)]
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

    # R2: province anywhere, prefecture in its prefecture, county in its county
    units = np.flatnonzero(can_lead)
    prov = units[tier[units] == 0]
    if prune:
        pv_p, pu_p = _province_pairs(instance, poor, prov, demand, fixed, prefer, p)
    else:
        pv_p, pu_p = np.repeat(poor, len(prov)), np.tile(prov, len(poor))
    pv_list, pu_list = [pv_p], [pu_p]
    for t, v_key in ((1, instance.v_prefecture[poor]), (2, instance.v_county[poor])):
        us = units[tier[units] == t]
        i, j = _join(v_key, region[us])
        pv_list.append(poor[i])
        pu_list.append(us[j])
    pv = np.concatenate(pv_list)
    pu = np.concatenate(pu_list)
    team = np.zeros(len(pv), dtype=bool)
    if len(instance.resident_teams):
        tk = np.unique(instance.t_village * n_u + instance.t_unit)
        team = np.isin(pv * n_u + pu, tk)
    cap = _reserved(instance, reserve, pu, demand[pv], team)
    floor = None if uncovered is None else uncovered.capacity_floor
    if floor is not None:  # --pin villages: the R5 row holds the pinned load
        cap = np.maximum(cap, floor)
    # R5: a village whose demand exceeds a unit's capacity cannot go to it
    ok = (demand[pv] <= cap[pu]) | (not fit)
    if fixed is not None:
        fixed = np.asarray(fixed, dtype=np.int64)
        fv = fixed[pv]
        ok &= (fv < 0) | (fv == pu)
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
    pv, pu, team = pv[ok], pu[ok], team[ok]
    if prune and len(pv) > p.pairs_max:
        keep = _local_pruned(instance, pv, pu, fixed, prefer, p)
        pv, pu, team = pv[keep], pu[keep], team[keep]
    order = np.lexsort((pu, pv))
    pv, pu, team = pv[order], pu[order], team[order]

    # R4: a unit that must lead villages needs candidates for them
    counts = np.bincount(pu, minlength=n_u)
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
    if causes:
        raise Infeasible(causes)

    # objective (R9 tier, R10 strength, R11 continuity, travel, R14 baseline)
    top = float(instance.v_severity[poor].max()) if len(poor) else 0.0
    value = _value(instance, pv, pu, top, team)
    score = np.rint(SCALE * value).astype(np.int64)
    if prefer is not None:
        prefer = np.asarray(prefer, dtype=np.int64)
        bonus = int(np.abs(score).max(initial=0)) * 4 + SCALE
        score = score + bonus * (prefer[pv] == pu)

    # R3: scattered households per county, county- and prefecture-tier capacity
    n_r = len(instance.regions)
    hs = instance.h_scattered
    scattered = np.bincount(instance.h_county[hs], minlength=n_r).astype(np.int64)
    cu = tier == 2
    pfu = tier == 1

    def tier_caps(caps: IntArray) -> tuple[IntArray, IntArray]:
        county = np.bincount(region[cu], weights=caps[cu], minlength=n_r)
        pref = np.bincount(region[pfu], weights=caps[pfu], minlength=n_r)
        return county.astype(np.int64), pref.astype(np.int64)

    full_caps = instance.u_capacity.astype(np.int64)
    county_cap, pref_cap = tier_caps(
        full_caps if floor is None else np.maximum(full_caps, floor)
    )
    if reserve > 0:  # R14: the reserve in R3's rows too, per prefecture where it fits
        county_red, pref_red = tier_caps(cap)
        pref_of = instance.r_prefecture
        least = np.maximum(0, scattered - county_red)  # overflow with no village
        counties = np.flatnonzero(pref_of >= 0)
        spill = np.bincount(pref_of[counties], weights=least[counties], minlength=n_r)
        fits = spill <= pref_red
        county_fits = np.where(pref_of >= 0, fits[np.maximum(pref_of, 0)], False)
        county_cap = np.where(county_fits, county_red, county_cap)
        pref_cap = np.where(fits, pref_red, pref_cap)
    r3_county = np.flatnonzero(scattered > 0)
    r3_rhs = scattered[r3_county] - county_cap[r3_county]
    r3_pref = instance.r_prefecture[r3_county]
    pos = np.full(n_r, -1, dtype=np.int64)
    pos[r3_county] = np.arange(len(r3_county))
    r3_county_of_pair = np.where(tier[pu] == 2, pos[region[pu]], -1)
    has_overflow = np.zeros(n_r, dtype=bool)
    has_overflow[r3_pref[r3_pref >= 0]] = True
    r3_pref_of_pair = np.where(
        (tier[pu] == 1) & has_overflow[region[pu]], region[pu], -1
    )

    # R6: key-county share of province-tier villages
    key_v = instance.v_key
    key_total = int(key_v[poor].sum())
    num, den = _share(instance.rules.province_key_county_share)
    prov_max = int(instance.u_max[prov].sum())

    dense = None
    if prune and len(poor) * len(prov) > p.province_pairs_max:
        from .lagrange.dense import build_tier

        u_min = np.where(can_lead, instance.u_min, 0).astype(np.int64)
        u_max = np.where(can_lead, instance.u_max, 0).astype(np.int64)
        dense = build_tier(
            instance,
            poor,
            prov,
            demand,
            cap,
            fixed=fixed,
            prefer=prefer,
            bonus=bonus if prefer is not None else 0,
            lo=u_min,
            hi=u_max,
            need=np.where(can_lead, need, 0).astype(np.int64),
            r6=(num, den),
        )
    out = Candidates(
        villages=poor,
        pv=pv,
        pu=pu,
        score=score,
        dem=demand[pv],
        province=tier[pu] == 0,
        key=key_v[pv],
        team=team,
        u_min=np.where(can_lead, instance.u_min, 0).astype(np.int64),
        u_max=np.where(can_lead, instance.u_max, 0).astype(np.int64),
        cap=cap,
        need=np.where(can_lead, need, 0).astype(np.int64),
        r3_county=r3_county,
        r3_rhs=r3_rhs,
        r3_scattered=scattered[r3_county],
        r3_pref=r3_pref,
        pref_cap=pref_cap,
        r3_county_of_pair=r3_county_of_pair,
        r3_pref_of_pair=r3_pref_of_pair,
        key_total=key_total,
        r6_num=num,
        r6_den=den,
        r6_all_possible=key_total <= prov_max,
        demand=demand,
        n_villages=len(instance.villages),
        n_units=n_u,
        province_tier=dense,
    )
    if uncovered is not None:
        out = with_uncovered(out, uncovered)
    return out
