"""The large-instance strategy of the village stage (#9): the smoothed dual is
the function it claims, its bound is a proof, its plans keep every rule."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pairing
from pairing.params import SolveParams
from pairing.solver.candidates import CandidateParams, build_candidates
from pairing.solver.greedy import greedy
from pairing.solver.lagrange.dual import Relaxation
from pairing.solver.lagrange.engine import EngineParams, run_engine
from pairing.solver.lagrange.lns import lns_blocks, lns_round
from pairing.solver.lagrange.regional import RegionalParams, run_regional
from pairing.solver.lagrange.smooth import Smoothed, minimise, start_multipliers
from pairing.solver.model import R1, build_model, complete
from pairing.solver.villages import solve_villages


@pytest.fixture(scope="module")
def small():
    inst = pairing.generate(8_600, seed=5)
    c = build_candidates(inst, inst.v_households)
    return inst, c, Relaxation(build_model(c))


def _soft_max_by_enumeration(relax: Relaxation, y: np.ndarray, tau: float) -> float:
    """``D_tau(y)`` with every unit's sets of one and two villages listed."""
    m = relax.model
    units = relax.units
    r = relax.reduced(y)
    pu = np.empty(m.n_pairs, dtype=np.int64)
    pu[units.order] = units.seg
    dem = units.pair_dem
    side = np.where(np.isfinite(relax.hi), relax.hi, relax.lo)
    total = float(side @ y)
    rc = relax.cost[relax.aux] - relax.at_aux @ y
    lo, hi = m.col_lo[relax.aux], m.col_hi[relax.aux]
    total += float(tau * np.logaddexp(lo * rc / tau, hi * rc / tau).sum())
    for u in range(units.n_units):
        ids = np.flatnonzero(pu == u)
        if units.hi[u] <= 0 or len(ids) == 0:
            continue
        values = [0.0] if units.lo[u] == 0 else []
        if units.lo[u] <= 1:
            values += [r[i] for i in ids if units.need[u] <= dem[i] <= units.cap[u]]
        if units.lo[u] <= 2 <= units.hi[u]:
            values += [
                r[i] + r[j]
                for i, j in itertools.combinations(ids, 2)
                if dem[i] + dem[j] <= units.cap[u]
            ]
        v = np.array(values) / tau
        total += float(tau * (v.max() + np.log(np.exp(v - v.max()).sum())))
    return total


def test_smoothed_dual_is_the_soft_maximum_of_every_units_sets(small):
    """Each unit's log-partition (prefix sums in linear and log space)
    equals the enumeration of its sets of one and two villages (R4, R5)."""
    _, _, relax = small
    smooth = Smoothed(relax)
    rng = np.random.default_rng(0)
    y = start_multipliers(relax) * rng.uniform(0.8, 1.1, relax.n_rows)
    for tau in (10.0, 0.5):  # 0.5: units of very high value take the log path
        value, _ = smooth.value(relax.project(y), tau)
        assert value == pytest.approx(_soft_max_by_enumeration(relax, y, tau))


def test_smoothed_gradient_matches_differences(small):
    _, _, relax = small
    smooth = Smoothed(relax, threads=2)
    y = start_multipliers(relax) * 0.97
    r1 = np.flatnonzero(relax.model.row_rule[relax.rows] == R1)
    for tau in (10.0, 1.0):
        _, grad = smooth.value(y, tau)
        for i in r1[:: max(1, len(r1) // 12)]:
            up, down = y.copy(), y.copy()
            up[i] += 1e-4
            down[i] -= 1e-4
            fd = (smooth.value(up, tau)[0] - smooth.value(down, tau)[0]) / 2e-4
            assert fd == pytest.approx(grad[i], abs=1e-3)
    smooth.close()


def test_smoothed_plan_covers_every_village_at_the_minimum(small):
    """At the minimum the gradient vanishes on R1: the probabilities make a
    fractional plan that covers every village once; its exact bound falls."""
    _, c, relax = small
    smooth = Smoothed(relax)
    y0 = start_multipliers(relax)
    res = minimise(smooth, y0, tau=3.0, iterations=400)
    smooth.value(res.y, 3.0)
    cover = np.bincount(c.pv, weights=smooth.pair_marginals(), minlength=c.n_villages)
    assert np.abs(cover[c.villages] - 1).max() < 0.05
    assert relax.evaluate(res.y).value < relax.evaluate(y0).value


def test_a_stop_ends_the_minimisation_at_once(small):
    _, _, relax = small
    smooth = Smoothed(relax)
    calls = iter(range(10**6))
    res = minimise(
        smooth,
        start_multipliers(relax),
        tau=3.0,
        iterations=400,
        stop=lambda: next(calls) >= 3,
    )
    assert res.stopped and res.evaluations <= 4


@pytest.mark.parametrize("households,seed", [(4_300, 2), (8_600, 3), (8_600, 5)])
def test_regional_bound_against_the_exact_optimum(households, seed):
    """CP-SAT proves the optimum of small instances; the regional strategy's
    bound is never below it, its plan never above it and keeps every row."""
    inst = pairing.generate(households, seed=seed)
    d = inst.v_households
    exact = solve_villages(inst, d, time_limit=60, method="cpsat", workers=2)
    assert exact.status == "optimal"
    c = build_candidates(inst, d)
    res = run_engine(
        c,
        n_regions=len(inst.regions),
        u_region=inst.u_region,
        u_tier=inst.u_tier,
        time_limit=20,
        params=EngineParams(regional_pairs=0),
        v_block=inst.v_prefecture,
    )
    assert res.bound >= exact.objective >= res.objective
    assert res.prices.bound >= exact.objective
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(res.lead)] = 1
    assert complete(build_model(c), x) is not None


def test_regional_round_keeps_every_row_and_never_loses(small):
    inst, c, relax = small
    m = relax.model
    lead = greedy(c, len(inst.regions), inst.u_region, inst.u_tier)
    blocks = lns_blocks(inst.v_prefecture, c.villages)
    assert sorted(v for b in blocks for v in b) == sorted(c.villages.tolist())
    new = lns_round(
        c,
        m,
        lead,
        blocks,
        np.zeros(c.n),
        np.zeros(c.n),
        probability=1.0,
        per_village=3,
        seconds=5,
        seed=0,
        nodes=None,
        stop=None,
        threads=2,
    )
    assert new is not None  # the greedy leaves room on 8,600 households
    assert c.objective(new) > c.objective(lead)
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(new)] = 1
    assert complete(m, x) is not None


def test_regional_stop_returns_the_start_plan(small):
    # a stop made once the start plan is reported: the core and regions skipped
    inst, c, _ = small
    token = pairing.CancelToken()
    res = run_regional(
        c,
        n_regions=len(inst.regions),
        u_region=inst.u_region,
        u_tier=inst.u_tier,
        v_block=inst.v_prefecture,
        time_limit=60,
        stop=token,
        progress=lambda d: token.cancel() if d["phase"] == "start" else None,
    )
    assert res.lead is not None and res.bound.value >= res.objective
    assert res.work["regional rounds"] == 0 and "core pairs" not in res.work


def test_regional_stop_before_any_plan_finds_none(small):
    # a stop during the dual: the greedy polls it too, so there is no plan
    inst, c, _ = small
    calls = itertools.count()
    with pytest.raises(pairing.NoPlanFound):
        run_regional(
            c,
            n_regions=len(inst.regions),
            u_region=inst.u_region,
            u_tier=inst.u_tier,
            v_block=inst.v_prefecture,
            time_limit=60,
            stop=lambda: next(calls) >= 2,
        )


def test_regional_deterministic_gives_the_same_plan_twice():
    inst = pairing.generate(20_000, seed=1)
    c = build_candidates(inst, inst.v_households)
    kw = dict(
        n_regions=len(inst.regions),
        u_region=inst.u_region,
        u_tier=inst.u_tier,
        v_block=inst.v_prefecture,
        time_limit=5,
        deterministic=True,
        params=RegionalParams(iterations=40, temperatures=(10.0, 3.0)),
    )
    a, b = run_regional(c, **kw), run_regional(c, **kw)
    assert a.lead is not None and b.lead is not None
    np.testing.assert_array_equal(a.lead, b.lead)
    assert a.bound.value == b.bound.value
    assert a.work["smoothed stages"] == 2  # counted work: every temperature


def test_regional_plans_validate_end_to_end():
    """Forced on a 43k instance (the switch is by size), the whole solve's
    plan passes the independent validator."""
    params = SolveParams(engine=EngineParams(regional_pairs=0))
    inst = pairing.generate(43_000, seed=2)
    plan = pairing.solve(
        inst, method="lagrangian", time_limit=40, seed=0, params=params
    )
    assert plan.info["stages"]["villages"]["work"].get("smoothed passes", 0) > 0
    assert pairing.validate(inst, plan).ok
    assert plan.info["objective"] <= plan.info["best_bound"]


def test_pruned_province_pairs_are_priced_back():
    """With the province tier pruned, the dense pass makes ``D(y)`` the bound
    of the whole stage again: equal to the unpruned relaxation's at the same
    multipliers, and above the pruned one's wherever pruning cut a best set."""
    from pairing.solver.lagrange.dense import full_bound

    inst = pairing.generate(8_600, seed=3)
    d = inst.v_households
    whole = Relaxation(build_model(build_candidates(inst, d)))
    tight = CandidateParams(
        province_pairs_max=100, province_per_village=2, province_per_unit=2
    )
    c = build_candidates(inst, d, prune=True, params=tight)
    assert c.province_tier is not None
    assert c.province.sum() < build_candidates(inst, d).province.sum()
    pruned = Relaxation(build_model(c))
    assert pruned.n_rows == whole.n_rows
    rng = np.random.default_rng(1)
    gaps = []
    for _ in range(5):
        y = whole.project(
            start_multipliers(whole) * rng.uniform(0.5, 1.2, whole.n_rows)
        )
        e = pruned.evaluate(y)
        full = full_bound(pruned, e, c.province_tier)
        assert full == pytest.approx(whole.evaluate(y).value)
        gaps.append(full - e.value)
    assert max(gaps) > 0


def test_a_stop_after_the_start_returns_a_valid_plan_at_once():
    """A stop requested once the regional strategy has its start plan ends
    the stage there (no core, no regional round) and the whole solve returns
    that plan, valid (the anytime contract of #9; no timings)."""
    params = SolveParams(engine=EngineParams(regional_pairs=0))
    inst = pairing.generate(12_000, seed=4)
    asked = []

    def progress(event):
        if event["stage"] == "villages" and event["phase"] == "start":
            asked.append(True)

    plan = pairing.solve(
        inst,
        method="lagrangian",
        time_limit=120,
        seed=0,
        params=params,
        progress=progress,
        stop=lambda: bool(asked),
    )
    work = plan.info["stages"]["villages"]["work"]
    assert asked and work["smoothed passes"] > 0
    assert work.get("regional rounds", 0) == 0 and "core pairs" not in work
    assert pairing.validate(inst, plan).ok
    assert plan.info["objective"] <= plan.info["best_bound"]


def test_a_regional_repair_frees_no_province_lead(small):
    """With only the local tiers movable, the repair fills the gaps without
    freeing a village a province unit leads, and the plan keeps every row."""
    from pairing.solver.repair import repair

    inst, c, _ = small
    g = greedy(c, len(inst.regions), inst.u_region, inst.u_tier)
    local = inst.u_tier[np.maximum(g, 0)] > 0
    gaps = c.villages[local[c.villages]][:3]
    cut = g.copy()
    cut[gaps] = -1
    fixed, status = repair(c, cut, time_limit=30, movable=inst.u_tier > 0)
    assert status == "feasible" and fixed is not None
    assert np.all(fixed[c.villages] >= 0)
    prov = (cut >= 0) & (inst.u_tier[np.maximum(cut, 0)] == 0)
    np.testing.assert_array_equal(fixed[prov], cut[prov])
    x = (fixed[c.pv] == c.pu).astype(np.int64)
    assert complete(build_model(c), x) is not None


def test_the_engine_settings_round_trip_through_toml(tmp_path):
    """The regional switch is a plain number, so ``--params`` files and the
    plan's recorded settings read back to the same settings."""
    params = SolveParams(engine=EngineParams(regional_pairs=0))
    path = tmp_path / "params.toml"
    path.write_text(params.to_toml(), encoding="utf-8")
    assert SolveParams.from_toml(path) == params
