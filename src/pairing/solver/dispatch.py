"""Dispatch stage (R8): the kick-off team of every unit with a pairing task.

A unit has a *task* when it leads a village or when one of its cadres is
responsible for a household (a scattered household counts: "包保村和包保户").
Its *eligible* cadres are its cadres responsible for at least one household.
Its team is its head (when it has one) plus its most senior eligible cadres
(rank, then most households, then cadre id), up to a target size:

* province tier: exactly ``rules.dispatch.province_min`` (5) in total — the
  rule sets a minimum only, and the smallest team that meets it keeps the
  rest of the unit's cadres at work;
* prefecture and county tiers ("结合实际选派2-3名"): among the units with a
  task of one tier and region (a prefecture's prefecture-tier units, a
  county's county-tier units), the ``local_max_share`` (half) with the
  heaviest tasks — most households, then most villages, then unit order —
  send ``local_max`` (3), the others ``local_min`` (2); fewer when fewer are
  eligible, never below ``local_min`` when enough are.

When head plus eligible cadres fall short of the minimum, all of them are
dispatched and the shortfall is returned for the caller to report.
:func:`repair_for_dispatch` first tries to avoid that (see there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instance import Instance, IntArray
from .team_repair import repair_teams
from .teams import Shortfall, heads_mask, task_of, team_bounds, team_targets

__all__ = ["Shortfall", "dispatch", "repair_for_dispatch", "team_bounds"]


def dispatch(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> tuple[pd.DataFrame, Shortfall]:
    """The kick-off teams of every unit with a task (R8).

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
        ``(unit index, needed, available)`` for each unit with a task and
        fewer eligible cadres (head included) than its minimum; all of them
        are dispatched.

    Examples
    --------
    >>> from pairing.generate import generate
    >>> from pairing.solve import solve
    >>> inst = generate(2_000, seed=1)
    >>> plan = solve(inst, time_limit=20)
    >>> int(plan.dispatch.groupby("unit_id").size().min()) >= 2
    True
    """
    inst = instance
    load, task, households, villages = task_of(inst, lead, h_cadre)
    low, _ = team_bounds(inst)
    target = team_targets(inst, task, households, villages)
    n_u = len(inst.units)

    head = inst.u_head
    has_head = task & (head >= 0)
    heads = head[has_head]
    c_is_head = heads_mask(inst)

    cand = np.flatnonzero((load > 0) & ~c_is_head & task[inst.c_unit])
    df = pd.DataFrame(
        {
            "unit": inst.c_unit[cand],
            "rank": inst.c_rank[cand],
            "households": load[cand],
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
    short = np.flatnonzero(task & (size < low))
    shortfall = [(int(u), int(low[u]), int(size[u])) for u in short]
    return teams, shortfall


def repair_for_dispatch(
    instance: Instance, lead: IntArray, h_cadre: IntArray
) -> IntArray:
    """Move single households so that every unit with a task fields its team (R8).

    For each unit with a task whose head plus eligible cadres fall short of
    the least team, in this order (:mod:`pairing.solver.team_repair`):

    1. *within the unit*: its cadre with the most households (at least 2, so
       it stays eligible; the head may give its last one) hands its least
       severe household to an idle cadre of the unit (cap ≥ 1; the most
       senior first), until the team is met or no donor is left;
    2. *take*: a prefecture- or county-tier unit still short takes one
       scattered household for each missing carrier from cadres of the other
       units of its tier and region that carry at least 2 (R3 allows any
       county-tier unit of the county, or for the overflow any
       prefecture-tier unit of the prefecture);
    3. *give*: a unit that leads no village and still cannot field its team
       hands all its households to cadres with room in the units of its tier
       and region that do field one; it then has no task.

    Households stay with their unit or move only where R3 allows; no cadre
    exceeds its cap (R5); households covered by leaders (-1) are never
    touched.

    Returns
    -------
    numpy.ndarray
        The new responsible cadre per household (a copy).
    """
    return repair_teams(instance, lead, h_cadre)
