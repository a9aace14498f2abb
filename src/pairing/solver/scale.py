"""The solver's two scales: objective units and the travel term's kilometres.

Both stages optimise integers (CP-SAT and HiGHS on the village stage's
scores, OR-Tools' min-cost flow on the household stage's costs), so each
soft term, normalised to about ``[0, 1]`` per pairing and weighted by
:class:`pairing.rules.Weights`, is multiplied by :data:`SCALE` and rounded.

Examples
--------
>>> from pairing.solver.scale import SCALE, TRAVEL_KM
>>> round(SCALE * 0.2 * 35.0 / TRAVEL_KM)  # 35 km at the default R12 weight
70
"""

from __future__ import annotations

__all__ = ["SCALE", "TRAVEL_KM"]

SCALE = 1000
"""Integer objective units per unit of a normalised objective term: three
digits of each weighted term survive the rounding, and the sums over the
430,000 households stay far inside int64."""

TRAVEL_KM = 100.0
"""Kilometres that make one unit of the R12 travel term (village stage:
unit to village; household stage: cadre's unit to household), so that travel
counts in hundreds of kilometres and compares with the other terms' ``[0, 1]``
per pairing."""
