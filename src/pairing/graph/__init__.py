"""The whole plan as a typed graph other tools can open (R16).

Nodes carry a ``kind`` (``region``, ``village``, ``unit``, ``cadre``,
``leader``, ``household`` or ``household_group``) and edges a ``kind``:

=================== ==================================================== ======
edge kind           from → to                                            rule
=================== ==================================================== ======
``located_in``      village → county → prefecture → province;            R2
                    unit → its region; household (group) → village
``leads``           unit → village (``role = lead``)                     R1, R2
``supplements``     social unit → village (``role = supplementary``)    R13
``member_of``       cadre → unit                                         R5
``responsible_for`` cadre or leader → household (group)                  R1, R3
``covers_area``     leader → area (a region, or a village)               R7
=================== ==================================================== ======

Node keys are ``"<kind>:<id>"`` (``"village:220101001"``), so ids of
different tables never collide (a kind holds no ``:``); the plain id is the
``id`` attribute. A household group's id is ``<village_id>|<responsible_id>``
with a backslash and ``|`` in the village id written doubled and as ``\\|``
(:func:`group_id`), so ``("a|b", "c")`` and ``("a", "b|c")`` stay two nodes. All
attributes are ``str``, ``int``, ``float`` or ``bool`` (never ``None``), so
:func:`write_graph` can write GraphML or GEXF that Gephi, yEd or Cytoscape
open.

With ``households="aggregate"`` (the default) the households of one village
that share a responsible person are one ``household_group`` node with a
``count``: a provincial plan is then about 100,000 nodes rather than
500,000.

The package: :mod:`~pairing.graph.build` builds the graph (one function per
node kind), :mod:`~pairing.graph.write` writes it, and
:mod:`~pairing.graph.queries` answers questions asked of a plan.

Examples
--------
>>> import pairing
>>> from pairing.graph import graph, write_graph
>>> instance = pairing.generate(households=2000, seed=1)
>>> plan = pairing.solve(instance, time_limit=10)
>>> G = graph(instance, plan)
>>> G.graph["households"]
'aggregate'
>>> sorted({d["kind"] for _, _, d in G.edges(data=True)})
['covers_area', 'leads', 'located_in', 'member_of', 'responsible_for', 'supplements']
"""

from __future__ import annotations

from ..report._graphxml import GraphTables
from ._builder import group_id as group_id
from .build import graph, graph_tables
from .queries import chain_of_responsibility, coverage_by_region, units_by_tier
from .write import write_graph

__all__ = [
    "GraphTables",
    "chain_of_responsibility",
    "coverage_by_region",
    "graph",
    "graph_tables",
    "units_by_tier",
    "write_graph",
]
