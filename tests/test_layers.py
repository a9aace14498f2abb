"""The package's import graph: no circles, and imports only go down the layers.

The layers, lowest first::

    contract  the data contract and rules (schema, rules, tiers, errors) and
              the file-safety helpers every writer uses (atomic, cells, xlsx)
    data      reading, checking, building and holding instances and plans
    solve     the pipeline and the solver's stages
    check     the independent validator, the metrics, the counting pre-checks
    present   summaries, diffs, reports, charts, the graph export, the CLI

A module may import from its own layer or any layer below. The graph is read
from the source with :mod:`ast`, counting imports inside functions too (they
hide edges from a plain ``import``), but not ``if TYPE_CHECKING:`` blocks
(annotations only). ``from pkg import mod`` is an edge to ``pkg.mod``.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx

import pairing

PACKAGE = Path(pairing.__file__).resolve().parent

LAYERS: dict[str, tuple[str, ...]] = {
    "contract": (
        "pairing",  # the front door: every import in it is lazy
        "_early",
        "_exchange",
        "_frozen",
        "_signals",
        "_swap",
        "atomic",
        "cells",
        "errors",
        "marker",
        "progress",
        "rules",
        "schema",
        "stop",
        "tiers",
        "xlsx",
        "_xlsx_parts",
    ),
    "data": (
        "_build",
        "_coerce",
        "_planfiles",
        "_readinstance",
        "_readonly",
        "_readxlsx",
        "_saveinstance",
        "checks",
        "fingerprint",
        "generate",
        "instance",
        "io",
        "plan",
        "provenance",
        "result",
        "scenario",
        "soft_figures",
    ),
    "solve": (
        "_budget",
        "_outcome",
        "_pipeline",
        "_replan_stage",
        "_score_terms",
        "params",
        "score",
        "solve",
        "solver",
    ),
    "check": (
        "_explain_household",
        "_explain_types",
        "_explain_text",
        "_explain_village",
        "_fit",
        "_fit_apply",
        "_fit_village",
        "explain",
        "figures",
        "metrics",
        "precheck",
        "recommend",
        "validate",
    ),
    "present": (
        "__main__",
        "_cli_common",
        "_cli_parser",
        "_cli_planners",
        "_cli_planners_args",
        "_cli_plans",
        "_cli_solve",
        "cli",
        "national",
        "diff",
        "graph",
        "plotting",
        "report",
        "summary",
    ),
}
"""Each module's layer by its first name under ``pairing`` (a subpackage's
modules share its layer)."""

UPWARD: set[tuple[str, str]] = {
    # convenience methods of the result types reaching up to their readers:
    # Plan.summary / Plan.diff, SolveResult.summary, SolveResult's parameters
    ("pairing.plan", "pairing.diff"),
    ("pairing.plan", "pairing.summary"),
    ("pairing.plan", "pairing.score"),  # merged meanwhile: Plan's score
    ("pairing.result", "pairing.summary"),
    ("pairing.result", "pairing.params"),
    # the pipeline explains an infeasible instance and figures a plan with
    # the check layer's counting and metrics
    ("pairing._pipeline", "pairing.precheck"),
    ("pairing._outcome", "pairing.metrics"),  # the plan's soft figures
}
"""Known edges against the layers, each still to be turned round. The test
fails on any other, and on one of these that is gone (then strike it here)."""


CIRCLES: list[set[str]] = []
"""Known circles still to be broken: the test fails on any other, and on one
of these that is gone (then strike it here)."""


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["pairing", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


def _type_checking_only(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(sub) for sub in ast.walk(node)}
    return ids


def _targets(node: ast.Import | ast.ImportFrom, base: str, mods: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        module = node.module or ""
        if node.level:
            pkg = base
            for _ in range(node.level - 1):
                pkg = pkg.rpartition(".")[0]
            module = f"{pkg}.{module}" if module else pkg
        subs = [f"{module}.{a.name}" for a in node.names]
        names = [s for s in subs if s in mods]
        if len(names) < len(subs):
            names.append(module)
    out = []
    for name in names:
        while name and name not in mods:  # a name inside a module: the module
            name = name.rpartition(".")[0]
        if name:
            out.append(name)
    return out


@functools.cache
def import_graph() -> nx.DiGraph:
    """Modules of ``pairing`` and the imports between them."""
    mods = _modules()
    graph = nx.DiGraph()
    for name, (path, is_pkg) in mods.items():
        graph.add_node(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree)
        base = name if is_pkg else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                for target in _targets(node, base, set(mods)):
                    if target != name:
                        graph.add_edge(name, target, line=node.lineno)
    return graph


def layer(module: str) -> int:
    """The rank of ``module``'s layer (0: contract … 4: present)."""
    first = module.split(".")[1] if "." in module else module
    for rank, members in enumerate(LAYERS.values()):
        if first in members:
            return rank
    raise AssertionError(f"{module}: give it a layer in tests/test_layers.py")


def test_no_import_circle() -> None:
    graph = import_graph()
    circles = [set(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    new = [sorted(c) for c in circles if c not in CIRCLES]
    assert not new, f"import circles: {new}"
    gone = [sorted(c) for c in CIRCLES if c not in circles]
    assert not gone, f"broken, strike from CIRCLES: {gone}"


def test_imports_go_down_the_layers() -> None:
    graph = import_graph()
    upward = {(a, b) for a, b in graph.edges if layer(b) > layer(a)}
    layers = list(LAYERS)
    new = sorted(
        f"{a} ({layers[layer(a)]}) imports {b} ({layers[layer(b)]}), line "
        f"{graph.edges[a, b]['line']}"
        for a, b in upward - UPWARD
    )
    assert not new, "imports up the layers:\n" + "\n".join(new)
    assert not UPWARD - upward, f"turned round, strike from UPWARD: {UPWARD - upward}"


def test_every_module_has_a_layer() -> None:
    for module in import_graph():
        layer(module)


def test_the_graph_sees_imports_inside_functions() -> None:
    # a function-level import is an edge like any other: the CLI's lazy
    # imports of the solver are in the graph
    assert import_graph().has_edge("pairing._cli_solve", "pairing.solve")
