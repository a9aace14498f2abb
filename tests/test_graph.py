"""The plan's graph and its queries (`pairing.graph`, R16)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from fixtures_validate import make_instance, make_plan

from pairing.errors import InputError
from pairing.graph import (
    chain_of_responsibility,
    coverage_by_region,
    graph,
    units_by_tier,
    write_graph,
)


@pytest.fixture
def inst():
    return make_instance()


@pytest.fixture
def plan():
    return make_plan()


def _edges(G, kind):
    return [(u, v, d) for u, v, d in G.edges(data=True) if d["kind"] == kind]


def _nodes(G, kind):
    return [n for n, d in G.nodes(data=True) if d["kind"] == kind]


def test_edges_match_the_plan_rows(inst, plan):
    for mode in ("aggregate", "full"):
        G = graph(inst, plan, households=mode)
        vp = plan.village_pairs
        assert len(_edges(G, "leads")) == int((vp["role"] == "lead").sum())
        assert len(_edges(G, "supplements")) == int(
            (vp["role"] == "supplementary").sum()
        )
        assert len(_edges(G, "covers_area")) == len(plan.leader_areas)
        resp = _edges(G, "responsible_for")
        hp = plan.household_pairs
        if mode == "full":
            assert len(resp) == len(hp)
            assert len(_nodes(G, "household")) == len(hp)
        else:
            assert sum(d["count"] for *_, d in resp) == len(hp)
            groups = hp.merge(
                inst.households[["household_id", "village_id"]], on="household_id"
            )[["village_id", "responsible_id"]].drop_duplicates()
            assert len(_nodes(G, "household_group")) == len(groups)
            assert sum(
                G.nodes[n]["count"] for n in _nodes(G, "household_group")
            ) == len(hp)
        cadres = set(hp.loc[hp["responsible_kind"] == "cadre", "responsible_id"]) | set(
            plan.dispatch["cadre_id"]
        )
        assert len(_edges(G, "member_of")) == len(cadres)
        assert len(_nodes(G, "region")) == len(inst.regions)
        assert len(_nodes(G, "unit")) == len(inst.units)
        assert len(_nodes(G, "leader")) == len(inst.leaders)
        # every leads edge goes unit -> village, with the role
        for u, v, d in _edges(G, "leads"):
            assert G.nodes[u]["kind"] == "unit" and G.nodes[v]["kind"] == "village"
            assert d["role"] == "lead"


def test_hierarchy_and_attributes_are_plain(inst, plan):
    G = graph(inst, plan)
    for _, d in G.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
        assert not any(isinstance(v, np.generic) for v in d.values())
    # a village reaches the province through located_in edges
    path = ["village:a1p1"]
    while True:
        nxt = [
            v
            for _, v, d in G.out_edges(path[-1], data=True)
            if d["kind"] == "located_in"
        ]
        if not nxt:
            break
        path.append(nxt[0])
    assert path == ["village:a1p1", "region:A1", "region:A", "region:P"]
    assert G.nodes["region:A"]["level"] == "prefecture"
    assert G.nodes["unit:S"]["tier"] == "social"


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
@pytest.mark.parametrize("mode", ["aggregate", "full"])
def test_graph_files_load_back(inst, plan, tmp_path, suffix, mode):
    G = graph(inst, plan, households=mode)
    path = write_graph(G, tmp_path / f"plan{suffix}")
    H = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    kinds = nx.get_edge_attributes(H, "kind")
    assert sorted(kinds.values()) == sorted(d["kind"] for *_, d in G.edges(data=True))


def test_write_graph_refuses_other_suffixes_and_none(inst, plan, tmp_path):
    G = graph(inst, plan)
    with pytest.raises(ValueError, match="graphml"):
        write_graph(G, tmp_path / "plan.json")
    G.nodes["region:P"]["bad"] = None
    with pytest.raises(ValueError, match="bad"):
        write_graph(G, tmp_path / "plan.graphml")
    assert not (tmp_path / "plan.graphml").exists()


def test_chain_of_responsibility(inst, plan):
    hp = plan.household_pairs
    h = hp.loc[hp["responsible_kind"] == "cadre", "household_id"].iloc[0]
    chain = chain_of_responsibility(inst, plan, h)
    kinds = [s["kind"] for s in chain]
    assert kinds[:4] == ["household", "cadre", "unit", "tier"]
    assert chain[0]["id"] == h
    assert chain[1]["id"] == hp.set_index("household_id").loc[h, "responsible_id"]
    areas = {s["area_id"] for s in chain if s["kind"] == "area_leader"}
    village = chain[0]["village_id"]
    county = chain[0]["county_id"]
    la = plan.leader_areas
    expected = set(
        la.loc[la["area_id"].isin([village, county, "A", "B", "P"]), "area_id"]
    )
    expected &= {village, county, chain[0]["prefecture_id"], "P"}
    assert areas == expected
    # a household a leader took: household -> leader -> area leaders
    hl = hp.loc[hp["responsible_kind"] == "leader", "household_id"].iloc[0]
    chain = chain_of_responsibility(inst, plan, hl)
    assert [s["kind"] for s in chain][:2] == ["household", "leader"]
    with pytest.raises(KeyError):
        chain_of_responsibility(inst, plan, "no-such-household")


def test_coverage_by_region_agrees_with_the_plan(inst, plan):
    hp = plan.household_pairs
    for level in ("prefecture", "county"):
        cov = coverage_by_region(inst, plan, level)
        assert cov["households"].sum() == len(inst.households)
        assert cov["covered_households"].sum() == len(hp)
        assert cov["led_villages"].sum() == int(
            (plan.village_pairs["role"] == "lead").sum()
        )
        assert (cov["coverage"] == 1.0).all()
        assert cov["by_leaders"].sum() == int(
            (hp["responsible_kind"] == "leader").sum()
        )
    cov = coverage_by_region(inst, plan, "prefecture").set_index("region_id")
    assert cov.loc["A", "poor_villages"] == 3 and cov.loc["B", "poor_villages"] == 2


def test_units_by_tier(inst, plan):
    t = units_by_tier(inst, plan).set_index("tier")
    assert t["villages_led"].sum() == 5
    assert t.loc["province", "villages_led"] == 2
    assert t.loc["social", "supplementary"] == 1
    hp = plan.household_pairs
    assert t["households"].sum() == int((hp["responsible_kind"] == "cadre").sum())
    assert t["dispatched"].sum() == len(plan.dispatch)


def test_unknown_ids_are_bad_input(inst, plan):
    plan.village_pairs.loc[0, "unit_id"] = "nobody"
    with pytest.raises(InputError, match="nobody"):
        graph(inst, plan)
