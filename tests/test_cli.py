"""The ``pairing`` command line, run as a real process (``python -m pairing``).

Checks the exit statuses of ``data-contract.md`` (0 ok; 1 violations or
infeasible; 2 bad input or usage; 3 no plan within the time limit), that bad
input names the table, id and column without a traceback, that nothing
half-written is left behind, and that ``--deterministic`` runs are byte for
byte the same.
"""

from __future__ import annotations

import importlib
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames

import pairing.cli
from pairing.errors import NoPlanFound
from pairing.instance import Instance
from pairing.io import load_instance, save_instance
from pairing.marker import MARKER

TIMEOUT = 300


def run(
    *args: str | Path, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """``python -m pairing ARGS``; asserts no traceback was printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "pairing", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout
    return proc


def _leftovers(folder: Path) -> list[str]:
    """Hidden temporary files or folders the atomic writers leave on failure."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def small(work: Path) -> Path:
    """A generated 4,300-household instance (Parquet)."""
    out = work / "small"
    proc = run("generate", "--out", out, "--households", "4300", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def small_csv(work: Path) -> Path:
    out = work / "small-csv"
    proc = run("generate", "--out", out, "--households", "4300", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def small_plan(work: Path, small: Path) -> Path:
    out = work / "small-plan"
    proc = run("solve", small, "--out", out, "--time-limit", "30", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def tiny(work: Path) -> Path:
    """The conftest tiny instance as a CSV folder."""
    out = work / "tiny"
    save_instance(Instance.from_tables(tiny_frames()), out, format="csv")
    return out


@pytest.fixture(scope="module")
def tiny_plan(work: Path, tiny: Path) -> Path:
    out = work / "tiny-plan"
    proc = run("solve", tiny, "--out", out, "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return out


# -- generate / inspect --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_generate_formats(work: Path, fmt: str) -> None:
    out = work / f"gen-{fmt}"
    proc = run("generate", "--out", out, "--households", "4300", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert "4300 households" in proc.stdout
    assert len(load_instance(out).households) == 4300


def test_generate_parquet(small: Path) -> None:
    assert (small / "households.parquet").is_file()
    assert len(load_instance(small).households) == 4300


def test_generate_a_single_workbook(work: Path) -> None:
    book = work / "gen.xlsx"
    proc = run("generate", "--out", book, "--households", "4300", "--format", "xlsx")
    assert proc.returncode == 0, proc.stderr
    assert book.is_file()
    assert run("inspect", book).returncode == 0


def test_inspect(small: Path) -> None:
    proc = run("inspect", small)
    assert proc.returncode == 0, proc.stderr
    assert "households: 4,300" in proc.stdout
    assert "By tier" in proc.stdout and "By county" in proc.stdout


def test_inspect_tiny(tiny: Path) -> None:
    proc = run("inspect", tiny)
    assert proc.returncode == 0, proc.stderr
    assert "households: 46" in proc.stdout


def _edit_csv(folder: Path, table: str, edit) -> None:
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    new = edit(df)
    (new if isinstance(new, pd.DataFrame) else df).to_csv(path, index=False)


def _dup(df: pd.DataFrame) -> None:
    df.loc[1, "household_id"] = df.loc[0, "household_id"]


def _unknown_village(df: pd.DataFrame) -> None:
    df.loc[2, "village_id"] = "999999999"


def _nan_severity(df: pd.DataFrame) -> None:
    df.loc[3, "severity"] = "NaN"


@pytest.mark.parametrize(
    ("edit", "id", "column", "words"),
    [
        (_dup, "00001", "household_id", "a unique id"),
        (_unknown_village, "00003", "village_id", "999999999"),
        (_nan_severity, "00004", "severity", "a number >= 0"),
    ],
)
def test_inspect_bad_instance(
    tiny: Path, tmp_path: Path, edit, id, column, words
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(tiny, folder)
    _edit_csv(folder, "households", edit)
    proc = run("inspect", folder)
    assert proc.returncode == 2
    line = next(x for x in proc.stderr.splitlines() if f"column {column}" in x)
    assert line.strip().startswith(f"- households {id}")
    assert words in line


def test_inspect_lists_every_problem(tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(tiny, folder)
    _edit_csv(folder, "households", lambda df: (_dup(df), _nan_severity(df)))
    _edit_csv(folder, "villages", lambda df: df.__setitem__("poor", "maybe"))
    proc = run("inspect", folder)
    assert proc.returncode == 2
    assert "households 00001" in proc.stderr
    assert "households 00004, column severity" in proc.stderr
    assert "villages 220101001, column poor" in proc.stderr


def test_inspect_missing_path(tmp_path: Path) -> None:
    proc = run("inspect", tmp_path / "nowhere")
    assert proc.returncode == 2
    assert "nothing at this path" in proc.stderr


# -- solve / validate ----------------------------------------------------------


def test_solve_then_validate(small: Path, small_plan: Path) -> None:
    names = {p.name for p in small_plan.iterdir()}
    assert {"village_pairs.parquet", "household_pairs.parquet", "summary.json"} <= names
    proc = run("validate", small, small_plan)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Valid" in proc.stdout
    assert _leftovers(small_plan.parent) == []


def test_solve_csv_plan(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    proc = run("solve", tiny, "--out", out, "--format", "csv", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert (out / "household_pairs.csv").is_file()
    assert run("validate", tiny, out).returncode == 0


def test_validate_broken_plan(small: Path, small_plan: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(small_plan, broken)
    path = broken / "household_pairs.parquet"
    hp = pd.read_parquet(path)
    dropped = list(hp["household_id"].iloc[:5])
    hp.iloc[5:].to_parquet(path)
    proc = run("validate", small, broken)
    assert proc.returncode == 1
    assert "INVALID" in proc.stdout
    assert "R1" in proc.stdout
    for hid in dropped:
        assert f"household {hid} has no responsible" in proc.stdout
    js = run("validate", small, broken, "--json")
    assert js.returncode == 1
    json.loads(js.stdout)


def test_validate_unreadable_plan(small: Path, tmp_path: Path) -> None:
    proc = run("validate", small, tmp_path / "no-plan")
    assert proc.returncode == 2
    assert "a plan folder" in proc.stderr


def test_solve_infeasible_county(small_csv: Path, tmp_path: Path) -> None:
    """Far too few county-tier cadres in one county: exit 1, causes, no plan."""
    inst = load_instance(small_csv)
    units, cadres = inst.units, inst.cadres
    county_units = units[units["tier"] == "county"]
    # the county whose county-tier units carry the most scattered households
    scattered = inst.h_scattered
    per_county = pd.Series(inst.h_county[scattered]).value_counts()
    regions = inst.region_index
    counties = [regions[r] for r in per_county.index]
    county = next(c for c in counties if (county_units["region_id"] == c).any())
    mine = set(county_units.loc[county_units["region_id"] == county, "unit_id"])
    folder = tmp_path / "few"
    shutil.copytree(small_csv, folder)

    def remove(df: pd.DataFrame) -> pd.DataFrame:
        first = ~df["unit_id"].duplicated()  # keep one cadre per unit
        return df[~df["unit_id"].isin(mine) | first]

    _edit_csv(folder, "cadres", remove)
    assert len(pd.read_csv(folder / "cadres.csv")) < len(cadres)
    out = tmp_path / "plan"
    proc = run("solve", folder, "--out", out, "--time-limit", "20")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert "cannot all hold" in proc.stderr
    assert "no plan was written" in proc.stderr
    # (one cadre per unit cannot field a first team either, R8: the county's
    # villages may get an R2 cause too; the scattered households an R3 one)
    lines = proc.stderr.splitlines()
    line = next(x for x in lines if f"county {county}" in x and "R3" in x)
    assert "scattered households" in line and "short by" in line
    # inspect proves the same causes before any solve, and exits 1 (R15)
    insp = run("inspect", folder)
    assert insp.returncode == 1, insp.stdout + insp.stderr
    causes = [x.strip() for x in proc.stderr.splitlines() if x.startswith("  - R")]
    assert causes and all(c in insp.stdout for c in causes)


def test_no_plan_found_exits_3(tiny: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """The time limit ran out before any plan: status 3, said so, no plan."""
    solve_module = importlib.import_module("pairing.solve")

    def too_slow(*args, **kwargs):
        raise NoPlanFound("the village stage found no plan in 0.01 s")

    monkeypatch.setattr(solve_module, "solve", too_slow)
    out = tmp_path / "plan"
    status = pairing.cli.main(
        ["solve", str(tiny), "--out", str(out), "--time-limit", "0.01"]
    )
    assert status == 3
    err = capsys.readouterr().err
    assert "time limit reached before any plan was found" in err
    assert "no plan was written" in err
    assert not out.exists()


def test_internal_error_is_brief(
    tiny: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    solve_module = importlib.import_module("pairing.solve")

    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(solve_module, "solve", broken)
    status = pairing.cli.main(["solve", str(tiny), "--out", str(tmp_path / "p")])
    assert status == pairing.cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError: oops)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "{tiny}", "--out", "{out}", "--bogus"],
        ["solve", "{tiny}", "--out", "{out}", "--time-limit", "-5"],
        ["solve", "{tiny}", "--out", "{out}", "--time-limit", "0"],
        ["solve", "{tiny}", "--out", "{out}", "--time-limit", "nan"],
        ["solve", "{tiny}", "--out", "{out}", "--time-limit", "soon"],
        ["solve", "{tiny}", "--out", "{out}", "--workers", "0"],
        ["solve", "{tiny}", "--out", "{out}", "--workers", "two"],
        ["solve", "{tiny}", "--out", "{out}", "--method", "magic"],
        ["solve", "{tiny}"],
        ["generate", "--out", "{out}", "--households", "-1"],
        ["generate", "--out", "{out}", "--format", "json"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors(tiny: Path, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    proc = run(*[a.format(tiny=tiny, out=out) for a in args])
    assert proc.returncode == 2
    assert "usage:" in proc.stderr
    assert not out.exists()


# -- determinism ---------------------------------------------------------------


def test_deterministic_runs_are_byte_identical(small: Path, tmp_path: Path) -> None:
    plans = []
    for k in range(2):
        out = tmp_path / f"plan{k}"
        proc = run(
            "solve", small, "--out", out, "--deterministic", "--seed", "7",
            "--workers", "2", "--time-limit", "5", "--quiet",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        plans.append(out)
    a, b = plans
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name in ("summary.json", MARKER):  # seconds; the files' times
            continue
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sa, sb = (json.loads((p / "summary.json").read_text()) for p in plans)
    for s in (sa, sb):
        s.pop("seconds")
        for stage in s["stages"].values():
            stage.pop("seconds")  # wall time too
    assert sa == sb


# -- interruption --------------------------------------------------------------


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(instance: Path, out: Path) -> subprocess.CompletedProcess:
    """``pairing solve`` sent SIGINT once its progress display shows a stage.

    The child's stderr is a pseudo-terminal, so the progress display runs and
    says when the solve has started: the signal lands mid-solve on any
    instance, however small, and stopping is cooperative (every stage polls
    the stop), so a tiny instance is enough.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pairing", "solve", str(instance), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
        # a shell's background job ignores SIGINT, and Python then keeps
        # ignoring it: give the child the default, as a terminal would
        preexec_fn=_default_sigint,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + TIMEOUT
    while b"households" not in shown and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                shown += os.read(master, 4096)
            except OSError:  # the child closed its end: it has ended
                break
        elif proc.poll() is not None:
            break
    assert proc.poll() is None, f"the solve ended before the signal: {shown!r}"
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=TIMEOUT)
    stderr = _drain(master)
    assert "Traceback" not in stderr, stderr
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def _drain(master: int) -> str:
    """What is left to read on a pseudo-terminal whose child has ended."""
    chunks = []
    while select.select([master], [], [], 0.1)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_interrupt_keeps_the_previous_plan(tiny: Path, tmp_path: Path) -> None:
    """SIGINT mid-solve: exit 130, the previous plan stays exactly as it was.

    The contract's status for SIGINT is 130 with earlier outputs intact; the
    stop is cooperative, so no new plan is written after the signal.
    """
    out = tmp_path / "plan"
    # a previous, complete plan in place
    assert run("solve", tiny, "--out", out, "--workers", "1", "--quiet").returncode == 0
    before = _snapshot(out)
    proc = _interrupt(tiny, out)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr
    assert _leftovers(tmp_path) == []
    assert _snapshot(out) == before
    assert run("validate", tiny, out).returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_interrupt_writes_no_new_plan(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    proc = _interrupt(tiny, out)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_interrupt_before_writing(
    tiny: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """Ctrl-C during the solve (in-process): exit 130, nothing written."""
    solve_module = importlib.import_module("pairing.solve")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(solve_module, "solve", interrupted)
    out = tmp_path / "plan"
    assert pairing.cli.main(["solve", str(tiny), "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_interrupt_while_writing(
    tiny: Path, tiny_plan: Path, tmp_path: Path, monkeypatch
) -> None:
    """Ctrl-C half-way through writing the plan: the previous plan stays whole."""
    out = tmp_path / "plan"
    shutil.copytree(tiny_plan, out)
    before = _snapshot(out)
    written = []
    real = pd.DataFrame.to_parquet

    def slow_write(self, path, *args, **kwargs):
        written.append(path)
        if len(written) == 3:
            raise KeyboardInterrupt
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", slow_write)
    status = pairing.cli.main(["solve", str(tiny), "--out", str(out), "--workers", "1"])
    assert status == 130
    assert len(written) == 3
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


# -- diff / report -------------------------------------------------------------


def test_diff(small: Path, small_plan: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    proc = run(
        "solve", small, "--out", other, "--baseline", small_plan,
        "--seed", "3", "--workers", "1", "--time-limit", "10", "--quiet",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = run("diff", small_plan, other)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    same = run("diff", small_plan, small_plan)
    assert same.returncode == 0


def test_diff_bad_plan(small_plan: Path, tmp_path: Path) -> None:
    proc = run("diff", small_plan, tmp_path / "nowhere")
    assert proc.returncode == 2


def test_report(tiny: Path, tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    proc = run("report", tiny, tiny_plan, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert any(out.iterdir())
    assert proc.stdout.strip()
