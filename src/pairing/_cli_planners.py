"""The planners' commands of ``pairing``: score, explain, recommend, scenario.

Each is a thin layer over the library (:mod:`pairing.score`,
:mod:`pairing.explain`, :mod:`pairing.recommend`, :mod:`pairing.scenario`);
:mod:`pairing._cli_planners_args` adds them to the parser of :mod:`pairing.cli`. Exit
statuses follow the data contract: 0 done, 2 bad input or usage (the file,
table, row and what was expected are printed, never a traceback).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, Problem

EXIT_OK, EXIT_INPUT = 0, 2
EXIT_PARTIAL = 4
"""``pairing solve --partial``: a partial plan was written (data contract)."""


def _out(text: str) -> None:
    from ._cli_common import _out as out

    out(text)


def _load(path: str) -> Any:
    from .io import load_instance

    return load_instance(path)


def _plan(path: str) -> Any:
    from .plan import Plan

    return Plan.load(path)


def read_table(path: str, what: str) -> pd.DataFrame:
    """A table from a CSV, Parquet or ``.xlsx`` file, every cell as text.

    Raises
    ------
    InputError
        When the file cannot be read as a table.
    """
    p = Path(path)
    try:
        if p.suffix.lower() == ".parquet":
            df = pd.read_parquet(p).astype(str)
        elif p.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=str).fillna("")
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(
            [
                Problem(
                    what,
                    "",
                    "",
                    "a CSV, Parquet or .xlsx table",
                    str(exc)[:200],
                    p.name,
                )
            ]
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _need(df: pd.DataFrame, what: str, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            [Problem(what, "", c, "the column", "missing") for c in missing]
        )


# -- commands --------------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from .score import score

    s = score(_load(args.instance), _plan(args.plan))
    if args.json:
        from .atomic import json_text

        _out(json_text(s.to_dict()))
        return EXIT_OK
    _out(s.summary(args.lang))
    if args.by_region:
        _out("")
        _out(s.by_region().round(1).to_string())
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain

    if (args.village is None) == (args.household is None):
        raise InputError(
            [Problem("arguments", "", "--village/--household", "exactly one of them")]
        )
    instance, plan = _load(args.instance), _plan(args.plan)
    try:
        e = explain(
            instance,
            plan,
            village=args.village,
            household=args.household,
            k=args.k,
            time_limit=args.time_limit,
        )
    except KeyError as exc:
        what = "villages" if args.village is not None else "households"
        raise InputError(
            [
                Problem(
                    what,
                    str(args.village or args.household),
                    "",
                    "an id of the plan",
                    str(exc).strip("'\""),
                )
            ]
        ) from None
    if args.json:
        _out(json.dumps(e.to_dict(), ensure_ascii=False, indent=2))
    else:
        _out(e.text(args.lang))
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace) -> int:
    from .recommend import recommend

    if args.households is None and args.villages is None:
        raise InputError(
            [Problem("arguments", "", "--households/--villages", "at least one table")]
        )
    instance, plan = _load(args.instance), _plan(args.plan)
    households = villages = None
    if args.households is not None:
        households = read_table(args.households, "households")
        _need(households, "households", ("household_id", "village_id"))
        households["severity"] = _numbers(households, "severity", "households")
    if args.villages is not None:
        villages = read_table(args.villages, "villages")
        _need(villages, "villages", ("village_id",))
    _known(instance, households, villages)
    recs = recommend(instance, plan, households=households, villages=villages, k=args.k)
    table = recs.to_frame(args.lang)
    if args.out:
        from .cells import to_csv

        to_csv(table, Path(args.out))
        _out(f"{len(table):,} choices for {len(recs):,} items written to {args.out}")
    else:
        _out(table.to_string(index=False))
    for r in recs:
        if not r.choices:
            _out(f"{r.kind} {r.id}: {r.note[0 if args.lang == 'zh' else 1]}")
    return EXIT_OK


def _numbers(df: pd.DataFrame, col: str, what: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(0.0, index=df.index)
    values = pd.to_numeric(df[col].replace("", "0"), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            [Problem(what, f"row {i + 1}", col, "a number >= 0", repr(df[col].iat[i]))]
        )
    return values


def _known(instance: Any, *tables: pd.DataFrame | None) -> None:
    problems = []
    for t, what in zip(tables, ("households", "villages"), strict=True):
        if t is None:
            continue
        bad = ~t["village_id"].isin(set(instance.village_index))
        for i in bad.to_numpy().nonzero()[0][:20]:
            problems.append(
                Problem(
                    what,
                    f"row {i + 1}",
                    "village_id",
                    "a village of the instance",
                    repr(t["village_id"].iat[i]),
                )
            )
    if problems:
        raise InputError(problems)


def cmd_scenario_apply(args: argparse.Namespace) -> int:
    from ._cli_common import _check_out, _Run
    from .io import save_instance
    from .scenario import Scenario

    names = ["regions.parquet", "households.parquet"]
    _check_out(args.out, "instance", args.force, [args.instance, args.changes], names)
    instance = _load(args.instance)
    path = Path(args.changes)
    if path.suffix.lower() == ".json":
        scenario = Scenario.load(path)
    else:
        scenario = Scenario.from_table(
            read_table(args.changes, "scenario"), name=path.stem
        )
    changed = scenario.apply(instance)
    _Run.signals.writing(args.out)
    save_instance(changed, args.out, format=args.format, force=args.force)
    _out(scenario.describe())
    _out(f"\nwrote {changed!r} to {args.out}")
    return EXIT_OK


def cmd_scenario_compare(args: argparse.Namespace) -> int:
    from .diff import diff_plans
    from .score import Score, compare

    plans = {Path(p).name or p: _plan(p) for p in [args.base, *args.plans]}
    scores: dict[str, Score] = {}
    for name, p in plans.items():
        if "score" not in p.info:
            raise InputError(
                [
                    Problem(
                        "summary.json",
                        name,
                        "score",
                        "the plan's score",
                        "missing (plan made before scores were recorded)",
                    )
                ]
            )
        scores[name] = Score.from_dict(p.info["score"])
    table = compare(scores)
    base = plans[next(iter(plans))]
    moved: dict[str, list[Any]] = {}
    for name, p in plans.items():
        c = diff_plans(base, p).counts()
        moved[name] = [
            c.get("villages_moved", 0),
            c.get("households_moved", 0),
            p.status,
            len(p.uncovered),
        ]
    extra = pd.DataFrame(
        moved, index=["villages moved", "households moved", "status", "uncovered"]
    )
    _out("Score by rule term (R14's keep-bonus apart, never in the totals)")
    _out(_fmt(table).to_string())
    _out("")
    _out(extra.to_string())
    return EXIT_OK


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    def f(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        return f"{v:,.1f}" if isinstance(v, float | int) else str(v)

    return df.map(f)


# -- parser ----------------------------------------------------------------------
