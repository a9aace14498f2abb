"""Why a household has its responsible cadre (:func:`pairing.explain`, ``household=``).

The chosen cadre's value is the household stage's terms for this household
(R10 rank, R12 load: its place among the cadre's households, R12 travel
for a scattered household). An alternative is a cadre R3 allows (the
village's lead unit; for a scattered household the county tier, or the
prefecture tier when the county tier is full) with a place left (R5);
moving the household there changes the score by exactly the difference,
nothing else moving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._explain_types import Alternative, Explanation, RuledOut
from ._fit import Fit, position, rank_words
from .solver.baseline import baseline_cadres, baseline_leads

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan

LISTED = 12


def household_explanation(
    instance: Instance, plan: Plan, hid: str, *, k: int
) -> Explanation:

    idx = pd.Index(instance.households["household_id"].to_numpy(dtype=object))
    h = position(idx, hid, "household")
    hp = plan.household_pairs
    row = hp[hp["household_id"] == hid]
    if row.empty:
        raise KeyError(f"household {hid} has no responsible in the plan")
    if row["responsible_kind"].iat[0] == "leader":
        leader = str(row["responsible_id"].iat[0])
        note = (
            f"R7 领导 {leader} 在其联系村亲自包保最困难的户",
            f"R7: leader {leader} takes the contact village's most severe households",
        )
        return Explanation("household", hid, leader, {}, (), (), (note,))
    fit = Fit.of(
        instance, baseline_leads(instance, plan), baseline_cadres(instance, plan)
    )
    c = int(fit.h_cadre[h])
    v = int(instance.h_village[h])
    sev = float(instance.h_severity[h])
    fit.load[c] -= 1  # the household's own place is the one compared
    mine = fit.gains(np.array([c]), v, sev)
    units, how = fit.allowed(v)
    cadres = fit.cadres_of(units)
    cadres = cadres[cadres != c]
    room = fit.room(cadres)
    gains = fit.gains(cadres[room], v, sev)
    total = gains["rank"] + gains["load"] + gains["travel"]
    chosen = {t: float(g[0]) for t, g in mine.items()}
    value = sum(chosen.values())
    cid = instance.cadre_index.to_numpy(dtype=object)
    alts = []
    for i in np.argsort(-total, kind="stable")[:k].tolist():
        other = int(cadres[room][i])
        alts.append(
            Alternative(
                str(cid[other]),
                {t: float(g[i]) for t, g in gains.items()},
                float(value - total[i]),
                float(value - total[i]),
                note=rank_words(fit, other, sev, how),
                leads={hid: str(cid[other])},
                household=True,
            )
        )
    full = cadres[~room]
    ruled = [
        RuledOut(
            str(cid[x]),
            "R5",
            (
                f"已包 {int(fit.load[x])}/{int(instance.c_cap[x])} 户，无空余名额",
                f"carries {int(fit.load[x])} of {int(instance.c_cap[x])}: no place",
            ),
        )
        for x in full[:LISTED].tolist()
    ]
    if len(full) > LISTED:
        ruled.append(
            RuledOut(
                "",
                "R5",
                (
                    f"……另有 {len(full) - LISTED} 名干部已满",
                    f"… and {len(full) - LISTED} more cadres full",
                ),
            )
        )
    ruled.append(
        RuledOut(
            "",
            "R3",
            (
                "其他单位的干部：贫困村的户由包村单位干部包保，插花户由本县县直单位包保",
                "cadres of other units: a poor village's households go to its lead "
                "unit, scattered ones to the county tier of their county",
            ),
        )
    )
    return Explanation("household", hid, str(cid[c]), chosen, tuple(alts), tuple(ruled))
