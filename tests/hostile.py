"""Helpers of the hostile-input and fault suites: a generated base, edits of
its tables, the command line run in-process, and folder snapshots."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import pairing
import pairing.cli
from pairing.errors import Infeasible
from pairing.instance import Instance
from pairing.marker import MARKER, read_marker

CONTRACT_EXITS = {0, 1, 2, 3, 4, 130, 143}
"""Every exit status the data contract allows."""

# which columns refer to each table's key (for renaming an id everywhere)
REFS: dict[str, list[tuple[str, str]]] = {
    "regions": [
        ("regions", "parent_id"),
        ("villages", "county_id"),
        ("units", "region_id"),
        ("leaders", "region_id"),
        ("leaders", "area_id"),
    ],
    "villages": [
        ("households", "village_id"),
        ("leaders", "area_id"),
        ("leaders", "contact_point_village_id"),
        ("resident_teams", "village_id"),
        ("claims", "village_id"),
    ],
    "units": [
        ("cadres", "unit_id"),
        ("resident_teams", "unit_id"),
        ("claims", "unit_id"),
    ],
    "households": [],
    "cadres": [],
    "leaders": [],
}
KEYS = {
    "regions": "region_id",
    "villages": "village_id",
    "units": "unit_id",
    "households": "household_id",
    "cadres": "cadre_id",
    "leaders": "leader_id",
}


def base_instance() -> Instance:
    """A small generated instance that solves (the first size that does, so
    the suite survives a recalibrated generator)."""
    for households, seed in ((2000, 1), (3000, 1), (4300, 1), (4300, 0), (8000, 2)):
        inst = pairing.generate(households, seed=seed)
        try:
            plan = pairing.solve(inst, time_limit=20, seed=0, workers=1)
        except Infeasible:
            continue
        assert pairing.validate(inst, plan).ok
        return inst
    raise AssertionError("no small generated instance solves")


def tables_of(inst: Instance) -> dict[str, pd.DataFrame]:
    """Copies of the instance's tables."""
    return {name: df.copy() for name, df in inst.tables.items()}


def rename(
    tables: dict[str, pd.DataFrame], table: str, mapping: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """Rename ids of ``table`` everywhere they are referred to."""
    out = dict(tables)
    for t, col in [(table, KEYS[table]), *REFS[table]]:
        df = out[t].copy()
        if col in df.columns:
            s = df[col].astype(object)
            df[col] = s.map(lambda v: mapping.get(v, v)).astype("str")
        out[t] = df
    return out


def build(tables: dict[str, pd.DataFrame], rules: Any = None) -> Instance:
    return Instance.from_tables(tables, rules)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    """Hidden build or replaced folders pairing left beside its outputs."""
    return sorted(p.name for p in parent.iterdir() if ".pairing-" in p.name)


def complete(folder: Path, kind: str) -> bool:
    """Whether ``folder`` is a complete pairing folder of ``kind``."""
    marker = read_marker(folder)
    if marker is None or marker.kind != kind or marker.state != "complete":
        return False
    return all(
        (folder / rel).is_file() and (folder / rel).stat().st_size == e.size
        for rel, e in marker.files.items()
    )


def pairing_files(folder: Path) -> dict[str, bytes]:
    """The files pairing wrote in ``folder`` (as its marker lists them)."""
    marker = read_marker(folder)
    assert marker is not None
    return {rel: (folder / rel).read_bytes() for rel in marker.files} | {
        MARKER: (folder / MARKER).read_bytes()
    }


class Cli:
    """``pairing.cli.main`` run in-process, with its output captured."""

    def __init__(self, capsys: Any) -> None:
        self.capsys = capsys

    def __call__(self, *args: Any) -> tuple[int, str, str]:
        status = pairing.cli.main([str(a) for a in args])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err + out, err
        assert status in CONTRACT_EXITS, (status, err)
        return status, out, err


def program(*args: Any, **popen: Any) -> subprocess.Popen[str]:
    """``python -m pairing ARGS`` as a child process (default SIGINT handling)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pairing", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
        **popen,
    )


def _default_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_program(*args: Any, timeout: float = 300) -> tuple[int, str, str]:
    proc = program(*args)
    out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    return proc.returncode, out, err


Edit = Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]
