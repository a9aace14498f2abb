"""Lenient readers of ``summary.json`` values (the typed result's decoders).

A value of the wrong kind reads as missing (``None``, an empty mapping), so
that a summary written by an older version or another service still reads.

Examples
--------
>>> as_float("2.5"), as_float(True), as_int(3.9), dict(as_map([1]))
(2.5, None, 3, {})
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._frozen import FrozenDict, freeze

__all__ = ["EMPTY", "as_float", "as_int", "as_map"]

EMPTY: Mapping[str, Any] = FrozenDict()
"""The empty read-only mapping a missing object reads as."""


def as_float(value: Any) -> float | None:
    """``value`` as a float; None when it is none, a flag or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f


def as_int(value: Any) -> int | None:
    """``value`` as an int (truncated); None when not a finite number."""
    f = as_float(value)
    return int(f) if f is not None and math.isfinite(f) else None


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` read-only when it is a mapping, else the empty mapping."""
    return freeze(value) if isinstance(value, Mapping) else EMPTY
