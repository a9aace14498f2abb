"""The independent validator: the valid plan passes, every broken rule is caught."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pandas as pd
import pytest
from fixtures_validate import LEADS, check, make_instance, make_plan, plan_rows, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.validate import validate


@pytest.fixture(scope="module")
def instance():
    return make_instance()


# -- the valid plan -------------------------------------------------------------


def test_valid_plan_passes(instance):
    report = check(instance, plan_rows())
    assert report.ok, report.summary()
    assert report.violations == ()
    assert "Valid" in report.summary()
    d = report.to_dict()
    json.dumps(d)
    assert d["ok"] and d["counts"] == {}
    assert set(report.soft) == {"R9", "R10", "R11", "R12", "R13"}


def test_plan_with_other_dtypes_passes(instance):
    """Object-dtype tables and string flags (as read from CSV) are fine."""
    plan = make_plan()
    for name, df in plan.tables.items():
        setattr(plan, name, df.astype(object).astype(str))
    assert validate(instance, plan).ok


# -- R1 -------------------------------------------------------------------------


def test_missing_contract_column_is_a_violation(instance):
    plan = make_plan()
    plan.village_pairs = plan.village_pairs.drop(columns=["role"])
    plan.dispatch = plan.dispatch.drop(columns=["is_head"])  # informational
    report = validate(instance, plan)
    assert not report.ok
    texts = [v.message for v in report.by_rule("R1")]
    assert any("lacks contract column(s) role" in t for t in texts)
    texts = [v.message for v in report.by_rule("R8")]
    assert any("lacks contract column(s) is_head" in t for t in texts)
    assert not any("is_head False" in t for t in texts)  # not checked without it


# -- R2 -------------------------------------------------------------------------


# -- R3 -------------------------------------------------------------------------


# -- R4 -------------------------------------------------------------------------


# -- R5 -------------------------------------------------------------------------


# -- R6 -------------------------------------------------------------------------


# -- R7 -------------------------------------------------------------------------


# -- R8 -------------------------------------------------------------------------


# -- R13 ------------------------------------------------------------------------


# -- the report -----------------------------------------------------------------


def test_summary_groups_and_caps(instance):
    data = plan_rows()
    data["household_pairs"] = []
    report = check(instance, data)
    counts = report.counts()
    # the table has no columns at all (1), and every household lacks a responsible
    assert counts["R1"] == 1 + 30
    text = report.summary(per_rule=3)
    assert "R1: 31 violation(s)" in text and "… and 28 more" in text
    json.dumps(report.to_dict())


# -- property: single mutations are caught exactly when they break a rule ----------


def brute_force_ok(instance, data) -> bool:
    """A slow, loop-by-loop reading of R1–R5, R7 (households) and R8."""
    t = {k: instance.tables[k] for k in instance.tables}
    v_of = dict(zip(t["villages"].village_id, t["villages"].county_id, strict=True))
    poor = dict(zip(t["villages"].village_id, t["villages"].poor, strict=True))
    parent = dict(zip(t["regions"].region_id, t["regions"].parent_id, strict=True))
    h_v = dict(
        zip(t["households"].household_id, t["households"].village_id, strict=True)
    )
    h_s = dict(zip(t["households"].household_id, t["households"].severity, strict=True))
    unit = {r.unit_id: r for r in t["units"].itertuples()}
    cad = {r.cadre_id: r for r in t["cadres"].itertuples()}
    lead = defaultdict(list)
    for r in data["village_pairs"]:
        if r["role"] == "lead":
            lead[r["village_id"]].append(r["unit_id"])
    for v, p in poor.items():
        if len(lead.get(v, [])) != (1 if p else 0):
            return False
    n_led = Counter(u for us in lead.values() for u in us)
    for v, (u,) in ((v, us) for v, us in lead.items()):
        tier, reg = unit[u].tier, unit[u].region_id
        c = v_of[v]
        if not (
            tier == "province"
            or (tier == "prefecture" and reg == parent[c])
            or (tier == "county" and reg == c)
        ):
            return False
    bounds = instance.rules.villages_per_unit
    for u, r in unit.items():
        if r.tier == "social":
            continue
        lo = bounds[r.tier][0] if pd.isna(r.min_villages) else r.min_villages
        hi = bounds[r.tier][1] if pd.isna(r.max_villages) else r.max_villages
        if not lo <= n_led[u] <= hi:
            return False
    seen = Counter(r["household_id"] for r in data["household_pairs"])
    if set(seen) != set(h_v) or max(seen.values()) > 1:
        return False
    load = Counter()
    pref_scattered = Counter()
    contact = {r["leader_id"]: r["village_id"] for r in data["leader_contacts"]}
    by_leader = defaultdict(list)
    cadre_sev = defaultdict(list)
    leader_sev = defaultdict(list)
    for r in data["household_pairs"]:
        h, who = r["household_id"], r["responsible_id"]
        v = h_v[h]
        if r["responsible_kind"] == "leader":
            if contact.get(who) != v:
                return False
            by_leader[who].append(h)
            leader_sev[v].append(h_s[h])
            continue
        c = cad[who]
        load[who] += 1
        cadre_sev[v].append(h_s[h])
        if r["unit_id"] != c.unit_id:
            return False
        if poor[v]:
            if lead[v] != [c.unit_id]:
                return False
        else:
            u = unit[c.unit_id]
            if u.tier == "county" and u.region_id == v_of[v]:
                pass
            elif u.tier == "prefecture" and u.region_id == parent[v_of[v]]:
                pref_scattered[v_of[v]] += 1
            else:
                return False
    for cid_, n in load.items():
        if (
            n > instance.rules.max_households
            if pd.isna(cad[cid_].max_households)
            else n > cad[cid_].max_households
        ):
            return False
    for county, n in pref_scattered.items():
        free = sum(
            (c.max_households if not pd.isna(c.max_households) else 5)
            - load[c.cadre_id]
            for c in cad.values()
            if unit[c.unit_id].tier == "county" and unit[c.unit_id].region_id == county
        )
        if n and free > 0:
            return False
    for v, sev in leader_sev.items():
        if cadre_sev[v] and min(sev) < max(cadre_sev[v]):
            return False
    k = dict(zip(t["leaders"].leader_id, t["leaders"].contact_households, strict=True))
    for lid in k:
        if len(by_leader[lid]) != k[lid]:
            return False
    team = defaultdict(set)
    for r in data["dispatch"]:
        team[r["unit_id"]].add(r["cadre_id"])
        if cad[r["cadre_id"]].unit_id != r["unit_id"]:
            return False
    works = {
        cad[r["responsible_id"]].cadre_id
        for r in data["household_pairs"]
        if r["responsible_kind"] == "cadre"
    }
    carries = {cad[c].unit_id for c in works}
    for u, r in unit.items():
        members = team.get(u, set())
        if not n_led[u] and u not in carries:
            if members:
                return False
            continue
        lo, hi = (5, 10**9) if r.tier == "province" else (2, 3)
        if not lo <= len(members) <= hi:
            return False
        heads = {c.cadre_id for c in cad.values() if c.unit_id == u and c.is_head}
        if heads and not heads & members:
            return False
        if any(c not in works and c not in heads for c in members):
            return False
    return True


def _mutate(data, kind: int, i: int, j: int) -> None:
    hp, vp, dp = data["household_pairs"], data["village_pairs"], data["dispatch"]
    cadres = [r["cadre_id"] for r in rows()["cadres"]]
    if kind == 0:  # drop a household row
        hp.pop(i % len(hp))
    elif kind == 1:  # reassign a household to a random cadre
        c = cadres[j % len(cadres)]
        hp[i % len(hp)].update(
            responsible_id=c, responsible_kind="cadre", unit_id=c.rsplit("-", 1)[0]
        )
    elif kind == 2:  # swap the lead units of two villages
        leads = [r for r in vp if r["role"] == "lead"]
        a, b = leads[i % len(leads)], leads[j % len(leads)]
        a["unit_id"], b["unit_id"] = b["unit_id"], a["unit_id"]
        a["tier"], b["tier"] = b["tier"], a["tier"]
    elif kind == 3:  # drop a dispatch row
        dp.pop(i % len(dp))
    elif kind == 4:  # add a dispatch row for a random cadre of its unit
        c = cadres[j % len(cadres)]
        u = c.rsplit("-", 1)[0]
        if not any(r["cadre_id"] == c for r in dp):
            dp.append({"unit_id": u, "cadre_id": c, "is_head": c.endswith("-01")})
    elif kind == 5:  # swap the responsible of two households
        a, b = hp[i % len(hp)], hp[j % len(hp)]
        for key in ("responsible_id", "responsible_kind", "unit_id"):
            a[key], b[key] = b[key], a[key]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.integers(0, 5),
    i=st.integers(0, 1000),
    j=st.integers(0, 1000),
)
def test_single_mutations_match_brute_force(instance, kind, i, j):
    data = plan_rows()
    _mutate(data, kind, i, j)
    report = check(instance, data)
    assert report.ok == brute_force_ok(instance, data), (kind, i, j, report.summary())


def test_brute_force_accepts_the_valid_plan(instance):
    assert brute_force_ok(instance, plan_rows())
    assert set(LEADS) <= {r["village_id"] for r in plan_rows()["village_pairs"]}
