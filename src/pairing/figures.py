"""The figures ``pairing inspect`` prints: counts, capacity against demand.

Everything here is computed before any solve, from the instance alone, with
numpy group sums (no loop over households or cadres).

Two pre-solve readings need a definition:

* **County-tier spare** of a county: the capacity (R5) of the county-tier units
  of the county minus its scattered households (R3). County units need lead
  no village (R4 default 0–3), so this is what they have left once they carry
  every scattered household; negative means a shortfall.
* **Prefecture-tier spare** of a prefecture: the capacity of its
  prefecture-tier units minus the households of the least number of villages
  they must lead (sum of their ``min_villages``, R4), each village counted
  at the prefecture's mean poor-village households. A county is *flagged*
  when its shortfall exceeds the prefecture's spare (less the shortfalls of
  the prefecture's other counties, taken in county order) — R3's "县级兜底"
  cannot hold there. The exact test is the R15 pre-check; this is a guide.
* **Households needed** by a tier: for every unit, its ``min_villages`` times
  the mean poor-village households of the area it may lead in (R2: the
  province, its prefecture or its county); for the county tier, plus the
  scattered households.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .instance import Instance
from .schema import LEADER_TIERS, LEVELS, UNIT_TIERS

__all__ = ["format_figures", "inspect_figures"]


def _mean(total: npt.NDArray[Any], count: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def inspect_figures(instance: Instance) -> dict[str, Any]:
    """Counts and capacity-against-demand figures of an instance.

    Returns
    -------
    dict
        ``counts`` (a flat ``{name: int}``: regions by level, key counties,
        villages poor / non-poor, households, people, scattered households,
        units / cadres by tier, leaders by tier, resident teams, claims);
        ``counties`` (a DataFrame, one row per county: ``county_id``, ``name``,
        ``prefecture``, ``key``, ``poor_villages``, ``poor_village_households``,
        ``scattered``, ``county_capacity``, ``county_spare``,
        ``prefecture_spare``, ``short``); ``tiers`` (a DataFrame, one row per
        unit tier: ``units``, ``cadres``, ``capacity``, ``min_villages``,
        ``max_villages``, ``households_needed``); ``flagged`` (ids of the
        counties whose scattered households cannot be carried).
    """
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
    is_county, is_pref = level == 2, level == 1
    mean_hh[is_county] = _mean(poor_hh, poor_villages)[is_county]
    mean_hh[is_pref] = _mean(pref_poor_hh, pref_poor_villages)[is_pref]
    all_mean = float(_mean(np.array([v_hh[poor].sum()]), np.array([poor.sum()]))[0])
    mean_hh[level == 0] = all_mean

    u_min = inst.u_min.astype(np.float64)
    u_max = inst.u_max.astype(np.float64)
    leads = tier < 3  # social units never lead (R2)
    u_need = np.where(leads, u_min * mean_hh[region], 0.0)
    need_by_region = np.zeros((len(UNIT_TIERS), n_regions), dtype=np.float64)
    np.add.at(need_by_region, (tier, region), u_need)
    pref_spare = by_tier_region[1] - need_by_region[1]

    # -- per county table -----------------------------------------------------
    counties = np.flatnonzero(is_county)
    spare = county_cap[counties] - scattered[counties]
    parent = inst.r_parent[counties]
    short = np.zeros(len(counties), dtype=bool)
    left = pref_spare.copy()
    for k, (s, p) in enumerate(zip(spare.tolist(), parent.tolist(), strict=True)):
        if s < 0:  # a shortfall for the prefecture tier to take (R3)
            have = left[p] if p >= 0 else 0.0
            short[k] = -s > have
            if p >= 0:
                left[p] = have + s
    regions = inst.regions
    names = regions["name"].to_numpy(dtype=object)
    ids = regions["region_id"].to_numpy(dtype=object)
    pref_ids = np.where(parent >= 0, ids[np.maximum(parent, 0)], "")
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
            "county_spare": spare.astype(np.int64),
            "prefecture_spare": np.where(
                parent >= 0, pref_spare[np.maximum(parent, 0)], 0.0
            ).round(1),
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
        "flagged": table.loc[table["short"], "county_id"].tolist(),
    }


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
        "By county (spare = county-tier capacity - scattered households):",
        _table(figs["counties"]),
    ]
    flagged = figs.get("flagged", [])
    if flagged:
        lines += [
            "",
            f"{len(flagged)} county(ies) whose scattered households the county "
            "and prefecture tiers cannot carry (R3): " + ", ".join(flagged),
        ]
    return "\n".join(lines)


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "  (none)"
    return df.to_string(index=False)
