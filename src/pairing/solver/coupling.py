"""Data of the village stage's coupling rows: R3 overflow and R6 share.

:func:`_r3_rows` turns the scattered households of each county and the
county- and prefecture-tier capacities into R3's rows over the candidate
pairs; :func:`_share` writes R6's share as a fraction that is never looser.
:mod:`.candidates` re-exports both.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..instance import BoolArray, Instance, IntArray


def _share(share: float) -> tuple[int, int]:
    """R6 share as ``num / den`` with ``num / den >= share`` (never looser)."""
    f = Fraction(share).limit_denominator(10_000)
    if f < share:
        f = Fraction(math.ceil(share * 10_000), 10_000)
    return f.numerator, f.denominator


def _r6_rows(instance: Instance, can_lead: BoolArray) -> dict[str, Any]:
    """R6's data: the :class:`~.candidates.Candidates` fields ``key_total``,
    ``r6_num``, ``r6_den`` and ``r6_all_possible`` (whether the province units
    able to lead, ``can_lead``, could lead every key-county poor village)."""
    key_total = int(instance.v_key[instance.poor_villages].sum())
    num, den = _share(instance.rules.province_key_county_share)
    prov_max = int(instance.u_max[can_lead & (instance.u_tier == 0)].sum())
    return {
        "key_total": key_total,
        "r6_num": num,
        "r6_den": den,
        "r6_all_possible": key_total <= prov_max,
    }


def _tier_caps(instance: Instance, caps: IntArray) -> tuple[IntArray, IntArray]:
    """Capacity of the county and the prefecture tier per region index (R3)."""
    n_r = len(instance.regions)
    tier, region = instance.u_tier, instance.u_region
    county_units, pref_units = tier == 2, tier == 1
    county = np.bincount(
        region[county_units], weights=caps[county_units], minlength=n_r
    )
    pref = np.bincount(region[pref_units], weights=caps[pref_units], minlength=n_r)
    return county.astype(np.int64), pref.astype(np.int64)


def _r3_caps(
    instance: Instance,
    scattered: IntArray,
    cap: IntArray,
    floor: IntArray | None,
    reserve: float,
) -> tuple[IntArray, IntArray]:
    """County- and prefecture-tier capacity R3's rows use, per region index.

    The full capacities (held up to the pinned load ``floor``), or with an R14
    ``reserve`` the reduced capacities ``cap`` in each prefecture where its
    scattered households still fit them.
    """
    full_caps = instance.u_capacity.astype(np.int64)
    county_cap, pref_cap = _tier_caps(
        instance, full_caps if floor is None else np.maximum(full_caps, floor)
    )
    if reserve > 0:  # R14: the reserve in R3's rows too, per prefecture where it fits
        n_r = len(instance.regions)
        county_red, pref_red = _tier_caps(instance, cap)
        pref_of = instance.r_prefecture
        least = np.maximum(0, scattered - county_red)  # overflow with no village
        counties = np.flatnonzero(pref_of >= 0)
        spill = np.bincount(pref_of[counties], weights=least[counties], minlength=n_r)
        fits = spill <= pref_red
        county_fits = np.where(pref_of >= 0, fits[np.maximum(pref_of, 0)], False)
        county_cap = np.where(county_fits, county_red, county_cap)
        pref_cap = np.where(fits, pref_red, pref_cap)
    return county_cap, pref_cap


def _r3_rows(
    instance: Instance,
    pu: IntArray,
    cap: IntArray,
    floor: IntArray | None,
    reserve: float,
) -> dict[str, Any]:
    """R3's rows: the :class:`~.candidates.Candidates` fields named ``r3_*``
    and ``pref_cap``, for the pairs' units ``pu``.

    One row per county with scattered households (right-hand side
    ``S_c - county-tier capacity``), entered by the county-tier pairs of the
    county and by the prefecture-tier pairs of a prefecture with such a county.
    """
    n_r = len(instance.regions)
    tier, region = instance.u_tier, instance.u_region
    hs = instance.h_scattered
    scattered = np.bincount(instance.h_county[hs], minlength=n_r).astype(np.int64)
    county_cap, pref_cap = _r3_caps(instance, scattered, cap, floor, reserve)
    r3_county = np.flatnonzero(scattered > 0)
    r3_pref = instance.r_prefecture[r3_county]
    pos = np.full(n_r, -1, dtype=np.int64)
    pos[r3_county] = np.arange(len(r3_county))
    has_overflow = np.zeros(n_r, dtype=bool)
    has_overflow[r3_pref[r3_pref >= 0]] = True
    return {
        "r3_county": r3_county,
        "r3_rhs": scattered[r3_county] - county_cap[r3_county],
        "r3_scattered": scattered[r3_county],
        "r3_pref": r3_pref,
        "pref_cap": pref_cap,
        "r3_county_of_pair": np.where(tier[pu] == 2, pos[region[pu]], -1),
        "r3_pref_of_pair": np.where(
            (tier[pu] == 1) & has_overflow[region[pu]], region[pu], -1
        ),
    }
