"""The column-generation engine's settings (:func:`~.engine.run_engine`).

Every field is a plain number, so the settings round-trip through TOML
(:class:`pairing.params.SolveParams`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EngineParams"]


@dataclass(frozen=True)
class EngineParams:
    """Settings of the engine, each with its reason.

    Attributes
    ----------
    warm_lp
        Start from a sifting LP's duals (else from the first master's, with
        presolve: cheaper on large instances, where the LP is slow).
    warm_per_tier
        Pairs per village and tier the warm-start LP starts from (the best
        by objective); pricing adds the rest as they are needed.
    warm_share
        Most of the stage's time the warm-start LP may take.
    generation_share
        Most of the stage's time the warm-start LP and column generation
        take together; the core MIP gets the rest.
    generation_iterations
        Most master solves (under ``deterministic``: exactly this many,
        unless the bound meets the master first).
    smoothing
        Wentges' smoothing: the share of the best multipliers in each
        pricing point (0: plain Kelley cutting planes).
    core_per_village
        Cheapest pairs by forcing cost each village adds to the core.
    core_per_unit
        Cheapest pairs by forcing cost, to villages the fixed core leaves
        free, that each unit R4 obliges to lead keeps when the fixed core
        leaves it free too (else its minimum may have no village left).
    core_per_village_max
        Widest core: once a core is solved to optimality and time remains,
        its cheapest pairs per village double up to this.
    core_nodes
        Branch-and-bound nodes of the core MIP under ``deterministic``.
    core_every, first_core, core_trigger, core_seconds
        While columns are generated, a core MIP of ``core_seconds`` runs every
        ``core_every`` master solves, from the ``first_core``-th on and once
        the master's value is within ``core_trigger`` (relative) of the
        bound: before, the master's support is a poor core (measured on the
        430k default: 2.68M at the 8th solve against 2.734M once the master
        is within 0.2%) and the MIP only slows column generation down.
        After, the core MIP gets the rest of the time.
    gap_tolerance
        The engine stops once its plan is proven within this share of the
        bound (as a MIP solver's relative gap).
    core_thread
        Run the core MIPs during column generation in a second thread (the
        machine's second core; never under ``deterministic``).
    regional_pairs
        From this many candidate pairs on, when the villages' blocks are
        given, the engine takes the regional strategy of :mod:`.regional`
        (smoothed dual, regional MIPs; its own defaults,
        :class:`~.regional.RegionalParams`) instead of column generation,
        whose master LP grows too slow: the 1.29M instance has 2.2M pairs,
        the 430k default about 240k. 0 takes it always. Every field here is
        a plain number, so the settings round-trip through TOML.

    Examples
    --------
    >>> EngineParams(core_seconds=3.0).core_seconds
    3.0
    """

    warm_lp: bool = True
    warm_per_tier: int = 6
    warm_share: float = 0.35
    generation_share: float = 0.65
    generation_iterations: int = 60
    smoothing: float = 0.8
    core_per_village: int = 4
    core_per_unit: int = 3
    core_per_village_max: int = 16
    core_nodes: int = 200
    core_every: int = 6
    first_core: int = 8
    core_trigger: float = 2e-3
    core_seconds: float = 3.0
    gap_tolerance: float = 2e-3
    core_thread: bool = True
    regional_pairs: int = 1_000_000
