"""The share of a solve's time limit the stages after the village stage keep.

Both the pipeline and the re-plan stage give the village stage the time
left less this estimate, so a whole solve ends near its limit.

Examples
--------
>>> import pairing
>>> round(after_villages(pairing.generate(2_000, seed=1)), 3)
1.016
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .instance import Instance

__all__ = ["AFTER_VILLAGES_BASE", "AFTER_VILLAGES_PER_HOUSEHOLD", "after_villages"]

AFTER_VILLAGES_BASE = 1.0
AFTER_VILLAGES_PER_HOUSEHOLD = 8e-6
"""Seconds the stages after the village stage take (the household flow,
dispatch, the plan's tables and its soft figures): about 1 s plus 8 µs per
household (measured on 2 cores: 2.5–3.4 s at 430,000 households, 7–10 s at
1.29 million). The village stage gets the time limit less this, so the whole
solve ends near its limit; when the estimate is short, the time limit stops
the household stage, which then finishes on its coarse network."""


def after_villages(instance: Instance) -> float:
    """Seconds to keep for the stages after the village stage."""
    return AFTER_VILLAGES_BASE + AFTER_VILLAGES_PER_HOUSEHOLD * len(instance.households)
