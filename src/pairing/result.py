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

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ._frozen import FrozenDict, freeze, thaw

if TYPE_CHECKING:
    from .instance import Instance
    from .params import SolveParams

__all__ = ["Provenance", "SoftFigures", "SolveResult", "StageResult", "Status"]

_EMPTY: Mapping[str, Any] = FrozenDict()


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


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f


def _int(value: Any) -> int | None:
    f = _float(value)
    return int(f) if f is not None and math.isfinite(f) else None


def _map(value: Any) -> Mapping[str, Any]:
    return freeze(value) if isinstance(value, Mapping) else _EMPTY


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


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * float(value):.2f}%"


@dataclass(frozen=True, eq=False)
class SoftFigures(Mapping[str, Any]):
    """The soft-rule figures (R9–R13) of a plan.

    The headline figures are typed fields; :attr:`detail` holds everything
    :func:`pairing.metrics.soft_figures` computes (``summary.json``'s
    ``soft``), read-only, and the object itself reads as that mapping
    (``figures["R9"]``). ``str()`` gives the "Soft rules" block that
    :meth:`pairing.Plan.summary` and :meth:`pairing.ValidationReport.summary`
    print.

    Attributes
    ----------
    inverted_share
        R9: share of cross-tier village pairs of a prefecture where the
        higher tier's village is lighter.
    strength_severity_by_tier
        R10: Spearman correlation per tier of unit strength with the
        severity it leads.
    rank_severity
        R10: Spearman correlation of cadre rank with household severity.
    continuity_kept, continuity_keepable
        R11: resident teams whose unit leads their village, of those that
        could.
    mean_load_active, mean_load, max_load, idle_while_full, mean_travel_km
        R12: households per responsible cadre (per cadre of any load), the
        largest load, cadres idle while a peer is full, mean travel.
    claims_honoured, claims
        R13: social units' claims honoured, of those made.
    detail
        Every figure, as plain read-only data.

    Examples
    --------
    >>> f = SoftFigures.from_dict({"R13": {"claims": 4, "honoured": 3}})
    >>> f.claims_honoured, f["R13"]["claims"]
    (3, 4)
    >>> print(f)
    Soft rules
    ----------
      R13 claims honoured 3 of 4
    """

    inverted_share: float | None = None
    strength_severity_by_tier: Mapping[str, float | None] = field(
        default_factory=FrozenDict
    )
    rank_severity: float | None = None
    continuity_kept: int | None = None
    continuity_keepable: int | None = None
    mean_load_active: float | None = None
    mean_load: float | None = None
    max_load: int | None = None
    idle_while_full: int | None = None
    mean_travel_km: float | None = None
    claims_honoured: int | None = None
    claims: int | None = None
    detail: Mapping[str, Any] = field(default_factory=FrozenDict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SoftFigures:
        """The figures of a ``soft`` mapping (any part may be missing)."""
        d = freeze(dict(data or {}))
        r9, r10, r11, r12, r13 = (
            _map(d.get(k)) for k in ("R9", "R10", "R11", "R12", "R13")
        )
        return cls(
            inverted_share=_float(r9.get("inverted_share")),
            strength_severity_by_tier=FrozenDict(
                {
                    str(k): _float(v)
                    for k, v in _map(r10.get("strength_severity_by_tier")).items()
                }
            ),
            rank_severity=_float(r10.get("rank_severity")),
            continuity_kept=_int(r11.get("kept")),
            continuity_keepable=_int(r11.get("keepable")),
            mean_load_active=_float(r12.get("mean_load_active")),
            mean_load=_float(r12.get("mean_load")),
            max_load=_int(r12.get("max_load")),
            idle_while_full=_int(r12.get("idle_while_full")),
            mean_travel_km=_float(r12.get("mean_travel_km")),
            claims_honoured=_int(r13.get("honoured")),
            claims=_int(r13.get("claims")),
            detail=d,
        )

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain, editable data (``summary.json``'s ``soft``)."""
        out: dict[str, Any] = thaw(self.detail)
        return out

    # -- the mapping: the detail ---------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self.detail[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.detail)

    def __len__(self) -> int:
        return len(self.detail)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SoftFigures):
            return dict(self.detail) == dict(other.detail)
        if isinstance(other, Mapping):
            return dict(self.detail) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        d = self.detail
        lines = ["Soft rules", "----------"]
        if d.get("R9"):
            lines.append(
                "  R9  inverted pairs (lighter village at a higher tier): "
                f"{_pct(self.inverted_share)}"
            )
        if d.get("R10"):
            per_tier = self.strength_severity_by_tier
            tiers = ", ".join(f"{t} {_num(v)}" for t, v in per_tier.items())
            lines.append(f"  R10 Spearman strength~severity: {tiers or 'n/a'}")
            lines.append(
                "      Spearman cadre rank~household severity: "
                f"{_num(self.rank_severity)}"
            )
        if d.get("R11"):
            lines.append(
                f"  R11 continuity kept {self.continuity_kept or 0:,} of "
                f"{self.continuity_keepable or 0:,} keepable"
            )
        if d.get("R12"):
            lines.append(
                f"  R12 load per responsible cadre {_num(self.mean_load_active)} "
                f"(all cadres {_num(self.mean_load)}), max {_num(self.max_load)}, "
                f"idle-while-full {_num(self.idle_while_full)}, travel "
                f"{_num(self.mean_travel_km)} km"
            )
        if d.get("R13"):
            lines.append(
                f"  R13 claims honoured {self.claims_honoured or 0:,} of "
                f"{self.claims or 0:,}"
            )
        if "error" in d:
            lines.append(f"  (not computed: {d['error']})")
        return "\n".join(lines) if len(lines) > 2 else ""


@dataclass(frozen=True)
class Provenance:
    """Which data and which software made a plan.

    Attributes
    ----------
    fingerprint
        :func:`pairing.fingerprint` of the instance (64 hex digits).
    versions
        ``pairing``, ``python`` and the solvers' versions (``ortools``,
        ``highspy``) and the table libraries' (``numpy``, ``pandas``).

    Examples
    --------
    >>> p = Provenance("ab" * 32, {"pairing": "0.1.0"})
    >>> Provenance.from_dict(p.to_dict()) == p
    True
    """

    fingerprint: str
    versions: Mapping[str, str] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", freeze(self.versions))

    @classmethod
    def of(cls, instance: Instance) -> Provenance:
        """The provenance of a plan made now from ``instance``."""
        from .fingerprint import fingerprint

        return cls(fingerprint(instance), versions())

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_fingerprint": self.fingerprint,
            "versions": dict(self.versions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance | None:
        """The provenance of a ``summary.json`` object, None without a fingerprint."""
        fp = data.get("instance_fingerprint")
        if not isinstance(fp, str) or not fp:
            return None
        return cls(fp, {str(k): str(v) for k, v in _map(data.get("versions")).items()})


def versions() -> dict[str, str]:
    """The versions of pairing, Python and the libraries a plan depends on.

    Examples
    --------
    >>> sorted(versions())
    ['highspy', 'numpy', 'ortools', 'pairing', 'pandas', 'python']
    """
    import platform
    from importlib import metadata

    from . import __version__

    out = {"pairing": __version__, "python": platform.python_version()}
    for name in ("ortools", "highspy", "numpy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


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
