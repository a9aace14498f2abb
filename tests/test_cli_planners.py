"""The planners' commands: ``pairing score``, ``explain``, ``recommend``,
``scenario apply`` and ``scenario compare`` (exit statuses as the contract)."""

from __future__ import annotations

import pandas as pd
import pytest

import pairing
from pairing.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("planners")
    inst = pairing.generate(4_300, seed=2)
    pairing.save_instance(inst, root / "inst")
    assert (
        main(["solve", str(root / "inst"), "--out", str(root / "plan"), "--quiet"]) == 0
    )
    return root, inst


def test_score_command(files, capsys):
    root, _ = files
    assert main(["score", str(root / "inst"), str(root / "plan"), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "目标值分项" in out and "R9" in out and "R13" in out
    assert main(["score", str(root / "inst"), str(root / "plan"), "--json"]) == 0
    assert '"by_term"' in capsys.readouterr().out


def test_explain_command(files, capsys):
    root, inst = files
    plan = pairing.Plan.load(root / "plan")
    v = plan.village_pairs["village_id"].iloc[0]
    args = ["explain", str(root / "inst"), str(root / "plan")]
    assert main([*args, "--village", v]) == 0
    assert f"Village {v} is led by" in capsys.readouterr().out
    assert main([*args, "--village", "no-such-village"]) == 2
    assert "no-such-village" in capsys.readouterr().err
    assert main(args) == 2  # neither --village nor --household


def test_recommend_command(files, tmp_path, capsys):
    root, inst = files
    v = inst.villages["village_id"].iloc[0]
    pd.DataFrame([{"household_id": "N1", "village_id": v, "severity": "2.5"}]).to_csv(
        tmp_path / "new.csv", index=False
    )
    args = ["recommend", str(root / "inst"), str(root / "plan")]
    assert main([*args, "--households", str(tmp_path / "new.csv"), "--k", "2"]) == 0
    assert "N1" in capsys.readouterr().out
    pd.DataFrame([{"household_id": "N1", "village_id": "nowhere"}]).to_csv(
        tmp_path / "bad.csv", index=False
    )
    assert main([*args, "--households", str(tmp_path / "bad.csv")]) == 2
    assert "village_id" in capsys.readouterr().err


def test_scenario_apply_and_compare(files, tmp_path, capsys):
    root, inst = files
    changes = pd.DataFrame(
        [{"step": 1, "kind": "cadres_leave_share", "id": "", "value": 0.02, "seed": 1}]
    )
    changes.to_csv(tmp_path / "changes.csv", index=False)
    new = tmp_path / "new"
    args = ["scenario", "apply", str(root / "inst"), str(tmp_path / "changes.csv")]
    assert main([*args, "--out", str(new)]) == 0
    assert "2% of cadres" in capsys.readouterr().out
    changed = pairing.load_instance(new)
    assert len(changed.cadres) == len(inst.cadres) - round(0.02 * len(inst.cadres))
    assert main([*args, "--out", str(root / "inst")]) == 2  # never its own input
    replan = tmp_path / "replan"
    solve = ["solve", str(new), "--baseline", str(root / "plan"), "--quiet"]
    assert main([*solve, "--out", str(replan)]) == 0
    capsys.readouterr()
    assert main(["scenario", "compare", str(root / "plan"), str(replan)]) == 0
    out = capsys.readouterr().out
    assert "R9 tier" in out and "R14 keep-bonus (apart)" in out
    assert "households moved" in out
