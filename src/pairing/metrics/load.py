"""R12 (fair load, short travel) and R13 (claims honoured): their figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .stats import finite
from .views import Raw, id_index


def r12_figures(covered: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    c, v = covered["c"].to_numpy(), covered["v"].to_numpy()
    n_c = len(raw.c_index)
    load = np.bincount(c, minlength=n_c)
    full = (load >= raw.c_cap) & (load > 0)
    # idle-while-full: same unit and rank, one idle while another is at its cap
    group = pd.factorize(pd.MultiIndex.from_arrays([raw.c_unit, raw.c_rank]))[0]
    any_full = np.bincount(group, weights=full, minlength=group.max(initial=-1) + 1)
    idle = (load == 0) & (raw.c_cap > 0) & (any_full[group] > 0)
    unit = raw.c_unit[c]
    ok = unit >= 0
    d = np.hypot(*(raw.u_xy[unit[ok]] - raw.v_xy[v[ok]]).T) if ok.any() else np.zeros(0)
    d = d[np.isfinite(d)]
    active = load[load > 0]
    return {
        "cadres": int(n_c),
        "mean_load": finite(load.mean()) if n_c else None,
        "mean_load_active": finite(active.mean()) if len(active) else None,
        "max_load": int(load.max()) if n_c else 0,
        "idle_while_full": int(idle.sum()),
        "mean_travel_km": finite(d.mean()) if len(d) else None,
        "travel_households": len(d),
    }


def r13_figures(village_pairs: pd.DataFrame, raw: Raw) -> dict[str, Any]:
    claims = raw.instance.claims
    made = pd.DataFrame(
        {"u": id_index(claims["unit_id"]), "v": id_index(claims["village_id"])}
    ).drop_duplicates()
    vp = village_pairs
    sup = vp[(vp["role"] == "supplementary").to_numpy()]
    done = set(zip(sup["unit_id"].tolist(), sup["village_id"].tolist(), strict=True))
    honoured = sum(
        (u, v) in done
        for u, v in zip(made["u"].tolist(), made["v"].tolist(), strict=True)
    )
    return {"claims": len(made), "honoured": int(honoured)}
