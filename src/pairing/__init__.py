"""Plan and prove poverty-alleviation pairings.

The public API is small::

    import pairing

    instance = pairing.load_instance("data/jilin")     # or pairing.generate()
    plan = pairing.solve(instance, time_limit=60)
    print(plan.summary())
    report = pairing.validate(instance, plan)           # independent checks
    plan.save("plans/jilin")
"""

from .errors import Cause, InputError, Infeasible, NoPlanFound, PairingError, Problem
from .instance import Instance
from .rules import Rules

__all__ = [
    "Cause",
    "InputError",
    "Infeasible",
    "Instance",
    "NoPlanFound",
    "PairingError",
    "Problem",
    "Rules",
]

__version__ = "0.1.0"
