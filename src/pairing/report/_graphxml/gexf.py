"""The GEXF 1.2 writer."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._format import (
    _attr,
    _frame_lines,
    _join,
    _Keys,
    _keys_text,
    _kind,
    _piece,
    _text,
    _valued,
    _write,
)
from .tables import GraphTables, _escape_keys

_GEXF_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<gexf xmlns="http://www.gexf.net/1.2draft" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.gexf.net/1.2draft '
    'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
)


def write_gexf(tables: GraphTables, path: str | Path) -> None:
    """Write ``tables`` as GEXF 1.2 (not atomically: see :func:`pairing.atomic`).

    Attributes are declared with type ``integer`` (``long`` past 32 bits),
    ``double``, ``string`` or ``boolean``. A node's ``label`` attribute is
    its label (the node key when missing); edges get ids ``0 …``.
    """
    node_keys = _Keys(gexf=True)
    node_keys.plan("node", tables.nodes, {"node", "label"})
    node_keys.assign()
    edge_keys = _Keys(gexf=True)
    edge_keys.plan("edge", tables.edges, {"source", "target"})
    edge_keys.assign(first=len(node_keys.ids))
    esc = _escape_keys(tables)

    def node_lines(f: pd.DataFrame) -> pa.Array:
        key = _keys_text(f["node"], esc)
        if "label" in f.columns:
            s = f["label"]
            label = pc.coalesce(_text(s, _kind(s), True), key)
        else:
            label = key
        parts: list[Any] = ['      <node id="', key, '" label="', label, '">']
        parts += _attvalues(f, "node", node_keys, {"node", "label"})
        return _join(*parts, "</node>\n")

    edge_no = [0]

    def edge_lines(f: pd.DataFrame) -> pa.Array:
        ids = pa.array(np.arange(edge_no[0], edge_no[0] + len(f)).astype(str))
        edge_no[0] += len(f)
        parts: list[Any] = [
            '      <edge source="',
            _keys_text(f["source"], esc),
            '" target="',
            _keys_text(f["target"], esc),
            '" id="',
            ids,
            '">',
        ]
        parts += _attvalues(f, "edge", edge_keys, {"source", "target"})
        return _join(*parts, "</edge>\n")

    name = _attr(str(tables.graph.get("name", "")))
    kind = "directed" if tables.directed else "undirected"
    today = datetime.date.today().isoformat()
    with open(path, "wb") as fh:
        _write(fh, _GEXF_HEAD)
        _write(
            fh,
            f'  <meta lastmodifieddate="{today}">\n'
            "    <creator>pairing</creator>\n  </meta>\n"
            f'  <graph defaultedgetype="{kind}" mode="static" name="{name}">\n'
            + _declare(node_keys, "node")
            + _declare(edge_keys, "edge")
            + "    <nodes>\n",
        )
        for frame in tables.nodes:
            for lines in _frame_lines(frame, node_lines):
                _write(fh, lines)
        _write(fh, "    </nodes>\n    <edges>\n")
        for frame in tables.edges:
            for lines in _frame_lines(frame, edge_lines):
                _write(fh, lines)
        _write(fh, "    </edges>\n  </graph>\n</gexf>\n")


def _attvalues(f: pd.DataFrame, scope: str, keys: _Keys, skip: set[str]) -> list[Any]:
    """A frame's ``<attvalues>`` pieces (none when no column has a value)."""
    parts = [
        _piece(f'<attvalue for="{kid}" value="', text, '"/>')
        for kid, text in _valued(f, scope, keys, skip, gexf=True)
    ]
    if not parts:
        return []
    return ["<attvalues>", *parts, "</attvalues>"]


def _declare(keys: _Keys, cls: str) -> str:
    """The ``<attributes>`` block declaring ``keys`` (empty when there are none)."""
    if not keys.ids:
        return ""
    rows = "".join(
        f'      <attribute id="{kid}" title="{_attr(name)}" type="{typ}"/>\n'
        for (_, name, typ), kid in keys.ids.items()
    )
    return f'    <attributes mode="static" class="{cls}">\n{rows}    </attributes>\n'
