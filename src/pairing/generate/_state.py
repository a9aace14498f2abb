"""The state one generation run shares between its table builders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import JILIN_HOUSEHOLDS
from .province import Province


class _State:
    """One generation run's arguments, random generator and shared arrays.

    The builders (one per group of tables) subclass it in the order the
    tables are drawn: places, households, units, people; all draw from the
    one ``rng`` in that order, so the tables depend only on the arguments.
    """

    village_ids: pd.Series
    """Set by the assembly once villages are drawn (``V000001`` …)."""
    unit_ids: pd.Series
    unit_rows: list[dict]
    ref_unit: np.ndarray
    ref_province: np.ndarray

    def __init__(
        self,
        households: int,
        seed: int,
        scattered_share: float,
        slack: float,
        short_counties: int,
        province: Province,
    ) -> None:
        self.p = province
        self.H = int(households)
        self.scale = self.H / JILIN_HOUSEHOLDS
        self.rng = np.random.default_rng(seed)
        self.scattered_share = scattered_share
        self.slack = slack
        self.short_counties = short_counties
