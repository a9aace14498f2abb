"""Polling a stop criterion by counted work (never the clock).

The greedy and the CP-SAT model build are Python loops with no solver of
their own to hand the stop to, so they count their work and call the stop
every ``every`` units of it (a few milliseconds of work; the stop is called
at least every ~0.2 s of work). What is counted is the work, not the time, so
a run that is not stopped does exactly what it would do without the stop:
deterministic runs stay byte-identical.

Examples
--------
>>> answers = iter([False, True])  # a stop that says stop at its second call
>>> poll = Poll(lambda: next(answers), every=10)
>>> poll.tick(5)  # 5 units of work: not yet a poll
>>> poll.polls
0
>>> poll.tick(5)
>>> poll.polls
1
>>> try:
...     poll.tick(10)
... except Halt:
...     print("stopped after", poll.polls, "polls")
stopped after 2 polls
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EVERY", "Halt", "Poll"]

EVERY = 2_000
"""Default units of work between two polls (a greedy step or a model row is
a few microseconds, so this is a few milliseconds of work)."""


class Halt(Exception):
    """Raised by :meth:`Poll.tick` when the stop says stop (caught by the
    step that polls, which then returns what it has)."""


class Poll:
    """Call ``stop`` every ``every`` units of work; :class:`Halt` when it says so.

    Parameters
    ----------
    stop
        The stopping criterion (``None``: never stop, and never call anything).
    every
        Units of work between two calls of ``stop`` (default :data:`EVERY`).

    Attributes
    ----------
    polls
        How many times ``stop`` was called.
    stopped
        Whether ``stop`` said stop.
    """

    def __init__(
        self, stop: Callable[[], bool] | None, every: int | None = None
    ) -> None:
        every = EVERY if every is None else every  # read at the call (tests set it)
        if every < 1:
            raise ValueError(f"every must be >= 1, not {every!r}")
        self.stop = stop
        self.every = int(every)
        self.polls = 0
        self.stopped = False
        self._left = self.every

    def tick(self, work: int = 1) -> None:
        """Count ``work`` units; call the stop when ``every`` have gathered."""
        if self.stop is None:
            return
        self._left -= work
        if self._left > 0:
            return
        self._left = self.every
        self.check()

    def check(self) -> None:
        """Call the stop now (between phases); :class:`Halt` when it says stop."""
        if self.stop is None:
            return
        self.polls += 1
        if self.stop():
            self.stopped = True
            raise Halt
