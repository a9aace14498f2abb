"""A solve's progress: typed events, and a live line showing them.

:func:`pairing.solve` calls its ``progress`` callback with a
:class:`ProgressEvent` whenever the solve advances: at the start of every
stage, at every step of the village stage (a better plan, a better bound)
and after every component of the household stage. Every event is stamped on
one clock: ``time.perf_counter()`` seconds since the solve started. The
callback is always called from the thread that called :func:`pairing.solve`
(the solvers' own threads hand their news to it), so it may update a
display or a job table without a lock of its own; it should return quickly.

::

    from pairing.progress import SolveProgress

    with SolveProgress() as progress:
        plan = pairing.solve(instance, time_limit=60, progress=progress)

or simply ``pairing.solve(instance, display=True)``. In Jupyter the line is
one output cell updated in place (IPython's display handles); elsewhere it
is a rich live line on standard error. Updates are limited to a few per
second, so a long solve does not flood the notebook.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._frozen import FrozenDict, freeze

__all__ = ["ProgressEvent", "SolveProgress", "describe"]

_FIELDS = ("stage", "phase", "elapsed", "incumbent", "bound")


@dataclass(frozen=True, eq=False)
class ProgressEvent(Mapping[str, Any]):
    """One step of a solve.

    The event also reads as a mapping (``event["stage"]``,
    ``event.get("bound")``) of its fields and :attr:`detail`, as the
    dictionaries earlier versions passed did.

    Attributes
    ----------
    stage
        ``checks``, ``leaders``, ``villages``, ``households``, ``dispatch``
        or ``done``.
    phase
        The step within the stage (``start``, ``warm start``, ``columns``,
        ``core``, ``cpsat``, ``component`` …); the stage's name at its start.
    elapsed
        Seconds since the solve started (``time.perf_counter()``, monotonic).
    incumbent
        Objective of the best plan of the village stage so far (maximised),
        None before there is one.
    bound
        Its best proven upper bound so far, None before there is one.
    detail
        Other figures of the step (``pairs``, ``regions``, ``components``,
        ``done`` …), read-only.

    Examples
    --------
    >>> e = ProgressEvent("villages", "core", 3.5, incumbent=9.0, bound=10.0)
    >>> e.gap, e["stage"], e.get("pairs")
    (0.1, 'villages', None)
    """

    stage: str
    phase: str
    elapsed: float
    incumbent: float | None = None
    bound: float | None = None
    detail: Mapping[str, Any] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", freeze(self.detail))

    @property
    def gap(self) -> float | None:
        """Relative gap of the incumbent to the bound (None without both)."""
        inc, bound = self.incumbent, self.bound
        if inc is None or bound is None or not math.isfinite(bound) or bound == 0:
            return None
        return round(max(0.0, bound - inc) / abs(bound), 12)

    def to_dict(self) -> dict[str, Any]:
        """The event as plain data (JSON-serialisable but for NaN/inf)."""
        out = {k: getattr(self, k) for k in _FIELDS}
        out.update(self.detail)
        return out

    def __getitem__(self, key: str) -> Any:
        if key in _FIELDS:
            return getattr(self, key)
        return self.detail[key]

    def __iter__(self) -> Iterator[str]:
        yield from _FIELDS
        yield from (k for k in self.detail if k not in _FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS) + sum(k not in _FIELDS for k in self.detail)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


STAGES = {
    "checks": "checking the input",
    "leaders": "leaders' areas and contact villages (R7)",
    "villages": "villages to lead units (R1-R6)",
    "households": "households to cadres (R3, R5)",
    "dispatch": "kick-off teams (R8)",
    "done": "planned",
}


def describe(event: Mapping[str, Any]) -> str:
    """One progress event (a :class:`ProgressEvent` or its mapping) as text.

    Examples
    --------
    >>> describe({"stage": "villages", "elapsed": 3.25, "incumbent": 12.0,
    ...           "bound": 15.0})
    'villages to lead units (R1-R6) · 3.2 s · plan 12.0 · bound 15.0 · gap 20.0%'
    """
    stage = str(event.get("stage", ""))
    parts = [STAGES.get(stage, stage), f"{float(event.get('elapsed', 0.0)):.1f} s"]
    inc, bound = event.get("incumbent"), event.get("bound")
    if inc is not None:
        parts.append(f"plan {inc:,.1f}")
    if bound is not None:
        parts.append(f"bound {bound:,.1f}")
    if inc is not None and bound is not None and bound != 0:
        parts.append(f"gap {100 * abs(bound - inc) / abs(bound):.1f}%")
    return " · ".join(parts)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class SolveProgress:
    """A context manager whose value is a ``progress`` callback for ``solve``.

    Parameters
    ----------
    every
        Least seconds between two updates of the line.

    Examples
    --------
    >>> shown = []
    >>> p = SolveProgress(every=0.0)
    >>> p._show = shown.append  # off a terminal, collect the lines instead
    >>> p(ProgressEvent("leaders", "leaders", 0.25))
    >>> shown
    ["leaders' areas and contact villages (R7) · 0.2 s"]
    """

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self._last = 0.0
        self._text = "starting"
        self._start = 0.0
        self._handle: Any = None
        self._live: Any = None

    def __enter__(self) -> SolveProgress:
        self._start = time.perf_counter()
        if _in_notebook():
            from IPython.display import display

            self._handle = display(  # type: ignore[no-untyped-call]
                {"text/plain": self._text}, raw=True, display_id=True
            )
        else:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._text, console=Console(stderr=True))
            self._live.__enter__()
        return self

    def __call__(self, event: Mapping[str, Any]) -> None:
        """Take one event of :func:`pairing.solve`'s ``progress`` callback."""
        self._text = describe(event)
        now = time.perf_counter()
        if now - self._last >= self.every:
            self._last = now
            self._show(self._text)

    def _show(self, text: str) -> None:
        if self._handle is not None:
            self._handle.update({"text/plain": text}, raw=True)
        elif self._live is not None:
            self._live.update(text)

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        took = time.perf_counter() - self._start
        if exc_type is not None:
            self._show(
                f"{self._text} — stopped ({exc_type.__name__}) after {took:.1f} s"
            )
        else:
            self._show(f"{self._text} — {took:.1f} s in all")
        if self._live is not None:
            self._live.__exit__(None, None, None)
