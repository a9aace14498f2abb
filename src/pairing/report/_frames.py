"""Joins of a plan with its instance, shared by the reports and the graph.

Everything is vectorised: one ``get_indexer`` per id column, then numpy
gathers over the :class:`~pairing.Instance` arrays. For the plan that
:func:`memoised` returns (as :func:`pairing.report.write_report` uses),
:func:`leads`, :func:`households` and the other joins are computed once per
instance rather than by every table that needs them; treat their frames as
read-only. The memo travels with that plan object: there is no module-level
or context state, so calls in threads never see each other's joins.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ..metrics import Raw, figures_from, plan_frames, plan_views
from ..plan import Plan
from ..schema import UNIT_TIERS


def _index(index: pd.Index, values: pd.Series, table: str, column: str) -> np.ndarray:
    """Positions of ``values`` in ``index``; unknown ids are bad input."""
    pos = index.get_indexer(pd.Index(values.to_numpy(dtype=object))).astype(np.int64)
    bad = np.flatnonzero(pos < 0)
    if len(bad):
        ids = values.to_numpy(dtype=object)[bad[:20]]
        raise InputError(
            [
                Problem(table, str(i), column, "an id of the instance", "unknown")
                for i in ids
            ],
            truncated=max(0, len(bad) - 20),
        )
    return pos


class _Memo:
    """Joins of one instance with one plan, each computed once (thread-safe)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.values: dict[str, Any] = {}
        self.lock = threading.RLock()


def memoised(instance: Instance, plan: Plan) -> Plan:
    """A view of ``plan`` (the same tables) whose joins with ``instance`` are
    computed once.

    The plan's tables must not change while the view is in use.
    """
    view = copy.copy(plan)
    view.__dict__["_memo"] = _Memo(instance)
    return view


def once(name: str, instance: Instance, plan: Plan, make: Callable[[], Any]) -> Any:
    """``make()``, once per :func:`memoised` plan (every call for other plans)."""
    return _once(name, instance, plan, make)


def _once(name: str, instance: Instance, plan: Plan, make: Callable[[], Any]) -> Any:
    memo = plan.__dict__.get("_memo")
    if not isinstance(memo, _Memo) or memo.instance is not instance:
        return make()
    with memo.lock:
        if name not in memo.values:
            memo.values[name] = make()
        return memo.values[name]


def region_names(instance: Instance) -> np.ndarray:
    """Region names (the id where a name is empty), in region order."""
    names = instance.regions["name"].to_numpy(dtype=object).astype(str)
    ids = instance.region_index.to_numpy(dtype=object).astype(str)
    return np.where(names == "", ids, names)


def village_names(instance: Instance) -> np.ndarray:
    names = instance.villages["name"].to_numpy(dtype=object).astype(str)
    ids = instance.village_index.to_numpy(dtype=object).astype(str)
    return np.where(names == "", ids, names)


def unit_names(instance: Instance) -> np.ndarray:
    names = instance.units["name"].to_numpy(dtype=object).astype(str)
    ids = instance.unit_index.to_numpy(dtype=object).astype(str)
    return np.where(names == "", ids, names)


def leads(instance: Instance, plan: Plan) -> pd.DataFrame:
    """One row per ``lead`` pairing: village and unit positions and figures.

    Columns: ``v``, ``u`` (instance positions), ``village_id``, ``unit_id``,
    ``tier``, ``tier_code`` (0 province … 2 county), ``county`` and
    ``prefecture`` (region positions, -1 when none), ``severity``,
    ``households`` (poor households of the village), ``continuity``.
    """
    return _once("leads", instance, plan, lambda: _leads(instance, plan))


def _leads(instance: Instance, plan: Plan) -> pd.DataFrame:
    vp = plan.village_pairs
    lead = vp[vp["role"].astype(str) == "lead"]
    v = _index(
        instance.village_index, lead["village_id"], "village_pairs", "village_id"
    )
    u = _index(instance.unit_index, lead["unit_id"], "village_pairs", "unit_id")
    return pd.DataFrame(
        {
            "v": v,
            "u": u,
            "village_id": lead["village_id"].to_numpy(dtype=object).astype(str),
            "unit_id": lead["unit_id"].to_numpy(dtype=object).astype(str),
            "tier": np.asarray(UNIT_TIERS, dtype=object)[instance.u_tier[u]].astype(
                str
            ),
            "tier_code": instance.u_tier[u],
            "county": instance.v_county[v],
            "prefecture": instance.v_prefecture[v],
            "severity": instance.v_severity[v],
            "households": instance.v_households[v],
            "continuity": lead["continuity"].to_numpy(dtype=bool),
        }
    )


def village_lead(instance: Instance, plan: Plan) -> np.ndarray:
    """Lead unit position per village (-1 where none)."""
    out = np.full(len(instance.villages), -1, dtype=np.int64)
    lf = leads(instance, plan)
    out[lf["v"].to_numpy()] = lf["u"].to_numpy()
    return out


def households(instance: Instance, plan: Plan) -> pd.DataFrame:
    """One row per ``household_pairs`` row, with positions into the instance.

    Columns: ``h``, ``v``, ``county``, ``prefecture`` (positions),
    ``household_id``, ``responsible_id``, ``responsible_kind``, ``unit_id``,
    ``c`` (cadre position or -1), ``l`` (leader position or -1), ``u`` (the
    cadre's unit or -1), ``severity``, ``scattered``.
    """
    return _once("households", instance, plan, lambda: _households(instance, plan))


def _households(instance: Instance, plan: Plan) -> pd.DataFrame:
    hp = plan.household_pairs
    h = _index(
        pd.Index(instance.households["household_id"].to_numpy(dtype=object)),
        hp["household_id"],
        "household_pairs",
        "household_id",
    )
    kind = hp["responsible_kind"].to_numpy(dtype=object).astype(str)
    resp = hp["responsible_id"].to_numpy(dtype=object)
    is_cadre = kind == "cadre"
    c = np.where(is_cadre, instance.cadre_index.get_indexer(pd.Index(resp)), -1).astype(
        np.int64
    )
    ldr = np.where(
        kind == "leader", instance.leader_index.get_indexer(pd.Index(resp)), -1
    )
    ldr = ldr.astype(np.int64)
    if ((c < 0) & (ldr < 0)).any():
        bad = hp.loc[(c < 0) & (ldr < 0), "responsible_id"]
        _index(pd.Index([]), bad, "household_pairs", "responsible_id")
    v = instance.h_village[h]
    return pd.DataFrame(
        {
            "h": h,
            "v": v,
            "county": instance.v_county[v],
            "prefecture": instance.v_prefecture[v],
            "household_id": hp["household_id"].to_numpy(dtype=object).astype(str),
            "responsible_id": resp.astype(str),
            "responsible_kind": kind,
            "c": c,
            "l": ldr,
            "u": np.where(c >= 0, instance.c_unit[np.maximum(c, 0)], -1),
            "severity": instance.h_severity[h],
            "scattered": instance.h_scattered[h],
        }
    )


def cadre_loads(
    instance: Instance, plan: Plan, hf: pd.DataFrame | None = None
) -> np.ndarray:
    """Households per cadre, in cadre order (R5, R12)."""

    def make(hf: pd.DataFrame | None = hf) -> np.ndarray:
        hf = households(instance, plan) if hf is None else hf
        c = hf["c"].to_numpy()
        return np.bincount(c[c >= 0], minlength=len(instance.cadres)).astype(np.int64)

    if hf is not None:
        return make()
    return _once("cadre_loads", instance, plan, make)


def metric_views(
    instance: Instance, plan: Plan
) -> tuple[Any, dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """:mod:`pairing.metrics`' views of the plan: ``raw, tables, leads, covered``.

    Every soft-rule figure a report shows is computed from these, by the
    functions the solver's summary and the validator use.
    """

    def make() -> tuple[Any, dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
        raw = Raw(instance)
        tables, _ = plan_frames(plan)
        leads, covered = plan_views(raw, tables)
        return raw, tables, leads, covered

    return _once("metric_views", instance, plan, make)


def soft(instance: Instance, plan: Plan) -> dict[str, Any]:
    """:func:`pairing.metrics.soft_figures` of the plan (once per report)."""

    def make() -> dict[str, Any]:
        raw, tables, _, _ = metric_views(instance, plan)
        return figures_from(raw, tables)

    return _once("soft", instance, plan, make)
