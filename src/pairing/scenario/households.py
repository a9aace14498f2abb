"""Changes to the households (R14): new ones are registered, some leave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from ..instance import Instance
from ..rules import Rules
from ._common import (
    _append,
    _columns,
    _fail,
    _ids,
    _index,
    _records,
    _short,
    _taken,
    _unknown,
)
from .change import Change


@dataclass(frozen=True)
class HouseholdsAdd(Change):
    """Households are added (动态调整, re-verification): ``households`` rows.

    Each row needs ``household_id``, ``village_id``, ``members`` and
    ``severity``; ``cause`` is optional.

    Examples
    --------
    >>> row = {"household_id": "h9", "village_id": "v1", "members": 3, "severity": 0.5}
    >>> HouseholdsAdd([row]).describe()
    '1 household(s) added in village(s) v1'
    """

    rows: tuple[dict[str, Any], ...]
    kind: ClassVar[str] = "households_add"
    list_field: ClassVar[str | None] = "rows"
    id_column: ClassVar[str] = "household_id"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _records(self.rows, "households"))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        new = pd.DataFrame(list(self.rows), columns=_columns(self.rows, "households"))
        problems = _unknown(
            label,
            "village_id",
            [str(v) for v in new["village_id"]],
            instance.village_index,
            "village_id",
        )
        problems += _taken(
            label,
            "household_id",
            new["household_id"],
            _index(instance, "households", "household_id"),
        )
        _fail(problems)
        tables["households"] = _append(tables["households"], new)
        return None

    def describe(self) -> str:
        villages = sorted({str(r.get("village_id", "")) for r in self.rows})
        return f"{len(self.rows):,} household(s) added in village(s) {_short(villages)}"


@dataclass(frozen=True)
class HouseholdsLeave(Change):
    """Households are lifted out of poverty (脱贫): their rows are removed.
    Examples
    --------
    >>> HouseholdsLeave(["h1"]).to_dict()
    {'kind': 'households_leave', 'household_ids': ['h1']}
    """

    household_ids: tuple[str, ...]
    kind: ClassVar[str] = "households_leave"
    list_field: ClassVar[str | None] = "household_ids"

    def __post_init__(self) -> None:
        object.__setattr__(self, "household_ids", _ids(self.household_ids))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        known = _index(instance, "households", "household_id")
        _fail(
            _unknown(
                label, "household_ids", list(self.household_ids), known, "household_id"
            )
        )
        hh = tables["households"]
        tables["households"] = hh[~hh["household_id"].isin(self.household_ids)]
        return None

    def describe(self) -> str:
        return f"{len(self.household_ids):,} household(s) lifted out of poverty"
