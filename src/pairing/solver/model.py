"""The village stage as one sparse linear model (rows ``lo <= A x <= hi``).

Built once from :class:`~pairing.solver.candidates.Candidates` with numpy,
then handed to HiGHS (:mod:`.lp`, the relaxation) or CP-SAT (:mod:`.cpsat`).

Columns: one boolean ``x[v,u]`` per candidate pair, then one integer
``overflow_c`` per county with scattered households (R3), then one boolean
``lead_u`` per unit whose kick-off team needs it (R8), then R6's boolean
``all_key`` when "every key village to the province" can happen.

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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..instance import FloatArray, IntArray
from .candidates import Candidates


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


def build_model(c: Candidates) -> SparseModel:
    """The village stage's rows and columns for a candidate set."""
    n = c.n
    n_u = c.n_units
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    nrow = 0
    pair = np.arange(n, dtype=np.int64)

    def add(r: IntArray, col: IntArray, v: np.ndarray) -> None:
        rows.append(np.asarray(r, dtype=np.int64))
        cols.append(np.asarray(col, dtype=np.int64))
        vals.append(np.asarray(v, dtype=np.float64))

    # R1: exactly one lead per poor village
    vpos = np.full(c.n_villages, -1, dtype=np.int64)
    vpos[c.villages] = np.arange(len(c.villages))
    add(vpos[c.pv], pair, np.ones(n))
    lo.append(np.ones(len(c.villages)))
    hi.append(np.ones(len(c.villages)))
    village_rows = np.arange(len(c.villages), dtype=np.int64)
    nrow += len(c.villages)

    # R4 and R5 per unit that may lead (or must, by its min)
    units = np.flatnonzero((c.u_max > 0) | (c.u_min > 0))
    upos = np.full(n_u, -1, dtype=np.int64)
    upos[units] = np.arange(len(units))
    add(nrow + upos[c.pu], pair, np.ones(n))
    lo.append(c.u_min[units].astype(float))
    hi.append(c.u_max[units].astype(float))
    nrow += len(units)
    add(nrow + upos[c.pu], pair, c.dem.astype(float))
    lo.append(np.full(len(units), -np.inf))
    hi.append(c.cap[units].astype(float))
    nrow += len(units)

    # R3 overflow columns
    m3 = len(c.r3_county)
    ov0 = n
    col_lo = [np.zeros(n, dtype=np.int64), np.zeros(m3, dtype=np.int64)]
    col_hi = [np.ones(n, dtype=np.int64), c.r3_scattered.astype(np.int64)]
    cost = [c.score, np.zeros(m3, dtype=np.int64)]
    ncol = n + m3

    # R8: units whose villages may hold fewer households than the team needs
    min_dem = np.full(n_u, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(min_dem, c.pu, c.dem)
    short = np.flatnonzero((c.need > 0) & (min_dem < c.need) & (c.u_max > 0))
    if len(short):
        lead0 = ncol
        lpos = np.full(n_u, -1, dtype=np.int64)
        lpos[short] = np.arange(len(short))
        sel = lpos[c.pu] >= 0
        k = len(short)
        # sum dem x - need lead >= 0
        add(nrow + lpos[c.pu[sel]], pair[sel], c.dem[sel].astype(float))
        add(nrow + np.arange(k), lead0 + np.arange(k), -c.need[short].astype(float))
        lo.append(np.zeros(k))
        hi.append(np.full(k, np.inf))
        nrow += k
        # sum x - max lead <= 0
        add(nrow + lpos[c.pu[sel]], pair[sel], np.ones(int(sel.sum())))
        add(nrow + np.arange(k), lead0 + np.arange(k), -c.u_max[short].astype(float))
        lo.append(np.full(k, -np.inf))
        hi.append(np.zeros(k))
        nrow += k
        col_lo.append((c.u_min[short] > 0).astype(np.int64))
        col_hi.append(np.ones(k, dtype=np.int64))
        cost.append(np.zeros(k, dtype=np.int64))
        ncol += k

    # R3: county rows, then prefecture rows
    county_row0 = nrow
    if m3:
        sel = c.r3_county_of_pair >= 0
        add(nrow + c.r3_county_of_pair[sel], pair[sel], -c.dem[sel].astype(float))
        add(nrow + np.arange(m3), ov0 + np.arange(m3), np.ones(m3))
        lo.append(c.r3_rhs.astype(float))
        hi.append(np.full(m3, np.inf))
        nrow += m3
        prefs = np.unique(c.r3_pref[c.r3_pref >= 0])
        ppos = np.full(max(int(c.pref_cap.shape[0]), 1), -1, dtype=np.int64)
        ppos[prefs] = np.arange(len(prefs))
        sel = c.r3_pref_of_pair >= 0
        add(nrow + ppos[c.r3_pref_of_pair[sel]], pair[sel], c.dem[sel].astype(float))
        okc = c.r3_pref >= 0
        add(
            nrow + ppos[c.r3_pref[okc]],
            ov0 + np.flatnonzero(okc),
            np.ones(int(okc.sum())),
        )
        lo.append(np.full(len(prefs), -np.inf))
        hi.append(c.pref_cap[prefs].astype(float))
        nrow += len(prefs)
        # a county without a prefecture (malformed) gets no overflow
        col_hi[1] = np.where(okc, col_hi[1], 0)

    # R6: den K - num P >= 0 unless every key village goes to the province
    if c.r6_active:
        sel = c.province
        coef = np.where(c.key[sel], c.r6_den - c.r6_num, -c.r6_num).astype(float)
        add(np.full(int(sel.sum()), nrow), pair[sel], coef)
        if c.r6_all_possible:
            big = float(c.r6_num * (c.u_max.sum() + 1))
            b = ncol
            add(np.array([nrow]), np.array([b]), np.array([big]))
            lo.append(np.zeros(1))
            hi.append(np.full(1, np.inf))
            nrow += 1
            ksel = sel & c.key
            add(np.full(int(ksel.sum()), nrow), pair[ksel], np.ones(int(ksel.sum())))
            add(np.array([nrow]), np.array([b]), np.array([-float(c.key_total)]))
            lo.append(np.zeros(1))
            hi.append(np.full(1, np.inf))
            nrow += 1
            col_lo.append(np.zeros(1, dtype=np.int64))
            col_hi.append(np.ones(1, dtype=np.int64))
            cost.append(np.zeros(1, dtype=np.int64))
            ncol += 1
        else:
            lo.append(np.zeros(1))
            hi.append(np.full(1, np.inf))
            nrow += 1

    a = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(nrow, ncol),
    )
    return SparseModel(
        a=a,
        lo=np.concatenate(lo),
        hi=np.concatenate(hi),
        cost=np.concatenate(cost).astype(np.int64),
        col_lo=np.concatenate(col_lo).astype(np.int64),
        col_hi=np.concatenate(col_hi).astype(np.int64),
        n_pairs=n,
        village_rows=village_rows,
        county_row0=county_row0,
    )


def complete(c: Candidates, m: SparseModel, x: IntArray) -> IntArray | None:
    """Full column values for a 0/1 pair vector (auxiliaries set minimally).

    Returns ``None`` when the pairs break a row.
    """
    n = c.n
    full = np.zeros(m.a.shape[1], dtype=np.int64)
    full[:n] = x
    ncol = m.a.shape[1]
    aux = np.arange(n, ncol)
    if len(aux):
        # set each auxiliary column: overflow to its least value, lead/all_key to
        # whatever its rows allow (tried 0 then 1 is enough for booleans)
        a_aux = m.a[:, n:].tocsc()
        base = m.a[:, :n] @ x
        m3 = len(c.r3_county)
        rows = m.county_row0 + np.arange(m3)
        ov = np.maximum(c.r3_rhs - base[rows], 0) if m3 else np.zeros(0)
        full[n : n + m3] = ov
        rest = np.arange(n + m3, ncol)
        for j in rest:  # at most a few hundred lead columns and one all_key
            for val in (int(m.col_lo[j]), int(m.col_hi[j])):
                full[j] = val
                r = a_aux[:, j - n].indices
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
    return SparseModel(
        a=sp.vstack([m.a, extra], format="csr"),
        lo=np.r_[m.lo, np.full(rows.shape[0], -np.inf)],
        hi=np.r_[m.hi, hi],
        cost=m.cost,
        col_lo=m.col_lo,
        col_hi=m.col_hi,
        n_pairs=m.n_pairs,
        village_rows=m.village_rows,
        county_row0=m.county_row0,
    )
