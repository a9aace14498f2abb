"""The typed result of a solve (``pairing.result``), its settings (``params``)."""

from __future__ import annotations

import json
import math

import pytest

import pairing
from pairing.errors import InputError
from pairing.params import HouseholdParams, SolveParams
from pairing.result import SoftFigures, SolveResult, StageResult, Status
from pairing.schema import PLAN_TABLES

CONTRACT_KEYS = {
    "status", "method", "objective", "best_bound", "gap", "seconds", "counts", "soft",
}  # fmt: skip
"""``summary.json`` keys the data contract names."""
EARLIER_KEYS = {"stages", "parameters", "dispatch_shortfall"}
"""Keys earlier versions wrote (kept: add, never rename)."""


@pytest.fixture(scope="module")
def solved() -> tuple[pairing.Instance, pairing.Plan]:
    instance = pairing.generate(households=3000, seed=11)
    return instance, pairing.solve(instance, time_limit=20, seed=0)


def test_the_result_is_typed_frozen_and_is_the_summary(solved):
    instance, plan = solved
    r = plan.result
    assert isinstance(r, SolveResult) and isinstance(r.status, Status)
    assert r.objective == plan.objective and r.bound == plan.best_bound
    assert isinstance(r.stages["villages"], StageResult)
    assert r.stages["households"].details["arcs"] > 0
    assert isinstance(r.soft, SoftFigures) and r.soft["R13"] == plan.info["soft"]["R13"]
    assert r.provenance is not None
    assert r.provenance.fingerprint == pairing.fingerprint(instance)
    assert {"ortools", "highspy", "pairing"} <= set(r.provenance.versions)
    assert r.params == SolveParams()
    with pytest.raises(AttributeError):
        r.objective = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.seconds["total"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        plan.info["soft"]["R9"]["inverted_share"] = 1.0
    assert pairing.validate(instance, plan).ok


def test_summary_json_keeps_every_key_and_reads_back(solved, tmp_path):
    instance, plan = solved
    plan.save(tmp_path / "p")
    data = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert set(data) >= CONTRACT_KEYS | EARLIER_KEYS
    assert data["provenance"]["instance_fingerprint"] == pairing.fingerprint(instance)
    assert data["parameters"]["solver"] == SolveParams().to_dict()
    assert {"time_limit", "seed", "method", "capacity_reserve"} <= set(
        data["parameters"]
    )
    assert set(data["stages"]["households"]) >= {"prefecture_overflow", "arcs"}
    back = pairing.Plan.load(tmp_path / "p")
    assert back.result is not None
    assert back.result.provenance == plan.result.provenance
    assert back.result.soft == plan.result.soft
    assert back.result.params == plan.result.params
    assert back.result.stages == plan.result.stages
    assert back.fingerprint == pairing.fingerprint(instance)


def test_an_old_summary_reads_as_a_result_and_keeps_unknown_keys():
    old = {
        "status": "feasible",
        "method": "lagrangian",
        "objective": 10,
        "best_bound": 12.5,
        "gap": 0.2,
        "seconds": {"total": 3.0},
        "soft": {"R13": {"claims": 2, "honoured": 1}},
        "from_another_service": {"x": [1, 2]},
    }
    r = SolveResult.from_dict(old)
    assert (r.status, r.objective, r.bound, r.gap) == (Status.FEASIBLE, 10.0, 12.5, 0.2)
    assert r.provenance is None and r.params is None
    assert r.soft.claims_honoured == 1
    out = r.to_dict()
    assert out["from_another_service"] == {"x": [1, 2]}
    assert {k: out[k] for k in old if k != "objective"} == {
        k: v for k, v in old.items() if k != "objective"
    }
    with pytest.raises(ValueError, match="status"):
        SolveResult.from_dict({"status": "no plan"})


def test_a_foreign_summary_is_kept_as_it_is(tmp_path, solved):
    _, plan = solved
    foreign = pairing.Plan(**plan.tables, info={"status": "no plan", "n": 1})
    assert foreign.result is None and foreign.status == "no plan"
    foreign.save(tmp_path / "f")
    back = pairing.Plan.load(tmp_path / "f")
    assert back.result is None and dict(back.info) == {"status": "no plan", "n": 1}
    assert back.fingerprint is None


def test_soft_figures_print_the_soft_rules_block(solved):
    _, plan = solved
    text = str(plan.result.soft)
    assert text.startswith("Soft rules\n----------")
    assert text in plan.summary()
    assert text in pairing.validate(*solved).summary()
    assert str(SoftFigures()) == ""
    s = plan.result.soft
    assert s.continuity_keepable == plan.info["soft"]["R11"]["keepable"]
    assert s.max_load == plan.info["soft"]["R12"]["max_load"]


def test_the_validation_report_is_a_typed_value(solved):
    instance, plan = solved
    report = pairing.validate(instance, plan)
    assert isinstance(report.violations, tuple) and isinstance(report.soft, SoftFigures)
    assert report.soft == plan.result.soft  # the same figures, independently
    assert report.to_dict()["instance_fingerprint"] == pairing.fingerprint(instance)
    with pytest.raises(AttributeError):
        report.violations = ()  # type: ignore[misc]


def test_params_round_trip_through_toml(tmp_path):
    p = SolveParams().replace(engine={"core_seconds": 2.5}, households={"buckets": 4})
    path = tmp_path / "params.toml"
    path.write_text(p.to_toml(), encoding="utf-8")
    assert SolveParams.from_toml(path) == p
    assert SolveParams.from_dict(p.to_dict()) == p


@pytest.mark.parametrize(
    "text, column",
    [
        ("[engine]\ncore_sec = 1\n", "engine.core_sec"),
        ("[engines]\n", "engines"),
        ("[households]\nbuckets = 1.5\n", "households.buckets"),
        ("[engine]\nwarm_lp = 1\n", "engine.warm_lp"),
        ("[decomposed]\npolish_share = 2\n", "decomposed.polish_share"),
        ("[engine]\nsmoothing = -0.1\n", "engine.smoothing"),
    ],
)
def test_bad_params_name_the_key(tmp_path, text, column):
    path = tmp_path / "params.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        SolveParams.from_toml(path)
    assert [p.column for p in err.value.problems] == [column]
    assert err.value.problems[0].table == "params.toml"


def test_household_params_reach_the_stage(solved):
    instance, plan = solved
    coarse = pairing.solve(
        instance,
        time_limit=20,
        seed=0,
        params=SolveParams(households=HouseholdParams(buckets=1, nearest=1)),
    )
    assert pairing.validate(instance, coarse).ok
    fine = plan.result.stages["households"].details["arcs"]
    assert coarse.result.stages["households"].details["arcs"] < fine
    assert coarse.result.params.households.buckets == 1


def test_plan_tables_are_the_contract(solved):
    _, plan = solved
    assert set(plan.tables) == set(PLAN_TABLES)
    assert not math.isnan(plan.result.gap)
