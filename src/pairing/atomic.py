"""Output files and folders: pairing's own, swapped in whole, nothing else lost.

Every folder pairing writes is built under a hidden sibling name and put in
place in one step by :func:`folder`; it carries a marker (:mod:`pairing.marker`)
naming its kind and listing the files pairing wrote. The rules:

* **Pairing's, or refused.** ``--out`` may name a new path, an empty folder or
  a folder pairing wrote as the same kind (a plan over a plan). Anything else
  — a folder pairing did not write, one of another kind, a file, a link, the
  current folder or one above it — is refused (:class:`OutputRefused`, exit
  status 2) before any work is done. The command line also refuses the input
  itself and any folder holding it (:func:`check_output`'s ``inputs``).
* **Nothing pairing did not write is deleted**, with ``force`` too. A file is
  pairing's only while its marker lists it unchanged; every other entry of the
  old folder (``notes.txt``, a subfolder, a file edited since) is moved into
  the new folder under the same name. ``force`` only lifts the refusal of a
  folder that is not pairing's own of that kind: pairing then adds its files
  to that folder and keeps everything else in it. A file of someone else's
  that has the name of a file pairing writes is never replaced: the write is
  refused, ``force`` or not.
* **Old complete or new complete.** The new folder is finished, its marker
  written, then swapped with the old one by ``renameat2(RENAME_EXCHANGE)``
  (Linux; ``renamex_np(RENAME_SWAP)`` on macOS): one system call, so at every
  instant the path holds the old complete folder or the new complete one.
  Where the system cannot swap (another OS, some network file systems) it
  falls back to two renames, with a moment where the path is missing; a run
  killed in that moment is repaired by the next one. Versioned folders behind
  a symbolic link were the other way: they turn the user's folder into a link
  (which copies, archives and Windows tools treat differently), cannot make
  the first swap of an existing real folder atomic anyway, and keep two
  copies on disk until cleaned. The signals SIGINT and SIGTERM are held back
  during the swap (in the main thread) and delivered right after it.
* **Leftovers are cleaned.** A killed run leaves at most a hidden sibling
  ``.<name>.pairing-new.<pid>.<n>`` (a build) or ``.<name>.pairing-old.…``
  (the folder it replaced). The next write to the same path removes builds
  of dead processes, restores an old folder when the path is missing, and
  otherwise moves everything in a leftover that pairing did not write back
  into the folder before removing the rest (:func:`recover`).
* **Permissions follow the umask** (folders 0777, files 0666, less the umask);
  a replaced folder keeps the old folder's mode.

Nested folders (a national set's provinces) are built inside the parent's
build folder with their own :func:`folder`, and swapped in with it.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "plan"
>>> with folder(out, "plan") as tmp:
...     _ = (tmp / "summary.json").write_text("{}")
>>> sorted(p.name for p in out.iterdir())
['.pairing.json', 'summary.json']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import _exchange
from .errors import InputError, Problem
from .marker import (
    MARKER,
    Marker,
    check_kind,
    foreign_entries,
    manifest,
    owned,
    read_marker,
    write_marker,
)

__all__ = [
    "OutputRefused",
    "check_output",
    "folder",
    "json_text",
    "recover",
    "write_file",
    "write_json",
    "write_text",
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


# -- files ---------------------------------------------------------------------


def _base(path: Path) -> str:
    """The start of ``path``'s hidden siblings (bounded for long names)."""
    name = path.name
    if len(os.fsencode(name)) <= 180:
        return f".{name}.pairing-"
    return f".{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}.pairing-"


def _sibling(path: Path, role: str) -> Path:
    return path.with_name(f"{_base(path)}{role}.{os.getpid()}.{secrets.token_hex(4)}")


def _new_file(path: Path) -> Path:
    """A new empty temporary file beside ``path``, mode 0666 less the umask."""
    while True:
        tmp = _sibling(path, "tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover (a random name taken)
            continue
        os.close(fd)
        return tmp


def write_file(path: str | Path, writer: Callable[[Path], object]) -> None:
    """Call ``writer(tmp)`` on a temporary file, then rename it to ``path``.

    ``path`` never holds a half-written file. The caller decides whether
    ``path`` may be replaced: inside a folder being built by :func:`folder`
    every file is pairing's.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_file(path)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _plain(value: Any) -> Any:
    """``value`` as strict JSON data: numpy scalars as Python, non-finite as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return _plain(value.to_dict(orient="records"))
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) != 0:  # arrays
        return _plain(value.tolist())
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, Path):
        return str(value)
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def json_text(data: Any) -> str:
    """Strict JSON text (no ``NaN`` or ``Infinity``: they become ``null``).

    Examples
    --------
    >>> json_text({"time_limit": float("inf"), "n": 2})
    '{\\n  "time_limit": null,\\n  "n": 2\\n}'
    """
    return json.dumps(_plain(data), indent=2, ensure_ascii=False, allow_nan=False)


def write_json(path: str | Path, data: Any) -> None:
    """Write :func:`json_text` of ``data`` atomically, with a final newline."""
    write_text(path, json_text(data) + "\n")


# -- checks ----------------------------------------------------------------------


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


# -- folders ---------------------------------------------------------------------

_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
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


def _make_dir(path: Path) -> Path:
    """A new empty build folder beside ``path``, mode 0777 less the umask."""
    while True:
        tmp = _sibling(path, "new")
        try:
            os.mkdir(tmp, 0o777)
        except FileExistsError:  # pragma: no cover (a random name taken)
            continue
        return tmp


@contextlib.contextmanager
def folder(path: str | Path, kind: str, *, force: bool = False) -> Iterator[Path]:
    """Build a ``kind`` folder under a hidden name, then swap it in at ``path``.

    Parameters
    ----------
    path
        The output folder: new, empty, or pairing's own of this ``kind``
        (else :class:`OutputRefused`, unless ``force``; see the module
        docstring).
    kind
        One of :data:`pairing.marker.KINDS`.
    force
        Accept a folder that is not pairing's own of this kind; every file in
        it is kept.

    Yields
    ------
    Path
        The folder to write into. On success it gets its marker and replaces
        ``path`` whole; on error or interruption it is removed and ``path``
        is left as it was.

    Raises
    ------
    OutputRefused
        When ``path`` may not be written, or a file of someone else's has the
        name of a file written.
    """
    check_kind(kind)
    path = Path(path)
    if path.name in ("", ".", ".."):
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    recover(path)
    check_output(path, kind, force=force)
    tmp = _make_dir(path)
    swap = _Swap(tmp, path)
    try:
        write_marker(tmp, Marker(kind, "building", pid=os.getpid()))
        yield tmp
        write_marker(tmp, Marker(kind, "complete", manifest(tmp)))
        with _signals_held():
            swap.run(kind, force)
    except BaseException:
        if not swap.done:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove(swap.old)


class _Swap:
    """Put the complete build ``tmp`` at ``path``; the old folder goes aside.

    ``done`` turns True the moment ``path`` holds the new folder; from then
    on ``tmp`` is no longer pairing's build and is never removed whole.
    """

    def __init__(self, tmp: Path, path: Path) -> None:
        self.tmp, self.path = tmp, path
        self.old = _sibling(path, "old")
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


def _remove(old: Path) -> None:
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
        _remove(left)
    return done


def _stderr(text: str) -> None:  # pragma: no cover (used by the command line)
    print(text, file=sys.stderr)
