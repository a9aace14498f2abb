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

Laid out by concern: :mod:`.tables` (the column-wise graph and its
networkx round trip), :mod:`._format` (typing and escaping columns as XML
text), :mod:`.graphml` and :mod:`.gexf` (one writer each).
"""

from __future__ import annotations

from ._format import key_text as key_text
from .gexf import write_gexf
from .graphml import write_graphml
from .tables import GraphTables

__all__ = ["GraphTables", "write_gexf", "write_graphml"]
