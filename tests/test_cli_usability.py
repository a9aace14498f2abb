"""The command line as a person meets it: help on every option, ``--version``,
``inspect``'s exit status, a closed pipe, a misspelt column."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames

import pairing
from pairing.cli import build_parser
from pairing.instance import Instance
from pairing.io import save_instance


def run(*args: str | Path, **kw) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pairing", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("usability") / "tiny"
    save_instance(Instance.from_tables(tiny_frames()), out, format="csv")
    return out


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)
        elif not isinstance(action, argparse._HelpAction):
            yield parser, action


def test_every_option_has_help_and_says_its_default():
    seen = 0
    for parser, action in _actions(build_parser()):
        name = f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"
        assert action.help, f"{name}: no help text"
        if not action.option_strings or isinstance(action, argparse._VersionAction):
            continue
        text = " ".join(parser.format_help().split())
        opts = text[text.index("options:") :]
        flag = action.option_strings[-1]
        rest = opts[opts.index(flag) + len(flag) :]
        line = rest[: rest.find(" --") if " --" in rest else None]  # its own help
        if action.default not in (None, False):
            d = action.default
            shown = f"{d:,}" if isinstance(d, int) else str(d)
            assert f"default: {shown}" in line, f"{name}: default not shown"
        else:
            assert "default" in line or "required" in line, f"{name}: no default"
        seen += 1
    assert seen > 15


def test_help_and_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"pairing {pairing.__version__}"
    proc = run("solve", "--help")
    assert proc.returncode == 0
    assert "--time-limit" in proc.stdout and "exit status" in proc.stdout


def test_inspect_exits_1_when_the_prechecks_prove_a_cause(tiny, tmp_path):
    sound = run("inspect", tiny)
    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert "cannot all hold" not in sound.stdout
    bad = tmp_path / "bad"
    frames = tiny_frames()
    cadres = frames["cadres"].copy()
    cadres["max_households"] = cadres["max_households"].astype(object)
    cadres.loc[cadres["unit_id"].str.endswith("-A"), "max_households"] = 0
    frames["cadres"] = cadres
    save_instance(Instance.from_tables(frames), bad, format="csv")
    insp = run("inspect", bad)
    assert insp.returncode == 1, insp.stdout + insp.stderr
    solve = run("solve", bad, "--out", tmp_path / "plan", "--workers", "1")
    assert solve.returncode == 1
    causes = [x.strip() for x in solve.stderr.splitlines() if x.startswith("  - R")]
    assert causes
    printed = [x.strip() for x in insp.stdout.splitlines() if x.startswith("  - R")]
    assert printed == causes  # one reading: the same causes, in the same order


def test_a_closed_pipe_is_not_an_error(tiny, tmp_path):
    plan = tmp_path / "plan"
    assert (
        run("solve", tiny, "--out", plan, "--workers", "1", "--quiet").returncode == 0
    )
    for args in (("diff", plan, plan), ("inspect", tiny), ("validate", tiny, plan)):
        cmd = " ".join([sys.executable, "-m", "pairing", *map(str, args)])
        proc = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {cmd} | head -n 1"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stderr == "", (args, proc.stderr)
        assert len(proc.stdout.splitlines()) == 1


def test_a_misspelt_column_is_named_with_its_file(tiny, tmp_path):
    bad = tmp_path / "typo"
    save_instance(Instance.from_tables(tiny_frames()), bad, format="csv")
    hh = pd.read_csv(bad / "households.csv", dtype=str, keep_default_na=False)
    hh.rename(columns={"severity": "severty"}).to_csv(
        bad / "households.csv", index=False
    )
    vv = pd.read_csv(bad / "villages.csv", dtype=str, keep_default_na=False)
    vv.rename(columns={"x_km": "X_km "}).to_csv(bad / "villages.csv", index=False)
    proc = run("inspect", bad)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    hit = next(x for x in lines if "severty" in x)
    assert "households.csv" in hit and "did you mean severity?" in hit
    hit = next(x for x in lines if "X_km" in x)
    assert "villages.csv" in hit and "did you mean x_km?" in hit
    # in a workbook, the sheet is named
    book = tmp_path / "t.xlsx"
    frames = tiny_frames()
    frames["units"] = frames["units"].rename(columns={"tier": "teir"})
    from pairing.io import write_xlsx

    write_xlsx(book, frames)
    proc = run("inspect", book)
    assert proc.returncode == 2
    hit = next(x for x in proc.stderr.splitlines() if "teir" in x)
    assert "t.xlsx, sheet units" in hit and "did you mean tier?" in hit
