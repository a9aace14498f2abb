"""Signals that arrive before the command line's handlers are in place.

:func:`install` (called first thing by ``python -m pairing`` and the
``pairing`` program) only records SIGINT and SIGTERM; :func:`pairing.cli.main`
then installs its own handlers and acts on what was recorded (exit 130 /
143, nothing written). Standard library only, so it is in place within the
interpreter's first milliseconds.
"""

from __future__ import annotations

import signal

__all__ = ["install", "pending"]

_PENDING: list[int] = []


def _record(signum: int, frame: object) -> None:
    _PENDING.append(signum)


def install() -> None:
    """Record SIGINT and SIGTERM from now on (main thread only)."""
    for name in ("SIGINT", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, _record)
            except ValueError:  # pragma: no cover (not the main thread)
                return


def pending() -> list[int]:
    """The signals recorded so far (and forget them)."""
    out = list(_PENDING)
    _PENDING.clear()
    return out
