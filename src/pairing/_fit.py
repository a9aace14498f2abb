"""Where a household fits: the cadres the rules allow, with their score change.

Shared by :func:`pairing.recommend` (newly registered households) and
:func:`pairing.explain` (``household=``). An index is built once per plan
(:class:`Fit`): each cadre's load and unit, each unit's cadres, the county-
and prefecture-tier units of each region, and which units have a task (R8).
A query then looks only at the cadres of the one unit (a poor village's
household, R3) or of the county's county-tier units (a scattered household;
the prefecture tier's only when the county tier has no place left, R3), so
it costs microseconds whatever the province's size.

The score change of giving a household to a cadre is the household stage's
own terms (:mod:`pairing.solver.household_parts`): R10 rank (``w_rank r s``),
R12 load (the cadre's next household costs ``step * load``) and, for a
scattered household, R12 travel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .instance import BoolArray, Instance, IntArray
from .solver.household_parts import load_step, rank_value, travel_cost
from .solver.teams import carriers_needed, fieldable
from .tiers import Tier

Words = tuple[str, str]


@dataclass
class Fit:
    """The index of one plan (see the module docstring); ``load`` is updated
    by :meth:`take` as households are placed one after another."""

    instance: Instance
    lead: IntArray
    h_cadre: IntArray
    load: IntArray
    task: np.ndarray
    by_unit: IntArray
    unit_first: IntArray
    can: np.ndarray
    need: IntArray
    top: float
    max_rank: int
    step: float
    unit_ids: list[str]

    @classmethod
    def of(cls, instance: Instance, lead: IntArray, h_cadre: IntArray) -> Fit:
        n_c, n_u = len(instance.cadres), len(instance.units)
        load = np.bincount(h_cadre[h_cadre >= 0], minlength=n_c).astype(np.int64)
        carried = np.bincount(instance.c_unit, weights=load, minlength=n_u) > 0
        led = np.bincount(lead[lead >= 0], minlength=n_u) > 0
        order = np.argsort(instance.c_unit, kind="stable")
        first = np.searchsorted(instance.c_unit[order], np.arange(n_u + 1))
        w = instance.rules.weights
        return cls(
            instance,
            lead,
            h_cadre,
            load,
            carried | led,
            order,
            first,
            fieldable(instance),
            carriers_needed(instance),
            max(float(instance.h_severity.max(initial=0.0)), 1e-12),
            max(int(instance.c_rank.max(initial=1)), 1),
            load_step(w.even_load, int(instance.c_cap.max(initial=0))),
            [str(u) for u in instance.unit_index.tolist()],
        )

    def cadres_of(self, units: IntArray) -> IntArray:
        """The cadres of ``units``."""
        f = self.unit_first
        parts = [self.by_unit[f[u] : f[u + 1]] for u in units.tolist()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def room(self, cadres: IntArray) -> np.ndarray:
        """Which ``cadres`` have a place left (R5) in a unit that may carry a
        household (R8: one with a task already, or one whose head and this
        cadre make its least team)."""
        inst = self.instance
        u = inst.c_unit[cadres]
        ok = (self.load[cadres] < inst.c_cap[cadres]) & self.can[u]
        new = ~self.task[u]
        if new.any():  # a first task: the head plus this cadre must be a team
            head = inst.u_head[u]
            ok &= ~new | ((head >= 0) & (head != cadres) & (self.need[u] <= 1))
        return ok

    def allowed(self, village: int) -> tuple[IntArray, str]:
        """The units R3 lets take a household of ``village``, and which rule
        (``lead``: the lead unit; ``county``; ``prefecture``: R3's overflow)."""
        inst = self.instance
        if inst.v_poor[village]:
            u = int(self.lead[village])
            return (np.array([u]) if u >= 0 else np.zeros(0, dtype=np.int64)), "lead"
        county = int(inst.v_county[village])
        units = np.flatnonzero((inst.u_tier == Tier.COUNTY) & (inst.u_region == county))
        if self.room(self.cadres_of(units)).any():
            return units, "county"
        pref = int(inst.r_prefecture[county])
        return np.flatnonzero(
            (inst.u_tier == Tier.PREFECTURE) & (inst.u_region == pref)
        ), "prefecture"

    def gains(
        self, cadres: IntArray, village: int, severity: float, *, leaving: int = -1
    ) -> dict[str, np.ndarray]:
        """Score change per term of giving a household to each of ``cadres``
        (``leaving``: the cadre it would leave, whose load drops by one)."""
        inst = self.instance
        w = inst.rules.weights
        load = self.load[cadres] - (cadres == leaving)
        sev = np.full(len(cadres), severity / self.top)
        out = {
            "rank": rank_value(w.rank, inst.c_rank[cadres] / self.max_rank, sev),
            "load": -self.step * load,
            "travel": np.zeros(len(cadres)),
        }
        if not inst.v_poor[village]:
            km = inst.distance(inst.c_unit[cadres], np.full(len(cadres), village))
            out["travel"] = -travel_cost(w.distance, km)
        return out

    def take(self, cadre: int) -> None:
        """Record one more household for ``cadre`` (and a task for its unit)."""
        self.load[cadre] += 1
        self.task[self.instance.c_unit[cadre]] = True


def rank_words(fit: Fit, cadre: int, severity: float, how: str) -> Words:
    """Why this cadre, in Chinese and English."""
    inst = fit.instance
    u = int(inst.c_unit[cadre])
    uid = fit.unit_ids[u]
    load, cap = int(fit.load[cadre]), int(inst.c_cap[cadre])
    rank = int(inst.c_rank[cadre])
    rule = {
        "lead": ("R3 所在村包村单位的干部", "R3: a cadre of the village's lead unit"),
        "county": ("R3 本县县直单位的干部（插花户）", "R3: a county-tier cadre"),
        "prefecture": (
            "R3 县级无力承担，由市（州）直单位兜底",
            "R3: the county tier is full, so the prefecture tier takes it",
        ),
    }[how]
    return (
        f"{rule[0]}（{uid}）；R10 职级 {rank}，贫困程度 {severity:g}；"
        f"R12 已包 {load}/{cap} 户",
        f"{rule[1]} ({uid}); R10 rank {rank}, severity {severity:g}; "
        f"R12 carries {load} of {cap}",
    )


def may_lead(instance: Instance, v: int) -> BoolArray:
    """The units R2 lets lead village ``v``: every province-tier unit, the
    prefecture-tier units of its prefecture and the county-tier units of its
    county (social units never lead, R13)."""
    tier, region = instance.u_tier, instance.u_region
    return (
        (tier == Tier.PROVINCE)
        | ((tier == Tier.PREFECTURE) & (region == instance.v_prefecture[v]))
        | ((tier == Tier.COUNTY) & (region == instance.v_county[v]))
    )


def position(index: Any, key: str, what: str) -> int:
    """The row of ``key`` in ``index`` (raises ``KeyError`` naming ``what``)."""
    pos = int(index.get_indexer([key])[0])
    if pos < 0:
        raise KeyError(f"unknown {what} {key!r}")
    return pos


@dataclass(frozen=True)
class Choice:
    """One place for it: a cadre (households) or a unit (villages).

    Attributes
    ----------
    id, unit_id
        The cadre (or unit) and its unit.
    delta
        The score change of taking it (objective units, the terms summed).
    terms
        The change term by term.
    why
        The reason, in Chinese and English.
    """

    id: str
    unit_id: str
    delta: float
    terms: dict[str, float]
    why: Words


@dataclass(frozen=True)
class Recommendation:
    """The best places for one new household or village, best first.

    Attributes
    ----------
    kind, id, village_id
        ``household`` or ``village``; its id; its village.
    choices
        The ``k`` best, by score change.
    leader
        ``(leader, released household)`` when a leader takes it (R7) and the
        choices are for the household the leader releases.
    note
        Why there is no choice, when there is none (Chinese, English).
    """

    kind: str
    id: str
    village_id: str
    choices: tuple[Choice, ...]
    leader: tuple[str, str] | None = None
    note: Words = ("", "")
