"""The base of every change, and the registry of change kinds (``CHANGES``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ..rules import Rules
from ._common import _build, _plain


class Change:
    """Base of every change: apply, describe, plain data.

    Subclasses are frozen dataclasses with a class attribute ``kind`` (the
    name used in JSON and tables) and implement :meth:`_edit`.

    Examples
    --------
    >>> Change.from_dict({"kind": "households_leave", "household_ids": ["h1"]})
    HouseholdsLeave(household_ids=('h1',))
    """

    kind: ClassVar[str] = ""
    list_field: ClassVar[str | None] = None
    """The field that one table row holds one item of (``cadre_ids`` …)."""

    def apply(self, instance: Instance) -> Instance:
        """A new, checked instance with this change made; ``instance`` is untouched.

        Raises
        ------
        InputError
            When the change refers to something the instance does not hold, or
            leaves the instance invalid; the first problem names the change.
        """
        return self._apply(instance, self.kind)

    def _apply(self, instance: Instance, label: str) -> Instance:
        tables = dict(instance.tables)
        rules = self._edit(instance, tables, label)
        return _build(tables, rules or instance.rules, label)

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        """Replace entries of ``tables`` (never mutate frames); new rules or None."""
        raise NotImplementedError

    def describe(self) -> str:
        """The change in plain words."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The change as plain data: ``{"kind": …, <fields>}``."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        """A change from :meth:`to_dict` output (any kind when called on ``Change``)."""
        return change_from_dict(data)

    @classmethod
    def _from_fields(cls, data: dict[str, Any]) -> Change:
        """This kind from its fields (``data`` without ``kind``)."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        extra = sorted(set(data) - names)
        if extra:
            raise InputError(
                [
                    Problem(
                        "scenario",
                        cls.kind,
                        k,
                        f"one of {', '.join(sorted(names))}",
                        "unknown field",
                    )
                    for k in extra
                ]
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise InputError(
                [Problem("scenario", cls.kind, "", "all its fields", str(exc))]
            ) from None

    def __str__(self) -> str:
        return self.describe()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            CHANGES[cls.kind] = cls


CHANGES: dict[str, type[Change]] = {}
"""Every change class by its ``kind`` (filled as each kind is defined)."""


def _kind(name: Any) -> type[Change]:
    """A change class from its kind (``cadres_leave``) or class name."""
    text = str(name).strip()
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()
    cls = CHANGES.get(text) or CHANGES.get(snake)
    if cls is None:
        raise InputError(
            [
                Problem(
                    "scenario", "", "kind", f"one of {', '.join(CHANGES)}", repr(name)
                )
            ]
        )
    return cls


def change_from_dict(data: Mapping[str, Any]) -> Change:
    """A change from :meth:`Change.to_dict` output.

    Raises
    ------
    InputError
        For an unknown kind or missing or unknown fields.

    Examples
    --------
    >>> change_from_dict({"kind": "unit_strength", "unit_id": "u1", "strength": 4})
    UnitStrength(unit_id='u1', strength=4.0)
    """
    data = dict(data)
    cls = _kind(data.pop("kind", ""))
    return cls._from_fields(data)
