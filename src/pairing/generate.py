"""A synthetic province shaped like Jilin in December 2015.

:func:`generate` builds a complete, normalised instance (regions, villages,
households, units, cadres, leaders, resident teams, claims) whose hard rules
(R1–R8) can all hold. It first draws a hidden *reference pairing* (every poor
village's lead unit) and then sizes every unit's cadres so that the reference
fits with some slack: the reference is a witness of feasibility, not a plan the
solver is meant to find (:func:`generate_with_reference` returns it for tests).

Everything is vectorised over households and cadres; loops run over regions,
units and villages only. ``docs/generator.md`` lists the assumptions and the
calibration figures.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .instance import Instance
from .rules import Rules

# -- calibration (Jilin, December 2015; see docs/generator.md) ---------------

JILIN_HOUSEHOLDS = 430_000
JILIN_POOR_VILLAGES = 1_500
PROVINCE_VILLAGES = 201
"""Villages the province tier took in the real plan (29,903 households)."""
PROVINCE_HOUSEHOLDS = 29_903
YANBIAN_KEY_VILLAGES = 304
"""Poor villages in the 5 key counties of 延边."""
KEY_SHARE = 0.60
"""Share of poor villages in the 15 key counties (press figure: 55–65%)."""
NONPOOR_PER_POOR = 4.0
"""Non-poor villages (with scattered households) per poor village."""
MIN_HOUSEHOLDS = 1_000

MEMBERS = np.array([1, 2, 3, 4, 5])
MEMBERS_P = np.array([0.38, 0.40, 0.12, 0.07, 0.03])
CAUSES = np.array(
    [
        "因病",
        "缺劳力",
        "因残",
        "缺资金",
        "缺技术",
        "因学",
        "因灾",
        "缺土地",
        "自身发展动力不足",
        "交通条件落后",
        "缺水",
        "",  # other / not recorded (2%)
    ]
)
CAUSES_P = np.array([40, 15, 10, 10, 8, 4, 3, 3, 3, 1, 1, 2]) / 100.0
CAUSE_WEIGHT = np.array([1.2, 1.1, 1.2, 1.0, 0.9, 0.9, 1.1, 1.0, 0.8, 1.0, 1.0, 1.0])
"""Multiplier of household severity by cause (illness and disability heavier)."""

RANK_P = np.array([0.32, 0.26, 0.20, 0.12, 0.07, 0.03])
"""Ranks 1–6 of ordinary cadres (heads are rank 6)."""
RANKS = {
    "local": (np.arange(1, 7), RANK_P),
    # 副处级以上: ranks 3 (副处) … 6 (正厅, heads)
    "official": (np.arange(3, 7), np.array([0.5, 0.38, 0.1, 0.02])),
    # 中层管理人员 of enterprises and universities: ranks 1–4
    "manager": (np.arange(1, 5), np.array([0.4, 0.35, 0.15, 0.1])),
}
"""Rank distribution of a unit's ordinary cadres by group (heads are rank 6)."""
PROVINCE_CAP_BY_RANK = np.array([0, 4, 3, 3, 3, 2, 2])
"""``max_households`` of province-tier cadres by rank."""
MEAN_CAP = {
    g: float((PROVINCE_CAP_BY_RANK[r] * p).sum()) for g, (r, p) in RANKS.items()
}
MEAN_CAP["local"] = 4.9  # the rules' 5, less the 3% of cadres capped at 3
"""Mean cap of a unit's cadres by group (official 2.88, manager 3.4, local 4.9)."""
MANAGER_SHARE = 0.4
"""Province-tier cadres who are middle managers of 省属企业/高校 (4,000 of 10,000)."""
PROVINCE_UNITS = 200
"""Province-tier units at Jilin scale: about 1,000 dispatched at 5 each."""
PREFECTURE_UNITS = 800
"""Prefecture-tier units at Jilin scale: about 2,000 dispatched at 2–3 each."""
COUNTY_UNITS = 3_200
"""County-tier units at Jilin scale: about 8,000 dispatched at 2–3 each."""
PREFECTURE_DOUBLE = 0.1
"""Share of prefecture units whose reference takes 2 villages (R4: 1–2)."""
LOCAL_REDUCED_SHARE = 0.03
"""Share of local cadres with an explicit ``max_households`` of 3."""

PROVINCE_KINDS = {
    "official": (
        ["党政机关", "人大", "政协", "群团组织", "事业单位"],
        [0.55, 0.04, 0.04, 0.07, 0.30],
    ),
    "manager": (["省属企业", "高校"], [0.6, 0.4]),
}
LOCAL_KINDS = (["党政机关", "事业单位", "群团组织", "企业"], [0.55, 0.25, 0.08, 0.12])
SOCIAL_KINDS = (["中直单位", "企业", "社会组织"], [0.3, 0.45, 0.25])
TEAM_TIER_P = np.array([0.08, 0.16, 0.69]) / 0.93
"""Tier mix of resident teams (Shanxi 2015 first secretaries, province 5–10%)."""

PROVINCE_ID = "220000"

# The 12 prefecture-level areas of the plan: id, name, seat lon, seat lat.
AREAS = """\
220100,长春市,125.32,43.82
220200,吉林市,126.55,43.84
220300,四平市,124.35,43.17
220400,辽源市,125.14,42.89
220500,通化市,125.94,41.73
220600,白山市,126.42,41.94
220700,松原市,124.82,45.14
220800,白城市,122.84,45.62
222400,延边朝鲜族自治州,129.51,42.89
22CBS,长白山保护开发区管理委员会,128.12,42.42
220581P,梅河口市,125.68,42.54
220381P,公主岭市,124.82,43.50
"""

# County-level rows: id, name, area id, type (d district, c county or city,
# z management zone), key county, towns and townships (NBS), seat lon, lat.
COUNTIES = """\
220102,南关区,220100,d,0,1,125.35,43.86
220103,宽城区,220100,d,0,4,125.33,43.94
220104,朝阳区,220100,d,0,2,125.29,43.83
220105,二道区,220100,d,0,4,125.42,43.87
220106,绿园区,220100,d,0,3,125.25,43.88
220112,双阳区,220100,d,0,4,125.66,43.52
220113,九台区,220100,d,0,4,125.84,44.15
220122,农安县,220100,c,0,21,125.18,44.43
220182,榆树市,220100,c,0,24,126.53,44.83
220183,德惠市,220100,c,0,14,125.70,44.54
220202,昌邑区,220200,d,0,5,126.57,43.88
220203,龙潭区,220200,d,0,6,126.56,43.91
220204,船营区,220200,d,0,4,126.54,43.83
220211,丰满区,220200,d,0,4,126.56,43.79
220221,永吉县,220200,c,0,8,126.50,43.67
220281,蛟河市,220200,c,0,10,127.34,43.72
220282,桦甸市,220200,c,0,9,126.75,42.97
220283,舒兰市,220200,c,0,15,126.96,44.41
220284,磐石市,220200,c,0,14,126.06,42.95
220302,铁西区,220300,d,0,1,124.35,43.15
220303,铁东区,220300,d,0,4,124.41,43.16
220322,梨树县,220300,c,0,21,124.33,43.31
220323,伊通满族自治县,220300,c,0,15,125.30,43.35
220381,公主岭市,220381P,c,0,20,124.82,43.50
220382,双辽市,220300,c,1,12,123.50,43.52
220402,龙山区,220400,d,0,2,125.14,42.90
220403,西安区,220400,d,0,1,125.15,42.93
220421,东丰县,220400,c,0,14,125.53,42.68
220422,东辽县,220400,c,0,13,124.99,42.93
220502,东昌区,220500,d,0,3,125.94,41.73
220503,二道江区,220500,d,0,4,126.04,41.77
220521,通化县,220500,c,0,15,125.76,41.68
220523,辉南县,220500,c,0,11,126.05,42.68
220524,柳河县,220500,c,1,15,125.74,42.28
220581,梅河口市,220581P,c,0,19,125.68,42.54
220582,集安市,220500,c,0,11,126.19,41.13
220602,浑江区,220600,d,0,4,126.42,41.94
220605,江源区,220600,d,0,6,126.59,42.06
220621,抚松县,220600,c,0,14,127.28,42.33
220622,靖宇县,220600,c,1,8,126.81,42.39
220623,长白朝鲜族自治县,220600,c,1,8,128.20,41.42
220681,临江市,220600,c,0,7,126.92,41.81
220702,宁江区,220700,d,0,6,124.82,45.18
220721,前郭尔罗斯蒙古族自治县,220700,c,0,22,124.55,45.05
220722,长岭县,220700,c,1,22,123.97,44.28
220723,乾安县,220700,c,0,10,124.02,45.00
220781,扶余市,220700,c,0,17,126.05,44.99
220802,洮北区,220800,d,1,12,122.85,45.62
220821,镇赉县,220800,c,1,11,123.20,45.85
220822,通榆县,220800,c,1,16,123.09,44.81
220881,洮南市,220800,c,1,16,122.79,45.34
220882,大安市,220800,c,1,18,124.29,45.51
222401,延吉市,222400,c,0,4,129.51,42.89
222402,图们市,222400,c,1,4,129.84,42.97
222403,敦化市,222400,c,0,16,128.23,43.37
222404,珲春市,222400,c,0,9,130.37,42.86
222405,龙井市,222400,c,1,7,129.43,42.77
222406,和龙市,222400,c,1,8,129.01,42.55
222424,汪清县,222400,c,1,9,129.77,43.31
222426,安图县,222400,c,1,9,128.90,43.11
22CBS01,池北区,22CBS,z,0,2,128.12,42.42
22CBS02,池西区,22CBS,z,0,2,127.55,42.10
22CBS03,池南区,22CBS,z,0,2,128.15,42.00
"""

YANBIAN = "222400"
CHANGCHUN_SEAT = "220102"
LON0, LAT0 = 122.4, 40.9
"""Origin of the km grid (south-west of the province)."""
KM_PER_LON = 111.32 * math.cos(math.radians(43.5))
KM_PER_LAT = 111.0


@dataclass(frozen=True, eq=False)
class Province:
    """What the generator knows of a province: its divisions and its size.

    The default, :data:`JILIN`, is Jilin in December 2015 (the embedded
    divisions, 1,500 poor villages, 430,000 poor households). Any other
    province (:mod:`pairing.national`) gives its own region tree and figures;
    everything else — units per tier, cadres, leaders, teams, claims — is
    calibrated as for Jilin and scales with ``households / 430,000``.

    Attributes
    ----------
    code, name
        The province's region id (GB/T 2260, e.g. ``"220000"``) and name.
    households, poor_villages
        Its full-size poor households and poor villages; ``generate`` scales
        the villages with the households asked for.
    areas
        Prefecture-level areas: ``id``, ``name``, ``x_km``, ``y_km`` (seat).
    counties
        County-level divisions: ``id``, ``name``, ``area`` (an area id),
        ``type`` (``d`` urban district, ``c`` county or city, ``z`` zone),
        ``key`` (bool, key county), ``towns`` (towns and townships),
        ``x_km``, ``y_km`` (seat).
    centre
        The county whose seat the province-tier and social units sit near.
    key_share
        Share of the poor villages in key counties (Jilin 0.6).
    heavy_area, heavy_villages
        An area whose key counties hold ``heavy_villages`` of the full-size
        poor villages, with deeper poverty (Jilin: 延边, 304); none when empty.
    members_p
        Probabilities of 1, 2, 3, 4 and 5 household members.
    key_county_leaders
        Province-tier leaders covering key counties (R7): one per key county
        when None (Jilin's 15), else this many, for the key counties with the
        most poor villages (the others stay uncovered, as R7 allows).
    """

    code: str
    name: str
    households: int
    poor_villages: int
    areas: pd.DataFrame
    counties: pd.DataFrame
    centre: str
    key_share: float = KEY_SHARE
    heavy_area: str = ""
    heavy_villages: int = 0
    members_p: tuple[float, ...] = tuple(MEMBERS_P.tolist())
    key_county_leaders: int | None = None


def _jilin() -> Province:
    areas = _read(AREAS, ["id", "name", "lon", "lat"])
    counties = _read(
        COUNTIES, ["id", "name", "area", "type", "key", "towns", "lon", "lat"]
    )
    for df in (areas, counties):
        df["x_km"], df["y_km"] = _km(
            df["lon"].astype(float).to_numpy(), df["lat"].astype(float).to_numpy()
        )
    counties["key"] = counties["key"] == "1"
    counties["towns"] = counties["towns"].astype(float)
    return Province(
        code=PROVINCE_ID,
        name="吉林省",
        households=JILIN_HOUSEHOLDS,
        poor_villages=JILIN_POOR_VILLAGES,
        areas=areas.drop(columns=["lon", "lat"]),
        counties=counties.drop(columns=["lon", "lat"]),
        centre=CHANGCHUN_SEAT,
        heavy_area=YANBIAN,
        heavy_villages=YANBIAN_KEY_VILLAGES,
    )


def generate(
    households: int | None = None,
    seed: int = 0,
    *,
    scattered_share: float = 0.38,
    slack: float = 0.2,
    short_counties: int = 0,
    province: Province | None = None,
) -> Instance:
    """A synthetic Jilin-like instance whose hard rules can all hold.

    Parameters
    ----------
    households
        Poor households; the whole province scales with it (villages, units,
        cadres). The default is the province's full size: Jilin's 430,000;
        43,000 is a 10% Jilin. At least 1,000.
    seed
        Seed of :func:`numpy.random.default_rng`; the same arguments give the
        same tables.
    scattered_share
        Share of households scattered in non-poor villages (插花户).
    slack
        Mean spare capacity of the prefecture and county tiers over the demand
        of the hidden reference pairing (each county draws between half and
        one and a half times it).
    short_counties
        Number of counties (with a prefecture tier above them) whose county
        tier cannot carry all its scattered households, so that the
        prefecture tier must take the rest (R3, "县级兜底").
    province
        The province's divisions and figures (default :data:`JILIN`); see
        :class:`Province` and :func:`pairing.national.province`.

    Returns
    -------
    Instance
        Normalised tables (every contract column present) and default
        :class:`~pairing.Rules`.

    Raises
    ------
    InputError
        When an argument is out of range.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> len(instance.households), int(instance.v_poor.sum()) > 0
    (2000, True)
    """
    return generate_with_reference(
        households,
        seed,
        scattered_share=scattered_share,
        slack=slack,
        short_counties=short_counties,
        province=province,
    )[0]


def generate_with_reference(
    households: int | None = None,
    seed: int = 0,
    *,
    scattered_share: float = 0.38,
    slack: float = 0.2,
    short_counties: int = 0,
    province: Province | None = None,
) -> tuple[Instance, pd.DataFrame]:
    """:func:`generate`, and the hidden reference pairing it was sized on.

    Returns
    -------
    instance, reference
        ``reference`` has one row per poor village: ``village_id``,
        ``unit_id``, ``tier``. It keeps R2, R4 and R6, and every unit's
        capacity covers its reference villages; it ignores the objectives.
    """
    prov = JILIN if province is None else province
    if households is None:
        households = prov.households
    _check_args(households, scattered_share, slack, short_counties)
    builder = _Builder(households, seed, scattered_share, slack, short_counties, prov)
    return builder.build()


def _check_args(
    households: int, scattered_share: float, slack: float, short_counties: int
) -> None:
    problems = []
    if not isinstance(households, int | np.integer) or households < MIN_HOUSEHOLDS:
        problems.append(
            Problem(
                "generate",
                "",
                "households",
                f"an integer >= {MIN_HOUSEHOLDS}",
                repr(households),
            )
        )
    if not 0.05 <= scattered_share <= 0.7:
        problems.append(
            Problem(
                "generate",
                "",
                "scattered_share",
                "between 0.05 and 0.7",
                repr(scattered_share),
            )
        )
    if not 0.0 <= slack <= 5.0:
        problems.append(
            Problem("generate", "", "slack", "between 0 and 5", repr(slack))
        )
    if short_counties < 0:
        problems.append(
            Problem("generate", "", "short_counties", ">= 0", repr(short_counties))
        )
    if problems:
        raise InputError(problems)


# -- helpers -----------------------------------------------------------------


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    rest = total - int(out.sum())
    if rest:
        order = np.argsort(-(exact - out), kind="stable")
        out[order[:rest]] += 1
    return out


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    """``prefix`` + zero-padded 1-based numbers, as a ``str`` Series."""
    width = max(width, len(str(n)))
    nums = pd.Series(np.arange(1, n + 1, dtype=np.int64)).astype("str")
    return (prefix + nums.str.zfill(width)).astype("str")


def _str(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).astype("str")


def _km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (lon - LON0) * KM_PER_LON, (lat - LAT0) * KM_PER_LAT


def _read(text: str, names: list[str]) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), header=None, names=names, dtype=str)


def _split(n_items: int, n_units: int) -> np.ndarray:
    """Unit of each of ``n_items`` items: every unit gets one, then round robin."""
    return np.arange(n_items) % max(n_units, 1)


def _at_most_two(owner: np.ndarray, n_units: int) -> np.ndarray:
    """``owner`` with every unit's third and later items moved to units with
    fewer than two, in order (R4: a province-tier unit leads 1-2 villages)."""
    owner = owner.copy()
    count = np.bincount(owner, minlength=n_units)
    if count.max(initial=0) <= 2:
        return owner
    rank = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    extra = np.flatnonzero(rank >= 2)
    room = np.repeat(np.arange(n_units), np.maximum(0, 2 - count))
    owner[extra] = room[: len(extra)]
    return owner


JILIN: Province = _jilin()
"""Jilin, December 2015: the default province of :func:`generate`."""


class _Builder:
    """One generation run: draws tables step by step from one generator."""

    def __init__(
        self,
        households: int,
        seed: int,
        scattered_share: float,
        slack: float,
        short_counties: int,
        province: Province,
    ) -> None:
        self.p = province
        self.H = int(households)
        self.scale = self.H / JILIN_HOUSEHOLDS
        self.rng = np.random.default_rng(seed)
        self.scattered_share = scattered_share
        self.slack = slack
        self.short_counties = short_counties

    # -- regions -------------------------------------------------------------

    def regions(self) -> pd.DataFrame:
        areas, counties, code = self.p.areas, self.p.counties, self.p.code
        self.area_id = areas["id"].to_numpy(dtype=object)
        self.area_name = areas["name"].to_numpy(dtype=object)
        self.area_xy = areas[["x_km", "y_km"]].to_numpy(dtype=np.float64)
        self.county_id = counties["id"].to_numpy(dtype=object)
        self.county_name = counties["name"].to_numpy(dtype=object)
        self.county_area = pd.Index(self.area_id).get_indexer(counties["area"])
        self.county_type = counties["type"].to_numpy(dtype=object)
        self.county_key = counties["key"].to_numpy(dtype=bool)
        self.county_towns = counties["towns"].to_numpy(dtype=np.float64)
        self.county_xy = counties[["x_km", "y_km"]].to_numpy(dtype=np.float64)
        self.n_areas, self.n_counties = len(areas), len(counties)
        n = 1 + self.n_areas + self.n_counties
        return pd.DataFrame(
            {
                "region_id": _str([code, *self.area_id, *self.county_id]),
                "name": _str([self.p.name, *self.area_name, *self.county_name]),
                "level": _str(
                    ["province"]
                    + ["prefecture"] * self.n_areas
                    + ["county"] * self.n_counties
                ),
                "parent_id": _str(
                    [""] + [code] * self.n_areas + list(self.area_id[self.county_area])
                ),
                "key_county": np.concatenate(
                    [np.zeros(1 + self.n_areas, dtype=bool), self.county_key]
                ),
            },
            index=pd.RangeIndex(n),
        )

    # -- villages ------------------------------------------------------------

    def poor_per_county(self) -> np.ndarray:
        """Poor villages per county: 60% in key counties, 延边's key five heavy."""
        n = self.n_poor
        key, yanbian = self.county_key, self.heavy()
        share = self.p.key_share if key.any() and not key.all() else float(key.any())
        n_key = round(share * n)
        n_yb = round(self.p.heavy_villages / self.p.poor_villages * n)
        towns = self.county_towns
        district = self.county_type == "d"
        zone = self.county_type == "z"
        w_key = towns + 4.0
        w_non = (towns + 2.0) * np.where(district & (towns <= 6), 0.35, 1.0)
        w_non = np.where(zone, 2.5, w_non) * np.where(yanbian, 1.5, 1.0)
        out = np.zeros(self.n_counties, dtype=np.int64)
        out += _apportion(n_yb, np.where(key & yanbian, w_key, 0.0))
        out += _apportion(n_key - n_yb, np.where(key & ~yanbian, w_key, 0.0))
        out += _apportion(n - n_key, np.where(~key, w_non, 0.0))
        # at least one poor village per prefecture-level area (small instances)
        for a in range(self.n_areas):
            mine = np.flatnonzero(self.county_area == a)
            if out[mine].sum() == 0:
                per_area = np.bincount(
                    self.county_area, weights=out, minlength=self.n_areas
                )
                donors = np.flatnonzero(per_area[self.county_area] > 1)
                donor = donors[np.argmax(out[donors])]
                out[donor] -= 1
                out[mine[np.argmax(np.where(key[mine], w_key[mine], w_non[mine]))]] += 1
        return out

    def area_index(self, area_id: str) -> int:
        return int(np.flatnonzero(self.area_id == area_id)[0])

    def heavy(self) -> np.ndarray:
        """Counties of the heavy area (延边 in Jilin; none elsewhere)."""
        if not self.p.heavy_area:
            return np.zeros(self.n_counties, dtype=bool)
        return self.county_area == self.area_index(self.p.heavy_area)

    def villages(self) -> None:
        rng = self.rng
        full = self.p.poor_villages * self.H / self.p.households
        self.n_poor = max(12, self.n_areas, round(full))
        poor_c = self.poor_per_county()
        n_non = round(NONPOOR_PER_POOR * self.n_poor)
        w = (np.nan_to_num(self.county_towns, nan=2.0) + 1.0) * np.where(
            self.county_type == "d", 0.5, 1.0
        )
        non_c = _apportion(n_non, w)
        # villages ordered by county, poor ones first
        county = np.concatenate(
            [
                np.repeat(np.arange(self.n_counties), poor_c),
                np.repeat(np.arange(self.n_counties), non_c),
            ]
        )
        poor = np.concatenate(
            [np.ones(poor_c.sum(), bool), np.zeros(non_c.sum(), bool)]
        )
        order = np.lexsort((~poor, county))
        self.v_county, self.v_poor = county[order], poor[order]
        nv = len(self.v_county)
        self.v_area = self.county_area[self.v_county]
        self.v_key = self.county_key[self.v_county]
        # positions: near the county seat, spread with the county's size
        spread = 4.0 + 3.0 * np.sqrt(np.nan_to_num(self.county_towns, nan=2.0))
        spread = np.where(self.county_type == "d", spread * 0.6, spread)
        self.v_xy = (
            self.county_xy[self.v_county]
            + rng.normal(size=(nv, 2)) * spread[self.v_county, None]
        )
        # latent depth of poverty: key counties and 延边 heavier
        yb = self.heavy()[self.v_county]
        self.v_depth = (
            rng.lognormal(0.0, 0.25, nv)
            * np.where(self.v_key, 1.3, 1.0)
            * np.where(yb, 1.1, 1.0)
        )
        self.poor_idx = np.flatnonzero(self.v_poor)

    # -- reference pairing, tier by tier ----------------------------------------

    def province_reference(self) -> np.ndarray:
        """Poor villages the province tier takes in the reference (≥ 50% key)."""
        rng = self.rng
        n_prov = max(1, round(PROVINCE_VILLAGES / JILIN_POOR_VILLAGES * self.n_poor))
        key = self.poor_idx[self.v_key[self.poor_idx]]
        non = self.poor_idx[~self.v_key[self.poor_idx]]
        n_key = min(len(key), max(math.ceil(0.5 * n_prov), round(0.62 * n_prov)))
        n_non = min(len(non), n_prov - n_key)
        n_key = min(len(key), n_prov - n_non)  # few non-key villages: key takes them

        def pick(idx: np.ndarray, k: int) -> np.ndarray:
            if k <= 0:
                return np.zeros(0, dtype=np.int64)
            p = self.v_depth[idx] ** 2
            return rng.choice(idx, size=k, replace=False, p=p / p.sum())

        return np.sort(np.concatenate([pick(key, n_key), pick(non, n_non)]))

    def households(self) -> pd.DataFrame:
        rng = self.rng
        H = self.H
        S = round(H * self.scattered_share)
        P = H - S
        # poor village sizes: lognormal, the province reference group sized so
        # that 201 villages hold 29,903 households at Jilin scale
        sizes = np.zeros(len(self.v_county), dtype=np.int64)
        w = pd.Series(
            np.clip(rng.lognormal(0.0, 0.35, len(self.poor_idx)), 0.6, 2.3),
            index=self.poor_idx,
        )
        prov = self.ref_province
        mean = P / self.n_poor
        jilin_mean = JILIN_HOUSEHOLDS * (1 - 0.38) / JILIN_POOR_VILLAGES
        ratio = PROVINCE_HOUSEHOLDS / PROVINCE_VILLAGES / jilin_mean  # 0.84
        p_total = min(P, round(len(prov) * mean * ratio))
        rest = np.setdiff1d(self.poor_idx, prov)
        # the province tier's units are sized on these villages: half the
        # spread (√ of the weight), so that few units could carry two of the
        # lightest villages instead of their one (the seed: 201 villages for
        # about 200 units)
        sizes[prov] = _apportion(p_total, np.clip(w[prov].to_numpy() ** 0.5, 0.7, 1.5))
        sizes[rest] = _apportion(P - p_total, w[rest].to_numpy())
        # scattered households over non-poor villages, heavier in key counties
        non = np.flatnonzero(~self.v_poor)
        yb = self.heavy()[self.v_county[non]]
        wn = (
            rng.lognormal(0.0, 0.5, len(non))
            * np.where(self.v_key[non], 2.0, 1.0)
            * np.where(yb, 1.3, 1.0)
        )
        sizes[non] = rng.multinomial(S, wn / wn.sum())
        self.v_households = sizes
        # one row per household, in random order (ids say nothing of villages)
        h_village = np.repeat(np.arange(len(sizes)), sizes)
        h_village = h_village[rng.permutation(H)]
        members = rng.choice(MEMBERS, size=H, p=self.p.members_p)
        cause = rng.choice(len(CAUSES), size=H, p=CAUSES_P)
        depth = self.v_depth[h_village] * np.where(self.v_poor[h_village], 1.0, 0.8)
        severity = rng.gamma(2.0, 0.5, H) * depth * CAUSE_WEIGHT[cause]
        severity = np.round(severity, 3)
        self.h_village = h_village
        # village severity: mean household severity with some noise
        tot = np.bincount(h_village, weights=severity, minlength=len(sizes))
        vs = np.where(sizes > 0, tot / np.maximum(sizes, 1), 0.0)
        self.v_severity = np.round(vs * rng.lognormal(0.0, 0.1, len(sizes)), 3)
        return pd.DataFrame(
            {
                "household_id": _ids("H", H, 7),
                "village_id": self.village_ids.to_numpy()[h_village],
                "members": members.astype(np.int64),
                "severity": severity.astype(np.float64),
                "cause": pd.Series(CAUSES[cause]).astype("str"),
            }
        )

    # -- units ---------------------------------------------------------------

    def units(self) -> None:
        """Units of every tier with their reference villages and target capacity."""
        self.unit_rows: list[dict] = []  # one dict per unit (units are few)
        self.ref_unit = np.full(len(self.v_county), -1, dtype=np.int64)
        taken = np.zeros(len(self.v_county), dtype=bool)
        self.province_units(taken)
        pref_units_of_area = self.prefecture_units(taken)
        self.county_units(taken, pref_units_of_area)
        self.prefecture_spare(pref_units_of_area)
        self.social_units()

    def add_unit(
        self,
        tier: str,
        region: str,
        kind: str,
        name: str,
        xy,
        villages,
        target,
        **extra,
    ) -> int:
        """One unit row; its reference villages and target capacity (R5)."""
        u = len(self.unit_rows)
        self.ref_unit[villages] = u
        self.unit_rows.append(
            dict(
                tier=tier,
                region_id=region,
                kind=kind,
                name=name,
                x=xy[0],
                y=xy[1],
                load=int(self.v_households[villages].sum()),
                target=float(target),
                ranks=extra.pop("ranks", "local"),
                **extra,
            )
        )
        return u

    def province_units(self, taken: np.ndarray) -> None:
        """Province tier: about 200 units, 1–2 reference villages each (binds).

        Kinds follow the seed's two groups: offices (6,000 cadres of deputy
        division rank and above) and enterprises/universities (4,000 middle
        managers): units are made managers, in random order, until their
        cadres reach 40% of the tier's.
        """
        rng = self.rng
        prov = rng.permutation(self.ref_province)
        n_units = min(len(prov), max(1, round(PROVINCE_UNITS * self.scale)))
        n_units = max(n_units, math.ceil(len(prov) / 2))  # R4: 2 at most each
        owner = _at_most_two(
            np.concatenate(
                [np.arange(n_units), rng.integers(0, n_units, len(prov) - n_units)]
            ),
            n_units,
        )
        loads = np.bincount(owner, weights=self.v_households[prov], minlength=n_units)
        target = loads * rng.uniform(1.01, 1.05, n_units)
        order = rng.permutation(n_units)
        # the first k units (in random order) are managers: the largest k
        # whose cadres stay within MANAGER_SHARE of the tier's
        as_m = np.cumsum(target[order]) / MEAN_CAP["manager"]
        as_o = (target.sum() - np.cumsum(target[order])) / MEAN_CAP["official"]
        k = int(np.sum(as_m <= MANAGER_SHARE * (as_m + as_o)))
        manager = np.zeros(n_units, dtype=bool)
        manager[order[:k]] = True
        centre = self.county_xy[np.flatnonzero(self.county_id == self.p.centre)[0]]
        self.centre = centre
        for u in range(n_units):
            group = "manager" if manager[u] else "official"
            kinds, p = PROVINCE_KINDS[group]
            kind = kinds[rng.choice(len(kinds), p=p)]
            self.add_unit(
                "province",
                self.p.code,
                kind,
                f"{self.p.name}{kind}{u + 1:03d}",
                centre + rng.normal(0, 4, 2),
                prov[owner == u],
                target[u],
                ranks=group,
            )
        taken[prov] = True

    def prefecture_sizes(self, left: np.ndarray) -> np.ndarray:
        """Prefecture-tier units per area: by the area's size (towns), at most
        80% of the poor villages the province tier leaves there (R4: each
        prefecture unit takes a village by default), the rest spread where
        villages allow."""
        size = np.bincount(
            self.county_area, weights=self.county_towns + 2.0, minlength=self.n_areas
        )
        room = np.where(left >= 2, np.maximum(1, np.floor(0.8 * left)), 0)
        room = room.astype(np.int64)
        total = min(int(room.sum()), round(PREFECTURE_UNITS * self.scale))
        out = np.zeros(self.n_areas, dtype=np.int64)
        while out.sum() < total:  # water-filling over the areas with room
            free = room - out
            want = _apportion(total - int(out.sum()), np.where(free > 0, size, 0.0))
            out += np.minimum(want, free)
        return out

    def prefecture_units(self, taken: np.ndarray) -> dict[int, list[int]]:
        """Prefecture tier: 1–2 reference villages per unit (10% take 2)."""
        rng = self.rng
        vh = self.v_households
        poor = self.poor_idx
        left_n = np.bincount(
            self.v_area[poor[~taken[poor]]], minlength=self.n_areas
        ).astype(np.int64)
        sizes = self.prefecture_sizes(left_n)
        out: dict[int, list[int]] = {}
        for a in range(self.n_areas):
            out[a] = []
            n = int(sizes[a])
            if n == 0:
                continue
            left = poor[(self.v_area[poor] == a) & ~taken[poor]]
            b = min(len(left), n + round(PREFECTURE_DOUBLE * n))
            p = self.v_depth[left] ** 2
            chosen = rng.choice(left, size=b, replace=False, p=p / p.sum())
            taken[chosen] = True
            owner = _split(b, n)
            for k in range(n):
                kinds, kp = LOCAL_KINDS
                kind = kinds[rng.choice(len(kinds), p=kp)]
                vill = chosen[owner == k]
                u = self.add_unit(
                    "prefecture",
                    self.area_id[a],
                    kind,
                    f"{self.area_name[a]}{kind}{k + 1:03d}",
                    self.area_xy[a] + rng.normal(0, 3, 2),
                    vill,
                    vh[vill].sum() * rng.uniform(1.02, 1.10),
                )
                out[a].append(u)
        return out

    def county_sizes(self, need: np.ndarray) -> np.ndarray:
        """County-tier units per county: by size (towns; urban districts 0.8×,
        长白山's zones 6 each), at least what its villages and households need."""
        w = 20.0 + 1.5 * self.county_towns
        w = np.where(self.county_type == "d", 0.8 * w, w)
        w = np.where(self.county_type == "z", 6.0, w)
        n = _apportion(round(COUNTY_UNITS * self.scale), w)
        return np.maximum(n, need)

    def county_units(
        self, taken: np.ndarray, pref_units_of_area: dict[int, list[int]]
    ) -> None:
        """County tier: the county's remaining villages (1–2 per village unit)
        plus every scattered household, shared with the county's slack."""
        rng = self.rng
        vh = self.v_households
        poor = self.poor_idx
        self.overflow = np.zeros(self.n_counties, dtype=np.int64)
        scattered = np.bincount(
            self.v_county,
            weights=np.where(self.v_poor, 0, vh),
            minlength=self.n_counties,
        ).astype(np.int64)
        left = np.bincount(self.v_county[poor[~taken[poor]]], minlength=self.n_counties)
        n_vu = np.minimum(left, np.maximum(np.ceil(left / 2), np.round(left / 1.5)))
        n_vu = n_vu.astype(np.int64)
        sizes = self.county_sizes(np.maximum(n_vu, scattered > 0).astype(np.int64))
        # a short county's units still have their least 3 cadres (15
        # households): only counties with scattered households well above
        # that can be made short
        eligible = [
            c
            for c in range(self.n_counties)
            if scattered[c] >= max(20, 20 * sizes[c])
            and pref_units_of_area[self.county_area[c]]
        ]
        n_short = min(self.short_counties, len(eligible))
        short = set(rng.choice(eligible, size=n_short, replace=False).tolist())
        for c in range(self.n_counties):
            vill = rng.permutation(poor[(self.v_county[poor] == c) & ~taken[poor]])
            s, n_v, n_all = int(scattered[c]), int(n_vu[c]), int(sizes[c])
            if n_all == 0:
                continue
            owner = _split(len(vill), n_v)
            loads = np.array(
                [vh[vill[owner == k]].sum() for k in range(n_v)], dtype=float
            )
            own = loads * rng.uniform(1.02, 1.10, n_v)
            carry = s
            if c in short:
                # the county tier carries only part of its scattered households
                # (less a margin for each unit's least cadres and rounding up)
                own = loads
                margin = 15 * n_all
                carry = max(0, int(s * rng.uniform(0.6, 0.8)) - margin)
                self.overflow[c] = s - carry
            slack = self.slack * rng.uniform(0.5, 1.5)
            free = carry + (0.0 if c in short else slack * (carry + loads.sum()))
            share = rng.lognormal(0.0, 0.5, n_all)
            share = free * share / share.sum()
            for k in range(n_all):
                kinds, kp = LOCAL_KINDS
                kind = kinds[rng.choice(len(kinds), p=kp)]
                v = vill[owner == k] if k < n_v else np.zeros(0, dtype=np.int64)
                # a few village units must take at least one village (R4 override)
                mins = 1.0 if (k < n_v and rng.random() < 0.1) else np.nan
                self.add_unit(
                    "county",
                    self.county_id[c],
                    kind,
                    f"{self.county_name[c]}{kind}{k + 1:03d}",
                    self.county_xy[c] + rng.normal(0, 2, 2),
                    v,
                    (own[k] if k < n_v else 0.0) + share[k],
                    min_villages=mins,
                )
        self.scattered_county = scattered

    def prefecture_spare(self, pref_units_of_area: dict[int, list[int]]) -> None:
        """Prefecture spare: the overflow of short counties, plus slack."""
        rng = self.rng
        rows = self.unit_rows
        overflow_area = np.bincount(
            self.county_area, weights=self.overflow, minlength=self.n_areas
        )
        scattered_area = np.bincount(
            self.county_area, weights=self.scattered_county, minlength=self.n_areas
        )
        for a, units in pref_units_of_area.items():
            if not units:
                continue
            spare = 1.25 * overflow_area[a] + self.slack * rng.uniform(0.5, 1.5) * (
                sum(rows[u]["load"] for u in units) + 0.1 * scattered_area[a]
            )
            share = rng.lognormal(0.0, 0.5, len(units))
            for u, extra in zip(units, spare * share / share.sum(), strict=True):
                rows[u]["target"] += extra

    def social_units(self) -> None:
        """Social units: no villages, a few cadres (R13 claims)."""
        rng = self.rng
        n_social = max(2, round(8 * math.sqrt(self.scale)))
        for k in range(n_social):
            kinds, kp = SOCIAL_KINDS
            kind = kinds[rng.choice(len(kinds), p=kp)]
            self.add_unit(
                "social",
                self.p.code,
                kind,
                f"{kind}{k + 1:02d}",
                self.centre + rng.normal(0, 30, 2),
                np.zeros(0, dtype=np.int64),
                rng.uniform(15, 60),
            )

    # -- cadres --------------------------------------------------------------

    def cadres(self) -> pd.DataFrame:
        rng = self.rng
        rows = self.unit_rows
        nu = len(rows)
        tier = np.array([r["tier"] for r in rows], dtype=object)
        group = np.array([r["ranks"] for r in rows], dtype=object)
        target = np.ceil(np.array([r["target"] for r in rows]))
        prov = tier == "province"
        least = np.where(prov, 6, 3)
        mean_cap = np.array([MEAN_CAP[g] for g in group])
        n0 = np.maximum(least, np.ceil(target / mean_cap)).astype(np.int64)
        c_unit = np.repeat(np.arange(nu), n0)
        first = np.r_[0, np.cumsum(n0)[:-1]]
        head = np.zeros(len(c_unit), dtype=bool)
        head[first] = True
        rank = np.zeros(len(c_unit), dtype=np.int64)
        for g, (ranks, p) in RANKS.items():
            mine = np.flatnonzero(group[c_unit] == g)
            rank[mine] = rng.choice(ranks, size=len(mine), p=p)
        rank[head] = 6
        cprov = prov[c_unit]
        own = np.where(cprov, PROVINCE_CAP_BY_RANK[rank], np.nan)
        reduced = ~cprov & (rng.random(len(c_unit)) < LOCAL_REDUCED_SHARE) & ~head
        own[reduced] = 3
        cap = np.where(np.isnan(own), Rules().max_households, own)
        have = np.bincount(c_unit, weights=cap, minlength=nu)
        # top up units short of their target with junior cadres of their group
        junior = np.array([RANKS[g][0][0] for g in group])
        top_cap = np.where(prov, PROVINCE_CAP_BY_RANK[junior], Rules().max_households)
        extra = np.ceil(np.maximum(0.0, target - have) / top_cap).astype(np.int64)
        e_unit = np.repeat(np.arange(nu), extra)
        c_unit = np.concatenate([c_unit, e_unit])
        rank = np.concatenate([rank, junior[e_unit]])
        head = np.concatenate([head, np.zeros(len(e_unit), dtype=bool)])
        own = np.concatenate(
            [own, np.where(prov[e_unit], PROVINCE_CAP_BY_RANK[junior[e_unit]], np.nan)]
        )
        order = np.argsort(c_unit, kind="stable")
        c_unit, rank, head, own = c_unit[order], rank[order], head[order], own[order]
        self.n_cadres = np.bincount(c_unit, minlength=nu)
        return pd.DataFrame(
            {
                "cadre_id": _ids("C", len(c_unit), 7),
                "unit_id": self.unit_ids.to_numpy()[c_unit],
                "rank": rank.astype(np.int64),
                "max_households": own.astype(np.float64),
                "is_head": head,
            }
        )

    def units_table(self) -> pd.DataFrame:
        rows = self.unit_rows
        tier = [r["tier"] for r in rows]
        prefix = {"province": "UP", "prefecture": "UM", "county": "UX", "social": "US"}
        ids = np.empty(len(rows), dtype=object)
        for t, p in prefix.items():
            mine = np.flatnonzero(np.array(tier) == t)
            ids[mine] = _ids(p, len(mine), 4).to_numpy()
        self.unit_ids = _str(ids)
        return pd.DataFrame(
            {
                "unit_id": self.unit_ids,
                "name": _str([r["name"] for r in rows]),
                "tier": _str(tier),
                "region_id": _str([r["region_id"] for r in rows]),
                "kind": _str([r["kind"] for r in rows]),
                "strength": np.nan,  # filled once cadres exist
                "min_villages": np.array(
                    [r.get("min_villages", np.nan) for r in rows], dtype=np.float64
                ),
                "max_villages": np.full(len(rows), np.nan),
                "x_km": np.round([r["x"] for r in rows], 2),
                "y_km": np.round([r["y"] for r in rows], 2),
            }
        )

    # -- leaders, resident teams, claims ---------------------------------------

    def leaders(self) -> pd.DataFrame:
        rng = self.rng
        poor = self.poor_idx
        p_area, p_county = self.v_area[poor], self.v_county[poor]
        vids = self.village_ids.to_numpy()
        out: dict[str, list] = {
            k: [] for k in ("name", "tier", "region_id", "covers", "area_id", "contact")
        }

        def contact(inside: np.ndarray) -> str:
            """An existing contact point: mostly a poor village inside the area."""
            r = rng.random()
            if r < 0.6 and len(inside):
                return vids[rng.choice(inside)]
            if r < 0.7:
                return vids[rng.choice(poor)]  # a poor village elsewhere
            if r < 0.8:
                return vids[rng.choice(np.flatnonzero(~self.v_poor))]  # not poor
            return ""

        def add(name, tier, region, covers, area, inside):
            for k, v in zip(
                out, (name, tier, region, covers, area, contact(inside)), strict=True
            ):
                out[k].append(v)

        # province tier: one per prefecture-level area, one per key county
        fixed_area = rng.choice(self.n_areas, size=1, replace=False)
        for a in range(self.n_areas):
            fix = self.area_id[a] if a in fixed_area else ""
            add(
                f"省级领导{a + 1:02d}",
                "province",
                self.p.code,
                "prefecture",
                fix,
                poor[p_area == a],
            )
        keys = np.flatnonzero(self.county_key)
        cap = self.p.key_county_leaders
        if cap is not None and len(keys) > cap:  # the heaviest key counties
            heavy = np.bincount(p_county, minlength=self.n_counties)[keys]
            keys = np.sort(keys[np.argsort(-heavy, kind="stable")[:cap]])
        keys_with_poor = [c for c in keys if np.any(p_county == c)]
        fixed = set(
            rng.choice(
                keys_with_poor, size=min(3, len(keys_with_poor)), replace=False
            ).tolist()
        )
        for k, c in enumerate(keys):
            fix = self.county_id[c] if c in fixed else ""
            add(
                f"省级领导{self.n_areas + k + 1:02d}",
                "province",
                self.p.code,
                "key_county",
                fix,
                poor[p_county == c],
            )
        # prefecture tier: 2-4 per area, covering counties
        for a in range(self.n_areas):
            counties = np.unique(p_county[p_area == a])
            n = int(rng.integers(2, 5))
            fix_one = rng.random() < 0.25 and len(counties) >= 1
            for k in range(n):
                fix = (
                    self.county_id[rng.choice(counties)] if (fix_one and k == 0) else ""
                )
                add(
                    f"{self.area_name[a]}市级领导{k + 1:02d}",
                    "prefecture",
                    self.area_id[a],
                    "county",
                    fix,
                    poor[p_area == a],
                )
        # county tier: about 2 per county with poor villages, covering villages
        for c in np.unique(p_county):
            inside = poor[p_county == c]
            n = int(rng.integers(1, 4))
            fix_one = rng.random() < 0.1
            for k in range(n):
                fix = vids[rng.choice(inside)] if (fix_one and k == 0) else ""
                add(
                    f"{self.county_name[c]}县级领导{k + 1:02d}",
                    "county",
                    self.county_id[c],
                    "village",
                    fix,
                    inside,
                )
        n = len(out["name"])
        return pd.DataFrame(
            {
                "leader_id": _ids("L", n, 4),
                "name": _str(out["name"]),
                "tier": _str(out["tier"]),
                "region_id": _str(out["region_id"]),
                "covers": _str(out["covers"]),
                "area_id": _str(out["area_id"]),
                "contact_point_village_id": _str(out["contact"]),
                "contact_households": np.full(n, np.nan),
            }
        )

    def resident_teams(self) -> pd.DataFrame:
        """Teams on ~30% of poor villages from units that may lead them (R2)."""
        rng = self.rng
        rows = self.unit_rows
        tier = np.array([r["tier"] for r in rows], dtype=object)
        region = np.array([r["region_id"] for r in rows], dtype=object)
        cap = np.where(tier == "county", 3, 2)
        used = np.zeros(len(rows), dtype=np.int64)
        tiers = ("province", "prefecture", "county")
        chosen = rng.choice(
            self.poor_idx, size=round(0.3 * len(self.poor_idx)), replace=False
        )
        out_v, out_u = [], []
        for v in np.sort(chosen):
            t = tiers[rng.choice(3, p=TEAM_TIER_P)]
            ref = self.ref_unit[v]
            if tier[ref] == t and used[ref] < cap[ref] and rng.random() < 0.8:
                u = ref
            else:
                region_id = {
                    "province": self.p.code,
                    "prefecture": self.area_id[self.v_area[v]],
                    "county": self.county_id[self.v_county[v]],
                }[t]
                cand = np.flatnonzero(
                    (tier == t) & (region == region_id) & (used < cap)
                )
                if len(cand) == 0:
                    continue
                u = rng.choice(cand)
            used[u] += 1
            out_v.append(v)
            out_u.append(u)
        kind = np.where(rng.random(len(out_v)) < 0.5, "work_team", "first_secretary")
        return pd.DataFrame(
            {
                "village_id": _str(
                    self.village_ids.to_numpy()[np.array(out_v, dtype=np.int64)]
                ),
                "unit_id": _str(
                    self.unit_ids.to_numpy()[np.array(out_u, dtype=np.int64)]
                ),
                "kind": _str(kind),
            }
        )

    def claims(self) -> pd.DataFrame:
        rng = self.rng
        social = [i for i, r in enumerate(self.unit_rows) if r["tier"] == "social"]
        us, vs = [], []
        for u in social:
            k = int(rng.choice([1, 1, 2, 2, 3, 4]))  # some claim more than max 2
            for v in rng.choice(
                self.poor_idx, size=min(k, len(self.poor_idx)), replace=False
            ):
                us.append(u)
                vs.append(v)
        return pd.DataFrame(
            {
                "unit_id": _str(self.unit_ids.to_numpy()[np.array(us, dtype=np.int64)]),
                "village_id": _str(
                    self.village_ids.to_numpy()[np.array(vs, dtype=np.int64)]
                ),
            }
        )

    # -- assembly ------------------------------------------------------------

    def build(self) -> tuple[Instance, pd.DataFrame]:
        regions = self.regions()
        self.villages()
        self.village_ids = _ids("V", len(self.v_county), 6)
        self.ref_province = self.province_reference()
        households = self.households()
        nv = len(self.v_county)
        within = (
            pd.Series(self.v_county).groupby(self.v_county).cumcount().to_numpy() + 1
        )
        names = (
            pd.Series(self.county_name[self.v_county]).astype("str")
            + pd.Series(within).astype("str").str.zfill(3)
            + "村"
        )
        villages = pd.DataFrame(
            {
                "village_id": self.village_ids,
                "county_id": _str(self.county_id[self.v_county]),
                "name": names.astype("str"),
                "poor": self.v_poor.copy(),
                "severity": self.v_severity.astype(np.float64),
                "x_km": np.round(self.v_xy[:, 0], 2),
                "y_km": np.round(self.v_xy[:, 1], 2),
            },
            index=pd.RangeIndex(nv),
        )
        self.units()
        units = self.units_table()
        cadres = self.cadres()
        strength = self.n_cadres * self.rng.lognormal(0.0, 0.1, len(self.n_cadres))
        units["strength"] = np.round(np.maximum(strength, 1.0), 1)
        tables = {
            "regions": regions,
            "villages": villages,
            "households": households,
            "units": units,
            "cadres": cadres,
            "leaders": self.leaders(),
            "resident_teams": self.resident_teams(),
            "claims": self.claims(),
        }
        ref = self.ref_unit[self.poor_idx]
        tier = np.array([r["tier"] for r in self.unit_rows], dtype=object)
        reference = pd.DataFrame(
            {
                "village_id": _str(self.village_ids.to_numpy()[self.poor_idx]),
                "unit_id": _str(self.unit_ids.to_numpy()[ref]),
                "tier": _str(tier[ref]),
            }
        )
        return Instance(tables, Rules()), reference
