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

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._signals import Interrupted, Signals
from .errors import Infeasible, InputError, NoPlanFound, Problem, Stopped

if TYPE_CHECKING:
    from concurrent.futures import Executor

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


# -- commands --------------------------------------------------------------


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


@contextlib.contextmanager
def _pool(workers: int | None) -> Iterator[Executor | None]:
    """The local process pool for independent subproblems (``--workers``).

    One process per worker (default: the cores, at most 8); none for one.
    Workers are spawned (no fork of a process running solver threads) and
    ignore Ctrl-C, which the main process handles (exit 130, no plan).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n = workers if workers is not None else max(1, min(8, os.cpu_count() or 1))
    if n <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=n,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_sigint,
    )
    _Run.signals.on_exit = lambda: _end_pool(pool)
    try:
        yield pool
    except BaseException:  # interrupted or failed: don't wait for the workers
        _end_pool(pool)
        raise
    else:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _Run.signals.on_exit = None


def _end_pool(pool: Any) -> None:
    """Stop the pool's worker processes (ours, by their process ids)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def cmd_solve(args: argparse.Namespace) -> int:
    from .plan import Plan

    names = Plan.file_names(args.format)
    _check_out(args.out, "plan", args.force, [args.instance, args.baseline], names)
    from .solve import solve

    params = None
    if args.params:  # before the slow loading: a bad file is told at once
        from .params import SolveParams

        params = SolveParams.from_toml(args.params)
    instance = _load(args.instance)
    baseline = _load_plan(args.baseline) if args.baseline else None
    show = sys.stderr.isatty() and not args.quiet
    signals = _Run.signals
    # a signal during the solve cancels the token and solve() stops
    with _Progress(show) as progress, _pool(args.workers) as executor, signals.quiet():
        plan = solve(
            instance,
            time_limit=args.time_limit,
            seed=args.seed,
            workers=args.workers,
            deterministic=args.deterministic,
            method=args.method,
            baseline=baseline,
            progress=progress,
            executor=executor,
            stop=signals.token,
            params=params,
            partial=args.partial,
            pin=args.pin,
        )
    signals.check()  # stopped by a signal: no plan is written
    _Run.signals.writing(args.out)
    plan.save(args.out, format=args.format, force=args.force)
    if not args.quiet:
        _out(plan.summary())
        _out(f"\nplan written to {args.out}")
    if plan.status == "partial":  # R1 relaxed (--partial, --pin): exit 4
        from ._cli_planners import EXIT_PARTIAL

        left = plan.info.get("uncovered", {})
        _err(
            f"partial plan: {len(plan.uncovered):,} item(s) left uncovered "
            f"({left.get('households', 0):,} households), each with its cause in "
            f"{args.out}/uncovered"
        )
        return EXIT_PARTIAL
    return EXIT_OK


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


# -- progress display --------------------------------------------------------


class _Progress:
    """A one-line live display of the solve (stage, elapsed, incumbent, bound)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._live: Any = None

    def __enter__(self) -> Callable[[Mapping[str, Any]], None] | None:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.live import Live

        self._live = Live("", console=Console(stderr=True), transient=True)
        self._live.__enter__()
        return self.update

    def update(self, event: Mapping[str, Any]) -> None:
        parts = [
            f"[bold]{event.get('stage', '')}[/bold]",
            f"{event.get('elapsed', 0):.1f}s",
        ]
        if event.get("incumbent") is not None:
            parts.append(f"incumbent {event['incumbent']:,.1f}")
        if event.get("bound") is not None:
            parts.append(f"bound {event['bound']:,.1f}")
        self._live.update(" · ".join(parts))

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)


# -- parser ------------------------------------------------------------------


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


def build_parser() -> argparse.ArgumentParser:
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

    instance_help = "instance folder (Parquet or CSV tables) or .xlsx workbook"
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
    from .national.command import generate_arguments, solve_all_arguments

    generate_arguments(p)
    p.set_defaults(func=cmd_generate)

    p = command(
        "inspect",
        "check an instance without solving: its figures, capacity against demand "
        "per county, and the causes the pre-checks prove (exit 1 when any)",
    )
    p.add_argument("instance", help=instance_help)
    p.set_defaults(func=cmd_inspect)

    p = command("solve", "plan an instance and write the plan")
    p.add_argument("instance", help=instance_help)
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

    p = command("validate", "check a plan against every hard rule (R1-R8)")
    p.add_argument("instance", help=instance_help)
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

    p = command(
        "report", "write the R16 reports: annexes, rosters, dashboards, index.html"
    )
    p.add_argument("instance", help=instance_help)
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

    p = command("diff", "what changed between two plans")
    p.add_argument("plan_a", help="the first plan folder")
    p.add_argument("plan_b", help="the second plan folder")
    p.set_defaults(func=cmd_diff)

    p = command(
        "solve-all",
        "plan every province of a national set, one Dask task each (a "
        "LocalCluster unless --scheduler names a running one); exit 1 when "
        "some province cannot be planned (each listed, the others planned)",
    )
    solve_all_arguments(p, _positive_int, _seconds, _FORCE)
    p.set_defaults(func=cmd_solve_all)

    from ._cli_planners import add_commands

    add_commands(command, instance_help, _FORCE)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Called with ``argv`` (in-process), the signal handlers are put back on
    return; without (the ``pairing`` program), a signal after the command is
    done ends the process at once with 130 / 143.
    """
    signals = _Run.signals = Signals().install()
    from . import _early

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
