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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..instance import BoolArray, FloatArray, IntArray
from .candidates import Candidates
from .uncovered import needs_columns

RULES = ("R1", "R4", "R5", "R8", "R3", "R6")
"""Row labels: ``row_rule`` holds an index into this tuple."""
R1, R4, R5, R8, R3, R6 = range(len(RULES))
COLUMNS = ("pair", "overflow", "lead", "all_key", "covered")
"""Column kinds: ``x[v,u]``, R3's ``overflow_c``, R8's ``lead_u``, R6's
``all_key``, and with partial coverage R3's ``covered_c`` (:mod:`.uncovered`)."""
PAIR, OVERFLOW, LEAD, ALL_KEY, COVERED = range(len(COLUMNS))


@dataclass
class SparseModel:
    """A maximisation ``max cost x, lo <= A x <= hi, col_lo <= x <= col_hi``."""

    a: sp.csr_matrix
    lo: FloatArray
    hi: FloatArray
    cost: IntArray
    col_lo: IntArray
    col_hi: IntArray
    n_pairs: int
    village_rows: IntArray
    """Row of each poor village's R1 constraint (positions in ``cands.villages``)."""
    county_row0: int
    """First R3 county row (one per ``cands.r3_county``)."""
    row_rule: IntArray
    """Per row, its rule as an index into :data:`RULES`."""
    row_owner: IntArray
    """Per row: village (R1), unit (R4, R5, R8), region (R3) or -1 (R6)."""
    col_kind: IntArray
    """Per column, its kind as an index into :data:`COLUMNS`."""
    col_owner: IntArray
    """Per column: pair index, county position in ``cands.r3_county``, unit, -1."""

    def rows(self, rule: int) -> IntArray:
        """The rows of one rule (an index of :data:`RULES`)."""
        return np.flatnonzero(self.row_rule == rule)


def build_model(c: Candidates) -> SparseModel:
    """The village stage's rows and columns for a candidate set."""
    n = c.n
    n_u = c.n_units
    b = _Rows()
    pair = np.arange(n, dtype=np.int64)

    # R1: exactly one lead per poor village
    vpos = np.full(c.n_villages, -1, dtype=np.int64)
    vpos[c.villages] = np.arange(len(c.villages))
    r0 = b.block(R1, c.villages, np.ones(len(c.villages)), np.ones(len(c.villages)))
    b.add(r0 + vpos[c.pv], pair, np.ones(n))
    village_rows = np.arange(len(c.villages), dtype=np.int64)

    # R4 and R5 per unit that may lead (it has pairs) or must (by its min)
    has_pairs = np.bincount(c.pu, minlength=n_u) > 0
    units = np.flatnonzero(((c.u_max > 0) & has_pairs) | (c.u_min > 0))
    upos = np.full(n_u, -1, dtype=np.int64)
    upos[units] = np.arange(len(units))
    r0 = b.block(R4, units, c.u_min[units].astype(float), c.u_max[units].astype(float))
    b.add(r0 + upos[c.pu], pair, np.ones(n))
    r0 = b.block(R5, units, np.full(len(units), -np.inf), c.cap[units].astype(float))
    b.add(r0 + upos[c.pu], pair, c.dem.astype(float))

    # columns: the pairs, then R3's overflow per county with scattered households
    m3 = len(c.r3_county)
    b.columns(PAIR, pair, np.zeros(n), np.ones(n), c.score)
    ov0 = b.columns(
        OVERFLOW,
        np.arange(m3),
        np.zeros(m3),
        np.where(c.r3_pref >= 0, c.r3_scattered, 0),  # no prefecture: no overflow
        np.zeros(m3),
    )

    # R8: units whose villages may hold fewer households than the team needs
    min_dem = np.full(n_u, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(min_dem, c.pu, c.dem)
    short = np.flatnonzero((c.need > 0) & (min_dem < c.need) & (c.u_max > 0))
    if len(short):
        k = len(short)
        lead0 = b.columns(
            LEAD, short, (c.u_min[short] > 0).astype(float), np.ones(k), np.zeros(k)
        )
        lpos = np.full(n_u, -1, dtype=np.int64)
        lpos[short] = np.arange(k)
        sel = lpos[c.pu] >= 0
        # sum dem x - need lead >= 0
        r0 = b.block(R8, short, np.zeros(k), np.full(k, np.inf))
        b.add(r0 + lpos[c.pu[sel]], pair[sel], c.dem[sel].astype(float))
        b.add(r0 + np.arange(k), lead0 + np.arange(k), -c.need[short].astype(float))
        # sum x - max lead <= 0
        r0 = b.block(R8, short, np.full(k, -np.inf), np.zeros(k))
        b.add(r0 + lpos[c.pu[sel]], pair[sel], np.ones(int(sel.sum())))
        b.add(r0 + np.arange(k), lead0 + np.arange(k), -c.u_max[short].astype(float))

    # R3: county rows, then prefecture rows
    county_row0 = b.nrow
    if m3:
        sel = c.r3_county_of_pair >= 0
        r0 = b.block(R3, c.r3_county, c.r3_rhs.astype(float), np.full(m3, np.inf))
        b.add(r0 + c.r3_county_of_pair[sel], pair[sel], -c.dem[sel].astype(float))
        b.add(r0 + np.arange(m3), ov0 + np.arange(m3), np.ones(m3))
        if needs_columns(c):  # partial coverage: scattered households covered
            z = np.full(m3, float(c.r3_cover_value))
            z0 = b.columns(COVERED, np.arange(m3), np.zeros(m3), c.r3_scattered, z)
            b.add(r0 + np.arange(m3), z0 + np.arange(m3), -np.ones(m3))
        prefs = np.unique(c.r3_pref[c.r3_pref >= 0])
        ppos = np.full(max(int(c.pref_cap.shape[0]), 1), -1, dtype=np.int64)
        ppos[prefs] = np.arange(len(prefs))
        r0 = b.block(
            R3, prefs, np.full(len(prefs), -np.inf), c.pref_cap[prefs].astype(float)
        )
        sel = c.r3_pref_of_pair >= 0
        b.add(r0 + ppos[c.r3_pref_of_pair[sel]], pair[sel], c.dem[sel].astype(float))
        okc = c.r3_pref >= 0
        b.add(
            r0 + ppos[c.r3_pref[okc]],
            ov0 + np.flatnonzero(okc),
            np.ones(int(okc.sum())),
        )

    # R6: den K - num P >= 0 unless every key village goes to the province
    if c.r6_active:
        sel = c.province
        coef = np.where(c.key[sel], c.r6_den - c.r6_num, -c.r6_num).astype(float)
        one = np.array([-1])
        r0 = b.block(R6, one, np.zeros(1), np.full(1, np.inf))
        b.add(np.full(int(sel.sum()), r0), pair[sel], coef)
        if c.r6_all_possible:
            big = float(c.r6_num * (c.u_max.sum() + 1))
            a = b.columns(ALL_KEY, one, np.zeros(1), np.ones(1), np.zeros(1))
            b.add(np.array([r0]), np.array([a]), np.array([big]))
            r1 = b.block(R6, one, np.zeros(1), np.full(1, np.inf))
            ksel = sel & c.key
            b.add(np.full(int(ksel.sum()), r1), pair[ksel], np.ones(int(ksel.sum())))
            b.add(np.array([r1]), np.array([a]), np.array([-float(c.key_total)]))
    return b.model(n, village_rows, county_row0)


class _Rows:
    """Collects the model's labelled rows, columns and entries as numpy blocks."""

    def __init__(self) -> None:
        self.entries: list[tuple[IntArray, IntArray, FloatArray]] = []
        self.lo: list[FloatArray] = []
        self.hi: list[FloatArray] = []
        self.rule: list[IntArray] = []
        self.owner: list[IntArray] = []
        self.nrow = 0
        self.cols: list[tuple[int, IntArray, FloatArray, FloatArray, FloatArray]] = []
        self.ncol = 0

    def block(self, rule: int, owner: IntArray, lo: np.ndarray, hi: np.ndarray) -> int:
        """Append rows of ``rule`` (one per ``owner``); returns the first row."""
        first = self.nrow
        self.lo.append(np.asarray(lo, dtype=np.float64))
        self.hi.append(np.asarray(hi, dtype=np.float64))
        self.rule.append(np.full(len(owner), rule, dtype=np.int64))
        self.owner.append(np.asarray(owner, dtype=np.int64))
        self.nrow += len(owner)
        return first

    def columns(
        self,
        kind: int,
        owner: IntArray,
        lo: np.ndarray,
        hi: np.ndarray,
        cost: np.ndarray,
    ) -> int:
        """Append columns of ``kind``; returns the first column."""
        first = self.ncol
        self.cols.append(
            (
                kind,
                np.asarray(owner, dtype=np.int64),
                np.asarray(lo, dtype=np.float64),
                np.asarray(hi, dtype=np.float64),
                np.asarray(cost, dtype=np.float64),
            )
        )
        self.ncol += len(owner)
        return first

    def add(self, r: IntArray, col: IntArray, v: np.ndarray) -> None:
        self.entries.append(
            (
                np.asarray(r, dtype=np.int64),
                np.asarray(col, dtype=np.int64),
                np.asarray(v, dtype=np.float64),
            )
        )

    def model(self, n: int, village_rows: IntArray, county_row0: int) -> SparseModel:
        rows, cols, vals = (np.concatenate(x) for x in zip(*self.entries, strict=True))
        a = sp.csr_matrix((vals, (rows, cols)), shape=(self.nrow, self.ncol))
        kind, owner, col_lo, col_hi, cost = (
            np.concatenate(
                [np.full(len(c[1]), c[0], dtype=np.int64) for c in self.cols]
            ),
            *(np.concatenate([c[i] for c in self.cols]) for i in range(1, 5)),
        )
        return SparseModel(
            a=a,
            lo=np.concatenate(self.lo),
            hi=np.concatenate(self.hi),
            cost=np.rint(cost).astype(np.int64),
            col_lo=np.rint(col_lo).astype(np.int64),
            col_hi=np.rint(col_hi).astype(np.int64),
            n_pairs=n,
            village_rows=village_rows,
            county_row0=county_row0,
            row_rule=np.concatenate(self.rule),
            row_owner=np.concatenate(self.owner),
            col_kind=kind,
            col_owner=owner,
        )


def complete(m: SparseModel, x: IntArray) -> IntArray | None:
    """Full column values of a 0/1 pair vector (auxiliaries set minimally).

    Read from the labelled model alone, so it serves a whole model and any
    block of one (:func:`restrict`): each overflow column takes the least
    value its county row (R3) allows, each boolean (R8's lead, R6's
    all-key) the first of its bounds that keeps its rows. Returns ``None``
    when the pairs break a row.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> m = SparseModel(  # one village and two candidate units
    ...     a=sp.csr_matrix(np.array([[1.0, 1.0]])), lo=np.ones(1), hi=np.ones(1),
    ...     cost=np.array([3, 5]), col_lo=np.zeros(2, int), col_hi=np.ones(2, int),
    ...     n_pairs=2, village_rows=np.zeros(1, int), county_row0=1,
    ...     row_rule=np.zeros(1, int), row_owner=np.zeros(1, int),
    ...     col_kind=np.zeros(2, int), col_owner=np.arange(2))
    >>> complete(m, np.array([0, 1])).tolist(), complete(m, np.array([1, 1]))
    ([0, 1], None)
    """
    n = m.n_pairs
    ncol = m.a.shape[1]
    full = np.zeros(ncol, dtype=np.int64)
    full[:n] = x
    if ncol > n:
        a_csc = m.a.tocsc()
        kind = m.col_kind
        covered = kind == COVERED  # partial coverage: at their least (R3)
        full[covered] = m.col_lo[covered]
        base = m.a @ full
        over = np.flatnonzero(kind == OVERFLOW)
        if len(over):
            # an overflow column's county row is its row with a finite lower side
            sub = a_csc[:, over].tocoo()
            lower = np.isfinite(m.lo[sub.row])
            need = np.zeros(len(over))
            need[sub.col[lower]] = m.lo[sub.row[lower]] - base[sub.row[lower]]
            full[over] = np.clip(np.ceil(need - 1e-9), m.col_lo[over], m.col_hi[over])
        for j in np.flatnonzero((kind == LEAD) | (kind == ALL_KEY)).tolist():
            r = a_csc[:, j].indices  # at most a few hundred lead columns
            for val in (int(m.col_lo[j]), int(m.col_hi[j])):
                full[j] = val
                act = m.a[r] @ full
                if np.all(act >= m.lo[r] - 1e-9) and np.all(act <= m.hi[r] + 1e-9):
                    break
    act = m.a @ full
    if np.all(act >= m.lo - 1e-6) and np.all(act <= m.hi + 1e-6):
        return full
    return None


def cover_cuts(
    c: Candidates, x: np.ndarray, *, eps: float = 1e-4, per_unit: int = 3
) -> tuple[sp.csr_matrix, FloatArray]:
    """Violated capacity covers of the units (R4 with R5), rows ``cut x <= rhs``.

    A unit may lead at most ``max_u`` villages whose demand fits its
    capacity. For a set ``T`` of its candidate villages in which any ``r``
    exceed the capacity, at most ``r - 1`` of ``T`` can be led (``r - 1 <
    max_u``); ``T`` is the unit's villages from a position on in demand
    order (ties broken by pair order), possibly with one lighter village
    ``j`` when ``j`` with the ``r - 1``
    lightest of the rest already exceeds the capacity. Every such row holds
    for every plan, so adding it keeps the LP a true upper bound and only
    cuts off fractional points (the LP otherwise fills capacity with a part
    of a village). Returns the ``per_unit`` most violated rows per unit.

    Parameters
    ----------
    c
        The candidates.
    x
        A value per pair (the LP solution).
    """
    order = np.lexsort((c.dem, c.pu))
    pu = c.pu[order]
    dem = c.dem[order]
    xo = np.asarray(x, dtype=np.float64)[order]
    if len(pu) == 0:
        return sp.csr_matrix((0, c.n)), np.zeros(0)
    bounds = np.r_[0, np.flatnonzero(pu[1:] != pu[:-1]) + 1, len(pu)]
    unit_sum = np.add.reduceat(xo, bounds[:-1])
    rows: list[IntArray] = []
    rhs: list[int] = []
    for i in np.flatnonzero(unit_sum > 1 + eps).tolist():
        a, b = int(bounds[i]), int(bounds[i + 1])
        xs = xo[a:b]
        d = dem[a:b]
        u = int(pu[a])
        cap, k, n = int(c.cap[u]), int(c.u_max[u]), b - a
        suf = np.r_[np.cumsum(xs[::-1])[::-1], 0.0]
        found: list[tuple[float, IntArray, int]] = []
        for r in range(2, k + 1):
            if n < r:
                break
            roll = np.convolve(d, np.ones(r, dtype=np.int64), "valid")
            s = int(np.searchsorted(roll, cap, "right"))
            if s >= len(roll):
                continue
            if suf[s] - (r - 1) > eps:
                found.append((suf[s] - (r - 1), order[a + s : b], r - 1))
            # one lighter village j with the r-1 lightest of [s', n) over the cap
            roll1 = np.convolve(d, np.ones(r - 1, dtype=np.int64), "valid")
            js = np.arange(s)
            sp_ = np.maximum(np.searchsorted(roll1, cap - d[js], "right"), s)
            ok = sp_ < n
            js, sp_ = js[ok], sp_[ok]
            viol = xs[js] + suf[sp_] - (r - 1)
            for t in np.argsort(-viol)[:per_unit].tolist():
                if viol[t] > eps:
                    j, q = int(js[t]), int(sp_[t])
                    found.append(
                        (viol[t], np.r_[order[a + j], order[a + q : b]], r - 1)
                    )
        found.sort(key=lambda f: -f[0])
        for _, p, h in found[:per_unit]:
            rows.append(p)
            rhs.append(h)
    if not rows:
        return sp.csr_matrix((0, c.n)), np.zeros(0)
    ri = np.repeat(np.arange(len(rows)), [len(p) for p in rows])
    cut = sp.csr_matrix(
        (np.ones(len(ri)), (ri, np.concatenate(rows))), shape=(len(rows), c.n)
    )
    return cut, np.asarray(rhs, dtype=np.float64)


def with_rows(m: SparseModel, rows: sp.csr_matrix, hi: FloatArray) -> SparseModel:
    """``m`` with extra rows ``rows x <= hi`` over its pair columns (valid cuts)."""
    if rows.shape[0] == 0:
        return m
    extra = sp.csr_matrix(
        (rows.data, rows.indices, rows.indptr), shape=(rows.shape[0], m.a.shape[1])
    )
    return dataclasses.replace(
        m,
        a=sp.vstack([m.a, extra], format="csr"),
        lo=np.r_[m.lo, np.full(rows.shape[0], -np.inf)],
        hi=np.r_[m.hi, hi],
        # capacity covers are implied by R4 and R5 together: labelled R5
        row_rule=np.r_[m.row_rule, np.full(rows.shape[0], R5)],
        row_owner=np.r_[m.row_owner, np.full(rows.shape[0], -1)],
    )


@dataclass
class Block:
    """A piece of a model: some pairs free, every other pair fixed.

    Attributes
    ----------
    model
        The block's own model: the free pairs, the auxiliary columns their
        rows need, and those rows, with the fixed pairs' part moved into the
        bounds. Its labels are the full model's.
    pairs
        Pair index (in the full model) of each of the block's pair columns.
    aux
        Column index (in the full model) of each of its auxiliary columns.
    rows
        Row index (in the full model) of each of its rows.
    """

    model: SparseModel
    pairs: IntArray
    aux: IntArray
    rows: IntArray


def restrict(m: SparseModel, free: BoolArray, on: BoolArray) -> Block:
    """The block of ``m`` where the pairs ``free`` are decided and the rest fixed.

    Parameters
    ----------
    m
        The full model.
    free
        Per pair column, whether the block decides it.
    on
        Per pair column, whether a fixed pair is 1 (a lead the block keeps);
        ignored where ``free``.

    Notes
    -----
    The block keeps every row with a free pair, every auxiliary column
    (overflow, lead, all-key) of those rows, and every row of those columns,
    until nothing is added; a row left out holds only fixed pairs and so
    keeps its current value. Any solution of the block, with the fixed pairs
    as given, keeps every row of ``m`` that the fixed plan kept.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from pairing.solver.model import SparseModel, restrict
    >>> m = SparseModel(  # one village, two units, each within capacity
    ...     a=sp.csr_matrix(np.array([[1.0, 1.0]])), lo=np.ones(1), hi=np.ones(1),
    ...     cost=np.array([3, 5]), col_lo=np.zeros(2, int), col_hi=np.ones(2, int),
    ...     n_pairs=2, village_rows=np.zeros(1, int), county_row0=1,
    ...     row_rule=np.zeros(1, int), row_owner=np.zeros(1, int),
    ...     col_kind=np.zeros(2, int), col_owner=np.arange(2))
    >>> block = restrict(m, np.array([True, True]), np.zeros(2, bool))
    >>> block.pairs.tolist(), block.model.lo.tolist()
    ([0, 1], [1.0])
    """
    n = m.n_pairs
    a = m.a.tocsc()
    free = np.asarray(free, dtype=bool)
    fixed_on = np.flatnonzero(np.asarray(on, dtype=bool) & ~free)
    cols = np.flatnonzero(free)
    row_in = np.zeros(a.shape[0], dtype=bool)
    row_in[np.unique(a[:, cols].indices)] = True
    aux_in = np.zeros(a.shape[1] - n, dtype=bool)
    a_aux = a[:, n:]
    a_aux_r = a_aux.tocsr()
    while True:
        grow = np.zeros_like(aux_in)
        grow[np.unique(a_aux_r[np.flatnonzero(row_in)].indices)] = True
        new_aux = grow & ~aux_in
        if not new_aux.any():
            break
        aux_in |= new_aux
        more = np.zeros_like(row_in)
        more[np.unique(a_aux[:, np.flatnonzero(new_aux)].indices)] = True
        row_in |= more
    rows = np.flatnonzero(row_in)
    aux = n + np.flatnonzero(aux_in)
    keep = np.r_[cols, aux]
    base = np.asarray(a[:, fixed_on].sum(axis=1)).ravel()[rows]
    sub = a[rows][:, keep].tocsr()
    model = SparseModel(
        a=sub,
        lo=m.lo[rows] - base,
        hi=m.hi[rows] - base,
        cost=m.cost[keep],
        col_lo=m.col_lo[keep],
        col_hi=m.col_hi[keep],
        n_pairs=len(cols),
        village_rows=np.flatnonzero(m.row_rule[rows] == R1),
        county_row0=int(np.searchsorted(rows, m.county_row0)),
        row_rule=m.row_rule[rows],
        row_owner=m.row_owner[rows],
        col_kind=m.col_kind[keep],
        col_owner=m.col_owner[keep],
    )
    return Block(model=model, pairs=cols, aux=aux, rows=rows)
