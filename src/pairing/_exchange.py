"""Swap two paths in one step: ``renameat2(RENAME_EXCHANGE)`` and its kin.

:func:`exchange` swaps two existing folders atomically where the system can
(Linux ``renameat2`` with ``RENAME_EXCHANGE``, macOS ``renamex_np`` with
``RENAME_SWAP``); :func:`rename_new` moves a folder to a name that must not
exist (``RENAME_NOREPLACE``). Both return ``False`` when the system or the
file system cannot do it, and the caller falls back to plain renames.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["exchange", "rename_new"]

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_RENAME_SWAP = 2  # macOS renamex_np
_RENAME_EXCL = 4  # macOS renamex_np
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276}
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


@cache
def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover (no C library to load, e.g. some Windows)
        return None


def _call(a: Path, b: Path, flags: int) -> bool:
    """``renameat2``/``renamex_np``; False when unsupported, OSError on failure."""
    libc = _libc()
    if libc is None:
        return False
    src, dst = os.fsencode(a), os.fsencode(b)
    if sys.platform.startswith("linux"):
        fn = getattr(libc, "renameat2", None)
        if fn is not None:
            rc = fn(_AT_FDCWD, src, _AT_FDCWD, dst, ctypes.c_uint(flags))
        else:  # glibc before 2.28: the system call itself
            number = _SYS_RENAMEAT2.get(platform.machine())
            if number is None:
                return False
            rc = libc.syscall(number, _AT_FDCWD, src, _AT_FDCWD, dst, flags)
    elif sys.platform == "darwin":
        fn = getattr(libc, "renamex_np", None)
        if fn is None:
            return False
        mac = _RENAME_SWAP if flags == _RENAME_EXCHANGE else _RENAME_EXCL
        rc = fn(src, dst, ctypes.c_uint(mac))
    else:
        return False
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap the existing paths ``a`` and ``b`` in one step.

    Returns
    -------
    bool
        True when swapped; False when this system or file system cannot swap
        in one step (nothing was changed).

    Raises
    ------
    OSError
        When the swap was possible but failed (a path is missing …).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "a").mkdir(); (d / "b").mkdir(); (d / "a" / "x").touch()
    >>> if exchange(d / "a", d / "b"):
    ...     assert (d / "b" / "x").exists() and not (d / "a" / "x").exists()
    """
    return _call(Path(a), Path(b), _RENAME_EXCHANGE)


def rename_new(a: str | Path, b: str | Path) -> bool:
    """Rename ``a`` to ``b``, failing if ``b`` exists (even an empty folder).

    Returns False when the system cannot refuse an existing ``b`` in one step
    (the caller then checks and renames itself); raises ``FileExistsError``
    when ``b`` exists.
    """
    return _call(Path(a), Path(b), _RENAME_NOREPLACE)
