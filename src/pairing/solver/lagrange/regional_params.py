"""Settings of the regional engine (:mod:`.regional`), each with its reason.

Their own module so the engine's steps (:mod:`.regional`,
:mod:`.regional_dual`) read them without importing each other;
:mod:`.regional` re-exports :class:`RegionalParams`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionalParams:
    """Settings of the large-instance strategy, each with its reason.

    Attributes
    ----------
    temperatures
        The smoothing's temperatures, in score units: 10 gets within ~0.4%
        of the dual's minimum, 3 within ~0.05%, 1 within ~0.01% (1.29M).
    iterations
        Most L-BFGS iterations per temperature (they end earlier once
        ``D_tau`` stops falling).
    dual_share
        Most of the stage's time the dual may take.
    delta
        A pair joins a stage's working set when its unit's best set holding
        it is within ``delta`` temperatures of the unit's best (its weight
        is below ``exp(-delta)`` otherwise). 20 keeps 55-80% of the pairs
        at a temperature of 10 and 30-40% at 3 (1.29M).
    per_village
        Each village's best pairs by reduced value, always in the working set.
    threads
        Threads for the smoothed passes and the regional MIPs.
    core_probability
        A pair whose smoothed probability reaches this joins the first core.
    core_seconds
        Most seconds of the first core MIP.
    block_probability, block_per_village
        A regional block keeps the pairs of at least this probability and
        each village's cheapest by forcing cost.
    block_seconds
        Most seconds of one regional MIP.
    block_nodes
        Branch-and-bound nodes of a core or regional MIP under
        ``deterministic``.
    """

    temperatures: tuple[float, ...] = (10.0, 3.0, 1.0)
    iterations: int = 150
    dual_share: float = 0.5
    delta: float = 20.0
    per_village: int = 8
    threads: int = 2
    core_probability: float = 0.15
    core_seconds: float = 10.0
    block_probability: float = 0.02
    block_per_village: int = 3
    block_seconds: float = 8.0
    block_nodes: int = 200
