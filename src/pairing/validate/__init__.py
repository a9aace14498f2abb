"""The independent validator: every hard rule (R1–R8, and R13's rows) of a plan.

:func:`validate` is the "second pair of eyes": it reads the instance's
normalised tables and the plan's tables and checks each rule exactly as
``docs/semantics.md`` states it, with pandas/numpy of its own. It imports
nothing from :mod:`pairing.solver` and uses none of the solver arrays of
:class:`~pairing.Instance`. Work is vectorised over households and cadres;
loops run over leaders, leader groups and the (capped) violations listed.

Which rule a structural problem is filed under: unknown ids, bad ``role`` /
``responsible_kind`` values, duplicate and missing rows of ``village_pairs``
and ``household_pairs`` under R1; the ``tier`` column against the unit's
tier under R2; ``household_pairs.unit_id`` against the cadre's unit under
R5; the leader tables (and a leader row's ``unit_id``, which must be empty)
under R7; the ``dispatch`` table under R8; ``supplementary`` rows under R13.

This package is the one intended duplicate in `pairing`: each hard rule is
written once in the solver (:mod:`pairing.solver`, the pre-checks and
:mod:`pairing.rules`' shared readings such as
:meth:`~pairing.rules.Dispatch.team_bounds`) and once more here, read again
from the rule text rather than shared, so that a misreading in one is caught
by the other. Do not replace the checks of its modules with calls into the solver's
rule code (the rule *parameters*, :class:`pairing.Rules`, are shared: they
are the input, not a reading).

The validator's modules: :mod:`~pairing.validate.report` (the report types),
one module per rule group (:mod:`~pairing.validate.villages`: R1 R2 R4 R6
R13; :mod:`~pairing.validate.households`: R1 R3 R5;
:mod:`~pairing.validate.leaders`: R7; :mod:`~pairing.validate.dispatch`:
R8), :mod:`~pairing.validate.partial` (the ``uncovered`` table of a partial
plan) and :mod:`~pairing.validate._base` (what the groups share).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics import Raw, figures_from, plan_frames
from ..result import SoftFigures
from ._base import LIMIT as LIMIT  # kept importable from the old module path
from ._base import TOL as TOL
from ._base import Found
from .dispatch import DispatchChecks
from .households import HouseholdChecks
from .leaders import LeaderChecks
from .report import RULES, ValidationReport, Violation
from .villages import VillageChecks

if TYPE_CHECKING:
    from ..instance import Instance
    from ..plan import Plan

__all__ = ["RULES", "ValidationReport", "Violation", "validate"]

# -- the validator --------------------------------------------------------------


def validate(instance: Instance, plan: Plan) -> ValidationReport:
    """Check a plan against every hard rule, independently of the solver.

    Parameters
    ----------
    instance
        The (checked) instance.
    plan
        Any plan in the contract's layout; missing contract columns, unknown
        ids and malformed rows are reported as violations, never raised.

    Returns
    -------
    ValidationReport
        The violations (rule, ids, message) and the soft-rule figures.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=4)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> report = pairing.validate(instance, plan)
    >>> report.ok, report.fingerprint == pairing.fingerprint(instance)
    (True, True)
    """
    raw = Raw(instance)
    tables, missing = plan_frames(plan)
    found = Found()
    owner = {
        "village_pairs": "R1",
        "household_pairs": "R1",
        "leader_areas": "R7",
        "leader_contacts": "R7",
        "dispatch": "R8",
    }
    for name, cols in missing:
        if name in owner:
            found.add(
                owner[name],
                (name,),
                f"plan table {name} lacks contract column(s) {', '.join(cols)}",
            )
    lacking = {(name, c) for name, cols in missing for c in cols}
    checker = _Checker(
        raw,
        tables,
        found,
        has_tier=("village_pairs", "tier") not in lacking,
        has_head=("dispatch", "is_head") not in lacking,
    )
    checker.run()
    try:
        soft = figures_from(raw, tables)
    except Exception as exc:  # the figures must never hide the violations
        soft = {"error": f"{type(exc).__name__}: {exc}"}
    return ValidationReport(
        tuple(found.violations),
        SoftFigures.from_dict(soft),
        dict(found.unlisted),
        instance.fingerprint,
        dict(checker.left),
    )


class _Checker(VillageChecks, HouseholdChecks, LeaderChecks, DispatchChecks):
    """The checks of one plan; each ``rN`` method checks rule ``RN``."""

    def run(self) -> None:
        self.village_rows()
        self.r2()
        self.r4()
        self.r6()
        self.r13()
        self.household_rows()
        self.r3()
        self.r5()
        self.r7()
        self.r8()
