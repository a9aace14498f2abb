"""Counting pre-checks of the hard rules (R15).

:func:`precheck` looks for reasons, visible from counts and sums alone, why
the hard rules R1–R8 cannot all hold, and names each one in the planners'
terms with its numbers and a fix (``docs/infeasibility.md`` lists them all).

Every check compares a *lower* bound on what must be carried with an *upper*
bound on what can carry it, so a reported cause is a proof of infeasibility:
a feasible instance never gets one. What counting cannot see (interactions
between units, capacities and R3/R6 together) is left to
:func:`pairing.solver.conflicts.explain`.

Bounds on a village's demand (households its lead unit's cadres must carry):
with an explicit ``demand`` they are exact; without one, the households that
leaders may take personally (R7) are credited optimistically: a village's
demand is at least its households minus the contact households of every
leader who could choose it, and a region's at least its households minus the
contact households of every leader who could choose a village in it.
"""

from __future__ import annotations

import numpy as np

from ..errors import Cause
from ..instance import Instance
from ..solver.counts import Counts, Pos
from ..tiers import LEVEL_NAMES, TIER_NAMES, Tier
from .households import capacity, scattered, scattered_balance
from .leaders import leader_areas_fit
from .teams import dispatch_teams, forced_take, team_households, unit_bounds
from .villages import forced_units, key_share, village_counts, village_fit

__all__ = [
    "COUNTY",
    "LEVEL_NAMES",
    "PREFECTURE",
    "PROVINCE",
    "SOCIAL",
    "TIER_NAMES",
    "Counts",
    "Pos",
    "forced_take",
    "precheck",
    "scattered_balance",
    "team_households",
]

# the tier codes under their old names here, for callers that used them
PROVINCE, PREFECTURE, COUNTY, SOCIAL = (
    Tier.PROVINCE,
    Tier.PREFECTURE,
    Tier.COUNTY,
    Tier.SOCIAL,
)


def precheck(instance: Instance, demand: np.ndarray | None = None) -> list[Cause]:
    """Counting causes why the hard rules cannot all hold (R15).

    Parameters
    ----------
    instance
        The instance.
    demand
        Households per village that its lead unit's cadres must carry (the
        village stage's demand, after leaders took theirs). Default: every
        village's poor households, less what leaders could take (R7),
        counted optimistically.

    Returns
    -------
    list[Cause]
        One cause per counting contradiction found (empty when none is
        found: the instance may still be infeasible in ways only a search
        can show, see :func:`pairing.solver.conflicts.explain`).
    """
    c = Counts(instance, demand)
    causes: list[Cause] = []
    causes += unit_bounds(c)  # R4
    causes += dispatch_teams(c)  # R8
    causes += team_households(c)  # R8 (households for the teams), R7
    causes += leader_areas_fit(c)  # R7
    causes += village_fit(c)  # R2
    causes += village_counts(c)  # R4
    causes += forced_units(c)  # R4 + R5
    causes += key_share(c)  # R6
    r3 = scattered(c)  # R3
    causes += r3
    causes += capacity(c, {x.figures.get("prefecture_id") for x in r3})  # R5
    return causes
