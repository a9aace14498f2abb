"""The village stage's greedy with repair (``solver/greedy.py``) and the
``heuristic`` method built on it.

Hand-made provinces where the greedy must swap a village out of a unit at its
R4 minimum, eject two villages to make room for a heavy one, refill a unit
below its minimum, or use R6's "every key village to the province" case;
then generated instances: the greedy alone places every village, and
``solve(method="heuristic")`` always returns a valid plan (hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import leads, province, solved, unit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pairing
from pairing import Rules
from pairing.instance import Instance, IntArray
from pairing.solver import poll
from pairing.solver.candidates import Candidates, build_candidates
from pairing.solver.cpsat import build_proto, solve_cpsat
from pairing.solver.greedy import State, _fill, greedy
from pairing.solver.leaders import assign_leaders
from pairing.solver.model import build_model, complete
from pairing.solver.poll import Halt
from pairing.solver.repair import repair


def demand_of(inst: Instance) -> IntArray:
    """Households each village's lead unit carries (leaders take theirs, R7)."""
    taken = np.bincount(
        inst.h_village[assign_leaders(inst).households], minlength=len(inst.villages)
    )
    return inst.v_households - taken


def run_greedy(inst: Instance) -> tuple[Candidates, IntArray]:
    c = build_candidates(inst, demand_of(inst))
    return c, greedy(c, len(inst.regions), inst.u_region, inst.u_tier)


def by_id(inst: Instance, c: Candidates, lead: IntArray) -> dict[str, str]:
    vid, uid = inst.village_index, inst.unit_index
    return {str(vid[v]): str(uid[lead[v]]) for v in c.villages if lead[v] >= 0}


def keeps_rules(c: Candidates, lead: IntArray) -> bool:
    """Every village placed and every row of the stage's model holds."""
    if np.any(lead[c.villages] < 0):
        return False
    m = build_model(c)
    x = np.zeros(c.n, dtype=np.int64)
    x[c.pair_index(lead)] = 1
    return complete(m, x) is not None


# -- hand-made ----------------------------------------------------------------


def test_swap_at_the_minimum():
    # prov (min = max = 1) first takes the heavier va, which c1 could lead;
    # vb (county D has no unit) has only prov: prov swaps va for vb (R4 count kept)
    inst = province(
        {"C": "A", "D": "A"},
        [("va", "C", True, 9.0, 6), ("vb", "D", True, 1.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
    )
    c, lead = run_greedy(inst)
    assert by_id(inst, c, lead) == {"va": "c1", "vb": "prov"}
    assert keeps_rules(c, lead)


def test_two_villages_make_room_for_a_heavy_one():
    # pa (capacity 15) keeps its resident teams' vy and vz (4 + 4 households);
    # vx (12 households, county D without a unit) only fits pa alone: vy is
    # ejected to c1, then vz is swapped out for vx and goes to c1 too
    inst = province(
        {"C": "A", "D": "A"},
        [
            ("vx", "D", True, 1.0, 12),
            ("vy", "C", True, 9.0, 4),
            ("vz", "C", True, 8.0, 4),
        ],
        [unit("pa", "prefecture", "A", max_villages=2), unit("c1", "county", "C")],
        size={"pa": 3},
        resident_teams=[
            {"village_id": "vy", "unit_id": "pa", "kind": "work_team"},
            {"village_id": "vz", "unit_id": "pa", "kind": "work_team"},
        ],
    )
    c, lead = run_greedy(inst)
    assert by_id(inst, c, lead) == {"vx": "pa", "vy": "c1", "vz": "c1"}
    assert keeps_rules(c, lead)
    assert leads(solved(inst, method="heuristic")) == {
        "vx": "pa",
        "vy": "c1",
        "vz": "c1",
    }


def test_fill_moves_a_village_and_refills_the_unit_left():
    # c1 must lead vy, its only village, held by pa (min 1); pa then takes vz
    inst = province(
        {"C": "A", "D": "A"},
        [
            ("vy", "C", True, 9.0, 4),
            ("vz", "D", True, 1.0, 4),
        ],
        [
            unit("pa", "prefecture", "A", max_villages=1),
            unit("c1", "county", "C", min_villages=1),
        ],
    )
    c = build_candidates(inst, demand_of(inst))
    s = State(c, len(inst.regions), inst.u_region, inst.u_tier)
    u = {str(x): i for i, x in enumerate(inst.unit_index)}
    v = {str(x): i for i, x in enumerate(inst.village_index)}
    s.add(v["vy"], u["pa"])
    by_unit = {u["pa"]: [v["vy"], v["vz"]], u["c1"]: [v["vy"]]}
    assert _fill(s, u["c1"], by_unit)
    assert s.lead[v["vy"]] == u["c1"] and s.lead[v["vz"]] == u["pa"]
    assert s.valid()
    assert keeps_rules(c, s.lead)


def test_swap_and_move_are_undone_when_a_rule_breaks():
    inst = province(
        {"C": "A"},
        [("va", "C", True, 9.0, 4), ("vb", "C", True, 1.0, 16)],
        [unit("pa", "prefecture", "A"), unit("c1", "county", "C")],
        size={"c1": 3},  # capacity 15 < 16
    )
    c = build_candidates(inst, demand_of(inst))
    s = State(c, len(inst.regions), inst.u_region, inst.u_tier)
    u = {str(x): i for i, x in enumerate(inst.unit_index)}
    v = {str(x): i for i, x in enumerate(inst.village_index)}
    s.add(v["va"], u["c1"])
    before = (s.lead.copy(), s.load.copy(), s.pused.copy(), len(s.log))
    assert not s.swap(u["c1"], v["va"], v["vb"])  # R5: 16 households > 15
    assert np.array_equal(s.lead, before[0]) and np.array_equal(s.load, before[1])
    assert np.array_equal(s.pused, before[2]) and len(s.log) == before[3]
    assert list(s.held[u["c1"]]) == [v["va"]]
    assert s.move(v["va"], u["pa"])  # c1's minimum is 0
    assert s.lead[v["va"]] == u["pa"] and s.count[u["c1"]] == 0
    s.undo(before[3])
    assert np.array_equal(s.lead, before[0]) and np.array_equal(s.load, before[1])


def test_r6_every_key_village_to_the_province():
    # the province unit must lead 3 villages, only one of them in a key
    # county: R6's share (1/2) cannot hold, but every key village is the
    # province's, which R6 allows
    inst = province(
        {"K": "A", "C": "A"},
        [
            ("vk", "K", True, 5.0, 4),
            ("v1", "C", True, 4.0, 4),
            ("v2", "C", True, 3.0, 4),
        ],
        [unit("prov", "province", "P", min_villages=3, max_villages=3)],
        key=("K",),
    )
    c, lead = run_greedy(inst)
    assert by_id(inst, c, lead) == {"vk": "prov", "v1": "prov", "v2": "prov"}
    assert keeps_rules(c, lead)


def test_r6_share_keeps_a_key_village_with_the_province():
    # two province units, share 1/2: the non-key village needs a key partner
    inst = province(
        {"K": "A", "C": "A"},
        [
            ("vk", "K", True, 1.0, 4),
            ("vn", "C", True, 9.0, 4),
            ("vn2", "C", True, 8.0, 4),
        ],
        [
            unit("p1", "province", "P", max_villages=1),
            unit("c1", "county", "C"),
            unit("k1", "county", "K"),
        ],
        key=("K",),
        rules=Rules(),
    )
    c, lead = run_greedy(inst)
    assert keeps_rules(c, lead)
    assert by_id(inst, c, lead)["vk"] == "p1"


# -- generated ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "seed"), [(4300, 0), (4300, 1), (4300, 2), (43000, 0), (43000, 1)]
)
def test_greedy_alone_places_every_village(households, seed):
    inst = pairing.generate(households, seed=seed)
    c, lead = run_greedy(inst)
    assert np.all(lead[c.villages] >= 0)
    assert keeps_rules(c, lead)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    households=st.integers(2000, 6000),
    seed=st.integers(0, 10_000),
    slack=st.sampled_from([0.02, 0.05, 0.15]),
)
def test_heuristic_always_returns_a_valid_plan(households, seed, slack):
    inst = pairing.generate(households, seed=seed, slack=slack)
    try:
        plan = pairing.solve(inst, method="heuristic", time_limit=20, seed=0)
    except pairing.Infeasible:
        return  # proven by the full CP-SAT model (the repair's last step)
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()


def test_repair_fills_the_gaps_around_them():
    inst = pairing.generate(4300, seed=4)
    c, lead = run_greedy(inst)
    gaps = lead.copy()
    gaps[c.villages[::4]] = -1  # a quarter of the villages left unplaced
    fixed, outcome = repair(c, gaps, time_limit=10, deterministic=True)
    assert outcome == "feasible" and fixed is not None
    assert keeps_rules(c, fixed)


def test_heuristic_repairs_with_cpsat_where_the_greedy_stops():
    # the greedy leaves a village of this instance (R6 tight); CP-SAT repairs
    inst = pairing.generate(43000, seed=3, slack=0.15)
    plan = solved(inst, method="heuristic", deterministic=True, time_limit=10)
    assert plan.info["parameters"]["method"] == "heuristic"


# -- stopped (counted polls, never the clock) ---------------------------------


class StopAfter:
    """A stop that says stop from its ``n``-th call on, counting its calls."""

    def __init__(self, n: float) -> None:
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.n


def keeps_rules_so_far(inst: Instance, c: Candidates, lead: IntArray) -> bool:
    """Every lead a candidate pair, every unit within R4's maximum, R5 and R8,
    every R3 row and R6 (a partial assignment need not reach R4's minimums)."""
    s = State(c, len(inst.regions), inst.u_region, inst.u_tier)
    pairs = set(zip(c.pv.tolist(), c.pu.tolist(), strict=True))
    for v in np.flatnonzero(lead >= 0).tolist():
        if (v, int(lead[v])) not in pairs:
            return False
        s.add(v, int(lead[v]))
    return all(s.fits(u) and s.rows_ok(u) for u in range(c.n_units))


@pytest.fixture
def every(monkeypatch):
    """Poll every 50 units of work (so that a small instance polls often)."""
    monkeypatch.setattr(poll, "EVERY", 50)


@pytest.fixture(scope="module")
def gappy() -> tuple[Instance, Candidates, IntArray, int]:
    """An instance whose greedy's phases 1-3 leave 11 villages to its
    ejection chains, its greedy's plan and the polls of an unstopped run
    (every 50 units)."""
    inst = pairing.generate(43000, seed=0)
    c = build_candidates(inst, demand_of(inst))
    count = StopAfter(np.inf)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(poll, "EVERY", 50)
        lead = greedy(c, len(inst.regions), inst.u_region, inst.u_tier, stop=count)
    return inst, c, lead, count.calls


def test_polling_does_not_change_the_greedy(gappy):
    inst, c, lead, polls = gappy
    alone = greedy(c, len(inst.regions), inst.u_region, inst.u_tier)
    assert np.array_equal(alone, lead)  # a stop that never says stop changes nothing
    assert polls > 20  # polled during its phases, not only between them


@pytest.mark.parametrize("share", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_a_stopped_greedy_returns_at_once_keeping_the_rules(gappy, every, share):
    inst, c, full, polls = gappy
    n = max(1, int(share * polls))  # share 1.0: the last poll (in the chains)
    stop = StopAfter(n)
    lead = greedy(c, len(inst.regions), inst.u_region, inst.u_tier, stop=stop)
    assert stop.calls == n  # no poll after the one that said stop
    assert keeps_rules_so_far(inst, c, lead)
    if n == 1:  # stopped before its first phase
        assert np.all(lead[c.villages] < 0)
    if np.all(lead[c.villages] >= 0):
        assert keeps_rules(c, lead)


@pytest.mark.parametrize("n", [1, 2, 3, 40])
def test_a_stop_ends_the_cpsat_model_build(gappy, every, n):
    m = build_model(gappy[1])  # 2,910 pairs: some 200 polls of 50 units
    stop = StopAfter(n)
    with pytest.raises(Halt):
        build_proto(m, stop=stop)
    assert stop.calls == n
    stop = StopAfter(n)
    r = solve_cpsat(m, time_limit=10, deterministic=True, stop=stop)
    assert (r.status, r.x) == ("unknown", None) and stop.calls == n  # no search


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_a_stop_ends_the_repair(n):
    inst = pairing.generate(4300, seed=4)
    c, lead = run_greedy(inst)
    gaps = lead.copy()
    gaps[c.villages[::4]] = -1
    stop = StopAfter(n)
    assert repair(c, gaps, time_limit=10, deterministic=True, stop=stop) == (
        None,
        "unknown",
    )
    assert stop.calls <= n + 1  # the next neighbourhood's first check, at most
