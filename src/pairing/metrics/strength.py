"""R9 (the heaviest villages to the higher tiers) and R10 (the strongest units
and cadres to the heaviest villages and households): their figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .stats import finite, inverted_pairs, spearman
from .views import LEAD_TIERS, Raw


def r9_figures(leads: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    v, u = leads["v"].to_numpy(), leads["u"].to_numpy()
    t = pd.Index(LEAD_TIERS).get_indexer(raw.u_tier[u])
    ok = t >= 0
    v, t = v[ok], t[ok]
    pref, sev = raw.v_prefecture[v], raw.v_severity[v]
    rows, per = [], []
    inverted = pairs = 0
    for p in np.unique(pref):
        inp = pref == p
        name = str(raw.r_index[p]) if p >= 0 else ""
        by_tier = [sev[inp & (t == k)] for k in range(3)]
        for k, x in enumerate(by_tier):
            if len(x):
                rows.append(
                    {
                        "prefecture_id": name,
                        "tier": LEAD_TIERS[k],
                        "villages": len(x),
                        "mean_severity": finite(x.mean()),
                    }
                )
        here = there = 0
        for hi in range(3):
            for lo in range(hi + 1, 3):
                here += len(by_tier[hi]) * len(by_tier[lo])
                there += inverted_pairs(by_tier[hi], by_tier[lo])
        per.append(
            {
                "prefecture_id": name,
                "pairs": int(here),
                "inverted_pairs": int(there),
                "inverted_share": finite(there / here) if here else None,
            }
        )
        pairs += here
        inverted += there
    return {
        "by_prefecture_tier": rows,
        "by_prefecture": per,
        "pairs": int(pairs),
        "inverted_pairs": int(inverted),
        "inverted_share": finite(inverted / pairs) if pairs else None,
    }


def unit_carried(leads: pd.DataFrame, raw: Raw) -> dict[str, np.ndarray]:
    """Per unit (positions): villages led, their total severity and households (R10).

    The arrays R10's correlations are computed from; the dashboards list
    them (``r10_strength_severity.csv``).
    """
    n_u = len(raw.u_index)
    v, u = leads["v"].to_numpy(), leads["u"].to_numpy()
    ok = raw.h_village >= 0
    v_hh = np.bincount(raw.h_village[ok], minlength=len(raw.v_index))
    return {
        "villages": np.bincount(u, minlength=n_u).astype(np.int64),
        "severity": np.bincount(u, weights=raw.v_severity[v], minlength=n_u),
        "households": np.bincount(u, weights=v_hh[v], minlength=n_u).astype(np.int64),
    }


def r10_figures(leads: pd.DataFrame, covered: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    carried = unit_carried(leads, raw)
    by_tier: dict[str, float | None] = {}
    hh_by_tier: dict[str, float | None] = {}
    units: dict[str, int] = {}
    for tier in LEAD_TIERS:
        mask = raw.u_tier == tier
        by_tier[tier] = spearman(raw.u_strength[mask], carried["severity"][mask])
        hh_by_tier[tier] = spearman(raw.u_strength[mask], carried["households"][mask])
        units[tier] = int(mask.sum())
    rank = raw.c_rank[covered["c"].to_numpy()]
    return {
        "strength_severity_by_tier": by_tier,
        "strength_households_by_tier": hh_by_tier,
        "units_by_tier": units,
        "rank_severity": spearman(rank, raw.h_severity[covered["h"].to_numpy()]),
        "rank_households": len(covered),
    }
