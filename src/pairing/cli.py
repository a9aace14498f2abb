"""The ``pairing`` command line: a thin layer over the library.

Exit statuses follow ``data-contract.md``: 0 success; 1 violations (validate)
or infeasible (solve, with the causes printed); 2 bad input or usage (a
refused ``--out`` too); 3 the time limit ran out before any plan was found
(solve); 130 / 143 interrupted by SIGINT / SIGTERM.

Outputs (``--out``) are folders pairing owns (:mod:`pairing.atomic`): a new
path, an empty folder or one pairing wrote as the same kind; anything else,
the input itself or a folder holding it is refused (exit 2) before any work,
unless ``--force``, which adds pairing's files to the folder and keeps every
file already there. Nothing pairing did not write is ever deleted.

Signals (:mod:`pairing._signals`): the handlers are installed first thing in
:func:`main`. A signal during the solve stops it through the ``stop`` token
(no plan is written); at any other moment it unwinds, removing a half-built
folder. A signal that arrives while an output is being put in place is held
until the swap is done: the folder then holds the new complete output, and
the message says so; before that point it holds the old one. Either way the
exit status is 130 (SIGINT) or 143 (SIGTERM) and no traceback is printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence

from ._cli_common import EXIT_FAIL as EXIT_FAIL
from ._cli_common import EXIT_HELP as EXIT_HELP
from ._cli_common import EXIT_INPUT as EXIT_INPUT
from ._cli_common import EXIT_INTERNAL as EXIT_INTERNAL
from ._cli_common import EXIT_NO_PLAN as EXIT_NO_PLAN
from ._cli_common import EXIT_OK as EXIT_OK
from ._cli_common import _err, _Run
from ._cli_parser import build_parser as build_parser
from ._cli_plans import cmd_diff as cmd_diff
from ._cli_plans import cmd_generate as cmd_generate
from ._cli_plans import cmd_inspect as cmd_inspect
from ._cli_plans import cmd_report as cmd_report
from ._cli_plans import cmd_solve_all as cmd_solve_all
from ._cli_plans import cmd_validate as cmd_validate
from ._cli_solve import cmd_solve as cmd_solve
from ._signals import Interrupted, Signals
from .errors import Infeasible, InputError, NoPlanFound, Problem, Stopped

# The commands live in one module per group, each importing the library
# inside its commands (start-up time): _cli_common (what they share),
# _cli_plans (generate, inspect, solve-all, validate, report, diff), _cli_solve
# (solve), _cli_planners (score, explain, recommend, scenario), _cli_parser.
# Their names are exported here too, where they always were.


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Called with ``argv`` (in-process), the signal handlers are put back on
    return; without (the ``pairing`` program), a signal after the command is
    done ends the process at once with 130 / 143.
    """
    signals = _Run.signals = Signals().install()
    from . import _early  # lazy: only the program's start needs it

    for signum in _early.pending():  # arrived while the program was starting
        signals.note(signum)
    try:
        return _main(argv, signals)
    finally:
        if argv is None:
            signals.late()
        else:
            signals.restore()


def _main(argv: Sequence[str] | None, signals: Signals) -> int:
    debug = False
    try:
        signals.check()
        parser = build_parser()
        args = parser.parse_args(argv)
        debug = bool(args.debug)
        status = int(args.func(args))
        signals.check()  # a signal during the last steps still counts
        return status
    except Interrupted as exc:
        return signals.interrupted(exc)
    except (Stopped, NoPlanFound, Infeasible) as exc:
        if signals.signum is not None:
            return signals.interrupted(Interrupted(signals.signum))
        if isinstance(exc, Infeasible):
            _err(str(exc))
            _err("no plan was written.")
            return EXIT_FAIL
        if isinstance(exc, NoPlanFound):
            _err(f"time limit reached before any plan was found: {exc}")
            _err("no plan was written; try a longer --time-limit.")
            return EXIT_NO_PLAN
        _err(f"stopped: {exc}; nothing was written.")
        return EXIT_NO_PLAN
    except InputError as exc:
        _err(exc.describe())
        return EXIT_INPUT
    except KeyboardInterrupt:  # handlers not installed (not the main thread)
        return signals.interrupted(Interrupted(signal.SIGINT))
    except BrokenPipeError:  # stderr closed (stdout's closed pipe ends cleanly)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error at exit
        return EXIT_FAIL
    except (OSError, MemoryError) as exc:
        if debug:
            raise
        _err(
            str(
                InputError(
                    [Problem("file", "", "", "a readable/writable path", str(exc))]
                )
            )
        )
        return EXIT_INPUT
    except Exception as exc:  # a bug of ours: say so briefly, no traceback
        if signals.signum is not None:
            # the signal broke a library call (an extension module's import
            # interrupted mid-way raises ImportError): it is the cause
            return signals.interrupted(Interrupted(signals.signum))
        if debug:
            raise
        _err(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug")
        return EXIT_INTERNAL


def entry() -> None:
    """Run the ``pairing`` program and end the process with its status.

    The process ends with ``os._exit`` once the output is flushed: the
    interpreter's shutdown would put the default signal handlers back, and a
    signal in that last moment would kill the process (status -2) rather
    than give 130 / 143.
    """
    status = main()
    import gc

    gc.collect()  # finalizers (a process pool's semaphores) run now
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    entry()
