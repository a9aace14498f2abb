"""Plan and prove poverty-alleviation pairings.

The public API is small::

    import pairing

    instance = pairing.load_instance("data/jilin")     # or pairing.generate()
    plan = pairing.solve(instance, time_limit=60)
    print(plan.summary())
    report = pairing.validate(instance, plan)           # independent checks
    plan.save("plans/jilin")

The names are loaded on first use, so ``import pairing`` (and the command
line's start, which must install its signal handlers before anything slow)
costs no more than the standard library.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import Cause, Infeasible, InputError, NoPlanFound, PairingError
    from .errors import Problem as Problem
    from .fingerprint import fingerprint
    from .generate import generate
    from .instance import Instance
    from .io import load_instance, save_instance
    from .plan import Plan
    from .rules import Rules
    from .solve import solve
    from .validate import ValidationReport, validate

_API = {
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
    "load_instance": "io",
    "save_instance": "io",
    "solve": "solve",
    "validate": "validate",
}

__all__ = [
    "Cause",
    "InputError",
    "Infeasible",
    "Instance",
    "NoPlanFound",
    "PairingError",
    "Plan",
    "Problem",
    "Rules",
    "ValidationReport",
    "fingerprint",
    "generate",
    "load_instance",
    "save_instance",
    "solve",
    "validate",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
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
