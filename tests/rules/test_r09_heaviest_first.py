"""R9 Heaviest first, level by level (soft).

A soft rule: solver cases show the plan follows the rule (golden plans, and
the rule's weight moving the plan its way); validator cases show a plan made
worse on purpose in the validator's soft-rule figures.
"""

from __future__ import annotations

from builders import (
    ONE_COUNTY,
    leads,
    province,
    soft,
    solved,
    unit,
)
from fixtures_validate import (
    check,
    plan_rows,
    swap_leads,
)

# -- solver cases ------------------------------------------------------------


def test_r9_heavier_village_to_the_province_unit():
    inst = province(
        ONE_COUNTY,
        [("v1", "C", True, 9.0, 6), ("v2", "C", True, 3.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
    )
    plan = solved(inst)
    assert leads(plan) == {"v1": "prov", "v2": "c1"}
    assert plan.info["status"] == "optimal"
    assert plan.info["soft"]["R9"]["inverted_share"] == 0.0


def test_r9_three_tiers_in_order():
    inst = province(
        ONE_COUNTY,
        [
            ("v1", "C", True, 2.0, 6),
            ("v2", "C", True, 9.0, 6),
            ("v3", "C", True, 5.0, 6),
        ],
        [
            unit("prov", "province", "P", max_villages=1),
            unit("pref", "prefecture", "A", max_villages=1),
            unit("c1", "county", "C"),
        ],
    )
    plan = solved(inst)
    assert leads(plan) == {"v2": "prov", "v3": "pref", "v1": "c1"}


# -- solver cases: the rule's weight ------------------------------------------


def test_tier_weight_lowers_inverted_share(r9_vs_travel):
    low_plan, low = soft(r9_vs_travel, tier=0.0, strength=0.0)
    high_plan, high = soft(r9_vs_travel, tier=5.0, strength=0.0)
    assert leads(low_plan)["light"] == "prov"  # travel wins
    assert leads(high_plan)["heavy"] == "prov"  # R9 wins
    assert high["R9"]["inverted_share"] <= low["R9"]["inverted_share"]
    assert (low["R9"]["inverted_share"], high["R9"]["inverted_share"]) == (1.0, 0.0)


TIER_VALUE = {"province": 1.0, "prefecture": 0.5, "county": 0.0}


def test_tier_weight_on_generated(gen):
    """Sweep the R9 weight: the R9 term never falls, inverted share low vs high."""
    sev = gen.villages.set_index("village_id")["severity"]
    term, share = [], []
    for w in (0.0, 1.0, 3.0, 10.0):
        plan, s = soft(gen, tier=w)
        assert plan.info["status"] == "optimal"
        vp = plan.village_pairs[plan.village_pairs["role"] == "lead"]
        term.append(
            float((vp["village_id"].map(sev) * vp["tier"].map(TIER_VALUE)).sum())
        )
        share.append(s["R9"]["inverted_share"])
    # exact optima: the weighted term is monotone in its weight
    assert all(b >= a - 1e-9 for a, b in zip(term, term[1:], strict=False)), term
    assert share[-1] <= share[0], share


# -- validator cases: the figure shows a plan made worse on purpose --------------


def test_r9_an_inverted_pair_shows_in_the_validators_share(instance):
    # prefecture B: UB (prefecture tier) leads b1p1 (5.0), CB1 (county) b1p2 (3.0)
    assert check(instance, plan_rows()).soft.inverted_share == 0.0
    worse = swap_leads(plan_rows(), "b1p1", "b1p2")  # the lighter one goes up
    report = check(instance, worse)
    assert report.ok, report.summary()  # still every hard rule
    by = {r["prefecture_id"]: r for r in report.soft.detail["R9"]["by_prefecture"]}
    assert by["B"]["inverted_pairs"] == 1 and by["B"]["inverted_share"] == 1.0
    assert by["A"]["inverted_pairs"] == 0
    assert report.soft.inverted_share == 1 / 3  # 1 of the 3 cross-tier pairs
