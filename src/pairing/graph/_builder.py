"""Node keys, household-group ids and the frame collector of the graph (R16).

:class:`_Builder` gathers one node or edge frame per kind, column-wise, and
turns them into :class:`~pairing.report._graphxml.GraphTables`; a node or
edge added twice is kept once (the last, as networkx does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..report._graphxml import GraphTables


def group_id(village_ids: Any, responsible_ids: Any) -> np.ndarray:
    r"""Household-group ids ``<village_id>|<responsible_id>``, never ambiguous.

    A backslash and ``|`` in the village id are written ``\\`` and ``\|``, so
    the first unescaped ``|`` always ends the village id.

    Examples
    --------
    >>> group_id(["a|b", "a"], ["c", "b|c"]).tolist()
    ['a\\|b|c', 'a|b|c']
    """
    v = pd.Series(np.asarray(village_ids, dtype=object).astype(str), dtype=object)
    v = v.str.replace("\\", "\\\\", regex=False).str.replace("|", "\\|", regex=False)
    r = np.asarray(responsible_ids, dtype=object).astype(str)
    return (v.to_numpy(dtype=object) + "|" + r).astype(object)


def _keys(kind: str, ids: Any) -> np.ndarray:
    """Node keys ``"<kind>:<id>"`` (object array)."""
    ids = np.asarray(ids, dtype=object).astype(str)
    out = np.char.add(f"{kind}:", ids) if len(ids) else np.zeros(0, dtype=str)
    return out.astype(object)


class _Builder:
    """Collects node and edge frames, one per kind, in the order added."""

    def __init__(self) -> None:
        self.nodes: list[pd.DataFrame] = []
        self.edges: list[pd.DataFrame] = []

    def add_nodes(self, kind: str, ids: Any, **attrs: Any) -> np.ndarray:
        keys = _keys(kind, ids)
        cols: dict[str, Any] = {
            "node": keys,
            "kind": np.full(len(keys), kind, dtype=object),
            "id": np.asarray(ids, dtype=object).astype(str),
        }
        cols.update({k: np.asarray(v) for k, v in attrs.items()})
        self.nodes.append(pd.DataFrame(cols))
        return keys

    def add_edges(self, kind: str, sources: Any, targets: Any, **attrs: Any) -> None:
        cols: dict[str, Any] = {
            "source": np.asarray(sources, dtype=object),
            "target": np.asarray(targets, dtype=object),
            "kind": np.full(len(sources), kind, dtype=object),
        }
        cols.update({k: np.asarray(v) for k, v in attrs.items()})
        self.edges.append(pd.DataFrame(cols))

    def tables(self, **graph_attrs: Any) -> GraphTables:
        """The frames, a node or edge added twice kept once (the last, as networkx)."""
        nodes = _last(self.nodes, ["node"])
        edges = _last(self.edges, ["source", "target"])
        graph_attrs["counts_nodes"] = _count(nodes)
        graph_attrs["counts_edges"] = _count(edges)
        return GraphTables(nodes, edges, graph_attrs, directed=True)


def _last(frames: list[pd.DataFrame], keys: list[str]) -> list[pd.DataFrame]:
    frames = [f for f in frames if len(f)]
    if not frames:
        return frames
    cols = {
        k: np.concatenate([f[k].to_numpy(dtype=object) for f in frames]) for k in keys
    }
    # hash first (cheap); compare exactly only rows whose hashes repeat
    h = np.zeros(len(cols[keys[0]]), dtype=np.uint64)
    for k in keys:
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(cols[k])
    maybe = pd.Series(h).duplicated(keep=False).to_numpy()
    if not maybe.any():
        return frames
    dup = np.zeros(len(h), dtype=bool)
    sub = pd.DataFrame({k: v[maybe] for k, v in cols.items()})
    dup[np.flatnonzero(maybe)] = sub.duplicated(keep="last").to_numpy()
    out, start = [], 0
    for f in frames:
        keep = ~dup[start : start + len(f)]
        start += len(f)
        if keep.any():
            out.append(f[keep].reset_index(drop=True))
    return out


def _count(frames: list[pd.DataFrame]) -> str:
    kinds = [f["kind"].to_numpy(dtype=object) for f in frames]
    s = pd.Series(np.concatenate(kinds) if kinds else [], dtype=object)
    s = s.value_counts().sort_index()
    return ", ".join(f"{k}={v}" for k, v in s.items())
