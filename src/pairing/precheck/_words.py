"""Words shared by the pre-checks' messages."""

from __future__ import annotations

import math

from ..solver.counts import Counts


def _n(x: int) -> str:
    return f"{int(x):,}"


def _cadres_for(c: Counts, households: int) -> str:
    per = max(1, c.rules.max_households)
    n = math.ceil(households / per)
    return f"e.g. {_n(n)} cadre{'s' if n != 1 else ''} at {per}"
