"""Changes to values, not rows (R14): a key county, a unit's strength, the rules."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ..rules import Rules
from ._common import _fail, _flat, _plain, _unknown
from .change import Change


@dataclass(frozen=True)
class KeyCountyAdd(Change):
    """A county becomes a key county (重点县): R6 and R7 now count it.
    Examples
    --------
    >>> KeyCountyAdd("220102").describe()
    'county 220102 becomes a key county'
    """

    county_id: str
    kind: ClassVar[str] = "key_county_add"

    def __post_init__(self) -> None:
        object.__setattr__(self, "county_id", str(self.county_id))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        regions = tables["regions"]
        i = instance.region_index.get_indexer(pd.Index([self.county_id]))[0]
        if i < 0 or regions["level"].iat[i] != "county":
            found = (
                repr(self.county_id)
                if i < 0
                else f"{self.county_id!r} (a {regions['level'].iat[i]})"
            )
            _fail(
                [
                    Problem(
                        "scenario",
                        label,
                        "county_id",
                        "an existing county region_id",
                        found,
                    )
                ]
            )
        key = regions["key_county"].to_numpy(dtype=bool, copy=True)
        key[i] = True
        tables["regions"] = regions.assign(key_county=key)
        return None

    def describe(self) -> str:
        return f"county {self.county_id} becomes a key county"


@dataclass(frozen=True)
class UnitStrength(Change):
    """A unit's strength (单位条件与力量) is set (R10).
    Examples
    --------
    >>> UnitStrength("u1", 40.0).describe()
    'unit u1 strength set to 40'
    """

    unit_id: str
    strength: float
    kind: ClassVar[str] = "unit_strength"

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_id", str(self.unit_id))
        s = float(self.strength)
        if not (s > 0 and math.isfinite(s)):
            raise InputError(
                [
                    Problem(
                        "scenario",
                        self.kind,
                        "strength",
                        "a number > 0",
                        repr(self.strength),
                    )
                ]
            )
        object.__setattr__(self, "strength", s)

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        _fail(
            _unknown(label, "unit_id", [self.unit_id], instance.unit_index, "unit_id")
        )
        units = tables["units"]
        strength = units["strength"].to_numpy(dtype=np.float64, copy=True)
        strength[instance.unit_index.get_loc(self.unit_id)] = self.strength
        tables["units"] = units.assign(strength=strength)
        return None

    def describe(self) -> str:
        return f"unit {self.unit_id} strength set to {self.strength:g}"


_SECTIONS = ("dispatch", "weights", "villages_per_unit", "max_households_by_rank")


@dataclass(frozen=True, init=False)
class RuleChange(Change):
    """Rule parameters change, in the ``rules.toml`` layout.

    ``RuleChange(max_households=4)``, ``RuleChange(weights={"continuity": 5})``,
    ``RuleChange(villages_per_unit={"county": [0, 2]})``. Sections
    (``weights``, ``dispatch``, ``villages_per_unit``) are merged into the
    current rules; ``max_households_by_rank`` replaces the current table.
    Values are checked like ``rules.toml`` (an unknown key or a bad value
    raises :class:`~pairing.InputError` at once).

    Examples
    --------
    >>> RuleChange({"max_households": 6}).describe()
    'rules change: max_households = 6'
    """

    params: dict[str, Any]
    kind: ClassVar[str] = "rule_change"

    def __init__(self, params: Mapping[str, Any] | None = None, /, **kw: Any) -> None:
        merged = {**(params or {}), **kw}
        plain = {str(k): _plain(v) for k, v in sorted(merged.items())}
        Rules.from_dict(plain, source="scenario rule_change")  # checks keys and values
        object.__setattr__(self, "params", plain)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params)}

    @classmethod
    def _from_fields(cls, data: dict[str, Any]) -> Change:
        return cls(dict(data.get("params", {})))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        rules = instance.rules
        given = Rules.from_dict(self.params, source=label)
        kw: dict[str, Any] = {}
        for key, value in self.params.items():
            if key in ("dispatch", "weights"):
                kw[key] = dataclasses.replace(getattr(rules, key), **value)
            elif key == "villages_per_unit":
                kw[key] = {
                    **rules.villages_per_unit,
                    **{t: given.villages_per_unit[t] for t in value},
                }
            else:
                kw[key] = getattr(given, key)
        new = rules.replace(**kw)
        if new.dispatch.local_min > new.dispatch.local_max:
            _fail(
                [
                    Problem(
                        "scenario",
                        label,
                        "dispatch",
                        "local_min <= local_max",
                        repr(new.dispatch),
                    )
                ]
            )
        return new

    def describe(self) -> str:
        return "rules change: " + ", ".join(f"{k} = {v}" for k, v in _flat(self.params))
