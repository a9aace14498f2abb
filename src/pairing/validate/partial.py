"""Partial plans: what a plan's ``uncovered`` table lists (R1, R15).

A partial plan names the poor villages and households it leaves uncovered.
The coverage checks (R1) count a listed village or household as left, not as
a violation, and report a listed one that is in fact covered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..metrics import Raw


def listed_uncovered(
    raw: Raw, tables: dict[str, pd.DataFrame]
) -> dict[str, np.ndarray]:
    """Per kind (``village``, ``household``): a mask of the rows listed uncovered."""
    un = tables.get("uncovered")
    listed: dict[str, np.ndarray] = {}
    for kind, index in (("village", raw.v_index), ("household", raw.h_index)):
        ids: Any = [] if un is None else un.loc[un["kind"] == kind, "id"]
        pos = index.get_indexer(pd.Index(ids))
        mask = np.zeros(len(index), dtype=bool)
        mask[pos[pos >= 0]] = True
        listed[kind] = mask
    return listed
