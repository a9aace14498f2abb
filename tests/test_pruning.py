"""Pruned candidates (``CandidateParams``), for 10x instances.

The limits are passed as parameters (``SolveParams.candidates``), never
patched into the module.
"""

from __future__ import annotations

import numpy as np
import pytest

import pairing
from pairing.params import CandidateParams, SolveParams
from pairing.solver import candidates as cand


@pytest.fixture(scope="module")
def inst() -> pairing.Instance:
    return pairing.generate(43_000, seed=4)


def _limits(tier: str, *, per_village: int, per_unit: int) -> CandidateParams:
    """Settings that prune the ``province`` or ``local`` pairs of any instance."""
    most = "province_pairs_max" if tier == "province" else "pairs_max"
    return CandidateParams(
        **{most: 10, f"{tier}_per_village": per_village, f"{tier}_per_unit": per_unit}
    )


def _province_pairs(c: cand.Candidates) -> int:
    return int(c.province.sum())


def test_small_instances_keep_every_province_pair(inst):
    demand = inst.v_households
    c = cand.build_candidates(inst, demand, prune=True)
    fits = demand[c.villages][:, None] <= inst.u_capacity[inst.u_tier == 0][None, :]
    assert _province_pairs(c) == int(fits.sum())


def test_pruned_pairs_keep_the_best_and_the_required(inst):
    demand = inst.v_households
    full = cand.build_candidates(inst, demand, prune=True)
    limits = _limits("province", per_village=3, per_unit=2)
    c = cand.build_candidates(inst, demand, prune=True, params=limits)
    assert 0 < _province_pairs(c) < _province_pairs(full)
    # every village keeps its 3 best province pairs of the full set (same score)
    key = c.pv * c.n_units + c.pu
    for v in c.villages[:20]:
        sel = (full.pv == v) & full.province
        top = np.sort(full.score[sel])[::-1][:3]
        mine = np.sort(c.score[(c.pv == v) & c.province])[::-1][:3]
        assert np.all(mine >= top - 1)  # rounding of the score: 1 unit
    # every province unit keeps candidates (R4) and resident teams stay (R11)
    prov = np.flatnonzero((inst.u_tier == 0) & (full.u_max > 0))
    assert np.all(np.bincount(c.pu, minlength=c.n_units)[prov] > 0)
    team = np.unique(inst.t_village * c.n_units + inst.t_unit)
    team_prov = team[np.isin(team, full.pv * c.n_units + full.pu)]
    assert np.isin(team_prov, key).all()


@pytest.mark.parametrize("per_village, per_unit", [(8, 6), (3, 2)])
def test_a_pruned_instance_solves_to_a_valid_plan(inst, per_village, per_unit):
    # (3, 2) leaves a restricted model with no plan: solve retries unpruned
    limits = _limits("province", per_village=per_village, per_unit=per_unit)
    assert cand.may_prune(inst, limits) and not cand.may_prune(inst)
    plan = pairing.solve(
        inst,
        time_limit=10,
        seed=0,
        workers=1,
        deterministic=True,
        params=SolveParams(candidates=limits),
    )
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()


def test_local_tiers_are_pruned_on_very_large_instances(inst):
    demand = inst.v_households
    full = cand.build_candidates(inst, demand, prune=True)
    limits = _limits("local", per_village=2, per_unit=1)
    c = cand.build_candidates(inst, demand, prune=True, params=limits)
    assert _province_pairs(c) == _province_pairs(full)  # pruned apart
    local = ~c.province
    assert 0 < int(local.sum()) < int((~full.province).sum())
    # every unit keeps a candidate (R4), every village its best local pair
    had = np.bincount(full.pu, minlength=c.n_units) > 0
    assert np.all(np.bincount(c.pu, minlength=c.n_units)[had] > 0)
    for v in c.villages[:20]:
        sel = (full.pv == v) & ~full.province
        if sel.any():
            best = full.score[sel].max()
            assert c.score[(c.pv == v) & ~c.province].max() >= best - 1
    team = np.unique(inst.t_village * c.n_units + inst.t_unit)
    team = team[np.isin(team, full.pv * c.n_units + full.pu)]
    assert np.isin(team, c.pv * c.n_units + c.pu).all()  # R11 pairs stay


def test_a_locally_pruned_instance_solves(inst):
    limits = _limits("local", per_village=6, per_unit=6)
    plan = pairing.solve(
        inst,
        time_limit=10,
        seed=0,
        workers=1,
        deterministic=True,
        params=SolveParams(candidates=limits),
    )
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
