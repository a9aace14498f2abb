"""Soft-rule figures (R9–R13) of a plan, and the raw-table views they share.

:func:`soft_figures` is called by the solver (for ``summary.json``) and by the
validator (:func:`pairing.validate.validate`). Everything here reads the
instance's normalised tables and the plan's tables with pandas; nothing uses
the solver's arrays, so the figures are an independent account of the plan.

The raw-table view :class:`Raw` and the helpers :func:`plan_frames`,
:func:`lead_pairs`, :func:`cadre_rows` and :func:`may_lead` are shared with
the validator.

The modules: :mod:`~pairing.metrics.views` (the raw-table views),
:mod:`~pairing.metrics.stats` (rank correlation, inverted pairs), one module
per soft rule group (:mod:`~pairing.metrics.strength`: R9 R10;
:mod:`~pairing.metrics.continuity`: R11; :mod:`~pairing.metrics.load`: R12
R13), :mod:`~pairing.metrics.figures` (:func:`soft_figures`) and
:mod:`~pairing.metrics.dispatch` (R8's dispatch beside the seed).
"""

from __future__ import annotations

from .continuity import MAX_BREAKS, continuity_rows
from .dispatch import SEED_DISPATCH, dispatch_by_tier
from .dispatch import SEED_HOUSEHOLDS as SEED_HOUSEHOLDS  # the old module's name
from .figures import figures_from, plan_views, soft_figures
from .stats import inverted_pairs, spearman
from .strength import unit_carried
from .views import (
    LEAD_TIERS,
    Raw,
    cadre_rows,
    lead_pairs,
    may_lead,
    plan_frames,
)
from .views import OPTIONAL_PLAN_COLUMNS as OPTIONAL_PLAN_COLUMNS  # the old name

__all__ = [
    "LEAD_TIERS",
    "MAX_BREAKS",
    "Raw",
    "SEED_DISPATCH",
    "cadre_rows",
    "continuity_rows",
    "dispatch_by_tier",
    "figures_from",
    "inverted_pairs",
    "lead_pairs",
    "may_lead",
    "plan_frames",
    "plan_views",
    "soft_figures",
    "spearman",
    "unit_carried",
]
