"""A live line showing a solve as it runs, in a notebook or on a terminal.

::

    from pairing.progress import SolveProgress

    with SolveProgress() as progress:
        plan = pairing.solve(instance, time_limit=60, progress=progress)

In Jupyter the line is one output cell updated in place (IPython's display
handles); elsewhere it is a rich live line on standard error. Updates are
limited to a few per second, so a long solve does not flood the notebook.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["SolveProgress", "describe"]

STAGES = {
    "checks": "checking the input",
    "leaders": "leaders' areas and contact villages (R7)",
    "villages": "villages to lead units (R1-R6)",
    "households": "households to cadres (R3, R5)",
    "dispatch": "kick-off teams (R8)",
    "done": "planned",
}


def describe(event: dict[str, Any]) -> str:
    """One progress event as a line of text.

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
    ip = shell.get_ipython()  # type: ignore[attr-defined]
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class SolveProgress:
    """A context manager whose value is a ``progress`` callback for ``solve``.

    Parameters
    ----------
    every
        Least seconds between two updates of the line.
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

            self._handle = display(
                {"text/plain": self._text}, raw=True, display_id=True
            )
        else:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._text, console=Console(stderr=True))
            self._live.__enter__()
        return self

    def __call__(self, event: dict[str, Any]) -> None:
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
