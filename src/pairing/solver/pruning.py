"""Pruning of the village stage's candidate pairs on very large instances.

Pruning only ever restricts the model: :func:`_province_pairs` keeps each
village's and each unit's best province-tier pairs, :func:`_local_pruned` the
best prefecture- and county-tier pairs, and both keep every resident-team
(R11), baseline (R14) and fixed pair (:func:`_required`). :mod:`.candidates`
re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..instance import BoolArray, Instance, IntArray
from .pair_value import _value


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
