"""Rule parameters (``rules.toml``) with documented defaults.

Every parameter names the rule it belongs to. A ``rules.toml`` beside the
instance's tables overrides any of them; an unknown key is an error.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ._frozen import FrozenDict
from .errors import InputError, Problem
from .tiers import TIER_NAMES, Tier

TIERS = TIER_NAMES
"""Unit tiers, highest first (``social`` never leads a village); the names of
:class:`pairing.tiers.Tier`."""


@dataclass(frozen=True)
class Weights:
    """Objective weights of the soft rules (all ≥ 0).

    The village stage maximises
    ``tier * R9 + strength * R10 + continuity * R11 - distance * travel``; the
    household stage minimises ``even_load * R12 load - rank * R10 match
    + distance * travel``. Each term is scaled to about ``[0, 1]`` per
    pairing, so the weights compare directly.

    Examples
    --------
    >>> Weights().continuity > Weights().tier
    True
    """

    tier: float = 2.0
    """R9: heavier villages to higher tiers (per unit of normalised severity)."""
    strength: float = 0.5
    """R10: heavier villages to stronger units within a tier.

    Kept below ``tier / 2`` so a strong county unit never outbids a weak
    prefecture unit for a heavy village (measured on generate(43000): with
    tier 1 / strength 1, 38% of cross-tier pairs were inverted; with 2 / 0.5,
    29%)."""
    continuity: float = 10.0
    """R11: keep a resident work team's or first secretary's unit (dominant)."""
    distance: float = 0.2
    """R12: travel between a unit and its villages or households."""
    rank: float = 1.0
    """R10: senior cadres take the most severe households."""
    even_load: float = 1.0
    """R12: even loads within a unit."""
    claims: float = 1.0
    """R13: honour social units' claims (only matters when claims compete)."""


@dataclass(frozen=True)
class Dispatch:
    """R8: size of the kick-off team of a unit with a task (villages or households).

    ``province_min`` is the province tier's least team (it sends exactly that
    many); prefecture- and county-tier units send ``local_min`` to
    ``local_max``. Which of them send ``local_max`` is the solver's choice
    ("结合实际"): the ``local_max_share`` of each region's units of the tier
    with the heaviest tasks (``docs/semantics.md``, R8).

    Examples
    --------
    >>> Dispatch().province_min
    5
    """

    province_min: int = 5
    local_min: int = 2
    local_max: int = 3
    local_max_share: float = 0.5
    """Share of a region's prefecture- or county-tier units with a task, the
    heaviest tasks first, that send ``local_max`` rather than ``local_min``."""

    def team_bounds(
        self, tier: npt.NDArray[np.integer]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Least and largest kick-off team per unit of tier codes ``tier`` (R8).

        The one reading of R8's sizes the solver and the pre-checks share
        (the validator keeps its own): the province tier sends exactly
        ``province_min``; the other tiers ``local_min`` to ``local_max``
        (never less than ``local_min``).

        Examples
        --------
        >>> low, high = Dispatch().team_bounds(np.array([0, 1, 2]))
        >>> low.tolist(), high.tolist()
        ([5, 2, 2], [5, 3, 3])
        """
        province = np.asarray(tier) == Tier.PROVINCE
        low = np.where(province, self.province_min, self.local_min).astype(np.int64)
        high = np.where(province, self.province_min, self.local_max).astype(np.int64)
        return low, np.maximum(low, high)


@dataclass(frozen=True)
class Rules:
    """The rule parameters.

    Parameters
    ----------
    max_households
        R5: default cap of households per cadre.
    max_households_by_rank
        R5: cap by cadre rank (``{rank: cap}``), overriding ``max_households``.
    villages_per_unit
        R4: ``{tier: (min, max)}`` villages per unit.
    province_key_county_share
        R6: least share of province-tier villages in key counties.
    contact_households
        R7: households each leader takes personally.
    dispatch
        R8: kick-off team sizes.
    weights
        Objective weights (R9–R13).
    capacity_reserve
        R14: share of each unit's capacity (R5) the village stage leaves free
        where the hard rules allow, so that cadres who leave later do not
        force a village to move; the household stage fills it last. 0 packs
        units to their capacity.
    time_limit
        Default wall-clock limit of ``solve`` in seconds (``inf``: none; it is
        written as ``null`` in ``summary.json``, which is strict JSON).

    Examples
    --------
    >>> rules = Rules(max_households=6)
    >>> rules.villages_per_unit["county"], rules.max_households
    ((0, 3), 6)
    >>> Rules.from_dict({"max_households": 6}) == rules
    True
    """

    max_households: int = 5
    max_households_by_rank: Mapping[int, int] = field(default_factory=FrozenDict)
    villages_per_unit: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: FrozenDict(
            {
                "province": (1, 2),
                "prefecture": (1, 2),
                "county": (0, 3),
                "social": (0, 2),
            }
        )
    )
    province_key_county_share: float = 0.5
    contact_households: int = 5
    dispatch: Dispatch = field(default_factory=Dispatch)
    weights: Weights = field(default_factory=Weights)
    capacity_reserve: float = 0.05
    time_limit: float = 60.0

    def __post_init__(self) -> None:
        # frozen all the way down: the tables are read-only mappings (hashable)
        by_rank = FrozenDict(
            {int(k): int(v) for k, v in dict(self.max_households_by_rank).items()}
        )
        per_unit = FrozenDict(
            {
                str(k): (int(v[0]), int(v[1]))
                for k, v in dict(self.villages_per_unit).items()
            }
        )
        object.__setattr__(self, "max_households_by_rank", by_rank)
        object.__setattr__(self, "villages_per_unit", per_unit)

    def replace(self, **changes: Any) -> Rules:
        """A copy with some parameters changed.

        Examples
        --------
        >>> Rules().replace(max_households=6).max_households
        6
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain data (the ``rules.toml`` layout).

        Examples
        --------
        >>> Rules().to_dict()["villages_per_unit"]["county"]
        [0, 3]
        """
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["dispatch"] = dataclasses.asdict(self.dispatch)
        out["weights"] = dataclasses.asdict(self.weights)
        out["max_households_by_rank"] = {
            str(k): v for k, v in self.max_households_by_rank.items()
        }
        out["villages_per_unit"] = {
            k: list(v) for k, v in self.villages_per_unit.items()
        }
        return out

    def to_toml(self) -> str:
        """The parameters as ``rules.toml`` text."""
        d = self.to_dict()
        lines = []
        for key in (
            "max_households",
            "province_key_county_share",
            "contact_households",
            "capacity_reserve",
            "time_limit",
        ):
            lines.append(f"{key} = {d[key]!r}")
        lines.append("\n[max_households_by_rank]")
        lines += [f'"{k}" = {v}' for k, v in d["max_households_by_rank"].items()]
        lines.append("\n[villages_per_unit]")
        lines += [f"{k} = [{v[0]}, {v[1]}]" for k, v in d["villages_per_unit"].items()]
        for section in ("dispatch", "weights"):
            lines.append(f"\n[{section}]")
            lines += [f"{k} = {v!r}" for k, v in d[section].items()]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "rules.toml") -> Rules:
        """Rules from parsed TOML, checking every key and value.

        Raises
        ------
        InputError
            Listing every unknown key and every value of the wrong kind.
        """
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}

        def bad(key: str, expected: str, found: Any) -> None:
            problems.append(Problem(source, "", key, expected, repr(found)))

        def number(key: str, value: Any, *, integer: bool, low: float = 0.0) -> Any:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok and integer and not isinstance(value, int):
                ok = False
            if not ok or value != value or value < low:  # NaN or too small
                kind = "an integer" if integer else "a number"
                bad(key, f"{kind} >= {low:g}", value)
                return None
            return value

        scalars = {
            "max_households": True,
            "contact_households": True,
            "province_key_county_share": False,
            "capacity_reserve": False,
            "time_limit": False,
        }
        sections = {
            "dispatch": Dispatch,
            "weights": Weights,
        }
        for key, value in data.items():
            if key in scalars:
                got = number(key, value, integer=scalars[key])
                if key == "province_key_county_share" and got is not None and got > 1:
                    bad(key, "a share between 0 and 1", value)
                elif key == "capacity_reserve" and got is not None and got >= 1:
                    bad(key, "a share between 0 and 1 (below 1)", value)
                elif got is not None:
                    kwargs[key] = got
            elif key == "max_households_by_rank":
                if not isinstance(value, dict):
                    bad(key, "a table {rank = cap}", value)
                    continue
                table: dict[int, int] = {}
                for rank, cap in value.items():
                    try:
                        r = int(rank)
                    except ValueError:
                        bad(f"{key}.{rank}", "an integer rank", rank)
                        continue
                    c = number(f"{key}.{rank}", cap, integer=True)
                    if c is not None:
                        table[r] = c
                kwargs[key] = table
            elif key == "villages_per_unit":
                if not isinstance(value, dict):
                    bad(key, "a table {tier = [min, max]}", value)
                    continue
                vpu = dict(Rules().villages_per_unit)
                for tier, pair in value.items():
                    name = f"{key}.{tier}"
                    if tier not in TIERS:
                        bad(name, f"one of {', '.join(TIERS)}", tier)
                    elif (
                        not isinstance(pair, list)
                        or len(pair) != 2
                        or not all(
                            isinstance(x, int) and not isinstance(x, bool) and x >= 0
                            for x in pair
                        )
                        or pair[0] > pair[1]
                    ):
                        bad(name, "[min, max] with 0 <= min <= max", pair)
                    else:
                        vpu[tier] = (pair[0], pair[1])
                kwargs[key] = vpu
            elif key in sections:
                sec = sections[key]
                if not isinstance(value, dict):
                    bad(key, "a table", value)
                    continue
                names = {f.name: f for f in dataclasses.fields(sec)}
                sub: dict[str, Any] = {}
                for k, v in value.items():
                    if k not in names:
                        bad(f"{key}.{k}", f"one of {', '.join(names)}", "unknown key")
                        continue
                    integer = key == "dispatch" and k != "local_max_share"
                    got = number(f"{key}.{k}", v, integer=integer)
                    if k == "local_max_share" and got is not None and got > 1:
                        bad(f"{key}.{k}", "a share between 0 and 1", v)
                    elif got is not None:
                        sub[k] = got
                kwargs[key] = sec(**sub)
            else:
                known = [*scalars, "max_households_by_rank", "villages_per_unit"]
                bad(key, f"a known key ({', '.join(known + list(sections))})", key)
        if problems:
            raise InputError(problems)
        rules = cls(**kwargs)
        d = rules.dispatch
        if d.local_min > d.local_max:
            raise InputError(
                [Problem(source, "", "dispatch", "local_min <= local_max", repr(d))]
            )
        return rules

    @classmethod
    def load(cls, path: str | Path) -> Rules:
        """Read a ``rules.toml`` file.

        The file is UTF-8; a byte-order mark (as some Windows editors save
        it) is allowed, as in CSV files.

        Raises
        ------
        InputError
            When the file is not valid TOML or has unknown keys or bad values.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                [Problem(path.name, "", "", "valid TOML", str(exc))]
            ) from None
        return cls.from_dict(data, source=path.name)
