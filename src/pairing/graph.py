"""The whole plan as a typed graph other tools can open (R16).

Nodes carry a ``kind`` (``region``, ``village``, ``unit``, ``cadre``,
``leader``, ``household`` or ``household_group``) and edges a ``kind``:

=================== ==================================================== ======
edge kind           from → to                                            rule
=================== ==================================================== ======
``located_in``      village → county → prefecture → province;            R2
                    unit → its region; household (group) → village
``leads``           unit → village (``role = lead``)                     R1, R2
``supplements``     social unit → village (``role = supplementary``)    R13
``member_of``       cadre → unit                                         R5
``responsible_for`` cadre or leader → household (group)                  R1, R3
``covers_area``     leader → area (a region, or a village)               R7
=================== ==================================================== ======

Node keys are ``"<kind>:<id>"`` (``"village:220101001"``), so ids of
different tables never collide (a kind holds no ``:``); the plain id is the
``id`` attribute. A household group's id is ``<village_id>|<responsible_id>``
with a backslash and ``|`` in the village id written doubled and as ``\\|``
(:func:`group_id`), so ``("a|b", "c")`` and ``("a", "b|c")`` stay two nodes. All
attributes are ``str``, ``int``, ``float`` or ``bool`` (never ``None``), so
:func:`write_graph` can write GraphML or GEXF that Gephi, yEd or Cytoscape
open.

With ``households="aggregate"`` (the default) the households of one village
that share a responsible person are one ``household_group`` node with a
``count``: a provincial plan is then about 100,000 nodes rather than
500,000.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from .instance import Instance
from .plan import Plan
from .report import _frames as F
from .report._graphxml import GraphTables
from .schema import LEVELS, UNIT_TIERS

__all__ = [
    "GraphTables",
    "chain_of_responsibility",
    "coverage_by_region",
    "graph",
    "graph_tables",
    "units_by_tier",
    "write_graph",
]


def group_id(village_ids: Any, responsible_ids: Any) -> np.ndarray:
    r"""Household-group ids ``<village_id>|<responsible_id>``, never ambiguous.

    A backslash and ``|`` in the village id are written ``\\`` and ``\|``, so
    the first unescaped ``|`` always ends the village id.

    Examples
    --------
    >>> group_id(["a|b", "a"], ["c", "b|c"]).tolist()
    ['a\\|b|c', 'a|b|c']
    """
    v = pd.Series(np.asarray(village_ids, dtype=object).astype(str), dtype=object)
    v = v.str.replace("\\", "\\\\", regex=False).str.replace("|", "\\|", regex=False)
    r = np.asarray(responsible_ids, dtype=object).astype(str)
    return (v.to_numpy(dtype=object) + "|" + r).astype(object)


def _keys(kind: str, ids: Any) -> np.ndarray:
    """Node keys ``"<kind>:<id>"`` (object array)."""
    ids = np.asarray(ids, dtype=object).astype(str)
    out = np.char.add(f"{kind}:", ids) if len(ids) else np.zeros(0, dtype=str)
    return out.astype(object)


class _Builder:
    """Collects node and edge frames, one per kind, in the order added."""

    def __init__(self) -> None:
        self.nodes: list[pd.DataFrame] = []
        self.edges: list[pd.DataFrame] = []

    def add_nodes(self, kind: str, ids: Any, **attrs: Any) -> np.ndarray:
        keys = _keys(kind, ids)
        cols: dict[str, Any] = {
            "node": keys,
            "kind": np.full(len(keys), kind, dtype=object),
            "id": np.asarray(ids, dtype=object).astype(str),
        }
        cols.update({k: np.asarray(v) for k, v in attrs.items()})
        self.nodes.append(pd.DataFrame(cols))
        return keys

    def add_edges(self, kind: str, sources: Any, targets: Any, **attrs: Any) -> None:
        cols: dict[str, Any] = {
            "source": np.asarray(sources, dtype=object),
            "target": np.asarray(targets, dtype=object),
            "kind": np.full(len(sources), kind, dtype=object),
        }
        cols.update({k: np.asarray(v) for k, v in attrs.items()})
        self.edges.append(pd.DataFrame(cols))

    def tables(self, **graph_attrs: Any) -> GraphTables:
        """The frames, a node or edge added twice kept once (the last, as networkx)."""
        nodes = _last(self.nodes, ["node"])
        edges = _last(self.edges, ["source", "target"])
        graph_attrs["counts_nodes"] = _count(nodes)
        graph_attrs["counts_edges"] = _count(edges)
        return GraphTables(nodes, edges, graph_attrs, directed=True)


def _last(frames: list[pd.DataFrame], keys: list[str]) -> list[pd.DataFrame]:
    frames = [f for f in frames if len(f)]
    if not frames:
        return frames
    cols = {
        k: np.concatenate([f[k].to_numpy(dtype=object) for f in frames]) for k in keys
    }
    # hash first (cheap); compare exactly only rows whose hashes repeat
    h = np.zeros(len(cols[keys[0]]), dtype=np.uint64)
    for k in keys:
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(cols[k])
    maybe = pd.Series(h).duplicated(keep=False).to_numpy()
    if not maybe.any():
        return frames
    dup = np.zeros(len(h), dtype=bool)
    sub = pd.DataFrame({k: v[maybe] for k, v in cols.items()})
    dup[np.flatnonzero(maybe)] = sub.duplicated(keep="last").to_numpy()
    out, start = [], 0
    for f in frames:
        keep = ~dup[start : start + len(f)]
        start += len(f)
        if keep.any():
            out.append(f[keep].reset_index(drop=True))
    return out


def _count(frames: list[pd.DataFrame]) -> str:
    kinds = [f["kind"].to_numpy(dtype=object) for f in frames]
    s = pd.Series(np.concatenate(kinds) if kinds else [], dtype=object)
    s = s.value_counts().sort_index()
    return ", ".join(f"{k}={v}" for k, v in s.items())


def graph(
    instance: Instance,
    plan: Plan,
    *,
    households: Literal["aggregate", "full"] = "aggregate",
) -> nx.DiGraph:
    """The plan as a typed directed graph (see the module docstring).

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

    # regions and their hierarchy
    rkeys = B.add_nodes(
        "region",
        rid,
        label=F.region_names(inst),
        level=np.asarray(LEVELS, dtype=object)[inst.r_level].astype(str),
        key_county=inst.r_key,
    )
    child = np.flatnonzero(inst.r_parent >= 0)
    B.add_edges("located_in", rkeys[child], rkeys[inst.r_parent[child]])

    # villages: poor ones and those holding a planned household
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

    # units
    loads = F.cadre_loads(inst, plan, hf)
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

    # cadres: responsible for a household or dispatched
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

    # leaders, their areas and contact villages
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

    # households, or one group per (village, responsible person)
    c = hf["c"].to_numpy()
    resp = np.where(
        c >= 0,
        ckeys[np.maximum(c, 0)],
        lkeys[np.maximum(hf["l"].to_numpy(), 0)] if len(lkeys) else None,
    )
    if households == "full":
        hkeys = B.add_nodes(
            "household",
            hf["household_id"].to_numpy(dtype=object),
            severity=hf["severity"].to_numpy(),
            members=inst.h_members[hf["h"].to_numpy()],
            scattered=hf["scattered"].to_numpy(),
        )
        B.add_edges("located_in", hkeys, vkeys[hf["v"].to_numpy()])
        B.add_edges("responsible_for", resp, hkeys)
    else:
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
    return B.tables(households=households)


def write_graph(G: nx.Graph | GraphTables, path: str | Path) -> Path:
    """Write a graph as GraphML (``.graphml``) or GEXF (``.gexf``), atomically.

    Graph, node and edge attributes must be ``str``, ``int``, ``float`` or
    ``bool`` (numpy scalars are converted); ``None`` is not allowed. The
    writers are column-wise (:mod:`pairing.report._graphxml`): a
    :class:`GraphTables` from :func:`graph_tables` is written as it is, a
    networkx graph is first split into frames. ``networkx.read_graphml`` and
    ``networkx.read_gexf`` read the files back.

    Raises
    ------
    ValueError
        On another suffix, or an attribute of another type.
    """
    from . import atomic
    from .report._graphxml import write_gexf, write_graphml

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise ValueError(f"write a graph to .graphml or .gexf, not {path.name!r}")
    tables = G if isinstance(G, GraphTables) else GraphTables.from_networkx(G)
    write = write_graphml if suffix == ".graphml" else write_gexf
    atomic.write_file(path, lambda tmp: write(tables, tmp))
    return path


# -- queries -----------------------------------------------------------------


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
    """
    inst = instance
    hp = plan.household_pairs
    row = hp[hp["household_id"].astype(str) == str(household_id)]
    if row.empty:
        raise KeyError(f"household {household_id} is not in the plan")
    hf = F.households(inst, plan.__class__(household_pairs=row))
    r = hf.iloc[0]
    rid = inst.region_index.to_numpy(dtype=object)
    names = F.region_names(inst)
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
    if r["c"] >= 0:
        c, u = int(r["c"]), int(r["u"])
        chain.append(
            {
                "kind": "cadre",
                "id": str(inst.cadre_index[c]),
                "rank": int(inst.c_rank[c]),
                "is_head": bool(inst.c_head[c]),
            }
        )
        tier = UNIT_TIERS[int(inst.u_tier[u])]
        chain.append(
            {
                "kind": "unit",
                "id": str(inst.unit_index[u]),
                "name": str(F.unit_names(inst)[u]),
                "tier": tier,
                "region_id": str(inst.units["region_id"].iloc[u]),
            }
        )
        chain.append({"kind": "tier", "id": tier})
    else:
        lp = int(r["l"])
        chain.append(
            {
                "kind": "leader",
                "id": str(inst.leader_index[lp]),
                "name": str(inst.leaders["name"].iloc[lp]),
                "tier": str(inst.leaders["tier"].iloc[lp]),
            }
        )
    areas = {str(inst.village_index[v]), str(rid[inst.province])}
    if county >= 0:
        areas.add(str(rid[county]))
    if pref >= 0:
        areas.add(str(rid[pref]))
    la = plan.leader_areas
    hit = la[la["area_id"].astype(str).isin(areas)]
    order = {t: i for i, t in enumerate(("province", "prefecture", "county"))}
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
    return chain + steps


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
    """
    if level not in ("prefecture", "county"):
        raise ValueError(f"level must be 'prefecture' or 'county', not {level!r}")
    inst = instance
    n = len(inst.regions)
    v_region = inst.v_prefecture if level == "prefecture" else inst.v_county
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    loads = F.cadre_loads(inst, plan, hf)

    def count(idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        idx = np.asarray(idx)
        ok = idx >= 0
        w = None if weights is None else np.asarray(weights)[ok]
        return np.bincount(idx[ok], weights=w, minlength=n)

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
    rows = np.flatnonzero(inst.r_level == LEVELS.index(level))
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    parent = np.where(inst.r_parent >= 0, rid[np.maximum(inst.r_parent, 0)], "")
    households = count(h_region)
    covered = count(hr)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "region_id": rid[rows],
                "name": F.region_names(inst)[rows],
                "parent_id": parent[rows],
                "poor_villages": count(v_region[inst.v_poor]).astype(np.int64)[rows],
                "led_villages": count(v_region[lf["v"].to_numpy()]).astype(np.int64)[
                    rows
                ],
                "households": households.astype(np.int64)[rows],
                "covered_households": covered.astype(np.int64)[rows],
                "by_leaders": count(hr[~by_cadre]).astype(np.int64)[rows],
                "coverage": np.where(households > 0, covered / households, 1.0)[rows],
                "cadres_used": cadres_used.astype(np.int64)[rows],
                "mean_load": np.where(cadres_used > 0, cadre_hh / cadres_used, 0.0)[
                    rows
                ],
                "max_load": max_load.astype(np.int64)[rows],
            }
        )
    return out


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
    """
    inst = instance
    k = len(UNIT_TIERS)
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)
    vp = plan.village_pairs
    sup = vp[vp["role"].astype(str) == "supplementary"]
    su = inst.unit_index.get_indexer(pd.Index(sup["unit_id"].to_numpy(dtype=object)))
    du = inst.unit_index.get_indexer(
        pd.Index(plan.dispatch["unit_id"].to_numpy(dtype=object))
    )
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
