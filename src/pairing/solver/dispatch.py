"""Dispatch stage (R8): the kick-off team of every unit that leads villages.

A unit's *eligible* cadres are its cadres responsible for at least one
household in a village the unit leads. Its team is its head (when it has
one) plus its most senior eligible cadres (rank, then most such households,
then cadre id), up to a target size:

* province tier: exactly ``rules.dispatch.province_min`` (5) in total — the
  rule sets a minimum only, and the smallest team that meets it keeps the
  rest of the unit's cadres at work;
* prefecture and county tiers: ``local_max`` (3) when available, at least
  ``local_min`` (2).

When head plus eligible cadres fall short of the minimum, all of them are
dispatched and the shortfall is returned for the caller to report.
:func:`repair_for_dispatch` first tries to avoid that by handing single
households to idle cadres of the same unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instance import Instance, IntArray

Shortfall = list[tuple[int, int, int]]
"""``(unit index, needed, available)`` per unit whose team is too small."""


def team_bounds(instance: Instance) -> tuple[IntArray, IntArray]:
    """Least and target team size per unit (R8).

    Province tier: ``province_min`` for both; other tiers ``local_min`` and
    ``local_max``.
    """
    d = instance.rules.dispatch
    province = instance.u_tier == 0
    low = np.where(province, d.province_min, d.local_min).astype(np.int64)
    target = np.where(province, d.province_min, d.local_max).astype(np.int64)
    return low, np.maximum(low, target)


def _eligible(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> tuple[IntArray, IntArray]:
    """Per cadre, households in villages its own unit leads; and leading units."""
    lead = np.asarray(lead, dtype=np.int64)
    h_cadre = np.asarray(h_cadre, dtype=np.int64)
    n_c = len(instance.cadres)
    by_cadre = h_cadre >= 0
    h = np.flatnonzero(by_cadre)
    c = h_cadre[h]
    own = lead[instance.h_village[h]] == instance.c_unit[c]
    counts = np.bincount(c[own], minlength=n_c).astype(np.int64)
    leading = np.unique(lead[lead >= 0])
    return counts, leading


def dispatch(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> tuple[pd.DataFrame, Shortfall]:
    """The kick-off teams of every leading unit (R8).

    Parameters
    ----------
    instance
        The instance.
    lead
        Lead unit index per village (-1 for non-poor villages).
    h_cadre
        Responsible cadre index per household (-1 when a leader covers it).

    Returns
    -------
    teams
        The contract's ``dispatch`` table (``unit_id``, ``cadre_id``,
        ``is_head``), units in ``units`` row order, the head first, then by
        seniority.
    shortfall
        ``(unit index, needed, available)`` for each unit with fewer eligible
        cadres (head included) than its minimum; all of them are dispatched.
    """
    inst = instance
    counts, leading = _eligible(inst, lead, h_cadre)
    low, target = team_bounds(inst)
    n_u = len(inst.units)
    is_leading = np.zeros(n_u, dtype=bool)
    is_leading[leading] = True

    head = inst.u_head
    has_head = is_leading & (head >= 0)
    heads = head[has_head]
    c_is_unit_head = np.zeros(len(inst.cadres), dtype=bool)
    c_is_unit_head[heads] = True

    cand = np.flatnonzero((counts > 0) & ~c_is_unit_head & is_leading[inst.c_unit])
    df = pd.DataFrame(
        {
            "unit": inst.c_unit[cand],
            "rank": inst.c_rank[cand],
            "households": counts[cand],
            "cadre_id": inst.cadre_index.to_numpy(dtype=object)[cand],
            "cadre": cand,
        }
    )
    df = df.sort_values(
        ["unit", "rank", "households", "cadre_id"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    quota = target - has_head.astype(np.int64)
    pos = df.groupby("unit", sort=False).cumcount().to_numpy()
    chosen = df.loc[pos < quota[df["unit"].to_numpy()], ["unit", "cadre"]]

    team = pd.concat(
        [
            pd.DataFrame(
                {"unit": np.flatnonzero(has_head), "cadre": heads, "order": 0}
            ),
            chosen.assign(order=1),
        ],
        ignore_index=True,
    ).sort_values(["unit", "order"], kind="stable")
    unit = team["unit"].to_numpy(dtype=np.int64)
    cadre = team["cadre"].to_numpy(dtype=np.int64)
    teams = pd.DataFrame(
        {
            "unit_id": pd.Series(
                inst.unit_index.to_numpy(dtype=object)[unit], dtype="str"
            ),
            "cadre_id": pd.Series(
                inst.cadre_index.to_numpy(dtype=object)[cadre], dtype="str"
            ),
            "is_head": inst.c_head[cadre].astype(bool),
        }
    )

    size = np.bincount(unit, minlength=n_u)
    short = np.flatnonzero(is_leading & (size < low))
    shortfall = [(int(u), int(low[u]), int(size[u])) for u in short]
    return teams, shortfall


def repair_for_dispatch(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> IntArray:
    """Hand single households to idle cadres so that teams reach their minimum (R8).

    For each leading unit whose head plus eligible cadres fall short of the
    minimum team, move one household at a time — the least severe one of the
    donor in the unit's villages — from the cadre with the most households in
    the unit's villages (at least 2, so it stays eligible; the head may give
    its last one) to a cadre of the unit with none there (cap ≥ 1; idle ones
    first, then the most senior), until the minimum is met or no move is
    left. A recipient at its cap hands one of its scattered households (R3:
    any county-tier cadre of the county may carry it) back to the donor.

    Households stay with their unit (R3) and no cadre exceeds its cap (R5);
    households covered by leaders (-1) are never touched.

    Returns
    -------
    numpy.ndarray
        The new responsible cadre per household (a copy).
    """
    inst = instance
    lead = np.asarray(lead, dtype=np.int64)
    out = np.array(h_cadre, dtype=np.int64, copy=True)
    counts, leading = _eligible(inst, lead, out)
    low, _ = team_bounds(inst)
    head = inst.u_head
    n_c = len(inst.cadres)
    load = np.bincount(out[out >= 0], minlength=n_c).astype(np.int64)

    c_unit = inst.c_unit
    is_head = np.zeros(n_c, dtype=bool)
    is_head[head[head >= 0]] = True
    members = np.bincount(
        c_unit,
        weights=((counts > 0) & ~is_head).astype(np.float64),
        minlength=len(inst.units),
    ).astype(np.int64)
    size = members + (head >= 0)
    idle_any = np.bincount(
        c_unit,
        weights=((counts == 0) & (inst.c_cap >= 1) & ~is_head).astype(float),
        minlength=len(inst.units),
    )
    units = [u for u in leading.tolist() if size[u] < low[u] and idle_any[u] > 0]
    if not units:
        return out

    # households of each cadre (all, and those in its unit's villages),
    # found by one sort: no scan of the households per move
    every = np.flatnonzero(out >= 0)
    every = every[np.argsort(out[every], kind="stable")]
    first_all = np.searchsorted(out[every], np.arange(n_c + 1))
    srt = every[lead[inst.h_village[every]] == c_unit[out[every]]]
    first = np.searchsorted(out[srt], np.arange(n_c + 1))
    for u in units:
        cad = np.flatnonzero(c_unit == u)
        idle = cad[(counts[cad] == 0) & (inst.c_cap[cad] >= 1) & ~is_head[cad]]
        idle = idle[np.lexsort((idle, -inst.c_rank[idle], load[idle] > 0))].tolist()
        have = int(size[u])
        while have < low[u] and idle:
            keep = np.where(is_head[cad], 1, 2)
            donors = cad[counts[cad] >= keep]
            if len(donors) == 0:
                break
            donor = int(donors[np.lexsort((donors, -counts[donors]))[0]])
            mine = srt[first[donor] : first[donor + 1]]
            mine = mine[out[mine] == donor]
            pick = int(mine[np.lexsort((-mine, inst.h_severity[mine]))[0]])
            to = idle.pop(0)
            if load[to] >= inst.c_cap[to]:  # full of scattered households: swap
                back = every[first_all[to] : first_all[to + 1]]
                back = back[out[back] == to]
                out[back[np.argmin(inst.h_severity[back])]] = donor
                load[donor] += 1
                load[to] -= 1
            out[pick] = to
            counts[donor] -= 1
            counts[to] += 1
            load[donor] -= 1
            load[to] += 1
            have += 1
    return out
