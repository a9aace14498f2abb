"""Putting a built folder in place (:mod:`pairing.atomic`'s machinery).

The checks of an output path, the one-step swap (with the two-rename
fallback), the carry-over of every file pairing did not write into the new
folder, the removal of what pairing wrote in the old one, and the repair of
runs killed half-way (:func:`recover`). See :mod:`pairing.atomic` for the
rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import stat
import threading
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import _exchange
from .errors import InputError, Problem
from .marker import MARKER, check_kind, foreign_entries, owned, read_marker

__all__ = [
    "OutputRefused",
    "Swap",
    "check_output",
    "make_dir",
    "recover",
    "remove",
    "sibling",
    "signals_held",
]


class OutputRefused(InputError):
    """An output path pairing will not write to (exit status 2).

    Attributes
    ----------
    path
        The refused path.
    reason
        Why, in plain words.
    """

    def __init__(self, path: str | Path, reason: str, fix: str = "") -> None:
        self.path = Path(path)
        self.reason = reason
        self.fix = fix
        super().__init__(
            [Problem("output", str(path), "", fix or "another path", reason)]
        )

    def describe(self) -> str:
        text = f"refused to write {self.path}: {self.reason}"
        return f"{text}\n  {self.fix}" if self.fix else text


def _base(path: Path) -> str:
    """The start of ``path``'s hidden siblings (bounded for long names)."""
    name = path.name
    if len(os.fsencode(name)) <= 180:
        return f".{name}.pairing-"
    return f".{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}.pairing-"


def sibling(path: Path, role: str) -> Path:
    return path.with_name(f"{_base(path)}{role}.{os.getpid()}.{secrets.token_hex(4)}")


def make_dir(path: Path) -> Path:
    """A new empty build folder beside ``path``, mode 0777 less the umask."""
    while True:
        tmp = sibling(path, "new")
        try:
            os.mkdir(tmp, 0o777)
        except FileExistsError:  # pragma: no cover (a random name taken)
            continue
        return tmp


def _list(names: Iterable[str], limit: int = 5) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_output(
    path: str | Path,
    kind: str,
    *,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
    names: Iterable[str] = (),
) -> None:
    """Raise :class:`OutputRefused` unless ``path`` may receive a ``kind`` folder.

    Parameters
    ----------
    path
        The output folder.
    kind
        What will be written (see :data:`pairing.marker.KINDS`).
    force
        Accept a folder that is not pairing's own of this kind, or that is one
        of ``inputs`` or holds one (its files are all kept).
    inputs
        Paths the command reads: ``path`` may not be one of them or hold one.
    names
        Files that will be written (relative paths), checked against files
        of someone else's with the same name.
    """
    check_kind(kind)
    path = Path(path)
    target = path.resolve()
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise OutputRefused(
            path,
            "it is the current folder or holds it, and would be replaced",
            "give a new folder (e.g. a subfolder), or run from another folder",
        )
    for given in inputs:
        inp = Path(given).resolve()
        if (target == inp or target in inp.parents) and not force:
            what = "it is the input" if target == inp else f"it holds the input {given}"
            raise OutputRefused(
                path,
                what,
                f"give a new folder for the {kind}; --force adds its files to "
                "this folder and keeps every file there",
            )
    if path.is_symlink():
        raise OutputRefused(path, "it is a symbolic link", "give the folder itself")
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputRefused(path, "it is a file, not a folder", "give a folder")
    marker = read_marker(path)
    mine = owned(path, marker, kind)
    foreign = foreign_entries(path, mine)
    if foreign and not (marker and marker.kind == kind) and not force:
        if marker is not None:
            what = f"it is a folder pairing wrote as {marker.kind!r}, not {kind!r}"
        else:
            what = f"pairing did not write this folder (it holds {_list(foreign)})"
        raise OutputRefused(
            path,
            what,
            f"give a new folder for the {kind}, or --force to add its files "
            "there (every file already there is kept)",
        )
    clash = sorted(set(foreign) & set(names))
    if clash:
        raise OutputRefused(path, *_clash_text(clash))


def _clash_text(clash: list[str]) -> tuple[str, str]:
    return (
        f"{_list(clash)} would be replaced, but pairing did not write "
        f"{'it' if len(clash) == 1 else 'them'} (or it was changed since)",
        "move them away (pairing never replaces a file it did not write)",
    )


_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back (main thread only), delivering them after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    saved: dict[int, Any] = {}
    for s in _SIGNALS:
        handler = signal.getsignal(s)
        if handler is None:  # installed outside Python: leave it
            continue
        saved[s] = handler
        signal.signal(s, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        for s in pending:
            handler = saved.get(s)
            if callable(handler):
                handler(s, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(s)


class Swap:
    """Put the complete build ``tmp`` at ``path``; the old folder goes aside.

    ``done`` turns True the moment ``path`` holds the new folder; from then
    on ``tmp`` is no longer pairing's build and is never removed whole.
    """

    def __init__(self, tmp: Path, path: Path) -> None:
        self.tmp, self.path = tmp, path
        self.old = sibling(path, "old")
        self.done = False

    def run(self, kind: str, force: bool) -> None:
        tmp, path = self.tmp, self.path
        if not os.path.lexists(path):
            if not _exchange.rename_new(tmp, path):
                if os.path.lexists(path):  # pragma: no cover (created meanwhile)
                    raise OutputRefused(path, "it appeared while pairing was writing")
                os.rename(tmp, path)
            self.done = True
            return
        check_output(path, kind, force=force)  # again: it may have changed
        mine = owned(path, read_marker(path), kind)
        moves, clash = _carry_plan(path, tmp, foreign_entries(path, mine))
        if clash:
            raise OutputRefused(path, *_clash_text(clash))
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if _exchange.exchange(tmp, path):
            self.done = True
            try:
                os.rename(tmp, self.old)
            except OSError:  # pragma: no cover (recover() finds it by its name)
                self.old = tmp
        else:  # two renames: the path is missing for a moment (recover() repairs)
            os.rename(path, self.old)
            try:
                os.rename(tmp, path)
            except BaseException:
                os.rename(self.old, path)
                raise
            self.done = True
        _carry(self.old, path, moves)
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


def _carry_plan(
    old: Path, new: Path, entries: list[str]
) -> tuple[list[str], list[str]]:
    """Entries of ``old`` to move into ``new``, and those whose name is taken."""
    moves, clash = [], []
    stack = sorted(entries, reverse=True)
    while stack:
        rel = stack.pop()
        parts = Path(rel).parts
        blocked = any(
            os.path.lexists(new.joinpath(*parts[:i]))
            and not new.joinpath(*parts[:i]).is_dir()
            for i in range(1, len(parts))
        )
        dst, src = new / rel, old / rel
        if blocked:
            clash.append(rel)
        elif os.path.lexists(dst):
            if src.is_dir() and not src.is_symlink() and dst.is_dir():
                stack += sorted((f"{rel}/{n}" for n in os.listdir(src)), reverse=True)
            else:
                clash.append(rel)
        else:
            moves.append(rel)
    return moves, clash


def _carry(old: Path, new: Path, moves: list[str]) -> list[str]:
    """Move ``moves`` from ``old`` into ``new``; those that could not be moved."""
    failed = []
    for rel in moves:
        dst = new / rel
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old / rel, dst)
        except OSError:
            failed.append(rel)
    return failed


def remove(old: Path) -> None:
    """Remove what pairing wrote in a swapped-out folder; keep anything else."""
    if not os.path.isdir(old) or os.path.islink(old):
        return
    marker = read_marker(old)
    if marker is not None:
        for rel in owned(old, marker, marker.kind):
            with contextlib.suppress(OSError):
                os.unlink(old / rel)
    for dirpath, _, _ in sorted(os.walk(old), key=lambda t: -len(t[0])):
        if Path(dirpath) != old:
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)  # only when empty
    left = [p for p in os.listdir(old) if p != MARKER]
    if left:  # kept (not pairing's): recover() moves it back next time
        return
    with contextlib.suppress(OSError):
        os.unlink(old / MARKER)
    with contextlib.suppress(OSError):
        os.rmdir(old)


# -- leftovers of killed runs ------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no safe liveness probe: treat as alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(path: Path) -> list[tuple[str, int, Path]]:
    """``(role, pid, path)`` of every hidden sibling of ``path``, old ones first."""
    base = _base(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    out = []
    for name in names:
        if not name.startswith(base):
            continue
        role, _, rest = name[len(base) :].partition(".")
        pid = rest.partition(".")[0]
        if role in ("new", "old", "tmp") and pid.isdigit():
            out.append((role, int(pid), path.with_name(name)))
    order = {"old": 0, "new": 1, "tmp": 2}
    return sorted(out, key=lambda t: (order[t[0]], t[2].name))


def recover(path: str | Path) -> list[str]:
    """Clean up after runs killed while writing ``path``.

    Builds of dead processes are removed; a replaced folder is put back when
    ``path`` is missing (a kill between the fallback's two renames); from any
    other leftover, everything pairing did not write is moved back into
    ``path`` and the rest removed. An entry whose name is taken in ``path`` is
    left where it is, with a warning naming it.

    Returns
    -------
    list of str
        What was done, one line each (also issued as warnings for kept files).
    """
    path = Path(path)
    done: list[str] = []
    for role, pid, left in _leftovers(path):
        if _alive(pid):
            continue
        if role == "tmp":
            with contextlib.suppress(OSError):
                left.unlink()
            continue
        if not left.is_dir() or left.is_symlink():
            continue
        if not os.listdir(left):
            with contextlib.suppress(OSError):
                left.rmdir()
            continue
        marker = read_marker(left)
        if marker is not None and marker.state == "building":
            shutil.rmtree(left, ignore_errors=True)
            done.append(f"removed the unfinished folder {left.name}")
            continue
        if not os.path.lexists(path) and (role == "old" or marker is None):
            os.rename(left, path)
            done.append(f"restored {path} from {left.name}")
            continue
        if os.path.isdir(path):
            mine = owned(left, marker, marker.kind) if marker else set()
            moves, clash = _carry_plan(left, path, foreign_entries(left, mine))
            failed = _carry(left, path, moves) + clash
            if failed:
                msg = (
                    f"kept {_list(failed)} in {left}: pairing did not write "
                    f"{'it' if len(failed) == 1 else 'them'} and the name is taken "
                    f"in {path}"
                )
                warnings.warn(msg, stacklevel=2)
                done.append(msg)
        remove(left)
    return done
