"""Stopping a solve (``stop=``) and its progress events, at every stage."""

from __future__ import annotations

import threading

import pytest

import pairing
from pairing.progress import ProgressEvent
from pairing.stop import CancelToken, MaxRuntime, NeverStop

STAGES = ["checks", "leaders", "villages", "households", "dispatch", "done"]


@pytest.fixture(scope="module")
def inst() -> pairing.Instance:
    return pairing.generate(households=6000, seed=21)


class StopAt:
    """A stop request made when the solve reports ``stage`` (and ``phase``)."""

    def __init__(self, stage: str, phase: str | None = None) -> None:
        self.stage, self.phase = stage, phase
        self.token = CancelToken()
        self.events: list[ProgressEvent] = []
        self.threads: set[int] = set()

    def __call__(self, event: ProgressEvent) -> None:
        self.events.append(event)
        self.threads.add(threading.get_ident())
        if event.stage == self.stage and self.phase in (None, event.phase):
            self.token.cancel()


def test_progress_is_typed_on_one_clock_at_every_stage_from_the_calling_thread(inst):
    seen = StopAt("never")
    plan = pairing.solve(inst, time_limit=20, progress=seen, method="lagrangian")
    events = seen.events
    assert all(isinstance(e, ProgressEvent) for e in events)
    stages = [s for i, s in enumerate(e.stage for e in events) if i == 0 or
              s != events[i - 1].stage]  # fmt: skip
    assert stages == STAGES
    elapsed = [e.elapsed for e in events]
    assert elapsed == sorted(elapsed) and elapsed[-1] <= plan.seconds["total"] + 5
    components = [
        e for e in events if e.stage == "households" and e.phase == "component"
    ]
    assert components and components[-1]["done"] == components[-1]["components"]
    assert components[-1].incumbent == plan.objective
    assert any(e.stage == "villages" and e.bound is not None for e in events)
    assert seen.threads == {threading.get_ident()}  # never the solvers' threads
    assert plan.result.stopped is None


def test_a_stop_before_the_village_stage_has_a_plan_raises_no_plan_found(inst):
    token = CancelToken()
    token.cancel()
    with pytest.raises(pairing.NoPlanFound, match="stopped"):
        pairing.solve(inst, stop=token)
    at_leaders = StopAt("leaders")
    with pytest.raises(pairing.NoPlanFound):
        pairing.solve(inst, stop=at_leaders.token, progress=at_leaders)


@pytest.mark.parametrize(
    "method, phase, where",
    [
        ("lagrangian", "warm start", "villages"),  # the engine's incumbent
        ("cpsat", "cpsat", "villages"),  # CP-SAT's first solution
        ("heuristic", "plan", "households"),  # the stage's plan, seen next stage
    ],
)
def test_a_stop_in_the_village_stage_returns_its_best_valid_plan(
    inst, method, phase, where
):
    at = StopAt("villages", phase)
    plan = pairing.solve(inst, time_limit=60, stop=at.token, progress=at, method=method)
    r = plan.result
    assert r.stopped == where
    assert r.status.value in ("feasible", "optimal")
    assert r.bound is not None and r.gap is not None and r.bound >= r.objective
    assert len(r.soft) == 0  # left to the validator
    assert f"stopped: in the {where} stage" in plan.summary()
    assert pairing.validate(inst, plan).ok


def test_a_stop_in_the_engine_returns_its_incumbent(inst):
    at = StopAt("villages", "warm start")
    plan = pairing.solve(
        inst, time_limit=60, stop=at.token, progress=at, method="lagrangian"
    )
    assert plan.result.stopped == "villages"
    assert plan.result.stages["households"].details["coarse"]
    phases = [e.phase for e in at.events if e.stage == "villages"]
    assert "core" not in phases[phases.index("warm start") + 1 :]
    assert pairing.validate(inst, plan).ok


def test_a_stop_in_the_household_stage_finishes_it_coarser_and_valid(inst):
    at = StopAt("households", "component")
    plan = pairing.solve(inst, time_limit=30, stop=at.token, progress=at)
    assert plan.result.stopped == "households"
    done = [e for e in at.events if e.stage == "households" and e.phase == "component"]
    assert done[-1]["done"] == done[-1]["components"] > 1
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
    assert report.soft.claims is not None  # the validator gives the figures


def test_ready_criteria_combine():
    token = CancelToken()
    stop = MaxRuntime(3600) | token | NeverStop()
    assert not stop()
    token.cancel()
    assert stop() and token.wait(0)
    with pytest.raises(ValueError):
        MaxRuntime(-1)


def test_display_shows_a_live_line(inst, capsys):
    plan = pairing.solve(inst, time_limit=20, display=True)
    assert pairing.validate(inst, plan).ok
    assert "s in all" in capsys.readouterr().err
