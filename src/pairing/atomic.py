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
import json
import math
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._swap import (
    OutputRefused,
    Swap,
    check_output,
    make_dir,
    recover,
    remove,
    sibling,
    signals_held,
)
from .marker import Marker, check_kind, manifest, write_marker

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


# -- files ---------------------------------------------------------------------


def _new_file(path: Path) -> Path:
    """A new empty temporary file beside ``path``, mode 0666 less the umask."""
    while True:
        tmp = sibling(path, "tmp")
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


# -- folders ---------------------------------------------------------------------


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
    with signals_held():
        recover(path)
    check_output(path, kind, force=force)
    tmp = make_dir(path)
    swap = Swap(tmp, path)
    try:
        write_marker(tmp, Marker(kind, "building", pid=os.getpid()))
        yield tmp
        write_marker(tmp, Marker(kind, "complete", manifest(tmp)))
        with signals_held():  # the swap and the old folder's removal
            swap.run(kind, force)
            remove(swap.old)
    except BaseException:
        if not swap.done:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
