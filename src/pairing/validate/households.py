"""Households: coverage (R1), households follow their village (R3), cadre
load and unit (R5).

The checks of the ``household_pairs`` table. :meth:`HouseholdChecks.household_rows`
also finds the rows the later groups read (``hc``: by cadres, ``hl``: by
leaders).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import TOL, Entry, State


class HouseholdChecks(State):
    """The household checks of one plan; each ``rN`` method checks rule ``RN``."""

    # -- household_pairs: R1 --------------------------------------------------

    def household_rows(self) -> None:
        raw = self.raw
        hp = self.t["household_pairs"]
        hids = hp["household_id"].to_numpy(object)
        rids = hp["responsible_id"].to_numpy(object)
        kind = hp["responsible_kind"].to_numpy(object)
        h = raw.h_index.get_indexer(pd.Index(hp["household_id"]))
        rid = pd.Index(hp["responsible_id"])
        c = np.where(kind == "cadre", raw.c_index.get_indexer(rid), -1)
        lead = np.where(kind == "leader", raw.l_index.get_indexer(rid), -1)
        self._responsibles(hids, rids, kind, (h, c, lead))
        self._one_responsible_each(h)
        self._unit_ids(hp["unit_id"].to_numpy(object), hids, rids, c, lead)
        ok = h >= 0
        self.hc = pd.DataFrame({"h": h[ok & (c >= 0)], "c": c[ok & (c >= 0)]})
        self.hl = pd.DataFrame({"h": h[ok & (lead >= 0)], "l": lead[ok & (lead >= 0)]})
        for df in (self.hc, self.hl):
            df["v"] = raw.h_village[df["h"].to_numpy()]

    def _responsibles(
        self,
        hids: np.ndarray,
        rids: np.ndarray,
        kind: np.ndarray,
        positions: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        """R1: each row's kind, household and responsible are known."""
        found = self.found
        h, c, lead = positions
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

    def _one_responsible_each(self, h: np.ndarray) -> None:
        """R1: exactly one responsible per household (or listed uncovered)."""
        found = self.found
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

    def _unit_ids(
        self,
        unit: np.ndarray,
        hids: np.ndarray,
        rids: np.ndarray,
        c: np.ndarray,
        lead: np.ndarray,
    ) -> None:
        """R5: ``unit_id`` is the cadre's own unit; R7: empty for a leader."""
        raw, found = self.raw, self.found
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
        self._county_first(county, scat & by_pref)

    def _county_first(self, county: np.ndarray, by_pref: np.ndarray) -> None:
        """R3 "县级兜底": prefecture tier only where the county tier is full.

        ``county`` and ``by_pref`` are per cadre-covered household of a known
        village and unit: its county, and whether it is a scattered household
        the prefecture tier covers.
        """
        raw, found = self.raw, self.found
        n_r = len(self.rid)
        hv = raw.h_village
        hs = (hv >= 0) & ~raw.v_poor[np.maximum(hv, 0)]
        hcounty = raw.v_county[np.maximum(hv, 0)]
        s_cnt = np.bincount(hcounty[hs & (hcounty >= 0)], minlength=n_r)
        n_pref = np.bincount(county[by_pref & (county >= 0)], minlength=n_r)
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
