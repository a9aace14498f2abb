"""The :class:`Instance`: an instance's tables, its rules and solver arrays."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._readinstance import read_checked
from ._readonly import Tables as _Tables
from ._readonly import cached as _cached
from ._saveinstance import save_instance
from .checks import check_tables
from .fingerprint import compute
from .rules import Rules
from .schema import LEVELS, TABLES, UNIT_TIERS
from .tiers import Tier

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Instance:
    """A pairing instance: the contract's tables, the rules, and arrays.

    Build one with :func:`pairing.load_instance` (from files) or
    :meth:`Instance.from_tables` (from data frames); both check the input
    and raise :class:`pairing.InputError` listing every problem found.

    The tables are normalised: every contract column is present (optional
    ones filled with ``""``, ``NaN`` or ``False``), ids and strings have the
    ``str`` dtype, numbers are ``float64``/``int64``, flags are ``bool``.
    Extra columns are kept untouched.

    The integer-indexed numpy arrays that solvers need (``v_county``,
    ``h_village``, ``c_unit`` …) are built once, vectorised, on first use.
    Row ``i`` of a table is index ``i`` in every array.

    An instance is read-only once built, so it may be shared between threads
    and solves: :attr:`tables` is a read-only mapping whose frames are
    copies (editing one leaves the instance as it was), the arrays are
    read-only, the rules are frozen and no attribute can be set. Edits go
    through :meth:`replace`, which returns a new, checked instance.

    Examples
    --------
    >>> import pairing
    >>> inst = pairing.generate(households=2000, seed=1)
    >>> inst.rules = inst.rules.replace(max_households=6)
    Traceback (most recent call last):
    ...
    AttributeError: an Instance is read-only: use instance.replace(...)
    >>> inst.c_cap[0] = 9
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    >>> wider = inst.replace(rules=inst.rules.replace(max_households=6))
    >>> int(wider.c_cap.max()) >= 6, int(inst.c_cap.max())
    (True, 5)
    """

    tables: Mapping[str, pd.DataFrame]
    rules: Rules

    def __init__(self, tables: Mapping[str, pd.DataFrame], rules: Rules) -> None:
        frames = tables._frames if isinstance(tables, _Tables) else dict(tables)
        object.__setattr__(self, "tables", _Tables(frames))
        object.__setattr__(self, "rules", rules)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("an Instance is read-only: use instance.replace(...)")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("an Instance is read-only: use instance.replace(...)")

    def __setstate__(self, state: dict[str, Any]) -> None:
        # unpickled (an executor's worker): the cached arrays stay read-only
        for value in state.values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        self.__dict__.update(state)

    @cached_property
    def fingerprint(self) -> str:
        """:func:`pairing.fingerprint` of the instance (computed once)."""
        return compute(self)

    # -- construction -------------------------------------------------------

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[str, pd.DataFrame],
        rules: Rules | None = None,
    ) -> Instance:
        """Check and normalise raw tables into an instance.

        Raises
        ------
        InputError
            Listing every problem found (table, id, column, expected).
        """
        return cls(check_tables(tables), rules or Rules())

    @classmethod
    def load(cls, path: str | Path) -> Instance:
        """Read an instance folder or ``.xlsx`` workbook (see :func:`load_instance`)."""
        tables, rules = read_checked(path)
        return cls(tables, rules)

    def save(
        self, path: str | Path, format: str = "parquet", *, force: bool = False
    ) -> None:
        """Write the instance in the contract layout (see :func:`save_instance`)."""
        save_instance(self, path, format=format, force=force)

    def replace(
        self,
        tables: Mapping[str, pd.DataFrame] | None = None,
        rules: Rules | None = None,
    ) -> Instance:
        """A checked copy with some tables or the rules replaced."""
        merged = dict(self.tables)
        merged.update(tables or {})
        return Instance.from_tables(merged, rules or self.rules)

    # -- tables -------------------------------------------------------------

    @property
    def regions(self) -> pd.DataFrame:
        return self.tables["regions"]

    @property
    def villages(self) -> pd.DataFrame:
        return self.tables["villages"]

    @property
    def households(self) -> pd.DataFrame:
        return self.tables["households"]

    @property
    def units(self) -> pd.DataFrame:
        return self.tables["units"]

    @property
    def cadres(self) -> pd.DataFrame:
        return self.tables["cadres"]

    @property
    def leaders(self) -> pd.DataFrame:
        return self.tables["leaders"]

    @property
    def resident_teams(self) -> pd.DataFrame:
        return self.tables["resident_teams"]

    @property
    def claims(self) -> pd.DataFrame:
        return self.tables["claims"]

    def __repr__(self) -> str:
        return (
            f"Instance({len(self.regions)} regions, "
            f"{int(self.v_poor.sum())} poor villages, "
            f"{len(self.households)} households, {len(self.units)} units, "
            f"{len(self.cadres)} cadres, {len(self.leaders)} leaders)"
        )

    # -- indices ------------------------------------------------------------

    def _index(self, table: str) -> pd.Index:
        key = TABLES[table].key
        assert key is not None
        index: pd.Index = pd.Index(self.tables[table][key].to_numpy(dtype=object))
        return index

    @_cached
    def region_index(self) -> pd.Index:
        """Region ids, in ``regions`` row order."""
        return self._index("regions")

    @_cached
    def village_index(self) -> pd.Index:
        return self._index("villages")

    @_cached
    def unit_index(self) -> pd.Index:
        return self._index("units")

    @_cached
    def cadre_index(self) -> pd.Index:
        return self._index("cadres")

    @_cached
    def leader_index(self) -> pd.Index:
        return self._index("leaders")

    # -- regions ------------------------------------------------------------

    @_cached
    def r_level(self) -> IntArray:
        """Region level: 0 province, 1 prefecture, 2 county."""
        return _codes(self.regions["level"], LEVELS)

    @_cached
    def r_parent(self) -> IntArray:
        """Parent region index (-1 for the province)."""
        return _lookup(self.region_index, self.regions["parent_id"])

    @_cached
    def r_key(self) -> BoolArray:
        """Whether a region is a key county (R6, R7)."""
        key: BoolArray = self.regions["key_county"].to_numpy(dtype=bool)
        county: BoolArray = self.r_level == Tier.COUNTY
        return key & county

    @_cached
    def r_prefecture(self) -> IntArray:
        """The prefecture a region lies in.

        Itself for a prefecture, -1 for the province.
        """
        out = np.where(
            self.r_level == Tier.PREFECTURE, np.arange(len(self.r_level)), -1
        )
        county = self.r_level == Tier.COUNTY
        out[county] = self.r_parent[county]
        return out

    @_cached
    def province(self) -> int:
        """Index of the single province region."""
        return int(np.flatnonzero(self.r_level == Tier.PROVINCE)[0])

    # -- villages -----------------------------------------------------------

    @_cached
    def v_county(self) -> IntArray:
        return _lookup(self.region_index, self.villages["county_id"])

    @_cached
    def v_prefecture(self) -> IntArray:
        return self.r_prefecture[self.v_county]

    @_cached
    def v_poor(self) -> BoolArray:
        return self.villages["poor"].to_numpy(dtype=bool)

    @_cached
    def v_key(self) -> BoolArray:
        """Whether a village lies in a key county."""
        return self.r_key[self.v_county]

    @_cached
    def v_severity(self) -> FloatArray:
        return self.villages["severity"].to_numpy(dtype=np.float64)

    @_cached
    def v_xy(self) -> FloatArray:
        """Village positions, shape ``(n, 2)``; NaN where not given."""
        return self.villages[["x_km", "y_km"]].to_numpy(dtype=np.float64)

    @_cached
    def v_households(self) -> IntArray:
        """Poor households per village."""
        return np.bincount(self.h_village, minlength=len(self.villages)).astype(
            np.int64
        )

    @_cached
    def poor_villages(self) -> IntArray:
        """Indices of the poor villages."""
        return np.flatnonzero(self.v_poor)

    # -- households ---------------------------------------------------------

    @_cached
    def h_village(self) -> IntArray:
        return _lookup(self.village_index, self.households["village_id"])

    @_cached
    def h_severity(self) -> FloatArray:
        return self.households["severity"].to_numpy(dtype=np.float64)

    @_cached
    def h_members(self) -> IntArray:
        return self.households["members"].to_numpy(dtype=np.int64)

    @_cached
    def h_county(self) -> IntArray:
        return self.v_county[self.h_village]

    @_cached
    def h_scattered(self) -> BoolArray:
        """Whether a household lives in a non-poor village (插花户, R3)."""
        return ~self.v_poor[self.h_village]

    # -- units --------------------------------------------------------------

    @_cached
    def u_tier(self) -> IntArray:
        """Unit tier: 0 province, 1 prefecture, 2 county, 3 social."""
        return _codes(self.units["tier"], UNIT_TIERS)

    @_cached
    def u_region(self) -> IntArray:
        return _lookup(self.region_index, self.units["region_id"])

    @_cached
    def u_cadres(self) -> IntArray:
        """Number of cadres per unit."""
        return np.bincount(self.c_unit, minlength=len(self.units)).astype(np.int64)

    @_cached
    def u_strength(self) -> FloatArray:
        """Strength, defaulting to the number of cadres (R10)."""
        s = self.units["strength"].to_numpy(dtype=np.float64)
        return np.where(np.isnan(s), self.u_cadres.astype(np.float64), s)

    @_cached
    def u_min(self) -> IntArray:
        """Least villages a unit leads (R4)."""
        return self._bounds(0)

    @_cached
    def u_max(self) -> IntArray:
        """Most villages a unit leads (R4); for ``social`` units, most claims (R13)."""
        return self._bounds(1)

    def _bounds(self, which: int) -> IntArray:
        col = ("min_villages", "max_villages")[which]
        default = np.array(
            [self.rules.villages_per_unit[t][which] for t in UNIT_TIERS],
            dtype=np.float64,
        )[self.u_tier]
        given = self.units[col].to_numpy(dtype=np.float64)
        return np.where(np.isnan(given), default, given).astype(np.int64)

    @_cached
    def u_xy(self) -> FloatArray:
        return self.units[["x_km", "y_km"]].to_numpy(dtype=np.float64)

    @_cached
    def u_capacity(self) -> IntArray:
        """Households a unit's cadres can carry together (R5)."""
        return np.bincount(
            self.c_unit, weights=self.c_cap, minlength=len(self.units)
        ).astype(np.int64)

    def u_reserved_capacity(self, reserve: float) -> IntArray:
        """A unit's capacity less the share ``reserve`` kept free (R14), rounded
        so that the reserve is whole households."""
        cap = self.u_capacity
        kept: IntArray = np.floor(reserve * cap).astype(np.int64)
        return cap - kept

    @_cached
    def u_head(self) -> IntArray:
        """Index of the unit's head cadre (its first ``is_head`` row), or -1."""
        out = np.full(len(self.units), -1, dtype=np.int64)
        heads = np.flatnonzero(self.c_head)[::-1]  # last write wins: first head
        out[self.c_unit[heads]] = heads
        return out

    # -- cadres -------------------------------------------------------------

    @_cached
    def c_unit(self) -> IntArray:
        return _lookup(self.unit_index, self.cadres["unit_id"])

    @_cached
    def c_rank(self) -> IntArray:
        return self.cadres["rank"].to_numpy(dtype=np.int64)

    @_cached
    def c_cap(self) -> IntArray:
        """Households a cadre may carry (R5): own column, else by rank, else default."""
        rules = self.rules
        cap = np.full(len(self.cadres), rules.max_households, dtype=np.float64)
        for rank, value in rules.max_households_by_rank.items():
            cap[self.c_rank == rank] = value
        own = self.cadres["max_households"].to_numpy(dtype=np.float64)
        return np.where(np.isnan(own), cap, own).astype(np.int64)

    @_cached
    def c_head(self) -> BoolArray:
        return self.cadres["is_head"].to_numpy(dtype=bool)

    # -- leaders, resident teams, claims -----------------------------------

    @_cached
    def l_region(self) -> IntArray:
        return _lookup(self.region_index, self.leaders["region_id"])

    @_cached
    def l_contact_households(self) -> IntArray:
        """Households each leader takes personally (R7)."""
        own = self.leaders["contact_households"].to_numpy(dtype=np.float64)
        return np.where(np.isnan(own), self.rules.contact_households, own).astype(
            np.int64
        )

    @_cached
    def t_village(self) -> IntArray:
        return _lookup(self.village_index, self.resident_teams["village_id"])

    @_cached
    def t_unit(self) -> IntArray:
        return _lookup(self.unit_index, self.resident_teams["unit_id"])

    @_cached
    def cl_village(self) -> IntArray:
        return _lookup(self.village_index, self.claims["village_id"])

    @_cached
    def cl_unit(self) -> IntArray:
        return _lookup(self.unit_index, self.claims["unit_id"])

    # -- geometry -------------------------------------------------------------

    def distance(self, units: IntArray, villages: IntArray) -> FloatArray:
        """Distance in km between units and villages, element-wise (0 if unknown)."""
        d: FloatArray = np.hypot(*(self.u_xy[units] - self.v_xy[villages]).T)
        return np.nan_to_num(d, nan=0.0)


def _lookup(index: pd.Index, values: pd.Series) -> IntArray:
    """Positions of ``values`` in ``index`` (-1 where absent or empty)."""
    return index.get_indexer(pd.Index(values.to_numpy(dtype=object))).astype(np.int64)


def _codes(values: pd.Series, categories: tuple[str, ...]) -> IntArray:
    return (
        pd.Index(categories)
        .get_indexer(pd.Index(values.to_numpy(dtype=object)))
        .astype(np.int64)
    )
