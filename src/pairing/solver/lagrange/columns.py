"""The engine's column strategy: Dantzig–Wolfe column generation on the
master, with core MIPs beside it, until the gap closes, the time runs out or
a stop is asked (:func:`~.engine.run_engine`'s third step).
"""

from __future__ import annotations

import math
import time

import numpy as np

from ...instance import BoolArray
from ..candidates import Candidates, _top_mask
from ..model import R1
from .dual import Evaluation, Relaxation
from .master import Master, generate_columns
from .prices import Prices
from .primal import CoreResult, CoreRunner, core_mask
from .run import Run
from .settings import EngineParams

__all__ = ["Columns", "prices_of"]


class Columns:
    """Step 3: column generation (the Lagrangian dual), the core MIP in between.

    While columns are generated, a core MIP runs every ``core_every`` master
    solves once the master is close to the bound (in a second thread when
    allowed); once generation is over, the core MIP gets the rest of the
    time, widening while it is solved to optimality.
    """

    def __init__(
        self,
        run: Run,
        relax: Relaxation,
        master: Master,
        bound: Evaluation,
        p: EngineParams,
        seed: int,
    ) -> None:
        self.run, self.relax, self.master, self.bound, self.p = (
            run, relax, master, bound, p,
        )  # fmt: skip
        self.solves = 0
        self.converged = False
        self.master_value = -math.inf
        self.per_village = p.core_per_village
        self.t_core = 0.0
        self.runner = CoreRunner(
            run.c,
            relax.model,
            seed=seed,
            nodes=p.core_nodes if run.deterministic else None,
            stop=run.stopped,  # the stop, and the deadline unless deterministic
            threaded=not run.deterministic and p.core_thread,
        )

    def solve(self) -> None:
        """The rounds until the plan meets the bound, the time or a stop."""
        run, p, t0 = self.run, self.p, time.perf_counter()
        try:
            while not run.stopped():
                over = self._generate()
                self._take(self.runner.poll())
                if self._close():
                    break
                ripe = self.solves >= p.first_core and _close(
                    self.master_value, self.bound.value, p.core_trigger
                )
                if not over and (not ripe or self.runner.busy):
                    continue
                if not over and self.runner._pool is not None:
                    keep, fixed = self._core_args()
                    self.runner.submit(
                        keep, fixed, run.lead, p.core_seconds, p.core_seconds
                    )
                    continue
                if not self._core(over):
                    break
        finally:
            self.runner.close()
        self._take(self.runner.poll(wait=True))
        run.work["master solves"] = self.solves
        run.work["master sets"] = self.master.n_sets
        run.work["core solves"] = self.runner.attempts
        run.seconds["columns"] = time.perf_counter() - t0 - self.t_core
        run.seconds["core"] = self.t_core

    def _generate(self) -> bool:
        """Up to ``core_every`` master solves unless generation is over;
        whether it is over (converged, or its share of the time spent)."""
        p, until = self.p, self.run.until(self.p.generation_share)
        if self.converged or until():
            return True
        gen = generate_columns(
            self.master,
            self.bound,
            iterations=p.core_every,
            stop=until,
            smoothing=p.smoothing,
        )
        self.solves += gen.iterations
        self.converged = gen.converged
        self.master_value = gen.objective
        if gen.best.value < self.bound.value:
            self.bound = gen.best
            self.run.proof = self.bound.bound
        self.run.report("columns", self.bound.bound)
        return self.converged or until()

    def _core(self, over: bool) -> bool:
        """One core MIP in this thread; whether the rounds go on."""
        run, p = self.run, self.p
        t1 = time.perf_counter()
        self._take(self.runner.poll(wait=True))  # the background attempt, if any
        if self._close():
            return False
        keep, fixed = self._core_args()
        budget = run.left() if over else p.core_seconds
        # the fixed core finds the plans; the whole core is the fallback
        lead_first = max(p.core_seconds, 0.6 * budget)
        res = self.runner.attempt(keep, fixed, run.lead, budget, lead_first)
        self._take(res)
        self.t_core += time.perf_counter() - t1
        if self._close():
            return False
        if over:
            if res.status != "optimal" or self.per_village >= p.core_per_village_max:
                return False
            self.per_village *= 2  # the core was solved: widen it while time remains
        return True

    def _take(self, res: CoreResult | None) -> None:
        if res is not None:
            self.run.work["core pairs"] = res.pairs
            if res.lead is not None:
                self.run.offer(res.lead, "core")

    def _close(self) -> bool:
        return _close(self.run.objective, self.bound.bound, self.p.gap_tolerance)

    def _core_args(self) -> tuple[BoolArray, BoolArray]:
        """The core's pairs and the pairs fixed in it (the master's whole sets)."""
        run, c, p, master = self.run, self.run.c, self.p, self.master
        prices = prices_of(c, self.relax, self.bound)
        flows = master.flows() if self.solves else np.zeros(c.n)
        keep = core_mask(c, flows, prices.loss, run.lead, per_village=self.per_village)
        if run.lead is not None:
            keep &= ~prices.fixable(run.objective) | (run.lead[c.pv] == c.pu)
        whole = master.whole_sets() if self.solves else np.zeros(c.n, dtype=bool)
        whole &= keep
        # every unit R4 obliges to lead and left free keeps a few pairs to the
        # villages left free, so the fixed core is rarely infeasible
        decided = np.zeros(c.n_villages, dtype=bool)
        decided[c.pv[whole]] = True
        fixed_unit = np.zeros(c.n_units, dtype=bool)
        fixed_unit[c.pu[whole]] = True
        open_ = ~decided[c.pv] & (c.u_min[c.pu] > 0) & ~fixed_unit[c.pu]
        idx = np.flatnonzero(open_)
        keep[idx[_top_mask(c.pu[idx], -prices.loss[idx], p.core_per_unit)]] = True
        return keep, whole


def _close(objective: float, bound: float, tolerance: float) -> bool:
    """Whether ``objective`` is within ``tolerance`` (relative) of ``bound``."""
    if not math.isfinite(objective):
        return False
    return bound - objective <= tolerance * max(abs(bound), 1e-9)


def prices_of(c: Candidates, relax: Relaxation, e: Evaluation) -> Prices:
    """The prices of an evaluation: village prices, reduced values, forcing costs."""
    upper = relax.units.forcing_bounds(e.reduced)
    loss = np.maximum(e.unit_value[c.pu] - upper, 0.0)
    village = np.full(c.n_villages, np.nan)
    r1 = relax.model.row_rule[relax.rows] == R1
    village[relax.model.row_owner[relax.rows][r1]] = e.y[r1]
    return Prices(
        multipliers=e.y,
        village=village,
        reduced=e.reduced,
        loss=loss,
        bound=e.bound,
        pair_village=c.pv,
        pair_unit=c.pu,
    )
