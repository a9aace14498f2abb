"""A small hand-made instance and a valid plan for the validator's tests.

Province ``P``; prefectures ``A`` and ``B``; counties ``A1`` (key), ``A2``
under ``A`` and ``B1`` under ``B``.

* Poor villages: ``a1p1`` (severity 9), ``a1p2`` (7) in A1, ``a2p1`` (4) in
  A2, ``b1p1`` (5), ``b1p2`` (3) in B1; non-poor ``a1n``, ``a2n``, ``b1n``
  hold the scattered households.
* Units: province ``UP1``, ``UP2`` (6 cadres); prefecture ``UA``, ``UB``
  (3 cadres); county ``CA1`` (3), ``CA2`` (2 cadres capped at 1 household:
  county A2's tier is full and the prefecture tier takes one scattered
  household, "县级兜底"), ``CB1`` (3); social ``S`` (claims ``b1p2``).
  Cadre ``-01`` of each unit is its head.
* Leaders: ``LP`` province, covers ``key_county`` (contact point ``a1p1``,
  2 households); ``LA`` prefecture A, covers ``village`` (1 leader for 3
  poor villages: it must take the most severe, ``a1p1``; 1 household);
  ``LB`` county B1, no ``covers`` (own county; contact point ``b1p1``,
  2 households).
* A resident work team of ``UA`` in ``a2p1`` (kept).

The valid plan: ``a1p1``→UP1, ``a1p2``→UP2 (R6: all province villages in the
key county), ``a2p1``→UA, ``b1p1``→UB, ``b1p2``→CB1, ``S`` supplementary on
``b1p2``.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from pairing.instance import Instance
from pairing.plan import Plan
from pairing.rules import Rules
from pairing.validate import ValidationReport, validate

VILLAGES = [
    # id, county, poor, severity, households
    ("a1p1", "A1", True, 9.0, 8),
    ("a1p2", "A1", True, 7.0, 5),
    ("a2p1", "A2", True, 4.0, 3),
    ("b1p1", "B1", True, 5.0, 4),
    ("b1p2", "B1", True, 3.0, 3),
    ("a1n", "A1", False, 0.0, 2),
    ("a2n", "A2", False, 0.0, 3),
    ("b1n", "B1", False, 0.0, 2),
]
UNITS = [
    # id, tier, region, cadres
    ("UP1", "province", "P", 6),
    ("UP2", "province", "P", 6),
    ("UA", "prefecture", "A", 3),
    ("UB", "prefecture", "B", 3),
    ("CA1", "county", "A1", 3),
    ("CA2", "county", "A2", 2),
    ("CB1", "county", "B1", 3),
    ("S", "social", "P", 1),
]


def hid(village: str, k: int) -> str:
    """Household ``k`` of a village (``k = 0`` is the most severe)."""
    return f"h-{village}-{k}"


def cid(unit: str, k: int) -> str:
    """Cadre ``k`` (1-based) of a unit; ``-01`` is the head."""
    return f"{unit}-{k:02d}"


def rows() -> dict[str, list[dict[str, Any]]]:
    """The instance's rows per table."""
    regions = [
        {"region_id": "P", "name": "省", "level": "province", "parent_id": ""},
        {"region_id": "A", "name": "甲市", "level": "prefecture", "parent_id": "P"},
        {"region_id": "B", "name": "乙市", "level": "prefecture", "parent_id": "P"},
        {"region_id": "A1", "level": "county", "parent_id": "A", "key_county": True},
        {"region_id": "A2", "level": "county", "parent_id": "A", "key_county": False},
        {"region_id": "B1", "level": "county", "parent_id": "B", "key_county": False},
    ]
    for r in regions:
        r.setdefault("name", r["region_id"])
        r.setdefault("key_county", False)
    villages, households = [], []
    for i, (vid, county, poor, sev, n) in enumerate(VILLAGES):
        villages.append(
            {
                "village_id": vid,
                "county_id": county,
                "poor": poor,
                "severity": sev,
                "x_km": 10.0 * i,
                "y_km": 0.0,
            }
        )
        for k in range(n):
            households.append(
                {
                    "household_id": hid(vid, k),
                    "village_id": vid,
                    "members": 2,
                    "severity": 10.0 - k,  # k = 0 most severe
                }
            )
    units, cadres = [], []
    for i, (uid, tier, region, n) in enumerate(UNITS):
        units.append(
            {
                "unit_id": uid,
                "name": uid,
                "tier": tier,
                "region_id": region,
                "x_km": 5.0 * i,
                "y_km": 3.0,
            }
        )
        for k in range(1, n + 1):
            cadres.append(
                {
                    "cadre_id": cid(uid, k),
                    "unit_id": uid,
                    "rank": 3 if k == 1 else 1 + k % 2,
                    "is_head": k == 1,
                    "max_households": 1 if uid == "CA2" else None,
                }
            )
    leaders = [
        {
            "leader_id": "LP",
            "name": "省领导",
            "tier": "province",
            "region_id": "P",
            "covers": "key_county",
            "contact_point_village_id": "a1p1",
            "contact_households": 2,
        },
        {
            "leader_id": "LA",
            "name": "市领导",
            "tier": "prefecture",
            "region_id": "A",
            "covers": "village",
            "contact_households": 1,
        },
        {
            "leader_id": "LB",
            "name": "县领导",
            "tier": "county",
            "region_id": "B1",
            "contact_point_village_id": "b1p1",
            "contact_households": 2,
        },
    ]
    return {
        "regions": regions,
        "villages": villages,
        "households": households,
        "units": units,
        "cadres": cadres,
        "leaders": leaders,
        "resident_teams": [
            {"village_id": "a2p1", "unit_id": "UA", "kind": "work_team"}
        ],
        "claims": [{"unit_id": "S", "village_id": "b1p2"}],
    }


def make_instance(
    rules: Rules | None = None, **changes: list[dict[str, Any]]
) -> Instance:
    """The instance, checked; ``changes`` replace whole tables' rows."""
    data = rows()
    data.update(changes)
    frames = {name: pd.DataFrame(r) for name, r in data.items()}
    return Instance.from_tables(frames, rules)


LEADS = {"a1p1": "UP1", "a1p2": "UP2", "a2p1": "UA", "b1p1": "UB", "b1p2": "CB1"}
TIER = {u: t for u, t, _, _ in UNITS}


def plan_rows() -> dict[str, list[dict[str, Any]]]:
    """The valid plan's rows per table."""
    vp = [
        {"village_id": v, "unit_id": u, "tier": TIER[u], "role": "lead"}
        for v, u in LEADS.items()
    ]
    for r in vp:
        r["continuity"] = r["village_id"] == "a2p1"
    vp.append(
        {
            "village_id": "b1p2",
            "unit_id": "S",
            "tier": "social",
            "role": "supplementary",
            "continuity": False,
        }
    )
    hp: list[dict[str, Any]] = []

    def cadre(h: str, unit: str, k: int) -> None:
        hp.append(
            {
                "household_id": h,
                "responsible_id": cid(unit, k),
                "responsible_kind": "cadre",
                "unit_id": unit,
            }
        )

    def leader(h: str, lid: str) -> None:
        hp.append(
            {
                "household_id": h,
                "responsible_id": lid,
                "responsible_kind": "leader",
                "unit_id": "",
            }
        )

    # a1p1: the 3 most severe to the leaders, 5 to UP1 cadres 02..06
    leader(hid("a1p1", 0), "LP")
    leader(hid("a1p1", 1), "LP")
    leader(hid("a1p1", 2), "LA")
    for k in range(3, 8):
        cadre(hid("a1p1", k), "UP1", k - 1)
    # a1p2: UP2 cadres 02..05, cadre 02 takes two
    for k, c in enumerate([2, 3, 4, 5, 2]):
        cadre(hid("a1p2", k), "UP2", c)
    for k in range(3):
        cadre(hid("a2p1", k), "UA", 2)
    leader(hid("b1p1", 0), "LB")
    leader(hid("b1p1", 1), "LB")
    cadre(hid("b1p1", 2), "UB", 2)
    cadre(hid("b1p1", 3), "UB", 3)
    for k in range(3):
        cadre(hid("b1p2", k), "CB1", 2)
    # scattered: county tier of the county; A2 is full (2 x 1), UA takes one
    cadre(hid("a1n", 0), "CA1", 1)
    cadre(hid("a1n", 1), "CA1", 2)
    cadre(hid("a2n", 0), "CA2", 1)
    cadre(hid("a2n", 1), "CA2", 2)
    cadre(hid("a2n", 2), "UA", 3)
    cadre(hid("b1n", 0), "CB1", 3)
    cadre(hid("b1n", 1), "CB1", 3)

    areas = [
        {"leader_id": "LP", "area_id": "A1"},
        {"leader_id": "LA", "area_id": "a1p1"},
        {"leader_id": "LB", "area_id": "B1"},
    ]
    contacts = [
        {"leader_id": "LP", "village_id": "a1p1"},
        {"leader_id": "LA", "village_id": "a1p1"},
        {"leader_id": "LB", "village_id": "b1p1"},
    ]
    teams = {
        "UP1": [1, 2, 3, 4, 5, 6],
        "UP2": [1, 2, 3, 4, 5],
        "UA": [1, 2],
        "UB": [1, 2],
        "CB1": [1, 2],
        # R8 as amended: units carrying only scattered households send too
        "CA1": [1, 2],
        "CA2": [1, 2],
    }
    dispatch = [
        {"unit_id": u, "cadre_id": cid(u, k), "is_head": k == 1}
        for u, ks in teams.items()
        for k in ks
    ]
    return {
        "village_pairs": vp,
        "household_pairs": hp,
        "leader_areas": areas,
        "leader_contacts": contacts,
        "dispatch": dispatch,
    }


def make_plan(data: dict[str, list[dict[str, Any]]] | None = None) -> Plan:
    """A :class:`Plan` from rows (the valid plan's by default)."""
    data = plan_rows() if data is None else data
    tables = {}
    for name, r in data.items():
        df = pd.DataFrame(r)
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = df[col].astype("str")
        tables[name] = df
    return Plan(**tables)


# -- helpers for validator cases ---------------------------------------------


def check(instance, data) -> ValidationReport:
    return validate(instance, make_plan(data))


def only(report: ValidationReport, rule: str) -> list[tuple[str, ...]]:
    """Assert exactly ``rule`` is broken; return the ids of its violations."""
    assert report.rules() == {rule}, report.summary()
    return [v.ids for v in report.violations]


def set_responsible(data, household: str, unit: str | None, who: str) -> None:
    for r in data["household_pairs"]:
        if r["household_id"] == household:
            r["responsible_id"] = who
            r["responsible_kind"] = "cadre" if unit else "leader"
            r["unit_id"] = unit or ""


def changed_rows(table: str, key: str, value: str, **new: Any) -> list[dict]:
    out = copy.deepcopy(rows()[table])
    for r in out:
        if r[key] == value:
            r.update(new)
    return out


def lp_fixed_on_a() -> list[dict]:
    """LP covers a prefecture with the fixed area A (so key flags may move)."""
    return changed_rows("leaders", "leader_id", "LP", covers="prefecture", area_id="A")


def regions_with_key(**key: bool) -> list[dict]:
    out = copy.deepcopy(rows()["regions"])
    for r in out:
        if r["region_id"] in key:
            r["key_county"] = key[r["region_id"]]
    return out


def swap_leads(data, va: str, vb: str):
    """Swap the lead units of ``va`` and ``vb``, their cadres' households too.

    Cadre ``k`` of one unit's households in the two villages goes to cadre
    ``k`` of the other; leaders' households and other villages stay.
    """
    lead = {
        r["village_id"]: r["unit_id"]
        for r in data["village_pairs"]
        if r["role"] == "lead"
    }
    other = {lead[va]: lead[vb], lead[vb]: lead[va]}
    for r in data["village_pairs"]:
        if r["role"] == "lead" and r["village_id"] in (va, vb):
            r["unit_id"] = other[r["unit_id"]]
            r["tier"] = TIER[r["unit_id"]]
    prefixes = tuple(f"h-{v}-" for v in (va, vb))
    for r in data["household_pairs"]:
        if r["household_id"].startswith(prefixes) and r["unit_id"] in other:
            new = other[r["unit_id"]]
            r["responsible_id"] = new + r["responsible_id"][len(r["unit_id"]) :]
            r["unit_id"] = new
    return data
