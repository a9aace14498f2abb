"""Writing the plan's graph as GraphML or GEXF, atomically (R16)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .. import atomic
from ..report._graphxml import GraphTables, write_gexf, write_graphml


def write_graph(G: nx.Graph | GraphTables, path: str | Path) -> Path:
    """Write a graph as GraphML (``.graphml``) or GEXF (``.gexf``), atomically.

    Graph, node and edge attributes must be ``str``, ``int``, ``float`` or
    ``bool`` (numpy scalars are converted); ``None`` is not allowed. The
    writers are column-wise (:mod:`pairing.report._graphxml`): a
    :class:`GraphTables` from :func:`graph_tables` is written as it is, a
    networkx graph is first split into frames. ``networkx.read_graphml`` and
    ``networkx.read_gexf`` read the files back.

    Raises
    ------
    ValueError
        On another suffix, or an attribute of another type.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import networkx as nx
    >>> from pairing.graph import write_graph
    >>> G = nx.DiGraph(households="aggregate")
    >>> G.add_edge("unit:U1", "village:V1", kind="leads", role="lead")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_graph(G, pathlib.Path(tmp) / "plan.graphml")
    ...     back = nx.read_graphml(path)
    >>> path.name, back.edges["unit:U1", "village:V1"]["kind"]
    ('plan.graphml', 'leads')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise ValueError(f"write a graph to .graphml or .gexf, not {path.name!r}")
    tables = G if isinstance(G, GraphTables) else GraphTables.from_networkx(G)
    write = write_graphml if suffix == ".graphml" else write_gexf
    atomic.write_file(path, lambda tmp: write(tables, tmp))
    return path
