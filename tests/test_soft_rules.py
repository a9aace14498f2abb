"""The default weights of the soft rules (R9–R12).

Each weight's effect on the plan is tested with its rule, in
``tests/rules/test_rNN_*.py``: the same instance solved with the weight low
and high, the rule's figure must not get worse.
"""

from __future__ import annotations

from pairing import Rules


def test_default_weights_documented():
    w = Rules().weights
    assert (w.tier, w.strength, w.continuity, w.distance, w.rank, w.even_load) == (
        2.0,
        0.5,
        10.0,
        0.2,
        1.0,
        1.0,
    )
