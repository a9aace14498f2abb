"""Explanations (:func:`pairing.explain`): the chosen pairing's terms, the
alternatives' switching costs — checked by actually switching and
re-scoring — and the units ruled out, with the rule and its numbers."""

from __future__ import annotations

import pytest

import pairing
from pairing.explain import explain
from pairing.score import score


@pytest.fixture(scope="module")
def small():
    inst = pairing.generate(8_600, seed=3)
    plan = pairing.solve(inst, time_limit=20, seed=0)
    assert plan.status == "optimal"  # CP-SAT proved it: no switch gains
    return inst, plan


def _costed(inst, plan):
    """Explanations of the plan's villages that have a feasible alternative."""
    vp = plan.village_pairs[plan.village_pairs["role"] == "lead"]
    for vid in vp["village_id"]:
        e = explain(inst, plan, village=vid, k=3)
        alts = [a for a in e.alternatives if a.cost is not None]
        if alts:
            yield e, alts


def test_switching_cost_is_what_switching_and_rescoring_gives(small):
    inst, plan = small
    e, alts = next(_costed(inst, plan))
    before = score(inst, plan)
    assert e.value == pytest.approx(sum(e.terms.values()))
    for a in alts[:2]:
        assert a.status == "optimal" and a.cost >= 0  # the plan is optimal
        switched = a.apply(inst, plan, time_limit=20)
        assert pairing.validate(inst, switched).ok
        after = score(inst, switched)
        assert before.village_objective - after.village_objective == a.cost
        vp = switched.village_pairs[switched.village_pairs["role"] == "lead"]
        lead = dict(zip(vp["village_id"], vp["unit_id"], strict=True))
        assert lead[e.id] == a.id
        for vid, _, to in a.moves:  # what else had to move, moved
            assert lead[vid] == to


def test_units_ruled_out_name_the_rule_and_numbers(small):
    inst, plan = small
    e = explain(inst, plan, village=plan.village_pairs["village_id"].iloc[0])
    rules = {r.rule for r in e.ruled_out}
    assert "R2" in rules  # the other regions' units, counted
    r5 = [r for r in e.ruled_out if r.rule == "R5"]
    assert r5 and "places" in r5[0].why[1] and "户" in r5[0].why[0]
    assert e.text("zh").startswith("村 ") and e.text("en").startswith("Village ")


def test_household_explanation_and_switch(small):
    inst, plan = small
    hp = plan.household_pairs
    hid = hp.loc[hp["responsible_kind"] == "cadre", "household_id"].iloc[7]
    e = explain(inst, plan, household=hid)
    assert e.chosen == hp.set_index("household_id").loc[hid, "responsible_id"]
    a = e.alternatives[-1]
    moved = a.apply(inst, plan)
    assert pairing.validate(inst, moved).ok
    assert score(inst, plan).total - score(inst, moved).total == pytest.approx(a.cost)
    assert any(r.rule == "R3" for r in e.ruled_out)


def test_unknown_ids_are_key_errors(small):
    inst, plan = small
    with pytest.raises(KeyError):
        explain(inst, plan, village="nope")
    with pytest.raises(ValueError):
        explain(inst, plan)
