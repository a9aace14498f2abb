"""Stopping criteria: when a solve should stop and return its best plan.

A stopping criterion is any callable taking no argument and returning
``True`` once the solve should stop (the :class:`StoppingCriterion`
protocol). The solver polls it between iterations of every long step (at
least every few hundred milliseconds) and hands it to the solvers it calls
as their stop callback, so a stop is acted on within a second. A stopped
solve returns the best valid plan found so far, or raises
:class:`pairing.NoPlanFound` when there is none.

Ready-made criteria, in the manner of PyVRP's ``pyvrp.stop``:

* :class:`MaxRuntime` — wall-clock seconds since the criterion's first call;
* :class:`CancelToken` — a :class:`threading.Event` another thread (a web
  request, a signal handler) sets;
* :class:`AnyOf` — stops when any of its members does (``a | b`` builds one).

Examples
--------
>>> from pairing.stop import AnyOf, CancelToken, MaxRuntime
>>> token = CancelToken()
>>> stop = MaxRuntime(60) | token
>>> stop()
False
>>> token.cancel()
>>> stop()
True
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = [
    "AnyOf",
    "CancelToken",
    "MaxRuntime",
    "NeverStop",
    "StoppingCriterion",
    "as_criterion",
]


@runtime_checkable
class StoppingCriterion(Protocol):
    """Anything that says, when called, whether the solve should stop.

    Examples
    --------
    >>> isinstance(MaxRuntime(1), StoppingCriterion)
    True
    >>> isinstance(lambda: False, StoppingCriterion)  # any callable will do
    True
    """

    def __call__(self) -> bool: ...


class _Combinable:
    def __or__(self, other: Callable[[], bool]) -> AnyOf:
        return AnyOf(self, other)  # type: ignore[arg-type]


class MaxRuntime(_Combinable):
    """Stop once ``seconds`` of wall-clock time have passed since the first call.

    Parameters
    ----------
    seconds
        The budget, at least 0.

    Examples
    --------
    >>> stop = MaxRuntime(0)
    >>> stop()
    True
    """

    def __init__(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0, not {seconds!r}")
        self.seconds = float(seconds)
        self._start: float | None = None

    def __call__(self) -> bool:
        now = time.perf_counter()
        if self._start is None:
            self._start = now
        return now - self._start >= self.seconds

    def __repr__(self) -> str:
        return f"MaxRuntime({self.seconds:g})"


class CancelToken(_Combinable):
    """A stop request another thread can make: :meth:`cancel` sets it.

    Safe to share between threads; a signal handler may call :meth:`cancel`.

    Examples
    --------
    >>> token = CancelToken()
    >>> token(), token.cancelled
    (False, False)
    >>> token.cancel()
    >>> token()
    True
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the solve to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` seconds pass; whether cancelled."""
        return self._event.wait(timeout)

    def __call__(self) -> bool:
        return self._event.is_set()

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


class NeverStop(_Combinable):
    """A criterion that never stops (the solve then ends on its own terms).

    Examples
    --------
    >>> NeverStop()()
    False
    """

    def __call__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NeverStop()"


class AnyOf(_Combinable):
    """Stop as soon as any of ``criteria`` says so (each is polled every call).

    Examples
    --------
    >>> AnyOf(NeverStop(), MaxRuntime(0))()
    True
    """

    criteria: tuple[Callable[[], bool], ...]

    def __init__(self, *criteria: Callable[[], bool]) -> None:
        flat: list[Callable[[], bool]] = []
        for c in criteria:
            flat.extend(c.criteria if isinstance(c, AnyOf) else [c])
        self.criteria = tuple(flat)

    def __call__(self) -> bool:
        # every member is polled so that each MaxRuntime starts its clock
        hits = [bool(c()) for c in self.criteria]
        return any(hits)

    def __repr__(self) -> str:
        return " | ".join(repr(c) for c in self.criteria) or "AnyOf()"


def as_criterion(stop: Callable[[], bool] | None) -> Callable[[], bool]:
    """``stop`` itself, or :class:`NeverStop` for None.

    Examples
    --------
    >>> as_criterion(None)()
    False
    """
    return NeverStop() if stop is None else stop
