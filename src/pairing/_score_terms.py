"""The rule terms of a plan's objective, computed where the solver computes them.

:mod:`pairing.score` is the front door (the :class:`~pairing.score.Score`
type, :func:`~pairing.score.score`, :func:`~pairing.score.compare`); this
module computes the parts: the village stage's terms by
:func:`pairing.solver.candidates.value_terms`, the household stage's by the
flow's own cost functions (:mod:`pairing.solver.household_parts`), summed per
term, stage, tier and prefecture in one vectorised pass (:func:`summed`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .instance import Instance, IntArray
from .tiers import TIER_NAMES

__all__ = [
    "TERMS",
    "TIERS",
    "household_parts",
    "summed",
    "village_parts",
    "village_rounded",
]

TERMS: dict[str, tuple[str, str, str]] = {
    "tier": (
        "R9",
        "层级匹配（由重到轻，逐级分配）",
        "tier (heaviest first, level by level)",
    ),
    "strength": (
        "R10",
        "单位力量（重任务给强单位）",
        "unit strength (heavy to strong)",
    ),
    "rank": ("R10", "干部职级（资深干部包最困难户）", "cadre rank (senior to severe)"),
    "continuity": (
        "R11",
        "驻村衔接（驻村工作队、第一书记）",
        "continuity (resident teams)",
    ),
    "travel": ("R12", "路程", "travel"),
    "load": ("R12", "包户均衡", "even load"),
    "claims": ("R13", "社会力量认领", "claims honoured"),
}
"""Term → (rule, Chinese label, English label), in report order."""
TIERS = TIER_NAMES
"""The tiers a term is given by (of the unit or cadre)."""


_Part = tuple[str, str, IntArray, IntArray, np.ndarray]
"""term, stage, unit, village, value"""


def _lead_pairs(
    instance: Instance, lead: IntArray
) -> tuple[IntArray, IntArray, np.ndarray]:
    """Each poor village with a lead, its unit, and whether the unit's resident
    team is there (R11)."""
    poor = instance.poor_villages
    v = poor[lead[poor] >= 0]
    u = lead[v]
    n_u = len(instance.units)
    team = np.isin(v * n_u + u, instance.t_village * n_u + instance.t_unit)
    return v, u, team


def village_parts(instance: Instance, lead: IntArray) -> list[_Part]:
    """The village stage's terms of each lead pair (R9, R10, R11, R12)."""
    from .solver.candidates import SCALE, value_terms

    v, u, team = _lead_pairs(instance, lead)
    terms = value_terms(instance, v, u, _top(instance), team)
    return [(name, "villages", u, v, SCALE * val) for name, val in terms.items()]


def village_rounded(instance: Instance, lead: IntArray) -> int:
    """The village stage's objective of ``lead`` (its pairs rounded as it does)."""
    from .solver.candidates import SCALE, _value

    v, u, team = _lead_pairs(instance, lead)
    return int(np.rint(SCALE * _value(instance, v, u, _top(instance), team)).sum())


def _top(instance: Instance) -> float:
    poor = instance.poor_villages
    return float(instance.v_severity[poor].max()) if len(poor) else 0.0


def household_parts(instance: Instance, h_cadre: IntArray) -> list[_Part]:
    """The household stage's terms of each household's cadre (R10, R12)."""
    from .solver.household_parts import load_step, rank_value, travel_cost

    w = instance.rules.weights
    h = np.flatnonzero(h_cadre >= 0)
    c = h_cadre[h]
    u = instance.c_unit[c]
    v = instance.h_village[h]
    top_h = max(float(instance.h_severity.max(initial=0.0)), 1e-12)
    max_rank = max(int(instance.c_rank.max(initial=1)), 1)
    rank = rank_value(
        w.rank, instance.c_rank[c] / max_rank, instance.h_severity[h] / top_h
    )
    load = np.bincount(c, minlength=len(instance.cadres))
    kmax = int(instance.c_cap.max(initial=0))
    even = -load_step(w.even_load, kmax) * (load[c] - 1) / 2.0
    sc = instance.h_scattered[h]
    travel = -travel_cost(w.distance, instance.distance(u[sc], v[sc]))
    return [
        ("rank", "households", u, v, rank),
        ("load", "households", u, v, even),
        ("travel", "households", u[sc], v[sc], travel),
    ]


def summed(instance: Instance, parts: list[_Part]) -> pd.DataFrame:
    """Sum the parts per (term, stage, tier, prefecture), in one vectorised pass."""
    names = list(TERMS)
    stages = ("villages", "households", "claims")
    n_r = len(instance.regions) + 1
    keys, vals = [], []
    for name, stage, u, v, val in parts:
        tier = instance.u_tier[u]
        pref = instance.v_prefecture[v]
        pref = np.where(pref >= 0, pref, n_r - 1)
        code = names.index(name) * 3 + stages.index(stage)
        keys.append((code * 4 + tier) * n_r + pref)
        vals.append(np.asarray(val, dtype=np.float64))
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    val = np.concatenate(vals) if vals else np.zeros(0)
    dense = np.bincount(key, weights=val, minlength=len(names) * 3 * 4 * n_r)
    used = np.bincount(key, minlength=len(dense)) > 0
    uniq = np.flatnonzero(used)
    sums = dense[uniq]
    rid = np.append(instance.region_index.to_numpy(dtype=object), "")
    codes = (uniq // (4 * n_r)).tolist()
    return pd.DataFrame(
        {
            "term": [names[t // 3] for t in codes],
            "rule": [TERMS[names[t // 3]][0] for t in codes],
            "stage": [stages[t % 3] for t in codes],
            "tier": [TIERS[t] for t in (uniq // n_r) % 4],
            "prefecture_id": rid[uniq % n_r].astype(str),
            "value": sums,
        }
    )
