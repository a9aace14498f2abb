"""Soft-rule figures (R9–R13) of a plan, and the raw-table views they share.

:func:`soft_figures` is called by the solver (for ``summary.json``) and by the
validator (:func:`pairing.validate.validate`). Everything here reads the
instance's normalised tables and the plan's tables with pandas; nothing uses
the solver's arrays, so the figures are an independent account of the plan.

The raw-table view :class:`Raw` and the helpers :func:`plan_frames`,
:func:`lead_pairs`, :func:`cadre_rows` and :func:`may_lead` are shared with
the validator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .schema import PLAN_TABLES

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan

__all__ = [
    "LEAD_TIERS",
    "MAX_BREAKS",
    "Raw",
    "SEED_DISPATCH",
    "cadre_rows",
    "continuity_rows",
    "dispatch_by_tier",
    "figures_from",
    "inverted_pairs",
    "lead_pairs",
    "may_lead",
    "plan_frames",
    "plan_views",
    "soft_figures",
    "spearman",
    "unit_carried",
]

LEAD_TIERS = ("province", "prefecture", "county")
"""Tiers that may lead a village, highest first (R9)."""

MAX_BREAKS = 200
"""R11 breaks listed at most (the total is reported too)."""

OPTIONAL_PLAN_COLUMNS = {
    "village_pairs": ("tier", "continuity"),
    "dispatch": ("is_head",),
}
"""Plan columns a table may lack and still be read (they are informational)."""

_BOOL_COLUMNS = {("village_pairs", "continuity"), ("dispatch", "is_head")}


# -- shared views of the tables ---------------------------------------------


def _ids(values: pd.Series) -> pd.Series:
    """A column as stripped ``str`` ids, ``""`` for empty (integral floats as ints).

    Only a missing value is empty: text such as ``nan`` or ``None`` is an id.
    """
    s = pd.Series(values)
    if isinstance(s.dtype, pd.StringDtype):  # text already: strip it in place
        return s.fillna("").str.strip().astype("str")
    if pd.api.types.is_float_dtype(s.dtype):
        f = s.to_numpy(dtype=np.float64)
        whole = np.isfinite(f) & (np.floor(f) == f)
        obj = s.astype(object)
        obj[whole] = f[whole].astype(np.int64).astype(str)
        s = obj
    out = s.astype(object).where(s.notna(), "").astype(str).str.strip()
    return out.astype("str")


def _flags(values: pd.Series) -> pd.Series:
    s = pd.Series(values)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(bool)
    text = s.astype(object).where(s.notna(), "").astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "y", "t", "是"])


def plan_frames(
    plan: Plan,
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, tuple[str, ...]]]]:
    """The plan's tables with string ids, and the contract columns they lack.

    A table lacking a required contract column is replaced by an empty one
    (so that the rules that need it report what is missing rather than
    crash); a table lacking only an informational column (``tier``,
    ``continuity``, ``is_head``) gets it filled (``""`` / ``False``).

    Returns
    -------
    tables, missing
        ``tables[name]`` has exactly the contract columns, ``str`` dtype
        except the two flags; ``missing`` lists ``(table, columns)``.
    """
    tables: dict[str, pd.DataFrame] = {}
    missing: list[tuple[str, tuple[str, ...]]] = []
    for name, cols in PLAN_TABLES.items():
        df = getattr(plan, name, None)
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(columns=list(cols))
            missing.append((name, cols))
        lacking = tuple(c for c in cols if c not in df.columns)
        if lacking:
            missing.append((name, lacking))
            optional = OPTIONAL_PLAN_COLUMNS.get(name, ())
            if any(c not in optional for c in lacking):
                df = df.iloc[0:0]
        out: dict[str, Any] = {}
        n = len(df)
        for c in cols:
            if c in df.columns:
                col = df[c].reset_index(drop=True)
            else:
                col = pd.Series([None] * n, dtype=object)
            out[c] = _flags(col) if (name, c) in _BOOL_COLUMNS else _ids(col)
        tables[name] = pd.DataFrame(out, index=pd.RangeIndex(n))
    return tables, missing


def _index(values: Any) -> pd.Index:
    s = pd.Series(values)
    if s.dtype == "str":  # normalised already
        return pd.Index(s)
    return pd.Index(_ids(s))


class Raw:
    """The instance's tables as string-id indexes and numpy columns.

    Built from the normalised tables only (not from the solver arrays of
    :class:`~pairing.Instance`), so that the validator's account of a plan
    is independent of the solver's. Positions (``v_county``, ``c_unit`` …) are
    row numbers of the tables; ``-1`` marks an id that is absent.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        rules = instance.rules
        reg = instance.regions
        self.r_index = _index(reg["region_id"])
        self.r_level = reg["level"].to_numpy(dtype=object)
        r_parent = self.r_index.get_indexer(_index(reg["parent_id"]))
        is_county = self.r_level == "county"
        self.r_key = reg["key_county"].to_numpy(dtype=bool) & is_county
        # the prefecture-level region of each region (itself for a prefecture)
        pref = np.where(self.r_level == "prefecture", np.arange(len(reg)), -1)
        up = np.where(is_county & (r_parent >= 0), r_parent, -1)
        up_is_pref = np.zeros(len(reg), dtype=bool)
        up_is_pref[up >= 0] = self.r_level[up[up >= 0]] == "prefecture"
        pref[up_is_pref] = up[up_is_pref]
        self.r_prefecture = pref
        prov = np.flatnonzero(self.r_level == "province")
        self.province = int(prov[0]) if len(prov) else -1

        v = instance.villages
        self.v_index = _index(v["village_id"])
        self.v_county = self.r_index.get_indexer(_index(v["county_id"]))
        self.v_prefecture = np.where(
            self.v_county >= 0, self.r_prefecture[self.v_county], -1
        )
        self.v_key = np.where(self.v_county >= 0, self.r_key[self.v_county], False)
        self.v_poor = v["poor"].to_numpy(dtype=bool)
        self.v_severity = v["severity"].to_numpy(dtype=np.float64)
        self.v_xy = v[["x_km", "y_km"]].to_numpy(dtype=np.float64)

        u = instance.units
        self.u_index = _index(u["unit_id"])
        self.u_tier = u["tier"].to_numpy(dtype=object)
        self.u_region = self.r_index.get_indexer(_index(u["region_id"]))
        c = instance.cadres
        self.c_index = _index(c["cadre_id"])
        self.c_unit = self.u_index.get_indexer(_index(c["unit_id"]))
        n_u = len(u)
        self.u_cadres = np.bincount(self.c_unit[self.c_unit >= 0], minlength=n_u)
        bounds = []
        for which, col in enumerate(("min_villages", "max_villages")):
            table = {t: float(b[which]) for t, b in rules.villages_per_unit.items()}
            default = np.array([table.get(t, 0.0) for t in self.u_tier], dtype=float)
            given = u[col].to_numpy(dtype=np.float64)
            bounds.append(np.where(np.isnan(given), default, given).astype(np.int64))
        self.u_min, self.u_max = bounds
        strength = u["strength"].to_numpy(dtype=np.float64)
        self.u_strength = np.where(np.isnan(strength), self.u_cadres, strength)
        self.u_xy = u[["x_km", "y_km"]].to_numpy(dtype=np.float64)

        # R5: own column, else by rank, else the default
        self.c_rank = c["rank"].to_numpy(dtype=np.int64)
        cap = np.full(len(c), float(rules.max_households))
        for rank, value in rules.max_households_by_rank.items():
            cap[self.c_rank == int(rank)] = float(value)
        own = c["max_households"].to_numpy(dtype=np.float64)
        self.c_cap = np.where(np.isnan(own), cap, own).astype(np.int64)
        self.c_head = c["is_head"].to_numpy(dtype=bool)

        h = instance.households
        self.h_index = _index(h["household_id"])
        self.h_village = self.v_index.get_indexer(_index(h["village_id"]))
        self.h_severity = h["severity"].to_numpy(dtype=np.float64)

        lt = instance.leaders
        self.l_index = _index(lt["leader_id"])

    def inside(self, villages: np.ndarray, area: str) -> np.ndarray:
        """Whether each village (positions) lies in ``area`` (region or village id)."""
        villages = np.asarray(villages, dtype=np.int64)
        ok = villages >= 0
        out = np.zeros(len(villages), dtype=bool)
        r = self.r_index.get_indexer(pd.Index([area]))[0]
        if r >= 0:
            level = self.r_level[r]
            if level == "province":
                out[ok] = True
            elif level == "prefecture":
                out[ok] = self.v_prefecture[villages[ok]] == r
            else:
                out[ok] = self.v_county[villages[ok]] == r
        vi = self.v_index.get_indexer(pd.Index([area]))[0]
        if vi >= 0:
            out |= villages == vi
        return out


def lead_pairs(village_pairs: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """Usable lead rows: known poor village, known unit; first row per village.

    Returns integer columns ``v`` (village position) and ``u`` (unit position).
    """
    vp = village_pairs
    lead = (vp["role"] == "lead").to_numpy()
    v = raw.v_index.get_indexer(pd.Index(vp["village_id"]))[lead]
    u = raw.u_index.get_indexer(pd.Index(vp["unit_id"]))[lead]
    keep = (v >= 0) & (u >= 0)
    v, u = v[keep], u[keep]
    keep = raw.v_poor[v]
    df = pd.DataFrame({"v": v[keep], "u": u[keep]})
    return df.drop_duplicates("v").reset_index(drop=True)


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)``; in the ids' own order at once, and on
    Arrow-backed text by Arrow's hash lookup (430,000 ids in a tenth of the
    time)."""
    if len(values) == len(index) and pd.Series(values).reset_index(drop=True).equals(
        pd.Series(index, dtype=values.dtype)
    ):
        return np.arange(len(index))
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(pa.array(values.array), value_set=pa.array(index.array))
        return np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)
    except Exception:  # no pyarrow, or ids Arrow cannot take as text
        return np.asarray(index.get_indexer(pd.Index(values)), dtype=np.int64)


def cadre_rows(household_pairs: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """Rows naming a known household and a known cadre (first row per household).

    Integer columns ``h`` (household), ``c`` (cadre), ``v`` (village).
    """
    hp = household_pairs
    is_c = (hp["responsible_kind"] == "cadre").to_numpy()
    h = _positions(raw.h_index, hp["household_id"])[is_c]
    c = _positions(raw.c_index, hp["responsible_id"])[is_c]
    keep = (h >= 0) & (c >= 0)
    df = pd.DataFrame({"h": h[keep], "c": c[keep]}).drop_duplicates("h")
    df["v"] = raw.h_village[df["h"].to_numpy()]
    return df.reset_index(drop=True)


# -- figures ------------------------------------------------------------------


def _float(x: Any) -> float | None:
    """A plain float, ``None`` for NaN / inf / None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def spearman(a: Any, b: Any) -> float | None:
    """Spearman rank correlation (average ranks for ties); ``None`` when undefined."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(a) < 2:
        return None
    ra = pd.Series(a).rank(method="average").to_numpy(dtype=np.float64, copy=True)
    rb = pd.Series(b).rank(method="average").to_numpy(dtype=np.float64, copy=True)
    ra = ra - ra.mean()
    rb = rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    if den == 0.0:
        return None
    return _float(max(-1.0, min(1.0, float(ra @ rb) / den)))


def inverted_pairs(higher: np.ndarray, lower: np.ndarray) -> int:
    """Pairs ``(i, j)`` with ``higher[i] < lower[j]`` strictly (R9), in O(n log n)."""
    lo = np.sort(np.asarray(lower, dtype=np.float64))
    hi = np.asarray(higher, dtype=np.float64)
    return int((len(lo) - np.searchsorted(lo, hi, side="right")).sum())


def _r9(leads: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    v, u = leads["v"].to_numpy(), leads["u"].to_numpy()
    t = pd.Index(LEAD_TIERS).get_indexer(raw.u_tier[u])
    ok = t >= 0
    v, t = v[ok], t[ok]
    pref, sev = raw.v_prefecture[v], raw.v_severity[v]
    rows, per = [], []
    inverted = pairs = 0
    for p in np.unique(pref):
        inp = pref == p
        name = str(raw.r_index[p]) if p >= 0 else ""
        by_tier = [sev[inp & (t == k)] for k in range(3)]
        for k, x in enumerate(by_tier):
            if len(x):
                rows.append(
                    {
                        "prefecture_id": name,
                        "tier": LEAD_TIERS[k],
                        "villages": len(x),
                        "mean_severity": _float(x.mean()),
                    }
                )
        here = there = 0
        for hi in range(3):
            for lo in range(hi + 1, 3):
                here += len(by_tier[hi]) * len(by_tier[lo])
                there += inverted_pairs(by_tier[hi], by_tier[lo])
        per.append(
            {
                "prefecture_id": name,
                "pairs": int(here),
                "inverted_pairs": int(there),
                "inverted_share": _float(there / here) if here else None,
            }
        )
        pairs += here
        inverted += there
    return {
        "by_prefecture_tier": rows,
        "by_prefecture": per,
        "pairs": int(pairs),
        "inverted_pairs": int(inverted),
        "inverted_share": _float(inverted / pairs) if pairs else None,
    }


def unit_carried(leads: pd.DataFrame, raw: Raw) -> dict[str, np.ndarray]:
    """Per unit (positions): villages led, their total severity and households (R10).

    The arrays R10's correlations are computed from; the dashboards list
    them (``r10_strength_severity.csv``).
    """
    n_u = len(raw.u_index)
    v, u = leads["v"].to_numpy(), leads["u"].to_numpy()
    ok = raw.h_village >= 0
    v_hh = np.bincount(raw.h_village[ok], minlength=len(raw.v_index))
    return {
        "villages": np.bincount(u, minlength=n_u).astype(np.int64),
        "severity": np.bincount(u, weights=raw.v_severity[v], minlength=n_u),
        "households": np.bincount(u, weights=v_hh[v], minlength=n_u).astype(np.int64),
    }


def _r10(leads: pd.DataFrame, covered: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    carried = unit_carried(leads, raw)
    by_tier: dict[str, float | None] = {}
    hh_by_tier: dict[str, float | None] = {}
    units: dict[str, int] = {}
    for tier in LEAD_TIERS:
        mask = raw.u_tier == tier
        by_tier[tier] = spearman(raw.u_strength[mask], carried["severity"][mask])
        hh_by_tier[tier] = spearman(raw.u_strength[mask], carried["households"][mask])
        units[tier] = int(mask.sum())
    rank = raw.c_rank[covered["c"].to_numpy()]
    return {
        "strength_severity_by_tier": by_tier,
        "strength_households_by_tier": hh_by_tier,
        "units_by_tier": units,
        "rank_severity": spearman(rank, raw.h_severity[covered["h"].to_numpy()]),
        "rank_households": len(covered),
    }


def may_lead(raw: Raw, units: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Whether each unit may lead each village under R2 (positions, element-wise)."""
    units = np.asarray(units, dtype=np.int64)
    villages = np.asarray(villages, dtype=np.int64)
    ok = (units >= 0) & (villages >= 0)
    u, v = np.where(ok, units, 0), np.where(ok, villages, 0)
    tier, region = raw.u_tier[u], raw.u_region[u]
    allowed = (
        (tier == "province")
        | ((tier == "prefecture") & (region == raw.v_prefecture[v]) & (region >= 0))
        | ((tier == "county") & (region == raw.v_county[v]) & (region >= 0))
    )
    return ok & allowed & raw.v_poor[v]


def continuity_rows(leads: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """R11 per resident team of a poor village: kept, keepable, and why not kept.

    Returns
    -------
    DataFrame
        ``v``, ``u`` (village and team unit positions), ``lead`` (the
        village's lead unit, -1 when none), ``kept``, ``keepable`` (the unit
        may lead the village under R2 and R4), ``reason`` (empty when kept).
    """
    teams = raw.instance.resident_teams
    t = pd.DataFrame(
        {
            "v": raw.v_index.get_indexer(_index(teams["village_id"])),
            "u": raw.u_index.get_indexer(_index(teams["unit_id"])),
        }
    ).drop_duplicates()
    t = t[(t["v"] >= 0).to_numpy() & (t["u"] >= 0).to_numpy()]
    tv, tu = t["v"].to_numpy(), t["u"].to_numpy()
    poor = raw.v_poor[tv]
    tv, tu = tv[poor], tu[poor]
    lead_of = np.full(len(raw.v_index), -1, dtype=np.int64)
    lead_of[leads["v"].to_numpy()] = leads["u"].to_numpy()
    lead = lead_of[tv]
    kept = lead == tu
    r2 = may_lead(raw, tu, tv)
    cap = raw.u_max[tu]
    n_led = np.bincount(leads["u"].to_numpy(), minlength=len(raw.u_index))[tu]
    reason = np.where(
        kept,
        "",
        np.where(
            ~r2,
            "unit may not lead it (R2)",
            np.where(
                (cap < 1) | (n_led >= cap),
                "unit over its village cap",
                "objective/capacity",
            ),
        ),
    )
    return pd.DataFrame(
        {
            "v": tv,
            "u": tu,
            "lead": lead,
            "kept": kept,
            "keepable": r2 & (cap >= 1),
            "reason": reason.astype(str),
        }
    )


def _r11(leads: pd.DataFrame, raw: Raw, max_breaks: int) -> dict[str, Any]:
    rows = continuity_rows(leads, raw)
    broken = rows[~rows["kept"].to_numpy()]
    uid = raw.u_index.to_numpy(dtype=object)
    vid = raw.v_index.to_numpy(dtype=object)
    breaks = [
        {
            "village_id": str(vid[v]),
            "unit_id": str(uid[u]),
            "lead_unit_id": str(uid[lead]) if lead >= 0 else "",
            "reason": str(reason),
        }
        for v, u, lead, reason in broken[["v", "u", "lead", "reason"]]
        .head(max_breaks)
        .itertuples(index=False)
    ]
    return {
        "teams": len(rows),
        "kept": int(rows["kept"].sum()),
        "keepable": int(rows["keepable"].sum()),
        "breaks_total": len(broken),
        "breaks": breaks,
    }


def _r12(covered: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    c, v = covered["c"].to_numpy(), covered["v"].to_numpy()
    n_c = len(raw.c_index)
    load = np.bincount(c, minlength=n_c)
    full = (load >= raw.c_cap) & (load > 0)
    # idle-while-full: same unit and rank, one idle while another is at its cap
    group = pd.factorize(pd.MultiIndex.from_arrays([raw.c_unit, raw.c_rank]))[0]
    any_full = np.bincount(group, weights=full, minlength=group.max(initial=-1) + 1)
    idle = (load == 0) & (raw.c_cap > 0) & (any_full[group] > 0)
    unit = raw.c_unit[c]
    ok = unit >= 0
    d = np.hypot(*(raw.u_xy[unit[ok]] - raw.v_xy[v[ok]]).T) if ok.any() else np.zeros(0)
    d = d[np.isfinite(d)]
    active = load[load > 0]
    return {
        "cadres": int(n_c),
        "mean_load": _float(load.mean()) if n_c else None,
        "mean_load_active": _float(active.mean()) if len(active) else None,
        "max_load": int(load.max()) if n_c else 0,
        "idle_while_full": int(idle.sum()),
        "mean_travel_km": _float(d.mean()) if len(d) else None,
        "travel_households": len(d),
    }


def _r13(village_pairs: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    claims = raw.instance.claims
    made = pd.DataFrame(
        {"u": _index(claims["unit_id"]), "v": _index(claims["village_id"])}
    ).drop_duplicates()
    vp = village_pairs
    sup = vp[(vp["role"] == "supplementary").to_numpy()]
    done = set(zip(sup["unit_id"].tolist(), sup["village_id"].tolist(), strict=True))
    honoured = sum(
        (u, v) in done
        for u, v in zip(made["u"].tolist(), made["v"].tolist(), strict=True)
    )
    return {"claims": len(made), "honoured": int(honoured)}


def soft_figures(
    instance: Instance,
    plan: Plan,
    *,
    max_breaks: int = MAX_BREAKS,
    raw: Raw | None = None,
) -> dict[str, Any]:
    """The R9–R13 figures of a plan, as plain JSON-serialisable data.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        The plan (any plan: unknown ids and broken rows are skipped).
    max_breaks
        R11 breaks listed at most.
    raw
        A :class:`Raw` view of ``instance`` already built (the validator's).

    Returns
    -------
    dict
        ``R9``: ``by_prefecture_tier`` (``prefecture_id, tier, villages,
        mean_severity``), ``by_prefecture`` (``prefecture_id, pairs,
        inverted_pairs, inverted_share``), ``pairs``, ``inverted_pairs``,
        ``inverted_share`` (pairs of villages of one prefecture led by
        different tiers where the higher tier's village is strictly lighter).
        ``R10``: ``strength_severity_by_tier`` and
        ``strength_households_by_tier`` (Spearman, per tier, of unit strength
        with the total severity / households of the villages it leads, over
        every unit of the tier: units leading nothing count with 0),
        ``units_by_tier`` (the units each correlation is over),
        ``rank_severity`` (Spearman of cadre rank with household severity
        over the ``rank_households`` cadre-covered households).
        ``R11``: ``teams`` (of poor villages), ``kept``, ``keepable``,
        ``breaks_total``, ``breaks`` (``village_id, unit_id, lead_unit_id,
        reason``; :func:`continuity_rows` has them all).
        ``R12``: ``cadres``, ``mean_load`` (over all cadres),
        ``mean_load_active``, ``max_load``, ``idle_while_full``,
        ``mean_travel_km`` (unit to household's village, where both
        positions are given), ``travel_households``.
        ``R13``: ``claims``, ``honoured``.
        Undefined figures (no data, constant input) are ``None``.
    """
    tables, _ = plan_frames(plan)
    return figures_from(raw or Raw(instance), tables, max_breaks=max_breaks)


def plan_views(
    raw: Raw, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows every figure reads: lead pairs of the leading tiers, cadre rows.

    Returns
    -------
    leads, covered
        :func:`lead_pairs` of the province, prefecture and county tiers, and
        :func:`cadre_rows`.
    """
    leads = lead_pairs(tables["village_pairs"], raw)
    leads = leads[
        pd.Index(LEAD_TIERS).get_indexer(pd.Index(raw.u_tier[leads["u"]])) >= 0
    ]
    return leads, cadre_rows(tables["household_pairs"], raw)


def figures_from(
    raw: Raw, tables: dict[str, pd.DataFrame], *, max_breaks: int = MAX_BREAKS
) -> dict[str, Any]:
    """:func:`soft_figures` from a :class:`Raw` view and :func:`plan_frames` tables."""
    leads, covered = plan_views(raw, tables)
    return {
        "R9": _r9(leads, raw),
        "R10": _r10(leads, covered, raw),
        "R11": _r11(leads, raw, max_breaks),
        "R12": _r12(covered, raw),
        "R13": _r13(tables["village_pairs"], raw),
    }


SEED_DISPATCH = {"province": 1_000, "prefecture": 2_000, "county": 8_000}
"""Kick-off dispatch of the seed (吉办发〔2015〕46号): about 1,000 / 2,000 /
8,000 cadres by the province, prefecture and county tiers (R8)."""

SEED_HOUSEHOLDS = 430_000
"""Poor households of the seed (Jilin, December 2015)."""


def dispatch_by_tier(instance: Instance, plan: Plan) -> dict[str, dict[str, Any]]:
    """Dispatched cadres and units sending a team, by tier, beside the seed (R8).

    Returns
    -------
    dict
        ``{tier: {"cadres", "units", "seed", "seed_at_scale"}}`` for the
        province, prefecture and county tiers; ``seed`` is the seed's figure
        for Jilin, ``seed_at_scale`` the same times this instance's households
        over the seed's 430,000 (rounded).

    Examples
    --------
    >>> from pairing.generate import generate
    >>> from pairing.solve import solve
    >>> inst = generate(2_000, seed=1)
    >>> dispatch_by_tier(inst, solve(inst))["province"]["seed"]
    1000
    """
    units = instance.units
    tier_of = pd.Series(
        units["tier"].to_numpy(dtype=object),
        index=pd.Index(units["unit_id"].to_numpy(dtype=object)),
    )
    d = plan.dispatch
    tiers = tier_of.reindex(pd.Index(d["unit_id"].to_numpy(dtype=object))).to_numpy(
        dtype=object
    )
    scale = len(instance.households) / SEED_HOUSEHOLDS
    out: dict[str, dict[str, Any]] = {}
    for t in LEAD_TIERS:
        mine = tiers == t
        out[t] = {
            "cadres": int(mine.sum()),
            "units": int(pd.unique(d["unit_id"].to_numpy(dtype=object)[mine]).size),
            "seed": SEED_DISPATCH[t],
            "seed_at_scale": round(SEED_DISPATCH[t] * scale),
        }
    return out
