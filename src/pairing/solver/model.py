"""The village stage as one sparse linear model (rows ``lo <= A x <= hi``).

Built once from :class:`~pairing.solver.candidates.Candidates` with numpy,
then handed to HiGHS (:mod:`.lp`, the relaxation) or CP-SAT (:mod:`.cpsat`).

Columns: one boolean ``x[v,u]`` per candidate pair, then one integer
``overflow_c`` per county with scattered households (R3), then one boolean
``lead_u`` per unit whose kick-off team needs it (R8), then R6's boolean
``all_key`` when "every key village to the province" can happen. With
partial coverage (:mod:`.uncovered`, R1 relaxed) each village also has a
pair to a virtual "uncovered" unit, and each R3 county row an integer
``covered_c``.

Rows, in order:

* R1: ``sum_u x[v,u] == 1`` per poor village;
* R4: ``min_u <= sum_v x[v,u] <= max_u`` per unit that may lead;
* R5: ``sum_v demand_v x[v,u] <= capacity_u`` per unit;
* R8: ``sum_v demand_v x[v,u] >= need_u lead_u`` and
  ``sum_v x[v,u] <= max_u lead_u`` where a village's demand alone may fall
  short of the team;
* R3: ``overflow_c - sum_{u county unit of c} load_u >= S_c - cap_c``
  per county (overflow at least the scattered households the county tier's
  spare places cannot take), and per prefecture
  ``sum_{c in p} overflow_c + sum_{u prefecture unit of p} load_u <= cap_p``;
* R6: ``den K - num P + M all_key >= 0`` and ``K - K_total all_key >= 0``.

Every row carries its rule (:attr:`SparseModel.row_rule`, codes in
:data:`RULES`) and its owner (:attr:`SparseModel.row_owner`: the village of
an R1 row, the unit of an R4, R5 or R8 row, the county or prefecture of an
R3 row, -1 for R6), and every column its kind (:attr:`SparseModel.col_kind`,
codes in :data:`COLUMNS`) and owner. Every method reads its constraints from
this one model: CP-SAT and HiGHS take it whole or restricted to a block
(:func:`restrict`), the Lagrangian engine relaxes its R1, R3 and R6 rows and
keeps the per-unit ones, and the conflict search of R15 switches its row
groups on and off by label.

The model's type and labels live in :mod:`.sparse`, its valid cuts in
:mod:`.cuts` and its blocks in :mod:`.blocks`; their names stay importable
from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..instance import IntArray
from .blocks import Block, restrict
from .cuts import cover_cuts, with_rows
from .sparse import (
    ALL_KEY,
    COLUMNS,
    COVERED,
    LEAD,
    OVERFLOW,
    PAIR,
    R1,
    R3,
    R4,
    R5,
    R6,
    R8,
    RULES,
    SparseModel,
    _Rows,
    complete,
)
from .uncovered import needs_columns

if TYPE_CHECKING:
    from .candidates import Candidates

__all__ = [
    "ALL_KEY",
    "COLUMNS",
    "COVERED",
    "LEAD",
    "OVERFLOW",
    "PAIR",
    "R1",
    "R3",
    "R4",
    "R5",
    "R6",
    "R8",
    "RULES",
    "Block",
    "SparseModel",
    "_Rows",
    "build_model",
    "complete",
    "cover_cuts",
    "restrict",
    "with_rows",
]


def build_model(cands: Candidates) -> SparseModel:
    """The village stage's rows and columns for a candidate set.

    Rows and columns come in the order the module docstring lists them; each
    rule's rows are written by one step below.
    """
    n = cands.n
    rows = _Rows()
    pair = np.arange(n, dtype=np.int64)
    village_rows = _r1_rows(rows, cands, pair)
    _r4_r5_rows(rows, cands, pair)
    # columns: the pairs, then R3's overflow per county with scattered households
    m3 = len(cands.r3_county)
    rows.columns(PAIR, pair, np.zeros(n), np.ones(n), cands.score)
    overflow0 = rows.columns(
        OVERFLOW,
        np.arange(m3),
        np.zeros(m3),
        np.where(cands.r3_pref >= 0, cands.r3_scattered, 0),  # no prefecture: none
        np.zeros(m3),
    )
    _r8_rows(rows, cands, pair)
    county_row0 = rows.nrow
    if m3:
        _r3_rows(rows, cands, pair, overflow0)
    if cands.r6_active:
        _r6_rows(rows, cands, pair)
    return rows.model(n, village_rows, county_row0)


def _r1_rows(rows: _Rows, cands: Candidates, pair: IntArray) -> IntArray:
    """R1: exactly one lead per poor village; returns the villages' rows."""
    n_v = len(cands.villages)
    vpos = np.full(cands.n_villages, -1, dtype=np.int64)
    vpos[cands.villages] = np.arange(n_v)
    r0 = rows.block(R1, cands.villages, np.ones(n_v), np.ones(n_v))
    rows.add(r0 + vpos[cands.pv], pair, np.ones(cands.n))
    return np.arange(n_v, dtype=np.int64)


def _r4_r5_rows(rows: _Rows, cands: Candidates, pair: IntArray) -> None:
    """R4 and R5 per unit that may lead (it has pairs) or must (by its min)."""
    n_u = cands.n_units
    has_pairs = np.bincount(cands.pu, minlength=n_u) > 0
    units = np.flatnonzero(((cands.u_max > 0) & has_pairs) | (cands.u_min > 0))
    upos = np.full(n_u, -1, dtype=np.int64)
    upos[units] = np.arange(len(units))
    r0 = rows.block(
        R4, units, cands.u_min[units].astype(float), cands.u_max[units].astype(float)
    )
    rows.add(r0 + upos[cands.pu], pair, np.ones(cands.n))
    r0 = rows.block(
        R5, units, np.full(len(units), -np.inf), cands.cap[units].astype(float)
    )
    rows.add(r0 + upos[cands.pu], pair, cands.dem.astype(float))


def _r8_rows(rows: _Rows, cands: Candidates, pair: IntArray) -> None:
    """R8: units whose villages may hold fewer households than the team needs
    get a ``lead_u`` column and its two rows."""
    n_u = cands.n_units
    min_dem = np.full(n_u, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(min_dem, cands.pu, cands.dem)
    short = np.flatnonzero(
        (cands.need > 0) & (min_dem < cands.need) & (cands.u_max > 0)
    )
    if not len(short):
        return
    k = len(short)
    lead0 = rows.columns(
        LEAD, short, (cands.u_min[short] > 0).astype(float), np.ones(k), np.zeros(k)
    )
    lpos = np.full(n_u, -1, dtype=np.int64)
    lpos[short] = np.arange(k)
    sel = lpos[cands.pu] >= 0
    leads = lead0 + np.arange(k)
    # sum dem x - need lead >= 0
    r0 = rows.block(R8, short, np.zeros(k), np.full(k, np.inf))
    rows.add(r0 + lpos[cands.pu[sel]], pair[sel], cands.dem[sel].astype(float))
    rows.add(r0 + np.arange(k), leads, -cands.need[short].astype(float))
    # sum x - max lead <= 0
    r0 = rows.block(R8, short, np.full(k, -np.inf), np.zeros(k))
    rows.add(r0 + lpos[cands.pu[sel]], pair[sel], np.ones(int(sel.sum())))
    rows.add(r0 + np.arange(k), leads, -cands.u_max[short].astype(float))


def _r3_rows(rows: _Rows, cands: Candidates, pair: IntArray, overflow0: int) -> None:
    """R3: county rows (with partial coverage's ``covered_c``), then
    prefecture rows; ``overflow0`` is the first overflow column."""
    m3 = len(cands.r3_county)
    overflow = overflow0 + np.arange(m3)
    sel = cands.r3_county_of_pair >= 0
    r0 = rows.block(
        R3, cands.r3_county, cands.r3_rhs.astype(float), np.full(m3, np.inf)
    )
    rows.add(
        r0 + cands.r3_county_of_pair[sel], pair[sel], -cands.dem[sel].astype(float)
    )
    rows.add(r0 + np.arange(m3), overflow, np.ones(m3))
    if needs_columns(cands):  # partial coverage: scattered households covered
        value = np.full(m3, float(cands.r3_cover_value))
        z0 = rows.columns(
            COVERED, np.arange(m3), np.zeros(m3), cands.r3_scattered, value
        )
        rows.add(r0 + np.arange(m3), z0 + np.arange(m3), -np.ones(m3))
    prefs = np.unique(cands.r3_pref[cands.r3_pref >= 0])
    ppos = np.full(max(int(cands.pref_cap.shape[0]), 1), -1, dtype=np.int64)
    ppos[prefs] = np.arange(len(prefs))
    r0 = rows.block(
        R3, prefs, np.full(len(prefs), -np.inf), cands.pref_cap[prefs].astype(float)
    )
    sel = cands.r3_pref_of_pair >= 0
    rows.add(
        r0 + ppos[cands.r3_pref_of_pair[sel]],
        pair[sel],
        cands.dem[sel].astype(float),
    )
    in_pref = cands.r3_pref >= 0
    rows.add(
        r0 + ppos[cands.r3_pref[in_pref]],
        overflow0 + np.flatnonzero(in_pref),
        np.ones(int(in_pref.sum())),
    )


def _r6_rows(rows: _Rows, cands: Candidates, pair: IntArray) -> None:
    """R6: ``den K - num P >= 0`` unless every key village goes to the
    province (R6's ``all_key`` column and its second row)."""
    sel = cands.province
    coef = np.where(cands.key[sel], cands.r6_den - cands.r6_num, -cands.r6_num).astype(
        float
    )
    one = np.array([-1])
    r0 = rows.block(R6, one, np.zeros(1), np.full(1, np.inf))
    rows.add(np.full(int(sel.sum()), r0), pair[sel], coef)
    if not cands.r6_all_possible:
        return
    big = float(cands.r6_num * (cands.u_max.sum() + 1))
    all_key = rows.columns(ALL_KEY, one, np.zeros(1), np.ones(1), np.zeros(1))
    rows.add(np.array([r0]), np.array([all_key]), np.array([big]))
    r1 = rows.block(R6, one, np.zeros(1), np.full(1, np.inf))
    ksel = sel & cands.key
    rows.add(np.full(int(ksel.sum()), r1), pair[ksel], np.ones(int(ksel.sum())))
    rows.add(np.array([r1]), np.array([all_key]), np.array([-float(cands.key_total)]))
