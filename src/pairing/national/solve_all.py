"""``solve_all``: every province of a national set, one task each, on Dask.

The national plan is one provincial plan per province (every rule is stated
inside one province), so the provinces are independent tasks. On a Dask
``distributed`` cluster each task is submitted with

* its **priority** = its households: the largest provinces start first and do
  not end up as the tail;
* its **memory** as a Dask resource (``MEMORY``, bytes, estimated from its
  households; :func:`memory_estimate`) when the workers declare one, so two
  large provinces never share a worker;
* only a :class:`~pairing.national.task.ProvinceTask` (paths and options):
  the worker loads the instance and writes ``PLANS/<code>/`` itself, and
  returns a :class:`~pairing.national.task.ProvinceOutcome` (counts).

A worker that dies while planning a province (killed, out of memory) makes
the scheduler run the task again elsewhere — up to Dask's
``distributed.scheduler.allowed-failures`` times (3 by default); the outcome
counts the attempts. A province that cannot be planned is reported with its
causes (R15) and the others go on. Re-running skips the provinces whose plan
is still valid for the same instance (:mod:`pairing.national.task`).
Without an executor a ``LocalCluster`` is started (one single-threaded
worker process per core, the machine's memory shared among them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .task import ProvinceOutcome, ProvinceTask, plan_province

if TYPE_CHECKING:
    from ..solver.villages import Method

__all__ = ["NationalPlan", "local_cluster", "memory_estimate", "solve_all"]

Progress = Callable[[dict[str, Any]], None]
RESOURCE = "MEMORY"
"""The Dask resource a province task asks for: bytes of memory."""
POLL = 0.25
"""Seconds between looks at the running tasks (and at a stop request)."""


@dataclass
class NationalPlan:
    """What :func:`solve_all` did: one outcome per province and the roll-up.

    Attributes
    ----------
    provinces
        One :class:`~pairing.national.task.ProvinceOutcome` per province,
        largest first.
    rollup
        The content of ``PLANS/national.json`` (totals by province, checked
        against the provinces' plans).
    out
        The plans folder.

    Examples
    --------
    >>> from pairing.national import ProvinceOutcome
    >>> result = NationalPlan([ProvinceOutcome("640000", "宁夏回族自治区", "planned")])
    >>> result.ok, result.failed
    (True, [])
    """

    provinces: list[ProvinceOutcome]
    rollup: dict[str, Any] = field(default_factory=dict)
    out: Path = Path()

    @property
    def ok(self) -> bool:
        """Whether every province has a valid plan."""
        return all(p.ok for p in self.provinces)

    @property
    def failed(self) -> list[ProvinceOutcome]:
        """The provinces without a plan, each with its causes."""
        return [p for p in self.provinces if not p.ok]

    def summary(self) -> str:
        """A readable summary: one line per province, then the totals."""
        from .rollup import summary_text

        return summary_text(self.rollup)


def memory_estimate(households: int) -> int:
    """Bytes a province task may peak at: 0.4 + 1.3 h + 0.2 h² GB, h in millions.

    Fitted to the measured peaks of ``pairing solve`` (``benchmarks/``,
    ``docs/scaling.md``): about 1 GB at 430,000 households, 2.2–2.4 GB at
    1.29 million, 9.6 GB at 4.3 million.

    Examples
    --------
    >>> round(memory_estimate(430_000) / 1e9, 1)
    1.0
    """
    h = households / 1e6
    return int((0.4 + 1.3 * h + 0.2 * h * h) * 1e9)


def solve_all(
    paths: str | Path | Iterable[str | Path],
    out: str | Path,
    *,
    executor: Any = None,
    workers: int | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    deterministic: bool = False,
    method: Method = "auto",
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
    force: bool = False,
) -> NationalPlan:
    """Plan every province: one task each on Dask, then the national roll-up.

    Parameters
    ----------
    paths
        A national set's folder (:func:`pairing.national.generate_national`),
        or the instance folders of the provinces.
    out
        The plans folder: ``out/<code>/`` per province, ``out/national.json``
        and ``out/index.html``. New, empty, or a plans folder pairing wrote.
    executor
        A ``distributed.Client`` (or its ``get_executor()``), or any
        ``concurrent.futures.Executor`` (then no priorities, resources or
        retries). Default: a ``LocalCluster`` for the run.
    workers
        Worker processes of the default ``LocalCluster`` (default: the cores).
    time_limit, seed, deterministic, method
        Passed to :func:`pairing.solve` for every province (``time_limit``
        per province).
    progress
        Called with ``{"event": "start" | "running" | "done", ...}``.
    stop
        Polled while waiting; when it returns True the remaining tasks are
        cancelled and :class:`pairing.errors.Stopped` is raised.
    force
        Also write into a folder that is not a plans folder pairing wrote.

    Returns
    -------
    NationalPlan
        Every province's outcome and the roll-up (also written to ``out``).

    Raises
    ------
    InputError
        When ``paths`` holds no province or ``out`` may not be written.

    Examples
    --------
    Any executor will do; a Dask ``Client`` adds priorities, memory
    resources and retries of provinces whose worker died.

    >>> import tempfile, pathlib
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from pairing.national import generate_national
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = generate_national(d / "set", share=0.001, provinces=["64", "46"])
    >>> with ThreadPoolExecutor(2) as pool:
    ...     result = solve_all(d / "set", d / "plans", executor=pool, time_limit=5)
    >>> result.ok, [p.status for p in result.provinces]
    (True, ['planned', 'planned'])
    >>> result.rollup["totals"]["households"]
    2000
    >>> sorted(p.name for p in (d / "plans").iterdir())
    ['.pairing.json', '460000', '640000', 'index.html', 'national.json']
    """
    from .rollup import finish, open_plans
    from .sources import provinces_of

    found = provinces_of(paths)
    out = Path(out)
    open_plans(out, [p.instance for p in found], force=force)
    tasks = [
        ProvinceTask(
            p.code, p.name, str(p.instance), str(out / p.code),
            time_limit, seed, deterministic, method,
        )
        for p in found
    ]  # fmt: skip
    sizes = {p.code: p.households for p in found}
    t0 = time.perf_counter()
    with _client(executor, workers) as (client, where):
        outcomes = _run(client, tasks, sizes, progress, stop)
        n_workers = _n_workers(client)
    wall = time.perf_counter() - t0
    rollup = finish(out, outcomes, wall=wall, scheduler=where, workers=n_workers)
    return NationalPlan(outcomes, rollup, out)


@contextlib.contextmanager
def _client(executor: Any, workers: int | None) -> Iterator[tuple[Any, str]]:
    """The executor to use, and a word for where the tasks run."""
    if executor is None:
        with local_cluster(workers) as client:
            yield client, "LocalCluster"
        return
    client = getattr(executor, "_client", executor)  # a ClientExecutor's client
    where = getattr(getattr(client, "scheduler", None), "address", None)
    yield client, str(where or type(executor).__name__)


@contextlib.contextmanager
def local_cluster(
    workers: int | None = None, memory: int | None = None
) -> Iterator[Any]:
    """A ``LocalCluster`` of single-threaded worker processes and its client.

    Each worker gets ``memory`` bytes (default: 90% of the machine's memory
    shared among the workers) as its memory limit and as its ``MEMORY``
    resource. No dashboard is served (the scheduler's HTTP endpoints listen on
    a free local port); the workers' logs are kept to errors.

    Examples
    --------
    >>> with local_cluster(2) as client:  # doctest: +SKIP
    ...     result = solve_all("data/national", "plans/national", executor=client)
    """
    from distributed import Client, LocalCluster

    n = workers or max(1, os.cpu_count() or 1)
    if memory is None:
        import psutil

        memory = int(0.9 * psutil.virtual_memory().total / n)
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory,
        resources={RESOURCE: memory},
        # No dashboard; the scheduler's own HTTP endpoints on a free local
        # port, so a second cluster on the machine (8787 taken) gives no warning.
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close()
        with contextlib.suppress(Exception):
            cluster.close()


def _is_dask(client: Any) -> bool:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover
        return False
    return isinstance(client, Client)


def _n_workers(client: Any) -> int:
    if _is_dask(client):
        return len(client.scheduler_info().get("workers", {}))
    return int(getattr(client, "_max_workers", 0) or 0)


def _run(
    client: Any,
    tasks: Sequence[ProvinceTask],
    sizes: dict[str, int],
    progress: Progress | None,
    stop: Callable[[], bool] | None,
) -> list[ProvinceOutcome]:
    """Submit every task (largest first), wait, and collect the outcomes."""
    order = sorted(tasks, key=lambda t: -sizes[t.code])
    emit = progress or (lambda event: None)
    emit({"event": "start", "total": len(order), "provinces": [t.code for t in order]})
    if _is_dask(client):
        futures = _submit_dask(client, order, sizes)
    else:
        futures = {t.code: client.submit(plan_province, t) for t in order}
    by_code = {t.code: t for t in order}
    outcomes: dict[str, ProvinceOutcome] = {}
    try:
        _wait(client, futures, by_code, outcomes, emit, stop)
    finally:
        for f in futures.values():
            if not f.done():
                f.cancel()
    return [outcomes[t.code] for t in order]


def _submit_dask(
    client: Any, order: Sequence[ProvinceTask], sizes: dict[str, int]
) -> dict[str, Any]:
    """``client.submit`` per province with its priority and memory resource."""
    offered = [
        w.get("resources", {}).get(RESOURCE, 0)
        for w in client.scheduler_info().get("workers", {}).values()
    ]
    largest = max(offered, default=0)
    futures = {}
    for task in order:
        extra: dict[str, Any] = {}
        if largest > 0:  # the workers declare memory: ask for ours (at most theirs)
            need = memory_estimate(sizes[task.code])
            extra["resources"] = {RESOURCE: min(largest, need)}
        futures[task.code] = client.submit(
            plan_province,
            task,
            key=f"plan-{task.code}-{os.getpid()}-{time.time_ns()}",
            priority=sizes[task.code],
            pure=False,
            **extra,
        )
    return futures


def _wait(
    client: Any,
    futures: dict[str, Any],
    tasks: dict[str, ProvinceTask],
    outcomes: dict[str, ProvinceOutcome],
    emit: Progress,
    stop: Callable[[], bool] | None,
) -> None:
    from ..errors import Stopped

    running: list[str] = []
    while len(outcomes) < len(futures):
        if stop is not None and stop():
            raise Stopped("the national run was stopped")
        for code, f in futures.items():
            if code in outcomes or not f.done():
                continue
            outcome = _outcome(client, f, tasks[code])
            outcomes[code] = outcome
            emit({"event": "done", "outcome": outcome, "done": len(outcomes),
                  "total": len(futures)})  # fmt: skip
        now = _running(client, futures, outcomes)
        if now != running:
            running = now
            emit({"event": "running", "provinces": now})
        if len(outcomes) < len(futures):
            time.sleep(POLL)


def _running(client: Any, futures: dict[str, Any], done: dict[str, Any]) -> list[str]:
    """The provinces being planned right now (as far as the executor says)."""
    if not _is_dask(client):
        return [c for c, f in futures.items() if c not in done and f.running()]
    try:
        busy = {k for keys in client.processing().values() for k in keys}
    except Exception:  # the scheduler is busy or gone: say nothing new
        return []
    return [c for c, f in futures.items() if c not in done and f.key in busy]


def _outcome(client: Any, future: Any, task: ProvinceTask) -> ProvinceOutcome:
    """The task's outcome, or a ``failed`` one saying what went wrong."""
    attempts = 1 + _suspicious(client, future)
    try:
        outcome: ProvinceOutcome = future.result()
    except Exception as exc:  # the task itself, or its workers, failed
        outcome = ProvinceOutcome(task.code, task.name, "failed", plan=task.plan)
        outcome.causes = [_why(exc, attempts)]
    outcome.attempts = attempts
    return outcome


def _why(exc: BaseException, attempts: int) -> str:
    if type(exc).__name__ == "KilledWorker":
        return (
            f"its worker died {attempts - 1} times while planning it (killed, or "
            "out of memory: give the workers more memory)"
        )
    return f"{type(exc).__name__}: {exc}"


def _suspicious(client: Any, future: Any) -> int:
    """How many workers died while running the task (Dask's count)."""
    if not _is_dask(client):
        return 0

    def count(dask_scheduler: Any, key: str) -> int:
        ts = dask_scheduler.tasks.get(key)
        return int(getattr(ts, "suspicious", 0)) if ts is not None else 0

    try:
        return int(client.run_on_scheduler(count, key=future.key))
    except Exception:
        return 0
