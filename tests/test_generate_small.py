"""Small generated provinces (1,000-2,000 households) can be planned.

At these sizes every prefecture-level area still gets a poor village, so the
villages are few and small; the generator must leave each of them enough
households, after the leaders take theirs (R7), for its lead unit's kick-off
team (R8), and the whole instance must solve to a valid plan.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import pairing
from pairing import Instance, Plan
from pairing.generate import generate_with_reference
from pairing.solver.leaders import assign_leaders

SIZES = (1000, 1500, 2000)
SEEDS = (0, 1, 2, 3)


@cache
def small(households: int, seed: int) -> Instance:
    return pairing.generate(households, seed=seed)


@pytest.mark.parametrize("households", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_leaders_leave_every_poor_village_half_its_households(
    households: int, seed: int
) -> None:
    # R7 leaders take their households first; R8 needs some left in every
    # poor village for the cadres of its lead unit
    inst = small(households, seed)
    taken = assign_leaders(inst).households
    by_village = np.bincount(inst.h_village[taken], minlength=len(inst.villages))
    poor = inst.v_poor
    assert np.all(2 * by_village[poor] <= inst.v_households[poor])


@pytest.mark.parametrize("households", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_small_province_solves_to_a_valid_plan(households: int, seed: int) -> None:
    inst = small(households, seed)
    plan = pairing.solve(inst, time_limit=10, seed=seed)
    report = pairing.validate(inst, plan)
    assert report.ok, report
    assert plan.uncovered.empty  # a whole plan, not a partial one
    led = plan.village_pairs["village_id"].nunique()
    assert led == int(inst.v_poor.sum())  # R1: every poor village has a lead


@pytest.mark.parametrize("households", SIZES)
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_reference_pairing_extends_to_a_valid_plan(households: int, seed: int) -> None:
    # the hidden reference is the generator's witness of feasibility: pinned
    # as a baseline, every one of its leads stays and the plan is whole
    inst, ref = generate_with_reference(households, seed)
    base = Plan(
        village_pairs=ref.assign(role="lead", continuity=False)[
            ["village_id", "unit_id", "tier", "role", "continuity"]
        ]
    )
    plan = pairing.solve(inst, baseline=base, pin="villages", time_limit=10)
    report = pairing.validate(inst, plan)
    assert report.ok, report
    assert plan.uncovered.empty
    leads = plan.village_pairs[plan.village_pairs["role"] == "lead"]
    got = leads.set_index("village_id")["unit_id"].sort_index()
    want = ref.set_index("village_id")["unit_id"].sort_index()
    assert got.to_dict() == want.to_dict()
