"""Leaders (R7): one area and one contact village each, their households.

The checks of the ``leader_areas`` and ``leader_contacts`` tables and of the
households covered by leaders: the areas a leader group covers (its
candidates, the most severe first), the contact village inside the area, the
leader's households of that village (exactly its number, the most severe).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import cast

import numpy as np
import pandas as pd

from ._base import TOL, State, num


class LeaderChecks(State):
    """The leader checks of one plan (R7)."""

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
            group = (cast(str, gt), cast(str, gr), cast(str, gc))
            members = g.index.to_numpy()
            cands = self._candidates(*group)
            self._member_areas(group, members, cands, area, fixed)
            self._group_cover(group, members, cands, (area, fixed), sev)
        cv = raw.v_index.get_indexer(pd.Index(contact.astype(str)))
        self._contact_villages(area, contact, cp, cv)
        self._leader_households(contact, cv, k)
        self._most_severe_first()

    def _member_areas(
        self,
        group: tuple[str, str, str],
        members: np.ndarray,
        cands: list[str],
        area: np.ndarray,
        fixed: np.ndarray,
    ) -> None:
        """R7: a leader covers its fixed area, or one of its group's candidates."""
        found = self.found
        gt, gr, gc = group
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

    def _group_cover(
        self,
        group: tuple[str, str, str],
        members: np.ndarray,
        cands: list[str],
        areas: tuple[np.ndarray, np.ndarray],
        sev: Callable[[str], float],
    ) -> None:
        """R7: a group covers its candidates (all, or distinct and the most severe)."""
        found = self.found
        gt, gr, gc = group
        area, fixed = areas
        cset = set(cands)
        covered = Counter(area[i] for i in members if area[i])
        label = f"leaders ({gt} {gr}, covers {gc or 'own region'})"
        if len(members) >= len(cands):
            for a in cands:
                if not covered[a]:
                    found.add(
                        "R7",
                        (a,),
                        f"{len(members)} {label} for {len(cands)} areas, but "
                        f"area {a} (severity {num(sev(a))}) is covered by none",
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
                            f"{num(sev(area[i]))}) while the more severe area "
                            f"{worst} (severity {num(sev(worst))}) is uncovered",
                        )

    def _contact_villages(
        self, area: np.ndarray, contact: np.ndarray, cp: np.ndarray, cv: np.ndarray
    ) -> None:
        """R7: the contact village is a poor village of the area (its contact
        point when that is one)."""
        raw, found = self.raw, self.found
        n_l = len(self.lid)
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

    def _leader_households(
        self, contact: np.ndarray, cv: np.ndarray, k: np.ndarray
    ) -> None:
        """R7: a leader's households are in its contact village, exactly ``k``
        (all left when fewer)."""
        raw, found = self.raw, self.found
        n_l = len(self.lid)
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

    def _most_severe_first(self) -> None:
        """R7: the leaders' households are the most severe of their village."""
        raw, found = self.raw, self.found
        n_v = len(self.vid)
        hl_v, hl_h = (self.hl[x].to_numpy() for x in ("v", "h"))
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
                f"{num(float(lmin[v]))}) is less severe than one covered by a cadre "
                f"(severity {num(float(cmax[v]))})",
            ),
        )
