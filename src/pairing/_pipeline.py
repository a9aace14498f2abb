"""The stages of :func:`pairing.solve`, run in order, and the result built once.

:class:`Pipeline` keeps what a run shares: the one clock (every progress event
is stamped with ``time.perf_counter()`` seconds since the solve started), the
stop request (:class:`_Latch`: once the criterion says stop, it stays said,
and the stage it was seen in is recorded), the settings and the seconds per
stage. Each stage is one method; :meth:`Pipeline.finish` builds the plan's
tables and its :class:`~pairing.result.SolveResult` (:mod:`pairing._outcome`),
which nothing changes afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

import numpy as np

from ._budget import after_villages as _after_villages
from ._outcome import finish
from ._replan_stage import kept_villages, partial_villages
from .errors import Infeasible, NoPlanFound
from .instance import Instance
from .params import SolveParams
from .plan import Plan
from .progress import ProgressEvent
from .result import Provenance

Progress = Callable[[ProgressEvent], None]


class _Latch:
    """A stopping criterion that stays stopped, and remembers where it stopped.

    It may be polled from the solvers' helper threads as well (HiGHS' core
    MIP thread): the criterion it wraps must be thread-safe, as the ready
    ones of :mod:`pairing.stop` are.
    """

    def __init__(self, stop: Callable[[], bool] | None, where: Callable[[], str]):
        self._stop = stop
        self._where = where
        self.at: str | None = None

    def __call__(self) -> bool:
        if self.at is not None:
            return True
        if self._stop is not None and self._stop():
            self.at = self._where()
            return True
        return False


class Pipeline:
    """One run of :func:`pairing.solve` (see there for the options)."""

    def __init__(
        self,
        instance: Instance,
        *,
        time_limit: float | None,
        seed: int,
        workers: int,
        deterministic: bool,
        method: str,
        params: SolveParams,
        progress: Progress | None,
        stop: Callable[[], bool] | None,
        executor: Executor | None,
        partial: bool = False,
        pin: str | None = None,
    ) -> None:
        self.start = time.perf_counter()
        self.instance = instance
        self.limit = float(
            instance.rules.time_limit if time_limit is None else time_limit
        )
        self.seed, self.workers, self.deterministic = seed, workers, deterministic
        self.method = method
        self.params = params
        self.executor = executor
        self._progress = progress
        self.stage = "checks"
        if not deterministic:  # the time limit is one more stop (never counted work)
            stop = _with_deadline(stop, self.start + self.limit)
        self.stop = _Latch(stop, lambda: self.stage)
        self.seconds: dict[str, float] = {}
        self.incumbent: float | None = None
        self.bound: float | None = None
        self.reserve = 0.0
        self.keep: np.ndarray | None = None
        self.prefer: np.ndarray | None = None
        # R15 relaxed to a partial plan (pinned shortfalls are left uncovered)
        self.pin = pin
        self.partial = partial or pin is not None
        self.causes: list[Any] = []
        self.left_out: Any = None  # what a partial plan's leads leave
        self.leaders_households = np.zeros(0, dtype=np.int64)
        self.demand = np.zeros(0, dtype=np.int64)

    # -- shared ---------------------------------------------------------------

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return max(0.5, self.limit - self.elapsed())

    def event(self, phase: str | None = None, **detail: Any) -> None:
        """Report progress in the current stage (incumbent, bound: the latest)."""
        if "incumbent" in detail and detail["incumbent"] is not None:
            self.incumbent = float(detail["incumbent"])
        if "bound" in detail and detail["bound"] is not None:
            self.bound = float(detail["bound"])
        detail.pop("incumbent", None)
        detail.pop("bound", None)
        detail.pop("elapsed", None)  # a stage's own clock: the solve's is used
        if self._progress is not None:
            self._progress(
                ProgressEvent(
                    self.stage,
                    phase or self.stage,
                    self.elapsed(),
                    self.incumbent,
                    self.bound,
                    detail,
                )
            )

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """A stage: its first event, and its seconds."""
        self.stage = stage
        self.event()
        t0 = time.perf_counter()
        yield
        self.seconds[stage] = time.perf_counter() - t0

    def no_plan_if_stopped(self) -> None:
        """Before the village stage there is no plan to return."""
        if self.stop():
            raise NoPlanFound("the solve was stopped before any plan was found")

    # -- stages ---------------------------------------------------------------

    def run(self, baseline: Plan | None) -> Plan:
        from .solver.dispatch import dispatch, repair_for_dispatch
        from .solver.leaders import assign_leaders

        instance = self.instance
        with self.timed("checks"):
            provenance = self.checks()
        self.no_plan_if_stopped()
        with self.timed("leaders"):
            leaders = assign_leaders(instance)
            self.leaders_households = leaders.households
            taken = np.bincount(
                instance.h_village[leaders.households], minlength=len(instance.villages)
            )
            demand = self.demand = instance.v_households - taken
        self.no_plan_if_stopped()
        with self.timed("villages"):
            vres = self.villages(demand, baseline)
        with self.timed("households"):
            hres = self.households(vres.lead, leaders.households, baseline)
        with self.timed("dispatch"):
            h_cadre = repair_for_dispatch(instance, vres.lead, hres.cadre)
            teams, shortfall = dispatch(instance, vres.lead, h_cadre)
        plan = finish(self, vres, hres, leaders, h_cadre, teams, shortfall, baseline,
                      provenance)  # fmt: skip
        self.stage = "done"
        self.event()
        return plan

    def checks(self) -> Provenance:
        """Counting pre-checks (R15); the instance's provenance."""
        from .precheck import precheck

        self.causes = precheck(self.instance)
        if self.causes and not self.partial:
            raise Infeasible(self.causes)
        return Provenance.of(self.instance)

    def villages(self, demand: np.ndarray, baseline: Plan | None) -> Any:
        """The village stage (R1–R4, R6, R9–R11, R13), with its fallbacks."""
        from .solver.candidates import may_prune

        instance = self.instance
        prefer = None
        vres = None
        if baseline is not None:  # R14: keep what is still valid
            from .solver.baseline import baseline_cadres, baseline_leads

            prefer = self.prefer = baseline_leads(instance, baseline)
            self.keep = baseline_cadres(instance, baseline)
            if self.pin is None and not self.causes:
                vres = kept_villages(self, demand, prefer)
        # R14: leave each unit a reserve for later changes, except when
        # re-planning (keeping the baseline's villages comes first)
        reserve = instance.rules.capacity_reserve if baseline is None else 0.0
        # the reserve is kept only where the rules allow, and pruned pairs (10x
        # sizes) are only a restriction: when either makes the stage
        # infeasible, it runs again without
        attempts = [(reserve, True)] if reserve > 0 else []
        attempts += [(0.0, True)]
        attempts += (
            [(0.0, False)] if may_prune(instance, self.params.candidates) else []
        )
        try:
            plain = vres is None and not self.causes and self.pin is None
            for i, (reserve, prune) in enumerate(attempts if plain else []):
                try:
                    vres = self.solve_villages(demand, reserve, prune, prefer)
                    self.reserve = reserve
                    break
                except Infeasible:
                    if i == len(attempts) - 1 or self.stop():
                        raise
        except Infeasible as exc:  # R15: name the conflicting rule groups
            if self.stop() or not self.partial:
                self.explained(exc, demand)
        if vres is None:  # partial (R1 relaxed) or every village pinned (R14)
            vres, self.left_out = partial_villages(
                self, demand, prefer, self.leaders_households
            )
        self.event("plan", incumbent=vres.objective, bound=vres.bound)
        return vres

    def explained(self, exc: Infeasible, demand: np.ndarray) -> None:
        """Raise ``exc`` with the conflicting rule groups named (R15)."""
        if self.stop():
            raise exc
        from .solver.conflicts import explain

        causes = explain(self.instance, demand, time_limit=min(10.0, self.left()))
        raise Infeasible(causes or exc.causes) from None

    def _settings(self) -> dict[str, Any]:
        p = self.params
        return {
            "params": p.engine,
            "candidates": p.candidates,
            "decomposed": p.decomposed,
            "monolithic_pairs": p.villages.monolithic_pairs,
        }

    def solve_villages(
        self, demand: np.ndarray, reserve: float, prune: bool, prefer: Any
    ) -> Any:
        from .solver.villages import solve_villages

        on: dict[str, Any] = {}
        if self.executor is not None:
            on["executor"] = self.executor
        return solve_villages(
            self.instance,
            demand,
            # a work budget must not depend on the wall clock (byte-for-byte runs);
            # on the clock the stages after this one get their share first
            time_limit=self.limit * 0.75
            if self.deterministic
            else max(0.5, self.left() - _after_villages(self.instance)),
            seed=self.seed,
            workers=self.workers,
            deterministic=self.deterministic,
            method=self.method,
            prefer=prefer,
            reserve=reserve,
            prune=prune,
            progress=(lambda d: self.event(d.pop("phase", None), **d))
            if self._progress is not None
            else None,
            stop=self.stop,
            **on,
            **self._settings(),
        )

    def households(
        self, lead: np.ndarray, leader_households: np.ndarray, baseline: Plan | None
    ) -> Any:
        """The household stage (R1, R3, R5, R10, R12): an exact min-cost flow."""
        from .solver.households import assign_households

        hp = self.params.households

        def done(k: int, n: int) -> None:
            self.event("component", done=k, components=n)

        if self.left_out is not None:  # partial: what the leads leave (R1 relaxed)
            leader_households = np.r_[leader_households, self.left_out.households]
        return assign_households(
            self.instance,
            lead,
            leader_households,
            buckets=hp.buckets,
            nearest=hp.nearest,
            keep=self.keep if baseline is not None else None,
            reserve=self.instance.rules.capacity_reserve,
            executor=self.executor,
            stop=self.stop,
            progress=done,
            stopped_buckets=hp.stopped_buckets,
            stopped_nearest=hp.stopped_nearest,
        )


def _with_deadline(
    stop: Callable[[], bool] | None, deadline: float
) -> Callable[[], bool]:
    """``stop``, or the wall clock past ``deadline``."""

    def check() -> bool:
        return time.perf_counter() >= deadline or (stop is not None and stop())

    return check
