"""What changed between two plans: :func:`diff_plans` and :class:`PlanDiff`.

Used by ``pairing diff A B``, by the what-if notebook and by anyone who
wants to see what a re-planning (R14) moved. Every comparison is a
vectorised merge on ids, so a Jilin-sized plan (430,000 households) diffs in
about a second.

Each table of moves has a ``change`` column:

* ``moved`` — the village's lead unit / the household's responsible person /
  the leader's area or contact village differs;
* ``added`` / ``removed`` — the row exists only in plan B / only in plan A
  (a household lifted out of poverty, a new household, a new leader …);
* ``unit`` (households only) — the same person, now under another unit id
  (a merge or split renamed the unit).

The modules: :mod:`~pairing.diff.plans` (:func:`diff_plans`, the front
door), :mod:`~pairing.diff.report` (:class:`PlanDiff`),
:mod:`~pairing.diff.compare` (the table comparisons),
:mod:`~pairing.diff.regions` (by tier and region) and
:mod:`~pairing.diff.figures` (the figures side by side).
"""

from __future__ import annotations

from .plans import diff_plans
from .regions import TIERS as TIERS  # kept importable from the old module path
from .report import PlanDiff

__all__ = ["PlanDiff", "diff_plans"]
