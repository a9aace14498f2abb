"""Recommendations made into a plan (``Recommendations.apply``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan
    from .recommend import Recommendation


def apply_choices(instance: Instance, plan: Plan, items: list[Recommendation]) -> Plan:
    """Every new household's top choice made: its row in ``household_pairs``
    (the leader's, and the released household's cadre, under R7), and the
    kick-off team of a unit given its first task (R8: its head and the cadre)."""
    hp = plan.household_pairs.copy()
    rows: list[dict[str, str]] = []
    resp = dict(zip(hp["household_id"], hp.index, strict=True))
    units_before = set(hp.loc[hp["responsible_kind"] == "cadre", "unit_id"])
    units_before |= set(
        plan.village_pairs.loc[plan.village_pairs["role"] == "lead", "unit_id"]
    )
    new_task: dict[str, str] = {}
    for r in items:
        if r.kind != "household":
            continue
        if not r.choices:
            raise ValueError(f"household {r.id} has no place: {r.note[1]}")
        top = r.choices[0]
        cadre_row = {
            "responsible_id": top.id,
            "responsible_kind": "cadre",
            "unit_id": top.unit_id,
        }
        if r.leader is not None:
            leader, released = r.leader
            rows.append(
                {
                    "household_id": r.id,
                    "responsible_id": leader,
                    "responsible_kind": "leader",
                    "unit_id": "",
                }
            )
            i = resp[released]
            for k, val in cadre_row.items():
                hp.at[i, k] = val
        else:
            rows.append({"household_id": r.id, **cadre_row})
        if top.unit_id not in units_before:
            new_task.setdefault(top.unit_id, top.id)
            units_before.add(top.unit_id)
    hp = pd.concat([hp, pd.DataFrame(rows, columns=hp.columns)], ignore_index=True)
    dispatch = plan.dispatch
    if new_task:
        cid = instance.cadre_index.to_numpy(dtype=object)
        uidx = instance.unit_index
        extra = []
        for unit, cadre in new_task.items():
            head = int(instance.u_head[uidx.get_loc(unit)])
            extra.append({"unit_id": unit, "cadre_id": str(cid[head]), "is_head": True})
            extra.append({"unit_id": unit, "cadre_id": cadre, "is_head": False})
        dispatch = pd.concat([dispatch, pd.DataFrame(extra)], ignore_index=True)
    info = {k: v for k, v in plan.info.items() if k not in ("score", "soft")}
    return dataclasses.replace(
        plan, household_pairs=hp.astype(str), dispatch=dispatch, info=info
    )


def move_households(instance: Instance, plan: Plan, to: dict[str, str]) -> Plan:
    """``plan`` with households given to other cadres (``household → cadre``)
    and the kick-off teams derived again (R8)."""
    import numpy as np

    from .solver.baseline import baseline_cadres, baseline_leads
    from .solver.dispatch import dispatch

    hp = plan.household_pairs.copy()
    cadre_unit = dict(
        zip(instance.cadres["cadre_id"], instance.cadres["unit_id"], strict=True)
    )
    sel = hp["household_id"].isin(set(to))
    hp.loc[sel, "responsible_id"] = hp.loc[sel, "household_id"].map(to)
    hp.loc[sel, "responsible_kind"] = "cadre"
    hp.loc[sel, "unit_id"] = hp.loc[sel, "responsible_id"].map(cadre_unit)
    moved = dataclasses.replace(plan, household_pairs=hp)
    lead = baseline_leads(instance, moved)
    h_cadre = baseline_cadres(instance, moved)
    teams, _ = dispatch(instance, lead, np.asarray(h_cadre))
    info = {k: v for k, v in plan.info.items() if k not in ("score", "soft")}
    return dataclasses.replace(moved, dispatch=teams, info=info)
