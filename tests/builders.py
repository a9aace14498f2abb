"""Build small normalised instances by hand in tests.

``make_instance(regions=[...], villages=[...], ...)`` takes lists of dicts (or
DataFrames) with only the columns a test cares about; every other contract
column is filled with its empty value, and the result is an
:class:`~pairing.Instance` built without the input checks (so tests of the
solver do not depend on the loader).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import pairing
from pairing.instance import Instance
from pairing.plan import Plan
from pairing.rules import Rules, Weights
from pairing.schema import TABLES


def frame(name: str, rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A normalised contract table from a few rows."""
    df = pd.DataFrame(rows).copy()
    out: dict[str, Any] = {}
    n = len(df)
    for col in TABLES[name].columns:
        values = (
            df[col.name]
            if col.name in df.columns
            else pd.Series([None] * n, dtype=object)
        )
        if col.kind in ("id", "str", "enum"):
            s = values.astype(object).where(values.notna(), "")
            out[col.name] = s.astype(str).astype("str")
        elif col.kind == "bool":
            out[col.name] = values.fillna(False).astype(bool).to_numpy()
        elif col.kind == "int" and col.required:
            out[col.name] = values.astype(np.int64).to_numpy()
        else:
            out[col.name] = pd.to_numeric(values, errors="coerce").astype(np.float64)
    for extra in df.columns:  # extra columns are kept
        if extra not in out:
            out[extra] = df[extra]
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def make_instance(rules: Rules | None = None, **tables: Any) -> Instance:
    """An instance from rows per table (missing optional tables are empty)."""
    frames = {name: frame(name, tables.get(name, [])) for name in TABLES}
    return Instance(frames, rules or Rules())


# -- golden provinces (pairing.solve end to end) -----------------------------


def cadres(unit: str, n: int, *, cap: int | None = None, rank: int = 1) -> list[dict]:
    """``n`` cadres of ``unit``, the first one its head (rank 4)."""
    return [
        {
            "cadre_id": f"{unit}-c{i}",
            "unit_id": unit,
            "rank": 4 if i == 0 else rank,
            "max_households": cap,
            "is_head": i == 0,
        }
        for i in range(n)
    ]


def households(village: str, n: int, severity: float | list[float] = 1.0) -> list[dict]:
    sev = severity if isinstance(severity, list) else [severity] * n
    return [
        {
            "household_id": f"{village}-h{i:02d}",
            "village_id": village,
            "members": 1,
            "severity": float(sev[i]),
        }
        for i in range(n)
    ]


def province(
    counties: dict[str, str],
    villages: list[tuple],
    units: list[dict],
    *,
    key: tuple[str, ...] = (),
    size: dict[str, int] | None = None,
    rules: Rules | None = None,
    **extra: Any,
):
    """A hand-made province ``P``.

    Parameters
    ----------
    counties
        ``{county: prefecture}``.
    villages
        ``(village, county, poor, severity, households)`` rows.
    units
        ``units`` rows; each gets ``size[unit]`` cadres (default 6 for the
        province tier, 4 otherwise).
    key
        Key counties (R6).
    extra
        Further tables (``leaders``, ``resident_teams``, ``claims``) or
        replacement ``cadres`` / ``households`` rows.
    """
    prefs = sorted(set(counties.values()))
    regions = [{"region_id": "P", "level": "province"}]
    regions += [
        {"region_id": p, "level": "prefecture", "parent_id": "P"} for p in prefs
    ]
    regions += [
        {"region_id": c, "level": "county", "parent_id": p, "key_county": c in key}
        for c, p in counties.items()
    ]
    vrows, hrows = [], []
    for v, county, poor, sev, n in villages:
        vrows.append(
            {"village_id": v, "county_id": county, "poor": poor, "severity": sev}
        )
        hrows += households(v, n, 1.0)
    size = size or {}
    crow: list[dict] = []
    for u in units:
        default = 6 if u["tier"] == "province" else 4
        crow += cadres(u["unit_id"], size.get(u["unit_id"], default))
    tables = {
        "regions": regions,
        "villages": vrows,
        "households": hrows,
        "units": units,
        "cadres": crow,
    }
    tables.update(extra)
    return make_instance(rules, **tables)


def unit(uid: str, tier: str, region: str, **kw: Any) -> dict:
    return {"unit_id": uid, "tier": tier, "region_id": region, **kw}


def leads(plan: Plan) -> dict[str, str]:
    vp = plan.village_pairs
    vp = vp[vp["role"] == "lead"]
    return dict(zip(vp["village_id"], vp["unit_id"], strict=True))


def solved(inst, **kw) -> Plan:
    """Solve and check the plan independently (every hard rule holds)."""
    kw = {"time_limit": 10, "seed": 0, **kw}
    plan = pairing.solve(inst, **kw)
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
    return plan


def by_unit(plan: Plan) -> dict[str, int]:
    """Households covered by cadres, per unit."""
    hp = plan.household_pairs
    hp = hp[hp["responsible_kind"] == "cadre"]
    return hp["unit_id"].value_counts().to_dict()


ONE_COUNTY = {"C": "A"}


# -- soft rules: one weight against another term --------------------------------


def weighted(inst, **w):
    return inst.replace(rules=inst.rules.replace(weights=Weights(**w)))


def soft(inst, **w):
    plan = solved(weighted(inst, **w))
    return plan, plan.info["soft"]


def with_xy(counties, villages, units, pos, **kw):
    """:func:`province` with positions ``{village or unit id: (x_km, y_km)}``."""
    inst = province(counties, villages, units, **kw)
    tables = dict(inst.tables)
    for name, col in (("villages", "village_id"), ("units", "unit_id")):
        df = tables[name].copy()
        xy = df[col].map(pos)
        df["x_km"] = xy.map(lambda p: p[0] if isinstance(p, tuple) else np.nan).astype(
            float
        )
        df["y_km"] = xy.map(lambda p: p[1] if isinstance(p, tuple) else np.nan).astype(
            float
        )
        tables[name] = df
    return make_instance(inst.rules, **tables)
