"""Plans from prices: the exact MIP on the master's core.

The Dantzig–Wolfe master (:mod:`.master`) tells which pairs an optimal
fractional plan uses. Those pairs — its *support* — with the incumbent's
pairs, every resident team's pair (R11) and each village's few cheapest
pairs by forcing cost (:attr:`~.prices.Prices.loss`) make a *core* of a few
thousand pairs on the 430k default (1.3% of them). HiGHS solves the full
model restricted to the core (:func:`~..model.restrict`: every row of the
stage, nothing rewritten) from the incumbent; on the default it reaches
plans within 0.1% of the bound in a few seconds, where the same MIP over
all pairs does not start. The result keeps every rule of the stage because
the core's model *is* the stage's model on fewer columns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ...instance import BoolArray, IntArray
from ..candidates import Candidates, _top_mask
from ..lp import solve_mip
from ..model import SparseModel, complete, restrict


@dataclass(frozen=True)
class CoreResult:
    """Outcome of :func:`solve_core`.

    Attributes
    ----------
    lead
        The best plan found (the incumbent when the MIP found nothing better).
    objective
        Its objective.
    pairs
        Pairs in the core.
    status
        HiGHS' status (``optimal``, ``feasible``, ``infeasible``, ``unknown``).
    """

    lead: IntArray | None
    objective: float
    pairs: int
    status: str


def core_mask(
    c: Candidates,
    flows: np.ndarray,
    loss: np.ndarray,
    lead: IntArray | None,
    *,
    per_village: int,
) -> BoolArray:
    """The core's pairs: the master's support, the incumbent, resident teams
    (R11) and the ``per_village`` cheapest pairs of each village by forcing cost."""
    keep = flows > 1e-9
    keep |= c.team
    if per_village > 0:
        keep |= _top_mask(c.pv, -loss, per_village)
    if lead is not None:
        keep |= lead[c.pv] == c.pu
    return keep


def integral_pairs(c: Candidates, flows: np.ndarray) -> BoolArray:
    """Pairs the master's solution takes whole (flow 1): the villages it
    already decides."""
    return flows > 1 - 1e-6


def solve_core(
    c: Candidates,
    m: SparseModel,
    keep: BoolArray,
    lead: IntArray | None,
    *,
    seconds: float,
    seed: int,
    nodes: int | None,
    stop: Callable[[], bool] | None,
    fixed: BoolArray | None = None,
) -> CoreResult:
    """The stage's MIP on the pairs ``keep``, started from ``lead`` when given.

    With ``fixed`` (pairs fixed to 1: at most one per village), their
    villages are decided and the MIP frees only the others, without a
    start (the incumbent need not agree with them): a far smaller model,
    which HiGHS solves in a fraction of the time, or proves infeasible at
    once. ``nodes`` bounds HiGHS' branch-and-bound (deterministic runs);
    otherwise ``seconds`` does.
    """
    on = np.zeros(c.n, dtype=bool) if fixed is None else fixed
    decided = np.zeros(c.n_villages, dtype=bool)
    decided[c.pv[on]] = True
    block = restrict(m, keep & ~decided[c.pv], on)
    base = float(c.score[on].sum())
    start = None
    current = -math.inf
    if lead is not None:
        current = float(c.objective(lead))
        if fixed is None:
            x0 = (lead[c.pv] == c.pu)[block.pairs].astype(np.int64)
            start = complete(block.model, x0)
    r = solve_mip(
        block.model,
        time_limit=seconds,
        start=start,
        seed=seed,
        nodes=nodes,
        stop=stop,
    )
    if r.status in ("infeasible", "unknown") or not np.all(np.isfinite(r.x)):
        return CoreResult(lead, current, len(block.pairs), r.status)
    x = np.rint(r.x[: block.model.n_pairs]).astype(np.int64)
    objective = base + float(c.score[block.pairs] @ x)
    if objective <= current:
        return CoreResult(lead, current, len(block.pairs), r.status)
    out = np.full(c.n_villages, -1, dtype=np.int64)
    chosen = np.r_[block.pairs[x > 0], np.flatnonzero(on)]
    out[c.pv[chosen]] = c.pu[chosen]
    return CoreResult(out, objective, len(block.pairs), r.status)


class CoreRunner:
    """Core MIPs for the engine: in a background thread while it generates
    columns (HiGHS releases the GIL, so the two use both cores), or inline.

    Each attempt first frees only the villages the master leaves undecided
    (``fixed``: its whole pairs stay), which HiGHS solves in a fraction of
    the time; when that finds nothing better it solves the whole core from
    the incumbent.

    Parameters
    ----------
    c, m
        The candidates and their model (read only).
    seed
        HiGHS' seed.
    nodes
        Branch-and-bound nodes per MIP (deterministic runs), or None.
    stop
        Polled by HiGHS during every MIP.
    threaded
        Run attempts in a background thread (never under ``deterministic``:
        results would then depend on timing).
    """

    def __init__(
        self,
        c: Candidates,
        m: SparseModel,
        *,
        seed: int,
        nodes: int | None,
        stop: Callable[[], bool] | None,
        threaded: bool,
    ) -> None:
        self.c, self.m = c, m
        self.seed, self.nodes, self.stop = seed, nodes, stop
        self._pool = ThreadPoolExecutor(1) if threaded else None
        self._future: Future[CoreResult] | None = None
        self.attempts = 0

    @property
    def busy(self) -> bool:
        """Whether an attempt is running in the background."""
        return self._future is not None and not self._future.done()

    def attempt(
        self,
        keep: BoolArray,
        fixed: BoolArray,
        lead: IntArray | None,
        seconds: float,
        first: float,
    ) -> CoreResult:
        """One attempt, inline: ``first`` seconds with ``fixed``, then the rest."""
        self.attempts += 1
        t0 = time.perf_counter()
        res = self._solve(keep, lead, min(first, seconds), fixed)
        before = float(self.c.objective(lead)) if lead is not None else -math.inf
        if res.lead is None or res.objective <= before:
            rest = seconds - (time.perf_counter() - t0)
            res = self._solve(keep, lead, max(0.1, rest), None)
        return res

    def _solve(
        self,
        keep: BoolArray,
        lead: IntArray | None,
        seconds: float,
        fixed: BoolArray | None,
    ) -> CoreResult:
        return solve_core(
            self.c,
            self.m,
            keep,
            lead,
            seconds=max(0.1, seconds),
            seed=self.seed,
            nodes=self.nodes,
            stop=self.stop,
            fixed=fixed,
        )

    def submit(
        self,
        keep: BoolArray,
        fixed: BoolArray,
        lead: IntArray | None,
        seconds: float,
        first: float,
    ) -> None:
        """Start an attempt in the background (the caller checks ``busy``)."""
        assert self._pool is not None and not self.busy
        self._future = self._pool.submit(
            self.attempt, keep, fixed, lead, seconds, first
        )

    def poll(self, wait: bool = False) -> CoreResult | None:
        """The finished background attempt's result, once (None if none)."""
        if self._future is None or (not wait and not self._future.done()):
            return None
        res, self._future = self._future.result(), None
        return res

    def close(self) -> None:
        """Wait for a running attempt and release the thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
