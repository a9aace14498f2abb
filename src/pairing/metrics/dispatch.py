"""R8's kick-off dispatch by tier, beside the seed's (吉办发〔2015〕46号)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .views import LEAD_TIERS

if TYPE_CHECKING:
    from ..instance import Instance
    from ..plan import Plan

SEED_DISPATCH = {"province": 1_000, "prefecture": 2_000, "county": 8_000}
"""Kick-off dispatch of the seed (吉办发〔2015〕46号): about 1,000 / 2,000 /
8,000 cadres by the province, prefecture and county tiers (R8)."""

SEED_HOUSEHOLDS = 430_000
"""Poor households of the seed (Jilin, December 2015)."""


def dispatch_by_tier(instance: Instance, plan: Plan) -> dict[str, dict[str, Any]]:
    """Dispatched cadres and units sending a team, by tier, beside the seed (R8).

    Returns
    -------
    dict
        ``{tier: {"cadres", "units", "seed", "seed_at_scale"}}`` for the
        province, prefecture and county tiers; ``seed`` is the seed's figure
        for Jilin, ``seed_at_scale`` the same times this instance's households
        over the seed's 430,000 (rounded).

    Examples
    --------
    >>> from pairing.generate import generate
    >>> from pairing.solve import solve
    >>> inst = generate(2_000, seed=1)
    >>> dispatch_by_tier(inst, solve(inst))["province"]["seed"]
    1000
    """
    units = instance.units
    tier_of = pd.Series(
        units["tier"].to_numpy(dtype=object),
        index=pd.Index(units["unit_id"].to_numpy(dtype=object)),
    )
    d = plan.dispatch
    tiers = tier_of.reindex(pd.Index(d["unit_id"].to_numpy(dtype=object))).to_numpy(
        dtype=object
    )
    scale = len(instance.households) / SEED_HOUSEHOLDS
    out: dict[str, dict[str, Any]] = {}
    for t in LEAD_TIERS:
        mine = tiers == t
        out[t] = {
            "cadres": int(mine.sum()),
            "units": int(pd.unique(d["unit_id"].to_numpy(dtype=object)[mine]).size),
            "seed": SEED_DISPATCH[t],
            "seed_at_scale": round(SEED_DISPATCH[t] * scale),
        }
    return out
