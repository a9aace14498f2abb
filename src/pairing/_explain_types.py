"""The explanation types: an alternative, a unit ruled out, an explanation.

They sit below :mod:`pairing.explain` and the modules that build
explanations (villages, households), so those import them without a circle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._explain_text import explanation_text

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan

__all__ = ["Alternative", "Explanation", "RuledOut", "Words"]

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
