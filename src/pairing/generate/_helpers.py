"""Small vectorised helpers of the generator: apportioning, ids, km grid."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from .calibration import KM_PER_LAT, KM_PER_LON, LAT0, LON0


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    rest = total - int(out.sum())
    if rest:
        order = np.argsort(-(exact - out), kind="stable")
        out[order[:rest]] += 1
    return out


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    """``prefix`` + zero-padded 1-based numbers, as a ``str`` Series."""
    width = max(width, len(str(n)))
    nums = pd.Series(np.arange(1, n + 1, dtype=np.int64)).astype("str")
    return (prefix + nums.str.zfill(width)).astype("str")


def _str(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).astype("str")


def _km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (lon - LON0) * KM_PER_LON, (lat - LAT0) * KM_PER_LAT


def _read(text: str, names: list[str]) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), header=None, names=names, dtype=str)


def _split(n_items: int, n_units: int) -> np.ndarray:
    """Unit of each of ``n_items`` items: every unit gets one, then round robin."""
    return np.arange(n_items) % max(n_units, 1)


def _at_most_two(owner: np.ndarray, n_units: int) -> np.ndarray:
    """``owner`` with every unit's third and later items moved to units with
    fewer than two, in order (R4: a province-tier unit leads 1-2 villages)."""
    owner = owner.copy()
    count = np.bincount(owner, minlength=n_units)
    if count.max(initial=0) <= 2:
        return owner
    rank = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    extra = np.flatnonzero(rank >= 2)
    room = np.repeat(np.arange(n_units), np.maximum(0, 2 - count))
    owner[extra] = room[: len(extra)]
    return owner
