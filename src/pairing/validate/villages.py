"""Villages: coverage (R1), tiers (R2), villages per unit (R4), the province
tier's key counties (R6), supplementary pairings (R13).

The checks of the ``village_pairs`` table. :meth:`VillageChecks.village_rows`
also finds the lead pairs the later groups read (``leads``, ``lead_of``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..metrics import may_lead
from ._base import TOL, Entry, State


class VillageChecks(State):
    """The village checks of one plan; each ``rN`` method checks rule ``RN``."""

    # -- village_pairs: R1, R2 (tier column) ------------------------------------

    def village_rows(self) -> None:
        raw = self.raw
        vp = self.t["village_pairs"]
        self.vp_v = raw.v_index.get_indexer(pd.Index(vp["village_id"]))
        self.vp_u = raw.u_index.get_indexer(pd.Index(vp["unit_id"]))
        role = vp["role"].to_numpy(dtype=object)
        vids, uids = vp["village_id"].to_numpy(object), vp["unit_id"].to_numpy(object)
        self._roles(vp, role, vids, uids)
        lead = role == "lead"
        self.lead_rows = np.flatnonzero(lead)
        v, u = self._poor_leads(lead, vids, uids)
        self._one_lead_each(lead, v, u)

    def _roles(
        self, vp: pd.DataFrame, role: np.ndarray, vids: np.ndarray, uids: np.ndarray
    ) -> None:
        """R1: each row's role; R2: the tier column is the unit's tier."""
        found = self.found
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

    def _poor_leads(
        self, lead: np.ndarray, vids: np.ndarray, uids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """R1: the lead rows of known ids and poor villages (villages, units)."""
        raw, found = self.raw, self.found
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
        return v[~nonpoor], u[~nonpoor]

    def _one_lead_each(self, lead: np.ndarray, v: np.ndarray, u: np.ndarray) -> None:
        """R1: exactly one lead unit per poor village (or listed uncovered)."""
        raw, found = self.raw, self.found
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
        self._supplementary_counts(v, u)

    def _supplementary_counts(self, v: np.ndarray, u: np.ndarray) -> None:
        """R13: no pairing listed twice; a unit within its max_villages."""
        raw, found = self.raw, self.found
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
