"""Faults in real runs: ``pairing solve`` and ``pairing report`` killed or
interrupted at random moments, and a disk that fills up.

After every kill (SIGKILL: no handler runs) the output folder is the old
complete one or a new complete one — never a mix, never missing — and the
next run cleans up what the killed one left. After SIGINT / SIGTERM the exit
status is 130 / 143, no traceback is printed, no plan is written after a
signal during the solve, and the message says which folder is there.

The random moments come from a seeded generator (``PAIRING_FAULT_SEED``,
default 2015), half of them in the last part of a run, where the writing is.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from hostile import (
    Cli,
    base_instance,
    complete,
    leftovers,
    pairing_files,
    program,
    run_program,
)

import pairing
from pairing.instance import Instance
from pairing.io import save_instance
from pairing.plan import Plan

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SEED = int(os.environ.get("PAIRING_FAULT_SEED", "2015"))
KILLS = 5


@pytest.fixture(scope="module")
def base() -> Instance:
    return base_instance()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def inst_dir(base: Instance, work: Path) -> Path:
    save_instance(base, work / "inst")
    return work / "inst"


def _moments(rng: random.Random, seconds: float, n: int) -> list[float]:
    """Half uniform over a run, half in its last 40% (where it writes)."""
    half = n // 2
    early = [rng.uniform(0.2, seconds) for _ in range(half)]
    late = [rng.uniform(0.6 * seconds, 1.05 * seconds) for _ in range(n - half)]
    return early + late


def _timed(*args: object) -> float:
    t0 = time.perf_counter()
    status, _, err = run_program(*args)
    assert status == 0, err
    return time.perf_counter() - t0


def _killed_runs(args: list[object], out: Path, kind: str, check_new) -> set[str]:  # type: ignore[no-untyped-def]  # noqa: E501
    """Kill ``pairing ARGS`` at random moments; the folder is always whole."""
    seconds = _timed(*args)  # also the first complete output
    (out / "notes.txt").write_text("someone's notes")
    current = pairing_files(out)
    rng = random.Random(SEED + len(str(out)))
    seen = set()
    for delay in _moments(rng, seconds, KILLS):
        proc = program(*args)
        time.sleep(delay)
        proc.kill()
        proc.communicate()
        assert complete(out, kind), f"killed after {delay:.2f}s: not whole"
        files = pairing_files(out)
        if files == current:
            seen.add("old")
        else:
            seen.add("new")
            check_new(out)
            current = files
        assert (out / "notes.txt").read_text() == "someone's notes"
    assert run_program(*args)[0] == 0  # the next run cleans up
    assert leftovers(out.parent) == [] and (out / "notes.txt").exists()
    return seen


def test_a_killed_solve_leaves_the_old_plan_or_a_new_complete_one(
    base: Instance, inst_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan"

    def valid(folder: Path) -> None:
        assert pairing.validate(base, Plan.load(folder)).ok

    args: list[object] = ["solve", inst_dir, "--out", out, "--workers", "1", "--quiet"]
    seen = _killed_runs(args, out, "plan", valid)
    assert seen  # which ones depends on the machine's speed; both are fine


def test_a_killed_report_leaves_the_old_report_or_a_new_complete_one(
    inst_dir: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan"
    assert run_program("solve", inst_dir, "--out", plan, "--workers", "1")[0] == 0
    out = tmp_path / "report"

    def whole(folder: Path) -> None:
        page = (folder / "index.html").read_text(encoding="utf-8")
        for name in pairing_files(folder):  # every file it links is there
            if name.endswith((".xlsx", ".graphml")):
                assert name in page

    args: list[object] = ["report", inst_dir, plan, "--out", out, "--lang", "en"]
    assert _killed_runs(args, out, "report", whole)


@pytest.mark.parametrize("command", ["solve", "report"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_signals_give_130_or_143_and_leave_a_whole_folder(
    inst_dir: Path, tmp_path: Path, command: str, sig: signal.Signals
) -> None:
    plan = tmp_path / "plan"
    assert run_program("solve", inst_dir, "--out", plan, "--workers", "1")[0] == 0
    out = plan if command == "solve" else tmp_path / "report"
    args: list[object] = (
        ["solve", inst_dir, "--out", out, "--workers", "1", "--quiet"]
        if command == "solve"
        else ["report", inst_dir, plan, "--out", out, "--lang", "en"]
    )
    kind = "plan" if command == "solve" else "report"
    seconds = _timed(*args)
    rng = random.Random(SEED + sig + len(command))
    for delay in _moments(rng, seconds, 2):
        before = pairing_files(out)
        proc = program(*args)
        time.sleep(delay)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        if proc.returncode == 0:  # it was ending (os._exit) when the signal came
            assert complete(out, kind) and leftovers(tmp_path) == []
            continue
        assert proc.returncode == 128 + sig, (delay, proc.returncode, err)
        assert complete(out, kind) and leftovers(tmp_path) == []
        if pairing_files(out) == before:
            assert "nothing" in err or "as it was" in err, err
        else:  # the signal came while (or after) the folder was put in place
            assert "is complete" in err, err


def test_a_full_disk_while_reporting_leaves_the_old_report(
    inst_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    cli = Cli(capsys)
    plan = tmp_path / "plan"
    assert cli("solve", inst_dir, "--out", plan, "--workers", "1", "--quiet")[0] == 0
    out = tmp_path / "report"
    assert cli("report", inst_dir, plan, "--out", out, "--lang", "en")[0] == 0
    before = pairing_files(out)
    import pairing.report.html as html

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(html, "index_html", full)  # the last file: the index
    status, _, err = cli("report", inst_dir, plan, "--out", out, "--lang", "en")
    assert status == 2 and "No space left" in err
    assert pairing_files(out) == before and leftovers(tmp_path) == []
    shutil.rmtree(out)
