"""Plan and prove poverty-alleviation pairings.

The public API is small::

    import pairing

    instance = pairing.load_instance("data/jilin")     # or pairing.generate()
    plan = pairing.solve(instance, time_limit=60)
    print(plan.summary())
    report = pairing.validate(instance, plan)           # independent checks
    plan.save("plans/jilin")
"""

from .errors import Cause, Infeasible, InputError, NoPlanFound, PairingError, Problem
from .fingerprint import fingerprint
from .generate import generate
from .instance import Instance
from .io import load_instance, save_instance
from .plan import Plan
from .rules import Rules
from .solve import solve
from .validate import ValidationReport, validate

__all__ = [
    "Cause",
    "InputError",
    "Infeasible",
    "Instance",
    "NoPlanFound",
    "PairingError",
    "Plan",
    "Problem",
    "Rules",
    "ValidationReport",
    "fingerprint",
    "generate",
    "load_instance",
    "save_instance",
    "solve",
    "validate",
]

__version__ = "0.1.0"
