"""Coverage and load dashboards per region, and the R9–R13 figures (R16).

Coverage and loads are group sums of the plan's rows. Every soft-rule figure
(R9–R13) and the tables behind it come from :mod:`pairing.metrics`, the
module the solver's ``summary.json`` and the validator read too, so a
figure has one value wherever it is shown: summary, ``pairing validate``,
``figures.json``, the CSV tables, the charts and ``index.html``.
:func:`write_dashboards` writes each table as CSV (UTF-8 with a byte-order
mark, so spreadsheet programs read the Chinese) and a PNG chart of it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..instance import Instance
from ..metrics import LEAD_TIERS, continuity_rows, unit_carried
from ..plan import Plan
from . import _frames as F

__all__ = [
    "cadre_loads",
    "continuity",
    "dashboard_tables",
    "headline",
    "strength_correlations",
    "strength_severity",
    "tier_severity",
]

LEADING_TIERS = LEAD_TIERS


def tier_severity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R9: villages and mean severity per prefecture and tier, inverted pairs.

    Returns
    -------
    DataFrame
        One row per prefecture: ``prefecture_id``, ``name``, then for each
        leading tier ``villages_<tier>`` and ``mean_severity_<tier>``, then
        ``pairs`` (pairs of its villages led by different tiers),
        ``inverted_pairs`` and ``inverted_share`` (the share where the
        higher tier's village is strictly less severe; 0 when there are no
        pairs), as :func:`pairing.metrics.soft_figures` counts them.
    """
    inst = instance
    r9 = F.soft(inst, plan)["R9"]
    prefs = np.flatnonzero(inst.r_level == 1)
    rid = pd.Index(inst.region_index.to_numpy(dtype=object).astype(str)[prefs])
    cols = ["prefecture_id", "tier", "villages", "mean_severity"]
    rows = pd.DataFrame(r9["by_prefecture_tier"], columns=cols)
    per = pd.DataFrame(
        r9["by_prefecture"],
        columns=["prefecture_id", "pairs", "inverted_pairs", "inverted_share"],
    ).set_index("prefecture_id")
    out: dict[str, Any] = {
        "prefecture_id": rid.to_numpy(),
        "name": F.region_names(inst)[prefs],
    }
    for tier in LEADING_TIERS:
        mine = rows[rows["tier"] == tier].set_index("prefecture_id")
        out[f"villages_{tier}"] = (
            mine["villages"].reindex(rid).fillna(0).to_numpy(dtype=np.int64)
        )
        out[f"mean_severity_{tier}"] = (
            mine["mean_severity"].reindex(rid).to_numpy(dtype=np.float64)
        )
    for col in ("pairs", "inverted_pairs"):
        out[col] = per[col].reindex(rid).fillna(0).to_numpy(dtype=np.int64)
    share = pd.to_numeric(per["inverted_share"], errors="coerce")
    out["inverted_share"] = share.reindex(rid).fillna(0.0).to_numpy(dtype=np.float64)
    return pd.DataFrame(out)


def strength_severity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R10: every unit of a leading tier, its strength and what it carries.

    Units leading no village are listed with 0, as R10's correlations count
    them (:func:`pairing.metrics.unit_carried`).

    Returns
    -------
    DataFrame
        ``unit_id``, ``name``, ``tier``, ``strength``, ``villages``,
        ``severity`` (total severity of the villages it leads),
        ``village_households`` (poor households of those villages),
        ``households`` (covered by its cadres).
    """
    raw, _, leads, covered = F.metric_views(instance, plan)
    carried = unit_carried(leads, raw)
    units = np.flatnonzero(np.isin(raw.u_tier, LEADING_TIERS))
    unit_of = raw.c_unit[covered["c"].to_numpy()]
    hh = np.bincount(unit_of[unit_of >= 0], minlength=len(raw.u_index))
    return pd.DataFrame(
        {
            "unit_id": raw.u_index.to_numpy(dtype=object).astype(str)[units],
            "name": F.unit_names(instance)[units],
            "tier": raw.u_tier[units].astype(str),
            "strength": raw.u_strength[units],
            "villages": carried["villages"][units],
            "severity": carried["severity"][units],
            "village_households": carried["households"][units],
            "households": hh[units].astype(np.int64),
        }
    )


def strength_correlations(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R10: Spearman of unit strength with carried severity, per tier; cadre rank
    with household severity (tier ``cadres``), as ``summary.json`` has them."""
    r10 = F.soft(instance, plan)["R10"]
    rows = [
        {
            "tier": t,
            "units": int(r10["units_by_tier"][t]),
            "spearman": r10["strength_severity_by_tier"][t],
        }
        for t in LEADING_TIERS
    ]
    _, _, _, covered = F.metric_views(instance, plan)
    rows.append(
        {
            "tier": "cadres",
            "units": int(covered["c"].nunique()),
            "spearman": r10["rank_severity"],
        }
    )
    return pd.DataFrame(rows).astype({"spearman": float})


def continuity(instance: Instance, plan: Plan) -> pd.DataFrame:
    """R11: every resident team of a poor village, whether its unit leads the
    village, and why not (:func:`pairing.metrics.continuity_rows`).

    Returns
    -------
    DataFrame
        ``village_id``, ``prefecture_id``, ``team_unit_id``, ``kind``,
        ``lead_unit_id``, ``kept``, ``keepable`` (the team's unit may lead
        the village under R2 and R4), ``reason`` (empty when kept).
    """
    raw, _, leads, _ = F.metric_views(instance, plan)
    rows = continuity_rows(leads, raw)
    uid = np.append(raw.u_index.to_numpy(dtype=object).astype(str), "")
    vid = raw.v_index.to_numpy(dtype=object).astype(str)
    rid = raw.r_index.to_numpy(dtype=object).astype(str)
    v = rows["v"].to_numpy()
    vp = raw.v_prefecture[v]
    teams = instance.resident_teams
    kind = (
        pd.Series(teams["kind"].to_numpy(dtype=object).astype(str))
        .groupby([teams["village_id"].astype(str), teams["unit_id"].astype(str)])
        .first()
    )
    keys = pd.MultiIndex.from_arrays([vid[v], uid[rows["u"].to_numpy()]])
    return pd.DataFrame(
        {
            "village_id": vid[v],
            "prefecture_id": np.where(vp >= 0, rid[np.maximum(vp, 0)], ""),
            "team_unit_id": uid[rows["u"].to_numpy()],
            "kind": kind.reindex(keys).fillna("").to_numpy(dtype=object).astype(str),
            "lead_unit_id": uid[rows["lead"].to_numpy()],
            "kept": rows["kept"].to_numpy(),
            "keepable": rows["keepable"].to_numpy(),
            "reason": rows["reason"].to_numpy(),
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
    """The plan's key figures (counts, coverage, R9–R13) as plain data.

    Counts are the plan's rows; the R9–R13 figures are
    :func:`pairing.metrics.soft_figures`' (``summary.json``'s and the
    validator's), under flat keys.
    """
    inst = instance
    hf = F.households(inst, plan)
    loads = F.cadre_loads(inst, plan, hf)
    vp = plan.village_pairs
    soft = F.soft(inst, plan)
    r9, r10, r11, r12, r13 = (soft[k] for k in ("R9", "R10", "R11", "R12", "R13"))
    cadre_rows = hf["c"].to_numpy() >= 0
    return {
        "poor_villages": int(inst.v_poor.sum()),
        "lead_pairs": int((vp["role"].astype(str) == "lead").sum()),
        "supplementary_pairs": int((vp["role"].astype(str) == "supplementary").sum()),
        "households": len(inst.households),
        "household_pairs": len(plan.household_pairs),
        "households_by_cadres": int(cadre_rows.sum()),
        "households_by_leaders": int((~cadre_rows).sum()),
        "cadres_used": int((loads > 0).sum()),
        "dispatched": len(plan.dispatch),
        "leaders": len(plan.leader_areas),
        "r9_inverted_share": r9["inverted_share"],
        **{
            f"r10_spearman_{t}": r10["strength_severity_by_tier"][t]
            for t in LEADING_TIERS
        },
        "r10_spearman_cadres": r10["rank_severity"],
        "r11_kept": r11["kept"],
        "r11_keepable": r11["keepable"],
        "r12_mean_load": r12["mean_load_active"],
        "r12_max_load": r12["max_load"],
        "r12_idle_while_full": r12["idle_while_full"],
        "r12_mean_km": r12["mean_travel_km"],
        "r13_claims": r13["claims"],
        "r13_honoured": r13["honoured"],
    }


def dashboard_tables(instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
    """Every dashboard table by name (the CSV file stems); once per report."""
    return F.once("dashboard_tables", instance, plan, partial(_tables, instance, plan))


def _tables(instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
    # start-up time: pairing.graph imports networkx, which only these two need
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
