"""Builder of the regions and villages tables, and the province-tier reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._helpers import _apportion, _str
from ._state import _State
from .calibration import JILIN_POOR_VILLAGES, NONPOOR_PER_POOR, PROVINCE_VILLAGES


class _Places(_State):
    """Regions, villages and the province tier of the reference pairing."""

    # -- regions -------------------------------------------------------------

    def regions(self) -> pd.DataFrame:
        areas, counties, code = self.p.areas, self.p.counties, self.p.code
        self.area_id = areas["id"].to_numpy(dtype=object)
        self.area_name = areas["name"].to_numpy(dtype=object)
        self.area_xy = areas[["x_km", "y_km"]].to_numpy(dtype=np.float64)
        self.county_id = counties["id"].to_numpy(dtype=object)
        self.county_name = counties["name"].to_numpy(dtype=object)
        self.county_area = pd.Index(self.area_id).get_indexer(counties["area"])
        self.county_type = counties["type"].to_numpy(dtype=object)
        self.county_key = counties["key"].to_numpy(dtype=bool)
        self.county_towns = counties["towns"].to_numpy(dtype=np.float64)
        self.county_xy = counties[["x_km", "y_km"]].to_numpy(dtype=np.float64)
        self.n_areas, self.n_counties = len(areas), len(counties)
        n = 1 + self.n_areas + self.n_counties
        return pd.DataFrame(
            {
                "region_id": _str([code, *self.area_id, *self.county_id]),
                "name": _str([self.p.name, *self.area_name, *self.county_name]),
                "level": _str(
                    ["province"]
                    + ["prefecture"] * self.n_areas
                    + ["county"] * self.n_counties
                ),
                "parent_id": _str(
                    [""] + [code] * self.n_areas + list(self.area_id[self.county_area])
                ),
                "key_county": np.concatenate(
                    [np.zeros(1 + self.n_areas, dtype=bool), self.county_key]
                ),
            },
            index=pd.RangeIndex(n),
        )

    # -- villages ------------------------------------------------------------

    def poor_per_county(self) -> np.ndarray:
        """Poor villages per county: 60% in key counties, 延边's key five heavy."""
        n = self.n_poor
        key, yanbian = self.county_key, self.heavy()
        share = self.p.key_share if key.any() and not key.all() else float(key.any())
        n_key = round(share * n)
        n_yb = round(self.p.heavy_villages / self.p.poor_villages * n)
        towns = self.county_towns
        district = self.county_type == "d"
        zone = self.county_type == "z"
        w_key = towns + 4.0
        w_non = (towns + 2.0) * np.where(district & (towns <= 6), 0.35, 1.0)
        w_non = np.where(zone, 2.5, w_non) * np.where(yanbian, 1.5, 1.0)
        out = np.zeros(self.n_counties, dtype=np.int64)
        out += _apportion(n_yb, np.where(key & yanbian, w_key, 0.0))
        out += _apportion(n_key - n_yb, np.where(key & ~yanbian, w_key, 0.0))
        out += _apportion(n - n_key, np.where(~key, w_non, 0.0))
        # at least one poor village per prefecture-level area (small instances)
        for a in range(self.n_areas):
            mine = np.flatnonzero(self.county_area == a)
            if out[mine].sum() == 0:
                per_area = np.bincount(
                    self.county_area, weights=out, minlength=self.n_areas
                )
                donors = np.flatnonzero(per_area[self.county_area] > 1)
                donor = donors[np.argmax(out[donors])]
                out[donor] -= 1
                out[mine[np.argmax(np.where(key[mine], w_key[mine], w_non[mine]))]] += 1
        return out

    def area_index(self, area_id: str) -> int:
        return int(np.flatnonzero(self.area_id == area_id)[0])

    def heavy(self) -> np.ndarray:
        """Counties of the heavy area (延边 in Jilin; none elsewhere)."""
        if not self.p.heavy_area:
            return np.zeros(self.n_counties, dtype=bool)
        return self.county_area == self.area_index(self.p.heavy_area)

    def villages(self) -> None:
        rng = self.rng
        full = self.p.poor_villages * self.H / self.p.households
        self.n_poor = max(12, self.n_areas, round(full))
        poor_c = self.poor_per_county()
        n_non = round(NONPOOR_PER_POOR * self.n_poor)
        w = (np.nan_to_num(self.county_towns, nan=2.0) + 1.0) * np.where(
            self.county_type == "d", 0.5, 1.0
        )
        non_c = _apportion(n_non, w)
        # villages ordered by county, poor ones first
        county = np.concatenate(
            [
                np.repeat(np.arange(self.n_counties), poor_c),
                np.repeat(np.arange(self.n_counties), non_c),
            ]
        )
        poor = np.concatenate(
            [np.ones(poor_c.sum(), bool), np.zeros(non_c.sum(), bool)]
        )
        order = np.lexsort((~poor, county))
        self.v_county, self.v_poor = county[order], poor[order]
        nv = len(self.v_county)
        self.v_area = self.county_area[self.v_county]
        self.v_key = self.county_key[self.v_county]
        # positions: near the county seat, spread with the county's size
        spread = 4.0 + 3.0 * np.sqrt(np.nan_to_num(self.county_towns, nan=2.0))
        spread = np.where(self.county_type == "d", spread * 0.6, spread)
        self.v_xy = (
            self.county_xy[self.v_county]
            + rng.normal(size=(nv, 2)) * spread[self.v_county, None]
        )
        # latent depth of poverty: key counties and 延边 heavier
        yb = self.heavy()[self.v_county]
        self.v_depth = (
            rng.lognormal(0.0, 0.25, nv)
            * np.where(self.v_key, 1.3, 1.0)
            * np.where(yb, 1.1, 1.0)
        )
        self.poor_idx = np.flatnonzero(self.v_poor)

    # -- reference pairing, tier by tier ----------------------------------------

    def province_reference(self) -> np.ndarray:
        """Poor villages the province tier takes in the reference (≥ 50% key)."""
        rng = self.rng
        n_prov = max(1, round(PROVINCE_VILLAGES / JILIN_POOR_VILLAGES * self.n_poor))
        key = self.poor_idx[self.v_key[self.poor_idx]]
        non = self.poor_idx[~self.v_key[self.poor_idx]]
        n_key = min(len(key), max(math.ceil(0.5 * n_prov), round(0.62 * n_prov)))
        n_non = min(len(non), n_prov - n_key)
        n_key = min(len(key), n_prov - n_non)  # few non-key villages: key takes them

        def pick(idx: np.ndarray, k: int) -> np.ndarray:
            if k <= 0:
                return np.zeros(0, dtype=np.int64)
            p = self.v_depth[idx] ** 2
            return rng.choice(idx, size=k, replace=False, p=p / p.sum())

        return np.sort(np.concatenate([pick(key, n_key), pick(non, n_non)]))
