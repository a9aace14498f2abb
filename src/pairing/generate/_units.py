"""Builder of the units table: every tier's units, sized on the reference pairing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._helpers import _apportion, _at_most_two, _ids, _split, _str
from ._households import _Households
from .calibration import (
    COUNTY_UNITS,
    LOCAL_KINDS,
    MANAGER_SHARE,
    MEAN_CAP,
    PREFECTURE_DOUBLE,
    PREFECTURE_UNITS,
    PROVINCE_KINDS,
    PROVINCE_UNITS,
    SOCIAL_KINDS,
)


class _Units(_Households):
    """Units of every tier with their reference villages and capacity."""

    # -- units ---------------------------------------------------------------

    def units(self) -> None:
        """Units of every tier with their reference villages and target capacity."""
        self.unit_rows: list[dict] = []  # one dict per unit (units are few)
        self.ref_unit = np.full(len(self.v_county), -1, dtype=np.int64)
        taken = np.zeros(len(self.v_county), dtype=bool)
        self.province_units(taken)
        pref_units_of_area = self.prefecture_units(taken)
        self.county_units(taken, pref_units_of_area)
        self.prefecture_spare(pref_units_of_area)
        self.social_units()

    def add_unit(
        self,
        tier: str,
        region: str,
        kind: str,
        name: str,
        xy,
        villages,
        target,
        **extra,
    ) -> int:
        """One unit row; its reference villages and target capacity (R5)."""
        u = len(self.unit_rows)
        self.ref_unit[villages] = u
        self.unit_rows.append(
            dict(
                tier=tier,
                region_id=region,
                kind=kind,
                name=name,
                x=xy[0],
                y=xy[1],
                load=int(self.v_households[villages].sum()),
                target=float(target),
                ranks=extra.pop("ranks", "local"),
                **extra,
            )
        )
        return u

    def province_units(self, taken: np.ndarray) -> None:
        """Province tier: about 200 units, 1–2 reference villages each (binds).

        Kinds follow the seed's two groups: offices (6,000 cadres of deputy
        division rank and above) and enterprises/universities (4,000 middle
        managers): units are made managers, in random order, until their
        cadres reach 40% of the tier's.
        """
        rng = self.rng
        prov = rng.permutation(self.ref_province)
        n_units = min(len(prov), max(1, round(PROVINCE_UNITS * self.scale)))
        n_units = max(n_units, math.ceil(len(prov) / 2))  # R4: 2 at most each
        owner = _at_most_two(
            np.concatenate(
                [np.arange(n_units), rng.integers(0, n_units, len(prov) - n_units)]
            ),
            n_units,
        )
        loads = np.bincount(owner, weights=self.v_households[prov], minlength=n_units)
        target = loads * rng.uniform(1.01, 1.05, n_units)
        order = rng.permutation(n_units)
        # the first k units (in random order) are managers: the largest k
        # whose cadres stay within MANAGER_SHARE of the tier's
        as_m = np.cumsum(target[order]) / MEAN_CAP["manager"]
        as_o = (target.sum() - np.cumsum(target[order])) / MEAN_CAP["official"]
        k = int(np.sum(as_m <= MANAGER_SHARE * (as_m + as_o)))
        manager = np.zeros(n_units, dtype=bool)
        manager[order[:k]] = True
        centre = self.county_xy[np.flatnonzero(self.county_id == self.p.centre)[0]]
        self.centre = centre
        for u in range(n_units):
            group = "manager" if manager[u] else "official"
            kinds, p = PROVINCE_KINDS[group]
            kind = kinds[rng.choice(len(kinds), p=p)]
            self.add_unit(
                "province",
                self.p.code,
                kind,
                f"{self.p.name}{kind}{u + 1:03d}",
                centre + rng.normal(0, 4, 2),
                prov[owner == u],
                target[u],
                ranks=group,
            )
        taken[prov] = True

    def prefecture_sizes(self, left: np.ndarray) -> np.ndarray:
        """Prefecture-tier units per area: by the area's size (towns), at most
        80% of the poor villages the province tier leaves there (R4: each
        prefecture unit takes a village by default), the rest spread where
        villages allow."""
        size = np.bincount(
            self.county_area, weights=self.county_towns + 2.0, minlength=self.n_areas
        )
        room = np.where(left >= 2, np.maximum(1, np.floor(0.8 * left)), 0)
        room = room.astype(np.int64)
        total = min(int(room.sum()), round(PREFECTURE_UNITS * self.scale))
        out = np.zeros(self.n_areas, dtype=np.int64)
        while out.sum() < total:  # water-filling over the areas with room
            free = room - out
            want = _apportion(total - int(out.sum()), np.where(free > 0, size, 0.0))
            out += np.minimum(want, free)
        return out

    def prefecture_units(self, taken: np.ndarray) -> dict[int, list[int]]:
        """Prefecture tier: 1–2 reference villages per unit (10% take 2)."""
        rng = self.rng
        vh = self.v_households
        poor = self.poor_idx
        left_n = np.bincount(
            self.v_area[poor[~taken[poor]]], minlength=self.n_areas
        ).astype(np.int64)
        sizes = self.prefecture_sizes(left_n)
        out: dict[int, list[int]] = {}
        for a in range(self.n_areas):
            out[a] = []
            n = int(sizes[a])
            if n == 0:
                continue
            left = poor[(self.v_area[poor] == a) & ~taken[poor]]
            b = min(len(left), n + round(PREFECTURE_DOUBLE * n))
            p = self.v_depth[left] ** 2
            chosen = rng.choice(left, size=b, replace=False, p=p / p.sum())
            taken[chosen] = True
            owner = _split(b, n)
            for k in range(n):
                kinds, kp = LOCAL_KINDS
                kind = kinds[rng.choice(len(kinds), p=kp)]
                vill = chosen[owner == k]
                u = self.add_unit(
                    "prefecture",
                    self.area_id[a],
                    kind,
                    f"{self.area_name[a]}{kind}{k + 1:03d}",
                    self.area_xy[a] + rng.normal(0, 3, 2),
                    vill,
                    vh[vill].sum() * rng.uniform(1.02, 1.10),
                )
                out[a].append(u)
        return out

    def county_sizes(self, need: np.ndarray) -> np.ndarray:
        """County-tier units per county: by size (towns; urban districts 0.8×,
        长白山's zones 6 each), at least what its villages and households need."""
        w = 20.0 + 1.5 * self.county_towns
        w = np.where(self.county_type == "d", 0.8 * w, w)
        w = np.where(self.county_type == "z", 6.0, w)
        n = _apportion(round(COUNTY_UNITS * self.scale), w)
        return np.maximum(n, need)

    def county_units(
        self, taken: np.ndarray, pref_units_of_area: dict[int, list[int]]
    ) -> None:
        """County tier: the county's remaining villages (1–2 per village unit)
        plus every scattered household, shared with the county's slack."""
        rng = self.rng
        vh = self.v_households
        poor = self.poor_idx
        self.overflow = np.zeros(self.n_counties, dtype=np.int64)
        scattered = np.bincount(
            self.v_county,
            weights=np.where(self.v_poor, 0, vh),
            minlength=self.n_counties,
        ).astype(np.int64)
        left = np.bincount(self.v_county[poor[~taken[poor]]], minlength=self.n_counties)
        n_vu = np.minimum(left, np.maximum(np.ceil(left / 2), np.round(left / 1.5)))
        n_vu = n_vu.astype(np.int64)
        sizes = self.county_sizes(np.maximum(n_vu, scattered > 0).astype(np.int64))
        # a short county's units still have their least 3 cadres (15
        # households): only counties with scattered households well above
        # that can be made short
        eligible = [
            c
            for c in range(self.n_counties)
            if scattered[c] >= max(20, 20 * sizes[c])
            and pref_units_of_area[self.county_area[c]]
        ]
        n_short = min(self.short_counties, len(eligible))
        short = set(rng.choice(eligible, size=n_short, replace=False).tolist())
        for c in range(self.n_counties):
            vill = rng.permutation(poor[(self.v_county[poor] == c) & ~taken[poor]])
            s, n_v, n_all = int(scattered[c]), int(n_vu[c]), int(sizes[c])
            if n_all == 0:
                continue
            owner = _split(len(vill), n_v)
            loads = np.array(
                [vh[vill[owner == k]].sum() for k in range(n_v)], dtype=float
            )
            own = loads * rng.uniform(1.02, 1.10, n_v)
            carry = s
            if c in short:
                # the county tier carries only part of its scattered households
                # (less a margin for each unit's least cadres and rounding up)
                own = loads
                margin = 15 * n_all
                carry = max(0, int(s * rng.uniform(0.6, 0.8)) - margin)
                self.overflow[c] = s - carry
            slack = self.slack * rng.uniform(0.5, 1.5)
            free = carry + (0.0 if c in short else slack * (carry + loads.sum()))
            share = rng.lognormal(0.0, 0.5, n_all)
            share = free * share / share.sum()
            for k in range(n_all):
                kinds, kp = LOCAL_KINDS
                kind = kinds[rng.choice(len(kinds), p=kp)]
                v = vill[owner == k] if k < n_v else np.zeros(0, dtype=np.int64)
                # a few village units must take at least one village (R4 override)
                mins = 1.0 if (k < n_v and rng.random() < 0.1) else np.nan
                self.add_unit(
                    "county",
                    self.county_id[c],
                    kind,
                    f"{self.county_name[c]}{kind}{k + 1:03d}",
                    self.county_xy[c] + rng.normal(0, 2, 2),
                    v,
                    (own[k] if k < n_v else 0.0) + share[k],
                    min_villages=mins,
                )
        self.scattered_county = scattered

    def prefecture_spare(self, pref_units_of_area: dict[int, list[int]]) -> None:
        """Prefecture spare: the overflow of short counties, plus slack."""
        rng = self.rng
        rows = self.unit_rows
        overflow_area = np.bincount(
            self.county_area, weights=self.overflow, minlength=self.n_areas
        )
        scattered_area = np.bincount(
            self.county_area, weights=self.scattered_county, minlength=self.n_areas
        )
        for a, units in pref_units_of_area.items():
            if not units:
                continue
            spare = 1.25 * overflow_area[a] + self.slack * rng.uniform(0.5, 1.5) * (
                sum(rows[u]["load"] for u in units) + 0.1 * scattered_area[a]
            )
            share = rng.lognormal(0.0, 0.5, len(units))
            for u, extra in zip(units, spare * share / share.sum(), strict=True):
                rows[u]["target"] += extra

    def social_units(self) -> None:
        """Social units: no villages, a few cadres (R13 claims)."""
        rng = self.rng
        n_social = max(2, round(8 * math.sqrt(self.scale)))
        for k in range(n_social):
            kinds, kp = SOCIAL_KINDS
            kind = kinds[rng.choice(len(kinds), p=kp)]
            self.add_unit(
                "social",
                self.p.code,
                kind,
                f"{kind}{k + 1:02d}",
                self.centre + rng.normal(0, 30, 2),
                np.zeros(0, dtype=np.int64),
                rng.uniform(15, 60),
            )

    def units_table(self) -> pd.DataFrame:
        rows = self.unit_rows
        tier = [r["tier"] for r in rows]
        prefix = {"province": "UP", "prefecture": "UM", "county": "UX", "social": "US"}
        ids = np.empty(len(rows), dtype=object)
        for t, p in prefix.items():
            mine = np.flatnonzero(np.array(tier) == t)
            ids[mine] = _ids(p, len(mine), 4).to_numpy()
        self.unit_ids = _str(ids)
        return pd.DataFrame(
            {
                "unit_id": self.unit_ids,
                "name": _str([r["name"] for r in rows]),
                "tier": _str(tier),
                "region_id": _str([r["region_id"] for r in rows]),
                "kind": _str([r["kind"] for r in rows]),
                "strength": np.nan,  # filled once cadres exist
                "min_villages": np.array(
                    [r.get("min_villages", np.nan) for r in rows], dtype=np.float64
                ),
                "max_villages": np.full(len(rows), np.nan),
                "x_km": np.round([r["x"] for r in rows], 2),
                "y_km": np.round([r["y"] for r in rows], 2),
            }
        )
