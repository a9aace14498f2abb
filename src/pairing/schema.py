"""The instance tables of the data contract, as data.

One :class:`Column` per contract column. Loaders, checks, writers and the
generator read these specs, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .tiers import LEVEL_NAMES, TIER_NAMES

Kind = Literal["id", "str", "float", "int", "bool", "enum"]


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    Parameters
    ----------
    name
        Column name, as in the contract.
    kind
        ``id`` (a string id), ``str``, ``float``, ``int``, ``bool`` or ``enum``.
    required
        Whether the column must be present (values may still be optional).
    nullable
        Whether a row may leave it empty.
    low
        Least allowed value for numbers.
    strict_low
        Whether ``low`` itself is excluded (``> low`` rather than ``>= low``).
    values
        Allowed values of an ``enum``.
    ref
        ``(table, column)`` the value must exist in, for references.
    """

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    low: float | None = None
    strict_low: bool = False
    values: tuple[str, ...] = ()
    ref: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    """A contract table: its name, key column and columns."""

    name: str
    key: str | None
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


LEVELS = LEVEL_NAMES
UNIT_TIERS = TIER_NAMES
LEADER_TIERS = LEVEL_NAMES
COVERS = ("prefecture", "key_county", "county", "village")
TEAM_KINDS = ("work_team", "first_secretary")
CAUSES = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            "region_id",
            (
                Column("region_id", "id"),
                Column("name", "str", nullable=True),
                Column("level", "enum", values=LEVELS),
                Column("parent_id", "id", nullable=True, ref=("regions", "region_id")),
                Column("key_county", "bool", required=False, nullable=True),
            ),
        ),
        Table(
            "villages",
            "village_id",
            (
                Column("village_id", "id"),
                Column("county_id", "id", ref=("regions", "region_id")),
                Column("name", "str", required=False, nullable=True),
                Column("poor", "bool"),
                Column("severity", "float", low=0.0),
                Column("x_km", "float", required=False, nullable=True),
                Column("y_km", "float", required=False, nullable=True),
            ),
        ),
        Table(
            "households",
            "household_id",
            (
                Column("household_id", "id"),
                Column("village_id", "id", ref=("villages", "village_id")),
                Column("members", "int", low=1.0),
                Column("severity", "float", low=0.0),
                Column("cause", "str", required=False, nullable=True),
            ),
        ),
        Table(
            "units",
            "unit_id",
            (
                Column("unit_id", "id"),
                Column("name", "str", nullable=True),
                Column("tier", "enum", values=UNIT_TIERS),
                Column("region_id", "id", ref=("regions", "region_id")),
                Column("kind", "str", required=False, nullable=True),
                Column(
                    "strength",
                    "float",
                    required=False,
                    nullable=True,
                    low=0.0,
                    strict_low=True,
                ),
                Column("min_villages", "int", required=False, nullable=True, low=0.0),
                Column("max_villages", "int", required=False, nullable=True, low=0.0),
                Column("x_km", "float", required=False, nullable=True),
                Column("y_km", "float", required=False, nullable=True),
            ),
        ),
        Table(
            "cadres",
            "cadre_id",
            (
                Column("cadre_id", "id"),
                Column("unit_id", "id", ref=("units", "unit_id")),
                Column("rank", "int", low=1.0),
                Column("max_households", "int", required=False, nullable=True, low=0.0),
                Column("is_head", "bool", required=False, nullable=True),
            ),
        ),
        Table(
            "leaders",
            "leader_id",
            (
                Column("leader_id", "id"),
                Column("name", "str", nullable=True),
                Column("tier", "enum", values=LEADER_TIERS),
                Column("region_id", "id", ref=("regions", "region_id")),
                Column("covers", "enum", required=False, nullable=True, values=COVERS),
                Column("area_id", "id", required=False, nullable=True),
                Column(
                    "contact_point_village_id",
                    "id",
                    required=False,
                    nullable=True,
                    ref=("villages", "village_id"),
                ),
                Column(
                    "contact_households", "int", required=False, nullable=True, low=0.0
                ),
            ),
            required=False,
        ),
        Table(
            "resident_teams",
            None,
            (
                Column("village_id", "id", ref=("villages", "village_id")),
                Column("unit_id", "id", ref=("units", "unit_id")),
                Column("kind", "enum", values=TEAM_KINDS),
            ),
            required=False,
        ),
        Table(
            "claims",
            None,
            (
                Column("unit_id", "id", ref=("units", "unit_id")),
                Column("village_id", "id", ref=("villages", "village_id")),
            ),
            required=False,
        ),
    )
}
"""The instance tables of the data contract, in dependency order."""

PLAN_TABLES: dict[str, tuple[str, ...]] = {
    "village_pairs": ("village_id", "unit_id", "tier", "role", "continuity"),
    "household_pairs": (
        "household_id",
        "responsible_id",
        "responsible_kind",
        "unit_id",
    ),
    "leader_areas": ("leader_id", "area_id"),
    "leader_contacts": ("leader_id", "village_id"),
    "dispatch": ("unit_id", "cadre_id", "is_head"),
    "changes": ("kind", "id", "before", "after", "reason"),
    "uncovered": ("kind", "id", "cause"),
}
"""The plan tables of the data contract and their columns."""
