"""The Lagrangian engine of the village stage (#9): its bound is a proof, its
subproblems are exact, its prices are sound, its plans keep every rule."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.solver.candidates import build_candidates
from pairing.solver.greedy import greedy
from pairing.solver.lagrange.dual import Relaxation
from pairing.solver.lagrange.engine import EngineParams, run_engine
from pairing.solver.lagrange.master import Master, generate_columns
from pairing.solver.lagrange.units import UnitProblems
from pairing.solver.lp import solve_lp
from pairing.solver.model import build_model, complete, cover_cuts
from pairing.solver.villages import solve_villages
from pairing.stop import CancelToken

# -- the per-unit subproblems are exact -------------------------------------------


def _brute(pu, dem, lo, hi, cap, need, r, u):
    """Best set of unit ``u`` by enumeration (R4, R5, R8)."""
    ids = np.flatnonzero(pu == u)
    best = 0.0 if lo[u] == 0 else -np.inf
    for s in range(max(lo[u], 1), min(hi[u], len(ids)) + 1):
        for comb in itertools.combinations(ids, s):
            d = dem[list(comb)].sum()
            if need[u] <= d <= cap[u]:
                best = max(best, float(r[list(comb)].sum()))
    return best


@st.composite
def unit_problems(draw):
    n_u = draw(st.integers(1, 4))
    n = draw(st.integers(0, 24))
    pu = np.array(draw(st.lists(st.integers(0, n_u - 1), min_size=n, max_size=n)))
    dem = np.array(draw(st.lists(st.integers(1, 30), min_size=n, max_size=n)))
    lo = np.array(draw(st.lists(st.integers(0, 2), min_size=n_u, max_size=n_u)))
    extra = np.array(draw(st.lists(st.integers(0, 3), min_size=n_u, max_size=n_u)))
    cap = np.array(draw(st.lists(st.integers(5, 80), min_size=n_u, max_size=n_u)))
    need = np.array(draw(st.lists(st.integers(0, 12), min_size=n_u, max_size=n_u)))
    r = np.array(
        draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n)), dtype=float
    )
    return (
        pu.astype(np.int64),
        dem.astype(np.int64),
        lo,
        lo + extra,
        cap,
        need,
        r,
    )


@settings(max_examples=300, deadline=None)
@given(unit_problems())
def test_unit_subproblems_are_exact(problem):
    """R4, R5, R8 per unit: the vectorised solver finds the enumeration's best
    value and a set that keeps the rows, whatever the values' signs."""
    pu, dem, lo, hi, cap, need, r = problem
    value, chosen = UnitProblems(pu, dem, lo, hi, cap, need).solve(r)
    for u in range(len(lo)):
        has = bool((pu == u).any()) and hi[u] > 0
        expected = _brute(pu, dem, lo, hi, cap, need, r, u) if has else 0.0
        if not has and lo[u] > 0:
            expected = -np.inf
        assert value[u] == pytest.approx(expected), u
        if np.isfinite(expected):
            s = np.flatnonzero(chosen & (pu == u))
            assert r[s].sum() == pytest.approx(expected)
            assert lo[u] <= len(s) <= max(hi[u], 0)
            assert len(s) == 0 or need[u] <= dem[s].sum() <= cap[u]


@settings(max_examples=200, deadline=None)
@given(unit_problems())
def test_forcing_bounds_bound_every_set_holding_the_pair(problem):
    """The forcing cost never exceeds what forcing a pair really costs, so
    reduced-cost fixing never drops a pair a better plan needs."""
    pu, dem, lo, hi, cap, need, r = problem
    upper = UnitProblems(pu, dem, lo, hi, cap, need).forcing_bounds(r)
    for p in range(len(pu)):
        u = pu[p]
        others = [i for i in np.flatnonzero(pu == u) if i != p]
        for s in range(max(lo[u], 1), hi[u] + 1):
            for comb in itertools.combinations(others, s - 1):
                cc = [*comb, p]
                if need[u] <= dem[cc].sum() <= cap[u]:
                    assert r[cc].sum() <= upper[p] + 1e-9


# -- the bound is a proof ------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> pairing.Instance:
    return pairing.generate(8_600, seed=5)


@pytest.fixture(scope="module")
def relaxed(small):
    c = build_candidates(small, small.v_households)
    lead = greedy(c, len(small.regions), small.u_region, small.u_tier)
    assert np.all(lead[c.villages] >= 0)
    exact = solve_villages(
        small, small.v_households, time_limit=60, method="cpsat", workers=2
    )
    assert exact.status == "optimal"
    return c, Relaxation(build_model(c)), (c.objective(lead), exact.objective)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([10.0, 1_000.0, 20_000.0]))
def test_the_bound_holds_at_any_multipliers(relaxed, seed, scale):
    """D(y) is at least every plan's objective (the greedy's and the proven
    optimum) for random multipliers y of any size."""
    c, relax, plans = relaxed
    rng = np.random.default_rng(seed)
    y = relax.project(rng.normal(0, scale, relax.n_rows))
    bound = relax.evaluate(y).bound
    assert all(bound >= p for p in plans)


@pytest.mark.parametrize("households,seed", [(4_300, 2), (8_600, 3), (8_600, 5)])
def test_bound_against_the_exact_optimum(households, seed):
    """On small instances CP-SAT proves the optimum; the engine's bound is
    never below it and its plan never above it, and the plan is valid."""
    inst = pairing.generate(households, seed=seed)
    d = inst.v_households
    exact = solve_villages(inst, d, time_limit=60, method="cpsat", workers=2)
    assert exact.status == "optimal"
    lag = solve_villages(inst, d, time_limit=30, method="lagrangian")
    assert lag.bound >= exact.objective >= lag.objective
    c = build_candidates(inst, d)
    assert complete(build_model(c), _pairs(c, lag.lead)) is not None


def test_column_generation_is_never_weaker_than_the_cut_lp(small):
    """At convergence the Lagrangian dual is at most the LP with every
    capacity cover separated (each unit's integer hull is inside its cuts)."""
    c = build_candidates(small, small.v_households)
    m = build_model(c)
    relax = Relaxation(m)
    lp = solve_lp(m, time_limit=30)
    cut = solve_lp(m, time_limit=30, separate=lambda x: cover_cuts(c, x), rounds=8)
    start = relax.evaluate(relax.from_duals(lp.duals))
    assert start.bound >= cut.bound - 1  # any multipliers: still a bound
    assert start.bound <= lp.bound  # at the LP's duals: never weaker than the LP
    gen = generate_columns(Master(relax), start, iterations=300, stop=lambda: False)
    assert gen.converged
    assert gen.best.bound <= cut.bound
    assert gen.best.bound <= lp.bound


# -- prices -------------------------------------------------------------------------


def test_fixing_never_drops_an_optimal_pair():
    """A pair of an optimal plan is never fixable against a worse incumbent."""
    inst = pairing.generate(8_600, seed=3)
    d = inst.v_households
    exact = solve_villages(inst, d, time_limit=60, method="cpsat", workers=2)
    c = build_candidates(inst, d)
    res = run_engine(
        c,
        n_regions=len(inst.regions),
        u_region=inst.u_region,
        u_tier=inst.u_tier,
        time_limit=20,
    )
    fix = res.prices.fixable(exact.objective - 1)
    assert not fix[c.pair_index(exact.lead)].any()
    assert res.prices.bound >= exact.objective
    poor = inst.poor_villages
    assert np.isfinite(res.prices.village[poor]).all()
    assert np.isnan(np.delete(res.prices.village, poor)).all()


# -- anytime, stoppable, deterministic -------------------------------------------------


def test_a_stop_before_any_plan_raises_no_plan_found(small):
    token = CancelToken()
    token.cancel()
    with pytest.raises(pairing.NoPlanFound):
        pairing.solve(small, stop=token, time_limit=5)


def test_deterministic_engine_gives_the_same_plan_twice():
    inst = pairing.generate(20_000, seed=1)
    d = inst.v_households
    kw = dict(time_limit=5, method="lagrangian", deterministic=True, seed=3)
    a = solve_villages(inst, d, **kw)
    b = solve_villages(inst, d, **kw)
    np.testing.assert_array_equal(a.lead, b.lead)
    assert (a.objective, a.bound) == (b.objective, b.bound)


def test_engine_plans_validate_end_to_end():
    inst = pairing.generate(43_000, seed=2)
    plan = pairing.solve(inst, method="lagrangian", time_limit=30, seed=0)
    assert plan.info["method"] == "lagrangian"
    assert pairing.validate(inst, plan).ok
    assert plan.info["objective"] <= plan.info["best_bound"]


def test_engine_parameters_are_taken_per_call():
    """Settings come in as a value, not as module constants."""
    inst = pairing.generate(20_000, seed=2)
    c = build_candidates(inst, inst.v_households)
    kw = dict(
        n_regions=len(inst.regions),
        u_region=inst.u_region,
        u_tier=inst.u_tier,
        time_limit=10,
        deterministic=True,
    )
    one = run_engine(c, params=EngineParams(generation_iterations=1), **kw)
    many = run_engine(c, params=EngineParams(generation_iterations=60), **kw)
    assert one.iterations["master solves"] <= many.iterations["master solves"]
    assert many.bound <= one.bound


def _pairs(c, lead):
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    return x


def test_highs_duals_are_this_conventions_multipliers():
    """For a maximisation HiGHS' row dual is d optimum / d bound: >= 0 on a
    binding upper side, <= 0 on a binding lower side (the master and the
    warm start rely on it)."""
    import highspy

    from pairing.solver.highs import new_highs

    inf = highspy.kHighsInf
    duals = []
    for lo, hi, coef in ((-inf, 1.0, 1.0), (-1.0, inf, -1.0)):
        h = new_highs()
        h.addVar(0, 10)
        h.changeColCost(0, 1.0)
        h.addRow(lo, hi, 1, np.array([0], dtype=np.int32), np.array([coef]))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.run()
        duals.append(float(h.getSolution().row_dual[0]))
    assert duals == [1.0, -1.0]


def test_the_incumbent_never_breaks_a_row_of_the_model(small):
    # R4: a start that leaves a unit below its least villages is no plan (a
    # pruned model's greedy can do so), however well it scores
    from pairing.solver.lagrange.run import Run

    c = build_candidates(small, small.v_households)
    model = build_model(c)
    lead = greedy(c, len(small.regions), small.u_region, small.u_tier)
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    assert complete(model, x) is not None
    run = Run(c, 10.0, stop=None, deterministic=True, progress=None)
    run.model = model
    assert run.offer(lead)
    count = np.bincount(lead[c.villages], minlength=c.n_units)
    # a unit that must lead one village and leads exactly one: hand it on
    broken = None
    for u in np.flatnonzero((count == 1) & (c.u_min >= 1)).tolist():
        v = int(c.villages[lead[c.villages] == u][0])
        others = c.pu[(c.pv == v) & (c.pu != u)]
        if len(others):
            broken = lead.copy()
            broken[v] = int(others[0])
            break
    assert broken is not None, "the instance has no such unit"
    fresh = Run(c, 10.0, stop=None, deterministic=True, progress=None)
    fresh.model = model
    assert not fresh.offer(broken)
    fresh.model = None  # without the model only coverage is checked
    assert fresh.offer(broken)
