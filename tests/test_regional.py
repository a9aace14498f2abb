"""Regional polish of the decomposed village stage (one CP-SAT model per prefecture).

The polish fixes the province tier's villages and re-solves every
prefecture's other villages exactly. It must never make the plan worse, must
keep every row of the full model (R1, R3's county and prefecture-overflow
rows, R4, R5, R6, R8), and must give the same plan on a process pool as in
this process under ``deterministic=True``.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import pairing
from pairing.solver import villages
from pairing.solver.candidates import Candidates, build_candidates
from pairing.solver.greedy import greedy
from pairing.solver.leaders import assign_leaders
from pairing.solver.model import build_model, complete
from pairing.solver.regional import polish_regions, region_jobs


def _demand(instance: pairing.Instance) -> np.ndarray:
    taken = assign_leaders(instance).households
    return instance.v_households - np.bincount(
        instance.h_village[taken], minlength=len(instance.villages)
    )


def _setup(
    households: int, **kw: int
) -> tuple[pairing.Instance, np.ndarray, Candidates, np.ndarray]:
    instance = pairing.generate(households, **kw)
    demand = _demand(instance)
    c = build_candidates(instance, demand)
    g = greedy(c, len(instance.regions), instance.u_region, instance.u_tier)
    assert np.all(g[c.villages] >= 0)
    return instance, demand, c, g


def _feasible(c: Candidates, lead: np.ndarray) -> bool:
    """Every row of the full model holds for ``lead`` (R1, R3, R4, R5, R6, R8)."""
    m = build_model(c)
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    return complete(m, x) is not None


def _r3_usage(
    instance: pairing.Instance, c: Candidates, lead: np.ndarray
) -> dict[int, tuple[int, int]]:
    """R3 per prefecture: (forced overflow + prefecture-tier load, its capacity)."""
    v = c.villages
    u = lead[v]
    tier = instance.u_tier[u]
    dem = c.demand[v]
    n_r = len(instance.regions)
    county_load = np.bincount(
        instance.u_region[u[tier == 2]], weights=dem[tier == 2], minlength=n_r
    )
    pref_load = np.bincount(
        instance.u_region[u[tier == 1]], weights=dem[tier == 1], minlength=n_r
    )
    spare = -c.r3_rhs + c.r3_scattered - county_load[c.r3_county]  # cap_c - load
    overflow = np.maximum(c.r3_scattered - spare, 0)
    out = {}
    for p in np.unique(c.r3_pref[c.r3_pref >= 0]).tolist():
        used = int(overflow[c.r3_pref == p].sum() + pref_load[p])
        out[p] = (used, int(c.pref_cap[p]))
    return out


def test_polish_improves_the_greedy_and_keeps_every_row() -> None:
    instance, _, c, g = _setup(86_000, seed=1)
    r = polish_regions(
        c,
        g,
        instance.v_prefecture,
        instance.u_tier,
        time_limit=2.0,
        deterministic=True,
    )
    assert r.objective == c.objective(r.lead)
    assert r.objective > c.objective(g)  # the greedy leaves room in every region
    assert r.regions >= 10 and r.improved > 0
    # the province tier's villages are fixed (R6 and its capacities untouched)
    prov = instance.u_tier[g] == 0
    prov &= g >= 0
    np.testing.assert_array_equal(r.lead[prov], g[prov])
    assert np.all(instance.u_tier[r.lead[c.villages]] >= 0)
    assert _feasible(c, r.lead)
    # a second pass from an optimal-per-region plan changes nothing for the worse
    again = polish_regions(
        c,
        r.lead,
        instance.v_prefecture,
        instance.u_tier,
        time_limit=2.0,
        deterministic=True,
    )
    assert again.objective >= r.objective


def test_region_jobs_are_self_contained() -> None:
    instance, _, c, g = _setup(43_000, seed=3)
    jobs = region_jobs(
        c, g, instance.v_prefecture, instance.u_tier, time_limit=1.0, seed=0
    )
    seen = np.concatenate([j.cands.villages for j in jobs])
    assert len(seen) == len(np.unique(seen))  # disjoint regions
    for job in jobs:
        sub = job.cands
        assert not sub.province.any() and not sub.r6_active
        # every pair lies in the job's prefecture, and so do its R3 rows (R2)
        assert np.all(instance.v_prefecture[sub.pv] == job.region)
        assert np.all(sub.r3_pref == job.region)
        # rows of units outside the region are dropped (R4, R5, R8)
        outside = np.ones(c.n_units, dtype=bool)
        outside[sub.pu] = False
        assert not sub.u_min[outside].any() and not sub.u_max[outside].any()
        assert job.current == int(sub.score @ job.hint)
        assert job.hint.sum() == len(sub.villages)


@pytest.mark.parametrize(
    ("households", "seed", "short"), [(8_600, 1, 3), (43_000, 5, 3)]
)
def test_polish_respects_the_prefecture_overflow_rows(
    households: int, seed: int, short: int
) -> None:
    """R3: the prefecture tier's capacity is shared with its counties' overflow."""
    instance, _, c, g = _setup(households, seed=seed, short_counties=short)
    before = _r3_usage(instance, c, g)
    assert any(used > 0 for used, _ in before.values())
    # make every prefecture's R3 row tight at the greedy's usage: the polish
    # may then move load between the tiers only as the row allows
    tight = c.pref_cap.copy()
    for p, (used, _) in before.items():
        tight[p] = used
    ct = dataclasses.replace(c, pref_cap=tight)
    assert _feasible(ct, g)
    r = polish_regions(
        ct,
        g,
        instance.v_prefecture,
        instance.u_tier,
        time_limit=2.0,
        deterministic=True,
    )
    assert r.objective >= ct.objective(g)
    for used, cap in _r3_usage(instance, ct, r.lead).values():
        assert used <= cap
    assert _feasible(ct, r.lead)
    # the rows bind: with the real capacities the polish would break them
    loose = polish_regions(
        c,
        g,
        instance.v_prefecture,
        instance.u_tier,
        time_limit=2.0,
        deterministic=True,
    )
    assert loose.objective > r.objective
    assert not _feasible(ct, loose.lead)


def test_short_county_instance_solves_valid_with_the_polish() -> None:
    instance = pairing.generate(4_300, seed=2, short_counties=2)
    phases: list[dict] = []
    plan = pairing.solve(
        instance,
        time_limit=10.0,
        seed=0,
        workers=1,
        deterministic=True,
        method="decomposed",
        progress=phases.append,
    )
    assert plan.info["method"] == "decomposed"
    assert pairing.validate(instance, plan).ok
    assert any(d.get("phase") == "regional" for d in phases)


def test_polish_never_lowers_the_stage_objective() -> None:
    instance = pairing.generate(86_000, seed=1)
    demand = _demand(instance)
    args = dict(time_limit=4.0, seed=0, deterministic=True, method="decomposed")
    phases: list[dict] = []
    on = villages.solve_villages(instance, demand, progress=phases.append, **args)
    from pairing.solver.decomposed import DecomposedParams

    no_polish = DecomposedParams(polish_share=0.0)
    off = villages.solve_villages(instance, demand, decomposed=no_polish, **args)
    polish = [d for d in phases if d["phase"] == "regional"]
    assert len(polish) == 1 and polish[0]["regions"] > 1
    assert on.objective >= off.objective
    assert on.bound == off.bound  # the LP bound stays the reported bound
    assert on.objective == float(build_candidates(instance, demand).objective(on.lead))


def test_process_pool_gives_the_in_process_polish() -> None:
    instance = pairing.generate(129_000, seed=0)
    c = build_candidates(instance, _demand(instance))
    g = greedy(c, len(instance.regions), instance.u_region, instance.u_tier)
    kw = dict(time_limit=0.5, seed=0, deterministic=True)
    local = polish_regions(c, g, instance.v_prefecture, instance.u_tier, **kw)
    assert local.optimal < local.regions  # the work limit binds somewhere
    assert local.improved > 0
    with ProcessPoolExecutor(2) as pool:
        remote = polish_regions(
            c, g, instance.v_prefecture, instance.u_tier, executor=pool, **kw
        )
    np.testing.assert_array_equal(local.lead, remote.lead)
    assert (local.objective, local.improved, local.optimal) == (
        remote.objective,
        remote.improved,
        remote.optimal,
    )
