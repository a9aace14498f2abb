"""Fixtures of the per-rule tests: the validator's hand-made instance, the
soft rules' hand-made conflicts and a generated instance."""

from __future__ import annotations

import pytest
from builders import unit, with_xy
from fixtures_validate import make_instance

import pairing
from pairing.instance import Instance


@pytest.fixture(scope="module")
def instance() -> Instance:
    """The hand-made instance the validator cases break plans of."""
    return make_instance()


@pytest.fixture(scope="module")
def r9_vs_travel():
    """The province unit sits next to the light village, 400 km from the heavy one."""
    return with_xy(
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


@pytest.fixture(scope="module")
def r10_vs_travel():
    """The strong province unit sits next to the light village."""
    return with_xy(
        {"C": "A", "D": "A"},
        [("heavy", "C", True, 9.0, 6), ("light", "D", True, 3.0, 6)],
        [
            unit("strong", "province", "P", strength=10.0, max_villages=1),
            unit("weak", "province", "P", strength=1.0, max_villages=1),
        ],
        {"strong": (0, 0), "light": (0, 0), "heavy": (400, 0), "weak": (400, 0)},
    )


@pytest.fixture(scope="session")
def gen():
    """A generated 4,300-household instance (built once for every soft rule)."""
    return pairing.generate(4300, seed=4)
