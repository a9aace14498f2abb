"""The GraphML writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ._format import (
    _attr,
    _frame_lines,
    _join,
    _Keys,
    _keys_text,
    _piece,
    _py_kind,
    _textval,
    _valued,
    _write,
    _xml_type,
)
from .tables import GraphTables, _escape_keys

_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def write_graphml(tables: GraphTables, path: str | Path) -> None:
    """Write ``tables`` as GraphML (not atomically: see :func:`pairing.atomic`).

    Keys are declared with ``attr.type`` ``int`` (``long`` past 32 bits),
    ``double``, ``string`` or ``boolean``; values are XML-escaped.
    """
    keys = _Keys(gexf=False)
    gframe = {k: pd.Series([v]) for k, v in tables.graph.items()}
    for k, v in tables.graph.items():
        kind = _py_kind(v)
        keys.ids.setdefault(("graph", k, _xml_type(gframe[k], kind, False)), "")
    keys.plan("node", tables.nodes, {"node"})
    keys.plan("edge", tables.edges, {"source", "target"})
    keys.assign()
    esc = _escape_keys(tables)

    def node_lines(f: pd.DataFrame) -> pa.Array:
        parts: list[Any] = ['  <node id="', _keys_text(f["node"], esc), '">']
        parts += _data_parts(f, "node", keys, {"node"})
        return _join(*parts, "</node>\n")

    def edge_lines(f: pd.DataFrame) -> pa.Array:
        parts: list[Any] = [
            '  <edge source="',
            _keys_text(f["source"], esc),
            '" target="',
            _keys_text(f["target"], esc),
            '">',
        ]
        parts += _data_parts(f, "edge", keys, {"source", "target"})
        return _join(*parts, "</edge>\n")

    with open(path, "wb") as fh:
        _write(fh, _GRAPHML_HEAD)
        decl = [
            f'  <key id="{_attr(kid)}" for="{scope}" attr.name="{_attr(name)}" '
            f'attr.type="{typ}"/>\n'
            for (scope, name, typ), kid in keys.ids.items()
        ]
        _write(fh, "".join(decl))
        edgedefault = "directed" if tables.directed else "undirected"
        _write(fh, f'  <graph edgedefault="{edgedefault}">\n')
        for k, v in tables.graph.items():
            kind = _py_kind(v)
            kid = keys.ids[("graph", k, _xml_type(gframe[k], kind, False))]
            _write(
                fh,
                f'  <data key="{_attr(kid)}">{_textval(v, kind, False)}</data>\n',
            )
        for frame in tables.nodes:
            for lines in _frame_lines(frame, node_lines):
                _write(fh, lines)
        for frame in tables.edges:
            for lines in _frame_lines(frame, edge_lines):
                _write(fh, lines)
        _write(fh, "  </graph>\n</graphml>\n")


def _data_parts(
    f: pd.DataFrame, scope: str, keys: _Keys, skip: set[str]
) -> list[pa.Array]:
    return [
        _piece(f'<data key="{_attr(kid)}">', text, "</data>")
        for kid, text in _valued(f, scope, keys, skip, gexf=False)
    ]
