"""The plan's graph and its queries (`pairing.graph`, R16)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from fixtures_validate import make_instance, make_plan, rows

from pairing.errors import InputError
from pairing.graph import (
    chain_of_responsibility,
    coverage_by_region,
    graph,
    graph_tables,
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


# -- the column-wise GraphML / GEXF writers ------------------------------------

HOSTILE = ["a & b <c>", 'say "hi"', "  spaced  ", "two\nlines\ttab", "=1+1", "吉林"]


def _hostile_instance():
    data = rows()
    for i, name in enumerate(HOSTILE):
        data["units"][i]["name"] = name
    data["villages"][0]["name"] = "<village> & 'co'"
    data["leaders"][0]["name"] = 'leader\n"q"'
    return make_instance(**{k: data[k] for k in ("units", "villages", "leaders")})


def _same(G, H):
    def graph_attrs(X):
        return {
            k: v
            for k, v in X.graph.items()
            if k not in ("node_default", "edge_default")
        }

    assert graph_attrs(G) == graph_attrs(H)
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    for n, d in G.nodes(data=True):
        assert {k: type(v) for k, v in d.items()} == {
            k: type(v) for k, v in H.nodes[n].items()
        }, n
    assert {(u, v): d for u, v, d in G.edges(data=True)} == {
        (u, v): d for u, v, d in H.edges(data=True)
    }
    for u, v, d in G.edges(data=True):
        assert {k: type(x) for k, x in d.items()} == {
            k: type(x) for k, x in H.edges[u, v].items()
        }


@pytest.mark.parametrize("mode", ["aggregate", "full"])
def test_graphml_reads_back_as_networkx_writes_it(plan, tmp_path, mode):
    inst = _hostile_instance()
    G = graph(inst, plan, households=mode)
    # the tables and the networkx graph write the same file content
    write_graph(graph_tables(inst, plan, households=mode), tmp_path / "t.graphml")
    write_graph(G, tmp_path / "g.graphml")
    _same(G, nx.read_graphml(tmp_path / "t.graphml"))
    _same(G, nx.read_graphml(tmp_path / "g.graphml"))
    # networkx's own writer gives the same graph back (it shares one key id
    # between the graph's and the nodes' "households", so rename that one)
    G2 = G.copy()
    G2.graph["mode"] = G2.graph.pop("households")
    nx.write_graphml(G2, tmp_path / "nx.graphml", named_key_ids=True)
    write_graph(G2, tmp_path / "ours.graphml")
    _same(
        nx.read_graphml(tmp_path / "nx.graphml"),
        nx.read_graphml(tmp_path / "ours.graphml"),
    )
    text = (tmp_path / "t.graphml").read_text(encoding="utf-8")
    for typ in ("int", "double", "string", "boolean"):
        assert f'attr.type="{typ}"' in text


def test_gexf_reads_back(plan, tmp_path):
    inst = _hostile_instance()
    G = graph(inst, plan)
    write_graph(graph_tables(inst, plan), tmp_path / "t.gexf")
    H = nx.read_gexf(tmp_path / "t.gexf")
    expected = G.copy()
    expected.graph.clear()
    expected.graph["mode"] = "static"
    for n, d in expected.nodes(data=True):
        d.setdefault("label", n)  # GEXF: every node has a label
    for *_, d in H.edges(data=True):
        assert d.pop("id").isdigit()  # GEXF: edges are numbered
    _same(expected, H)
    # node ids are the graph's keys, not their "id" attributes (networkx's
    # writer would merge unit "UP1" with any other node whose id is "UP1")
    assert "unit:UP1" in H and H.nodes["unit:UP1"]["id"] == "UP1"


def test_writers_drop_control_characters_and_keep_types(tmp_path):
    """Control characters are dropped from values; in node keys, where dropping
    could merge two nodes, they are escaped (``\\x01``), a backslash doubled."""
    G = nx.DiGraph(name="g")
    G.add_node("a\x01", label="x\x02y", n=1, r="cr\rlf")
    G.add_node("b", n=2.5, flag=True, big=2**40)
    G.add_node("c", n=np.int64(3), empty="")
    G.add_edge("a\x01", "b", w=0.1, kind="k&<")
    G.add_edge("b", "c", w=float("nan"))
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        H = read(write_graph(G, tmp_path / f"g{suffix}"))
        a = "a\\x01"
        assert set(H) == {a, "b", "c"}
        assert H.nodes[a]["r"] == "cr\rlf"  # networkx's files lose the \r
        assert H.nodes["b"]["n"] == 2.5 and H.nodes["c"]["n"] == 3
        assert type(H.nodes["c"]["n"]) is int and H.nodes["b"]["flag"] is True
        assert H.nodes["b"]["big"] == 2**40 and H.nodes["c"]["empty"] == ""
        assert H.edges[a, "b"]["kind"] == "k&<" and H.edges[a, "b"]["w"] == 0.1
        assert np.isnan(H.edges["b", "c"]["w"])
    H = nx.read_graphml(tmp_path / "g.graphml")
    assert H.nodes["a\\x01"]["label"] == "xy" and H.graph["name"] == "g"


def test_node_keys_that_differ_only_in_control_characters_stay_apart(tmp_path):
    G = nx.DiGraph()
    G.add_edges_from([("v:a\x01", "v:a"), ("v:a", "v:a\\x01"), ("v:a\x02", "v:a")])
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        H = read(write_graph(G, tmp_path / f"k{suffix}"))
        assert H.number_of_nodes() == 4 and H.number_of_edges() == 3


def test_graph_tables_keep_a_repeated_edge_once(inst, plan):
    la = plan.leader_areas
    plan.leader_areas = pd.concat([la, la.iloc[:1]], ignore_index=True)
    T = graph_tables(inst, plan)
    G = T.to_networkx()
    assert T.number_of_edges() == G.number_of_edges()
    assert len(_edges(G, "covers_area")) == len(la)
    assert "covers_area=3" in G.graph["counts_edges"]
