"""The outcome of a solve as typed values: :class:`SolveResult` and its parts.

:func:`pairing.solve` builds one :class:`SolveResult` once, at the end of its
pipeline, and never changes it; :attr:`pairing.Plan.result` carries it and
``summary.json`` is its :meth:`~SolveResult.to_dict` (every key of the data
contract, plus the newer ones: ``provenance``, ``stopped``, the stages'
``seconds`` and the component settings under ``parameters.solver``).
:meth:`SolveResult.from_dict` reads it back, also from plans written before
these keys existed.

* :class:`Status` — ``optimal``, ``feasible`` or ``partial``;
* :class:`StageResult` — one stage's status, method, objective, bound, time
  and work counters;
* :class:`SoftFigures` — the R9–R13 figures: typed headline fields, and the
  whole detail as a read-only mapping; ``str()`` is the "Soft rules" block;
* :class:`Provenance` — the instance's fingerprint and the versions of the
  library and its solvers.

:class:`SoftFigures` lives in :mod:`pairing.soft_figures` and
:class:`Provenance` in :mod:`pairing.provenance`; both are exported here too.

Examples
--------
>>> from pairing.result import SolveResult, Status
>>> r = SolveResult.from_dict({"status": "optimal", "objective": 5.0,
...                            "best_bound": 5.0, "gap": 0.0})
>>> r.status is Status.OPTIMAL, r.is_optimal(), r.gap
(True, True, 0.0)
>>> SolveResult.from_dict(r.to_dict()) == r
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ._coerce import as_float as _float
from ._coerce import as_map as _map
from ._frozen import FrozenDict, freeze, thaw
from .provenance import Provenance
from .provenance import versions as versions  # re-exported: its old path
from .soft_figures import SoftFigures
from .soft_figures import _num as _num  # re-exported: its old path

if TYPE_CHECKING:
    from .params import SolveParams

__all__ = ["Provenance", "SoftFigures", "SolveResult", "StageResult", "Status"]


class Status(StrEnum):
    """How good a plan is.

    Examples
    --------
    >>> Status("feasible") is Status.FEASIBLE, str(Status.OPTIMAL)
    (True, 'optimal')
    """

    OPTIMAL = "optimal"
    """Proven best: the objective meets the bound."""
    FEASIBLE = "feasible"
    """Every hard rule holds; the bound and gap say how far from best it may be."""
    PARTIAL = "partial"
    """Some villages or households are left uncovered (``--partial``, R15)."""


@dataclass(frozen=True)
class StageResult:
    """One stage of the pipeline.

    Attributes
    ----------
    name
        ``villages`` or ``households`` (the stages with an objective).
    status
        Whether the stage's own model was solved to optimality.
    method
        The method that made the stage's part of the plan.
    objective, bound, gap
        The stage's objective, its proven bound and their relative gap
        (``None`` where the stage has none).
    seconds
        Wall time of the stage (``None`` when not recorded).
    work
        What the method counted (master solves, core pairs, …).
    details
        Stage figures beyond these (``prefecture_overflow``, ``arcs``, …).

    Examples
    --------
    >>> s = StageResult("households", Status.OPTIMAL, "min-cost flow",
    ...                 details={"arcs": 12})
    >>> s.to_dict()["arcs"], StageResult.from_dict("households", s.to_dict()) == s
    (12, True)
    """

    name: str
    status: Status
    method: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float | None = None
    work: Mapping[str, int] = field(default_factory=FrozenDict)
    details: Mapping[str, Any] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "work", freeze(self.work))
        object.__setattr__(self, "details", freeze(self.details))

    _KNOWN = ("status", "method", "objective", "bound", "gap", "seconds", "work")

    def to_dict(self) -> dict[str, Any]:
        """The stage as ``summary.json``'s ``stages.<name>`` object."""
        out: dict[str, Any] = {"status": str(self.status), "method": self.method}
        for key in ("objective", "bound", "gap", "seconds"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.work or self.name == "villages":
            out["work"] = dict(self.work)
        out.update(thaw(self.details))
        return out

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> StageResult:
        """A stage from its ``summary.json`` object (unknown keys: ``details``)."""
        status = str(data.get("status", "feasible"))
        return cls(
            name=name,
            status=Status(status)
            if status in Status._value2member_map_
            else Status.FEASIBLE,
            method=str(data.get("method", "")),
            objective=_float(data.get("objective")),
            bound=_float(data.get("bound")),
            gap=_float(data.get("gap")),
            seconds=_float(data.get("seconds")),
            work={str(k): int(v) for k, v in _map(data.get("work")).items()},
            details={k: v for k, v in data.items() if k not in cls._KNOWN},
        )


_CONTRACT = (
    "status",
    "method",
    "objective",
    "best_bound",
    "gap",
    "seconds",
    "stages",
    "parameters",
    "counts",
    "dispatch_shortfall",
    "dispatch_by_tier",
    "soft",
    "provenance",
    "stopped",
    "uncovered",
    "score",
)


@dataclass(frozen=True)
class SolveResult:
    """What a solve found, besides the plan's tables.

    Attributes
    ----------
    status
        :class:`Status` of the plan.
    method
        The village-stage method that made it (``lagrangian``, ``cpsat``, …).
    objective, bound, gap
        The village stage's objective (maximised), its proven upper bound and
        their relative gap (``None`` where unknown).
    seconds
        Wall time by stage (``checks``, ``leaders``, ``villages``,
        ``households``, ``dispatch``), ``total``, and ``report`` (the soft
        figures, after the total).
    stages
        :class:`StageResult` by stage name.
    parameters
        The call's options (``time_limit``, ``seed``, ``workers``,
        ``deterministic``, ``method``, ``capacity_reserve``).
    params
        The components' settings (:class:`pairing.params.SolveParams`); None
        for a plan read from a summary that does not record them.
    soft
        :class:`SoftFigures` (empty when a stopped solve skipped them).
    counts
        Sizes: poor villages, lead and supplementary pairs, households by
        cadres and leaders, units leading, cadres dispatched, leaders.
    dispatch_shortfall
        Units whose kick-off team (R8) could not be filled: ``unit_id``,
        ``needed``, ``available``.
    dispatch_by_tier
        Cadres dispatched and units sending a team per leading tier, beside
        the seed's figures (R8; :func:`pairing.metrics.dispatch_by_tier`).
    provenance
        :class:`Provenance`; None for plans written before it was recorded.
    stopped
        The stage at which a stop request was acted on (None: not stopped).
    uncovered
        A partial plan's ``villages`` and ``households`` left uncovered, the
        households by why (their village is left, their unit or county is
        short) and ``coverage_proved`` (R1 relaxed, R15; empty for a full
        plan).
    score
        The objective by rule term, R14's keep-bonus apart, as
        :meth:`pairing.score.Score.to_dict` writes it (empty when the solve
        was stopped or the summary predates it).
    extra
        Keys of a read ``summary.json`` this version does not know (kept,
        and written back).

    Examples
    --------
    >>> r = SolveResult.from_dict({"status": "feasible", "objective": 9.0,
    ...                            "best_bound": 10.0, "gap": 0.1})
    >>> r.is_feasible(), r.is_optimal(), r.provenance is None
    (True, False, True)
    >>> r.to_dict()["best_bound"]
    10.0
    """

    status: Status
    method: str = ""
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: Mapping[str, float] = field(default_factory=FrozenDict)
    stages: Mapping[str, StageResult] = field(default_factory=FrozenDict)
    parameters: Mapping[str, Any] = field(default_factory=FrozenDict)
    params: SolveParams | None = None
    soft: SoftFigures = field(default_factory=SoftFigures)
    counts: Mapping[str, int] = field(default_factory=FrozenDict)
    dispatch_shortfall: tuple[Mapping[str, Any], ...] = ()
    dispatch_by_tier: Mapping[str, Mapping[str, Any]] = field(
        default_factory=FrozenDict
    )
    provenance: Provenance | None = None
    stopped: str | None = None
    uncovered: Mapping[str, Any] = field(default_factory=FrozenDict)
    score: Mapping[str, Any] = field(default_factory=FrozenDict)
    extra: Mapping[str, Any] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "seconds", freeze(self.seconds))
        object.__setattr__(self, "stages", FrozenDict(self.stages))
        object.__setattr__(self, "parameters", freeze(self.parameters))
        object.__setattr__(self, "counts", freeze(self.counts))
        object.__setattr__(
            self,
            "dispatch_shortfall",
            tuple(freeze(d) for d in self.dispatch_shortfall),
        )
        object.__setattr__(self, "dispatch_by_tier", freeze(self.dispatch_by_tier))
        object.__setattr__(self, "uncovered", freeze(self.uncovered))
        object.__setattr__(self, "score", freeze(self.score))
        object.__setattr__(self, "extra", freeze(self.extra))

    def is_optimal(self) -> bool:
        """Whether the plan is proven best (its objective meets the bound)."""
        return self.status is Status.OPTIMAL

    def is_feasible(self) -> bool:
        """Whether every village and household is covered (not ``partial``)."""
        return self.status is not Status.PARTIAL

    def to_dict(self) -> dict[str, Any]:
        """The result as ``summary.json`` (plain data; floats may be NaN/inf).

        Every key the data contract names is there (``status``, ``method``,
        ``objective``, ``best_bound``, ``gap``, ``seconds``, ``counts``,
        ``soft``), with ``stages``, ``parameters``, ``dispatch_shortfall``,
        ``dispatch_by_tier``, ``provenance``, ``stopped``, ``uncovered`` and
        ``score``.
        """
        parameters = thaw(self.parameters)
        if self.params is not None:
            parameters["solver"] = self.params.to_dict()
        out: dict[str, Any] = {
            "status": str(self.status),
            "method": self.method,
            "objective": self.objective,
            "best_bound": self.bound,
            "gap": self.gap,
            "seconds": dict(self.seconds),
            "stages": {k: s.to_dict() for k, s in self.stages.items()},
            "parameters": parameters,
            "counts": dict(self.counts),
            "dispatch_shortfall": [dict(d) for d in self.dispatch_shortfall],
            "dispatch_by_tier": thaw(self.dispatch_by_tier),
            "soft": self.soft.to_dict(),
            "provenance": self.provenance.to_dict() if self.provenance else None,
            "stopped": self.stopped,
            "uncovered": dict(self.uncovered),
            "score": thaw(self.score),
        }
        out.update(thaw(self.extra))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SolveResult:
        """A result from ``summary.json`` data (older summaries too).

        Raises
        ------
        ValueError
            When ``status`` is missing or not a :class:`Status`.
        """
        from .params import SolveParams

        status = data.get("status")
        if status not in Status._value2member_map_:
            raise ValueError(
                f"status must be one of {', '.join(Status)}, not {status!r}"
            )
        parameters = dict(_map(data.get("parameters")))
        solver = parameters.pop("solver", None)
        params = None
        if isinstance(solver, Mapping):
            try:
                params = SolveParams.from_dict(thaw(solver))
            except (ValueError, TypeError):  # settings of another version: kept
                parameters["solver"] = solver
        prov = data.get("provenance")
        return cls(
            status=Status(str(status)),
            method=str(data.get("method", "")),
            objective=_float(data.get("objective")),
            bound=_float(data.get("best_bound")),
            gap=_float(data.get("gap")),
            seconds={str(k): float(v) for k, v in _map(data.get("seconds")).items()},
            stages={
                str(k): StageResult.from_dict(str(k), v)
                for k, v in _map(data.get("stages")).items()
                if isinstance(v, Mapping)
            },
            parameters=parameters,
            params=params,
            soft=SoftFigures.from_dict(_map(data.get("soft"))),
            counts=_map(data.get("counts")),
            dispatch_shortfall=tuple(
                d
                for d in data.get("dispatch_shortfall") or ()
                if isinstance(d, Mapping)
            ),
            dispatch_by_tier=_map(data.get("dispatch_by_tier")),
            provenance=Provenance.from_dict(prov)
            if isinstance(prov, Mapping)
            else None,
            stopped=str(data["stopped"]) if data.get("stopped") else None,
            uncovered=_map(data.get("uncovered")),
            score=_map(data.get("score")),
            extra={k: v for k, v in data.items() if k not in _CONTRACT},
        )

    def summary(self) -> str:
        """The readable figures of the result (see :meth:`pairing.Plan.summary`)."""
        from .summary import result_summary

        return result_summary(self)

    def __str__(self) -> str:
        return self.summary()
