"""Checks across tables: keys, references, the region tree, tiers, leaders, claims."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import Problem
from ._frame import ROWS_PER_KIND, _Collector, _Frame
from .columns import _at, _positions, _region_at, _show

# Which region level a unit's / leader's region must have, by tier.
_TIER_LEVEL = {
    "province": "province",
    "prefecture": "prefecture",
    "county": "county",
    "social": "province",
}


def _check_keys(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Duplicate ids (each duplicated id once)."""
    for frame in frames.values():
        key = frame.spec.key
        if key is None or not frame.usable(key):
            continue
        ids = frame.text(key)
        dup = ids.duplicated(keep=False).to_numpy() & (ids != "").to_numpy()
        if not dup.any():
            continue
        counts = ids[dup].value_counts(sort=False)
        for value, count in list(counts.items())[:ROWS_PER_KIND]:
            acc.add(
                Problem(frame.name, str(value), key, "a unique id", f"{count} rows")
            )
        acc.truncated += max(0, len(counts) - ROWS_PER_KIND)


def _ids(frames: Mapping[str, _Frame], table: str) -> pd.Index | None:
    """The key ids of a table, or None when they cannot be used."""
    frame = frames[table]
    key = frame.spec.key
    if key is None or not frame.usable(key):
        return None
    return pd.Index(frame.text(key).to_numpy(dtype=object))


def _check_references(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Every ``ref`` column names an existing row (empty allowed where nullable)."""
    for frame in frames.values():
        for col in frame.spec.columns:
            if col.ref is None or not frame.usable(col.name):
                continue
            target = _ids(frames, col.ref[0])
            if target is None:
                continue
            text = frame.text(col.name)
            values = text.to_numpy(dtype=object)
            unknown = (_positions(target, values) < 0) & (values != "")
            acc.rows(
                frame,
                col.name,
                unknown,
                f"an existing {col.ref[1]} of {col.ref[0]}",
                _at(text),
            )


def _levels(frames: Mapping[str, _Frame]) -> pd.Series | None:
    """Region level by region id (first row of duplicated ids)."""
    regions = frames["regions"]
    if not (regions.usable("region_id") and regions.usable("level")):
        return None
    ids = regions.text("region_id")
    levels = pd.Series(regions.text("level").to_numpy(), index=ids.to_numpy())
    return levels[~levels.index.duplicated()]


def _level_of(levels: pd.Series, ids: pd.Series) -> npt.NDArray[np.object_]:
    """Level of each referenced region ("" when unknown or empty)."""
    pos = _positions(pd.Index(levels.index), ids)
    lv = levels.to_numpy(dtype=object)
    return np.where(pos >= 0, lv[np.maximum(pos, 0)] if len(lv) else "", "")


def _check_regions(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """One province; prefecture → province → county; villages in counties."""
    regions = frames["regions"]
    levels = _levels(frames)
    if levels is None:
        return
    level = regions.text("level")
    n_prov = int((level == "province").sum())
    if n_prov != 1 and regions.present:
        acc.add(
            Problem("regions", "", "level", "exactly one province row", f"{n_prov}")
        )
    if regions.usable("parent_id"):
        parent = regions.text("parent_id")
        plevel = _level_of(levels, parent)
        known = plevel != ""
        empty = (parent == "").to_numpy()
        lv = level.to_numpy(dtype=object)
        for child, want in (("prefecture", "province"), ("county", "prefecture")):
            mine = lv == child
            wrong = mine & (empty | (known & (plevel != want)))
            acc.rows(
                regions,
                "parent_id",
                wrong,
                f"a {want} region as the parent of a {child}",
                _region_at(parent, plevel),
            )
        has_parent = (lv == "province") & ~empty
        acc.rows(
            regions,
            "parent_id",
            has_parent,
            "no parent for the province",
            _at(parent),
        )
    villages = frames["villages"]
    if villages.usable("county_id"):
        county = villages.text("county_id")
        clevel = _level_of(levels, county)
        wrong = (clevel != "") & (clevel != "county")
        acc.rows(
            villages,
            "county_id",
            wrong,
            "a county region",
            _region_at(county, clevel),
        )


def _check_tiers(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """A unit's or leader's region has the level of its tier."""
    levels = _levels(frames)
    if levels is None:
        return
    for name in ("units", "leaders"):
        frame = frames[name]
        if not (frame.usable("tier") and frame.usable("region_id")):
            continue
        tier = frame.text("tier").to_numpy(dtype=object)
        region = frame.text("region_id")
        have = _level_of(levels, region)
        for t, want in _TIER_LEVEL.items():
            wrong = (tier == t) & (have != "") & (have != want)
            acc.rows(
                frame,
                "region_id",
                wrong,
                f"a {want} region for tier {t}",
                _region_at(region, have),
            )


def _check_units(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """``min_villages <= max_villages`` where both are given (R4)."""
    units = frames["units"]
    if not (units.usable("min_villages") and units.usable("max_villages")):
        return
    lo = np.asarray(units.out["min_villages"], dtype=np.float64)
    hi = np.asarray(units.out["max_villages"], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        wrong = lo > hi
    acc.rows(
        units,
        "min_villages",
        wrong,
        "min_villages <= max_villages",
        lambda i: f"{lo[i]:g} > {hi[i]:g}",
    )


def _check_leaders(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Leader ids are not cadre ids; a fixed area is a region or a village."""
    leaders = frames["leaders"]
    if not leaders.present or leaders.n == 0:
        return
    cadres = _ids(frames, "cadres")
    if cadres is not None and leaders.usable("leader_id"):
        ids = leaders.text("leader_id")
        clash = (_positions(cadres, ids) >= 0) & (ids != "").to_numpy()
        acc.rows(
            leaders,
            "leader_id",
            clash,
            "an id that is not also a cadre_id",
            lambda i: "also a cadre_id",
        )
    regions, villages = _ids(frames, "regions"), _ids(frames, "villages")
    if regions is not None and villages is not None and leaders.usable("area_id"):
        area = leaders.text("area_id")
        values = area.to_numpy(dtype=object)
        unknown = (
            (values != "")
            & (_positions(regions, values) < 0)
            & (_positions(villages, values) < 0)
        )
        acc.rows(
            leaders,
            "area_id",
            unknown,
            "an existing region_id or village_id",
            lambda i: _show(area.iat[i]),
        )


def _check_claims(frames: Mapping[str, _Frame], acc: _Collector) -> None:
    """Claims come from ``social`` units, on poor villages (R13)."""
    claims = frames["claims"]
    if not claims.present or claims.n == 0:
        return
    units, villages = frames["units"], frames["villages"]
    if claims.usable("unit_id") and units.usable("tier"):
        ids = _ids(frames, "units")
        if ids is not None:
            unit = claims.text("unit_id")
            pos = _positions(ids, unit)
            tier = units.text("tier").to_numpy(dtype=object)
            have = np.where(pos >= 0, tier[np.maximum(pos, 0)] if len(tier) else "", "")
            wrong = (pos >= 0) & (have != "social")
            acc.rows(
                claims,
                "unit_id",
                wrong,
                "a unit of tier social",
                lambda i: f"{unit.iat[i]!r} (tier {have[i]})",
            )
    if claims.usable("village_id") and villages.usable("poor"):
        ids = _ids(frames, "villages")
        if ids is not None:
            village = claims.text("village_id")
            pos = _positions(ids, village)
            poor = np.asarray(villages.out["poor"], dtype=bool)
            known = pos >= 0
            wrong = known & ~(poor[np.maximum(pos, 0)] if len(poor) else known)
            acc.rows(
                claims,
                "village_id",
                wrong,
                "a poor village",
                lambda i: f"{village.iat[i]!r} (not poor)",
            )
