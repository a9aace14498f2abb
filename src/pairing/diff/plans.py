"""The front door: :func:`diff_plans`, one comparison per table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..instance import Instance
from .compare import (
    _compare,
    _lead,
    _map,
    _set_diff,
    _supp,
    _unit_or_leader_tier,
    _unit_tiers,
)
from .figures import _soft
from .regions import _by_region, _by_tier
from .report import PlanDiff

if TYPE_CHECKING:  # Plan.diff calls this package: no circle at run time
    from ..plan import Plan

__all__ = ["diff_plans"]


def diff_plans(a: Plan, b: Plan, instance: Instance | None = None) -> PlanDiff:
    """Compare plan ``a`` (before) with plan ``b`` (after).

    Parameters
    ----------
    a, b
        The plans. Neither is modified.
    instance
        When given (usually the instance of ``b``), moves are also counted
        by prefecture and county, and unit tiers are taken from it (else from
        the plans' ``village_pairs``).

    Returns
    -------
    PlanDiff
        The tables of what moved, counts by tier and region, and the figures
        side by side.

    Examples
    --------
    >>> import pairing
    >>> from pairing.scenario import HouseholdsLeave
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> gone = instance.households["household_id"].iloc[0]
    >>> after = HouseholdsLeave([gone]).apply(instance)
    >>> replan = pairing.solve(after, baseline=plan, time_limit=10)
    >>> d = pairing.diff_plans(plan, replan, after)
    >>> d.counts()["households_removed"], d.counts()["villages_moved"]
    (1, 0)
    """
    tier_of = _unit_tiers(a, b, instance)
    villages = _villages(a, b, tier_of)
    # supplementary pairings (R13)
    supplementary = _set_diff(_supp(a), _supp(b), ["village_id", "unit_id"])
    households = _households(a, b, tier_of)
    leaders = _leaders(a, b)
    # dispatch (R8)
    da = a.dispatch[["unit_id", "cadre_id", "is_head"]]
    db = b.dispatch[["unit_id", "cadre_id", "is_head"]]
    dispatch = _set_diff(da, db, ["unit_id", "cadre_id"], keep=["is_head"])

    by_tier = _by_tier(a, b, villages, households, tier_of)
    totals = {
        "villages": int(max(len(_lead(a)), len(_lead(b)))),
        "households": int(max(len(a.household_pairs), len(b.household_pairs))),
    }

    by_prefecture = by_county = None
    if instance is not None:
        villages, households, by_prefecture, by_county = _by_region(
            instance, b, villages, households
        )
    return PlanDiff(
        villages=villages.reset_index(drop=True),
        supplementary=supplementary,
        households=households.reset_index(drop=True),
        leaders=leaders.reset_index(drop=True),
        dispatch=dispatch,
        by_tier=by_tier,
        by_prefecture=by_prefecture,
        by_county=by_county,
        soft=_soft(a.info, b.info),
        totals=totals,
    )


def _villages(a: Plan, b: Plan, tier_of: pd.Series) -> pd.DataFrame:
    """Villages: lead rows (R1) whose lead unit differs, with both tiers."""
    villages = _compare(
        _lead(a), _lead(b), "village_id", {"unit_id": ("before", "after")}
    )
    villages["tier_before"] = _map(villages["before"], tier_of)
    villages["tier_after"] = _map(villages["after"], tier_of)
    return villages[
        ["village_id", "before", "after", "tier_before", "tier_after", "change"]
    ]


def _households(a: Plan, b: Plan, tier_of: pd.Series) -> pd.DataFrame:
    """Households whose responsible person (or unit id) differs, with tiers."""
    cols = ["household_id", "responsible_id", "responsible_kind", "unit_id"]
    households = _compare(
        a.household_pairs[cols],
        b.household_pairs[cols],
        "household_id",
        {
            "responsible_id": ("before", "after"),
            "responsible_kind": ("kind_before", "kind_after"),
            "unit_id": ("unit_before", "unit_after"),
        },
        same_unit=True,
    )
    households["tier_before"] = _unit_or_leader_tier(
        households["unit_before"], households["kind_before"], tier_of
    )
    households["tier_after"] = _unit_or_leader_tier(
        households["unit_after"], households["kind_after"], tier_of
    )
    return households[
        [
            "household_id",
            "before",
            "after",
            "kind_before",
            "kind_after",
            "unit_before",
            "unit_after",
            "tier_before",
            "tier_after",
            "change",
        ]
    ]


def _leaders(a: Plan, b: Plan) -> pd.DataFrame:
    """Leaders (R7) whose area or contact village differs."""
    la = a.leader_areas.merge(a.leader_contacts, on="leader_id", how="outer")
    lb = b.leader_areas.merge(b.leader_contacts, on="leader_id", how="outer")
    return _compare(
        la,
        lb,
        "leader_id",
        {
            "area_id": ("area_before", "area_after"),
            "village_id": ("contact_before", "contact_after"),
        },
    )
