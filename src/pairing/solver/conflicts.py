"""Conflict search: why the village stage has no solution (R15).

:func:`explain` rebuilds the village stage's hard constraints (R1, R2, R3,
R4, R5 capacity, R6) as a CP-SAT model in which each *group* of constraints
(one unit's capacity, one unit's least or most villages, one county's or one
prefecture's R3 coupling, the R6 share) holds only under its own assumption
literal. When the model is infeasible, CP-SAT names a set of assumptions that
suffices for infeasibility; a deletion filter then drops every group whose
removal keeps the rest infeasible, while time remains, so the groups reported
conflict *together* and (when the filter finished) each one is needed.

Notes on CP-SAT's cores (``sufficient_assumptions_for_infeasibility``):

* the core is only reliable with a single search worker, and presolve can
  return literals that are not assumptions (google/or-tools#2563, #5141), so
  the model is solved with ``num_workers = 1`` and presolve off, and the
  returned literals are filtered to the groups' own;
* the core is not minimal: the deletion filter shrinks it, and it re-solves
  the core alone first, falling back to every group if that is not
  infeasible.

R1 (every poor village exactly one eligible lead unit) and R2 (eligibility)
are always enforced: they are the structure of the problem, and what a
planner can change is a unit's capacity, its villages per unit, or the
shares of the rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..errors import Cause
from ..instance import Instance
from ..precheck import COUNTY, PREFECTURE, PROVINCE, SOCIAL, Counts, Pos


@dataclass(frozen=True)
class Group:
    """One group of constraints under one assumption literal."""

    rule: str
    kind: str
    """``capacity``, ``min``, ``max``, ``county``, ``prefecture`` or ``share``."""
    index: int
    """Unit or region index (-1 for ``share``)."""


def explain(
    instance: Instance,
    demand: np.ndarray | None = None,
    time_limit: float = 10.0,
    *,
    shrink: bool = True,
    seed: int = 0,
) -> list[Cause]:
    """Groups of hard constraints of the village stage that cannot hold together.

    Parameters
    ----------
    instance
        The instance.
    demand
        Households per village that the lead unit's cadres must carry (after
        leaders took theirs, R7). Default: the optimistic demand of
        :func:`pairing.precheck.precheck` (households less what leaders
        could take), so nothing is blamed on the leaders' choice.
    time_limit
        Wall-clock budget in seconds for the first solve and the deletion
        filter together.
    shrink
        Run the deletion filter (drop groups not needed for infeasibility).
    seed
        CP-SAT random seed.

    Returns
    -------
    list[Cause]
        One cause per conflicting group, each with its figures;
        ``figures["conflict"]`` lists every group of the conflict and
        ``figures["minimal"]`` tells whether the filter proved each needed.
        Empty when the constraints can all hold, or when the time ran out
        before infeasibility was proved.
    """
    start = time.perf_counter()
    c = Counts(instance, demand)
    m = _Model(c)
    causes = list(m.unplaced)
    if not m.groups:
        return causes

    def left() -> float:
        return time_limit - (time.perf_counter() - start)

    choice = m.greedy()
    if m.satisfies(choice):
        return causes  # a witness: every group holds
    m.hint(choice)
    every = list(range(len(m.groups)))
    status, core = m.solve(every, left(), seed)
    if status != cp_model.INFEASIBLE:
        return causes
    if not core:  # infeasible without any group: R1/R2 structure alone
        return causes or [
            Cause("R1", "", "the poor villages cannot each get an eligible lead unit")
        ]
    minimal = False
    if shrink and left() > 0:
        status, again = m.solve(core, left(), seed)
        if status != cp_model.INFEASIBLE:
            core = every  # an unreliable core: start from every group
        elif again:
            core = again
        minimal = True
        i = 0
        while i < len(core):
            if left() <= 0:
                minimal = False
                break
            trial = core[:i] + core[i + 1 :]
            status, smaller = m.solve(trial, left(), seed)
            if status == cp_model.INFEASIBLE:
                core = [g for g in trial if g in set(smaller)] or trial
            else:
                if status != cp_model.OPTIMAL and status != cp_model.FEASIBLE:
                    minimal = False  # undecided: keep the group
                i += 1
    groups = sorted(
        (m.groups[g] for g in core), key=lambda g: (g.rule, g.kind, g.index)
    )
    labels = [m.label(g) for g in groups]
    for g in groups:
        cause = m.cause(g)
        figures: dict[str, Any] = {
            **cause.figures,
            "conflict": labels,
            "minimal": minimal,
        }
        causes.append(
            Cause(cause.rule, cause.region, cause.message, figures, cause.fix)
        )
    return causes


class _Model:
    """The village stage's hard constraints, each group under a literal."""

    def __init__(self, c: Counts) -> None:
        self.c = c
        self.model = model = cp_model.CpModel()
        self.groups: list[Group] = []
        self.lits: list[cp_model.IntVar] = []
        self.unplaced: list[Cause] = []
        d = c.d_lo  # exact with an explicit demand, optimistic without
        self.d = d
        n_v = len(c.pv)

        # R2: eligible (village, unit) pairs, vectorised per unit
        vs, us = [], []
        leaders = np.flatnonzero(c.tier < SOCIAL)
        for u in leaders:
            t, r = c.tier[u], c.u_region[u]
            if t == PROVINCE:
                elig = np.arange(n_v)
            elif t == PREFECTURE:
                elig = np.flatnonzero(c.pv_pref == r)
            else:
                elig = np.flatnonzero(c.pv_county == r)
            vs.append(elig)
            us.append(np.full(len(elig), u, dtype=np.int64))
        pv = np.concatenate(vs) if vs else np.zeros(0, dtype=np.int64)
        pu = np.concatenate(us) if us else np.zeros(0, dtype=np.int64)
        x = [model.new_bool_var(f"x{i}") for i in range(len(pv))]
        self.pv, self.pu, self.x = pv, pu, x

        # R1: exactly one lead per poor village
        order = np.argsort(pv, kind="stable")
        bounds = np.searchsorted(pv[order], np.arange(n_v + 1))
        for i in range(n_v):
            idx = order[bounds[i] : bounds[i + 1]]
            if len(idx) == 0:
                vid = str(c.inst.village_index[c.pv[i]])
                self.unplaced.append(
                    Cause(
                        "R2",
                        vid,
                        f"{c.village(i)}: no unit may lead it (no province unit, no "
                        "prefecture unit of its prefecture, no county unit of its "
                        "county)",
                        {"village_id": vid},
                        f"add a unit in {c.region(int(c.pv_county[i]))}",
                    )
                )
                continue
            model.add_exactly_one(x[j] for j in idx)

        # per unit: capacity (R5), least and most villages (R4)
        order = np.argsort(pu, kind="stable")
        bounds = np.searchsorted(pu[order], np.arange(len(c.tier) + 1))
        load: dict[int, Any] = {}
        for u in leaders:
            idx = order[bounds[u] : bounds[u + 1]]
            xs = [x[j] for j in idx]
            w = d[pv[idx]]
            load[int(u)] = cp_model.LinearExpr.weighted_sum(xs, w.tolist())
            count = cp_model.LinearExpr.sum(xs)
            if w.sum() > c.cap[u]:
                model.add(load[int(u)] <= int(c.cap[u])).only_enforce_if(
                    self._lit("R5", "capacity", u)
                )
            lo, hi = int(c.raw_min[u]), int(c.inst.u_max[u])
            if lo > 0:
                model.add(count >= lo).only_enforce_if(self._lit("R4", "min", u))
            if hi < len(idx):
                model.add(count <= hi).only_enforce_if(self._lit("R4", "max", u))

        # R3: a county's overflow is what its county tier cannot carry, and a
        # prefecture's tier carries the overflow of its counties
        self.cap_c = c.tier_sum(c.cap, COUNTY)
        self.cap_p = c.tier_sum(c.cap, PREFECTURE)
        overflow: dict[int, list[Any]] = {}
        for k in np.flatnonzero((c.level == 2) & (c.scattered > 0)):
            s = int(c.scattered[k])
            ov = model.new_int_var(0, s, f"ov{k}")
            units = np.flatnonzero((c.tier == COUNTY) & (c.u_region == k))
            tier_load = cp_model.LinearExpr.sum([load[int(u)] for u in units])
            model.add(ov >= s - int(self.cap_c[k]) + tier_load).only_enforce_if(
                self._lit("R3", "county", k)
            )
            overflow.setdefault(int(c.parent[k]), []).append(ov)
        for p, ovs in overflow.items():
            units = np.flatnonzero((c.tier == PREFECTURE) & (c.u_region == p))
            tier_load = cp_model.LinearExpr.sum([load[int(u)] for u in units])
            cap = int(self.cap_p[p]) if p >= 0 else 0
            model.add(cp_model.LinearExpr.sum(ovs) + tier_load <= cap).only_enforce_if(
                self._lit("R3", "prefecture", p)
            )

        # R6: K >= share * P, unless every key-county village is province-led
        share = Fraction(c.rules.province_key_county_share).limit_denominator(10**6)
        nk = int(c.pv_key.sum())
        self.share = share
        if share > 0 and nk > 0:
            prov = c.tier[pu] == PROVINCE
            p_all = cp_model.LinearExpr.sum([x[j] for j in np.flatnonzero(prov)])
            k_all = cp_model.LinearExpr.sum(
                [x[j] for j in np.flatnonzero(prov & c.pv_key[pv])]
            )
            all_key = model.new_bool_var("all_key")
            model.add(k_all >= nk).only_enforce_if(all_key)
            lit = self._lit("R6", "share", -1)
            model.add(
                share.denominator * k_all - share.numerator * p_all >= 0
            ).only_enforce_if([lit, all_key.Not()])

    def greedy(self) -> np.ndarray:
        """A quick assignment (pair index per poor village, -1: none) to hint.

        Heaviest villages first (key-county ones before the rest), each to an
        eligible unit with room: units below their least villages first, then
        province units for key-county villages, prefecture, province, county
        (keeping county spare for scattered households, R3), the emptiest
        first.
        """
        c, pv, pu = self.c, self.pv, self.pu
        left = c.cap.astype(np.int64).copy()
        count = np.zeros(len(c.tier), dtype=np.int64)
        hi, lo = c.inst.u_max, c.raw_min
        order = np.argsort(pv, kind="stable")
        bounds = np.searchsorted(pv[order], np.arange(len(c.pv) + 1))
        choice = np.full(len(c.pv), -1, dtype=np.int64)
        rank = np.array([2, 1, 3, 9])
        for i in np.lexsort((-self.d, ~c.pv_key)):
            idx = order[bounds[i] : bounds[i + 1]]
            us = pu[idx]
            ok = (left[us] >= self.d[i]) & (count[us] < hi[us])
            if not ok.any():
                continue
            tier_rank = np.where(
                (c.tier[us] == PROVINCE) & c.pv_key[i], 0, rank[c.tier[us]]
            )
            key = np.where(count[us] < lo[us], 0, 10) + tier_rank
            key = np.where(ok, key, 99)
            best = np.flatnonzero(key == key.min())
            j = best[np.argmax(left[us[best]])]
            choice[i] = idx[j]
            left[us[j]] -= self.d[i]
            count[us[j]] += 1
        return choice

    def satisfies(self, choice: np.ndarray) -> bool:
        """Whether an assignment keeps every group (R1–R6 of the model)."""
        c = self.c
        if (choice < 0).any() or self.unplaced:
            return False
        n_u = len(c.tier)
        units = self.pu[choice]
        count = np.bincount(units, minlength=n_u)
        load = np.bincount(units, weights=self.d, minlength=n_u).astype(np.int64)
        lead = c.tier < SOCIAL
        if (load > c.cap)[lead].any() or (count < c.raw_min)[lead].any():
            return False
        if (count > c.inst.u_max)[lead].any():
            return False
        county_load = c.tier_sum(load, COUNTY)
        over = np.maximum(0, c.scattered - (self.cap_c - county_load))
        over = np.where(c.level == 2, over, 0)
        spill = over > 0
        if (c.parent[spill] < 0).any():
            return False  # no prefecture tier to take the overflow
        pref_over = np.bincount(c.parent[spill], weights=over[spill], minlength=c.nr)
        if (pref_over + c.tier_sum(load, PREFECTURE) > self.cap_p).any():
            return False
        share, nk = self.share, int(c.pv_key.sum())
        if share > 0 and nk > 0:
            prov = c.tier[units] == PROVINCE
            p, k = int(prov.sum()), int((prov & c.pv_key).sum())
            if k < nk and k * share.denominator < share.numerator * p:
                return False
        return True

    def hint(self, choice: np.ndarray) -> None:
        chosen = np.zeros(len(self.pv), dtype=bool)
        chosen[choice[choice >= 0]] = True
        for var, value in zip(self.x, chosen.tolist(), strict=True):
            self.model.add_hint(var, value)

    def _lit(self, rule: str, kind: str, index: Pos) -> cp_model.IntVar:
        lit = self.model.new_bool_var(f"{kind}{index}")
        self.groups.append(Group(rule, kind, int(index)))
        self.lits.append(lit)
        return lit

    def solve(
        self, groups: list[int], limit: float, seed: int
    ) -> tuple[Any, list[int]]:
        """Solve under the groups' assumptions; the core's groups when infeasible."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self.lits[g] for g in groups])
        solver = cp_model.CpSolver()
        solver.parameters.catch_sigint_signal = False  # let Ctrl-C reach Python
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        status = solver.solve(self.model)
        if status != cp_model.INFEASIBLE:
            return status, []
        by_index = {self.lits[g].index: g for g in groups}
        core = solver.sufficient_assumptions_for_infeasibility()
        return status, sorted({by_index[i] for i in core if i in by_index})

    # -- wording -------------------------------------------------------------

    def label(self, g: Group) -> str:
        c = self.c
        if g.kind in ("capacity", "min", "max"):
            return f"{g.rule} {g.kind} {c.u_id[g.index]}"
        if g.kind in ("county", "prefecture"):
            return f"{g.rule} {g.kind} {c.r_id[g.index]}"
        return f"{g.rule} share"

    def cause(self, g: Group) -> Cause:
        c = self.c
        u = g.index
        if g.kind in ("capacity", "min", "max"):
            uid = str(c.u_id[u])
            sel = self.pu == u
            dem = self.d[self.pv[sel]]
            cap = int(c.cap[u])
            fig = {
                "unit_id": uid,
                "capacity": cap,
                "cadres": int(c.cadres[u]),
                "min_villages": int(c.raw_min[u]),
                "max_villages": int(c.inst.u_max[u]),
                "eligible_villages": int(sel.sum()),
                "fitting_villages": int((dem <= cap).sum()),
                "smallest_village": int(dem.min()) if len(dem) else 0,
            }
            if g.kind == "capacity":
                return Cause(
                    "R5",
                    uid,
                    f"{c.unit(u)}: its {fig['cadres']:,} cadres can carry {cap:,} "
                    f"households; {fig['fitting_villages']:,} of the "
                    f"{fig['eligible_villages']:,} villages it may lead fit",
                    fig,
                    f"add capacity to {uid} (more cadres or a higher max_households)",
                )
            if g.kind == "min":
                return Cause(
                    "R4",
                    uid,
                    f"{c.unit(u)} must lead at least {fig['min_villages']} village(s)",
                    fig,
                    f"lower min_villages of {uid}",
                )
            return Cause(
                "R4",
                uid,
                f"{c.unit(u)} may lead at most {fig['max_villages']} village(s)",
                fig,
                f"raise max_villages of {uid}",
            )
        if g.kind == "county":
            k = g.index
            fig = {
                "region_id": str(c.r_id[k]),
                "scattered": int(c.scattered[k]),
                "county_capacity": int(self.cap_c[k]),
            }
            return Cause(
                "R3",
                str(c.r_id[k]),
                f"{c.region(k)}: {fig['scattered']:,} scattered households go to its "
                f"county tier (capacity {fig['county_capacity']:,}, less the "
                "households of the villages its units lead) before the prefecture "
                "tier takes any",
                fig,
                f"add county-tier capacity in {c.r_name[k] or c.r_id[k]}",
            )
        if g.kind == "prefecture":
            p = g.index
            kids = (c.level == 2) & (c.parent == p)
            region_id = str(c.r_id[p]) if p >= 0 else ""
            fig = {
                "region_id": region_id,
                "prefecture_capacity": int(self.cap_p[p]) if p >= 0 else 0,
                "scattered": int(c.scattered[kids].sum()),
            }
            return Cause(
                "R3",
                region_id,
                f"{c.region(p) if p >= 0 else 'no prefecture'}: its prefecture tier "
                f"(capacity {fig['prefecture_capacity']:,}) carries its own villages "
                "and "
                "what its county tiers cannot",
                fig,
                f"add prefecture-tier capacity in {c.r_name[p] or c.r_id[p]}"
                if p >= 0
                else "",
            )
        nk = int(c.pv_key.sum())
        fig = {"share": float(self.share), "key_villages": nk}
        return Cause(
            "R6",
            str(c.r_id[c.inst.province]),
            f"at least {float(self.share):.0%} of the province units' villages must "
            "lie "
            f"in key counties (unless all {nk:,} key-county poor villages are theirs)",
            fig,
            "lower province_key_county_share, or let province units carry more "
            "key-county villages (capacity, max_villages)",
        )
