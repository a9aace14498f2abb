"""Shortfalls in planners' terms: what a unit, village or county lacks, and the fix.

Used where a plan cannot do what the rules ask and must say so with numbers
(R15): the ``uncovered`` table of a partial plan (:mod:`.partial`), and R14's
``changes``, where each village a re-plan moves says what would have kept it
("unit U needs 2 more cadres, or 7 places"). Every figure is read from the
instance and the plan's leads; the texts follow :class:`~pairing.Cause`.

Examples
--------
>>> places_text(7, 5)
'7 more places (2 more cadres at 5 households)'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import Cause
from ..instance import Instance, IntArray
from .teams import fieldable
from .uncovered import SCATTERED, UNIT, VILLAGE

__all__ = ["places_text", "uncovered_table", "unit_shortfall", "village_cause"]


def places_text(places: int, per_cadre: int) -> str:
    """``"7 more places (2 more cadres at 5 households)"``."""
    per = max(1, int(per_cadre))
    cadres = math.ceil(places / per)
    return (
        f"{places:,} more place{'s' if places != 1 else ''} ({cadres:,} more "
        f"cadre{'s' if cadres != 1 else ''} at {per} households)"
    )


def _unit_name(instance: Instance, u: int) -> str:
    row = instance.units.iloc[u]
    name = str(row.get("name", "") or "")
    return f"{instance.unit_index[u]}" + (f" {name}" if name else "")


def _region_name(instance: Instance, r: int) -> str:
    name = str(instance.regions["name"].iloc[r] or "")
    return f"{instance.region_index[r]}" + (f" {name}" if name else "")


def unit_shortfall(instance: Instance, u: int, load: int, villages: list[str]) -> Cause:
    """R5: unit ``u`` cannot carry ``load`` households of its ``villages``."""
    cap = int(instance.u_capacity[u])
    short = max(0, int(load) - cap)
    per = int(instance.rules.max_households)
    return Cause(
        "R5",
        str(instance.unit_index[u]),
        f"unit {_unit_name(instance, u)} leads {', '.join(villages)} with "
        f"{load:,} households to carry; its {int(instance.u_cadres[u]):,} "
        f"cadres have {cap:,} places — short by {short:,}",
        {"households": int(load), "capacity": cap, "short": short},
        f"give unit {instance.unit_index[u]} {places_text(short, per)}",
    )


def village_cause(
    instance: Instance, v: int, lead: IntArray, demand: IntArray
) -> Cause:
    """Why no unit leads poor village ``v``: each unit R2 allows it, and the
    rule that rules it out (R8 team, R5 capacity, R4 villages, R5 places)."""
    d = int(demand[v])
    tier, region = instance.u_tier, instance.u_region
    ok = (
        (tier == 0)
        | ((tier == 1) & (region == instance.v_prefecture[v]))
        | ((tier == 2) & (region == instance.v_county[v]))
    )
    units = np.flatnonzero(ok)
    cap = instance.u_capacity
    led = lead[instance.poor_villages]
    has = led >= 0
    load = np.bincount(
        led[has], weights=demand[instance.poor_villages][has], minlength=len(cap)
    )
    count = np.bincount(led[has], minlength=len(cap))
    team = ~fieldable(instance)[units] | (instance.u_max[units] <= 0)
    small = ~team & (cap[units] < d)
    full = ~team & ~small & (count[units] >= instance.u_max[units])
    room = ~team & ~small & ~full & (cap[units] - load[units] < d)
    parts = [
        f"{int(small.sum()):,} cannot carry that many (R5"
        + (
            f"; the largest has {int(cap[units].max()):,} places)"
            if len(units)
            else ")"
        ),
        f"{int(full.sum()):,} lead their most villages (R4)",
        f"{int(room.sum()):,} have fewer places left (R5)",
        f"{int(team.sum()):,} cannot field a kick-off team (R8)",
    ]
    rest = int(len(units) - small.sum() - full.sum() - room.sum() - team.sum())
    if rest:
        parts.append(f"{rest:,} could only take it by breaking R3, R4 or R6 elsewhere")
    county = int(instance.v_county[v])
    best = units[np.argmax(cap[units])] if len(units) else -1
    fix = (
        f"give unit {instance.unit_index[best]} "
        f"{places_text(max(1, d - int(cap[best])), instance.rules.max_households)}"
        if best >= 0 and small.all()
        else "add places to a unit of its county or prefecture, or raise "
        "max_villages of one that may lead it"
    )
    return Cause(
        "R1",
        str(instance.village_index[v]),
        f"poor village {instance.village_index[v]} (county "
        f"{_region_name(instance, county)}) has {d:,} households to carry; of the "
        f"{len(units):,} units allowed to lead it (R2), " + ", ".join(parts),
        {"households": d, "units": len(units)},
        fix,
    )


def uncovered_table(
    instance: Instance,
    lead: IntArray,
    left: IntArray,
    why: IntArray,
    demand: IntArray,
) -> pd.DataFrame:
    """The contract's ``uncovered`` table: ``kind, id, cause`` (R15).

    ``left`` and ``why`` come from :func:`.partial.left_households`.
    """
    rows: list[tuple[str, str, str]] = []
    poor = instance.poor_villages
    for v in poor[lead[poor] < 0].tolist():
        rows.append(
            (
                "village",
                str(instance.village_index[v]),
                str(village_cause(instance, v, lead, demand)),
            )
        )
    hid = instance.households["household_id"].to_numpy(dtype=object)
    hv = instance.h_village
    vid = instance.village_index.to_numpy(dtype=object)
    text = np.empty(len(left), dtype=object)
    sel = why == VILLAGE
    text[sel] = [
        f"R1 its village {vid[v]} has no lead unit (R3: its households go to "
        "its lead unit's cadres); see the village's row"
        for v in hv[left[sel]].tolist()
    ]
    for code, key in ((UNIT, lead[hv]), (SCATTERED, instance.h_county)):
        sel = np.flatnonzero(why == code)
        for k in np.unique(key[left[sel]]).tolist():
            part = sel[key[left[sel]] == k]
            cause = (
                _unit_cause(instance, k, lead, demand)
                if code == UNIT
                else _county_cause(instance, k, len(part))
            )
            text[part] = str(cause) + " — the lightest are left (heaviest first)"
    rows += [
        ("household", str(h), str(t)) for h, t in zip(hid[left], text, strict=True)
    ]
    return pd.DataFrame(rows, columns=["kind", "id", "cause"], dtype="str")


def _unit_cause(instance: Instance, u: int, lead: IntArray, demand: IntArray) -> Cause:
    poor = instance.poor_villages
    mine = poor[lead[poor] == u]
    vid = instance.village_index.to_numpy(dtype=object)
    return unit_shortfall(
        instance, u, int(demand[mine].sum()), [str(vid[v]) for v in mine.tolist()]
    )


def _county_cause(instance: Instance, county: int, short: int) -> Cause:
    scattered = int(np.count_nonzero(instance.h_county[instance.h_scattered] == county))
    return Cause(
        "R3",
        str(instance.region_index[county]),
        f"county {_region_name(instance, county)}: {scattered:,} scattered "
        "households; its county-tier units and its prefecture's units have no "
        f"places left for {short:,} of them (R3, R5)",
        {"scattered": scattered, "short": short},
        f"give the county's county-tier units "
        f"{places_text(short, instance.rules.max_households)}",
    )


def what_would_keep(
    instance: Instance, before: IntArray, moved: IntArray, demand: IntArray
) -> list[str]:
    """For each village in ``moved``, what would have kept it with its
    baseline unit ``before[v]`` (R14's ``changes.detail``).

    A unit that can no longer carry its baseline villages' households (R5)
    gets the places it lacks ("7 more places (2 more cadres at 5
    households)"); one that may now lead fewer villages (R4) or can no
    longer field its kick-off team (R8) says so; a village moved only to
    make room for those says that.
    """
    poor = instance.poor_villages
    n_u = len(instance.units)
    base = before[poor]
    has = base >= 0
    load = np.bincount(base[has], weights=demand[poor][has], minlength=n_u)
    count = np.bincount(base[has], minlength=n_u)
    can = fieldable(instance)
    per = int(instance.rules.max_households)
    out: list[str] = []
    for v in np.asarray(moved, dtype=np.int64).tolist():
        u = int(before[v])
        if u < 0:
            out.append("")
            continue
        name = _unit_name(instance, u)
        short = int(load[u] - instance.u_capacity[u])
        if not can[u]:
            out.append(
                f"R8: unit {name} can no longer field its kick-off team; cadres "
                "able to carry households would have kept it"
            )
        elif count[u] > instance.u_max[u]:
            out.append(
                f"R4: unit {name} may now lead {int(instance.u_max[u])} of its "
                f"{int(count[u])} villages; max_villages {int(count[u])} would "
                "have kept it"
            )
        elif short > 0:
            out.append(
                f"R5: unit {name} carries {int(load[u]):,} households of its "
                f"villages with {int(instance.u_capacity[u]):,} places — "
                f"{places_text(short, per)} would have kept it"
            )
        else:
            out.append(
                f"moved to make room for a village whose unit can no longer carry "
                f"it (R4, R5); unit {name} could have kept it"
            )
    return out
