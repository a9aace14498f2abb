"""One generation run: every table, drawn in order, and the reference pairing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instance import Instance
from ..rules import Rules
from ._helpers import _ids, _str
from ._people import _People


class _Builder(_People):
    """One generation run: draws tables step by step from one generator."""

    # -- assembly ------------------------------------------------------------

    def build(self) -> tuple[Instance, pd.DataFrame]:
        regions = self.regions()
        self.villages()
        self.village_ids = _ids("V", len(self.v_county), 6)
        self.ref_province = self.province_reference()
        households = self.households()
        nv = len(self.v_county)
        within = (
            pd.Series(self.v_county).groupby(self.v_county).cumcount().to_numpy() + 1
        )
        names = (
            pd.Series(self.county_name[self.v_county]).astype("str")
            + pd.Series(within).astype("str").str.zfill(3)
            + "村"
        )
        villages = pd.DataFrame(
            {
                "village_id": self.village_ids,
                "county_id": _str(self.county_id[self.v_county]),
                "name": names.astype("str"),
                "poor": self.v_poor.copy(),
                "severity": self.v_severity.astype(np.float64),
                "x_km": np.round(self.v_xy[:, 0], 2),
                "y_km": np.round(self.v_xy[:, 1], 2),
            },
            index=pd.RangeIndex(nv),
        )
        self.units()
        units = self.units_table()
        cadres = self.cadres()
        strength = self.n_cadres * self.rng.lognormal(0.0, 0.1, len(self.n_cadres))
        units["strength"] = np.round(np.maximum(strength, 1.0), 1)
        tables = {
            "regions": regions,
            "villages": villages,
            "households": households,
            "units": units,
            "cadres": cadres,
            "leaders": self.leaders(),
            "resident_teams": self.resident_teams(),
            "claims": self.claims(),
        }
        ref = self.ref_unit[self.poor_idx]
        tier = np.array([r["tier"] for r in self.unit_rows], dtype=object)
        reference = pd.DataFrame(
            {
                "village_id": _str(self.village_ids.to_numpy()[self.poor_idx]),
                "unit_id": _str(self.unit_ids.to_numpy()[ref]),
                "tier": _str(tier[ref]),
            }
        )
        return Instance(tables, Rules()), reference
