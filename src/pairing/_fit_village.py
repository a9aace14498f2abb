"""The best units for a newly registered poor village (``Recommender.village``).

A unit qualifies when R2 lets it lead the village (the province tier
anywhere, the prefecture and county tiers in their own region), it can
field its kick-off team (R8), it leads fewer than its most villages (R4) and
its cadres have places left for the village's households (R5); a
province-tier unit also keeps R6's key-county share. The qualifying units
are ranked by the village stage's value of the pair (R9 tier, R10 strength,
R11 continuity, R12 travel: :func:`pairing.solver.candidates.value_terms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._fit import Choice, Recommendation, may_lead, position
from .solver.candidates import SCALE, value_terms
from .tiers import LEVEL_NAMES, Tier

if TYPE_CHECKING:
    from .recommend import Recommender


def village_choices(r: Recommender, row: Mapping[str, Any], k: int) -> Recommendation:

    inst, fit = r.instance, r.fit
    vid = str(row["village_id"])
    v = position(inst.village_index, vid, "village")
    given = row.get("households")
    d = int(given) if given not in (None, "") and given == given else 0
    d = d or int(np.sum(inst.h_village == v))
    tier = inst.u_tier
    units = np.flatnonzero(may_lead(inst, v))
    n_u = len(inst.units)
    poor = inst.poor_villages
    led = fit.lead[poor]
    count = np.bincount(led[led >= 0], minlength=n_u)
    carried = np.bincount(inst.c_unit, weights=fit.load, minlength=n_u)
    room = inst.u_capacity - carried
    ok = fit.can[units] & (count[units] < inst.u_max[units]) & (room[units] >= d)
    prov = (led >= 0) & (tier[np.maximum(led, 0)] == Tier.PROVINCE)
    share = inst.rules.province_key_county_share
    if not inst.v_key[v] and share > 0:  # R6: one more non-key province village
        k_key = int((prov & inst.v_key[poor]).sum())
        ok &= (tier[units] != Tier.PROVINCE) | (
            k_key >= share * (int(prov.sum()) + 1) - 1e-9
        )
    if not ok.any():
        widest = int(units[np.argmax(room[units])]) if len(units) else -1
        most = int(room[widest]) if widest >= 0 else 0
        name = str(inst.unit_index[widest]) if widest >= 0 else "—"
        return Recommendation(
            "village",
            vid,
            vid,
            (),
            note=(
                "没有可直接包保该村的单位（R2 区域、R4 村数、R5 能力）："
                f"剩余名额最多的 "
                f"{name} 只有 {most} 户，该村需 {d} 户；需重新规划（pairing solve "
                "--baseline）",
                f"no unit may take it as the plan stands (R2 region, R4 villages, R5 "
                f"places): the most places left are {name}'s {most:,}, the village "
                f"needs {d:,}; re-plan against this plan (pairing solve --baseline)",
            ),
        )
    units = units[ok]
    sev = float(row.get("severity", inst.v_severity[v]) or inst.v_severity[v])
    top = max(float(inst.v_severity[poor].max(initial=0.0)), sev)
    n = len(units)
    team = np.isin(v * n_u + units, inst.t_village * n_u + inst.t_unit)
    terms = value_terms(inst, np.full(n, v), units, top, team)
    total = terms["tier"] + terms["strength"] + terms["continuity"] + terms["travel"]
    best = np.argsort(-total, kind="stable")[:k]
    uid = inst.unit_index.to_numpy(dtype=object)
    names = ("省直", "市（州）直", "县（市、区）直")
    choices = tuple(
        Choice(
            str(uid[units[i]]),
            str(uid[units[i]]),
            float(SCALE * total[i]),
            {t: float(SCALE * g[i]) for t, g in terms.items()},
            (
                f"R2 {names[tier[units[i]]]}单位；R4 已包 {count[units[i]]} 个村；"
                f"R5 剩余 {int(room[units[i]])} 户名额（需 {d} 户）",
                f"R2 {LEVEL_NAMES[tier[units[i]]]} tier; "
                f"R4 leads {count[units[i]]} of {int(inst.u_max[units[i]])}; "
                f"R5 {int(room[units[i]]):,} places left for {d:,} households",
            ),
        )
        for i in best.tolist()
    )
    return Recommendation("village", vid, vid, choices)
