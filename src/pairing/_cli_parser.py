"""The parser of the command line (:mod:`pairing.cli`): one function per command.

Examples
--------
>>> args = build_parser().parse_args(["diff", "a", "b"])
>>> args.command, args.plan_a, args.func.__name__
('diff', 'a', 'cmd_diff')
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ._cli_common import _FORCE, EXIT_HELP, _Help, _positive_int, _seconds
from ._cli_plans import (
    cmd_diff,
    cmd_generate,
    cmd_inspect,
    cmd_report,
    cmd_solve_all,
    cmd_validate,
)
from ._cli_solve import cmd_solve

__all__ = ["build_parser"]

Command = Callable[[str, str], argparse.ArgumentParser]
"""Adds a command to the parser: its name and its help."""
INSTANCE_HELP = "instance folder (Parquet or CSV tables) or .xlsx workbook"


def build_parser() -> argparse.ArgumentParser:
    """The ``pairing`` parser with every command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="pairing",
        description="Plan and prove poverty-alleviation pairings (吉办发〔2015〕46号).",
        epilog=EXIT_HELP,
        formatter_class=_Help,
    )
    parser.add_argument("--version", action="version", version=f"pairing {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks of internal errors (default: off)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=text, description=text, epilog=EXIT_HELP, formatter_class=_Help
        )

    _add_generate(command)
    _add_inspect(command)
    p = _add_solve(command)
    _add_solve_output(p)
    _add_validate(command)
    _add_report(command)
    _add_diff(command)
    _add_solve_all(command)
    # lazy: the planners' commands import pandas, loaded only to build the parser
    from ._cli_planners_args import add_commands

    add_commands(command, INSTANCE_HELP, _FORCE)
    return parser


def _add_generate(command: Command) -> None:
    """``generate``: a synthetic instance (or a national set)."""
    p = command("generate", "write a synthetic Jilin-like instance")
    p.add_argument(
        "--out", required=True, help="folder (or .xlsx file) to write (required)"
    )
    p.add_argument(
        "--households",
        type=_positive_int,
        default=None,
        help="poor households (default: 430,000, the Jilin-sized province)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument(
        "--format",
        choices=("parquet", "csv", "xlsx"),
        default="parquet",
        help="file format of the tables",
    )
    p.add_argument("--force", action="store_true", help=_FORCE)
    # lazy: pairing.national loads only when the parser is built
    from .national.command import generate_arguments

    generate_arguments(p)
    p.set_defaults(func=cmd_generate)


def _add_inspect(command: Command) -> None:
    """``inspect``: figures and pre-checks without solving."""
    p = command(
        "inspect",
        "check an instance without solving: its figures, capacity against demand "
        "per county, and the causes the pre-checks prove (exit 1 when any)",
    )
    p.add_argument("instance", help=INSTANCE_HELP)
    p.set_defaults(func=cmd_inspect)


def _add_solve(command: Command) -> argparse.ArgumentParser:
    """``solve``: the instance and the solve's options."""
    p = command("solve", "plan an instance and write the plan")
    p.add_argument("instance", help=INSTANCE_HELP)
    p.add_argument("--out", required=True, help="plan folder to write (required)")
    p.add_argument(
        "--time-limit",
        type=_seconds,
        default=None,
        help="seconds for the whole solve (default: the rules' time_limit, "
        "60 unless rules.toml says otherwise)",
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="bound every solver by counted work, not seconds: the same plan "
        "every run (default: off)",
    )
    p.add_argument(
        "--baseline",
        default=None,
        help="plan folder to re-plan against, moving as little as the rules force "
        "(R14; default: none, plan afresh)",
    )
    p.add_argument(
        "--method",
        choices=("auto", "lagrangian", "cpsat", "heuristic", "decomposed"),
        default="auto",
        help="village-stage method (auto: CP-SAT on small instances, the "
        "Lagrangian engine on large ones; decomposed: the earlier baseline)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="CP-SAT search workers, and processes for the independent "
        "subproblems (default: the cores, at most 8)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the solvers")
    return p


def _add_solve_output(p: argparse.ArgumentParser) -> None:
    """``solve``: the plan's output and the planners' options."""
    p.add_argument(
        "--params",
        default=None,
        metavar="FILE",
        help="TOML file of solver settings, one table per component "
        "(pairing.params.SolveParams; default: none, the built-in settings)",
    )
    p.add_argument(
        "--format",
        choices=("parquet", "csv", "xlsx"),
        default="parquet",
        help="file format of the plan's tables",
    )
    p.add_argument("--force", action="store_true", help=_FORCE)
    p.add_argument(
        "--quiet", action="store_true", help="print nothing on success (default: off)"
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="when the hard rules cannot all hold, write the plan that covers the "
        "most, every uncovered village and household listed with its cause "
        "(exit 4; default: off, exit 1 with the causes)",
    )
    p.add_argument(
        "--pin",
        choices=("villages",),
        default=None,
        help="keep every baseline village with its unit (needs a baseline); "
        "households its cadres cannot carry are left uncovered with the shortfall "
        "to fix "
        "(a partial plan, exit 4, if any; default: a village moves only when its "
        "unit cannot carry it)",
    )
    p.set_defaults(func=cmd_solve)


def _add_validate(command: Command) -> None:
    """``validate``: every hard rule, independently of the solver."""
    p = command("validate", "check a plan against every hard rule (R1-R8)")
    p.add_argument("instance", help=INSTANCE_HELP)
    p.add_argument("plan", help="plan folder")
    p.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output (default: readable text)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="check a plan made for a different instance anyway (its "
        "summary.json names another fingerprint; default: exit 2)",
    )
    p.set_defaults(func=cmd_validate)


def _add_report(command: Command) -> None:
    """``report``: the R16 reports."""
    p = command(
        "report", "write the R16 reports: annexes, rosters, dashboards, index.html"
    )
    p.add_argument("instance", help=INSTANCE_HELP)
    p.add_argument("plan", help="plan folder")
    p.add_argument("--out", required=True, help="report folder to write (required)")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of the reports",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help=_FORCE[: -len(" (default: off)")] + "; and report a plan made for a "
        "different instance (default: off)",
    )
    p.set_defaults(func=cmd_report)


def _add_diff(command: Command) -> None:
    """``diff``: what changed between two plans."""
    p = command("diff", "what changed between two plans")
    p.add_argument("plan_a", help="the first plan folder")
    p.add_argument("plan_b", help="the second plan folder")
    p.set_defaults(func=cmd_diff)


def _add_solve_all(command: Command) -> None:
    """``solve-all``: every province of a national set on Dask."""
    p = command(
        "solve-all",
        "plan every province of a national set, one Dask task each (a "
        "LocalCluster unless --scheduler names a running one); exit 1 when "
        "some province cannot be planned (each listed, the others planned)",
    )
    # lazy: pairing.national loads only when the parser is built
    from .national.command import solve_all_arguments

    solve_all_arguments(p, _positive_int, _seconds, _FORCE)
    p.set_defaults(func=cmd_solve_all)
