"""R14 No needless change: a re-plan keeps every baseline pairing still valid.

Solver cases only: the validator checks a plan against the hard rules and
does not know the baseline; the changes a re-plan lists are checked here
against the two plans (and every plan is validated). The reserve and
change-kind cases of the re-planner are in ``test_r14_replan.py``.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from strategies import SETTINGS, provinces, solve_drawn

import pairing


def frames_equal(a, b) -> None:
    for name in (
        "village_pairs",
        "household_pairs",
        "leader_areas",
        "leader_contacts",
        "dispatch",
    ):
        pd.testing.assert_frame_equal(
            getattr(a, name).reset_index(drop=True),
            getattr(b, name).reset_index(drop=True),
        )


@SETTINGS
@given(provinces())
def test_resolving_against_its_own_plan_changes_nothing(case):
    inst, _ = case
    plan = solve_drawn(inst)
    again = pairing.solve(inst, time_limit=10, seed=0, workers=1, baseline=plan)
    assert len(again.changes) == 0, again.changes
    frames_equal(plan, again)
    assert pairing.validate(inst, again).ok
