"""The R9–R13 figures of a plan (:func:`soft_figures`), from the views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .continuity import MAX_BREAKS, r11_figures
from .load import r12_figures, r13_figures
from .strength import r9_figures, r10_figures
from .views import LEAD_TIERS, Raw, cadre_rows, lead_pairs, plan_frames

if TYPE_CHECKING:
    from ..instance import Instance
    from ..plan import Plan


def soft_figures(
    instance: Instance,
    plan: Plan,
    *,
    max_breaks: int = MAX_BREAKS,
    raw: Raw | None = None,
) -> dict[str, Any]:
    """The R9–R13 figures of a plan, as plain JSON-serialisable data.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        The plan (any plan: unknown ids and broken rows are skipped).
    max_breaks
        R11 breaks listed at most.
    raw
        A :class:`Raw` view of ``instance`` already built (the validator's).

    Returns
    -------
    dict
        ``R9``: ``by_prefecture_tier`` (``prefecture_id, tier, villages,
        mean_severity``), ``by_prefecture`` (``prefecture_id, pairs,
        inverted_pairs, inverted_share``), ``pairs``, ``inverted_pairs``,
        ``inverted_share`` (pairs of villages of one prefecture led by
        different tiers where the higher tier's village is strictly lighter).
        ``R10``: ``strength_severity_by_tier`` and
        ``strength_households_by_tier`` (Spearman, per tier, of unit strength
        with the total severity / households of the villages it leads, over
        every unit of the tier: units leading nothing count with 0),
        ``units_by_tier`` (the units each correlation is over),
        ``rank_severity`` (Spearman of cadre rank with household severity
        over the ``rank_households`` cadre-covered households).
        ``R11``: ``teams`` (of poor villages), ``kept``, ``keepable``,
        ``breaks_total``, ``breaks`` (``village_id, unit_id, lead_unit_id,
        reason``; :func:`continuity_rows` has them all).
        ``R12``: ``cadres``, ``mean_load`` (over all cadres),
        ``mean_load_active``, ``max_load``, ``idle_while_full``,
        ``mean_travel_km`` (unit to household's village, where both
        positions are given), ``travel_households``.
        ``R13``: ``claims``, ``honoured``.
        Undefined figures (no data, constant input) are ``None``.
    """
    tables, _ = plan_frames(plan)
    return figures_from(raw or Raw(instance), tables, max_breaks=max_breaks)


def plan_views(
    raw: Raw, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows every figure reads: lead pairs of the leading tiers, cadre rows.

    Returns
    -------
    leads, covered
        :func:`lead_pairs` of the province, prefecture and county tiers, and
        :func:`cadre_rows`.
    """
    leads = lead_pairs(tables["village_pairs"], raw)
    leads = leads[
        pd.Index(LEAD_TIERS).get_indexer(pd.Index(raw.u_tier[leads["u"]])) >= 0
    ]
    return leads, cadre_rows(tables["household_pairs"], raw)


def figures_from(
    raw: Raw, tables: dict[str, pd.DataFrame], *, max_breaks: int = MAX_BREAKS
) -> dict[str, Any]:
    """:func:`soft_figures` from a :class:`Raw` view and :func:`plan_frames` tables."""
    leads, covered = plan_views(raw, tables)
    return {
        "R9": r9_figures(leads, raw),
        "R10": r10_figures(leads, covered, raw),
        "R11": r11_figures(leads, raw, max_breaks),
        "R12": r12_figures(covered, raw),
        "R13": r13_figures(tables["village_pairs"], raw),
    }
