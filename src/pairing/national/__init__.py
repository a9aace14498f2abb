"""The national programme: one provincial plan per province, on a Dask cluster.

Every rule (R1–R16) is stated inside one province, so a national instance is
planned province by province, exactly. This package makes the national
synthetic set (:func:`generate_national`: one instance folder per province,
sized from the 2014 registration) and plans it (:func:`solve_all`: one task
per province on Dask ``distributed``, largest first, with a national
roll-up). ``docs/scaling.md`` describes the run, ``docs/generator.md`` the
figures and their sources.
"""

from __future__ import annotations

from .divisions import province
from .figures import resolve
from .generate import generate_national

__all__ = ["generate_national", "province", "resolve"]
