"""The soft-rule figures (R9–R13) of a plan as a typed, read-only value.

:class:`SoftFigures` is ``summary.json``'s ``soft`` object: the headline
figures as typed fields, the whole detail as a read-only mapping, and
``str()`` the "Soft rules" block the plan and validation summaries print.
It is part of :class:`pairing.result.SolveResult` (and importable from
:mod:`pairing.result`, as before).

Examples
--------
>>> from pairing.soft_figures import SoftFigures
>>> SoftFigures.from_dict({"R11": {"kept": 2, "keepable": 3}}).continuity_kept
2
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._coerce import as_float as _float
from ._coerce import as_int as _int
from ._coerce import as_map as _map
from ._frozen import FrozenDict, freeze, thaw

__all__ = ["SoftFigures"]


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * float(value):.2f}%"


@dataclass(frozen=True, eq=False)
class SoftFigures(Mapping[str, Any]):
    """The soft-rule figures (R9–R13) of a plan.

    The headline figures are typed fields; :attr:`detail` holds everything
    :func:`pairing.metrics.soft_figures` computes (``summary.json``'s
    ``soft``), read-only, and the object itself reads as that mapping
    (``figures["R9"]``). ``str()`` gives the "Soft rules" block that
    :meth:`pairing.Plan.summary` and :meth:`pairing.ValidationReport.summary`
    print.

    Attributes
    ----------
    inverted_share
        R9: share of cross-tier village pairs of a prefecture where the
        higher tier's village is lighter.
    strength_severity_by_tier
        R10: Spearman correlation per tier of unit strength with the
        severity it leads.
    rank_severity
        R10: Spearman correlation of cadre rank with household severity.
    continuity_kept, continuity_keepable
        R11: resident teams whose unit leads their village, of those that
        could.
    mean_load_active, mean_load, max_load, idle_while_full, mean_travel_km
        R12: households per responsible cadre (per cadre of any load), the
        largest load, cadres idle while a peer is full, mean travel.
    claims_honoured, claims
        R13: social units' claims honoured, of those made.
    detail
        Every figure, as plain read-only data.

    Examples
    --------
    >>> f = SoftFigures.from_dict({"R13": {"claims": 4, "honoured": 3}})
    >>> f.claims_honoured, f["R13"]["claims"]
    (3, 4)
    >>> print(f)
    Soft rules
    ----------
      R13 claims honoured 3 of 4
    """

    inverted_share: float | None = None
    strength_severity_by_tier: Mapping[str, float | None] = field(
        default_factory=FrozenDict
    )
    rank_severity: float | None = None
    continuity_kept: int | None = None
    continuity_keepable: int | None = None
    mean_load_active: float | None = None
    mean_load: float | None = None
    max_load: int | None = None
    idle_while_full: int | None = None
    mean_travel_km: float | None = None
    claims_honoured: int | None = None
    claims: int | None = None
    detail: Mapping[str, Any] = field(default_factory=FrozenDict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SoftFigures:
        """The figures of a ``soft`` mapping (any part may be missing)."""
        d = freeze(dict(data or {}))
        r9, r10, r11, r12, r13 = (
            _map(d.get(k)) for k in ("R9", "R10", "R11", "R12", "R13")
        )
        return cls(
            inverted_share=_float(r9.get("inverted_share")),
            strength_severity_by_tier=FrozenDict(
                {
                    str(k): _float(v)
                    for k, v in _map(r10.get("strength_severity_by_tier")).items()
                }
            ),
            rank_severity=_float(r10.get("rank_severity")),
            continuity_kept=_int(r11.get("kept")),
            continuity_keepable=_int(r11.get("keepable")),
            mean_load_active=_float(r12.get("mean_load_active")),
            mean_load=_float(r12.get("mean_load")),
            max_load=_int(r12.get("max_load")),
            idle_while_full=_int(r12.get("idle_while_full")),
            mean_travel_km=_float(r12.get("mean_travel_km")),
            claims_honoured=_int(r13.get("honoured")),
            claims=_int(r13.get("claims")),
            detail=d,
        )

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain, editable data (``summary.json``'s ``soft``)."""
        out: dict[str, Any] = thaw(self.detail)
        return out

    # -- the mapping: the detail ---------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self.detail[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.detail)

    def __len__(self) -> int:
        return len(self.detail)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SoftFigures):
            return dict(self.detail) == dict(other.detail)
        if isinstance(other, Mapping):
            return dict(self.detail) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        d = self.detail
        lines = ["Soft rules", "----------"]
        if d.get("R9"):
            lines.append(
                "  R9  inverted pairs (lighter village at a higher tier): "
                f"{_pct(self.inverted_share)}"
            )
        if d.get("R10"):
            per_tier = self.strength_severity_by_tier
            tiers = ", ".join(f"{t} {_num(v)}" for t, v in per_tier.items())
            lines.append(f"  R10 Spearman strength~severity: {tiers or 'n/a'}")
            lines.append(
                "      Spearman cadre rank~household severity: "
                f"{_num(self.rank_severity)}"
            )
        if d.get("R11"):
            lines.append(
                f"  R11 continuity kept {self.continuity_kept or 0:,} of "
                f"{self.continuity_keepable or 0:,} keepable"
            )
        if d.get("R12"):
            lines.append(
                f"  R12 load per responsible cadre {_num(self.mean_load_active)} "
                f"(all cadres {_num(self.mean_load)}), max {_num(self.max_load)}, "
                f"idle-while-full {_num(self.idle_while_full)}, travel "
                f"{_num(self.mean_travel_km)} km"
            )
        if d.get("R13"):
            lines.append(
                f"  R13 claims honoured {self.claims_honoured or 0:,} of "
                f"{self.claims or 0:,}"
            )
        if "error" in d:
            lines.append(f"  (not computed: {d['error']})")
        return "\n".join(lines) if len(lines) > 2 else ""
