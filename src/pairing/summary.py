"""Readable text summaries of plans (``Plan.summary()``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .plan import Plan


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def plan_summary(plan: Plan) -> str:
    """A readable summary: sizes, objective, bound, gap, time, soft rules."""
    info = plan.info
    counts = info.get("counts", {})
    secs = info.get("seconds", {})
    soft = info.get("soft", {})
    gap = info.get("gap")
    gap_s = "n/a" if gap is None or gap != gap else f"{100 * gap:.2f}%"
    lines = [
        "Plan",
        "====",
        f"      status: {info.get('status', 'n/a')}"
        f" (method {info.get('method', 'n/a')})",
        f"   objective: {_num(info.get('objective'))}",
        f"  best bound: {_num(info.get('best_bound'))}",
        f"         gap: {gap_s}",
        f"    villages: {_num(counts.get('lead_pairs', len(plan.village_pairs)))} led, "
        f"{_num(counts.get('supplementary_pairs', 0))} supplementary",
        f"  households: {_num(counts.get('households', len(plan.household_pairs)))} "
        f"({_num(counts.get('households_by_cadres', 0))} by cadres, "
        f"{_num(counts.get('households_by_leaders', 0))} by leaders)",
        f"    dispatch: {_num(counts.get('dispatched', len(plan.dispatch)))} cadres"
        + _by_tier(info.get("dispatch_by_tier")),
        f"     changes: {len(plan.changes):,}",
    ]
    if secs:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in secs.items() if k != "total")
        lines.append(f"        time: {secs.get('total', 0.0):.2f}s ({stages})")
    if soft:
        lines += ["", "Soft rules", "----------"]
        r9 = soft.get("R9", {})
        if r9:
            lines.append(
                f"  R9  inverted pairs (lighter village at a higher tier): "
                f"{_pct(r9.get('inverted_share'))}"
            )
        r10 = soft.get("R10", {})
        if r10:
            per_tier = r10.get("strength_severity_by_tier", {}) or {}
            tiers = ", ".join(f"{t} {_num(v)}" for t, v in per_tier.items())
            lines.append(f"  R10 Spearman strength~severity: {tiers or 'n/a'}")
            lines.append(
                f"      Spearman cadre rank~household severity: "
                f"{_num(r10.get('rank_severity'))}"
            )
        r11 = soft.get("R11", {})
        if r11:
            lines.append(
                f"  R11 continuity kept {r11.get('kept', 0):,} of "
                f"{r11.get('keepable', 0):,} keepable"
            )
        r12 = soft.get("R12", {})
        if r12:
            lines.append(
                f"  R12 load per responsible cadre "
                f"{_num(r12.get('mean_load_active'))} (all cadres "
                f"{_num(r12.get('mean_load'))}), max "
                f"{_num(r12.get('max_load'))}, idle-while-full "
                f"{_num(r12.get('idle_while_full'))}, travel "
                f"{_num(r12.get('mean_travel_km'))} km"
            )
        r13 = soft.get("R13", {})
        if r13:
            lines.append(
                f"  R13 claims honoured {r13.get('honoured', 0):,} of "
                f"{r13.get('claims', 0):,}"
            )
    return "\n".join(lines)


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * float(value):.2f}%"


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
