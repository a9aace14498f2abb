"""The synthetic province lands on the seed's figures, as shares (issue #8).

A 10% Jilin (``generate(43_000)``), planned with the fast heuristic method and
validated: units per tier, province-tier cadres, the province tier's share of
villages and households, prefecture-led villages above county-led ones (the
county tier is the backstop, "兜底"), and the kick-off dispatch by tier
(R8 as amended), each against the seed's figure scaled to the instance.
"""

from __future__ import annotations

import pytest

from pairing.generate import generate
from pairing.solve import solve
from pairing.validate import validate

SEED = {
    "households": 430_000,
    "villages": 1_500,
    "units": {"province": 200, "prefecture": 800, "county": 3_200},
    "province_cadres": 10_000,
    "province_villages": 201,
    "province_households": 29_903,
    "dispatch": {"province": 1_000, "prefecture": 2_000, "county": 8_000},
}


@pytest.fixture(scope="module")
def solved():
    inst = generate(43_000)
    plan = solve(inst, method="heuristic", seed=0, time_limit=60)
    return inst, plan


def _near(got: float, want: float, tol: float) -> bool:
    return abs(got - want) <= tol * want


def test_the_plan_is_valid(solved):  # R1–R8
    inst, plan = solved
    report = validate(inst, plan)
    assert report.ok, report.summary()


def test_units_and_province_cadres_follow_the_seed(solved):
    inst, _ = solved
    scale = len(inst.households) / SEED["households"]
    tiers = inst.units["tier"].value_counts()
    for tier, n in SEED["units"].items():
        assert _near(tiers[tier], n * scale, 0.15), (tier, tiers[tier])
    unit_tier = inst.units.set_index("unit_id")["tier"]
    c_tier = unit_tier.reindex(inst.cadres["unit_id"]).to_numpy()
    province = int((c_tier == "province").sum())
    assert _near(province, SEED["province_cadres"] * scale, 0.10)
    # 6,000 of deputy-division rank and above in offices, 4,000 managers
    kind = inst.units.set_index("unit_id")["kind"].reindex(inst.cadres["unit_id"])
    managers = kind[c_tier == "province"].isin(["省属企业", "高校"]).mean()
    assert 0.35 <= managers <= 0.45


def test_villages_and_households_by_tier_follow_the_seed(solved):  # R9
    inst, plan = solved
    lead = plan.village_pairs[plan.village_pairs["role"] == "lead"]
    villages = lead["tier"].value_counts()
    share = villages["province"] / len(lead)
    assert _near(share, SEED["province_villages"] / SEED["villages"], 0.15)
    # county tier "兜底": it takes what the prefecture tier leaves
    assert villages["prefecture"] > villages["county"]
    hh = inst.households["village_id"].value_counts()
    by_tier = hh.reindex(lead["village_id"]).groupby(lead["tier"].to_numpy()).sum()
    share = by_tier["province"] / len(inst.households)
    assert _near(share, SEED["province_households"] / SEED["households"], 0.15)


def test_dispatch_by_tier_follows_the_seed(solved):  # R8
    inst, plan = solved
    scale = len(inst.households) / SEED["households"]
    got = plan.info["dispatch_by_tier"]
    unit_tier = inst.units.set_index("unit_id")["tier"]
    sent = unit_tier.reindex(plan.dispatch["unit_id"]).value_counts()
    for tier, n in SEED["dispatch"].items():
        assert got[tier]["cadres"] == sent[tier]
        assert got[tier]["seed"] == n
        assert got[tier]["seed_at_scale"] == round(n * scale)
        assert _near(sent[tier], n * scale, 0.20), (tier, sent[tier])
    # every county unit with households sends a team, scattered-only ones too
    hp = plan.household_pairs
    carrying = set(hp.loc[hp["responsible_kind"] == "cadre", "unit_id"])
    assert carrying <= set(plan.dispatch["unit_id"])
