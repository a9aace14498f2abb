"""Plan and prove poverty-alleviation pairings.

The public API is small::

    import pairing

    instance = pairing.load_instance("data/jilin")     # or pairing.generate()
    plan = pairing.solve(instance, time_limit=60)
    print(plan.summary())                              # plan.result: typed
    report = pairing.validate(instance, plan)           # independent checks
    plan.save("plans/jilin")

Declared subpackages and modules, each reachable as ``pairing.<name>``:
:mod:`pairing.scenario` (what-if changes), :mod:`pairing.diff` (what moved
between plans), :mod:`pairing.report` (the R16 reports),
:mod:`pairing.plotting` (the charts), :mod:`pairing.stop` (stopping
criteria), :mod:`pairing.params` (the solver's settings),
:mod:`pairing.result` (the typed result), :mod:`pairing.progress`
(progress events and a live display) and :mod:`pairing.national` (the
national programme: a set of provinces, planned on Dask). For planners:
:func:`pairing.score` (the objective by rule term), :func:`pairing.explain`
(why a village's or a household's pairing) and :func:`pairing.recommend`
(the best cadres for new households without re-planning).

The names are loaded on first use, so ``import pairing`` (and the command
line's start, which must install its signal handlers before anything slow)
costs no more than the standard library.

Examples
--------
>>> import pairing
>>> pairing.stop.MaxRuntime(5)
MaxRuntime(5)
>>> pairing.Status.OPTIMAL.value
'optimal'
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import (
        diff,
        national,
        params,
        plotting,
        progress,
        report,
        result,
        scenario,
        stop,
    )
    from .diff import PlanDiff, diff_plans
    from .errors import Cause, Infeasible, InputError, NoPlanFound, PairingError
    from .errors import Problem as Problem
    from .explain import explain
    from .fingerprint import fingerprint
    from .generate import generate
    from .instance import Instance
    from .io import load_instance, save_instance
    from .national import generate_national, solve_all
    from .params import SolveParams
    from .plan import Plan
    from .progress import ProgressEvent
    from .recommend import recommend
    from .report import write_report
    from .result import SoftFigures, SolveResult, Status
    from .rules import Rules
    from .scenario import Scenario
    from .score import score
    from .solve import solve
    from .stop import CancelToken, MaxRuntime
    from .validate import ValidationReport, validate

MODULES = (
    "diff",
    "national",
    "params",
    "plotting",
    "progress",
    "report",
    "result",
    "scenario",
    "stop",
)
"""The declared subpackages and modules (``pairing.report`` …), loaded on first use."""

_API = {
    "CancelToken": "stop",
    "MaxRuntime": "stop",
    "PlanDiff": "diff",
    "ProgressEvent": "progress",
    "Scenario": "scenario",
    "SoftFigures": "result",
    "SolveParams": "params",
    "SolveResult": "result",
    "Status": "result",
    "diff_plans": "diff",
    "write_report": "report",
    "Cause": "errors",
    "InputError": "errors",
    "Infeasible": "errors",
    "NoPlanFound": "errors",
    "PairingError": "errors",
    "Problem": "errors",
    "Instance": "instance",
    "Plan": "plan",
    "Rules": "rules",
    "ValidationReport": "validate",
    "fingerprint": "fingerprint",
    "generate": "generate",
    "generate_national": "national",
    "load_instance": "io",
    "save_instance": "io",
    "solve": "solve",
    "solve_all": "national",
    "validate": "validate",
    # for planners: why this pairing, where a new household goes, the score
    "explain": "explain",
    "recommend": "recommend",
    "score": "score",
}

__all__ = [
    "CancelToken",
    "Cause",
    "InputError",
    "Infeasible",
    "Instance",
    "MaxRuntime",
    "NoPlanFound",
    "PairingError",
    "Plan",
    "PlanDiff",
    "Problem",
    "ProgressEvent",
    "Rules",
    "Scenario",
    "SoftFigures",
    "SolveParams",
    "SolveResult",
    "Status",
    "ValidationReport",
    "diff",
    "diff_plans",
    "explain",
    "fingerprint",
    "generate",
    "generate_national",
    "load_instance",
    "national",
    "params",
    "plotting",
    "progress",
    "recommend",
    "report",
    "result",
    "save_instance",
    "scenario",
    "score",
    "solve",
    "solve_all",
    "stop",
    "validate",
    "write_report",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in MODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'pairing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Keeps ``pairing.solve`` the function when ``pairing.solve`` the module
    is imported (the import system sets a submodule on its package)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _API.get(name) == name:
            return
        super().__setattr__(name, value)


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _Package
