"""The :class:`Province` description and :data:`JILIN`, the default province."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._helpers import _km, _read
from .calibration import (
    AREAS,
    CHANGCHUN_SEAT,
    COUNTIES,
    JILIN_HOUSEHOLDS,
    JILIN_POOR_VILLAGES,
    KEY_SHARE,
    MEMBERS_P,
    PROVINCE_ID,
    YANBIAN,
    YANBIAN_KEY_VILLAGES,
)


@dataclass(frozen=True, eq=False)
class Province:
    """What the generator knows of a province: its divisions and its size.

    The default, :data:`JILIN`, is Jilin in December 2015 (the embedded
    divisions, 1,500 poor villages, 430,000 poor households). Any other
    province (:mod:`pairing.national`) gives its own region tree and figures;
    everything else — units per tier, cadres, leaders, teams, claims — is
    calibrated as for Jilin and scales with ``households / 430,000``.

    Attributes
    ----------
    code, name
        The province's region id (GB/T 2260, e.g. ``"220000"``) and name.
    households, poor_villages
        Its full-size poor households and poor villages; ``generate`` scales
        the villages with the households asked for.
    areas
        Prefecture-level areas: ``id``, ``name``, ``x_km``, ``y_km`` (seat).
    counties
        County-level divisions: ``id``, ``name``, ``area`` (an area id),
        ``type`` (``d`` urban district, ``c`` county or city, ``z`` zone),
        ``key`` (bool, key county), ``towns`` (towns and townships),
        ``x_km``, ``y_km`` (seat).
    centre
        The county whose seat the province-tier and social units sit near.
    key_share
        Share of the poor villages in key counties (Jilin 0.6).
    heavy_area, heavy_villages
        An area whose key counties hold ``heavy_villages`` of the full-size
        poor villages, with deeper poverty (Jilin: 延边, 304); none when empty.
    members_p
        Probabilities of 1, 2, 3, 4 and 5 household members.
    key_county_leaders
        Province-tier leaders covering key counties (R7): one per key county
        when None (Jilin's 15), else this many, for the key counties with the
        most poor villages (the others stay uncovered, as R7 allows).
    """

    code: str
    name: str
    households: int
    poor_villages: int
    areas: pd.DataFrame
    counties: pd.DataFrame
    centre: str
    key_share: float = KEY_SHARE
    heavy_area: str = ""
    heavy_villages: int = 0
    members_p: tuple[float, ...] = tuple(MEMBERS_P.tolist())
    key_county_leaders: int | None = None


def _jilin() -> Province:
    areas = _read(AREAS, ["id", "name", "lon", "lat"])
    counties = _read(
        COUNTIES, ["id", "name", "area", "type", "key", "towns", "lon", "lat"]
    )
    for df in (areas, counties):
        df["x_km"], df["y_km"] = _km(
            df["lon"].astype(float).to_numpy(), df["lat"].astype(float).to_numpy()
        )
    counties["key"] = counties["key"] == "1"
    counties["towns"] = counties["towns"].astype(float)
    return Province(
        code=PROVINCE_ID,
        name="吉林省",
        households=JILIN_HOUSEHOLDS,
        poor_villages=JILIN_POOR_VILLAGES,
        areas=areas.drop(columns=["lon", "lat"]),
        counties=counties.drop(columns=["lon", "lat"]),
        centre=CHANGCHUN_SEAT,
        heavy_area=YANBIAN,
        heavy_villages=YANBIAN_KEY_VILLAGES,
    )


JILIN: Province = _jilin()
"""Jilin, December 2015: the default province of :func:`generate`."""
