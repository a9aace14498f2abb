"""The plan tables of the contract, built from the stages' index arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .instance import Instance
from .plan import Plan

__all__ = ["build_plan", "counts"]


def build_plan(
    instance: Instance,
    lead: np.ndarray,
    supplementary: np.ndarray,
    leaders: Any,
    h_cadre: np.ndarray,
    teams: pd.DataFrame,
) -> Plan:
    """The contract's plan tables from the stages' index arrays."""
    uid = instance.unit_index.to_numpy(dtype=object)
    vid = instance.village_index.to_numpy(dtype=object)
    tier = instance.units["tier"].to_numpy(dtype=object)

    # village_pairs: one lead row per poor village (R1), then R13 claims; a
    # partial plan has none for a village it leaves (plan.uncovered)
    pv = instance.poor_villages
    pv = pv[lead[pv] >= 0]
    lu = lead[pv]
    team_key = set(
        zip(instance.t_village.tolist(), instance.t_unit.tolist(), strict=True)
    )
    continuity = np.fromiter(
        ((v, u) in team_key for v, u in zip(pv.tolist(), lu.tolist(), strict=True)),
        dtype=bool,
        count=len(pv),
    )
    sup = np.asarray(supplementary, dtype=np.int64).reshape(-1, 2)
    village_pairs = pd.DataFrame(
        {
            "village_id": np.concatenate([vid[pv], vid[sup[:, 1]]]),
            "unit_id": np.concatenate([uid[lu], uid[sup[:, 0]]]),
            "tier": np.concatenate([tier[lu], tier[sup[:, 0]]]),
            "role": np.array(
                ["lead"] * len(pv) + ["supplementary"] * len(sup), dtype=object
            ),
            "continuity": np.concatenate([continuity, np.zeros(len(sup), dtype=bool)]),
        }
    )

    # household_pairs: a cadre, or the leader who took the household (R7)
    n_h = len(instance.households)
    cid = instance.cadre_index.to_numpy(dtype=object)
    lid = instance.leader_index.to_numpy(dtype=object)
    resp = np.empty(n_h, dtype=object)
    kind = np.empty(n_h, dtype=object)
    unit = np.empty(n_h, dtype=object)
    by_cadre = h_cadre >= 0
    resp[by_cadre] = cid[h_cadre[by_cadre]]
    kind[by_cadre] = "cadre"
    unit[by_cadre] = uid[instance.c_unit[h_cadre[by_cadre]]]
    lh = np.asarray(leaders.households, dtype=np.int64)
    resp[lh] = lid[np.asarray(leaders.household_leader, dtype=np.int64)]
    kind[lh] = "leader"
    unit[lh] = ""
    household_pairs = pd.DataFrame(
        {
            "household_id": instance.households["household_id"].to_numpy(dtype=object),
            "responsible_id": resp,
            "responsible_kind": kind,
            "unit_id": unit,
        }
    )
    covered = by_cadre.copy()
    covered[lh] = True
    if not covered.all():  # a partial plan's households left (plan.uncovered)
        household_pairs = household_pairs[covered].reset_index(drop=True)
    leader_areas = pd.DataFrame(
        {"leader_id": lid, "area_id": np.asarray(leaders.area, dtype=object)}
    )
    leader_contacts = pd.DataFrame(
        {
            "leader_id": lid,
            "village_id": vid[np.asarray(leaders.contact, dtype=np.int64)],
        }
    )
    plan = Plan(
        village_pairs=_str(village_pairs),
        household_pairs=_str(household_pairs),
        leader_areas=_str(leader_areas),
        leader_contacts=_str(leader_contacts),
        dispatch=_str(teams.reset_index(drop=True)),
    )
    return plan


def _str(df: pd.DataFrame) -> pd.DataFrame:
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].astype("str")
    return df


def counts(
    instance: Instance,
    lead: np.ndarray,
    supplementary: np.ndarray,
    leaders: Any,
    h_cadre: np.ndarray,
    teams: pd.DataFrame,
) -> dict[str, int]:
    """The plan's sizes (``summary.json``'s ``counts``), from the index arrays
    :func:`build_plan` builds its tables from (no pass over the text columns)."""
    lh = np.unique(np.asarray(leaders.households, dtype=np.int64))
    by_cadre = np.asarray(h_cadre) >= 0
    by_cadre[lh] = False
    poor = instance.poor_villages
    return {
        "poor_villages": len(poor),
        "lead_pairs": int((lead[poor] >= 0).sum()),  # fewer in a partial plan
        "supplementary_pairs": len(np.asarray(supplementary).reshape(-1, 2)),
        "households": len(instance.households),
        "households_by_cadres": int(by_cadre.sum()),
        "households_by_leaders": len(lh),
        "cadres_responsible": len(np.unique(h_cadre[by_cadre])),
        "units_leading": len(np.unique(lead[poor][lead[poor] >= 0])),
        "dispatched": len(teams),
        "leaders": len(instance.leaders),
    }
