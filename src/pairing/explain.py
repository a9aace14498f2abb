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

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._explain_village import village_explanation

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan
    from .solver.lagrange.prices import Prices

__all__ = ["Alternative", "Explanation", "RuledOut", "explain"]

Words = tuple[str, str]
"""A text in Chinese and English."""


@dataclass(frozen=True)
class Alternative:
    """Another unit (or cadre) that could take the village (or household).

    Attributes
    ----------
    id
        The unit (village explanations) or cadre (household explanations).
    terms
        Its value term by term (objective units).
    estimate
        The first estimate of what switching costs (the engine's forcing
        cost when its prices are known, else the value difference alone).
    cost
        What switching costs exactly (the objective lost; negative: a gain),
        ``None`` when no switch is possible.
    moves
        What else would have to move: ``(village, from unit, to unit)``.
    status
        ``optimal`` (the exact block was solved to optimality), ``feasible``
        or ``infeasible`` (no switch keeps every rule).
    note
        Why, in Chinese and English.
    """

    id: str
    terms: dict[str, float]
    estimate: float
    cost: float | None
    moves: tuple[tuple[str, str, str], ...] = ()
    status: str = "optimal"
    note: Words = ("", "")
    leads: dict[str, str] = field(default_factory=dict, repr=False)
    household: bool = False

    def apply(self, instance: Instance, plan: Plan, **kw: Any) -> Plan:
        """The plan with this switch made: a re-plan against ``plan`` (R14)
        with the switched leads as its baseline, so nothing else moves but
        the households that follow their village (R3)."""
        from .solve import solve

        if not self.leads:
            raise ValueError("this alternative cannot be applied (no switch)")
        if self.household:
            from ._fit_apply import move_households

            return move_households(instance, plan, self.leads)
        vp = plan.village_pairs.copy()
        lead = vp["role"] == "lead"
        new = vp.loc[lead, "village_id"].map(self.leads)
        vp.loc[lead & new.notna(), "unit_id"] = new[new.notna()]
        tier = pd.Series(instance.units["tier"].to_numpy(), index=instance.unit_index)
        vp.loc[lead, "tier"] = vp.loc[lead, "unit_id"].map(tier).astype(str)
        base = dataclasses.replace(plan, village_pairs=vp, info={}, result=None)
        return solve(instance, baseline=base, **kw)


@dataclass(frozen=True)
class RuledOut:
    """A unit (or cadre) that could not take it, and the rule that rules it out."""

    id: str
    rule: str
    why: Words


@dataclass(frozen=True)
class Explanation:
    """Why a village has its lead unit (or a household its cadre).

    Attributes
    ----------
    kind
        ``village`` or ``household``.
    id
        The village or household.
    chosen
        Its lead unit, or its responsible cadre or leader.
    terms
        The chosen pairing's value term by term (objective units).
    alternatives
        The best others, best first, each with its switching cost.
    ruled_out
        The units (cadres) that could not take it, with their rules.
    notes
        Further lines (what the comparison counts), Chinese and English.
    """

    kind: str
    id: str
    chosen: str
    terms: dict[str, float]
    alternatives: tuple[Alternative, ...]
    ruled_out: tuple[RuledOut, ...]
    notes: tuple[Words, ...] = ()

    @property
    def value(self) -> float:
        """The chosen pairing's value (the sum of its terms)."""
        return float(sum(self.terms.values()))

    def text(self, lang: str = "en") -> str:
        """The explanation, readable (``lang``: ``zh`` or ``en``)."""
        from ._explain_text import explanation_text

        return explanation_text(self, lang)

    def __str__(self) -> str:
        return self.text("en")

    def alternatives_frame(self) -> pd.DataFrame:
        """The alternatives as a table: id, value, estimate, cost, moves, status."""
        return pd.DataFrame(
            [
                {
                    "id": a.id,
                    "value": sum(a.terms.values()),
                    "estimate": a.estimate,
                    "cost": a.cost,
                    "moves": len(a.moves),
                    "status": a.status,
                }
                for a in self.alternatives
            ],
            columns=["id", "value", "estimate", "cost", "moves", "status"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "chosen": self.chosen,
            "terms": {k: float(v) for k, v in self.terms.items()},
            "alternatives": [
                {
                    "id": a.id,
                    "terms": {k: float(v) for k, v in a.terms.items()},
                    "estimate": float(a.estimate),
                    "cost": None if a.cost is None else float(a.cost),
                    "moves": [list(m) for m in a.moves],
                    "status": a.status,
                    "note": {"zh": a.note[0], "en": a.note[1]},
                }
                for a in self.alternatives
            ],
            "ruled_out": [
                {"id": r.id, "rule": r.rule, "zh": r.why[0], "en": r.why[1]}
                for r in self.ruled_out
            ],
        }


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
    from .recommend import household_explanation

    return household_explanation(instance, plan, str(household), k=k)
