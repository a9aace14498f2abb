"""The scenario container: a named sequence of changes, applied in order (R14).

The changes themselves live in :mod:`pairing.scenario.cadres`,
:mod:`~pairing.scenario.units`, :mod:`~pairing.scenario.households` and
:mod:`~pairing.scenario.settings`; the table layout in
:mod:`~pairing.scenario.table`. JSON is written here (``save`` / ``load``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import atomic
from ..errors import InputError, Problem
from ..instance import Instance
from ..plan import Plan
from .change import Change, change_from_dict
from .table import changes_from_table, changes_to_table
from .units import UnitsMerge, UnitSplit


@dataclass(frozen=True)
class Scenario:
    """A named sequence of changes, applied in order.

    Parameters
    ----------
    name
        A short name (shown in errors and reports).
    changes
        The changes, in order; a :class:`Scenario` given here contributes its
        own changes.

    Examples
    --------
    >>> import pairing
    >>> from pairing.scenario import CadresLeaveShare
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> scenario = Scenario("attrition", [CadresLeaveShare(0.05, seed=1)])
    >>> print(scenario.describe())
    scenario 'attrition': 1 change(s)
      1. 5% of cadres (never a unit's head) leave at random (seed 1)
    >>> after = scenario.apply(instance)
    >>> len(after.cadres) < len(instance.cadres)
    True
    """

    name: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        flat: list[Change] = []
        items = (
            (self.changes,)
            if isinstance(self.changes, Change | Scenario)
            else self.changes
        )
        for c in items:
            if isinstance(c, Scenario):
                flat.extend(c.changes)
            elif isinstance(c, Change):
                flat.append(c)
            elif isinstance(c, Mapping):
                flat.append(change_from_dict(c))
            else:
                raise TypeError(f"not a change: {c!r}")
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "changes", tuple(flat))

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __add__(self, other: Scenario | Change) -> Scenario:
        more = other.changes if isinstance(other, Scenario) else (other,)
        return Scenario(self.name, self.changes + tuple(more))

    def apply(self, instance: Instance) -> Instance:
        """A new, checked instance with every change made in order.

        Raises
        ------
        InputError
            The first problem names the failing change
            (``<name> step <k>: <kind>``, steps counted from 1).
        """
        for k, change in enumerate(self.changes, start=1):
            instance = change._apply(instance, f"{self.name} step {k}: {change.kind}")
        if not self.changes:
            instance = Instance(dict(instance.tables), instance.rules)
        return instance

    def describe(self) -> str:
        """The scenario, one numbered change per line."""
        lines = [f"scenario {self.name!r}: {len(self.changes)} change(s)"]
        lines += [f"  {k}. {c.describe()}" for k, c in enumerate(self.changes, start=1)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def rebase(self, plan: Plan) -> Plan:
        """The baseline ``plan`` in the changed instance's unit ids (R14).

        Unit merges rename the merged units to the surviving one in
        ``village_pairs``, ``household_pairs`` and ``dispatch`` (so the
        solver keeps their villages with the surviving unit); unit splits
        move the households of the moved cadres to the new unit. Other
        changes need no rebasing. ``plan`` is not touched.
        """
        rename: dict[str, str] = {}
        moved: dict[str, str] = {}  # cadre → new unit
        for c in self.changes:
            if isinstance(c, UnitsMerge):
                rename = {
                    k: (c.into if v in c.unit_ids else v) for k, v in rename.items()
                }
                rename.update(dict.fromkeys(c.unit_ids, c.into))
            elif isinstance(c, UnitSplit):
                moved.update(dict.fromkeys(c.cadre_ids, c.new_unit_id))
        if not rename and not moved:
            return plan

        def ren(s: pd.Series) -> pd.Series:
            return s.replace(rename) if rename else s

        vp = plan.village_pairs.assign(unit_id=ren(plan.village_pairs["unit_id"]))
        vp = vp.drop_duplicates(subset=["village_id", "unit_id", "role"])
        hp = plan.household_pairs
        unit = ren(hp["unit_id"])
        if moved:
            by_cadre = hp["responsible_id"].map(moved)
            unit = by_cadre.where(
                by_cadre.notna() & (hp["responsible_kind"] == "cadre"), unit
            )
        hp = hp.assign(unit_id=unit.astype(str))
        dp = plan.dispatch.assign(unit_id=ren(plan.dispatch["unit_id"]))
        return dataclasses.replace(
            plan,
            village_pairs=vp,
            household_pairs=hp,
            dispatch=dp,
            info=dict(plan.info),
        )

    # -- plain data and files ------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "changes": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        return cls(
            str(data.get("name", "")),
            tuple(change_from_dict(c) for c in data.get("changes", [])),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def save(self, path: str | Path) -> None:
        """Write the scenario as JSON (atomically)."""
        atomic.write_text(path, self.to_json() + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a scenario written by :meth:`save`.

        Raises
        ------
        InputError
            When the file is not valid JSON or holds an unknown change.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                [Problem(path.name, "", "", "a scenario JSON file", str(exc))]
            ) from None
        return cls.from_dict(data)

    def to_table(self) -> pd.DataFrame:
        """One row per item: ``step, kind, id, value`` (+ field columns), all text.

        ``id`` holds the item (a cadre, a household, a merged unit, a county,
        a unit, a rule parameter as ``weights.continuity``); ``value`` the
        number or target (share, strength, ``into``, ``new_unit_id``, the
        parameter's value as JSON); rows of ``cadres_join`` and
        ``households_add`` put their other fields in columns named after the
        contract's columns, and ``seed``, ``include_heads``, ``unit_id``,
        ``name``, ``strength`` hold the remaining fields.
        """
        return changes_to_table(self.changes)

    @classmethod
    def from_table(cls, table: pd.DataFrame, name: str = "scenario") -> Scenario:
        """A scenario from a table of changes (see :meth:`to_table`).

        Rows are grouped into changes by ``step`` when the column is there,
        else consecutive rows of the same ``kind`` (and, for merges and
        splits, the same ``value``) form one change; ``key_county_add``,
        ``unit_strength`` and ``cadres_leave_share`` rows are one change each.
        Kinds may be written as class names (``CadresLeave``).

        Raises
        ------
        InputError
            For an unknown kind or a value of the wrong kind (the row is named).
        """
        return cls(name, changes_from_table(table))
