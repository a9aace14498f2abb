"""What-if scenarios: changes to an instance, as values (R14).

A *change* is a frozen dataclass that knows how to apply itself to an
:class:`~pairing.Instance` without touching it: :meth:`Change.apply` returns
a new, checked instance. Changes describe themselves in plain words, turn
into plain data (``to_dict`` / ``from_dict``) and so can be listed, saved as
JSON and re-applied. A :class:`Scenario` is a named sequence of changes,
applied in order::

    from pairing.scenario import CadresLeaveShare, KeyCountyAdd, RuleChange, Scenario

    what_if = Scenario(
        "tighter caps",
        (
            CadresLeaveShare(0.02, seed=1),
            KeyCountyAdd("220524"),
            RuleChange(max_households=4),
        ),
    )
    changed = what_if.apply(instance)          # instance itself is unchanged
    plan2 = solve(changed, baseline=what_if.rebase(plan))

A reference to something that does not exist (an unknown cadre, unit,
household or county) raises :class:`~pairing.InputError` whose first problem
names the change (table ``scenario``, id ``<scenario> step <k>: <kind>``).

``docs/replanning.md`` describes every change and what the solver keeps when
it re-plans against a baseline.

The package is laid out by concern: :mod:`~pairing.scenario.change` (the base
class and the registry of kinds), one module per group of change kinds
(:mod:`~pairing.scenario.cadres`, :mod:`~pairing.scenario.units`,
:mod:`~pairing.scenario.households`, :mod:`~pairing.scenario.settings`), the
container (:mod:`~pairing.scenario.container`) and the table codec
(:mod:`~pairing.scenario.table`). Every public name is importable from here.
"""

from __future__ import annotations

from .cadres import CadresJoin, CadresLeave, CadresLeaveShare
from .change import CHANGES, Change, change_from_dict
from .container import Scenario
from .households import HouseholdsAdd, HouseholdsLeave
from .settings import KeyCountyAdd, RuleChange, UnitStrength
from .table import TABLE_COLUMNS as TABLE_COLUMNS
from .units import UnitsMerge, UnitSplit

__all__ = [
    "CHANGES",
    "CadresJoin",
    "CadresLeave",
    "CadresLeaveShare",
    "Change",
    "HouseholdsAdd",
    "HouseholdsLeave",
    "KeyCountyAdd",
    "RuleChange",
    "Scenario",
    "UnitSplit",
    "UnitStrength",
    "UnitsMerge",
    "change_from_dict",
]
