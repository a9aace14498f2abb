"""The statistics of the figures: finite floats, Spearman's rank correlation,
inverted pairs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def finite(x: Any) -> float | None:
    """A plain float, ``None`` for NaN / inf / None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def spearman(a: Any, b: Any) -> float | None:
    """Spearman rank correlation (average ranks for ties); ``None`` when undefined."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(a) < 2:
        return None
    ra = pd.Series(a).rank(method="average").to_numpy(dtype=np.float64, copy=True)
    rb = pd.Series(b).rank(method="average").to_numpy(dtype=np.float64, copy=True)
    ra = ra - ra.mean()
    rb = rb - rb.mean()
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    if den == 0.0:
        return None
    return finite(max(-1.0, min(1.0, float(ra @ rb) / den)))


def inverted_pairs(higher: np.ndarray, lower: np.ndarray) -> int:
    """Pairs ``(i, j)`` with ``higher[i] < lower[j]`` strictly (R9), in O(n log n)."""
    lo = np.sort(np.asarray(lower, dtype=np.float64))
    hi = np.asarray(higher, dtype=np.float64)
    return int((len(lo) - np.searchsorted(lo, hi, side="right")).sum())
