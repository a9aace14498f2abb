"""``generate_national``: the national synthetic set, one instance per province.

The set is one folder (kind ``national``) holding ``national.json`` (its
index: every province's code, name, figures, size and seed) and one instance
folder per province, ``<code>/`` (e.g. ``520000/``). Provinces are generated
and written one at a time, so no process holds two of them; the whole set
is built under a hidden name and swapped in at the end
(:func:`pairing.atomic.folder`), so a half-written set never replaces a
complete one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import InputError, Problem
from ..generate import MIN_HOUSEHOLDS, generate
from ..io import save_instance
from .divisions import province
from .figures import SOURCES, ProvinceFigures, resolve

__all__ = ["INDEX", "NationalEntry", "generate_national", "province_seed", "sizes"]

INDEX = "national.json"
"""The index of a national set (and of its plans): a file in the set's folder."""


@dataclass(frozen=True)
class NationalEntry:
    """One province of a national set, as its index lists it."""

    code: str
    name: str
    households: int
    poor_villages: int
    people: int
    seed: int
    share: float
    full_households: int
    full_villages: int
    how: dict[str, str]
    source: str


def province_seed(seed: int, code: str) -> int:
    """The generator seed of province ``code`` in a set made with ``seed``.

    Distinct for every (seed, province): ``seed * 100`` plus the province's
    two-digit code.

    Examples
    --------
    >>> province_seed(0, "520000"), province_seed(1, "520000")
    (52, 152)
    """
    return int(seed) * 100 + int(code[:2])


def sizes(
    share: float = 1.0, codes: Iterable[str] | None = None
) -> list[tuple[ProvinceFigures, int]]:
    """The provinces of a set and the households each gets at ``share``.

    At least :data:`pairing.generate.MIN_HOUSEHOLDS` each (tiny shares).

    Raises
    ------
    InputError
        When ``share`` is not in (0, 1] or a code is not one of the 22.
    """
    rows = resolve()
    known = {r.code: r for r in rows}
    problems = []
    if not 0 < share <= 1:
        problems.append(
            Problem("generate", "", "share", "a number in (0, 1]", repr(share))
        )
    wanted = list(known) if codes is None else [_code(c) for c in codes]
    problems += [
        Problem("generate", c, "provinces", f"one of {', '.join(known)}", c)
        for c in wanted
        if c not in known
    ]
    if problems:
        raise InputError(problems)
    return [
        (known[c], max(MIN_HOUSEHOLDS, round(share * known[c].households)))
        for c in dict.fromkeys(wanted)
    ]


def _code(text: str) -> str:
    """``52`` or ``520000`` → ``520000``."""
    text = str(text).strip()
    return text + "0000" if len(text) == 2 and text.isdigit() else text


def generate_national(
    out: str | Path,
    *,
    share: float = 1.0,
    seed: int = 0,
    provinces: Sequence[str] | None = None,
    format: str = "parquet",
    force: bool = False,
    progress: Callable[[NationalEntry], None] | None = None,
) -> list[NationalEntry]:
    """Write the national synthetic set: one instance folder per province.

    Parameters
    ----------
    out
        The set's folder (new, empty, or a national set pairing wrote).
    share
        Fraction of every province's households (0.01: a 1% set). Villages,
        units and cadres scale with it as in :func:`pairing.generate`.
    seed
        Seed of the set; province ``p`` is generated with
        :func:`province_seed` (``seed``, ``p``).
    provinces
        Province codes to generate (``52`` or ``520000``); default all 22.
    format
        ``parquet``, ``csv`` or ``xlsx`` (each province a folder).
    force
        Also write into a folder pairing did not write, keeping its files.
    progress
        Called with each province's entry once it is written.

    Returns
    -------
    list of NationalEntry
        The provinces written, in code order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "national"
    >>> [e.code for e in generate_national(out, share=0.001, provinces=["64"])]
    ['640000']
    >>> sorted(p.name for p in out.iterdir())
    ['.pairing.json', '640000', 'national.json']
    """
    plan = sizes(share, provinces)
    atomic.check_output(out, "national", force=force, names=[INDEX])
    entries = []
    with atomic.folder(out, "national", force=force) as tmp:
        for fig, households in plan:
            entry = _one(fig, households, share, seed, tmp, format)
            entries.append(entry)
            if progress is not None:
                progress(entry)
        (tmp / INDEX).write_text(
            atomic.json_text(index(entries, share, seed)) + "\n", encoding="utf-8"
        )
    return entries


def _one(
    fig: ProvinceFigures,
    households: int,
    share: float,
    seed: int,
    folder: Path,
    format: str,
) -> NationalEntry:
    """Generate and write one province; nothing of it stays in memory."""
    p = province(fig.code)
    s = province_seed(seed, fig.code)
    instance = generate(households, s, province=p)
    villages = int(instance.v_poor.sum())
    people = int(instance.h_members.sum())
    save_instance(instance, folder / fig.code, format=format)
    del instance
    return NationalEntry(
        code=fig.code,
        name=fig.name,
        households=households,
        poor_villages=villages,
        people=people,
        seed=s,
        share=share,
        full_households=fig.households,
        full_villages=fig.villages,
        how=dict(fig.how),
        source=fig.source,
    )


def index(entries: list[NationalEntry], share: float, seed: int) -> dict[str, Any]:
    """The content of ``national.json`` for a set."""
    return {
        "kind": "national set",
        "share": share,
        "seed": seed,
        "provinces": [asdict(e) for e in entries],
        "totals": {
            "provinces": len(entries),
            "households": sum(e.households for e in entries),
            "poor_villages": sum(e.poor_villages for e in entries),
            "people": sum(e.people for e in entries),
        },
        "sources": {k: {"title": t, "address": a} for k, (t, a) in SOURCES.items()},
    }
