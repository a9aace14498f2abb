"""Which data and which software made a plan: :class:`Provenance`.

``summary.json``'s ``provenance`` object: the instance's fingerprint and the
versions of pairing, Python and the libraries a plan depends on. It is part of
:class:`pairing.result.SolveResult` (and importable from
:mod:`pairing.result`, as before).

Examples
--------
>>> from pairing.provenance import Provenance
>>> Provenance.from_dict({"instance_fingerprint": ""}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._coerce import as_map as _map
from ._frozen import FrozenDict, freeze

if TYPE_CHECKING:
    from .instance import Instance

__all__ = ["Provenance", "versions"]


@dataclass(frozen=True)
class Provenance:
    """Which data and which software made a plan.

    Attributes
    ----------
    fingerprint
        :func:`pairing.fingerprint` of the instance (64 hex digits).
    versions
        ``pairing``, ``python`` and the solvers' versions (``ortools``,
        ``highspy``) and the table libraries' (``numpy``, ``pandas``).

    Examples
    --------
    >>> p = Provenance("ab" * 32, {"pairing": "0.1.0"})
    >>> Provenance.from_dict(p.to_dict()) == p
    True
    """

    fingerprint: str
    versions: Mapping[str, str] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", freeze(self.versions))

    @classmethod
    def of(cls, instance: Instance) -> Provenance:
        """The provenance of a plan made now from ``instance``."""
        from .fingerprint import fingerprint

        return cls(fingerprint(instance), versions())

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_fingerprint": self.fingerprint,
            "versions": dict(self.versions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance | None:
        """The provenance of a ``summary.json`` object, None without a fingerprint."""
        fp = data.get("instance_fingerprint")
        if not isinstance(fp, str) or not fp:
            return None
        return cls(fp, {str(k): str(v) for k, v in _map(data.get("versions")).items()})


def versions() -> dict[str, str]:
    """The versions of pairing, Python and the libraries a plan depends on.

    Examples
    --------
    >>> sorted(versions())
    ['highspy', 'numpy', 'ortools', 'pairing', 'pandas', 'python']
    """
    import platform
    from importlib import metadata

    from . import __version__

    out = {"pairing": __version__, "python": platform.python_version()}
    for name in ("ortools", "highspy", "numpy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out
