"""File names from ids: readable, bounded, and never two ids on one name.

An id (a prefecture code such as ``220100``) is used as it is when it is a
safe file name on every common system. Otherwise — a character other than
letters, digits, ``-``, ``_`` and ``.`` (``a/b``, ``a b``, ``a|b``), a name
Windows reserves (``CON``, ``NUL``, ``COM1`` …), a leading dot, a trailing
dot, text not in Unicode NFC form (macOS would change it), more than
:data:`MAX_BYTES` bytes, or a clash with another id when case is ignored
(``A`` and ``a`` on Windows and macOS) — the name is a readable prefix (the
safe characters kept, the others as ``_``) followed by ``-`` and the first
10 hex digits of the id's SHA-256. The index page lists every file with its
id, so no reader has to decode a name.

Examples
--------
>>> stems = file_stems(["220100", "a/b", "a_b", "A", "a"])
>>> stems["220100"], stems["a_b"]
('220100', 'a_b')
>>> stems["a/b"].startswith("a_b-"), stems["A"] != stems["a"]
(True, True)
>>> len(set(s.casefold() for s in stems.values()))
5
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

__all__ = ["MAX_BYTES", "file_stems"]

MAX_BYTES = 80
"""Most bytes (UTF-8) of a stem; with a prefix and suffix well under 255."""

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)


def _readable(text: str, limit: int) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    safe = unicodedata.normalize("NFC", safe)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    out, size = "", 0
    for ch in safe:
        size += len(ch.encode("utf-8"))
        if size > limit:
            break
        out += ch
    return out or "_"


def _plain(id_: str) -> bool:
    """Whether ``id_`` is a safe file name as it is."""
    stem = id_.split(".", 1)[0]
    return (
        bool(id_)
        and _readable(id_, MAX_BYTES) == id_
        and unicodedata.is_normalized("NFC", id_)
        and not id_.endswith((".", " "))
        and not _RESERVED.match(stem)
    )


def _hashed(id_: str, digits: int) -> str:
    digest = hashlib.sha256(id_.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{_readable(id_, MAX_BYTES - digits - 1)}-{digest[:digits]}"


def file_stems(ids: Iterable[str]) -> dict[str, str]:
    """A file-name stem for every id: unique ignoring case, at most
    :data:`MAX_BYTES` bytes (see the module docstring).

    Parameters
    ----------
    ids
        The ids (duplicates are named once).

    Returns
    -------
    dict
        ``{id: stem}``.
    """
    unique = list(dict.fromkeys(str(i) for i in ids))
    stems = {i: (i if _plain(i) else _hashed(i, 10)) for i in unique}
    digits = 10
    while True:
        counts = Counter(s.casefold() for s in stems.values())
        clash = [i for i, s in stems.items() if counts[s.casefold()] > 1]
        if not clash:
            return stems
        digits = min(64, digits + 6)
        for i in clash:
            stems[i] = _hashed(i, digits)
        if digits == 64:  # distinct ids have distinct digests
            return stems
