"""R12 Fair load: even loads within a unit, short travel (soft).

Solver cases: the weight of each term moves the plan the way the rule says.
Validator cases: a plan made worse on purpose shows in the validator's
soft-rule figures.
"""

from __future__ import annotations

import numpy as np
from builders import cadres, province, soft, unit, with_xy
from fixtures_validate import (
    check,
    cid,
    hid,
    plan_rows,
    set_responsible,
)

# -- solver cases: the rule's weight ------------------------------------------


def test_distance_weight_shortens_travel(r9_vs_travel):
    _, low = soft(r9_vs_travel, distance=0.0, tier=1.0)
    _, high = soft(r9_vs_travel, distance=5.0, tier=1.0)
    assert high["R12"]["mean_travel_km"] <= low["R12"]["mean_travel_km"]
    assert high["R12"]["mean_travel_km"] == 0.0


def test_distance_weight_shortens_scattered_travel():
    # scattered households of C may go to the near or the far county unit
    inst = with_xy(
        {"C": "A"},
        [("v1", "C", True, 5.0, 6), ("n1", "C", False, 0.0, 6)],
        [
            unit("near", "county", "C", min_villages=0, max_villages=0),
            unit("far", "county", "C"),
        ],
        {"n1": (0, 0), "near": (0, 0), "far": (300, 0), "v1": (300, 0)},
        size={"near": 2, "far": 4},
    )
    _, low = soft(inst, distance=0.0)
    _, high = soft(inst, distance=5.0)
    assert high["R12"]["mean_travel_km"] <= low["R12"]["mean_travel_km"]
    assert high["R12"]["mean_travel_km"] == 0.0


def _lead_travel(inst, plan) -> float:
    """Sum of lead unit → village distances: the village stage's travel term."""
    vp = plan.village_pairs[plan.village_pairs["role"] == "lead"]
    u = inst.unit_index.get_indexer(vp["unit_id"])
    v = inst.village_index.get_indexer(vp["village_id"])
    return float(inst.distance(u, v).sum())


def test_distance_weight_on_generated(gen):
    # the village stage weighs travel per lead pair; at optima, a larger weight
    # cannot lengthen it (household-weighted travel may move either way)
    low_plan, _ = soft(gen, distance=0.0)
    high_plan, _ = soft(gen, distance=2.0)
    assert low_plan.info["gap"] == 0 and high_plan.info["gap"] == 0
    assert _lead_travel(gen, high_plan) <= _lead_travel(gen, low_plan) + 1e-6


def _loads(plan, inst):
    hp = plan.household_pairs
    hp = hp[hp["responsible_kind"] == "cadre"]
    load = hp["responsible_id"].value_counts()
    return inst.cadres["cadre_id"].map(load).fillna(0).to_numpy()


def test_even_load_weight_spreads_households():
    # one rank class of 6 cadres (cap 5) and 12 households: 2 each when even

    c = cadres("c1", 6, cap=5, rank=1)
    c[0]["rank"] = 1
    inst = province(
        {"C": "A"},
        [("v1", "C", True, 5.0, 12)],
        [unit("c1", "county", "C")],
        cadres=c,
    )
    low_plan, low = soft(inst, even_load=0.0)
    high_plan, high = soft(inst, even_load=5.0)
    assert high["R12"]["idle_while_full"] <= low["R12"]["idle_while_full"]
    assert np.ptp(_loads(high_plan, inst)) <= np.ptp(_loads(low_plan, inst))
    assert sorted(_loads(high_plan, inst)) == [2] * 6


def test_even_load_weight_on_generated(gen):
    low_plan, low = soft(gen, even_load=0.0)
    high_plan, high = soft(gen, even_load=3.0)
    assert high["R12"]["idle_while_full"] <= low["R12"]["idle_while_full"]
    assert np.std(_loads(high_plan, gen)) <= np.std(_loads(low_plan, gen)) + 1e-9


# -- validator cases: the figure shows a plan made worse on purpose --------------


def test_r12_one_cadre_carrying_the_cap_shows_in_the_loads(instance):
    before = check(instance, plan_rows()).soft
    assert before.max_load == 3
    data = plan_rows()
    for k in range(2):  # b1n's two households from CB1-03 to CB1-02 (3 already)
        set_responsible(data, hid("b1n", k), "CB1", cid("CB1", 2))
    report = check(instance, data)
    assert report.ok, report.summary()
    assert report.soft.max_load == 5  # at the cap (R5 still holds)
    assert report.soft.mean_load_active > before.mean_load_active  # one fewer active
    assert report.soft.mean_load == before.mean_load  # the same households
