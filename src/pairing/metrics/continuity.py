"""R11 (continuity: resident teams kept): per team, and its figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .views import Raw, id_index, may_lead

MAX_BREAKS = 200
"""R11 breaks listed at most (the total is reported too)."""


def continuity_rows(leads: pd.DataFrame, raw: Raw) -> pd.DataFrame:
    """R11 per resident team of a poor village: kept, keepable, and why not kept.

    Returns
    -------
    DataFrame
        ``v``, ``u`` (village and team unit positions), ``lead`` (the
        village's lead unit, -1 when none), ``kept``, ``keepable`` (the unit
        may lead the village under R2 and R4), ``reason`` (empty when kept).
    """
    teams = raw.instance.resident_teams
    t = pd.DataFrame(
        {
            "v": raw.v_index.get_indexer(id_index(teams["village_id"])),
            "u": raw.u_index.get_indexer(id_index(teams["unit_id"])),
        }
    ).drop_duplicates()
    t = t[(t["v"] >= 0).to_numpy() & (t["u"] >= 0).to_numpy()]
    tv, tu = t["v"].to_numpy(), t["u"].to_numpy()
    poor = raw.v_poor[tv]
    tv, tu = tv[poor], tu[poor]
    lead_of = np.full(len(raw.v_index), -1, dtype=np.int64)
    lead_of[leads["v"].to_numpy()] = leads["u"].to_numpy()
    lead = lead_of[tv]
    kept = lead == tu
    r2 = may_lead(raw, tu, tv)
    cap = raw.u_max[tu]
    n_led = np.bincount(leads["u"].to_numpy(), minlength=len(raw.u_index))[tu]
    reason = np.where(
        kept,
        "",
        np.where(
            ~r2,
            "unit may not lead it (R2)",
            np.where(
                (cap < 1) | (n_led >= cap),
                "unit over its village cap",
                "objective/capacity",
            ),
        ),
    )
    return pd.DataFrame(
        {
            "v": tv,
            "u": tu,
            "lead": lead,
            "kept": kept,
            "keepable": r2 & (cap >= 1),
            "reason": reason.astype(str),
        }
    )


def r11_figures(leads: pd.DataFrame, raw: Raw, max_breaks: int) -> dict[str, Any]:
    rows = continuity_rows(leads, raw)
    broken = rows[~rows["kept"].to_numpy()]
    uid = raw.u_index.to_numpy(dtype=object)
    vid = raw.v_index.to_numpy(dtype=object)
    breaks = [
        {
            "village_id": str(vid[v]),
            "unit_id": str(uid[u]),
            "lead_unit_id": str(uid[lead]) if lead >= 0 else "",
            "reason": str(reason),
        }
        for v, u, lead, reason in broken[["v", "u", "lead", "reason"]]
        .head(max_breaks)
        .itertuples(index=False)
    ]
    return {
        "teams": len(rows),
        "kept": int(rows["kept"].sum()),
        "keepable": int(rows["keepable"].sum()),
        "breaks_total": len(broken),
        "breaks": breaks,
    }
