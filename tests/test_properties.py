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
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, provinces

import pairing


def _solve(inst):
    return pairing.solve(inst, time_limit=10, seed=0, workers=1)


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
