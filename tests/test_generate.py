"""The synthetic province generator: calibration, structure, feasibility."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pairing import InputError, Instance
from pairing.generate import generate, generate_with_reference
from pairing.schema import TABLES

DIVISIONS = Path(__file__).resolve().parents[2] / "shared/data/jilin_divisions.csv"
TIERS = ("province", "prefecture", "county", "social")


@cache
def build(households: int, seed: int = 0, **opts) -> tuple[Instance, pd.DataFrame]:
    return generate_with_reference(households, seed, **opts)


@cache
def default() -> tuple[Instance, pd.DataFrame, float]:
    t0 = time.perf_counter()
    inst, ref = generate_with_reference()
    return inst, ref, time.perf_counter() - t0


def ref_arrays(inst: Instance, ref: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rv = inst.village_index.get_indexer(ref["village_id"].to_numpy(dtype=object))
    ru = inst.unit_index.get_indexer(ref["unit_id"].to_numpy(dtype=object))
    return rv, ru


def tier_of(inst: Instance, name: str) -> np.ndarray:
    return inst.u_tier == TIERS.index(name)


# -- calibration of the default (Jilin) ------------------------------------------


def test_default_calibration():
    inst, _, seconds = default()
    assert seconds < 30
    assert len(inst.poor_villages) == 1500
    assert abs(len(inst.households) - 430_000) <= 0.005 * 430_000
    assert abs(int(inst.h_members.sum()) - 840_000) <= 0.02 * 840_000
    assert 0.35 <= inst.h_scattered.mean() <= 0.40
    assert (inst.r_level == 1).sum() == 12
    assert (inst.r_level == 0).sum() == 1
    assert 55 <= (inst.r_level == 2).sum() <= 65
    assert inst.r_key.sum() == 15
    key_share = inst.v_key[inst.poor_villages].mean()
    assert 0.55 <= key_share <= 0.65
    # non-poor villages several times the poor ones
    assert (~inst.v_poor).sum() >= 3 * len(inst.poor_villages)


def test_default_province_tier():
    inst, ref, _ = default()
    prov = tier_of(inst, "province")
    cadres = prov[inst.c_unit]
    # the seed: about 1,000 dispatched at >= 5 per unit, 10,000 cadres
    assert 9_000 <= cadres.sum() <= 11_000
    assert 170 <= prov.sum() <= 230
    assert 30_000 <= inst.u_capacity[prov].sum() <= 32_000
    rv, ru = ref_arrays(inst, ref)
    mine = prov[ru]
    assert mine.sum() == 201
    assert abs(inst.v_households[rv[mine]].sum() - 29_903) <= 300
    assert 2.9 <= inst.c_cap[cadres].mean() <= 3.4
    # 6,000 of deputy-division rank and above in offices, 4,000 managers
    kind = inst.units["kind"].to_numpy()[inst.c_unit[cadres]]
    managers = np.isin(kind, ["省属企业", "高校"]).sum()
    assert 3_500 <= managers <= 4_500
    assert (inst.c_rank[cadres][~np.isin(kind, ["省属企业", "高校"])] >= 3).all()
    kinds = set(inst.units.loc[prov, "kind"])
    assert kinds <= {
        "党政机关",
        "人大",
        "政协",
        "群团组织",
        "事业单位",
        "省属企业",
        "高校",
    }


def test_default_yanbian_heavy():
    inst, _, _ = default()
    pv = inst.poor_villages
    ids = inst.region_index.to_numpy()
    yanbian = ids[inst.v_prefecture[pv]] == "222400"
    assert abs(int((yanbian & inst.v_key[pv]).sum()) - 304) <= 5
    per_area = pd.Series(ids[inst.v_prefecture[pv]]).value_counts()
    assert per_area.index[0] == "222400"


# -- structure ------------------------------------------------------------------


def test_regions_follow_the_divisions():
    inst, _ = build(43_000)
    r = inst.regions
    names = set(r.loc[r["level"] == "prefecture", "name"])
    assert {"长白山保护开发区管理委员会", "梅河口市", "公主岭市", "长春市"} <= names
    counties = r[r["level"] == "county"]
    parents = r.set_index("region_id").loc[counties["parent_id"], "level"]
    assert (parents == "prefecture").all()
    # 梅河口 and 公主岭 keep their county rows below their own prefecture rows
    by_id = r.set_index("region_id")
    assert by_id.loc["220581", "parent_id"] == "220581P"
    assert by_id.loc["220381", "parent_id"] == "220381P"
    if DIVISIONS.exists():
        csv = pd.read_csv(DIVISIONS, dtype=str)
        real = csv[csv["level"] == "county"]
        mine = counties.set_index("region_id")
        assert set(real["code_gb2260_2015"]) <= set(mine.index)
        for code, name, key in real[
            ["code_gb2260_2015", "name_zh", "key_county_15"]
        ].itertuples(index=False):
            assert mine.loc[code, "name"] == name
            assert bool(mine.loc[code, "key_county"]) == (key == "1")


@pytest.mark.parametrize(
    ("households", "poor"), [(1_000, 12), (4_300, 15), (43_000, 150)]
)
def test_scaling(households, poor):
    inst, _ = build(households)
    assert len(inst.poor_villages) == poor
    assert len(inst.households) == households
    per_area = np.bincount(
        inst.v_prefecture[inst.poor_villages], minlength=len(inst.regions)
    )
    assert (per_area[inst.r_level == 1] >= 1).all()
    assert (inst.v_households[inst.poor_villages] >= 5).all()


def test_tenth_of_jilin_scales():
    small, _ = build(43_000)
    big, _, _ = default()
    for name in ("province", "prefecture", "county"):
        ratio = (
            tier_of(small, name)[small.c_unit].sum()
            / tier_of(big, name)[big.c_unit].sum()
        )
        assert 0.07 <= ratio <= 0.14, name


def test_columns_and_dtypes():
    inst, _ = build(4_300)
    for name, table in TABLES.items():
        df = inst.tables[name]
        assert isinstance(df.index, pd.RangeIndex)
        for col in table.columns:
            s = df[col.name]
            if col.kind in ("id", "str", "enum"):
                assert s.dtype == "str", (name, col.name)
                assert not s.isna().any(), (name, col.name)
            elif col.kind == "bool":
                assert s.dtype == np.bool_, (name, col.name)
            elif col.kind == "int" and col.required:
                assert s.dtype == np.int64, (name, col.name)
            else:
                assert s.dtype == np.float64, (name, col.name)
            if col.kind == "enum":
                allowed = set(col.values) | ({""} if col.nullable else set())
                assert set(s) <= allowed, (name, col.name)


def test_ids_unique_and_references_resolve():
    inst, _ = build(43_000)
    for name, table in TABLES.items():
        if table.key:
            assert inst.tables[name][table.key].is_unique, name
            assert (inst.tables[name][table.key] != "").all()
    assert not set(inst.leaders["leader_id"]) & set(inst.cadres["cadre_id"])
    assert (inst.h_village >= 0).all()
    assert (inst.v_county >= 0).all() and (inst.r_level[inst.v_county] == 2).all()
    assert (inst.c_unit >= 0).all()
    assert (inst.u_region >= 0).all()
    assert (inst.t_village >= 0).all() and (inst.t_unit >= 0).all()
    assert (inst.cl_village >= 0).all() and (inst.cl_unit >= 0).all()
    cp = inst.leaders["contact_point_village_id"]
    assert cp[cp != ""].isin(inst.villages["village_id"]).all()


def test_from_tables_accepts_the_output():
    inst, _ = build(4_300)
    checked = Instance.from_tables(inst.tables)
    for name in TABLES:  # already normalised: the checks change nothing
        pd.testing.assert_frame_equal(checked.tables[name], inst.tables[name])


# -- units and cadres -------------------------------------------------------------


def test_units_and_cadres():
    inst, _ = build(43_000)
    heads = np.bincount(inst.c_unit[inst.c_head], minlength=len(inst.units))
    assert (heads == 1).all()
    assert inst.c_rank.min() >= 1 and inst.c_rank.max() <= 6
    ranks = np.bincount(inst.c_rank, minlength=7)[1:]
    assert ranks[0] > ranks[3] > ranks[5]  # seniors rarer
    prov = tier_of(inst, "province")
    local = tier_of(inst, "prefecture") | tier_of(inst, "county")
    assert (inst.u_cadres[prov] >= 6).all()
    assert (inst.u_cadres[local] >= 3).all()
    s = inst.units["strength"].to_numpy()
    assert (s > 0).all()
    assert np.corrcoef(s, inst.u_cadres)[0, 1] > 0.95
    assert not np.isnan(inst.u_xy).any()
    assert (inst.units.loc[tier_of(inst, "social"), "region_id"] == "220000").all()


# -- feasibility ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "seed", "short"),
    [(1_000, 3, 0), (4_300, 0, 0), (4_300, 7, 2), (43_000, 1, 0), (43_000, 2, 5)],
)
def test_reference_is_a_witness(households, seed, short):
    """The hidden reference pairing keeps R2, R4, R5 (capacity), R6 and R8."""
    inst, ref = build(households, seed, short_counties=short)
    rv, ru = ref_arrays(inst, ref)
    assert (rv >= 0).all() and (ru >= 0).all()
    assert sorted(rv) == sorted(inst.poor_villages)  # R1: one lead each
    tier = inst.u_tier[ru]
    # R2
    assert (tier < 3).all()
    pref, cty = tier == 1, tier == 2
    assert (inst.u_region[ru[pref]] == inst.v_prefecture[rv[pref]]).all()
    assert (inst.u_region[ru[cty]] == inst.v_county[rv[cty]]).all()
    # R4
    n = np.bincount(ru, minlength=len(inst.units))
    lead = inst.u_tier < 3
    assert ((n >= inst.u_min) & (n <= inst.u_max))[lead].all()
    # R6
    prov = tier == 0
    assert inst.v_key[rv[prov]].mean() >= inst.rules.province_key_county_share
    # R3/R5: each unit carries its villages; the county tier its scattered
    # households, the prefecture tier the overflow of short counties
    load = np.bincount(ru, weights=inst.v_households[rv], minlength=len(inst.units))
    assert (inst.u_capacity >= load).all()
    free = inst.u_capacity - load
    nr = len(inst.regions)
    county_free = np.bincount(
        inst.u_region[inst.u_tier == 2], weights=free[inst.u_tier == 2], minlength=nr
    )
    scattered = np.bincount(inst.h_county[inst.h_scattered], minlength=nr)
    overflow = np.maximum(0, scattered - county_free)
    county = inst.r_level == 2
    if short == 0:
        assert (overflow[county] == 0).all()
    else:
        assert (overflow[county] > 0).sum() <= short  # fewer when none is eligible
    pref_free = np.bincount(
        inst.u_region[inst.u_tier == 1], weights=free[inst.u_tier == 1], minlength=nr
    )
    over_area = np.bincount(
        inst.r_prefecture[inst.r_level == 2],
        weights=overflow[inst.r_level == 2],
        minlength=nr,
    )
    assert (pref_free >= over_area).all()
    # R8: enough cadres for the kick-off team
    led = n > 0
    least = np.where(inst.u_tier == 0, 5, 2)
    assert (inst.u_cadres[led] >= least[led]).all()


def test_short_counties_need_the_prefecture():
    inst, ref = build(43_000, 2, short_counties=5)
    rv, ru = ref_arrays(inst, ref)
    load = np.bincount(ru, weights=inst.v_households[rv], minlength=len(inst.units))
    cty = inst.u_tier == 2
    nr = len(inst.regions)
    free = np.bincount(
        inst.u_region[cty], weights=(inst.u_capacity - load)[cty], minlength=nr
    )
    scattered = np.bincount(inst.h_county[inst.h_scattered], minlength=nr)
    assert ((scattered > free) & (inst.r_level == 2)).sum() == 5


def test_county_capacity_covers_its_demand():
    """Each county tier carries its scattered households plus its villages."""
    inst, ref, _ = default()
    rv, ru = ref_arrays(inst, ref)
    nr = len(inst.regions)
    cty = inst.u_tier == 2
    cap = np.bincount(inst.u_region[cty], weights=inst.u_capacity[cty], minlength=nr)
    scattered = np.bincount(inst.h_county[inst.h_scattered], minlength=nr)
    mine = inst.u_tier[ru] == 2
    villages = np.bincount(
        inst.v_county[rv[mine]], weights=inst.v_households[rv[mine]], minlength=nr
    )
    demand = scattered + villages
    county = inst.r_level == 2
    assert (cap[county] >= demand[county]).all()
    slack = cap[county & (demand > 0)] / demand[county & (demand > 0)]
    assert 1.05 <= np.median(slack) <= 1.4


def test_prefecture_feasibility_by_counting():
    """Counting bounds a solver's pre-checks use, without the reference."""
    inst, _, _ = default()
    nr = len(inst.regions)
    area = inst.r_level == 1
    pv = inst.poor_villages
    poor = np.bincount(inst.v_prefecture[pv], minlength=nr)
    pref = inst.u_tier == 1
    n_pref = np.bincount(inst.u_region[pref], minlength=nr)
    # prefecture units need 1 village each, leaving room for the province
    assert (n_pref[area] <= poor[area]).all()
    assert n_pref[area].sum() + tier_of(inst, "province").sum() <= len(pv)
    # households of the area against the capacity that may serve it
    hh = np.bincount(inst.v_prefecture[inst.h_village], minlength=nr)
    cty = inst.u_tier == 2
    local = np.bincount(
        inst.r_prefecture[inst.u_region[pref | cty]],
        weights=inst.u_capacity[pref | cty],
        minlength=nr,
    )
    province_cap = inst.u_capacity[inst.u_tier == 0].sum()
    assert (local[area] + province_cap >= hh[area]).all()
    lead = inst.u_tier < 3
    assert inst.u_capacity[lead].sum() >= len(inst.households)
    # the province can fill its units' minimum and no more than its maximum
    assert tier_of(inst, "province").sum() <= len(pv)
    # every unit that must lead a village has one in reach that fits
    size = inst.v_households
    for u in np.flatnonzero(lead & (inst.u_min >= 1)):
        if inst.u_tier[u] == 0:
            reach = pv
        elif inst.u_tier[u] == 1:
            reach = pv[inst.v_prefecture[pv] == inst.u_region[u]]
        else:
            reach = pv[inst.v_county[pv] == inst.u_region[u]]
        assert len(reach) and size[reach].min() <= inst.u_capacity[u]


# -- leaders, teams, claims ----------------------------------------------------------


def test_leaders():
    inst, _, _ = default()
    led = inst.leaders
    groups = led.groupby(["tier", "covers"]).size()
    assert groups[("province", "prefecture")] == 12
    assert groups[("province", "key_county")] == 15
    assert 24 <= groups[("prefecture", "county")] <= 48
    assert groups[("county", "village")] >= 55
    pv = inst.poor_villages
    big = pv[inst.v_households[pv] >= 5]
    county_ok = set(inst.region_index[np.unique(inst.v_county[big])])
    area_ok = set(inst.region_index[np.unique(inst.v_prefecture[big])])
    vids = set(inst.village_index[big])
    region = led["region_id"].to_numpy()
    parent = inst.regions.set_index("region_id")["parent_id"]
    for _tier, covers, reg, fixed in led[
        ["tier", "covers", "region_id", "area_id"]
    ].itertuples(index=False):
        if covers == "prefecture":
            assert reg == "220000" and area_ok
        elif covers == "key_county":
            keys = set(inst.region_index[inst.r_key])
            assert keys & county_ok
        elif covers == "county":
            assert reg in area_ok
            assert any(parent[c] == reg for c in county_ok)
        else:
            assert reg in county_ok
        if fixed:
            ok = {"prefecture": area_ok, "key_county": county_ok, "county": county_ok}
            assert fixed in ok.get(covers, vids)
    # fixed areas are distinct within each group
    fixed = led[led["area_id"] != ""]
    assert not fixed.duplicated(["tier", "region_id", "covers", "area_id"]).any()
    assert len(fixed) >= 3
    # contact points: mostly poor villages, some not (to exercise R7)
    cp = led["contact_point_village_id"]
    poor = inst.villages.set_index("village_id")["poor"]
    given = cp[cp != ""]
    assert poor[given].mean() > 0.6 and not poor[given].all()
    assert len(region) == led["leader_id"].nunique()


def test_resident_teams():
    inst, _, _ = default()
    t = inst.resident_teams
    assert 0.25 <= len(t) / len(inst.poor_villages) <= 0.32
    assert inst.v_poor[inst.t_village].all()
    tier = inst.u_tier[inst.t_unit]
    share = np.bincount(tier, minlength=4) / len(tier)
    assert 0.04 <= share[0] <= 0.12
    assert 0.10 <= share[1] <= 0.25
    assert 0.60 <= share[2] <= 0.80
    pref, cty = tier == 1, tier == 2  # R2: the team's unit may lead the village
    v, u = inst.t_village, inst.t_unit
    assert (inst.u_region[u[pref]] == inst.v_prefecture[v[pref]]).all()
    assert (inst.u_region[u[cty]] == inst.v_county[v[cty]]).all()
    per_unit = np.bincount(u, minlength=len(inst.units))
    assert (per_unit <= inst.u_max).all()
    assert set(t["kind"]) == {"work_team", "first_secretary"}


def test_claims():
    inst, _, _ = default()
    assert len(inst.claims) > 0
    assert (inst.u_tier[inst.cl_unit] == 3).all()
    assert inst.v_poor[inst.cl_village].all()
    per_unit = np.bincount(inst.cl_unit, minlength=len(inst.units))
    assert (per_unit > inst.u_max).any()  # some claim more than they may get
    assert not inst.claims.duplicated().any()


# -- determinism and arguments -------------------------------------------------------


def test_same_seed_same_tables():
    a = generate(4_300, seed=5)
    b = generate(4_300, seed=5)
    for name in TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_different_seeds_differ():
    a = generate(4_300, seed=1)
    b = generate(4_300, seed=2)
    assert not a.households.equals(b.households)
    assert not a.cadres.equals(b.cadres)
    pd.testing.assert_frame_equal(a.regions, b.regions)  # the map is fixed


@pytest.mark.parametrize(
    "kwargs",
    [
        {"households": 10},
        {"scattered_share": 0.9},
        {"slack": -1},
        {"short_counties": -1},
    ],
)
def test_bad_arguments(kwargs):
    with pytest.raises(InputError):
        generate(**kwargs)
