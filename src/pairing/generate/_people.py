"""Builder of the cadres, leaders, resident teams and claims tables."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..rules import Rules
from ._helpers import _ids, _str
from ._units import _Units
from .calibration import (
    LOCAL_REDUCED_SHARE,
    MEAN_CAP,
    PROVINCE_CAP_BY_RANK,
    RANKS,
    TEAM_TIER_P,
)


class _People(_Units):
    """Cadres of every unit, the leaders, resident teams and claims."""

    # -- cadres --------------------------------------------------------------

    def cadres(self) -> pd.DataFrame:
        rng = self.rng
        rows = self.unit_rows
        nu = len(rows)
        tier = np.array([r["tier"] for r in rows], dtype=object)
        group = np.array([r["ranks"] for r in rows], dtype=object)
        target = np.ceil(np.array([r["target"] for r in rows]))
        prov = tier == "province"
        least = np.where(prov, 6, 3)
        mean_cap = np.array([MEAN_CAP[g] for g in group])
        n0 = np.maximum(least, np.ceil(target / mean_cap)).astype(np.int64)
        c_unit = np.repeat(np.arange(nu), n0)
        first = np.r_[0, np.cumsum(n0)[:-1]]
        head = np.zeros(len(c_unit), dtype=bool)
        head[first] = True
        rank = np.zeros(len(c_unit), dtype=np.int64)
        for g, (ranks, p) in RANKS.items():
            mine = np.flatnonzero(group[c_unit] == g)
            rank[mine] = rng.choice(ranks, size=len(mine), p=p)
        rank[head] = 6
        cprov = prov[c_unit]
        own = np.where(cprov, PROVINCE_CAP_BY_RANK[rank], np.nan)
        reduced = ~cprov & (rng.random(len(c_unit)) < LOCAL_REDUCED_SHARE) & ~head
        own[reduced] = 3
        cap = np.where(np.isnan(own), Rules().max_households, own)
        have = np.bincount(c_unit, weights=cap, minlength=nu)
        # top up units short of their target with junior cadres of their group
        junior = np.array([RANKS[g][0][0] for g in group])
        top_cap = np.where(prov, PROVINCE_CAP_BY_RANK[junior], Rules().max_households)
        extra = np.ceil(np.maximum(0.0, target - have) / top_cap).astype(np.int64)
        e_unit = np.repeat(np.arange(nu), extra)
        c_unit = np.concatenate([c_unit, e_unit])
        rank = np.concatenate([rank, junior[e_unit]])
        head = np.concatenate([head, np.zeros(len(e_unit), dtype=bool)])
        own = np.concatenate(
            [own, np.where(prov[e_unit], PROVINCE_CAP_BY_RANK[junior[e_unit]], np.nan)]
        )
        order = np.argsort(c_unit, kind="stable")
        c_unit, rank, head, own = c_unit[order], rank[order], head[order], own[order]
        self.n_cadres = np.bincount(c_unit, minlength=nu)
        return pd.DataFrame(
            {
                "cadre_id": _ids("C", len(c_unit), 7),
                "unit_id": self.unit_ids.to_numpy()[c_unit],
                "rank": rank.astype(np.int64),
                "max_households": own.astype(np.float64),
                "is_head": head,
            }
        )

    # -- leaders, resident teams, claims ---------------------------------------

    def leaders(self) -> pd.DataFrame:
        """Leaders of the three tiers (R7), each with a contact point."""
        rng = self.rng
        poor = self.poor_idx
        vids = self.village_ids.to_numpy()
        out: dict[str, list] = {
            k: [] for k in ("name", "tier", "region_id", "covers", "area_id", "contact")
        }

        def contact(inside: np.ndarray) -> str:
            """An existing contact point: mostly a poor village inside the area."""
            r = rng.random()
            if r < 0.6 and len(inside):
                return vids[rng.choice(inside)]
            if r < 0.7:
                return vids[rng.choice(poor)]  # a poor village elsewhere
            if r < 0.8:
                return vids[rng.choice(np.flatnonzero(~self.v_poor))]  # not poor
            return ""

        def add(name, tier, region, covers, area, inside):
            for k, v in zip(
                out, (name, tier, region, covers, area, contact(inside)), strict=True
            ):
                out[k].append(v)

        self.leader_room()
        self._province_leaders(add)
        self._prefecture_leaders(add)
        self._county_leaders(add)
        n = len(out["name"])
        return pd.DataFrame(
            {
                "leader_id": _ids("L", n, 4),
                "name": _str(out["name"]),
                "tier": _str(out["tier"]),
                "region_id": _str(out["region_id"]),
                "covers": _str(out["covers"]),
                "area_id": _str(out["area_id"]),
                "contact_point_village_id": _str(out["contact"]),
                "contact_households": np.full(n, np.nan),
            }
        )

    def leader_room(self) -> None:
        """How many prefecture- and county-tier leaders each place can take (R7).

        Every leader takes ``contact_households`` households of one poor
        village of its area, and all of an area's leaders may land on the same
        village: the leaders who may (the area's province-tier leader, the
        county's key-county leader, the area's prefecture-tier leaders and the
        county's own) take at most half of the county's smallest poor village,
        so that every village keeps households for its lead unit's kick-off
        team (R8). Only small provinces, whose villages are few and small
        (one poor village per area at least), are ever held to it.
        """
        poor = self.poor_idx
        per = Rules().contact_households
        smallest = np.full(self.n_counties, np.iinfo(np.int64).max)
        np.minimum.at(smallest, self.v_county[poor], self.v_households[poor])
        room = smallest // 2 // per - 1 - self.county_key.astype(np.int64)
        has_poor = np.bincount(self.v_county[poor], minlength=self.n_counties) > 0
        room = np.where(has_poor, room, np.iinfo(np.int64).max // 2)
        area_room = np.full(self.n_areas, np.iinfo(np.int64).max // 2)
        np.minimum.at(area_room, self.county_area, room)
        # the prefecture tier leaves one place for the county's own leader
        self.pref_leader_room = np.maximum(area_room - 1, 0)
        self.county_leader_room = room
        self.pref_leaders = np.zeros(self.n_areas, dtype=np.int64)

    def _province_leaders(self, add: Callable[..., None]) -> None:
        """Province tier: one per prefecture-level area, one per key county."""
        rng = self.rng
        poor = self.poor_idx
        p_area, p_county = self.v_area[poor], self.v_county[poor]
        # province tier: one per prefecture-level area, one per key county
        fixed_area = rng.choice(self.n_areas, size=1, replace=False)
        for a in range(self.n_areas):
            fix = self.area_id[a] if a in fixed_area else ""
            add(
                f"省级领导{a + 1:02d}",
                "province",
                self.p.code,
                "prefecture",
                fix,
                poor[p_area == a],
            )
        keys = np.flatnonzero(self.county_key)
        cap = self.p.key_county_leaders
        if cap is not None and len(keys) > cap:  # the heaviest key counties
            heavy = np.bincount(p_county, minlength=self.n_counties)[keys]
            keys = np.sort(keys[np.argsort(-heavy, kind="stable")[:cap]])
        keys_with_poor = [c for c in keys if np.any(p_county == c)]
        if len(keys_with_poor) < len(keys):
            # a key county without poor villages needs no leader; its leader
            # would double up on another key county's villages (R7)
            keys = np.array(keys_with_poor, dtype=np.int64)
        fixed = set(
            rng.choice(
                keys_with_poor, size=min(3, len(keys_with_poor)), replace=False
            ).tolist()
        )
        for k, c in enumerate(keys):
            fix = self.county_id[c] if c in fixed else ""
            add(
                f"省级领导{self.n_areas + k + 1:02d}",
                "province",
                self.p.code,
                "key_county",
                fix,
                poor[p_county == c],
            )

    def _prefecture_leaders(self, add: Callable[..., None]) -> None:
        """Prefecture tier: 2-4 per area, covering counties."""
        rng = self.rng
        poor = self.poor_idx
        p_area, p_county = self.v_area[poor], self.v_county[poor]
        # prefecture tier: 2-4 per area, covering counties
        for a in range(self.n_areas):
            counties = np.unique(p_county[p_area == a])
            n = int(rng.integers(2, 5))
            fix_one = rng.random() < 0.25 and len(counties) >= 1
            n = min(n, int(self.pref_leader_room[a]))
            self.pref_leaders[a] = n
            for k in range(n):
                fix = (
                    self.county_id[rng.choice(counties)] if (fix_one and k == 0) else ""
                )
                add(
                    f"{self.area_name[a]}市级领导{k + 1:02d}",
                    "prefecture",
                    self.area_id[a],
                    "county",
                    fix,
                    poor[p_area == a],
                )

    def _county_leaders(self, add: Callable[..., None]) -> None:
        """County tier: about 2 per county with poor villages, covering villages."""
        rng = self.rng
        poor = self.poor_idx
        p_county = self.v_county[poor]
        vids = self.village_ids.to_numpy()
        # county tier: about 2 per county with poor villages, covering villages
        for c in np.unique(p_county):
            inside = poor[p_county == c]
            n = int(rng.integers(1, 4))
            fix_one = rng.random() < 0.1
            room = self.county_leader_room[c] - self.pref_leaders[self.county_area[c]]
            n = min(n, max(0, int(room)))
            for k in range(n):
                fix = vids[rng.choice(inside)] if (fix_one and k == 0) else ""
                add(
                    f"{self.county_name[c]}县级领导{k + 1:02d}",
                    "county",
                    self.county_id[c],
                    "village",
                    fix,
                    inside,
                )

    def resident_teams(self) -> pd.DataFrame:
        """Teams on ~30% of poor villages from units that may lead them (R2)."""
        rng = self.rng
        rows = self.unit_rows
        tier = np.array([r["tier"] for r in rows], dtype=object)
        region = np.array([r["region_id"] for r in rows], dtype=object)
        cap = np.where(tier == "county", 3, 2)
        used = np.zeros(len(rows), dtype=np.int64)
        tiers = ("province", "prefecture", "county")
        chosen = rng.choice(
            self.poor_idx, size=round(0.3 * len(self.poor_idx)), replace=False
        )
        out_v, out_u = [], []
        for v in np.sort(chosen):
            t = tiers[rng.choice(3, p=TEAM_TIER_P)]
            ref = self.ref_unit[v]
            if tier[ref] == t and used[ref] < cap[ref] and rng.random() < 0.8:
                u = ref
            else:
                region_id = {
                    "province": self.p.code,
                    "prefecture": self.area_id[self.v_area[v]],
                    "county": self.county_id[self.v_county[v]],
                }[t]
                cand = np.flatnonzero(
                    (tier == t) & (region == region_id) & (used < cap)
                )
                if len(cand) == 0:
                    continue
                u = rng.choice(cand)
            used[u] += 1
            out_v.append(v)
            out_u.append(u)
        kind = np.where(rng.random(len(out_v)) < 0.5, "work_team", "first_secretary")
        return pd.DataFrame(
            {
                "village_id": _str(
                    self.village_ids.to_numpy()[np.array(out_v, dtype=np.int64)]
                ),
                "unit_id": _str(
                    self.unit_ids.to_numpy()[np.array(out_u, dtype=np.int64)]
                ),
                "kind": _str(kind),
            }
        )

    def claims(self) -> pd.DataFrame:
        rng = self.rng
        social = [i for i, r in enumerate(self.unit_rows) if r["tier"] == "social"]
        us, vs = [], []
        for u in social:
            k = int(rng.choice([1, 1, 2, 2, 3, 4]))  # some claim more than max 2
            for v in rng.choice(
                self.poor_idx, size=min(k, len(self.poor_idx)), replace=False
            ):
                us.append(u)
                vs.append(v)
        return pd.DataFrame(
            {
                "unit_id": _str(self.unit_ids.to_numpy()[np.array(us, dtype=np.int64)]),
                "village_id": _str(
                    self.village_ids.to_numpy()[np.array(vs, dtype=np.int64)]
                ),
            }
        )
