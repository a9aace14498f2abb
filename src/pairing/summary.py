"""Readable text summaries of plans (``Plan.summary()``) and results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .soft_figures import SoftFigures, _num

if TYPE_CHECKING:
    from .plan import Plan
    from .result import SolveResult


def plan_summary(plan: Plan) -> str:
    """A readable summary: sizes, objective, bound, gap, time, soft rules."""
    info = plan.info
    counts = info.get("counts", {})
    lines = _head(info) + [
        f"    villages: {_num(counts.get('lead_pairs', len(plan.village_pairs)))} led, "
        f"{_num(counts.get('supplementary_pairs', 0))} supplementary",
        f"  households: {_num(counts.get('households', len(plan.household_pairs)))} "
        f"({_num(counts.get('households_by_cadres', 0))} by cadres, "
        f"{_num(counts.get('households_by_leaders', 0))} by leaders)",
        f"    dispatch: {_num(counts.get('dispatched', len(plan.dispatch)))} cadres"
        + _by_tier(info.get("dispatch_by_tier")),
        f"     changes: {len(plan.changes):,}",
    ]
    soft = plan.result.soft if plan.result is not None else _soft(info)
    return "\n".join(lines + _tail(info, soft))


def result_summary(result: SolveResult) -> str:
    """:func:`plan_summary` of a result alone (no tables)."""
    info = result.to_dict()
    return "\n".join(_head(info) + _tail(info, result.soft))


def _soft(info: Mapping[str, Any]) -> SoftFigures:
    soft = info.get("soft")
    return SoftFigures.from_dict(soft if isinstance(soft, Mapping) else None)


def _head(info: Mapping[str, Any]) -> list[str]:
    gap = info.get("gap")
    gap_s = "n/a" if gap is None or gap != gap else f"{100 * gap:.2f}%"
    return [
        "Plan",
        "====",
        f"      status: {info.get('status', 'n/a')}"
        f" (method {info.get('method', 'n/a')})",
        f"   objective: {_num(info.get('objective'))}",
        f"  best bound: {_num(info.get('best_bound'))}",
        f"         gap: {gap_s}",
    ]


def _tail(info: Mapping[str, Any], soft: SoftFigures) -> list[str]:
    lines: list[str] = []
    secs = info.get("seconds", {})
    if secs:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in secs.items() if k != "total")
        lines.append(f"        time: {secs.get('total', 0.0):.2f}s ({stages})")
    if info.get("stopped"):
        lines.append(
            f"     stopped: in the {info['stopped']} stage (the soft figures "
            "were left out: `pairing validate` gives them)"
        )
    text = str(soft)
    if text:
        lines += ["", text]
    return lines


def _by_tier(by_tier: Any) -> str:
    """`` (province 1,000, prefecture 2,000, county 8,000; seed …)`` (R8)."""
    if not by_tier:
        return ""
    tiers = ("province", "prefecture", "county")
    got = ", ".join(f"{t} {_num(by_tier[t]['cadres'])}" for t in tiers)
    seed = " / ".join(_num(by_tier[t]["seed"]) for t in tiers)
    text = f" ({got}; the seed's kick-off: about {seed}"
    scaled = [by_tier[t].get("seed_at_scale") for t in tiers]
    if scaled != [by_tier[t]["seed"] for t in tiers] and None not in scaled:
        text += f", {' / '.join(_num(x) for x in scaled)} at this size"
    return text + ")"
