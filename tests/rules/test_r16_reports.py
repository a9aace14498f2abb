"""The R16 reports (`pairing.report`): annexes, rosters, dashboards, index."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from builders import solved
from fixtures_validate import make_instance, make_plan, rows
from workbooks import read_tables

from pairing.report import annex1, annex2, rosters, write_report
from pairing.xlsx import write_xlsx

EVIL = ["=SUM(A1)", "+86 431 1234", "-x", "@x", '=HYPERLINK("http://e.x")']


@pytest.fixture
def inst():
    return make_instance()


@pytest.fixture
def plan():
    return make_plan()


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)  # not read-only: data_type is exact
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    return read_tables(path)


def test_annex1_lists_province_leaders_with_totals(inst, plan):
    for lang, total in (("zh", "合计"), ("en", "Total")):
        first, rest = annex1(inst, plan, lang).values()
        assert list(first.iloc[:-1, 2]) == ["LP"]
        assert first.iloc[-1, 0] == total
        hp = plan.household_pairs
        leader_hh = hp[hp["responsible_kind"] == "leader"]
        taken = first.columns[-1]
        assert first[taken].iloc[-1] == int((leader_hh["responsible_id"] == "LP").sum())
        assert first[taken].iloc[-1] + rest[rest.columns[-1]].iloc[-1] == len(leader_hh)
    assert "省级领导" in annex1(inst, plan, "zh")["附件1 省级领导包片"].columns


def test_annex2_totals_agree_with_the_plan(inst, plan):
    main = annex2(inst, plan, "en")["Annex 2 units"]
    body, total = main.iloc[:-1], main.iloc[-1]
    assert set(body["Unit id"]) == {"UP1", "UP2"}
    vp = plan.village_pairs
    prov = vp[(vp["role"] == "lead") & (vp["tier"] == "province")]
    assert total["Villages"] == len(prov)
    hp = plan.household_pairs
    hh = hp[hp["unit_id"].isin(["UP1", "UP2"])]
    assert total["Households covered by its cadres"] == len(hh)
    assert total["Cadres responsible"] == hh["responsible_id"].nunique()
    d = plan.dispatch
    assert total["Dispatched cadres"] == int(d["unit_id"].isin(["UP1", "UP2"]).sum())
    counts = inst.households["village_id"].value_counts()
    assert total["Households of those villages"] == int(
        counts[prov["village_id"]].sum()
    )
    row = body.set_index("Unit id").loc["UP1"]
    assert row["Village ids"] == "a1p1" and row["Head leads the team"] == "yes"


def test_rosters_have_one_row_per_household(inst, plan):
    out = rosters(inst, plan, "en")
    assert set(out) == {"A", "B"}
    total = 0
    for sheets in out.values():
        roster, units = sheets["Roster"], sheets["Units"]
        assert units["Households"].iloc[-1] == len(roster)
        assert units["Households"].iloc[:-1].sum() == len(roster)
        assert roster["Household id"].is_unique
        assert list(roster["No."]) == list(range(1, len(roster) + 1))
        total += len(roster)
    assert total == len(plan.household_pairs)
    # only opaque ids: no household column but its id
    assert not any("name" in c.lower() for c in out["A"]["Roster"].columns)


def test_write_report_files(inst, plan, tmp_path):
    files = write_report(inst, plan, tmp_path / "r")
    for key in ("annex1", "annex2", "roster:A", "roster:B", "graph", "index"):
        assert files[key].is_file(), key
    assert all(p.is_file() for p in files.values())
    assert any(k.startswith("chart:") for k in files)
    # the workbooks open and hold no formula
    for key in ("annex1", "annex2", "roster:A", "roster:B"):
        assert not [c for c in _cells(files[key]) if c.data_type == "f"]
    # roster workbook totals agree with the plan
    n = sum(len(_sheets(files[k])["花名册"]) for k in ("roster:A", "roster:B"))
    assert n == len(plan.household_pairs)
    a2 = _sheets(files["annex2"])["附件2 省直单位包保"]
    assert a2.iloc[-1]["包保村数"] == 2


def test_index_links_only_to_existing_files(inst, plan, tmp_path):
    out = tmp_path / "r"
    files = write_report(inst, plan, out, lang="en")
    text = files["index"].read_text(encoding="utf-8")
    targets = re.findall(r'(?:href|src)="([^"]+)"', text)
    assert targets
    for t in targets:
        assert not re.match(r"^[a-z]+:", t), f"external or absolute link {t}"
        assert (out / t).is_file(), t
    linked = {(out / t).resolve() for t in targets}
    for key in ("annex1", "annex2", "roster:A", "roster:B", "graph"):
        assert files[key].resolve() in linked
    assert "<script" not in text and "http" not in text


def test_no_formula_even_with_hostile_names(tmp_path):
    data = rows()
    for i, name in enumerate(EVIL):
        data["units"][i]["name"] = name
    data["villages"][0]["name"] = "=1+1"
    data["leaders"][0]["name"] = "-cmd"
    inst = make_instance(**{k: data[k] for k in ("units", "villages", "leaders")})
    files = write_report(inst, make_plan(), tmp_path / "r", lang="zh")
    seen = set()
    for key, path in files.items():
        if path.suffix != ".xlsx":
            continue
        for c in _cells(path):
            assert c.data_type != "f", (key, c.coordinate, c.value)
            if isinstance(c.value, str) and c.value[:1] in "=+-@":
                assert c.quotePrefix, (key, c.coordinate)
                seen.add(c.value)
    assert {"=SUM(A1)", "+86 431 1234", "=1+1", "-cmd"} <= seen


def test_fast_writer_types_and_limits(tmp_path):
    df = pd.DataFrame(
        {
            "text": ["a", "<&>", "=x", None, " lead space"],
            "int": np.arange(5),
            "float": [0.5, np.nan, 1e-9, 2.0, -3.25],
            "flag": [True, False, True, False, True],
            "ctrl": ["a\x01b", "ok", "", "x", "y"],
        }
    )
    write_xlsx(tmp_path / "t.xlsx", {"中文表": df, "empty": df.iloc[:0]})
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["中文表"]
    got = [[c.value for c in row] for row in ws.iter_rows(values_only=False)]
    assert got[0] == ["text", "int", "float", "flag", "ctrl"]
    assert got[1] == ["a", 0, 0.5, True, "ab"]
    assert got[2][:3] == ["<&>", 1, None]
    assert got[3][0] == "=x" and ws["A4"].data_type == "s" and ws["A4"].quotePrefix
    assert got[4][0] is None and got[5][0] == " lead space"
    assert wb["empty"].max_row == 1
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "bad.xlsx", {"a/b": df})


def test_lang_is_checked(inst, plan, tmp_path):
    with pytest.raises(ValueError, match="lang"):
        write_report(inst, plan, tmp_path / "r", lang="fr")


def test_dashboards_agree_with_the_plan(inst, plan, tmp_path):
    files = write_report(inst, plan, tmp_path / "r", graph=False)
    cov = pd.read_csv(files["coverage_prefecture"], dtype={"region_id": str})
    assert cov["covered_households"].sum() == len(plan.household_pairs)
    loads = pd.read_csv(files["r12_cadre_loads"])
    hp = plan.household_pairs
    assert (loads["load"] * loads["cadres"]).sum() == int(
        (hp["responsible_kind"] == "cadre").sum()
    )
    r9 = pd.read_csv(files["r9_tier_severity"])
    assert (
        r9[["villages_province", "villages_prefecture", "villages_county"]].sum().sum()
        == 5
    )
    cont = pd.read_csv(files["r11_continuity"])
    assert cont["kept"].all() and len(cont) == 1
    assert "graph" not in files


def test_report_graph_loads_in_networkx(inst, plan, tmp_path):
    import networkx as nx

    from pairing.graph import graph

    files = write_report(inst, plan, tmp_path / "r", charts=False)
    H = nx.read_graphml(files["graph"])
    G = graph(inst, plan)
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert {(u, v): d for u, v, d in H.edges(data=True)} == {
        (u, v): d for u, v, d in G.edges(data=True)
    }


def test_fast_writer_repeated_values_categoricals_and_illegal(tmp_path):
    n = 3000
    names = np.array(["a&b", "=x", " y", "吉林", ""], dtype=object)[np.arange(n) % 5]
    df = pd.DataFrame(
        {
            "=head": names,
            "cat": pd.Categorical(names[::-1]),
            "maybe": pd.array([True, None, False] * (n // 3), dtype="boolean"),
            "n": pd.array([1, None, 3] * (n // 3), dtype="Int64"),
        }
    )
    write_xlsx(tmp_path / "r.xlsx", {"t": df})
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["t"]
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert ws["A1"].quotePrefix and got[0][0] == "=head"
    assert [r[0] for r in got[1:6]] == ["a&b", "=x", " y", "吉林", None]
    assert [r[1] for r in got[1:6]] == [None, "吉林", " y", "=x", "a&b"]
    assert got[1][2:] == [True, 1] and got[2][2:] == [None, None]
    assert len(got) == n + 1 and ws["A3"].quotePrefix
    bad = pd.DataFrame({"t": ["ok", "a\x01b"]})
    with pytest.raises(ValueError, match="cannot hold"):
        write_xlsx(tmp_path / "bad.xlsx", {"t": bad}, illegal="raise")


# -- solver case: the annexes of a plan pairing.solve made ---------------------


def test_r16_annex2_of_a_solved_plan_agrees_with_it(tiny_instance):
    plan = solved(tiny_instance)  # validated too
    main = annex2(tiny_instance, plan, "en")["Annex 2 units"]
    body, total = main.iloc[:-1], main.iloc[-1]
    units = tiny_instance.units
    province_units = set(units.loc[units["tier"] == "province", "unit_id"])
    assert set(body["Unit id"]) == province_units
    vp = plan.village_pairs
    prov = vp[(vp["role"] == "lead") & (vp["tier"] == "province")]
    assert total["Villages"] == len(prov) == 2  # both key-county villages (R6)
    hp = plan.household_pairs
    hh = hp[hp["unit_id"].isin(province_units)]
    assert total["Households covered by its cadres"] == len(hh)
    assert total["Cadres responsible"] == hh["responsible_id"].nunique()
    d = plan.dispatch
    assert total["Dispatched cadres"] == int(d["unit_id"].isin(province_units).sum())
    first, _ = annex1(tiny_instance, plan, "en").values()
    assert list(first.iloc[:-1, 2]) == ["L-22-1"]  # the one province leader
    taken = hp[hp["responsible_id"] == "L-22-1"]
    assert first[first.columns[-1]].iloc[-1] == len(taken) == 5  # R7
