"""Recommend fit (:func:`pairing.recommend`): the k best places for new
households and villages; applying the top choices gives a valid plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pairing
from pairing.recommend import Recommender, recommend
from pairing.scenario import HouseholdsAdd


@pytest.fixture(scope="module")
def small():
    inst = pairing.generate(8_600, seed=3)
    return inst, pairing.solve(inst, time_limit=20, seed=0)


def _new(inst, plan, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    villages = inst.villages["village_id"].to_numpy()
    # some in poor villages, some scattered, some in leaders' contact villages
    contact = plan.leader_contacts["village_id"].to_numpy()
    pick = np.r_[rng.choice(villages, n - 5), contact[:5]]
    sev = np.r_[rng.uniform(0, 5, n - 5), np.full(5, 1e3)]  # the last: most severe
    return pd.DataFrame(
        {
            "household_id": [f"NEW{i:03d}" for i in range(n)],
            "village_id": pick,
            "members": 2,
            "severity": sev.round(3),
        }
    )


def test_top_choices_applied_give_a_valid_plan(small):
    inst, plan = small
    new = _new(inst, plan)
    recs = recommend(inst, plan, households=new, k=5)
    assert [r.id for r in recs] == list(new["household_id"])
    assert all(r.choices for r in recs)
    assert all(len(r.choices) <= 5 for r in recs)
    # a household more severe than a leader's in its contact village goes to
    # the leader (R7), which releases its lightest to the cadre chosen
    assert all(r.leader is not None for r in recs.items[-5:])
    for r in recs:  # ranked by score change, best first
        deltas = [c.delta for c in r.choices]
        assert deltas == sorted(deltas, reverse=True)
    changed = HouseholdsAdd(new).apply(inst)
    report = pairing.validate(changed, recs.apply(changed, plan))
    assert report.ok, report.summary()


def test_only_cadres_the_rules_allow(small):
    inst, plan = small
    r = Recommender(inst, plan)
    hp = plan.household_pairs
    poor_v = plan.village_pairs.loc[plan.village_pairs["role"] == "lead"].iloc[0]
    rec = r.household(
        {"household_id": "X", "village_id": poor_v["village_id"], "severity": 1.0},
        k=50,
        take=False,
    )
    assert {c.unit_id for c in rec.choices} == {poor_v["unit_id"]}  # R3: lead unit
    load = hp["responsible_id"].value_counts()
    cap = pd.Series(inst.c_cap, index=inst.cadre_index)
    for c in rec.choices:  # R5: a place left
        assert load.get(c.id, 0) < cap[c.id]
    frame = recommend(
        inst,
        plan,
        households=pd.DataFrame(
            [{"household_id": "X", **poor_v[["village_id"]], "severity": 1.0}]
        ),
    ).to_frame("zh")
    assert frame["why"].str.contains("R3").all()


def test_village_recommendation_respects_r2_r4_r5(small):
    inst, plan = small
    v = inst.villages.loc[~inst.v_poor, "village_id"].iloc[0]
    recs = recommend(
        inst, plan, villages=pd.DataFrame({"village_id": [v], "households": [5]})
    )
    choices = recs[0].choices
    assert choices
    tier = pd.Series(inst.units["tier"].to_numpy(), index=inst.unit_index)
    region = pd.Series(inst.units["region_id"].to_numpy(), index=inst.unit_index)
    county = inst.villages.set_index("village_id").loc[v, "county_id"]
    for c in choices:
        if tier[c.id] == "county":
            assert region[c.id] == county  # R2
    big = recommend(
        inst, plan, villages=pd.DataFrame({"village_id": [v], "households": [10_000]})
    )
    assert not big[0].choices and "R5" in big[0].note[1]
