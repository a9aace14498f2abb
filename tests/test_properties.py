"""Property tests of ``pairing.solve`` on random small provinces (hypothesis).

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

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, provinces

import pairing
from pairing import Infeasible
from pairing.precheck import precheck


def _solve(inst):
    return pairing.solve(inst, time_limit=10, seed=0, workers=1)


def _frames_equal(a, b) -> None:
    for name in (
        "village_pairs",
        "household_pairs",
        "leader_areas",
        "leader_contacts",
        "dispatch",
    ):
        pd.testing.assert_frame_equal(
            getattr(a, name).reset_index(drop=True),
            getattr(b, name).reset_index(drop=True),
        )


@SETTINGS
@given(provinces())
def test_feasible_by_construction_solves_and_validates(case):
    inst, _ = case
    plan = _solve(inst)  # never Infeasible: a witness plan exists
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
    assert plan.info["counts"]["lead_pairs"] == int(inst.v_poor.sum())
    assert plan.info["gap"] >= 0


@SETTINGS
@given(provinces(teams=False, tight=True))
def test_tight_instances_validate_or_explain(case):
    inst, short = case
    try:
        plan = _solve(inst)
    except Infeasible as exc:
        assert short  # only shrunk counties can make it infeasible
        assert exc.causes and all(c.rule and c.message for c in exc.causes)
        # the counting pre-checks or the village stage name a cause
        assert precheck(inst) or any(c.rule for c in exc.causes)
        return
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()


@SETTINGS
@given(provinces())
def test_continuity_kept_wherever_the_rules_allow(case):
    inst, _ = case
    plan = _solve(inst)
    r11 = plan.info["soft"]["R11"]
    # every team is a county unit of the village's county that can carry the
    # whole county and has a free village slot in the witness
    assert r11["kept"] == r11["teams"] == r11["keepable"], r11["breaks"]
    vp = plan.village_pairs
    assert int(vp["continuity"].sum()) == r11["kept"]


@SETTINGS
@given(provinces())
def test_resolving_against_its_own_plan_changes_nothing(case):
    inst, _ = case
    plan = _solve(inst)
    again = pairing.solve(inst, time_limit=10, seed=0, workers=1, baseline=plan)
    assert len(again.changes) == 0, again.changes
    _frames_equal(plan, again)
    assert pairing.validate(inst, again).ok


@SETTINGS
@given(provinces(), st.integers(0, 3))
def test_seed_does_not_change_validity(case, seed):
    inst, _ = case
    plan = pairing.solve(inst, time_limit=10, seed=seed, workers=1, deterministic=True)
    assert pairing.validate(inst, plan).ok
    # households per cadre never above the cap (R5), loads only where cadres are
    hp = plan.household_pairs
    loads = hp.loc[hp["responsible_kind"] == "cadre", "responsible_id"].value_counts()
    assert loads.max() <= 5
    assert np.isin(loads.index, inst.cadres["cadre_id"]).all()
