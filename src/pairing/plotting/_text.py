"""Chart words in Chinese when a CJK font is available, else in English."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..cells import mathtext_safe

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)

WORDS: dict[str, tuple[str, str]] = {
    "coverage": ("各市（州）贫困户覆盖与负担", "Households covered per prefecture"),
    "households": ("贫困户数", "households"),
    "mean_load": ("人均包保户数", "mean households per cadre"),
    "by_leader": ("领导", "leaders"),
    "tiers": ("各层级包保村平均贫困程度（R9）", "Mean village severity by tier (R9)"),
    "severity": ("平均贫困程度", "mean severity"),
    "strength": (
        "单位力量与承担任务（R10）",
        "Unit strength vs carried severity (R10)",
    ),
    "unit_strength": ("单位力量", "unit strength"),
    "carried": ("所包村贫困程度合计", "total severity of its villages"),
    "continuity": ("驻村工作队衔接（R11）", "Resident teams kept (R11)"),
    "kept": ("保持", "kept"),
    "broken": ("未保持", "not kept"),
    "teams": ("驻村工作队", "resident teams"),
    "load": ("干部包保户数分布（R12）", "Households per cadre (R12)"),
    "per_cadre_short": ("户/人", "per cadre"),
    "bar_end": (
        "条末数字：每名干部平均包保户数",
        "number at the bar's end: mean households per cadre",
    ),
    "prefecture_axis": ("市（州）", "prefecture"),
    "per_cadre": ("每名干部包保户数", "households per cadre"),
    "cadres": ("干部人数", "cadres"),
    "pairings": ("包保关系", "Pairings"),
    "province": ("省直", "province"),
    "prefecture": ("市直", "prefecture"),
    "county": ("县直", "county"),
    "social": ("社会力量", "social"),
    "village": ("贫困村", "poor village"),
    "scattered": ("插花户所在村", "village with scattered households"),
}

TIER_COLOURS = {
    "province": "tab:red",
    "prefecture": "tab:blue",
    "county": "tab:green",
    "social": "tab:purple",
    "leader": "tab:orange",
}


CJK_FILES = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh")
"""Font file names (lower case) that hold CJK glyphs."""


@cache
def cjk_font() -> str | None:
    """The first installed CJK font family, or None.

    matplotlib lists fonts once and caches the list; a CJK font installed
    after that (``apt-get install fonts-noto-cjk``) is looked for on disk and
    added.

    Examples
    --------
    >>> cjk_font() is None or isinstance(cjk_font(), str)
    True
    """
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(k in Path(path).name.lower() for k in CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def chart_lang(lang: str) -> str:
    """``zh`` when asked for and a CJK font exists; else ``en``.

    Examples
    --------
    >>> chart_lang("en")
    'en'
    """
    return "zh" if lang == "zh" and cjk_font() is not None else "en"


def word(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return zh if chart_lang(lang) == "zh" else en


def font_kwargs(lang: str) -> dict[str, Any]:
    """``fontfamily`` for chart text: the CJK font whenever one is installed
    (it draws Latin letters too, and the names of regions and units in either
    language); empty otherwise (matplotlib's default)."""
    font = cjk_font()
    return {"fontfamily": font} if font else {}


def label_axes(
    ax: Any,
    lang: str,
    title: str | None,
    default_title: str,
    x: str | None = None,
    y: str | None = None,
) -> None:
    """Axis labels and title from :data:`WORDS` keys, in ``lang``'s font."""
    font = font_kwargs(lang)
    if x is not None:
        ax.set_xlabel(word(x, lang), **font)
    if y is not None:
        ax.set_ylabel(word(y, lang), **font)
    ax.set_title(title or word(default_title, lang), **font)


def figure_text(value: Any, digits: int = 2) -> str:
    """A figure as every report shows it (2 decimals, n/a when undefined).

    Examples
    --------
    >>> figure_text(0.7712), figure_text(None)
    ('0.77', 'n/a')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def region_label(region_id: str, name: str, lang: str) -> str:
    """A region's name when it can be drawn (a CJK font, or an ASCII name), else
    its id; never parsed as mathtext (:func:`pairing.cells.mathtext_safe`)."""
    if cjk_font() is not None or name.isascii():
        return mathtext_safe(name)
    return mathtext_safe(region_id)


def legend_prop(lang: str) -> dict[str, list[str]] | None:
    """Legend font properties for ``lang`` (None: matplotlib's default)."""
    kw = font_kwargs(lang)
    return {"family": [kw["fontfamily"]]} if kw else None
