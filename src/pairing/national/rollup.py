"""The national roll-up: ``PLANS/national.json``, ``PLANS/index.html``, the marker.

The plans folder (kind ``plans``) holds one plan folder per province, written
by the workers (each swapped in whole by :meth:`pairing.Plan.save`), and the
roll-up written here once the run is over:

* ``national.json``: per province its status (and causes), villages,
  households, units (all, and those with a task), cadres (all, and those
  responsible for households), dispatched cadres (R8, by tier), objective,
  bound, gap, solve and task seconds, the worker's peak memory and the
  attempts; the national totals (their sums over the planned provinces);
  and ``check``: the totals compared with the figures each province's own
  ``summary.json`` records (:func:`check`).
* ``index.html``: the same as a page that opens offline (:mod:`.page`).

The folder's marker then lists every file pairing wrote there: the two
roll-up files and each province's plan files (as the province's own marker
lists them). A file someone else put there stays theirs.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from .. import __version__, atomic
from ..marker import MARKER, Marker, check_kind, manifest, owned, read_marker
from ..marker import write_marker as _write_marker
from .generate import INDEX
from .task import ProvinceOutcome

__all__ = ["PAGE", "TOTALS", "check", "finish", "open_plans", "rollup", "summary_text"]

PAGE = "index.html"
TOTALS = (
    "villages",
    "households",
    "units",
    "units_with_task",
    "cadres",
    "cadres_responsible",
    "dispatched",
    "solve_seconds",
    "wall_seconds",
)
"""Figures summed over the provinces with a plan."""
CHECKED = {
    "villages": "poor_villages",
    "households": "households",
    "cadres_responsible": "cadres_responsible",
    "dispatched": "dispatched",
}
"""Roll-up figure → the ``counts`` entry of a province's ``summary.json``."""


def open_plans(out: Path, inputs: list[Path], *, force: bool = False) -> None:
    """Refuse a bad plans folder before any work; create it when missing."""
    atomic.check_output(out, "plans", force=force, inputs=inputs, names=[INDEX, PAGE])
    marker = read_marker(out)
    if marker is not None and marker.kind != "plans":
        raise atomic.OutputRefused(
            out,
            f"it is a folder pairing wrote as {marker.kind!r}, not 'plans'",
            "give a new folder for the plans",
        )
    if not out.exists() or not any(out.iterdir()):
        with atomic.folder(out, "plans", force=force):
            pass
    elif marker is None:  # --force into someone else's folder: ours from now on
        _write_marker(out, Marker("plans", "complete", {}))


def rollup(
    outcomes: list[ProvinceOutcome], *, wall: float, scheduler: str, workers: int
) -> dict[str, Any]:
    """The roll-up's content (before :func:`check`)."""
    ok = [o for o in outcomes if o.ok]
    totals: dict[str, Any] = {k: _sum(getattr(o, k) for o in ok) for k in TOTALS}
    tiers: dict[str, int] = {}
    for o in ok:
        for t, n in o.dispatch_by_tier.items():
            tiers[t] = tiers.get(t, 0) + n
    totals["dispatch_by_tier"] = tiers
    objective = _sum(o.objective for o in ok)
    # A national bound is a proof only when every province has one: the sum
    # over some provinces bounds nothing (a province without one is None).
    complete = bool(ok) and all(
        o.objective is not None and _finite(o.bound) for o in ok
    )
    bound = _sum(o.bound for o in ok) if complete else None
    totals["objective"], totals["bound"] = objective, bound
    totals["gap"] = (
        round(max(0.0, bound - objective) / max(abs(bound), 1e-9), 6)
        if bound is not None
        else None
    )
    statuses = [o.status for o in outcomes]
    slowest = max(ok, key=lambda o: o.wall_seconds, default=None)
    return {
        "kind": "national plans",
        "pairing": __version__,
        "provinces": [o.to_dict() for o in outcomes],
        "totals": totals,
        "status": {s: statuses.count(s) for s in dict.fromkeys(statuses)},
        "ok": len(ok) == len(outcomes),
        "wall_seconds": round(wall, 3),
        "slowest": None if slowest is None else slowest.code,
        "scheduler": scheduler,
        "workers": workers,
        "peak_rss_mb_by_worker": _peaks(outcomes),
    }


def check(out: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Compare the totals with the provinces' own ``summary.json`` counts.

    Returns ``{"ok": bool, "mismatches": [...]}``: a mismatch names the
    province (or ``total``), the figure and both values.
    """
    mismatches = []
    sums = dict.fromkeys(CHECKED, 0)
    for row in data["provinces"]:
        if row["status"] not in ("planned", "skipped"):
            continue
        counts = _summary_counts(out / row["code"])
        for mine, theirs in CHECKED.items():
            value = counts.get(theirs)
            sums[mine] += int(value or 0)
            if value != row[mine]:
                mismatches.append(
                    {"province": row["code"], "figure": mine, "rollup": row[mine],
                     "plan": value}
                )  # fmt: skip
    for mine in CHECKED:
        if sums[mine] != data["totals"][mine]:
            mismatches.append(
                {"province": "total", "figure": mine, "rollup": data["totals"][mine],
                 "plan": sums[mine]}
            )  # fmt: skip
    return {"ok": not mismatches, "mismatches": mismatches}


def finish(
    out: Path,
    outcomes: list[ProvinceOutcome],
    *,
    wall: float,
    scheduler: str,
    workers: int,
) -> dict[str, Any]:
    """Write ``national.json`` and ``index.html``, then the folder's marker."""
    from .page import national_page

    data = rollup(outcomes, wall=wall, scheduler=scheduler, workers=workers)
    data["check"] = check(out, data)
    atomic.write_json(out / INDEX, data)
    atomic.write_text(out / PAGE, national_page(data))
    write_marker(out)
    return data


def write_marker(out: Path) -> None:
    """The plans folder's marker: the roll-up files and the provinces' plans."""
    check_kind("plans")
    entries = manifest(out)
    keep = {}
    for rel, entry in entries.items():
        parts = rel.split("/")
        if len(parts) == 1:
            if rel in (INDEX, PAGE):
                keep[rel] = entry
            continue
        sub = out / parts[0]
        marker = read_marker(sub)
        if marker is None or marker.kind != "plan":
            continue
        inner = "/".join(parts[1:])
        if inner == MARKER or inner in owned(sub, marker, "plan"):
            keep[rel] = entry
    _write_marker(out, Marker("plans", "complete", keep, os.getpid()))


def summary_text(data: dict[str, Any]) -> str:
    """A readable summary of a roll-up: a line per province, then the totals."""
    lines = []
    for row in data["provinces"]:
        head = f"{row['code']} {row['name']}: {row['status']}"
        if row["status"] in ("planned", "skipped"):
            gap = "n/a" if row["gap"] is None else f"{100 * row['gap']:.2f}%"
            lines.append(
                f"{head}, {row['villages']:,} villages, {row['households']:,} "
                f"households, gap {gap}, {row['wall_seconds']:.1f} s"
            )
        else:
            lines.append(head)
            lines += [f"  - {c}" for c in row["causes"]]
    t = data["totals"]
    gap = "n/a" if t["gap"] is None else f"{100 * t['gap']:.3f}%"
    lines.append(
        f"national: {t['villages']:,} villages, {t['households']:,} households, "
        f"{t['units_with_task']:,} units with a task, {t['dispatched']:,} "
        f"dispatched, gap {gap}; {data['wall_seconds']:.1f} s wall on "
        f"{data['workers']} workers ({data['scheduler']})"
    )
    if not data.get("check", {}).get("ok", True):
        lines.append("the totals do not match the provinces' plans (see national.json)")
    return "\n".join(lines)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _sum(values: Any) -> Any:
    total: float = 0
    for v in values:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            continue
        total += v
    return round(total, 6) if isinstance(total, float) else total


def _peaks(outcomes: list[ProvinceOutcome]) -> dict[str, float]:
    peaks: dict[str, float] = {}
    for o in outcomes:
        if o.worker:
            peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.peak_rss_mb)
    return peaks


def _summary_counts(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    counts = data.get("counts") if isinstance(data, dict) else None
    return counts if isinstance(counts, dict) else {}
