"""The planners' commands' arguments (score, explain, recommend, scenario):
:func:`add_commands` adds them to the ``pairing`` parser; the commands
themselves are in :mod:`pairing._cli_planners`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ._cli_planners import (
    cmd_explain,
    cmd_recommend,
    cmd_scenario_apply,
    cmd_scenario_compare,
    cmd_score,
)

Command = Callable[[str, str], argparse.ArgumentParser]


def add_commands(command: Command, instance_help: str, force_help: str) -> None:
    """Add score, explain, recommend and scenario to the ``pairing`` parser."""
    _add_score(command, instance_help)
    _add_explain(command, instance_help)
    _add_recommend(command, instance_help)
    _add_scenario(command, instance_help, force_help)


_LANG: dict[str, Any] = {
    "choices": ("zh", "en"),
    "default": "en",
    "help": "language of the text",
}
"""The planners' commands' ``--lang`` option."""


_JSON: dict[str, Any] = {
    "action": "store_true",
    "help": "machine-readable output (default: off)",
}


def _instance_and_plan(p: Any, instance_help: str) -> None:
    """The two positional arguments every planners' command reads."""
    p.add_argument("instance", help=instance_help)
    p.add_argument("plan", help="plan folder")


def _add_score(command: Command, instance_help: str) -> None:
    """``score``: the objective by rule term."""
    p = command("score", "the plan's objective split by rule term, tier and prefecture")
    _instance_and_plan(p, instance_help)
    p.add_argument("--lang", **_LANG)
    p.add_argument(
        "--by-region", action="store_true", help="also by prefecture (default: off)"
    )
    p.add_argument("--json", **_JSON)
    p.set_defaults(func=cmd_score)


def _add_explain(command: Command, instance_help: str) -> None:
    """``explain``: why a village has its unit, or a household its cadre."""
    p = command(
        "explain",
        "why a village has its lead unit (or a household its "
        "cadre), what each alternative would cost, and who cannot take it",
    )
    _instance_and_plan(p, instance_help)
    p.add_argument(
        "--village",
        default=None,
        help="a poor village id (default: none)",
    )
    p.add_argument("--household", default=None, help="a household id (default: none)")
    p.add_argument("--k", type=int, default=5, help="alternatives costed exactly")
    p.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds per exact local re-solve",
    )
    p.add_argument("--lang", **_LANG)
    p.add_argument("--json", **_JSON)
    p.set_defaults(func=cmd_explain)


def _add_recommend(command: Command, instance_help: str) -> None:
    """``recommend``: the k best choices for new households and villages."""
    p = command(
        "recommend",
        "the k best cadres for each new household (and units "
        "for each new poor village) the plan has room for",
    )
    _instance_and_plan(p, instance_help)
    p.add_argument(
        "--households",
        default=None,
        help="table of new households: household_id, village_id, severity "
        "(default: none)",
    )
    p.add_argument(
        "--villages",
        default=None,
        help="table of newly registered poor villages: village_id, households "
        "(default: none)",
    )
    p.add_argument("--k", type=int, default=5, help="choices per item")
    p.add_argument(
        "--out",
        default=None,
        help="write the choices as CSV here (default: print them)",
    )
    p.add_argument("--lang", **_LANG)
    p.set_defaults(func=cmd_recommend)


def _add_scenario(command: Command, instance_help: str, force_help: str) -> None:
    """``scenario apply`` and ``scenario compare``: what-ifs."""
    p = command(
        "scenario", "what-if scenarios: apply a table of changes, compare plans"
    )
    sub = p.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    a = sub.add_parser(
        "apply",
        help="apply a table of changes (or a scenario JSON)",
        description="write the instance with the changes made",
    )
    a.add_argument("instance", help=instance_help)
    a.add_argument(
        "changes",
        help="change table (CSV, .xlsx, Parquet: step, kind, id, "
        "value, …) or scenario .json",
    )
    a.add_argument("--out", required=True, help="instance folder to write (required)")
    a.add_argument(
        "--format",
        choices=("parquet", "csv", "xlsx"),
        default="parquet",
        help="file format of the tables (default: parquet)",
    )
    a.add_argument("--force", action="store_true", help=force_help)
    a.set_defaults(func=cmd_scenario_apply)
    c = sub.add_parser(
        "compare",
        help="score terms of a base plan and re-plans side by side",
        description="the plans' score terms side by side",
    )
    c.add_argument("base", help="the base plan folder")
    c.add_argument("plans", nargs="+", help="re-plan folders")
    c.set_defaults(func=cmd_scenario_compare)
