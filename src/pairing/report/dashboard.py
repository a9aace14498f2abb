"""Coverage and load dashboards per region, and the R9–R12 figures (R16).

Every table here is computed from the instance and the plan alone (numpy
group sums), so it can be checked against the plan's rows; the figures
follow ``docs/semantics.md``. :func:`write_dashboards` writes each table as
CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese)
and, when matplotlib is installed, a PNG chart of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..schema import UNIT_TIERS
from . import _frames as F

__all__ = [
    "cadre_loads",
    "continuity",
    "dashboard_tables",
    "headline",
    "strength_severity",
    "tier_severity",
]

LEADING_TIERS = ("province", "prefecture", "county")


def tier_severity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R9: villages and mean severity per prefecture and tier, inverted pairs.

    Returns
    -------
    DataFrame
        One row per prefecture: ``prefecture_id``, ``name``, then for each
        leading tier ``villages_<tier>`` and ``mean_severity_<tier>``, then
        ``pairs`` (pairs of its villages led by different tiers) and
        ``inverted_share`` (the share where the higher tier's village is
        strictly less severe; 0 when there are no pairs).
    """
    inst = instance
    lf = F.leads(inst, plan)
    prefs = np.flatnonzero(inst.r_level == 1)
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    out: dict[str, Any] = {
        "prefecture_id": rid[prefs],
        "name": F.region_names(inst)[prefs],
    }
    pairs = np.zeros(len(prefs), dtype=np.int64)
    inverted = np.zeros(len(prefs), dtype=np.int64)
    sev = {}
    for t, tier in enumerate(LEADING_TIERS):
        sel = lf[lf["tier_code"] == t]
        n = np.bincount(sel["prefecture"].clip(lower=0), minlength=len(inst.regions))
        s = np.bincount(
            sel["prefecture"].clip(lower=0),
            weights=sel["severity"],
            minlength=len(inst.regions),
        )
        out[f"villages_{tier}"] = n[prefs].astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"mean_severity_{tier}"] = np.where(
                n > 0, s / np.maximum(n, 1), np.nan
            )[prefs]
        sev[t] = sel.groupby("prefecture")["severity"].apply(np.sort)
    for i, p in enumerate(prefs):  # loops over prefectures and tier pairs only
        for hi in range(len(LEADING_TIERS)):
            for lo in range(hi + 1, len(LEADING_TIERS)):
                a = sev[hi].get(p, np.zeros(0))
                b = sev[lo].get(p, np.zeros(0))
                pairs[i] += len(a) * len(b)
                # higher-tier village strictly less severe than the lower-tier one
                inverted[i] += int((len(b) - np.searchsorted(b, a, side="right")).sum())
    out["pairs"] = pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        out["inverted_share"] = np.where(
            pairs > 0, inverted / np.maximum(pairs, 1), 0.0
        )
    return pd.DataFrame(out)


def strength_severity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R10: every unit that leads villages, its strength and what it carries.

    Returns
    -------
    DataFrame
        ``unit_id``, ``name``, ``tier``, ``strength``, ``villages``,
        ``severity`` (total severity of the villages it leads),
        ``households`` (covered by its cadres).
    """
    inst = instance
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    n_u = len(inst.units)
    villages = np.bincount(lf["u"], minlength=n_u)
    sev = np.bincount(lf["u"], weights=lf["severity"], minlength=n_u)
    hh = np.bincount(hf["u"][hf["u"] >= 0], minlength=n_u)
    us = np.flatnonzero(villages > 0)
    return pd.DataFrame(
        {
            "unit_id": inst.unit_index.to_numpy(dtype=object).astype(str)[us],
            "name": F.unit_names(inst)[us],
            "tier": np.asarray(UNIT_TIERS, dtype=object)[inst.u_tier[us]].astype(str),
            "strength": inst.u_strength[us],
            "villages": villages[us].astype(np.int64),
            "severity": sev[us],
            "households": hh[us].astype(np.int64),
        }
    )


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks); NaN when undefined."""
    if len(x) < 2:
        return float("nan")
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def strength_correlations(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R10: Spearman of unit strength with carried severity, per tier; cadre rank
    with household severity (tier ``cadres``)."""
    st = strength_severity(instance, plan)
    rows = [
        {
            "tier": t,
            "units": int((st["tier"] == t).sum()),
            "spearman": spearman(
                st.loc[st["tier"] == t, "strength"].to_numpy(),
                st.loc[st["tier"] == t, "severity"].to_numpy(),
            ),
        }
        for t in LEADING_TIERS
    ]
    hf = F.households(instance, plan)
    by_cadre = hf[hf["c"] >= 0]
    rows.append(
        {
            "tier": "cadres",
            "units": int(by_cadre["c"].nunique()),
            "spearman": spearman(
                instance.c_rank[by_cadre["c"].to_numpy()],
                by_cadre["severity"].to_numpy(),
            ),
        }
    )
    return pd.DataFrame(rows)


def continuity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R11: every resident team, whether its unit leads the village, and why not.

    Returns
    -------
    DataFrame
        ``village_id``, ``prefecture_id``, ``team_unit_id``, ``kind``,
        ``lead_unit_id``, ``kept``, ``keepable`` (the team's unit may lead
        the village under R2 and R4), ``reason`` (empty when kept).
    """
    inst = instance
    lead = F.village_lead(inst, plan)
    tv, tu = inst.t_village, inst.t_unit
    ok = (tv >= 0) & (tu >= 0)
    tv, tu = tv[ok], tu[ok]
    uid = np.append(inst.unit_index.to_numpy(dtype=object).astype(str), "")
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    lu = lead[tv]
    kept = lu == tu
    tier = inst.u_tier[tu]
    region = inst.u_region[tu]
    poor = inst.v_poor[tv]
    in_region = np.select(
        [tier == 0, tier == 1, tier == 2],
        [True, inst.v_prefecture[tv] == region, inst.v_county[tv] == region],
        default=False,
    )
    keepable = poor & in_region & (inst.u_max[tu] > 0)
    reason = np.select(
        [kept, ~poor, tier == 3, ~in_region, inst.u_max[tu] <= 0],
        [
            "",
            "village is not poor",
            "a social unit never leads (R13)",
            "outside the unit's region (R2)",
            "unit may lead no village (R4)",
        ],
        default="unit led other villages (R4 cap or a better plan)",
    )
    vp = inst.v_prefecture[tv]
    return pd.DataFrame(
        {
            "village_id": inst.village_index.to_numpy(dtype=object).astype(str)[tv],
            "prefecture_id": np.where(vp >= 0, rid[np.maximum(vp, 0)], ""),
            "team_unit_id": uid[tu],
            "kind": inst.resident_teams["kind"].to_numpy(dtype=object).astype(str)[ok],
            "lead_unit_id": uid[lu],
            "kept": kept,
            "keepable": keepable,
            "reason": reason.astype(str),
        }
    )


def cadre_loads(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R12: households per cadre, over the cadres of units that carry households.

    Returns
    -------
    DataFrame
        ``load`` (0 … the largest), ``cadres`` with that load.
    """
    inst = instance
    loads = F.cadre_loads(inst, plan)
    carrying = np.bincount(inst.c_unit, weights=loads, minlength=len(inst.units)) > 0
    sel = loads[carrying[inst.c_unit]] if len(inst.cadres) else np.zeros(0, np.int64)
    counts = np.bincount(sel, minlength=1)
    return pd.DataFrame(
        {"load": np.arange(len(counts)), "cadres": counts.astype(np.int64)}
    )


def headline(instance: Instance, plan: Plan) -> dict[str, Any]:
    """The plan's key figures (counts, coverage, R9–R12) as plain data."""
    inst = instance
    hf = F.households(inst, plan)
    loads = F.cadre_loads(inst, plan, hf)
    used = loads[loads > 0]
    vp = plan.village_pairs
    cont = continuity(inst, plan)
    r9 = tier_severity(inst, plan)
    # idle-while-full (R12): a cadre with no household while another cadre of
    # the same unit and rank carries its cap
    key = inst.c_unit * (int(inst.c_rank.max(initial=0)) + 1) + inst.c_rank
    full = np.zeros(int(key.max(initial=0)) + 1, dtype=bool)
    full[key[(loads >= inst.c_cap) & (loads > 0)]] = True
    idle = int(((loads == 0) & full[key]).sum()) if len(key) else 0
    h = hf["h"].to_numpy()
    c = hf["c"].to_numpy()
    cadre_rows = c >= 0
    km = inst.distance(inst.c_unit[c[cadre_rows]], inst.h_village[h[cadre_rows]])
    corr = strength_correlations(inst, plan).set_index("tier")["spearman"]
    tot_pairs = int(r9["pairs"].sum())
    inv = (
        float((r9["pairs"] * r9["inverted_share"]).sum() / tot_pairs)
        if tot_pairs
        else 0.0
    )

    def num(x: float) -> float | None:
        return None if x != x else round(float(x), 4)

    return {
        "poor_villages": int(inst.v_poor.sum()),
        "lead_pairs": int((vp["role"].astype(str) == "lead").sum()),
        "supplementary_pairs": int((vp["role"].astype(str) == "supplementary").sum()),
        "households": len(inst.households),
        "household_pairs": len(plan.household_pairs),
        "households_by_cadres": int(cadre_rows.sum()),
        "households_by_leaders": int((~cadre_rows).sum()),
        "cadres_used": len(used),
        "dispatched": len(plan.dispatch),
        "leaders": len(plan.leader_areas),
        "r9_inverted_share": num(inv),
        **{f"r10_spearman_{t}": num(corr.get(t, np.nan)) for t in corr.index},
        "r11_kept": int(cont["kept"].sum()),
        "r11_keepable": int(cont["keepable"].sum()),
        "r12_mean_load": num(used.mean()) if len(used) else 0.0,
        "r12_max_load": int(used.max()) if len(used) else 0,
        "r12_idle_while_full": idle,
        "r12_mean_km": num(km.mean()) if len(km) else 0.0,
    }


def dashboard_tables(instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
    """Every dashboard table by name (the CSV file stems)."""
    from ..graph import coverage_by_region, units_by_tier

    return {
        "coverage_prefecture": coverage_by_region(instance, plan, "prefecture"),
        "coverage_county": coverage_by_region(instance, plan, "county"),
        "units_by_tier": units_by_tier(instance, plan),
        "r9_tier_severity": tier_severity(instance, plan),
        "r10_strength_severity": strength_severity(instance, plan),
        "r10_correlations": strength_correlations(instance, plan),
        "r11_continuity": continuity(instance, plan),
        "r12_cadre_loads": cadre_loads(instance, plan),
    }


def write_dashboards(
    instance: Instance, plan: Plan, out_dir: str | Path, lang: str = "zh"
) -> dict[str, Path]:
    """Write the dashboard tables (CSV), charts (PNG) and ``figures.json``.

    Charts are skipped when matplotlib is not installed.

    Returns
    -------
    dict
        ``{name: path}``: CSV tables under their names, charts as
        ``chart:<name>``, and ``figures`` (the headline figures).
    """
    from .. import atomic
    from ..cells import write_csv

    out_dir = Path(out_dir)
    paths: dict[str, Path] = {}
    tables = dashboard_tables(instance, plan)
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        write_csv(df, path, report=True)  # no cell runs as a formula
        paths[name] = path
    figures = headline(instance, plan)
    try:  # the shared soft-rule figures, when written
        from ..metrics import soft_figures

        soft = soft_figures(instance, plan)
    except Exception:  # noqa: BLE001 (a missing or failing module: own figures only)
        soft = {}
    path = out_dir / "figures.json"
    atomic.write_json(path, {"figures": figures, "soft": soft})  # strict JSON
    paths["figures"] = path
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return paths
    from ..plotting import save_charts

    paths.update(save_charts(instance, plan, out_dir, tables=tables, lang=lang))
    return paths
