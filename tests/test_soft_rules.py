"""Each soft rule's weight moves the plan the way its rule says.

For every weight of :class:`pairing.rules.Weights`, the same instance is solved
with the weight low and high; the rule's figure in ``plan.info["soft"]`` must
not get worse (≤ or ≥ as the rule says). The hand-made cases set the rule
against another objective term (usually travel) so that the weight decides.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import make_instance
from test_solve import leads, province, solved, unit

import pairing
from pairing import Rules
from pairing.rules import Weights


def weighted(inst, **w):
    return inst.replace(rules=inst.rules.replace(weights=Weights(**w)))


def soft(inst, **w):
    plan = solved(weighted(inst, **w))
    return plan, plan.info["soft"]


def _with_xy(counties, villages, units, pos, **kw):
    """:func:`province` with positions ``{village or unit id: (x_km, y_km)}``."""
    inst = province(counties, villages, units, **kw)
    tables = dict(inst.tables)
    for name, col in (("villages", "village_id"), ("units", "unit_id")):
        df = tables[name].copy()
        xy = df[col].map(pos)
        df["x_km"] = xy.map(lambda p: p[0] if isinstance(p, tuple) else np.nan).astype(
            float
        )
        df["y_km"] = xy.map(lambda p: p[1] if isinstance(p, tuple) else np.nan).astype(
            float
        )
        tables[name] = df
    return make_instance(inst.rules, **tables)


# -- R9 tier ------------------------------------------------------------------


@pytest.fixture(scope="module")
def r9_vs_travel():
    """The province unit sits next to the light village, 400 km from the heavy one."""
    return _with_xy(
        {"C": "A", "D": "A"},
        [("heavy", "C", True, 9.0, 6), ("light", "D", True, 3.0, 6)],
        [
            unit("prov", "province", "P", max_villages=1),
            unit("c1", "county", "C"),
            unit("d1", "county", "D"),
        ],
        {
            "prov": (0, 0),
            "light": (0, 0),
            "heavy": (400, 0),
            "c1": (400, 0),
            "d1": (0, 0),
        },
    )


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


@pytest.fixture(scope="module")
def gen():
    return pairing.generate(4300, seed=4)


# -- R10 strength and rank ------------------------------------------------------


@pytest.fixture(scope="module")
def r10_vs_travel():
    """The strong province unit sits next to the light village."""
    return _with_xy(
        {"C": "A", "D": "A"},
        [("heavy", "C", True, 9.0, 6), ("light", "D", True, 3.0, 6)],
        [
            unit("strong", "province", "P", strength=10.0, max_villages=1),
            unit("weak", "province", "P", strength=1.0, max_villages=1),
        ],
        {"strong": (0, 0), "light": (0, 0), "heavy": (400, 0), "weak": (400, 0)},
    )


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
    from test_solve import cadres, households

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


# -- R11 continuity -------------------------------------------------------------


def test_continuity_weight_keeps_the_team():
    inst = province(
        {"C": "A"},
        [("v1", "C", True, 9.0, 6), ("v2", "C", True, 3.0, 6)],
        [unit("prov", "province", "P", max_villages=1), unit("c1", "county", "C")],
        resident_teams=[{"village_id": "v1", "unit_id": "c1", "kind": "work_team"}],
    )
    low_plan, low = soft(inst, continuity=0.0)
    high_plan, high = soft(inst, continuity=10.0)
    assert leads(low_plan)["v1"] == "prov"  # R9 wins without continuity
    assert leads(high_plan)["v1"] == "c1"
    assert high["R11"]["kept"] >= low["R11"]["kept"]
    assert (low["R11"]["kept"], high["R11"]["kept"]) == (0, 1)


def test_continuity_weight_on_generated(gen):
    _, low = soft(gen, continuity=0.0)
    _, high = soft(gen, continuity=10.0)
    assert high["R11"]["kept"] >= low["R11"]["kept"]


# -- R12 travel and even loads ----------------------------------------------------


def test_distance_weight_shortens_travel(r9_vs_travel):
    _, low = soft(r9_vs_travel, distance=0.0, tier=1.0)
    _, high = soft(r9_vs_travel, distance=5.0, tier=1.0)
    assert high["R12"]["mean_travel_km"] <= low["R12"]["mean_travel_km"]
    assert high["R12"]["mean_travel_km"] == 0.0


def test_distance_weight_shortens_scattered_travel():
    # scattered households of C may go to the near or the far county unit
    inst = _with_xy(
        {"C": "A"},
        [("v1", "C", True, 5.0, 6), ("n1", "C", False, 0.0, 6)],
        [
            unit("near", "county", "C", min_villages=0, max_villages=0),
            unit("far", "county", "C"),
        ],
        {"n1": (0, 0), "near": (0, 0), "far": (300, 0), "v1": (300, 0)},
        size={"near": 2, "far": 4},
    )
    _, low = soft(inst, distance=0.0)
    _, high = soft(inst, distance=5.0)
    assert high["R12"]["mean_travel_km"] <= low["R12"]["mean_travel_km"]
    assert high["R12"]["mean_travel_km"] == 0.0


def _lead_travel(inst, plan) -> float:
    """Sum of lead unit → village distances: the village stage's travel term."""
    vp = plan.village_pairs[plan.village_pairs["role"] == "lead"]
    u = inst.unit_index.get_indexer(vp["unit_id"])
    v = inst.village_index.get_indexer(vp["village_id"])
    return float(inst.distance(u, v).sum())


def test_distance_weight_on_generated(gen):
    # the village stage weighs travel per lead pair; at optima, a larger weight
    # cannot lengthen it (household-weighted travel may move either way)
    low_plan, _ = soft(gen, distance=0.0)
    high_plan, _ = soft(gen, distance=2.0)
    assert low_plan.info["gap"] == 0 and high_plan.info["gap"] == 0
    assert _lead_travel(gen, high_plan) <= _lead_travel(gen, low_plan) + 1e-6


def _loads(plan, inst):
    hp = plan.household_pairs
    hp = hp[hp["responsible_kind"] == "cadre"]
    load = hp["responsible_id"].value_counts()
    return inst.cadres["cadre_id"].map(load).fillna(0).to_numpy()


def test_even_load_weight_spreads_households():
    # one rank class of 6 cadres (cap 5) and 12 households: 2 each when even
    from test_solve import cadres

    c = cadres("c1", 6, cap=5, rank=1)
    c[0]["rank"] = 1
    inst = province(
        {"C": "A"},
        [("v1", "C", True, 5.0, 12)],
        [unit("c1", "county", "C")],
        cadres=c,
    )
    low_plan, low = soft(inst, even_load=0.0)
    high_plan, high = soft(inst, even_load=5.0)
    assert high["R12"]["idle_while_full"] <= low["R12"]["idle_while_full"]
    assert np.ptp(_loads(high_plan, inst)) <= np.ptp(_loads(low_plan, inst))
    assert sorted(_loads(high_plan, inst)) == [2] * 6


def test_even_load_weight_on_generated(gen):
    low_plan, low = soft(gen, even_load=0.0)
    high_plan, high = soft(gen, even_load=3.0)
    assert high["R12"]["idle_while_full"] <= low["R12"]["idle_while_full"]
    assert np.std(_loads(high_plan, gen)) <= np.std(_loads(low_plan, gen)) + 1e-9


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
