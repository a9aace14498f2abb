"""R10 Heaviest task to the strongest unit (soft).

A soft rule: solver cases show the plan follows the rule (golden plans, and
the rule's weight moving the plan its way); validator cases show a plan made
worse on purpose in the validator's soft-rule figures.
"""

from __future__ import annotations

from builders import (
    ONE_COUNTY,
    cadres,
    households,
    leads,
    province,
    soft,
    solved,
    unit,
)
from fixtures_validate import (
    changed_rows,
    check,
    make_instance,
    plan_rows,
)

# -- solver cases ------------------------------------------------------------


def test_r10_stronger_province_unit_takes_the_heavier_village():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 3.0, 6), ("v2", "C", True, 9.0, 6)],
        [
            unit("weak", "province", "P", strength=2.0, max_villages=1),
            unit("strong", "province", "P", strength=10.0, max_villages=1),
        ],
    )
    plan = solved(inst)
    assert leads(plan) == {"v2": "strong", "v1": "weak"}
    assert plan.info["soft"]["R10"]["strength_severity_by_tier"]["province"] == 1.0


def test_r10_strength_defaults_to_the_number_of_cadres():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 3.0, 6), ("v2", "C", True, 9.0, 6)],
        [
            unit("small", "province", "P", max_villages=1),
            unit("big", "province", "P", max_villages=1),
        ],
        size={"small": 6, "big": 9},
    )
    assert leads(solved(inst)) == {"v2": "big", "v1": "small"}


# -- solver cases: the rule's weight ------------------------------------------


def test_strength_weight_raises_strength_severity_correlation(r10_vs_travel):
    low_plan, low = soft(r10_vs_travel, strength=0.0)
    high_plan, high = soft(r10_vs_travel, strength=5.0)
    lo = low["R10"]["strength_severity_by_tier"]["province"]
    hi = high["R10"]["strength_severity_by_tier"]["province"]
    assert (
        leads(low_plan)["light"] == "strong" and leads(high_plan)["heavy"] == "strong"
    )
    assert hi >= lo and (lo, hi) == (-1.0, 1.0)


def _rank_instance():
    """One county unit, a senior cadre among juniors; households of mixed severity."""
    sev = [9.0, 1.0, 8.0, 2.0, 7.0, 3.0, 6.0, 4.0, 5.0, 1.5]

    c = cadres("c1", 4, cap=5, rank=1)
    c[1]["rank"] = 3
    return province(
        {"C": "A"},
        [("v1", "C", True, 5.0, 0)],
        [unit("c1", "county", "C")],
        households=households("v1", 10, sev),
        cadres=c,
    )


def test_rank_weight_raises_rank_severity_correlation():
    inst = _rank_instance()
    _, low = soft(inst, rank=0.0)
    _, high = soft(inst, rank=5.0)
    assert high["R10"]["rank_severity"] >= low["R10"]["rank_severity"]
    assert high["R10"]["rank_severity"] > 0.5


def test_rank_weight_on_generated(gen):
    _, low = soft(gen, rank=0.0)
    _, high = soft(gen, rank=3.0)
    assert high["R10"]["rank_severity"] >= low["R10"]["rank_severity"]


# -- validator cases: the figure shows a plan made worse on purpose --------------


def test_r10_a_weaker_unit_on_the_heavier_village_shows_in_the_correlation():
    # UP1 leads a1p1 (9.0), UP2 a1p2 (7.0): the stronger one should have a1p1
    good = make_instance(units=changed_rows("units", "unit_id", "UP1", strength=20.0))
    bad = make_instance(units=changed_rows("units", "unit_id", "UP2", strength=20.0))
    for inst, rho in ((good, 1.0), (bad, -1.0)):
        report = check(inst, plan_rows())
        assert report.ok, report.summary()
        assert report.soft.strength_severity_by_tier["province"] == rho
