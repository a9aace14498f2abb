"""The consolidated roster of each prefecture (units → villages → cadres → households), R16.

One workbook ``roster_<prefecture_id>.xlsx`` per prefecture-level area. Its
first sheet has one row per poor household of the prefecture (opaque ids
only: never a name), sorted unit → village → responsible person →
household; its second sheet sums it per unit, with a 合计 row equal to the
plan's household rows of the prefecture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..schema import UNIT_TIERS
from . import _frames as F
from ._labels import LABELS, SHEETS, TIER_WORDS, check_lang, header, pick

__all__ = ["roster_rows", "rosters"]

ROSTER_COLUMNS = [
    "prefecture",
    "county",
    "village",
    "village_id",
    "poor_village",
    "lead_unit",
    "lead_unit_id",
    "tier",
    "unit",
    "unit_id",
    "responsible_kind",
    "responsible_id",
    "household_id",
]


def roster_rows(instance: Instance, plan: Plan) -> pd.DataFrame:
    """One row per household pairing, with its prefecture, unit and village.

    Returns
    -------
    DataFrame
        Columns ``p`` (prefecture position, -1 when none), the raw codes
        ``tier_code`` / ``unit_code`` used for sorting, and the columns of
        :data:`ROSTER_COLUMNS` with plain values (tier codes in English,
        ``poor_village`` bool, ``responsible_kind`` ``cadre``/``leader``).
        The "unit" of a household covered by a leader is its village's lead
        unit, so it sorts with that unit's villages.
    """
    inst = instance
    hf = F.households(inst, plan)
    lead = F.village_lead(inst, plan)
    v = hf["v"].to_numpy()
    u_resp = hf["u"].to_numpy()
    u_lead = lead[v]
    unit = np.where(u_resp >= 0, u_resp, u_lead)
    uid = np.append(inst.unit_index.to_numpy(dtype=object).astype(str), "")
    uname = np.append(F.unit_names(inst), "")
    tiers = np.append(np.asarray(UNIT_TIERS, dtype=object), "").astype(str)
    u_tier = np.append(inst.u_tier, len(UNIT_TIERS))
    rnames = F.region_names(inst)
    pref = hf["prefecture"].to_numpy()
    return pd.DataFrame(
        {
            "p": pref,
            "tier_code": u_tier[unit],
            "unit_code": unit,
            "prefecture": np.where(pref >= 0, rnames[np.maximum(pref, 0)], ""),
            "county": rnames[hf["county"].to_numpy()],
            "village": F.village_names(inst)[v],
            "village_id": inst.village_index.to_numpy(dtype=object).astype(str)[v],
            "poor_village": inst.v_poor[v],
            "lead_unit": uname[u_lead],
            "lead_unit_id": uid[u_lead],
            "tier": tiers[u_tier[unit]],
            "unit": uname[u_resp],
            "unit_id": uid[u_resp],
            "responsible_kind": hf["responsible_kind"].to_numpy(),
            "responsible_id": hf["responsible_id"].to_numpy(),
            "household_id": hf["household_id"].to_numpy(),
        }
    )


def rosters(
    instance: Instance, plan: Plan, lang: str = "zh"
) -> dict[str, dict[str, pd.DataFrame]]:
    """The roster sheets of every prefecture, by prefecture id.

    Households whose county has no prefecture above it (not expected under
    the data contract) are listed under the province's id.
    """
    check_lang(lang)
    inst = instance
    rows = roster_rows(inst, plan)
    rows = rows.sort_values(
        ["p", "tier_code", "unit_code", "village_id", "responsible_id", "household_id"],
        kind="stable",
    )
    yes, no = pick(LABELS, "yes", lang), pick(LABELS, "no_", lang)
    rows["poor_village"] = np.where(rows["poor_village"].to_numpy(), yes, no)
    words = {t: pick(TIER_WORDS, t, lang) for t in TIER_WORDS} | {"": ""}
    rows["tier"] = rows["tier"].map(words)
    kinds = {
        "cadre": pick(LABELS, "cadre", lang),
        "leader": pick(LABELS, "leader_kind", lang),
    }
    rows["responsible_kind"] = rows["responsible_kind"].map(kinds).fillna("")
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    uid = np.append(inst.unit_index.to_numpy(dtype=object).astype(str), "")
    uname = np.append(F.unit_names(inst), "")
    out: dict[str, dict[str, pd.DataFrame]] = {}
    bounds = np.flatnonzero(np.diff(rows["p"].to_numpy())) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(rows)]])
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if s == e:
            continue
        part = rows.iloc[s:e]
        p = int(part["p"].iloc[0])
        key = rid[p] if p >= 0 else rid[inst.province]
        sheet = part[ROSTER_COLUMNS]
        is_cadre = part["responsible_kind"].to_numpy() == kinds["cadre"]
        grouped = part.assign(
            cadre_id=np.where(is_cadre, part["responsible_id"].to_numpy(), None),
            by_leader=~is_cadre,
            unit=uname[part["unit_code"].to_numpy()],
            unit_id=uid[part["unit_code"].to_numpy()],
        ).groupby(["tier_code", "unit_code"], sort=True)
        units = grouped.agg(
            tier=("tier", "first"),
            unit=("unit", "first"),
            unit_id=("unit_id", "first"),
            villages_n=("village_id", "nunique"),
            cadres=("cadre_id", "nunique"),
            households=("household_id", "size"),
            by_leaders=("by_leader", "sum"),
        ).reset_index(drop=True)
        units["by_leaders"] = units["by_leaders"].astype(np.int64)
        from .annex import _with_total

        units = _with_total(
            units, ["villages_n", "cadres", "households", "by_leaders"], lang
        )
        out[key] = {
            pick(SHEETS, "roster", lang): sheet.rename(
                columns=header(ROSTER_COLUMNS, lang)
                | {"unit": pick(LABELS, "responsible_unit", lang)}
            ),
            pick(SHEETS, "roster_units", lang): units.rename(
                columns=header(list(units.columns), lang)
            ),
        }
    return out


def write_rosters(
    instance: Instance, plan: Plan, out_dir: str | Path, lang: str = "zh"
) -> dict[str, Path]:
    """Write ``roster_<prefecture_id>.xlsx`` for every prefecture.

    Returns
    -------
    dict
        ``{"roster:<prefecture_id>": path}``.
    """
    from .. import atomic
    from ._xlsx import write_xlsx

    out_dir = Path(out_dir)
    paths: dict[str, Path] = {}
    for pid, sheets in rosters(instance, plan, lang).items():
        path = out_dir / f"roster_{_safe(pid)}.xlsx"
        atomic.write_file(path, lambda tmp, s=sheets: write_xlsx(tmp, s))
        paths[f"roster:{pid}"] = path
    return paths


def _safe(name: str) -> str:
    """A region id made safe as part of a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"
