"""What a report says about itself: the plan's status, gap and bound, the date,
the instance's fingerprint (R16)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ..fingerprint import fingerprint
from ..instance import Instance
from ..plan import Plan

__all__ = ["ReportFacts", "facts"]

STATUS_WORDS = {
    "optimal": ("最优（已证明）", "optimal (proved)"),
    "feasible": ("可行", "feasible"),
    "partial": ("部分方案（有未覆盖项）", "partial (some left uncovered)"),
}


METHOD_WORDS = {
    "cpsat": ("整体精确求解（CP-SAT）", "exact, whole model (CP-SAT)"),
    "decomposed": ("分区分解求解（LP + CP-SAT）", "decomposed (LP + CP-SAT)"),
    "lagrangian": (
        "拉格朗日分解求解（列生成 + 混合整数规划）",
        "Lagrangian decomposition (column generation + MIP)",
    ),
    "heuristic": ("启发式求解", "heuristic"),
}


@dataclass(frozen=True)
class ReportFacts:
    """The facts every report page and workbook shows.

    Attributes
    ----------
    date
        The day the report was made.
    fingerprint
        :func:`pairing.fingerprint` of the instance.
    status, method
        From the plan's ``summary.json`` (empty when unknown).
    objective, bound, gap
        The plan's objective, the best bound proved, and the relative gap
        between them (``None`` when unknown).
    """

    date: dt.date
    fingerprint: str
    status: str
    method: str
    objective: float | None
    bound: float | None
    gap: float | None

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]

    def status_text(self, lang: str) -> str:
        zh, en = STATUS_WORDS.get(self.status, (self.status, self.status))
        return (zh if lang == "zh" else en) or "—"

    def method_text(self, lang: str) -> str:
        zh, en = METHOD_WORDS.get(self.method, (self.method, self.method))
        return (zh if lang == "zh" else en) or "—"

    def date_text(self, lang: str) -> str:
        d = self.date
        return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()

    def stamp(self, lang: str) -> str:
        """The line under a workbook's title: date and instance fingerprint."""
        if lang == "zh":
            return (
                f"编制日期：{self.date_text(lang)}　数据指纹：{self.short_fingerprint}"
            )
        return f"Made {self.date_text(lang)} · instance {self.short_fingerprint}"


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def facts(instance: Instance, plan: Plan, date: dt.date | None = None) -> ReportFacts:
    """The :class:`ReportFacts` of a plan (today's date unless given)."""
    info = plan.info or {}
    return ReportFacts(
        date=date or dt.date.today(),
        fingerprint=fingerprint(instance),
        status=str(info.get("status") or ""),
        method=str(info.get("method") or ""),
        objective=_number(info.get("objective")),
        bound=_number(info.get("best_bound")),
        gap=_number(info.get("gap")),
    )
