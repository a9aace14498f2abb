"""Synthetic region trees for the national set, one per province.

Jilin keeps its real divisions (:data:`pairing.generate.JILIN`). Every other
province gets a synthetic tree with its real *shape*: as many
prefecture-level areas as it had in the GB/T 2260 code list of 2015-12, each
with as many county-level divisions as it had there (counted from that list;
:data:`COUNTY_COUNTS`). County-level divisions directly under a province
(Henan's 济源, Hubei's four, Hainan's fifteen, Xinjiang's eight) form one
area; Chongqing's 38 are grouped like its four functional zones of 2013
(9, 12, 11, 6), since the contract needs a prefecture level.

Everything else is drawn from a generator seeded by the province code alone,
so a province's tree is the same for every seed and share:

* ids in GB/T 2260 style: prefecture ``PPAA00``, county ``PPAACC`` (province
  code, two-digit area, two-digit county: urban districts from 01, counties
  from 21); names ``贵州03市`` and ``贵州03市22县`` (synthetic, no real place);
* in each area with 2 or more counties, the first 30% (rounded, at least 1)
  are urban districts; towns and townships per county U{2..8} for districts,
  U{8..22} otherwise (Jilin's counties have 1–24, median 11);
* key counties: the province's poverty counties (published count, else 35%
  of its counties), drawn among the non-district counties first, weighted
  by towns;
* 15 province-tier leaders cover key counties (Jilin's number), the key
  counties with the most poor villages (R7 lets the others go uncovered);
* seats on a jittered grid about 70 km per county (Jilin: 610 × 520 km for
  63 counties), counties around their area's seat; the province-tier units
  sit at the first area's first district (the capital).

Examples
--------
>>> p = province("520000")
>>> p.name, len(p.areas), len(p.counties), int(p.counties["key"].sum())
('贵州省', 9, 88, 50)
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd

from ..generate import JILIN, KEY_SHARE, MEMBERS_P, Province
from .counties import COUNTY_COUNTS, county_counts
from .figures import resolve

__all__ = ["COUNTY_COUNTS", "county_counts", "members_p", "province"]

DIRECT = {"410000", "420000", "460000", "650000"}
"""Provinces whose last area groups the county-level divisions under the province."""
KEY_COUNTY_LEADERS = 15
"""Province-tier leaders covering key counties: Jilin's 15 (a province has
some 30-40 province-level leaders whatever its size)."""
KM_PER_COUNTY = 70.0
"""Side of the square a county takes on the synthetic map."""


def members_p(mean: float) -> tuple[float, ...]:
    """Household sizes 1–5 with the given mean: Jilin's prior tilted by e^(θk).

    Examples
    --------
    >>> p = members_p(3.04)
    >>> round(sum(k * q for k, q in zip(range(1, 6), p)), 2)
    3.04
    """
    k = np.arange(1, 6, dtype=np.float64)
    lo, hi = -5.0, 5.0
    for _ in range(80):  # bisection on θ: the mean grows with θ
        theta = (lo + hi) / 2
        q = MEMBERS_P * np.exp(theta * k)
        if (k * q).sum() / q.sum() < mean:
            lo = theta
        else:
            hi = theta
    q = MEMBERS_P * np.exp(lo * k)
    return tuple((q / q.sum()).tolist())


@cache
def province(code: str) -> Province:
    """The province's generator description at full size.

    Jilin is :data:`pairing.generate.JILIN` (real divisions, the seed's
    figures); any other of the 22 gets the synthetic tree of the module doc
    and the figures of :func:`pairing.national.figures.resolve`.

    Raises
    ------
    KeyError
        When ``code`` is not one of the 22 provinces.

    Examples
    --------
    >>> p = province("540000")
    >>> p.name, len(p.areas), len(p.counties), p.key_share
    ('西藏自治区', 7, 74, 1.0)
    """
    fig = {f.code: f for f in resolve()}[code]
    if code == JILIN.code:
        return JILIN
    areas, counties = _tree(code, fig.short, fig.key_counties)
    n_key, n = int(counties["key"].sum()), len(counties)
    return Province(
        code=code,
        name=fig.name,
        households=fig.households,
        poor_villages=fig.villages,
        areas=areas,
        counties=counties,
        centre=str(counties["id"].iloc[0]),
        key_share=_key_share(n_key / n),
        members_p=members_p(fig.people / fig.households),
        key_county_leaders=KEY_COUNTY_LEADERS,
    )


def _key_share(key_fraction: float) -> float:
    """Share of poor villages in key counties: Jilin's 60% for its 15 of 63
    key counties, rising to all when every county is key."""
    jilin = int(JILIN.counties["key"].sum()) / len(JILIN.counties)
    return float(min(1.0, 1 - (1 - KEY_SHARE) * (1 - key_fraction) / (1 - jilin)))


def _tree(code: str, short: str, n_key: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(int(code))
    sizes = COUNTY_COUNTS[code]
    n_areas = len(sizes)
    side = KM_PER_COUNTY * math.sqrt(sum(sizes))
    cols = math.ceil(math.sqrt(n_areas))
    cell = side / cols
    grid = np.array([(i % cols, i // cols) for i in range(n_areas)], dtype=float)
    area_xy = (grid + 0.5) * cell + rng.uniform(-0.2, 0.2, (n_areas, 2)) * cell
    pp = code[:2]
    a_ids = [f"{pp}{a + 1:02d}00" for a in range(n_areas)]
    a_names = [f"{short}{a + 1:02d}市" for a in range(n_areas)]
    if code in DIRECT:
        a_names[-1] = f"{short}省直辖县级行政区"
    rows = []
    for a, n in enumerate(sizes):
        districts = 0 if (code in DIRECT and a == n_areas - 1) or n < 2 else (
            min(n - 1, max(1, round(0.3 * n)))
        )  # fmt: skip
        spread = 25.0 * math.sqrt(n)
        for c in range(n):
            d = c < districts
            number = c + 1 if d else 21 + c - districts
            rows.append(
                {
                    "id": f"{pp}{a + 1:02d}{number:02d}",
                    "name": f"{a_names[a]}{number:02d}{'区' if d else '县'}",
                    "area": a_ids[a],
                    "type": "d" if d else "c",
                    "towns": float(rng.integers(2, 9) if d else rng.integers(8, 23)),
                    "x_km": area_xy[a, 0] + rng.normal(0, spread * (0.3 if d else 1)),
                    "y_km": area_xy[a, 1] + rng.normal(0, spread * (0.3 if d else 1)),
                }
            )
    counties = pd.DataFrame(rows)
    counties["key"] = _key_counties(counties, n_key, rng)
    for col in ("x_km", "y_km"):
        counties[col] = counties[col].round(2)
    areas = pd.DataFrame(
        {
            "id": a_ids,
            "name": a_names,
            "x_km": area_xy[:, 0].round(2),
            "y_km": area_xy[:, 1].round(2),
        }
    )
    return areas, counties


def _key_counties(
    counties: pd.DataFrame, n_key: int, rng: np.random.Generator
) -> np.ndarray:
    """``n_key`` key counties: non-districts first, weighted by towns."""
    key = np.zeros(len(counties), dtype=bool)
    rural = np.flatnonzero(counties["type"].to_numpy() != "d")
    urban = np.flatnonzero(counties["type"].to_numpy() == "d")
    for pool in (rural, urban):
        k = min(len(pool), n_key - int(key.sum()))
        if k <= 0:
            break
        w = counties["towns"].to_numpy()[pool]
        key[rng.choice(pool, size=k, replace=False, p=w / w.sum())] = True
    return key
