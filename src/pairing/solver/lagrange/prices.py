"""Prices: what the Lagrangian engine keeps to explain and re-use its plan.

At the final multipliers ``y`` every pair ``p = (v, u)`` has a *reduced
value* ``r_p = c_p - (A^T y)_p``: its objective coefficient less the price
of the rows it uses — ``y`` of its village's R1 row (the village's *price*,
what covering it is worth elsewhere), of the R3 rows its unit's households
enter, of R6. And it has a *forcing cost* ``loss_p >= 0``: how much the
bound falls at least when ``p`` is forced into the plan (its unit's best
set without it, less the best set that holds it). So

* ``bound - loss_p`` bounds every plan that uses ``p``: a pair whose bound
  falls below the incumbent cannot improve it and is dropped
  (reduced-cost fixing, :meth:`Prices.fixable`);
* small forcing costs mark the pairs an exact block should keep;
* "moving village V to unit W costs at least ``loss``" is the first line of
  an explanation (``pairing.explain``), and the prices warm-start a re-plan.

Examples
--------
>>> import numpy as np
>>> p = Prices(
...     multipliers=np.zeros(1), village=np.array([5.0]), reduced=np.array([0.0, -3.0]),
...     loss=np.array([0.0, 3.0]), bound=10.0, pair_village=np.array([0, 0]),
...     pair_unit=np.array([0, 1]))
>>> p.fixable(incumbent=8.0).tolist()
[False, True]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...instance import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class Prices:
    """The engine's final multipliers and what they price.

    Attributes
    ----------
    multipliers
        One per relaxed row of the model (R1, R3, R6), in the model's row order.
    village
        Per village (row of ``instance.villages``): the multiplier of its R1
        row, the price of covering it (``NaN`` for a village that is not poor).
    reduced
        Per candidate pair: its reduced value at the multipliers.
    loss
        Per candidate pair: its forcing cost (``>= 0``).
    bound
        The Lagrangian bound at the multipliers (a proof).
    pair_village, pair_unit
        Village and unit index of each candidate pair.
    """

    multipliers: FloatArray
    village: FloatArray
    reduced: FloatArray
    loss: FloatArray
    bound: float
    pair_village: IntArray
    pair_unit: IntArray

    def fixable(self, incumbent: float) -> BoolArray:
        """Pairs that no plan better than ``incumbent`` can use.

        Objectives are integers, so a better plan scores at least
        ``incumbent + 1``; a pair with ``bound - loss < incumbent + 1`` is
        in none of them.
        """
        return self.bound - self.loss < incumbent + 1 - 1e-6

    def pair_loss(self, village: int, unit: int) -> float:
        """Forcing cost of one pair (``inf`` when it is no candidate)."""
        hit = np.flatnonzero((self.pair_village == village) & (self.pair_unit == unit))
        return float(self.loss[hit[0]]) if len(hit) else float("inf")
