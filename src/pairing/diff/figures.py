"""The plans' figures side by side (soft rules, score) and the summary's numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def _numbers(info: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Numbers (and short strings) of nested ``info``, keyed by dotted path."""
    out: dict[str, Any] = {}
    for k, v in info.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_numbers(v, key + "."))
        elif isinstance(v, bool):
            out[key] = v
        elif isinstance(v, int | float | np.integer | np.floating):
            out[key] = float(v) if isinstance(v, float | np.floating) else int(v)
        elif isinstance(v, list):
            out[key + ".count"] = len(v)
        elif isinstance(v, str) and len(v) <= 40:
            out[key] = v
    return out


def _soft(a: Mapping[str, Any], b: Mapping[str, Any]) -> pd.DataFrame:
    """Headline figures and the R9–R13 figures of both plans, side by side."""
    rows: list[tuple[str, Any, Any]] = []
    for key in ("status", "method", "objective", "best_bound", "gap"):
        if key in a or key in b:
            rows.append((key, a.get(key), b.get(key)))
    sa = a.get("seconds", {}) or {}
    sb = b.get("seconds", {}) or {}
    if "total" in sa or "total" in sb:
        rows.append(("seconds.total", sa.get("total"), sb.get("total")))
    rows += _score_rows(a.get("score") or {}, b.get("score") or {})
    na = _numbers(a.get("soft", {}) or {}, "soft.")
    nb = _numbers(b.get("soft", {}) or {}, "soft.")
    keys = list(na) + [k for k in nb if k not in na]
    rows += [(k, na.get(k), nb.get(k)) for k in keys]
    df = pd.DataFrame(rows, columns=["figure", "a", "b"])
    df["delta"] = pd.Series(
        [_delta(x, y) for x, y in zip(df["a"], df["b"], strict=True)],
        index=df.index,
        dtype=object,
    )
    return df


def _score_rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The score terms side by side (:mod:`pairing.score`), then the total, then
    R14's keep-bonus on its own row: it is never part of the total."""
    if not a and not b:
        return []
    ta, tb = a.get("by_term", {}) or {}, b.get("by_term", {}) or {}
    terms = list(ta) + [t for t in tb if t not in ta]
    rows: list[tuple[str, Any, Any]] = [
        (f"score.{t}", ta.get(t), tb.get(t)) for t in terms
    ]
    rows.append(("score.total", a.get("total"), b.get("total")))
    rows.append(
        ("score.keep_bonus (R14, apart)", a.get("keep_bonus"), b.get("keep_bonus"))
    )
    return rows


def _delta(x: Any, y: Any) -> float | None:
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
    if not ok or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(y) - float(x)


def _fmt_soft(df: pd.DataFrame) -> pd.DataFrame:
    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "n/a"
        if isinstance(v, bool | str):
            return str(v)
        if isinstance(v, int):
            return f"{v:,}"
        return f"{v:,.4g}"

    out = df.copy()
    for col in ("a", "b"):
        out[col] = out[col].map(fmt)
    out["delta"] = [
        "" if d is None or pd.isna(d) or d == 0 else f"{d:+,.4g}"
        for d in df["delta"].tolist()
    ]
    return out


def _pct(n: int, total: int) -> str:
    return f" ({100 * n / total:.1f}%)" if total else ""


def _extra(c: dict[str, int], name: str) -> str:
    parts = []
    if c.get(f"{name}_added"):
        parts.append(f"{c[f'{name}_added']:,} added")
    if c.get(f"{name}_removed"):
        parts.append(f"{c[f'{name}_removed']:,} removed")
    return ("; " + ", ".join(parts)) if parts else ""
