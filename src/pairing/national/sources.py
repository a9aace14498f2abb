"""Which provinces a ``solve_all`` run plans: from a national set or folders.

A national set (:func:`pairing.national.generate_national`) lists its
provinces in ``national.json`` with their households (the tasks' priorities
and memory); plain instance folders are sized by their households table's
file. Only paths are gathered here: no instance is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from .generate import INDEX

__all__ = ["Found", "provinces_of"]

BYTES_PER_HOUSEHOLD = 12.0
"""About what a household takes in a Parquet households table (to size tasks)."""


@dataclass(frozen=True)
class Found:
    """A province to plan: its code and name, its instance folder, its size."""

    code: str
    name: str
    instance: Path
    households: int


def provinces_of(paths: str | Path | Iterable[str | Path]) -> list[Found]:
    """The provinces under ``paths``: a national set's folder, or instance folders.

    Raises
    ------
    InputError
        When a path is missing, or no province instance is found.
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Found] = []
    problems = []
    for raw in given:
        path = Path(raw)
        if not path.exists():
            problems.append(Problem("national", str(path), "", "an existing folder",
                                    "not found"))  # fmt: skip
        elif (path / INDEX).is_file():
            found += _from_index(path)
        elif _is_instance(path):
            found.append(_from_folder(path))
        else:
            found += [
                _from_folder(p) for p in sorted(path.iterdir()) if _is_instance(p)
            ]
    if not problems and not found:
        problems.append(
            Problem("national", ", ".join(str(p) for p in given), "",
                    "a national set (pairing generate --national) or instance folders",
                    "no province instance found")
        )  # fmt: skip
    codes = [f.code for f in found]
    problems += [
        Problem("national", c, "province", "each province once", "given twice")
        for c in sorted({c for c in codes if codes.count(c) > 1})
    ]
    if problems:
        raise InputError(problems)
    return found


def _is_instance(path: Path) -> bool:
    if not path.is_dir():
        return False
    names = ("regions.parquet", "regions.csv", "instance.xlsx")
    return any((path / name).is_file() for name in names)


def _from_index(folder: Path) -> list[Found]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        rows = data["provinces"]
        return [
            Found(str(r["code"]), str(r["name"]), folder / str(r["code"]),
                  int(r["households"]))
            for r in rows
            if _is_instance(folder / str(r["code"]))
        ]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            [Problem("national", str(folder / INDEX), "", "a national set's index",
                     f"unreadable: {exc}")]
        ) from None  # fmt: skip


def _from_folder(path: Path) -> Found:
    files = [path / f"households.{ext}" for ext in ("parquet", "csv")]
    size = sum(f.stat().st_size for f in files if f.is_file())
    if not size and (path / "instance.xlsx").is_file():
        size = (path / "instance.xlsx").stat().st_size
    return Found(path.name, path.name, path, int(size / BYTES_PER_HOUSEHOLD))
