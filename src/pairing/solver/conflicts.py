"""Conflict search: why the village stage has no solution (R15).

:func:`explain` takes the village stage's own labelled model
(:func:`~.model.build_model`, every pair of R2 kept, R5 not pre-filtered) and
puts each *group* of its rows under an assumption literal: one unit's least
villages, most villages (the two sides of its R4 row), capacity (R5) and
kick-off team (R8), one county's or one prefecture's R3 coupling, the R6
share. R1 (one lead per poor village) always holds: it is the structure of
the problem, and what a planner can change is a unit's capacity, its
villages per unit, or the shares of the rules. When the model is infeasible,
CP-SAT names a set of assumptions that suffices; a deletion filter then
drops every group whose removal keeps the rest infeasible, while time
remains, so the groups reported conflict *together* and (when the filter
finished) each one is needed. The rows are the solver's, written once.

Notes on CP-SAT's cores (``sufficient_assumptions_for_infeasibility``):

* the core is only reliable with a single search worker, and presolve can
  return literals that are not assumptions (google/or-tools#2563, #5141), so
  the model is solved with ``num_workers = 1`` and presolve off, and the
  returned literals are filtered to the groups' own;
* the core is not minimal: the deletion filter shrinks it, and it re-solves
  the core alone first, falling back to every group if that is not
  infeasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..errors import Cause, Infeasible
from ..instance import Instance
from .candidates import Candidates, build_candidates
from .counts import Counts
from .cpsat import build_proto
from .greedy import greedy
from .model import R3, R4, R5, R6, R8, SparseModel, build_model, complete


@dataclass(frozen=True)
class Group:
    """One group of constraints under one assumption literal."""

    rule: str
    kind: str
    """``capacity``, ``min``, ``max``, ``team``, ``county``, ``prefecture`` or
    ``share``."""
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

    Examples
    --------
    >>> from pairing.generate import generate
    >>> explain(generate(2_000, seed=1))
    []
    """
    start = time.perf_counter()
    exact = demand is not None
    if demand is None:
        counts = Counts(instance)
        demand = np.zeros(len(instance.villages), dtype=np.int64)
        demand[counts.pv] = counts.d_lo
    try:
        c = build_candidates(instance, np.asarray(demand, dtype=np.int64), fit=False)
    except Infeasible as exc:  # a village no unit may lead, a unit that cannot
        return list(exc.causes)
    m = build_model(c)
    # R8's rows need households (sum dem x >= need): with the optimistic
    # demand they could fail where the real one holds, so they take part only
    # when the demand is exact
    search = _Search(instance, c, m, team=exact)

    def left() -> float:
        return time_limit - (time.perf_counter() - start)

    lead = greedy(c, len(instance.regions), instance.u_region, instance.u_tier)
    if np.all(lead[c.villages] >= 0):
        return []  # a witness: every group holds
    every = [i for i, g in enumerate(search.groups) if g.kind != "free"]
    status, core = search.solve(every, left(), seed)
    if status != cp_model.INFEASIBLE:
        return []
    # prefer the units' own rows as causes: a coupling or policy row (R6's
    # share, then R3's prefecture and county rows) is left out of the
    # explanation whenever the rest conflicts without it
    for kind in ("share", "prefecture", "county"):
        if left() <= 0:
            break
        rest = [i for i in every if search.groups[i].kind != kind]
        if len(rest) < len(every):
            status, smaller = search.solve(rest, left(), seed)
            if status == cp_model.INFEASIBLE and smaller:
                every, core = rest, smaller
    if not core:  # infeasible without any group: R1/R2 structure alone
        return [Cause("R1", "", "the poor villages cannot each get an eligible lead")]
    minimal = False
    if shrink and left() > 0:
        core, minimal = _shrink(search, core, every, left, seed)
    groups = sorted(
        (search.groups[g] for g in core), key=lambda g: (g.rule, g.kind, g.index)
    )
    labels = [search.label(g) for g in groups]
    out = []
    for g in groups:
        cause = search.cause(g)
        figures: dict[str, Any] = {
            **cause.figures,
            "conflict": labels,
            "minimal": minimal,
        }
        out.append(Cause(cause.rule, cause.region, cause.message, figures, cause.fix))
    return out


def _shrink(
    search: _Search, core: list[int], every: list[int], left: Any, seed: int
) -> tuple[list[int], bool]:
    """The deletion filter: drop each group whose removal keeps the rest
    infeasible; whether every group left was proven needed."""
    status, again = search.solve(core, left(), seed)
    if status != cp_model.INFEASIBLE:
        core = every  # an unreliable core: start from every group
    elif again:
        core = again
    minimal = True
    i = 0
    while i < len(core):
        if left() <= 0:
            return core, False
        trial = core[:i] + core[i + 1 :]
        status, smaller = search.solve(trial, left(), seed)
        if status == cp_model.INFEASIBLE:
            core = [g for g in trial if g in set(smaller)] or trial
        else:
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                minimal = False  # undecided: keep the group
            i += 1
    return core, minimal


class _Search:
    """The labelled model with its row groups under assumption literals."""

    def __init__(
        self, instance: Instance, c: Candidates, m: SparseModel, *, team: bool
    ) -> None:
        self.inst, self.c, self.m = instance, c, m
        self.groups: list[Group] = []
        free = -1  # a literal never assumed: rows under it need not hold
        sides = np.full((m.a.shape[0], 2), -1, dtype=np.int64)
        count = np.bincount(c.pu, minlength=c.n_units)
        load = np.bincount(c.pu, weights=c.dem, minlength=c.n_units)
        key: dict[tuple[str, str, int], int] = {}

        def lit(rule: str, kind: str, index: int) -> int:
            k = (rule, kind, index)
            if k not in key:
                key[k] = len(self.groups)
                self.groups.append(Group(rule, kind, index))
            return key[k]

        # groups in a fixed order (the deletion filter tries them in it):
        # each unit's capacity, least and most villages and team, then the
        # R3 rows, then R6
        rule, owner = m.row_rule, m.row_owner
        rank = {R5: 0, R4: 1, R8: 2}
        unit_rows = sorted(
            np.flatnonzero(np.isin(rule, (R4, R5, R8))).tolist(),
            key=lambda r: (owner[r], rank[int(rule[r])], r),
        )
        other = np.flatnonzero(np.isin(rule, (R3, R6))).tolist()
        for r in [*unit_rows, *other]:
            kind_of, who = int(rule[r]), int(owner[r])
            if kind_of == R5 and load[who] > m.hi[r]:
                sides[r] = lit("R5", "capacity", who)
            elif kind_of == R4:  # least and most villages: two groups
                if m.lo[r] > 0:
                    sides[r, 0] = lit("R4", "min", who)
                if m.hi[r] < count[who]:
                    sides[r, 1] = lit("R4", "max", who)
            elif kind_of == R8:
                if team:
                    sides[r] = lit("R8", "team", who)
                else:
                    if free < 0:
                        free = lit("", "free", -1)
                    sides[r] = free
            elif kind_of == R3:
                kind = "county" if np.isfinite(m.lo[r]) else "prefecture"
                sides[r] = lit("R3", kind, who)
            elif kind_of == R6:
                sides[r] = lit("R6", "share", -1)
        self.model = build_proto(m, sides=sides, literals=len(self.groups))
        self.n_cols = m.a.shape[1]
        lead = greedy(c, len(instance.regions), instance.u_region, instance.u_tier)
        if np.all(lead[c.villages] >= 0):  # a hint (never taken as a proof)
            x = np.zeros(c.n, dtype=np.int64)
            x[c.pair_index(lead)] = 1
            full = complete(m, x)
            if full is not None:
                for j, v in enumerate(full.tolist()):
                    self.model.add_hint(self.model.get_int_var_from_proto_index(j), v)

    def solve(
        self, groups: list[int], limit: float, seed: int
    ) -> tuple[Any, list[int]]:
        """Solve under the groups' assumptions; the core's groups when infeasible."""
        self.model.clear_assumptions()
        lits = [self.n_cols + g for g in groups]
        self.model.proto.assumptions.extend(lits)
        solver = cp_model.CpSolver()
        solver.parameters.catch_sigint_signal = False  # let Ctrl-C reach Python
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        status = solver.solve(self.model)
        if status != cp_model.INFEASIBLE:
            return status, []
        by_index = {self.n_cols + g: g for g in groups}
        core = solver.sufficient_assumptions_for_infeasibility()
        return status, sorted({by_index[i] for i in core if i in by_index})

    # -- wording -------------------------------------------------------------

    def label(self, g: Group) -> str:
        inst = self.inst
        if g.kind in ("capacity", "min", "max", "team"):
            return f"{g.rule} {g.kind} {inst.unit_index[g.index]}"
        if g.kind in ("county", "prefecture"):
            return f"{g.rule} {g.kind} {inst.region_index[g.index]}"
        return f"{g.rule} share"

    def cause(self, g: Group) -> Cause:
        if g.kind in ("capacity", "min", "max", "team"):
            return _unit_cause(self.inst, self.c, g)
        if g.kind in ("county", "prefecture"):
            return _region_cause(self.inst, self.c, g)
        c = self.c
        share = c.r6_num / c.r6_den if c.r6_den else 0.0
        fig = {"share": share, "key_villages": int(c.key_total)}
        return Cause(
            "R6",
            str(self.inst.region_index[self.inst.province]),
            f"at least {share:.0%} of the province units' villages must lie in "
            f"key counties (unless all {c.key_total:,} key-county poor villages "
            "are theirs)",
            fig,
            "lower province_key_county_share, or let province units carry more "
            "key-county villages (capacity, max_villages)",
        )


def _unit(inst: Instance, u: int) -> str:
    name = str(inst.units["name"].iloc[u])
    uid = str(inst.unit_index[u])
    tier = str(inst.units["tier"].iloc[u])
    return f"{tier} unit {uid}" + (f" ({name})" if name and name != uid else "")


def _unit_cause(inst: Instance, c: Candidates, g: Group) -> Cause:
    u = g.index
    uid = str(inst.unit_index[u])
    dem = c.dem[c.pu == u]
    cap = int(c.cap[u])
    fig = {
        "unit_id": uid,
        "capacity": cap,
        "cadres": int(inst.u_cadres[u]),
        "min_villages": int(c.u_min[u]),
        "max_villages": int(c.u_max[u]),
        "eligible_villages": len(dem),
        "fitting_villages": int((dem <= cap).sum()),
        "smallest_village": int(dem.min()) if len(dem) else 0,
    }
    who = _unit(inst, u)
    if g.kind == "capacity":
        return Cause(
            "R5",
            uid,
            f"{who}: its {fig['cadres']:,} cadres can carry {cap:,} households; "
            f"{fig['fitting_villages']:,} of the {fig['eligible_villages']:,} "
            "villages it may lead fit",
            fig,
            f"add capacity to {uid} (more cadres or a higher max_households)",
        )
    if g.kind == "team":
        return Cause(
            "R8",
            uid,
            f"{who}: the villages it may lead hold too few households for a "
            f"kick-off team of {int(c.need[u])} carrier(s)",
            {**fig, "team_households": int(c.need[u])},
            f"add households or cadres, or set min_villages of {uid} to 0",
        )
    if g.kind == "min":
        return Cause(
            "R4",
            uid,
            f"{who} must lead at least {fig['min_villages']} village(s)",
            fig,
            f"lower min_villages of {uid}",
        )
    return Cause(
        "R4",
        uid,
        f"{who} may lead at most {fig['max_villages']} village(s)",
        fig,
        f"raise max_villages of {uid}",
    )


def _region_cause(inst: Instance, c: Candidates, g: Group) -> Cause:
    k = g.index
    rid = str(inst.region_index[k])
    name = str(inst.regions["name"].iloc[k]) or rid
    here = f"region {rid}" + (f" ({name})" if name != rid else "")
    if g.kind == "county":
        pos = int(np.flatnonzero(c.r3_county == k)[0])
        scattered = int(c.r3_scattered[pos])
        fig = {
            "region_id": rid,
            "scattered": scattered,
            "county_capacity": scattered - int(c.r3_rhs[pos]),
        }
        return Cause(
            "R3",
            rid,
            f"{here}: {scattered:,} scattered households go to its county tier "
            f"(capacity {fig['county_capacity']:,}, less the households of the "
            "villages its units lead) before the prefecture tier takes any",
            fig,
            f"add county-tier capacity in {name}",
        )
    kids = c.r3_pref == k
    fig = {
        "region_id": rid,
        "prefecture_capacity": int(c.pref_cap[k]),
        "scattered": int(c.r3_scattered[kids].sum()),
    }
    return Cause(
        "R3",
        rid,
        f"{here}: its prefecture tier (capacity {fig['prefecture_capacity']:,}) "
        "carries its own villages and what its county tiers cannot",
        fig,
        f"add prefecture-tier capacity in {name}",
    )
