"""Column headers and words of the reports, in Chinese and English."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # annex 1
    "no": ("序号", "No."),
    "leader": ("省级领导", "Province-tier leader"),
    "leader_any": ("领导", "Leader"),
    "leader_id": ("领导编号", "Leader id"),
    "leader_tier": ("层级", "Tier"),
    "area": ("包保片区", "Area"),
    "area_id": ("片区编号", "Area id"),
    "contact_village": ("联系村", "Contact village"),
    "contact_village_id": ("联系村编号", "Contact village id"),
    "county": ("县（市、区）", "County"),
    "prefecture": ("市（州）", "Prefecture"),
    "households_taken": ("包保贫困户数", "Households taken"),
    # annex 2
    "unit": ("部门（单位）", "Unit"),
    "responsible_unit": ("责任人所在单位", "Responsible's unit"),
    "unit_id": ("单位编号", "Unit id"),
    "unit_kind": ("单位类别", "Kind"),
    "villages": ("包保贫困村", "Villages led"),
    "village_ids": ("贫困村编号", "Village ids"),
    "n_villages": ("包保村数", "Villages"),
    "village_households": ("所包村贫困户数", "Households of those villages"),
    "unit_households": ("本单位干部包保户数", "Households covered by its cadres"),
    "cadres": ("帮扶责任人数", "Cadres responsible"),
    "dispatched": ("首批派出干部数", "Dispatched cadres"),
    "dispatched_ids": ("首批派出干部", "Dispatched cadre ids"),
    "head_dispatched": ("主要负责同志带队", "Head leads the team"),
    "village": ("村", "Village"),
    "village_id": ("村编号", "Village id"),
    "severity": ("贫困程度", "Severity"),
    "continuity": ("驻村工作队衔接", "Resident team kept"),
    "total": ("合计", "Total"),
    # roster
    "tier": ("层级", "Tier"),
    "poor_village": ("贫困村", "Poor village"),
    "lead_unit_id": ("包村单位编号", "Lead unit id"),
    "lead_unit": ("包村单位", "Lead unit"),
    "responsible_id": ("帮扶责任人编号", "Responsible id"),
    "responsible_kind": ("责任人类型", "Responsible kind"),
    "household_id": ("贫困户编号", "Household id"),
    "households": ("贫困户数", "Households"),
    "villages_n": ("村数", "Villages"),
    "by_leaders": ("其中领导包保户数", "Of which taken by leaders"),
    "yes": ("是", "yes"),
    "no_": ("否", "no"),
    "cadre": ("干部", "cadre"),
    "leader_kind": ("领导", "leader"),
    "province": ("省直", "province"),
    "prefecture_tier": ("市直", "prefecture"),
    "county_tier": ("县直", "county"),
    "social": ("社会力量", "social"),
}
"""Key to (Chinese, English)."""

SHEETS: dict[str, tuple[str, str]] = {
    "annex1": ("附件1 省级领导包片", "Annex 1 leaders"),
    "annex1_all": ("市县级领导", "Other leaders"),
    "annex2": ("附件2 省直单位包保", "Annex 2 units"),
    "annex2_detail": ("包保村明细", "Villages"),
    "roster": ("花名册", "Roster"),
    "roster_units": ("单位汇总", "Units"),
}

TITLES: dict[str, tuple[str, str]] = {
    "annex1": (
        "附件1 省级领导脱贫攻坚包片任务分工表",
        "Annex 1 Province-tier leaders: areas, contact villages and households",
    ),
    "annex2": (
        "附件2 省直部门（单位）脱贫攻坚包保任务分配表",
        "Annex 2 Province-tier units: villages, households and cadres",
    ),
    "roster": ("包保花名册", "Consolidated roster"),
    "report": ("脱贫攻坚包保汇总报告", "Pairing report"),
    "total": ("合计", "Total"),
}

ANNEX_LABELS: dict[str, tuple[str, str]] = {
    "annex1": ("附件1", "Annex 1"),
    "annex2": ("附件2", "Annex 2"),
}
"""The line printed above an annex's title."""

SHEET_TITLES: dict[str, tuple[str, str]] = {
    "annex1": (
        "省级领导脱贫攻坚包片任务分工表",
        "Province-tier leaders: areas, contact villages and households",
    ),
    "annex1_all": (
        "市级、县级领导脱贫攻坚包片任务分工表",
        "Prefecture- and county-tier leaders: areas, contact villages, households",
    ),
    "annex2": (
        "省直部门（单位）脱贫攻坚包保任务分配表",
        "Province-tier units: villages, households and cadres",
    ),
    "annex2_detail": (
        "省直部门（单位）包保贫困村明细表",
        "Province-tier units: one row per village led",
    ),
    "roster": ("{area}脱贫攻坚包保花名册", "{area}: consolidated roster"),
    "roster_units": ("{area}包保单位汇总表", "{area}: units"),
}
"""The printed title of each sheet (``{area}``: the prefecture's name)."""

LEADER_TIERS = {
    "province": ("省级", "province"),
    "prefecture": ("市级", "prefecture"),
    "county": ("县级", "county"),
}

TIER_WORDS = {
    "province": ("省直", "province"),
    "prefecture": ("市直", "prefecture"),
    "county": ("县直", "county"),
    "social": ("社会力量", "social"),
}


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The word for ``key`` in ``lang`` (``zh`` or ``en``)."""
    zh, en = table[key]
    return zh if lang == "zh" else en


def header(keys: list[str], lang: str) -> dict[str, str]:
    """Column renaming ``{key: header}`` for ``lang``."""
    return {k: pick(LABELS, k, lang) for k in keys}


def check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
