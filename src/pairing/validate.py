"""The independent validator: every hard rule (R1–R8, and R13's rows) of a plan.

:func:`validate` is the "second pair of eyes": it reads the instance's
normalised tables and the plan's tables and checks each rule exactly as
``docs/semantics.md`` states it, with pandas/numpy of its own. It imports
nothing from :mod:`pairing.solver` and uses none of the solver arrays of
:class:`~pairing.Instance`. Work is vectorised over households and cadres;
loops run over leaders, leader groups and the (capped) violations listed.

This module is the one intended duplicate in the package: each hard rule is
written once in the solver (:mod:`pairing.solver`, the pre-checks and
:mod:`pairing.rules`' shared readings such as
:meth:`~pairing.rules.Dispatch.team_bounds`) and once more here, read again
from the rule text rather than shared, so that a misreading in one is caught
by the other. Do not replace the checks below with calls into the solver's
rule code (the rule *parameters*, :class:`pairing.Rules`, are shared: they
are the input, not a reading).

Which rule a structural problem is filed under: unknown ids, bad ``role`` /
``responsible_kind`` values, duplicate and missing rows of ``village_pairs``
and ``household_pairs`` under R1; the ``tier`` column against the unit's
tier under R2; ``household_pairs.unit_id`` against the cadre's unit under
R5; the leader tables (and a leader row's ``unit_id``, which must be empty)
under R7; the ``dispatch`` table under R8; ``supplementary`` rows under R13.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ._frozen import FrozenDict, freeze
from .metrics import Raw, figures_from, may_lead, plan_frames
from .result import SoftFigures

if TYPE_CHECKING:
    from .instance import Instance
    from .plan import Plan

__all__ = ["RULES", "ValidationReport", "Violation", "validate"]

RULES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R13")
"""Rules the validator checks, in report order."""

LIMIT = 100
"""Violations listed per kind of problem; the rest are counted."""

TOL = 1e-9
"""Tolerance of severity and share comparisons."""


@dataclass(frozen=True)
class Violation:
    """One breach of a hard rule.

    Parameters
    ----------
    rule
        The rule id (``"R1"`` … ``"R8"``, ``"R13"`` for supplementary rows).
    ids
        The ids involved (village, unit, cadre, leader, household, region).
    message
        What is wrong, with its numbers.

    Examples
    --------
    >>> print(Violation("R5", ("c1",), "cadre c1 carries 6 households, cap 5"))
    R5 cadre c1 carries 6 households, cap 5
    """

    rule: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The violation as plain data."""
        return {"rule": self.rule, "ids": list(self.ids), "message": self.message}


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found (a read-only value).

    Attributes
    ----------
    violations
        The violations listed (at most :data:`LIMIT` per kind of problem).
    soft
        The soft-rule figures (:class:`pairing.result.SoftFigures`, computed
        by :func:`pairing.metrics.soft_figures`).
    unlisted
        Per rule, how many further violations were found but not listed.
    fingerprint
        :func:`pairing.fingerprint` of the instance checked against.
    uncovered
        A partial plan's villages and households without a lead unit or a
        responsible person that its ``uncovered`` table lists (R1 does not
        hold for them; each is checked to be really uncovered).

    Examples
    --------
    >>> r = ValidationReport((Violation("R1", ("v1",), "no lead unit"),))
    >>> r.ok, r.counts()
    (False, {'R1': 1})
    >>> print(ValidationReport().summary())
    Valid: every hard rule (R1–R8) holds.
    """

    violations: tuple[Violation, ...] = ()
    soft: SoftFigures = field(default_factory=SoftFigures)
    unlisted: Mapping[str, int] = field(default_factory=FrozenDict)
    fingerprint: str | None = None
    uncovered: Mapping[str, int] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "violations", tuple(self.violations))
        if not isinstance(self.soft, SoftFigures):
            object.__setattr__(self, "soft", SoftFigures.from_dict(self.soft))
        object.__setattr__(self, "unlisted", freeze(dict(self.unlisted)))
        object.__setattr__(self, "uncovered", freeze(dict(self.uncovered)))

    @property
    def ok(self) -> bool:
        """Whether every hard rule holds (never for a partial plan)."""
        return (
            not self.violations
            and not any(self.unlisted.values())
            and not (self.partial)
        )

    @property
    def partial(self) -> bool:
        """Whether the plan leaves villages or households uncovered, as its
        ``uncovered`` table says (R1 does not hold: a partial plan)."""
        return any(self.uncovered.values())

    @property
    def status(self) -> str:
        """``valid``, ``partial`` (every rule but R1's coverage holds, and
        what is left is listed) or ``invalid``."""
        if self.violations or any(self.unlisted.values()):
            return "invalid"
        return "partial" if self.partial else "valid"

    def counts(self) -> dict[str, int]:
        """Violations found per rule (listed and unlisted), in rule order."""
        n = Counter(v.rule for v in self.violations)
        n.update(self.unlisted)
        return {r: n[r] for r in sorted(n, key=_rule_order) if n[r]}

    def by_rule(self, rule: str) -> list[Violation]:
        """The listed violations of one rule."""
        return [v for v in self.violations if v.rule == rule]

    def rules(self) -> set[str]:
        """The rules with at least one violation."""
        return set(self.counts())

    def summary(self, per_rule: int = 10) -> str:
        """A readable report: violations grouped by rule (capped), then soft figures."""
        counts = self.counts()
        left = (
            f"{self.uncovered.get('villages', 0):,} poor village(s) and "
            f"{self.uncovered.get('households', 0):,} household(s) are left "
            "uncovered, as the plan's uncovered table lists"
        )
        if not counts and self.partial:
            lines = [
                "PARTIAL: every hard rule but R1's coverage holds (R2–R8); "
                + left
                + " (R1, R15)."
            ]
        elif not counts:
            lines = ["Valid: every hard rule (R1–R8) holds."]
        else:
            total = sum(counts.values())
            lines = [
                f"INVALID: {total:,} violation(s) of "
                f"{len(counts)} rule(s) ({', '.join(counts)})"
            ]
            for rule, n in counts.items():
                listed = self.by_rule(rule)
                lines.append(f"\n{rule}: {n:,} violation(s)")
                lines += [f"  - {v.message}" for v in listed[:per_rule]]
                if n > per_rule:
                    lines.append(f"  … and {n - min(per_rule, len(listed)):,} more")
            if self.partial:
                lines.append(f"\nAlso {left}.")
        soft = str(self.soft)
        if soft:
            lines += ["", soft]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable)."""
        return {
            "ok": self.ok,
            "status": self.status,
            "uncovered": dict(self.uncovered),
            "counts": self.counts(),
            "violations": [v.to_dict() for v in self.violations],
            "soft": self.soft.to_dict(),
            "instance_fingerprint": self.fingerprint,
        }


def _rule_order(rule: str) -> int:
    return int(rule[1:]) if rule[1:].isdigit() else 99


# -- collecting violations ------------------------------------------------------


Entry = tuple[tuple[Any, ...], str]
"""A violation's ids and message, as :meth:`_Found.each` makes them."""


class _Found:
    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.unlisted: Counter[str] = Counter()

    def add(self, rule: str, ids: Iterable[Any], message: str) -> None:
        self.violations.append(Violation(rule, tuple(str(i) for i in ids), message))

    def each(
        self,
        rule: str,
        positions: np.ndarray,
        make: Callable[[int], Entry],
    ) -> None:
        """One violation per position (the first :data:`LIMIT`), counting the rest."""
        positions = np.asarray(positions)
        for i in positions[:LIMIT]:
            ids, message = make(int(i))
            self.add(rule, ids, message)
        if len(positions) > LIMIT:
            self.unlisted[rule] += len(positions) - LIMIT


def _n(x: float) -> str:
    return f"{x:,.4g}" if isinstance(x, float) else f"{x:,}"


# -- the validator --------------------------------------------------------------


def validate(instance: Instance, plan: Plan) -> ValidationReport:
    """Check a plan against every hard rule, independently of the solver.

    Parameters
    ----------
    instance
        The (checked) instance.
    plan
        Any plan in the contract's layout; missing contract columns, unknown
        ids and malformed rows are reported as violations, never raised.

    Returns
    -------
    ValidationReport
        The violations (rule, ids, message) and the soft-rule figures.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=4)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> report = pairing.validate(instance, plan)
    >>> report.ok, report.fingerprint == pairing.fingerprint(instance)
    (True, True)
    """
    raw = Raw(instance)
    tables, missing = plan_frames(plan)
    found = _Found()
    owner = {
        "village_pairs": "R1",
        "household_pairs": "R1",
        "leader_areas": "R7",
        "leader_contacts": "R7",
        "dispatch": "R8",
    }
    for name, cols in missing:
        if name in owner:
            found.add(
                owner[name],
                (name,),
                f"plan table {name} lacks contract column(s) {', '.join(cols)}",
            )
    lacking = {(name, c) for name, cols in missing for c in cols}
    checker = _Checker(
        raw,
        tables,
        found,
        has_tier=("village_pairs", "tier") not in lacking,
        has_head=("dispatch", "is_head") not in lacking,
    )
    checker.run()
    try:
        soft = figures_from(raw, tables)
    except Exception as exc:  # the figures must never hide the violations
        soft = {"error": f"{type(exc).__name__}: {exc}"}
    return ValidationReport(
        tuple(found.violations),
        SoftFigures.from_dict(soft),
        dict(found.unlisted),
        instance.fingerprint,
        dict(checker.left),
    )


class _Checker:
    """The checks of one plan; each ``rN`` method checks rule ``RN``."""

    def __init__(
        self,
        raw: Raw,
        tables: dict[str, pd.DataFrame],
        found: _Found,
        *,
        has_tier: bool = True,
        has_head: bool = True,
    ) -> None:
        self.raw = raw
        self.t = tables
        self.found = found
        self.has_tier = has_tier
        self.has_head = has_head
        self.vid = raw.v_index.to_numpy(dtype=object)
        self.uid = raw.u_index.to_numpy(dtype=object)
        self.cid = raw.c_index.to_numpy(dtype=object)
        self.hid = raw.h_index.to_numpy(dtype=object)
        self.lid = raw.l_index.to_numpy(dtype=object)
        self.rid = raw.r_index.to_numpy(dtype=object)
        # a partial plan lists what it leaves uncovered (R1, R15)
        un = tables.get("uncovered")
        self.listed: dict[str, np.ndarray] = {}
        for kind, index in (("village", raw.v_index), ("household", raw.h_index)):
            ids: Any = [] if un is None else un.loc[un["kind"] == kind, "id"]
            pos = index.get_indexer(pd.Index(ids))
            mask = np.zeros(len(index), dtype=bool)
            mask[pos[pos >= 0]] = True
            self.listed[kind] = mask
        self.left: dict[str, int] = {}

    def run(self) -> None:
        self.village_rows()
        self.r2()
        self.r4()
        self.r6()
        self.r13()
        self.household_rows()
        self.r3()
        self.r5()
        self.r7()
        self.r8()

    # -- village_pairs: R1, R2 (tier column) ------------------------------------

    def village_rows(self) -> None:
        raw, found = self.raw, self.found
        vp = self.t["village_pairs"]
        self.vp_v = raw.v_index.get_indexer(pd.Index(vp["village_id"]))
        self.vp_u = raw.u_index.get_indexer(pd.Index(vp["unit_id"]))
        role = vp["role"].to_numpy(dtype=object)
        vids, uids = vp["village_id"].to_numpy(object), vp["unit_id"].to_numpy(object)

        bad = np.flatnonzero((role != "lead") & (role != "supplementary"))
        found.each(
            "R1",
            bad,
            lambda i: (
                (vids[i], uids[i]),
                f"village_pairs row {i + 1} ({vids[i]}, {uids[i]}): role "
                f"{role[i]!r} is neither 'lead' nor 'supplementary'",
            ),
        )
        if self.has_tier:  # R2: the tier column is the unit's tier
            tier = vp["tier"].to_numpy(dtype=object)
            known = self.vp_u >= 0
            own = np.where(known, self.raw.u_tier[np.maximum(self.vp_u, 0)], "")
            bad = np.flatnonzero(known & (tier != own))
            found.each(
                "R2",
                bad,
                lambda i: (
                    (vids[i], uids[i]),
                    f"village_pairs row {i + 1}: tier {tier[i]!r} but unit "
                    f"{uids[i]} is of tier {own[i]!r}",
                ),
            )

        lead = role == "lead"
        self.lead_rows = np.flatnonzero(lead)
        for what, pos in (("village", self.vp_v), ("unit", self.vp_u)):
            bad = np.flatnonzero(lead & (pos < 0))

            def unknown_lead(i: int, what: str = what) -> Entry:
                return (
                    (vids[i], uids[i]),
                    f"lead row ({vids[i]}, {uids[i]}) names an unknown {what}",
                )

            found.each("R1", bad, unknown_lead)
        ok = lead & (self.vp_v >= 0) & (self.vp_u >= 0)
        v, u = self.vp_v[ok], self.vp_u[ok]
        nonpoor = ~raw.v_poor[v]
        found.each(
            "R1",
            np.flatnonzero(nonpoor),
            lambda i: (
                (self.vid[v[i]], self.uid[u[i]]),
                f"non-poor village {self.vid[v[i]]} has a lead row (unit "
                f"{self.uid[u[i]]})",
            ),
        )
        v, u = v[~nonpoor], u[~nonpoor]
        n_v = len(self.vid)
        # every lead row of a poor village, known ids (duplicates kept)
        rows = np.bincount(v, minlength=n_v)
        poor = raw.v_poor
        none = np.flatnonzero(poor & (rows == 0) & ~self.listed["village"])
        found.each(
            "R1",
            none,
            lambda i: ((self.vid[i],), f"poor village {self.vid[i]} has no lead unit"),
        )
        self.left["villages"] = int((poor & (rows == 0) & self.listed["village"]).sum())
        found.each(
            "R1",
            np.flatnonzero(self.listed["village"] & ~(poor & (rows == 0))),
            lambda i: (
                (self.vid[i],),
                f"the uncovered table lists village {self.vid[i]}, which is not a "
                "poor village without a lead unit",
            ),
        )
        # unknown-unit lead rows also count against "exactly one"
        all_rows = np.bincount(
            self.vp_v[lead & (self.vp_v >= 0)], minlength=n_v
        ) * poor.astype(np.int64)
        many = np.flatnonzero(all_rows > 1)
        by_v = pd.Series(self.uid[u]).groupby(v).agg(lambda s: ", ".join(s))
        found.each(
            "R1",
            many,
            lambda i: (
                (self.vid[i], *str(by_v.get(i, "")).split(", ")),
                f"poor village {self.vid[i]} has {all_rows[i]} lead rows "
                f"(units {by_v.get(i, '?')}); exactly one is required",
            ),
        )
        # the usable lead pairs (distinct) and the single lead unit per village
        pairs = pd.DataFrame({"v": v, "u": u}).drop_duplicates()
        self.leads = pairs
        single = (rows == 1) & (all_rows == 1)
        self.lead_of = np.full(n_v, -1, dtype=np.int64)
        keep = single[v]
        self.lead_of[v[keep]] = u[keep]

    # -- R2 -------------------------------------------------------------------

    def r2(self) -> None:
        raw = self.raw
        v, u = self.leads["v"].to_numpy(), self.leads["u"].to_numpy()
        bad = np.flatnonzero(~may_lead(raw, u, v))

        def why(i: int) -> tuple[tuple[Any, ...], str]:
            vv, uu = v[i], u[i]
            tier = raw.u_tier[uu]
            region = self.rid[raw.u_region[uu]] if raw.u_region[uu] >= 0 else "?"
            if tier == "social":
                text = f"social unit {self.uid[uu]} leads village {self.vid[vv]}"
            else:
                c = raw.v_county[vv]
                p = raw.v_prefecture[vv]
                text = (
                    f"{tier} unit {self.uid[uu]} (region {region}) leads village "
                    f"{self.vid[vv]} of county {self.rid[c] if c >= 0 else '?'}, "
                    f"prefecture {self.rid[p] if p >= 0 else '?'}"
                )
            return (self.vid[vv], self.uid[uu]), text

        self.found.each("R2", bad, why)

    # -- R4 -------------------------------------------------------------------

    def r4(self) -> None:
        raw = self.raw
        n = np.bincount(self.leads["u"].to_numpy(), minlength=len(self.uid))
        leading = raw.u_tier != "social"  # social units: R2 (they never lead)
        bad = np.flatnonzero(leading & ((n < raw.u_min) | (n > raw.u_max)))
        self.found.each(
            "R4",
            bad,
            lambda i: (
                (self.uid[i],),
                f"{raw.u_tier[i]} unit {self.uid[i]} leads {n[i]} village(s); "
                f"it must lead between {raw.u_min[i]} and {raw.u_max[i]}",
            ),
        )

    # -- R6 -------------------------------------------------------------------

    def r6(self) -> None:
        raw = self.raw
        v, u = self.leads["v"].to_numpy(), self.leads["u"].to_numpy()
        prov = raw.u_tier[u] == "province"
        pv = np.unique(v[prov])
        p, k = len(pv), int(raw.v_key[pv].sum())
        share = raw.instance.rules.province_key_county_share
        key_poor = int((raw.v_key & raw.v_poor).sum())
        if k + TOL < share * p and k < key_poor:
            self.found.add(
                "R6",
                (self.rid[raw.province],) if raw.province >= 0 else (),
                f"province-tier units lead {p} villages, {k} in key counties "
                f"({k / p:.1%} < {share:.0%}), while {key_poor - k} key-county "
                f"poor village(s) are not led by the province tier",
            )

    # -- R13 supplementary rows -----------------------------------------------

    def r13(self) -> None:
        raw, found = self.raw, self.found
        vp = self.t["village_pairs"]
        sup = np.flatnonzero(vp["role"].to_numpy(dtype=object) == "supplementary")
        vids = vp["village_id"].to_numpy(object)
        uids = vp["unit_id"].to_numpy(object)
        v, u = self.vp_v[sup], self.vp_u[sup]
        bad = sup[(v < 0) | (u < 0)]
        found.each(
            "R13",
            bad,
            lambda i: (
                (vids[i], uids[i]),
                f"supplementary row ({vids[i]}, {uids[i]}) names an unknown id",
            ),
        )
        ok = (v >= 0) & (u >= 0)
        sup, v, u = sup[ok], v[ok], u[ok]
        claims = raw.instance.claims
        claimed = set(
            zip(
                claims["unit_id"].astype(str).tolist(),
                claims["village_id"].astype(str).tolist(),
                strict=True,
            )
        )
        is_claim = np.fromiter(
            ((uids[i], vids[i]) in claimed for i in sup), dtype=bool, count=len(sup)
        )
        checks = [
            (raw.u_tier[u] != "social", "unit {u} is of tier {t}, not social"),
            (~raw.v_poor[v], "village {v} is not poor"),
            (~is_claim, "unit {u} made no claim on village {v}"),
        ]
        for bad, text in checks:

            def supplementary(j: int, text: str = text) -> Entry:
                return (
                    (self.vid[v[j]], self.uid[u[j]]),
                    "supplementary pairing: "
                    + text.format(
                        u=self.uid[u[j]], v=self.vid[v[j]], t=raw.u_tier[u[j]]
                    ),
                )

            found.each("R13", np.flatnonzero(bad), supplementary)
        pairs = pd.DataFrame({"v": v, "u": u})
        dup = pairs.duplicated().to_numpy()
        found.each(
            "R13",
            np.flatnonzero(dup),
            lambda j: (
                (self.vid[v[j]], self.uid[u[j]]),
                f"supplementary pairing ({self.vid[v[j]]}, {self.uid[u[j]]}) "
                "is listed more than once",
            ),
        )
        n = np.bincount(pairs.drop_duplicates()["u"], minlength=len(self.uid))
        over = np.flatnonzero(n > raw.u_max)
        found.each(
            "R13",
            over,
            lambda i: (
                (self.uid[i],),
                f"unit {self.uid[i]} has {n[i]} supplementary pairings, "
                f"more than its max_villages {raw.u_max[i]}",
            ),
        )

    # -- household_pairs: R1 --------------------------------------------------

    def household_rows(self) -> None:
        raw, found = self.raw, self.found
        hp = self.t["household_pairs"]
        hids = hp["household_id"].to_numpy(object)
        rids = hp["responsible_id"].to_numpy(object)
        kind = hp["responsible_kind"].to_numpy(object)
        h = raw.h_index.get_indexer(pd.Index(hp["household_id"]))
        rid = pd.Index(hp["responsible_id"])
        c = np.where(kind == "cadre", raw.c_index.get_indexer(rid), -1)
        lead = np.where(kind == "leader", raw.l_index.get_indexer(rid), -1)

        bad = np.flatnonzero((kind != "cadre") & (kind != "leader"))
        found.each(
            "R1",
            bad,
            lambda i: (
                (hids[i], rids[i]),
                f"household_pairs row {i + 1} ({hids[i]}): responsible_kind "
                f"{kind[i]!r} is neither 'cadre' nor 'leader'",
            ),
        )
        found.each(
            "R1",
            np.flatnonzero(h < 0),
            lambda i: (
                (hids[i],),
                f"household_pairs lists {hids[i]!r}, not a poor household of the "
                "instance",
            ),
        )
        for what, pos in (("cadre", c), ("leader", lead)):

            def unknown_responsible(i: int, what: str = what) -> Entry:
                return (
                    (hids[i], rids[i]),
                    f"household {hids[i]}: responsible {what} {rids[i]!r} is unknown",
                )

            found.each(
                "R1", np.flatnonzero((kind == what) & (pos < 0)), unknown_responsible
            )
        n_h = len(self.hid)
        rows = np.bincount(h[h >= 0], minlength=n_h)
        listed = self.listed["household"]
        found.each(
            "R1",
            np.flatnonzero((rows == 0) & ~listed),
            lambda i: ((self.hid[i],), f"household {self.hid[i]} has no responsible"),
        )
        self.left["households"] = int(((rows == 0) & listed).sum())
        found.each(
            "R1",
            np.flatnonzero((rows > 0) & listed),
            lambda i: (
                (self.hid[i],),
                f"the uncovered table lists household {self.hid[i]}, which has a "
                "responsible",
            ),
        )
        found.each(
            "R1",
            np.flatnonzero(rows > 1),
            lambda i: (
                (self.hid[i],),
                f"household {self.hid[i]} has {rows[i]} household_pairs rows; "
                "exactly one is required",
            ),
        )
        # R5: unit_id is the cadre's own unit; R7: empty for a leader
        unit = hp["unit_id"].to_numpy(object)
        own = np.where(c >= 0, self.uid[raw.c_unit[np.maximum(c, 0)]], "")
        own = np.where((c >= 0) & (raw.c_unit[np.maximum(c, 0)] < 0), "", own)
        found.each(
            "R5",
            np.flatnonzero((c >= 0) & (unit != own)),
            lambda i: (
                (hids[i], rids[i]),
                f"household {hids[i]}: unit_id {unit[i]!r} but cadre {rids[i]} "
                f"belongs to unit {own[i]}",
            ),
        )
        found.each(
            "R7",
            np.flatnonzero((lead >= 0) & (unit != "")),
            lambda i: (
                (hids[i], rids[i]),
                f"household {hids[i]} is covered by leader {rids[i]} but has "
                f"unit_id {unit[i]!r} (must be empty)",
            ),
        )
        ok = h >= 0
        self.hc = pd.DataFrame({"h": h[ok & (c >= 0)], "c": c[ok & (c >= 0)]})
        self.hl = pd.DataFrame({"h": h[ok & (lead >= 0)], "l": lead[ok & (lead >= 0)]})
        for df in (self.hc, self.hl):
            df["v"] = raw.h_village[df["h"].to_numpy()]

    # -- R3 -------------------------------------------------------------------

    def r3(self) -> None:
        raw, found = self.raw, self.found
        h, c, v = (self.hc[k].to_numpy() for k in ("h", "c", "v"))
        u = raw.c_unit[c]
        ok = (v >= 0) & (u >= 0)
        h, c, v, u = h[ok], c[ok], v[ok], u[ok]
        in_poor = raw.v_poor[v]
        lead = self.lead_of[v]
        # a household of a poor village: a cadre of its (single) lead unit
        bad = np.flatnonzero(in_poor & (lead >= 0) & (u != lead))
        found.each(
            "R3",
            bad,
            lambda i: (
                (self.hid[h[i]], self.cid[c[i]]),
                f"household {self.hid[h[i]]} of poor village {self.vid[v[i]]} is "
                f"covered by cadre {self.cid[c[i]]} of unit {self.uid[u[i]]}, not "
                f"of its lead unit {self.uid[lead[i]]}",
            ),
        )
        # a scattered household: county tier of its county or prefecture tier
        tier, region = raw.u_tier[u], raw.u_region[u]
        county, pref = raw.v_county[v], raw.v_prefecture[v]
        by_county = (tier == "county") & (region == county) & (region >= 0)
        by_pref = (tier == "prefecture") & (region == pref) & (region >= 0)
        scat = ~in_poor
        bad = np.flatnonzero(scat & ~by_county & ~by_pref)
        found.each(
            "R3",
            bad,
            lambda i: (
                (self.hid[h[i]], self.cid[c[i]]),
                f"scattered household {self.hid[h[i]]} (county "
                f"{self.rid[county[i]] if county[i] >= 0 else '?'}) is covered by "
                f"cadre {self.cid[c[i]]} of {tier[i]} unit {self.uid[u[i]]}, not by "
                "a county-tier unit of its county or a prefecture-tier unit of its "
                "prefecture",
            ),
        )
        # "县级兜底": prefecture tier only where the county tier is full
        n_r = len(self.rid)
        hv = raw.h_village
        hs = (hv >= 0) & ~raw.v_poor[np.maximum(hv, 0)]
        hcounty = raw.v_county[np.maximum(hv, 0)]
        s_cnt = np.bincount(hcounty[hs & (hcounty >= 0)], minlength=n_r)
        n_pref = np.bincount(county[scat & by_pref & (county >= 0)], minlength=n_r)
        # county-tier capacity per county
        cu = raw.c_unit
        c_ok = cu >= 0
        c_is_county = np.zeros(len(cu), dtype=bool)
        c_is_county[c_ok] = raw.u_tier[cu[c_ok]] == "county"
        c_region = np.where(c_ok, raw.u_region[np.maximum(cu, 0)], -1)
        # R8: cadres of a unit that cannot field its first team carry nothing
        sel = c_is_county & (c_region >= 0) & self.can_field()[np.maximum(cu, 0)]
        cap = np.bincount(c_region[sel], weights=raw.c_cap[sel], minlength=n_r)
        # households of the county units' own villages not taken by leaders
        vv = np.arange(len(self.vid))
        lu = self.lead_of
        own_v = (lu >= 0) & (raw.u_tier[np.maximum(lu, 0)] == "county")
        own_v &= raw.u_region[np.maximum(lu, 0)] == raw.v_county
        hh_v = np.bincount(hv[hv >= 0], minlength=len(vv))
        lv = self.hl["v"].to_numpy()
        hh_v = hh_v - np.bincount(lv[lv >= 0], minlength=len(vv))
        own = np.bincount(
            raw.v_county[own_v & (raw.v_county >= 0)],
            weights=hh_v[own_v & (raw.v_county >= 0)],
            minlength=n_r,
        )
        spare = cap - own
        allowed = np.maximum(0, s_cnt - spare)
        bad = np.flatnonzero(n_pref > allowed + TOL)
        found.each(
            "R3",
            bad,
            lambda r: (
                (self.rid[r],),
                f"county {self.rid[r]}: {n_pref[r]:,} scattered households covered "
                f"by the prefecture tier, but at most {int(allowed[r]):,} may be "
                f"({s_cnt[r]:,} scattered; county-tier capacity {int(cap[r]):,}, "
                f"{int(own[r]):,} taken by the county units' own villages, "
                f"{int(spare[r]):,} spare)",
            ),
        )

    def can_field(self) -> np.ndarray:
        """Per unit: its head and its other cadres able to carry a household
        (cap >= 1) reach its least first team (R8)."""
        raw = self.raw
        rules = raw.instance.rules.dispatch
        n_u = len(self.uid)
        cu = raw.c_unit
        ok = cu >= 0
        head = np.bincount(cu[ok & raw.c_head], minlength=n_u) > 0
        others = np.bincount(cu[ok & ~raw.c_head & (raw.c_cap >= 1)], minlength=n_u)
        low = np.where(raw.u_tier == "province", rules.province_min, rules.local_min)
        return np.asarray(others + head >= low)

    # -- R5 -------------------------------------------------------------------

    def r5(self) -> None:
        raw = self.raw
        load = np.bincount(self.hc["c"].to_numpy(), minlength=len(self.cid))
        bad = np.flatnonzero(load > raw.c_cap)
        self.found.each(
            "R5",
            bad,
            lambda i: (
                (self.cid[i],),
                f"cadre {self.cid[i]} covers {load[i]} households, cap {raw.c_cap[i]}",
            ),
        )

    # -- R7 -------------------------------------------------------------------

    def _one_row(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Per leader, the table's value when exactly one row names it ('' else)."""
        df = self.t[name]
        col = "area_id" if name == "leader_areas" else "village_id"
        lids = df["leader_id"].to_numpy(object)
        pos = self.raw.l_index.get_indexer(pd.Index(df["leader_id"]))
        self.found.each(
            "R7",
            np.flatnonzero(pos < 0),
            lambda i: ((lids[i],), f"{name} names an unknown leader {lids[i]!r}"),
        )
        n_l = len(self.lid)
        rows = np.bincount(pos[pos >= 0], minlength=n_l)
        self.found.each(
            "R7",
            np.flatnonzero(rows != 1),
            lambda i: (
                (self.lid[i],),
                f"leader {self.lid[i]} has {rows[i]} {name} rows; exactly one is "
                "required",
            ),
        )
        value = np.full(n_l, "", dtype=object)
        ok = pos >= 0
        value[pos[ok]] = df[col].to_numpy(object)[ok]
        value[rows != 1] = ""
        return value, rows

    def _area_severity(self, area: str) -> float:
        raw = self.raw
        pv = np.flatnonzero(raw.v_poor)
        return float(raw.v_severity[pv[raw.inside(pv, area)]].sum())

    def _candidates(self, tier: str, region: str, covers: str) -> list[str]:
        """Candidate areas of a leader group (R7)."""
        raw = self.raw
        if covers == "":
            return [region]
        pv = np.flatnonzero(raw.v_poor)
        pv = pv[raw.inside(pv, region)] if tier != "province" else pv
        if covers == "village":
            return [str(x) for x in self.vid[pv]]
        if covers == "prefecture":
            r = raw.v_prefecture[pv]
        else:
            r = raw.v_county[pv]
            if covers == "key_county":
                r = r[(r >= 0) & raw.r_key[np.maximum(r, 0)]]
        r = np.unique(r[r >= 0])
        return [str(x) for x in self.rid[r]]

    def r7(self) -> None:
        raw, found = self.raw, self.found
        lt = raw.instance.leaders
        area, _ = self._one_row("leader_areas")
        contact, _ = self._one_row("leader_contacts")
        n_l = len(self.lid)
        if n_l == 0:
            found.each(
                "R7",
                np.flatnonzero(self.hl["l"].to_numpy() >= 0),
                lambda i: ((), "a household is covered by a leader"),
            )
            return
        tier = lt["tier"].astype(str).to_numpy(object)
        region = lt["region_id"].astype(str).to_numpy(object)
        covers = lt["covers"].astype(str).to_numpy(object)
        fixed = lt["area_id"].astype(str).to_numpy(object)
        cp = lt["contact_point_village_id"].astype(str).to_numpy(object)
        k_own = lt["contact_households"].to_numpy(dtype=np.float64)
        k = np.where(
            np.isnan(k_own), raw.instance.rules.contact_households, k_own
        ).astype(np.int64)
        sev_cache: dict[str, float] = {}

        def sev(a: str) -> float:
            if a not in sev_cache:
                sev_cache[a] = self._area_severity(a)
            return sev_cache[a]

        groups = pd.DataFrame({"t": tier, "r": region, "c": covers}).groupby(
            ["t", "r", "c"], sort=True
        )
        for (gt, gr, gc), g in groups:
            members = g.index.to_numpy()
            cands = self._candidates(cast(str, gt), cast(str, gr), cast(str, gc))
            cset = set(cands)
            for i in members:
                if fixed[i]:
                    if area[i] and area[i] != fixed[i]:
                        found.add(
                            "R7",
                            (self.lid[i], area[i]),
                            f"leader {self.lid[i]} has the fixed area {fixed[i]} "
                            f"but covers {area[i]}",
                        )
                elif area[i] and area[i] not in cset:
                    found.add(
                        "R7",
                        (self.lid[i], area[i]),
                        f"leader {self.lid[i]} ({gt} {gr}, covers "
                        f"{gc or 'own region'}) covers {area[i]}, not one of the "
                        f"group's {len(cands)} candidate area(s)",
                    )
            covered = Counter(area[i] for i in members if area[i])
            label = f"leaders ({gt} {gr}, covers {gc or 'own region'})"
            if len(members) >= len(cands):
                for a in cands:
                    if not covered[a]:
                        found.add(
                            "R7",
                            (a,),
                            f"{len(members)} {label} for {len(cands)} areas, but "
                            f"area {a} (severity {_n(sev(a))}) is covered by none",
                        )
            else:
                for a, n in covered.items():
                    if n > 1:
                        found.add(
                            "R7",
                            (a, *(self.lid[i] for i in members if area[i] == a)),
                            f"{len(members)} {label} for {len(cands)} areas must "
                            f"cover distinct areas, but {n} cover {a}",
                        )
                open_ = [a for a in cands if not covered[a]]
                if open_:
                    worst = max(open_, key=sev)
                    for i in members:
                        if fixed[i] or not area[i] or area[i] not in cset:
                            continue
                        if sev(area[i]) + TOL < sev(worst):
                            found.add(
                                "R7",
                                (self.lid[i], area[i], worst),
                                f"leader {self.lid[i]} covers {area[i]} (severity "
                                f"{_n(sev(area[i]))}) while the more severe area "
                                f"{worst} (severity {_n(sev(worst))}) is uncovered",
                            )
        # contact villages
        cv = raw.v_index.get_indexer(pd.Index(contact.astype(str)))
        cpv = raw.v_index.get_indexer(pd.Index(cp.astype(str)))
        for i in range(n_l):
            if not contact[i] or not area[i]:
                continue
            v = cv[i]
            if v < 0 or not raw.v_poor[v] or not raw.inside(np.array([v]), area[i])[0]:
                found.add(
                    "R7",
                    (self.lid[i], contact[i]),
                    f"leader {self.lid[i]}: contact village {contact[i]} is not a "
                    f"poor village inside the area {area[i]}",
                )
            elif (
                cpv[i] >= 0
                and raw.v_poor[cpv[i]]
                and raw.inside(np.array([cpv[i]]), area[i])[0]
                and cpv[i] != v
            ):
                found.add(
                    "R7",
                    (self.lid[i], contact[i], cp[i]),
                    f"leader {self.lid[i]}: contact village {contact[i]}, but the "
                    f"contact point {cp[i]} is a poor village inside {area[i]}",
                )
        # households: in the contact village, exactly k (all left when fewer)
        hl_l, hl_v, hl_h = (self.hl[x].to_numpy() for x in ("l", "v", "h"))
        elsewhere = np.flatnonzero(hl_v != cv[hl_l])
        found.each(
            "R7",
            elsewhere,
            lambda j: (
                (self.hid[hl_h[j]], self.lid[hl_l[j]]),
                f"household {self.hid[hl_h[j]]} is covered by leader "
                f"{self.lid[hl_l[j]]} but is not in the leader's contact village "
                f"{contact[hl_l[j]] or '(none)'}",
            ),
        )
        at = hl_v == cv[hl_l]
        took = np.bincount(hl_l[at], minlength=n_l)
        n_v = len(self.vid)
        hv = raw.h_village
        hh_v = np.bincount(hv[hv >= 0], minlength=n_v)
        by_leaders = np.bincount(hl_v[at], minlength=n_v)
        for i in range(n_l):
            if not contact[i] or cv[i] < 0:
                continue
            v = cv[i]
            exhausted = by_leaders[v] >= hh_v[v]
            if took[i] > k[i] or (took[i] < k[i] and not exhausted):
                found.add(
                    "R7",
                    (self.lid[i], self.vid[v]),
                    f"leader {self.lid[i]} is responsible for {took[i]} households "
                    f"of contact village {self.vid[v]}; exactly {k[i]} required "
                    f"(the village has {hh_v[v]}, {hh_v[v] - by_leaders[v]} not "
                    "taken by leaders)",
                )
        # the leaders' households are the most severe of their village
        hs = raw.h_severity
        lv, ls = hl_v[hl_v >= 0], hs[hl_h[hl_v >= 0]]
        cvv = self.hc["v"].to_numpy()
        ok = cvv >= 0
        cs = hs[self.hc["h"].to_numpy()[ok]]
        cvv = cvv[ok]
        lmin = np.full(n_v, np.inf)
        np.minimum.at(lmin, lv, ls)
        cmax = np.full(n_v, -np.inf)
        np.maximum.at(cmax, cvv, cs)
        bad = np.flatnonzero(lmin + TOL < cmax)
        found.each(
            "R7",
            bad,
            lambda v: (
                (self.vid[v],),
                f"village {self.vid[v]}: a household covered by a leader (severity "
                f"{_n(float(lmin[v]))}) is less severe than one covered by a cadre "
                f"(severity {_n(float(cmax[v]))})",
            ),
        )

    # -- R8 -------------------------------------------------------------------

    def r8(self) -> None:
        raw, found = self.raw, self.found
        rules = raw.instance.rules.dispatch
        dp = self.t["dispatch"]
        uids, cids = dp["unit_id"].to_numpy(object), dp["cadre_id"].to_numpy(object)
        u = raw.u_index.get_indexer(pd.Index(dp["unit_id"]))
        c = raw.c_index.get_indexer(pd.Index(dp["cadre_id"]))
        for what, pos, ids in (("unit", u, uids), ("cadre", c, cids)):

            def unknown_dispatch(
                i: int, what: str = what, ids: np.ndarray = ids
            ) -> Entry:
                return (
                    (uids[i], cids[i]),
                    f"dispatch row {i + 1} names an unknown {what} {ids[i]!r}",
                )

            found.each("R8", np.flatnonzero(pos < 0), unknown_dispatch)
        ok = (u >= 0) & (c >= 0)
        other = np.flatnonzero(ok & (raw.c_unit[np.maximum(c, 0)] != u))
        found.each(
            "R8",
            other,
            lambda i: (
                (uids[i], cids[i]),
                f"unit {uids[i]} dispatches cadre {cids[i]} of another unit",
            ),
        )
        head_col = dp["is_head"].to_numpy(dtype=bool)
        wrong = np.flatnonzero(ok & (head_col != raw.c_head[np.maximum(c, 0)]))
        if not self.has_head:  # an informational column: not checked when absent
            wrong = wrong[:0]
        found.each(
            "R8",
            wrong,
            lambda i: (
                (uids[i], cids[i]),
                f"dispatch row for cadre {cids[i]}: is_head {bool(head_col[i])} but "
                f"the cadre's is_head is {bool(raw.c_head[c[i]])}",
            ),
        )
        rows = pd.DataFrame({"u": u[ok], "c": c[ok]})
        dup = rows.duplicated().to_numpy()
        row_u, row_c = rows["u"].to_numpy(), rows["c"].to_numpy()
        found.each(
            "R8",
            np.flatnonzero(dup),
            lambda j: (
                (self.uid[row_u[j]], self.cid[row_c[j]]),
                f"cadre {self.cid[row_c[j]]} is dispatched more than once",
            ),
        )
        rows = rows[~dup]
        rows = rows[(raw.c_unit[rows["c"].to_numpy()] == rows["u"].to_numpy())]
        n_u = len(self.uid)
        leads_n = np.bincount(self.leads["u"].to_numpy(), minlength=n_u)
        team = np.bincount(rows["u"].to_numpy(), minlength=n_u)
        # eligible: a cadre responsible for a household (any household its
        # unit carries, scattered ones too), or the unit's head
        hc_c = self.hc["c"].to_numpy()
        carried = np.zeros(len(self.cid), dtype=bool)
        carried[hc_c] = True
        eligible = carried | raw.c_head
        cu_all = raw.c_unit
        n_eligible = np.bincount(cu_all[(cu_all >= 0) & eligible], minlength=n_u)
        # a task: a village led, or households its cadres are responsible for
        has_hh = np.bincount(cu_all[(cu_all >= 0) & carried], minlength=n_u) > 0
        task = (leads_n > 0) | has_hh
        rc = rows["c"].to_numpy()
        bad = np.flatnonzero(~eligible[rc])
        found.each(
            "R8",
            bad,
            lambda j: (
                (self.uid[raw.c_unit[rc[j]]], self.cid[rc[j]]),
                f"cadre {self.cid[rc[j]]} of unit {self.uid[raw.c_unit[rc[j]]]} is "
                "dispatched but is neither its head nor responsible for any "
                "household",
            ),
        )
        idle = np.flatnonzero(~task & (team > 0))
        found.each(
            "R8",
            idle,
            lambda i: (
                (self.uid[i],),
                f"unit {self.uid[i]} has no task (no village, no household) but "
                f"dispatches {team[i]} cadre(s)",
            ),
        )
        tier = raw.u_tier
        low = np.where(tier == "province", rules.province_min, rules.local_min)
        high = np.where(tier == "province", np.iinfo(np.int64).max, rules.local_max)
        size = np.flatnonzero(task & ((team < low) | (team > high)))

        def size_msg(i: int) -> tuple[tuple[Any, ...], str]:
            want = (
                f"at least {low[i]}"
                if tier[i] == "province"
                else (f"between {low[i]} and {high[i]}")
            )
            what = (
                f"leads {leads_n[i]} village(s)"
                if leads_n[i]
                else "leads no village but carries households"
            )
            text = (
                f"{tier[i]} unit {self.uid[i]} {what} and dispatches {team[i]} "
                f"cadre(s); {want} required"
            )
            if team[i] < low[i] and n_eligible[i] < low[i]:
                text += f" (it has only {n_eligible[i]} eligible cadre(s))"
            return (self.uid[i],), text

        found.each("R8", size, size_msg)
        has_head = np.bincount(cu_all[(cu_all >= 0) & raw.c_head], minlength=n_u) > 0
        sent_head = np.bincount(rows["u"].to_numpy()[raw.c_head[rc]], minlength=n_u) > 0
        nohead = np.flatnonzero(task & has_head & ~sent_head)
        found.each(
            "R8",
            nohead,
            lambda i: (
                (self.uid[i],),
                f"unit {self.uid[i]}'s head is not in its first team",
            ),
        )
