"""The plan's graph, built column-wise one node and edge kind at a time (R16).

:func:`graph_tables` adds, in order: the regions and their hierarchy; the
villages; the units, their leads and supplementary claims; the cadres; the
leaders and their areas; the households or household groups. Each step is
one function below, so a node or edge kind lives in one place.
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

from ..instance import Instance
from ..plan import Plan
from ..report import _frames as F
from ..report._graphxml import GraphTables
from ..schema import LEVELS, UNIT_TIERS
from ._builder import _Builder, group_id


def graph(
    instance: Instance,
    plan: Plan,
    *,
    households: Literal["aggregate", "full"] = "aggregate",
) -> nx.DiGraph:
    """The plan as a typed directed graph (see :mod:`pairing.graph`).

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        The plan.
    households
        ``"aggregate"``: one ``household_group`` node per (village,
        responsible person) with a ``count`` and the group's ``severity``
        (its sum); ``"full"``: one ``household`` node per planned household
        (opaque ids only).

    Returns
    -------
    networkx.DiGraph
        Nodes: every region; every poor village and every village holding a
        planned household; every unit; the cadres that are responsible for a
        household or dispatched; every leader; the households or groups.
        ``graph.graph`` holds ``households`` (the mode) and ``counts``.

    Raises
    ------
    InputError
        When the plan names a village, unit, household, cadre or leader the
        instance does not have.
    ValueError
        When ``households`` is neither ``aggregate`` nor ``full``.

    Examples
    --------
    >>> import pairing
    >>> from pairing.graph import graph
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> G = graph(instance, plan, households="full")
    >>> kinds = {d["kind"] for _, d in G.nodes(data=True)}
    >>> sorted(kinds)
    ['cadre', 'household', 'leader', 'region', 'unit', 'village']
    >>> sum(d["kind"] == "household" for _, d in G.nodes(data=True)) == len(
    ...     plan.household_pairs
    ... )
    True
    """
    return graph_tables(instance, plan, households=households).to_networkx()


def graph_tables(
    instance: Instance,
    plan: Plan,
    *,
    households: Literal["aggregate", "full"] = "aggregate",
) -> GraphTables:
    """The graph of :func:`graph` as frames, one per node or edge kind.

    Built column-wise (no Python loop over households); :func:`write_graph`
    writes it as GraphML or GEXF in seconds for a provincial plan, and
    :meth:`GraphTables.to_networkx` turns it into :func:`graph`'s DiGraph.

    Examples
    --------
    >>> import pairing
    >>> from pairing.graph import graph_tables
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> plan = pairing.solve(instance, time_limit=10)
    >>> tables = graph_tables(instance, plan)
    >>> tables.graph["households"]
    'aggregate'
    >>> "household_group=" in tables.graph["counts_nodes"]
    True
    """
    if households not in ("aggregate", "full"):
        raise ValueError(
            f"households must be 'aggregate' or 'full', not {households!r}"
        )
    inst = instance
    B = _Builder()
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    vid = inst.village_index.to_numpy(dtype=object).astype(str)
    uid = inst.unit_index.to_numpy(dtype=object).astype(str)
    cid = inst.cadre_index.to_numpy(dtype=object).astype(str)
    lid = inst.leader_index.to_numpy(dtype=object).astype(str)
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    rkeys = _add_regions(B, inst, rid)
    vkeys = _add_villages(B, inst, hf, rid, vid, rkeys)
    loads = F.cadre_loads(inst, plan, hf)
    ukeys = _add_units(B, inst, loads, uid, rkeys)
    _add_leads(B, inst, plan, lf, vid, ukeys, vkeys)
    ckeys = _add_cadres(B, inst, plan, loads, cid, uid, ukeys)
    lkeys = _add_leaders(B, inst, plan, hf, lid, vid, rkeys, vkeys)
    c = hf["c"].to_numpy()
    resp = np.asarray(
        np.where(
            c >= 0,
            ckeys[np.maximum(c, 0)],
            lkeys[np.maximum(hf["l"].to_numpy(), 0)] if len(lkeys) else None,
        )
    )
    if households == "full":
        _add_households(B, inst, hf, resp, vkeys)
    else:
        _add_household_groups(B, hf, resp, vid, vkeys)
    return B.tables(households=households)


def _add_regions(B: _Builder, inst: Instance, rid: np.ndarray) -> np.ndarray:
    """Every region, ``located_in`` its parent (R2); their node keys."""
    rkeys = B.add_nodes(
        "region",
        rid,
        label=F.region_names(inst),
        level=np.asarray(LEVELS, dtype=object)[inst.r_level].astype(str),
        key_county=inst.r_key,
    )
    child = np.flatnonzero(inst.r_parent >= 0)
    B.add_edges("located_in", rkeys[child], rkeys[inst.r_parent[child]])
    return rkeys


def _add_villages(
    B: _Builder,
    inst: Instance,
    hf: pd.DataFrame,
    rid: np.ndarray,
    vid: np.ndarray,
    rkeys: np.ndarray,
) -> np.ndarray:
    """The poor villages and those holding a planned household, ``located_in``
    their county; keys by village position (``None`` for a village left out)."""
    keep = inst.v_poor.copy()
    keep[hf["v"].to_numpy()] = True
    vs = np.flatnonzero(keep)
    vkeys = np.full(len(vid), None, dtype=object)
    vkeys[vs] = B.add_nodes(
        "village",
        vid[vs],
        label=F.village_names(inst)[vs],
        poor=inst.v_poor[vs],
        severity=inst.v_severity[vs],
        households=inst.v_households[vs],
        county_id=rid[inst.v_county[vs]],
        x_km=np.nan_to_num(inst.v_xy[vs, 0]),
        y_km=np.nan_to_num(inst.v_xy[vs, 1]),
    )
    B.add_edges("located_in", vkeys[vs], rkeys[inst.v_county[vs]])
    return vkeys


def _add_units(
    B: _Builder, inst: Instance, loads: np.ndarray, uid: np.ndarray, rkeys: np.ndarray
) -> np.ndarray:
    """Every unit, ``located_in`` its region when it has one; their node keys."""
    u_households = np.bincount(inst.c_unit, weights=loads, minlength=len(uid)).astype(
        np.int64
    )
    ukeys = B.add_nodes(
        "unit",
        uid,
        label=F.unit_names(inst),
        tier=np.asarray(UNIT_TIERS, dtype=object)[inst.u_tier].astype(str),
        unit_kind=inst.units["kind"].to_numpy(dtype=object).astype(str),
        strength=inst.u_strength,
        cadres=inst.u_cadres,
        households=u_households,
    )
    has_region = inst.u_region >= 0
    B.add_edges("located_in", ukeys[has_region], rkeys[inst.u_region[has_region]])
    return ukeys


def _add_leads(
    B: _Builder,
    inst: Instance,
    plan: Plan,
    lf: pd.DataFrame,
    vid: np.ndarray,
    ukeys: np.ndarray,
    vkeys: np.ndarray,
) -> None:
    """The ``leads`` edges (R1, R2) and the ``supplements`` claims (R13); a
    claimed village with no node yet gets one (into ``vkeys``)."""
    B.add_edges(
        "leads",
        ukeys[lf["u"].to_numpy()],
        vkeys[lf["v"].to_numpy()],
        role=np.full(len(lf), "lead", dtype=object),
        continuity=lf["continuity"].to_numpy(dtype=bool),
    )
    vp = plan.village_pairs
    sup = vp[vp["role"].astype(str) == "supplementary"]
    sv = F._index(inst.village_index, sup["village_id"], "village_pairs", "village_id")
    su = F._index(inst.unit_index, sup["unit_id"], "village_pairs", "unit_id")
    missing = np.unique(sv[vkeys[sv] == None])  # noqa: E711 (object array)
    if len(missing):  # a claim on a village with no node yet
        vkeys[missing] = B.add_nodes("village", vid[missing])
    B.add_edges(
        "supplements",
        ukeys[su],
        vkeys[sv],
        role=np.full(len(sv), "supplementary", dtype=object),
    )


def _add_cadres(
    B: _Builder,
    inst: Instance,
    plan: Plan,
    loads: np.ndarray,
    cid: np.ndarray,
    uid: np.ndarray,
    ukeys: np.ndarray,
) -> np.ndarray:
    """The cadres responsible for a household or dispatched, ``member_of``
    their unit (R5); keys by cadre position (``None`` for one left out)."""
    dispatched = np.zeros(len(cid), dtype=bool)
    dc = inst.cadre_index.get_indexer(
        pd.Index(plan.dispatch["cadre_id"].to_numpy(dtype=object))
    )
    dispatched[dc[dc >= 0]] = True
    cs = np.flatnonzero((loads > 0) | dispatched)
    ckeys = np.full(len(cid), None, dtype=object)
    ckeys[cs] = B.add_nodes(
        "cadre",
        cid[cs],
        rank=inst.c_rank[cs],
        is_head=inst.c_head[cs],
        capacity=inst.c_cap[cs],
        load=loads[cs],
        dispatched=dispatched[cs],
        unit_id=uid[inst.c_unit[cs]],
    )
    B.add_edges("member_of", ckeys[cs], ukeys[inst.c_unit[cs]])
    return ckeys


def _add_leaders(
    B: _Builder,
    inst: Instance,
    plan: Plan,
    hf: pd.DataFrame,
    lid: np.ndarray,
    vid: np.ndarray,
    rkeys: np.ndarray,
    vkeys: np.ndarray,
) -> np.ndarray:
    """Every leader with its area and contact village, ``covers_area`` (R7);
    a covered village with no node yet gets one (into ``vkeys``)."""
    la = plan.leader_areas
    lc = plan.leader_contacts
    contact = dict(
        zip(lc["leader_id"].astype(str), lc["village_id"].astype(str), strict=False)
    )
    area = dict(
        zip(la["leader_id"].astype(str), la["area_id"].astype(str), strict=False)
    )
    l_hh = np.bincount(hf["l"].to_numpy()[hf["l"].to_numpy() >= 0], minlength=len(lid))
    lkeys = B.add_nodes(
        "leader",
        lid,
        label=inst.leaders["name"].to_numpy(dtype=object).astype(str),
        tier=inst.leaders["tier"].to_numpy(dtype=object).astype(str),
        region_id=inst.leaders["region_id"].to_numpy(dtype=object).astype(str),
        covers=inst.leaders["covers"].to_numpy(dtype=object).astype(str),
        area_id=np.array([area.get(i, "") for i in lid], dtype=object),
        contact_village=np.array([contact.get(i, "") for i in lid], dtype=object),
        households=l_hh,
    )
    li = F._index(inst.leader_index, la["leader_id"], "leader_areas", "leader_id")
    a = la["area_id"].to_numpy(dtype=object)
    ar = inst.region_index.get_indexer(pd.Index(a))
    av = inst.village_index.get_indexer(pd.Index(a))
    targets = np.full(len(ar), None, dtype=object)
    targets[ar >= 0] = rkeys[ar[ar >= 0]]
    at_village = (ar < 0) & (av >= 0)
    new = np.unique(av[at_village])
    new = new[vkeys[new] == None]  # noqa: E711 (leaders covering a village)
    if len(new):
        vkeys[new] = B.add_nodes("village", vid[new])
    targets[at_village] = vkeys[av[at_village]]
    ok = targets != None  # noqa: E711 (object array)
    B.add_edges("covers_area", lkeys[li[ok]], targets[ok])
    return lkeys


def _add_households(
    B: _Builder, inst: Instance, hf: pd.DataFrame, resp: np.ndarray, vkeys: np.ndarray
) -> None:
    """One ``household`` node per planned household (opaque ids only)."""
    hkeys = B.add_nodes(
        "household",
        hf["household_id"].to_numpy(dtype=object),
        severity=hf["severity"].to_numpy(),
        members=inst.h_members[hf["h"].to_numpy()],
        scattered=hf["scattered"].to_numpy(),
    )
    B.add_edges("located_in", hkeys, vkeys[hf["v"].to_numpy()])
    B.add_edges("responsible_for", resp, hkeys)


def _add_household_groups(
    B: _Builder, hf: pd.DataFrame, resp: np.ndarray, vid: np.ndarray, vkeys: np.ndarray
) -> None:
    """One ``household_group`` node per (village, responsible person)."""
    grp = pd.DataFrame(
        {
            "v": hf["v"].to_numpy(),
            "resp": resp,
            "rid": hf["responsible_id"].to_numpy(dtype=object),
            "severity": hf["severity"].to_numpy(),
            "scattered": hf["scattered"].to_numpy(),
        }
    )
    g = grp.groupby(["v", "resp", "rid"], sort=True, observed=True).agg(
        count=("severity", "size"),
        severity=("severity", "sum"),
        scattered=("scattered", "first"),
    )
    g = g.reset_index()
    gv = g["v"].to_numpy()
    grid = g["rid"].to_numpy(dtype=object).astype(str)
    gkeys = B.add_nodes(
        "household_group",
        group_id(vid[gv], grid),
        count=g["count"].to_numpy(dtype=np.int64),
        severity=g["severity"].to_numpy(),
        scattered=g["scattered"].to_numpy(dtype=bool),
        village_id=vid[gv],
        responsible_id=grid,
    )
    B.add_edges("located_in", gkeys, vkeys[gv])
    B.add_edges(
        "responsible_for",
        g["resp"].to_numpy(dtype=object),
        gkeys,
        count=g["count"].to_numpy(dtype=np.int64),
    )
