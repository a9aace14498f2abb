"""The graph as column-wise tables, and its round trip with networkx."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._format import _ILLEGAL, _kind


@dataclasses.dataclass
class GraphTables:
    """A graph as frames: one per kind of node or edge.

    Attributes
    ----------
    nodes
        Frames with a ``node`` column (the node key, a string) and one column
        per attribute.
    edges
        Frames with ``source`` and ``target`` columns (node keys) and one
        column per attribute.
    graph
        Graph attributes (str, int, float or bool).
    directed
        Whether the graph is directed.

    Notes
    -----
    Attribute columns are bool, integer, float or string columns. A missing
    value (``None`` or ``NaN`` in a string column, ``<NA>`` in a nullable
    column) means the node or edge has no such attribute; a float column's
    ``NaN`` is a value.
    """

    nodes: list[pd.DataFrame]
    edges: list[pd.DataFrame]
    graph: dict[str, Any] = dataclasses.field(default_factory=dict)
    directed: bool = True

    def number_of_nodes(self) -> int:
        return sum(len(f) for f in self.nodes)

    def number_of_edges(self) -> int:
        return sum(len(f) for f in self.edges)

    @classmethod
    def from_networkx(cls, G: Any) -> GraphTables:
        """Frames of a networkx graph: nodes (edges) with the same attribute
        names and types share one.

        Raises
        ------
        ValueError
            When an attribute is not a str, int, float or bool (numpy scalars
            are converted), or the graph is a multigraph.
        """
        if G.is_multigraph():
            raise ValueError("multigraphs are not written")
        graph = {k: _scalar(v, "graph", k) for k, v in G.graph.items()}
        nodes = _runs(
            ((n, d) for n, d in G.nodes(data=True)), ("node",), lambda n: (str(n),)
        )
        edges = _runs(
            (((u, v), d) for u, v, d in G.edges(data=True)),
            ("source", "target"),
            lambda e: (str(e[0]), str(e[1])),
        )
        return cls(nodes, edges, graph, G.is_directed())

    def to_networkx(self) -> Any:
        """The graph as a ``networkx.DiGraph`` (``Graph`` when undirected).

        Attribute values are plain Python scalars; missing values are left
        out.
        """
        import networkx as nx

        G = nx.DiGraph() if self.directed else nx.Graph()
        G.graph.update(self.graph)
        for frame in self.nodes:
            G.add_nodes_from(_records(frame, ["node"]))
        for frame in self.edges:
            G.add_edges_from(_records(frame, ["source", "target"]))
        return G


def _scalar(value: Any, where: str, key: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, str | int | float | bool):
        raise ValueError(
            f"{where} attribute {key!r} is {type(value).__name__}; "
            "only str, int, float or bool can be written"
        )
    return value


def _runs(items: Any, names: tuple[str, ...], keys: Any) -> list[pd.DataFrame]:
    """Items grouped by their attribute names and types, one frame per group."""
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    where = "node" if len(names) == 1 else "edge"
    for item, d in items:
        values = []
        types = []
        for k, v in d.items():
            v = _scalar(v, f"{where} {item}", k)
            values.append(v)
            types.append((str(k), type(v)))
        groups.setdefault(tuple(types), []).append((*keys(item), *values))
    frames = []
    for sig, rows in groups.items():
        cols = list(zip(*rows, strict=True))
        data: dict[str, Any] = {
            n: np.asarray(c, dtype=object) for n, c in zip(names, cols, strict=False)
        }
        for j, (name, typ) in enumerate(sig, start=len(names)):
            data[name] = _column(cols[j], typ)
        frames.append(pd.DataFrame(data, columns=[*names, *(k for k, _ in sig)]))
    return frames


def _column(values: tuple[Any, ...], typ: type) -> Any:
    if typ is bool:
        return np.asarray(values, dtype=bool)
    if typ is float:
        return np.asarray(values, dtype=np.float64)
    if typ is int:
        try:
            return np.asarray(values, dtype=np.int64)
        except OverflowError:  # beyond 64 bits: Python ints
            return np.asarray(values, dtype=object)
    return np.asarray(values, dtype=object)


def _records(frame: pd.DataFrame, keys: list[str]) -> Iterator[tuple[Any, ...]]:
    attrs = [c for c in frame.columns if c not in keys]
    cols = [_plain_list(frame[c]) for c in attrs]
    heads = [frame[k].astype(str).tolist() for k in keys]
    complete = not any(None in c for c in cols)
    rows = zip(*cols, strict=True) if cols else iter([()] * len(frame))
    for i, row in enumerate(rows):
        if complete:
            d = dict(zip(attrs, row, strict=True))
        else:
            d = {a: v for a, v in zip(attrs, row, strict=True) if v is not None}
        yield (*(h[i] for h in heads), d)


def _plain_list(s: pd.Series) -> list[Any]:
    """A column as Python scalars, ``None`` where missing (float NaN is a value)."""
    kind = _kind(s)
    if kind == "double":
        return s.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
    missing = s.isna().to_numpy()
    values = s.to_numpy(dtype=object).tolist() if kind == "string" else s.tolist()
    if not missing.any():
        return values
    return [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]


def _key_columns(tables: GraphTables) -> list[pd.Series]:
    cols = [f["node"] for f in tables.nodes]
    cols += [f[c] for f in tables.edges for c in ("source", "target")]
    return cols


def _escape_keys(tables: GraphTables) -> bool:
    """Whether some node key holds a character XML cannot hold."""
    for col in _key_columns(tables):
        if not len(col):
            continue
        values = np.asarray(col, dtype=object)
        try:
            try:
                arr = pa.array(values, type=pa.string(), from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):  # not all str: as text
                arr = pa.array(values.astype(str), type=pa.string())
        except (UnicodeEncodeError, pa.ArrowInvalid):  # a lone surrogate
            return True
        if pc.any(pc.match_substring_regex(arr, _ILLEGAL)).as_py():
            return True
    return False
