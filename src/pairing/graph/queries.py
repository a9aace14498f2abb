"""Questions asked of a plan: who answers for a household, coverage and load
per region, units and cadres per tier (R1, R3, R5, R7, R12, R13).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ..schema import LEADER_TIERS, LEVELS, UNIT_TIERS


def chain_of_responsibility(
    instance: Instance, plan: Plan, household_id: str
) -> list[dict[str, Any]]:
    """Who answers for a household, from the household up.

    The chain is: the household; its responsible person (a cadre, or a
    leader who took it at their contact village, R7); for a cadre, the unit
    and then its tier; last, the leader(s) whose area covers the household's
    village (its village, county, prefecture or the province), of any tier.

    Returns
    -------
    list of dict
        One step each, with ``kind`` (``household``, ``cadre``, ``leader``,
        ``unit``, ``tier``, ``area_leader``), ``id`` and step-specific keys
        (``village_id``, ``county_id``, ``prefecture_id``, ``name``, ``tier``,
        ``rank``, ``area_id`` …). Households appear by opaque id only.

    Raises
    ------
    KeyError
        When the household has no row in the plan.

    Examples
    --------
    >>> import pairing
    >>> from pairing.graph import chain_of_responsibility
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> first = str(plan.household_pairs["household_id"].iloc[0])
    >>> chain = chain_of_responsibility(instance, plan, first)
    >>> chain[0]["kind"], chain[0]["id"] == first
    ('household', True)
    >>> chain[1]["kind"] in ("cadre", "leader")
    True
    """
    inst = instance
    hp = plan.household_pairs
    row = hp[hp["household_id"].astype(str) == str(household_id)]
    if row.empty:
        raise KeyError(f"household {household_id} is not in the plan")
    hf = F.households(inst, plan.__class__(household_pairs=row))
    r = hf.iloc[0]
    rid = inst.region_index.to_numpy(dtype=object)
    v, county, pref = int(r["v"]), int(r["county"]), int(r["prefecture"])
    chain: list[dict[str, Any]] = [
        {
            "kind": "household",
            "id": str(household_id),
            "village_id": str(inst.village_index[v]),
            "village": str(F.village_names(inst)[v]),
            "county_id": str(rid[county]) if county >= 0 else "",
            "prefecture_id": str(rid[pref]) if pref >= 0 else "",
            "scattered": bool(r["scattered"]),
        }
    ]
    chain += _responsible_steps(inst, r)
    areas = {str(inst.village_index[v]), str(rid[inst.province])}
    if county >= 0:
        areas.add(str(rid[county]))
    if pref >= 0:
        areas.add(str(rid[pref]))
    return chain + _area_leader_steps(inst, plan, areas)


def _responsible_steps(inst: Instance, r: pd.Series) -> list[dict[str, Any]]:
    """The household's cadre, unit and tier, or the leader who took it (R7)."""
    if r["c"] >= 0:
        c, u = int(r["c"]), int(r["u"])
        tier = UNIT_TIERS[int(inst.u_tier[u])]
        return [
            {
                "kind": "cadre",
                "id": str(inst.cadre_index[c]),
                "rank": int(inst.c_rank[c]),
                "is_head": bool(inst.c_head[c]),
            },
            {
                "kind": "unit",
                "id": str(inst.unit_index[u]),
                "name": str(F.unit_names(inst)[u]),
                "tier": tier,
                "region_id": str(inst.units["region_id"].iloc[u]),
            },
            {"kind": "tier", "id": tier},
        ]
    lp = int(r["l"])
    return [
        {
            "kind": "leader",
            "id": str(inst.leader_index[lp]),
            "name": str(inst.leaders["name"].iloc[lp]),
            "tier": str(inst.leaders["tier"].iloc[lp]),
        }
    ]


def _area_leader_steps(
    inst: Instance, plan: Plan, areas: set[str]
) -> list[dict[str, Any]]:
    """The leaders whose area is one of ``areas``, the province's first."""
    names = F.region_names(inst)
    la = plan.leader_areas
    hit = la[la["area_id"].astype(str).isin(areas)]
    order = {t: i for i, t in enumerate(LEADER_TIERS)}
    steps = []
    for lid, area in zip(
        hit["leader_id"].astype(str), hit["area_id"].astype(str), strict=True
    ):
        pos = inst.leader_index.get_indexer(pd.Index([lid]))[0]
        if pos < 0:
            continue
        tier = str(inst.leaders["tier"].iloc[pos])
        ar = inst.region_index.get_indexer(pd.Index([area]))[0]
        steps.append(
            {
                "kind": "area_leader",
                "id": lid,
                "name": str(inst.leaders["name"].iloc[pos]),
                "tier": tier,
                "area_id": area,
                "area": str(names[ar]) if ar >= 0 else area,
            }
        )
    steps.sort(key=lambda s: (order.get(s["tier"], 9), s["id"]))
    return steps


def coverage_by_region(
    instance: Instance,
    plan: Plan,
    level: Literal["prefecture", "county"] = "prefecture",
) -> pd.DataFrame:
    """Coverage and load per prefecture or county (R1, R5, R12).

    Returns
    -------
    DataFrame
        One row per region of ``level`` (in region order): ``region_id``,
        ``name``, ``parent_id``, ``poor_villages``, ``led_villages``,
        ``households`` (poor households living there), ``covered_households``
        (with a responsible person in the plan), ``by_leaders``, ``coverage``
        (share covered), ``cadres_used`` (distinct cadres responsible for
        households there), ``mean_load`` (cadre-covered households there per
        cadre used), ``max_load`` (largest total load of those cadres).

    Raises
    ------
    ValueError
        When ``level`` is neither ``prefecture`` nor ``county``.

    Examples
    --------
    >>> import pairing
    >>> from pairing.graph import coverage_by_region
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> cov = coverage_by_region(instance, plan, "county")
    >>> list(cov.columns[:4])
    ['region_id', 'name', 'parent_id', 'poor_villages']
    >>> bool((cov["coverage"] == 1.0).all())  # R1: every household covered
    True
    """
    if level not in ("prefecture", "county"):
        raise ValueError(f"level must be 'prefecture' or 'county', not {level!r}")
    inst = instance
    v_region = inst.v_prefecture if level == "prefecture" else inst.v_county
    cols = _coverage_columns(inst, plan, v_region)
    rows = np.flatnonzero(inst.r_level == LEVELS.index(level))
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    parent = np.where(inst.r_parent >= 0, rid[np.maximum(inst.r_parent, 0)], "")
    return pd.DataFrame(
        {
            "region_id": rid[rows],
            "name": F.region_names(inst)[rows],
            "parent_id": parent[rows],
            **{name: col[rows] for name, col in cols.items()},
        }
    )


def _counter(n: int) -> Callable[..., np.ndarray]:
    """``count(idx, weights=None)``: a bincount of ``n`` bins, ``-1`` left out."""

    def count(idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        idx = np.asarray(idx)
        ok = idx >= 0
        w = None if weights is None else np.asarray(weights)[ok]
        return np.bincount(idx[ok], weights=w, minlength=n)

    return count


def _coverage_columns(
    inst: Instance, plan: Plan, v_region: np.ndarray
) -> dict[str, np.ndarray]:
    """The figures of :func:`coverage_by_region` for every region, in order."""
    n = len(inst.regions)
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    loads = F.cadre_loads(inst, plan, hf)
    count = _counter(n)
    h_region = v_region[inst.h_village]
    hr = v_region[hf["v"].to_numpy()]
    c = hf["c"].to_numpy()
    by_cadre = c >= 0
    pairs = pd.DataFrame({"r": hr[by_cadre], "c": c[by_cadre]}).drop_duplicates()
    cadres_used = count(pairs["r"].to_numpy())
    max_load = np.zeros(n)
    if len(pairs):
        ml = (
            pd.Series(loads[pairs["c"].to_numpy()]).groupby(pairs["r"].to_numpy()).max()
        )
        max_load[ml.index.to_numpy()] = ml.to_numpy()
    cadre_hh = count(hr[by_cadre])
    households = count(h_region)
    covered = count(hr)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "poor_villages": count(v_region[inst.v_poor]).astype(np.int64),
            "led_villages": count(v_region[lf["v"].to_numpy()]).astype(np.int64),
            "households": households.astype(np.int64),
            "covered_households": covered.astype(np.int64),
            "by_leaders": count(hr[~by_cadre]).astype(np.int64),
            "coverage": np.where(households > 0, covered / households, 1.0),
            "cadres_used": cadres_used.astype(np.int64),
            "mean_load": np.where(cadres_used > 0, cadre_hh / cadres_used, 0.0),
            "max_load": max_load.astype(np.int64),
        }


def units_by_tier(instance: Instance, plan: Plan) -> pd.DataFrame:
    """Units, villages, households and cadres per unit tier.

    Returns
    -------
    DataFrame
        One row per tier (``province``, ``prefecture``, ``county``,
        ``social``): ``units``, ``units_leading``, ``villages_led``,
        ``supplementary``, ``households`` (covered by the tier's cadres),
        ``cadres``, ``cadres_used``, ``dispatched``, ``mean_strength``,
        ``mean_village_severity``.

    Examples
    --------
    >>> import pairing
    >>> from pairing.graph import units_by_tier
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> tiers = units_by_tier(instance, plan)
    >>> tiers["tier"].tolist()
    ['province', 'prefecture', 'county', 'social']
    >>> int(tiers["units"].sum()) == len(instance.units)
    True
    """
    inst = instance
    k = len(UNIT_TIERS)
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    su, du = _supplementing_and_dispatching(inst, plan)
    loads = F.cadre_loads(inst, plan, hf)
    c_tier = inst.u_tier[inst.c_unit]
    leading = np.zeros(len(inst.units), dtype=bool)
    leading[lf["u"].to_numpy()] = True
    villages = np.bincount(lf["tier_code"].to_numpy(), minlength=k)
    sev = np.bincount(
        lf["tier_code"].to_numpy(), weights=lf["severity"].to_numpy(), minlength=k
    )
    units = np.bincount(inst.u_tier, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "tier": list(UNIT_TIERS),
                "units": units,
                "units_leading": np.bincount(inst.u_tier[leading], minlength=k),
                "villages_led": villages,
                "supplementary": np.bincount(inst.u_tier[su[su >= 0]], minlength=k),
                "households": np.bincount(c_tier, weights=loads, minlength=k).astype(
                    np.int64
                ),
                "cadres": np.bincount(c_tier, minlength=k),
                "cadres_used": np.bincount(c_tier[loads > 0], minlength=k),
                "dispatched": np.bincount(inst.u_tier[du[du >= 0]], minlength=k),
                "mean_strength": np.where(
                    units > 0,
                    np.bincount(inst.u_tier, weights=inst.u_strength, minlength=k)
                    / np.maximum(units, 1),
                    0.0,
                ),
                "mean_village_severity": np.where(
                    villages > 0, sev / np.maximum(villages, 1), 0.0
                ),
            }
        )


def _supplementing_and_dispatching(
    inst: Instance, plan: Plan
) -> tuple[np.ndarray, np.ndarray]:
    """Unit positions of the supplementary claims (R13) and the dispatches
    (``-1`` for an id the instance does not have)."""
    vp = plan.village_pairs
    sup = vp[vp["role"].astype(str) == "supplementary"]
    su = inst.unit_index.get_indexer(pd.Index(sup["unit_id"].to_numpy(dtype=object)))
    du = inst.unit_index.get_indexer(
        pd.Index(plan.dispatch["unit_id"].to_numpy(dtype=object))
    )
    return su, du
