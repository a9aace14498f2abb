"""A score that explains itself: a plan's objective split by rule term.

The solver maximises one number; a planner needs to see what it is made of.
:func:`score` splits a plan's objective into its rule terms, each in the
solver's own units (``SCALE`` = 1,000 per unit of a normalised term):

========== ====== =============================================================
term       rule   value of each pairing
========== ====== =============================================================
tier       R9     ``w_tier s_v tau_T``: heavier villages at higher tiers
strength   R10    ``w_strength s_v pi_u``: heavier villages to stronger units
rank       R10    ``w_rank (rank / max rank) s_h``: senior cadres, severe households
continuity R11    ``w_continuity`` where the unit's resident team is in the village
travel     R12    ``-w_distance km / 100``: unit to village, and to each
                  scattered household
load       R12    ``-w_even_load (L - 1) / 2 / (K - 1)`` per household of a cadre
                  carrying ``L`` (``K`` the largest cap): even loads
claims     R13    ``w_claims`` per honoured claim (claims never compete)
========== ====== =============================================================

Each term is given per tier (of the unit or cadre) and per prefecture (of
the village), so two plans compare term by term (:func:`compare`, ``pairing
diff``, ``pairing scenario compare``). R14's keep-bonus — what a re-plan adds
for every baseline lead it keeps — is reported apart (:attr:`Score.keep_bonus`)
and never enters :attr:`Score.total` or a comparison: a re-plan that changed
nothing is not worth more than a fresh plan.

The terms are computed where the solver computes them (:mod:`pairing._score_terms`):
the village stage's by :func:`pairing.solver.candidates.value_terms`, the
household stage's by the flow's own cost functions
(:mod:`pairing.solver.household_parts`).
:attr:`Score.village_objective` is the village stage's objective exactly
(each pair rounded as the stage rounds it); the household terms use the
exact severities, where the flow rounds them to 16 classes.

Examples
--------
>>> import pairing
>>> from pairing.score import score
>>> instance = pairing.generate(2_000, seed=1)
>>> plan = pairing.solve(instance, time_limit=20)
>>> s = score(instance, plan)
>>> s.village_objective == plan.objective
True
>>> sorted(s.by_term().index)[:2]
['R10 rank', 'R10 strength']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._score_terms import (
    TERMS,
    TIERS,
    household_parts,
    summed,
    village_parts,
    village_rounded,
)
from .instance import Instance, IntArray

if TYPE_CHECKING:
    from .plan import Plan

__all__ = ["TERMS", "Score", "compare", "score", "score_arrays"]

KEEP_BONUS = ("R14", "一包到底（保留原结对的加分）", "keep-bonus (R14, apart)")
_COLUMNS = ("term", "rule", "stage", "tier", "prefecture_id", "value")


@dataclass(frozen=True)
class Score:
    """A plan's objective by rule term, tier and prefecture.

    Attributes
    ----------
    table
        One row per (term, stage, tier, prefecture) with a value: ``term,
        rule, stage`` (``villages``: the village stage's pairs, ``households``,
        ``claims``), ``tier, prefecture_id, value`` (objective units).
    village_objective
        The village stage's objective without R14's bonus: the sum of each
        lead pair's rounded value (``tier + strength + continuity + travel``).
    keep_bonus
        R14's bonus for the baseline leads a re-plan kept (0 for a fresh
        plan); reported apart, never in :attr:`total`.
    kept
        Baseline leads kept (re-plans only).
    """

    table: pd.DataFrame
    village_objective: float = 0.0
    keep_bonus: float = 0.0
    kept: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Sum of every term (R14's keep-bonus left out)."""
        return float(self.table["value"].sum())

    def by_term(self) -> pd.Series:
        """Value per term, indexed ``"<rule> <term>"`` in :data:`TERMS` order."""
        got = self.table.groupby("term")["value"].sum()
        keys = [t for t in TERMS if t in got.index]
        return pd.Series(
            [float(got[t]) for t in keys],
            index=[f"{TERMS[t][0]} {t}" for t in keys],
            dtype=float,
        )

    def by_stage(self) -> pd.Series:
        """Value per stage: ``villages`` (the village stage's objective, up to
        its per-pair rounding), ``households``, ``claims``."""
        return self.table.groupby("stage")["value"].sum().astype(float)

    def by_tier(self) -> pd.DataFrame:
        """Terms (rows) by tier (columns)."""
        return self._pivot("tier", [t for t in TIERS])

    def by_region(self) -> pd.DataFrame:
        """Terms (rows) by prefecture (columns)."""
        return self._pivot("prefecture_id", sorted(set(self.table["prefecture_id"])))

    def _pivot(self, col: str, order: list[str]) -> pd.DataFrame:
        t = self.table.assign(row=[f"{TERMS[x][0]} {x}" for x in self.table["term"]])
        p = t.pivot_table(index="row", columns=col, values="value", aggfunc="sum")
        rows = [f"{TERMS[x][0]} {x}" for x in TERMS if f"{TERMS[x][0]} {x}" in p.index]
        cols = [c for c in order if c in p.columns]
        return p.reindex(index=rows, columns=cols).fillna(0.0)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (``summary.json``'s ``score``)."""
        return {
            "total": round(self.total, 3),
            "village_objective": float(self.village_objective),
            "keep_bonus": float(self.keep_bonus),
            "kept": int(self.kept),
            "by_term": {k: round(float(v), 3) for k, v in self.by_term().items()},
            "terms": [
                {**r, "value": round(float(r["value"]), 3)}
                for r in self.table.to_dict(orient="records")
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        """The score :meth:`to_dict` wrote."""
        rows = list(data.get("terms", []))
        table = pd.DataFrame(rows, columns=list(_COLUMNS))
        table["value"] = table["value"].astype(float)
        return cls(
            table=table,
            village_objective=float(data.get("village_objective", 0.0)),
            keep_bonus=float(data.get("keep_bonus", 0.0)),
            kept=int(data.get("kept", 0)),
        )

    def summary(self, lang: str = "en") -> str:
        """The terms, by tier, with the total and (apart) R14's keep-bonus."""
        zh = lang == "zh"
        t = self.by_tier()
        t["total"] = t.sum(axis=1)
        label = {f"{TERMS[x][0]} {x}": TERMS[x][1 if zh else 2] for x in TERMS}
        t.index = [f"{i}  {label[i]}" for i in t.index]
        lines = ["目标值分项（按层级）" if zh else "Score by rule term and tier"]
        lines += ["  " + ln for ln in t.round(1).to_string().splitlines()]
        lines.append(("  合计 " if zh else "  total ") + f"{self.total:,.1f}")
        if self.keep_bonus:
            name = KEEP_BONUS[1 if zh else 2]
            lines.append(
                f"  {name}: {self.keep_bonus:,.0f} ({self.kept:,} "
                + (
                    "个原结对村，不计入合计)"
                    if zh
                    else "baseline leads kept; not in the total)"
                )
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def compare(scores: Mapping[str, Score]) -> pd.DataFrame:
    """Terms side by side: one row per term (and ``total``), one column per
    plan, then ``delta`` columns against the first; R14's keep-bonus on its
    own row, left out of the totals and deltas.

    Examples
    --------
    >>> import pandas as pd
    >>> row = ["tier", "R9", "villages", "county", "P", 5.0]
    >>> t = pd.DataFrame([row], columns=list(_COLUMNS))
    >>> compare({"a": Score(t), "b": Score(t.assign(value=7.0))})["delta b"].tolist()
    [2.0, 2.0]
    """
    names = list(scores)
    terms = [f"{TERMS[t][0]} {t}" for t in TERMS]
    cols: dict[str, list[Any]] = {}
    for n in names:
        bt = scores[n].by_term()
        cols[n] = [float(bt.get(t, 0.0)) for t in terms] + [scores[n].total]
        cols[n].append(scores[n].keep_bonus)
    out = pd.DataFrame(cols, index=[*terms, "total", "R14 keep-bonus (apart)"])
    for n in names[1:]:
        d = (out[n] - out[names[0]]).astype(object)
        d.iloc[-1] = None
        out[f"delta {n}"] = d
    used = (out[names].abs().sum(axis=1) > 0) | out.index.isin(["total"])
    return out[used | out.index.isin([terms[0]])]


def score(instance: Instance, plan: Plan, *, keep_bonus: float | None = None) -> Score:
    """The plan's objective by rule term, tier and prefecture.

    Parameters
    ----------
    instance
        The instance the plan was made for.
    plan
        Any plan in the contract's layout.
    keep_bonus
        R14's bonus of a re-plan (default: the one ``plan.info["score"]``
        recorded when the solver made it, else 0).

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=2)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> s = pairing.score(instance, plan)
    >>> round(s.total) == round(plan.score().total), s.keep_bonus
    (True, 0.0)
    """
    from .solver.baseline import baseline_cadres, baseline_leads

    lead = baseline_leads(instance, plan)
    h_cadre = baseline_cadres(instance, plan)
    vp = plan.village_pairs
    sup = vp[vp["role"] == "supplementary"]
    su = instance.unit_index.get_indexer(pd.Index(sup["unit_id"].astype(str)))
    sv = instance.village_index.get_indexer(pd.Index(sup["village_id"].astype(str)))
    ok = (su >= 0) & (sv >= 0)
    recorded = (plan.info.get("score") or {}) if isinstance(plan.info, dict) else {}
    bonus = float(recorded.get("keep_bonus", 0.0)) if keep_bonus is None else keep_bonus
    return score_arrays(
        instance,
        lead,
        h_cadre,
        np.stack([su[ok], sv[ok]], axis=1),
        keep_bonus=bonus,
        kept=int(recorded.get("kept", 0)) if keep_bonus is None else 0,
    )


def score_arrays(
    instance: Instance,
    lead: IntArray,
    h_cadre: IntArray,
    supplementary: np.ndarray | None = None,
    *,
    keep_bonus: float = 0.0,
    kept: int = 0,
) -> Score:
    """:func:`score` from index arrays (lead unit per village, cadre per
    household, ``(unit, village)`` rows of honoured claims)."""
    parts = village_parts(instance, np.asarray(lead, dtype=np.int64))
    parts += household_parts(instance, np.asarray(h_cadre, dtype=np.int64))
    sup = np.zeros((0, 2), np.int64) if supplementary is None else supplementary
    sup = np.asarray(sup, dtype=np.int64).reshape(-1, 2)
    if len(sup):
        w = instance.rules.weights.claims
        value = np.full(len(sup), 1000.0 * w)
        parts.append(("claims", "claims", sup[:, 0], sup[:, 1], value))
    village_obj = float(village_rounded(instance, np.asarray(lead, dtype=np.int64)))
    return Score(summed(instance, parts), village_obj, float(keep_bonus), int(kept))


def solved_score(
    instance: Instance, vres: Any, h_cadre: IntArray, prefer: IntArray | None
) -> dict[str, Any]:
    """``summary.json``'s ``score`` of a plan the solver just made: its terms,
    and R14's keep-bonus apart (the village stage's objective less the
    terms' village part, so it is exact)."""
    s = score_arrays(instance, vres.lead, h_cadre, vres.supplementary)
    if prefer is not None:
        poor = instance.poor_villages
        kept = int(((vres.lead[poor] == prefer[poor]) & (prefer[poor] >= 0)).sum())
        bonus = float(vres.objective) - s.village_objective
        s = Score(s.table, s.village_objective, bonus if kept else 0.0, kept)
    return s.to_dict()
