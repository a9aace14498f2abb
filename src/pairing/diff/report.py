"""The diff's result type: :class:`PlanDiff`, its counts and its summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .figures import _extra, _fmt_soft, _pct

__all__ = ["PlanDiff"]


@dataclass
class PlanDiff:
    """The differences between plan A (before) and plan B (after).

    Attributes
    ----------
    villages
        One row per poor village whose lead unit changed: ``village_id,
        before, after, tier_before, tier_after, change`` (and ``county_id,
        prefecture_id`` when the instance was given).
    supplementary
        R13 supplementary pairings added or removed: ``village_id, unit_id,
        change``.
    households
        One row per household whose responsible person (or unit) changed:
        ``household_id, before, after, kind_before, kind_after, unit_before,
        unit_after, tier_before, tier_after, change`` (and ``village_id,
        county_id, prefecture_id`` with the instance).
    leaders
        Leaders whose area or contact village changed: ``leader_id,
        area_before, area_after, contact_before, contact_after, change``.
    dispatch
        Dispatched cadres added or removed (R8): ``unit_id, cadre_id,
        is_head, change``.
    by_tier
        Per tier: ``villages_a, villages_b, villages_out, villages_in,
        households_out, households_in`` (moves counted on the side of the
        tier they left / joined).
    by_prefecture, by_county
        Per region (only when the instance was given): ``region_id, name,
        villages, villages_moved, households, households_moved``.
    soft
        The figures side by side: ``figure, a, b, delta`` (from
        ``plan.info``: status, objective, gap, seconds and every number under
        ``soft``); empty when neither plan has them.
    totals
        ``villages`` and ``households`` in A and B (for the shares).

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> same = pairing.diff_plans(plan, plan)
    >>> same.empty, same.counts()["villages_moved"]
    (True, 0)
    """

    villages: pd.DataFrame
    supplementary: pd.DataFrame
    households: pd.DataFrame
    leaders: pd.DataFrame
    dispatch: pd.DataFrame
    by_tier: pd.DataFrame
    by_prefecture: pd.DataFrame | None = None
    by_county: pd.DataFrame | None = None
    soft: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether the plans make the same pairings (figures may still differ)."""
        return all(
            len(df) == 0
            for df in (
                self.villages,
                self.supplementary,
                self.households,
                self.leaders,
                self.dispatch,
            )
        )

    def counts(self) -> dict[str, int]:
        """Numbers of changes by table and kind (``households_moved`` …)."""
        out: dict[str, int] = {}
        for name in ("villages", "supplementary", "households", "leaders", "dispatch"):
            df: pd.DataFrame = getattr(self, name)
            vc = df["change"].value_counts() if len(df) else pd.Series(dtype=int)
            kinds = ["added", "removed"]
            if name in ("villages", "households", "leaders"):
                kinds.insert(0, "moved")
            if name == "households":
                kinds.append("unit")
            for kind in kinds:
                out[f"{name}_{kind}"] = int(vc.get(kind, 0))
        return out

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the diff by name (region tables only when computed)."""
        frames = {
            "villages": self.villages,
            "supplementary": self.supplementary,
            "households": self.households,
            "leaders": self.leaders,
            "dispatch": self.dispatch,
            "by_tier": self.by_tier,
            "soft": self.soft,
        }
        if self.by_prefecture is not None:
            frames["by_prefecture"] = self.by_prefecture
        if self.by_county is not None:
            frames["by_county"] = self.by_county
        return frames

    def summary(self, top: int = 5) -> str:
        """A readable account of what changed from A to B."""
        c = self.counts()
        tv, th = self.totals.get("villages", 0), self.totals.get("households", 0)
        lines = ["Plan A → plan B", "==============="]
        if self.empty:
            lines.append("no pairing changed.")
        else:
            lines += self._move_lines(c, tv, th)
            lines += self._table_lines(top)
        if len(self.soft):
            lines.append("")
            lines.append("  figures:")
            lines += [
                "    " + line
                for line in _fmt_soft(self.soft).to_string(index=False).splitlines()
            ]
        return "\n".join(lines)

    def _move_lines(self, c: dict[str, int], tv: int, th: int) -> list[str]:
        """The summary's moves by table (villages of ``tv``, households of ``th``)."""
        lines: list[str] = []
        lines.append(
            f"  villages: {c['villages_moved']:,} of {tv:,} changed lead unit"
            f"{_pct(c['villages_moved'], tv)}" + _extra(c, "villages")
        )
        if len(self.villages):
            moved = self.villages[self.villages["change"] == "moved"]
            if len(moved):
                pairs = (
                    moved["tier_before"].replace("", "?")
                    + " → "
                    + moved["tier_after"].replace("", "?")
                ).value_counts()
                lines.append(
                    "            by tier: "
                    + ", ".join(f"{k} {v:,}" for k, v in pairs.items())
                )
        lines.append(
            f"  households: {c['households_moved']:,} of {th:,} changed "
            f"responsible person{_pct(c['households_moved'], th)}"
            + _extra(c, "households")
            + (
                f"; {c['households_unit']:,} kept their person under a new unit id"
                if c["households_unit"]
                else ""
            )
        )
        if c["supplementary_added"] or c["supplementary_removed"]:
            lines.append(
                f"  supplementary (R13): {c['supplementary_added']:,} added, "
                f"{c['supplementary_removed']:,} removed"
            )
        lines.append(
            f"  leaders: {c['leaders_moved']:,} changed area or contact village"
            + _extra(c, "leaders")
        )
        lines.append(
            f"  dispatch: {c['dispatch_added']:,} cadres added, "
            f"{c['dispatch_removed']:,} removed"
        )
        return lines

    def _table_lines(self, top: int) -> list[str]:
        """The summary's tables: moves by tier, the ``top`` counties moved most."""
        lines: list[str] = []
        if len(self.by_tier):
            lines.append("")
            lines.append("  by tier:")
            lines += ["    " + line for line in self.by_tier.to_string().splitlines()]
        if self.by_county is not None and len(self.by_county):
            moved = self.by_county[
                (self.by_county["villages_moved"] > 0)
                | (self.by_county["households_moved"] > 0)
            ]
            if len(moved):
                worst = moved.sort_values(
                    ["households_moved", "villages_moved"], ascending=False
                ).head(top)
                lines.append("")
                lines.append(
                    f"  counties with most moves ({len(moved):,} counties touched):"
                )
                lines += [
                    "    " + line for line in worst.to_string(index=False).splitlines()
                ]
        return lines

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"PlanDiff(villages moved {c['villages_moved']}, "
            f"households moved {c['households_moved']}, "
            f"leaders moved {c['leaders_moved']}, "
            f"dispatch +{c['dispatch_added']}/-{c['dispatch_removed']})"
        )
