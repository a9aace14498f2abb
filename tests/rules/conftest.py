"""Fixtures of the per-rule tests: the validator's hand-made instance."""

from __future__ import annotations

import pytest
from fixtures_validate import make_instance

from pairing.instance import Instance


@pytest.fixture(scope="module")
def instance() -> Instance:
    """The hand-made instance the validator cases break plans of."""
    return make_instance()
