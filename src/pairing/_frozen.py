"""Read-only containers that are still plain JSON data.

:func:`freeze` turns nested dicts and lists (a ``summary.json`` tree) into
:class:`FrozenDict` and :class:`FrozenList`: subclasses of ``dict`` and
``list`` whose every mutating method raises ``TypeError``. They compare equal
to the plain containers, ``json.dumps`` writes them as it writes those, they
pickle and copy (a copy is the same read-only value), and
:func:`thaw` gives an editable plain copy back.

Examples
--------
>>> d = freeze({"seconds": {"total": 1.5}, "breaks": [1, 2]})
>>> d["seconds"] == {"total": 1.5}, d["breaks"] == [1, 2]
(True, True)
>>> d["seconds"]["total"] = 2.0
Traceback (most recent call last):
...
TypeError: this mapping is read-only; thaw() it for an editable copy
>>> import json
>>> json.dumps(d)
'{"seconds": {"total": 1.5}, "breaks": [1, 2]}'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, SupportsIndex, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

__all__ = ["FrozenDict", "FrozenList", "freeze", "thaw"]


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("this mapping is read-only; thaw() it for an editable copy")


def _refuse_list(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("this list is read-only; thaw() it for an editable copy")


class FrozenDict(dict[_K, _V]):
    """A ``dict`` that refuses every change (see :func:`freeze`).

    Examples
    --------
    >>> FrozenDict({"a": 1}) == {"a": 1}
    True
    """

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[_K, _V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[_K, _V]:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset((k, _hashable(v)) for k, v in self.items()))


class FrozenList(list[Any]):
    """A ``list`` that refuses every change (see :func:`freeze`).

    Examples
    --------
    >>> FrozenList([1, 2]) == [1, 2]
    True
    """

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse_list
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse_list

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return (type(self), (list(self),))

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(_hashable(v) for v in self))

    def __getitem__(self, i: SupportsIndex | slice) -> Any:
        got = super().__getitem__(i)
        return FrozenList(got) if isinstance(i, slice) else got


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, dict | list) else hash(freeze(value))


def freeze(value: Any) -> Any:
    """``value`` with every dict and list in it made read-only (tuples: lists).

    Examples
    --------
    >>> freeze({"a": [1, {"b": 2}]})["a"][1]
    {'b': 2}
    >>> type(freeze([1])).__name__
    'FrozenList'
    """
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return FrozenList(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, editable deep copy of ``value`` (dicts and lists).

    Examples
    --------
    >>> d = thaw(freeze({"a": [1]}))
    >>> d["a"].append(2); d
    {'a': [1, 2]}
    """
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value
