"""What changed between two plans: :func:`diff_plans` and :class:`PlanDiff`.

Used by ``pairing diff A B``, by the what-if notebook and by anyone who
wants to see what a re-planning (R14) moved. Every comparison is a
vectorised merge on ids, so a Jilin-sized plan (430,000 households) diffs in
about a second.

Each table of moves has a ``change`` column:

* ``moved`` — the village's lead unit / the household's responsible person /
  the leader's area or contact village differs;
* ``added`` / ``removed`` — the row exists only in plan B / only in plan A
  (a household lifted out of poverty, a new household, a new leader …);
* ``unit`` (households only) — the same person, now under another unit id
  (a merge or split renamed the unit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .instance import Instance

if TYPE_CHECKING:  # Plan.diff calls this module: no circle at run time
    from .plan import Plan

__all__ = ["PlanDiff", "diff_plans"]

TIERS = ("province", "prefecture", "county", "social")


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
            if len(self.by_tier):
                lines.append("")
                lines.append("  by tier:")
                lines += [
                    "    " + line for line in self.by_tier.to_string().splitlines()
                ]
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
                        "    " + line
                        for line in worst.to_string(index=False).splitlines()
                    ]
        if len(self.soft):
            lines.append("")
            lines.append("  figures:")
            lines += [
                "    " + line
                for line in _fmt_soft(self.soft).to_string(index=False).splitlines()
            ]
        return "\n".join(lines)

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


def diff_plans(a: Plan, b: Plan, instance: Instance | None = None) -> PlanDiff:
    """Compare plan ``a`` (before) with plan ``b`` (after).

    Parameters
    ----------
    a, b
        The plans. Neither is modified.
    instance
        When given (usually the instance of ``b``), moves are also counted
        by prefecture and county, and unit tiers are taken from it (else from
        the plans' ``village_pairs``).

    Returns
    -------
    PlanDiff
        The tables of what moved, counts by tier and region, and the figures
        side by side.

    Examples
    --------
    >>> import pairing
    >>> from pairing.scenario import HouseholdsLeave
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> gone = instance.households["household_id"].iloc[0]
    >>> after = HouseholdsLeave([gone]).apply(instance)
    >>> replan = pairing.solve(after, baseline=plan, time_limit=10)
    >>> d = pairing.diff_plans(plan, replan, after)
    >>> d.counts()["households_removed"], d.counts()["villages_moved"]
    (1, 0)
    """
    tier_of = _unit_tiers(a, b, instance)

    # villages: lead rows (R1)
    villages = _compare(
        _lead(a), _lead(b), "village_id", {"unit_id": ("before", "after")}
    )
    villages["tier_before"] = _map(villages["before"], tier_of)
    villages["tier_after"] = _map(villages["after"], tier_of)
    villages = villages[
        ["village_id", "before", "after", "tier_before", "tier_after", "change"]
    ]

    # supplementary pairings (R13)
    sa, sb = _supp(a), _supp(b)
    supplementary = _set_diff(sa, sb, ["village_id", "unit_id"])

    # households
    cols = ["household_id", "responsible_id", "responsible_kind", "unit_id"]
    households = _compare(
        a.household_pairs[cols],
        b.household_pairs[cols],
        "household_id",
        {
            "responsible_id": ("before", "after"),
            "responsible_kind": ("kind_before", "kind_after"),
            "unit_id": ("unit_before", "unit_after"),
        },
        same_unit=True,
    )
    households["tier_before"] = _unit_or_leader_tier(
        households["unit_before"], households["kind_before"], tier_of
    )
    households["tier_after"] = _unit_or_leader_tier(
        households["unit_after"], households["kind_after"], tier_of
    )
    households = households[
        [
            "household_id",
            "before",
            "after",
            "kind_before",
            "kind_after",
            "unit_before",
            "unit_after",
            "tier_before",
            "tier_after",
            "change",
        ]
    ]

    # leaders (R7)
    la = a.leader_areas.merge(a.leader_contacts, on="leader_id", how="outer")
    lb = b.leader_areas.merge(b.leader_contacts, on="leader_id", how="outer")
    leaders = _compare(
        la,
        lb,
        "leader_id",
        {
            "area_id": ("area_before", "area_after"),
            "village_id": ("contact_before", "contact_after"),
        },
    )

    # dispatch (R8)
    da = a.dispatch[["unit_id", "cadre_id", "is_head"]]
    db = b.dispatch[["unit_id", "cadre_id", "is_head"]]
    dispatch = _set_diff(da, db, ["unit_id", "cadre_id"], keep=["is_head"])

    by_tier = _by_tier(a, b, villages, households, tier_of)
    totals = {
        "villages": int(max(len(_lead(a)), len(_lead(b)))),
        "households": int(max(len(a.household_pairs), len(b.household_pairs))),
    }

    by_prefecture = by_county = None
    if instance is not None:
        villages, households, by_prefecture, by_county = _by_region(
            instance, b, villages, households
        )
    return PlanDiff(
        villages=villages.reset_index(drop=True),
        supplementary=supplementary,
        households=households.reset_index(drop=True),
        leaders=leaders.reset_index(drop=True),
        dispatch=dispatch,
        by_tier=by_tier,
        by_prefecture=by_prefecture,
        by_county=by_county,
        soft=_soft(a.info, b.info),
        totals=totals,
    )


# -- comparisons ----------------------------------------------------------------


def _text(df: pd.DataFrame) -> pd.DataFrame:
    """Id/text columns as ``str`` with ``""`` for missing (bools untouched)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out, index=df.index)


def _lead(p: Plan) -> pd.DataFrame:
    vp = p.village_pairs
    return vp.loc[vp["role"] == "lead", ["village_id", "unit_id"]]


def _supp(p: Plan) -> pd.DataFrame:
    vp = p.village_pairs
    return vp.loc[vp["role"] == "supplementary", ["village_id", "unit_id"]]


def _compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    key: str,
    columns: dict[str, tuple[str, str]],
    *,
    same_unit: bool = False,
) -> pd.DataFrame:
    """Rows of ``a``/``b`` (keyed by ``key``) whose ``columns`` differ.

    The first entry of ``columns`` decides ``moved``; with ``same_unit``, a
    difference only in ``unit_id`` is the change ``unit``. Rows are matched
    by position lookups on the key (no sort-merge), in B's order, then the
    rows only in A.
    """
    a = a.drop_duplicates(subset=[key]) if not a[key].is_unique else a
    b = b.drop_duplicates(subset=[key]) if not b[key].is_unique else b
    ka, kb = _col(a[key]), _col(b[key])
    if len(ka) == len(kb) and bool((ka == kb).all()):
        pos = np.arange(len(kb))
    else:
        pos = pd.Index(ka).get_indexer(kb)
    hit = pos >= 0
    only_a = np.ones(len(ka), dtype=bool)
    only_a[pos[hit]] = False
    n_b, n_a_only = len(kb), int(only_a.sum())
    ia = np.concatenate([pos, np.flatnonzero(only_a)])
    found = ia >= 0
    empty = pd.Series([""] * n_a_only, dtype="str")
    cols: dict[str, pd.Series] = {key: pd.concat([kb, ka[only_a]], ignore_index=True)}
    differs = np.zeros(n_b + n_a_only, dtype=bool)
    primary = differs
    for k, (col, (before, after)) in enumerate(columns.items()):
        va, vb = _col(a[col]), _col(b[col])
        bef = va.take(np.maximum(ia, 0)).reset_index(drop=True) if len(va) else None
        bef = (
            bef.where(found, "")
            if bef is not None
            else pd.Series([""] * len(ia), dtype="str")
        )
        aft = pd.concat([vb, empty], ignore_index=True)
        cols[before], cols[after] = bef, aft
        d = (bef != aft).to_numpy(dtype=bool)
        differs = differs | d
        if k == 0:
            primary = d
    added = np.concatenate([~hit, np.zeros(n_a_only, dtype=bool)])
    removed = np.concatenate([np.zeros(n_b, dtype=bool), np.ones(n_a_only, dtype=bool)])
    change = np.select(
        [added, removed, primary, differs],
        ["added", "removed", "moved", "unit" if same_unit else "moved"],
        default="",
    )
    keep = np.flatnonzero(change != "")
    out = pd.DataFrame(
        {c: v.take(keep).reset_index(drop=True) for c, v in cols.items()}
    )
    out["change"] = pd.Series(change[keep], dtype="str")
    return out


def _col(s: pd.Series) -> pd.Series:
    """A column as ``str`` dtype (``""`` for missing) with a fresh index."""
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype(object).where(s.notna(), "").astype("str")
    elif s.hasnans:
        s = s.fillna("")
    return s.reset_index(drop=True)


def _set_diff(
    a: pd.DataFrame, b: pd.DataFrame, on: list[str], keep: list[str] | None = None
) -> pd.DataFrame:
    """Rows (by ``on``) only in ``a`` (``removed``) or only in ``b`` (``added``)."""
    keep = keep or []
    a, b = _text(a[on + keep]), _text(b[on + keep])
    m = a.merge(b[on], on=on, how="outer", indicator=True)
    removed = m.loc[m["_merge"] == "left_only", on + keep]
    m2 = b.merge(a[on], on=on, how="left", indicator=True)
    added = m2.loc[m2["_merge"] == "left_only", on + keep]
    out = pd.concat(
        [added.assign(change="added"), removed.assign(change="removed")],
        ignore_index=True,
    )
    for col in on:
        out[col] = out[col].astype(str)
    if "is_head" in out.columns:
        out["is_head"] = out["is_head"].astype(bool)
    return out[on + keep + ["change"]]


def _unit_tiers(a: Plan, b: Plan, instance: Instance | None) -> pd.Series:
    """Tier by unit id: from the instance, else from the plans' village pairs."""
    parts = [
        p.village_pairs[["unit_id", "tier"]]
        for p in (b, a)
        if "tier" in p.village_pairs
    ]
    if instance is not None:
        parts.insert(0, instance.units[["unit_id", "tier"]])
    both = _text(pd.concat(parts, ignore_index=True))
    both = both[both["tier"] != ""].drop_duplicates(subset=["unit_id"])
    return both.set_index("unit_id")["tier"]


def _map(ids: pd.Series, table: pd.Series) -> pd.Series:
    out = ids.map(table) if len(table) else pd.Series("", index=ids.index)
    return out.astype(object).where(out.notna(), "").astype("str")


def _unit_or_leader_tier(
    unit: pd.Series, kind: pd.Series, tier_of: pd.Series
) -> pd.Series:
    out = _map(unit, tier_of)
    return out.where(kind != "leader", "leader")


def _by_tier(
    a: Plan,
    b: Plan,
    villages: pd.DataFrame,
    households: pd.DataFrame,
    tier_of: pd.Series,
) -> pd.DataFrame:
    """Villages per tier in A and B; villages and households leaving / joining."""
    va = _map(_lead(a)["unit_id"], tier_of).value_counts()
    vb = _map(_lead(b)["unit_id"], tier_of).value_counts()
    vm = villages[villages["change"] == "moved"]
    hm = households[households["change"] == "moved"]
    parts = {
        "villages_a": va,
        "villages_b": vb,
        "villages_out": vm["tier_before"].value_counts(),
        "villages_in": vm["tier_after"].value_counts(),
        "households_out": hm["tier_before"].value_counts(),
        "households_in": hm["tier_after"].value_counts(),
    }
    df = pd.DataFrame(parts).fillna(0).astype(np.int64)
    order = [t for t in (*TIERS, "leader") if t in df.index]
    order += sorted(t for t in df.index if t not in order)
    df = df.loc[order]
    df.index = pd.Index([t if t else "unknown" for t in df.index], name="tier")
    return df


def _by_region(
    instance: Instance,
    b: Plan,
    villages: pd.DataFrame,
    households: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Attach county / prefecture ids and count moves per region."""
    rid = instance.region_index.to_numpy(dtype=object)
    v_county = pd.Series(rid[instance.v_county], index=instance.village_index)
    pref = np.where(instance.v_prefecture >= 0, instance.v_prefecture, 0)
    v_pref = pd.Series(
        np.where(instance.v_prefecture >= 0, rid[pref], ""),
        index=instance.village_index,
    )
    villages = villages.assign(
        county_id=_map(villages["village_id"], v_county),
        prefecture_id=_map(villages["village_id"], v_pref),
    )
    h_village = instance.households.set_index("household_id")["village_id"]
    hv = _map(households["household_id"], h_village)
    households = households.assign(
        village_id=hv,
        county_id=_map(hv, v_county),
        prefecture_id=_map(hv, v_pref),
    )
    names = instance.regions.set_index("region_id")["name"]
    level = instance.regions.set_index("region_id")["level"]

    poor = instance.v_poor
    v_all = pd.DataFrame(
        {
            "county_id": rid[instance.v_county][poor],
            "prefecture_id": v_pref.to_numpy(dtype=object)[poor],
        }
    )
    h_all = pd.DataFrame(
        {
            "county_id": rid[instance.h_county],
            "prefecture_id": v_pref.to_numpy(dtype=object)[instance.h_village],
        }
    )
    vmoved = villages[villages["change"] == "moved"]
    hmoved = households[households["change"] == "moved"]

    def table(col: str, lvl: str) -> pd.DataFrame:
        ids = level.index[level.to_numpy() == lvl]
        df = pd.DataFrame(
            {
                "villages": v_all[col].value_counts(),
                "villages_moved": vmoved[col].value_counts(),
                "households": h_all[col].value_counts(),
                "households_moved": hmoved[col].value_counts(),
            }
        ).reindex(ids)
        df = df.fillna(0).astype(np.int64)
        df.insert(0, "name", _map(pd.Series(ids, index=ids), names).to_numpy())
        df.index.name = "region_id"
        return df.reset_index()

    return (
        villages,
        households,
        table("prefecture_id", "prefecture"),
        table("county_id", "county"),
    )


# -- figures ---------------------------------------------------------------------


def _numbers(info: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Numbers (and short strings) of nested ``info``, keyed by dotted path."""
    out: dict[str, Any] = {}
    for k, v in info.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_numbers(v, key + "."))
        elif isinstance(v, bool):
            out[key] = v
        elif isinstance(v, int | float | np.integer | np.floating):
            out[key] = float(v) if isinstance(v, float | np.floating) else int(v)
        elif isinstance(v, list):
            out[key + ".count"] = len(v)
        elif isinstance(v, str) and len(v) <= 40:
            out[key] = v
    return out


def _soft(a: Mapping[str, Any], b: Mapping[str, Any]) -> pd.DataFrame:
    """Headline figures and the R9–R13 figures of both plans, side by side."""
    rows: list[tuple[str, Any, Any]] = []
    for key in ("status", "method", "objective", "best_bound", "gap"):
        if key in a or key in b:
            rows.append((key, a.get(key), b.get(key)))
    sa = a.get("seconds", {}) or {}
    sb = b.get("seconds", {}) or {}
    if "total" in sa or "total" in sb:
        rows.append(("seconds.total", sa.get("total"), sb.get("total")))
    rows += _score_rows(a.get("score") or {}, b.get("score") or {})
    na = _numbers(a.get("soft", {}) or {}, "soft.")
    nb = _numbers(b.get("soft", {}) or {}, "soft.")
    keys = list(na) + [k for k in nb if k not in na]
    rows += [(k, na.get(k), nb.get(k)) for k in keys]
    df = pd.DataFrame(rows, columns=["figure", "a", "b"])
    df["delta"] = pd.Series(
        [_delta(x, y) for x, y in zip(df["a"], df["b"], strict=True)],
        index=df.index,
        dtype=object,
    )
    return df


def _score_rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The score terms side by side (:mod:`pairing.score`), then the total, then
    R14's keep-bonus on its own row: it is never part of the total."""
    if not a and not b:
        return []
    ta, tb = a.get("by_term", {}) or {}, b.get("by_term", {}) or {}
    terms = list(ta) + [t for t in tb if t not in ta]
    rows: list[tuple[str, Any, Any]] = [
        (f"score.{t}", ta.get(t), tb.get(t)) for t in terms
    ]
    rows.append(("score.total", a.get("total"), b.get("total")))
    rows.append(
        ("score.keep_bonus (R14, apart)", a.get("keep_bonus"), b.get("keep_bonus"))
    )
    return rows


def _delta(x: Any, y: Any) -> float | None:
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
    if not ok or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(y) - float(x)


def _fmt_soft(df: pd.DataFrame) -> pd.DataFrame:
    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "n/a"
        if isinstance(v, bool | str):
            return str(v)
        if isinstance(v, int):
            return f"{v:,}"
        return f"{v:,.4g}"

    out = df.copy()
    for col in ("a", "b"):
        out[col] = out[col].map(fmt)
    out["delta"] = [
        "" if d is None or pd.isna(d) or d == 0 else f"{d:+,.4g}"
        for d in df["delta"].tolist()
    ]
    return out


def _pct(n: int, total: int) -> str:
    return f" ({100 * n / total:.1f}%)" if total else ""


def _extra(c: dict[str, int], name: str) -> str:
    parts = []
    if c.get(f"{name}_added"):
        parts.append(f"{c[f'{name}_added']:,} added")
    if c.get(f"{name}_removed"):
        parts.append(f"{c[f'{name}_removed']:,} removed")
    return ("; " + ", ".join(parts)) if parts else ""
