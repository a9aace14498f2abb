"""A synthetic province shaped like Jilin in December 2015.

:func:`generate` builds a complete, normalised instance (regions, villages,
households, units, cadres, leaders, resident teams, claims) whose hard rules
(R1–R8) can all hold. It first draws a hidden *reference pairing* (every poor
village's lead unit) and then sizes every unit's cadres so that the reference
fits with some slack: the reference is a witness of feasibility, not a plan the
solver is meant to find (:func:`generate_with_reference` returns it for tests).

Everything is vectorised over households and cadres; loops run over regions,
units and villages only. ``docs/generator.md`` lists the assumptions and the
calibration figures.

The package is laid out by concern: :mod:`~pairing.generate.calibration`
(the Jilin figures and divisions), :mod:`~pairing.generate.province` (the
:class:`Province` description, :data:`JILIN`), and one builder per group of
tables, each building on the one before in the order the tables are drawn
from the one random generator: ``_places`` (regions, villages, the province
tier of the reference), ``_households``, ``_units``, ``_people`` (cadres,
leaders, resident teams, claims); ``_builder`` assembles the instance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..instance import Instance
from ._builder import _Builder
from ._helpers import _apportion as _apportion
from ._helpers import _at_most_two as _at_most_two
from .calibration import *  # noqa: F403  (every calibration figure, as before)
from .calibration import MIN_HOUSEHOLDS
from .province import JILIN, Province

__all__ = ["JILIN", "Province", "generate", "generate_with_reference"]


def generate(
    households: int | None = None,
    seed: int = 0,
    *,
    scattered_share: float = 0.38,
    slack: float = 0.2,
    short_counties: int = 0,
    province: Province | None = None,
) -> Instance:
    """A synthetic Jilin-like instance whose hard rules can all hold.

    Parameters
    ----------
    households
        Poor households; the whole province scales with it (villages, units,
        cadres). The default is the province's full size: Jilin's 430,000;
        43,000 is a 10% Jilin. At least 1,000.
    seed
        Seed of :func:`numpy.random.default_rng`; the same arguments give the
        same tables.
    scattered_share
        Share of households scattered in non-poor villages (插花户).
    slack
        Mean spare capacity of the prefecture and county tiers over the demand
        of the hidden reference pairing (each county draws between half and
        one and a half times it).
    short_counties
        Number of counties (with a prefecture tier above them) whose county
        tier cannot carry all its scattered households, so that the
        prefecture tier must take the rest (R3, "县级兜底").
    province
        The province's divisions and figures (default :data:`JILIN`); see
        :class:`Province` and :func:`pairing.national.province`.

    Returns
    -------
    Instance
        Normalised tables (every contract column present) and default
        :class:`~pairing.Rules`.

    Raises
    ------
    InputError
        When an argument is out of range.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=1)
    >>> len(instance.households), int(instance.v_poor.sum()) > 0
    (2000, True)
    """
    return generate_with_reference(
        households,
        seed,
        scattered_share=scattered_share,
        slack=slack,
        short_counties=short_counties,
        province=province,
    )[0]


def generate_with_reference(
    households: int | None = None,
    seed: int = 0,
    *,
    scattered_share: float = 0.38,
    slack: float = 0.2,
    short_counties: int = 0,
    province: Province | None = None,
) -> tuple[Instance, pd.DataFrame]:
    """:func:`generate`, and the hidden reference pairing it was sized on.

    Returns
    -------
    instance, reference
        ``reference`` has one row per poor village: ``village_id``,
        ``unit_id``, ``tier``. It keeps R2, R4 and R6, and every unit's
        capacity covers its reference villages; it ignores the objectives.
    """
    prov = JILIN if province is None else province
    if households is None:
        households = prov.households
    _check_args(households, scattered_share, slack, short_counties)
    builder = _Builder(households, seed, scattered_share, slack, short_counties, prov)
    return builder.build()


def _check_args(
    households: int, scattered_share: float, slack: float, short_counties: int
) -> None:
    problems = []
    if not isinstance(households, int | np.integer) or households < MIN_HOUSEHOLDS:
        problems.append(
            Problem(
                "generate",
                "",
                "households",
                f"an integer >= {MIN_HOUSEHOLDS}",
                repr(households),
            )
        )
    if not 0.05 <= scattered_share <= 0.7:
        problems.append(
            Problem(
                "generate",
                "",
                "scattered_share",
                "between 0.05 and 0.7",
                repr(scattered_share),
            )
        )
    if not 0.0 <= slack <= 5.0:
        problems.append(
            Problem("generate", "", "slack", "between 0 and 5", repr(slack))
        )
    if short_counties < 0:
        problems.append(
            Problem("generate", "", "short_counties", ">= 0", repr(short_counties))
        )
    if problems:
        raise InputError(problems)
