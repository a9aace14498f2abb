"""R15 Infeasibility is explained: no plan passed off, the causes named.

Solver cases: an instance that cannot keep the hard rules raises
:class:`pairing.Infeasible` with causes in the planners' terms, with numbers;
one that can gives a plan the validator passes. (The validator's own cases
are per rule, in the other files.)
"""

from __future__ import annotations

import pytest
from builders import ONE_COUNTY, province, unit
from hypothesis import given
from strategies import SETTINGS, provinces, solve_drawn

import pairing
from pairing import Infeasible
from pairing.precheck import precheck


def test_infeasible_raises_with_causes():
    # 30 households in the only county, two county cadres (10 places), nobody else
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 5.0, 30)],
        [unit("c1", "county", "C")],
        size={"c1": 2},
    )
    with pytest.raises(Infeasible) as exc:
        pairing.solve(inst, time_limit=10, seed=0)
    causes = exc.value.causes
    assert causes and all(c.rule and c.message for c in causes)
    assert "30" in " ".join(c.message for c in causes)


@SETTINGS
@given(provinces(teams=False, tight=True))
def test_tight_instances_validate_or_explain(case):
    inst, short = case
    try:
        plan = solve_drawn(inst)
    except Infeasible as exc:
        assert short  # only shrunk counties can make it infeasible
        assert exc.causes and all(c.rule and c.message for c in exc.causes)
        # the counting pre-checks or the village stage name a cause
        assert precheck(inst) or any(c.rule for c in exc.causes)
        return
    report = pairing.validate(inst, plan)
    assert report.ok, report.summary()
