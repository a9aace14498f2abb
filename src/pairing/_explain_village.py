"""Why a village has its lead unit (:func:`pairing.explain`, ``village=``).

The alternatives are costed on the village stage's labelled model
(:mod:`pairing.solver.model`): the village is forced to the alternative and
its neighbourhood — the villages of the two units, of the alternative's
villages' counties and of its own county — is re-solved exactly
(:func:`~pairing.solver.model.restrict`, CP-SAT), every other lead fixed. The
objective lost is the switching cost; the villages whose lead changes are
what else would have to move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._explain_types import Alternative, Explanation, RuledOut
from ._fit import may_lead, position
from .instance import Instance, IntArray
from .solver.baseline import baseline_leads
from .solver.candidates import SCALE, Candidates, build_candidates, value_terms
from .solver.cpsat import solve_cpsat
from .solver.model import SparseModel, build_model, restrict
from .solver.teams import fieldable
from .tiers import Tier

if TYPE_CHECKING:
    from .plan import Plan
    from .solver.lagrange.prices import Prices

TIER_ZH = ("省直", "市（州）直", "县（市、区）直", "社会力量")
TIER_EN = ("province", "prefecture", "county", "social")
LISTED = 12
"""Units ruled out that are listed one by one (the rest are counted)."""


def plan_demand(instance: Instance, plan: Plan) -> IntArray:
    """Per village, the households its lead unit's cadres carry: its poor
    households less those its leaders take (R7), as the plan has them."""
    hp = plan.household_pairs
    led = hp.loc[hp["responsible_kind"] == "leader", "household_id"]
    idx = pd.Index(instance.households["household_id"].to_numpy(dtype=object))
    h = idx.get_indexer(pd.Index(led.to_numpy(dtype=object)))
    h = h[h >= 0]
    taken = np.bincount(instance.h_village[h], minlength=len(instance.villages))
    return np.asarray(instance.v_households - taken, dtype=np.int64)


def plan_candidates(instance: Instance, plan: Plan) -> tuple[Candidates, IntArray]:
    """The village stage's candidates as the plan was made (its capacity
    reserve, when every lead is a candidate with it), and its leads."""
    demand = plan_demand(instance, plan)
    lead = baseline_leads(instance, plan)
    reserve = float((plan.info.get("parameters") or {}).get("capacity_reserve", 0.0))
    poor = instance.poor_villages
    v = poor[lead[poor] >= 0]
    for r in dict.fromkeys((reserve, 0.0)):
        c = build_candidates(instance, demand, reserve=r)
        keys = c.pv * c.n_units + c.pu
        if np.isin(v * c.n_units + lead[v], keys).all():
            break
    return c, lead


def village_explanation(
    instance: Instance,
    plan: Plan,
    vid: str,
    *,
    k: int,
    prices: Prices | None,
    time_limit: float,
) -> Explanation:

    v = position(instance.village_index, vid, "village")
    if not instance.v_poor[v]:
        raise KeyError(f"village {vid} is not a poor village")
    c, lead = plan_candidates(instance, plan)
    u = int(lead[v])
    m = build_model(c)
    top = float(instance.v_severity[instance.poor_villages].max())
    mine = np.flatnonzero(c.pv == v)
    others = mine[c.pu[mine] != u]
    others = others[np.argsort(-c.score[others], kind="stable")]
    alts = tuple(
        _alternative(instance, c, m, lead, v, int(c.pu[p]), top, prices, time_limit)
        for p in others[:k].tolist()
    )
    notes = (
        (
            "切换代价 = 方案的目标值（R9–R12，不含 R14 保留加分）因此减少的量；"
            "按村级阶段的精确局部重算（其余包村单位不变）。",
            "switching cost = how much the plan's objective (R9–R12, without "
            "R14's keep-bonus) falls; from an exact local re-solve of the village "
            "stage (every other lead kept).",
        ),
    )
    return Explanation(
        kind="village",
        id=vid,
        chosen=str(instance.unit_index[u]) if u >= 0 else "",
        terms=_terms(instance, v, u, top) if u >= 0 else {},
        alternatives=alts,
        ruled_out=_ruled_out(instance, c, lead, v),
        notes=notes,
    )


def _terms(instance: Instance, v: int, u: int, top: float) -> dict[str, float]:
    n_u = len(instance.units)
    team = np.isin(np.array([v * n_u + u]), instance.t_village * n_u + instance.t_unit)
    t = value_terms(instance, np.array([v]), np.array([u]), top, team)
    return {name: float(SCALE * val[0]) for name, val in t.items()}


def _neighbourhood(
    instance: Instance, lead: IntArray, v: int, units: list[int]
) -> IntArray:
    """The villages an exact switch may move: the units' villages, and every
    village of their counties and of ``v``'s."""
    poor = instance.poor_villages
    near = poor[np.isin(lead[poor], units)]
    counties = np.unique(np.r_[instance.v_county[near], instance.v_county[v]])
    return np.union1d(np.r_[near, v], poor[np.isin(instance.v_county[poor], counties)])


def _alternative(
    instance: Instance,
    c: Candidates,
    m: SparseModel,
    lead: IntArray,
    v: int,
    w: int,
    top: float,
    prices: Prices | None,
    time_limit: float,
) -> Alternative:

    uid = instance.unit_index.to_numpy(dtype=object)
    vid = instance.village_index.to_numpy(dtype=object)
    u = int(lead[v])
    on = (lead[c.pv] == c.pu) & (c.pv != v)  # v's own lead is what changes
    near = _neighbourhood(instance, lead, v, [u, w])
    free = np.isin(c.pv, near) & ~((c.pv == v) & (c.pu != w))
    block = restrict(m, free, on & ~free)
    mine = (c.pv == v) & (c.pu == u)
    here = float(c.score[(on | mine) & np.isin(c.pv, near)].sum())
    direct = float(c.score[mine].sum() - c.score[(c.pv == v) & (c.pu == w)][0])
    estimate = prices.pair_loss(v, w) if prices is not None else direct
    r = solve_cpsat(block.model, time_limit=time_limit)
    terms = _terms(instance, v, w, top)
    if r.x is None:
        return Alternative(
            str(uid[w]),
            terms,
            float(estimate),
            None,
            status="infeasible" if r.status == "infeasible" else "unknown",
            note=(
                "即使调整邻近村的包村单位，也无法在遵守全部硬性规则的前提下改由该单位包保。",
                "no switch keeps every hard rule, even moving the villages near it.",
            ),
        )
    x = on & ~free
    x[block.pairs[r.x[: block.model.n_pairs] > 0]] = True
    new = lead.copy()
    new[c.pv[x]] = c.pu[x]
    moved = near[new[near] != lead[near]]
    moves = tuple(
        (str(vid[t]), str(uid[lead[t]]) if lead[t] >= 0 else "", str(uid[new[t]]))
        for t in moved.tolist()
        if t != v
    )
    cost = here - float(c.score[x & np.isin(c.pv, near)].sum())
    exact = r.status == "optimal"
    note = (
        f"需另行调整 {len(moves)} 个村的包村单位" if moves else "无需调整其他村",
        f"{len(moves)} other village(s) would have to move"
        if moves
        else "nothing else moves",
    )
    return Alternative(
        str(uid[w]),
        terms,
        float(estimate),
        float(cost),
        moves,
        "optimal" if exact else "feasible",
        note,
        {str(vid[t]): str(uid[new[t]]) for t in moved.tolist()},
    )


def _ruled_out(
    instance: Instance, c: Candidates, lead: IntArray, v: int
) -> tuple[RuledOut, ...]:
    """The units R2 allows that cannot take ``v`` as the plan stands, each with
    the rule and its numbers; the units R2 rules out, counted."""

    tier = instance.u_tier
    d = int(c.demand[v])
    allowed = may_lead(instance, v)
    uid = instance.unit_index.to_numpy(dtype=object)
    poor = instance.poor_villages
    led = lead[poor] >= 0
    n_u = len(instance.units)
    load = np.bincount(lead[poor][led], weights=c.demand[poor][led], minlength=n_u)
    count = np.bincount(lead[poor][led], minlength=n_u)
    can = fieldable(instance)
    cand = np.zeros(n_u, dtype=bool)
    cand[c.pu[(c.pv == v) & (c.pu < n_u)]] = True
    cap = c.cap[:n_u]
    out: list[RuledOut] = []
    share = instance.rules.province_key_county_share
    prov = (lead[poor] >= 0) & (tier[np.maximum(lead[poor], 0)] == Tier.PROVINCE)
    p_all = int(prov.sum())
    p_key = int((prov & instance.v_key[poor]).sum())
    for w in np.flatnonzero(allowed & (tier <= Tier.COUNTY)).tolist():
        if w == lead[v]:
            continue
        why = _why_not(
            instance,
            w,
            d,
            bool(can[w]),
            bool(cand[w]),
            int(cap[w]),
            int(load[w]),
            int(count[w]),
        )
        if (
            why is None
            and tier[w] == Tier.PROVINCE
            and not instance.v_key[v]
            and share > 0
        ):
            after = p_key / (p_all + 1)
            if after + 1e-12 < share and p_key < int(instance.v_key[poor].sum()):
                why = (
                    "R6",
                    (
                        f"省直单位包保的重点县村占比将降至 {after:.1%}"
                        f"，低于 {share:.0%}",
                        f"the province tier's share of key-county villages would fall "
                        f"to {after:.1%}, below {share:.0%}",
                    ),
                )
        if why is not None:
            out.append(RuledOut(str(uid[w]), why[0], why[1]))
    out.sort(key=lambda r: (r.rule, r.id))
    shown = out[:LISTED]
    if len(out) > LISTED:
        shown.append(
            RuledOut(
                "",
                "",
                (
                    f"……另有 {len(out) - LISTED} 个单位同样无法包保",
                    f"… and {len(out) - LISTED} more units that cannot take it",
                ),
            )
        )
    others = int((~allowed & (tier <= Tier.COUNTY)).sum())
    if others:
        shown.append(
            RuledOut(
                "",
                "R2",
                (
                    f"其他市（州）、县（市、区）的 {others} 个单位："
                    "三级联动，不得跨区域包村",
                    f"{others} prefecture- and county-tier units of other regions: "
                    "a tier stays in its region",
                ),
            )
        )
    return tuple(shown)


def _why_not(
    instance: Instance,
    w: int,
    d: int,
    can: bool,
    cand: bool,
    cap: int,
    load: int,
    count: int,
) -> tuple[str, tuple[str, str]] | None:
    """The rule that keeps unit ``w`` from taking the village as things stand."""
    u_max = int(instance.u_max[w])
    if u_max <= 0:
        return "R4", ("不承担包村任务（max_villages 为 0）", "may lead no village")
    if not can:
        return "R8", (
            "无法派出启动工作队（具备包户能力的干部不足）",
            "cannot field its kick-off team (too few cadres able to carry households)",
        )
    if not cand or d > cap:
        return "R5", (
            f"包户能力 {cap} 户，少于该村需包保的 {d} 户",
            f"its cadres have {cap:,} places, the village needs {d:,}",
        )
    if count >= u_max:
        return "R4", (
            f"已包保 {count} 个村，达到上限 {u_max} 个",
            f"already leads {count} of at most {u_max} villages",
        )
    if load + d > cap:
        return "R5", (
            f"已包保 {load} 户、能力 {cap} 户，剩余 {cap - load} 户，少于该村的 {d} 户",
            f"carries {load:,} of its {cap:,} places; {cap - load:,} left, the "
            f"village needs {d:,}",
        )
    return None
