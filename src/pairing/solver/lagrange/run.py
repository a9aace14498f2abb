"""One solve's clock, stop, incumbent and record of work (the regional strategy).

Examples
--------
>>> import numpy as np
>>> from pairing.generate import generate
>>> from pairing.solver.candidates import build_candidates
>>> inst = generate(2_000, seed=1)
>>> c = build_candidates(inst, inst.v_households)
>>> run = Run(c, 10.0, stop=lambda: True, deterministic=False, progress=None)
>>> run.stopped(), run.lead is None
(True, True)
>>> run.offer(np.full(c.n_villages, -1))  # leads no village: refused
False
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ...instance import IntArray
from ..candidates import Candidates
from ..sparse import SparseModel, complete

_T = TypeVar("_T")


class Run:
    """One regional solve's clock, stop, incumbent and record of work.

    The incumbent is the engine's own: a plan is kept only when it leads
    every village and beats the best so far by the stage's objective.
    """

    def __init__(
        self,
        c: Candidates,
        time_limit: float,
        stop: Callable[[], bool] | None,
        deterministic: bool,
        progress: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self.c = c
        self.start = time.perf_counter()
        self.time_limit = time_limit
        self.deadline = self.start + time_limit
        self._stop = stop
        self.deterministic = deterministic
        self.progress = progress
        self.lead: IntArray | None = None
        self.objective = -math.inf
        self.proof: float | None = None
        self.work: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.model: SparseModel | None = None
        """The stage's model, when built: a plan is then kept only if it
        keeps every row (the greedy's start can break R4's least or R8 on a
        model that has no plan, e.g. a pruned one)."""

    def stopped(self) -> bool:
        """A stop request, or (on the clock) the time limit reached."""
        if self._stop is not None and self._stop():
            return True
        return not self.deterministic and time.perf_counter() >= self.deadline

    def until(self, share: float) -> Callable[[], bool]:
        """:meth:`stopped`, or ``share`` of the time limit spent."""
        end = self.start + share * self.time_limit
        return lambda: (
            self.stopped() or (not self.deterministic and time.perf_counter() >= end)
        )

    def left(self) -> float:
        """Seconds to the deadline."""
        return self.deadline - time.perf_counter()

    def timed(self, name: str, step: Callable[[], _T]) -> _T:
        """``step()``, its seconds added to :attr:`seconds` under ``name``."""
        t0 = time.perf_counter()
        try:
            return step()
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + (
                time.perf_counter() - t0
            )

    def offer(self, lead: IntArray | None, phase: str | None = None) -> bool:
        """Keep ``lead`` if it leads every village, keeps the model's rows
        (when :attr:`model` is set) and is the best so far."""
        if lead is None or not np.all(lead[self.c.villages] >= 0):
            return False
        if self.model is not None and not self._keeps(lead):
            return False
        value = float(self.c.objective(lead))
        if value <= self.objective:
            return False
        self.lead, self.objective = lead.copy(), value
        if phase is not None and phase != "start":
            self.report(phase, self.proof)
        return True

    def _keeps(self, lead: IntArray) -> bool:
        """``lead`` keeps every row of :attr:`model` (R3–R8 with R1)."""
        assert self.model is not None
        x = np.zeros(self.model.n_pairs, dtype=np.int64)
        x[self.c.pair_index(lead)] = 1
        return complete(self.model, x) is not None

    def report(self, phase: str, bound: float | None) -> None:
        """One progress event (the phase, the incumbent, the bound)."""
        if self.progress is not None:
            self.progress(
                {
                    "phase": phase,
                    "elapsed": time.perf_counter() - self.start,
                    "incumbent": self.objective if self.lead is not None else None,
                    "bound": bound,
                }
            )
