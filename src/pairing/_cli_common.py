"""What every command of the command line shares (:mod:`pairing.cli`).

Exit statuses, the output streams (a closed pipe is not an error), loading
an instance or a plan, the running command's signal handling, the early
``--out`` check, and the argument types and help format of the parser.

Examples
--------
>>> _seconds("2.5"), _positive_int("3")
(2.5, 3)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ._signals import Signals

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_NO_PLAN, EXIT_INTERNAL = 0, 1, 2, 3, 70


def _err(text: str) -> None:
    print(text, file=sys.stderr)


class _Stdout:
    """Standard output that a reader may close early (``pairing diff A B | head``).

    Once the pipe is closed the rest of the output is dropped and the command
    still finishes with its own exit status: a closed pipe is not an error.
    """

    closed = False

    @classmethod
    def write(cls, text: str) -> None:
        if cls.closed:
            return
        try:
            print(text, flush=True)
        except BrokenPipeError:
            cls.closed = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error at exit


_out = _Stdout.write


def _load(path: str) -> Any:
    from .io import load_instance

    return load_instance(path)


def _load_plan(path: str) -> Any:
    from .plan import Plan

    return Plan.load(path)


class _Run:
    """The running command's signal handling (:mod:`pairing._signals`)."""

    signals: Signals = Signals()


def _check_out(
    out: str, kind: str, force: bool, inputs: Sequence[str | None], names: list[str]
) -> None:
    """Refuse a bad ``--out`` before any slow work (exit 2)."""
    from .atomic import check_output

    check_output(out, kind, force=force, inputs=[i for i in inputs if i], names=names)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {text}")
    return value


class _Help(argparse.RawDescriptionHelpFormatter):
    """Option help ending with its default (unless it says it, or there is none)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or not action.option_strings
        ):
            return text
        shown = f"{default:,}" if isinstance(default, int) else str(default)
        return f"{text} (default: {shown})"


EXIT_HELP = """exit status: 0 success; 1 infeasible, violations or a proof the
instance cannot be planned (causes printed); 2 bad input or usage; 3 time
limit before any plan; 4 a partial plan was written (solve --partial);
130/143 interrupted."""
_FORCE = (
    "also write into a folder pairing did not write, keeping all its files "
    "(default: off)"
)
