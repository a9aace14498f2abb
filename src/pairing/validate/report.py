"""The validator's report types: :class:`Violation`, :class:`ValidationReport`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._frozen import FrozenDict, freeze
from ..result import SoftFigures

__all__ = ["RULES", "ValidationReport", "Violation"]

RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R13")
"""Rules the validator checks, in report order."""


@dataclass(frozen=True)
class Violation:
    """One breach of a hard rule.

    Parameters
    ----------
    rule
        The rule id (``"R1"`` … ``"R8"``, ``"R13"`` for supplementary rows).
    ids
        The ids involved (village, unit, cadre, leader, household, region).
    message
        What is wrong, with its numbers.

    Examples
    --------
    >>> print(Violation("R5", ("c1",), "cadre c1 carries 6 households, cap 5"))
    R5 cadre c1 carries 6 households, cap 5
    """

    rule: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The violation as plain data."""
        return {"rule": self.rule, "ids": list(self.ids), "message": self.message}


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found (a read-only value).

    Attributes
    ----------
    violations
        The violations listed (at most :data:`LIMIT` per kind of problem).
    soft
        The soft-rule figures (:class:`pairing.result.SoftFigures`, computed
        by :func:`pairing.metrics.soft_figures`).
    unlisted
        Per rule, how many further violations were found but not listed.
    fingerprint
        :func:`pairing.fingerprint` of the instance checked against.
    uncovered
        A partial plan's villages and households without a lead unit or a
        responsible person that its ``uncovered`` table lists (R1 does not
        hold for them; each is checked to be really uncovered).

    Examples
    --------
    >>> r = ValidationReport((Violation("R1", ("v1",), "no lead unit"),))
    >>> r.ok, r.counts()
    (False, {'R1': 1})
    >>> print(ValidationReport().summary())
    Valid: every hard rule (R1–R8) holds.
    """

    violations: tuple[Violation, ...] = ()
    soft: SoftFigures = field(default_factory=SoftFigures)
    unlisted: Mapping[str, int] = field(default_factory=FrozenDict)
    fingerprint: str | None = None
    uncovered: Mapping[str, int] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "violations", tuple(self.violations))
        if not isinstance(self.soft, SoftFigures):
            object.__setattr__(self, "soft", SoftFigures.from_dict(self.soft))
        object.__setattr__(self, "unlisted", freeze(dict(self.unlisted)))
        object.__setattr__(self, "uncovered", freeze(dict(self.uncovered)))

    @property
    def ok(self) -> bool:
        """Whether every hard rule holds (never for a partial plan)."""
        return (
            not self.violations
            and not any(self.unlisted.values())
            and not (self.partial)
        )

    @property
    def partial(self) -> bool:
        """Whether the plan leaves villages or households uncovered, as its
        ``uncovered`` table says (R1 does not hold: a partial plan)."""
        return any(self.uncovered.values())

    @property
    def status(self) -> str:
        """``valid``, ``partial`` (every rule but R1's coverage holds, and
        what is left is listed) or ``invalid``."""
        if self.violations or any(self.unlisted.values()):
            return "invalid"
        return "partial" if self.partial else "valid"

    def counts(self) -> dict[str, int]:
        """Violations found per rule (listed and unlisted), in rule order."""
        n = Counter(v.rule for v in self.violations)
        n.update(self.unlisted)
        return {r: n[r] for r in sorted(n, key=_rule_order) if n[r]}

    def by_rule(self, rule: str) -> list[Violation]:
        """The listed violations of one rule."""
        return [v for v in self.violations if v.rule == rule]

    def rules(self) -> set[str]:
        """The rules with at least one violation."""
        return set(self.counts())

    def summary(self, per_rule: int = 10) -> str:
        """A readable report: violations grouped by rule (capped), then soft figures."""
        counts = self.counts()
        left = (
            f"{self.uncovered.get('villages', 0):,} poor village(s) and "
            f"{self.uncovered.get('households', 0):,} household(s) are left "
            "uncovered, as the plan's uncovered table lists"
        )
        if not counts and self.partial:
            lines = [
                "PARTIAL: every hard rule but R1's coverage holds (R2–R8); "
                + left
                + " (R1, R15)."
            ]
        elif not counts:
            lines = ["Valid: every hard rule (R1–R8) holds."]
        else:
            total = sum(counts.values())
            lines = [
                f"INVALID: {total:,} violation(s) of "
                f"{len(counts)} rule(s) ({', '.join(counts)})"
            ]
            for rule, n in counts.items():
                listed = self.by_rule(rule)
                lines.append(f"\n{rule}: {n:,} violation(s)")
                lines += [f"  - {v.message}" for v in listed[:per_rule]]
                if n > per_rule:
                    lines.append(f"  … and {n - min(per_rule, len(listed)):,} more")
            if self.partial:
                lines.append(f"\nAlso {left}.")
        soft = str(self.soft)
        if soft:
            lines += ["", soft]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable)."""
        return {
            "ok": self.ok,
            "status": self.status,
            "uncovered": dict(self.uncovered),
            "counts": self.counts(),
            "violations": [v.to_dict() for v in self.violations],
            "soft": self.soft.to_dict(),
            "instance_fingerprint": self.fingerprint,
        }


def _rule_order(rule: str) -> int:
    return int(rule[1:]) if rule[1:].isdigit() else 99
