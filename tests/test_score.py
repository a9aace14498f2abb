"""The score that explains itself (:mod:`pairing.score`): the objective by rule
term (R9–R13), per tier and prefecture, with R14's keep-bonus apart."""

from __future__ import annotations

import numpy as np
import pytest

import pairing
from pairing.diff import diff_plans
from pairing.score import Score, compare, score
from pairing.solver.household_parts import load_step, rank_value


@pytest.fixture(scope="module")
def small():
    inst = pairing.generate(8_600, seed=3)
    plan = pairing.solve(inst, time_limit=20, seed=0)
    assert pairing.validate(inst, plan).ok
    return inst, plan


def test_village_terms_add_up_to_the_village_stage_objective(small):
    inst, plan = small
    s = score(inst, plan)
    assert s.village_objective == plan.objective  # exact, each pair rounded
    stage = s.by_stage()
    assert abs(stage["villages"] - plan.objective) <= len(plan.village_pairs) / 2
    assert s.keep_bonus == 0.0
    # the table, by tier and by region, adds up to the same total
    assert s.by_tier().to_numpy().sum() == pytest.approx(s.total)
    assert s.by_region().to_numpy().sum() == pytest.approx(s.total)
    # the solver records it: plan.score() reads it back without the instance
    assert plan.score().total == pytest.approx(s.total, rel=1e-9, abs=1.0)


def test_household_terms_are_the_flow_terms(tiny_instance):
    plan = pairing.solve(tiny_instance, time_limit=10)
    s = score(tiny_instance, plan)
    hp = plan.household_pairs
    hp = hp[hp["responsible_kind"] == "cadre"]
    c = tiny_instance.cadre_index.get_indexer(hp["responsible_id"])
    h = tiny_instance.households.reset_index(drop=True)
    pos = np.flatnonzero(h["household_id"].isin(set(hp["household_id"])))
    w = tiny_instance.rules.weights
    sev = tiny_instance.h_severity
    order = tiny_instance.households["household_id"].to_numpy()[pos]
    c_of = dict(zip(hp["household_id"], c, strict=True))
    cc = np.array([c_of[x] for x in order])
    rank = rank_value(
        w.rank,
        tiny_instance.c_rank[cc] / tiny_instance.c_rank.max(),
        sev[pos] / sev.max(),
    ).sum()
    assert s.by_term()["R10 rank"] == pytest.approx(rank)
    load = np.bincount(cc)
    step = load_step(w.even_load, int(tiny_instance.c_cap.max()))
    assert s.by_term()["R12 load"] == pytest.approx(
        -step * float((load * (load - 1) / 2).sum())
    )


def test_keep_bonus_is_apart_and_never_in_the_comparison(small):
    inst, plan = small
    again = pairing.solve(inst, baseline=plan, time_limit=20)
    fresh, kept = plan.score(), again.score()
    assert len(again.changes) == 0
    assert kept.keep_bonus > 0 and kept.kept == len(
        plan.village_pairs[plan.village_pairs["role"] == "lead"]
    )
    assert kept.total == pytest.approx(fresh.total)  # nothing changed: equal
    assert again.objective == pytest.approx(kept.village_objective + kept.keep_bonus)
    table = compare({"fresh": fresh, "again": kept})
    assert table.loc["total", "delta again"] == pytest.approx(0.0)
    assert table.loc["R14 keep-bonus (apart)", "delta again"] is None
    # diff compares the terms side by side, the bonus on its own row
    soft = diff_plans(plan, again).soft.set_index("figure")
    assert soft.loc["score.total", "delta"] == pytest.approx(0.0)
    assert soft.loc["score.R9 tier", "a"] == soft.loc["score.R9 tier", "b"]
    assert "score.keep_bonus (R14, apart)" in soft.index


def test_score_round_trips_through_summary_json(small, tmp_path):
    inst, plan = small
    plan.save(tmp_path / "p")
    back = pairing.Plan.load(tmp_path / "p")
    assert back.score().total == pytest.approx(plan.score().total, abs=1.0)
    assert Score.from_dict(back.info["score"]).by_term().index.tolist()[0] == "R9 tier"
