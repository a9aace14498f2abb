"""Annex 1 (leaders → areas) and Annex 2 (province-tier units → villages), R16.

Each annex is a workbook whose first sheet is the annex as the planners file
it, one row per leader or unit and a last 合计 (total) row whose figures
equal the plan's; further sheets give the details, with totals that agree
with the first sheet's. The workbooks are laid out for print
(:mod:`pairing.report._workbook`): label and title, repeated header, borders,
A4 fitted to the page width, page numbers.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..instance import Instance
from ..plan import Plan
from ..tiers import Tier
from . import _frames as F
from ._labels import (
    ANNEX_LABELS,
    LABELS,
    LEADER_TIERS,
    SHEET_TITLES,
    SHEETS,
    check_lang,
    header,
    pick,
)
from ._workbook import Sheet, write_workbook

__all__ = ["annex1", "annex2", "annex_sheets", "write_annexes"]


def _with_total(
    df: pd.DataFrame,
    sums: list[str],
    lang: str,
    overrides: dict[str, object] | None = None,
) -> pd.DataFrame:
    """``df`` numbered 1… in ``no``, with a totals row (sum of ``sums``).

    ``overrides`` sets totals that are not the column's sum (persons counted
    once though listed under several villages).
    """
    df = df.reset_index(drop=True)
    df.insert(0, "no", np.arange(1, len(df) + 1, dtype=np.int64))
    numeric = [
        c
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c])
        and not pd.api.types.is_bool_dtype(df[c])
    ]
    total: dict[str, object] = {c: (np.nan if c in numeric else "") for c in df.columns}
    for c in sums:
        total[c] = df[c].sum()
    total.update(overrides or {})
    out = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    for c in df.columns:  # numbers stay numeric (blank in the total row), the rest text
        if c not in numeric:
            out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    # 序号 is a number in every row but the last, which reads 合计
    out["no"] = pd.Series([*range(1, len(df) + 1), pick(LABELS, "total", lang)])
    return out


def leader_rows(instance: Instance, plan: Plan, lang: str = "zh") -> pd.DataFrame:
    """One row per leader: area, contact village, households taken (R7).

    Columns (keys of the labels): ``leader_any``, ``leader_id``,
    ``leader_tier``, ``area``, ``area_id``, ``contact_village``,
    ``contact_village_id``, ``county``, ``households_taken``.
    """
    inst = instance
    ld = inst.leaders
    lid = ld["leader_id"].astype(str).to_numpy()
    la = plan.leader_areas.astype({"leader_id": str, "area_id": str})
    lc = plan.leader_contacts.astype({"leader_id": str, "village_id": str})
    area_of = la.drop_duplicates("leader_id").set_index("leader_id")["area_id"]
    area = area_of.reindex(lid).fillna("").to_numpy(dtype=object).astype(str)
    contact_of = lc.drop_duplicates("leader_id").set_index("leader_id")["village_id"]
    contact = contact_of.reindex(lid).fillna("").to_numpy(dtype=object).astype(str)
    hf = F.households(inst, plan)
    taken = np.bincount(hf["l"].to_numpy()[hf["l"].to_numpy() >= 0], minlength=len(lid))
    rnames = F.region_names(inst)
    ar = inst.region_index.get_indexer(pd.Index(area))
    av = inst.village_index.get_indexer(pd.Index(area))
    vnames = F.village_names(inst)
    area_name = np.where(
        ar >= 0,
        rnames[np.maximum(ar, 0)],
        np.where(av >= 0, vnames[np.maximum(av, 0)], area),
    )
    cv = inst.village_index.get_indexer(pd.Index(contact))
    county = np.where(cv >= 0, rnames[inst.v_county[np.maximum(cv, 0)]], "")
    tiers = ld["tier"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "leader_any": ld["name"].astype(str).to_numpy(),
            "leader_id": lid,
            "leader_tier": [pick(LEADER_TIERS, t, lang) for t in tiers],
            "area": area_name,
            "area_id": area,
            "contact_village": np.where(cv >= 0, vnames[np.maximum(cv, 0)], contact),
            "contact_village_id": contact,
            "county": county,
            "households_taken": taken.astype(np.int64),
        }
    ).assign(_tier=tiers)


def annex1(instance: Instance, plan: Plan, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Annex 1 省级领导脱贫攻坚包片任务分工表, as sheets.

    The first sheet lists the province-tier leaders (R7) with their area,
    contact village and the households they took; its 合计 row counts the
    leaders' households. The second lists the prefecture- and county-tier
    leaders the same way.

    Examples
    --------
    >>> import pairing
    >>> from pairing.report import annex1
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> list(annex1(instance, plan, lang="en"))
    ['Annex 1 leaders', 'Other leaders']
    """
    check_lang(lang)
    rows = leader_rows(instance, plan, lang)
    prov = rows[rows["_tier"] == "province"].drop(columns=["_tier", "leader_tier"])
    prov = prov.rename(columns={"leader_any": "leader"})
    rest = rows[rows["_tier"] != "province"].drop(columns=["_tier"])
    sheets = {
        pick(SHEETS, "annex1", lang): _with_total(prov, ["households_taken"], lang),
        pick(SHEETS, "annex1_all", lang): _with_total(rest, ["households_taken"], lang),
    }
    return {
        k: v.rename(columns=header(list(v.columns), lang)) for k, v in sheets.items()
    }


def unit_villages(
    instance: Instance, plan: Plan, tier: str = "province"
) -> pd.DataFrame:
    """One row per lead pairing of a unit of ``tier``: the village's figures.

    Columns: ``unit_id``, ``village``, ``village_id``, ``county``,
    ``prefecture``, ``severity``, ``village_households``, ``unit_households``
    (households of the village covered by the unit's cadres), ``cadres``
    (distinct cadres of the unit covering them), ``continuity``.
    """
    inst = instance
    lf = F.leads(inst, plan)
    lf = lf[lf["tier"] == tier]
    hf = F.households(inst, plan)
    mine = hf[(hf["u"] >= 0)]
    key = pd.MultiIndex.from_arrays([mine["u"].to_numpy(), mine["v"].to_numpy()])
    g = pd.DataFrame({"c": mine["c"].to_numpy()}, index=key).groupby(level=[0, 1])["c"]
    hh = g.size()
    cadres = g.nunique()
    idx = pd.MultiIndex.from_arrays([lf["u"].to_numpy(), lf["v"].to_numpy()])
    rnames = F.region_names(inst)
    pref = lf["prefecture"].to_numpy()
    return pd.DataFrame(
        {
            "unit_id": lf["unit_id"].to_numpy(),
            "village": F.village_names(inst)[lf["v"].to_numpy()],
            "village_id": lf["village_id"].to_numpy(),
            "county": rnames[lf["county"].to_numpy()],
            "prefecture": np.where(pref >= 0, rnames[np.maximum(pref, 0)], ""),
            "severity": lf["severity"].to_numpy(),
            "village_households": lf["households"].to_numpy(dtype=np.int64),
            "unit_households": hh.reindex(idx, fill_value=0).to_numpy(dtype=np.int64),
            "cadres": cadres.reindex(idx, fill_value=0).to_numpy(dtype=np.int64),
            "continuity": lf["continuity"].to_numpy(),
        }
    )


def annex2(instance: Instance, plan: Plan, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Annex 2 省直部门（单位）脱贫攻坚包保任务分配表, as sheets.

    The first sheet has one row per province-tier unit: its villages (names
    and ids), the poor households of those villages, the households its
    cadres cover, its responsible cadres and its dispatched first team (R8);
    the 合计 row sums them. The second sheet has one row per village.

    Examples
    --------
    >>> import pairing
    >>> from pairing.report import annex2
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> list(annex2(instance, plan, lang="en"))
    ['Annex 2 units', 'Villages']
    """
    check_lang(lang)
    inst = instance
    detail = unit_villages(inst, plan, "province")
    hf = F.households(inst, plan)
    units = np.flatnonzero(inst.u_tier == Tier.PROVINCE)
    uid = inst.unit_index.to_numpy(dtype=object).astype(str)
    loads = F.cadre_loads(inst, plan, hf)
    u_hh = np.bincount(inst.c_unit, weights=loads, minlength=len(uid)).astype(np.int64)
    u_cad = np.bincount(inst.c_unit[loads > 0], minlength=len(uid))
    d = plan.dispatch.astype({"unit_id": str, "cadre_id": str})
    d = d[d["unit_id"].isin(uid[units])]
    by_unit = d.groupby("unit_id", sort=False)
    disp_n = by_unit.size().reindex(uid[units], fill_value=0).to_numpy(dtype=np.int64)
    sep = "、" if lang == "zh" else ", "  # names; ids: ", " (lines break there)
    disp_ids = by_unit["cadre_id"].agg(", ".join).reindex(uid[units], fill_value="")
    heads = inst.u_head[units]
    head_ids = np.where(
        heads >= 0, inst.cadre_index.to_numpy(dtype=object)[np.maximum(heads, 0)], ""
    )
    dset = set(zip(d["unit_id"], d["cadre_id"], strict=True))
    yes, no = pick(LABELS, "yes", lang), pick(LABELS, "no_", lang)
    head_in = [
        "" if not h else (yes if (u, h) in dset else no)
        for u, h in zip(uid[units], head_ids, strict=True)
    ]
    gv = detail.groupby("unit_id", sort=False)
    names = gv["village"].agg(sep.join).reindex(uid[units], fill_value="")
    vids = gv["village_id"].agg(", ".join).reindex(uid[units], fill_value="")
    counts = gv.size().reindex(uid[units], fill_value=0)
    vhh = gv["village_households"].sum().reindex(uid[units], fill_value=0)
    main = pd.DataFrame(
        {
            "unit": F.unit_names(inst)[units],
            "unit_id": uid[units],
            "unit_kind": inst.units["kind"].astype(str).to_numpy()[units],
            "villages": names.to_numpy(),
            "village_ids": vids.to_numpy(),
            "n_villages": counts.to_numpy(dtype=np.int64),
            "village_households": vhh.to_numpy(dtype=np.int64),
            "unit_households": u_hh[units],
            "cadres": u_cad[units].astype(np.int64),
            "dispatched": disp_n,
            "head_dispatched": head_in,
            "dispatched_ids": disp_ids.to_numpy(),
        }
    )
    sums = [
        "n_villages",
        "village_households",
        "unit_households",
        "cadres",
        "dispatched",
    ]
    unit_name = dict(zip(uid, F.unit_names(inst), strict=True))
    detail = detail.assign(unit=detail["unit_id"].map(unit_name))
    detail["continuity"] = np.where(detail["continuity"], yes, no)
    detail = detail[
        [
            "unit",
            "unit_id",
            "village",
            "village_id",
            "county",
            "prefecture",
            "severity",
            "village_households",
            "unit_households",
            "cadres",
            "continuity",
        ]
    ]
    persons = int(main["cadres"].sum())
    sheets = {
        pick(SHEETS, "annex2", lang): _with_total(main, sums, lang),
        pick(SHEETS, "annex2_detail", lang): _with_total(
            detail,
            ["village_households", "unit_households"],
            lang,
            {"cadres": persons},  # persons, as on the first sheet
        ),
    }
    return {
        k: v.rename(columns=header(list(v.columns), lang)) for k, v in sheets.items()
    }


def shared_cadres(instance: Instance, plan: Plan) -> int:
    """Province-tier cadres covering households in more than one village.

    Annex 2's village sheet counts such a cadre under each village; its 合计
    counts persons, as the first sheet does.
    """
    hf = F.households(instance, plan)
    mine = hf[(hf["u"] >= 0) & (instance.u_tier[np.maximum(hf["u"], 0)] == 0)]
    per = mine.drop_duplicates(["c", "v"]).groupby("c").size()
    return int((per > 1).sum())


def annex_sheets(
    instance: Instance, plan: Plan, lang: str = "zh", subtitle: str = ""
) -> dict[str, list[Sheet]]:
    """The annexes as print-ready sheets, by file key (``annex1``, ``annex2``)."""
    check_lang(lang)
    a1 = list(annex1(instance, plan, lang).items())
    a2 = list(annex2(instance, plan, lang).items())
    shared = shared_cadres(instance, plan)
    persons = a2[1][1].iloc[-1][pick(LABELS, "cadres", lang)]
    note = (
        f"注：{shared}名干部包保两个及以上村的贫困户，在各村分别计入“帮扶责任人数”；"
        f"合计栏按人计（{persons:,}人），与附件2主表一致。"
        if lang == "zh"
        else f"Note: {shared} cadre(s) cover households of more than one village "
        f"and are counted under each; the total counts persons ({persons:,}), "
        "as on the first sheet."
    )
    wrap = frozenset(
        pick(LABELS, k, lang) for k in ("villages", "village_ids", "dispatched_ids")
    )
    keys = (("annex1", "annex1"), ("annex1_all", "annex1"))
    keys2 = (("annex2", "annex2"), ("annex2_detail", "annex2"))

    def sheet(key: str, label: str, name: str, frame: pd.DataFrame, **kw) -> Sheet:
        return Sheet(
            name=name,
            frame=frame,
            title=pick(SHEET_TITLES, key, lang),
            label=pick(ANNEX_LABELS, label, lang) if key == label else "",
            subtitle=subtitle,
            total=True,
            frozen_columns=2,
            row_height=18,
            **kw,
        )

    return {
        "annex1": [
            sheet(k, lab, name, frame)
            for (k, lab), (name, frame) in zip(keys, a1, strict=True)
        ],
        "annex2": [
            sheet(k, lab, name, frame, wrap=wrap, notes=(note,) if shared and i else ())
            for i, ((k, lab), (name, frame)) in enumerate(zip(keys2, a2, strict=True))
        ],
    }


def write_annexes(
    instance: Instance,
    plan: Plan,
    out_dir: str | Path,
    lang: str = "zh",
    subtitle: str = "",
) -> dict[str, Path]:
    """Write ``annex1_leaders.xlsx`` and ``annex2_province_units.xlsx``."""
    out_dir = Path(out_dir)
    paths = {
        "annex1": out_dir / "annex1_leaders.xlsx",
        "annex2": out_dir / "annex2_province_units.xlsx",
    }
    for key, sheets in annex_sheets(instance, plan, lang, subtitle).items():
        atomic.write_file(paths[key], partial(write_workbook, sheets=sheets, lang=lang))
    return paths
