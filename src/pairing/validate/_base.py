"""What every rule group of the validator shares: the found list and the plan state.

:class:`Found` collects the violations (the first :data:`LIMIT` of each kind
listed, the rest counted); :class:`State` holds one plan's tables read
against the instance's, and the positions that the rule groups hand on to
each other (the lead pairs, the household rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import Raw
from .partial import listed_uncovered
from .report import Violation

LIMIT = 100
"""Violations listed per kind of problem; the rest are counted."""

TOL = 1e-9
"""Tolerance of severity and share comparisons."""


Entry = tuple[tuple[Any, ...], str]
"""A violation's ids and message, as :meth:`Found.each` makes them."""


class Found:
    """The violations found, the first :data:`LIMIT` of each kind listed."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.unlisted: Counter[str] = Counter()

    def add(self, rule: str, ids: Iterable[Any], message: str) -> None:
        self.violations.append(Violation(rule, tuple(str(i) for i in ids), message))

    def each(
        self,
        rule: str,
        positions: np.ndarray,
        make: Callable[[int], Entry],
    ) -> None:
        """One violation per position (the first :data:`LIMIT`), counting the rest."""
        positions = np.asarray(positions)
        for i in positions[:LIMIT]:
            ids, message = make(int(i))
            self.add(rule, ids, message)
        if len(positions) > LIMIT:
            self.unlisted[rule] += len(positions) - LIMIT


def num(x: float) -> str:
    """A figure as messages print it (four significant digits, or an integer)."""
    return f"{x:,.4g}" if isinstance(x, float) else f"{x:,}"


class State:
    """One plan's tables against the instance; the rule groups' shared positions."""

    vp_v: np.ndarray
    """Per ``village_pairs`` row: the village's position (-1: unknown)."""
    vp_u: np.ndarray
    """Per ``village_pairs`` row: the unit's position (-1: unknown)."""
    lead_rows: np.ndarray
    """The ``village_pairs`` rows of role ``lead``."""
    leads: pd.DataFrame
    """The usable lead pairs (``v``, ``u``), distinct."""
    lead_of: np.ndarray
    """Per village: its single lead unit (-1: none or several)."""
    hc: pd.DataFrame
    """Household rows covered by a cadre (``h``, ``c``, ``v``)."""
    hl: pd.DataFrame
    """Household rows covered by a leader (``h``, ``l``, ``v``)."""

    def __init__(
        self,
        raw: Raw,
        tables: dict[str, pd.DataFrame],
        found: Found,
        *,
        has_tier: bool = True,
        has_head: bool = True,
    ) -> None:
        self.raw = raw
        self.t = tables
        self.found = found
        self.has_tier = has_tier
        self.has_head = has_head
        self.vid = raw.v_index.to_numpy(dtype=object)
        self.uid = raw.u_index.to_numpy(dtype=object)
        self.cid = raw.c_index.to_numpy(dtype=object)
        self.hid = raw.h_index.to_numpy(dtype=object)
        self.lid = raw.l_index.to_numpy(dtype=object)
        self.rid = raw.r_index.to_numpy(dtype=object)
        # a partial plan lists what it leaves uncovered (R1, R15)
        self.listed: dict[str, np.ndarray] = listed_uncovered(raw, tables)
        self.left: dict[str, int] = {}
