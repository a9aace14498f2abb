"""The public surface: declared modules, numpy docstrings with Examples that run.

Every name a public module exports has a docstring with an ``Examples``
section, and the examples of the public modules run here as doctests (so the
README's ``python -m pytest -q`` runs them). The public API modules are
``mypy --strict`` clean.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import pairing

ROOT = Path(__file__).resolve().parents[1]

PUBLIC = [
    "pairing",
    "pairing.diff",
    "pairing.national",
    "pairing.params",
    "pairing.plotting",
    "pairing.progress",
    "pairing.report",
    "pairing.provenance",
    "pairing.result",
    "pairing.scenario",
    "pairing.soft_figures",
    "pairing.stop",
    "pairing.validate",
]
"""The modules whose exports are the public API."""

DOCTESTS = [
    *PUBLIC,
    "pairing._cli_common",
    "pairing._cli_parser",
    "pairing._coerce",
    "pairing._frozen",
    "pairing._saveinstance",
    "pairing.atomic",
    "pairing.errors",
    "pairing.generate",
    "pairing.graph",
    "pairing.graph._builder",
    "pairing.graph.build",
    "pairing.graph.queries",
    "pairing.graph.write",
    "pairing.io",
    "pairing.plotting._text",
    "pairing.plotting.plot_continuity",
    "pairing.plotting.plot_coverage",
    "pairing.plotting.plot_load",
    "pairing.plotting.plot_pairings",
    "pairing.plotting.plot_strength",
    "pairing.plotting.plot_tiers",
    "pairing.report.annex",
    "pairing.report.roster",
    "pairing.solver.lagrange.engine",
    "pairing.solver.lagrange.settings",
    "pairing.solver.greedy",
    "pairing.solver.poll",
    "pairing.fingerprint",
    "pairing.instance",
    "pairing.plan",
    "pairing.rules",
    "pairing.scenario.cadres",
    "pairing.scenario.change",
    "pairing.scenario.container",
    "pairing.scenario.households",
    "pairing.scenario.settings",
    "pairing.scenario.table",
    "pairing.scenario.units",
    "pairing.solve",
    "pairing.diff.plans",
    "pairing.diff.report",
    "pairing.metrics.dispatch",
    "pairing.validate.report",
    "pairing.explain",
    "pairing.recommend",
    "pairing.score",
    "pairing._replan_stage",
    "pairing.solver.candidates",
    "pairing.solver.decomposed",
    "pairing.solver.highs",
    "pairing.national.counties",
    "pairing.national.divisions",
    "pairing.national.figures",
    "pairing.national.generate",
    "pairing.national.solve_all",
    "pairing.national.task",
]
"""Modules whose examples run as doctests."""

STRICT = [
    "src/pairing/__init__.py",
    "src/pairing/_frozen.py",
    "src/pairing/_outcome.py",
    "src/pairing/_pipeline.py",
    "src/pairing/diff",
    "src/pairing/errors.py",
    "src/pairing/instance.py",
    "src/pairing/io.py",
    "src/pairing/report/__init__.py",
    "src/pairing/rules.py",
    "src/pairing/scenario",
    "src/pairing/summary.py",
    "src/pairing/validate",
    "src/pairing/plotting/__init__.py",
    "src/pairing/params.py",
    "src/pairing/plan.py",
    "src/pairing/progress.py",
    "src/pairing/result.py",
    "src/pairing/_coerce.py",
    "src/pairing/provenance.py",
    "src/pairing/soft_figures.py",
    "src/pairing/solve.py",
    "src/pairing/stop.py",
    "src/pairing/fingerprint.py",
]
"""The public API modules held to ``mypy --strict``."""


def _exports(module: str) -> list[tuple[str, object]]:
    mod = importlib.import_module(module)
    return [(name, getattr(mod, name)) for name in mod.__all__]


@pytest.mark.parametrize("module", PUBLIC)
def test_every_export_has_a_numpy_docstring_with_examples(module):
    lacking = []
    for name, obj in _exports(module):
        if inspect.ismodule(obj) or not (callable(obj) or inspect.isclass(obj)):
            continue  # modules have their own; constants are documented in place
        doc = inspect.getdoc(obj) or ""
        if "Examples\n--------" not in doc:
            lacking.append(name)
    assert not lacking, f"{module}: no Examples section in {lacking}"


def test_the_declared_modules_are_reachable_from_import_pairing():
    for name in pairing.MODULES:
        mod = getattr(pairing, name)
        assert mod.__name__ == f"pairing.{name}" and mod.__doc__
    assert pairing.Scenario is pairing.scenario.Scenario
    assert pairing.write_report is pairing.report.write_report
    assert pairing.diff_plans is pairing.diff.diff_plans
    assert callable(pairing.plotting.plot_load)
    assert set(pairing.__all__) <= set(dir(pairing))


@pytest.mark.parametrize("module", DOCTESTS)
def test_examples_run(module):
    mod = importlib.import_module(module)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(mod, optionflags=flags, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_the_public_api_is_mypy_strict(tmp_path):
    proc = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--cache-dir",
            str(tmp_path / "cache"), "--no-pretty", "--no-color-output",
            "--follow-imports=silent", *STRICT,
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
