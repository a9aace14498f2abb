"""One province's task: load, plan, validate, write — on whichever worker runs it.

:func:`plan_province` is what :func:`pairing.national.solve_all` sends to the
cluster. It receives a :class:`ProvinceTask` (paths and options, a few
hundred bytes) and returns a :class:`ProvinceOutcome` (counts and timings, a
few kB): the instance and the plan never cross the network. The worker reads
the instance from (shared) storage and writes ``PLANS/<code>/`` itself with
:meth:`pairing.Plan.save`, which builds the folder under a hidden name and
swaps it in whole.

A province whose plan folder already holds a plan pairing wrote, unchanged,
made from an instance with the same fingerprint (:func:`pairing.fingerprint`;
the plan's provenance in ``summary.json``, :attr:`pairing.Plan.fingerprint`)
and valid (:func:`pairing.validate`, run again) is *skipped*: its outcome is
read back.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..solver.villages import Method

__all__ = ["ProvinceOutcome", "ProvinceTask", "plan_province"]

OK = ("planned", "skipped")
"""Statuses of a province that has a valid plan."""


@dataclass(frozen=True)
class ProvinceTask:
    """What a worker needs to plan one province (paths, not data).

    Examples
    --------
    >>> task = ProvinceTask("520000", "贵州省", "set/520000", "plans/520000")
    >>> task.time_limit is None, task.method
    (True, 'auto')
    """

    code: str
    name: str
    instance: str
    plan: str
    time_limit: float | None = None
    seed: int = 0
    deterministic: bool = False
    method: Method = "auto"
    threads: int | None = None
    """CP-SAT workers; default the threads of the worker running the task."""


@dataclass
class ProvinceOutcome:
    """What became of one province: status, causes, counts and timings.

    ``status`` is ``planned``, ``skipped`` (a valid plan for the same
    instance was there), ``infeasible`` (R15: ``causes`` say why),
    ``no_plan`` (the time limit came first), ``invalid`` (the validator
    refused the plan: a bug, nothing written), ``bad_input`` (the instance
    could not be read) or ``failed`` (anything else: the plan folder holds
    a file pairing did not write under a name it writes, the worker died
    too often …).

    Examples
    --------
    >>> ProvinceOutcome("630000", "青海省", "infeasible", ["R5: ..."]).ok
    False
    """

    code: str
    name: str
    status: str
    causes: list[str] = field(default_factory=list)
    villages: int = 0
    households: int = 0
    units: int = 0
    units_with_task: int = 0
    cadres: int = 0
    cadres_responsible: int = 0
    dispatched: int = 0
    dispatch_by_tier: dict[str, int] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    worker: str = ""
    attempts: int = 1
    fingerprint: str = ""
    plan: str = ""

    @property
    def ok(self) -> bool:
        """Whether the province has a valid plan (planned or skipped)."""
        return self.status in OK

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_province(task: ProvinceTask) -> ProvinceOutcome:
    """Plan one province and write its plan folder (runs on a worker).

    Never raises for a province that cannot be planned: the outcome says
    why. Errors of the machinery (a full disk, a bug) propagate and are
    reported by the caller.

    Examples
    --------
    >>> import tempfile, pathlib, pairing
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pairing.save_instance(pairing.generate(2_000, seed=1), d / "220000")
    >>> task = ProvinceTask("220000", "吉林省", str(d / "220000"),
    ...                     str(d / "plans" / "220000"), time_limit=5)
    >>> out = plan_province(task)
    >>> out.status, out.villages, out.households
    ('planned', 12, 2000)
    >>> plan_province(task).status  # the same instance, a valid plan: skipped
    'skipped'
    """
    from .._swap import OutputRefused
    from ..errors import Infeasible, InputError, NoPlanFound
    from ..io import load_instance

    t0 = time.perf_counter()
    out = ProvinceOutcome(task.code, task.name, "failed", plan=task.plan)
    try:
        try:
            instance = load_instance(task.instance)
        except InputError as exc:
            out.status, out.causes = "bad_input", [exc.describe()]
            return out
        out.fingerprint = instance.fingerprint
        plan = _existing(task, instance, out.fingerprint)
        if plan is not None:
            out.status = "skipped"
        else:
            try:
                plan = _solve(task, instance)
            except Infeasible as exc:
                out.status, out.causes = "infeasible", [str(c) for c in exc.causes]
                return out
            except NoPlanFound as exc:
                out.status, out.causes = "no_plan", [f"time limit: {exc}"]
                return out
            report = _validate(instance, plan)
            if not report.ok:
                out.status = "invalid"
                out.causes = [str(v) for v in report.violations[:20]]
                return out
            try:
                plan.save(task.plan)
            except OutputRefused as exc:  # nothing lost: a file there is not ours
                out.causes = [exc.describe()]
                return out
            out.status = "planned"
        _count(out, instance, plan)
        return out
    finally:
        out.wall_seconds = round(time.perf_counter() - t0, 3)
        out.peak_rss_mb = _peak_rss_mb()
        out.worker = f"{socket.gethostname()}:{os.getpid()}"


def _solve(task: ProvinceTask, instance: Any) -> Any:
    from ..solve import solve

    return solve(
        instance,
        time_limit=task.time_limit,
        seed=task.seed,
        workers=task.threads or _worker_threads(),
        deterministic=task.deterministic,
        method=task.method,
    )


def _validate(instance: Any, plan: Any) -> Any:
    from ..validate import validate

    return validate(instance, plan)


def _existing(task: ProvinceTask, instance: Any, fp: str) -> Any:
    """The plan already in ``task.plan``, when it is pairing's, unchanged,
    made from this instance and valid; else None."""
    from ..errors import InputError
    from ..marker import owned, read_marker
    from ..plan import Plan

    folder = Path(task.plan)
    marker = read_marker(folder)
    if marker is None or marker.kind != "plan" or marker.state != "complete":
        return None
    if set(marker.files) - owned(folder, marker, "plan"):
        return None  # a file was edited or removed since pairing wrote it
    try:
        plan = Plan.load(folder)
    except InputError:
        return None
    if plan.fingerprint != fp:
        return None
    return plan if _validate(instance, plan).ok else None


def _count(out: ProvinceOutcome, instance: Any, plan: Any) -> None:
    """The outcome's counts, from the instance and the (valid) plan."""
    vp, hp = plan.village_pairs, plan.household_pairs
    lead = vp.loc[vp["role"] == "lead", "unit_id"]
    by_cadre = hp["responsible_kind"] == "cadre"
    units = set(lead.tolist()) | set(hp.loc[by_cadre, "unit_id"].tolist())
    out.villages = int(instance.v_poor.sum())
    out.households = len(instance.households)
    out.units = len(instance.units)
    out.units_with_task = len(units)
    out.cadres = len(instance.cadres)
    out.cadres_responsible = int(hp.loc[by_cadre, "responsible_id"].nunique())
    out.dispatched = len(plan.dispatch)
    tiers = plan.info.get("dispatch_by_tier") or {}
    out.dispatch_by_tier = {t: int(v.get("cadres", 0)) for t, v in tiers.items()}
    info = plan.info
    out.objective = _number(info.get("objective"))
    out.bound = _number(info.get("best_bound"))
    out.gap = _number(info.get("gap"))
    out.solve_seconds = float((info.get("seconds") or {}).get("total", 0.0))


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def _worker_threads() -> int:
    """Threads of the Dask worker running this task (1 outside a worker)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _peak_rss_mb() -> float:
    """The peak resident memory of this (worker) process so far, in MB."""
    try:
        import resource
    except ImportError:  # pragma: no cover (Windows)
        return 0.0
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024, 1)
