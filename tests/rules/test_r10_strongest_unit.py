"""R10 Heaviest task to the strongest unit (soft).

Solver cases: a plan made by ``pairing.solve`` keeps the rule, checked
independently. Validator cases: a plan broken on purpose for the rule is
caught by ``pairing.validate`` with the rule's id.
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
