"""SIGINT and SIGTERM for the command line: exit 130 / 143, never a traceback.

:class:`Signals` is installed by :func:`pairing.cli.main` before anything
slow (it needs only the standard library and :mod:`pairing.stop`):

* A watcher thread reads the signal numbers Python's C-level handler writes
  to a socket (:func:`signal.set_wakeup_fd`) and cancels :attr:`Signals.token`
  at once — even while the main thread is inside a solver's C++ code, where
  Python-level handlers wait until it returns. The token is the ``stop``
  handed to :func:`pairing.solve` and :func:`pairing.report.write_report`.
* In the main thread the handler raises :class:`Interrupted` (unwinding, so
  that half-built output folders are removed), except inside
  :meth:`Signals.quiet` — the solve, where raising inside a solver callback
  is not safe — where the token alone stops the work and the command line
  then calls :meth:`Signals.check`.
* A second signal during the solve, or a solve still running
  :data:`GRACE` seconds after the first, ends the process at once (nothing is
  being written during the solve).
* Once the command is done (:meth:`Signals.late`), a signal ends the process
  at once with its status: the outputs are complete by then.

The window before :func:`pairing.cli.main` runs is the interpreter's start-up
and the import of two light modules (``pairing`` itself imports nothing
heavy until used).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .stop import CancelToken

__all__ = ["GRACE", "Interrupted", "Signals"]

GRACE = 1.0
"""Seconds a solve may take to stop after a signal before the process ends."""

_HANDLED = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)


class Interrupted(BaseException):  # noqa: N818 (like KeyboardInterrupt)
    """A signal asked the command to stop; ``status`` is 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:  # pragma: no cover
            return f"signal {self.signum}"


class Signals:
    """The command line's handlers for SIGINT and SIGTERM (see the module doc)."""

    def __init__(self) -> None:
        self.token = CancelToken()
        self.signum: int | None = None
        self.on_exit: Callable[[], None] | None = None
        self._count = 0
        self._quiet = 0
        self._raised = False
        self._late = False
        self._lock = threading.RLock()  # the handler may run inside a `with`
        self._saved: dict[int, object] = {}
        self._wakeup: int | None = None
        self._socks: tuple[socket.socket, socket.socket] | None = None
        self._timer: threading.Timer | None = None
        self.out: Path | None = None
        self.before: tuple[int, int] | None = None

    # -- installing ------------------------------------------------------------

    def install(self) -> Signals:
        """Install the handlers (main thread only; elsewhere: nothing)."""
        if threading.current_thread() is not threading.main_thread():
            return self
        for s in _HANDLED:
            self._saved[s] = signal.signal(s, self._handler)
        try:
            r, w = socket.socketpair()
            w.setblocking(False)
            self._wakeup = signal.set_wakeup_fd(w.fileno(), warn_on_full_buffer=False)
        except (OSError, ValueError):  # pragma: no cover (no socketpair)
            return self
        self._socks = (r, w)
        threading.Thread(target=self._watch, args=(r,), daemon=True).start()
        return self

    def restore(self) -> None:
        """Put back the handlers found at :meth:`install` (in-process callers)."""
        if self._timer is not None:
            self._timer.cancel()
        if self._socks is not None:
            signal.set_wakeup_fd(self._wakeup if self._wakeup is not None else -1)
            for sock in self._socks:
                sock.close()
            self._socks = None
        for s, handler in self._saved.items():
            signal.signal(s, handler)  # type: ignore[arg-type]
        self._saved.clear()

    def late(self) -> None:
        """The command is done: a signal from now on ends the process at once."""
        self._late = True

    # -- the handlers ------------------------------------------------------------

    def _watch(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(64)
            except OSError:
                return
            if not data:
                return
            for signum in data:
                if signum in _HANDLED:
                    self.note(signum)

    def note(self, signum: int) -> None:
        """Any thread: remember the signal and cancel the token at once."""
        with self._lock:
            self._count += 1
            if self.signum is None:
                self.signum = signum
            self.token.cancel()
            if self._late or (self._quiet and self._count > 1):
                self._exit(signum)
            if self._quiet and self._timer is None:
                self._timer = threading.Timer(GRACE, self._grace, (signum,))
                self._timer.daemon = True
                self._timer.start()

    def _grace(self, signum: int) -> None:
        with self._lock:
            if self._quiet:  # the solve did not stop in time: end here
                self._exit(signum)

    def _exit(self, signum: int) -> None:
        """End the process now (called only while nothing is being written)."""
        name = Interrupted(signum).name
        with contextlib.suppress(Exception):
            if self._late:  # the command is done: its output is in place
                done = f"{self.out} is complete" if self.out else "it had finished"
                print(
                    f"interrupted ({name}) after the command: {done}.", file=sys.stderr
                )
            else:
                if sys.stderr.isatty():  # a live display may have hidden the cursor
                    sys.stderr.write("\x1b[?25h\n")
                print(f"interrupted ({name}); nothing was written.", file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
        if self.on_exit is not None:
            with contextlib.suppress(Exception):
                self.on_exit()
        os._exit(128 + signum)

    def _handler(self, signum: int, frame: object) -> None:
        """Main thread, between bytecodes: raise unless quiet or already raised."""
        with self._lock:
            if self.signum is None:
                self.signum = signum
            self.token.cancel()
            if self._socks is None:  # no watcher: count here
                self._count += 1
            if self._late:
                self._exit(signum)
            if self._quiet or self._raised:
                return
            self._raised = True
        raise Interrupted(self.signum)

    # -- use ---------------------------------------------------------------------

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Signals only cancel the token (for work polling it: the solve)."""
        with self._lock:
            self._quiet += 1
        try:
            yield
        finally:
            with self._lock:
                self._quiet -= 1
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None

    def check(self) -> None:
        """Raise :class:`Interrupted` if a signal came (once per run)."""
        with self._lock:
            if self.signum is None or self._raised:
                return
            self._raised = True
        raise Interrupted(self.signum)

    # -- what an interruption leaves behind ------------------------------------

    def writing(self, out: str | Path) -> None:
        """``out`` is about to be written: remember which folder is there now."""
        self.out = Path(out)
        self.before = _identity(self.out)

    def interrupted(self, exc: Interrupted) -> int:
        """Say what the signal left behind; return the exit status."""
        out = self.out
        if out is None:
            text = "nothing was written."
        elif _identity(out) != self.before:  # a swap gives the path a new folder
            text = f"{out} was written first: it is complete."
        else:
            text = f"{out} is as it was; nothing half-written was left behind."
        print(f"interrupted ({exc.name}); {text}", file=sys.stderr)
        return exc.status


def _identity(path: Path) -> tuple[int, int] | None:
    """The folder's device and inode, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
