"""Soft-rule figures (R9–R13) on hand-computed values."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from fixtures_validate import (
    UNITS,
    VILLAGES,
    make_instance,
    make_plan,
    plan_rows,
    rows,
)
from scipy.stats import spearmanr

from pairing.metrics import inverted_pairs, soft_figures, spearman
from pairing.rules import Rules


@pytest.fixture(scope="module")
def instance():
    return make_instance()


@pytest.fixture(scope="module")
def soft(instance):
    return soft_figures(instance, make_plan())


def test_json_serialisable(soft):
    text = json.dumps(soft, allow_nan=False)
    assert json.loads(text) == soft


def test_inverted_pairs_small_case():
    # (1,2) (1,2) (1,4) (3,4): higher-tier strictly lighter in 4 of 6 pairs
    assert inverted_pairs(np.array([1.0, 3.0]), np.array([2.0, 2.0, 4.0])) == 4
    # ties are not inverted
    assert inverted_pairs(np.array([2.0]), np.array([2.0, 2.0])) == 0
    assert inverted_pairs(np.array([]), np.array([1.0])) == 0


def test_r9_by_prefecture_and_share(soft):
    r9 = soft["R9"]
    table = {(r["prefecture_id"], r["tier"]): r for r in r9["by_prefecture_tier"]}
    assert table[("A", "province")]["villages"] == 2
    assert table[("A", "province")]["mean_severity"] == pytest.approx(8.0)
    assert table[("A", "prefecture")]["mean_severity"] == pytest.approx(4.0)
    assert table[("B", "prefecture")]["mean_severity"] == pytest.approx(5.0)
    assert table[("B", "county")]["mean_severity"] == pytest.approx(3.0)
    assert ("A", "county") not in table
    # A: 2 province x 1 prefecture; B: 1 prefecture x 1 county
    assert r9["pairs"] == 3 and r9["inverted_pairs"] == 0
    assert r9["inverted_share"] == 0.0


def test_r9_inverted_share_one_third():
    villages = copy.deepcopy(rows()["villages"])
    for v in villages:
        if v["village_id"] == "a1p2":
            v["severity"] = 3.0  # province village lighter than a2p1 (4) of UA
    inst = make_instance(villages=villages)
    r9 = soft_figures(inst, make_plan())["R9"]
    assert r9["inverted_pairs"] == 1
    assert r9["inverted_share"] == pytest.approx(1 / 3)


def test_r10_against_scipy(instance, soft):
    r10 = soft["R10"]
    # county tier: strengths = cadres (CA1 3, CA2 2, CB1 3); severity led 0, 0, 3
    expected = spearmanr([3, 2, 3], [0.0, 0.0, 3.0]).statistic
    assert r10["strength_severity_by_tier"]["county"] == pytest.approx(expected)
    # province: both units have strength 6 -> undefined
    assert r10["strength_severity_by_tier"]["province"] is None
    # cadre rank vs household severity over cadre-covered households
    data = plan_rows()
    rank = {r["cadre_id"]: r["rank"] for r in rows()["cadres"]}
    sev = {r["household_id"]: r["severity"] for r in rows()["households"]}
    pairs = [
        (rank[r["responsible_id"]], sev[r["household_id"]])
        for r in data["household_pairs"]
        if r["responsible_kind"] == "cadre"
    ]
    expected = spearmanr(*zip(*pairs, strict=True)).statistic
    assert r10["rank_severity"] == pytest.approx(expected)


def test_spearman_edge_cases():
    assert spearman([1.0], [2.0]) is None
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_r11_kept_and_breaks():
    units = copy.deepcopy(rows()["units"])
    for u in units:
        if u["unit_id"] == "UP1":
            u["max_villages"] = 1
    teams = [
        {"village_id": "a2p1", "unit_id": "UA", "kind": "work_team"},  # kept
        {"village_id": "a1p2", "unit_id": "UB", "kind": "work_team"},  # R2
        {"village_id": "a1p2", "unit_id": "UP1", "kind": "first_secretary"},  # cap
        {"village_id": "b1p2", "unit_id": "UB", "kind": "work_team"},  # objective
        {"village_id": "b1p2", "unit_id": "UB", "kind": "first_secretary"},  # same
        {"village_id": "a1n", "unit_id": "CA1", "kind": "work_team"},  # not poor
    ]
    inst = make_instance(units=units, resident_teams=teams)
    r11 = soft_figures(inst, make_plan())["R11"]
    assert r11["teams"] == 4
    assert r11["kept"] == 1
    assert r11["keepable"] == 3  # UB may not lead a1p2 (prefecture B)
    reasons = {(b["village_id"], b["unit_id"]): b["reason"] for b in r11["breaks"]}
    assert reasons == {
        ("a1p2", "UB"): "unit may not lead it (R2)",
        ("a1p2", "UP1"): "unit over its village cap",
        ("b1p2", "UB"): "objective/capacity",
    }
    assert r11["breaks_total"] == 3
    lead = {b["village_id"]: b["lead_unit_id"] for b in r11["breaks"]}
    assert lead == {"a1p2": "UP2", "b1p2": "CB1"}
    assert len(soft_figures(inst, make_plan(), max_breaks=1)["R11"]["breaks"]) == 1


def test_r12_loads_and_travel(soft):
    r12 = soft["R12"]
    n_cadres = sum(n for *_, n in UNITS)
    assert r12["cadres"] == n_cadres == 27
    assert r12["mean_load"] == pytest.approx(25 / 27)  # 30 households, 5 by leaders
    assert r12["max_load"] == 3
    assert r12["idle_while_full"] == 0
    # travel: unit i at (5 i, 3), village j at (10 j, 0)
    ui = {u: i for i, (u, *_) in enumerate(UNITS)}
    vi = {v: j for j, (v, *_) in enumerate(VILLAGES)}
    hv = {r["household_id"]: r["village_id"] for r in rows()["households"]}
    d = [
        math.hypot(5 * ui[r["unit_id"]] - 10 * vi[hv[r["household_id"]]], 3)
        for r in plan_rows()["household_pairs"]
        if r["responsible_kind"] == "cadre"
    ]
    assert r12["mean_travel_km"] == pytest.approx(sum(d) / len(d))
    assert r12["travel_households"] == 25


def test_r12_idle_while_full():
    # cap 2: UP2-02 (rank 1) carries 2 while UP2-06 (rank 1) carries none
    inst = make_instance(rules=Rules(max_households=2))
    r12 = soft_figures(inst, make_plan())["R12"]
    assert r12["idle_while_full"] == 1


def test_r13_claims(instance, soft):
    assert soft["R13"] == {"claims": 1, "honoured": 1}
    data = plan_rows()
    data["village_pairs"] = [r for r in data["village_pairs"] if r["role"] == "lead"]
    assert soft_figures(instance, make_plan(data))["R13"] == {
        "claims": 1,
        "honoured": 0,
    }


def test_broken_plan_does_not_crash(instance):
    data = plan_rows()
    data["household_pairs"][0]["responsible_id"] = "nobody"
    data["village_pairs"][0]["unit_id"] = "nobody"
    plan = make_plan(data)
    plan.dispatch = plan.dispatch.drop(columns=["cadre_id"])
    json.dumps(soft_figures(instance, plan), allow_nan=False)
