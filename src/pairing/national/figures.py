"""Per-province figures of the 2014 registration (建档立卡), and how gaps are filled.

The national totals are official: 128,000 poor villages, 29.48 million poor
households and 89.62 million poor people (2014). Published per-province
figures are scarcer; :data:`PUBLISHED` holds those found in public reports
(each with its source key, :data:`SOURCES`; ``docs/generator.md`` lists them
province by province). Some are the 2014 count, some a later vintage of the
same register (the villages delisted by 2020, the people lifted out by 2019):
the register was adjusted every year, so the figures are of the right size,
not exact 2014 counts.

:func:`resolve` turns them into one complete row per province, the 22
central and western provinces of the national programme, summing to the
national totals exactly:

1. households: published where found (Jilin, Inner Mongolia); else an
   estimate — people / 3.04 (the national people per household) where people
   are published, else the province's poverty counties × the median
   households per poverty county of the provinces with figures;
2. the estimates are scaled by one factor (about 1.2) so that the households
   sum to the national total: the published people figures are partly later
   vintages (after the first exits) and the eastern provinces' few are left
   out, so they fall short of 29.48 million together;
3. villages: published where found; the other provinces share what the
   published ones leave of the national 128,000, in proportion to their
   households.

The six eastern provinces that also registered some poor villages are not
generated: their share (a few percent) is folded into the others.

Examples
--------
>>> rows = resolve()
>>> len(rows), sum(r.villages for r in rows), sum(r.households for r in rows)
(22, 128000, 29480000)
>>> next(r for r in rows if r.code == "520000").villages
9000
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .counties import county_counts

__all__ = [
    "NATIONAL_HOUSEHOLDS",
    "NATIONAL_PEOPLE",
    "NATIONAL_VILLAGES",
    "PUBLISHED",
    "SOURCES",
    "ProvinceFigures",
    "resolve",
]

NATIONAL_VILLAGES = 128_000
NATIONAL_HOUSEHOLDS = 29_480_000
NATIONAL_PEOPLE = 89_620_000
PEOPLE_PER_HOUSEHOLD = NATIONAL_PEOPLE / NATIONAL_HOUSEHOLDS
"""3.04: the national people per household, for provinces publishing people only."""
KEY_SHARE_DEFAULT = 0.35
"""Poverty counties as a share of counties where no count was found (832 of
the 22 provinces' 2,180 county-level divisions)."""

SOURCES: dict[str, tuple[str, str]] = {
    "national": (
        "China.org.cn, Key words: Poor Villages / Poverty Registration (2021-01)",
        "http://keywords.china.org.cn/2021-01/11/content_77102863.html",
    ),
    "seed": ("吉办发〔2015〕46号 (the project's seed document)", ""),
    "hebei": (
        "China Daily (Hong Kong), Residents lifted out of poverty (2020-07-13)",
        "https://www.pressreader.com/china/china-daily-hong-kong/20200713/281659667339022",
    ),
    "shanxi": (
        "Xinhua, 41 counties in Shanxi cast off poverty (2019-05-26)",
        "https://peoplesdaily.pdnews.cn/china/41-counties-in-shanxi-cast-off-poverty-47727.html",
    ),
    "neimenggu": (
        "China Daily, Inner Mongolia's poverty-alleviation work generates results "
        "(2021-07-07)",
        "https://innermongolia.chinadaily.com.cn/2021-07/07/c_640779.htm",
    ),
    "anhui": (
        "Xinhua, all 31 impoverished county-level regions in Anhui (2020-04-29)",
        "http://en.people.cn/n3/2020/0429/c90000-9685490.html",
    ),
    "jiangxi": (
        "Xinhua, the last seven poverty-stricken counties in Jiangxi (2020-04-26)",
        "http://en.people.cn/n3/2020/0426/c90000-9684088.html",
    ),
    "henan": (
        "People's Daily, Another 8 provinces and municipality shake off poverty (2020)",
        "https://www.alwihdainfo.com/Another-8-provinces-municipality-in-China-shake-off-poverty_a83637.html",
    ),
    "hunan": (
        "China Daily, Hunan to invest 300 million yuan on poverty alleviation "
        "(2014-10-18); Xinhua, 4.78 million lifted in Hunan (2021-01-25)",
        "http://hzyhhk.com/english/2021-01/25/c_139696840.htm",
    ),
    "guangxi": (
        "China Daily, Guangxi enters final stage in fight against poverty (2020-05-26)",
        "http://guangxi.chinadaily.com.cn/2020-05/26/c_531051.htm",
    ),
    "chongqing": (
        "iChongqing, Chengkou: reduced poverty incidence (2020-09-30)",
        "https://www.ichongqing.info/2020/09/30/chengkou-reduced-poverty-incidence-leads-into-a-prosperous-life/",
    ),
    "sichuan": (
        "China Report / PRNewswire, Sichuan: From Poverty Eradication to Rural "
        "Vitalization (2021-03-09)",
        "https://www.zazoom.it/2021-03-09/sichuan-from-poverty-eradication-to-rural-vitalization/8268922/",
    ),
    "guizhou": (
        "China Daily, Guizhou poverty relief meeting (2015-07-10)",
        "http://covid-19.chinadaily.com.cn/m/guizhou/2015-07/10/content_21245029.htm",
    ),
    "yunnan": (
        "China SCIO, Yunnan shakes off poverty (2020-12-08); Xinhua, 31 counties in "
        "Yunnan cast off poverty (2020-05-18)",
        "http://english.scio.gov.cn/pressroom/2020-12/08/content_76990967.htm",
    ),
    "xizang": (
        "Xinhua, China's Tibet declares 'major victory' in poverty alleviation "
        "(2020-10-15)",
        "https://archive.shine.cn/nation/A-major-win-for-Tibet-in-poverty-war/shdaily.shtml",
    ),
    "shaanxi": (
        "Agencies, 578,800 lifted out of poverty (Shaanxi, 2020)",
        "https://dailymailnews.pk/578800-lifted-out-of-poverty/",
    ),
    "gansu": (
        "Xinhua, Gansu lifts all its 75 impoverished counties out of poverty "
        "(2020-11-21)",
        "http://xiaodaoedu.com/english/2020-11/22/c_139533700.htm",
    ),
    "qinghai": (
        "Shanghai Daily, Winning poverty war (2019-01-30); Tibet3, 17 sites in "
        "Qinghai removed from poverty list (2020-04-22)",
        "https://archive.shine.cn/nation/Winning-poverty-war/shdaily.shtml",
    ),
    "xinjiang": (
        "Xinhua, Extreme poverty eradicated in Xinjiang: white paper (2021-07-14)",
        "http://en.people.cn/n3/2021/0714/c90000-9872042.html",
    ),
}
"""Where each published figure comes from: key → (title, address)."""


@dataclass(frozen=True)
class Published:
    """What was found for a province (None: not found)."""

    code: str
    name: str
    short: str
    villages: int | None = None
    households: int | None = None
    people: int | None = None
    poverty_counties: int | None = None
    source: str = ""


PUBLISHED: tuple[Published, ...] = (
    Published("130000", "河北省", "河北", people=2_300_000, poverty_counties=62,
              source="hebei"),
    Published("140000", "山西省", "山西", villages=7_993, people=3_290_000,
              poverty_counties=58, source="shanxi"),
    Published("150000", "内蒙古自治区", "内蒙古", villages=3_681, households=580_000,
              people=1_570_000, poverty_counties=57, source="neimenggu"),
    Published("220000", "吉林省", "吉林", villages=1_500, households=430_000,
              people=840_000, poverty_counties=15, source="seed"),
    Published("230000", "黑龙江省", "黑龙江"),
    Published("340000", "安徽省", "安徽", people=4_840_000, poverty_counties=31,
              source="anhui"),
    Published("360000", "江西省", "江西", people=3_460_000, poverty_counties=25,
              source="jiangxi"),
    Published("410000", "河南省", "河南", villages=9_536, people=6_860_000,
              poverty_counties=53, source="henan"),
    Published("420000", "湖北省", "湖北"),
    Published("430000", "湖南省", "湖南", villages=6_920, people=6_400_000,
              poverty_counties=51, source="hunan"),
    Published("450000", "广西壮族自治区", "广西", villages=5_379, people=4_740_000,
              poverty_counties=54, source="guangxi"),
    Published("460000", "海南省", "海南"),
    Published("500000", "重庆市", "重庆", poverty_counties=14, source="chongqing"),
    Published("510000", "四川省", "四川", villages=11_501, people=6_250_000,
              poverty_counties=88, source="sichuan"),
    Published("520000", "贵州省", "贵州", villages=9_000, people=6_230_000,
              poverty_counties=50, source="guizhou"),
    Published("530000", "云南省", "云南", villages=8_502, people=6_140_000,
              poverty_counties=88, source="yunnan"),
    Published("540000", "西藏自治区", "西藏", people=628_000, poverty_counties=74,
              source="xizang"),
    Published("610000", "陕西省", "陕西", poverty_counties=56, source="shaanxi"),
    Published("620000", "甘肃省", "甘肃", people=5_520_000, poverty_counties=75,
              source="gansu"),
    Published("630000", "青海省", "青海", people=736_000, poverty_counties=42,
              source="qinghai"),
    Published("640000", "宁夏回族自治区", "宁夏"),
    Published("650000", "新疆维吾尔自治区", "新疆", villages=3_666, people=2_700_000,
              poverty_counties=32, source="xinjiang"),
)  # fmt: skip
"""The 22 provinces and what public reports give of each (see the module doc)."""


@dataclass(frozen=True)
class ProvinceFigures:
    """One province's full-size figures, complete, and where each came from.

    ``how`` says, per figure, ``published``, ``people / 3.04`` or
    ``national share`` (the residual rule of :func:`resolve`).
    """

    code: str
    name: str
    short: str
    villages: int
    households: int
    people: int
    key_counties: int
    source: str
    how: dict[str, str]


def resolve(counties: dict[str, int] | None = None) -> list[ProvinceFigures]:
    """Complete per-province figures summing to the national totals.

    Parameters
    ----------
    counties
        County-level divisions per province code (for the poverty counties of
        provinces without a published count); default: the synthetic region
        trees' (:data:`pairing.national.counties.COUNTY_COUNTS`).

    Returns
    -------
    list of ProvinceFigures
        In :data:`PUBLISHED` order (by code).

    Examples
    --------
    >>> jilin = next(r for r in resolve() if r.code == "220000")
    >>> jilin.villages, jilin.households, jilin.how["households"]
    (1500, 430000, 'published')
    """
    if counties is None:
        counties = county_counts()
    rows = PUBLISHED
    key = np.array(
        [
            min(counties[r.code], r.poverty_counties)
            if r.poverty_counties is not None
            else round(KEY_SHARE_DEFAULT * counties[r.code])
            for r in rows
        ],
        dtype=np.int64,
    )
    how: list[dict[str, str]] = [{} for _ in rows]
    est, fixed = _estimates(rows, key)
    factor = (NATIONAL_HOUSEHOLDS - est[fixed].sum()) / est[~fixed].sum()
    hh = np.where(fixed, est, est * factor)
    for i, r in enumerate(rows):
        if fixed[i]:
            how[i]["households"] = "published"
        elif r.people is not None:
            how[i]["households"] = f"people / 3.04, scaled ×{factor:.3f}"
        else:
            how[i]["households"] = (
                f"poverty counties × median per county, scaled ×{factor:.3f}"
            )
    households = _whole(hh, NATIONAL_HOUSEHOLDS, fixed=fixed)
    vv = np.array([r.villages or 0 for r in rows], dtype=np.float64)
    known_v = np.array([r.villages is not None for r in rows])
    vv[~known_v] = _share(NATIONAL_VILLAGES - vv[known_v].sum(), households[~known_v])
    villages = _whole(vv, NATIONAL_VILLAGES, fixed=known_v)
    out = []
    for i, r in enumerate(rows):
        how[i]["villages"] = "published" if known_v[i] else "national share"
        if fixed[i] and r.people is not None:
            people, how[i]["people"] = r.people, "published"
        else:
            people = round(households[i] * PEOPLE_PER_HOUSEHOLD)
            how[i]["people"] = "households × 3.04"
        how[i]["key_counties"] = (
            "published" if r.poverty_counties is not None else "35% of counties"
        )
        out.append(
            ProvinceFigures(
                r.code, r.name, r.short, int(villages[i]), int(households[i]),
                int(people), int(key[i]), r.source, how[i],
            )
        )  # fmt: skip
    return out


def _estimates(
    rows: tuple[Published, ...], key: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Households per province before scaling, and which are published."""
    fixed = np.array([r.households is not None for r in rows])
    est = np.array(
        [
            r.households
            if r.households is not None
            else (r.people / PEOPLE_PER_HOUSEHOLD if r.people is not None else np.nan)
            for r in rows
        ],
        dtype=np.float64,
    )
    known = ~np.isnan(est) & np.array([r.poverty_counties is not None for r in rows])
    per_county = float(np.median(est[known] / key[known]))
    est = np.where(np.isnan(est), per_county * key, est)
    return est, fixed


def _share(total: float, weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return max(0.0, total) * w / w.sum() if w.sum() > 0 else np.zeros(len(w))


def _whole(values: np.ndarray, total: int, fixed: np.ndarray) -> np.ndarray:
    """Whole numbers summing to ``total``; ``fixed`` entries kept exactly."""
    out = np.round(values).astype(np.int64)
    free = np.flatnonzero(~fixed)
    rest = total - int(out.sum())
    if rest and len(free):
        order = free[np.argsort(-(values[free] - np.floor(values[free])))]
        step = 1 if rest > 0 else -1
        for k in range(abs(rest)):
            out[order[k % len(order)]] += step
    return out
