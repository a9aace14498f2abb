"""The raw-table views the figures and the validator share.

:class:`Raw` reads the instance's normalised tables into positions and
arrays; :func:`plan_frames` reads a plan's tables (ids as strings, flags as
booleans); :func:`lead_pairs`, :func:`cadre_rows` give the rows every figure
reads, and :func:`may_lead` R2's reading of who may lead a village.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..schema import PLAN_TABLES
from ..tiers import LEVEL_NAMES

if TYPE_CHECKING:
    from ..instance import Instance
    from ..plan import Plan

LEAD_TIERS = LEVEL_NAMES
"""Tiers that may lead a village, highest first (R9)."""

OPTIONAL_PLAN_COLUMNS = {
    "village_pairs": ("tier", "continuity"),
    "dispatch": ("is_head",),
}
"""Plan columns a table may lack and still be read (they are informational)."""

_BOOL_COLUMNS = {("village_pairs", "continuity"), ("dispatch", "is_head")}


# -- shared views of the tables ---------------------------------------------


def _ids(values: pd.Series) -> pd.Series:
    """A column as stripped ``str`` ids, ``""`` for empty (integral floats as ints).

    Only a missing value is empty: text such as ``nan`` or ``None`` is an id.
    """
    s = pd.Series(values)
    if isinstance(s.dtype, pd.StringDtype):  # text already: strip it in place
        return s.fillna("").str.strip().astype("str")
    if pd.api.types.is_float_dtype(s.dtype):
        f = s.to_numpy(dtype=np.float64)
        whole = np.isfinite(f) & (np.floor(f) == f)
        obj = s.astype(object)
        obj[whole] = f[whole].astype(np.int64).astype(str)
        s = obj
    out = s.astype(object).where(s.notna(), "").astype(str).str.strip()
    return out.astype("str")


def _flags(values: pd.Series) -> pd.Series:
    s = pd.Series(values)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(bool)
    text = s.astype(object).where(s.notna(), "").astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "y", "t", "是"])


def plan_frames(
    plan: Plan,
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, tuple[str, ...]]]]:
    """The plan's tables with string ids, and the contract columns they lack.

    A table lacking a required contract column is replaced by an empty one
    (so that the rules that need it report what is missing rather than
    crash); a table lacking only an informational column (``tier``,
    ``continuity``, ``is_head``) gets it filled (``""`` / ``False``).

    Returns
    -------
    tables, missing
        ``tables[name]`` has exactly the contract columns, ``str`` dtype
        except the two flags; ``missing`` lists ``(table, columns)``.
    """
    tables: dict[str, pd.DataFrame] = {}
    missing: list[tuple[str, tuple[str, ...]]] = []
    for name, cols in PLAN_TABLES.items():
        df = getattr(plan, name, None)
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(columns=list(cols))
            missing.append((name, cols))
        lacking = tuple(c for c in cols if c not in df.columns)
        if lacking:
            missing.append((name, lacking))
            optional = OPTIONAL_PLAN_COLUMNS.get(name, ())
            if any(c not in optional for c in lacking):
                df = df.iloc[0:0]
        out: dict[str, Any] = {}
        n = len(df)
        for c in cols:
            if c in df.columns:
                col = df[c].reset_index(drop=True)
            else:
                col = pd.Series([None] * n, dtype=object)
            out[c] = _flags(col) if (name, c) in _BOOL_COLUMNS else _ids(col)
        tables[name] = pd.DataFrame(out, index=pd.RangeIndex(n))
    return tables, missing


def id_index(values: Any) -> pd.Index:
    s = pd.Series(values)
    if s.dtype == "str":  # normalised already
        return pd.Index(s)
    return pd.Index(_ids(s))


class Raw:
    """The instance's tables as string-id indexes and numpy columns.

    Built from the normalised tables only (not from the solver arrays of
    :class:`~pairing.Instance`), so that the validator's account of a plan
    is independent of the solver's. Positions (``v_county``, ``c_unit`` …) are
    row numbers of the tables; ``-1`` marks an id that is absent.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        rules = instance.rules
        self._regions(instance.regions)

        v = instance.villages
        self.v_index = id_index(v["village_id"])
        self.v_county = self.r_index.get_indexer(id_index(v["county_id"]))
        self.v_prefecture = np.where(
            self.v_county >= 0, self.r_prefecture[self.v_county], -1
        )
        self.v_key = np.where(self.v_county >= 0, self.r_key[self.v_county], False)
        self.v_poor = v["poor"].to_numpy(dtype=bool)
        self.v_severity = v["severity"].to_numpy(dtype=np.float64)
        self.v_xy = v[["x_km", "y_km"]].to_numpy(dtype=np.float64)

        u = instance.units
        self.u_index = id_index(u["unit_id"])
        self.u_tier = u["tier"].to_numpy(dtype=object)
        self.u_region = self.r_index.get_indexer(id_index(u["region_id"]))
        c = instance.cadres
        self.c_index = id_index(c["cadre_id"])
        self.c_unit = self.u_index.get_indexer(id_index(c["unit_id"]))
        n_u = len(u)
        self.u_cadres = np.bincount(self.c_unit[self.c_unit >= 0], minlength=n_u)
        bounds = []
        for which, col in enumerate(("min_villages", "max_villages")):
            table = {t: float(b[which]) for t, b in rules.villages_per_unit.items()}
            default = np.array([table.get(t, 0.0) for t in self.u_tier], dtype=float)
            given = u[col].to_numpy(dtype=np.float64)
            bounds.append(np.where(np.isnan(given), default, given).astype(np.int64))
        self.u_min, self.u_max = bounds
        strength = u["strength"].to_numpy(dtype=np.float64)
        self.u_strength = np.where(np.isnan(strength), self.u_cadres, strength)
        self.u_xy = u[["x_km", "y_km"]].to_numpy(dtype=np.float64)

        # R5: own column, else by rank, else the default
        self.c_rank = c["rank"].to_numpy(dtype=np.int64)
        cap = np.full(len(c), float(rules.max_households))
        for rank, value in rules.max_households_by_rank.items():
            cap[self.c_rank == int(rank)] = float(value)
        own = c["max_households"].to_numpy(dtype=np.float64)
        self.c_cap = np.where(np.isnan(own), cap, own).astype(np.int64)
        self.c_head = c["is_head"].to_numpy(dtype=bool)

        h = instance.households
        self.h_index = id_index(h["household_id"])
        self.h_village = self.v_index.get_indexer(id_index(h["village_id"]))
        self.h_severity = h["severity"].to_numpy(dtype=np.float64)

        lt = instance.leaders
        self.l_index = id_index(lt["leader_id"])

    def _regions(self, reg: pd.DataFrame) -> None:
        """The region columns: level, key county, prefecture, the province."""
        self.r_index = id_index(reg["region_id"])
        self.r_level = reg["level"].to_numpy(dtype=object)
        r_parent = self.r_index.get_indexer(id_index(reg["parent_id"]))
        is_county = self.r_level == "county"
        self.r_key = reg["key_county"].to_numpy(dtype=bool) & is_county
        # the prefecture-level region of each region (itself for a prefecture)
        pref = np.where(self.r_level == "prefecture", np.arange(len(reg)), -1)
        up = np.where(is_county & (r_parent >= 0), r_parent, -1)
        up_is_pref = np.zeros(len(reg), dtype=bool)
        up_is_pref[up >= 0] = self.r_level[up[up >= 0]] == "prefecture"
        pref[up_is_pref] = up[up_is_pref]
        self.r_prefecture = pref
        prov = np.flatnonzero(self.r_level == "province")
        self.province = int(prov[0]) if len(prov) else -1

    def inside(self, villages: np.ndarray, area: str) -> np.ndarray:
        """Whether each village (positions) lies in ``area`` (region or village id)."""
        villages = np.asarray(villages, dtype=np.int64)
        ok = villages >= 0
        out = np.zeros(len(villages), dtype=bool)
        r = self.r_index.get_indexer(pd.Index([area]))[0]
        if r >= 0:
            level = self.r_level[r]
            if level == "province":
                out[ok] = True
            elif level == "prefecture":
                out[ok] = self.v_prefecture[villages[ok]] == r
            else:
                out[ok] = self.v_county[villages[ok]] == r
        vi = self.v_index.get_indexer(pd.Index([area]))[0]
        if vi >= 0:
            out |= villages == vi
        return out


def lead_pairs(village_pairs: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """Usable lead rows: known poor village, known unit; first row per village.

    Returns integer columns ``v`` (village position) and ``u`` (unit position).
    """
    vp = village_pairs
    lead = (vp["role"] == "lead").to_numpy()
    v = raw.v_index.get_indexer(pd.Index(vp["village_id"]))[lead]
    u = raw.u_index.get_indexer(pd.Index(vp["unit_id"]))[lead]
    keep = (v >= 0) & (u >= 0)
    v, u = v[keep], u[keep]
    keep = raw.v_poor[v]
    df = pd.DataFrame({"v": v[keep], "u": u[keep]})
    return df.drop_duplicates("v").reset_index(drop=True)


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)``; in the ids' own order at once, and on
    Arrow-backed text by Arrow's hash lookup (430,000 ids in a tenth of the
    time)."""
    if len(values) == len(index) and pd.Series(values).reset_index(drop=True).equals(
        pd.Series(index, dtype=values.dtype)
    ):
        return np.arange(len(index))
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(pa.array(values.array), value_set=pa.array(index.array))
        return np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)
    except Exception:  # no pyarrow, or ids Arrow cannot take as text
        return np.asarray(index.get_indexer(pd.Index(values)), dtype=np.int64)


def cadre_rows(household_pairs: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """Rows naming a known household and a known cadre (first row per household).

    Integer columns ``h`` (household), ``c`` (cadre), ``v`` (village).
    """
    hp = household_pairs
    is_c = (hp["responsible_kind"] == "cadre").to_numpy()
    h = _positions(raw.h_index, hp["household_id"])[is_c]
    c = _positions(raw.c_index, hp["responsible_id"])[is_c]
    keep = (h >= 0) & (c >= 0)
    df = pd.DataFrame({"h": h[keep], "c": c[keep]}).drop_duplicates("h")
    df["v"] = raw.h_village[df["h"].to_numpy()]
    return df.reset_index(drop=True)


def may_lead(raw: Raw, units: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Whether each unit may lead each village under R2 (positions, element-wise)."""
    units = np.asarray(units, dtype=np.int64)
    villages = np.asarray(villages, dtype=np.int64)
    ok = (units >= 0) & (villages >= 0)
    u, v = np.where(ok, units, 0), np.where(ok, villages, 0)
    tier, region = raw.u_tier[u], raw.u_region[u]
    allowed = (
        (tier == "province")
        | ((tier == "prefecture") & (region == raw.v_prefecture[v]) & (region >= 0))
        | ((tier == "county") & (region == raw.v_county[v]) & (region >= 0))
    )
    return ok & allowed & raw.v_poor[v]
