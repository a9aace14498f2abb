"""Column-wise GraphML and GEXF writers for large graphs (R16).

networkx's writers build one ElementTree element per node, edge and
attribute: about 45 s for a provincial plan's graph. These build each
kind's lines column-wise with Arrow string kernels from a
:class:`GraphTables` (one frame per node or edge kind) and stream them to
the file, in about a second. ``networkx.read_graphml`` and
``networkx.read_gexf`` load the files back to the same nodes, edges and
attributes as networkx's own writers give (GraphML with
``named_key_ids=True``), with these differences, all fixes:

* a character XML 1.0 cannot hold (a control character) is dropped from
  attribute values, where networkx writes a file no XML parser reads; a
  carriage return is kept (``&#13;``) where networkx's files turn it into a
  line feed;
* node keys stay distinct: dropping a character could merge two nodes, so
  when any node key holds such a character, every key of the file is written
  with it as ``\\xHH`` (``\\uHHHH``) and a backslash doubled
  (:func:`key_text`);
* GraphML key ids are unique: an attribute name used by nodes and edges, or
  with values of two types, gets one key per scope and type, where
  networkx writes two keys with the same id;
* GEXF node ids are the graph's node keys. networkx uses a node's ``id``
  attribute as its GEXF id when it has one, so that nodes sharing an ``id``
  (a unit and a region both ``"22"``) merge on reading; here ``id`` stays
  an ordinary attribute.

As in networkx, a GEXF node's ``label`` attribute becomes its label (the
node key when it has none) and edges are numbered ``0 …`` in their ``id``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["GraphTables", "write_gexf", "write_graphml"]

_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
"""Characters XML 1.0 cannot hold (RE2 syntax); they are dropped."""
_ILLEGAL_PY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_INT32 = 2**31
_CHUNK = 200_000


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


# -- networkx ⇄ frames ---------------------------------------------------------------


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


# -- formatting ----------------------------------------------------------------


def _kind(s: pd.Series) -> str:
    """``boolean``, ``int``, ``double`` or ``string``."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "double"
    if pd.api.types.is_object_dtype(dt):
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        return _INFERRED.get(inferred, "string")
    return "string"


_INFERRED = {
    "boolean": "boolean",
    "integer": "int",
    "floating": "double",
    "mixed-integer-float": "double",
}


def _strings(values: Any) -> pa.Array:
    """Values as an Arrow string array (None and NaN as nulls)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        try:
            return pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            pass
    arr = np.asarray(values, dtype=object)
    try:
        return pa.array(arr, type=pa.string(), from_pandas=True)
    except (UnicodeEncodeError, pa.ArrowInvalid, pa.ArrowTypeError):
        out = [
            None
            if v is None or (isinstance(v, float) and v != v)
            else _ILLEGAL_PY.sub("", str(v))
            for v in arr
        ]
        return pa.array(out, type=pa.string())


_KEY_ESC = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def key_text(key: str) -> str:
    r"""A node key with ``\`` and the characters XML cannot hold escaped.

    Examples
    --------
    >>> key_text("village:a\x01"), key_text("village:a\\x01")
    ('village:a\\x01', 'village:a\\\\x01')
    """

    def one(m: re.Match[str]) -> str:
        code = ord(m.group())
        if code == 0x5C:  # the backslash itself
            return "\\\\"
        return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"

    return _KEY_ESC.sub(one, key)


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


def _keys_text(values: pd.Series, escape: bool) -> pa.Array:
    """Node keys as XML attribute text (escaped as :func:`key_text` when asked)."""
    if escape:  # rare: a Python pass over the keys
        values = pd.Series(values, dtype=object).astype(str).map(key_text)
    return _escape(_strings(values), True)


def _escape(arr: pa.Array, attribute: bool) -> pa.Array:
    """Strings made safe for XML text (or a double-quoted attribute)."""
    if len(arr) == 0:
        return arr
    if pc.any(pc.match_substring_regex(arr, _ILLEGAL)).as_py():
        arr = pc.replace_substring_regex(arr, _ILLEGAL, "")
    pairs = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")]
    if attribute:
        pairs += [('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")]
    for old, new in pairs:
        if pc.any(pc.match_substring(arr, old)).as_py():
            arr = pc.replace_substring(arr, old, new)
    return arr


def _text(s: pd.Series, kind: str, gexf: bool) -> pa.Array:
    """A column's values as XML-safe text (nulls where missing)."""
    missing = s.isna().to_numpy() if kind != "double" else None
    if kind == "string":
        return _escape(_strings(s), attribute=gexf)
    if kind == "boolean":
        text = np.where(s.to_numpy(dtype=bool, na_value=False), "true", "false")
    elif kind == "int":
        if pd.api.types.is_object_dtype(s.dtype):  # Python ints, maybe beyond 64 bits
            assert missing is not None  # set for every kind but "double"
            text = np.asarray(
                ["" if m else str(v) for v, m in zip(s, missing, strict=True)],
                dtype=object,
            )
        else:
            text = s.to_numpy(dtype=np.int64, na_value=0).astype(str)
    else:
        text = s.to_numpy(dtype=np.float64, na_value=np.nan).astype(str)  # repr
        if gexf:
            text = np.select(
                [text == "nan", text == "inf", text == "-inf"],
                ["NaN", "INF", "-INF"],
                default=text,
            )
    return pa.array(text, type=pa.string(), mask=missing)


def _xml_type(s: pd.Series, kind: str, gexf: bool) -> str:
    if kind == "string":
        return "string"
    if kind == "boolean":
        return "boolean"
    if kind == "double":
        return "double"
    if pd.api.types.is_object_dtype(s.dtype):
        return "long"
    v = s.to_numpy(dtype=np.int64, na_value=0)
    big = len(v) and (int(v.max()) >= _INT32 or int(v.min()) < -_INT32)
    return ("long" if big else "integer") if gexf else ("long" if big else "int")


class _Keys:
    """Attribute declarations: one per (scope, name, type), with unique ids."""

    def __init__(self, gexf: bool) -> None:
        self.gexf = gexf
        self.ids: dict[tuple[str, str, str], str] = {}

    def plan(self, scope: str, frames: list[pd.DataFrame], skip: set[str]) -> None:
        for f in frames:
            for c in f.columns:
                if c in skip:
                    continue
                s = f[c]
                if s.isna().all() and _kind(s) != "double":
                    continue
                self.ids.setdefault(
                    (scope, str(c), _xml_type(s, _kind(s), self.gexf)), ""
                )

    def assign(self, first: int = 0) -> None:
        if self.gexf:  # GEXF: numbered, as networkx does
            for i, k in enumerate(self.ids, start=first):
                self.ids[k] = str(i)
            return
        count = Counter(name for _, name, _ in self.ids)
        taken: set[str] = set()
        for i, (scope, name, typ) in enumerate(self.ids):
            cands = [name] if count[name] == 1 else []
            cands += [f"{scope}.{name}", f"{scope}.{name}.{typ}"]
            kid = next((c for c in cands if _NAME.match(c) and c not in taken), "")
            kid = kid or f"d{i}"
            while kid in taken:
                kid += "_"
            taken.add(kid)
            self.ids[(scope, name, typ)] = kid

    def of(self, scope: str, name: str, s: pd.Series, kind: str) -> str:
        return self.ids[(scope, name, _xml_type(s, kind, self.gexf))]


def _join(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _piece(head: str, text: pa.Array, tail: str) -> pa.Array:
    """``head + text + tail``, or ``""`` where ``text`` is missing."""
    return pc.fill_null(_join(head, text, tail), "")


def _frame_lines(
    frame: pd.DataFrame, make: Any, chunk: int = _CHUNK
) -> Iterator[pa.Array]:
    for start in range(0, len(frame), chunk):
        yield make(frame.iloc[start : start + chunk])


def _write(fh: IO[bytes], chunk: str | pa.Array) -> None:
    if isinstance(chunk, str):
        fh.write(chunk.encode("utf-8"))
        return
    if len(chunk) == 0:
        return
    arr = pa.concat_arrays([chunk]) if chunk.offset else chunk
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    data = arr.buffers()[2]
    lo, hi = int(offsets[0]), int(offsets[len(arr)])
    if data is not None:
        fh.write(memoryview(data)[lo:hi])


def _attr(value: str) -> str:
    return _escape(pa.array([value], type=pa.string()), attribute=True)[0].as_py()


def _textval(value: Any, kind: str, gexf: bool) -> str:
    s = pd.Series([value])
    return _text(s, kind, gexf)[0].as_py()


def _py_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    return "string"


# -- GraphML -------------------------------------------------------------------

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
    parts = []
    for c in f.columns:
        if c in skip:
            continue
        s = f[c]
        kind = _kind(s)
        if kind != "double" and s.isna().all():
            continue
        kid = _attr(keys.of(scope, str(c), s, kind))
        parts.append(_piece(f'<data key="{kid}">', _text(s, kind, False), "</data>"))
    return parts


# -- GEXF ----------------------------------------------------------------------

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

    def attvalues(f: pd.DataFrame, scope: str, keys: _Keys, skip: set[str]) -> list:
        parts = []
        for c in f.columns:
            if c in skip:
                continue
            s = f[c]
            kind = _kind(s)
            if kind != "double" and s.isna().all():
                continue
            kid = keys.of(scope, str(c), s, kind)
            parts.append(
                _piece(f'<attvalue for="{kid}" value="', _text(s, kind, True), '"/>')
            )
        if not parts:
            return []
        return ["<attvalues>", *parts, "</attvalues>"]

    def node_lines(f: pd.DataFrame) -> pa.Array:
        key = _keys_text(f["node"], esc)
        if "label" in f.columns:
            s = f["label"]
            label = pc.coalesce(_text(s, _kind(s), True), key)
        else:
            label = key
        parts: list[Any] = ['      <node id="', key, '" label="', label, '">']
        parts += attvalues(f, "node", node_keys, {"node", "label"})
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
        parts += attvalues(f, "edge", edge_keys, {"source", "target"})
        return _join(*parts, "</edge>\n")

    def declare(keys: _Keys, cls: str) -> str:
        if not keys.ids:
            return ""
        rows = "".join(
            f'      <attribute id="{kid}" title="{_attr(name)}" type="{typ}"/>\n'
            for (_, name, typ), kid in keys.ids.items()
        )
        return (
            f'    <attributes mode="static" class="{cls}">\n{rows}    </attributes>\n'
        )

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
            + declare(node_keys, "node")
            + declare(edge_keys, "edge")
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
