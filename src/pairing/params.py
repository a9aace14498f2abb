"""The solver's settings: :class:`SolveParams`, one dataclass per component.

The rules (:class:`pairing.Rules`) say what a plan must and should do; these
say how hard the solver works at it. Each component's settings live beside
its code and are gathered here, in the manner of PyVRP's ``SolveParams``:

* ``villages`` — :class:`VillageParams`, the village stage's front door;
* ``candidates`` — :class:`~pairing.solver.candidates.CandidateParams`,
  pruning the candidate pairs of very large instances;
* ``engine`` — :class:`~pairing.solver.lagrange.engine.EngineParams`, the
  Lagrangian engine;
* ``decomposed`` — :class:`~pairing.solver.decomposed.DecomposedParams`,
  the baseline method;
* ``households`` — :class:`HouseholdParams`, the household stage's flow.

Every field has a default and a documented reason; a TOML file with one
table per component overrides any of them (``pairing solve --params FILE``)::

    [engine]
    core_seconds = 3.0

    [households]
    buckets = 8

Examples
--------
>>> from pairing.params import SolveParams
>>> p = SolveParams.from_dict({"engine": {"core_seconds": 3.0}})
>>> p.engine.core_seconds, p.households.buckets
(3.0, 16)
>>> SolveParams.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .solver.candidates import CandidateParams
from .solver.decomposed import DecomposedParams
from .solver.lagrange.engine import EngineParams

__all__ = [
    "CandidateParams",
    "DecomposedParams",
    "EngineParams",
    "HouseholdParams",
    "SolveParams",
    "VillageParams",
]


@dataclass(frozen=True)
class VillageParams:
    """Settings of the village stage's front door.

    Attributes
    ----------
    monolithic_pairs
        ``method="auto"`` solves one CP-SAT model up to this many candidate
        pairs (small instances, where it proves optimality in seconds) and
        runs the Lagrangian engine above.

    Examples
    --------
    >>> VillageParams().monolithic_pairs
    1000
    """

    monolithic_pairs: int = 1_000


@dataclass(frozen=True)
class HouseholdParams:
    """Settings of the household stage's min-cost flow.

    Attributes
    ----------
    buckets
        Severity classes households are grouped into: more classes match
        senior cadres to severe households more finely (R10) and make the
        network larger (16 classes: 6.5 s at 430k on a loaded 2-core
        machine; 1 class: 0.65 s).
    nearest
        A scattered household reaches its ``nearest`` closest county-tier
        units at their exact travel (R12), the county's others through a
        pool charged the farthest unit's travel.
    stopped_buckets, stopped_nearest
        Once a stop is requested, the components not yet solved use these
        (a coarser network, still exact for every hard rule), so a stopped
        solve returns within about a second.

    Examples
    --------
    >>> HouseholdParams(buckets=8).buckets
    8
    """

    buckets: int = 16
    nearest: int = 6
    stopped_buckets: int = 1
    stopped_nearest: int = 1


_COMPONENTS: dict[str, type[Any]] = {
    "villages": VillageParams,
    "candidates": CandidateParams,
    "engine": EngineParams,
    "decomposed": DecomposedParams,
    "households": HouseholdParams,
}

_SHARES = {
    ("engine", "warm_share"),
    ("engine", "generation_share"),
    ("engine", "smoothing"),
    ("engine", "gap_tolerance"),
    ("decomposed", "polish_share"),
}
"""Fields that are shares: between 0 and 1."""


@dataclass(frozen=True)
class SolveParams:
    """Every setting of the solver, one dataclass per component.

    Attributes
    ----------
    villages
        :class:`VillageParams`.
    candidates
        :class:`~pairing.solver.candidates.CandidateParams`.
    engine
        :class:`~pairing.solver.lagrange.engine.EngineParams`.
    decomposed
        :class:`~pairing.solver.decomposed.DecomposedParams`.
    households
        :class:`HouseholdParams`.

    Examples
    --------
    >>> p = SolveParams(households=HouseholdParams(buckets=4))
    >>> p.households.buckets, p.engine == EngineParams()
    (4, True)
    >>> p.replace(engine={"core_seconds": 2.0}).engine.core_seconds
    2.0
    """

    villages: VillageParams = field(default_factory=VillageParams)
    candidates: CandidateParams = field(default_factory=CandidateParams)
    engine: EngineParams = field(default_factory=EngineParams)
    decomposed: DecomposedParams = field(default_factory=DecomposedParams)
    households: HouseholdParams = field(default_factory=HouseholdParams)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The settings as plain data, one table per component (the TOML layout)."""
        return {name: dataclasses.asdict(getattr(self, name)) for name in _COMPONENTS}

    def to_toml(self) -> str:
        """The settings as TOML text (:meth:`from_toml` reads it back).

        Examples
        --------
        >>> print(SolveParams().to_toml().splitlines()[0])
        [villages]
        """
        lines: list[str] = []
        for name, values in self.to_dict().items():
            lines.append(f"[{name}]")
            for key, value in values.items():
                text = str(value).lower() if isinstance(value, bool) else repr(value)
                lines.append(f"{key} = {text}")
            lines.append("")
        return "\n".join(lines)

    def replace(self, **changes: Mapping[str, Any] | Any) -> SolveParams:
        """A copy with some components' fields changed.

        Each keyword is a component; its value a mapping of fields to change
        (or a whole component dataclass).
        """
        out: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in _COMPONENTS:
                raise TypeError(f"unknown component {name!r}")
            current = getattr(self, name)
            if isinstance(value, Mapping):
                value = dataclasses.replace(current, **value)
            out[name] = value
        return dataclasses.replace(self, **out)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str = "params.toml"
    ) -> SolveParams:
        """Settings from parsed TOML, checking every table, key and value.

        Raises
        ------
        InputError
            Listing every unknown table or key and every value of the wrong
            kind (file, key, what was expected).
        """
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        for name, values in data.items():
            component = _COMPONENTS.get(name)
            if component is None:
                known = ", ".join(_COMPONENTS)
                problems.append(Problem(source, "", name, f"one of {known}", "unknown"))
                continue
            if not isinstance(values, Mapping):
                problems.append(Problem(source, "", name, "a table", repr(values)))
                continue
            kwargs[name] = _component(name, component, values, source, problems)
        if problems:
            raise InputError(problems)
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> SolveParams:
        """Read settings from a TOML file (UTF-8, a byte-order mark allowed).

        Raises
        ------
        InputError
            When the file is not valid TOML or has unknown keys or bad values.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "params.toml"
        >>> _ = path.write_text("[households]\\nbuckets = 4\\n")
        >>> SolveParams.from_toml(path).households.buckets
        4
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                [Problem(path.name, "", "", "valid TOML", str(exc))]
            ) from None
        return cls.from_dict(data, source=path.name)


def _component(
    name: str,
    component: type[Any],
    values: Mapping[str, Any],
    source: str,
    problems: list[Problem],
) -> Any:
    """One component's dataclass from its table; problems are collected."""
    defaults = component()
    fields = {f.name for f in dataclasses.fields(component)}
    sub: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{name}.{key}"
        if key not in fields:
            known = ", ".join(sorted(fields))
            problems.append(Problem(source, "", where, f"one of {known}", "unknown"))
            continue
        default = getattr(defaults, key)
        if isinstance(default, bool):
            ok, want = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            want = "a whole number >= 0"
        else:
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value == value
                and value >= 0
            )
            want = "a number >= 0"
            if ok and (name, key) in _SHARES and value > 1:
                ok, want = False, "a share between 0 and 1"
            value = float(value) if ok else value
        if not ok:
            problems.append(Problem(source, "", where, want, repr(value)))
            continue
        sub[key] = value
    return component(**sub)
