"""Objective value of the village stage's candidate pairs.

The one place the village stage's objective terms are written: R9 tier, R10
strength, R11 continuity, R12 travel (:func:`value_terms`), with the scale that
turns them into integer coefficients (:data:`SCALE`) and R8's kick-off team
size every stage reads (:func:`team_size`). :mod:`.candidates` re-exports
these names.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from ..instance import BoolArray, FloatArray, Instance, IntArray

SCALE = 1000
"""Objective units per unit of a normalised objective term."""
TIER_VALUE = np.array([1.0, 0.5, 0.0, 0.0])
"""R9: value of a village's severity at each tier (province, prefecture, county)."""


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
