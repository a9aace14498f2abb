"""The report page's words, in Chinese and English: headings, figure labels,
table columns, chart captions, file descriptions."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "plan": ("方案概况", "The plan"),
    "status": ("方案状态", "Status"),
    "method": ("求解方法", "Method"),
    "objective": ("目标值", "Objective"),
    "bound": ("已证明的最优界", "Best bound proved"),
    "gap": ("差距", "Gap"),
    "gap_note": (
        "（目标值与最优界之差占比；为 0 即已证明最优）",
        "(objective against the bound; 0 means proved optimal)",
    ),
    "date": ("编制日期", "Date"),
    "fingerprint": ("数据指纹", "Instance fingerprint"),
    "fingerprint_note": (
        "（由全部输入表计算；数据相同则指纹相同）",
        "(a hash of every input table: the same data, the same fingerprint)",
    ),
    "figures": ("主要数据", "Key figures"),
    "figure": ("指标", "Figure"),
    "value": ("数值", "Value"),
    "rule": ("依据", "Rule"),
    "prefectures": ("各市（州）情况", "By prefecture"),
    "roster": ("花名册", "roster"),
    "charts": ("图表", "Charts"),
    "annexes": ("附件", "Annexes"),
    "tables": ("数据表（CSV，可用 Excel / WPS 打开）", "Tables (CSV)"),
    "graph": (
        "包保关系图（可用 Gephi、yEd 打开）",
        "Graph of the plan (opens in Gephi, yEd)",
    ),
    "left_out": ("未生成的部分", "Left out"),
    "shared_cadres": (
        "注：{n} 名干部包保两个及以上市（州）的贫困户，在各市（州）分别计入“帮扶干部”；"
        "合计栏按人计，与主要数据一致。",
        "Note: {n} cadre(s) cover households of more than one prefecture and are "
        "counted under each; the total counts persons, as the key figures do.",
    ),
    "made_by": (
        "由 pairing {version} 生成。所有表格中的户均以编号表示，不含个人信息。",
        "Made by pairing {version}. Households appear by opaque id only.",
    ),
}

FIGURES: dict[str, tuple[str, str, str, str]] = {
    "poor_villages": ("建档立卡贫困村", "Poor villages", "R1", "count"),
    "lead_pairs": ("落实包村单位的村", "Villages with a lead unit", "R1", "count"),
    "supplementary_pairs": (
        "社会力量认领（补充帮扶）",
        "Supplementary pairings (claims)",
        "R13",
        "count",
    ),
    "households": ("建档立卡贫困户", "Poor households", "R1", "count"),
    "household_pairs": (
        "落实帮扶责任人的户",
        "Households with a responsible person",
        "R1",
        "count",
    ),
    "households_by_cadres": ("其中干部包保", "of which by cadres", "R3", "count"),
    "households_by_leaders": ("其中领导包保", "of which by leaders", "R7", "count"),
    "cadres_used": ("帮扶责任人（干部）", "Cadres responsible", "R5", "count"),
    "dispatched": ("首批派出干部", "Cadres dispatched first", "R8", "count"),
    "leaders": ("包片领导", "Leaders covering areas", "R7", "count"),
    "r9_inverted_share": (
        "轻村由较高层级包保的比例（越低越好）",
        "Lighter village at a higher tier (lower is better)",
        "R9",
        "share",
    ),
    "r10_spearman_province": (
        "省直单位力量与所包村贫困程度的相关系数",
        "Province units: strength ~ severity carried (Spearman)",
        "R10",
        "figure",
    ),
    "r10_spearman_prefecture": (
        "市直单位力量与所包村贫困程度的相关系数",
        "Prefecture units: strength ~ severity carried (Spearman)",
        "R10",
        "figure",
    ),
    "r10_spearman_county": (
        "县直单位力量与所包村贫困程度的相关系数",
        "County units: strength ~ severity carried (Spearman)",
        "R10",
        "figure",
    ),
    "r10_spearman_cadres": (
        "干部职级与所包户贫困程度的相关系数",
        "Cadre rank ~ household severity (Spearman)",
        "R10",
        "figure",
    ),
    "r11_kept": ("驻村工作队原单位继续包村", "Resident teams kept", "R11", "count"),
    "r11_keepable": ("可以保持的驻村工作队", "Resident teams keepable", "R11", "count"),
    "r12_mean_load": (
        "每名帮扶干部平均包保户数",
        "Mean households per responsible cadre",
        "R12",
        "figure",
    ),
    "r12_max_load": (
        "单名干部最多包保户数",
        "Most households of one cadre",
        "R12",
        "count",
    ),
    "r12_idle_while_full": (
        "同单位同职级有人满额而未包户的干部",
        "Cadres idle while a peer is full",
        "R12",
        "count",
    ),
    "r12_mean_km": (
        "帮扶距离（公里，每户平均）",
        "Mean travel per household (km)",
        "R12",
        "figure",
    ),
    "r13_claims": ("社会力量认领申报", "Claims made", "R13", "count"),
    "r13_honoured": ("已落实的认领", "Claims honoured", "R13", "count"),
}
"""Headline key → (Chinese label, English label, rule, kind of value)."""

PREFECTURE_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("市（州）", "Prefecture"),
    "poor_villages": ("贫困村", "Poor villages"),
    "led_villages": ("已包村", "Villages led"),
    "households": ("贫困户", "Households"),
    "covered": ("已落实责任人", "Covered"),
    "coverage": ("覆盖率", "Coverage"),
    "by_leaders": ("领导包保户", "By leaders"),
    "cadres": ("帮扶干部", "Cadres"),
    "mean_load": ("人均户数", "Mean load"),
    "max_load": ("最多户数", "Max load"),
    "r9": ("轻村高层级比例", "R9 inverted"),
    "roster": ("花名册", "Roster"),
}

CAPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "coverage": {
        "title": (
            "各市（州）贫困户由谁包保",
            "Who covers the households of each prefecture",
        ),
        "caption": (
            "每条横条是一个市（州）的建档立卡贫困户，"
            "按包保干部所在单位的层级（省直、市直、县直）和领导包保分色；"
            "条末数字是该市（州）帮扶干部人均包保户数（上限一般为 5 户）。",
            "Each bar is one prefecture's poor households, coloured by the tier of the "
            "unit whose cadre covers them, or a leader; the number at its end is the "
            "mean households per responsible cadre there (the cap is usually 5).",
        ),
    },
    "r9_tiers": {
        "title": (
            "各层级包保村的平均贫困程度（R9）",
            "Mean village severity by tier (R9)",
        ),
        "caption": (
            "同一市（州）内，省直单位包保的村应比市直、县直单位包保的村更重"
            "（由重到轻，逐级分配）：柱越高，村越重。",
            "Within a prefecture, villages led by province units should be heavier "
            "than those of prefecture and county units (heaviest first, level by "
            "level): the taller the bar, the heavier the villages.",
        ),
    },
    "r10_strength": {
        "title": (
            "单位力量与承担任务（R10）",
            "Unit strength against the task it carries (R10)",
        ),
        "caption": (
            "每个点是一个单位：横轴为单位力量，"
            "纵轴为所包村贫困程度合计（未包村的单位为 0）；"
            "图例中的 ρ 是各层级的秩相关系数，与主要数据表一致，"
            "越接近 1 说明力量强的单位承担越重。",
            "Each dot is a unit: strength across, total severity of the villages it "
            "leads up (0 when none); ρ in the legend is each tier's rank correlation, "
            "as in the key figures: near 1 means stronger units carry heavier tasks.",
        ),
    },
    "r11_continuity": {
        "title": ("驻村工作队衔接（R11）", "Resident teams kept (R11)"),
        "caption": (
            "各市（州）已派驻工作队或第一书记的村中，原派出单位继续作为包村单位的（绿）"
            "与未能保持的（灰）；未保持的原因见 r11_continuity.csv。",
            "Per prefecture, the villages hosting a resident team or first secretary "
            "whose unit kept leading them (green) or not (grey); the reasons are in "
            "r11_continuity.csv.",
        ),
    },
    "r12_load": {
        "title": ("干部包保户数分布（R12）", "Households per cadre (R12)"),
        "caption": (
            "有包保任务的单位中，包保 0、1、2……户的干部人数：负担应均衡，"
            "不应一部分干部满额而同单位同职级干部无户可包。",
            "How many cadres of the units with households carry 0, 1, 2 … "
            "households: loads should be even, no cadre idle while a peer of the "
            "same unit and rank is full.",
        ),
    },
}

TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "coverage_prefecture": {
        "label": ("各市（州）覆盖与负担", "Coverage per prefecture")
    },
    "coverage_county": {"label": ("各县（市、区）覆盖与负担", "Coverage per county")},
    "units_by_tier": {"label": ("各层级单位汇总", "Units per tier")},
    "r9_tier_severity": {
        "label": ("各层级包保村贫困程度（R9）", "Severity by tier (R9)")
    },
    "r10_strength_severity": {
        "label": ("各单位力量与承担任务（R10）", "Unit strength and task (R10)")
    },
    "r10_correlations": {"label": ("力量与任务相关系数（R10）", "Correlations (R10)")},
    "r11_continuity": {"label": ("驻村工作队衔接明细（R11）", "Resident teams (R11)")},
    "r12_cadre_loads": {"label": ("干部包保户数分布（R12）", "Loads per cadre (R12)")},
    "figures": {"label": ("全部指标（JSON）", "Every figure (JSON)")},
}
"""File key → its description on the page."""
