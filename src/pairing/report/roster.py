"""The consolidated roster of each prefecture (units → villages → cadres →
households), R16.

One workbook ``roster_<prefecture_id>.xlsx`` per prefecture-level area. Its
first sheet has one row per poor household of the prefecture (opaque ids
only: never a name), numbered, sorted unit → village → responsible person →
household, under the title 《<prefecture>脱贫攻坚包保花名册》; its second
sheet sums it per unit, with a 合计 row equal to the plan's household rows of
the prefecture. Both are laid out for print like the annexes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import atomic
from ..errors import Stopped
from ..instance import Instance
from ..plan import Plan
from ..schema import UNIT_TIERS
from . import _frames as F
from ._labels import (
    LABELS,
    SHEET_TITLES,
    SHEETS,
    TIER_WORDS,
    check_lang,
    header,
    pick,
)
from ._names import file_stems
from ._workbook import Sheet, write_workbook
from .annex import _with_total

__all__ = ["roster_rows", "roster_sheets", "rosters", "write_rosters"]

ROSTER_COLUMNS = [
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


def _cat(values: np.ndarray, pos: np.ndarray) -> pd.Categorical:
    """``values[pos]`` as a categorical (few distinct values: no string per row)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes[pos], pd.Index(uniques, dtype=object))


def _rank(values: Any) -> np.ndarray:
    """Dense rank of strings in code-point order (UTF-8 byte order)."""
    arr = pa.array(np.asarray(values, dtype=object), type=pa.string())
    return pc.rank(arr, sort_keys="ascending", tiebreaker="dense").to_numpy()


def roster_rows(instance: Instance, plan: Plan) -> pd.DataFrame:
    """One row per household pairing, with its prefecture, unit and village.

    Returns
    -------
    DataFrame
        Columns ``p`` (prefecture position, -1 when none), the raw codes
        ``tier_code`` / ``unit_code`` used for sorting, ``v`` (village
        position), ``c`` (cadre position or -1), and the columns of
        :data:`ROSTER_COLUMNS` with plain values (tier codes in English,
        ``poor_village`` bool, ``responsible_kind`` ``cadre``/``leader``);
        names, ids and tiers repeat across rows and are categoricals. The
        "unit" of a household covered by a leader is its village's lead
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
    rnames = np.append(F.region_names(inst), "")
    pref = hf["prefecture"].to_numpy()
    vid = inst.village_index.to_numpy(dtype=object).astype(str)
    return pd.DataFrame(
        {
            "p": pref,
            "tier_code": u_tier[unit],
            "unit_code": unit,
            "v": v,
            "c": hf["c"].to_numpy(),
            "prefecture": _cat(rnames, np.where(pref >= 0, pref, -1)),
            "county": _cat(rnames, hf["county"].to_numpy()),
            "village": _cat(F.village_names(inst), v),
            "village_id": _cat(vid, v),
            "poor_village": inst.v_poor[v],
            "lead_unit": _cat(uname, u_lead),
            "lead_unit_id": _cat(uid, u_lead),
            "tier": _cat(tiers, u_tier[unit]),
            "unit": _cat(uname, u_resp),
            "unit_id": _cat(uid, u_resp),
            "responsible_kind": hf["responsible_kind"].to_numpy(),
            "responsible_id": hf["responsible_id"],
            "household_id": hf["household_id"],
        }
    )


def rosters(
    instance: Instance, plan: Plan, lang: str = "zh"
) -> dict[str, dict[str, pd.DataFrame]]:
    """The roster sheets of every prefecture, by prefecture id.

    Households whose county has no prefecture above it (not expected under
    the data contract) are listed under the province's id.

    Examples
    --------
    >>> import pairing
    >>> from pairing.report import rosters
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> sheets = rosters(instance, plan, lang="en")
    >>> len(sheets), sorted(sheets["220100"])
    (12, ['Roster', 'Units'])
    """
    check_lang(lang)
    inst = instance
    rows = roster_rows(inst, plan)
    # sort keys as integers: ids by their rank in string order
    vrank = _rank(inst.village_index.to_numpy(dtype=object))
    order = np.lexsort(
        (
            _rank(rows["household_id"].to_numpy(dtype=object)),
            _rank(rows["responsible_id"].to_numpy(dtype=object)),
            vrank[rows["v"].to_numpy()],
            rows["unit_code"].to_numpy(),
            rows["tier_code"].to_numpy(),
            rows["p"].to_numpy(),
        )
    )
    rows = rows.take(order).reset_index(drop=True)
    yes, no = pick(LABELS, "yes", lang), pick(LABELS, "no_", lang)
    rows["poor_village"] = pd.Categorical.from_codes(
        np.where(rows["poor_village"].to_numpy(), 0, 1), pd.Index([yes, no])
    )
    words = {t: pick(TIER_WORDS, t, lang) for t in TIER_WORDS} | {"": ""}
    rows["tier"] = rows["tier"].cat.rename_categories(
        [words.get(c, c) for c in rows["tier"].cat.categories]
    )
    kinds = {
        "cadre": pick(LABELS, "cadre", lang),
        "leader": pick(LABELS, "leader_kind", lang),
    }
    kind = rows["responsible_kind"].to_numpy(dtype=object)
    is_cadre = kind == "cadre"
    rows["responsible_kind"] = pd.Categorical.from_codes(
        np.select([is_cadre, kind == "leader"], [0, 1], 2),
        pd.Index([kinds["cadre"], kinds["leader"], ""]),
    )
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    uid = np.append(inst.unit_index.to_numpy(dtype=object).astype(str), "")
    uname = np.append(F.unit_names(inst), "")
    tier_word = np.append([pick(TIER_WORDS, t, lang) for t in UNIT_TIERS], "").astype(
        object
    )
    out: dict[str, dict[str, pd.DataFrame]] = {}
    p_all = rows["p"].to_numpy()
    bounds = np.flatnonzero(np.diff(p_all)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(rows)]])
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if s == e:
            continue
        part = rows.iloc[s:e]
        p = int(p_all[s])
        key = rid[p] if p >= 0 else rid[inst.province]
        sheet = part[ROSTER_COLUMNS].reset_index(drop=True)
        sheet.insert(0, "no", np.arange(1, len(sheet) + 1, dtype=np.int64))
        summary = _unit_summary(part, len(uid))
        units = pd.DataFrame(
            {
                "tier": tier_word[summary["tier_code"]],
                "unit": uname[summary["unit_code"]],
                "unit_id": uid[summary["unit_code"]],
                "villages_n": summary["villages_n"],
                "cadres": summary["cadres"],
                "households": summary["households"],
                "by_leaders": summary["by_leaders"],
            }
        )

        units = _with_total(
            units, ["villages_n", "cadres", "households", "by_leaders"], lang
        )
        out[key] = {
            pick(SHEETS, "roster", lang): sheet.rename(
                columns=header(["no", *ROSTER_COLUMNS], lang)
                | {"unit": pick(LABELS, "responsible_unit", lang)}
            ),
            pick(SHEETS, "roster_units", lang): units.rename(
                columns=header(list(units.columns), lang)
            ),
        }
    return out


def _unit_summary(part: pd.DataFrame, n_units: int) -> dict[str, np.ndarray]:
    """Per (tier, unit) of one prefecture's rows, in that order: distinct
    villages, distinct cadres, households, households taken by leaders."""
    tc = part["tier_code"].to_numpy()
    uc = part["unit_code"].to_numpy()
    uc = np.where(uc >= 0, uc, n_units - 1)  # the "" unit sorts last
    g = tc.astype(np.int64) * n_units + uc
    keys, inv = np.unique(g, return_inverse=True)
    c = part["c"].to_numpy()
    v = part["v"].to_numpy()

    def distinct(x: np.ndarray, sel: np.ndarray) -> np.ndarray:
        width = int(x.max(initial=0)) + 1
        pairs = np.unique(inv[sel].astype(np.int64) * width + x[sel])
        return np.bincount(pairs // width, minlength=len(keys)).astype(np.int64)

    everyone = np.ones(len(part), dtype=bool)
    return {
        "tier_code": keys // n_units,
        "unit_code": keys % n_units,
        "villages_n": distinct(v, everyone),
        "cadres": distinct(c, c >= 0),
        "households": np.bincount(inv, minlength=len(keys)).astype(np.int64),
        "by_leaders": np.bincount(inv, weights=c < 0, minlength=len(keys)).astype(
            np.int64
        ),
    }


def roster_sheets(
    instance: Instance, plan: Plan, lang: str = "zh", subtitle: str = ""
) -> dict[str, list[Sheet]]:
    """Every prefecture's roster as print-ready sheets, by prefecture id."""
    check_lang(lang)
    names = dict(
        zip(
            instance.region_index.to_numpy(dtype=object).astype(str),
            F.region_names(instance),
            strict=True,
        )
    )
    out = {}
    for pid, sheets in rosters(instance, plan, lang).items():
        area = names.get(pid, pid)
        (roster_name, roster), (units_name, units) = sheets.items()
        count = (
            f"共 {len(roster):,} 户" if lang == "zh" else f"{len(roster):,} households"
        )
        sub = "　".join(x for x in (count, subtitle) if x)
        out[pid] = [
            Sheet(
                name=roster_name,
                frame=roster,
                title=pick(SHEET_TITLES, "roster", lang).format(area=area),
                subtitle=sub,
                frozen_columns=1,
            ),
            Sheet(
                name=units_name,
                frame=units,
                title=pick(SHEET_TITLES, "roster_units", lang).format(area=area),
                subtitle=subtitle,
                total=True,
                frozen_columns=1,
            ),
        ]
    return out


def write_rosters(
    instance: Instance,
    plan: Plan,
    out_dir: str | Path,
    lang: str = "zh",
    subtitle: str = "",
    stop: Callable[[], bool] | None = None,
) -> dict[str, Path]:
    """Write ``roster_<prefecture>.xlsx`` for every prefecture.

    The name is the prefecture's id when that is a safe file name, else a
    readable prefix and a short hash (:func:`pairing.report._names.file_stems`):
    two prefectures never share a file, however their ids are spelt.
    ``stop`` is checked before each workbook (:class:`pairing.errors.Stopped`).

    Returns
    -------
    dict
        ``{"roster:<prefecture_id>": path}``.
    """
    out_dir = Path(out_dir)
    paths: dict[str, Path] = {}
    sheets_by_id = roster_sheets(instance, plan, lang, subtitle)
    stems = file_stems(sheets_by_id)
    for pid, sheets in sheets_by_id.items():
        if stop is not None and stop():
            raise Stopped("the report was stopped")
        path = out_dir / f"roster_{stems[pid]}.xlsx"
        atomic.write_file(path, partial(write_workbook, sheets=sheets, lang=lang))
        paths[f"roster:{pid}"] = path
    return paths
