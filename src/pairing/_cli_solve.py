"""The ``solve`` command: its process pool, its live display, and the plan it
writes (:mod:`pairing.cli`).

The library is imported inside the command, not here: the command line
starts without loading pandas or the solvers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._cli_common import EXIT_OK, _check_out, _err, _load, _load_plan, _out, _Run

if TYPE_CHECKING:
    from concurrent.futures import Executor


@contextlib.contextmanager
def _pool(workers: int | None) -> Iterator[Executor | None]:
    """The local process pool for independent subproblems (``--workers``).

    One process per worker (default: the cores, at most 8); none for one.
    Workers are spawned (no fork of a process running solver threads) and
    ignore Ctrl-C, which the main process handles (exit 130, no plan).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n = workers if workers is not None else max(1, min(8, os.cpu_count() or 1))
    if n <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=n,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_sigint,
    )
    _Run.signals.on_exit = lambda: _end_pool(pool)
    try:
        yield pool
    except BaseException:  # interrupted or failed: don't wait for the workers
        _end_pool(pool)
        raise
    else:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _Run.signals.on_exit = None


def _end_pool(pool: Any) -> None:
    """Stop the pool's worker processes (ours, by their process ids)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def cmd_solve(args: argparse.Namespace) -> int:
    from .plan import Plan

    names = Plan.file_names(args.format)
    _check_out(args.out, "plan", args.force, [args.instance, args.baseline], names)
    from .solve import solve

    params = None
    if args.params:  # before the slow loading: a bad file is told at once
        from .params import SolveParams

        params = SolveParams.from_toml(args.params)
    instance = _load(args.instance)
    baseline = _load_plan(args.baseline) if args.baseline else None
    show = sys.stderr.isatty() and not args.quiet
    signals = _Run.signals
    # a signal during the solve cancels the token and solve() stops
    with _Progress(show) as progress, _pool(args.workers) as executor, signals.quiet():
        plan = solve(
            instance,
            time_limit=args.time_limit,
            seed=args.seed,
            workers=args.workers,
            deterministic=args.deterministic,
            method=args.method,
            baseline=baseline,
            progress=progress,
            executor=executor,
            stop=signals.token,
            params=params,
            partial=args.partial,
            pin=args.pin,
        )
    signals.check()  # stopped by a signal: no plan is written
    _Run.signals.writing(args.out)
    plan.save(args.out, format=args.format, force=args.force)
    if not args.quiet:
        _out(plan.summary())
        _out(f"\nplan written to {args.out}")
    if plan.status == "partial":  # R1 relaxed (--partial, --pin): exit 4
        from ._cli_planners import EXIT_PARTIAL

        left = plan.info.get("uncovered", {})
        _err(
            f"partial plan: {len(plan.uncovered):,} item(s) left uncovered "
            f"({left.get('households', 0):,} households), each with its cause in "
            f"{args.out}/uncovered"
        )
        return EXIT_PARTIAL
    return EXIT_OK


# -- progress display --------------------------------------------------------


class _Progress:
    """A one-line live display of the solve (stage, elapsed, incumbent, bound)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._live: Any = None

    def __enter__(self) -> Callable[[Mapping[str, Any]], None] | None:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.live import Live

        self._live = Live("", console=Console(stderr=True), transient=True)
        self._live.__enter__()
        return self.update

    def update(self, event: Mapping[str, Any]) -> None:
        parts = [
            f"[bold]{event.get('stage', '')}[/bold]",
            f"{event.get('elapsed', 0):.1f}s",
        ]
        if event.get("incumbent") is not None:
            parts.append(f"incumbent {event['incumbent']:,.1f}")
        if event.get("bound") is not None:
            parts.append(f"bound {event['bound']:,.1f}")
        self._live.update(" · ".join(parts))

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
