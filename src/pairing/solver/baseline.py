"""Re-planning against a baseline plan (R14, 一包到底，不脱贫不脱钩).

The baseline's pairings are read back onto the changed instance's indices;
the stages keep every one that is still valid, and :func:`changes` lists
each pairing that moved anyway, with its reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instance import Instance, IntArray
from ..plan import Plan, empty_table


def baseline_leads(instance: Instance, baseline: Plan) -> IntArray:
    """Baseline lead unit index per village (-1: none, or the unit is gone)."""
    vp = baseline.village_pairs
    vp = vp[vp["role"] == "lead"]
    out = np.full(len(instance.villages), -1, dtype=np.int64)
    v = instance.village_index.get_indexer(
        pd.Index(vp["village_id"].to_numpy(dtype=object))
    )
    u = instance.unit_index.get_indexer(pd.Index(vp["unit_id"].to_numpy(dtype=object)))
    ok = (v >= 0) & (u >= 0)
    out[v[ok]] = u[ok]
    return out


def baseline_cadres(instance: Instance, baseline: Plan) -> IntArray:
    """Baseline responsible cadre index per household (-1: none, a leader, or gone)."""
    hp = baseline.household_pairs
    hp = hp[hp["responsible_kind"] == "cadre"]
    out = np.full(len(instance.households), -1, dtype=np.int64)
    hidx = pd.Index(instance.households["household_id"].to_numpy(dtype=object))
    h = hidx.get_indexer(hp["household_id"].to_numpy(dtype=object))
    c = instance.cadre_index.get_indexer(
        pd.Index(hp["responsible_id"].to_numpy(dtype=object))
    )
    ok = (h >= 0) & (c >= 0)
    out[h[ok]] = c[ok]
    return out


def changes(instance: Instance, baseline: Plan, plan: Plan) -> pd.DataFrame:
    """Every pairing of ``baseline`` that ``plan`` changed, with its reason.

    Kinds are ``village`` (lead unit), ``household`` (responsible person),
    ``leader_area`` and ``leader_contact``. Reasons: ``village_added`` /
    ``village_left`` (no longer a poor village), ``unit_removed``,
    ``unit_merged`` (the unit is gone but its cadres now serve another
    unit), ``household_added`` / ``household_left``, ``cadre_left``,
    ``village_moved`` (the household's village changed lead unit),
    ``leader_changed`` (a leader took or gave up the household, R7),
    ``rule_change`` (the unit now may lead fewer villages than the baseline
    gave it, R4, or the cadre's cap is now below its baseline load, R5),
    ``capacity`` (the other hard rules forced the move: caps, R3, R4, R6).
    """
    rows: list[pd.DataFrame] = []

    # villages (lead rows)
    def leads(p: Plan) -> pd.DataFrame:
        vp = p.village_pairs
        return vp.loc[vp["role"] == "lead", ["village_id", "unit_id"]]

    m = leads(baseline).merge(
        leads(plan), on="village_id", how="outer", suffixes=("_before", "_after")
    )
    m = m.fillna("")
    moved = m[m["unit_id_before"] != m["unit_id_after"]]
    if len(moved):
        units = set(instance.unit_index)
        gone = ~moved["unit_id_before"].isin(units)
        # a unit is merged when its baseline cadres now serve another unit
        hp = baseline.household_pairs
        served = hp.loc[
            hp["responsible_kind"] == "cadre", ["responsible_id", "unit_id"]
        ]
        cadre_unit = instance.cadres.set_index("cadre_id")["unit_id"]
        now = served["responsible_id"].map(cadre_unit)
        merged = set(served.loc[now.notna() & (now != served["unit_id"]), "unit_id"])
        # R4: the unit now leads fewer villages than the baseline gave it
        count = leads(baseline)["unit_id"].value_counts()
        u_max = pd.Series(instance.u_max, index=instance.unit_index)
        over = count.index[count.to_numpy() > u_max.reindex(count.index).fillna(0)]
        reason = np.select(
            [
                moved["unit_id_before"] == "",
                moved["unit_id_after"] == "",
                gone & moved["unit_id_before"].isin(merged),
                gone,
                moved["unit_id_before"].isin(set(over)),
            ],
            [
                "village_added",
                "village_left",
                "unit_merged",
                "unit_removed",
                "rule_change",
            ],
            default="capacity",
        )
        rows.append(
            pd.DataFrame(
                {
                    "kind": "village",
                    "id": moved["village_id"].to_numpy(dtype=object),
                    "before": moved["unit_id_before"].to_numpy(dtype=object),
                    "after": moved["unit_id_after"].to_numpy(dtype=object),
                    "reason": reason,
                    "detail": _details(instance, baseline, plan, moved, reason),
                }
            )
        )
    moved_villages = set(moved["village_id"])

    # households
    cols = ["household_id", "responsible_id", "unit_id"]
    m = baseline.household_pairs[cols].merge(
        plan.household_pairs[cols],
        on="household_id",
        how="outer",
        suffixes=("_before", "_after"),
    )
    m = m.fillna("")
    moved = m[m["responsible_id_before"] != m["responsible_id_after"]]
    if len(moved):
        hv = instance.households.set_index("household_id")["village_id"]
        village = moved["household_id"].map(hv).fillna("")
        people = set(instance.cadre_index) | set(instance.leader_index)
        leaders = set(instance.leader_index)
        # R5: cadres whose cap is now below their baseline load
        load = baseline.household_pairs["responsible_id"].value_counts()
        cap = pd.Series(instance.c_cap, index=instance.cadre_index)
        shrunk = load.index[
            load.to_numpy() > cap.reindex(load.index).fillna(np.inf).to_numpy()
        ]
        reason = np.select(
            [
                moved["responsible_id_before"] == "",
                moved["responsible_id_after"] == "",
                ~moved["responsible_id_before"].isin(people),
                village.isin(moved_villages),
                moved["responsible_id_before"].isin(leaders)
                | moved["responsible_id_after"].isin(leaders),
                moved["responsible_id_before"].isin(set(shrunk)),
            ],
            [
                "household_added",
                "household_left",
                "cadre_left",
                "village_moved",
                "leader_changed",
                "rule_change",
            ],
            default="capacity",
        )
        rows.append(
            pd.DataFrame(
                {
                    "kind": "household",
                    "id": moved["household_id"].to_numpy(dtype=object),
                    "before": moved["responsible_id_before"].to_numpy(dtype=object),
                    "after": moved["responsible_id_after"].to_numpy(dtype=object),
                    "reason": reason,
                }
            )
        )

    # leaders
    for kind, table, col in (
        ("leader_area", "leader_areas", "area_id"),
        ("leader_contact", "leader_contacts", "village_id"),
    ):
        a, b = getattr(baseline, table), getattr(plan, table)
        m = a.merge(b, on="leader_id", how="outer", suffixes=("_before", "_after"))
        m = m.fillna("")
        moved = m[m[f"{col}_before"] != m[f"{col}_after"]]
        if len(moved):
            rows.append(
                pd.DataFrame(
                    {
                        "kind": kind,
                        "id": moved["leader_id"].to_numpy(dtype=object),
                        "before": moved[f"{col}_before"].to_numpy(dtype=object),
                        "after": moved[f"{col}_after"].to_numpy(dtype=object),
                        "reason": "leader_changed",
                    }
                )
            )
    if not rows:
        return empty_table("changes").assign(detail=pd.Series([], dtype="str"))
    out = pd.concat(rows, ignore_index=True)
    out["detail"] = out["detail"].fillna("") if "detail" in out else ""
    for col in out.columns:
        out[col] = out[col].astype("str")
    return out


def _details(
    instance: Instance,
    baseline: Plan,
    plan: Plan,
    moved: pd.DataFrame,
    reason: np.ndarray,
) -> list[str]:
    """What would have kept each moved village (``changes.detail``, R14)."""
    from .shortfall import what_would_keep

    v = instance.village_index.get_indexer(
        pd.Index(moved["village_id"].to_numpy(dtype=object))
    )
    hp = plan.household_pairs
    by_leader = hp.loc[hp["responsible_kind"] == "leader", "household_id"]
    hidx = pd.Index(instance.households["household_id"].to_numpy(dtype=object))
    taken = hidx.get_indexer(pd.Index(by_leader.to_numpy(dtype=object)))
    taken = taken[taken >= 0]
    demand = instance.v_households - np.bincount(
        instance.h_village[taken], minlength=len(instance.villages)
    )
    texts = what_would_keep(
        instance, baseline_leads(instance, baseline), np.maximum(v, 0), demand
    )
    return [
        t if ok and r in ("capacity", "rule_change") else ""
        for t, ok, r in zip(texts, v >= 0, reason, strict=True)
    ]
