"""The figures ``pairing inspect`` prints: counts, capacity against demand.

Everything here is computed before any solve, from the instance alone, with
numpy group sums (no loop over households or cadres).

The per-county table reads R3's "县级兜底" exactly as the pre-checks of R15
do (:func:`pairing.precheck.scattered_balance`), so ``inspect`` and ``solve``
name the same counties and prefectures:

* **County-tier spare** of a county: the capacity (R5) of its county-tier
  units, less the least households of the villages they must lead (R4: the
  villages no other tier can carry, then their smallest villages up to the
  units' ``min_villages``), less its scattered households (R3). Negative
  means an overflow the prefecture tier must take.
* **Prefecture-tier spare** of a prefecture: the most its prefecture-tier
  units can take once they carry the least villages they must lead.
* A county is **short** when the pre-checks prove a cause (R3) for it, or
  for its prefecture while the county overflows: its prefecture cannot take
  its overflow, or not every county's overflow together.
* **Households needed** by a tier (a guide, not a proof): for every unit, its
  ``min_villages`` times the mean poor-village households of the area it may
  lead in (R2: the province, its prefecture or its county); for the county
  tier, plus the scattered households.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import Cause
from .instance import Instance
from .precheck import Counts, precheck, scattered_balance
from .schema import LEADER_TIERS, LEVELS, UNIT_TIERS
from .tiers import Tier

__all__ = ["format_figures", "inspect_figures"]


def _mean(total: npt.NDArray[Any], count: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def inspect_figures(
    instance: Instance, causes: list[Cause] | None = None
) -> dict[str, Any]:
    """Counts and capacity-against-demand figures of an instance.

    Parameters
    ----------
    instance
        The instance.
    causes
        :func:`pairing.precheck.precheck` of the instance, when computed
        already (computed here otherwise).

    Returns
    -------
    dict
        ``counts`` (a flat ``{name: int}``: regions by level, key counties,
        villages poor / non-poor, households, people, scattered households,
        units / cadres by tier, leaders by tier, resident teams, claims);
        ``counties`` (a DataFrame, one row per county: ``county_id``, ``name``,
        ``prefecture``, ``key``, ``poor_villages``, ``poor_village_households``,
        ``scattered``, ``county_capacity``, ``county_villages_min``,
        ``county_spare``, ``prefecture_spare``, ``short``); ``tiers`` (a
        DataFrame, one row per unit tier: ``units``, ``cadres``, ``capacity``,
        ``min_villages``, ``max_villages``, ``households_needed``);
        ``causes`` (the pre-checks' causes, R15); ``flagged`` (ids of the
        counties and prefectures the R3 causes name, as ``solve`` does).
    """
    if causes is None:
        causes = precheck(instance)
    inst = instance
    n_regions = len(inst.regions)
    level = inst.r_level
    poor = inst.v_poor
    scattered_h = inst.h_scattered
    counts: dict[str, int] = {}
    for i, name in enumerate(LEVELS):
        counts[f"regions_{name}"] = int((level == i).sum())
    counts["key_counties"] = int(inst.r_key.sum())
    counts["villages_poor"] = int(poor.sum())
    counts["villages_non_poor"] = int((~poor).sum())
    counts["households"] = len(inst.households)
    counts["people"] = int(inst.h_members.sum())
    counts["households_scattered"] = int(scattered_h.sum())
    for i, name in enumerate(UNIT_TIERS):
        counts[f"units_{name}"] = int((inst.u_tier == i).sum())
    c_tier = inst.u_tier[inst.c_unit] if len(inst.cadres) else np.zeros(0, np.int64)
    for i, name in enumerate(UNIT_TIERS):
        counts[f"cadres_{name}"] = int((c_tier == i).sum())
    l_tier = inst.leaders["tier"].to_numpy(dtype=object)
    for name in LEADER_TIERS:
        counts[f"leaders_{name}"] = int((l_tier == name).sum())
    counts["resident_teams"] = len(inst.resident_teams)
    counts["claims"] = len(inst.claims)

    # -- per region sums ------------------------------------------------------
    v_hh = inst.v_households
    county_of_v = inst.v_county
    poor_villages = np.bincount(county_of_v[poor], minlength=n_regions)
    poor_hh = np.bincount(county_of_v[poor], weights=v_hh[poor], minlength=n_regions)
    scattered = np.bincount(inst.h_county[scattered_h], minlength=n_regions).astype(
        np.int64
    )
    cap = inst.u_capacity.astype(np.float64)
    tier = inst.u_tier
    region = inst.u_region
    by_tier_region = np.zeros((len(UNIT_TIERS), n_regions), dtype=np.float64)
    np.add.at(by_tier_region, (tier, region), cap)
    county_cap = by_tier_region[2].astype(np.int64)

    # Mean households per poor village in each region (county, prefecture, all).
    pref_of_v = inst.v_prefecture
    pref_poor_villages = np.bincount(pref_of_v[poor], minlength=n_regions)
    pref_poor_hh = np.bincount(pref_of_v[poor], weights=v_hh[poor], minlength=n_regions)
    mean_hh = np.zeros(n_regions, dtype=np.float64)
    is_county, is_pref = level == Tier.COUNTY, level == Tier.PREFECTURE
    mean_hh[is_county] = _mean(poor_hh, poor_villages)[is_county]
    mean_hh[is_pref] = _mean(pref_poor_hh, pref_poor_villages)[is_pref]
    all_mean = float(_mean(np.array([v_hh[poor].sum()]), np.array([poor.sum()]))[0])
    mean_hh[level == Tier.PROVINCE] = all_mean

    u_min = inst.u_min.astype(np.float64)
    u_max = inst.u_max.astype(np.float64)
    leads = tier < Tier.SOCIAL  # social units never lead (R2)
    u_need = np.where(leads, u_min * mean_hh[region], 0.0)

    # -- per county table: R3 as the pre-checks read it -----------------------
    counties = np.flatnonzero(is_county)
    balance = scattered_balance(Counts(inst))
    b = pd.DataFrame([balance[int(k)] for k in counties])
    r3 = {str(x.region) for x in causes if x.rule == "R3"}
    ids = inst.regions["region_id"].to_numpy(dtype=object).astype(str)
    parent = b["prefecture"].to_numpy() if len(b) else np.zeros(0, np.int64)
    pref_ids = np.where(parent >= 0, ids[np.maximum(parent, 0)], "")
    overflow = b["overflow"].to_numpy() if len(b) else np.zeros(0, np.int64)
    named = np.isin(ids[counties], list(r3))
    short = named | (np.isin(pref_ids, list(r3)) & (overflow > 0))
    names = inst.regions["name"].to_numpy(dtype=object)
    table = pd.DataFrame(
        {
            "county_id": pd.Series(ids[counties], dtype="str"),
            "name": pd.Series(names[counties], dtype="str"),
            "prefecture": pd.Series(pref_ids, dtype="str"),
            "key": inst.r_key[counties],
            "poor_villages": poor_villages[counties].astype(np.int64),
            "poor_village_households": poor_hh[counties].astype(np.int64),
            "scattered": scattered[counties],
            "county_capacity": county_cap[counties],
            "county_villages_min": _column(b, "county_villages_min"),
            "county_spare": county_cap[counties]
            - _column(b, "county_villages_min")
            - scattered[counties],
            "prefecture_spare": _column(b, "prefecture_spare"),
            "short": short,
        }
    )

    # -- per tier table -------------------------------------------------------
    rows = []
    for i, name in enumerate(UNIT_TIERS):
        mine = tier == i
        need = float(u_need[mine].sum())
        if name == "county":
            need += float(scattered_h.sum())
        rows.append(
            {
                "tier": name,
                "units": int(mine.sum()),
                "cadres": int((c_tier == i).sum()),
                "capacity": int(cap[mine].sum()),
                "min_villages": int(u_min[mine & leads].sum()),
                "max_villages": int(u_max[mine & leads].sum()),
                "households_needed": round(need),
            }
        )
    tiers = pd.DataFrame(rows)
    return {
        "counts": counts,
        "counties": table,
        "tiers": tiers,
        "causes": list(causes),
        "flagged": [str(x.region) for x in causes if x.rule == "R3"],
    }


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    return df[name].to_numpy(dtype=np.int64) if len(df) else np.zeros(0, np.int64)


def format_figures(figs: dict[str, Any]) -> str:
    """The figures of :func:`inspect_figures` as readable text."""
    c = figs["counts"]
    lines = [
        "regions: {regions_province} province, {regions_prefecture} prefectures, "
        "{regions_county} counties ({key_counties} key)".format(**c),
        "villages: {villages_poor:,} poor, {villages_non_poor:,} non-poor".format(**c),
        "households: {households:,} ({people:,} people), "
        "{households_scattered:,} scattered".format(**c),
        "units: "
        + ", ".join(f"{c[f'units_{t}']:,} {t}" for t in UNIT_TIERS)
        + "; cadres: "
        + ", ".join(f"{c[f'cadres_{t}']:,} {t}" for t in UNIT_TIERS),
        "leaders: "
        + ", ".join(f"{c[f'leaders_{t}']:,} {t}" for t in LEADER_TIERS)
        + f"; resident teams: {c['resident_teams']:,}; claims: {c['claims']:,}",
        "",
        "By tier (households needed: min villages at the area's mean, "
        "plus scattered for the county tier):",
        _table(figs["tiers"]),
        "",
        "By county (spare = county-tier capacity - households of the villages "
        "its units must lead - scattered households; short: R3 cannot hold):",
        _table(figs["counties"]),
    ]
    causes = figs.get("causes", [])
    if causes:
        lines += ["", "The hard rules cannot all hold (R15):"]
        lines += [f"  - {cause}" for cause in causes]
    return "\n".join(lines)


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "  (none)"
    return df.to_string(index=False)
