"""The national programme: one provincial plan per province, on a Dask cluster.

Every rule (R1–R16) is stated inside one province, so a national instance is
planned province by province, exactly. This package makes the national
synthetic set (:func:`generate_national`: one instance folder per province,
sized from the 2014 registration) and plans it (:func:`solve_all`: one task
per province on Dask ``distributed``, largest first, with a national
roll-up). ``docs/scaling.md`` describes the run, ``docs/generator.md`` the
figures and their sources.

The names are loaded on first use (the command line imports
:mod:`pairing.national.command` while building its parser).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .divisions import province
    from .figures import resolve
    from .generate import generate_national
    from .solve_all import NationalPlan, local_cluster, memory_estimate, solve_all
    from .task import ProvinceOutcome, ProvinceTask, plan_province

_API = {
    "NationalPlan": "solve_all",
    "ProvinceOutcome": "task",
    "ProvinceTask": "task",
    "generate_national": "generate",
    "local_cluster": "solve_all",
    "memory_estimate": "solve_all",
    "plan_province": "task",
    "province": "divisions",
    "resolve": "figures",
    "solve_all": "solve_all",
}

__all__ = [
    "NationalPlan",
    "ProvinceOutcome",
    "ProvinceTask",
    "generate_national",
    "local_cluster",
    "memory_estimate",
    "plan_province",
    "province",
    "resolve",
    "solve_all",
]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'pairing.national' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
