"""Exceptions raised by :mod:`pairing`, each carrying structured problems."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_PROBLEMS = 200
"""How many problems one :class:`InputError` lists at most."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Parameters
    ----------
    table
        The table (``households``, ``rules.toml`` …) the problem is in.
    id
        The offending row's id, or ``"row N"`` (1-based, header excluded) when
        the row has no usable id; empty for a table-level problem.
    column
        The offending column, empty for a row- or table-level problem.
    expected
        What was expected, in plain words.
    found
        What was found instead (may be empty).
    file
        The file the table was read from (``households.csv``,
        ``instance.xlsx``), when known.

    Examples
    --------
    >>> print(Problem("households", "h7", "members", "an integer >= 1", "'x'"))
    households h7, column members: expected an integer >= 1, found 'x'
    """

    table: str
    id: str = ""
    column: str = ""
    expected: str = ""
    found: str = ""
    file: str = ""

    def __str__(self) -> str:
        where = self.table
        if self.id:
            where += f" {self.id}"
        if self.column:
            where += f", column {self.column}"
        text = f"{where}: expected {self.expected}"
        if self.found:
            text += f", found {self.found}"
        if self.file and self.file != self.table:
            text += f" [{self.file}]"
        return text


class PairingError(Exception):
    """Base class of every error :mod:`pairing` raises on purpose.

    Examples
    --------
    >>> issubclass(InputError, PairingError) and issubclass(NoPlanFound, PairingError)
    True
    """


class InputError(PairingError, ValueError):
    """The instance, plan or rules file is malformed.

    Attributes
    ----------
    problems
        Every problem found in one pass (at most :data:`MAX_PROBLEMS`).
    truncated
        How many further problems were found but not listed.

    Examples
    --------
    >>> err = InputError([Problem("households", "h7", "members", "an integer >= 1")])
    >>> print(err.describe())
    1 problem(s) in the input:
      - households h7, column members: expected an integer >= 1
    >>> err.problems[0].column
    'members'
    """

    def __init__(self, problems: list[Problem], truncated: int = 0) -> None:
        self.problems = list(problems[:MAX_PROBLEMS])
        self.truncated = truncated + max(0, len(problems) - MAX_PROBLEMS)
        super().__init__(self.describe())

    def describe(self) -> str:
        """All problems, one per line."""
        lines = [f"{len(self.problems) + self.truncated} problem(s) in the input:"]
        lines += [f"  - {p}" for p in self.problems]
        if self.truncated:
            lines.append(f"  … and {self.truncated} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class Cause:
    """One reason why the hard rules cannot all hold (R15).

    Parameters
    ----------
    rule
        The rule id (``"R3"`` …).
    region
        The region, unit or leader concerned (an id, or empty).
    message
        The cause in planners' terms, with its numbers.
    figures
        The numbers behind the message.
    fix
        A suggested fix, in plain words (may be empty).

    Examples
    --------
    >>> print(Cause("R5", "u1", "unit u1 cannot carry its villages", {}, "add cadres"))
    R5 unit u1 cannot carry its villages (fix: add cadres)
    """

    rule: str
    region: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.rule} {self.message}"
        if self.fix:
            text += f" (fix: {self.fix})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Infeasible(PairingError):
    """The hard rules cannot all hold for this instance (R15).

    Attributes
    ----------
    causes
        The smallest set of causes found.

    Examples
    --------
    >>> c = Cause("R5", "u1", "unit u1 cannot carry its villages", {}, "add cadres")
    >>> print(Infeasible([c]))
    the hard rules cannot all hold:
      - R5 unit u1 cannot carry its villages (fix: add cadres)
    """

    def __init__(self, causes: list[Cause]) -> None:
        self.causes = list(causes)
        lines = ["the hard rules cannot all hold:"]
        lines += [f"  - {c}" for c in self.causes]
        super().__init__("\n".join(lines))


class NoPlanFound(PairingError):
    """The time limit was reached before any plan was found.

    This is not a proof of infeasibility: more time may find a plan.

    Examples
    --------
    >>> import pairing
    >>> from pairing.stop import CancelToken
    >>> token = CancelToken()
    >>> token.cancel()  # before any plan: there is none to return
    >>> pairing.solve(pairing.generate(households=2000, seed=1), stop=token)
    Traceback (most recent call last):
    ...
    pairing.errors.NoPlanFound: the solve was stopped before any plan was found
    """


class Stopped(PairingError):
    """A stop request (:mod:`pairing.stop`) ended the work before it was done.

    Whatever was being written was not put in place: earlier outputs are as
    they were.

    Examples
    --------
    >>> raise Stopped("the report was stopped before it was complete")
    Traceback (most recent call last):
    ...
    pairing.errors.Stopped: the report was stopped before it was complete
    """
