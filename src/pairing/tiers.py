"""Tier codes and names: one meaning for ``0``, ``1``, ``2`` and ``3``.

Units belong to a tier (R1, R2): the province, a prefecture, a county, or
``social`` (social units never lead a village). Regions have the first three
as their level. :class:`pairing.Instance` codes ``u_tier`` and ``r_level`` by
the position of the name in :data:`TIER_NAMES`, which is :class:`Tier`'s
value, so code compares ``instance.u_tier == Tier.PROVINCE`` and never a bare
``0``.

Examples
--------
>>> from pairing.tiers import Tier, TIER_NAMES
>>> Tier.PREFECTURE == 1, Tier.COUNTY.label
(True, 'county')
>>> TIER_NAMES[Tier.SOCIAL]
'social'
>>> Tier.from_name("province") is Tier.PROVINCE
True
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["LEAD_TIERS", "LEVEL_NAMES", "TIER_NAMES", "Tier"]


class Tier(IntEnum):
    """A unit's tier, or a region's level (R1, R2), highest first."""

    PROVINCE = 0
    PREFECTURE = 1
    COUNTY = 2
    SOCIAL = 3
    """Social units (R13): never a village's lead unit, never a region level."""

    @property
    def label(self) -> str:
        """The tier's name in the data contract (``"province"`` …)."""
        return TIER_NAMES[self]

    @classmethod
    def from_name(cls, name: str) -> Tier:
        """The tier named ``name`` in the data contract."""
        return cls(TIER_NAMES.index(name))


TIER_NAMES: tuple[str, ...] = ("province", "prefecture", "county", "social")
"""Unit tiers as the data contract spells them, indexed by :class:`Tier`."""

LEVEL_NAMES: tuple[str, ...] = TIER_NAMES[:3]
"""Region levels (and the tiers that lead villages): province, prefecture,
county, indexed by :class:`Tier`."""

LEAD_TIERS: tuple[Tier, ...] = (Tier.PROVINCE, Tier.PREFECTURE, Tier.COUNTY)
"""The tiers whose units lead villages (R1); social units only claim (R13)."""
