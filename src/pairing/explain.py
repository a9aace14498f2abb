"""Explanations in planners' terms: why this pairing, and what another would cost.

When a unit objects (督查通报), a planner must answer "why is village V led
by unit U and not by W?". :func:`explain` answers from the plan and the
rules, in Chinese and English:

* the chosen unit's value, term by term (:mod:`pairing.score`'s terms);
* the best alternatives, each with what switching would cost — first the
  estimate (the engine's forcing cost when its prices are given, else what
  the village alone loses), then the exact figure: an exact block of the
  labelled model (:func:`pairing.solver.model.restrict`) with the village
  forced to the alternative and its neighbourhood free, solved by CP-SAT —
  and which other villages would have to move;
* the units that could not take it, each with the rule that rules it out
  (R2 region, R4 full, R5 capacity, R6 share, R8 team) and its numbers.

For a household (``household=``) the same for cadres: the chosen cadre's
terms (R10 rank, R12 load and travel), the cadres with room that could take
it and the score change of moving it (exact: nothing else moves), and those
ruled out (R3 unit, R5 full). :meth:`Alternative.apply` turns an
alternative into a plan (a re-plan against this one, R14), so a switching
cost can be checked by switching and re-scoring.

Examples
--------
>>> import pairing
>>> from pairing.explain import explain
>>> instance = pairing.generate(2_000, seed=1)
>>> plan = pairing.solve(instance, time_limit=20)
>>> v = plan.village_pairs["village_id"].iloc[0]
>>> e = explain(instance, plan, village=v)
>>> e.chosen == plan.village_pairs["unit_id"].iloc[0]
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._explain_household import household_explanation
from ._explain_types import Alternative, Explanation, RuledOut, Words
from ._explain_village import village_explanation

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan
    from .solver.lagrange.prices import Prices

__all__ = ["Alternative", "Explanation", "RuledOut", "Words", "explain"]


def explain(
    instance: Instance,
    plan: Plan,
    *,
    village: str | None = None,
    household: str | None = None,
    k: int = 5,
    prices: Prices | None = None,
    time_limit: float = 10.0,
) -> Explanation:
    """Why ``village`` has its lead unit, or ``household`` its cadre.

    Parameters
    ----------
    instance, plan
        The instance and a plan of it.
    village, household
        What to explain (exactly one).
    k
        Alternatives to cost exactly (the best by value).
    prices
        The engine's prices of the plan's solve
        (:attr:`pairing.solver.villages.VillageResult.prices`), for the first
        estimates; without them the estimate is what the village alone loses.
    time_limit
        Seconds for each exact block (CP-SAT).

    Raises
    ------
    KeyError
        When the village is not a poor village of the instance, or the
        household is unknown.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=2)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> lead = plan.village_pairs.iloc[0]
    >>> e = pairing.explain(instance, plan, village=lead["village_id"])
    >>> e.kind, e.chosen == lead["unit_id"]
    ('village', True)
    """
    if (village is None) == (household is None):
        raise ValueError("give exactly one of village= and household=")
    if village is not None:
        return village_explanation(
            instance, plan, str(village), k=k, prices=prices, time_limit=time_limit
        )
    return household_explanation(instance, plan, str(household), k=k)
