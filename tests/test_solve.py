"""End-to-end ``pairing.solve``: golden plans known by hand, generated instances,
determinism, file round trips, tight and infeasible instances.

The golden provinces are built with :func:`province`: one province ``P``, its
prefectures and counties, poor villages with a few households each, and units
with enough cadres for their kick-off teams (R8). Each case is small enough to
work out the best plan by hand from the village stage's objective
(``docs/model.md``): per pair ``tier·s·T[tier] + strength·s·pct + continuity·team
- distance·km/100`` with ``s`` the village's severity over the heaviest one,
``T = (1, 0.5, 0)`` and ``pct`` the unit's strength percentile in its tier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import leads, province, solved, unit

import pairing
from pairing import Infeasible, Plan

# -- builders ---------------------------------------------------------------


# -- golden plans -------------------------------------------------------------


def test_tiny_fixture_plan(tiny_instance):
    plan = solved(tiny_instance)
    got = leads(plan)
    # R6: the province units take both key-county villages; R11: 2201-A keeps
    # 220102001; the other prefecture unit (R4: min 1) takes 220201001
    assert got == {
        "220101001": "22-B",  # heavier village, stronger university (R10)
        "220101002": "22-A",
        "220102001": "2201-A",
        "220201001": "2202-A",
    }


# -- generated instances ---------------------------------------------------------


@pytest.fixture(scope="module")
def gen0():
    return pairing.generate(4300, seed=0)


@pytest.fixture(scope="module")
def plan0(gen0):
    return solved(gen0, time_limit=20)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_instances_validate(seed):
    inst = pairing.generate(4300, seed=seed)
    plan = solved(inst, time_limit=20)
    c = plan.info["counts"]
    assert c["lead_pairs"] == c["poor_villages"]
    assert c["households_by_cadres"] + c["households_by_leaders"] == len(
        inst.households
    )
    assert plan.info["gap"] >= 0


def test_generated_plan_info(gen0, plan0):
    info = plan0.info
    assert info["status"] in ("optimal", "feasible")
    assert info["best_bound"] >= info["objective"] - 1e-6
    assert set(info["soft"]) == {"R9", "R10", "R11", "R12", "R13"}
    assert info["soft"]["R12"]["max_load"] <= 5


@pytest.mark.slow
def test_generated_43000_validates():
    inst = pairing.generate(43_000, seed=0)
    plan = solved(inst, time_limit=30)
    assert plan.info["counts"]["lead_pairs"] == 150


def _same(a: Plan, b: Plan) -> None:
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


def test_deterministic_runs_are_identical(gen0):
    kw = dict(time_limit=5, seed=3, workers=2, deterministic=True)
    a = pairing.solve(gen0, **kw)
    b = pairing.solve(gen0, **kw)
    _same(a, b)
    assert a.info["objective"] == b.info["objective"]


def test_deterministic_cpsat_validates(gen0):
    plan = solved(gen0, method="cpsat", deterministic=True, time_limit=5)
    assert plan.info["parameters"]["method"] == "cpsat"


def test_heuristic_swaps_the_village_of_a_unit_at_its_minimum():
    # prov (min = max = 1) greedily takes the heavier va, which c1 could lead;
    # vb (county D has no unit) has only prov: prov must swap va for vb
    inst = province(
        {"C": "A", "D": "A"},
        [("va", "C", True, 9.0, 6), ("vb", "D", True, 1.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
    )
    assert leads(solved(inst)) == {"va": "c1", "vb": "prov"}  # CP-SAT
    assert leads(solved(inst, method="heuristic")) == {"va": "c1", "vb": "prov"}


def test_heuristic_on_a_generated_instance(gen0):
    solved(gen0, method="heuristic", deterministic=True, time_limit=5)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_instance_round_trip_gives_the_same_plan(gen0, tmp_path, fmt):
    path = tmp_path / ("inst.xlsx" if fmt == "xlsx" else "inst")
    pairing.save_instance(gen0, path, format=fmt)
    back = pairing.load_instance(path)
    kw = dict(time_limit=5, seed=0, workers=1, deterministic=True)
    _same(pairing.solve(gen0, **kw), solved(back, **kw))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_plan_save_load_round_trip(gen0, plan0, tmp_path, fmt):
    plan0.save(tmp_path / "plan", format=fmt)
    back = Plan.load(tmp_path / "plan")
    _same(plan0, back)
    assert back.info["objective"] == plan0.info["objective"]
    assert back.info["soft"]["R9"] == plan0.info["soft"]["R9"]
    assert pairing.validate(gen0, back).ok


def test_tight_instance_solves():
    inst = pairing.generate(4300, seed=1, slack=0.02)
    solved(inst, time_limit=20)


def test_short_counties_overflow_to_the_prefecture_tier():
    inst = pairing.generate(4300, seed=2, short_counties=2)
    plan = solved(inst, time_limit=20)
    assert plan.info["stages"]["households"]["prefecture_overflow"] > 0


def test_fewer_leaders_than_areas(gen0):
    ld = gen0.leaders
    keep = ~((ld["tier"] == "province") & (ld["covers"] != ""))
    # keep one province leader per covers kind: the rest of the areas go uncovered
    first = ld[~keep].groupby("covers").head(1).index
    keep[first] = True
    fewer = gen0.replace(tables={"leaders": ld[keep].reset_index(drop=True)})
    assert len(fewer.leaders) < len(ld)
    plan = solved(fewer, time_limit=20)
    assert len(plan.leader_areas) == len(fewer.leaders)


def test_no_leaders_at_all(gen0):
    none = gen0.replace(tables={"leaders": gen0.leaders.iloc[:0]})
    plan = solved(none, time_limit=20)
    assert (plan.household_pairs["responsible_kind"] == "cadre").all()


def test_generated_infeasible_raises_with_causes(gen0):
    # remove every cadre of one county-tier unit that must carry households
    cad = gen0.cadres
    u = gen0.units
    county_units = u.loc[u["tier"] == "county", "unit_id"]
    thin = cad[~cad["unit_id"].isin(county_units)].reset_index(drop=True)
    broken = gen0.replace(tables={"cadres": thin})
    with pytest.raises(Infeasible) as exc:
        pairing.solve(broken, time_limit=10, seed=0)
    assert exc.value.causes
    assert all(str(c) for c in exc.value.causes)


def test_progress_reports_every_stage(gen0):
    seen: list[str] = []
    pairing.solve(gen0, time_limit=10, progress=lambda d: seen.append(d["stage"]))
    for stage in ("checks", "leaders", "villages", "households", "dispatch", "done"):
        assert stage in seen
    assert np.all(
        np.diff([seen.index(s) for s in ("checks", "leaders", "villages")]) > 0
    )
