"""The live progress line of a solve (``pairing.progress``), off a notebook."""

from __future__ import annotations

from pairing.instance import Instance
from pairing.progress import SolveProgress, describe
from pairing.solve import solve


def test_describe_says_stage_time_plan_bound_and_gap():
    text = describe({"stage": "villages", "elapsed": 3.25, "incumbent": 12.0,
                     "bound": 15.0})  # fmt: skip
    assert text == (
        "villages to lead units (R1-R6) · 3.2 s · plan 12.0 · bound 15.0 · gap 20.0%"
    )
    assert describe({"stage": "odd", "elapsed": 0}) == "odd · 0.0 s"


def test_a_solve_updates_the_line(tiny_tables, capsys):
    seen: list[str] = []
    progress = SolveProgress(every=0.0)
    progress._show = seen.append  # type: ignore[method-assign]
    with progress:
        plan = solve(Instance.from_tables(tiny_tables), progress=progress)
    assert plan.status in ("optimal", "feasible")
    assert len(seen) >= 3 and seen[-1].endswith("s in all")
    assert any("villages to lead units" in s for s in seen)
