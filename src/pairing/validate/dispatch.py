"""Dispatch (R8, as amended): each unit's first team of cadres sent down.

The checks of the ``dispatch`` table: known ids, a unit's own cadres, each
cadre once; eligible cadres (its head or one responsible for a household),
no team without a task, the team's size within its tier's bounds, the head
in the team.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from ._base import Entry, State


class DispatchChecks(State):
    """The dispatch checks of one plan (R8)."""

    # -- R8 -------------------------------------------------------------------

    def r8(self) -> None:
        raw, found = self.raw, self.found
        rows = self._dispatch_rows()
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
        self._team_sizes(task, team, leads_n, n_eligible)
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

    def _team_sizes(
        self,
        task: np.ndarray,
        team: np.ndarray,
        leads_n: np.ndarray,
        n_eligible: np.ndarray,
    ) -> None:
        """R8: a unit with a task sends a team within its tier's bounds."""
        raw = self.raw
        rules = raw.instance.rules.dispatch
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

        self.found.each("R8", size, size_msg)

    def _dispatch_rows(self) -> pd.DataFrame:
        """R8: the dispatch rows of known ids, the unit's own cadres, each once."""
        raw, found = self.raw, self.found
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
        return cast(pd.DataFrame, rows)
