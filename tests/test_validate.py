"""The independent validator: the valid plan passes, every broken rule is caught."""

from __future__ import annotations

import copy
import json
from collections import Counter, defaultdict
from typing import Any

import pandas as pd
import pytest
from fixtures_validate import LEADS, cid, hid, make_instance, make_plan, plan_rows, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.rules import Rules
from pairing.validate import ValidationReport, validate


@pytest.fixture(scope="module")
def instance():
    return make_instance()


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


def test_r1_missing_lead_row(instance):
    data = plan_rows()
    data["village_pairs"] = [
        r
        for r in data["village_pairs"]
        if not (r["village_id"] == "a2p1" and r["role"] == "lead")
    ]
    # a2p1 loses its lead: its households' unit UA no longer leads it (R3 is
    # not checked without a lead), UA leads 0 villages (R4); it still carries
    # households, so its team is due (R8 as amended: no R8 violation)
    report = check(instance, data)
    assert ("a2p1",) in [v.ids for v in report.by_rule("R1")]
    assert {"R1", "R4"} == report.rules()


def test_r1_two_leads_and_nonpoor_lead(instance):
    data = plan_rows()
    data["village_pairs"].append(dict(data["village_pairs"][0]))  # duplicate
    report = check(instance, data)
    assert only(report, "R1") == [("a1p1", "UP1", "UP1")]

    data = plan_rows()
    data["village_pairs"].append(
        {"village_id": "a1n", "unit_id": "UP1", "tier": "province", "role": "lead"}
    )
    assert only(check(instance, data), "R1") == [("a1n", "UP1")]


def test_r1_bad_role_and_unknown_ids(instance):
    data = plan_rows()
    data["village_pairs"][-1]["role"] = "helper"  # the supplementary row
    assert only(check(instance, data), "R1") == [("b1p2", "S")]

    data = plan_rows()
    data["village_pairs"].append(
        {"village_id": "zz", "unit_id": "UP1", "tier": "province", "role": "lead"}
    )
    assert only(check(instance, data), "R1") == [("zz", "UP1")]


def test_r1_households(instance):
    h = hid("a1p2", 4)  # UP2-02 keeps another household (still eligible, R8)
    data = plan_rows()
    data["household_pairs"] = [
        r for r in data["household_pairs"] if r["household_id"] != h
    ]
    assert only(check(instance, data), "R1") == [(h,)]

    data = plan_rows()
    row = next(r for r in data["household_pairs"] if r["household_id"] == h)
    data["household_pairs"].append(dict(row))
    assert only(check(instance, data), "R1") == [(h,)]

    data = plan_rows()
    data["household_pairs"].append(dict(row, household_id="ghost"))
    assert only(check(instance, data), "R1") == [("ghost",)]

    data = plan_rows()
    set_responsible(data, h, "UP2", "UP2-99")  # unknown cadre
    assert only(check(instance, data), "R1") == [(h, "UP2-99")]

    data = plan_rows()
    for r in data["household_pairs"]:
        if r["household_id"] == h:
            r["responsible_kind"] = "person"
    assert only(check(instance, data), "R1") == [(h, cid("UP2", 2))]


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


def test_r2_county_unit_outside_its_county(instance):
    """CA1 (county A1) leads b1p2 of county B1, with its households and team."""
    data = plan_rows()
    for r in data["village_pairs"]:
        if r["village_id"] == "b1p2" and r["role"] == "lead":
            r.update(unit_id="CA1", tier="county")
    for k in range(3):
        set_responsible(data, hid("b1p2", k), "CA1", cid("CA1", 2))
    # CB1 keeps a task (its scattered households on CB1-03): its team changes
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CB1"] + [
        {"unit_id": "CB1", "cadre_id": cid("CB1", 1), "is_head": True},
        {"unit_id": "CB1", "cadre_id": cid("CB1", 3), "is_head": False},
    ]
    # CA1-02 now carries 1 + 3 = 4 households (cap 5)
    assert only(check(instance, data), "R2") == [("b1p2", "CA1")]


def test_r2_tier_column(instance):
    data = plan_rows()
    data["village_pairs"][0]["tier"] = "county"
    assert only(check(instance, data), "R2") == [("a1p1", "UP1")]


# -- R3 -------------------------------------------------------------------------


def test_r3_household_of_another_unit(instance):
    data = plan_rows()
    h = hid("a1p2", 4)  # UP2-02 keeps another household (still eligible, R8)
    set_responsible(data, h, "UP1", cid("UP1", 2))
    assert only(check(instance, data), "R3") == [(h, cid("UP1", 2))]


def test_r3_scattered_household_of_another_county(instance):
    data = plan_rows()
    h = hid("a1n", 0)  # the head's: CA1-02 keeps its household (R8)
    set_responsible(data, h, "CB1", cid("CB1", 3))
    assert only(check(instance, data), "R3") == [(h, cid("CB1", 3))]


def test_r3_scattered_household_of_another_prefecture(instance):
    data = plan_rows()
    h = hid("a2n", 2)  # A2's overflow household goes to UB (prefecture B)
    set_responsible(data, h, "UB", cid("UB", 3))
    assert only(check(instance, data), "R3") == [(h, cid("UB", 3))]


def test_r3_prefecture_overflow_while_county_has_room(instance):
    data = plan_rows()
    set_responsible(data, hid("a1n", 0), "UA", cid("UA", 3))  # CA1 has 13 free
    ids = only(check(instance, data), "R3")
    assert ids == [("A1",)]


def test_r3_overflow_limit_is_exact(instance):
    """A2: 3 scattered, county capacity 2: exactly 1 may go to the prefecture."""
    data = plan_rows()
    set_responsible(data, hid("a2n", 0), "UA", cid("UA", 3))  # now 2 by UA
    ids = only(check(instance, data), "R3")
    assert ids == [("A2",)]
    # with CA2 capacity 2 x 2 the single overflow household is one too many
    cadres = changed_rows("cadres", "unit_id", "CA2", max_households=2)
    report = check(make_instance(cadres=cadres), plan_rows())
    assert only(report, "R3") == [("A2",)]


# -- R4 -------------------------------------------------------------------------


def test_r4_bounds(instance):
    units = changed_rows("units", "unit_id", "CA1", min_villages=1)
    assert only(check(make_instance(units=units), plan_rows()), "R4") == [("CA1",)]
    units = changed_rows("units", "unit_id", "UB", max_villages=0)
    assert only(check(make_instance(units=units), plan_rows()), "R4") == [("UB",)]
    rules = Rules().replace(
        villages_per_unit={**Rules().villages_per_unit, "province": (2, 2)}
    )
    report = check(make_instance(rules=rules), plan_rows())
    assert sorted(only(report, "R4")) == [("UP1",), ("UP2",)]


# -- R5 -------------------------------------------------------------------------


def test_r5_cap_resolution(instance):
    # UA-02 carries 3: a personal cap of 2 is broken
    cadres = changed_rows("cadres", "cadre_id", cid("UA", 2), max_households=2)
    assert only(check(make_instance(cadres=cadres), plan_rows()), "R5") == [
        (cid("UA", 2),)
    ]
    # by rank (UA-02 has rank 1): cap 2 for rank 1 breaks UA-02 and CB1-02 (3 each)
    rules = Rules().replace(max_households_by_rank={1: 2})
    ids = only(check(make_instance(rules=rules), plan_rows()), "R5")
    assert sorted(ids) == [(cid("CB1", 2),), (cid("UA", 2),)]
    # the cadre's own column beats the rank's cap
    cadres = changed_rows("cadres", "cadre_id", cid("UA", 2), max_households=3)
    cadres = [
        dict(r, max_households=3) if r["cadre_id"] == cid("CB1", 2) else r
        for r in cadres
    ]
    assert check(make_instance(rules=rules, cadres=cadres), plan_rows()).ok
    # the default cap
    rules = Rules().replace(max_households=2)
    ids = only(check(make_instance(rules=rules), plan_rows()), "R5")
    assert sorted(ids) == [(cid("CB1", 2),), (cid("UA", 2),)]


def test_r5_unit_id_is_the_cadres_unit(instance):
    data = plan_rows()
    h = hid("a2p1", 0)
    for r in data["household_pairs"]:
        if r["household_id"] == h:
            r["unit_id"] = "UB"
    assert only(check(instance, data), "R5") == [(h, cid("UA", 2))]


# -- R6 -------------------------------------------------------------------------


def _lp_fixed_on_a() -> list[dict]:
    """LP covers a prefecture with the fixed area A (so key flags may move)."""
    return changed_rows("leaders", "leader_id", "LP", covers="prefecture", area_id="A")


def _regions(**key: bool) -> list[dict]:
    out = copy.deepcopy(rows()["regions"])
    for r in out:
        if r["region_id"] in key:
            r["key_county"] = key[r["region_id"]]
    return out


def test_r6_share_and_exception():
    leaders = _lp_fixed_on_a()
    data = plan_rows()
    data["leader_areas"][0]["area_id"] = "A"
    # B1 key instead of A1: 0 of 2 province villages in key counties
    inst = make_instance(regions=_regions(A1=False, B1=True), leaders=leaders)
    assert only(check(inst, data), "R6") == [("P",)]
    # no key county at all: the exception (every key-county village is province-led)
    inst = make_instance(regions=_regions(A1=False), leaders=leaders)
    assert check(inst, data).ok
    # the share itself: A1 and A2 key, province leads 2 of 2 key -> fine
    inst = make_instance(regions=_regions(A2=True), leaders=leaders)
    assert check(inst, data).ok


# -- R7 -------------------------------------------------------------------------


def test_r7_fewer_leaders_take_the_most_severe(instance):
    data = plan_rows()
    data["leader_areas"][1]["area_id"] = "a1p2"  # LA: a lighter village
    ids = only(check(instance, data), "R7")
    assert ("LA", "a1p2", "a1p1") in ids  # a1p1 (9) uncovered, a1p2 (7) covered


def test_r7_fixed_area_is_kept():
    leaders = changed_rows("leaders", "leader_id", "LA", area_id="a1p2")
    ids = only(check(make_instance(leaders=leaders), plan_rows()), "R7")
    assert ("LA", "a1p1") in ids


def test_r7_every_area_covered_when_enough_leaders():
    """B1 becomes key: 2 province key-county leaders for 2 key counties."""
    leaders = copy.deepcopy(rows()["leaders"]) + [
        {
            "leader_id": "LP2",
            "name": "省领导二",
            "tier": "province",
            "region_id": "P",
            "covers": "key_county",
            "contact_households": 0,
        }
    ]
    inst = make_instance(regions=_regions(B1=True), leaders=leaders)
    data = plan_rows()
    data["leader_areas"].append({"leader_id": "LP2", "area_id": "A1"})
    data["leader_contacts"].append({"leader_id": "LP2", "village_id": "a1p2"})
    assert only(check(inst, data), "R7") == [("B1",)]
    data["leader_areas"][-1]["area_id"] = "B1"
    data["leader_contacts"][-1]["village_id"] = "b1p2"
    assert check(inst, data).ok


def test_r7_contact_village(instance):
    data = plan_rows()
    data["leader_contacts"][0]["village_id"] = "a1p2"  # ignores contact point a1p1
    ids = only(check(instance, data), "R7")
    assert ("LP", "a1p2", "a1p1") in ids

    data = plan_rows()
    data["leader_contacts"][2]["village_id"] = "b1n"  # not poor
    ids = only(check(instance, data), "R7")
    assert ("LB", "b1n") in ids


def test_r7_household_count_and_severity(instance):
    data = plan_rows()
    set_responsible(data, hid("a1p1", 1), None, "LA")  # LP 1, LA 2
    ids = only(check(instance, data), "R7")
    assert ("LP", "a1p1") in ids and ("LA", "a1p1") in ids

    # a leader takes a lighter household than a cadre of the same village
    data = plan_rows()
    set_responsible(data, hid("a1p1", 2), "UP1", cid("UP1", 2))
    set_responsible(data, hid("a1p1", 3), None, "LA")
    assert only(check(instance, data), "R7") == [("a1p1",)]


def test_r7_fewer_households_than_asked():
    """LB asks for 5 of b1p1's 4 households: it takes all 4."""
    leaders = changed_rows("leaders", "leader_id", "LB", contact_households=5)
    inst = make_instance(leaders=leaders)
    data = plan_rows()
    for k in (2, 3):
        set_responsible(data, hid("b1p1", k), None, "LB")
    # UB's team member UB-02 has no household left in UB's village (R8)
    report = check(inst, data)
    assert report.rules() == {"R8"}
    data = plan_rows()  # only 2 of 4: too few
    assert only(check(inst, data), "R7") == [("LB", "b1p1")]


def test_r7_leader_table_rows(instance):
    data = plan_rows()
    data["leader_areas"] = data["leader_areas"][1:]
    assert only(check(instance, data), "R7") == [("LP",), ("A1",)]  # A1 uncovered
    data = plan_rows()
    data["leader_contacts"].append(dict(data["leader_contacts"][2]))
    assert only(check(instance, data), "R7")[0] == ("LB",)
    data = plan_rows()
    data["leader_areas"].append({"leader_id": "LX", "area_id": "A"})
    assert only(check(instance, data), "R7") == [("LX",)]


# -- R8 -------------------------------------------------------------------------


def test_r8_head_and_sizes(instance):
    data = plan_rows()
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] != cid("UP1", 1)]
    assert only(check(instance, data), "R8") == [("UP1",)]  # 5 left, head missing

    data = plan_rows()
    drop = {cid("UP2", 4), cid("UP2", 5)}
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] not in drop]
    assert only(check(instance, data), "R8") == [("UP2",)]  # 3 < 5

    data = plan_rows()
    data["dispatch"] += [
        {"unit_id": "UP1", "cadre_id": cid("UP1", 1), "is_head": True}
    ]  # duplicate row
    assert only(check(instance, data), "R8") == [("UP1", cid("UP1", 1))]


def test_r8_local_team_too_large_and_ineligible(instance):
    data = plan_rows()
    data["dispatch"] += [
        {"unit_id": "UB", "cadre_id": cid("UB", 3), "is_head": False},
    ]
    assert check(instance, data).ok  # UB-03 covers a b1p1 household: 3 is fine
    data["dispatch"] += [
        {"unit_id": "UA", "cadre_id": cid("UA", 3), "is_head": False},
    ]  # UA-03 covers only a scattered household: eligible too (R8 as amended)
    assert check(instance, data).ok
    data["dispatch"] += [
        {"unit_id": "UP2", "cadre_id": cid("UP2", 6), "is_head": False},
    ]  # UP2-06 is responsible for no household: not eligible
    assert only(check(instance, data), "R8") == [("UP2", cid("UP2", 6))]
    cadres = rows()["cadres"] + [
        {"cadre_id": "UA-04", "unit_id": "UA", "rank": 1, "is_head": False}
    ]
    data = plan_rows()
    set_responsible(data, hid("a2p1", 2), "UA", "UA-04")
    data["dispatch"] += [
        {"unit_id": "UA", "cadre_id": c, "is_head": False} for c in ("UA-03", "UA-04")
    ]  # 4 > local_max
    assert only(check(make_instance(cadres=cadres), data), "R8") == [("UA",)]


def test_r8_units_without_a_task_and_foreign_cadres(instance):
    data = plan_rows()
    data["dispatch"].append({"unit_id": "S", "cadre_id": cid("S", 1), "is_head": True})
    assert only(check(instance, data), "R8") == [("S",)]  # no village, no household

    data = plan_rows()
    data["dispatch"].append(
        {"unit_id": "UA", "cadre_id": cid("UB", 3), "is_head": False}
    )
    assert only(check(instance, data), "R8") == [("UA", cid("UB", 3))]


def test_r8_scattered_households_alone_need_a_team(instance):
    """CA1 leads no village but carries A1's scattered households (R8 as
    amended): without a team it is a violation; the old reading passed it."""
    data = plan_rows()
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CA1"]
    report = check(instance, data)
    assert only(report, "R8") == [("CA1",), ("CA1",)]  # size, head
    assert "leads no village but carries households" in report.violations[0].message
    # a team of one: still short
    data["dispatch"].append(
        {"unit_id": "CA1", "cadre_id": cid("CA1", 1), "is_head": True}
    )
    assert only(check(instance, data), "R8") == [("CA1",)]


def test_r8_shortfall_is_reported():
    """UP2 with only 4 cadres (3 eligible + head) cannot send 5."""
    cadres = [
        r
        for r in rows()["cadres"]
        if r["cadre_id"] not in {cid("UP2", 5), cid("UP2", 6)}
    ]
    inst = make_instance(cadres=cadres)
    data = plan_rows()
    set_responsible(data, hid("a1p2", 3), "UP2", cid("UP2", 4))
    data["dispatch"] = [r for r in data["dispatch"] if r["cadre_id"] != cid("UP2", 5)]
    report = check(inst, data)
    assert only(report, "R8") == [("UP2",)]
    assert "only 4 eligible" in report.violations[0].message


# -- R13 ------------------------------------------------------------------------


def test_r13_supplementary_rows(instance):
    data = plan_rows()
    data["village_pairs"][-1]["village_id"] = "b1p1"  # not claimed
    assert only(check(instance, data), "R13") == [("b1p1", "S")]

    data = plan_rows()
    data["village_pairs"].append(
        {
            "village_id": "a1p2",
            "unit_id": "UA",
            "tier": "prefecture",
            "role": "supplementary",
        }
    )
    assert set(only(check(instance, data), "R13")) == {("a1p2", "UA")}

    units = changed_rows("units", "unit_id", "S", max_villages=0)
    assert only(check(make_instance(units=units), plan_rows()), "R13") == [("S",)]


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


def test_r3_overflow_counts_only_units_that_can_field_a_team():  # R3, R8
    """CA2-02 cannot carry (cap 0): CA2 can never send 2, so A2's county tier
    carries nothing and the prefecture tier may take all 3 (县级兜底)."""
    cadres = changed_rows("cadres", "cadre_id", cid("CA2", 2), max_households=0)
    inst = make_instance(cadres=cadres)
    data = plan_rows()
    for k in range(3):
        set_responsible(data, hid("a2n", k), "UA", cid("UA", 3))
    data["dispatch"] = [r for r in data["dispatch"] if r["unit_id"] != "CA2"]
    assert check(inst, data).ok
    # CA2's head still able to carry: taking even one to UA needs A2 full
    data = plan_rows()
    set_responsible(data, hid("a2n", 0), "UA", cid("UA", 3))
    assert only(check(make_instance(), data), "R3") == [("A2",)]
