"""Changes to the units (R14): units merge into one, a unit splits in two."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, cast

import numpy as np
import pandas as pd

from ..errors import Problem
from ..instance import Instance
from ..rules import Rules
from ._common import _fail, _ids, _short, _taken, _unknown
from .change import Change


@dataclass(frozen=True)
class UnitsMerge(Change):
    """Units merge into ``into`` (机构改革): the others disappear.

    Their cadres, resident teams and claims move to ``into``. Only units of
    the same tier merge. The surviving unit keeps its own row (name, region,
    villages per unit); its strength becomes the sum of the merged units'
    strengths when any of them has a ``strength``; its head stays the head
    (the others' heads become ordinary cadres; when ``into`` has no head, the
    first merged unit's head becomes it). Re-planned against
    :meth:`Scenario.rebase`-d baseline, the merged units' villages and
    households stay with their cadres under ``into``.

    Examples
    --------
    >>> UnitsMerge(["u1", "u2"], into="u1").describe()
    'unit(s) u2 merge into u1'
    """

    unit_ids: tuple[str, ...]
    into: str
    kind: ClassVar[str] = "units_merge"
    list_field: ClassVar[str | None] = "unit_ids"

    def __post_init__(self) -> None:
        into = str(self.into)
        object.__setattr__(self, "into", into)
        object.__setattr__(
            self, "unit_ids", tuple(u for u in _ids(self.unit_ids) if u != into)
        )

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        units = tables["units"]
        pos = self._check(instance, units, label)
        gone = set(self.unit_ids)

        # strength: the sum, when any merged unit states one (R10)
        given = units["strength"].to_numpy(dtype=np.float64)[pos]
        if not np.isnan(given).all():
            effective = np.where(np.isnan(given), instance.u_cadres[pos], given)
            strength = units["strength"].to_numpy(dtype=np.float64, copy=True)
            strength[pos[-1]] = float(effective.sum())
            units = units.assign(strength=strength)
        tables["units"] = units[~units["unit_id"].isin(gone)]

        tables["cadres"] = self._move_cadres(tables["cadres"], gone)  # R8
        for name in ("resident_teams", "claims"):
            df = tables[name]
            u = df["unit_id"].to_numpy(dtype=object)
            df = df.assign(
                unit_id=np.where(df["unit_id"].isin(gone), self.into, u).astype(str)
            )
            tables[name] = df.drop_duplicates(
                subset=[c for c in ("village_id", "unit_id", "kind") if c in df.columns]
            )
        return None

    def _check(self, instance: Instance, units: pd.DataFrame, label: str) -> np.ndarray:
        """Every unit exists and has ``into``'s tier; their rows in ``units``."""
        every = [*self.unit_ids, self.into]
        problems = _unknown(
            label, "unit_ids", list(self.unit_ids), instance.unit_index, "unit_id"
        )
        problems += _unknown(label, "into", [self.into], instance.unit_index, "unit_id")
        if not self.unit_ids:
            problems.append(
                Problem(
                    "scenario",
                    label,
                    "unit_ids",
                    "at least one unit besides into",
                    "none",
                )
            )
        _fail(problems)
        pos = instance.unit_index.get_indexer(pd.Index(np.asarray(every, dtype=object)))
        tiers = units["tier"].to_numpy(dtype=object)[pos]
        wrong = [
            Problem(
                "scenario",
                label,
                "unit_ids",
                f"a unit of tier {tiers[-1]}",
                f"{u!r} (tier {t})",
            )
            for u, t in zip(self.unit_ids, tiers[:-1], strict=True)
            if t != tiers[-1]
        ]
        _fail(wrong)
        return pos

    def _move_cadres(self, cadres: pd.DataFrame, gone: set[str]) -> pd.DataFrame:
        """The merged units' cadres move to ``into``, keeping one head (R8)."""
        unit = cadres["unit_id"].to_numpy(dtype=object)
        head = cadres["is_head"].to_numpy(dtype=bool, copy=True)
        moved = cadres["unit_id"].isin(gone).to_numpy()
        if head[unit == self.into].any():
            head[moved] = False
        else:
            order = {u: k for k, u in enumerate(self.unit_ids)}
            rank = np.array([order.get(u, len(order)) for u in unit[moved & head]])
            rows = np.flatnonzero(moved & head)
            keep = rows[np.argmin(rank)] if len(rows) else -1
            head[rows[rows != keep]] = False
        return cadres.assign(
            unit_id=np.where(moved, self.into, unit).astype(str), is_head=head
        )

    def describe(self) -> str:
        return f"unit(s) {_short(self.unit_ids)} merge into {self.into}"


@dataclass(frozen=True)
class UnitSplit(Change):
    """Part of a unit's cadres form a new unit ``new_unit_id``.

    The new unit copies the old one's row (tier, region, kind, position,
    villages per unit); its name is ``name`` or the old name followed by the
    new id. A stated strength is split in proportion to the cadres, unless
    ``strength`` sets the new unit's. Resident teams and claims stay with the
    old unit. A moved head becomes the new unit's head.

    Examples
    --------
    >>> UnitSplit("u1", "u1b", ["c1", "c2"]).describe()
    'unit u1 splits: 2 cadre(s) form unit u1b'
    """

    unit_id: str
    new_unit_id: str
    cadre_ids: tuple[str, ...]
    name: str = ""
    strength: float | None = None
    kind: ClassVar[str] = "unit_split"
    list_field: ClassVar[str | None] = "cadre_ids"

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_id", str(self.unit_id))
        object.__setattr__(self, "new_unit_id", str(self.new_unit_id))
        object.__setattr__(self, "cadre_ids", _ids(self.cadre_ids))
        object.__setattr__(self, "name", str(self.name or ""))
        if self.strength is not None:
            object.__setattr__(self, "strength", float(self.strength))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        problems = _unknown(
            label, "unit_id", [self.unit_id], instance.unit_index, "unit_id"
        )
        problems += _taken(
            label, "new_unit_id", pd.Series([self.new_unit_id]), instance.unit_index
        )
        problems += _unknown(
            label, "cadre_ids", list(self.cadre_ids), instance.cadre_index, "cadre_id"
        )
        _fail(problems)
        cadres = tables["cadres"]
        moving = cadres["cadre_id"].isin(self.cadre_ids).to_numpy()
        of_unit = (cadres["unit_id"] == self.unit_id).to_numpy()
        problems = [
            Problem(
                "scenario",
                label,
                "cadre_ids",
                f"a cadre of unit {self.unit_id}",
                repr(c),
            )
            for c in cadres["cadre_id"].to_numpy(dtype=object)[moving & ~of_unit]
        ]
        if not self.cadre_ids or moving.sum() >= of_unit.sum():
            problems.append(
                Problem(
                    "scenario",
                    label,
                    "cadre_ids",
                    "some but not all of the unit's cadres",
                    f"{int(moving.sum())} of {int(of_unit.sum())}",
                )
            )
        _fail(problems)
        units = tables["units"]
        i = int(cast(int, instance.unit_index.get_loc(self.unit_id)))
        row = units.iloc[[i]].copy()
        row["unit_id"] = self.new_unit_id
        row["name"] = self.name or f"{row['name'].iat[0]} {self.new_unit_id}".strip()
        old = float(cast(float, units["strength"].iat[i]))
        moved, total = int(moving.sum()), int(of_unit.sum())
        if not math.isnan(old):
            units = units.assign(
                strength=np.where(
                    np.arange(len(units)) == i,
                    old * (total - moved) / total,
                    units["strength"],
                )
            )
            row["strength"] = old * moved / total
        if self.strength is not None:
            row["strength"] = self.strength
        tables["units"] = pd.concat([units, row], ignore_index=True)
        tables["cadres"] = cadres.assign(
            unit_id=np.where(
                moving, self.new_unit_id, cadres["unit_id"].to_numpy(dtype=object)
            ).astype(str)
        )
        return None

    def describe(self) -> str:
        return (
            f"unit {self.unit_id} splits: {len(self.cadre_ids):,} cadre(s) "
            f"form unit {self.new_unit_id}"
        )
