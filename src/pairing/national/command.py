"""The national commands of the command line (:mod:`pairing.cli` calls these).

* ``pairing generate --national --out DIR [--share F] [--seed S]
  [--provinces CODES]``: the national set (:func:`generate_national`);
* ``pairing solve-all DIR --out PLANS [--scheduler ADDRESS] [--workers N]
  [--time-limit S]``: every province on Dask (:func:`solve_all`), progress
  across provinces on the terminal (rich), the roll-up in ``PLANS``.

Exit statuses of ``solve-all`` (``data-contract.md``): 0 every province
planned; 1 some could not be (each listed with its causes, the others
planned); 2 bad input or usage (a province whose instance cannot be read
counts as bad input); 130 / 143 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from ..errors import InputError, Problem

__all__ = [
    "generate_arguments",
    "generate_command",
    "solve_all_arguments",
    "solve_all_command",
]

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
Out = Callable[[str], None]


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1], got {text}")
    return value


def _codes(text: str) -> list[str]:
    return [c for c in (part.strip() for part in text.split(",")) if c]


def generate_arguments(p: argparse.ArgumentParser) -> None:
    """The ``--national`` options of ``pairing generate``."""
    p.add_argument(
        "--national",
        action="store_true",
        help="write the national set: one instance folder per province, "
        "DIR/<province code>/, sized from the 2014 registration (default: off)",
    )
    p.add_argument(
        "--share",
        type=_share,
        default=1.0,
        help="national set: fraction of every province's households "
        "(0.01: a 1%% national set)",
    )
    p.add_argument(
        "--provinces",
        type=_codes,
        default=None,
        help="national set: province codes to write, e.g. 52,53 (default: all 22)",
    )


def generate_command(args: argparse.Namespace, signals: Any, out: Out) -> int:
    """``pairing generate --national``."""
    from .generate import generate_national

    if args.households is not None:
        return _usage(
            "generate",
            "--households does not go with --national: each province's "
            "households follow its figures (use --share)",
        )
    t0 = time.perf_counter()
    signals.writing(args.out)

    def line(e: Any) -> None:
        out(f"{e.code} {e.name}: {e.households:,} households, "
            f"{e.poor_villages:,} poor villages")  # fmt: skip

    entries = generate_national(
        args.out,
        share=args.share,
        seed=args.seed,
        provinces=args.provinces,
        format=args.format,
        force=args.force,
        progress=line,
    )
    out(
        f"wrote {len(entries)} provinces, {sum(e.households for e in entries):,} "
        f"households, {sum(e.poor_villages for e in entries):,} poor villages to "
        f"{args.out} in {time.perf_counter() - t0:.1f}s"
    )
    return EXIT_OK


def _usage(command: str, text: str) -> int:
    """A usage error: said on standard error, exit status 2 (as argparse does)."""
    print(f"pairing {command}: error: {text}", file=sys.stderr)
    return EXIT_INPUT


def solve_all_arguments(
    p: argparse.ArgumentParser,
    positive_int: Callable[[str], int],
    seconds: Callable[[str], float],
    force_help: str,
) -> None:
    """The options of ``pairing solve-all``."""
    p.add_argument("set", metavar="DIR", help="national set folder, or an instance "
                   "folder per province")  # fmt: skip
    p.add_argument("--out", required=True, help="plans folder to write (required)")
    p.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://host:8786 "
        "(default: start a LocalCluster)",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes of the LocalCluster (default: the cores)",
    )
    p.add_argument(
        "--time-limit",
        type=seconds,
        default=None,
        help="seconds per province (default: the rules' time_limit, 60 unless "
        "rules.toml says otherwise)",
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="bound every solver by counted work: the same plans every run "
        "(default: off)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the solvers")
    p.add_argument(
        "--method",
        choices=("auto", "lagrangian", "cpsat", "heuristic", "decomposed"),
        default="auto",
        help="village-stage method for every province",
    )
    p.add_argument("--force", action="store_true", help=force_help)
    p.add_argument(
        "--quiet", action="store_true", help="print nothing on success (default: off)"
    )


def solve_all_command(args: argparse.Namespace, signals: Any, out: Out) -> int:
    """``pairing solve-all``: plan every province, print the roll-up."""
    from .solve_all import solve_all

    if args.scheduler and args.workers:
        return _usage(
            "solve-all",
            "--workers sets the LocalCluster's workers; with --scheduler the "
            "cluster's own workers are used",
        )
    mode = "off" if args.quiet else ("rich" if sys.stderr.isatty() else "plain")
    with _executor(args.scheduler) as executor, _Display(mode) as display:
        signals.writing(args.out)
        with signals.quiet():  # a signal stops the run through the token
            result = solve_all(
                args.set,
                args.out,
                executor=executor,
                workers=args.workers,
                time_limit=args.time_limit,
                seed=args.seed,
                deterministic=args.deterministic,
                method=args.method,
                progress=display.event,
                stop=signals.token,
                force=args.force,
            )
    signals.check()
    failed = result.failed
    for p in failed:
        print(f"{p.code} {p.name}: {p.status}", file=sys.stderr)
        for cause in p.causes:
            print(f"  - {cause}", file=sys.stderr)
    if not args.quiet or failed:
        out(result.summary())
        out(f"\nplans written to {args.out} (national.json, index.html)")
    if any(p.status == "bad_input" for p in failed):
        return EXIT_INPUT
    return EXIT_FAIL if failed else EXIT_OK


def _line(o: Any) -> str:
    """One province's outcome in a line."""
    tail = (
        f"{o.villages:,} villages, {o.households:,} households, {o.wall_seconds:.1f} s"
        if o.ok
        else "; ".join(o.causes[:2])
    )
    retried = f" (attempt {o.attempts})" if o.attempts > 1 else ""
    return f"{o.code} {o.name}: {o.status}{retried} — {tail}"


class _executor:
    """A client of the scheduler at ``address``, or None (a LocalCluster)."""

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.client: Any = None

    def __enter__(self) -> Any:
        if not self.address:
            return None
        from distributed import Client

        try:
            self.client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(
                [Problem("--scheduler", self.address, "",
                         "a running Dask scheduler", str(exc))]
            ) from None  # fmt: skip
        return self.client

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()


class _Display:
    """Progress across provinces: a live bar on a terminal (rich), a line per
    province otherwise (logs), or nothing (``--quiet``)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Display:
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]provinces[/bold]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
            )
            self._progress.__enter__()
        return self

    def event(self, e: dict[str, Any]) -> None:
        p = self._progress
        if p is None:
            if self.mode == "plain" and e["event"] == "done":
                print(f"[{e['done']}/{e['total']}] {_line(e['outcome'])}",
                      file=sys.stderr, flush=True)  # fmt: skip
            return
        if e["event"] == "start":
            self._task = p.add_task("", total=e["total"])
        elif e["event"] == "running":
            names = ", ".join(e["provinces"][:4])
            more = len(e["provinces"]) - 4
            p.update(self._task, description=f"running {names}"
                     + (f" +{more}" if more > 0 else ""))  # fmt: skip
        elif e["event"] == "done":
            p.console.print(_line(e["outcome"]), markup=False, highlight=False)
            p.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
