"""Recommend fit: who should take a newly registered household or poor village.

Every year's re-verification (动态调整) registers new poor households and
villages. Rather than re-planning the province, :func:`recommend` ranks, for
each one, the ``k`` best places the plan has room for:

* a **household** gets cadres with a place left (R5) in the units R3 allows
  — its poor village's lead unit, or for a scattered household the county
  tier of its county (the prefecture tier only when that is full) — ranked
  by the score change of taking it (R10 rank, R12 load and travel: the
  household stage's own terms), each with its reason. Households are placed
  one after another, so the second sees the place the first took. In a
  leader's contact village a household more severe than one the leader
  covers goes to the leader (R7), and the one it releases gets the cadres.
* a **village** gets units that may lead it (R2 region), lead fewer than
  their most villages (R4) and have the places for its households (R5),
  ranked by the village stage's value (R9–R12), each with its reason.

:meth:`Recommendations.apply` makes the top choices into a plan of the
changed instance (the households added, :class:`~pairing.scenario.HouseholdsAdd`);
that plan passes :func:`pairing.validate`. The index is built once
(:class:`Recommender`); a query then looks at one unit's or one county's
cadres only (``benchmarks/recommend.py`` measures it at 430,000 households).

Examples
--------
>>> import pairing, pandas as pd
>>> from pairing.recommend import recommend
>>> instance = pairing.generate(2_000, seed=1)
>>> plan = pairing.solve(instance, time_limit=20)
>>> v = plan.village_pairs["village_id"].iloc[0]
>>> new = pd.DataFrame({"household_id": ["N1"], "village_id": [v], "severity": [2.0]})
>>> recs = recommend(instance, plan, households=new, k=3)
>>> len(recs[0].choices) <= 3
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._fit import Choice, Fit, Recommendation, rank_words
from ._fit_apply import apply_choices
from ._fit_village import village_choices
from .solver.baseline import baseline_cadres, baseline_leads

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan

__all__ = ["Choice", "Recommendation", "Recommendations", "Recommender", "recommend"]


@dataclass
class Recommendations:
    """The recommendations, in the order asked (a list)."""

    items: list[Recommendation] = field(default_factory=list)

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Recommendation:
        return self.items[i]

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per choice: ``kind, id, rank, choice, unit_id, delta, why``."""
        i = 0 if lang == "zh" else 1
        rows = [
            {
                "kind": r.kind,
                "id": r.id,
                "rank": n,
                "choice": c.id,
                "unit_id": c.unit_id,
                "delta": round(c.delta, 3),
                "why": c.why[i],
                "leader": r.leader[0] if r.leader else "",
            }
            for r in self.items
            for n, c in enumerate(r.choices, start=1)
        ]
        cols = ["kind", "id", "rank", "choice", "unit_id", "delta", "why", "leader"]
        return pd.DataFrame(rows, columns=cols)

    def apply(self, instance: Instance, plan: Plan) -> Plan:
        """``plan`` with every household's top choice made, for ``instance``
        (the instance with the new households added).

        Raises
        ------
        ValueError
            When a household has no choice (no place under R3/R5).
        """

        return apply_choices(instance, plan, self.items)


class Recommender:
    """The index of one plan, built once; then one query per new item.

    Parameters
    ----------
    instance, plan
        The instance the plan was made for, and the plan.
    """

    def __init__(self, instance: Instance, plan: Plan) -> None:
        self.instance = instance
        self.plan = plan
        self.fit = Fit.of(
            instance, baseline_leads(instance, plan), baseline_cadres(instance, plan)
        )
        self._leaders = _leader_households(instance, plan)
        self._village = {v: i for i, v in enumerate(instance.village_index.tolist())}
        self._cid = instance.cadre_index.to_numpy(dtype=object)
        self._uid = instance.unit_index.to_numpy(dtype=object)

    def household(
        self, row: Mapping[str, Any], k: int = 5, *, take: bool = True
    ) -> Recommendation:
        """The ``k`` best cadres for one new household (``household_id``,
        ``village_id``, ``severity``); with ``take`` the top one's place is
        taken for the next query."""
        inst, fit = self.instance, self.fit
        hid, vid = str(row["household_id"]), str(row["village_id"])
        v = self._village.get(vid, -1)
        if v < 0:
            raise KeyError(f"unknown village {vid!r}")
        severity = float(row.get("severity", 0.0) or 0.0)
        leader = None
        held = self._leaders.get(v)
        new_sev = severity
        if held and severity > held[0][0]:  # R7: the leader takes it
            leader = (held[0][2], held[0][1])
            severity = held[0][0]  # the cadres are for the household it releases
        units, how = fit.allowed(v)
        cadres = fit.cadres_of(units)
        cadres = cadres[fit.room(cadres)]
        if not len(cadres):
            note = (
                "该村尚无包村单位"
                if how == "lead" and not len(units)
                else "R5 无空余名额",
                "its village has no lead unit"
                if how == "lead" and not len(units)
                else "R5: no cadre the rules allow has a place left",
            )
            return Recommendation("household", hid, vid, (), leader, note)
        gains = fit.gains(cadres, v, severity)
        total = gains["rank"] + gains["load"] + gains["travel"]
        best = np.argsort(-total, kind="stable")[:k]
        cid, uid = self._cid, self._uid
        choices = tuple(
            Choice(
                str(cid[cadres[i]]),
                str(uid[inst.c_unit[cadres[i]]]),
                float(total[i]),
                {t: float(g[i]) for t, g in gains.items()},
                rank_words(fit, int(cadres[i]), severity, how),
            )
            for i in best.tolist()
        )
        if take:
            fit.take(int(cadres[best[0]]))
            if leader is not None and held:  # the leader now holds the new one
                held.pop(0)
                held.append((new_sev, hid, leader[0]))
                held.sort()
        return Recommendation("household", hid, vid, choices, leader)

    def village(self, row: Mapping[str, Any], k: int = 5) -> Recommendation:
        """The ``k`` best units for one newly registered poor village."""

        return village_choices(self, row, k)


def recommend(
    instance: Instance,
    plan: Plan,
    *,
    households: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
    k: int = 5,
) -> Recommendations:
    """The ``k`` best places for each newly registered household or village.

    Parameters
    ----------
    instance, plan
        The instance the plan was made for (without the new items), and the plan.
    households
        New households: ``household_id``, ``village_id`` (a village of the
        instance), ``severity``; placed one after another.
    villages
        Newly registered poor villages: ``village_id`` (a village of the
        instance), optional ``severity`` and ``households`` (how many).
    k
        Choices per item.

    Examples
    --------
    >>> import pandas as pd
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=2)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> new = pd.DataFrame({"household_id": ["NEW1"], "village_id": ["V000003"],
    ...                     "members": [3], "severity": [1.0]})
    >>> best = pairing.recommend(instance, plan, households=new, k=3)[0]
    >>> best.id, len(best.choices), best.choices[0].unit_id
    ('NEW1', 3, 'UX0002')
    """
    r = Recommender(instance, plan)
    out = Recommendations()
    for row in [] if villages is None else villages.to_dict(orient="records"):
        out.items.append(r.village({str(key): val for key, val in row.items()}, k))
    for row in [] if households is None else households.to_dict(orient="records"):
        out.items.append(r.household({str(key): val for key, val in row.items()}, k))
    return out


def _leader_households(
    instance: Instance, plan: Plan
) -> dict[int, list[tuple[float, str, str]]]:
    """Per contact village: the households leaders cover there, least severe
    first, as ``(severity, household, leader)`` (R7)."""
    hp = plan.household_pairs
    by = hp[hp["responsible_kind"] == "leader"]
    if not len(by):
        return {}
    idx = pd.Index(instance.households["household_id"].to_numpy(dtype=object))
    h = idx.get_indexer(pd.Index(by["household_id"].to_numpy(dtype=object)))
    ok = h >= 0
    df = pd.DataFrame(
        {
            "v": instance.h_village[h[ok]],
            "sev": instance.h_severity[h[ok]],
            "hid": by["household_id"].to_numpy(dtype=object)[ok],
            "lid": by["responsible_id"].to_numpy(dtype=object)[ok],
        }
    ).sort_values(["v", "sev", "hid"])
    out: dict[int, list[tuple[float, str, str]]] = {}
    for v, s, hid, lid in zip(df["v"], df["sev"], df["hid"], df["lid"], strict=True):
        out.setdefault(int(v), []).append((float(s), str(hid), str(lid)))
    return out
