"""The commands over instances and finished plans: ``generate``, ``inspect``,
``solve-all``, ``validate``, ``report`` and ``diff`` (:mod:`pairing.cli`).

The library is imported inside each command, not here: the command line
starts without loading pandas, the solvers or the report writers.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from ._cli_common import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_OK,
    _check_out,
    _err,
    _load,
    _load_plan,
    _out,
    _Run,
)


def cmd_generate(args: argparse.Namespace) -> int:
    if args.national:  # one instance folder per province (pairing.national)
        from .national.command import generate_command

        return generate_command(args, _Run.signals, _out)
    from .io import check_instance_output

    check_instance_output(args.out, args.format, force=args.force)
    from .generate import generate
    from .io import save_instance

    t0 = time.perf_counter()
    instance = generate(households=args.households, seed=args.seed)
    _Run.signals.writing(args.out)
    save_instance(instance, args.out, format=args.format, force=args.force)
    _out(
        f"wrote {instance!r} to {args.out} ({args.format}) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return EXIT_OK


def cmd_solve_all(args: argparse.Namespace) -> int:
    """Every province of a national set on Dask (pairing.national)."""
    from .national.command import solve_all_command

    return solve_all_command(args, _Run.signals, _out)


def cmd_inspect(args: argparse.Namespace) -> int:
    """Figures and pre-checks; exit 1 when they prove the rules cannot all hold."""
    from .figures import format_figures, inspect_figures
    from .precheck import precheck

    instance = _load(args.instance)
    causes = precheck(instance)  # the same pre-checks solve runs first (R15)
    _out(format_figures(inspect_figures(instance, causes)))
    return EXIT_FAIL if causes else EXIT_OK


def _same_instance(instance: Any, plan: Any, plan_path: str, force: bool) -> bool:
    """Whether the plan was made for ``instance`` (or ``force``); says why not.

    A plan that records no fingerprint (written before pairing recorded
    one) is taken as it is, with a note.
    """
    made_for = plan.fingerprint
    if made_for is None:
        _err(
            f"note: {plan_path} records no instance fingerprint (an older plan); "
            "it is taken as made for this instance"
        )
        return True
    if made_for == instance.fingerprint or force:
        if made_for != instance.fingerprint:
            _err("note: the plan was made for a different instance (--force)")
        return True
    _err(
        f"error: {plan_path} was made for a different instance: its summary.json "
        f"names instance {made_for[:12]}, this instance is "
        f"{instance.fingerprint[:12]} (pairing.fingerprint). Pass the instance "
        "the plan was made from, or --force to go on anyway."
    )
    return False


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    instance = _load(args.instance)
    plan = _load_plan(args.plan)
    if not _same_instance(instance, plan, args.plan, args.force):
        return EXIT_INPUT
    result = validate(instance, plan)
    if args.json:
        from .atomic import json_text

        _out(json_text(result.to_dict()))  # strict JSON: NaN and inf as null
    else:
        _out(result.summary())
    return EXIT_OK if result.ok else EXIT_FAIL


def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    names = ["index.html", "annex1_leaders.xlsx", "annex2_province_units.xlsx"]
    _check_out(args.out, "report", args.force, [args.instance, args.plan], names)
    instance = _load(args.instance)
    plan = _load_plan(args.plan)
    if not _same_instance(instance, plan, args.plan, args.force):
        return EXIT_INPUT
    _Run.signals.writing(args.out)
    written = write_report(
        instance,
        plan,
        args.out,
        lang=args.lang,
        force=args.force,
        stop=_Run.signals.token,
    )
    for name, path in written.items():
        _out(f"{name}: {path}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import diff_plans

    a, b = _load_plan(args.plan_a), _load_plan(args.plan_b)
    _out(diff_plans(a, b).summary())
    return EXIT_OK
