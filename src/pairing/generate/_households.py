"""Builder of the households table (members, causes, scattered households)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._helpers import _apportion, _ids
from ._places import _Places
from .calibration import (
    CAUSE_WEIGHT,
    CAUSES,
    CAUSES_P,
    JILIN_HOUSEHOLDS,
    JILIN_POOR_VILLAGES,
    MEMBERS,
    PROVINCE_HOUSEHOLDS,
    PROVINCE_VILLAGES,
)


class _Households(_Places):
    """Households: drawn per village once the villages are placed."""

    def households(self) -> pd.DataFrame:
        rng = self.rng
        H = self.H
        S = round(H * self.scattered_share)
        P = H - S
        # poor village sizes: lognormal, the province reference group sized so
        # that 201 villages hold 29,903 households at Jilin scale
        sizes = np.zeros(len(self.v_county), dtype=np.int64)
        w = pd.Series(
            np.clip(rng.lognormal(0.0, 0.35, len(self.poor_idx)), 0.6, 2.3),
            index=self.poor_idx,
        )
        prov = self.ref_province
        mean = P / self.n_poor
        jilin_mean = JILIN_HOUSEHOLDS * (1 - 0.38) / JILIN_POOR_VILLAGES
        ratio = PROVINCE_HOUSEHOLDS / PROVINCE_VILLAGES / jilin_mean  # 0.84
        p_total = min(P, round(len(prov) * mean * ratio))
        rest = np.setdiff1d(self.poor_idx, prov)
        # the province tier's units are sized on these villages: half the
        # spread (√ of the weight), so that few units could carry two of the
        # lightest villages instead of their one (the seed: 201 villages for
        # about 200 units)
        sizes[prov] = _apportion(p_total, np.clip(w[prov].to_numpy() ** 0.5, 0.7, 1.5))
        sizes[rest] = _apportion(P - p_total, w[rest].to_numpy())
        # scattered households over non-poor villages, heavier in key counties
        non = np.flatnonzero(~self.v_poor)
        yb = self.heavy()[self.v_county[non]]
        wn = (
            rng.lognormal(0.0, 0.5, len(non))
            * np.where(self.v_key[non], 2.0, 1.0)
            * np.where(yb, 1.3, 1.0)
        )
        sizes[non] = rng.multinomial(S, wn / wn.sum())
        self.v_households = sizes
        # one row per household, in random order (ids say nothing of villages)
        h_village = np.repeat(np.arange(len(sizes)), sizes)
        h_village = h_village[rng.permutation(H)]
        members = rng.choice(MEMBERS, size=H, p=self.p.members_p)
        cause = rng.choice(len(CAUSES), size=H, p=CAUSES_P)
        depth = self.v_depth[h_village] * np.where(self.v_poor[h_village], 1.0, 0.8)
        severity = rng.gamma(2.0, 0.5, H) * depth * CAUSE_WEIGHT[cause]
        severity = np.round(severity, 3)
        self.h_village = h_village
        # village severity: mean household severity with some noise
        tot = np.bincount(h_village, weights=severity, minlength=len(sizes))
        vs = np.where(sizes > 0, tot / np.maximum(sizes, 1), 0.0)
        self.v_severity = np.round(vs * rng.lognormal(0.0, 0.1, len(sizes)), 3)
        return pd.DataFrame(
            {
                "household_id": _ids("H", H, 7),
                "village_id": self.village_ids.to_numpy()[h_village],
                "members": members.astype(np.int64),
                "severity": severity.astype(np.float64),
                "cause": pd.Series(CAUSES[cause]).astype("str"),
            }
        )
