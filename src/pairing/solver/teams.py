"""Kick-off team arithmetic (R8): team sizes, tasks, who can field a team.

Shared by the dispatch stage (:mod:`pairing.solver.dispatch`), its repair
(:mod:`pairing.solver.team_repair`) and the household stage, which gives no
household to a unit that can never field its team.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instance import BoolArray, Instance, IntArray
from ..tiers import Tier

Shortfall = list[tuple[int, int, int]]
"""``(unit index, needed, available)`` per unit whose team is too small."""


def team_bounds(instance: Instance) -> tuple[IntArray, IntArray]:
    """Least and largest team the solver sends per unit (R8).

    Province tier: ``province_min`` for both; other tiers ``local_min`` and
    ``local_max`` (:func:`team_targets` chooses between them); see
    :meth:`pairing.rules.Dispatch.team_bounds`, where the sizes are read.
    """
    return instance.rules.dispatch.team_bounds(instance.u_tier)


def heads_mask(instance: Instance) -> BoolArray:
    """Per cadre: is it the head (:attr:`Instance.u_head`) of its unit?"""
    out = np.zeros(len(instance.cadres), dtype=bool)
    head = instance.u_head
    out[head[head >= 0]] = True
    return out


def carriers_needed(instance: Instance) -> IntArray:
    """Per unit: non-head cadres with a household its least team needs (R8)."""
    low, _ = team_bounds(instance)
    return np.maximum(low - (instance.u_head >= 0), 0).astype(np.int64)


def fieldable(instance: Instance) -> BoolArray:
    """Per unit: can it field its least team at all (R8)?

    Its head plus its other cadres able to carry a household (cap ≥ 1) reach
    the least team. A unit that cannot must have no task: no village and no
    household.
    """
    able = (instance.c_cap >= 1) & ~heads_mask(instance)
    n = np.bincount(instance.c_unit, weights=able, minlength=len(instance.units))
    return np.asarray(
        (n >= carriers_needed(instance)) & (instance.u_tier < Tier.SOCIAL)
    )


def task_of(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> tuple[IntArray, BoolArray, IntArray, IntArray]:
    """Households per cadre; and per unit: has a task, households, villages led."""
    lead = np.asarray(lead, dtype=np.int64)
    h_cadre = np.asarray(h_cadre, dtype=np.int64)
    n_u = len(instance.units)
    load = np.bincount(h_cadre[h_cadre >= 0], minlength=len(instance.cadres))
    households = np.bincount(instance.c_unit, weights=load, minlength=n_u)
    villages = np.bincount(lead[lead >= 0], minlength=n_u)
    task = (households > 0) | (villages > 0)
    return (
        load.astype(np.int64),
        np.asarray(task),
        households.astype(np.int64),
        villages.astype(np.int64),
    )


def team_targets(
    instance: Instance, task: BoolArray, households: IntArray, villages: IntArray
) -> IntArray:
    """Team size the solver aims at per unit (R8; see the module docstring)."""
    d = instance.rules.dispatch
    low, high = team_bounds(instance)
    out = low.copy()
    local = np.flatnonzero(
        task & (instance.u_tier >= Tier.PREFECTURE) & (instance.u_tier <= Tier.COUNTY)
    )
    if not len(local) or d.local_max_share <= 0:
        return out
    df = pd.DataFrame(
        {
            "u": local,
            "group": instance.u_tier[local] * (len(instance.regions) + 1)
            + instance.u_region[local],
            "h": households[local],
            "v": villages[local],
        }
    ).sort_values(["group", "h", "v", "u"], ascending=[True, False, False, True])
    pos = df.groupby("group", sort=False).cumcount().to_numpy()
    size = df.groupby("group", sort=False)["u"].transform("size").to_numpy()
    heavy = pos < np.ceil(d.local_max_share * size - 1e-9)
    units = df["u"].to_numpy()[heavy]
    out[units] = high[units]
    return out
