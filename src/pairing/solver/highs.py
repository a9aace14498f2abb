"""HiGHS objects that stay quiet and stop when asked.

``highspy.Highs()`` writes its banner to stdout when it enables its
callbacks, before any option can be set. :func:`new_highs` builds the same
object with ``output_flag`` off first, so nothing is printed and no file
descriptor is touched (no process-wide side effect, safe in threads).
:func:`stop_callbacks` lets a stopping criterion interrupt a running solve:
HiGHS polls its interrupt callbacks during simplex, IPM and MIP, and stops
at the next poll (HiGHS polls every few hundred simplex iterations: well under a second
on the village stage's restricted LPs).

Examples
--------
>>> h = new_highs()  # prints nothing
>>> h.getNumCol()
0
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import highspy


def new_highs(*, threads: int = 1, seed: int = 0) -> highspy.Highs:
    """A silent ``highspy.Highs`` (no banner) with a fixed seed and threads."""
    try:
        from highspy import _core, cb
        from highspy.highs import HighsCallback

        h = highspy.Highs.__new__(highspy.Highs)
        _core._Highs.__init__(h)
        h.setOptionValue("output_flag", False)
        kinds = int(cb.HighsCallbackType.kCallbackMax) + 1
        h.callbacks = [HighsCallback(cb.HighsCallbackType(k), h) for k in range(kinds)]
        h.enableCallbacks()
    except (ImportError, AttributeError, TypeError):  # another highspy layout
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed) % (2**31 - 1))
    return h


@contextlib.contextmanager
def stop_callbacks(h: highspy.Highs, stop: Callable[[], bool] | None) -> Iterator[None]:
    """While inside, interrupt ``h``'s solves as soon as ``stop()`` says so."""
    if stop is None:
        yield
        return

    def poll(event: Any) -> None:
        if stop():
            event.interrupt()

    events = (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt)
    for e in events:
        e += poll
    try:
        yield
    finally:
        for e in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
            e -= poll
