"""Provenance: a plan names the instance it was made for, and the CLI checks it.

``pairing validate`` and ``pairing report`` of a plan made for a different
instance exit 2 with a clear message (``--force`` goes on anyway); a plan
written before fingerprints were recorded is taken as it is, with a note.
``pairing solve --params FILE`` reads the solver's settings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pairing
from pairing.cli import main


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("provenance")
    pairing.generate(households=2000, seed=1).save(root / "a")
    pairing.generate(households=2000, seed=2).save(root / "b")
    params = root / "params.toml"
    params.write_text("[households]\nbuckets = 4\n", encoding="utf-8")
    status = main(
        [
            "solve", str(root / "a"), "--out", str(root / "plan"), "--quiet",
            "--time-limit", "20", "--params", str(params),
        ]
    )  # fmt: skip
    assert status == 0
    return root


def test_the_plan_records_its_instance_and_settings(work):
    summary = json.loads((work / "plan" / "summary.json").read_text())
    instance = pairing.load_instance(work / "a")
    assert summary["provenance"]["instance_fingerprint"] == pairing.fingerprint(
        instance
    )
    assert summary["parameters"]["solver"]["households"]["buckets"] == 4
    assert set(summary["provenance"]["versions"]) >= {"pairing", "ortools", "highspy"}


def test_validate_and_report_refuse_a_plan_of_another_instance(work, capsys):
    for cmd in (
        ["validate", str(work / "b"), str(work / "plan")],
        ["report", str(work / "b"), str(work / "plan"), "--out", str(work / "r")],
    ):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        assert "made for a different instance" in err and "--force" in err
        assert "Traceback" not in err
    assert not (work / "r").exists()  # nothing was written


def test_force_checks_it_anyway(work, capsys):
    status = main(["validate", str(work / "b"), str(work / "plan"), "--force"])
    captured = capsys.readouterr()
    assert status == 1  # the validator finds what is wrong, rule by rule
    assert "INVALID" in captured.out and "(--force)" in captured.err


def test_the_right_instance_passes(work, capsys):
    assert main(["validate", str(work / "a"), str(work / "plan")]) == 0
    assert "Valid" in capsys.readouterr().out


def test_an_old_plan_without_a_fingerprint_is_taken_with_a_note(work, capsys, tmp_path):
    old = tmp_path / "old"
    pairing.Plan.load(work / "plan").save(old)
    path = old / "summary.json"
    summary = json.loads(path.read_text())
    del summary["provenance"]
    path.write_text(json.dumps(summary))
    assert main(["validate", str(work / "a"), str(old)]) == 0
    assert "records no instance fingerprint" in capsys.readouterr().err


def test_bad_params_exit_2_naming_the_key(work, tmp_path, capsys):
    params = tmp_path / "params.toml"
    params.write_text("[engine]\ncore_secs = 1\n", encoding="utf-8")
    out = tmp_path / "p"
    status = main(
        ["solve", str(work / "a"), "--out", str(out), "--params", str(params)]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "engine.core_secs" in err and "params.toml" in err
    assert not out.exists()
