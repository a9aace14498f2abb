"""County-level divisions per prefecture-level area of each province.

Counted from the GB/T 2260 code list of 2015-12; the national set's figures
(:mod:`pairing.national.figures`) and its synthetic region trees
(:mod:`pairing.national.divisions`) both read them, so they sit below both.

Examples
--------
>>> county_counts()["520000"], len(COUNTY_COUNTS["520000"])
(88, 9)
"""

from __future__ import annotations

from ..generate import JILIN

__all__ = ["COUNTY_COUNTS", "county_counts"]

COUNTY_COUNTS: dict[str, tuple[int, ...]] = {
    "130000": (22, 14, 7, 19, 19, 25, 17, 11, 16, 10, 11),
    "140000": (10, 11, 5, 13, 6, 6, 11, 13, 14, 17, 13),
    "150000": (9, 9, 3, 12, 8, 8, 14, 7, 11, 6, 12, 3),
    "230000": (18, 16, 9, 8, 8, 9, 17, 10, 4, 10, 6, 10, 3),
    "340000": (9, 8, 7, 7, 6, 4, 4, 10, 7, 8, 8, 5, 7, 4, 4, 7),
    "360000": (9, 4, 5, 13, 2, 3, 18, 13, 10, 11, 12),
    "410000": (12, 9, 15, 10, 9, 5, 12, 10, 6, 6, 5, 6, 13, 9, 10, 10, 10, 1),
    "420000": (13, 6, 8, 13, 9, 3, 5, 7, 8, 10, 6, 3, 8, 4),
    "430000": (9, 9, 5, 12, 12, 9, 9, 4, 6, 11, 11, 12, 5, 8),
    "450000": (12, 10, 17, 7, 4, 4, 4, 5, 7, 12, 4, 11, 6, 7),
    "460000": (4, 4, 1, 15),
    "500000": (9, 12, 11, 6),
    "510000": (19, 6, 5, 7, 6, 9, 7, 5, 5, 11, 9, 6, 10, 6, 7, 8, 5, 4, 13, 18, 17),
    "520000": (10, 4, 14, 6, 8, 10, 8, 16, 12),
    "530000": (14, 9, 9, 5, 11, 5, 10, 8, 10, 13, 8, 3, 12, 5, 4, 3),
    "540000": (8, 18, 11, 7, 12, 11, 7),
    "610000": (13, 4, 12, 14, 11, 13, 11, 12, 10, 7),
    "620000": (8, 1, 2, 5, 7, 4, 6, 7, 7, 8, 7, 9, 8, 8),
    "630000": (7, 6, 4, 4, 5, 6, 6, 5),
    "640000": (6, 3, 5, 5, 3),
    "650000": (8, 4, 3, 3, 7, 4, 9, 9, 4, 12, 8, 11, 7, 7, 8),
}
"""County-level divisions per prefecture-level area, by province (2015-12)."""


def county_counts() -> dict[str, int]:
    """County-level divisions per province code (Jilin's real 63 included)."""
    out = {code: sum(n) for code, n in COUNTY_COUNTS.items()}
    out[JILIN.code] = len(JILIN.counties)
    return out
