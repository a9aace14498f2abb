"""The :class:`Plan`: the contract's plan tables and the solve's figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import atomic
from ._frozen import freeze, thaw
from ._planfiles import empty_table as empty_table  # re-exported
from .cells import to_csv
from .schema import PLAN_TABLES

if TYPE_CHECKING:
    from .diff import PlanDiff
    from .instance import Instance
    from .result import SolveResult

FORMATS = ("parquet", "csv", "xlsx")
"""Formats :meth:`Plan.save` writes."""
WORKBOOK_FILE = "plan.xlsx"
"""The workbook of a plan saved as ``xlsx``."""


@dataclass
class Plan:
    """A plan in the contract's layout.

    Attributes
    ----------
    village_pairs, household_pairs, leader_areas, leader_contacts, dispatch, changes
        The plan tables (see ``data-contract.md``).
    result
        The solve's :class:`~pairing.result.SolveResult` (status, objective,
        bound, gap, seconds, stages, parameters, soft figures, provenance);
        None for a plan built by hand or read from a summary pairing cannot
        read as one.
    uncovered
        A partial plan's villages and households left uncovered, each with
        its cause (R15); empty in a full plan, whose folder has no
        ``uncovered`` table (the contract: only in a partial plan).
    info
        What ``summary.json`` holds, as plain read-only data: the result's
        :meth:`~pairing.result.SolveResult.to_dict` when there is a result
        (``status``, ``method``, ``objective``, ``best_bound``, ``gap``,
        ``seconds``, ``counts``, ``soft`` …), else the summary as given.

    Examples
    --------
    >>> import pairing
    >>> instance = pairing.generate(households=2000, seed=2)
    >>> plan = pairing.solve(instance, time_limit=30)
    >>> plan.result.objective == plan.objective == plan.info["objective"]
    True
    >>> plan.info["status"] = "optimal"
    Traceback (most recent call last):
    ...
    TypeError: this mapping is read-only; thaw() it for an editable copy
    """

    village_pairs: pd.DataFrame = field(
        default_factory=lambda: empty_table("village_pairs")
    )
    household_pairs: pd.DataFrame = field(
        default_factory=lambda: empty_table("household_pairs")
    )
    leader_areas: pd.DataFrame = field(
        default_factory=lambda: empty_table("leader_areas")
    )
    leader_contacts: pd.DataFrame = field(
        default_factory=lambda: empty_table("leader_contacts")
    )
    dispatch: pd.DataFrame = field(default_factory=lambda: empty_table("dispatch"))
    changes: pd.DataFrame = field(default_factory=lambda: empty_table("changes"))
    uncovered: pd.DataFrame = field(default_factory=lambda: empty_table("uncovered"))
    info: Mapping[str, Any] = field(default_factory=dict)
    result: SolveResult | None = None

    def __post_init__(self) -> None:
        # one truth: the summary is the result's, read-only either way
        data = self.result.to_dict() if self.result is not None else self.info
        self.info = freeze(data)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The plan tables by name."""
        return {name: getattr(self, name) for name in PLAN_TABLES}

    def _written_tables(self) -> dict[str, pd.DataFrame]:
        """The tables :meth:`save` writes: ``uncovered`` only in a partial plan.

        A plan built by hand with uncovered rows counts as partial too, so
        that saving it never drops them.
        """
        partial = self.status == "partial" or len(self.uncovered) > 0
        return {
            name: df.reset_index(drop=True)
            for name, df in self.tables.items()
            if partial or name != "uncovered"
        }

    # -- figures -------------------------------------------------------------

    @property
    def status(self) -> str:
        """``optimal``, ``feasible`` or ``partial`` (``feasible`` when unknown)."""
        if self.result is not None:
            return self.result.status.value
        return str(self.info.get("status", "feasible"))

    @property
    def objective(self) -> float | None:
        """The village stage's objective (maximised)."""
        if self.result is not None:
            return self.result.objective
        value = self.info.get("objective")
        return None if value is None else float(value)

    @property
    def best_bound(self) -> float | None:
        """The proven upper bound of the objective."""
        if self.result is not None:
            return self.result.bound
        value = self.info.get("best_bound")
        return None if value is None else float(value)

    @property
    def gap(self) -> float | None:
        """Relative gap of the objective to the bound."""
        if self.result is not None:
            return self.result.gap
        value = self.info.get("gap")
        return None if value is None else float(value)

    @property
    def seconds(self) -> dict[str, float]:
        """Wall time by stage, ``total`` and ``report``."""
        return dict(self.info.get("seconds", {}))

    @property
    def fingerprint(self) -> str | None:
        """The fingerprint of the instance the plan was made for (None: unknown)."""
        if self.result is not None and self.result.provenance is not None:
            return self.result.provenance.fingerprint
        prov = self.info.get("provenance")
        fp = prov.get("instance_fingerprint") if isinstance(prov, Mapping) else None
        return fp if isinstance(fp, str) else None

    def score(self, instance: Any = None) -> Any:
        """The objective by rule term, tier and prefecture (:mod:`pairing.score`).

        With ``instance`` it is computed from the plan's tables; without, it
        is the score the solver recorded (``summary.json``'s ``score``).
        """
        from .score import Score, score

        if instance is not None:
            return score(instance, self)
        recorded = self.info.get("score")
        if not recorded:
            raise ValueError("this plan records no score: pass its instance")
        return Score.from_dict(thaw(recorded))

    def summary(self) -> str:
        """A readable summary of the plan and its figures."""
        from .summary import plan_summary

        return plan_summary(self)

    def __str__(self) -> str:
        return self.summary()

    def diff(self, other: Plan, instance: Instance | None = None) -> PlanDiff:
        """What changed from this plan to ``other``.

        See :func:`pairing.diff.diff_plans`.
        """
        from .diff import diff_plans

        return diff_plans(self, other, instance)

    # -- files ---------------------------------------------------------------

    def save(
        self, path: str | Path, format: str = "parquet", *, force: bool = False
    ) -> None:
        """Write the plan folder atomically.

        The ``uncovered`` table is written only for a partial plan (status
        ``partial``, or uncovered rows in a plan built by hand); :meth:`load`
        reads it as empty when it is absent.

        Parameters
        ----------
        path
            The plan folder: new, empty, or a plan folder pairing wrote (it is
            replaced whole; any file pairing did not write there is kept).
        format
            ``parquet`` (default), ``csv`` (UTF-8; text at risk of running as
            a formula marked with ``'``, see :mod:`pairing.cells`) or ``xlsx``
            (one workbook ``plan.xlsx``, a sheet per table).
        force
            Also write into a folder that is not a plan folder pairing wrote,
            keeping every file in it.

        Raises
        ------
        pairing.atomic.OutputRefused
            When ``path`` may not be written (see :func:`pairing.atomic.folder`).
        """
        if format not in FORMATS:
            raise ValueError(f"format must be parquet, csv or xlsx, not {format!r}")
        with atomic.folder(path, "plan", force=force) as tmp:
            tables = self._written_tables()
            if format == "xlsx":
                from .io import write_xlsx

                write_xlsx(tmp / WORKBOOK_FILE, tables, mark="pairing:plan")
            for name, out in tables.items():
                if format == "parquet":
                    out.to_parquet(tmp / f"{name}.parquet", index=False)
                elif format == "csv":
                    to_csv(out, tmp / f"{name}.csv")
            (tmp / "summary.json").write_text(
                atomic.json_text(self.info) + "\n", encoding="utf-8"
            )

    @staticmethod
    def file_names(format: str = "parquet") -> list[str]:
        """The files :meth:`save` may write in ``format`` (the marker aside).

        ``uncovered`` is among them: a partial plan writes it, a full one not.
        """
        if format == "xlsx":
            return [WORKBOOK_FILE, "summary.json"]
        return [f"{name}.{format}" for name in PLAN_TABLES] + ["summary.json"]

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        """Read a plan folder written by :meth:`save` or another service.

        Read as leniently as instances are (:func:`pairing.load_instance`):
        Parquet, CSV (all-as-text, a byte-order mark allowed) or one
        workbook (``.xlsx``, a sheet per table, in the folder or given
        itself); ids are text, trimmed of surrounding blanks, and never
        missing values (``nan``, ``None``, ``NA`` stay ids); flags may be
        ``true``/``false``, ``1``/``0``, ``yes``/``no`` or ``是``/``否``.
        ``summary.json`` is optional.

        Raises
        ------
        InputError
            When a table is missing or lacks a contract column, a column is
            there twice, a flag is not a flag, or ``summary.json`` is not a
            JSON object with figures of the right kinds.
        """
        from ._planfiles import read_plan
        from .result import SolveResult

        tables, info = read_plan(Path(path))
        try:
            result = SolveResult.from_dict(info) if info else None
        except ValueError:  # another service's summary: kept as it is
            result = None
        return cls(**tables, info=info, result=result)
