"""Partial plans: the plan that covers the most when the hard rules cannot all hold.

``solve(..., partial=True)`` (``pairing solve --partial``, exit status 4)
relaxes R1 only: every other hard rule (R2–R8) still holds, and the plan
covers every village it can first, then the most households, the heaviest
first. What it leaves is listed in the plan's ``uncovered`` table, each item
with its cause in planners' terms (R15: the rule, the numbers, the fix).

The village stage runs twice on the labelled model with the partial option
(:mod:`.uncovered`), so every method takes it unchanged:

1. **coverage** — real pairs are worth 0, a village left uncovered
   ``-(H + 1 + d_v)`` (``H`` the households: one more village is worth
   more than any number of households), a scattered household covered 1.
   Its optimum is the most villages, then the most households (then, in a
   re-plan, the most baseline leads kept).
2. **the plan** — the villages the first pass leaves are left, the others
   must be covered, and every county must still cover the scattered
   households the first pass covered; the objective is the ordinary one
   (R9–R12, R14's bonus), so the plan's score is meaningful.

The household stage then leaves exactly what the leads force
(:func:`left_households`): the households of villages left uncovered, a
pinned unit's households beyond its capacity (``pin="villages"``), and per
county the scattered households its county and prefecture tiers cannot
carry, the lightest first; every other household is planned as usual.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..instance import Instance, IntArray
from .candidates import build_candidates
from .lagrange.engine import EngineParams
from .shortfall import uncovered_table
from .teams import fieldable
from .uncovered import SCATTERED, UNIT, VILLAGE, Uncovered, covered_scattered

__all__ = ["PartialVillages", "left_households", "solve_partial"]


@dataclass
class PartialVillages:
    """The village stage of a partial plan.

    Attributes
    ----------
    result
        The second pass's :class:`~.villages.VillageResult` (``lead`` is -1
        on the villages left uncovered).
    coverage_proved
        Whether the first pass proved that no plan covers more.
    coverage
        The first pass's objective (villages, then households) and bound.
    """

    result: Any
    coverage_proved: bool
    coverage: dict[str, float]


def solve_partial(
    instance: Instance,
    demand: IntArray,
    *,
    time_limit: float,
    floor: IntArray | None = None,
    prefer: IntArray | None = None,
    fixed: IntArray | None = None,
    **kw: Any,
) -> PartialVillages:
    """The village stage's two passes (module docstring).

    Parameters
    ----------
    instance, demand
        As :func:`~.villages.solve_villages` takes them.
    time_limit
        Seconds for both passes (the first gets 40%).
    floor
        Per unit, a capacity its R5 row is raised to (``pin="villages"``).
    prefer, fixed
        R14's baseline leads, and leads that must be kept.
    **kw
        Passed to :func:`~.villages.solve_villages` (seed, workers, method…).
    """
    from .villages import solve_villages

    t0 = time.perf_counter()
    demand = np.asarray(demand, dtype=np.int64)
    big = len(instance.households) + 1
    # one household covered outweighs every baseline lead kept (R14: the
    # coverage comes first, then the fewest moves)
    unit = 1 if prefer is None else len(instance.poor_villages) + 1
    first = Uncovered(
        village_value=-(big + demand) * unit,
        scattered_value=unit,
        coverage_only=True,
        capacity_floor=floor,
        keep=prefer,
    )
    r1 = solve_villages(
        instance,
        demand,
        time_limit=0.4 * time_limit,
        fixed=fixed,
        hint=prefer,
        uncovered=first,
        params=EngineParams(gap_tolerance=0.0),
        **kw,
    )
    c1 = build_candidates(instance, demand, fixed=fixed, uncovered=first)
    covered = np.zeros(len(instance.regions), dtype=np.int64)
    lead1 = np.where(r1.lead >= 0, r1.lead, _virtual(c1, instance))
    covered[c1.r3_county] = covered_scattered(c1, lead1)
    left = np.zeros(len(instance.villages), dtype=bool)
    left[instance.poor_villages] = r1.lead[instance.poor_villages] < 0
    second = Uncovered(
        village_value=np.zeros(len(instance.villages), dtype=np.int64),
        may_leave=left,
        must_leave=left,
        scattered_covered=covered,
        capacity_floor=floor,
    )
    rest = max(0.5, time_limit - (time.perf_counter() - t0))
    r2 = solve_villages(
        instance,
        demand,
        time_limit=rest,
        fixed=fixed,
        prefer=prefer,
        hint=np.where(left, -1, r1.lead),
        uncovered=second,
        **kw,
    )
    proved = r1.status == "optimal" or r1.objective >= r1.bound
    return PartialVillages(
        r2, bool(proved), {"objective": r1.objective, "bound": r1.bound}
    )


def _virtual(c: Any, instance: Instance) -> IntArray:
    """Per village, its virtual "uncovered" unit in ``c`` (:mod:`.uncovered`)."""
    out = np.full(len(instance.villages), -1, dtype=np.int64)
    out[c.villages] = c.real_units + np.arange(len(c.villages))
    return out


def left_households(
    instance: Instance,
    lead: IntArray,
    leader_households: IntArray,
) -> tuple[IntArray, IntArray]:
    """The households the leads leave uncovered, and why (module docstring).

    Returns
    -------
    households, why
        Household indices (sorted) and per household :data:`VILLAGE`,
        :data:`UNIT` or :data:`SCATTERED`.
    """
    n_h, n_u = len(instance.households), len(instance.units)
    todo = np.ones(n_h, dtype=bool)
    todo[np.asarray(leader_households, dtype=np.int64)] = False
    hv = instance.h_village
    sev = instance.h_severity
    cap = _unit_capacity(instance)
    in_poor = todo & ~instance.h_scattered
    h_lead = lead[hv]
    no_lead = np.flatnonzero(in_poor & (h_lead < 0))
    # a (pinned) unit's village households beyond its capacity, lightest first
    led = np.flatnonzero(in_poor & (h_lead >= 0))
    u = h_lead[led]
    excess = np.maximum(0, np.bincount(u, minlength=n_u) - cap)
    over = _lightest(led, u, sev, excess[u])
    carried = np.minimum(np.bincount(u, minlength=n_u), cap)
    # scattered households each county's tiers cannot carry (R3), lightest first
    scattered = _short_scattered(instance, todo, cap - carried)
    out = np.concatenate([no_lead, over, scattered])
    why = np.concatenate(
        [
            np.full(len(no_lead), VILLAGE),
            np.full(len(over), UNIT),
            np.full(len(scattered), SCATTERED),
        ]
    ).astype(np.int64)
    order = np.argsort(out, kind="stable")
    return out[order].astype(np.int64), why[order]


def _short_scattered(instance: Instance, todo: np.ndarray, free: IntArray) -> IntArray:
    """Scattered households left: per county those its county tier's ``free``
    places cannot take, less what its prefecture tier's spare places take
    (R3); the lightest of the county, then of the prefecture."""
    n_r = len(instance.regions)
    sev = instance.h_severity
    tier, region = instance.u_tier, instance.u_region
    county_free = np.bincount(region[tier == 2], free[tier == 2], minlength=n_r)
    pref_free = np.bincount(region[tier == 1], free[tier == 1], minlength=n_r)
    sc = np.flatnonzero(todo & instance.h_scattered)
    county = instance.h_county[sc]
    over_c = np.maximum(0, np.bincount(county, minlength=n_r) - county_free)
    cand = _lightest(sc, county, sev, over_c[county])
    c_of = instance.h_county[cand]
    pref_of = instance.r_prefecture
    counties = np.flatnonzero((over_c > 0) & (pref_of >= 0))
    spill = np.bincount(pref_of[counties], over_c[counties], minlength=n_r)
    short = np.maximum(0, spill - pref_free).astype(np.int64)
    pref = pref_of[c_of]
    group = np.where(pref >= 0, pref, n_r + c_of)
    k = np.where(pref >= 0, short[np.maximum(pref, 0)], over_c[c_of])
    return _lightest(cand, group, sev, k)


def _unit_capacity(instance: Instance) -> IntArray:
    """Households each unit's cadres can carry (R5; none for a unit that
    cannot field its kick-off team, R8)."""
    cap = np.bincount(
        instance.c_unit, weights=instance.c_cap, minlength=len(instance.units)
    ).astype(np.int64)
    return np.where(fieldable(instance), cap, 0)


def _lightest(h: IntArray, group: IntArray, sev: np.ndarray, k: np.ndarray) -> IntArray:
    """Of households ``h`` in groups ``group``, each group's ``k`` lightest
    (``k`` given per household, equal within a group); ties by index."""
    if len(h) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((h, sev[h], group))
    g = group[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g, side="left")
    return np.sort(h[order][rank < np.asarray(k)[order]])


@dataclass
class Left:
    """What a partial plan leaves uncovered (villages: ``lead`` is -1).

    Attributes
    ----------
    households, why
        The households left and why (:func:`left_households`).
    coverage_proved
        Whether no plan covers more villages and households.
    """

    households: IntArray
    why: IntArray
    coverage_proved: bool

    def table(self, instance: Instance, lead: IntArray, demand: IntArray) -> Any:
        """The plan's ``uncovered`` table, each item with its cause."""
        return uncovered_table(instance, lead, self.households, self.why, demand)

    def counts(self) -> dict[str, Any]:
        """``summary.json``'s ``uncovered`` figures."""
        return {
            "households": int(len(self.households)),
            "households_of_villages_left": int((self.why == VILLAGE).sum()),
            "households_over_unit_capacity": int((self.why == UNIT).sum()),
            "scattered_households": int((self.why == SCATTERED).sum()),
            "coverage_proved": bool(self.coverage_proved),
        }


def villages_left_or_pinned(
    instance: Instance,
    demand: IntArray,
    prefer: IntArray | None,
    *,
    pin: bool,
    time_limit: float,
    leader_households: IntArray,
    **kw: Any,
) -> tuple[Any, Left]:
    """The village stage of a partial plan, or of a re-plan that pins every
    village (:mod:`.replan`), and what the leads leave uncovered.

    Raises ``Infeasible`` when a rule other than R1's coverage cannot hold
    (a unit's R4 minimum, R6, R8): no plan leaving villages uncovered helps.
    """
    fixed = floor = None
    if pin:
        from .replan import pins

        assert prefer is not None
        p = pins(instance, demand, prefer, pin=True)
        fixed, floor = p.fixed, p.floor
    got = solve_partial(
        instance,
        demand,
        time_limit=time_limit,
        floor=floor,
        prefer=prefer,
        fixed=fixed,
        **kw,
    )
    lead = got.result.lead
    households, why = left_households(instance, lead, leader_households)
    return got.result, Left(households, why, got.coverage_proved)
