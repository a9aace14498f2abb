"""Shared fixtures: a tiny, valid, solvable hand-made instance.

The tiny instance (province 22 吉林省; prefectures 2201 长春市 and 2202 吉林市;
counties 220101 (key), 220102 under 2201 and 220201 under 2202):

* 6 villages, 4 poor (2 in the key county 220101), 2 non-poor holding the
  scattered households of 220102 and 220201;
* 46 households (38 in poor villages, 8 scattered); ids have leading zeros;
* units: 2 province (6 cadres each), 2 prefecture (one per prefecture,
  4 cadres each), 3 county (one per county), 1 social unit with a claim on a
  poor village; every unit has a head;
* 2 leaders: a province leader covering the key county (contact point
  220101001) and a county leader of 220201 (contact point 220201001);
* 1 resident work team (prefecture unit 2201-A in 220102001).

A plan exists: province units lead 220101001 and 220101002 (R6: both in the
key county), prefecture units lead 220102001 and 220201001, county units take
the scattered households (R3), every leading unit can dispatch its first team
(R8). Ask for ``tiny_tables`` (raw frames, as a loader would pass them) or
``tiny_instance`` (checked :class:`~pairing.Instance`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from builders import unit, with_xy
from fixtures_validate import make_instance

import pairing
from pairing.instance import Instance
from pairing.schema import CAUSES


def tiny_rows() -> dict[str, list[dict[str, Any]]]:
    """The tiny instance's rows per table (plain Python values)."""
    regions = [
        {"region_id": "22", "name": "吉林省", "level": "province", "parent_id": ""},
        {
            "region_id": "2201",
            "name": "长春市",
            "level": "prefecture",
            "parent_id": "22",
        },
        {
            "region_id": "2202",
            "name": "吉林市",
            "level": "prefecture",
            "parent_id": "22",
        },
        {
            "region_id": "220101",
            "name": "重点县",
            "level": "county",
            "parent_id": "2201",
            "key_county": True,
        },
        {
            "region_id": "220102",
            "name": "农安县",
            "level": "county",
            "parent_id": "2201",
        },
        {
            "region_id": "220201",
            "name": "永吉县",
            "level": "county",
            "parent_id": "2202",
        },
    ]
    for r in regions:
        r.setdefault("key_county", False)

    # village id, county, poor, severity, households, x, y
    spec = [
        ("220101001", "220101", True, 8.0, 14, 10.0, 10.0),
        ("220101002", "220101", True, 6.0, 10, 12.0, 8.0),
        ("220102001", "220102", True, 5.0, 6, 30.0, 5.0),
        ("220201001", "220201", True, 4.0, 8, 80.0, 40.0),
        ("220102002", "220102", False, 0.0, 5, 32.0, 7.0),
        ("220201002", "220201", False, 0.0, 3, 85.0, 42.0),
    ]
    villages = []
    households = []
    n = 0
    for vid, county, poor, sev, hh, x, y in spec:
        villages.append(
            {
                "village_id": vid,
                "county_id": county,
                "name": f"村{vid[-3:]}",
                "poor": poor,
                "severity": sev,
                "x_km": x,
                "y_km": y,
            }
        )
        for k in range(hh):
            n += 1
            households.append(
                {
                    "household_id": f"{n:05d}",  # leading zeros: ids are strings
                    "village_id": vid,
                    "members": 1 + (n * 7) % 5,
                    "severity": round(1.0 + ((n * 37) % 23) / 4.0 + k * 0.01, 2),
                    "cause": CAUSES[n % len(CAUSES)],
                }
            )

    units = [
        ("22-A", "省发改委", "province", "22", "党政机关", 10.0, 20.0),
        ("22-B", "吉林大学", "province", "22", "高校", 15.0, 25.0),
        ("2201-A", "长春市农委", "prefecture", "2201", "党政机关", 20.0, 10.0),
        ("2202-A", "吉林市财政局", "prefecture", "2202", "党政机关", 82.0, 38.0),
        ("220101-A", "重点县交通局", "county", "220101", "党政机关", 11.0, 9.0),
        ("220102-A", "农安县教育局", "county", "220102", "事业单位", 31.0, 6.0),
        ("220201-A", "永吉县卫生局", "county", "220201", "事业单位", 84.0, 41.0),
        ("S-1", "某民营企业", "social", "22", "企业", None, None),
    ]
    sizes = {"province": 6, "prefecture": 4, "county": 3, "social": 2}
    unit_rows = []
    cadres = []
    for uid, name, tier, region, kind, x, y in units:
        unit_rows.append(
            {
                "unit_id": uid,
                "name": name,
                "tier": tier,
                "region_id": region,
                "kind": kind,
                "x_km": x,
                "y_km": y,
            }
        )
        for k in range(sizes[tier]):
            cadres.append(
                {
                    "cadre_id": f"{uid}-{k + 1:02d}",
                    "unit_id": uid,
                    "rank": 4 if k == 0 else 1 + k % 3,
                    "is_head": k == 0,
                }
            )
    unit_rows[1]["strength"] = 12.0  # a stronger university
    cadres[1]["max_households"] = 3  # a cadre with a personal cap (R5)

    leaders = [
        {
            "leader_id": "L-22-1",
            "name": "省领导甲",
            "tier": "province",
            "region_id": "22",
            "covers": "key_county",
            "area_id": "",
            "contact_point_village_id": "220101001",
            "contact_households": 5,
        },
        {
            "leader_id": "L-220201-1",
            "name": "县领导乙",
            "tier": "county",
            "region_id": "220201",
            "covers": "",
            "area_id": "",
            "contact_point_village_id": "220201001",
            "contact_households": None,
        },
    ]
    resident_teams = [
        {"village_id": "220102001", "unit_id": "2201-A", "kind": "work_team"},
    ]
    claims = [{"unit_id": "S-1", "village_id": "220101002"}]
    return {
        "regions": regions,
        "villages": villages,
        "households": households,
        "units": unit_rows,
        "cadres": cadres,
        "leaders": leaders,
        "resident_teams": resident_teams,
        "claims": claims,
    }


def tiny_frames() -> dict[str, pd.DataFrame]:
    """The tiny instance as raw data frames (a fresh copy on every call)."""
    return {name: pd.DataFrame(rows) for name, rows in tiny_rows().items()}


@pytest.fixture
def tiny_tables() -> dict[str, pd.DataFrame]:
    """The tiny instance's raw tables (dict of DataFrames, any dtypes)."""
    return tiny_frames()


@pytest.fixture
def tiny_instance() -> Instance:
    """The tiny instance, checked and normalised."""
    return Instance.from_tables(tiny_frames())


# -- fixtures of the per-rule tests (tests/rules) ------------------------------
#
# Here rather than in tests/rules/conftest.py: a second module named
# ``conftest`` would shadow this one for the tests that import its builders.


@pytest.fixture(scope="module")
def instance() -> Instance:
    """The hand-made instance the validator cases break plans of."""
    return make_instance()


@pytest.fixture(scope="module")
def r9_vs_travel():
    """The province unit sits next to the light village, 400 km from the heavy one."""
    return with_xy(
        {"C": "A", "D": "A"},
        [("heavy", "C", True, 9.0, 6), ("light", "D", True, 3.0, 6)],
        [
            unit("prov", "province", "P", max_villages=1),
            unit("c1", "county", "C"),
            unit("d1", "county", "D"),
        ],
        {
            "prov": (0, 0),
            "light": (0, 0),
            "heavy": (400, 0),
            "c1": (400, 0),
            "d1": (0, 0),
        },
    )


@pytest.fixture(scope="module")
def r10_vs_travel():
    """The strong province unit sits next to the light village."""
    return with_xy(
        {"C": "A", "D": "A"},
        [("heavy", "C", True, 9.0, 6), ("light", "D", True, 3.0, 6)],
        [
            unit("strong", "province", "P", strength=10.0, max_villages=1),
            unit("weak", "province", "P", strength=1.0, max_villages=1),
        ],
        {"strong": (0, 0), "light": (0, 0), "heavy": (400, 0), "weak": (400, 0)},
    )


@pytest.fixture(scope="session")
def gen():
    """A generated 4,300-household instance (built once for every soft rule)."""
    return pairing.generate(4300, seed=4)
