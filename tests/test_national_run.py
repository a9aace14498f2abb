"""``solve_all`` on a Dask ``LocalCluster``: a tiny national set of small provinces.

* the plans are the plans of solving each province alone (deterministic);
* the national roll-up equals the sum of the provinces' plans;
* a re-run skips what is done (a changed instance or an edited plan is
  planned again);
* a worker killed while it holds a province: the province is retried;
* a province that cannot be planned is reported (R15) and the others planned;
* the command line (``--scheduler`` of the running cluster): exit 0 / 1 / 2.

Every plan is checked by the independent validator.
"""

from __future__ import annotations

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import pairing
from pairing.cli import main
from pairing.marker import read_marker
from pairing.national import generate_national, solve_all
from pairing.national.solve_all import memory_estimate

distributed = pytest.importorskip("distributed")

PROVINCES = ["64", "46", "63"]  # 宁夏, 海南, 青海: small trees
SHARE = 0.004  # about 1,000-1,200 households each
SOLVE = {"time_limit": 5.0, "seed": 0, "deterministic": True}


@pytest.fixture(scope="module")
def client():
    try:
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            resources={"MEMORY": 4e9},
            memory_limit="4GB",
            dashboard_address="127.0.0.1:0",
            silence_logs=50,
        )
        c = distributed.Client(cluster)
    except Exception as exc:  # no sockets, no process spawning …
        pytest.skip(f"distributed cannot start a local cluster here: {exc}")
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national") / "set"
    generate_national(out, share=SHARE, seed=0, provinces=PROVINCES)
    return out


@pytest.fixture(scope="module")
def run(national, client, tmp_path_factory):
    plans = tmp_path_factory.mktemp("plans") / "plans"
    return solve_all(national, plans, executor=client, **SOLVE)


def load(path: Path) -> pairing.Plan:
    return pairing.Plan.load(path)


def assert_same_tables(a: pairing.Plan, b: pairing.Plan) -> None:
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(
            table.reset_index(drop=True), b.tables[name].reset_index(drop=True)
        )


def test_every_province_is_planned_and_valid(run, national):
    assert run.ok and [p.status for p in run.provinces] == ["planned"] * 3
    for p in run.provinces:
        inst = pairing.load_instance(national / p.code)
        report = pairing.validate(inst, load(run.out / p.code))
        assert report.ok, report.summary()
        assert p.attempts == 1 and p.peak_rss_mb > 0 and p.worker


def test_largest_province_first(run):
    sizes = [p.households for p in run.provinces]
    assert sizes == sorted(sizes, reverse=True)


def test_same_plans_as_each_province_alone(run, national, tmp_path):
    for p in run.provinces:
        inst = pairing.load_instance(national / p.code)
        alone = pairing.solve(inst, workers=1, **SOLVE)
        alone.save(tmp_path / p.code)
        there = load(run.out / p.code)
        assert_same_tables(load(tmp_path / p.code), there)
        assert there.info["objective"] == alone.info["objective"]
        assert there.fingerprint == pairing.fingerprint(inst)


def test_rollup_equals_the_sum_of_the_provinces_plans(run, national):
    data = json.loads((run.out / "national.json").read_text(encoding="utf-8"))
    assert data["check"] == {"ok": True, "mismatches": []}
    total = dict.fromkeys(("villages", "households", "dispatched", "cadres"), 0)
    units = 0
    for row in data["provinces"]:
        plan = load(run.out / row["code"])
        inst = pairing.load_instance(national / row["code"])
        lead = plan.village_pairs[plan.village_pairs["role"] == "lead"]
        assert row["villages"] == len(lead) == int(inst.v_poor.sum())
        assert row["households"] == len(plan.household_pairs)
        assert row["dispatched"] == len(plan.dispatch)
        assert row["cadres"] == len(inst.cadres)
        cadres = plan.household_pairs["responsible_kind"] == "cadre"
        with_task = set(lead["unit_id"]) | set(plan.household_pairs["unit_id"][cadres])
        assert row["units_with_task"] == len(with_task)
        units += len(with_task)
        total["villages"] += len(lead)
        total["households"] += len(plan.household_pairs)
        total["dispatched"] += len(plan.dispatch)
        total["cadres"] += len(inst.cadres)
    for key, value in total.items():
        assert data["totals"][key] == value, key
    assert data["totals"]["units_with_task"] == units
    assert data["totals"]["gap"] is not None and data["ok"]
    page = (run.out / "index.html").read_text(encoding="utf-8")
    assert (
        all(row["code"] in page for row in data["provinces"]) and "<script" not in page
    )
    marker = read_marker(run.out)
    assert marker.kind == "plans" and "national.json" in marker.files
    assert f"{data['provinces'][0]['code']}/summary.json" in marker.files


def test_a_rerun_skips_what_is_done(run, national, client):
    before = {p.code: (run.out / p.code / "summary.json").stat() for p in run.provinces}
    again = solve_all(national, run.out, executor=client, **SOLVE)
    assert [p.status for p in again.provinces] == ["skipped"] * 3
    assert again.rollup["totals"] == {**run.rollup["totals"], **_times(again)}
    for p in again.provinces:
        now = (run.out / p.code / "summary.json").stat()
        assert (now.st_ino, now.st_mtime_ns) == (
            before[p.code].st_ino,
            before[p.code].st_mtime_ns,
        )
    # a changed instance and a plan missing a file are planned again; a plan
    # someone edited is not replaced (nothing lost): that province fails
    changed, damaged, edited = (p.code for p in run.provinces)
    households = len(pairing.load_instance(national / changed).households)
    other = pairing.generate(
        households, 99, province=pairing.national.province(changed)
    )
    pairing.save_instance(other, national / changed)
    (run.out / damaged / "dispatch.parquet").unlink()
    summary = run.out / edited / "summary.json"
    text = summary.read_text(encoding="utf-8").replace("{", "{ ", 1)
    summary.write_text(text, encoding="utf-8")
    third = solve_all(national, run.out, executor=client, **SOLVE)
    by = {p.code: p for p in third.provinces}
    assert by[changed].status == "planned" and by[damaged].status == "planned"
    assert by[edited].status == "failed" and "summary.json" in by[edited].causes[0]
    assert summary.read_text(encoding="utf-8") == text
    assert third.rollup["check"]["ok"]
    summary.unlink()  # the user gives it up: planned again
    fourth = solve_all(national, run.out, executor=client, **SOLVE)
    assert [p.status for p in fourth.provinces] == ["skipped", "skipped", "planned"]


def _times(result) -> dict:
    t = result.rollup["totals"]
    return {"solve_seconds": t["solve_seconds"], "wall_seconds": t["wall_seconds"]}


def test_a_killed_workers_province_is_retried(national, tmp_path):
    """SIGKILL the worker holding the largest province: it is planned elsewhere."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address="127.0.0.1:0", silence_logs=50,
    )  # fmt: skip
    victim = {}
    with cluster, distributed.Client(cluster) as c:
        target = "630000"

        def kill(event):
            if (
                event["event"] != "running"
                or victim
                or target not in event["provinces"]
            ):
                return
            for addr, keys in c.processing().items():
                if any(str(k).startswith(f"plan-{target}-") for k in keys):
                    pid = c.run(os.getpid, workers=[addr])[addr]
                    os.kill(pid, signal.SIGKILL)  # a worker process of this test
                    victim["pid"] = pid

        result = solve_all(national, tmp_path / "plans", executor=c, progress=kill,
                           **SOLVE)  # fmt: skip
    assert victim, "the province was never seen running"
    by = {p.code: p for p in result.provinces}
    assert result.ok and by[target].status == "planned"
    assert by[target].attempts >= 2
    assert by[target].worker.split(":")[-1] != str(victim["pid"])
    inst = pairing.load_instance(national / target)
    assert pairing.validate(inst, load(tmp_path / "plans" / target)).ok


def short_of_cadres(src: Path, dst: Path) -> None:
    """``src`` with only each unit's head left: the hard rules cannot all hold."""
    inst = pairing.load_instance(src)
    tables = dict(inst.tables)
    tables["cadres"] = tables["cadres"][tables["cadres"]["is_head"]].reset_index(
        drop=True
    )
    pairing.save_instance(pairing.Instance.from_tables(tables), dst)


def test_a_province_that_cannot_be_planned_is_reported(national, tmp_path):
    bad = tmp_path / "640000"
    short_of_cadres(national / "640000", bad)
    paths = [bad, national / "460000"]
    with ThreadPoolExecutor(2) as pool:  # any executor will do
        result = solve_all(paths, tmp_path / "plans", executor=pool, **SOLVE)
    by = {p.code: p for p in result.provinces}
    assert by["640000"].status == "infeasible" and by["640000"].causes
    assert any("R5" in c or "R3" in c or "capacity" in c for c in by["640000"].causes)
    assert by["460000"].status == "planned" and not result.ok
    assert not (tmp_path / "plans" / "640000").exists()
    data = json.loads((tmp_path / "plans" / "national.json").read_text("utf-8"))
    assert data["totals"]["households"] == by["460000"].households
    page = (tmp_path / "plans" / "index.html").read_text("utf-8")
    assert "infeasible" in page


def test_cli_solve_all_on_a_running_scheduler(client, national, tmp_path, capsys):
    address = client.scheduler.address
    out = tmp_path / "plans"
    args = ["solve-all", str(national), "--out", str(out), "--scheduler", address]
    assert main([*args, "--time-limit", "5", "--deterministic"]) == 0
    text = capsys.readouterr().out
    assert "national:" in text and "630000" in text
    assert main([*args, "--quiet"]) == 0  # skipped, all valid
    bad_set = tmp_path / "bad"
    short_of_cadres(national / "640000", bad_set / "640000")
    args = ["solve-all", str(bad_set), "--out", str(tmp_path / "p2")]
    assert main([*args, "--scheduler", address, "--quiet"]) == 1
    assert "640000" in capsys.readouterr().err
    assert main(["solve-all", str(tmp_path / "none"), "--out", str(out)]) == 2
    assert main([*args, "--scheduler", address, "--workers", "2"]) == 2
    assert main(["solve-all", str(national), "--out", str(national / "640000")]) == 2


def test_memory_estimate_grows_with_households():
    sizes = [10_000, 430_000, 1_290_000, 4_300_000]
    est = [memory_estimate(h) / 1e9 for h in sizes]
    assert est == sorted(est)
    assert 0.8 <= est[1] <= 1.3 and 2.0 <= est[2] <= 2.6 and 8.5 <= est[3] <= 11


def test_national_bound_only_when_every_province_has_one():
    """A sum of bounds over some provinces bounds nothing: no national gap."""
    from pairing.national.rollup import rollup
    from pairing.national.task import ProvinceOutcome

    def outcome(code: str, bound: float | None) -> ProvinceOutcome:
        return ProvinceOutcome(code, code, "planned", objective=90.0, bound=bound)

    full = rollup([outcome("1", 100.0), outcome("2", 100.0)], wall=1.0,
                  scheduler="test", workers=1)  # fmt: skip
    assert full["totals"]["bound"] == 200.0 and full["totals"]["gap"] == 0.1
    for missing in (None, float("inf"), float("nan")):
        part = rollup([outcome("1", 100.0), outcome("2", missing)], wall=1.0,
                      scheduler="test", workers=1)  # fmt: skip
        assert part["totals"]["bound"] is None and part["totals"]["gap"] is None
        assert part["totals"]["objective"] == 180.0


@pytest.mark.parametrize("mode", ["plain", "rich"])
def test_progress_across_provinces_on_the_terminal(mode, capsys):
    """A line per finished province (plain: numbered; rich: under the bar)."""
    from pairing.national.command import _Display
    from pairing.national.task import ProvinceOutcome

    done = ProvinceOutcome("640000", "宁夏回族自治区", "planned", villages=3,
                           households=1_200, wall_seconds=2.5)  # fmt: skip
    failed = ProvinceOutcome("630000", "青海省", "infeasible",
                             ["R5: unit 7 has 2 cadres for 9 households"])  # fmt: skip
    with _Display(mode) as display:
        display.event({"event": "start", "total": 2, "provinces": ["640000", "630000"]})
        display.event({"event": "running", "provinces": ["640000", "630000"]})
        display.event({"event": "done", "outcome": done, "done": 1, "total": 2})
        display.event({"event": "done", "outcome": failed, "done": 2, "total": 2})
    err = capsys.readouterr().err
    assert "640000 宁夏回族自治区: planned — 3 villages, 1,200 households, 2.5 s" in err
    assert "630000 青海省: infeasible — R5: unit 7 has 2 cadres" in err
    if mode == "plain":
        assert "[1/2] 640000" in err and "[2/2] 630000" in err
    with _Display("off") as quiet:
        quiet.event({"event": "done", "outcome": done, "done": 1, "total": 1})
    assert capsys.readouterr().err == ""
