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
different tables never collide; the plain id is the ``id`` attribute. All
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
from .schema import LEVELS, UNIT_TIERS

__all__ = [
    "chain_of_responsibility",
    "coverage_by_region",
    "graph",
    "units_by_tier",
    "write_graph",
]


def _key(kind: str, ids: Any) -> list[str]:
    return [f"{kind}:{i}" for i in ids]


def _add_nodes(G: nx.DiGraph, kind: str, ids: Any, **attrs: Any) -> list[str]:
    keys = _key(kind, ids)
    cols = {k: np.asarray(v).tolist() for k, v in attrs.items()}
    ids = [str(i) for i in ids]
    G.add_nodes_from(
        (
            key,
            {"kind": kind, "id": ids[i], **{k: col[i] for k, col in cols.items()}},
        )
        for i, key in enumerate(keys)
    )
    return keys


def _add_edges(
    G: nx.DiGraph, kind: str, sources: list[str], targets: list[str], **attrs: Any
) -> None:
    cols = {k: np.asarray(v).tolist() for k, v in attrs.items()}
    G.add_edges_from(
        (s, t, {"kind": kind, **{k: col[i] for k, col in cols.items()}})
        for i, (s, t) in enumerate(zip(sources, targets, strict=True))
    )


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
    if households not in ("aggregate", "full"):
        raise ValueError(
            f"households must be 'aggregate' or 'full', not {households!r}"
        )
    inst = instance
    G = nx.DiGraph(households=households)
    rid = inst.region_index.to_numpy(dtype=object).astype(str)
    vid = inst.village_index.to_numpy(dtype=object).astype(str)
    uid = inst.unit_index.to_numpy(dtype=object).astype(str)
    cid = inst.cadre_index.to_numpy(dtype=object).astype(str)
    lid = inst.leader_index.to_numpy(dtype=object).astype(str)
    lf = F.leads(inst, plan)
    hf = F.households(inst, plan)

    # regions and their hierarchy
    rkeys = np.asarray(
        _add_nodes(
            G,
            "region",
            rid,
            label=F.region_names(inst),
            level=np.asarray(LEVELS, dtype=object)[inst.r_level].astype(str),
            key_county=inst.r_key,
        ),
        dtype=object,
    )
    child = np.flatnonzero(inst.r_parent >= 0)
    _add_edges(
        G, "located_in", rkeys[child].tolist(), rkeys[inst.r_parent[child]].tolist()
    )

    # villages: poor ones and those holding a planned household
    keep = inst.v_poor.copy()
    keep[hf["v"].to_numpy()] = True
    vs = np.flatnonzero(keep)
    vkeys = np.empty(len(vid), dtype=object)
    vkeys[vs] = _add_nodes(
        G,
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
    _add_edges(G, "located_in", vkeys[vs].tolist(), rkeys[inst.v_county[vs]].tolist())

    # units
    loads = F.cadre_loads(inst, plan, hf)
    u_households = np.bincount(inst.c_unit, weights=loads, minlength=len(uid)).astype(
        np.int64
    )
    ukeys = np.asarray(
        _add_nodes(
            G,
            "unit",
            uid,
            label=F.unit_names(inst),
            tier=np.asarray(UNIT_TIERS, dtype=object)[inst.u_tier].astype(str),
            unit_kind=inst.units["kind"].to_numpy(dtype=object).astype(str),
            strength=inst.u_strength,
            cadres=inst.u_cadres,
            households=u_households,
        ),
        dtype=object,
    )
    has_region = inst.u_region >= 0
    _add_edges(
        G,
        "located_in",
        ukeys[has_region].tolist(),
        rkeys[inst.u_region[has_region]].tolist(),
    )
    _add_edges(
        G,
        "leads",
        ukeys[lf["u"].to_numpy()].tolist(),
        vkeys[lf["v"].to_numpy()].tolist(),
        role=np.full(len(lf), "lead", dtype=object),
        continuity=lf["continuity"].to_numpy(),
    )
    vp = plan.village_pairs
    sup = vp[vp["role"].astype(str) == "supplementary"]
    sv = F._index(inst.village_index, sup["village_id"], "village_pairs", "village_id")
    su = F._index(inst.unit_index, sup["unit_id"], "village_pairs", "unit_id")
    missing = np.flatnonzero(vkeys[sv] == None)  # noqa: E711 (object array)
    if len(missing):  # a claim on a village with no node yet
        vkeys[sv[missing]] = _add_nodes(G, "village", vid[sv[missing]])
    _add_edges(
        G,
        "supplements",
        ukeys[su].tolist(),
        vkeys[sv].tolist(),
        role=np.full(len(sv), "supplementary", dtype=object),
    )

    # cadres: responsible for a household or dispatched
    dispatched = np.zeros(len(cid), dtype=bool)
    dc = inst.cadre_index.get_indexer(plan.dispatch["cadre_id"].to_numpy(dtype=object))
    dispatched[dc[dc >= 0]] = True
    cs = np.flatnonzero((loads > 0) | dispatched)
    ckeys = np.empty(len(cid), dtype=object)
    ckeys[cs] = _add_nodes(
        G,
        "cadre",
        cid[cs],
        rank=inst.c_rank[cs],
        is_head=inst.c_head[cs],
        capacity=inst.c_cap[cs],
        load=loads[cs],
        dispatched=dispatched[cs],
        unit_id=uid[inst.c_unit[cs]],
    )
    _add_edges(G, "member_of", ckeys[cs].tolist(), ukeys[inst.c_unit[cs]].tolist())

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
    lkeys = np.asarray(
        _add_nodes(
            G,
            "leader",
            lid,
            label=inst.leaders["name"].to_numpy(dtype=object).astype(str),
            tier=inst.leaders["tier"].to_numpy(dtype=object).astype(str),
            region_id=inst.leaders["region_id"].to_numpy(dtype=object).astype(str),
            covers=inst.leaders["covers"].to_numpy(dtype=object).astype(str),
            area_id=np.array([area.get(i, "") for i in lid], dtype=object),
            contact_village=np.array([contact.get(i, "") for i in lid], dtype=object),
            households=l_hh,
        ),
        dtype=object,
    )
    li = F._index(inst.leader_index, la["leader_id"], "leader_areas", "leader_id")
    a = la["area_id"].to_numpy(dtype=object)
    ar = inst.region_index.get_indexer(a)
    av = inst.village_index.get_indexer(a)
    targets = np.where(ar >= 0, rkeys[np.maximum(ar, 0)], None)
    at_village = (ar < 0) & (av >= 0)
    for j in np.flatnonzero(at_village):  # leaders (few) covering one village
        if vkeys[av[j]] is None:
            vkeys[av[j]] = _add_nodes(G, "village", [vid[av[j]]])[0]
        targets[j] = vkeys[av[j]]
    ok = targets != None  # noqa: E711 (object array)
    _add_edges(G, "covers_area", lkeys[li[ok]].tolist(), targets[ok].tolist())

    # households, or one group per (village, responsible person)
    resp = np.where(
        hf["c"].to_numpy() >= 0,
        ckeys[np.maximum(hf["c"].to_numpy(), 0)],
        lkeys[np.maximum(hf["l"].to_numpy(), 0)] if len(lkeys) else None,
    )
    if households == "full":
        hkeys = _add_nodes(
            G,
            "household",
            hf["household_id"].to_numpy(),
            severity=hf["severity"].to_numpy(),
            members=inst.h_members[hf["h"].to_numpy()],
            scattered=hf["scattered"].to_numpy(),
        )
        _add_edges(G, "located_in", hkeys, vkeys[hf["v"].to_numpy()].tolist())
        _add_edges(G, "responsible_for", resp.tolist(), hkeys)
    else:
        grp = pd.DataFrame(
            {
                "v": hf["v"].to_numpy(),
                "resp": resp,
                "rid": hf["responsible_id"].to_numpy(),
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
        gids = (
            vid[g["v"].to_numpy()].astype(object)
            + "|"
            + g["rid"].to_numpy(dtype=object)
        )
        gkeys = _add_nodes(
            G,
            "household_group",
            gids,
            count=g["count"].to_numpy(),
            severity=g["severity"].to_numpy(),
            scattered=g["scattered"].to_numpy(dtype=bool),
            village_id=vid[g["v"].to_numpy()],
            responsible_id=g["rid"].to_numpy(dtype=object).astype(str),
        )
        _add_edges(G, "located_in", gkeys, vkeys[g["v"].to_numpy()].tolist())
        _add_edges(
            G, "responsible_for", g["resp"].tolist(), gkeys, count=g["count"].to_numpy()
        )
    G.graph["counts_nodes"] = _count(G.nodes(data="kind"))
    G.graph["counts_edges"] = _count(G.edges(data="kind"))
    return G


def _count(items: Any) -> str:
    s = pd.Series([k for *_, k in items], dtype=object).value_counts().sort_index()
    return ", ".join(f"{k}={v}" for k, v in s.items())


def write_graph(G: nx.Graph, path: str | Path) -> Path:
    """Write a graph as GraphML (``.graphml``) or GEXF (``.gexf``), atomically.

    Graph, node and edge attributes must be ``str``, ``int``, ``float`` or
    ``bool`` (numpy scalars are converted); ``None`` is not allowed.

    Raises
    ------
    ValueError
        On another suffix, or an attribute of another type.
    """
    from . import atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise ValueError(f"write a graph to .graphml or .gexf, not {path.name!r}")
    H = _plain(G)
    if suffix == ".graphml":
        atomic.write_file(
            path, lambda tmp: nx.write_graphml(H, tmp, named_key_ids=True)
        )
    else:
        atomic.write_file(path, lambda tmp: nx.write_gexf(H, tmp))
    return path


def _plain(G: nx.Graph) -> nx.Graph:
    """A copy whose attributes are plain Python scalars (numpy ones converted)."""

    def fix(d: dict[str, Any], where: str) -> dict[str, Any]:
        out = {}
        for k, v in d.items():
            if isinstance(v, np.generic):
                v = v.item()
            if not isinstance(v, str | int | float | bool):
                raise ValueError(
                    f"{where} attribute {k!r} is {type(v).__name__}; "
                    "only str, int, float or bool can be written"
                )
            out[k] = v
        return out

    H = G.__class__()
    H.graph.update(fix(G.graph, "graph"))
    H.add_nodes_from((n, fix(d, f"node {n}")) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, fix(d, f"edge {u}->{v}")) for u, v, d in G.edges(data=True))
    return H


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
        pos = inst.leader_index.get_indexer([lid])[0]
        if pos < 0:
            continue
        tier = str(inst.leaders["tier"].iloc[pos])
        ar = inst.region_index.get_indexer([area])[0]
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
    su = inst.unit_index.get_indexer(sup["unit_id"].to_numpy(dtype=object))
    du = inst.unit_index.get_indexer(plan.dispatch["unit_id"].to_numpy(dtype=object))
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
