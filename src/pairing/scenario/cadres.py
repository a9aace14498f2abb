"""Changes to the cadres (R14): some leave, a share leaves at random, new ones join."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ..rules import Rules
from ._common import _append, _columns, _fail, _ids, _records, _short, _taken, _unknown
from .change import Change


@dataclass(frozen=True)
class CadresLeave(Change):
    """Cadres leave (transfer, retirement): their rows are removed.

    The households they covered lose their responsible person; re-planned
    against a baseline they move, with reason ``cadre_left``.

    Examples
    --------
    >>> CadresLeave(["c1", "c2"]).describe()
    '2 cadre(s) leave: c1, c2'
    """

    cadre_ids: tuple[str, ...]
    kind: ClassVar[str] = "cadres_leave"
    list_field: ClassVar[str | None] = "cadre_ids"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cadre_ids", _ids(self.cadre_ids))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        _fail(
            _unknown(
                label, "cadre_ids", self.cadre_ids, instance.cadre_index, "cadre_id"
            )
        )
        cadres = tables["cadres"]
        tables["cadres"] = cadres[~cadres["cadre_id"].isin(self.cadre_ids)]
        return None

    def describe(self) -> str:
        return f"{len(self.cadre_ids):,} cadre(s) leave: {_short(self.cadre_ids)}"


@dataclass(frozen=True)
class CadresLeaveShare(Change):
    """A share of all cadres leaves, chosen at random (deterministic by ``seed``).

    ``round(share * number of cadres)`` cadres leave, drawn uniformly among the
    cadres who are not their unit's head (``is_head``): a unit's head leaving
    is a reorganisation of the unit, to be stated with :class:`CadresLeave`,
    and R8 wants the head in the kick-off team. With ``include_heads=True``
    heads may be drawn too. The draw depends only on the cadre ids, ``share``
    and ``seed`` (not on row order); :meth:`resolve` names the cadres.

    Examples
    --------
    >>> CadresLeaveShare(0.1, seed=3).describe()
    "10% of cadres (never a unit's head) leave at random (seed 3)"
    """

    share: float
    seed: int = 0
    include_heads: bool = False
    kind: ClassVar[str] = "cadres_leave_share"

    def __post_init__(self) -> None:
        share = float(self.share)
        if not 0.0 <= share <= 1.0:
            raise InputError(
                [
                    Problem(
                        "scenario",
                        self.kind,
                        "share",
                        "a share between 0 and 1",
                        repr(self.share),
                    )
                ]
            )
        object.__setattr__(self, "share", share)
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "include_heads", bool(self.include_heads))

    def chosen(self, instance: Instance) -> tuple[str, ...]:
        """The ids of the cadres who leave, sorted."""
        cadres = instance.cadres
        ids = cadres["cadre_id"].to_numpy(dtype=object)
        eligible = np.ones(len(ids), dtype=bool)
        if not self.include_heads:
            eligible &= ~cadres["is_head"].to_numpy(dtype=bool)
        pool = np.sort(ids[eligible].astype(str))
        k = min(len(pool), int(math.floor(self.share * len(ids) + 0.5)))
        rng = np.random.default_rng(self.seed)
        pick = rng.choice(len(pool), size=k, replace=False)
        return tuple(np.sort(pool[pick]).tolist())

    def resolve(self, instance: Instance) -> CadresLeave:
        """The same change with the cadres named (for audit or saving)."""
        return CadresLeave(self.chosen(instance))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        return self.resolve(instance)._edit(instance, tables, label)

    def describe(self) -> str:
        who = "cadres" if self.include_heads else "cadres (never a unit's head)"
        return f"{100 * self.share:g}% of {who} leave at random (seed {self.seed})"


@dataclass(frozen=True)
class CadresJoin(Change):
    """New cadres join units: ``rows`` of the ``cadres`` table.

    Each row needs ``cadre_id``, ``unit_id`` and ``rank``; ``max_households``
    and ``is_head`` are optional.

    Examples
    --------
    >>> CadresJoin([{"cadre_id": "c9", "unit_id": "u1", "rank": 2}]).describe()
    '1 cadre(s) join unit(s) u1'
    """

    rows: tuple[dict[str, Any], ...]
    kind: ClassVar[str] = "cadres_join"
    list_field: ClassVar[str | None] = "rows"
    id_column: ClassVar[str] = "cadre_id"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _records(self.rows, "cadres"))

    def _edit(
        self, instance: Instance, tables: dict[str, pd.DataFrame], label: str
    ) -> Rules | None:
        new = pd.DataFrame(list(self.rows), columns=_columns(self.rows, "cadres"))
        problems = _unknown(
            label,
            "unit_id",
            [str(u) for u in new["unit_id"]],
            instance.unit_index,
            "unit_id",
        )
        problems += _taken(label, "cadre_id", new["cadre_id"], instance.cadre_index)
        _fail(problems)
        tables["cadres"] = _append(tables["cadres"], new)
        return None

    def describe(self) -> str:
        units = sorted({str(r.get("unit_id", "")) for r in self.rows})
        return f"{len(self.rows):,} cadre(s) join unit(s) {_short(units)}"
