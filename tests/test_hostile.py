"""Hostile input, built from a generated base, one section per class of the
"nothing lost, nothing injected" issue.

Every case edits a copy of a small generated instance (its tables, its files,
or the output folder around it) and runs the command line in-process
(:class:`hostile.Cli`): the exit status is one of the contract's, never a
traceback; bad input names its table, id and column; the inputs and every
file pairing did not write are left byte for byte (:func:`guard`).
"""

from __future__ import annotations

import contextlib
import csv
import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hostile import (
    Cli,
    base_instance,
    build,
    complete,
    leftovers,
    pairing_files,
    rename,
    tables_of,
    tree,
)

from pairing.cells import MAX_CELL_CHARS
from pairing.graph import graph
from pairing.instance import Instance
from pairing.io import load_instance, save_instance
from pairing.marker import MARKER
from pairing.plan import Plan
from pairing.rules import Rules

RISKY = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def base() -> Instance:
    return base_instance()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def inst_dir(base: Instance, work: Path) -> Path:
    save_instance(base, work / "inst", format="csv")
    return work / "inst"


@pytest.fixture(scope="module")
def plan_dir(inst_dir: Path, work: Path) -> Path:
    import pairing.cli

    out = work / "plan"
    assert pairing.cli.main(["solve", str(inst_dir), "--out", str(out), "--workers",
                             "1", "--quiet", "--format", "csv"]) == 0  # fmt: skip
    return out


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@contextlib.contextmanager
def guard(*folders: Path) -> Iterator[None]:
    """Assert the folders (inputs, files pairing did not write) are unchanged."""
    before = [tree(f) for f in folders]
    yield
    for f, b in zip(folders, before, strict=True):
        assert tree(f) == b, f"{f} was changed"


def solve_args(inst: Path, out: Path, *more: str) -> list[object]:
    return ["solve", inst, "--out", out, "--workers", "1", "--quiet", *more]


# -- 1. an output folder is pairing's, or it is refused -------------------------


def test_out_onto_the_input_or_a_folder_holding_it_is_refused(
    cli: Cli, inst_dir: Path, tmp_path: Path
) -> None:
    inst = Path(shutil.copytree(inst_dir, tmp_path / "inst"))
    (tmp_path / "unrelated.txt").write_text("mine")
    with guard(tmp_path):
        for out in (inst, tmp_path):
            status, _, err = cli(*solve_args(inst, out))
            assert status == 2 and "input" in err and str(out) in err


def test_out_onto_the_current_folder_is_refused(
    cli: Cli, inst_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    (here / "notes.txt").write_text("mine")
    monkeypatch.chdir(here)
    with guard(tmp_path):
        for out in (".", "..", str(here)):
            status, _, err = cli(*solve_args(inst_dir, Path(out)))
            assert status == 2 and "current folder" in err


@pytest.mark.parametrize("command", ["solve", "generate", "report"])
def test_a_folder_pairing_did_not_write_is_refused_and_kept_with_force(
    cli: Cli, inst_dir: Path, plan_dir: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / "out"
    (out / "mine").mkdir(parents=True)
    (out / "notes.txt").write_text("do not delete")
    (out / "mine" / "deep.txt").write_bytes(b"\x00\x01")
    args: dict[str, list[object]] = {
        "solve": solve_args(inst_dir, out),
        "generate": [
            "generate",
            "--out",
            out,
            "--households",
            "1500",
            "--format",
            "csv",
        ],
        "report": ["report", inst_dir, plan_dir, "--out", out, "--lang", "en"],
    }
    kind = {"solve": "plan", "generate": "instance", "report": "report"}[command]
    theirs = tree(out)
    with guard(inst_dir, plan_dir, out):
        status, _, err = cli(*args[command])
        assert status == 2 and "pairing did not write" in err
    with guard(inst_dir, plan_dir):
        status, _, err = cli(*args[command], "--force")
    assert status == 0, err
    assert complete(out, kind)
    assert {k: v for k, v in tree(out).items() if k in theirs} == theirs
    assert leftovers(tmp_path) == []


def test_files_added_to_a_plan_folder_survive_the_next_solve(
    cli: Cli, inst_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    assert cli(*solve_args(inst_dir, out))[0] == 0
    (out / "notes.txt").write_text("mine")
    (out / "review").mkdir()
    (out / "review" / "a.txt").write_text("mine too")
    status, _, err = cli(*solve_args(inst_dir, out, "--format", "csv"))
    assert status == 0, err
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "review" / "a.txt").read_text() == "mine too"
    assert not list(out.glob("*.parquet"))  # the old format's files are gone
    assert all(name.endswith((".csv", ".json")) for name in pairing_files(out))
    # a file pairing wrote but someone edited is theirs now: never replaced
    (out / "summary.json").write_text("{}")
    with guard(out):
        status, _, err = cli(*solve_args(inst_dir, out, "--format", "csv"))
    assert status == 2 and "summary.json" in err
    assert leftovers(tmp_path) == []


def test_an_output_of_another_kind_a_file_or_a_link_is_refused(
    cli: Cli, inst_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    afile = tmp_path / "plan.txt"
    afile.write_text("a file")
    link = tmp_path / "link"
    link.symlink_to(plan_dir, target_is_directory=True)
    with guard(inst_dir, plan_dir, tmp_path):
        status, _, err = cli("report", inst_dir, plan_dir, "--out", plan_dir)
        assert status == 2  # the input, and a plan folder rather than a report
        status, _, err = cli("generate", "--out", plan_dir, "--households", "1500")
        assert status == 2 and "'plan', not 'instance'" in err
        for out in (afile, link):
            status, _, err = cli(*solve_args(inst_dir, out))
            assert status == 2 and ("a file" in err or "symbolic link" in err)


def test_a_baseline_is_an_input_too(
    cli: Cli, inst_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    plan = Path(shutil.copytree(plan_dir, tmp_path / "plan"))
    with guard(plan):
        status, _, err = cli(*solve_args(inst_dir, plan, "--baseline", plan))
        assert status == 2 and "input" in err
    status, _, err = cli(*solve_args(inst_dir, plan, "--baseline", plan, "--force"))
    assert status == 0, err
    assert cli("validate", inst_dir, plan)[0] == 0


def test_a_workbook_pairing_did_not_write_is_never_replaced(
    cli: Cli, tmp_path: Path
) -> None:
    book = tmp_path / "theirs.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["someone's", "data"])
    wb.save(book)
    (tmp_path / "ours.rules.toml").write_text("max_households = 4\n")
    with guard(tmp_path):
        for force in ([], ["--force"]):
            args = ["generate", "--out", book, "--format", "xlsx", "--households"]
            status, _, err = cli(*args, "1500", *force)
            assert status == 2 and "did not write this workbook" in err
        # a rules file beside it pairing did not write would change its rules
        status, _, err = cli("generate", "--out", tmp_path / "ours.xlsx", "--format",
                             "xlsx", "--households", "1500")  # fmt: skip
        assert status == 2 and "rules" in err
    mine = tmp_path / "mine.xlsx"
    for seed in ("1", "2"):  # its own workbook may be replaced
        args = ["generate", "--out", mine, "--format", "xlsx", "--households"]
        assert cli(*args, "1500", "--seed", seed)[0] == 0
    assert len(load_instance(mine).households) == 1500


# -- 2. ids round-trip exactly ----------------------------------------------------

HOSTILE_IDS = ["nan", "NaN", "None", "NA", "<NA>", "null", "NULL", "N/A", "#N/A",
               "0012", "a b", "-1", "+1", "=1+1", "@x", "'=x", "'0012", "TRUE",
               "1e5", "1.0", "inf"]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_ids(base: Instance) -> Instance:
    t = tables_of(base)
    hh = t["households"]["household_id"].tolist()
    t = rename(t, "households", dict(zip(hh, HOSTILE_IDS, strict=False)))
    cadres = t["cadres"]["cadre_id"].tolist()
    t = rename(
        t, "cadres", dict(zip(cadres, ["None", "nan", "-7", "NA"], strict=False))
    )
    units = t["units"]["unit_id"].tolist()
    t = rename(t, "units", dict(zip(units, ["null", "=U", "N/A"], strict=False)))
    return build(t, base.rules)


@pytest.mark.parametrize(
    ("fmt_in", "fmt_out"), [("parquet", "csv"), ("csv", "xlsx"), ("xlsx", "parquet")]
)
def test_ids_round_trip_through_every_format(
    cli: Cli, hostile_ids: Instance, tmp_path: Path, fmt_in: str, fmt_out: str
) -> None:
    src = tmp_path / "inst"
    save_instance(hostile_ids, src, format=fmt_in)
    back = load_instance(src)
    for table, key in (("households", "household_id"), ("cadres", "cadre_id"),
                       ("units", "unit_id")):  # fmt: skip
        assert (
            back.tables[table][key].tolist() == hostile_ids.tables[table][key].tolist()
        )
    plan = tmp_path / "plan"
    with guard(src):
        status, _, err = cli(*solve_args(src, plan, "--format", fmt_out))
        assert status == 0, err
        loaded = Plan.load(plan)
        got = loaded.household_pairs["household_id"]
        assert sorted(got) == sorted(hostile_ids.households["household_id"])
        assert set(HOSTILE_IDS) <= set(got)
        assert (loaded.village_pairs["unit_id"] != "").all()
        assert cli("validate", src, plan)[0] == 0
        if fmt_out == "csv":  # a baseline keeps every household where it was
            again = tmp_path / "again"
            status, _, err = cli(*solve_args(src, again, "--baseline", plan))
            assert status == 0, err
            a = loaded.household_pairs.set_index("household_id")["responsible_id"]
            b = Plan.load(again).household_pairs.set_index("household_id")
            assert (b["responsible_id"][HOSTILE_IDS] == a[HOSTILE_IDS]).all()
        if fmt_out == "parquet":
            status, _, err = cli("report", src, plan, "--out", tmp_path / "report")
            assert status == 0, err


# -- 3. names from ids --------------------------------------------------------------


def test_roster_names_never_collide_and_stay_short(
    cli: Cli, base: Instance, tmp_path: Path
) -> None:
    t = tables_of(base)
    regions = t["regions"]
    prefs = regions.loc[regions["level"] == "prefecture", "region_id"].tolist()
    evil = ["a/b", "a_b", "长" * 100, "CON", "A", "a", "../x", "x" * 300]
    t = rename(t, "regions", dict(zip(prefs, evil, strict=False)))
    inst = build(t, base.rules)
    src, plan, out = tmp_path / "inst", tmp_path / "plan", tmp_path / "report"
    save_instance(inst, src)
    assert cli(*solve_args(src, plan))[0] == 0
    status, _, err = cli("report", src, plan, "--out", out, "--lang", "en")
    assert status == 0, err
    files = sorted(p.name for p in out.glob("roster_*.xlsx"))
    from pairing.report import rosters

    ids = list(rosters(inst, Plan.load(plan), "en"))
    assert len(files) == len(ids) and set(evil) & set(ids)
    assert len({f.casefold() for f in files}) == len(files)  # Windows, macOS
    assert all(len(f.encode()) <= 120 for f in files)
    page = (out / "index.html").read_text(encoding="utf-8")
    for f in files:
        assert f'href="{html.escape(f)}"' in page
    for pid in ids:  # every roster is listed with its prefecture's id
        assert f"({html.escape(pid)})" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inst", "plan", "report"]


def test_household_group_keys_with_bars_stay_two_nodes(base: Instance) -> None:
    import pairing

    plan = pairing.solve(base, time_limit=20, seed=0, workers=1)
    hp = plan.household_pairs[plan.household_pairs["responsible_kind"] == "cadre"]
    hv = base.households.set_index("household_id")["village_id"]
    v = hp["household_id"].map(hv)
    villages = v.drop_duplicates().tolist()[:2]
    c1 = hp.loc[v == villages[0], "responsible_id"].iloc[0]
    c2 = hp.loc[v == villages[1], "responsible_id"].iloc[0]
    # naively "p|q" + "|" + "r" == "p" + "|" + "q|r": two groups, one key
    t = rename(tables_of(base), "villages", {villages[0]: "p|q", villages[1]: "p"})
    t = rename(t, "cadres", {c1: "r", c2: "q|r"})
    inst = build(t, base.rules)
    names = {villages[0]: "p|q", villages[1]: "p", c1: "r", c2: "q|r"}
    renamed = Plan(**{n: df.replace(names) for n, df in plan.tables.items()})
    G = graph(inst, renamed)
    groups = [n for n, d in G.nodes(data=True) if d["kind"] == "household_group"]
    rows = renamed.household_pairs.assign(
        v=renamed.household_pairs["household_id"].map(
            inst.households.set_index("household_id")["village_id"]
        )
    )
    assert len(groups) == len(rows.drop_duplicates(["v", "responsible_id"]))


# -- 4./5. safe exports, no markup ------------------------------------------------

EVIL_TEXT = ['=HYPERLINK("http://e.x","x")', "=cmd|' /C calc'!A0", "+1", "-1",
             "@SUM(A1)", "\t=1", "\r=1", "'=x", "$\\undefinedcmd$", "$x^2$",
             "<script>alert(1)</script>", "a & b"]  # fmt: skip


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_reports_never_run_a_cell_as_a_formula_nor_parse_markup(
    cli: Cli, base: Instance, tmp_path: Path
) -> None:
    t = tables_of(base)
    names = [EVIL_TEXT[i % len(EVIL_TEXT)] for i in range(len(t["regions"]))]
    t["regions"] = t["regions"].assign(name=names)
    units = [EVIL_TEXT[i % len(EVIL_TEXT)] for i in range(len(t["units"]))]
    units[0] = "长" * 40_000  # longer than a cell holds
    units[1] = "ctl\x01\x1fname"
    t["units"] = t["units"].assign(name=units)
    inst = build(t, base.rules)
    src, plan, out = tmp_path / "inst", tmp_path / "plan", tmp_path / "report"
    save_instance(inst, src)
    assert cli(*solve_args(src, plan))[0] == 0
    status, _, err = cli("report", src, plan, "--out", out)
    assert status == 0, err  # "$\undefinedcmd$" is no mathtext to matplotlib
    seen = set()
    for path in out.rglob("*.csv"):
        for row in _csv_cells(path)[1:]:
            for cell in row:
                assert not cell.startswith(RISKY) or _number(cell), (path.name, cell)
                assert len(cell) <= MAX_CELL_CHARS
                assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", cell)
                seen.add(cell)
    assert '\'=HYPERLINK("http://e.x","x")' in seen and "'-1" in seen
    cov = pd.read_csv(out / "dashboard" / "coverage_county.csv", encoding="utf-8-sig")
    assert pd.api.types.is_integer_dtype(cov["households"])  # numbers stay numbers
    for path in out.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f"
                    if isinstance(c.value, str):
                        assert len(c.value) <= MAX_CELL_CHARS
                        if c.value.startswith(RISKY):
                            assert c.quotePrefix, (path.name, c.coordinate)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page


def test_instance_csv_text_is_marked_and_read_back_exactly(
    base: Instance, tmp_path: Path
) -> None:
    t = tables_of(base)
    t["units"] = t["units"].assign(
        name=[EVIL_TEXT[i % len(EVIL_TEXT)] for i in range(len(t["units"]))]
    )
    inst = build(t, base.rules)
    save_instance(inst, tmp_path / "i", format="csv")
    for row in _csv_cells(tmp_path / "i" / "units.csv")[1:]:
        assert not any(c.startswith(RISKY) and not _number(c) for c in row), row
    back = load_instance(tmp_path / "i")
    assert back.units["name"].tolist() == inst.units["name"].tolist()
    x = back.units["x_km"].to_numpy()
    assert np.allclose(x, inst.units["x_km"].to_numpy(), equal_nan=True)


# -- 8. the smaller ones ---------------------------------------------------------


def test_a_duplicated_csv_column_is_bad_input(
    cli: Cli, inst_dir: Path, tmp_path: Path
) -> None:
    src = Path(shutil.copytree(inst_dir, tmp_path / "inst"))
    path = src / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{line},{line.split(',')[3]}" for line in lines]  # severity again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with guard(src):
        status, _, err = cli("inspect", src)
    assert status == 2
    assert "households" in err and "severity" in err and "2 columns" in err


def test_plan_readers_are_as_lenient_as_instance_readers(
    cli: Cli, inst_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    plan = Path(shutil.copytree(plan_dir, tmp_path / "plan"))
    d = pd.read_csv(plan / "dispatch.csv", dtype=str, keep_default_na=False)
    d["is_head"] = d["is_head"].map({"True": "是", "False": "否"})
    d.to_csv(plan / "dispatch.csv", index=False, encoding="utf-8-sig")  # a BOM too
    h = pd.read_csv(plan / "household_pairs.csv", dtype=str, keep_default_na=False)
    h["household_id"] = " " + h["household_id"] + " "
    h["responsible_id"] = h["responsible_id"] + "  "
    h.to_csv(plan / "household_pairs.csv", index=False)
    with guard(inst_dir, plan):
        status, out, err = cli("validate", inst_dir, plan)
        assert status == 0, out + err
        status, _, err = cli("report", inst_dir, plan, "--out", tmp_path / "r")
        assert status == 0, err
    bad = plan / "dispatch.csv"
    bad.write_text(bad.read_text(encoding="utf-8-sig").replace("是", "maybe", 1))
    status, _, err = cli("validate", inst_dir, plan)
    assert status == 2 and "dispatch" in err and "is_head" in err and "row" in err


@pytest.mark.parametrize(
    "summary",
    ["[1, 2]", '"text"', '{"counts": [1]}', '{"objective": "high"}',
     '{"soft": {"R11": {"kept": "all"}}}', "{not json"],
)  # fmt: skip
def test_diff_on_a_bad_summary_is_bad_input(
    cli: Cli, plan_dir: Path, tmp_path: Path, summary: str
) -> None:
    plan = Path(shutil.copytree(plan_dir, tmp_path / "plan"))
    (plan / "summary.json").write_text(summary)
    status, _, err = cli("diff", plan_dir, plan)
    assert status == 2 and "summary.json" in err


def test_infinite_time_limit_never_writes_invalid_json(
    cli: Cli, base: Instance, tmp_path: Path
) -> None:
    src = tmp_path / "inst"
    save_instance(base.replace(rules=base.rules.replace(time_limit=float("inf"))), src)
    assert "time_limit = inf" in (src / "rules.toml").read_text()
    assert cli(*solve_args(src, tmp_path / "plan"))[0] == 0

    def strict(text: str) -> None:
        raise AssertionError(f"{text} is not JSON")

    json.loads((tmp_path / "plan" / "summary.json").read_text(), parse_constant=strict)


def test_outputs_follow_the_umask(cli: Cli, inst_dir: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert cli(*solve_args(inst_dir, tmp_path / "plan"))[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "plan").stat().st_mode & 0o777 == 0o750
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "plan").iterdir()}
    assert modes == {0o640}


def test_no_households_and_huge_contact_households_name_their_causes(
    cli: Cli, base: Instance, tmp_path: Path
) -> None:
    t = tables_of(base)
    t["households"] = t["households"].iloc[:0]
    empty = build(t, base.rules)
    huge = base.replace(rules=base.rules.replace(contact_households=1_000_000))
    for name, inst, words in (
        ("empty", empty, ["R8", "hold 0 households"]),
        (
            "huge",
            huge,
            ["R8", "taken by leaders", "contact_households (now 1,000,000)"],
        ),
    ):
        src = tmp_path / name
        save_instance(inst, src)
        status, out, _ = cli("inspect", src)
        assert status in (0, 1) and all(w in out for w in words), out
        status, _, err = cli(*solve_args(src, tmp_path / f"{name}-plan"))
        assert status == 1 and all(w in err for w in words), err
        assert not (tmp_path / f"{name}-plan").exists()


def test_folders_with_two_workbooks_or_odd_rules_files(
    cli: Cli, base: Instance, inst_dir: Path, tmp_path: Path
) -> None:
    two = tmp_path / "two"
    two.mkdir()
    save_instance(base, two / "a.xlsx", format="xlsx")
    save_instance(base, two / "b.xlsx", format="xlsx")
    status, _, err = cli("inspect", two)
    assert status == 2 and "2 workbooks" in err and "a.xlsx" in err
    folder = Path(shutil.copytree(inst_dir, tmp_path / "rules-folder"))
    (folder / "rules.toml").mkdir()
    status, _, err = cli("inspect", folder)
    assert status == 2 and "rules.toml" in err and "a folder" in err
    bom = Path(shutil.copytree(inst_dir, tmp_path / "bom"))
    (bom / "rules.toml").write_bytes("\ufeffmax_households = 6\n".encode())
    assert load_instance(bom).rules == Rules(max_households=6)
    assert cli("inspect", bom)[0] in (0, 1)


def test_bad_tables_name_table_id_and_column(
    cli: Cli, inst_dir: Path, tmp_path: Path
) -> None:
    src = Path(shutil.copytree(inst_dir, tmp_path / "inst"))
    h = pd.read_csv(src / "households.csv", dtype=str, keep_default_na=False)
    hid = h["household_id"].iat[3]
    h.loc[3, "members"] = "many"
    h.to_csv(src / "households.csv", index=False)
    with guard(src):
        status, _, err = cli(*solve_args(src, tmp_path / "plan"))
    assert status == 2 and f"households {hid}, column members" in err
    assert not (tmp_path / "plan").exists() and leftovers(tmp_path) == []


def test_the_marker_is_bookkeeping_not_a_table(plan_dir: Path) -> None:
    assert (plan_dir / MARKER).is_file()
    Plan.load(plan_dir)  # readers ignore it
