"""Moves counted by tier, by prefecture and by county."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..instance import Instance
from ..tiers import TIER_NAMES
from .compare import _lead, _map

if TYPE_CHECKING:  # Plan.diff calls this package: no circle at run time
    from ..plan import Plan

TIERS = TIER_NAMES


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
    moved = (
        villages[villages["change"] == "moved"],
        households[households["change"] == "moved"],
    )
    counts = (v_all, h_all, *moved)
    return (
        villages,
        households,
        _region_table(counts, level, names, "prefecture_id", "prefecture"),
        _region_table(counts, level, names, "county_id", "county"),
    )


def _region_table(
    counts: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame],
    level: pd.Series,
    names: pd.Series,
    col: str,
    lvl: str,
) -> pd.DataFrame:
    """Per region of level ``lvl``: its villages and households, and the moved.

    ``counts`` are the poor villages, the households, the villages moved and
    the households moved, each with a ``col`` column of region ids.
    """
    v_all, h_all, vmoved, hmoved = counts
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
