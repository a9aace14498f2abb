"""Read-only views an :class:`~pairing.Instance` is made of: its tables as a
mapping that copies on read, and array properties computed once and frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["Tables", "cached"]

_T = TypeVar("_T")


class Tables(Mapping[str, pd.DataFrame]):
    """The tables of an instance, read-only.

    Each lookup gives a shallow copy: with pandas' copy-on-write, editing it
    (a new column, a changed cell) changes the copy only, never the
    instance, and costs nothing until then. Pickles as a plain dict.
    """

    __slots__ = ("_frames",)

    def __init__(self, frames: Mapping[str, pd.DataFrame]) -> None:
        self._frames = dict(frames)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._frames[name].copy(deep=False)

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def __reduce__(self) -> tuple[type[Tables], tuple[dict[str, pd.DataFrame]]]:
        return (type(self), (self._frames,))

    def __repr__(self) -> str:
        return f"<read-only tables {', '.join(self._frames)}>"


def cached(fn: Callable[[Any], _T]) -> cached_property[_T]:
    """A cached array of the instance, made read-only (shared by every caller)."""

    def get(self: Any) -> _T:
        value = fn(self)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        return value

    get.__name__, get.__doc__ = fn.__name__, fn.__doc__
    return cached_property(get)
