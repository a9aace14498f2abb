"""Hypothesis strategies shared by the property tests: random small provinces.

:func:`provinces` draws a province with 1–3 prefectures of 1–3 counties, poor
villages (6–9 households of random severity) and non-poor villages holding
scattered households, and units per tier. It is feasible by construction: a
*witness* plan exists in which

* each province unit leads its own poor village, a key-county one when the
  province has key counties (so R6 holds with share 1);
* each prefecture unit (``min_villages`` 0) leads nothing, or its witness village;
* each county unit leads every other poor village of its county, and its
  cadres can carry all of its county's households, scattered ones included
  (R3, R5), with a head and spare cadres for the kick-off team (R8);
* leaders (at most two, one household each) leave every village at least 4
  households, enough for a province unit's team of 5 (head + 4 carriers).

Resident teams are county units in villages of non-key counties not reserved
for the province tier, so keeping every one of them is possible (R11).
"""

from __future__ import annotations

import math

import pandas as pd
from builders import make_instance
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import pairing

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@st.composite
def provinces(draw, *, teams: bool = True, tight: bool = False):
    """A random small province; feasible unless ``tight`` shrinks some units."""
    n_pref = draw(st.integers(1, 3))
    regions = [{"region_id": "P", "level": "province"}]
    counties: list[tuple[str, str, bool]] = []
    for p in range(n_pref):
        pid = f"A{p}"
        regions.append({"region_id": pid, "level": "prefecture", "parent_id": "P"})
        for c in range(draw(st.integers(1, 3))):
            cid = f"{pid}C{c}"
            key = draw(st.booleans()) and draw(st.booleans())
            regions.append(
                {
                    "region_id": cid,
                    "level": "county",
                    "parent_id": pid,
                    "key_county": key,
                }
            )
            counties.append((cid, pid, key))

    villages, households = [], []
    poor_of: dict[str, list[str]] = {}
    sev_of: dict[str, float] = {}
    scattered: dict[str, int] = {}
    for cid, _, _ in counties:
        poor_of[cid] = []
        for k in range(draw(st.integers(1, 3))):
            vid = f"{cid}v{k}"
            sev = draw(st.integers(1, 20)) / 2
            villages.append(
                {"village_id": vid, "county_id": cid, "poor": True, "severity": sev}
            )
            poor_of[cid].append(vid)
            sev_of[vid] = sev
        n_sc = draw(st.integers(0, 4))
        scattered[cid] = n_sc
        if n_sc:
            villages.append(
                {
                    "village_id": f"{cid}n",
                    "county_id": cid,
                    "poor": False,
                    "severity": 0.0,
                }
            )
    xy = draw(st.booleans())
    for v in villages:
        n = draw(st.integers(6, 9)) if v["poor"] else scattered[v["county_id"]]
        sev = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        for i, s in enumerate(sev):
            households.append(
                {
                    "household_id": f"{v['village_id']}h{i}",
                    "village_id": v["village_id"],
                    "members": 1,
                    "severity": float(s),
                }
            )
        if xy:
            v["x_km"] = float(draw(st.integers(0, 300)))
            v["y_km"] = float(draw(st.integers(0, 300)))
    hh = pd.Series([h["village_id"] for h in households]).value_counts().to_dict()

    units, cadres = [], []

    def add_unit(uid: str, tier: str, region: str, n_cadres: int, **kw) -> None:
        row = {"unit_id": uid, "tier": tier, "region_id": region, **kw}
        if xy:
            row["x_km"] = float(draw(st.integers(0, 300)))
            row["y_km"] = float(draw(st.integers(0, 300)))
        units.append(row)
        for i in range(n_cadres):
            cadres.append(
                {
                    "cadre_id": f"{uid}-{i}",
                    "unit_id": uid,
                    "rank": 4 if i == 0 else draw(st.integers(1, 3)),
                    "is_head": i == 0,
                }
            )

    # province units: each reserves one village (key first) of the witness
    key_villages = [v for c, _, k in counties if k for v in poor_of[c]]
    pool = key_villages or [v for c, _, _ in counties for v in poor_of[c]]
    n_prov = draw(st.integers(0, min(2, len(pool))))
    reserved = set(draw(st.permutations(pool))[:n_prov])
    for i in range(n_prov):
        add_unit(
            f"prov{i}",
            "province",
            "P",
            draw(st.integers(6, 9)),
            strength=float(draw(st.integers(1, 50))),
        )
    # prefecture units: never needed by the witness
    for p in range(n_pref):
        for j in range(draw(st.integers(0, 2))):
            add_unit(
                f"A{p}-u{j}",
                "prefecture",
                f"A{p}",
                draw(st.integers(3, 8)),
                min_villages=0,
                strength=float(draw(st.integers(1, 50))),
            )
    # county units: the first carries the whole county (witness)
    short: set[str] = set()
    for cid, _, _ in counties:
        total = sum(hh[v] for v in poor_of[cid]) + scattered[cid]
        need = math.ceil(total / 5) + 2
        if tight and draw(st.booleans()):
            need = max(2, need - 2 - draw(st.integers(0, 3)))
            short.add(cid)
        add_unit(f"{cid}-u0", "county", cid, need, max_villages=3)
        for j in range(1, 1 if cid in short else draw(st.integers(1, 2))):
            add_unit(f"{cid}-u{j}", "county", cid, draw(st.integers(2, 5)))

    tables = {
        "regions": regions,
        "villages": villages,
        "households": households,
        "units": units,
        "cadres": cadres,
    }
    if draw(st.integers(0, 3)):  # leaders: at most two, one household each
        leaders = []
        if draw(st.booleans()):
            leaders.append(
                {
                    "leader_id": "Lp",
                    "tier": "province",
                    "region_id": "P",
                    "covers": "prefecture",
                    "contact_households": 1,
                }
            )
        cid = draw(st.sampled_from([c for c, _, _ in counties]))
        leaders.append(
            {
                "leader_id": "Lc",
                "tier": "county",
                "region_id": cid,
                "contact_point_village_id": draw(st.sampled_from(poor_of[cid])),
                "contact_households": 1,
            }
        )
        tables["leaders"] = leaders
    if teams:
        free = [
            v for c, _, k in counties if not k for v in poor_of[c] if v not in reserved
        ]
        chosen = (
            draw(st.lists(st.sampled_from(free), unique=True, max_size=3))
            if free
            else []
        )
        tables["resident_teams"] = [
            {"village_id": v, "unit_id": f"{v.split('v')[0]}-u0", "kind": "work_team"}
            for v in chosen
        ]
    if draw(st.integers(0, 2)):
        add_unit("soc", "social", "P", 0, max_villages=draw(st.integers(0, 2)))
        all_poor = [v for c, _, _ in counties for v in poor_of[c]]
        tables["claims"] = [
            {"unit_id": "soc", "village_id": v}
            for v in draw(st.lists(st.sampled_from(all_poor), unique=True, max_size=3))
        ]
    return make_instance(**tables), short


def solve_drawn(inst):
    """``pairing.solve`` as the property tests call it (one worker, seed 0)."""
    return pairing.solve(inst, time_limit=10, seed=0, workers=1)


def solved_province(case):
    """Solve a drawn province; the plan must pass the validator too."""
    inst, _ = case
    plan = pairing.solve(inst, time_limit=10, seed=0, workers=1)
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
    return inst, plan


def lead_rows(plan):
    """The plan's lead rows (one per poor village if R1 holds)."""
    vp = plan.village_pairs
    return vp[vp["role"] == "lead"]


RULE_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
