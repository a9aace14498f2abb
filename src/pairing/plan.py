"""The :class:`Plan`: the contract's plan tables and the solve's figures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import atomic
from .errors import InputError, Problem
from .schema import PLAN_TABLES

_DTYPES: dict[str, dict[str, str]] = {
    "village_pairs": {"continuity": "bool"},
    "dispatch": {"is_head": "bool"},
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty plan table with the contract's columns and dtypes."""
    cols = PLAN_TABLES[name]
    types = _DTYPES.get(name, {})
    return pd.DataFrame({c: pd.Series([], dtype=types.get(c, "str")) for c in cols})


@dataclass
class Plan:
    """A plan in the contract's layout.

    Attributes
    ----------
    village_pairs, household_pairs, leader_areas, leader_contacts, dispatch, changes
        The plan tables (see ``data-contract.md``).
    info
        What ``summary.json`` holds: ``status``, ``method``, ``objective``,
        ``best_bound``, ``gap``, ``seconds`` (total and by stage), ``counts``
        and ``soft`` (the R9–R13 figures).
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
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The plan tables by name."""
        return {name: getattr(self, name) for name in PLAN_TABLES}

    # -- figures -------------------------------------------------------------

    @property
    def status(self) -> str:
        return str(self.info.get("status", "feasible"))

    @property
    def objective(self) -> float | None:
        return self.info.get("objective")

    @property
    def best_bound(self) -> float | None:
        return self.info.get("best_bound")

    @property
    def gap(self) -> float | None:
        return self.info.get("gap")

    @property
    def seconds(self) -> dict[str, float]:
        return dict(self.info.get("seconds", {}))

    def summary(self) -> str:
        """A readable summary of the plan and its figures."""
        from .summary import plan_summary

        return plan_summary(self)

    def __str__(self) -> str:
        return self.summary()

    def diff(self, other: Plan, instance: Any = None) -> Any:
        """What changed from this plan to ``other``.

        See :func:`pairing.diff.diff_plans`.
        """
        from .diff import diff_plans

        return diff_plans(self, other, instance)

    # -- files ---------------------------------------------------------------

    def save(self, path: str | Path, format: str = "parquet") -> None:
        """Write the plan folder atomically (``parquet`` or ``csv``)."""
        if format not in ("parquet", "csv"):
            raise ValueError(f"format must be parquet or csv, not {format!r}")
        with atomic.folder(path) as tmp:
            for name, df in self.tables.items():
                out = df.reset_index(drop=True)
                if format == "parquet":
                    out.to_parquet(tmp / f"{name}.parquet", index=False)
                else:
                    out.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "summary.json").write_text(
                json.dumps(self.info, indent=2, ensure_ascii=False, default=_json),
                encoding="utf-8",
            )

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        """Read a plan folder written by :meth:`save` or another service.

        Raises
        ------
        InputError
            When a table is missing or lacks a contract column.
        """
        path = Path(path)
        problems: list[Problem] = []
        if not path.is_dir():
            raise InputError(
                [Problem("plan", str(path), "", "a plan folder", "nothing")]
            )
        tables: dict[str, pd.DataFrame] = {}
        for name, cols in PLAN_TABLES.items():
            pq, csv = path / f"{name}.parquet", path / f"{name}.csv"
            try:
                if pq.exists():
                    df = pd.read_parquet(pq)
                elif csv.exists():
                    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
                elif name == "changes":
                    df = empty_table(name)
                else:
                    problems.append(
                        Problem(name, "", "", f"{name}.parquet or .csv", "no file")
                    )
                    continue
            except Exception as exc:  # a corrupt file: report, don't trace back
                problems.append(
                    Problem(name, "", "", "a readable table", str(exc)[:200])
                )
                continue
            missing = [c for c in cols if c not in df.columns]
            for c in missing:
                problems.append(Problem(name, "", c, "the contract column", "missing"))
            tables[name] = _normalise(name, df)
        if problems:
            raise InputError(problems)
        info: dict[str, Any] = {}
        summary = path / "summary.json"
        if summary.exists():
            try:
                info = json.loads(summary.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise InputError(
                    [Problem("summary.json", "", "", "valid JSON", str(exc))]
                ) from None
        return cls(**tables, info=info)


def _normalise(name: str, df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in df.columns:
        kind = _DTYPES.get(name, {}).get(col)
        if kind == "bool":
            if df[col].dtype != bool:
                df[col] = (
                    df[col]
                    .astype(str)
                    .str.strip()
                    .str.lower()
                    .isin(["true", "1", "yes"])
                )
        elif col in PLAN_TABLES[name]:
            df[col] = df[col].astype("str").fillna("")
            df.loc[df[col].isin(["nan", "None", "<NA>"]), col] = ""
    return df


def _json(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
