"""The marker that makes a folder pairing's own, and what pairing wrote in it.

Every folder pairing writes (an instance, a plan, a report, a national set
…) holds a small JSON file, :data:`MARKER` (``.pairing.json``)::

    {
     "pairing": 1,
     "kind": "plan",
     "state": "complete",
     "files": {
      "dispatch.parquet": {"size": 2210, "mtime_ns": 1733..., "sha256": "5e1c..."},
      ...
     }
    }

``kind`` names what the folder is (one of :data:`KINDS`); ``files`` lists
every file pairing wrote there (paths relative to the folder, ``/``-separated,
subfolders included) with its size, modification time and SHA-256. A file
counts as pairing's only while it is listed and unchanged (same size, and the
same modification time or the same digest): a file someone added, or edited
after pairing wrote it, is theirs, and pairing never deletes or overwrites it.
``state`` is ``building`` while pairing fills a new folder and ``complete``
once every file is in. The marker holds no personal data and no path outside
the folder.

To add a kind of output, add it to :data:`KINDS`.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> (d / "a.txt").write_text("x")
1
>>> write_marker(d, Marker("plan", "complete", manifest(d)))
>>> m = read_marker(d)
>>> m.kind, sorted(m.files), sorted(owned(d, m, "plan"))
('plan', ['a.txt'], ['a.txt'])
>>> (d / "a.txt").write_text("edited")
6
>>> sorted(owned(d, m, "plan"))
[]
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KINDS",
    "MARKER",
    "FileEntry",
    "Marker",
    "foreign_entries",
    "manifest",
    "owned",
    "read_marker",
    "write_marker",
]

MARKER = ".pairing.json"
"""The marker's file name, at the top of every folder pairing writes."""

FORMAT = 1
"""The marker's layout version (its ``pairing`` field)."""

KINDS: dict[str, str] = {
    "instance": "an instance (pairing generate, save_instance)",
    "plan": "a plan (pairing solve, Plan.save)",
    "report": "the R16 reports (pairing report, write_report)",
    "national": "a national set of instances, one folder per province",
    "plans": "the plans of a national set (pairing solve-all)",
}
"""Every kind of folder pairing writes, with what it holds."""


@dataclass(frozen=True)
class FileEntry:
    """A file pairing wrote: its size, modification time and SHA-256."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class Marker:
    """What a marker says: the folder's kind, its state and pairing's files."""

    kind: str
    state: str = "complete"
    files: dict[str, FileEntry] = field(default_factory=dict)
    pid: int = 0

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "pairing": FORMAT,
            "kind": self.kind,
            "state": self.state,
            "files": {
                k: {"size": e.size, "mtime_ns": e.mtime_ns, "sha256": e.sha256}
                for k, e in sorted(self.files.items())
            },
        }
        if self.state == "building":
            data["pid"] = self.pid
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def check_kind(kind: str) -> None:
    """Raise ValueError unless ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def read_marker(folder: str | Path) -> Marker | None:
    """The folder's marker, or None when it has none (or not a readable one)."""
    path = Path(folder) / MARKER
    try:
        if not path.is_file() or path.is_symlink():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("pairing") != FORMAT:
        return None
    kind, state, files = data.get("kind"), data.get("state"), data.get("files")
    if not (isinstance(kind, str) and isinstance(state, str)):
        return None
    if not isinstance(files, dict):
        return None
    entries: dict[str, FileEntry] = {}
    for name, e in files.items():
        try:
            entries[str(name)] = FileEntry(
                int(e["size"]), int(e["mtime_ns"]), str(e["sha256"])
            )
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry: that file is not counted as pairing's
    pid = data.get("pid", 0)
    return Marker(kind, state, entries, pid if isinstance(pid, int) else 0)


def write_marker(folder: str | Path, marker: Marker) -> None:
    """Write the marker into ``folder`` (in one step: a temporary then a rename)."""
    folder = Path(folder)
    tmp = folder / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(marker.to_json(), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _walk(root: Path) -> list[str]:
    """Every file under ``root`` (relative, ``/``-separated), the marker excluded."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root)
        for name in sorted(filenames):
            r = (rel / name).as_posix()
            if r != MARKER:
                out.append(r)
    return out


def manifest(folder: str | Path) -> dict[str, FileEntry]:
    """Size, time and digest of every file in ``folder`` (for a new marker).

    A subfolder with a complete marker of its own (a national set's
    provinces) lends its digests for files that are unchanged since.
    """
    folder = Path(folder)
    known: dict[str, FileEntry] = {}
    for rel in _walk(folder):
        if Path(rel).name == MARKER:
            sub = Path(rel).parent
            m = read_marker(folder / sub)
            if m is not None and m.state == "complete":
                known.update({(sub / r).as_posix(): e for r, e in m.files.items()})
    out = {}
    for rel in _walk(folder):
        p = folder / rel
        st = p.stat()
        e = known.get(rel)
        if e is not None and (e.size, e.mtime_ns) == (st.st_size, st.st_mtime_ns):
            out[rel] = e
        else:
            out[rel] = FileEntry(st.st_size, st.st_mtime_ns, _digest(p))
    return out


def owned(folder: str | Path, marker: Marker | None, kind: str) -> set[str]:
    """The files of ``folder`` pairing wrote as ``kind`` and nobody changed since.

    Nothing is pairing's in a folder without a marker, or whose marker names
    another kind (writing a plan into an instance folder keeps the instance).
    """
    if marker is None or marker.kind != kind or marker.state != "complete":
        return set()
    folder = Path(folder)
    out = set()
    for rel, entry in marker.files.items():
        p = folder / rel
        try:
            if p.is_symlink() or not p.is_file():
                continue
            st = p.stat()
        except OSError:
            continue
        if st.st_size != entry.size:
            continue
        if st.st_mtime_ns == entry.mtime_ns or _digest(p) == entry.sha256:
            out.add(rel)
    return out


def foreign_entries(folder: str | Path, mine: set[str]) -> list[str]:
    """What in ``folder`` pairing did not write: files and whole subfolders.

    A subfolder holding one of ``mine`` is looked into; any other entry
    (file, link, folder) is listed whole. The marker itself is not listed.
    """
    root = Path(folder)
    needed = {p.as_posix() for rel in mine for p in Path(rel).parents if str(p) != "."}
    out: list[str] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if rel == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False) and rel in needed:
                stack.append(rel)
            elif rel in mine and entry.is_file(follow_symlinks=False):
                continue
            else:
                out.append(rel)
    return sorted(out)
