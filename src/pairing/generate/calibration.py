"""Calibration figures of the Jilin generator (December 2015; see docs/generator.md).

The figures and the embedded divisions (12 areas, their counties with seats)
that :data:`~pairing.generate.JILIN` and every builder read.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "JILIN_HOUSEHOLDS",
    "JILIN_POOR_VILLAGES",
    "PROVINCE_VILLAGES",
    "PROVINCE_HOUSEHOLDS",
    "YANBIAN_KEY_VILLAGES",
    "KEY_SHARE",
    "NONPOOR_PER_POOR",
    "MIN_HOUSEHOLDS",
    "MEMBERS",
    "MEMBERS_P",
    "CAUSES",
    "CAUSES_P",
    "CAUSE_WEIGHT",
    "RANK_P",
    "RANKS",
    "PROVINCE_CAP_BY_RANK",
    "MEAN_CAP",
    "MANAGER_SHARE",
    "PROVINCE_UNITS",
    "PREFECTURE_UNITS",
    "COUNTY_UNITS",
    "PREFECTURE_DOUBLE",
    "LOCAL_REDUCED_SHARE",
    "PROVINCE_KINDS",
    "LOCAL_KINDS",
    "SOCIAL_KINDS",
    "TEAM_TIER_P",
    "PROVINCE_ID",
    "AREAS",
    "COUNTIES",
    "YANBIAN",
    "CHANGCHUN_SEAT",
    "LON0",
    "LAT0",
    "KM_PER_LON",
    "KM_PER_LAT",
]

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
