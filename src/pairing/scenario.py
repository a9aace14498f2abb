"""What-if scenarios: changes to an instance, as values (R14).

A *change* is a frozen dataclass that knows how to apply itself to an
:class:`~pairing.Instance` without touching it: :meth:`Change.apply` returns
a new, checked instance. Changes describe themselves in plain words, turn
into plain data (``to_dict`` / ``from_dict``) and so can be listed, saved as
JSON and re-applied. A :class:`Scenario` is a named sequence of changes,
applied in order::

    from pairing.scenario import CadresLeaveShare, KeyCountyAdd, RuleChange, Scenario

    what_if = Scenario(
        "tighter caps",
        (
            CadresLeaveShare(0.02, seed=1),
            KeyCountyAdd("220524"),
            RuleChange(max_households=4),
        ),
    )
    changed = what_if.apply(instance)          # instance itself is unchanged
    plan2 = solve(changed, baseline=what_if.rebase(plan))

A reference to something that does not exist (an unknown cadre, unit,
household or county) raises :class:`~pairing.InputError` whose first problem
names the change (table ``scenario``, id ``<scenario> step <k>: <kind>``).

``docs/replanning.md`` describes every change and what the solver keeps when
it re-plans against a baseline.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
import pandas as pd

from . import atomic
from .errors import InputError, Problem
from .instance import Instance
from .plan import Plan
from .rules import Rules
from .schema import TABLES

__all__ = [
    "CHANGES",
    "CadresJoin",
    "CadresLeave",
    "CadresLeaveShare",
    "Change",
    "HouseholdsAdd",
    "HouseholdsLeave",
    "KeyCountyAdd",
    "RuleChange",
    "Scenario",
    "UnitSplit",
    "UnitStrength",
    "UnitsMerge",
    "change_from_dict",
]

TABLE_COLUMNS = ("step", "kind", "id", "value")
"""The leading columns of :meth:`Scenario.to_table` (further columns: fields)."""


# -- helpers -----------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-friendly Python value (numpy scalars unwrapped, NaN/NA → None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _ids(values: Iterable[Any] | str) -> tuple[str, ...]:
    """Ids as a tuple of strings (one id given alone is accepted)."""
    if isinstance(values, str):
        return (values,)
    return tuple(str(_plain(v)) for v in values)


def _records(rows: Any, table: str) -> tuple[dict[str, Any], ...]:
    """Rows (a DataFrame, a list of dicts, one dict) as plain-valued dicts.

    Values of the contract's columns are converted to their kind where they
    can be (``"2"`` → ``2`` for an ``int``), so equal rows compare equal
    however they were written; the checks report what cannot be converted.
    """
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict(orient="records")
    elif isinstance(rows, Mapping):
        rows = [rows]
    spec = {c.name: c for c in TABLES[table].columns}
    out = []
    for r in rows:
        rec = {}
        for k, v in dict(r).items():
            v = _plain(v)
            col = spec.get(str(k))
            if col is not None and v is not None:
                v = _typed(v, col.kind)
            rec[str(k)] = v
        out.append(rec)
    return tuple(out)


def _typed(value: Any, kind: str) -> Any:
    """``value`` as the column kind, or unchanged when it does not convert."""
    try:
        if kind in ("id", "str", "enum"):
            return _cell(value) if kind != "str" else str(value)
        if kind == "bool":
            text = str(value).strip().lower()
            if text in ("true", "1", "yes", "y", "t", "是", "1.0"):
                return True
            if text in ("false", "0", "no", "n", "f", "否", "0.0", ""):
                return False
            return value
        number = float(value)
        if kind == "int" and number == int(number):
            return int(number)
        return number
    except (TypeError, ValueError):
        return value


def _unknown(
    label: str, column: str, wanted: Sequence[str], known: pd.Index, what: str
) -> list[Problem]:
    """One problem per id of ``wanted`` not in ``known``."""
    pos: np.ndarray | list[int] = (
        known.get_indexer(pd.Index(np.asarray(wanted, dtype=object))) if wanted else []
    )
    return [
        Problem("scenario", label, column, f"an existing {what}", repr(w))
        for w, p in zip(wanted, pos, strict=True)
        if p < 0
    ]


def _index(instance: Instance, table: str, key: str) -> pd.Index:
    index: pd.Index = pd.Index(instance.tables[table][key].to_numpy(dtype=object))
    return index


def _build(tables: Mapping[str, pd.DataFrame], rules: Rules, label: str) -> Instance:
    """A checked instance (``Instance.from_tables``), naming the change on errors."""
    if importlib.util.find_spec("pairing.checks") is None:  # checks not there yet
        return Instance(dict(tables), rules)
    try:
        return Instance.from_tables(tables, rules)
    except InputError as exc:
        head = Problem(
            "scenario",
            label,
            "",
            "a change that leaves the instance valid",
            "the problems below",
        )
        raise InputError([head, *exc.problems], exc.truncated) from None


def _fail(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


# -- changes -----------------------------------------------------------------


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

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class CadresLeave(Change):
    """Cadres leave (transfer, retirement): their rows are removed.

    The households they covered lose their responsible person; re-planned
    against a baseline they move, with reason ``cadre_left``.

    Examples
    --------
    >>> CadresLeave(["c1", "c2"]).describe()
    '2 cadre(s) leave: c1, c2'
    """

    cadre_ids: tuple[str, ...]
    kind: ClassVar[str] = "cadres_leave"
    list_field: ClassVar[str | None] = "cadre_ids"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cadre_ids", _ids(self.cadre_ids))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        _fail(
            _unknown(
                label, "cadre_ids", self.cadre_ids, instance.cadre_index, "cadre_id"
            )
        )
        cadres = tables["cadres"]
        tables["cadres"] = cadres[~cadres["cadre_id"].isin(self.cadre_ids)]
        return None

    def describe(self) -> str:
        return f"{len(self.cadre_ids):,} cadre(s) leave: {_short(self.cadre_ids)}"


@dataclass(frozen=True)
class CadresLeaveShare(Change):
    """A share of all cadres leaves, chosen at random (deterministic by ``seed``).

    ``round(share * number of cadres)`` cadres leave, drawn uniformly among the
    cadres who are not their unit's head (``is_head``): a unit's head leaving
    is a reorganisation of the unit, to be stated with :class:`CadresLeave`,
    and R8 wants the head in the kick-off team. With ``include_heads=True``
    heads may be drawn too. The draw depends only on the cadre ids, ``share``
    and ``seed`` (not on row order); :meth:`resolve` names the cadres.

    Examples
    --------
    >>> CadresLeaveShare(0.1, seed=3).describe()
    "10% of cadres (never a unit's head) leave at random (seed 3)"
    """

    share: float
    seed: int = 0
    include_heads: bool = False
    kind: ClassVar[str] = "cadres_leave_share"

    def __post_init__(self) -> None:
        share = float(self.share)
        if not 0.0 <= share <= 1.0:
            raise InputError(
                [
                    Problem(
                        "scenario",
                        self.kind,
                        "share",
                        "a share between 0 and 1",
                        repr(self.share),
                    )
                ]
            )
        object.__setattr__(self, "share", share)
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "include_heads", bool(self.include_heads))

    def chosen(self, instance: Instance) -> tuple[str, ...]:
        """The ids of the cadres who leave, sorted."""
        cadres = instance.cadres
        ids = cadres["cadre_id"].to_numpy(dtype=object)
        eligible = np.ones(len(ids), dtype=bool)
        if not self.include_heads:
            eligible &= ~cadres["is_head"].to_numpy(dtype=bool)
        pool = np.sort(ids[eligible].astype(str))
        k = min(len(pool), int(math.floor(self.share * len(ids) + 0.5)))
        rng = np.random.default_rng(self.seed)
        pick = rng.choice(len(pool), size=k, replace=False)
        return tuple(np.sort(pool[pick]).tolist())

    def resolve(self, instance: Instance) -> CadresLeave:
        """The same change with the cadres named (for audit or saving)."""
        return CadresLeave(self.chosen(instance))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        return self.resolve(instance)._edit(instance, tables, label)

    def describe(self) -> str:
        who = "cadres" if self.include_heads else "cadres (never a unit's head)"
        return f"{100 * self.share:g}% of {who} leave at random (seed {self.seed})"


@dataclass(frozen=True)
class CadresJoin(Change):
    """New cadres join units: ``rows`` of the ``cadres`` table.

    Each row needs ``cadre_id``, ``unit_id`` and ``rank``; ``max_households``
    and ``is_head`` are optional.

    Examples
    --------
    >>> CadresJoin([{"cadre_id": "c9", "unit_id": "u1", "rank": 2}]).describe()
    '1 cadre(s) join unit(s) u1'
    """

    rows: tuple[dict[str, Any], ...]
    kind: ClassVar[str] = "cadres_join"
    list_field: ClassVar[str | None] = "rows"
    id_column: ClassVar[str] = "cadre_id"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _records(self.rows, "cadres"))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        new = pd.DataFrame(list(self.rows), columns=_columns(self.rows, "cadres"))
        problems = _unknown(
            label,
            "unit_id",
            [str(u) for u in new["unit_id"]],
            instance.unit_index,
            "unit_id",
        )
        problems += _taken(label, "cadre_id", new["cadre_id"], instance.cadre_index)
        _fail(problems)
        tables["cadres"] = _append(tables["cadres"], new)
        return None

    def describe(self) -> str:
        units = sorted({str(r.get("unit_id", "")) for r in self.rows})
        return f"{len(self.rows):,} cadre(s) join unit(s) {_short(units)}"


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
        units = tables["units"]
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
        gone = set(self.unit_ids)

        # strength: the sum, when any merged unit states one (R10)
        given = units["strength"].to_numpy(dtype=np.float64)[pos]
        if not np.isnan(given).all():
            effective = np.where(np.isnan(given), instance.u_cadres[pos], given)
            strength = units["strength"].to_numpy(dtype=np.float64, copy=True)
            strength[pos[-1]] = float(effective.sum())
            units = units.assign(strength=strength)
        tables["units"] = units[~units["unit_id"].isin(gone)]

        # cadres move; one head per unit (R8)
        cadres = tables["cadres"]
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
        tables["cadres"] = cadres.assign(
            unit_id=np.where(moved, self.into, unit).astype(str), is_head=head
        )
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


CHANGES: dict[str, type[Change]] = {
    c.kind: c
    for c in (
        CadresLeave,
        CadresLeaveShare,
        CadresJoin,
        UnitsMerge,
        UnitSplit,
        HouseholdsAdd,
        HouseholdsLeave,
        KeyCountyAdd,
        UnitStrength,
        RuleChange,
    )
}
"""Every change class by its ``kind``."""


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
    if cls is RuleChange:
        return RuleChange(dict(data.get("params", {})))
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


# -- scenarios ---------------------------------------------------------------


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
        rows: list[dict[str, Any]] = []
        for step, c in enumerate(self.changes, start=1):
            base = {"step": step, "kind": c.kind}
            if isinstance(c, CadresLeave):
                rows += [{**base, "id": i} for i in c.cadre_ids]
            elif isinstance(c, HouseholdsLeave):
                rows += [{**base, "id": i} for i in c.household_ids]
            elif isinstance(c, CadresJoin | HouseholdsAdd):
                key = c.id_column
                rows += [
                    {
                        **base,
                        "id": r.get(key, ""),
                        **{k: v for k, v in r.items() if k != key},
                    }
                    for r in c.rows
                ]
            elif isinstance(c, CadresLeaveShare):
                rows.append(
                    {
                        **base,
                        "value": c.share,
                        "seed": c.seed,
                        "include_heads": c.include_heads,
                    }
                )
            elif isinstance(c, UnitsMerge):
                rows += [{**base, "id": u, "value": c.into} for u in c.unit_ids]
            elif isinstance(c, UnitSplit):
                extra = {"unit_id": c.unit_id, "name": c.name, "strength": c.strength}
                rows += [
                    {**base, "id": i, "value": c.new_unit_id, **extra}
                    for i in c.cadre_ids
                ]
            elif isinstance(c, KeyCountyAdd):
                rows.append({**base, "id": c.county_id})
            elif isinstance(c, UnitStrength):
                rows.append({**base, "id": c.unit_id, "value": c.strength})
            elif isinstance(c, RuleChange):
                rows += [
                    {**base, "id": k, "value": json.dumps(v, ensure_ascii=False)}
                    for k, v in _flat(c.params)
                ]
        df = pd.DataFrame(rows)
        for col in TABLE_COLUMNS:
            if col not in df.columns:
                df[col] = pd.Series(dtype=object)
        cols = [*TABLE_COLUMNS, *[c for c in df.columns if c not in TABLE_COLUMNS]]
        df = df[cols]
        out: dict[str, pd.Series] = (
            {"step": df["step"].astype(np.int64)}
            if len(df)
            else {"step": pd.Series([], dtype=np.int64)}
        )
        for col in cols[1:]:
            out[col] = df[col].map(_cell).astype("str")
        return pd.DataFrame(out)

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
        df = table.reset_index(drop=True)
        if "kind" not in df.columns:
            raise InputError(
                [Problem("scenario table", "", "kind", "a kind column", "missing")]
            )
        df = df.astype(object).where(df.notna(), None)
        kinds = [_kind(k).kind for k in df["kind"]]
        keys: list[Any] = []
        single = {"key_county_add", "unit_strength", "cadres_leave_share"}
        for i, k in enumerate(kinds):
            if "step" in df.columns and _cell(df["step"].iat[i]) != "":
                keys.append(("step", _cell(df["step"].iat[i])))
                continue
            value = _cell(df["value"].iat[i]) if "value" in df.columns else ""
            group = (
                k,
                value,
                _cell(df["unit_id"].iat[i]) if "unit_id" in df.columns else "",
            )
            same = (
                k not in single
                and i > 0
                and keys[-1][0] == "run"
                and keys[-1][2]
                == (group if k in ("units_merge", "unit_split") else (k, "", ""))
            )
            if same:
                keys.append(keys[-1])
            else:
                keys.append(
                    (
                        "run",
                        i,
                        group if k in ("units_merge", "unit_split") else (k, "", ""),
                    )
                )
        changes: list[Change] = []
        order: dict[Any, list[int]] = {}
        for i, key in enumerate(keys):
            order.setdefault(key, []).append(i)
        for rows in order.values():
            changes.append(_change_of_rows(df, rows, kinds))
        return cls(name, tuple(changes))


def _change_of_rows(df: pd.DataFrame, rows: list[int], kinds: list[str]) -> Change:
    kind = kinds[rows[0]]
    if any(kinds[i] != kind for i in rows):
        raise InputError(
            [
                Problem(
                    "scenario table",
                    f"row {rows[0] + 1}",
                    "kind",
                    "one kind per step",
                    ", ".join(sorted({kinds[i] for i in rows})),
                )
            ]
        )
    sub = df.iloc[rows]

    def col(name: str) -> list[str]:
        return [_cell(v) for v in sub[name]] if name in sub.columns else [""] * len(sub)

    ids, values = col("id"), col("value")
    label = f"row {rows[0] + 1}"

    def number(text: str, what: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise InputError(
                [Problem("scenario table", label, what, "a number", repr(text))]
            ) from None

    if kind == "cadres_leave":
        return CadresLeave(tuple(ids))
    if kind == "households_leave":
        return HouseholdsLeave(tuple(ids))
    if kind in ("cadres_join", "households_add"):
        key = CHANGES[kind].id_column  # type: ignore[attr-defined]
        skip = {"step", "kind", "id", "value"}
        recs = []
        for j, i in enumerate(rows):
            rec = {key: ids[j]}
            for c in df.columns:
                if c not in skip and (v := _cell(df[c].iat[i])) != "":
                    rec[str(c)] = v
            recs.append(rec)
        return CHANGES[kind](tuple(recs))  # type: ignore[call-arg]
    if kind == "cadres_leave_share":
        seed = col("seed")[0] or "0"
        heads = col("include_heads")[0].lower() in ("true", "1", "yes")
        return CadresLeaveShare(
            number(values[0], "value"), int(number(seed, "seed")), heads
        )
    if kind == "units_merge":
        return UnitsMerge(tuple(ids), values[0])
    if kind == "unit_split":
        strength = col("strength")[0]
        return UnitSplit(
            col("unit_id")[0],
            values[0],
            tuple(ids),
            name=col("name")[0],
            strength=number(strength, "strength") if strength else None,
        )
    if kind == "key_county_add":
        return KeyCountyAdd(ids[0])
    if kind == "unit_strength":
        return UnitStrength(ids[0], number(values[0], "value"))
    params: dict[str, Any] = {}
    for key, text in zip(ids, values, strict=True):
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        *path, last = key.split(".")
        at = params
        for p in path:
            at = at.setdefault(p, {})
        at[last] = value
    return RuleChange(params)


def _flat(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``{"weights": {"tier": 2}}`` → ``[("weights.tier", 2)]`` (lists stay whole)."""
    out: list[tuple[str, Any]] = []
    for k, v in params.items():
        if isinstance(v, Mapping):
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return str(int(value)) if not isinstance(value, bool) else str(value)
    return str(value).strip()


def _short(ids: Sequence[str], n: int = 5) -> str:
    ids = list(ids)
    text = ", ".join(ids[:n])
    return text + (f" … (+{len(ids) - n:,})" if len(ids) > n else "")


def _columns(rows: Sequence[Mapping[str, Any]], table: str) -> list[str]:
    """The columns of new rows: the contract's key columns first, then theirs."""
    cols = [c.name for c in TABLES[table].columns if c.required]
    for r in rows:
        cols += [k for k in r if k not in cols]
    return cols


def _taken(label: str, column: str, ids: pd.Series, known: pd.Index) -> list[Problem]:
    ids = ids.astype(object).map(_cell)
    clash = known.get_indexer(pd.Index(ids.to_numpy(dtype=object))) >= 0
    dup = ids.duplicated().to_numpy()
    return [
        Problem("scenario", label, column, "a new id", f"{i!r} (exists)")
        for i in ids[clash]
    ] + [
        Problem("scenario", label, column, "a new id", f"{i!r} (twice)")
        for i in ids[dup & ~clash]
    ]


def _append(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` then ``new`` (new rows are normalised by the checks)."""
    new = new.astype(object)
    return pd.concat([old.astype(object), new], ignore_index=True)
